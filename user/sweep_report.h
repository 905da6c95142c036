/* Sweep reports: one round as text (the lab's format), JSON or CSV, to a stream or to a file
 * rewritten atomically. */
#ifndef XDPSCOPE_SWEEP_REPORT_H
#define XDPSCOPE_SWEEP_REPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "targets.h"

enum sweep_format { SWEEP_TEXT, SWEEP_JSON, SWEEP_CSV };
/* Per target state in a round. */
enum sweep_state { SWEEP_UNPROBED = 0, SWEEP_ALIVE, SWEEP_INACTIVE };

struct sweep_report {
	const struct targets *t;
	const uint8_t *state;      /* this round */
	const uint8_t *prev;       /* the previous round (all SWEEP_UNPROBED in the first) */
	const int64_t *rtt_ns;     /* for alive targets */
	unsigned long round;       /* from 1 */
	char time[40];             /* RFC 3339, when the round ended */
};

/* Writes the round; header adds the CSV header line. Returns 0 or -1 (write error). */
int sweep_report_write(FILE *f, enum sweep_format fmt, const struct sweep_report *r, bool header);
/* Rewrites path atomically: temporary file in the same directory, fsync, rename. Returns 0 or
 * a negative errno. */
int sweep_report_file(const char *path, enum sweep_format fmt, const struct sweep_report *r);

#endif
