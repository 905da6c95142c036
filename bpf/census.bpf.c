// SPDX-License-Identifier: GPL-2.0
/* The census: per (source address, TCP source port) packet and byte counts, and ICMP echo
 * replies per source, counted at XDP or TC ingress. Packets are always passed on unchanged. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "census.h"
#include "parse.bpf.h"

/* Set by the loader before load: ports above this share the CENSUS_PORT_ABOVE key. */
const volatile __u32 census_max_port = 1000;

/* max_entries here are defaults; the loader resizes them before load. IPv4 and IPv6 sources
 * have a map each: the IPv4 key is 8 bytes, what a per-packet lookup hashes and compares. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_PERCPU_HASH);
	__uint(max_entries, 65536);
	__type(key, struct census_port4_key);
	__type(value, struct census_count);
} census_ports4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_PERCPU_HASH);
	__uint(max_entries, 65536);
	__type(key, struct census_port6_key);
	__type(value, struct census_count);
} census_ports6 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_PERCPU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct census_addr);
	__type(value, struct census_count);
} census_icmp SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct census_stats);
} census_stats SEC(".maps");

static __always_inline struct census_stats *stats(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&census_stats, &zero);
}

static __always_inline void add(struct census_count *c, __u64 pkts, __u64 bytes)
{
	c->packets += pkts;
	c->bytes += bytes;
}

/* One lookup on the hot path; an insert only for a key this map has not seen. */
static __always_inline void count(void *map, void *key, __u64 pkts, __u64 bytes, int icmp)
{
	struct census_count *c = bpf_map_lookup_elem(map, key);
	struct census_stats *st;

	if (c) {
		add(c, pkts, bytes);
		return;
	}
	struct census_count init = { .packets = pkts, .bytes = bytes };
	int err = bpf_map_update_elem(map, key, &init, BPF_NOEXIST);

	st = stats();
	if (!st)
		return;
	if (!err) {
		if (icmp)
			st->new_icmp_keys++;
		else
			st->new_keys++;
		return;
	}
	/* Another CPU inserted the key between our lookup and update: add to it. */
	c = bpf_map_lookup_elem(map, key);
	if (c)
		add(c, pkts, bytes);
	else
		st->insert_failed++;
}

static __always_inline __u32 port_key(__u32 port)
{
	return port > census_max_port ? CENSUS_PORT_ABOVE : port;
}

/* Everything but plain Ethernet/IPv4/TCP: the general parser (VLAN tags, IPv4 options, IPv6
 * extension headers, fragments, ICMP echo replies, malformed headers). */
static __always_inline void census_slow(struct frame *f, __u64 pkts)
{
	struct parse_result r = {};
	struct census_stats *st;
	int v = parse_frame(f, &r);

	if (v == PARSE_TCP) {
		if (r.src.family == CENSUS_INET) {
			struct census_port4_key k4 = { r.src.addr[0], port_key(r.port) };

			count(&census_ports4, &k4, pkts, f->wire_len, 0);
		} else {
			struct census_port6_key k6 = { .port = port_key(r.port) };

			__builtin_memcpy(k6.addr, r.src.addr, sizeof(k6.addr));
			count(&census_ports6, &k6, pkts, f->wire_len, 0);
		}
	} else if (v == PARSE_ICMP_REPLY) {
		count(&census_icmp, &r.src, pkts, f->wire_len, 1);
	} else if (v == PARSE_MALFORMED || v == PARSE_FRAGMENT) {
		st = stats();
		if (!st)
			return;
		if (v == PARSE_MALFORMED)
			st->malformed += pkts;
		else
			st->fragments += pkts;
	}
}

static __always_inline void census(struct frame *f, __u64 pkts)
{
	struct census_port4_key k4;

	/* The same verdict and key as census_slow, in a few instructions. */
	if (parse_fast_tcp4(f, &k4.addr, &k4.port)) {
		k4.port = port_key(k4.port);
		count(&census_ports4, &k4, pkts, f->wire_len, 0);
		return;
	}
	census_slow(f, pkts);
}

SEC("xdp")
int census_xdp(struct xdp_md *ctx)
{
	struct frame f;

	parse_xdp_frame(ctx, &f);
	census(&f, 1);
	return XDP_PASS;
}

SEC("tc")
int census_tc(struct __sk_buff *skb)
{
	__u32 segs = skb->gso_segs;
	struct frame f;

	parse_tc_frame(skb, &f);
	/* A GRO skb stands for gso_segs packets on the wire; count them, not the skb. */
	census(&f, segs ? segs : 1);
	return TCX_NEXT;
}

char LICENSE[] SEC("license") = "GPL";
