/* TCP port lists in nmap syntax ("21-23,80,443", "-1024", "60000-", "-"). */
#ifndef XDPSCOPE_PORTS_H
#define XDPSCOPE_PORTS_H

#include <stddef.h>
#include <stdint.h>

struct ports {
	uint16_t *v; /* sorted, unique */
	size_t n;
};

/* Parses spec into a sorted list without duplicates. On error returns -1, leaves out empty and
 * writes to why (if not NULL) one message naming the offending item, e.g.
 * "invalid port '70000': must be 1 to 65535". Returns -ENOMEM if memory runs out. */
int ports_parse(const char *spec, struct ports *out, char *why, size_t whylen);
void ports_free(struct ports *p);

#endif
