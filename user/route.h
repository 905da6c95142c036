/* Route lookups over rtnetlink: which interface a destination leaves through, and which
 * destinations are this machine's own (local routes, including AnyIP blocks). */
#ifndef XDPSCOPE_ROUTE_H
#define XDPSCOPE_ROUTE_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>

/* A local route: addresses matching prefix/len are delivered to this machine. IPv4 prefixes
 * are IPv4-mapped with len counted over the 128 bits. */
struct route_local {
	struct in6_addr prefix;
	unsigned int len;
};

/* RTM_GETROUTE for dst (IPv4-mapped for IPv4): the output interface, and whether the route
 * is local. Returns 0, or a negative errno (-ENETUNREACH when there is no route). */
int route_lookup(const struct in6_addr *dst, unsigned int *oif, bool *local);

/* Dumps every local route of both families (all tables). Returns 0 or a negative errno;
 * *out is malloc'ed. */
int route_local_dump(struct route_local **out, size_t *n);

bool route_is_local(const struct route_local *r, size_t n, const struct in6_addr *a);

#endif
