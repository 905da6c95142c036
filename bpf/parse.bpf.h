/* Packet parsing for the census and sweep programs: the frame an XDP or TC program sees, one
 * bounded helper per header, every read checked against data_end first, every length checked
 * against the frame. BPF side only. */
#ifndef XDPSCOPE_PARSE_BPF_H
#define XDPSCOPE_PARSE_BPF_H

#include "census.h"

#define ETH_P_IP_BE      bpf_htons(0x0800)
#define ETH_P_IPV6_BE    bpf_htons(0x86DD)
#define ETH_P_8021Q_BE   bpf_htons(0x8100)
#define ETH_P_8021AD_BE  bpf_htons(0x88A8)
#define PROTO_TCP        6
#define PROTO_ICMP       1
#define PROTO_ICMPV6     58
#define MAX_VLAN_TAGS    2
#define MAX_IPV6_EXT     6

enum parse_verdict {
	PARSE_OTHER,      /* nothing the census counts */
	PARSE_TCP,        /* src and port valid */
	PARSE_ICMP_REPLY, /* src valid */
	PARSE_MALFORMED,
	PARSE_FRAGMENT,
};

struct vlan_tag {
	__be16 tci;
	__be16 proto;
};

struct parse_result {
	struct census_addr src;
	__u32 port; /* the TCP source port, host byte order */
	/* For PARSE_ICMP_REPLY: where the ICMP header starts and how many bytes the IP header
	 * says it and its payload take (read by parse_icmp_echo; the census ignores them). */
	__u64 l4_off;
	__u64 l4_room;
} __attribute__((aligned(8)));

/* The frame: headers are read from [data, data_end); lengths are checked against wire_len
 * (which exceeds data_end - data only for TC skbs with paged data). */
struct frame {
	void *data;
	void *data_end;
	__u64 wire_len;
};

static __always_inline int parse_eth(struct frame *f, __u64 *off, __be16 *proto)
{
	struct ethhdr *eth = f->data;

	if ((void *)(eth + 1) > f->data_end)
		return PARSE_MALFORMED;
	*proto = eth->h_proto;
	*off = sizeof(*eth);
#pragma unroll
	for (int i = 0; i < MAX_VLAN_TAGS; i++) {
		struct vlan_tag *vh;

		if (*proto != ETH_P_8021Q_BE && *proto != ETH_P_8021AD_BE)
			break;
		vh = f->data + *off;
		if ((void *)(vh + 1) > f->data_end)
			return PARSE_MALFORMED;
		*proto = vh->proto;
		*off += sizeof(*vh);
	}
	return PARSE_OTHER;
}

/* L4 checks shared by v4 and v6: room is what the IP header says the payload holds. Each
 * family has its own ICMP: protocol 1 inside IPv6 or 58 inside IPv4 is not an echo reply. */
static __always_inline int parse_l4(struct frame *f, __u64 off, __u64 room, __u8 proto, int v6,
				    struct parse_result *r)
{
	if (proto == PROTO_TCP) {
		struct tcphdr *th = f->data + off;
		__u64 hlen;

		if (room < sizeof(*th) || (void *)(th + 1) > f->data_end)
			return PARSE_MALFORMED;
		hlen = th->doff * 4;
		if (hlen < sizeof(*th) || hlen > room)
			return PARSE_MALFORMED;
		r->port = bpf_ntohs(th->source);
		return PARSE_TCP;
	}
	if (proto == (v6 ? PROTO_ICMPV6 : PROTO_ICMP)) {
		__u8 *type = f->data + off;

		/* An echo message has an 8-byte header (type, code, checksum, id, sequence). */
		if (room < 8 || (void *)(type + 8) > f->data_end)
			return PARSE_MALFORMED;
		if (*type == (v6 ? 129 : 0)) {
			r->l4_off = off;
			r->l4_room = room;
			return PARSE_ICMP_REPLY;
		}
	}
	return PARSE_OTHER;
}

static __always_inline int parse_ipv4(struct frame *f, __u64 off, struct parse_result *r)
{
	struct iphdr *ip = f->data + off;
	__u64 hlen, tot;

	if ((void *)(ip + 1) > f->data_end)
		return PARSE_MALFORMED;
	hlen = ip->ihl * 4;
	tot = bpf_ntohs(ip->tot_len);
	if (ip->version != 4 || hlen < sizeof(*ip) || tot < hlen || off + tot > f->wire_len)
		return PARSE_MALFORMED;
	if (f->data + off + hlen > f->data_end)
		return PARSE_MALFORMED;
	__u64 saddr = ip->saddr; /* addr[0], and addr[1] = 0, in one 8-byte store */

	__builtin_memcpy(r->src.addr, &saddr, sizeof(saddr));
	r->src.family = CENSUS_INET;
	if (bpf_ntohs(ip->frag_off) & 0x1fff)
		return PARSE_FRAGMENT;
	return parse_l4(f, off + hlen, tot - hlen, ip->protocol, 0, r);
}

static __always_inline int parse_ipv6(struct frame *f, __u64 off, struct parse_result *r)
{
	struct ipv6hdr *ip6 = f->data + off;
	__u64 room;
	__u8 next;

	if ((void *)(ip6 + 1) > f->data_end)
		return PARSE_MALFORMED;
	room = bpf_ntohs(ip6->payload_len);
	if (ip6->version != 6 || off + sizeof(*ip6) + room > f->wire_len)
		return PARSE_MALFORMED;
	__builtin_memcpy(r->src.addr, &ip6->saddr, 16);
	r->src.family = CENSUS_INET6;
	next = ip6->nexthdr;
	off += sizeof(*ip6);
	/* MAX_IPV6_EXT headers are walked; the pass after the last one reads the L4 header. */
#pragma unroll
	for (int i = 0; i <= MAX_IPV6_EXT; i++) {
		__u8 *h = f->data + off;
		__u64 len;

		if (next != 0 && next != 43 && next != 44 && next != 60 && next != 51)
			return parse_l4(f, off, room, next, 1, r);
		if (i == MAX_IPV6_EXT)
			break;
		if (room < 8 || (void *)(h + 8) > f->data_end)
			return PARSE_MALFORMED;
		if (next == 44) {
			/* Fragment header: offset in the top 13 bits of bytes 2-3. */
			if ((((__u16)h[2] << 8) | h[3]) & 0xfff8)
				return PARSE_FRAGMENT;
			len = 8;
		} else if (next == 51) {
			len = ((__u64)h[1] + 2) * 4;
		} else {
			len = ((__u64)h[1] + 1) * 8;
		}
		if (len > room)
			return PARSE_MALFORMED;
		next = h[0];
		off += len;
		room -= len;
	}
	/* More extension headers than we walk: not malformed, just not followed. */
	return PARSE_OTHER;
}

static __always_inline int parse_frame(struct frame *f, struct parse_result *r)
{
	__be16 proto;
	__u64 off;
	int v = parse_eth(f, &off, &proto);

	if (v != PARSE_OTHER)
		return v;
	if (proto == ETH_P_IP_BE)
		return parse_ipv4(f, off, r);
	if (proto == ETH_P_IPV6_BE)
		return parse_ipv6(f, off, r);
	return PARSE_OTHER;
}

/* The common case in one bounds check and five compares: Ethernet without tags, IPv4 without
 * options, not a fragment, TCP with a consistent data offset. Returns 1 with the source address
 * (network order) and port (host order) when every check of the general parser would pass, 0
 * otherwise: then parse_frame decides (the verdict is the same either way). */
static __always_inline int parse_fast_tcp4(struct frame *f, __be32 *addr, __u32 *port)
{
	struct ethhdr *eth = f->data;
	struct iphdr *ip = (void *)(eth + 1);
	struct tcphdr *th = (void *)(ip + 1);
	__u64 room, hlen;

	if ((void *)(th + 1) > f->data_end)
		return 0;
	/* Frame bytes 12-15: ethertype 0x0800, version 4 with IHL 5 (the TOS byte ignored). */
	if ((*(__u32 *)(f->data + 12) & bpf_htonl(0xffffff00)) != bpf_htonl(0x08004500))
		return 0;
	/* Frame bytes 20-23 (IP 6-9): fragment offset 0 (flags ignored), protocol TCP (TTL ignored). */
	if ((*(__u32 *)(f->data + 20) & bpf_htonl(0x1fff00ff)) != bpf_htonl(PROTO_TCP))
		return 0;
	/* Total length at least IP + TCP headers and within the frame (wire_len >= 54 here), data
	 * offset at least 5 words and within the total length: unsigned, room < 0 wraps high. */
	room = (__u64)bpf_ntohs(ip->tot_len) - sizeof(*ip) - sizeof(*th);
	if (room > f->wire_len - sizeof(*eth) - sizeof(*ip) - sizeof(*th))
		return 0;
	hlen = th->doff * 4;
	if (hlen - sizeof(*th) > room)
		return 0;
	*addr = ip->saddr;
	*port = bpf_ntohs(th->source);
	return 1;
}

/* What a TC program returns to let the packet go on (TCX_NEXT). */
#define TCX_NEXT (-1)
/* Enough linear bytes for Ethernet, two tags, IPv6 and a few extension headers, plus TCP. */
#define TC_PULL_LEN 256

/* The frame an XDP program sees: all of it is linear. */
static __always_inline void parse_xdp_frame(struct xdp_md *ctx, struct frame *f)
{
	f->data = (void *)(long)ctx->data;
	f->data_end = (void *)(long)ctx->data_end;
	f->wire_len = f->data_end - f->data;
}

/* The frame a TC program sees, with its first TC_PULL_LEN bytes made linear. */
static __always_inline void parse_tc_frame(struct __sk_buff *skb, struct frame *f)
{
	__u32 len = skb->len;
	__u32 linear = skb->data_end - skb->data;

	/* Paged skbs (GRO, big packets) keep headers out of reach until pulled into the head. */
	if (linear < len && linear < TC_PULL_LEN)
		bpf_skb_pull_data(skb, len < TC_PULL_LEN ? len : TC_PULL_LEN);
	/* Keep the compiler from merging the ctx loads across the call: the verifier wants
	 * each ctx field read through the unmodified ctx pointer. */
	asm volatile("" ::: "memory");
	f->data = (void *)(long)skb->data;
	f->data_end = (void *)(long)skb->data_end;
	f->wire_len = len;
}

/* The echo reply after parse_frame said PARSE_ICMP_REPLY: identifier and sequence (host
 * order) and a pointer to len payload bytes, or NULL when the reply carries fewer. */
static __always_inline void *parse_icmp_echo(struct frame *f, const struct parse_result *r,
					     __u32 len, __u16 *id, __u16 *seq)
{
	/* The bounds keep the verifier's view of the offset small; real offsets are far below. */
	__u64 off = r->l4_off & 0x3fff;
	__u8 *h = f->data + off;

	if ((void *)(h + 8) > f->data_end)
		return NULL;
	*id = ((__u16)h[4] << 8) | h[5];
	*seq = ((__u16)h[6] << 8) | h[7];
	if (r->l4_room < 8 + (__u64)len || (void *)(h + 8 + len) > f->data_end)
		return NULL;
	return h + 8;
}

#endif
