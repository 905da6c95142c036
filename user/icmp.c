/* ICMP echo mechanics shared by ping and sweep: RFC 1071 checksum, echo request building, raw
 * socket setup and a pure reply parser that bounds every read by the buffer length (fuzzed). */
#include "icmp.h"

#include <linux/icmp.h>
#include <netinet/icmp6.h>
#include <string.h>
#include <sys/socket.h>

enum {
	V4_ECHO_REPLY = 0, V4_UNREACH = 3, V4_QUENCH = 4, V4_REDIRECT = 5, V4_ECHO = 8,
	V4_TIME_EXCEEDED = 11, V4_PARAM_PROB = 12,
	V6_ECHO = 128, V6_ECHO_REPLY = 129, V6_NEXT_FRAGMENT = 44, V6_NEXT_ICMP = 58,
	IPPROTO_ICMP_NUM = 1, V6_FRAG_HDR = 8,
};

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

uint16_t icmp_checksum(const void *buf, size_t len)
{
	const uint8_t *p = buf;
	uint32_t sum = 0;
	uint16_t out;

	/* Summing big-endian 16-bit words and storing the result big-endian is byte-order
	 * independent (RFC 1071 section 2(B)). */
	for (; len > 1; p += 2, len -= 2)
		sum += rd16(p);
	if (len)
		sum += (uint32_t)p[0] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	sum = ~sum & 0xffff;
	/* Return it in network byte order so callers can memcpy it into the header. */
	((uint8_t *)&out)[0] = (uint8_t)(sum >> 8);
	((uint8_t *)&out)[1] = (uint8_t)sum;
	return out;
}

int icmp_build_echo(void *buf, size_t cap, int family, uint16_t id, uint16_t seq,
		    const void *payload, size_t plen)
{
	uint8_t *p = buf;
	uint16_t ck;

	if (cap < ICMP_HDR_LEN || plen > cap - ICMP_HDR_LEN)
		return -1;
	p[0] = family == AF_INET6 ? V6_ECHO : V4_ECHO;
	p[1] = 0;
	p[2] = p[3] = 0;
	p[4] = (uint8_t)(id >> 8);
	p[5] = (uint8_t)id;
	p[6] = (uint8_t)(seq >> 8);
	p[7] = (uint8_t)seq;
	if (plen)
		memcpy(p + ICMP_HDR_LEN, payload, plen);
	if (family != AF_INET6) {
		ck = icmp_checksum(p, ICMP_HDR_LEN + plen);
		memcpy(p + 2, &ck, sizeof(ck));
	}
	return (int)(ICMP_HDR_LEN + plen);
}

int icmp_socket(int family, int type)
{
	return socket(family, type | SOCK_CLOEXEC, family == AF_INET6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP);
}

int icmp_filter_types(int fd, int family, bool replies)
{
	if (family == AF_INET6) {
		struct icmp6_filter f;

		ICMP6_FILTER_SETBLOCKALL(&f);
		if (replies)
			ICMP6_FILTER_SETPASS(ICMP6_ECHO_REPLY, &f);
		return setsockopt(fd, IPPROTO_ICMPV6, ICMP6_FILTER, &f, sizeof(f));
	}
	/* ICMP_FILTER's bits block the types they stand for. */
	struct icmp_filter f = { .data = replies ? ~(1U << V4_ECHO_REPLY) : ~0U };

	return setsockopt(fd, SOL_RAW, ICMP_FILTER, &f, sizeof(f));
}

static enum icmp_kind ignore(struct icmp_reply *r, enum icmp_why why)
{
	r->kind = ICMP_IGNORE;
	r->why = why;
	return r->kind;
}

static bool is_error_type(int family, uint8_t type)
{
	if (family == AF_INET6)
		return type >= 1 && type <= 4; /* unreachable, too big, time exceeded, param */
	return type == V4_UNREACH || type == V4_QUENCH || type == V4_REDIRECT ||
	       type == V4_TIME_EXCEEDED || type == V4_PARAM_PROB;
}

/* Finds the quoted ICMP header inside an error's data (p, len): the offending packet's IP
 * header followed by at least 8 bytes of it. Returns NULL with *why set if there is none. */
static const uint8_t *quoted_icmp(const uint8_t *p, size_t len, int family, enum icmp_why *why)
{
	size_t hl;
	uint8_t next;

	if (family == AF_INET) {
		if (len < ICMP_IP4_MIN_HDR)
			goto truncated;
		hl = (size_t)(p[0] & 0x0f) * 4;
		if (p[0] >> 4 != 4 || hl < ICMP_IP4_MIN_HDR)
			goto bad_ip;
		if (p[9] != IPPROTO_ICMP_NUM) {
			*why = ICMP_WHY_NOT_OUR_ECHO;
			return NULL;
		}
	} else {
		if (len < ICMP_IP6_HDR)
			goto truncated;
		if (p[0] >> 4 != 6)
			goto bad_ip;
		hl = ICMP_IP6_HDR;
		next = p[6];
		if (next == V6_NEXT_FRAGMENT) {
			if (len < hl + V6_FRAG_HDR)
				goto truncated;
			/* Only the first fragment quotes the ICMP header. */
			if ((rd16(p + hl + 2) & 0xfff8) != 0) {
				*why = ICMP_WHY_NOT_OUR_ECHO;
				return NULL;
			}
			next = p[hl];
			hl += V6_FRAG_HDR;
		}
		if (next != V6_NEXT_ICMP) {
			*why = ICMP_WHY_NOT_OUR_ECHO;
			return NULL;
		}
	}
	if (len < hl + ICMP_HDR_LEN)
		goto truncated;
	return p + hl;
truncated:
	*why = ICMP_WHY_TRUNCATED;
	return NULL;
bad_ip:
	*why = ICMP_WHY_BAD_IP;
	return NULL;
}

static enum icmp_kind parse_error(const uint8_t *icmp, size_t len, int family, int expected_id,
				  struct icmp_reply *r)
{
	enum icmp_why why = ICMP_WHY_NONE;
	const uint8_t *q = quoted_icmp(icmp + ICMP_HDR_LEN, len - ICMP_HDR_LEN, family, &why);

	r->info = (uint32_t)rd16(icmp + 4) << 16 | rd16(icmp + 6);
	if (!q)
		return ignore(r, why);
	if (q[0] != (family == AF_INET6 ? V6_ECHO : V4_ECHO))
		return ignore(r, ICMP_WHY_NOT_OUR_ECHO);
	r->id = rd16(q + 4);
	r->seq = rd16(q + 6);
	if (expected_id >= 0 && r->id != expected_id)
		return ignore(r, ICMP_WHY_FOREIGN_ID);
	r->kind = ICMP_ERROR;
	return r->kind;
}

/* Strips and checks the IPv4 header in front of a raw socket's message. */
static const uint8_t *strip_ip4(const uint8_t *p, size_t *len, struct icmp_reply *r)
{
	size_t hl, tot;

	if (*len < ICMP_IP4_MIN_HDR) {
		ignore(r, ICMP_WHY_TRUNCATED);
		return NULL;
	}
	hl = (size_t)(p[0] & 0x0f) * 4;
	tot = rd16(p + 2);
	if (p[0] >> 4 != 4 || hl < ICMP_IP4_MIN_HDR || p[9] != IPPROTO_ICMP_NUM || tot < hl) {
		ignore(r, ICMP_WHY_BAD_IP);
		return NULL;
	}
	if (hl > *len || tot > *len) {
		ignore(r, ICMP_WHY_TRUNCATED);
		return NULL;
	}
	r->ttl = p[8];
	*len = tot - hl;
	return p + hl;
}

enum icmp_kind icmp_parse_reply(const void *buf, size_t len, int family, bool with_iphdr,
				int expected_id, struct icmp_reply *out)
{
	const uint8_t *p = buf;
	uint8_t want_reply = family == AF_INET6 ? V6_ECHO_REPLY : V4_ECHO_REPLY;

	memset(out, 0, sizeof(*out));
	out->ttl = -1;
	if (family != AF_INET && family != AF_INET6)
		return ignore(out, ICMP_WHY_BAD_IP);
	if (!p)
		return ignore(out, ICMP_WHY_TRUNCATED);
	if (with_iphdr && family == AF_INET) {
		p = strip_ip4(p, &len, out);
		if (!p)
			return out->kind;
	}
	if (len < ICMP_HDR_LEN)
		return ignore(out, ICMP_WHY_TRUNCATED);
	out->type = p[0];
	out->code = p[1];
	out->icmp_len = len;
	if (family == AF_INET && icmp_checksum(p, len) != 0)
		return ignore(out, ICMP_WHY_CHECKSUM);
	if (is_error_type(family, p[0]))
		return parse_error(p, len, family, expected_id, out);
	if (p[0] != want_reply)
		return ignore(out, ICMP_WHY_OTHER_TYPE);
	out->id = rd16(p + 4);
	out->seq = rd16(p + 6);
	if (expected_id >= 0 && out->id != expected_id)
		return ignore(out, ICMP_WHY_FOREIGN_ID);
	out->payload = p + ICMP_HDR_LEN;
	out->payload_len = len - ICMP_HDR_LEN;
	out->kind = ICMP_ECHO_REPLY;
	return out->kind;
}

const char *icmp_why_str(enum icmp_why why)
{
	static const char *const names[] = {
		[ICMP_WHY_NONE] = "none",
		[ICMP_WHY_TRUNCATED] = "truncated",
		[ICMP_WHY_BAD_IP] = "bad IP header",
		[ICMP_WHY_CHECKSUM] = "wrong checksum",
		[ICMP_WHY_FOREIGN_ID] = "foreign identifier",
		[ICMP_WHY_OTHER_TYPE] = "not an echo reply",
		[ICMP_WHY_NOT_OUR_ECHO] = "error about something else",
	};

	if ((unsigned)why >= sizeof(names) / sizeof(names[0]))
		return "unknown";
	return names[why];
}
