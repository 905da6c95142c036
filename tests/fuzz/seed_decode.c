/* Writes the census's systematic frame set (tests/census_frames.c) as seeds for fuzz_decode
 * into DIR: each Ethernet frame once (byte 0 = 0: DLT_EN10MB), so the decoder's fuzzing starts
 * with every header combination; and each frame's IP packet as DLT_RAW (byte 0 = 3). */
#include <stdio.h>

#include "census_frames.h"

struct seed_ctx {
	const char *dir;
	size_t n;
	int err;
};

static void put(struct seed_ctx *c, uint8_t link, const uint8_t *p, size_t len)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/frame-%04zu", c->dir, c->n++);
	f = fopen(path, "wb");
	if (!f || fwrite(&link, 1, 1, f) != 1 || fwrite(p, 1, len, f) != len)
		c->err = 1;
	if (f && fclose(f))
		c->err = 1;
}

static void seed_write(const uint8_t *frame, size_t len, void *ctx)
{
	struct seed_ctx *c = ctx;

	put(c, 0, frame, len);
	/* Untagged IPv4/IPv6 frames also as raw IP (some, to keep the corpus small). */
	if (len > 14 && c->n % 8 == 1 && ((frame[12] == 0x08 && frame[13] == 0x00) ||
					    (frame[12] == 0x86 && frame[13] == 0xdd)))
		put(c, 3, frame + 14, len - 14);
}

int main(int argc, char **argv)
{
	struct seed_ctx c = { .dir = argc > 1 ? argv[1] : "." };

	census_frames_each(seed_write, &c);
	if (c.err) {
		perror("seed_decode");
		return 1;
	}
	printf("seed_decode: %zu frames in %s\n", c.n, c.dir);
	return 0;
}
