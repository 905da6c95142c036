/* Sweep targets: parsing CIDR blocks, ranges, addresses and host names into a list of
 * addresses, with fping -g semantics. The parser and expander are pure (no I/O). */
#ifndef XDPSCOPE_TARGETS_H
#define XDPSCOPE_TARGETS_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Upper bound of --max-targets; the default is 2^20. */
#define TARGETS_DEFAULT_MAX (1u << 20)
#define TARGETS_LIMIT (1u << 24)

/* Addresses are kept as IPv6; IPv4 ones as IPv4-mapped (::ffff:a.b.c.d). */
struct targets {
	struct in6_addr *addr;
	size_t n, cap;
};

/* A parsed TARGET: count consecutive addresses starting at first. */
struct targets_block {
	struct in6_addr first;
	uint64_t count;
};

enum { TARGETS_BLOCK = 0, TARGETS_NAME = 1 };

/* Parses one TARGET. Returns TARGETS_BLOCK and fills *b; TARGETS_NAME when spec is a host
 * name to resolve; -1 with a message naming the bad part in err. A block of more than max
 * addresses is an error. For IPv4 prefixes shorter than /31 the network and broadcast
 * addresses are left out (as fping -g); IPv6 prefixes include every address. */
int targets_parse(const char *spec, uint64_t max, struct targets_block *b, char *err,
		  size_t errlen);

/* Appends the block's addresses; fails (-1, err) if the list would exceed max addresses. */
int targets_append(struct targets *t, const struct targets_block *b, uint64_t max, char *err,
		   size_t errlen);

/* targets_parse + targets_append, resolving host names with getaddrinfo (first address). */
int targets_add(struct targets *t, const char *spec, uint64_t max, char *err, size_t errlen);

/* Removes repeated addresses, keeping the first occurrence and the order. */
int targets_dedup(struct targets *t);

void targets_free(struct targets *t);

bool targets_is_v4(const struct in6_addr *a);
/* The address as text (IPv4 dotted quad for mapped addresses). */
const char *targets_str(const struct in6_addr *a, char *buf, size_t len);

#endif
