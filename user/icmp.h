/* ICMP echo mechanics shared by ping and sweep: RFC 1071 checksum, echo request building, raw
 * socket setup and a pure reply parser (no I/O, never reads past the buffer: it is fuzzed). */
#ifndef XDPSCOPE_ICMP_H
#define XDPSCOPE_ICMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Sizes of the headers the parser walks. */
enum { ICMP_HDR_LEN = 8, ICMP_IP4_MIN_HDR = 20, ICMP_IP6_HDR = 40 };

/* Largest echo payload: 65535 - 20 (IPv4 header) - 8 (ICMP header), as iputils. */
#define ICMP_MAX_PAYLOAD 65507

/* RFC 1071 Internet checksum of len bytes (odd lengths padded with a zero byte), already
 * complemented: the value to store in a header's checksum field, in network byte order. A
 * buffer that contains a correct checksum sums to 0. */
uint16_t icmp_checksum(const void *buf, size_t len);

/* Writes an echo request (ICMP type 8 for AF_INET, ICMPv6 type 128 for AF_INET6) with the
 * given identifier, sequence and payload into buf. The IPv4 checksum is filled in; the ICMPv6
 * one is left 0 because it covers a pseudo-header the kernel computes. Returns the length
 * written (8 + plen) or -1 if cap is too small. */
int icmp_build_echo(void *buf, size_t cap, int family, uint16_t id, uint16_t seq,
		    const void *payload, size_t plen);

/* socket(family, type | SOCK_CLOEXEC, ICMP or ICMPv6): type is SOCK_RAW or SOCK_DGRAM, with
 * any SOCK_* flags. Returns the fd, or -1 with errno set. */
int icmp_socket(int family, int type);

/* Sets a raw socket's kernel ICMP type filter (ICMP_FILTER / ICMP6_FILTER): only echo replies
 * pass when replies is true, nothing at all otherwise (send-only sockets, whose queue would
 * else fill with every ICMP message of the host). Returns 0, or -1 with errno set. */
int icmp_filter_types(int fd, int family, bool replies);

enum icmp_kind {
	ICMP_IGNORE,	 /* not for us; see icmp_reply.why */
	ICMP_ECHO_REPLY, /* an echo reply carrying the expected identifier */
	ICMP_ERROR,	 /* an ICMP error quoting one of our echo requests */
};

enum icmp_why {
	ICMP_WHY_NONE,
	ICMP_WHY_TRUNCATED,	/* shorter than the headers it announces */
	ICMP_WHY_BAD_IP,	/* IPv4 header not IPv4/ICMP, or lengths inconsistent */
	ICMP_WHY_CHECKSUM,	/* IPv4 ICMP checksum does not verify */
	ICMP_WHY_FOREIGN_ID,	/* echo reply (or quoted request) with another identifier */
	ICMP_WHY_OTHER_TYPE,	/* not an echo reply nor an error (e.g. our own request) */
	ICMP_WHY_NOT_OUR_ECHO,	/* an error quoting something other than an echo request */
};

struct icmp_reply {
	enum icmp_kind kind;
	enum icmp_why why;	  /* set when kind == ICMP_IGNORE */
	uint8_t type, code;	  /* of the received message */
	uint16_t id, seq;	  /* echo reply's own, or those of the quoted request */
	int ttl;		  /* IPv4 TTL when the IP header was given, else -1 */
	size_t icmp_len;	  /* bytes of ICMP message (header + data) */
	const uint8_t *payload;	  /* echo data inside the caller's buffer (replies) */
	size_t payload_len;
	uint32_t info;		  /* bytes 4-7 of an error header (MTU, pointer), host order */
};

/* Parses one received ICMP message. family is AF_INET or AF_INET6; with_iphdr says whether
 * buf starts with the IPv4 header (raw IPv4 sockets) or with ICMP (datagram sockets, IPv6).
 * expected_id < 0 accepts any identifier (ICMP datagram sockets: the kernel demultiplexes).
 * IPv4 checksums are verified; ICMPv6 ones cannot be without the pseudo-header (the kernel
 * verifies them for raw and datagram sockets). Always fills *out; returns out->kind. */
enum icmp_kind icmp_parse_reply(const void *buf, size_t len, int family, bool with_iphdr,
				int expected_id, struct icmp_reply *out);

/* Short name of an ignore reason, for logs and tests. */
const char *icmp_why_str(enum icmp_why why);

#endif
