/* The sweep's kernel-side sender (--send xdp): echo requests built by the sweep's XDP program
 * (bpf/sweep.bpf.c) from one template frame and transmitted by BPF_PROG_RUN with live frames,
 * to the next hop's MAC address, without a socket send per probe. IPv4 targets behind one
 * gateway only. */
#ifndef XDPSCOPE_SWEEP_GEN_H
#define XDPSCOPE_SWEEP_GEN_H

#include <stddef.h>
#include <stdint.h>

#include "sweep_kern.h"
#include "sweep_send.h"
#include "targets.h"

/* Probes per BPF_PROG_RUN call, at most. */
#define SWEEP_GEN_BATCH 1024
/* Metadata (the run's token) + Ethernet + IPv4 + ICMP echo header + payload. */
#define SWEEP_GEN_META_LEN 8
#define SWEEP_GEN_FRAME_LEN (SWEEP_GEN_META_LEN + 14 + 20 + 8 + SWEEP_PAYLOAD_LEN)

struct sweep_gen {
	struct sweep_kern *kern;          /* whose XDP program sends */
	struct sweep_gen_target *targets; /* its target map, mmap'ed */
	size_t map_len;
	uint64_t token;
	unsigned int ifindex;
	char ifname[16];
	uint8_t frame[SWEEP_GEN_FRAME_LEN];
	uint8_t gateway[4], mac[6];
};

/* Finds the first target's route (it must have a gateway: every probe goes to that next
 * hop's MAC address), resolves the gateway's MAC (snd sends one uncounted echo request, with
 * another identifier, to the first target if the neighbour table has no entry yet) and builds
 * the template with a random token. Prints errors; returns 0 or -1. */
int sweep_gen_open(const char *cmd, struct sweep_gen *g, const struct sweep_probe *p,
		   const struct targets *t, struct sweep_sender *snd);
/* Sends with k's XDP program, loaded by sweep_kern_open with g->token and as many gen_entries
 * as targets. Prints errors; returns 0 or -1. */
int sweep_gen_bind(const char *cmd, struct sweep_gen *g, struct sweep_kern *k, size_t n);
void sweep_gen_close(struct sweep_gen *g);

/* Sends one echo request to each t->addr[idx[i]], i < n (at most SWEEP_GEN_BATCH), out of the
 * interface in one call, recording the time after the call in sent_ns[idx[i]]. Returns how
 * many were dealt with: sent, or refused by the kernel, which sets err[idx[i]] to the errno;
 * 0 when a signal interrupted the call first. */
size_t sweep_gen_batch(struct sweep_gen *g, const struct targets *t, const uint32_t *idx,
		       size_t n, uint64_t *sent_ns, int *err);

#endif
