/* Crafted Ethernet frames for tests and traffic tools: every length field consistent unless a
 * test asks otherwise, so a test knows exactly what the census must count. */
#ifndef XDPSCOPE_TEST_FRAMES_H
#define XDPSCOPE_TEST_FRAMES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct frame_spec {
	int family;            /* 4 or 6 */
	const char *src, *dst; /* textual addresses */
	uint8_t proto;         /* 6 TCP, 17 UDP, 1 ICMP, 58 ICMPv6 */
	uint16_t sport, dport;
	uint8_t icmp_type;
	uint16_t icmp_id, icmp_seq;
	int vlans;             /* 0, 1 or 2 tags (outer 802.1ad when 2) */
	int ip_opt_words;      /* IPv4 options in 4-byte words (IHL = 5 + this) */
	uint16_t frag_offset;  /* IPv4/IPv6 fragment offset in 8-byte units */
	bool more_frags;
	bool v6_frag_hdr;      /* IPv6: add a fragment header */
	int v6_opt_hdrs;       /* IPv6: hop-by-hop then destination-options headers (0..7) */
	int tcp_doff;          /* TCP data offset in words; 0 means 5 */
	int ihl_override;      /* IPv4: write this IHL instead of the real one (malformed tests) */
	int payload;           /* L4 payload bytes */
};

/* Writes the frame into buf (cap bytes); returns its length, or 0 if it does not fit. */
size_t frame_build(const struct frame_spec *s, uint8_t *buf, size_t cap);

/* Offsets of the headers in the last frame built with this spec (for truncation tests). */
size_t frame_l3_offset(const struct frame_spec *s);

#endif
