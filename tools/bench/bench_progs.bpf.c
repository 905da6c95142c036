// SPDX-License-Identifier: GPL-2.0
/* Reference programs for the per-packet census benchmark: an empty XDP program, a minimal
 * counter to hold the census against, and a wrapper that gives each repetition of one
 * BPF_PROG_TEST_RUN frame a different key before tail-calling the program under test. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define ETH_P_IP_BE bpf_htons(0x0800)
#define ETH_P_IPV6_BE bpf_htons(0x86DD)

SEC("xdp")
int empty_xdp(struct xdp_md *ctx)
{
	return XDP_PASS;
}

struct ref_key {
	__u32 saddr;
	__u32 sport;
};

struct ref_count {
	__u64 packets;
	__u64 bytes;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 131072);
	__type(key, struct ref_key);
	__type(value, struct ref_count);
} ref_ports SEC(".maps");

/* The same in an LRU map, the kind the census needs to stay bounded under a flood. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_PERCPU_HASH);
	__uint(max_entries, 131072);
	__type(key, struct ref_key);
	__type(value, struct ref_count);
} ref_lru_ports SEC(".maps");

/* The key and value sizes of the census's former single map (a 24-byte IPv6-capable key and a
 * 32-byte value with timestamps) in the reference counter: what the sizes alone cost. The
 * census now keys IPv4 sources by 8 bytes with a 16-byte value, as refcount_lru_xdp does. */
struct ref_wide_key {
	__u32 saddr;
	__u32 pad[4];
	__u32 sport;
};

struct ref_wide_count {
	__u64 packets;
	__u64 bytes;
	__u64 pad[2];
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_PERCPU_HASH);
	__uint(max_entries, 131072);
	__type(key, struct ref_wide_key);
	__type(value, struct ref_wide_count);
} ref_wide_ports SEC(".maps");

SEC("xdp")
int refcount_wide_xdp(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = data + sizeof(*eth);
	struct ref_wide_key k = {};
	struct ref_wide_count *c;
	struct tcphdr *th;

	if ((void *)(ip + 1) > end || eth->h_proto != ETH_P_IP_BE || ip->protocol != 6)
		return XDP_PASS;
	th = (void *)ip + ip->ihl * 4;
	if ((void *)(th + 1) > end)
		return XDP_PASS;
	k.saddr = ip->saddr;
	k.sport = bpf_ntohs(th->source);
	c = bpf_map_lookup_elem(&ref_wide_ports, &k);
	if (c) {
		c->packets++;
		c->bytes += end - data;
	} else {
		struct ref_wide_count init = { 1, end - data };

		bpf_map_update_elem(&ref_wide_ports, &k, &init, BPF_NOEXIST);
	}
	return XDP_PASS;
}

/* The least a per-(source, port) counter can do: parse Ethernet/IPv4/TCP, look the key up,
 * add to it, insert it on a miss. */
static __always_inline int refcount(struct xdp_md *ctx, void *map)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = data + sizeof(*eth);
	struct tcphdr *th;
	struct ref_count *c;
	struct ref_key k;

	if ((void *)(ip + 1) > end || eth->h_proto != ETH_P_IP_BE || ip->protocol != 6)
		return XDP_PASS;
	th = (void *)ip + ip->ihl * 4;
	if ((void *)(th + 1) > end)
		return XDP_PASS;
	k.saddr = ip->saddr;
	k.sport = bpf_ntohs(th->source);
	c = bpf_map_lookup_elem(map, &k);
	if (c) {
		c->packets++;
		c->bytes += end - data;
	} else {
		struct ref_count init = { 1, end - data };

		bpf_map_update_elem(map, &k, &init, BPF_NOEXIST);
	}
	return XDP_PASS;
}

SEC("xdp")
int refcount_xdp(struct xdp_md *ctx)
{
	return refcount(ctx, &ref_ports);
}

SEC("xdp")
int refcount_lru_xdp(struct xdp_md *ctx)
{
	return refcount(ctx, &ref_lru_ports);
}

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} vary_next SEC(".maps");

/* Set by the bench: keys cycle through vary_keys (0: never repeat). Key i is source address
 * base + i % vary_addrs and source port 1 + i / vary_addrs, so every key stays below the
 * census's default port ceiling. */
__u64 vary_seq;
__u32 vary_keys;
__u32 vary_addrs; /* 0 means 1 */

/* Rewrites the source (the last 32 bits of an IPv6 source) and the TCP source port of a
 * 14-byte-Ethernet, option-free IPv4 or IPv6 TCP frame, then tail-calls vary_next[0]. */
SEC("xdp")
int vary_xdp(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	__u64 i = vary_seq++;
	__u32 addrs = vary_addrs ? vary_addrs : 1;
	__be32 *src;
	struct tcphdr *th;

	if (vary_keys)
		i %= vary_keys;
	if ((void *)(eth + 1) > end)
		return XDP_ABORTED;
	if (eth->h_proto == ETH_P_IP_BE) {
		struct iphdr *ip = (void *)(eth + 1);

		src = &ip->saddr;
		th = (void *)(ip + 1);
	} else {
		struct ipv6hdr *ip6 = (void *)(eth + 1);

		src = &ip6->saddr.in6_u.u6_addr32[3];
		th = (void *)(ip6 + 1);
	}
	if ((void *)(th + 1) > end)
		return XDP_ABORTED;
	*src = bpf_htonl(0xc6120000 + (__u32)(i % addrs)); /* 198.18.0.0 + n */
	th->source = bpf_htons(1 + (__u16)((i / addrs) % 1000));
	bpf_tail_call(ctx, &vary_next, 0);
	return XDP_ABORTED;
}

char LICENSE[] SEC("license") = "GPL";
