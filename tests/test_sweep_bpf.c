/* bpf/sweep.bpf.c through BPF_PROG_TEST_RUN: crafted frames with known verdicts (counted or
 * not, and which counter moves), checked in the map. Needs root (CAP_BPF). */
#include <criterion/criterion.h>
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <string.h>

#include "loader.h"
#include "sweep.h"
#include "sweep.skel.h"

#define ID 0x1234
#define SECRET 0x0123456789abcdefULL
#define MIN_SENT 1000000

static struct sweep_bpf *skel;

static void setup(void)
{
	loader_quiet_libbpf();
	skel = sweep_bpf__open();
	cr_assert(skel);
	skel->rodata->sweep_id = ID;
	skel->rodata->sweep_secret = SECRET;
	bpf_map__set_max_entries(skel->maps.sweep_hits, 4);
	loader_select(skel->progs.sweep_xdp, skel->progs.sweep_tc, ATTACH_XDP);
	cr_assert_eq(sweep_bpf__load(skel), 0);
	skel->bss->sweep_min_sent_ns = MIN_SENT;
}

static void teardown(void)
{
	sweep_bpf__destroy(skel);
}

static void key_of(const char *addr, struct sweep_key *k)
{
	memset(k, 0, sizeof(*k));
	if (strchr(addr, ':')) {
		cr_assert_eq(inet_pton(AF_INET6, addr, k->addr), 1);
	} else {
		k->addr[2] = htonl(0xffff);
		cr_assert_eq(inet_pton(AF_INET, addr, &k->addr[3]), 1);
	}
}

struct echo {
	const char *src;        /* the reply's source address */
	const char *cookie_for; /* the address the cookie was made for (NULL: src) */
	uint8_t type;
	uint16_t id, seq;
	uint64_t sent;
	int payload; /* bytes of payload the frame carries */
	bool bad_csum; /* corrupt the ICMPv4 checksum */
};

/* RFC 1071, written here independently of user/icmp.c and the BPF program. */
static uint16_t csum(const uint8_t *p, int len)
{
	uint32_t s = 0;

	for (int i = 0; i < len; i += 2)
		s += (uint32_t)(p[i] << 8) + (i + 1 < len ? p[i + 1] : 0);
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

/* Builds Ethernet + IPv4/IPv6 + ICMP echo + payload(sent, cookie, zeros) and runs it. */
static void run(const struct echo *e)
{
	uint8_t pkt[128] = { 0 }, *icmp;
	struct sweep_key ck;
	bool v6 = strchr(e->src, ':');
	int l3 = v6 ? 40 : 20, icmp_len = 8 + e->payload, len = 14 + l3 + icmp_len;
	uint32_t cookie;
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = pkt, .data_size_in = len);

	pkt[12] = v6 ? 0x86 : 0x08;
	pkt[13] = v6 ? 0xdd : 0x00;
	if (v6) {
		pkt[14] = 0x60;
		pkt[18] = icmp_len >> 8;
		pkt[19] = icmp_len & 0xff;
		pkt[20] = 58;
		pkt[21] = 64;
		inet_pton(AF_INET6, e->src, pkt + 22);
		inet_pton(AF_INET6, "2001:db8::1", pkt + 38);
	} else {
		pkt[14] = 0x45;
		pkt[16] = (20 + icmp_len) >> 8;
		pkt[17] = (20 + icmp_len) & 0xff;
		pkt[22] = 64;
		pkt[23] = 1;
		inet_pton(AF_INET, e->src, pkt + 26);
		inet_pton(AF_INET, "192.0.2.254", pkt + 30);
	}
	icmp = pkt + 14 + l3;
	icmp[0] = e->type;
	icmp[4] = e->id >> 8;
	icmp[5] = e->id & 0xff;
	icmp[6] = e->seq >> 8;
	icmp[7] = e->seq & 0xff;
	key_of(e->cookie_for ? e->cookie_for : e->src, &ck);
	cookie = sweep_cookie(SECRET, &ck, e->seq, e->sent);
	if (e->payload >= 16) {
		memcpy(icmp + 8, &e->sent, 8);
		memcpy(icmp + 16, &cookie, 4);
	}
	if (!v6) {
		uint16_t c = csum(icmp, icmp_len) ^ (e->bad_csum ? 0x0100 : 0);

		icmp[2] = c >> 8;
		icmp[3] = c & 0xff;
	}
	cr_assert_eq(bpf_prog_test_run_opts(bpf_program__fd(skel->progs.sweep_xdp), &opts), 0);
	cr_assert_eq(opts.retval, XDP_PASS);
}

static int hit(const char *addr, struct sweep_hit *h)
{
	struct sweep_key k;

	key_of(addr, &k);
	return bpf_map_lookup_elem(bpf_map__fd(skel->maps.sweep_hits), &k, h);
}

static struct sweep_stats stats(void)
{
	struct sweep_stats per[256] = { 0 }, sum = { 0 };
	__u32 zero = 0;
	int n = libbpf_num_possible_cpus();

	cr_assert(n > 0 && n <= 256);
	cr_assert_eq(bpf_map_lookup_elem(bpf_map__fd(skel->maps.sweep_stats), &zero, per), 0);
	for (int i = 0; i < n; i++) {
		sum.counted += per[i].counted;
		sum.wrong_cookie += per[i].wrong_cookie;
		sum.stale += per[i].stale;
		sum.insert_failed += per[i].insert_failed;
		sum.bad_checksum += per[i].bad_checksum;
	}
	return sum;
}

#define REPLY(src_, seq_) { .src = src_, .type = 0, .id = ID, .seq = seq_, .sent = 2000000, .payload = 16 }

TestSuite(sweep_bpf, .init = setup, .fini = teardown);

Test(sweep_bpf, valid_replies_counted_with_first_time)
{
	struct echo e = REPLY("192.0.2.1", 7);
	struct sweep_hit h;

	run(&e);
	run(&e);
	cr_assert_eq(hit("192.0.2.1", &h), 0);
	cr_assert_eq(h.count, 2);
	cr_assert_eq(h.seq, 7);
	cr_assert_eq(h.sent_ns, 2000000);
	cr_assert_gt(h.first_ns, 0);
	e = (struct echo)REPLY("2001:db8::5", 65535);
	e.type = 129;
	run(&e);
	cr_assert_eq(hit("2001:db8::5", &h), 0);
	cr_assert_eq(h.count, 1);
	cr_assert_eq(stats().counted, 3);
}

Test(sweep_bpf, not_counted)
{
	struct echo e;
	struct sweep_stats st;
	struct sweep_hit h;

	e = (struct echo)REPLY("192.0.2.2", 1);
	e.id = ID + 1; /* another run's (or ping's) identifier */
	run(&e);
	e = (struct echo)REPLY("192.0.2.3", 1);
	e.cookie_for = "192.0.2.9"; /* a reply from an address we did not probe */
	run(&e);
	e = (struct echo)REPLY("192.0.2.4", 1);
	e.sent = MIN_SENT - 1; /* a late reply to the previous round */
	run(&e);
	e = (struct echo)REPLY("192.0.2.5", 1);
	e.type = 3; /* destination unreachable */
	run(&e);
	e = (struct echo)REPLY("192.0.2.6", 1);
	e.type = 8; /* an echo request, not a reply */
	run(&e);
	e = (struct echo)REPLY("192.0.2.7", 1);
	e.payload = 8; /* too short to carry the cookie */
	run(&e);
	e = (struct echo)REPLY("2001:db8::7", 1);
	e.type = 0; /* ICMPv4's echo-reply type inside ICMPv6 */
	run(&e);
	e = (struct echo)REPLY("192.0.2.8", 1);
	e.bad_csum = true; /* corrupted on the way: the kernel and --no-bpf drop it too */
	run(&e);
	for (int i = 2; i <= 8; i++) {
		char a[16];

		snprintf(a, sizeof(a), "192.0.2.%d", i);
		cr_assert_neq(hit(a, &h), 0, "%s was counted", a);
	}
	cr_assert_neq(hit("2001:db8::7", &h), 0);
	st = stats();
	cr_assert_eq(st.counted, 0);
	cr_assert_eq(st.wrong_cookie, 1);
	cr_assert_eq(st.stale, 1);
	cr_assert_eq(st.bad_checksum, 1);
}

Test(sweep_bpf, full_map_counts_insert_failures)
{
	char a[16];

	/* max_entries is 4: the fifth source cannot be inserted. */
	for (int i = 1; i <= 5; i++) {
		snprintf(a, sizeof(a), "192.0.2.%d", i);
		struct echo e = REPLY(a, i);

		run(&e);
	}
	cr_assert_eq(stats().counted, 4);
	cr_assert_eq(stats().insert_failed, 1);
}
