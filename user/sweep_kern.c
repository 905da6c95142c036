/* The sweep's kernel receiver: skeleton load, link attach/detach, batched map reads. */
#include "sweep_kern.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "cli.h"
#include "sweep.skel.h"

int sweep_kern_open(const char *cmd, struct sweep_kern *k, const struct sweep_probe *p,
		    size_t max_entries, enum attach_mode mode, size_t gen_entries,
		    uint64_t gen_token)
{
	int err;

	*k = (struct sweep_kern){ .mode = mode, .max_entries = max_entries ? max_entries : 1 };
	k->batch = k->max_entries < SWEEP_KERN_BATCH ? k->max_entries : SWEEP_KERN_BATCH;
	k->keys = calloc(k->batch, sizeof(*k->keys));
	k->vals = calloc(k->batch, sizeof(*k->vals));
	k->skel = sweep_bpf__open();
	if (!k->keys || !k->vals || !k->skel) {
		cli_err(cmd, "opening BPF object: %s", strerror(errno));
		return -1;
	}
	k->skel->rodata->sweep_id = p->id;
	k->skel->rodata->sweep_secret = p->secret;
	bpf_map__set_max_entries(k->skel->maps.sweep_hits, k->max_entries);
	k->skel->rodata->gen_token = gen_entries ? gen_token : 0;
	bpf_map__set_max_entries(k->skel->maps.sweep_gen_targets, gen_entries ? gen_entries : 1);
	loader_select(k->skel->progs.sweep_xdp, k->skel->progs.sweep_tc, mode);
	err = sweep_bpf__load(k->skel);
	if (err) {
		cli_err(cmd, "loading BPF program: %s", strerror(-err));
		return -1;
	}
	return 0;
}

int sweep_kern_attach(const char *cmd, struct sweep_kern *k, unsigned int ifindex,
		      const char *ifname, int loopback)
{
	enum attach_mode mode = k->mode;
	int fd;

	if (k->nlinks == SWEEP_KERN_MAX_LINKS)
		return -1;
	/* Loopback has no native XDP: go straight to generic instead of warning about it. */
	if (loopback && mode == ATTACH_XDP)
		mode = ATTACH_XDP_GENERIC;
	fd = loader_attach(cmd, k->skel->progs.sweep_xdp, k->skel->progs.sweep_tc, ifindex, ifname,
			   &mode);
	if (fd < 0)
		return -1;
	if (!loopback)
		k->mode = mode;
	k->links[k->nlinks++] = fd;
	return 0;
}

void sweep_kern_begin_round(struct sweep_kern *k, uint64_t min_sent_ns)
{
	k->skel->bss->sweep_min_sent_ns = min_sent_ns;
}

int sweep_kern_read(struct sweep_kern *k, const struct targets *t, struct sweep_round *round,
		    int reset)
{
	LIBBPF_OPTS(bpf_map_batch_opts, opts);
	int fd = bpf_map__fd(k->skel->maps.sweep_hits);
	__u32 batch, count;
	void *in = NULL;
	int err;

	do {
		count = k->batch;
		if (reset)
			err = bpf_map_lookup_and_delete_batch(fd, in, &batch, k->keys, k->vals,
							      &count, &opts);
		else
			err = bpf_map_lookup_batch(fd, in, &batch, k->keys, k->vals, &count,
						   &opts);
		if (err && errno != ENOENT)
			return -errno;
		for (__u32 i = 0; i < count; i++)
			sweep_round_hit(round, t, &k->keys[i], k->vals[i].seq, k->vals[i].sent_ns,
					k->vals[i].first_ns);
		in = &batch;
	} while (!err);
	return 0;
}

int sweep_kern_stats(struct sweep_kern *k, struct sweep_stats *out)
{
	int ncpu = libbpf_num_possible_cpus(), err;
	struct sweep_stats *v;
	__u32 zero = 0;

	if (ncpu < 0)
		return ncpu;
	v = calloc(ncpu, sizeof(*v));
	if (!v)
		return -ENOMEM;
	err = bpf_map_lookup_elem(bpf_map__fd(k->skel->maps.sweep_stats), &zero, v);
	memset(out, 0, sizeof(*out));
	for (int i = 0; !err && i < ncpu; i++) {
		out->counted += v[i].counted;
		out->wrong_cookie += v[i].wrong_cookie;
		out->stale += v[i].stale;
		out->insert_failed += v[i].insert_failed;
		out->bad_checksum += v[i].bad_checksum;
	}
	free(v);
	return err ? -errno : 0;
}

void sweep_kern_close(struct sweep_kern *k)
{
	for (int i = 0; i < k->nlinks; i++)
		close(k->links[i]);
	k->nlinks = 0;
	sweep_bpf__destroy(k->skel);
	free(k->keys);
	free(k->vals);
	k->skel = NULL;
	k->keys = NULL;
	k->vals = NULL;
}
