/* Strict number parsing of command-line values. */
#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

Test(cli, u64_accepts_plain_digits_in_range)
{
	uint64_t v = 0;

	cr_assert_eq(cli_parse_u64("t", "--n", "42", 1, 100, &v), 0);
	cr_assert_eq(v, 42);
	cr_assert_eq(cli_parse_u64("t", "--n", "18446744073709551615", 0, UINT64_MAX, &v), 0);
	cr_assert_eq(v, UINT64_MAX);
	cr_assert_eq(cli_parse_u64("t", "--n", "18446744073709551616", 0, UINT64_MAX, &v), -1);
	cr_assert_eq(cli_parse_u64("t", "--n", "101", 1, 100, &v), -1);
	cr_assert_eq(cli_parse_u64("t", "--n", "-1", 0, UINT64_MAX, &v), -1);
	cr_assert_eq(cli_parse_u64("t", "--n", "5x", 0, 100, &v), -1);
}

/* Found by fuzzing: strtoull and strtod skip leading tabs and newlines, which only a space
 * check had kept out of the integer parser and nothing out of the double parser. */
Test(cli, leading_blanks_are_not_numbers)
{
	uint64_t v = 0;
	double d = 0;

	cr_assert_eq(cli_parse_u64("t", "--n", "\t5", 0, 100, &v), -1);
	cr_assert_eq(cli_parse_u64("t", "--n", "\n5", 0, 100, &v), -1);
	cr_assert_eq(cli_parse_double("t", "--d", "\n7", 0, 100, &d), -1);
	cr_assert_eq(cli_parse_double("t", "--d", " 7", 0, 100, &d), -1);
	cr_assert_eq(cli_parse_double("t", "--d", "0.25", 0, 100, &d), 0);
	cr_assert_float_eq(d, 0.25, 1e-12);
}

/* Escaping, byte by byte: what each kind of byte must become (as `ls -b` shows names). */
static void escapes_to(const char *in, const char *want)
{
	char out[256];

	cr_assert_eq(cli_escape(out, sizeof(out), in), strlen(want), "length for '%s'", want);
	cr_assert_str_eq(out, want);
}

Test(cli, escape_printable_ascii_unchanged)
{
	escapes_to("198.18.0.1 'x' \"y\" ~!@#$%^&*()", "198.18.0.1 'x' \"y\" ~!@#$%^&*()");
	escapes_to("", "");
}

Test(cli, escape_controls_and_backslash)
{
	escapes_to("a\nb", "a\\nb");
	escapes_to("a\tb\rc", "a\\tb\\rc");
	escapes_to("back\\slash", "back\\\\slash");
	escapes_to("\x1b[31mred", "\\x1b[31mred");
	escapes_to("\x01\x1f\x7f", "\\x01\\x1f\\x7f");
	escapes_to("\a\b\v\f", "\\x07\\x08\\x0b\\x0c");
}

/* Well-formed printable UTF-8 stays; malformed bytes, C1 controls, line separators and
 * bidirectional overrides are escaped one byte at a time. */
Test(cli, escape_utf8)
{
	escapes_to("caf\xc3\xa9 \xe6\x97\xa5 \xf0\x9f\x98\x80", "caf\xc3\xa9 \xe6\x97\xa5 \xf0\x9f\x98\x80");
	escapes_to("\xff\xfe", "\\xff\\xfe");
	escapes_to("\xc3", "\\xc3");                 /* truncated */
	escapes_to("\xc0\xaf", "\\xc0\\xaf");        /* overlong '/' */
	escapes_to("\xed\xa0\x80", "\\xed\\xa0\\x80"); /* surrogate U+D800 */
	escapes_to("\xc2\x9b" "2J", "\\xc2\\x9b2J"); /* U+009B, the C1 CSI */
	escapes_to("\xc2\xa0", "\xc2\xa0");           /* U+00A0, the first printable past C1 */
	escapes_to("a\xe2\x80\xa8z", "a\\xe2\\x80\\xa8z"); /* U+2028 line separator */
	escapes_to("\xe2\x80\xae" "abc", "\\xe2\\x80\\xaeabc"); /* U+202E right-to-left override */
	escapes_to("\xe2\x81\xa6x", "\\xe2\\x81\\xa6x");     /* U+2066 left-to-right isolate */
}

Test(cli, escape_truncates_like_snprintf)
{
	char out[6];

	cr_assert_eq(cli_escape(out, sizeof(out), "ab\ncd"), 6);
	cr_assert_str_eq(out, "ab\\nc");
	cr_assert_eq(cli_escape(out, 1, "abc"), 3);
	cr_assert_str_eq(out, "");
}

/* The whole line as a user sees it: one line, the value escaped, the rest as written. */
Test(cli, err_line_escapes_the_value, .init = cr_redirect_stderr)
{
	cli_err("ping", "unknown host '%s': %s", "198.18.0.1\n\x1b]0;title\x07", "not known");
	fflush(stderr);
	cr_assert_stderr_eq_str("xdpscope: ping: unknown host '198.18.0.1\\n\\x1b]0;title\\x07': "
				"not known\n");
}

Test(cli, parse_error_escapes_the_value, .init = cr_redirect_stderr)
{
	uint64_t v;

	cr_assert_eq(cli_parse_u64("ping", "-c", "3\n", 1, 100, &v), -1);
	fflush(stderr);
	cr_assert_stderr_eq_str("xdpscope: ping: invalid -c value '3\\n': not a number\n");
}

Test(cli, ifindex_error_escapes_the_name, .init = cr_redirect_stderr)
{
	cr_assert_eq(cli_ifindex("watch", "eth0\r"), 0);
	fflush(stderr);
	cr_assert_stderr_eq_str("xdpscope: watch: no such interface 'eth0\\r'\n");
}

/* A value longer than the message buffer: cut at 4095 bytes, marked, still one line. */
Test(cli, err_line_long_value_cut, .init = cr_redirect_stderr)
{
	static char big[5000], want[16 + 2 * 4095 + 8];
	size_t at;

	memset(big, '\n', sizeof(big) - 1);
	cli_err("t", "%s", big);
	fflush(stderr);
	at = (size_t)sprintf(want, "xdpscope: t: ");
	for (int i = 0; i < 4095; i++, at += 2)
		memcpy(want + at, "\\n", 2);
	strcpy(want + at, "...\n");
	cr_assert_stderr_eq_str(want);
}
