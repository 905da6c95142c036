/* Grouping of raw (source, port) rows into sources: totals, ordering, the above-ceiling row,
 * repeated keys from a restarted map walk, and rates. */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "census_read.h"

static struct census_port_key key4(const char *a, uint32_t port)
{
	struct census_port_key k = { .src.family = CENSUS_INET, .port = port };

	inet_pton(AF_INET, a, k.src.addr);
	return k;
}

struct raw {
	const char *addr;
	uint32_t port;
	uint64_t packets, bytes;
};

static void build(struct census_snapshot *s, const struct raw *r, size_t n)
{
	struct census_port_key *keys = calloc(n + 1, sizeof(*keys));
	struct census_count *counts = calloc(n + 1, sizeof(*counts));

	for (size_t i = 0; i < n; i++) {
		keys[i] = key4(r[i].addr, r[i].port);
		counts[i] = (struct census_count){ r[i].packets, r[i].bytes };
	}
	memset(s, 0, sizeof(*s));
	cr_assert_eq(census_snapshot_build(s, keys, counts, n), 0);
}

Test(census_read, groups_ports_by_source_busiest_first)
{
	static const struct raw r[] = {
		{ "198.18.0.3", 80, 1, 60 },
		{ "198.18.0.2", CENSUS_PORT_ABOVE, 4, 240 },
		{ "198.18.0.2", 22, 2, 120 },
		{ "198.18.0.2", 21, 3, 180 },
	};
	struct census_snapshot s;
	char buf[64];

	build(&s, r, 4);
	cr_assert_eq(s.nsources, 2);
	cr_assert_str_eq(census_addr_str(&s.sources[0].addr, buf), "198.18.0.2");
	cr_assert_eq(s.sources[0].packets, 9);
	cr_assert_eq(s.sources[0].bytes, 540);
	cr_assert_eq(s.sources[0].nports, 3);
	cr_assert_eq(s.sources[0].ports[0].port, 21);
	cr_assert_eq(s.sources[0].ports[1].port, 22);
	cr_assert_eq(s.sources[0].ports[2].port, CENSUS_PORT_ABOVE);
	cr_assert_str_eq(census_addr_str(&s.sources[1].addr, buf), "198.18.0.3");
	cr_assert_eq(s.sources[1].packets, 1);
	census_snapshot_free(&s);
}

Test(census_read, repeated_keys_count_once)
{
	static const struct raw r[] = {
		{ "198.18.0.2", 22, 5, 300 },
		{ "198.18.0.2", 22, 5, 300 },
		{ "198.18.0.2", 23, 1, 60 },
	};
	struct census_snapshot s;

	build(&s, r, 3);
	cr_assert_eq(s.nsources, 1);
	cr_assert_eq(s.sources[0].packets, 6);
	cr_assert_eq(s.sources[0].nports, 2);
	cr_assert_eq(s.nport_rows, 2);
	census_snapshot_free(&s);
}

Test(census_read, empty_snapshot)
{
	struct census_snapshot s;

	build(&s, NULL, 0);
	cr_assert_eq(s.nsources, 0);
	cr_assert_eq(census_evicted(&s), 0);
	census_snapshot_free(&s);
}

Test(census_read, evicted_is_inserts_minus_live_keys)
{
	static const struct raw r[] = { { "198.18.0.2", 22, 1, 60 }, { "198.18.0.4", 22, 1, 60 } };
	struct census_snapshot s;

	build(&s, r, 2);
	s.stats.new_keys = 7;
	cr_assert_eq(census_evicted(&s), 5);
	census_snapshot_free(&s);
}

Test(census_read, rates_against_previous_snapshot)
{
	static const struct raw before[] = { { "198.18.0.2", 22, 10, 600 } };
	static const struct raw after[] = { { "198.18.0.2", 22, 30, 1800 }, { "198.18.0.9", 1, 4, 9 } };
	struct census_snapshot a, b;

	build(&a, before, 1);
	build(&b, after, 2);
	census_snapshot_rates(&b, &a, 2.0);
	cr_assert_float_eq(b.sources[0].pps, 10.0, 1e-9); /* (30 - 10) / 2 s */
	cr_assert_float_eq(b.sources[1].pps, 2.0, 1e-9);  /* new source: 4 / 2 s */
	census_snapshot_free(&a);
	census_snapshot_free(&b);
}
