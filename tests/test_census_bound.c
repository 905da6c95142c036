/* Issue 9: a flood of 1,000,000 distinct sources through the census (BPF_PROG_TEST_RUN, one
 * crafted frame per source) leaves a bounded map in which every live key holds exactly its one
 * packet, and the evictions census_read reports are exactly the keys that are gone. */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <stdlib.h>
#include <string.h>

#include "census.h"
#include "census.skel.h"
#include "census_read.h"
#include "frames.h"

#define SOURCES 1000000u
#define MAX_ENTRIES 65536u
#define V4_ADDRS 131072u /* 198.18.0.0/15 */

static struct census_bpf *skel;

static void setup(void)
{
	skel = census_bpf__open();
	cr_assert_not_null(skel, "open census skeleton");
	skel->rodata->census_max_port = 1000;
	cr_assert_eq(bpf_map__set_max_entries(skel->maps.census_ports4, MAX_ENTRIES), 0);
	cr_assert_eq(bpf_map__set_max_entries(skel->maps.census_ports6, MAX_ENTRIES), 0);
	cr_assert_eq(census_bpf__load(skel), 0, "load census (needs root/CAP_BPF)");
}

static void teardown(void)
{
	census_bpf__destroy(skel);
}

/* Source i: IPv4 198.18.0.0 + i mod 2^17 with port 1 + i / 2^17 (at most 8, below the port
 * ceiling), or IPv6 2001:db8::i with port 22. Rewrites the frame in place. */
static void set_source(uint8_t *frame, size_t l3, int family, uint32_t i)
{
	uint32_t a;
	uint16_t port;

	if (family == 4) {
		a = htonl(0xc6120000u + i % V4_ADDRS);
		port = htons(1 + i / V4_ADDRS);
		memcpy(frame + l3 + 12, &a, 4); /* IPv4 source */
		memcpy(frame + l3 + 20, &port, 2); /* TCP source port */
	} else {
		a = htonl(i);
		memcpy(frame + l3 + 8 + 12, &a, 4); /* last 32 bits of the IPv6 source */
	}
}

/* Counts the keys of a map and checks each one's per-CPU values sum to exactly one packet,
 * without census_read. */
static size_t live_keys_with_one_packet(struct bpf_map *map, size_t key_size)
{
	int fd = bpf_map__fd(map), ncpu = libbpf_num_possible_cpus();
	struct census_count *v = calloc(ncpu, sizeof(*v));
	uint8_t key[sizeof(struct census_port6_key)], next[sizeof(key)];
	void *prev = NULL;
	size_t n = 0;

	cr_assert_not_null(v);
	cr_assert_leq(key_size, sizeof(key));
	while (!bpf_map_get_next_key(fd, prev, next)) {
		uint64_t packets = 0;

		memcpy(key, next, key_size);
		prev = key;
		cr_assert_eq(bpf_map_lookup_elem(fd, key, v), 0, "lookup of a key the walk returned");
		for (int c = 0; c < ncpu; c++)
			packets += v[c].packets;
		cr_assert_eq(packets, 1, "key %zu holds %llu packets", n, (unsigned long long)packets);
		n++;
	}
	free(v);
	return n;
}

static void flood(int family)
{
	struct frame_spec spec = { .family = family, .proto = 6, .sport = 22, .dport = 80,
				   .src = family == 4 ? "198.18.0.0" : "2001:db8::",
				   .dst = family == 4 ? "198.18.0.1" : "2001:db8::1" };
	uint8_t frame[256];
	size_t len = frame_build(&spec, frame, sizeof(frame)), l3 = frame_l3_offset(&spec);
	int prog = bpf_program__fd(skel->progs.census_xdp);
	struct bpf_map *used = family == 4 ? skel->maps.census_ports4 : skel->maps.census_ports6;
	struct bpf_map *other = family == 4 ? skel->maps.census_ports6 : skel->maps.census_ports4;
	struct census_fds fds = { bpf_map__fd(skel->maps.census_ports4),
				  bpf_map__fd(skel->maps.census_ports6),
				  bpf_map__fd(skel->maps.census_icmp),
				  bpf_map__fd(skel->maps.census_stats) };
	struct census_snapshot s;
	size_t live;

	cr_assert_gt(len, 0);
	for (uint32_t i = 0; i < SOURCES; i++) {
		LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = frame, .data_size_in = len, .repeat = 1);

		set_source(frame, l3, family, i);
		cr_assert_eq(bpf_prog_test_run_opts(prog, &o), 0, "test run %u", i);
		cr_assert_eq(o.retval, XDP_PASS);
	}
	live = live_keys_with_one_packet(used, family == 4 ? sizeof(struct census_port4_key) :
							     sizeof(struct census_port6_key));
	cr_assert_leq(live, MAX_ENTRIES);
	cr_assert_gt(live, 0);
	cr_assert_eq(live_keys_with_one_packet(other, family == 4 ? sizeof(struct census_port6_key) :
								    sizeof(struct census_port4_key)), 0);
	/* What watch reports, read the way watch reads it. */
	cr_assert_eq(census_snapshot_read(&fds, &s), 0);
	cr_assert_eq(s.nport_rows, live);
	cr_assert_eq(s.stats.new_keys, SOURCES);
	cr_assert_eq(census_evicted(&s), SOURCES - live, "evicted %llu, live %zu",
		     (unsigned long long)census_evicted(&s), live);
	cr_assert_eq(s.stats.insert_failed, 0);
	cr_assert_eq(s.stats.malformed, 0);
	census_snapshot_free(&s);
}

Test(census_bound, ipv4_million_sources_bounded_and_exact, .init = setup, .fini = teardown,
     .timeout = 120)
{
	flood(4);
}

Test(census_bound, ipv6_million_sources_bounded_and_exact, .init = setup, .fini = teardown,
     .timeout = 120)
{
	flood(6);
}
