/* Strict number parsing of command-line values. */
#include <criterion/criterion.h>
#include <stdint.h>

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
