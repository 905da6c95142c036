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

/* max_entries here are defaults; the loader resizes them before load. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_PERCPU_HASH);
	__uint(max_entries, 65536);
	__type(key, struct census_port_key);
	__type(value, struct census_count);
} census_ports SEC(".maps");

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

static __always_inline void add(struct census_count *c, __u64 pkts, __u64 bytes, __u64 now)
{
	if (!c->first_ns)
		c->first_ns = now; /* the key was created on another CPU */
	c->packets += pkts;
	c->bytes += bytes;
	c->last_ns = now;
}

/* One lookup on the hot path; an insert only for a key this map has not seen. */
static __always_inline void count(void *map, void *key, __u64 pkts, __u64 bytes, int icmp)
{
	struct census_count *c = bpf_map_lookup_elem(map, key);
	__u64 now = bpf_ktime_get_coarse_ns();
	struct census_stats *st;

	if (c) {
		add(c, pkts, bytes, now);
		return;
	}
	struct census_count init = { .packets = pkts, .bytes = bytes, .first_ns = now, .last_ns = now };
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
		add(c, pkts, bytes, now);
	else
		st->insert_failed++;
}

static __always_inline void census(struct frame *f, __u64 pkts)
{
	struct parse_result r = {};
	struct census_stats *st;
	int v = parse_frame(f, &r);

	if (v == PARSE_TCP) {
		if (r.key.port > census_max_port)
			r.key.port = CENSUS_PORT_ABOVE;
		count(&census_ports, &r.key, pkts, f->wire_len, 0);
	} else if (v == PARSE_ICMP_REPLY) {
		count(&census_icmp, &r.key.src, pkts, f->wire_len, 1);
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
