/* Reading the census maps into a snapshot: per-CPU values summed, ports grouped by source. */
#ifndef XDPSCOPE_CENSUS_READ_H
#define XDPSCOPE_CENSUS_READ_H

#include <stddef.h>
#include <stdint.h>

#include "census.h"

/* A key of either port map, in one form: what sources are grouped by. */
struct census_port_key {
	struct census_addr src;
	uint32_t port; /* host byte order, or CENSUS_PORT_ABOVE */
};

struct census_port_row {
	uint32_t port; /* or CENSUS_PORT_ABOVE */
	uint64_t packets;
	uint64_t bytes;
};

struct census_source {
	struct census_addr addr;
	uint64_t packets; /* every TCP packet from the source, above-ceiling ports included */
	uint64_t bytes;
	struct census_port_row *ports; /* ascending; the CENSUS_PORT_ABOVE row, if any, last */
	size_t nports;
	double pps; /* packets/s since the previous snapshot (0 on the first) */
};

struct census_icmp_row {
	struct census_addr addr;
	uint64_t packets;
	uint64_t bytes;
};

struct census_snapshot {
	struct census_source *sources; /* busiest first */
	size_t nsources;
	struct census_port_row *port_rows; /* storage behind sources[].ports */
	size_t nport_rows;
	struct census_icmp_row *icmp; /* busiest first */
	size_t nicmp;
	struct census_stats stats; /* summed over CPUs */
};

/* The census maps' file descriptors. */
struct census_fds {
	int ports4, ports6, icmp, stats;
};

/* Reads the four maps. Returns 0 or a negative errno. */
int census_snapshot_read(const struct census_fds *fds, struct census_snapshot *s);
/* Groups raw (key, count) rows into sources; exposed for unit tests. Takes ownership of rows. */
int census_snapshot_build(struct census_snapshot *s, struct census_port_key *keys,
			  struct census_count *counts, size_t n);
/* Fills sources[].pps from the previous snapshot over dt seconds. */
void census_snapshot_rates(struct census_snapshot *s, const struct census_snapshot *prev, double dt);
/* Keys inserted minus keys still present: what the LRU evicted. */
uint64_t census_evicted(const struct census_snapshot *s);
void census_snapshot_free(struct census_snapshot *s);

/* inet_ntop of a census address into buf (INET6_ADDRSTRLEN bytes). */
const char *census_addr_str(const struct census_addr *a, char *buf);
int census_addr_cmp(const struct census_addr *a, const struct census_addr *b);

#endif
