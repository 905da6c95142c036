/* Fuzzes the nmap port list parser against a second, plain reading of the syntax: the input is
 * the list; both must agree on accept/reject and on the exact set of ports, the list must come
 * back sorted and duplicate-free, and an error message must be one bounded, non-empty line. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ports.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Reports a failure with the list written as printable text, then aborts. */
static void fail(const char *spec, const char *what)
{
	fputs("fuzz_ports: '", stderr);
	for (const unsigned char *p = (const unsigned char *)spec; *p; p++)
		fprintf(stderr, *p >= 0x20 && *p < 0x7f ? "%c" : "\\x%02x", *p);
	fprintf(stderr, "': %s\n", what);
	abort();
}

/* An error message must be one line of printable ASCII. */
static bool printable(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] >= 0x7f)
			return false;
	return true;
}

/* A decimal port 1..65535 in s[0..n): -1 otherwise. */
static long oracle_port(const char *s, size_t n)
{
	long v = 0;

	if (n == 0 || n > 5)
		return n > 5 && strspn(s, "0") >= n - 5 ? oracle_port(s + n - 5, 5) : -1;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v >= 1 && v <= 65535 ? v : -1;
}

/* Items separated by commas: "N", "A-B", "-B", "A-", "-"; A <= B. Returns false on error. */
static bool oracle(const char *spec, bool *set)
{
	const char *p = spec;

	if (!*spec)
		return false;
	for (;;) {
		size_t n = strcspn(p, ",");
		const char *dash = memchr(p, '-', n);
		long lo, hi;

		if (n == 0)
			return false;
		if (!dash) {
			lo = hi = oracle_port(p, n);
		} else {
			size_t a = (size_t)(dash - p), b = n - a - 1;

			lo = a ? oracle_port(p, a) : 1;
			hi = b ? oracle_port(dash + 1, b) : 65535;
		}
		if (lo < 0 || hi < 0 || lo > hi)
			return false;
		for (long v = lo; v <= hi; v++)
			set[v] = true;
		if (!p[n])
			return true;
		p += n + 1;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool set[65536];
	char why[128], *spec;
	struct ports out;
	size_t whylen;
	bool ok;
	int rc;

	if (size < 1 || size > 4096)
		return 0;
	/* First byte: the size of the message buffer, to exercise truncation of messages. */
	whylen = data[0] % sizeof(why);
	spec = malloc(size);
	memcpy(spec, data + 1, size - 1);
	spec[size - 1] = '\0';
	memset(set, 0, sizeof(set));
	memset(why, 'X', sizeof(why));
	if (whylen)
		why[0] = '\0';
	ok = oracle(spec, set);
	rc = ports_parse(spec, &out, whylen ? why : NULL, whylen);
	if (rc != (ok ? 0 : -1))
		fail(spec, ok ? "rejected, but the list is valid" : "accepted, but the list is invalid");
	if (rc == 0) {
		size_t k = 0;

		for (long v = 1; v <= 65535; v++) {
			if (!set[v])
				continue;
			if (k >= out.n || out.v[k] != v)
				fail(spec, "a port is missing or out of order");
			k++;
		}
		if (k != out.n)
			fail(spec, "more ports than the list names");
		ports_free(&out);
	} else {
		if (out.v || out.n)
			fail(spec, "error left a list behind");
		if (whylen) {
			size_t n = strnlen(why, whylen);

			if (n == whylen || (whylen > 1 && n == 0) || !printable(why, n) ||
			    (whylen < sizeof(why) && why[whylen] != 'X'))
				fail(spec, "message is empty, unterminated, not one printable line, or overflows");
		}
	}
	free(spec);
	return 0;
}
