/* Sending sweep probes: ICMP/ICMPv6 echo requests over send-only raw sockets, paced by a token
 * bucket and batched with sendmmsg. */
#ifndef XDPSCOPE_SWEEP_SEND_H
#define XDPSCOPE_SWEEP_SEND_H

#include <stddef.h>
#include <stdint.h>

#include "sweep.h"
#include "targets.h"

#define SWEEP_BATCH 64

/* What identifies this run's probes and lets a reply be verified. */
struct sweep_probe {
	uint16_t id;
	uint64_t secret;
};

struct sweep_sender {
	int fd4, fd6;
	struct sweep_probe probe;
	double rate, burst, tokens, last;
};

/* Opens the raw sockets (only the families needed), with every ICMP type filtered so the
 * kernel never queues a reply to them. Prints errors; returns 0 or -1. */
int sweep_send_open(const char *cmd, struct sweep_sender *s, const struct sweep_probe *p,
		    double rate, int need4, int need6);
void sweep_send_close(struct sweep_sender *s);

/* Lets bursts grow to max probes (a sender whose batches are larger than SWEEP_BATCH): still
 * never more than 10 ms worth. */
void sweep_send_set_burst(struct sweep_sender *s, size_t max);
/* Takes n probes sent by another sender out of the bucket. */
void sweep_send_spend(struct sweep_sender *s, size_t n);

/* Token bucket: how many probes may go now (at most the burst); when 0, *wait_until says
 * when the next one may (clock_mono_s scale). */
size_t sweep_send_budget(struct sweep_sender *s, double now, double *wait_until);

/* Sends one echo request to each t->addr[idx[i]], i < n, recording the send times in
 * sent_ns[idx[i]]. Returns how many of idx were dealt with (sent, or refused for good, which
 * sets err[idx[i]] to the errno); 0 when the kernel is out of buffers for now. */
size_t sweep_send_batch(struct sweep_sender *s, const struct targets *t, const uint32_t *idx,
			size_t n, uint64_t *sent_ns, int *err);

/* The key a reply from a is counted under (IPv4-mapped form). */
void sweep_key_of(const struct in6_addr *a, struct sweep_key *k);

#endif
