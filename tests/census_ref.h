/* What the census must count for one Ethernet frame, restated in plain C from the RFCs (IEEE
 * 802.1Q, RFC 791, 8200, 4302, 9293, 792, 4443) for differential tests against the BPF parser. */
#ifndef XDPSCOPE_TEST_CENSUS_REF_H
#define XDPSCOPE_TEST_CENSUS_REF_H

#include <stddef.h>
#include <stdint.h>

#include "census.h"

/* The census's rules, as this file states them:
 * - Ethernet II; up to two VLAN tags (0x8100 or 0x88a8) are skipped; a third tag, or any
 *   ethertype other than IPv4/IPv6 after them, is not counted. A cut tag is malformed.
 * - IPv4: the header must be whole, version 4, IHL >= 5, total length >= header length and
 *   within the frame (Ethernet padding after it is fine). Checksums are not verified.
 * - IPv6: the fixed header must be whole, version 6, 40 + payload length within the frame.
 *   Hop-by-hop (0), routing (43), fragment (44), destination options (60) and AH (51) headers
 *   are followed, at most CENSUS_REF_MAX_EXT of them; a longer chain is not counted. Each must
 *   fit in the payload length.
 * - A non-first fragment (offset != 0) of any protocol counts as a fragment.
 * - TCP: 20 bytes and the data offset (>= 5 words) must fit in the IP payload; the source port
 *   counts, ports above max_port under CENSUS_PORT_ABOVE.
 * - ICMP (protocol 1 in IPv4) and ICMPv6 (58 in IPv6): fewer than 8 bytes is malformed; an echo
 *   reply (type 0 / type 129) counts for its source; other types are not counted.
 * - Everything else is not counted. */
#define CENSUS_REF_MAX_EXT 6

enum census_ref_kind {
	CENSUS_REF_NOTHING,
	CENSUS_REF_PORT,
	CENSUS_REF_ICMP_REPLY,
	CENSUS_REF_MALFORMED,
	CENSUS_REF_FRAGMENT,
};

struct census_ref {
	enum census_ref_kind kind;
	struct census_addr src; /* PORT and ICMP_REPLY; all zero otherwise */
	uint32_t port;          /* PORT: source port or CENSUS_PORT_ABOVE */
	/* How far the walk went, whatever the verdict (fuzzers use it to tell inputs apart). */
	int vlan_tags, ext_headers, family; /* family 0: neither IPv4 nor IPv6 */
};

void census_ref_classify(const uint8_t *frame, size_t len, uint32_t max_port, struct census_ref *out);
const char *census_ref_kind_name(enum census_ref_kind k);

#endif
