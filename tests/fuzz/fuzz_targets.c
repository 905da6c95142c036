/* Fuzzes sweep's target parser and expander against a plain reading of the syntax (CIDR with
 * fping -g's network/broadcast rule, A-B ranges, single addresses, host names) and the
 * --max-targets cap. Only targets_parse and targets_append run: names are never resolved. */
#include <arpa/inet.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "targets.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef unsigned __int128 u128;

/* What the oracle says a TARGET is. */
struct want {
	int kind; /* TARGETS_BLOCK, TARGETS_NAME or -1 */
	u128 first;
	uint64_t count;
};

static void fail(const char *spec, uint64_t max, const char *what)
{
	fputs("fuzz_targets: '", stderr);
	for (const unsigned char *p = (const unsigned char *)spec; *p; p++)
		fprintf(stderr, *p >= 0x20 && *p < 0x7f ? "%c" : "\\x%02x", *p);
	fprintf(stderr, "' (max %llu): %s\n", (unsigned long long)max, what);
	abort();
}

/* An address as a 128-bit number; IPv4 (dotted quad or ::ffff:a.b.c.d) as its mapped form.
 * Returns 4, 6 or 0. */
static int addr_value(const char *s, size_t n, u128 *v)
{
	char buf[64];
	uint8_t b[16];

	if (n >= sizeof(buf))
		return 0;
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (inet_pton(AF_INET, buf, b) == 1) {
		*v = (u128)0xffff << 32 | (u128)b[0] << 24 | (u128)b[1] << 16 | (u128)b[2] << 8 | b[3];
		return 4;
	}
	if (inet_pton(AF_INET6, buf, b) != 1)
		return 0;
	*v = 0;
	for (int i = 0; i < 16; i++)
		*v = *v << 8 | b[i];
	return *v >> 32 == 0xffff ? 4 : 6;
}

/* Digits and dots only, or any colon: written as an address, not a host name. */
static bool numeric(const char *s, size_t n)
{
	return memchr(s, ':', n) || strspn(s, "0123456789.") >= n;
}

static void oracle(const char *spec, uint64_t max, struct want *w)
{
	size_t n = strlen(spec);
	const char *slash = strchr(spec, '/'), *dash = strchr(spec, '-');
	u128 z;
	int fam;

	w->kind = -1;
	if (n == 0)
		return;
	if (slash) {
		const char *p = slash + 1;
		size_t plen = strlen(p);
		int bits, host;
		uint64_t count;

		fam = addr_value(spec, (size_t)(slash - spec), &w->first);
		if (!fam || plen == 0 || plen > 3 || strspn(p, "0123456789") != plen)
			return;
		bits = fam == 4 ? 32 : 128;
		if (atoi(p) > bits)
			return;
		host = bits - atoi(p);
		if (host > 40) /* far above any max the driver uses */
			return;
		count = 1ULL << host;
		w->first &= ~(((u128)1 << host) - 1);
		if (fam == 4 && count >= 4) {
			w->first++;
			count -= 2;
		}
		if (count > max)
			return;
		w->count = count;
		w->kind = TARGETS_BLOCK;
		return;
	}
	if (dash && dash != spec && (size_t)(dash - spec) <= INET6_ADDRSTRLEN &&
	    numeric(spec, (size_t)(dash - spec))) {
		fam = addr_value(spec, (size_t)(dash - spec), &w->first);
		if (!fam || fam != addr_value(dash + 1, strlen(dash + 1), &z) || z < w->first ||
		    z - w->first + 1 > max)
			return;
		w->count = (uint64_t)(z - w->first) + 1;
		w->kind = TARGETS_BLOCK;
		return;
	}
	if (addr_value(spec, n, &w->first)) {
		w->count = 1;
		w->kind = max ? TARGETS_BLOCK : -1;
		return;
	}
	if (numeric(spec, n) || spec[0] == '-' || spec[0] == '.')
		return;
	w->kind = TARGETS_NAME;
}

static u128 value_of(const struct in6_addr *a)
{
	u128 v = 0;

	for (int i = 0; i < 16; i++)
		v = v << 8 | a->s6_addr[i];
	return v;
}

/* An error must be one non-empty, terminated message that fits the buffer. */
static void check_err(const char *spec, uint64_t max, const char *err, size_t errlen)
{
	size_t n = strnlen(err, errlen);

	/* The message quotes the spec: a newline in it may come back. */
	if (n == 0 || n == errlen || (!strchr(spec, '\n') && memchr(err, '\n', n)))
		fail(spec, max, "error message is empty, unterminated or not one line");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[256], *spec;
	struct targets_block b;
	struct targets t = { 0 };
	struct want w;
	uint64_t max;
	int kind;

	if (size < 2 || size > 512)
		return 0;
	/* Bytes 0-1: --max-targets, 0..65535 (small enough to expand every accepted block). */
	max = (uint64_t)data[0] << 8 | data[1];
	spec = strndup((const char *)data + 2, size - 2);
	oracle(spec, max, &w);
	memset(err, 'X', sizeof(err));
	err[0] = '\0';
	kind = targets_parse(spec, max, &b, err, sizeof(err));
	if (kind != w.kind) {
		char msg[128];

		snprintf(msg, sizeof(msg), "targets_parse says %d, the plain reading %d", kind, w.kind);
		fail(spec, max, msg);
	}
	if (kind < 0)
		check_err(spec, max, err, sizeof(err));
	if (kind == TARGETS_BLOCK) {
		if (b.count != w.count || value_of(&b.first) != w.first)
			fail(spec, max, "block has the wrong first address or count");
		if (targets_append(&t, &b, max, err, sizeof(err)))
			fail(spec, max, "a block within max was not appended");
		if (t.n != w.count || value_of(&t.addr[0]) != w.first ||
		    value_of(&t.addr[t.n - 1]) != w.first + w.count - 1)
			fail(spec, max, "expansion has the wrong count or first/last address");
		for (size_t i = 1; i < t.n; i++)
			if (value_of(&t.addr[i]) != value_of(&t.addr[i - 1]) + 1)
				fail(spec, max, "expansion is not consecutive");
		/* The cap counts the whole list: a second copy fits only within max. */
		memset(err, 'X', sizeof(err));
		err[0] = '\0';
		if (!targets_append(&t, &b, max, err, sizeof(err)) != (2 * w.count <= max))
			fail(spec, max, "second copy of the block broke or over-applied --max-targets");
		if (t.n != (2 * w.count <= max ? 2 * w.count : w.count))
			fail(spec, max, "failed append changed the list");
		if (t.n == w.count)
			check_err(spec, max, err, sizeof(err));
		if (targets_dedup(&t) || t.n != w.count)
			fail(spec, max, "dedup of two copies did not leave one");
		targets_free(&t);
	}
	free(spec);
	return 0;
}
