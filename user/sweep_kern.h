/* The sweep's kernel receiver: loading bpf/sweep.bpf.c, attaching it through links on the
 * interfaces replies arrive on, and reading its map into a round's results. */
#ifndef XDPSCOPE_SWEEP_KERN_H
#define XDPSCOPE_SWEEP_KERN_H

#include "loader.h"
#include "sweep_recv.h"

#define SWEEP_KERN_MAX_LINKS 4
/* Map entries read per batch call: the buffers stay small (40 B an entry) whatever the number
 * of targets, instead of 40 B per target held for the whole run. */
#define SWEEP_KERN_BATCH 4096

struct sweep_bpf;

struct sweep_kern {
	struct sweep_bpf *skel;
	int links[SWEEP_KERN_MAX_LINKS];
	int nlinks;
	enum attach_mode mode;
	struct sweep_key *keys; /* batch read buffers, batch entries each */
	struct sweep_hit *vals;
	size_t max_entries, batch;
};

/* Opens and loads the program for mode with a map of max_entries; gen_entries > 0 readies
 * the XDP program to send to that many targets (--send xdp, sweep_gen.h) for frames carrying
 * gen_token. Prints errors; -1. */
int sweep_kern_open(const char *cmd, struct sweep_kern *k, const struct sweep_probe *p,
		    size_t max_entries, enum attach_mode mode, size_t gen_entries,
		    uint64_t gen_token);
/* Attaches to ifindex (loopback always in generic XDP or tc). Prints errors; -1. */
int sweep_kern_attach(const char *cmd, struct sweep_kern *k, unsigned int ifindex,
		      const char *ifname, int loopback);
/* Replies to probes sent before min_sent_ns no longer count. */
void sweep_kern_begin_round(struct sweep_kern *k, uint64_t min_sent_ns);
/* Reads the map into round (first replies only); with reset, empties it as it reads. */
int sweep_kern_read(struct sweep_kern *k, const struct targets *t, struct sweep_round *round,
		    int reset);
/* Sums the per-CPU counters. */
int sweep_kern_stats(struct sweep_kern *k, struct sweep_stats *out);
/* Detaches (closes the links) and frees everything. */
void sweep_kern_close(struct sweep_kern *k);

#endif
