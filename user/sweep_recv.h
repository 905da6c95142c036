/* Sweep replies: matching a reply to its target, and the user-space receiver (--no-bpf). */
#ifndef XDPSCOPE_SWEEP_RECV_H
#define XDPSCOPE_SWEEP_RECV_H

#include <signal.h>
#include <stdint.h>
#include <sys/types.h>

#include "sweep_send.h"

/* Per target results of a round: send time of the last probe, RTT of the first valid reply
 * (-1: none yet), errno of a probe the kernel refused. */
struct sweep_round {
	size_t n;
	uint64_t *sent_ns;
	int64_t *rtt_ns;
	int *err;
};

/* The target index a reply from k with sequence seq answers, or -1 (not a target). */
ssize_t sweep_match(const struct targets *t, const struct sweep_key *k, uint16_t seq);

/* Records a valid reply: the first one per target sets the RTT. */
void sweep_round_hit(struct sweep_round *r, const struct targets *t, const struct sweep_key *k,
		     uint16_t seq, uint64_t sent_ns, uint64_t recv_ns);

struct sweep_recv {
	int fd4, fd6;
	struct sweep_probe probe;
	int64_t real_minus_mono; /* to turn kernel receive stamps into CLOCK_MONOTONIC */
};

/* Raw ICMP/ICMPv6 receive sockets passing only echo replies, with a large buffer. */
int sweep_recv_open(const char *cmd, struct sweep_recv *r, const struct sweep_probe *p,
		    int need4, int need6);
void sweep_recv_close(struct sweep_recv *r);

/* Reads replies until `until` (clock_mono_s scale) or *stop, recording the valid ones sent
 * at or after min_sent_ns. until <= now just drains what is queued. */
void sweep_recv_until(struct sweep_recv *r, double until, volatile sig_atomic_t *stop,
		      const struct targets *t, uint64_t min_sent_ns, struct sweep_round *round);

#endif
