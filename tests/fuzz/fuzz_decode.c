/* Fuzzes sniff's packet decoder: byte 0 picks the link type (and whether the wire length is
 * longer than the capture), the rest is the frame. The line must be one NUL-terminated line
 * of bounded length with no control characters, every text field terminated, and decoding the
 * same frame again with a fresh state must give the same line and fields. */
#include <pcap/dlt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const int dlts[] = { DLT_EN10MB, DLT_LINUX_SLL, DLT_LINUX_SLL2, DLT_RAW, DLT_IPV4, DLT_IPV6 };

static void fail(const struct decode_info *o, const char *what)
{
	fprintf(stderr, "fuzz_decode: %s; line: '%.*s'\n", what, DECODE_LINE_MAX, o->line);
	abort();
}

/* Every interface index below 8 has a name, others are unknown. */
static bool ifname(uint32_t ifindex, char name[16])
{
	if (ifindex >= 8)
		return false;
	snprintf(name, 16, "if%u", ifindex);
	return true;
}

static void terminated(const struct decode_info *o, const char *s, size_t cap, const char *what)
{
	if (strnlen(s, cap) == cap)
		fail(o, what);
}

static void check(const struct decode_info *o)
{
	size_t n = strnlen(o->line, DECODE_LINE_MAX);

	if (n == DECODE_LINE_MAX)
		fail(o, "line not terminated within DECODE_LINE_MAX");
	if (n == 0)
		fail(o, "empty line");
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)o->line[i] < 0x20 || o->line[i] == 0x7f)
			fail(o, "control character (newline?) in the line");
	terminated(o, o->src_mac, sizeof(o->src_mac), "src_mac not terminated");
	terminated(o, o->dst_mac, sizeof(o->dst_mac), "dst_mac not terminated");
	terminated(o, o->src, sizeof(o->src), "src not terminated");
	terminated(o, o->dst, sizeof(o->dst), "dst not terminated");
	terminated(o, o->tcp_flags, sizeof(o->tcp_flags), "tcp_flags not terminated");
	if (o->truncated && !o->trunc_proto)
		fail(o, "truncated without a protocol");
	if (o->sport < -1 || o->sport > 65535 || o->dport < -1 || o->dport > 65535)
		fail(o, "port out of range");
	if (o->vlan < -1 || o->vlan > 4095)
		fail(o, "VLAN id out of range");
}

static bool same(const struct decode_info *a, const struct decode_info *b)
{
	return !strcmp(a->line, b->line) && a->truncated == b->truncated &&
	       a->vlan == b->vlan && a->ethertype == b->ethertype && a->sport == b->sport &&
	       a->dport == b->dport && a->seq == b->seq && a->ack == b->ack &&
	       a->win == b->win && a->icmp_type == b->icmp_type && a->length == b->length &&
	       !strcmp(a->src, b->src) && !strcmp(a->dst, b->dst) &&
	       !strcmp(a->tcp_flags, b->tcp_flags) && a->net == b->net && a->proto == b->proto;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct decode_state st;
	static struct decode_info a, b;
	uint32_t caplen, wirelen;
	uint8_t *frame;
	int dlt;

	if (size < 1 || size > 65536)
		return 0;
	dlt = dlts[(data[0] & 0x7f) % (sizeof(dlts) / sizeof(dlts[0]))];
	caplen = (uint32_t)size - 1;
	/* High bit: the frame was cut by the snap length (wire length 1500 or more). */
	wirelen = data[0] & 0x80 ? caplen + 1500 : caplen;
	/* An exact-size copy, so that any read past caplen trips ASan. */
	frame = malloc(caplen ? caplen : 1);
	memcpy(frame, data + 1, caplen);

	decode_state_init(&st, ifname);
	decode_packet(&st, dlt, frame, caplen, wirelen, &a);
	check(&a);
	decode_state_init(&st, ifname);
	decode_packet(&st, dlt, frame, caplen, wirelen, &b);
	if (!same(&a, &b))
		fail(&b, "second decoding with a fresh state differs from the first");
	/* Once more with the conversation already seen: still one bounded line. */
	decode_packet(&st, dlt, frame, caplen, wirelen, &b);
	check(&b);
	free(frame);
	return 0;
}
