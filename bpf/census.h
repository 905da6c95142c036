/* Map keys and values shared by bpf/census.bpf.c and user space (nothing else belongs here). */
#ifndef XDPSCOPE_CENSUS_H
#define XDPSCOPE_CENSUS_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

/* Port value of the one key per source that sums every source port above the ceiling. */
#define CENSUS_PORT_ABOVE 0x10000u

enum census_family { CENSUS_INET = 4, CENSUS_INET6 = 6 };

/* A source address: IPv4 in addr[0], network byte order throughout. */
struct census_addr {
	__u32 addr[4];
	__u32 family;
};

/* The port maps: IPv4 sources in their own map with an 8-byte key (a third of what a 24-byte
 * IPv6-capable key hashes and compares on every packet), IPv6 sources in another. */
struct census_port4_key {
	__be32 addr;
	__u32 port; /* host byte order, or CENSUS_PORT_ABOVE */
};

struct census_port6_key {
	__u32 addr[4]; /* network byte order */
	__u32 port;    /* host byte order, or CENSUS_PORT_ABOVE */
};

/* No timestamps: reading the clock (a helper call) cost 2-3 ns of a ~14 ns map hit per
 * packet, and nothing showed them. */
struct census_count {
	__u64 packets;
	__u64 bytes;
};

/* Per-CPU counters of what is not a port: the map of sources cannot hold these. */
struct census_stats {
	__u64 malformed;     /* truncated or inconsistent headers */
	__u64 fragments;     /* non-first IP fragments: no L4 header to read */
	__u64 new_keys;      /* keys inserted into the port maps (minus live keys = evicted) */
	__u64 new_icmp_keys; /* the same for the ICMP reply map */
	__u64 insert_failed; /* inserts the kernel refused: packets that went uncounted */
};

#endif
