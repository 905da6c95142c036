/* Writes seeds for fuzz_icmp into DIR: echo replies and errors quoting echo requests, IPv4
 * with and without the IP header, ICMPv6 with and without a fragment header, and near-misses
 * (our own request, foreign identifier, bad checksum). Byte 0: bit 0 IPv6, bit 1 IPv4 header
 * present, bit 2 any identifier; bytes 1-2: expected identifier. */
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "icmp.h"

enum { ID = 0x1234, SEQ = 7 };

static int n_written, err;
static const char *dir;

static void put(const char *name, unsigned int flags, const uint8_t *p, size_t len)
{
	char path[4096];
	uint8_t hdr[3] = { (uint8_t)flags, ID >> 8, ID & 0xff };
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (!f || fwrite(hdr, 1, 3, f) != 3 || fwrite(p, 1, len, f) != len)
		err = 1;
	if (f && fclose(f))
		err = 1;
	n_written++;
}

/* An IPv4 header for an ICMP message of len bytes (checksum left 0: the parser ignores it). */
static size_t ip4(uint8_t *p, size_t len)
{
	memset(p, 0, 20);
	p[0] = 0x45;
	p[2] = (uint8_t)((20 + len) >> 8);
	p[3] = (uint8_t)(20 + len);
	p[8] = 64;
	p[9] = 1;
	p[12] = 198, p[13] = 18, p[14] = 0, p[15] = 2;
	p[16] = 198, p[17] = 18, p[18] = 0, p[19] = 1;
	return 20;
}

static void set_ck(uint8_t *icmp, size_t len)
{
	uint16_t ck;

	icmp[2] = icmp[3] = 0;
	ck = icmp_checksum(icmp, len);
	memcpy(icmp + 2, &ck, 2);
}

int main(int argc, char **argv)
{
	uint8_t pkt[256], req[64];
	int rl, n;

	dir = argc > 1 ? argv[1] : ".";
	/* IPv4 echo reply, with and without the IP header; foreign id; bad checksum; request. */
	n = icmp_build_echo(pkt + 20, sizeof(pkt) - 20, AF_INET, ID, SEQ, "0123456789abcdef", 16);
	pkt[20] = 0;
	set_ck(pkt + 20, (size_t)n);
	ip4(pkt, (size_t)n);
	put("v4-reply-ip", 2, pkt, 20 + (size_t)n);
	put("v4-reply", 0, pkt + 20, (size_t)n);
	put("v4-reply-anyid", 4, pkt + 20, (size_t)n);
	pkt[25] ^= 1;
	put("v4-reply-foreign", 0, pkt + 20, (size_t)n);
	set_ck(pkt + 20, (size_t)n);
	put("v4-reply-foreign-ok", 0, pkt + 20, (size_t)n);
	pkt[30] ^= 0x80;
	put("v4-reply-badsum", 2, pkt, 20 + (size_t)n);
	n = icmp_build_echo(pkt, sizeof(pkt), AF_INET, ID, SEQ, "x", 1);
	put("v4-request", 0, pkt, (size_t)n);

	/* IPv4 time exceeded quoting our request (with IP options in the quote). */
	rl = icmp_build_echo(req, sizeof(req), AF_INET, ID, SEQ, NULL, 0);
	memset(pkt, 0, sizeof(pkt));
	pkt[20] = 11;
	ip4(pkt + 28, (size_t)rl);
	memcpy(pkt + 48, req, (size_t)rl);
	set_ck(pkt + 20, 8 + 20 + (size_t)rl);
	ip4(pkt, 8 + 20 + (size_t)rl);
	put("v4-timeexceeded-ip", 2, pkt, 20 + 8 + 20 + (size_t)rl);
	pkt[28] = 0x46;
	memmove(pkt + 52, pkt + 48, (size_t)rl);
	memset(pkt + 48, 1, 4);
	pkt[20] = 3;
	set_ck(pkt + 20, 8 + 24 + (size_t)rl);
	put("v4-unreach-options", 0, pkt + 20, 8 + 24 + (size_t)rl);

	/* ICMPv6 echo reply, our own request, and a packet-too-big quoting a first fragment. */
	n = icmp_build_echo(pkt, sizeof(pkt), AF_INET6, ID, SEQ, "abcdefgh", 8);
	pkt[0] = 129;
	put("v6-reply", 1, pkt, (size_t)n);
	put("v6-reply-anyid", 5, pkt, (size_t)n);
	pkt[0] = 128;
	put("v6-request", 1, pkt, (size_t)n);
	rl = icmp_build_echo(req, sizeof(req), AF_INET6, ID, SEQ, NULL, 0);
	memset(pkt, 0, sizeof(pkt));
	pkt[0] = 2;
	pkt[6] = 0x05, pkt[7] = 0x00; /* MTU 1280 */
	pkt[8] = 0x60;
	pkt[8 + 6] = 58;
	pkt[8 + 7] = 64;
	memcpy(pkt + 48, req, (size_t)rl);
	put("v6-toobig", 1, pkt, 48 + (size_t)rl);
	pkt[8 + 6] = 44;
	pkt[48] = 58;
	memcpy(pkt + 56, req, (size_t)rl);
	put("v6-toobig-frag", 1, pkt, 56 + (size_t)rl);
	pkt[0] = 1;
	pkt[51] = 0x08;
	put("v6-unreach-laterfrag", 1, pkt, 56 + (size_t)rl);
	if (err) {
		perror("seed_icmp");
		return 1;
	}
	printf("seed_icmp: %d packets in %s\n", n_written, dir);
	return 0;
}
