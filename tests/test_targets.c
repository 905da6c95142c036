/* Target parsing and expansion: known answers from fping -g semantics and address arithmetic. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "targets.h"

static char err[256];

/* Expands specs (NULL-terminated) and returns the list as "a b c". */
static char *expand(const char *const *specs, uint64_t max, int *rc)
{
	struct targets t = { 0 };
	char *out = calloc(1, 1 << 16), buf[64];

	*rc = 0;
	for (; *specs; specs++)
		if (targets_add(&t, *specs, max, err, sizeof(err))) {
			*rc = -1;
			break;
		}
	if (!*rc)
		*rc = targets_dedup(&t);
	for (size_t i = 0; i < t.n && strlen(out) < 60000; i++) {
		if (i)
			strcat(out, " ");
		strcat(out, targets_str(&t.addr[i], buf, sizeof(buf)));
	}
	targets_free(&t);
	return out;
}

static void check(const char *spec, const char *want)
{
	const char *specs[] = { spec, NULL };
	int rc;
	char *got = expand(specs, TARGETS_DEFAULT_MAX, &rc);

	cr_assert_eq(rc, 0, "%s: %s", spec, err);
	cr_assert_str_eq(got, want, "%s", spec);
	free(got);
}

static void check_err(const char *spec, uint64_t max, const char *want_in_err)
{
	struct targets_block b;

	cr_assert_eq(targets_parse(spec, max, &b, err, sizeof(err)), -1, "%s accepted", spec);
	cr_assert(strstr(err, want_in_err), "%s: error '%s' lacks '%s'", spec, err, want_in_err);
	cr_assert(strstr(err, spec), "%s: error '%s' does not name the value", spec, err);
}

Test(targets, prefix_sizes_as_fping)
{
	check("192.0.2.0/30", "192.0.2.1 192.0.2.2");
	check("192.0.2.6/31", "192.0.2.6 192.0.2.7");
	check("192.0.2.9/32", "192.0.2.9");
	check("192.0.2.5/29", "192.0.2.1 192.0.2.2 192.0.2.3 192.0.2.4 192.0.2.5 192.0.2.6");
	check("10.255.255.255/30", "10.255.255.253 10.255.255.254");
}

Test(targets, prefix_counts)
{
	struct targets_block b;

	cr_assert_eq(targets_parse("198.18.64.0/20", 1 << 20, &b, err, sizeof(err)), 0);
	cr_assert_eq(b.count, 4094);
	cr_assert_eq(targets_parse("10.0.0.0/8", 1 << 24, &b, err, sizeof(err)), 0);
	cr_assert_eq(b.count, (1 << 24) - 2);
	cr_assert_eq(targets_parse("2001:db8::/112", 1 << 20, &b, err, sizeof(err)), 0);
	cr_assert_eq(b.count, 65536);
	cr_assert_eq(targets_parse("0.0.0.0/0", 1ULL << 32, &b, err, sizeof(err)), 0);
	cr_assert_eq(b.count, (1ULL << 32) - 2);
}

Test(targets, ipv6)
{
	check("2001:db8::/126", "2001:db8:: 2001:db8::1 2001:db8::2 2001:db8::3");
	check("2001:db8::7/127", "2001:db8::6 2001:db8::7");
	check("2001:db8::ffff-2001:db8::1:1", "2001:db8::ffff 2001:db8::1:0 2001:db8::1:1");
	check("2001:db8::1", "2001:db8::1");
	check("::ffff:192.0.2.1", "192.0.2.1");
}

Test(targets, ranges_and_addresses)
{
	check("192.0.2.254-192.0.3.1", "192.0.2.254 192.0.2.255 192.0.3.0 192.0.3.1");
	check("192.0.2.7-192.0.2.7", "192.0.2.7");
	check("198.18.0.1", "198.18.0.1");
	check("localhost", "127.0.0.1");
}

Test(targets, duplicates_keep_first_order)
{
	const char *specs[] = { "192.0.2.2", "192.0.2.0/30", "192.0.2.9", "192.0.2.1", NULL };
	int rc;
	char *got = expand(specs, 100, &rc);

	cr_assert_eq(rc, 0);
	cr_assert_str_eq(got, "192.0.2.2 192.0.2.1 192.0.2.9");
	free(got);
}

/* An increasing list skips the sort: its last element may still repeat an earlier one. */
Test(targets, duplicate_after_an_increasing_run)
{
	const char *specs[] = { "192.0.2.1-192.0.2.3", "192.0.2.1", NULL };
	const char *inc[] = { "192.0.2.1", "192.0.2.3-192.0.2.4", "2001:db8::1", NULL };
	int rc;
	char *got = expand(specs, 100, &rc);

	cr_assert_eq(rc, 0);
	cr_assert_str_eq(got, "192.0.2.1 192.0.2.2 192.0.2.3");
	free(got);
	got = expand(inc, 100, &rc);
	cr_assert_eq(rc, 0);
	cr_assert_str_eq(got, "192.0.2.1 192.0.2.3 192.0.2.4 2001:db8::1");
	free(got);
}

Test(targets, malformed)
{
	check_err("10.0.300.0/24", 1 << 20, "bad address '10.0.300.0'");
	check_err("10.0.0.0/33", 1 << 20, "prefix length '33' must be 0 to 32");
	check_err("2001:db8::/129", 1 << 20, "must be 0 to 128");
	check_err("10.0.0.0/", 1 << 20, "prefix length");
	check_err("10.0.0.0/2x", 1 << 20, "prefix length");
	check_err("10.0.0.0/-1", 1 << 20, "prefix length");
	check_err("/24", 1 << 20, "bad address");
	check_err("10.0.0.9-10.0.0.1", 1 << 20, "empty range");
	check_err("10.0.0.1-", 1 << 20, "empty range end");
	check_err("10.0.0.1-2001:db8::1", 1 << 20, "mixes");
	check_err("10.0.0.1-10.0.0.300", 1 << 20, "bad range end");
	check_err("10.0.300.1", 1 << 20, "bad address");
	check_err("10.1", 1 << 20, "bad address");
	check_err("2001:db8:::1", 1 << 20, "bad address");
	check_err("", 1 << 20, "empty");
}

Test(targets, max_targets)
{
	struct targets t = { 0 };

	check_err("10.0.0.0/8", 1 << 20, "more than --max-targets 1048576");
	check_err("2001:db8::/64", 1 << 20, "more than --max-targets");
	check_err("10.0.0.0-10.0.0.4", 4, "5 addresses");
	/* A /29 has 6 hosts: fits 6, not 5. */
	check_err("10.0.0.0/29", 5, "more than --max-targets 5");
	cr_assert_eq(targets_add(&t, "10.0.0.0/29", 6, err, sizeof(err)), 0, "%s", err);
	/* The cap is on the whole list, not just one target. */
	cr_assert_eq(targets_add(&t, "10.0.1.1", 6, err, sizeof(err)), -1);
	cr_assert(strstr(err, "--max-targets 6"), "%s", err);
	targets_free(&t);
}

Test(targets, names)
{
	struct targets_block b;

	cr_assert_eq(targets_parse("db-1.example", 10, &b, err, sizeof(err)), TARGETS_NAME);
	cr_assert_eq(targets_parse("gateway", 10, &b, err, sizeof(err)), TARGETS_NAME);
	struct targets t = { 0 };
	cr_assert_eq(targets_add(&t, "no-such-host.invalid", 10, err, sizeof(err)), -1);
	cr_assert(strstr(err, "unknown host 'no-such-host.invalid'"), "%s", err);
	targets_free(&t);
}
