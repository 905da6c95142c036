/* nmap-style port lists: ranges, merging, open-ended ranges and strict errors. */
#include <criterion/criterion.h>
#include <string.h>

#include "ports.h"

static void expect_ports(const char *spec, const uint16_t *want, size_t n)
{
	struct ports p;
	char why[128] = "";

	cr_assert_eq(ports_parse(spec, &p, why, sizeof(why)), 0, "%s: %s", spec, why);
	cr_assert_eq(p.n, n, "%s: %zu ports, want %zu", spec, p.n, n);
	for (size_t i = 0; i < n; i++)
		cr_assert_eq(p.v[i], want[i], "%s: [%zu] = %u, want %u", spec, i, p.v[i], want[i]);
	ports_free(&p);
}

static void expect_error(const char *spec, const char *want_why)
{
	struct ports p;
	char why[128] = "";

	cr_assert_eq(ports_parse(spec, &p, why, sizeof(why)), -1, "%s accepted", spec);
	cr_assert_str_eq(why, want_why);
	cr_assert_null(p.v);
	cr_assert_eq(p.n, 0);
}

Test(ports, single_and_list)
{
	expect_ports("22", (uint16_t[]){ 22 }, 1);
	expect_ports("21-23,80,443", (uint16_t[]){ 21, 22, 23, 80, 443 }, 5);
}

Test(ports, sorted_and_unique)
{
	expect_ports("443,80,22,21-23,22", (uint16_t[]){ 21, 22, 23, 80, 443 }, 5);
	expect_ports("5-5,5", (uint16_t[]){ 5 }, 1);
}

Test(ports, bounds_and_open_ranges)
{
	struct ports p;

	expect_ports("1,65535", (uint16_t[]){ 1, 65535 }, 2);
	expect_ports("-3", (uint16_t[]){ 1, 2, 3 }, 3);
	expect_ports("65533-", (uint16_t[]){ 65533, 65534, 65535 }, 3);
	cr_assert_eq(ports_parse("-", &p, NULL, 0), 0);
	cr_assert_eq(p.n, 65535);
	cr_assert_eq(p.v[0], 1);
	cr_assert_eq(p.v[65534], 65535);
	ports_free(&p);
}

Test(ports, errors_name_the_item)
{
	expect_error("0", "invalid port '0': must be 1 to 65535");
	expect_error("70000", "invalid port '70000': must be 1 to 65535");
	expect_error("80,99999999999999999999", "invalid port '99999999999999999999': must be 1 to 65535");
	expect_error("21,23-21", "invalid port range '23-21': start is after end");
	expect_error("2x", "invalid port '2x': not a number or range");
	expect_error("22,-1-3", "invalid port '-1-3': not a number or range");
	expect_error("+5", "invalid port '+5': not a number or range");
	expect_error(" 5", "invalid port ' 5': not a number or range");
	expect_error("21,,23", "invalid port list: empty item");
	expect_error("21,", "invalid port list: empty item");
	expect_error("", "invalid port list '': empty");
}

/* Found by fuzzing: the offending item was copied raw into the one-line message, so a newline
 * made two lines and a terminal escape went to the terminal. */
Test(ports, errors_escape_unprintable_bytes)
{
	expect_error("80\n,1", "invalid port '80\\x0a': not a number or range");
	expect_error("1,\x1b[2J", "invalid port '\\x1b[2J': not a number or range");
	expect_error("\xff-", "invalid port '\\xff-': not a number or range");
}
