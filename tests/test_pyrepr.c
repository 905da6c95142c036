/* Python bytes repr: expected strings are what python3 -c 'print(repr(b"..."))' prints. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "pyrepr.h"

static void check(const void *data, size_t len, const char *want)
{
	char *out = malloc(pyrepr_size(len));
	size_t n;

	cr_assert_not_null(out);
	n = pyrepr_bytes(data, len, out);
	cr_expect_str_eq(out, want);
	cr_expect_eq(n, strlen(want));
	cr_expect_lt(n, pyrepr_size(len));
	free(out);
}

#define CHECK(lit, want) check(lit, sizeof(lit) - 1, want)

Test(pyrepr, plain_text)
{
	CHECK("Test message: SDN course examples", "b'Test message: SDN course examples'");
	CHECK(" ~", "b' ~'");
}

Test(pyrepr, empty)
{
	CHECK("", "b''");
}

Test(pyrepr, quote_switching)
{
	CHECK("it's", "b\"it's\"");
	CHECK("say \"hi\"", "b'say \"hi\"'");
	CHECK("both ' and \"", "b'both \\' and \"'");
}

Test(pyrepr, backslash_and_whitespace)
{
	CHECK("back\\slash", "b'back\\\\slash'");
	CHECK("\t\n\r", "b'\\t\\n\\r'");
}

Test(pyrepr, hex_escapes)
{
	CHECK("\x00\x01\x1f\x7f\x80\xff", "b'\\x00\\x01\\x1f\\x7f\\x80\\xff'");
	CHECK("\xe2\x82\xac", "b'\\xe2\\x82\\xac'");
}

Test(pyrepr, worst_case_fits)
{
	unsigned char all[256];
	char want[4 + 256 * 4] = "b'";
	size_t w = 2;

	/* Only the 256-byte run of 0xff is checked here: every byte is a 4-char escape. */
	memset(all, 0xff, sizeof(all));
	for (int i = 0; i < 256; i++) {
		memcpy(want + w, "\\xff", 4);
		w += 4;
	}
	strcpy(want + w, "'");
	check(all, sizeof(all), want);
}
