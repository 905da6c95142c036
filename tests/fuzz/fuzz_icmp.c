/* Fuzzes the ICMP reply parser of ping and sweep: byte 0 picks the family, whether an IPv4
 * header comes first and the expected identifier (bytes 1-2, or any); the rest is the packet.
 * A plain walk of the same bytes says what the verdict must be: echo reply (right type,
 * identifier and, for IPv4, checksum), error quoting our echo request, or ignore; the reported
 * type, code, identifier, sequence and payload must be the bytes at those places. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "icmp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fail(const char *what)
{
	fprintf(stderr, "fuzz_icmp: %s\n", what);
	abort();
}

static unsigned int be16(const uint8_t *p)
{
	return (unsigned int)p[0] << 8 | p[1];
}

/* The ones' complement sum of the message folds to 0xffff when its checksum is right. */
static bool sum_ok(const uint8_t *p, size_t n)
{
	uint64_t sum = 0;

	for (size_t i = 0; i < n; i++)
		sum += i % 2 ? p[i] : (uint64_t)p[i] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return sum == 0xffff;
}

static bool v4_error(uint8_t t)
{
	return t == 3 || t == 4 || t == 5 || t == 11 || t == 12;
}

/* The echo request quoted by an error's data d (n bytes), or NULL. */
static const uint8_t *quoted_echo(const uint8_t *d, size_t n, bool v6)
{
	size_t hl;

	if (!v6) {
		if (n < 20 || d[0] >> 4 != 4 || (d[0] & 15) < 5 || d[9] != 1)
			return NULL;
		hl = (size_t)(d[0] & 15) * 4;
	} else {
		if (n < 40 || d[0] >> 4 != 6)
			return NULL;
		hl = 40;
		if (d[6] == 44) {
			/* A fragment header: only the first fragment holds the ICMP header. */
			if (n < 48 || d[42] != 0 || (d[43] & 0xf8) != 0 || d[40] != 58)
				return NULL;
			hl = 48;
		} else if (d[6] != 58) {
			return NULL;
		}
	}
	if (n < hl + 8 || d[hl] != (v6 ? 128 : 8))
		return NULL;
	return d + hl;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *buf, *m = NULL, *q = NULL;
	bool v6, iphdr, want_reply = false, want_error = false;
	struct icmp_reply r;
	enum icmp_kind k;
	size_t len, mlen = 0;
	int id;

	if (size < 3)
		return 0;
	v6 = data[0] & 1;
	iphdr = data[0] & 2;
	id = data[0] & 4 ? -1 : (int)be16(data + 1);
	/* An exact-size copy, so that any read past the packet trips ASan. */
	len = size - 3;
	buf = len ? memcpy(malloc(len), data + 3, len) : NULL;

	/* The plain walk: find the ICMP message m (mlen bytes), then the verdict. */
	if (!v6 && iphdr) {
		if (len >= 20 && buf[0] >> 4 == 4 && (buf[0] & 15) >= 5 && buf[9] == 1) {
			size_t hl = (size_t)(buf[0] & 15) * 4, tot = be16(buf + 2);

			if (tot >= hl && tot <= len) {
				m = buf + hl;
				mlen = tot - hl;
			}
		}
	} else {
		m = buf;
		mlen = len;
	}
	if (m && mlen >= 8 && (v6 || sum_ok(m, mlen))) {
		if (m[0] == (v6 ? 129 : 0))
			want_reply = id < 0 || be16(m + 4) == (unsigned int)id;
		else if (v6 ? m[0] >= 1 && m[0] <= 4 : v4_error(m[0]))
			q = quoted_echo(m + 8, mlen - 8, v6);
		want_error = q && (id < 0 || be16(q + 4) == (unsigned int)id);
	}

	k = icmp_parse_reply(buf, len, v6 ? AF_INET6 : AF_INET, iphdr, id, &r);
	if (k != r.kind)
		fail("return value and kind differ");
	if ((k == ICMP_ECHO_REPLY) != want_reply)
		fail(want_reply ? "a valid echo reply was not accepted" : "accepted as echo reply, but it is not one");
	if ((k == ICMP_ERROR) != want_error)
		fail(want_error ? "an error quoting our echo was not reported" : "reported as error, but it quotes no echo of ours");
	if ((k == ICMP_IGNORE) != (r.why != ICMP_WHY_NONE))
		fail("ignore reason set on a verdict, or missing on an ignore");
	if (!v6 && iphdr && m && r.why != ICMP_WHY_BAD_IP && r.ttl != buf[8])
		fail("TTL is not the IPv4 header's");
	if ((v6 || !iphdr) && r.ttl != -1)
		fail("TTL without an IPv4 header");
	if (k != ICMP_IGNORE) {
		if (r.type != m[0] || r.code != m[1] || r.icmp_len != mlen)
			fail("type, code or length are not the message's");
	}
	if (k == ICMP_ECHO_REPLY) {
		if (r.id != be16(m + 4) || r.seq != be16(m + 6))
			fail("identifier or sequence are not the reply's");
		if (r.payload != m + 8 || r.payload_len != mlen - 8 ||
		    r.payload + r.payload_len > buf + len)
			fail("payload is not the reply's data, or runs past the packet");
	} else if (k == ICMP_ERROR) {
		if (r.id != be16(q + 4) || r.seq != be16(q + 6))
			fail("identifier or sequence are not the quoted request's");
		if (r.info != ((uint32_t)be16(m + 4) << 16 | be16(m + 6)))
			fail("info is not bytes 4-7 of the error");
		if (r.payload || r.payload_len)
			fail("an error carries a payload");
	} else if (r.payload || r.payload_len) {
		fail("an ignored message carries a payload");
	}
	if (!icmp_why_str(r.why)[0])
		fail("empty ignore reason");
	free((void *)buf);
	return 0;
}
