/* Reference classifier of frames for the census: a plain walk over the headers, one function
 * per protocol, each given exactly the bytes its enclosing header says belong to it. */
#include "census_ref.h"

#include <string.h>

static unsigned int ref_be16(const uint8_t *p)
{
	return (unsigned int)p[0] << 8 | p[1];
}

/* ICMP or ICMPv6 message of n bytes (the IP payload). */
static enum census_ref_kind ref_icmp(const uint8_t *p, size_t n, uint8_t reply_type)
{
	if (n < 8)
		return CENSUS_REF_MALFORMED;
	return p[0] == reply_type ? CENSUS_REF_ICMP_REPLY : CENSUS_REF_NOTHING;
}

/* TCP segment of n bytes. */
static enum census_ref_kind ref_tcp(const uint8_t *p, size_t n, struct census_ref *out)
{
	size_t data_offset;

	if (n < 20)
		return CENSUS_REF_MALFORMED;
	data_offset = (size_t)(p[12] >> 4) * 4;
	if (data_offset < 20 || data_offset > n)
		return CENSUS_REF_MALFORMED;
	out->port = ref_be16(p);
	return CENSUS_REF_PORT;
}

/* IPv4 datagram: n is what the frame holds after the link-layer header. */
static enum census_ref_kind ref_ipv4(const uint8_t *p, size_t n, struct census_ref *out)
{
	size_t ihl, total;

	out->family = 4;
	if (n < 20)
		return CENSUS_REF_MALFORMED;
	ihl = (size_t)(p[0] & 0x0f) * 4;
	total = ref_be16(p + 2);
	if ((p[0] >> 4) != 4 || ihl < 20 || total < ihl || total > n)
		return CENSUS_REF_MALFORMED;
	out->src.family = CENSUS_INET;
	memcpy(&out->src.addr[0], p + 12, 4);
	if (ref_be16(p + 6) & 0x1fff)
		return CENSUS_REF_FRAGMENT;
	if (p[9] == 6)
		return ref_tcp(p + ihl, total - ihl, out);
	if (p[9] == 1)
		return ref_icmp(p + ihl, total - ihl, 0);
	return CENSUS_REF_NOTHING;
}

static int ref_ipv6_ext(uint8_t next)
{
	return next == 0 || next == 43 || next == 44 || next == 60 || next == 51;
}

/* IPv6 packet: n is what the frame holds after the link-layer header. */
static enum census_ref_kind ref_ipv6(const uint8_t *p, size_t n, struct census_ref *out)
{
	size_t left, hdr_len;
	uint8_t next;
	int walked = 0;

	out->family = 6;
	if (n < 40)
		return CENSUS_REF_MALFORMED;
	left = ref_be16(p + 4);
	if ((p[0] >> 4) != 6 || 40 + left > n)
		return CENSUS_REF_MALFORMED;
	out->src.family = CENSUS_INET6;
	memcpy(out->src.addr, p + 8, 16);
	next = p[6];
	p += 40;
	while (ref_ipv6_ext(next)) {
		if (walked++ == CENSUS_REF_MAX_EXT)
			return CENSUS_REF_NOTHING;
		out->ext_headers = walked;
		if (left < 8)
			return CENSUS_REF_MALFORMED;
		if (next == 44) {
			if (ref_be16(p + 2) >> 3) /* fragment offset */
				return CENSUS_REF_FRAGMENT;
			hdr_len = 8;
		} else if (next == 51) {
			hdr_len = ((size_t)p[1] + 2) * 4; /* RFC 4302: 4-octet units minus 2 */
		} else {
			hdr_len = ((size_t)p[1] + 1) * 8; /* RFC 8200: 8-octet units minus 1 */
		}
		if (hdr_len > left)
			return CENSUS_REF_MALFORMED;
		next = p[0];
		p += hdr_len;
		left -= hdr_len;
	}
	if (next == 6)
		return ref_tcp(p, left, out);
	if (next == 58)
		return ref_icmp(p, left, 129);
	return CENSUS_REF_NOTHING;
}

static enum census_ref_kind ref_frame(const uint8_t *f, size_t len, struct census_ref *out)
{
	size_t off = 14;
	unsigned int type;
	int tags = 0;

	if (len < 14)
		return CENSUS_REF_MALFORMED;
	type = ref_be16(f + 12);
	while (type == 0x8100 || type == 0x88a8) {
		if (tags++ == 2)
			return CENSUS_REF_NOTHING;
		if (len - off < 4)
			return CENSUS_REF_MALFORMED;
		type = ref_be16(f + off + 2);
		off += 4;
		out->vlan_tags = tags;
	}
	if (type == 0x0800)
		return ref_ipv4(f + off, len - off, out);
	if (type == 0x86dd)
		return ref_ipv6(f + off, len - off, out);
	return CENSUS_REF_NOTHING;
}

void census_ref_classify(const uint8_t *frame, size_t len, uint32_t max_port, struct census_ref *out)
{
	memset(out, 0, sizeof(*out));
	out->kind = ref_frame(frame, len, out);
	if (out->kind != CENSUS_REF_PORT)
		out->port = 0;
	else if (out->port > max_port)
		out->port = CENSUS_PORT_ABOVE;
	if (out->kind != CENSUS_REF_PORT && out->kind != CENSUS_REF_ICMP_REPLY)
		memset(&out->src, 0, sizeof(out->src));
}

const char *census_ref_kind_name(enum census_ref_kind k)
{
	static const char *const names[] = { "nothing", "port", "icmp-reply", "malformed", "fragment" };

	return (unsigned int)k < sizeof(names) / sizeof(names[0]) ? names[k] : "?";
}
