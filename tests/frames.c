/* Crafted Ethernet frames, written byte by byte from the RFCs, independent of xdpscope's code. */
#include "frames.h"

#include <arpa/inet.h>
#include <string.h>

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static uint16_t csum(const uint8_t *p, size_t n)
{
	uint32_t sum = 0;

	for (size_t i = 0; i + 1 < n; i += 2)
		sum += (p[i] << 8) | p[i + 1];
	if (n & 1)
		sum += p[n - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return ~sum & 0xffff;
}

size_t frame_l3_offset(const struct frame_spec *s)
{
	return 14 + 4 * (size_t)s->vlans;
}

static size_t l4_len(const struct frame_spec *s)
{
	switch (s->proto) {
	case 6: return 4 * (size_t)(s->tcp_doff ? s->tcp_doff : 5) + s->payload;
	case 17: return 8 + s->payload;
	default: return 8 + s->payload; /* ICMP echo header */
	}
}

static void put_l4(const struct frame_spec *s, uint8_t *p)
{
	size_t n = l4_len(s);

	memset(p, 0, n);
	if (s->proto == 6) {
		int doff = s->tcp_doff ? s->tcp_doff : 5;

		put16(p, s->sport);
		put16(p + 2, s->dport);
		p[12] = (doff & 0xf) << 4;
		p[13] = 0x02; /* SYN */
		put16(p + 14, 64240);
	} else if (s->proto == 17) {
		put16(p, s->sport);
		put16(p + 2, s->dport);
		put16(p + 4, n);
	} else {
		p[0] = s->icmp_type;
		put16(p + 4, s->icmp_id);
		put16(p + 6, s->icmp_seq);
		if (s->proto == 1)
			put16(p + 2, csum(p, n));
	}
	for (size_t i = n - s->payload; i < n; i++)
		p[i] = (uint8_t)i;
}

static size_t put_ipv4(const struct frame_spec *s, uint8_t *p)
{
	size_t hlen = 20 + 4 * (size_t)s->ip_opt_words, tot = hlen + l4_len(s);
	uint16_t frag = s->frag_offset | (s->more_frags ? 0x2000 : 0);

	memset(p, 0, hlen);
	p[0] = 0x40 | ((s->ihl_override ? s->ihl_override : (int)(hlen / 4)) & 0xf);
	put16(p + 2, tot);
	put16(p + 6, frag);
	p[8] = 64;
	p[9] = s->proto;
	inet_pton(AF_INET, s->src, p + 12);
	inet_pton(AF_INET, s->dst, p + 16);
	for (size_t i = 20; i < hlen; i++)
		p[i] = 1; /* NOP options */
	put16(p + 10, csum(p, hlen));
	return hlen;
}

static size_t put_ipv6(const struct frame_spec *s, uint8_t *p)
{
	size_t ext = 8 * (size_t)s->v6_opt_hdrs + (s->v6_frag_hdr ? 8 : 0);
	uint8_t *h = p + 40;

	memset(p, 0, 40 + ext);
	p[0] = 0x60;
	put16(p + 4, ext + l4_len(s));
	p[7] = 64;
	inet_pton(AF_INET6, s->src, p + 8);
	inet_pton(AF_INET6, s->dst, p + 24);
	/* Chain: base -> opt headers -> fragment -> L4; each header's first byte names the next. */
	uint8_t *next = p + 6;
	for (int i = 0; i < s->v6_opt_hdrs; i++) {
		*next = i == 0 ? 0 : 60; /* hop-by-hop may only come first */
		h[1] = 0; /* 8 bytes long; PadN fills the rest */
		h[2] = 1;
		h[3] = 4;
		next = h;
		h += 8;
	}
	if (s->v6_frag_hdr) {
		*next = 44;
		put16(h + 2, (s->frag_offset << 3) | (s->more_frags ? 1 : 0));
		next = h;
		h += 8;
	}
	*next = s->proto;
	return 40 + ext;
}

size_t frame_build(const struct frame_spec *s, uint8_t *buf, size_t cap)
{
	size_t off = 0, need = frame_l3_offset(s) + 40 + 60 + 16 + l4_len(s) + 40;
	static const uint8_t dst_mac[6] = { 0x02, 0, 0, 0, 0, 1 }, src_mac[6] = { 0x02, 0, 0, 0, 0, 2 };

	if (need > cap)
		return 0;
	memcpy(buf, dst_mac, 6);
	memcpy(buf + 6, src_mac, 6);
	off = 12;
	for (int i = 0; i < s->vlans; i++) {
		put16(buf + off, (s->vlans == 2 && i == 0) ? 0x88a8 : 0x8100);
		put16(buf + off + 2, 100 + i);
		off += 4;
	}
	put16(buf + off, s->family == 6 ? 0x86dd : 0x0800);
	off += 2;
	off += s->family == 6 ? put_ipv6(s, buf + off) : put_ipv4(s, buf + off);
	put_l4(s, buf + off);
	return off + l4_len(s);
}
