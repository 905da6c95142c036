// SPDX-License-Identifier: GPL-2.0
/* The sweep's receiver: counts ICMP/ICMPv6 echo replies that carry this run's identifier and a
 * valid cookie, per source address, with the first reply's time, at XDP or TC ingress.
 * Packets are always passed on unchanged. */
/* No CO-RE: every layout used here (the XDP and TC contexts, Ethernet/IP/ICMP headers) is UAPI
 * and fixed, and without relocations libbpf does not read and parse the kernel's 5.5 MB BTF
 * at each start (~0.1 s of a sweep's fixed cost). */
#define BPF_NO_PRESERVE_ACCESS_INDEX
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "parse.bpf.h"
#include "sweep.h"

/* Set by user space before load. */
const volatile __u16 sweep_id = 0;
const volatile __u64 sweep_secret = 0;
/* Set by user space at the start of each round: replies to older probes are stale. */
__u64 sweep_min_sent_ns = 0;

/* max_entries is set to the number of targets before load. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1);
	__type(key, struct sweep_key);
	__type(value, struct sweep_hit);
} sweep_hits SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct sweep_stats);
} sweep_stats SEC(".maps");

static __always_inline void to_key(const struct census_addr *a, struct sweep_key *k)
{
	if (a->family == CENSUS_INET) {
		k->addr[0] = 0;
		k->addr[1] = 0;
		k->addr[2] = bpf_htonl(0xffff);
		k->addr[3] = a->addr[0];
	} else {
		k->addr[0] = a->addr[0];
		k->addr[1] = a->addr[1];
		k->addr[2] = a->addr[2];
		k->addr[3] = a->addr[3];
	}
}

/* Adds a reply to an existing entry; another CPU may be adding to it too. */
static __always_inline void add(struct sweep_hit *h, struct sweep_stats *st)
{
	__sync_fetch_and_add(&h->count, 1);
	st->counted++;
}

static __always_inline void record(const struct sweep_key *k, __u16 seq, __u64 sent_ns,
				   struct sweep_stats *st)
{
	struct sweep_hit *h = bpf_map_lookup_elem(&sweep_hits, k);
	struct sweep_hit init;

	if (h) {
		add(h, st);
		return;
	}
	init = (struct sweep_hit){ .first_ns = bpf_ktime_get_ns(), .sent_ns = sent_ns,
				   .count = 1, .seq = seq };
	if (!bpf_map_update_elem(&sweep_hits, k, &init, BPF_NOEXIST)) {
		st->counted++;
		return;
	}
	/* Another CPU inserted the key between our lookup and update: add to it. */
	h = bpf_map_lookup_elem(&sweep_hits, k);
	if (h)
		add(h, st);
	else
		st->insert_failed++;
}

static __always_inline void sweep(struct frame *f)
{
	struct parse_result r = {};
	struct sweep_stats *st;
	struct sweep_key k;
	__u16 id, seq;
	__u64 sent_ns;
	__u32 cookie, zero = 0;
	__u8 *p;

	if (parse_frame(f, &r) != PARSE_ICMP_REPLY)
		return;
	p = parse_icmp_echo(f, &r, SWEEP_PAYLOAD_LEN, &id, &seq);
	if (!p || id != sweep_id)
		return;
	st = bpf_map_lookup_elem(&sweep_stats, &zero);
	if (!st)
		return;
	__builtin_memcpy(&sent_ns, p, 8);
	__builtin_memcpy(&cookie, p + 8, 4);
	to_key(&r.key.src, &k);
	if (cookie != sweep_cookie(sweep_secret, &k, seq, sent_ns)) {
		st->wrong_cookie++;
		return;
	}
	if (sent_ns < sweep_min_sent_ns) {
		st->stale++;
		return;
	}
	record(&k, seq, sent_ns, st);
}

SEC("xdp")
int sweep_xdp(struct xdp_md *ctx)
{
	struct frame f;

	parse_xdp_frame(ctx, &f);
	sweep(&f);
	return XDP_PASS;
}

SEC("tc")
int sweep_tc(struct __sk_buff *skb)
{
	struct frame f;

	parse_tc_frame(skb, &f);
	sweep(&f);
	return TCX_NEXT;
}

char LICENSE[] SEC("license") = "GPL";
