// SPDX-License-Identifier: GPL-2.0
/* The sweep's receiver: counts ICMP/ICMPv6 echo replies that carry this run's identifier and a
 * valid cookie, per source address, with the first reply's time, at XDP or TC ingress.
 * Packets from the network are always passed on unchanged.
 * The XDP program is also the sweep's kernel-side sender (--send xdp): run by BPF_PROG_RUN with
 * BPF_F_TEST_XDP_LIVE_FRAMES on a template IPv4 echo request that carries this run's token as
 * XDP metadata (which no frame from the network has), it gives each frame the next target and
 * transmits it (XDP_TX). Being the attached program, it is already in the kernel's XDP
 * dispatcher: a run costs no dispatcher update (~30% of the time of a separate program). */
/* No CO-RE: every layout used here (the XDP and TC contexts, Ethernet/IP/ICMP headers) is UAPI
 * and fixed, and without relocations libbpf does not read and parse the kernel's 5.5 MB BTF
 * at each start (~0.1 s of a sweep's fixed cost). */
#define BPF_NO_PRESERVE_ACCESS_INDEX
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "parse.bpf.h"
#include "sweep.h"

/* Set by user space before load. */
const volatile __u16 sweep_id = 0;
const volatile __u64 sweep_secret = 0;
/* Set by user space at the start of each round: replies to older probes are stale. */
__u64 sweep_min_sent_ns = 0;

/* --send xdp: the metadata token of template frames (0: not sending), set before load; and,
 * before each run, the range of the target list the run sends. */
const volatile __u64 gen_token = 0;
__u32 gen_next = 0;
__u32 gen_end = 0;

/* The targets to send to; max_entries is set before load (1 when not sending from XDP). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct sweep_gen_target);
} sweep_gen_targets SEC(".maps");

/* max_entries is set to the number of targets before load. Not preallocated: creating a
 * preallocated map of a /16's 65,534 entries took 30-50 ms of a ~0.3 s sweep, and only the
 * targets that answer need an entry (a sparse /12 would preallocate ~90 MB). An insert that
 * finds no memory counts in insert_failed, like one into a full map. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 1);
	__type(key, struct sweep_key);
	__type(value, struct sweep_hit);
} sweep_hits SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct sweep_stats);
} sweep_stats SEC(".maps");

static __always_inline void to_key(const struct census_addr *a, struct sweep_key *k)
{
	if (a->family == CENSUS_INET) {
		k->addr[0] = 0;
		k->addr[1] = 0;
		k->addr[2] = bpf_htonl(0xffff);
		k->addr[3] = a->addr[0];
	} else {
		k->addr[0] = a->addr[0];
		k->addr[1] = a->addr[1];
		k->addr[2] = a->addr[2];
		k->addr[3] = a->addr[3];
	}
}

/* Adds a reply to an existing entry; another CPU may be adding to it too. */
static __always_inline void add(struct sweep_hit *h, struct sweep_stats *st)
{
	__sync_fetch_and_add(&h->count, 1);
	st->counted++;
}

static __always_inline void record(const struct sweep_key *k, __u16 seq, __u64 sent_ns,
				   struct sweep_stats *st)
{
	struct sweep_hit *h = bpf_map_lookup_elem(&sweep_hits, k);
	struct sweep_hit init;

	if (h) {
		add(h, st);
		return;
	}
	init = (struct sweep_hit){ .first_ns = bpf_ktime_get_ns(), .sent_ns = sent_ns,
				   .count = 1, .seq = seq };
	if (!bpf_map_update_elem(&sweep_hits, k, &init, BPF_NOEXIST)) {
		st->counted++;
		return;
	}
	/* Another CPU inserted the key between our lookup and update: add to it. */
	h = bpf_map_lookup_elem(&sweep_hits, k);
	if (h)
		add(h, st);
	else
		st->insert_failed++;
}

/* Longest ICMPv4 message whose checksum is verified: our probes (and so their echoes) are
 * 8 + SWEEP_PAYLOAD_LEN bytes, so a longer "reply" is not an echo of ours anyway. */
#define SWEEP_CSUM_MAX 256

/* RFC 1071 over the ICMPv4 message, as user space (--no-bpf) and the kernel's own ICMP do.
 * (ICMPv6's covers a pseudo-header too and is not verified here.) */
static __always_inline bool icmp4_csum_ok(struct frame *f, const struct parse_result *r)
{
	__u64 off = r->l4_off & 0x3fff, room = r->l4_room, sum = 0;
	__u8 *p = f->data + off;

	if (room > SWEEP_CSUM_MAX)
		return false;
	for (__u32 i = 0; i < SWEEP_CSUM_MAX; i += 2) {
		if (i >= room)
			break;
		if ((void *)(p + i + 2) > f->data_end) {
			/* An odd last byte is summed as if followed by a zero byte. */
			if (i + 1 != room || (void *)(p + i + 1) > f->data_end)
				return false;
			sum += (__u32)p[i] << 8;
			break;
		}
		sum += (__u32)p[i] << 8;
		if (i + 1 < room)
			sum += p[i + 1];
	}
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return sum == 0xffff;
}

static __always_inline void sweep(struct frame *f)
{
	struct parse_result r = {};
	struct sweep_stats *st;
	struct sweep_key k;
	__u16 id, seq;
	__u64 sent_ns;
	__u32 cookie, zero = 0;
	__u8 *p;

	if (parse_frame(f, &r) != PARSE_ICMP_REPLY)
		return;
	p = parse_icmp_echo(f, &r, SWEEP_PAYLOAD_LEN, &id, &seq);
	if (!p || id != sweep_id)
		return;
	st = bpf_map_lookup_elem(&sweep_stats, &zero);
	if (!st)
		return;
	if (r.src.family == CENSUS_INET && !icmp4_csum_ok(f, &r)) {
		st->bad_checksum++;
		return;
	}
	__builtin_memcpy(&sent_ns, p, 8);
	__builtin_memcpy(&cookie, p + 8, 4);
	to_key(&r.src, &k);
	if (cookie != sweep_cookie(sweep_secret, &k, seq, sent_ns)) {
		st->wrong_cookie++;
		return;
	}
	if (sent_ns < sweep_min_sent_ns) {
		st->stale++;
		return;
	}
	record(&k, seq, sent_ns, st);
}

static __always_inline __u16 gen_fold(__u64 s)
{
	s = (s & 0xffffffff) + (s >> 32);
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return (__u16)~((s & 0xffff) + (s >> 16));
}

/* Internet checksum of a fixed number of 16-bit words (summed in memory order, so the result
 * is stored as is). */
static __always_inline __u16 gen_csum(const __u16 *w, int words)
{
	__u64 s = 0;

	for (int i = 0; i < words; i++)
		s += w[i];
	return gen_fold(s);
}

/* Turns a template frame into the echo request to the next target. Every field that changes
 * is written in full: live-frame pages are recycled without being reset. */
static __always_inline int gen_frame(void *data, void *end)
{
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	struct icmphdr *icmp = (void *)(ip + 1);
	__u8 *payload = (void *)(icmp + 1);
	struct sweep_gen_target *tg;
	struct sweep_key k = {};
	__u32 i = gen_next, cookie;
	__u64 now;
	__u16 seq;

	if (payload + SWEEP_PAYLOAD_LEN > (__u8 *)end || i >= gen_end)
		return XDP_DROP;
	gen_next = i + 1;
	tg = bpf_map_lookup_elem(&sweep_gen_targets, &i);
	if (!tg)
		return XDP_DROP;
	seq = (__u16)tg->index;
	now = bpf_ktime_get_ns();
	k.addr[2] = bpf_htonl(0xffff);
	k.addr[3] = tg->addr;
	cookie = sweep_cookie(sweep_secret, &k, seq, now);
	ip->daddr = tg->addr;
	ip->check = 0;
	ip->check = gen_csum((const __u16 *)ip, sizeof(*ip) / 2);
	icmp->un.echo.sequence = bpf_htons(seq);
	__builtin_memcpy(payload, &now, 8);
	__builtin_memcpy(payload + 8, &cookie, 4);
	__builtin_memset(payload + 12, 0, SWEEP_PAYLOAD_LEN - 12);
	icmp->checksum = 0;
	icmp->checksum = gen_csum((const __u16 *)icmp, (sizeof(*icmp) + SWEEP_PAYLOAD_LEN) / 2);
	return XDP_TX;
}

SEC("xdp")
int sweep_xdp(struct xdp_md *ctx)
{
	void *meta = (void *)(long)ctx->data_meta, *data = (void *)(long)ctx->data;
	struct frame f;

	/* Only BPF_PROG_RUN can put metadata before a frame that reaches us first. */
	if (gen_token && meta + 8 <= data && *(__u64 *)meta == gen_token)
		return gen_frame(data, (void *)(long)ctx->data_end);

	parse_xdp_frame(ctx, &f);
	sweep(&f);
	return XDP_PASS;
}

SEC("tc")
int sweep_tc(struct __sk_buff *skb)
{
	struct frame f;

	parse_tc_frame(skb, &f);
	sweep(&f);
	return TCX_NEXT;
}

char LICENSE[] SEC("license") = "GPL";
