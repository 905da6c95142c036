/* ICMP mechanics: RFC 1071 checksum against known answers, echo building, and the reply parser
 * on packets assembled byte by byte here (independently of icmp_build_echo). */
#include <criterion/criterion.h>
#include <string.h>
#include <sys/socket.h>

#include "icmp.h"

static unsigned ck(const uint8_t *b, size_t n)
{
	uint16_t c = icmp_checksum(b, n);
	const uint8_t *p = (const uint8_t *)&c;

	return (unsigned)p[0] << 8 | p[1]; /* the two bytes as they go on the wire */
}

Test(checksum, rfc1071_worked_example)
{
	/* RFC 1071 section 3: these bytes sum to ddf2; the checksum is its complement. */
	const uint8_t b[] = { 0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7 };

	cr_assert_eq(ck(b, sizeof(b)), 0x220d);
}

Test(checksum, ipv4_header_known_answer)
{
	/* A textbook IPv4 header whose checksum field (bytes 10-11) is b861. */
	uint8_t h[] = { 0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
			0x00, 0x00, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7 };

	cr_assert_eq(ck(h, sizeof(h)), 0xb861);
	h[10] = 0xb8;
	h[11] = 0x61;
	cr_assert_eq(ck(h, sizeof(h)), 0, "a buffer holding its checksum sums to zero");
}

Test(checksum, odd_lengths)
{
	const uint8_t a[] = { 0x00, 0x01, 0xf2 };	/* 0001 + f200 = f201 */
	const uint8_t one[] = { 0xff };			/* ff00 */
	const uint8_t carry[] = { 0xff, 0xff, 0x00, 0x02, 0x01 }; /* ffff+0002+0100 -> 0102 */

	cr_assert_eq(ck(a, sizeof(a)), 0x0dfe);
	cr_assert_eq(ck(one, 1), 0x00ff);
	cr_assert_eq(ck(carry, sizeof(carry)), 0xfefd);
	cr_assert_eq(ck(a, 0), 0xffff);
}

Test(build, echo_v4_bytes)
{
	uint8_t buf[64];
	const uint8_t pl[] = { 0xaa, 0xbb, 0xcc };
	int n = icmp_build_echo(buf, sizeof(buf), AF_INET, 0x1234, 0x0102, pl, sizeof(pl));
	/* 0800 + 1234 + 0102 + aabb + cc00 = 1_91f1 -> 91f2, complement 6e0d. */
	const uint8_t want[] = { 8, 0, 0x6e, 0x0d, 0x12, 0x34, 0x01, 0x02, 0xaa, 0xbb, 0xcc };

	cr_assert_eq(n, 11);
	cr_assert_arr_eq(buf, want, sizeof(want));
}

Test(build, echo_v6_and_too_small)
{
	uint8_t buf[16];

	cr_assert_eq(icmp_build_echo(buf, sizeof(buf), AF_INET6, 7, 9, NULL, 0), 8);
	cr_assert_eq(buf[0], 128);
	cr_assert_eq(buf[5], 7);
	cr_assert_eq(buf[7], 9);
	cr_assert_eq(buf[2] | buf[3], 0);
	cr_assert_eq(icmp_build_echo(buf, sizeof(buf), AF_INET, 1, 1, buf, 9), -1);
	cr_assert_eq(icmp_build_echo(buf, 7, AF_INET, 1, 1, NULL, 0), -1);
}

/* Independent packet assembly for the parser tests. */
static size_t put_ip4(uint8_t *p, uint8_t ttl, uint16_t total)
{
	memset(p, 0, 20);
	p[0] = 0x45;
	p[2] = (uint8_t)(total >> 8);
	p[3] = (uint8_t)total;
	p[8] = ttl;
	p[9] = 1; /* ICMP */
	return 20;
}

/* Sets the ICMP checksum of p[0..n) with a plain 32-bit sum (independent of icmp_checksum). */
static void fix_ck(uint8_t *p, size_t n)
{
	uint32_t s = 0;

	p[2] = p[3] = 0;
	for (size_t i = 0; i < n; i++)
		s += (i & 1) ? p[i] : (uint32_t)p[i] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	s = ~s;
	p[2] = (uint8_t)(s >> 8);
	p[3] = (uint8_t)s;
}

static size_t put_icmp(uint8_t *p, uint8_t type, uint16_t id, uint16_t seq, size_t datalen)
{
	p[0] = type;
	p[1] = 0;
	p[4] = (uint8_t)(id >> 8);
	p[5] = (uint8_t)id;
	p[6] = (uint8_t)(seq >> 8);
	p[7] = (uint8_t)seq;
	for (size_t i = 0; i < datalen; i++)
		p[8 + i] = (uint8_t)i;
	fix_ck(p, 8 + datalen);
	return 8 + datalen;
}

Test(parse, v4_reply_with_ip_header)
{
	uint8_t b[100];
	struct icmp_reply r;
	size_t n = put_ip4(b, 63, 20 + 8 + 56);

	n += put_icmp(b + 20, 0, 0xbeef, 5, 56);
	cr_assert_eq(icmp_parse_reply(b, n, AF_INET, true, 0xbeef, &r), ICMP_ECHO_REPLY);
	cr_assert_eq(r.id, 0xbeef);
	cr_assert_eq(r.seq, 5);
	cr_assert_eq(r.ttl, 63);
	cr_assert_eq(r.icmp_len, 64);
	cr_assert_eq(r.payload_len, 56);
	cr_assert_eq(r.payload, b + 28);
	cr_assert_eq(r.payload[55], 55);
}

Test(parse, v4_reply_without_ip_header_any_id)
{
	uint8_t b[64];
	struct icmp_reply r;
	size_t n = put_icmp(b, 0, 42, 65535, 16);

	cr_assert_eq(icmp_parse_reply(b, n, AF_INET, false, -1, &r), ICMP_ECHO_REPLY);
	cr_assert_eq(r.seq, 65535);
	cr_assert_eq(r.ttl, -1);
	cr_assert_eq(r.icmp_len, 24);
}

Test(parse, foreign_id)
{
	uint8_t b[64];
	struct icmp_reply r;
	size_t n = put_icmp(b, 0, 42, 1, 8);

	cr_assert_eq(icmp_parse_reply(b, n, AF_INET, false, 43, &r), ICMP_IGNORE);
	cr_assert_eq(r.why, ICMP_WHY_FOREIGN_ID);
	n = put_icmp(b, 129, 42, 1, 8);
	cr_assert_eq(icmp_parse_reply(b, n, AF_INET6, false, 43, &r), ICMP_IGNORE);
	cr_assert_eq(r.why, ICMP_WHY_FOREIGN_ID);
}

Test(parse, wrong_checksum)
{
	uint8_t b[64];
	struct icmp_reply r;
	size_t n = put_icmp(b, 0, 42, 1, 20);

	b[12] ^= 0x01; /* one payload bit flipped after the checksum was set */
	cr_assert_eq(icmp_parse_reply(b, n, AF_INET, false, 42, &r), ICMP_IGNORE);
	cr_assert_eq(r.why, ICMP_WHY_CHECKSUM);
}

Test(parse, truncated)
{
	uint8_t b[100];
	struct icmp_reply r;
	size_t n = put_ip4(b, 64, 20 + 8 + 56);

	n += put_icmp(b + 20, 0, 1, 1, 56);
	/* IP header announces more than was received. */
	cr_assert_eq(icmp_parse_reply(b, n - 1, AF_INET, true, 1, &r), ICMP_IGNORE);
	cr_assert_eq(r.why, ICMP_WHY_TRUNCATED);
	/* Every prefix shorter than a whole header is truncated, never a read past the end. */
	for (size_t k = 0; k < 28; k++) {
		icmp_parse_reply(b, k, AF_INET, true, 1, &r);
		cr_assert_eq(r.kind, ICMP_IGNORE, "len %zu", k);
	}
	for (size_t k = 0; k < 8; k++) {
		icmp_parse_reply(b + 20, k, AF_INET6, false, 1, &r);
		cr_assert_eq(r.why, ICMP_WHY_TRUNCATED, "len %zu", k);
	}
}

Test(parse, not_a_reply)
{
	uint8_t b[64];
	struct icmp_reply r;
	size_t n = put_icmp(b, 8, 1, 1, 8); /* our own echo request seen on loopback */

	cr_assert_eq(icmp_parse_reply(b, n, AF_INET, false, 1, &r), ICMP_IGNORE);
	cr_assert_eq(r.why, ICMP_WHY_OTHER_TYPE);
}

Test(parse, v4_host_unreachable_quotes_our_request)
{
	uint8_t b[120];
	struct icmp_reply r;
	size_t n = put_ip4(b, 64, 20 + 8 + 20 + 8);

	/* outer ICMP: type 3 code 1; quoted: IPv4 header + our echo request header */
	memset(b + 20, 0, 8);
	b[20] = 3;
	b[21] = 1;
	put_ip4(b + 28, 64, 84);
	put_icmp(b + 48, 8, 0x0a0b, 77, 0);
	fix_ck(b + 20, 36);
	n = 20 + 36;
	cr_assert_eq(icmp_parse_reply(b, n, AF_INET, true, 0x0a0b, &r), ICMP_ERROR);
	cr_assert_eq(r.type, 3);
	cr_assert_eq(r.code, 1);
	cr_assert_eq(r.seq, 77);
	cr_assert_eq(r.id, 0x0a0b);
	cr_assert_eq(icmp_parse_reply(b, n, AF_INET, true, 0x0a0c, &r), ICMP_IGNORE);
	cr_assert_eq(r.why, ICMP_WHY_FOREIGN_ID);
	/* Quote cut short: 4 bytes of the request header only. */
	b[3] = 20 + 32;
	fix_ck(b + 20, 32);
	cr_assert_eq(icmp_parse_reply(b, 52, AF_INET, true, 0x0a0b, &r), ICMP_IGNORE);
	cr_assert_eq(r.why, ICMP_WHY_TRUNCATED);
}

Test(parse, v4_time_exceeded_about_udp)
{
	uint8_t b[64] = { 11, 0 };
	struct icmp_reply r;

	put_ip4(b + 8, 1, 60);
	b[8 + 9] = 17; /* UDP, not ours */
	fix_ck(b, 36);
	cr_assert_eq(icmp_parse_reply(b, 36, AF_INET, false, -1, &r), ICMP_IGNORE);
	cr_assert_eq(r.why, ICMP_WHY_NOT_OUR_ECHO);
}

Test(parse, v6_time_exceeded_with_fragment_header)
{
	uint8_t b[128] = { 3, 0 };
	struct icmp_reply r;
	uint8_t *ip6 = b + 8;

	ip6[0] = 0x60;
	ip6[6] = 44; /* fragment header, then ICMPv6 */
	ip6[40] = 58;
	put_icmp(ip6 + 48, 128, 0x77, 3, 0);
	cr_assert_eq(icmp_parse_reply(b, 8 + 56, AF_INET6, false, 0x77, &r), ICMP_ERROR);
	cr_assert_eq(r.seq, 3);
	cr_assert_eq(icmp_parse_reply(b, 8 + 50, AF_INET6, false, 0x77, &r), ICMP_IGNORE);
	cr_assert_eq(r.why, ICMP_WHY_TRUNCATED);
	ip6[48] = 129; /* quoting an echo reply: not one of our requests */
	cr_assert_eq(icmp_parse_reply(b, 8 + 56, AF_INET6, false, 0x77, &r), ICMP_IGNORE);
	cr_assert_eq(r.why, ICMP_WHY_NOT_OUR_ECHO);
}

Test(parse, bad_ip_header)
{
	uint8_t b[64];
	struct icmp_reply r;

	put_ip4(b, 64, 36);
	put_icmp(b + 20, 0, 1, 1, 8);
	b[0] = 0x44; /* IHL 4: impossible */
	cr_assert_eq(icmp_parse_reply(b, 36, AF_INET, true, 1, &r), ICMP_IGNORE);
	cr_assert_eq(r.why, ICMP_WHY_BAD_IP);
	b[0] = 0x4f; /* IHL 15: 60 bytes, more than the 36 received */
	b[3] = 64;
	cr_assert_eq(icmp_parse_reply(b, 36, AF_INET, true, 1, &r), ICMP_IGNORE);
	cr_assert_eq(r.why, ICMP_WHY_TRUNCATED);
	cr_assert_str_eq(icmp_why_str(ICMP_WHY_CHECKSUM), "wrong checksum");
}
