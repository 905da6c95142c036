/* Fuzzes the strict number parsers of the command line: bytes 0-15 give min and max, the rest
 * is the argument. cli_parse_u64 must accept exactly the strings of ASCII digits whose value
 * fits in [min, max]; cli_parse_double must never accept leading blanks, a non-finite value or
 * one outside [min, max]. (Their messages go to stderr: cli.options closes it.) The argument,
 * escaped by cli_escape as every error line does, must hold no control byte (C0, DEL, C1 in
 * UTF-8) and decode back to the argument. */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fail(const char *s, const char *what)
{
	fprintf(stdout, "fuzz_cli: '");
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		fprintf(stdout, *p >= 0x20 && *p < 0x7f ? "%c" : "\\x%02x", *p);
	fprintf(stdout, "': %s\n", what);
	fflush(stdout);
	abort();
}

/* The plain reading: 1+ ASCII digits, no overflow, within [min, max]. */
static bool u64_oracle(const char *s, uint64_t min, uint64_t max, uint64_t *v)
{
	*v = 0;
	if (!*s)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
		if (*v > (UINT64_MAX - (uint64_t)(*s - '0')) / 10)
			return false;
		*v = *v * 10 + (uint64_t)(*s - '0');
	}
	return *v >= min && *v <= max;
}

/* Undoes cli_escape's \\ \n \t \r \xHH; returns false on any other backslash form. */
static bool unescape(const char *e, char *out)
{
	static const char hex[] = "0123456789abcdef";

	for (; *e; e++) {
		if (*e != '\\') {
			*out++ = *e;
			continue;
		}
		e++;
		if (*e == '\\' || *e == 'n' || *e == 't' || *e == 'r') {
			*out++ = *e == 'n' ? '\n' : *e == 't' ? '\t' : *e == 'r' ? '\r' : '\\';
		} else if (*e == 'x' && e[1] && e[2] && strchr(hex, e[1]) && strchr(hex, e[2])) {
			*out++ = (char)((strchr(hex, e[1]) - hex) * 16 + (strchr(hex, e[2]) - hex));
			e += 2;
		} else {
			return false;
		}
	}
	*out = '\0';
	return true;
}

static void escape_oracle(const char *s)
{
	size_t len = strlen(s), need;
	char *e = malloc(4 * len + 1), *back = malloc(len + 1);

	need = cli_escape(e, 4 * len + 1, s);
	if (need != strlen(e) || need > 4 * len)
		fail(s, "cli_escape length");
	for (const unsigned char *p = (const unsigned char *)e; *p; p++)
		if (*p < 0x20 || *p == 0x7f || (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f))
			fail(s, "cli_escape left a control byte");
	if (!unescape(e, back) || strcmp(back, s))
		fail(s, "cli_escape does not decode back");
	free(e);
	free(back);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint64_t min, max, got = 0, want;
	double dmin, dmax, dgot = 0;
	char *s;
	int rc;

	if (size < 16 || size > 512)
		return 0;
	memcpy(&min, data, 8);
	memcpy(&max, data + 8, 8);
	s = malloc(size - 15);
	memcpy(s, data + 16, size - 16);
	s[size - 16] = '\0';

	rc = cli_parse_u64("fuzz", "--n", s, min, max, &got);
	if ((rc == 0) != u64_oracle(s, min, max, &want))
		fail(s, rc == 0 ? "u64 accepted, but it is not a number in range" : "u64 rejected a number in range");
	if (rc == 0 && got != want)
		fail(s, "u64 value differs");

	/* Bounds for the double parser: small integers from the same bytes. */
	dmin = -(double)(min % 100000);
	dmax = (double)(max % 100000);
	rc = cli_parse_double("fuzz", "--d", s, dmin, dmax, &dgot);
	if (rc == 0 && (!isfinite(dgot) || dgot < dmin || dgot > dmax))
		fail(s, "double accepted a value out of range");
	if (rc == 0 && (s[0] == ' ' || (s[0] >= '\t' && s[0] <= '\r')))
		fail(s, "double accepted leading blanks");
	escape_oracle(s);
	free(s);
	return 0;
}
