/* Sweep targets: CIDR, A-B ranges, addresses and host names expanded to an address list. */
#include "targets.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

typedef unsigned __int128 u128;

static u128 to_u128(const struct in6_addr *a)
{
	u128 v = 0;

	for (int i = 0; i < 16; i++)
		v = (v << 8) | a->s6_addr[i];
	return v;
}

static struct in6_addr from_u128(u128 v)
{
	struct in6_addr a;

	for (int i = 15; i >= 0; i--) {
		a.s6_addr[i] = (uint8_t)v;
		v >>= 8;
	}
	return a;
}

bool targets_is_v4(const struct in6_addr *a)
{
	return IN6_IS_ADDR_V4MAPPED(a);
}

const char *targets_str(const struct in6_addr *a, char *buf, size_t len)
{
	if (targets_is_v4(a))
		return inet_ntop(AF_INET, &a->s6_addr[12], buf, len);
	return inet_ntop(AF_INET6, a, buf, len);
}

/* Strict dotted quad or IPv6 text; IPv4 goes in mapped form. Returns 4, 6 or 0. */
static int parse_addr(const char *s, struct in6_addr *a)
{
	struct in_addr v4;

	if (inet_pton(AF_INET, s, &v4) == 1) {
		memset(a, 0, sizeof(*a));
		a->s6_addr[10] = a->s6_addr[11] = 0xff;
		memcpy(&a->s6_addr[12], &v4, 4);
		return 4;
	}
	if (inet_pton(AF_INET6, s, a) == 1)
		return IN6_IS_ADDR_V4MAPPED(a) ? 4 : 6;
	return 0;
}

/* Text meant as an address rather than a host name: digits and dots only, or a colon. */
static bool looks_numeric(const char *s)
{
	return strchr(s, ':') || strspn(s, "0123456789.") == strlen(s);
}

static int fail(char *err, size_t errlen, const char *spec, const char *why)
{
	snprintf(err, errlen, "invalid target '%s': %s", spec, why);
	return -1;
}

static int too_many(char *err, size_t errlen, const char *spec, const char *count, uint64_t max)
{
	snprintf(err, errlen, "target '%s' expands to %s addresses, more than --max-targets %llu",
		 spec, count, (unsigned long long)max);
	return -1;
}

static int parse_cidr(const char *spec, const char *slash, uint64_t max, struct targets_block *b,
		      char *err, size_t errlen)
{
	char addr[INET6_ADDRSTRLEN + 1], msg[128];
	size_t alen = slash - spec;
	const char *p = slash + 1;
	unsigned long len = 0;
	int fam, bits, host;
	u128 v, mask;

	if (alen == 0 || alen >= sizeof(addr))
		return fail(err, errlen, spec, "bad address before '/'");
	memcpy(addr, spec, alen);
	addr[alen] = 0;
	fam = parse_addr(addr, &b->first);
	if (!fam) {
		snprintf(msg, sizeof(msg), "bad address '%s'", addr);
		return fail(err, errlen, spec, msg);
	}
	bits = fam == 4 ? 32 : 128;
	if (!*p || strspn(p, "0123456789") != strlen(p) || strlen(p) > 3 ||
	    (len = strtoul(p, NULL, 10)) > (unsigned long)bits) {
		snprintf(msg, sizeof(msg), "prefix length '%s' must be 0 to %d", p, bits);
		return fail(err, errlen, spec, msg);
	}
	host = bits - (int)len;
	if (host >= 63 || (1ULL << host) > max + (fam == 4 && host >= 2 ? 2 : 0)) {
		snprintf(msg, sizeof(msg), "2^%d", host);
		return too_many(err, errlen, spec, msg, max);
	}
	v = to_u128(&b->first);
	mask = host ? ((u128)1 << host) - 1 : 0;
	v &= ~mask;
	b->count = 1ULL << host;
	if (fam == 4 && host >= 2) {
		/* fping -g: no network or broadcast address below /31. */
		v += 1;
		b->count -= 2;
	}
	b->first = from_u128(v);
	return TARGETS_BLOCK;
}

static int parse_range(const char *spec, const char *dash, uint64_t max, struct targets_block *b,
		       char *err, size_t errlen)
{
	char lo[INET6_ADDRSTRLEN + 1], msg[160];
	struct in6_addr last;
	size_t llen = dash - spec;
	int f1, f2;
	u128 a, z;

	if (llen >= sizeof(lo))
		return fail(err, errlen, spec, "bad range start");
	memcpy(lo, spec, llen);
	lo[llen] = 0;
	f1 = parse_addr(lo, &b->first);
	if (!f1) {
		snprintf(msg, sizeof(msg), "bad range start '%s'", lo);
		return fail(err, errlen, spec, msg);
	}
	if (!dash[1])
		return fail(err, errlen, spec, "empty range end");
	f2 = parse_addr(dash + 1, &last);
	if (!f2) {
		snprintf(msg, sizeof(msg), "bad range end '%s'", dash + 1);
		return fail(err, errlen, spec, msg);
	}
	if (f1 != f2)
		return fail(err, errlen, spec, "range mixes IPv4 and IPv6");
	a = to_u128(&b->first);
	z = to_u128(&last);
	if (z < a)
		return fail(err, errlen, spec, "empty range (start after end)");
	if (z - a >= max) {
		snprintf(msg, sizeof(msg), "%llu",
			 z - a >= UINT64_MAX ? (unsigned long long)UINT64_MAX
					     : (unsigned long long)(z - a) + 1);
		return too_many(err, errlen, spec, msg, max);
	}
	b->count = (uint64_t)(z - a) + 1;
	return TARGETS_BLOCK;
}

int targets_parse(const char *spec, uint64_t max, struct targets_block *b, char *err,
		  size_t errlen)
{
	const char *slash = strchr(spec, '/'), *dash = strchr(spec, '-');
	char msg[128];

	if (!*spec)
		return fail(err, errlen, spec, "empty");
	if (slash)
		return parse_cidr(spec, slash, max, b, err, errlen);
	if (dash && dash != spec) {
		char lo[INET6_ADDRSTRLEN + 1];
		size_t llen = dash - spec;

		/* "A-B" when A is address-like; otherwise a host name such as "db-1". */
		if (llen < sizeof(lo)) {
			memcpy(lo, spec, llen);
			lo[llen] = 0;
			if (looks_numeric(lo))
				return parse_range(spec, dash, max, b, err, errlen);
		}
	}
	if (parse_addr(spec, &b->first)) {
		b->count = 1;
		return max ? TARGETS_BLOCK : too_many(err, errlen, spec, "1", max);
	}
	if (looks_numeric(spec) || *spec == '-' || *spec == '.') {
		snprintf(msg, sizeof(msg), "bad address '%s'", spec);
		return fail(err, errlen, spec, msg);
	}
	return TARGETS_NAME;
}

int targets_append(struct targets *t, const struct targets_block *b, uint64_t max, char *err,
		   size_t errlen)
{
	u128 v = to_u128(&b->first);

	if (b->count > max || t->n > max - b->count) {
		snprintf(err, errlen, "more than --max-targets %llu targets",
			 (unsigned long long)max);
		return -1;
	}
	if (t->n + b->count > t->cap) {
		size_t cap = t->cap ? t->cap : 64;
		struct in6_addr *p;

		while (cap < t->n + b->count)
			cap *= 2;
		p = realloc(t->addr, cap * sizeof(*p));
		if (!p) {
			snprintf(err, errlen, "out of memory for %zu targets", cap);
			return -1;
		}
		t->addr = p;
		t->cap = cap;
	}
	for (uint64_t i = 0; i < b->count; i++)
		t->addr[t->n++] = from_u128(v + i);
	return 0;
}

static int resolve(const char *name, struct in6_addr *a, char *err, size_t errlen)
{
	struct addrinfo hints = { .ai_socktype = SOCK_RAW, .ai_protocol = 0 };
	struct addrinfo *res = NULL;
	int rc = getaddrinfo(name, NULL, &hints, &res);

	if (rc || !res) {
		snprintf(err, errlen, "unknown host '%s': %s", name, gai_strerror(rc));
		return -1;
	}
	if (res->ai_family == AF_INET) {
		memset(a, 0, sizeof(*a));
		a->s6_addr[10] = a->s6_addr[11] = 0xff;
		memcpy(&a->s6_addr[12], &((struct sockaddr_in *)res->ai_addr)->sin_addr, 4);
	} else {
		*a = ((struct sockaddr_in6 *)res->ai_addr)->sin6_addr;
	}
	freeaddrinfo(res);
	return 0;
}

int targets_add(struct targets *t, const char *spec, uint64_t max, char *err, size_t errlen)
{
	struct targets_block b;
	int kind = targets_parse(spec, max, &b, err, errlen);

	if (kind < 0)
		return -1;
	if (kind == TARGETS_NAME) {
		if (resolve(spec, &b.first, err, errlen))
			return -1;
		b.count = 1;
	}
	return targets_append(t, &b, max, err, errlen);
}

static int cmp_index(const void *x, const void *y, void *arg)
{
	const struct in6_addr *addr = arg;
	size_t i = *(const size_t *)x, j = *(const size_t *)y;
	int c = memcmp(&addr[i], &addr[j], sizeof(*addr));

	return c ? c : (i > j) - (i < j);
}

int targets_dedup(struct targets *t)
{
	size_t *idx, n = 0, up = 1;
	bool *drop;

	/* Strictly increasing (a CIDR block, a range): no duplicates, and no sort to pay for. */
	while (up < t->n && memcmp(&t->addr[up - 1], &t->addr[up], sizeof(*t->addr)) < 0)
		up++;
	if (up >= t->n)
		return 0;
	idx = malloc(t->n * sizeof(*idx));
	drop = calloc(t->n, sizeof(*drop));
	if (!idx || !drop) {
		free(idx);
		free(drop);
		return -1;
	}
	for (size_t i = 0; i < t->n; i++)
		idx[i] = i;
	qsort_r(idx, t->n, sizeof(*idx), cmp_index, t->addr);
	/* Equal addresses are adjacent, lowest index first: drop the later ones. */
	for (size_t i = 1; i < t->n; i++)
		if (!memcmp(&t->addr[idx[i]], &t->addr[idx[i - 1]], sizeof(struct in6_addr)))
			drop[idx[i]] = true;
	for (size_t i = 0; i < t->n; i++)
		if (!drop[i])
			t->addr[n++] = t->addr[i];
	t->n = n;
	free(idx);
	free(drop);
	return 0;
}

void targets_free(struct targets *t)
{
	free(t->addr);
	*t = (struct targets){ 0 };
}
