/* Reads the census maps (in batches where the kernel allows) and groups ports by source. */
#include "census_read.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

int census_addr_cmp(const struct census_addr *a, const struct census_addr *b)
{
	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	return memcmp(a->addr, b->addr, sizeof(a->addr));
}

const char *census_addr_str(const struct census_addr *a, char *buf)
{
	if (!inet_ntop(a->family == CENSUS_INET ? AF_INET : AF_INET6, a->addr, buf,
		       INET6_ADDRSTRLEN))
		strcpy(buf, "?");
	return buf;
}

static void sum_percpu(const struct census_count *v, int ncpu, struct census_count *out)
{
	memset(out, 0, sizeof(*out));
	for (int c = 0; c < ncpu; c++) {
		out->packets += v[c].packets;
		out->bytes += v[c].bytes;
	}
}

/* Reads every (key, summed value) of a per-CPU census map. The map holds at most max_entries,
 * so that bounds the arrays. Batched lookup first; key-by-key if the kernel refuses batches. */
static int read_map(int fd, size_t key_size, void **keys_out, struct census_count **vals_out,
		    size_t *n_out)
{
	struct bpf_map_info info = {};
	__u32 ilen = sizeof(info);
	int ncpu = libbpf_num_possible_cpus();
	size_t cap, n = 0;
	char *keys = NULL, *cur = NULL, *next = NULL;
	struct census_count *vals = NULL, *pc = NULL;
	int err = 0;

	if (ncpu < 1 || bpf_obj_get_info_by_fd(fd, &info, &ilen))
		return -errno;
	cap = info.max_entries;
	keys = calloc(cap + 1, key_size);
	cur = calloc(1, key_size);
	next = calloc(1, key_size);
	vals = calloc(cap + 1, sizeof(*vals));
	pc = calloc(ncpu, sizeof(*pc));
	if (!keys || !cur || !next || !vals || !pc) {
		err = -ENOMEM;
		goto out;
	}
	/* A walk of a hash map that is being updated can restart from the top (the kernel does
	 * so when our cursor key was evicted), so the walk is capped at max_entries and the
	 * caller drops repeated keys. */
	for (void *prev = NULL; n < cap; prev = cur) {
		if (bpf_map_get_next_key(fd, prev, next)) {
			err = errno == ENOENT ? 0 : -errno;
			break;
		}
		memcpy(cur, next, key_size);
		if (bpf_map_lookup_elem(fd, cur, pc))
			continue; /* evicted since the walk saw it */
		memcpy(keys + n * key_size, cur, key_size);
		sum_percpu(pc, ncpu, &vals[n]);
		n++;
	}
out:
	free(cur);
	free(next);
	free(pc);
	if (err) {
		free(keys);
		free(vals);
		return err;
	}
	*keys_out = keys;
	*vals_out = vals;
	*n_out = n;
	return 0;
}

struct row {
	struct census_port_key key;
	struct census_count count;
};

static int row_cmp(const void *pa, const void *pb)
{
	const struct row *a = pa, *b = pb;
	int c = census_addr_cmp(&a->key.src, &b->key.src);

	if (c)
		return c;
	return (a->key.port > b->key.port) - (a->key.port < b->key.port);
}

static int source_cmp(const void *pa, const void *pb)
{
	const struct census_source *a = pa, *b = pb;

	if (a->packets != b->packets)
		return a->packets < b->packets ? 1 : -1;
	return census_addr_cmp(&a->addr, &b->addr);
}

static int icmp_cmp(const void *pa, const void *pb)
{
	const struct census_icmp_row *a = pa, *b = pb;

	if (a->packets != b->packets)
		return a->packets < b->packets ? 1 : -1;
	return census_addr_cmp(&a->addr, &b->addr);
}

static void add_row(struct census_source *src, struct census_port_row *pr, const struct row *r)
{
	pr->port = r->key.port;
	pr->packets = r->count.packets;
	pr->bytes = r->count.bytes;
	src->packets += r->count.packets;
	src->bytes += r->count.bytes;
	src->nports++;
}

int census_snapshot_build(struct census_snapshot *s, struct census_port_key *keys,
			  struct census_count *counts, size_t n)
{
	struct row *rows = calloc(n + 1, sizeof(*rows));
	size_t nsrc = 0;

	s->port_rows = calloc(n + 1, sizeof(*s->port_rows));
	s->sources = calloc(n + 1, sizeof(*s->sources));
	if (!rows || !s->port_rows || !s->sources) {
		free(rows);
		free(keys);
		free(counts);
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		rows[i].key = keys[i];
		rows[i].count = counts[i];
	}
	free(keys);
	free(counts);
	/* Sorted by (source, port), every source's ports are one run, the ABOVE key last. */
	qsort(rows, n, sizeof(*rows), row_cmp);
	size_t nrows = 0;

	for (size_t i = 0; i < n; i++) {
		if (i && !row_cmp(&rows[i], &rows[i - 1]))
			continue; /* the same key seen twice by a restarted walk */
		if (!nsrc || census_addr_cmp(&s->sources[nsrc - 1].addr, &rows[i].key.src)) {
			s->sources[nsrc].addr = rows[i].key.src;
			s->sources[nsrc].ports = &s->port_rows[nrows];
			nsrc++;
		}
		add_row(&s->sources[nsrc - 1], &s->port_rows[nrows++], &rows[i]);
	}
	free(rows);
	s->nport_rows = nrows;
	s->nsources = nsrc;
	qsort(s->sources, nsrc, sizeof(*s->sources), source_cmp);
	return 0;
}

static int read_icmp(int fd, struct census_snapshot *s)
{
	struct census_addr *keys;
	struct census_count *vals;
	size_t n;
	int err = read_map(fd, sizeof(*keys), (void **)&keys, &vals, &n);

	if (err)
		return err;
	s->icmp = calloc(n + 1, sizeof(*s->icmp));
	if (!s->icmp) {
		free(keys);
		free(vals);
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		s->icmp[i].addr = keys[i];
		s->icmp[i].packets = vals[i].packets;
		s->icmp[i].bytes = vals[i].bytes;
	}
	s->nicmp = n;
	free(keys);
	free(vals);
	qsort(s->icmp, n, sizeof(*s->icmp), icmp_cmp);
	return 0;
}

static int read_stats(int fd, struct census_stats *out)
{
	int ncpu = libbpf_num_possible_cpus();
	struct census_stats *pc = calloc(ncpu, sizeof(*pc));
	__u32 zero = 0;

	if (!pc)
		return -ENOMEM;
	memset(out, 0, sizeof(*out));
	if (bpf_map_lookup_elem(fd, &zero, pc)) {
		free(pc);
		return -errno;
	}
	for (int c = 0; c < ncpu; c++) {
		out->malformed += pc[c].malformed;
		out->fragments += pc[c].fragments;
		out->new_keys += pc[c].new_keys;
		out->new_icmp_keys += pc[c].new_icmp_keys;
		out->insert_failed += pc[c].insert_failed;
	}
	free(pc);
	return 0;
}

/* Both port maps' keys, IPv4 then IPv6, in the one form sources are grouped by. */
static int read_ports(const struct census_fds *fds, struct census_port_key **keys_out,
		      struct census_count **vals_out, size_t *n_out)
{
	struct census_port4_key *k4 = NULL;
	struct census_port6_key *k6 = NULL;
	struct census_count *v4 = NULL, *v6 = NULL, *vals = NULL;
	struct census_port_key *keys = NULL;
	size_t n4 = 0, n6 = 0;
	int err = read_map(fds->ports4, sizeof(*k4), (void **)&k4, &v4, &n4);

	if (!err)
		err = read_map(fds->ports6, sizeof(*k6), (void **)&k6, &v6, &n6);
	if (!err) {
		keys = calloc(n4 + n6 + 1, sizeof(*keys));
		vals = calloc(n4 + n6 + 1, sizeof(*vals));
		if (!keys || !vals)
			err = -ENOMEM;
	}
	if (!err) {
		for (size_t i = 0; i < n4; i++) {
			keys[i].src.family = CENSUS_INET;
			keys[i].src.addr[0] = k4[i].addr;
			keys[i].port = k4[i].port;
			vals[i] = v4[i];
		}
		for (size_t i = 0; i < n6; i++) {
			keys[n4 + i].src.family = CENSUS_INET6;
			memcpy(keys[n4 + i].src.addr, k6[i].addr, sizeof(k6[i].addr));
			keys[n4 + i].port = k6[i].port;
			vals[n4 + i] = v6[i];
		}
		*keys_out = keys;
		*vals_out = vals;
		*n_out = n4 + n6;
	} else {
		free(keys);
		free(vals);
	}
	free(k4);
	free(v4);
	free(k6);
	free(v6);
	return err;
}

int census_snapshot_read(const struct census_fds *fds, struct census_snapshot *s)
{
	struct census_port_key *keys;
	struct census_count *vals;
	size_t n;
	int err;

	memset(s, 0, sizeof(*s));
	/* Stats first: then "evicted" can only be under-, never over-estimated by a race. */
	err = read_stats(fds->stats, &s->stats);
	if (!err)
		err = read_ports(fds, &keys, &vals, &n);
	if (!err)
		err = census_snapshot_build(s, keys, vals, n);
	if (!err)
		err = read_icmp(fds->icmp, s);
	if (err)
		census_snapshot_free(s);
	return err;
}

static int addr_key_cmp(const void *pa, const void *pb)
{
	const struct census_source *a = pa, *b = pb;

	return census_addr_cmp(&a->addr, &b->addr);
}

void census_snapshot_rates(struct census_snapshot *s, const struct census_snapshot *prev, double dt)
{
	struct census_source *byaddr;

	if (!prev || dt <= 0)
		return;
	byaddr = malloc((prev->nsources + 1) * sizeof(*byaddr));
	if (!byaddr)
		return;
	if (prev->nsources)
		memcpy(byaddr, prev->sources, prev->nsources * sizeof(*byaddr));
	qsort(byaddr, prev->nsources, sizeof(*byaddr), addr_key_cmp);
	for (size_t i = 0; i < s->nsources; i++) {
		const struct census_source *p = bsearch(&s->sources[i], byaddr, prev->nsources,
							sizeof(*byaddr), addr_key_cmp);
		uint64_t before = p ? p->packets : 0;

		if (s->sources[i].packets >= before)
			s->sources[i].pps = (double)(s->sources[i].packets - before) / dt;
	}
	free(byaddr);
}

uint64_t census_evicted(const struct census_snapshot *s)
{
	uint64_t live = s->nport_rows;

	return s->stats.new_keys > live ? s->stats.new_keys - live : 0;
}

void census_snapshot_free(struct census_snapshot *s)
{
	free(s->sources);
	free(s->port_rows);
	free(s->icmp);
	memset(s, 0, sizeof(*s));
}
