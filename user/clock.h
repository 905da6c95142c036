/* Time helpers shared by the commands that report over time. */
#ifndef XDPSCOPE_CLOCK_H
#define XDPSCOPE_CLOCK_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

/* CLOCK_MONOTONIC in seconds. */
double clock_mono_s(void);
/* CLOCK_MONOTONIC in nanoseconds. */
uint64_t clock_mono_ns(void);
/* Sleeps until t (clock_mono_s() scale) or until *stop becomes non-zero (a signal arrived). */
void clock_sleep_until(double t, volatile sig_atomic_t *stop);
/* The current time as RFC 3339 UTC with milliseconds, e.g. 2026-11-25T12:00:00.123Z. */
void clock_rfc3339(char *buf, size_t len);

#endif
