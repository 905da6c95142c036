/* Differential check of the census programs against tests/census_ref.c: runs one frame through
 * the XDP or TC program with BPF_PROG_TEST_RUN and compares the maps with the reference. */
#ifndef XDPSCOPE_TEST_CENSUS_DIFF_H
#define XDPSCOPE_TEST_CENSUS_DIFF_H

#include <stddef.h>
#include <stdint.h>

struct census_bpf;

struct census_diff {
	struct census_bpf *skel;
	uint32_t max_port;
	int ncpu;
	void *vals; /* one per-CPU value buffer */
};

enum census_diff_prog { CENSUS_DIFF_XDP, CENSUS_DIFF_TC };

/* Loads the census with this port ceiling. Returns 0 or -errno. */
int census_diff_open(struct census_diff *d, uint32_t max_port);
void census_diff_close(struct census_diff *d);

/* Runs frame once and compares every map and counter with the reference's verdict. Returns 0
 * when they agree, 1 when they differ (why says how), -errno when the kernel refused the run
 * (the TC test runner refuses some short IP frames with -EINVAL). Leaves the maps empty. */
int census_diff_check(struct census_diff *d, enum census_diff_prog prog, const uint8_t *frame,
		      size_t len, char *why, size_t whylen);

/* Writes frame as hex (for reproducing a disagreement). */
void census_diff_hex(const uint8_t *frame, size_t len, char *buf, size_t buflen);

#endif
