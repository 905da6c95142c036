/* Differential fuzzing of the census: every input is an Ethernet frame, run through the XDP and
 * the TC program (BPF_PROG_TEST_RUN) and classified by tests/census_ref.c; any difference in
 * the maps or counters aborts. Needs root (CAP_BPF). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "census_diff.h"
#include "census_ref.h"

/* Enough for any Ethernet frame; the XDP test runner takes at most about a page. */
#define FRAME_MAX 1600

size_t LLVMFuzzerMutate(uint8_t *data, size_t size, size_t max_size);
int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size, unsigned int seed);

static struct census_diff diff;

/* libFuzzer cannot see coverage inside the kernel, and the reference's few branches saturate
 * early; these counters make each shape of frame (verdict x family x VLAN tags x extension
 * headers x port side of the ceiling) a feature of its own, so the corpus keeps one of each. */
__attribute__((used, section("__libfuzzer_extra_counters")))
static uint8_t shape_counters[5 * 3 * 3 * (CENSUS_REF_MAX_EXT + 1) * 2];

static void fuzz_count_shape(const uint8_t *frame, size_t len)
{
	struct census_ref r;
	size_t i;

	census_ref_classify(frame, len, diff.max_port, &r);
	i = (size_t)r.kind;
	i = i * 3 + (size_t)(r.family / 3);
	i = i * 3 + (size_t)(r.vlan_tags < 3 ? r.vlan_tags : 2);
	i = i * (CENSUS_REF_MAX_EXT + 1) + (size_t)r.ext_headers;
	i = i * 2 + (r.port == CENSUS_PORT_ABOVE);
	if (i < sizeof(shape_counters) && shape_counters[i] < 255)
		shape_counters[i]++;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	int err = census_diff_open(&diff, 1000);

	(void)argc;
	(void)argv;
	if (err) {
		fprintf(stderr, "fuzz_census: cannot load the census (root/CAP_BPF needed): %s\n",
			strerror(-err));
		exit(1);
	}
	return 0;
}

static void fuzz_check(enum census_diff_prog prog, const uint8_t *frame, size_t len)
{
	static char hex[2 * FRAME_MAX + 1];
	char why[512];
	int rc = census_diff_check(&diff, prog, frame, len, why, sizeof(why));

	/* The skb test runner refuses an IP ethertype without a whole IP header behind it. */
	if (rc == -EINVAL && prog == CENSUS_DIFF_TC && len < 14 + 40)
		return;
	if (rc == 0)
		return;
	census_diff_hex(frame, len, hex, sizeof(hex));
	if (rc < 0)
		fprintf(stderr, "fuzz_census: %s test run of %zu bytes failed: %s\nframe %s\n",
			prog == CENSUS_DIFF_TC ? "tc" : "xdp", len, strerror(-rc), hex);
	else
		fprintf(stderr, "fuzz_census: %s program disagrees with the reference: %s\nframe %s\n",
			prog == CENSUS_DIFF_TC ? "tc" : "xdp", why, hex);
	abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* Both test runners refuse frames shorter than an Ethernet header. */
	if (size < 14)
		return 0;
	if (size > FRAME_MAX)
		size = FRAME_MAX;
	fuzz_count_shape(data, size);
	fuzz_check(CENSUS_DIFF_XDP, data, size);
	fuzz_check(CENSUS_DIFF_TC, data, size);
	return 0;
}

/* A small deterministic generator from the mutator's seed. */
static unsigned int fuzz_rand(unsigned int *s)
{
	*s = *s * 1103515245u + 12345u;
	return *s >> 16;
}

static void put16(uint8_t *p, size_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* After a blind mutation, often makes the IP length fields agree with the frame again, so
 * that mutations deep in the headers are not all stopped at the IP length check. This only
 * finds the fields the way a sender would fill them; it does not decide anything. */
static void fuzz_fix_lengths(uint8_t *d, size_t size, unsigned int *s)
{
	size_t off = 12;
	unsigned int type;

	for (int tags = 0; tags < 3 && off + 2 <= size; tags++) {
		type = (unsigned int)d[off] << 8 | d[off + 1];
		if (type != 0x8100 && type != 0x88a8)
			break;
		off += 4;
	}
	if (off + 2 > size)
		return;
	type = (unsigned int)d[off] << 8 | d[off + 1];
	off += 2;
	/* Leave a little Ethernet padding sometimes. */
	size_t pad = fuzz_rand(s) % 4 == 0 ? fuzz_rand(s) % 8 : 0;
	size_t ip_len = size - off > pad ? size - off - pad : size - off;

	if (type == 0x0800 && ip_len >= 20) {
		if (fuzz_rand(s) % 2)
			d[off] = 0x40 | (d[off] & 0x0f);
		put16(d + off + 2, ip_len);
	} else if (type == 0x86dd && ip_len >= 40) {
		if (fuzz_rand(s) % 2)
			d[off] = 0x60 | (d[off] & 0x0f);
		put16(d + off + 4, ip_len - 40);
	}
}

size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size, unsigned int seed)
{
	unsigned int s = seed;

	size = LLVMFuzzerMutate(data, size, max_size);
	if (fuzz_rand(&s) % 3)
		fuzz_fix_lengths(data, size, &s);
	return size;
}
