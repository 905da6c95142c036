/* Packet decoder: crafted frames (built here byte by byte) against tcpdump's default lines,
 * truncation at every header boundary, malformed headers and random bytes (run under ASan). */
#include <criterion/criterion.h>
#include <pcap/dlt.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"

/* ---- a tiny frame builder, independent of the decoder --------------------------------- */

struct fb {
	uint8_t b[2048];
	size_t n;
	size_t l3, l4; /* offsets of the network and transport headers */
};

static void u8(struct fb *f, unsigned int v) { f->b[f->n++] = (uint8_t)v; }
static void u16(struct fb *f, unsigned int v) { u8(f, v >> 8); u8(f, v & 0xff); }
static void u32(struct fb *f, uint32_t v) { u16(f, v >> 16); u16(f, v & 0xffff); }
static void bytes(struct fb *f, const void *p, size_t n) { memcpy(f->b + f->n, p, n); f->n += n; }
static void zeros(struct fb *f, size_t n) { memset(f->b + f->n, 0, n); f->n += n; }
static void set16(struct fb *f, size_t off, unsigned int v)
{
	f->b[off] = (uint8_t)(v >> 8);
	f->b[off + 1] = (uint8_t)v;
}

static const uint8_t MAC_A[6] = { 0x02, 0, 0, 0, 0, 0x01 };
static const uint8_t MAC_B[6] = { 0x02, 0, 0, 0, 0, 0x02 };

static void eth(struct fb *f, unsigned int type)
{
	bytes(f, MAC_B, 6);
	bytes(f, MAC_A, 6);
	u16(f, type);
}

/* IPv4 header without options; the total length is patched by ip4_done. */
static void ip4(struct fb *f, unsigned int proto, uint32_t src, uint32_t dst, unsigned int frag)
{
	f->l3 = f->n;
	u8(f, 0x45); u8(f, 0); u16(f, 0); u16(f, 0x1234); u16(f, frag);
	u8(f, 64); u8(f, proto); u16(f, 0); u32(f, src); u32(f, dst);
	f->l4 = f->n;
}

static void ip4_done(struct fb *f) { set16(f, f->l3 + 2, (unsigned int)(f->n - f->l3)); }

static void ip6(struct fb *f, unsigned int nh, unsigned int last_src, unsigned int last_dst)
{
	uint8_t a[16] = { 0x20, 0x01, 0x0d, 0xb8 };

	f->l3 = f->n;
	u32(f, 0x60000000); u16(f, 0); u8(f, nh); u8(f, 64);
	a[15] = (uint8_t)last_src;
	bytes(f, a, 16);
	a[15] = (uint8_t)last_dst;
	bytes(f, a, 16);
	f->l4 = f->n;
}

static void ip6_done(struct fb *f) { set16(f, f->l3 + 4, (unsigned int)(f->n - f->l3 - 40)); }

static void tcp(struct fb *f, unsigned int sport, unsigned int dport, uint32_t seq, uint32_t ack,
		unsigned int flags, unsigned int win, const uint8_t *opts, size_t optlen)
{
	f->l4 = f->n;
	u16(f, sport); u16(f, dport); u32(f, seq); u32(f, ack);
	u8(f, (unsigned int)((20 + optlen) / 4) << 4); u8(f, flags); u16(f, win);
	u16(f, 0); u16(f, 0);
	if (optlen)
		bytes(f, opts, optlen);
}

static void udp(struct fb *f, unsigned int sport, unsigned int dport, size_t payload)
{
	f->l4 = f->n;
	u16(f, sport); u16(f, dport); u16(f, (unsigned int)(8 + payload)); u16(f, 0);
	zeros(f, payload);
}

#define IP(a, b, c, d) ((uint32_t)(a) << 24 | (b) << 16 | (c) << 8 | (d))

/* Decodes f with caplen bytes copied into an exact-size heap buffer, so that ASan catches
 * any read past caplen. */
static void run(struct decode_state *st, int dlt, const struct fb *f, size_t caplen,
		struct decode_info *d)
{
	uint8_t *copy = malloc(caplen ? caplen : 1);

	cr_assert_not_null(copy);
	memcpy(copy, f->b, caplen);
	decode_packet(st, dlt, copy, (uint32_t)caplen, (uint32_t)f->n, d);
	free(copy);
}

static void expect_line(int dlt, const struct fb *f, const char *want)
{
	struct decode_state st;
	struct decode_info d;

	decode_state_init(&st, NULL);
	run(&st, dlt, f, f->n, &d);
	cr_expect_str_eq(d.line, want);
	cr_expect_not(d.truncated, "not truncated: %s", d.line);
}

/* ---- full frames ---------------------------------------------------------------------- */

static const uint8_t SYN_OPTS[] = { 2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0,
				    1, 3, 3, 7 };

Test(decode, tcp_syn_with_options)
{
	struct fb f = { 0 };
	struct decode_state st;
	struct decode_info d;

	eth(&f, 0x0800);
	ip4(&f, 6, IP(198, 18, 0, 1), IP(198, 18, 0, 2), 0x4000);
	tcp(&f, 40000, 7777, 1000, 0, 0x02, 64240, SYN_OPTS, sizeof(SYN_OPTS));
	ip4_done(&f);
	expect_line(DLT_EN10MB, &f,
		    "IP 198.18.0.1.40000 > 198.18.0.2.7777: Flags [S], seq 1000, win 64240, "
		    "options [mss 1460,sackOK,TS val 1 ecr 0,nop,wscale 7], length 0");
	decode_state_init(&st, NULL);
	run(&st, DLT_EN10MB, &f, f.n, &d);
	cr_expect_str_eq(d.net, "ipv4");
	cr_expect_str_eq(d.proto, "tcp");
	cr_expect_str_eq(d.src, "198.18.0.1");
	cr_expect_str_eq(d.dst, "198.18.0.2");
	cr_expect_eq(d.sport, 40000);
	cr_expect_eq(d.dport, 7777);
	cr_expect_str_eq(d.tcp_flags, "S");
	cr_expect_eq(d.seq, 1000);
	cr_expect_eq(d.ack, -1);
	cr_expect_eq(d.win, 64240);
	cr_expect_eq(d.length, 0);
	cr_expect_str_eq(d.src_mac, "02:00:00:00:00:01");
	cr_expect_str_eq(d.dst_mac, "02:00:00:00:00:02");
	cr_expect_eq(d.ethertype, 0x0800);
	cr_expect_eq(d.vlan, -1);
}

/* A handshake, data and close: after the SYN-ACK tcpdump prints seq/ack relative. */
Test(decode, tcp_relative_sequence_numbers)
{
	static const struct {
		int dir;
		uint32_t seq, ack;
		unsigned int flags;
		size_t payload;
		const char *want;
	} segs[] = {
		{ 0, 5000, 0, 0x02, 0, "IP 10.0.0.1.40000 > 10.0.0.2.7: Flags [S], seq 5000, win 500, length 0" },
		{ 1, 9000, 5001, 0x12, 0, "IP 10.0.0.2.7 > 10.0.0.1.40000: Flags [S.], seq 9000, ack 5001, win 500, length 0" },
		{ 0, 5001, 9001, 0x10, 0, "IP 10.0.0.1.40000 > 10.0.0.2.7: Flags [.], ack 1, win 500, length 0" },
		{ 0, 5001, 9001, 0x18, 6, "IP 10.0.0.1.40000 > 10.0.0.2.7: Flags [P.], seq 1:7, ack 1, win 500, length 6" },
		{ 1, 9001, 5007, 0x18, 6, "IP 10.0.0.2.7 > 10.0.0.1.40000: Flags [P.], seq 1:7, ack 7, win 500, length 6" },
		{ 0, 5007, 9007, 0x11, 0, "IP 10.0.0.1.40000 > 10.0.0.2.7: Flags [F.], seq 7, ack 7, win 500, length 0" },
		{ 1, 9007, 5008, 0x14, 0, "IP 10.0.0.2.7 > 10.0.0.1.40000: Flags [R.], seq 7, ack 8, win 500, length 0" },
	};
	struct decode_state st;
	struct decode_info d;

	decode_state_init(&st, NULL);
	for (size_t i = 0; i < sizeof(segs) / sizeof(segs[0]); i++) {
		struct fb f = { 0 };
		uint32_t a = IP(10, 0, 0, 1), b = IP(10, 0, 0, 2);

		eth(&f, 0x0800);
		ip4(&f, 6, segs[i].dir ? b : a, segs[i].dir ? a : b, 0);
		tcp(&f, segs[i].dir ? 7 : 40000, segs[i].dir ? 40000 : 7, segs[i].seq, segs[i].ack,
		    segs[i].flags, 500, NULL, 0);
		zeros(&f, segs[i].payload);
		ip4_done(&f);
		run(&st, DLT_EN10MB, &f, f.n, &d);
		cr_expect_str_eq(d.line, segs[i].want, "segment %zu", i);
	}
}

Test(decode, tcp_conversation_table_wraps)
{
	struct decode_state st;
	struct decode_info d;

	decode_state_init(&st, NULL);
	for (unsigned int i = 0; i < 3 * DECODE_TCP_CONVS; i++) {
		struct fb f = { 0 };

		eth(&f, 0x0800);
		ip4(&f, 6, IP(10, 0, 0, 1), IP(10, 0, 0, 2), 0);
		tcp(&f, 1000 + i, 80, 100 + i, 200, 0x10, 1, NULL, 0);
		ip4_done(&f);
		run(&st, DLT_EN10MB, &f, f.n, &d);
		cr_assert_eq(d.ack, 200); /* first ACK of a conversation: absolute */
		run(&st, DLT_EN10MB, &f, f.n, &d);
		cr_assert_eq(d.ack, 1); /* the same again: relative to the first */
	}
}

Test(decode, udp_ipv4_and_vlan_tags)
{
	struct fb f = { 0 }, v = { 0 }, q = { 0 };
	struct decode_state st;
	struct decode_info d;
	const char *want = "IP 198.18.0.1.45851 > 198.18.0.2.9999: UDP, length 3";

	eth(&f, 0x0800);
	ip4(&f, 17, IP(198, 18, 0, 1), IP(198, 18, 0, 2), 0);
	udp(&f, 45851, 9999, 3);
	ip4_done(&f);
	expect_line(DLT_EN10MB, &f, want);

	/* tcpdump shows VLAN tags only with -e: the line is the same, the field has the id. */
	eth(&v, 0x8100);
	u16(&v, 0x2000 | 100);
	u16(&v, 0x0800);
	ip4(&v, 17, IP(198, 18, 0, 1), IP(198, 18, 0, 2), 0);
	udp(&v, 45851, 9999, 3);
	ip4_done(&v);
	expect_line(DLT_EN10MB, &v, want);
	decode_state_init(&st, NULL);
	run(&st, DLT_EN10MB, &v, v.n, &d);
	cr_expect_eq(d.vlan, 100);
	cr_expect_eq(d.length, 3);

	eth(&q, 0x88a8);
	u16(&q, 300);
	u16(&q, 0x8100);
	u16(&q, 42);
	u16(&q, 0x0800);
	ip4(&q, 17, IP(198, 18, 0, 1), IP(198, 18, 0, 2), 0);
	udp(&q, 45851, 9999, 3);
	ip4_done(&q);
	expect_line(DLT_EN10MB, &q, want);
	run(&st, DLT_EN10MB, &q, q.n, &d);
	cr_expect_eq(d.vlan, 300);
}

Test(decode, ethernet_padding_is_not_payload)
{
	struct fb f = { 0 };

	eth(&f, 0x0800);
	ip4(&f, 17, IP(198, 18, 0, 1), IP(198, 18, 0, 2), 0);
	udp(&f, 1000, 2000, 1);
	ip4_done(&f);
	zeros(&f, 60 - f.n); /* minimum Ethernet frame */
	expect_line(DLT_EN10MB, &f, "IP 198.18.0.1.1000 > 198.18.0.2.2000: UDP, length 1");
}

Test(decode, icmp_echo_and_unreachable)
{
	struct fb e = { 0 }, u = { 0 };

	eth(&e, 0x0800);
	ip4(&e, 1, IP(198, 18, 0, 1), IP(198, 18, 0, 2), 0x4000);
	u8(&e, 8); u8(&e, 0); u16(&e, 0); u16(&e, 5669); u16(&e, 1);
	zeros(&e, 56);
	ip4_done(&e);
	expect_line(DLT_EN10MB, &e,
		    "IP 198.18.0.1 > 198.18.0.2: ICMP echo request, id 5669, seq 1, length 64");

	/* Port unreachable quoting the UDP datagram 198.18.0.1.51918 > 198.18.0.3.9998. */
	eth(&u, 0x0800);
	ip4(&u, 1, IP(198, 18, 0, 3), IP(198, 18, 0, 1), 0);
	u8(&u, 3); u8(&u, 3); u16(&u, 0); u32(&u, 0);
	{
		size_t inner = u.n;

		u8(&u, 0x45); u8(&u, 0); u16(&u, 31); u32(&u, 0); u8(&u, 64); u8(&u, 17);
		u16(&u, 0); u32(&u, IP(198, 18, 0, 1)); u32(&u, IP(198, 18, 0, 3));
		cr_assert_eq(u.n - inner, 20);
		u16(&u, 51918); u16(&u, 9998); u16(&u, 11); u16(&u, 0); zeros(&u, 3);
	}
	ip4_done(&u);
	expect_line(DLT_EN10MB, &u,
		    "IP 198.18.0.3 > 198.18.0.1: ICMP 198.18.0.3 udp port 9998 unreachable, length 39");
}

Test(decode, ipv4_later_fragment_and_unknown_protocol)
{
	struct fb f = { 0 }, g = { 0 };

	eth(&f, 0x0800);
	ip4(&f, 1, IP(198, 18, 0, 1), IP(198, 18, 0, 2), 185); /* offset 1480 */
	zeros(&f, 528);
	ip4_done(&f);
	expect_line(DLT_EN10MB, &f, "IP 198.18.0.1 > 198.18.0.2: ip-proto-1");

	eth(&g, 0x0800);
	ip4(&g, 253, IP(198, 18, 0, 1), IP(198, 18, 0, 2), 0);
	zeros(&g, 20);
	ip4_done(&g);
	expect_line(DLT_EN10MB, &g, "IP 198.18.0.1 > 198.18.0.2:  ip-proto-253 20");
}

static void arp(struct fb *f, unsigned int op, const uint8_t *tha, uint32_t spa, uint32_t tpa)
{
	eth(f, 0x0806);
	f->l3 = f->n;
	u16(f, 1); u16(f, 0x0800); u8(f, 6); u8(f, 4); u16(f, op);
	bytes(f, MAC_A, 6); u32(f, spa); bytes(f, tha, 6); u32(f, tpa);
}

Test(decode, arp_request_and_reply)
{
	static const uint8_t zero[6];
	struct fb r = { 0 }, p = { 0 }, w = { 0 };

	arp(&r, 1, zero, IP(198, 18, 0, 1), IP(198, 18, 0, 2));
	expect_line(DLT_EN10MB, &r, "ARP, Request who-has 198.18.0.2 tell 198.18.0.1, length 28");
	arp(&p, 2, MAC_B, IP(198, 18, 0, 2), IP(198, 18, 0, 1));
	expect_line(DLT_EN10MB, &p, "ARP, Reply 198.18.0.2 is-at 02:00:00:00:00:01, length 28");
	/* A known target hardware address is shown; padding counts in the length. */
	arp(&w, 1, MAC_B, IP(198, 18, 0, 1), IP(198, 18, 0, 2));
	zeros(&w, 18);
	expect_line(DLT_EN10MB, &w,
		    "ARP, Request who-has 198.18.0.2 (02:00:00:00:00:02) tell 198.18.0.1, length 46");
}

Test(decode, ipv6_icmp6_and_extension_headers)
{
	struct fb e = { 0 }, ns = { 0 }, mld = { 0 }, t = { 0 };
	uint8_t tgt[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 };

	eth(&e, 0x86dd);
	ip6(&e, 58, 1, 2);
	u8(&e, 128); u8(&e, 0); u16(&e, 0); u16(&e, 5670); u16(&e, 1); zeros(&e, 56);
	ip6_done(&e);
	expect_line(DLT_EN10MB, &e,
		    "IP6 2001:db8::1 > 2001:db8::2: ICMP6, echo request, id 5670, seq 1, length 64");

	eth(&ns, 0x86dd);
	ip6(&ns, 58, 1, 2);
	u8(&ns, 135); u8(&ns, 0); u16(&ns, 0); u32(&ns, 0); bytes(&ns, tgt, 16);
	u8(&ns, 1); u8(&ns, 1); bytes(&ns, MAC_A, 6);
	ip6_done(&ns);
	expect_line(DLT_EN10MB, &ns,
		    "IP6 2001:db8::1 > 2001:db8::2: ICMP6, neighbor solicitation, who has 2001:db8::2, length 32");

	/* Hop-by-hop (router alert) then an MLDv2 report with 2 records. */
	eth(&mld, 0x86dd);
	ip6(&mld, 0, 1, 2);
	u8(&mld, 58); u8(&mld, 0); u8(&mld, 5); u8(&mld, 2); u16(&mld, 0); u8(&mld, 1); u8(&mld, 0);
	u8(&mld, 143); u8(&mld, 0); u16(&mld, 0); u16(&mld, 0); u16(&mld, 2); zeros(&mld, 40);
	ip6_done(&mld);
	expect_line(DLT_EN10MB, &mld,
		    "IP6 2001:db8::1 > 2001:db8::2: HBH ICMP6, multicast listener report v2, 2 group record(s), length 48");

	eth(&t, 0x86dd);
	ip6(&t, 6, 1, 2);
	tcp(&t, 57040, 7777, 3430793605u, 0, 0x02, 64800, NULL, 0);
	ip6_done(&t);
	expect_line(DLT_EN10MB, &t,
		    "IP6 2001:db8::1.57040 > 2001:db8::2.7777: Flags [S], seq 3430793605, win 64800, length 0");
}

/* IGMP with the router-alert option (IHL 6), as hosts send it. */
static void igmp(struct fb *f, const uint8_t *msg, size_t n)
{
	static const uint8_t router_alert[4] = { 0x94, 4, 0, 0 };

	eth(f, 0x0800);
	ip4(f, 2, IP(198, 18, 0, 1), IP(224, 0, 0, 22), 0);
	f->b[f->l3] = 0x46;
	bytes(f, router_alert, 4);
	bytes(f, msg, n);
	ip4_done(f);
}

Test(decode, igmp_and_ipv4_options)
{
	static const uint8_t v3_report[] = { 0x22, 0, 0, 0, 0, 0, 0, 1, 4, 0, 0, 0, 224, 0, 0, 251 };
	static const uint8_t v3_query[] = { 0x11, 200, 0, 0, 0, 0, 0, 0, 2, 125, 0, 0 };
	static const uint8_t v2_report[] = { 0x16, 0, 0, 0, 224, 0, 0, 251 };
	struct fb r = { 0 }, q = { 0 }, v = { 0 };
	struct decode_state st;
	struct decode_info d;

	igmp(&r, v3_report, sizeof(v3_report));
	expect_line(DLT_EN10MB, &r, "IP 198.18.0.1 > 224.0.0.22: igmp v3 report, 1 group record(s)");
	igmp(&q, v3_query, sizeof(v3_query)); /* max resp code 200: 3072 tenths of a second */
	expect_line(DLT_EN10MB, &q, "IP 198.18.0.1 > 224.0.0.22: igmp query v3 [max resp time 5m7s]");
	igmp(&v, v2_report, sizeof(v2_report));
	expect_line(DLT_EN10MB, &v, "IP 198.18.0.1 > 224.0.0.22: igmp v2 report 224.0.0.251");
	/* Cut inside the options. */
	decode_state_init(&st, NULL);
	run(&st, DLT_EN10MB, &v, 14 + 22, &d);
	cr_expect_str_eq(d.line, "IP 198.18.0.1 > 224.0.0.22:  [remaining caplen(22) < header "
		    "length(24)] [|ip]");
	cr_expect(d.truncated);
}

/* A DNS message on UDP port 53, query (client 40000 -> 53) or response. */
static void dns(struct fb *f, bool query, const uint8_t *msg, size_t n)
{
	eth(f, 0x0800);
	ip4(f, 17, query ? IP(198, 18, 0, 1) : IP(198, 18, 0, 2),
	    query ? IP(198, 18, 0, 2) : IP(198, 18, 0, 1), 0);
	udp(f, query ? 40000 : 53, query ? 53 : 40000, 0);
	set16(f, f->l4 + 4, (unsigned int)(8 + n));
	bytes(f, msg, n);
	ip4_done(f);
}

#define EXAMPLE_COM 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0

Test(decode, dns_query_and_responses)
{
	static const uint8_t query[] = { 0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0,
					 EXAMPLE_COM, 0, 1, 0, 1 };
	/* Answer A 93.184.216.34 for the name at offset 12 (pointer 0xc00c). */
	static const uint8_t answer[] = { 0x12, 0x34, 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0,
					  EXAMPLE_COM, 0, 1, 0, 1, 0xc0, 0x0c, 0, 1, 0, 1,
					  0, 0, 1, 44, 0, 4, 93, 184, 216, 34 };
	static const uint8_t nxdomain[] = { 0, 7, 0x81, 0x83, 0, 1, 0, 0, 0, 0, 0, 0,
					    EXAMPLE_COM, 0, 28, 0, 1 };
	/* A question whose name is a pointer to itself. */
	static const uint8_t loop[] = { 0, 9, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0,
					0xc0, 0x0c, 0, 1, 0, 1 };
	struct fb q = { 0 }, a = { 0 }, nx = { 0 }, l = { 0 };
	struct decode_state st;
	struct decode_info d;

	dns(&q, true, query, sizeof(query));
	expect_line(DLT_EN10MB, &q, "IP 198.18.0.1.40000 > 198.18.0.2.53: 4660+ A? example.com. (29)");
	dns(&a, false, answer, sizeof(answer));
	expect_line(DLT_EN10MB, &a,
		    "IP 198.18.0.2.53 > 198.18.0.1.40000: 4660 1/0/0 A 93.184.216.34 (45)");
	dns(&nx, false, nxdomain, sizeof(nxdomain));
	expect_line(DLT_EN10MB, &nx, "IP 198.18.0.2.53 > 198.18.0.1.40000: 7 NXDomain 0/0/0 (29)");
	dns(&l, true, loop, sizeof(loop));
	decode_state_init(&st, NULL);
	run(&st, DLT_EN10MB, &l, l.n, &d);
	cr_expect_str_eq(d.line, "IP 198.18.0.1.40000 > 198.18.0.2.53: 9+ A? <BAD PTR> [|domain]");
	/* Cut inside the answer's data: the type is printed, then the mark. */
	run(&st, DLT_EN10MB, &a, a.n - 2, &d);
	cr_expect_str_eq(d.line, "IP 198.18.0.2.53 > 198.18.0.1.40000: 4660 1/0/0 A [|domain]");
}

Test(decode, random_dns_messages_stay_in_bounds)
{
	struct decode_state st;
	struct decode_info d;
	uint32_t x = 777;

	decode_state_init(&st, NULL);
	for (int n = 0; n < 20000; n++) {
		uint8_t msg[160];
		struct fb f = { 0 };
		size_t len;

		x = x * 1103515245u + 12345u;
		len = (x >> 8) % sizeof(msg);
		for (size_t k = 0; k < len; k++) {
			x = x * 1103515245u + 12345u;
			/* Many small bytes and pointers, so names and counts make sense often. */
			msg[k] = (uint8_t)((x >> 16) % 4 ? (x >> 20) % 8 : (x >> 16));
		}
		dns(&f, n % 2, msg, len);
		run(&st, DLT_EN10MB, &f, f.n - (n % 5 ? 0 : (x >> 24) % (len + 1)), &d);
		cr_assert(strlen(d.line) < sizeof(d.line));
	}
}

/* Formats checked against tcpdump 4.99 on the same bytes, quirks included. */
Test(decode, ipv6_routing_header_and_mld)
{
	struct fb r = { 0 }, m = { 0 };
	uint8_t a5[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 5 };
	uint8_t grp[16] = { 0xff, 0x02, [15] = 0xfb };

	eth(&r, 0x86dd);
	ip6(&r, 43, 1, 2);
	u8(&r, 17); u8(&r, 2); u8(&r, 0); u8(&r, 1); u32(&r, 0); bytes(&r, a5, 16);
	udp(&r, 5, 6, 2);
	ip6_done(&r);
	expect_line(DLT_EN10MB, &r, "IP6 2001:db8::1 > 2001:db8::2: RT6 (len=2, type=0 [Deprecated], "
		    "segleft=1, [0]2001:db8::5) 5 > 6: UDP, length 2");

	eth(&m, 0x86dd);
	ip6(&m, 58, 1, 2);
	u8(&m, 131); u8(&m, 0); u16(&m, 0); u16(&m, 0); u16(&m, 0); bytes(&m, grp, 16);
	ip6_done(&m);
	expect_line(DLT_EN10MB, &m, "IP6 2001:db8::1 > 2001:db8::2: ICMP6, multicast listener "
		    "reportmax resp delay: 0 addr: ff02::fb, length 24");
}

Test(decode, other_ethertypes_are_summarized)
{
	struct fb f = { 0 }, l = { 0 };

	eth(&f, 0x88b5);
	zeros(&f, 46);
	expect_line(DLT_EN10MB, &f,
		    "02:00:00:00:00:01 > 02:00:00:00:00:02, ethertype Unknown (0x88b5), length 60: ");
	eth(&l, 0x88cc);
	zeros(&l, 10);
	expect_line(DLT_EN10MB, &l,
		    "02:00:00:00:00:01 > 02:00:00:00:00:02, ethertype LLDP (0x88cc), length 24: ");
}

static bool fake_ifname(uint32_t ifindex, char name[16])
{
	if (ifindex != 7)
		return false;
	strcpy(name, "veth7");
	return true;
}

Test(decode, cooked_and_raw_link_types)
{
	struct fb s2 = { 0 }, s1 = { 0 }, raw = { 0 };
	struct decode_state st;
	struct decode_info d;

	/* SLL2: protocol, reserved, ifindex, hatype, pkttype (4 = outgoing), halen, address. */
	u16(&s2, 0x0800); u16(&s2, 0); u32(&s2, 7); u16(&s2, 1); u8(&s2, 4); u8(&s2, 6);
	bytes(&s2, MAC_A, 6); u16(&s2, 0);
	ip4(&s2, 17, IP(198, 18, 0, 1), IP(198, 18, 0, 2), 0);
	udp(&s2, 1, 2, 0);
	ip4_done(&s2);
	decode_state_init(&st, fake_ifname);
	run(&st, DLT_LINUX_SLL2, &s2, s2.n, &d);
	cr_expect_str_eq(d.line, "veth7 Out IP 198.18.0.1.1 > 198.18.0.2.2: UDP, length 0");
	decode_state_init(&st, NULL);
	run(&st, DLT_LINUX_SLL2, &s2, s2.n, &d);
	cr_expect_str_eq(d.line, "?     Out IP 198.18.0.1.1 > 198.18.0.2.2: UDP, length 0");

	/* SLL v1: pkttype, hatype, halen, address[8], protocol. */
	u16(&s1, 0); u16(&s1, 1); u16(&s1, 6); bytes(&s1, MAC_A, 6); u16(&s1, 0); u16(&s1, 0x0800);
	ip4(&s1, 17, IP(198, 18, 0, 1), IP(198, 18, 0, 2), 0);
	udp(&s1, 1, 2, 0);
	ip4_done(&s1);
	expect_line(DLT_LINUX_SLL, &s1, "IP 198.18.0.1.1 > 198.18.0.2.2: UDP, length 0");

	ip6(&raw, 17, 1, 3);
	udp(&raw, 1, 2, 4);
	ip6_done(&raw);
	expect_line(DLT_RAW, &raw, "IP6 2001:db8::1.1 > 2001:db8::3.2: UDP, length 4");
	expect_line(DLT_IPV6, &raw, "IP6 2001:db8::1.1 > 2001:db8::3.2: UDP, length 4");
}

Test(decode, tcp_option_kinds)
{
	static const uint8_t opts[] = { 99, 4, 0xab, 0xcd, 6, 6, 0, 0, 0, 7, 3, 3, 7, 1, 0, 0 };
	struct fb f = { 0 };

	eth(&f, 0x0800);
	ip4(&f, 6, IP(1, 2, 3, 4), IP(5, 6, 7, 8), 0);
	tcp(&f, 1, 2, 5, 0, 0x02, 9, opts, sizeof(opts));
	ip4_done(&f);
	expect_line(DLT_EN10MB, &f, "IP 1.2.3.4.1 > 5.6.7.8.2: Flags [S], seq 5, win 9, "
		    "options [unknown-99 0xabcd,echo 7,wscale 7,nop,eol], length 0");
}

/* SACK blocks are printed relative to the conversation's first numbers, like seq/ack. */
Test(decode, tcp_sack_blocks_are_relative)
{
	static const uint8_t sack[] = { 1, 1, 5, 10, 0, 0, 0x03, 0xe9, 0, 0, 0x03, 0xf3 };
	struct decode_state st;
	struct decode_info d;
	struct fb a = { 0 }, b = { 0 };

	decode_state_init(&st, NULL);
	eth(&a, 0x0800);
	ip4(&a, 6, IP(1, 2, 3, 4), IP(5, 6, 7, 8), 0);
	tcp(&a, 1, 2, 100, 1000, 0x10, 9, NULL, 0);
	ip4_done(&a);
	run(&st, DLT_EN10MB, &a, a.n, &d);
	cr_expect_str_eq(d.line, "IP 1.2.3.4.1 > 5.6.7.8.2: Flags [.], ack 1000, win 9, length 0");
	/* Same direction, SACK 1001..1011: offsets from the recorded ack (999) as tcpdump does. */
	eth(&b, 0x0800);
	ip4(&b, 6, IP(1, 2, 3, 4), IP(5, 6, 7, 8), 0);
	tcp(&b, 1, 2, 100, 1000, 0x10, 9, sack, sizeof(sack));
	ip4_done(&b);
	run(&st, DLT_EN10MB, &b, b.n, &d);
	cr_expect_str_eq(d.line, "IP 1.2.3.4.1 > 5.6.7.8.2: Flags [.], ack 1, win 9, "
		    "options [nop,nop,sack 1 {2:12}], length 0");
}

/* ---- malformed headers ---------------------------------------------------------------- */

Test(decode, malformed_headers)
{
	struct fb h = { 0 }, t = { 0 }, o = { 0 }, u = { 0 }, m = { 0 };
	static const uint8_t zero_len_opt[] = { 2, 0, 0, 0 };

	eth(&h, 0x0800);
	ip4(&h, 6, IP(1, 2, 3, 4), IP(5, 6, 7, 8), 0);
	h.b[h.l3] = 0x43; /* IHL 3: 12 bytes */
	ip4_done(&h);
	expect_line(DLT_EN10MB, &h, "IP bad-hlen 12");

	eth(&t, 0x0800);
	ip4(&t, 6, IP(1, 2, 3, 4), IP(5, 6, 7, 8), 0);
	tcp(&t, 1, 2, 0, 0, 0x02, 0, NULL, 0);
	t.b[t.l4 + 12] = 0x30; /* data offset 12 bytes */
	ip4_done(&t);
	expect_line(DLT_EN10MB, &t,
		    "IP 1.2.3.4.1 > 5.6.7.8.2:  tcp 8 [bad hdr length 12 - too short, < 20]");

	eth(&o, 0x0800);
	ip4(&o, 6, IP(1, 2, 3, 4), IP(5, 6, 7, 8), 0);
	tcp(&o, 1, 2, 9, 0, 0x02, 0, zero_len_opt, sizeof(zero_len_opt));
	ip4_done(&o);
	expect_line(DLT_EN10MB, &o,
		    "IP 1.2.3.4.1 > 5.6.7.8.2: Flags [S], seq 9, win 0, options [[bad opt]");

	eth(&u, 0x0800);
	ip4(&u, 17, IP(1, 2, 3, 4), IP(5, 6, 7, 8), 0);
	udp(&u, 1, 2, 0);
	set16(&u, u.l4 + 4, 4);
	ip4_done(&u);
	expect_line(DLT_EN10MB, &u, "IP 1.2.3.4.1 > 5.6.7.8.2: truncated-udplength 4");

	/* IP total length larger than the frame: tcpdump says how much is missing. */
	eth(&m, 0x0800);
	ip4(&m, 17, IP(1, 2, 3, 4), IP(5, 6, 7, 8), 0);
	udp(&m, 1, 2, 2);
	set16(&m, m.l4 + 4, 20);
	set16(&m, m.l3 + 2, 40);
	expect_line(DLT_EN10MB, &m,
		    "IP truncated-ip - 10 bytes missing! 1.2.3.4.1 > 5.6.7.8.2: UDP, length 12");
}

/* ---- truncation at every length ------------------------------------------------------- */

/* For caplen 0..n the line must end with the mark of the header that caplen cuts. */
struct cut {
	size_t upto;       /* caplen below this ... */
	const char *mark;  /* ... ends the line with this */
};

static void sweep(const struct fb *f, const struct cut *cuts, size_t ncuts, const char *full)
{
	struct decode_state st;
	struct decode_info d;

	for (size_t cap = 0; cap <= f->n; cap++) {
		const char *want = NULL;

		decode_state_init(&st, NULL); /* each cut is a first sight: absolute seq/ack */
		for (size_t i = 0; i < ncuts && !want; i++)
			if (cap < cuts[i].upto)
				want = cuts[i].mark;
		run(&st, DLT_EN10MB, f, cap, &d);
		if (!want) {
			cr_expect_str_eq(d.line, full, "caplen %zu", cap);
			cr_expect_not(d.truncated, "caplen %zu", cap);
			continue;
		}
		cr_expect(d.truncated, "caplen %zu: %s", cap, d.line);
		size_t ll = strlen(d.line), ml = strlen(want);
		cr_expect(ll >= ml && !strcmp(d.line + ll - ml, want), "caplen %zu: [%s] wants %s",
			  cap, d.line, want);
	}
}

Test(decode, truncated_tcp_at_every_length)
{
	struct fb f = { 0 };
	static const uint8_t opts[] = { 2, 4, 0x05, 0xb4, 1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2 };
	const struct cut cuts[] = {
		{ 14, " [|ether]" }, { 15, " [|ip]" }, { 34, "IP  [|ip]" },
		{ 38, "IP 1.2.3.4 > 5.6.7.8: [|tcp]" }, { 54, "5.6.7.8.2:  [|tcp]" },
		{ 56, "options [ [|tcp]" }, { 58, "options [mss [|tcp]" },
		{ 59, "options [mss 1460, [|tcp]" }, { 60, "options [mss 1460,nop, [|tcp]" },
		{ 62, "options [mss 1460,nop,nop, [|tcp]" },
		{ 70, "options [mss 1460,nop,nop,TS [|tcp]>" },
	};

	eth(&f, 0x0800);
	ip4(&f, 6, IP(1, 2, 3, 4), IP(5, 6, 7, 8), 0);
	tcp(&f, 1, 2, 7, 9, 0x18, 3, opts, sizeof(opts));
	zeros(&f, 5);
	ip4_done(&f);
	/* cap 34..37: ports missing: "a > b:" then the mark. */
	sweep(&f, cuts, sizeof(cuts) / sizeof(cuts[0]),
	      "IP 1.2.3.4.1 > 5.6.7.8.2: Flags [P.], seq 7:12, ack 9, win 3, "
	      "options [mss 1460,nop,nop,TS val 1 ecr 2], length 5");
}

Test(decode, truncated_udp6_arp_icmp_at_every_length)
{
	struct fb u = { 0 }, a = { 0 }, i = { 0 };
	static const uint8_t zero[6];
	const struct cut ucuts[] = { { 14, " [|ether]" }, { 54, " [|ip6]" },
				     { 58, "2001:db8::2:  [|udp]" }, { 62, "2001:db8::2.2:  [|udp]" } };
	const struct cut acuts[] = { { 14, " [|ether]" }, { 42, " [|arp]" } };
	const struct cut icuts[] = { { 14, " [|ether]" }, { 15, " [|ip]" }, { 34, "IP  [|ip]" },
				     { 42, "IP 1.2.3.4 > 5.6.7.8:  [|icmp]" } };

	eth(&u, 0x86dd);
	ip6(&u, 17, 1, 2);
	udp(&u, 1, 2, 3);
	ip6_done(&u);
	sweep(&u, ucuts, 4, "IP6 2001:db8::1.1 > 2001:db8::2.2: UDP, length 3");

	arp(&a, 1, zero, IP(1, 2, 3, 4), IP(5, 6, 7, 8));
	sweep(&a, acuts, 2, "ARP, Request who-has 5.6.7.8 tell 1.2.3.4, length 28");

	eth(&i, 0x0800);
	ip4(&i, 1, IP(1, 2, 3, 4), IP(5, 6, 7, 8), 0);
	u8(&i, 0); u8(&i, 0); u16(&i, 0); u16(&i, 3); u16(&i, 4); zeros(&i, 8);
	ip4_done(&i);
	sweep(&i, icuts, 4, "IP 1.2.3.4 > 5.6.7.8: ICMP echo reply, id 3, seq 4, length 16");
}

/* ---- random bytes --------------------------------------------------------------------- */

Test(decode, random_frames_stay_in_bounds)
{
	static const int dlts[] = { DLT_EN10MB, DLT_LINUX_SLL, DLT_LINUX_SLL2, DLT_RAW, DLT_IPV4,
				    DLT_IPV6, 9999 };
	struct decode_state st;
	struct decode_info d;
	uint32_t x = 12345;

	decode_state_init(&st, NULL);
	for (int n = 0; n < 20000; n++) {
		struct fb f = { 0 };
		size_t len;

		x = x * 1103515245u + 12345u;
		len = (x >> 8) % 200;
		for (size_t k = 0; k < len; k++) {
			x = x * 1103515245u + 12345u;
			f.b[k] = (uint8_t)(x >> 16);
		}
		/* Steer a share of them into the interesting headers. */
		if (len > 24 && n % 3 == 0) {
			f.b[12] = n % 2 ? 0x08 : 0x86;
			f.b[13] = n % 2 ? 0x00 : 0xdd;
			f.b[14] = n % 2 ? (uint8_t)(0x45 + n % 4) : 0x60;
		}
		f.n = len;
		run(&st, dlts[n % 7], &f, len, &d);
		cr_assert(strlen(d.line) < sizeof(d.line));
	}
}
