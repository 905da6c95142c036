/* Writes the census's systematic frame set (tests/census_frames.c) as seed files into DIR:
 * every header combination, so the fuzzer starts deep in the headers. */
#include <stdio.h>

#include "census_frames.h"

struct seed_ctx {
	const char *dir;
	size_t n;
	int err;
};

static void seed_write(const uint8_t *frame, size_t len, void *ctx)
{
	struct seed_ctx *c = ctx;
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/frame-%04zu", c->dir, c->n++);
	f = fopen(path, "wb");
	if (!f || fwrite(frame, 1, len, f) != len)
		c->err = 1;
	if (f && fclose(f))
		c->err = 1;
}

int main(int argc, char **argv)
{
	struct seed_ctx c = { .dir = argc > 1 ? argv[1] : "." };

	census_frames_each(seed_write, &c);
	if (c.err) {
		perror("seed_census");
		return 1;
	}
	printf("seed_census: %zu frames in %s\n", c.n, c.dir);
	return 0;
}
