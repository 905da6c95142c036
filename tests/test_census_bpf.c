/* The census programs, run by the kernel on crafted frames (BPF_PROG_TEST_RUN): exact counts
 * for every header combination the issue names, in both the XDP and the TC program. */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <stdlib.h>
#include <string.h>

#include "census.h"
#include "census.skel.h"
#include "frames.h"

static struct census_bpf *skel;
static int use_tc; /* which program the helpers run */

static void setup(void)
{
	skel = census_bpf__open();
	cr_assert_not_null(skel, "open census skeleton");
	skel->rodata->census_max_port = 1000;
	cr_assert_eq(census_bpf__load(skel), 0, "load census (needs root/CAP_BPF)");
}

static void teardown(void)
{
	census_bpf__destroy(skel);
}

/* Runs the selected program on the frame `repeat` times; asserts it passed the packet on. */
static void run(const uint8_t *frame, size_t len, int repeat)
{
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = frame, .data_size_in = len, .repeat = repeat);
	int fd = bpf_program__fd(use_tc ? skel->progs.census_tc : skel->progs.census_xdp);

	cr_assert_eq(bpf_prog_test_run_opts(fd, &o), 0, "test run of %zu bytes: %s", len, strerror(errno));
	/* XDP_PASS is 2; a tcx program passes with TCX_NEXT (-1). */
	cr_assert_eq((int)o.retval, use_tc ? -1 : 2, "program must pass every packet");
}

static void sum_key(struct bpf_map *map, const void *key, uint64_t *pkts, uint64_t *bytes)
{
	int ncpu = libbpf_num_possible_cpus();
	struct census_count *v = calloc(ncpu, sizeof(*v));

	*pkts = *bytes = 0;
	if (!bpf_map_lookup_elem(bpf_map__fd(map), key, v)) {
		for (int c = 0; c < ncpu; c++) {
			*pkts += v[c].packets;
			*bytes += v[c].bytes;
		}
	}
	free(v);
}

static struct census_addr addr_of(int family, const char *s)
{
	struct census_addr a = { .family = family == 6 ? CENSUS_INET6 : CENSUS_INET };

	inet_pton(family == 6 ? AF_INET6 : AF_INET, s, a.addr);
	return a;
}

/* The key is looked up in the map of its family only: a key in the other map counts 0. */
static uint64_t port_packets(int family, const char *src, uint32_t port, uint64_t *bytes)
{
	struct census_addr a = addr_of(family, src);
	uint64_t p, b;

	if (family == 6) {
		struct census_port6_key k = { .port = port };

		memcpy(k.addr, a.addr, sizeof(k.addr));
		sum_key(skel->maps.census_ports6, &k, &p, &b);
	} else {
		struct census_port4_key k = { .addr = a.addr[0], .port = port };

		sum_key(skel->maps.census_ports4, &k, &p, &b);
	}
	if (bytes)
		*bytes = b;
	return p;
}

static uint64_t icmp_packets(int family, const char *src)
{
	struct census_addr a = addr_of(family, src);
	uint64_t p, b;

	sum_key(skel->maps.census_icmp, &a, &p, &b);
	return p;
}

static struct census_stats stats(void)
{
	int ncpu = libbpf_num_possible_cpus();
	struct census_stats *v = calloc(ncpu, sizeof(*v)), s = {};
	uint32_t zero = 0;

	cr_assert_eq(bpf_map_lookup_elem(bpf_map__fd(skel->maps.census_stats), &zero, v), 0);
	for (int c = 0; c < ncpu; c++) {
		s.malformed += v[c].malformed;
		s.fragments += v[c].fragments;
		s.new_keys += v[c].new_keys;
		s.new_icmp_keys += v[c].new_icmp_keys;
		s.insert_failed += v[c].insert_failed;
	}
	free(v);
	return s;
}

static size_t map_entries(struct bpf_map *map)
{
	size_t n = 0;
	uint8_t key[64], next[64];
	void *prev = NULL;

	while (!bpf_map_get_next_key(bpf_map__fd(map), prev, next)) {
		memcpy(key, next, sizeof(key));
		prev = key;
		n++;
	}
	return n;
}

/* Keys in both port maps. */
static size_t port_entries(void)
{
	return map_entries(skel->maps.census_ports4) + map_entries(skel->maps.census_ports6);
}

static const struct frame_spec tcp4 = { .family = 4, .src = "198.18.0.2", .dst = "198.18.0.1",
					 .proto = 6, .sport = 22, .dport = 80 };
static const struct frame_spec tcp6 = { .family = 6, .src = "2001:db8::2", .dst = "2001:db8::1",
					 .proto = 6, .sport = 443, .dport = 80 };

/* Builds, runs `repeat` times, returns the frame length. */
static size_t send_spec(const struct frame_spec *s, int repeat)
{
	uint8_t buf[512];
	size_t len = frame_build(s, buf, sizeof(buf));

	cr_assert_gt(len, 0);
	run(buf, len, repeat);
	return len;
}

/* Every test runs against the XDP program and again against the TC program. */
#define BOTH(name)                                                        \
	static void name##_body(void);                                    \
	Test(census_xdp, name, .init = setup, .fini = teardown)           \
	{                                                                 \
		use_tc = 0;                                               \
		name##_body();                                            \
	}                                                                 \
	Test(census_tc, name, .init = setup, .fini = teardown)            \
	{                                                                 \
		use_tc = 1;                                               \
		name##_body();                                            \
	}                                                                 \
	static void name##_body(void)

BOTH(tcp_ipv4_counts_packets_and_bytes)
{
	size_t len = send_spec(&tcp4, 5);
	uint64_t bytes;

	cr_assert_eq(port_packets(4, "198.18.0.2", 22, &bytes), 5);
	cr_assert_eq(bytes, 5 * len);
	cr_assert_eq(map_entries(skel->maps.census_ports4), 1);
	cr_assert_eq(port_entries(), 1);
	cr_assert_eq(stats().new_keys, 1);
	cr_assert_eq(stats().malformed, 0);
}

/* Plain Ethernet/IPv4/TCP takes a short parse; these frames sit at its edges. The TOS byte and
 * the DF flag do not matter; a total length below 40 or past the frame is malformed; Ethernet
 * padding after the datagram is counted with the frame. */
BOTH(plain_ipv4_tcp_edges)
{
	struct frame_spec spec = tcp4;
	uint8_t buf[512];
	size_t len, l3;
	uint16_t tot;

	spec.payload = 20;
	len = frame_build(&spec, buf, sizeof(buf));
	l3 = frame_l3_offset(&spec);
	cr_assert_gt(len, 0);
	buf[l3 + 1] = 0xb8; /* TOS: DSCP EF */
	buf[l3 + 6] = 0x40; /* DF */
	run(buf, len, 1);
	tot = htons(40); /* 20 bytes of padding after the datagram */
	memcpy(buf + l3 + 2, &tot, 2);
	run(buf, len, 1);
	cr_assert_eq(port_packets(4, "198.18.0.2", 22, NULL), 2);
	tot = htons(39);
	memcpy(buf + l3 + 2, &tot, 2);
	run(buf, len, 1);
	tot = htons(len - l3 + 1);
	memcpy(buf + l3 + 2, &tot, 2);
	run(buf, len, 1);
	cr_assert_eq(stats().malformed, 2);
	cr_assert_eq(port_packets(4, "198.18.0.2", 22, NULL), 2);
	cr_assert_eq(port_entries(), 1);
}

BOTH(tcp_ipv6)
{
	send_spec(&tcp6, 3);
	cr_assert_eq(port_packets(6, "2001:db8::2", 443, NULL), 3);
	cr_assert_eq(map_entries(skel->maps.census_ports6), 1);
	cr_assert_eq(map_entries(skel->maps.census_ports4), 0);
}

BOTH(ipv4_options_are_skipped)
{
	struct frame_spec s = tcp4;

	s.ip_opt_words = 10; /* IHL 15: the longest IPv4 header */
	s.sport = 21;
	send_spec(&s, 2);
	cr_assert_eq(port_packets(4, "198.18.0.2", 21, NULL), 2);
	cr_assert_eq(stats().malformed, 0);
}

BOTH(one_and_two_vlan_tags)
{
	struct frame_spec s = tcp4;

	s.vlans = 1;
	send_spec(&s, 1);
	s.vlans = 2;
	send_spec(&s, 1);
	s = tcp6;
	s.vlans = 2;
	send_spec(&s, 1);
	cr_assert_eq(port_packets(4, "198.18.0.2", 22, NULL), 2);
	cr_assert_eq(port_packets(6, "2001:db8::2", 443, NULL), 1);
}

BOTH(ipv4_non_first_fragment_has_no_port)
{
	struct frame_spec s = tcp4;

	s.frag_offset = 185; /* bytes 1480.. of the datagram: no TCP header here */
	send_spec(&s, 4);
	cr_assert_eq(port_entries(), 0);
	cr_assert_eq(stats().fragments, 4);
	cr_assert_eq(stats().malformed, 0);
}

BOTH(ipv4_first_fragment_counts)
{
	struct frame_spec s = tcp4;

	s.more_frags = true;
	send_spec(&s, 1);
	cr_assert_eq(port_packets(4, "198.18.0.2", 22, NULL), 1);
}

BOTH(ipv6_extension_headers_and_fragments)
{
	struct frame_spec s = tcp6;

	s.v6_opt_hdrs = 2;
	send_spec(&s, 1);
	s.v6_frag_hdr = true; /* first fragment: the TCP header follows */
	s.more_frags = true;
	send_spec(&s, 1);
	cr_assert_eq(port_packets(6, "2001:db8::2", 443, NULL), 2);
	s.frag_offset = 100;
	send_spec(&s, 1);
	cr_assert_eq(stats().fragments, 1);
	cr_assert_eq(port_packets(6, "2001:db8::2", 443, NULL), 2);
}

/* Cuts the frame at every length short of complete: each cut is malformed, none a port. The
 * kernel's test runner refuses frames shorter than an Ethernet header, and for skbs also an
 * IP frame without a whole IP header; those cuts are checked in XDP only. */
static void truncations(const struct frame_spec *s)
{
	uint8_t buf[512];
	size_t len = frame_build(s, buf, sizeof(buf)), ran = 0;
	int fd = bpf_program__fd(use_tc ? skel->progs.census_tc : skel->progs.census_xdp);

	for (size_t cut = 14; cut < len; cut++) {
		LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = buf, .data_size_in = cut, .repeat = 1);

		if (bpf_prog_test_run_opts(fd, &o)) {
			cr_assert(use_tc && errno == EINVAL && cut < frame_l3_offset(s) + 40,
				  "test run of %zu bytes: %s", cut, strerror(errno));
			continue;
		}
		ran++;
	}
	cr_assert_geq(ran + frame_l3_offset(s) + 40, len);
	cr_assert_eq(stats().malformed, ran, "%zu cuts, %llu malformed", ran,
		     (unsigned long long)stats().malformed);
	cr_assert_eq(port_entries(), 0);
	cr_assert_eq(map_entries(skel->maps.census_icmp), 0);
}

BOTH(truncated_at_every_header_ipv4) { truncations(&tcp4); }

BOTH(truncated_at_every_header_ipv6_vlan)
{
	struct frame_spec s = tcp6;

	s.vlans = 2;
	s.v6_opt_hdrs = 1;
	truncations(&s);
}

BOTH(truncated_icmp_reply)
{
	struct frame_spec s = { .family = 4, .src = "198.18.0.2", .dst = "198.18.0.1", .proto = 1 };

	truncations(&s);
}

BOTH(inconsistent_headers_are_malformed)
{
	struct frame_spec s = tcp4;

	s.ihl_override = 4; /* IHL < 5 */
	send_spec(&s, 1);
	s = tcp4;
	s.tcp_doff = 4; /* data offset < 5 */
	send_spec(&s, 1);
	cr_assert_eq(stats().malformed, 2);
	cr_assert_eq(port_entries(), 0);
}

BOTH(tcp_header_longer_than_datagram_is_malformed)
{
	uint8_t buf[512];
	struct frame_spec s = tcp4;
	size_t len = frame_build(&s, buf, sizeof(buf));

	/* Claim 60 bytes of TCP header in a 20-byte TCP segment. */
	buf[frame_l3_offset(&s) + 20 + 12] = 15 << 4;
	run(buf, len, 1);
	cr_assert_eq(stats().malformed, 1);
	cr_assert_eq(port_entries(), 0);
}

BOTH(ip_total_length_past_frame_is_malformed)
{
	uint8_t buf[512];
	size_t len = frame_build(&tcp4, buf, sizeof(buf));

	buf[14 + 2] = 0x05; /* total length 1280+ while the frame holds 40 bytes of IP */
	run(buf, len, 1);
	cr_assert_eq(stats().malformed, 1);
}

BOTH(ethernet_padding_is_not_malformed)
{
	uint8_t buf[512];
	size_t len = frame_build(&tcp4, buf, sizeof(buf));

	memset(buf + len, 0, 6); /* 54 -> 60 bytes, the Ethernet minimum */
	run(buf, 60, 1);
	cr_assert_eq(stats().malformed, 0);
	cr_assert_eq(port_packets(4, "198.18.0.2", 22, NULL), 1);
}

BOTH(icmp_reply_counted_request_not)
{
	struct frame_spec s = { .family = 4, .src = "198.18.0.2", .dst = "198.18.0.1", .proto = 1,
				.icmp_type = 0, .payload = 56 };

	send_spec(&s, 3);
	s.icmp_type = 8; /* echo request */
	send_spec(&s, 5);
	s = (struct frame_spec){ .family = 6, .src = "2001:db8::3", .dst = "2001:db8::1", .proto = 58,
				 .icmp_type = 129, .payload = 56 };
	send_spec(&s, 2);
	s.icmp_type = 128;
	send_spec(&s, 7);
	cr_assert_eq(icmp_packets(4, "198.18.0.2"), 3);
	cr_assert_eq(icmp_packets(6, "2001:db8::3"), 2);
	cr_assert_eq(map_entries(skel->maps.census_icmp), 2);
	cr_assert_eq(port_entries(), 0);
}

BOTH(udp_is_not_counted)
{
	struct frame_spec s = tcp4;

	s.proto = 17;
	send_spec(&s, 3);
	cr_assert_eq(port_entries(), 0);
	cr_assert_eq(stats().malformed, 0);
}

BOTH(ports_at_and_above_the_ceiling)
{
	struct frame_spec s = tcp4;

	s.sport = 1000;
	send_spec(&s, 2);
	s.sport = 1001;
	send_spec(&s, 3);
	s.sport = 65535;
	send_spec(&s, 4);
	cr_assert_eq(port_packets(4, "198.18.0.2", 1000, NULL), 2);
	cr_assert_eq(port_packets(4, "198.18.0.2", 1001, NULL), 0);
	cr_assert_eq(port_packets(4, "198.18.0.2", CENSUS_PORT_ABOVE, NULL), 7);
	cr_assert_eq(port_entries(), 2);
}

BOTH(many_sources_each_own_key)
{
	char src[32];
	struct frame_spec s = tcp4;

	for (int i = 1; i <= 50; i++) {
		snprintf(src, sizeof(src), "198.18.1.%d", i);
		s.src = src;
		s.sport = i;
		send_spec(&s, i);
	}
	for (int i = 1; i <= 50; i++) {
		snprintf(src, sizeof(src), "198.18.1.%d", i);
		cr_assert_eq(port_packets(4, src, i, NULL), (uint64_t)i);
	}
	cr_assert_eq(port_entries(), 50);
	cr_assert_eq(stats().new_keys, 50);
}

/* Found by the differential test against tests/census_ref.c: ICMPv6 inside IPv4 and ICMP
 * inside IPv6 were counted as echo replies. Each family has its own ICMP. */
BOTH(icmp_of_the_other_family_is_not_a_reply)
{
	struct frame_spec s = { .family = 4, .src = "198.18.0.2", .dst = "198.18.0.1", .proto = 58,
				.icmp_type = 129, .payload = 8 };

	send_spec(&s, 2);
	s = (struct frame_spec){ .family = 6, .src = "2001:db8::2", .dst = "2001:db8::1", .proto = 1,
				 .icmp_type = 0, .payload = 8 };
	send_spec(&s, 3);
	cr_assert_eq(map_entries(skel->maps.census_icmp), 0);
	cr_assert_eq(stats().malformed, 0);
	cr_assert_eq(stats().new_icmp_keys, 0);
}

/* Found by the differential test: after exactly six extension headers (the most the census
 * walks) the TCP header was not read. A seventh extension header is not followed. */
BOTH(six_ipv6_extension_headers_then_tcp_count)
{
	struct frame_spec s = tcp6;

	s.v6_opt_hdrs = 6;
	send_spec(&s, 2);
	cr_assert_eq(port_packets(6, "2001:db8::2", 443, NULL), 2);
	s.v6_opt_hdrs = 7;
	send_spec(&s, 1);
	cr_assert_eq(port_packets(6, "2001:db8::2", 443, NULL), 2);
	cr_assert_eq(port_entries(), 1);
	cr_assert_eq(stats().malformed, 0);
	s = (struct frame_spec){ .family = 6, .src = "2001:db8::3", .dst = "2001:db8::1", .proto = 58,
				 .icmp_type = 129, .v6_opt_hdrs = 6 };
	send_spec(&s, 1);
	cr_assert_eq(icmp_packets(6, "2001:db8::3"), 1);
}
