/* Route lookups over rtnetlink (RTM_GETROUTE, by netlink.c): one destination, or the local
 * routes of a dump. */
#include "route.h"

#include <errno.h>
#include <linux/rtnetlink.h>
#include <stdlib.h>
#include <string.h>

#include "netlink.h"

/* The IPv4-mapped form of a route's destination bytes (family AF_INET or AF_INET6). */
static void to_mapped(int family, const void *bytes, struct in6_addr *a)
{
	memset(a, 0, sizeof(*a));
	if (family == AF_INET) {
		a->s6_addr[10] = a->s6_addr[11] = 0xff;
		memcpy(&a->s6_addr[12], bytes, 4);
	} else {
		memcpy(a, bytes, 16);
	}
}

int route_lookup(const struct in6_addr *dst, unsigned int *oif, bool *local)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6, .sin6_addr = *dst };
	struct netlink_route r;
	int err;

	if (IN6_IS_ADDR_V4MAPPED(dst)) {
		memcpy(&sin.sin_addr, &dst->s6_addr[12], 4);
		err = netlink_route_get((struct sockaddr *)&sin, &r);
	} else {
		err = netlink_route_get((struct sockaddr *)&sin6, &r);
	}
	if (err)
		return err;
	*oif = r.has_oif ? r.oif : 0;
	*local = r.type == RTN_LOCAL;
	return 0;
}

/* Appends the local routes of one family's dump to *out (n entries, room for *cap). */
static int add_local(const struct netlink_routes *rs, struct route_local **out, size_t *n,
		     size_t *cap)
{
	for (size_t i = 0; i < rs->n; i++) {
		const struct netlink_route *r = &rs->v[i];
		struct route_local l = { .len = r->dst_len + (r->family == AF_INET ? 96 : 0) };

		if (r->type != RTN_LOCAL || (r->family != AF_INET && r->family != AF_INET6))
			continue;
		to_mapped(r->family, r->dst, &l.prefix); /* dst is all zero when absent */
		if (*n == *cap) {
			size_t ncap = *cap ? *cap * 2 : 16;
			struct route_local *p = realloc(*out, ncap * sizeof(*p));

			if (!p)
				return -ENOMEM;
			*out = p;
			*cap = ncap;
		}
		(*out)[(*n)++] = l;
	}
	return 0;
}

int route_local_dump(struct route_local **out, size_t *n)
{
	static const int families[] = { AF_INET, AF_INET6 };
	struct route_local *loc = NULL;
	size_t nloc = 0, cap = 0;

	for (int i = 0; i < 2; i++) {
		struct netlink_routes rs;
		int err = netlink_dump_routes(families[i], &rs);

		/* A kernel without IPv6 answers the IPv6 dump with an error: no local routes. */
		if (err && families[i] == AF_INET6)
			continue;
		if (!err)
			err = add_local(&rs, &loc, &nloc, &cap);
		netlink_routes_free(&rs);
		if (err) {
			free(loc);
			return err;
		}
	}
	*out = loc;
	*n = nloc;
	return 0;
}

static bool prefix_match(const struct in6_addr *p, unsigned int len, const struct in6_addr *a)
{
	unsigned int bytes = len / 8, bits = len % 8;

	if (len > 128 || memcmp(p, a, bytes))
		return false;
	if (!bits)
		return true;
	return !((p->s6_addr[bytes] ^ a->s6_addr[bytes]) & (0xff << (8 - bits)));
}

bool route_is_local(const struct route_local *r, size_t n, const struct in6_addr *a)
{
	for (size_t i = 0; i < n; i++)
		if (prefix_match(&r[i].prefix, r[i].len, a))
			return true;
	return false;
}
