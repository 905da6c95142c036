/* ping's statistics and iputils-compatible text: per-reply time, ICMP error wording and the
 * closing summary. Pure (no sockets) so that the rounding rules can be unit-tested. */
#ifndef XDPSCOPE_PING_REPORT_H
#define XDPSCOPE_PING_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct ping_stats {
	long ntransmitted, nreceived, nrepeats, nerrors;
	long long tsum, tsum2;	/* microseconds, over replies and duplicates (as iputils) */
	long tmin, tmax;	/* microseconds */
	long ewma8;		/* 8 x exponentially weighted RTT, microseconds (ipg/ewma) */
	int pipesize;		/* most probes outstanding when one was answered */
	bool timing;		/* payload large enough to carry a timestamp */
	uint8_t rcvd[65536 / 8]; /* which sequence numbers were answered, for (DUP!) */
};

void ping_stats_init(struct ping_stats *s, bool timing);
/* Records a transmission; returns the sequence number it used (ntransmitted, from 1, mod 2^16). */
uint16_t ping_stats_sent(struct ping_stats *s);
/* Records a reply to seq with its round trip; returns true if it is a duplicate. */
bool ping_stats_reply(struct ping_stats *s, uint16_t seq, long rtt_us);
/* Records an ICMP error about seq; ack also updates the pipe size (iputils does for IPv4). */
void ping_stats_error(struct ping_stats *s, uint16_t seq, bool ack);

/* Formats a round trip as iputils does ("0.052", "1.23", "12.3", "123"), into buf. */
void ping_fmt_time(char *buf, size_t n, long us);
/* Describes an ICMP error (type, code, info) in iputils' words, into buf. */
void ping_fmt_icmp(char *buf, size_t n, int family, uint8_t type, uint8_t code, uint32_t info);
/* Prints the blank line, "--- HOST ping statistics ---", the counts and the rtt line.
 * elapsed_us is from the first to the last transmission; interval_zero adds ipg/ewma. */
void ping_print_summary(FILE *f, const char *host, const struct ping_stats *s, long elapsed_us,
			bool interval_zero);

#endif
