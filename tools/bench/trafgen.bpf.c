// SPDX-License-Identifier: GPL-2.0
/* The bench's traffic generator: run by BPF_PROG_RUN with BPF_F_TEST_XDP_LIVE_FRAMES on a
 * template TCP SYN, it gives each frame the next (source address, source port) of the set and
 * sends it out of the veth (XDP_TX), checksums kept valid. It stays attached to the sending
 * veth so that each run does not re-add it to the XDP dispatcher; frames that are not ours
 * (not from the template's source MAC) pass untouched. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define ETH_P_IP_BE bpf_htons(0x0800)
#define ETH_P_IPV6_BE bpf_htons(0x86DD)

/* Set by trafgen before load. */
const volatile __u32 gen_addrs = 1;     /* source addresses: base, base + 1, ... */
const volatile __u32 gen_ports = 1;     /* source ports: port_base, port_base + 1, ... */
const volatile __u32 gen_base = 0;      /* IPv4 source, or the last 32 bits of IPv6 (host order) */
const volatile __u32 gen_port_base = 1;
const volatile __u8 gen_mac[6] = {};   /* the template's source MAC */

__u64 gen_seq; /* frames generated: one generating thread, so no atomics */

static __always_inline __u32 fold(__u32 s)
{
	s = (s & 0xffff) + (s >> 16);
	return (s & 0xffff) + (s >> 16);
}

/* RFC 1624 incremental update: check' = ~(~check + ~old + new), per 16-bit word. */
static __always_inline __u16 csum_replace(__u16 check, __u32 old, __u32 new, int words)
{
	__u32 s = (__u16)~check;

	s += (~old & 0xffff) + (new & 0xffff);
	if (words == 2)
		s += (~old >> 16) + (new >> 16);
	return (__u16)~fold(s);
}

SEC("xdp")
int trafgen_xdp(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	__u32 i, a, p, new_src, new_port, old_src;
	__be32 *src;
	__u16 *ip_check = NULL;
	struct tcphdr *th;

	if ((void *)(eth + 1) > end)
		return XDP_PASS;
	for (int k = 0; k < 6; k++)
		if (eth->h_source[k] != gen_mac[k])
			return XDP_PASS;
	i = gen_seq++ % ((__u64)gen_addrs * gen_ports);
	a = i % gen_addrs;
	p = i / gen_addrs;
	if (eth->h_proto == ETH_P_IP_BE) {
		struct iphdr *ip = (void *)(eth + 1);

		th = (void *)(ip + 1);
		if ((void *)(th + 1) > end)
			return XDP_PASS;
		src = &ip->saddr;
		ip_check = &ip->check;
	} else if (eth->h_proto == ETH_P_IPV6_BE) {
		struct ipv6hdr *ip6 = (void *)(eth + 1);

		th = (void *)(ip6 + 1);
		if ((void *)(th + 1) > end)
			return XDP_PASS;
		src = &ip6->saddr.in6_u.u6_addr32[3];
	} else {
		return XDP_PASS;
	}
	old_src = *src;
	new_src = bpf_htonl(gen_base + a);
	new_port = bpf_htons(gen_port_base + p);
	*src = new_src;
	if (ip_check)
		*ip_check = csum_replace(*ip_check, old_src, new_src, 2);
	th->check = csum_replace(th->check, old_src, new_src, 2);
	th->check = csum_replace(th->check, th->source, new_port, 1);
	th->source = new_port;
	return XDP_TX;
}

char LICENSE[] SEC("license") = "GPL";
