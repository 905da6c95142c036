/* Runs frames through the loaded census and compares what it counted with census_ref. */
#include "census_diff.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "census.h"
#include "census.skel.h"
#include "census_read.h"
#include "census_ref.h"

/* What one run left in the maps, summed over CPUs. */
struct census_seen {
	size_t port4_keys, port6_keys, icmp_keys;
	struct census_port_key port_key; /* the first key of either port map, in one form */
	struct census_addr icmp_key;
	uint64_t packets, bytes; /* of the (single) key found */
	struct census_stats st;
};

int census_diff_open(struct census_diff *d, uint32_t max_port)
{
	int err;

	memset(d, 0, sizeof(*d));
	d->max_port = max_port;
	d->ncpu = libbpf_num_possible_cpus();
	if (d->ncpu <= 0)
		return d->ncpu ? d->ncpu : -EINVAL;
	d->vals = calloc(d->ncpu, sizeof(struct census_count) > sizeof(struct census_stats) ?
					  sizeof(struct census_count) : sizeof(struct census_stats));
	d->skel = census_bpf__open();
	if (!d->vals || !d->skel) {
		census_diff_close(d);
		return -ENOMEM;
	}
	d->skel->rodata->census_max_port = max_port;
	/* A run leaves at most one key and each check empties the maps; small maps keep the
	 * emptiness check (get_next_key walks every bucket) cheap. */
	err = bpf_map__set_max_entries(d->skel->maps.census_ports4, 64);
	if (!err)
		err = bpf_map__set_max_entries(d->skel->maps.census_ports6, 64);
	if (!err)
		err = bpf_map__set_max_entries(d->skel->maps.census_icmp, 64);
	if (!err)
		err = census_bpf__load(d->skel);
	if (err) {
		census_diff_close(d);
		return err;
	}
	return 0;
}

void census_diff_close(struct census_diff *d)
{
	census_bpf__destroy(d->skel);
	free(d->vals);
	memset(d, 0, sizeof(*d));
}

/* Sums one key's per-CPU counts into seen, then deletes the key. */
static int diff_take_key(struct census_diff *d, int fd, const void *key, struct census_seen *seen)
{
	struct census_count *c = d->vals;

	if (bpf_map_lookup_elem(fd, key, c))
		return -errno;
	for (int i = 0; i < d->ncpu; i++) {
		seen->packets += c[i].packets;
		seen->bytes += c[i].bytes;
	}
	return bpf_map_delete_elem(fd, key) ? -errno : 0;
}

/* Empties one map, counting its keys and keeping the first (unless first is NULL). */
static int diff_drain(struct census_diff *d, struct bpf_map *map, void *first, size_t ksize,
		      size_t *nkeys, struct census_seen *seen)
{
	int fd = bpf_map__fd(map), err;
	uint8_t key[sizeof(struct census_port_key)];

	while (!bpf_map_get_next_key(fd, NULL, key)) {
		if (*nkeys == 0 && first)
			memcpy(first, key, ksize);
		(*nkeys)++;
		err = diff_take_key(d, fd, key, seen);
		if (err)
			return err;
	}
	return 0;
}

static int diff_take_stats(struct census_diff *d, struct census_stats *st)
{
	struct census_stats *v = d->vals;
	int fd = bpf_map__fd(d->skel->maps.census_stats);
	uint32_t zero = 0;

	memset(st, 0, sizeof(*st));
	if (bpf_map_lookup_elem(fd, &zero, v))
		return -errno;
	for (int i = 0; i < d->ncpu; i++) {
		st->malformed += v[i].malformed;
		st->fragments += v[i].fragments;
		st->new_keys += v[i].new_keys;
		st->new_icmp_keys += v[i].new_icmp_keys;
		st->insert_failed += v[i].insert_failed;
	}
	memset(v, 0, d->ncpu * sizeof(*v));
	return bpf_map_update_elem(fd, &zero, v, BPF_ANY) ? -errno : 0;
}

/* Empties both port maps; the first key found, IPv4 map first, goes to seen->port_key. */
static int diff_drain_ports(struct census_diff *d, struct census_seen *seen)
{
	struct census_port4_key k4 = { 0 };
	struct census_port6_key k6 = { 0 };
	int err = diff_drain(d, d->skel->maps.census_ports4, &k4, sizeof(k4), &seen->port4_keys,
			     seen);

	if (!err)
		err = diff_drain(d, d->skel->maps.census_ports6, &k6, sizeof(k6),
				 &seen->port6_keys, seen);
	if (seen->port4_keys) {
		seen->port_key.src.family = CENSUS_INET;
		seen->port_key.src.addr[0] = k4.addr;
		seen->port_key.port = k4.port;
	} else if (seen->port6_keys) {
		seen->port_key.src.family = CENSUS_INET6;
		memcpy(seen->port_key.src.addr, k6.addr, sizeof(k6.addr));
		seen->port_key.port = k6.port;
	}
	return err;
}

static int diff_collect(struct census_diff *d, struct census_seen *seen)
{
	int err;

	memset(seen, 0, sizeof(*seen));
	err = diff_drain_ports(d, seen);
	if (!err)
		err = diff_drain(d, d->skel->maps.census_icmp, &seen->icmp_key, sizeof(seen->icmp_key),
				 &seen->icmp_keys, seen);
	if (!err)
		err = diff_take_stats(d, &seen->st);
	return err;
}

static void diff_addr_str(const struct census_addr *a, char *buf, size_t len)
{
	const uint8_t *b = (const uint8_t *)a->addr;

	if (a->family == CENSUS_INET)
		snprintf(buf, len, "%u.%u.%u.%u", b[0], b[1], b[2], b[3]);
	else
		snprintf(buf, len, "v%u:%02x%02x:%02x%02x:..:%02x%02x", a->family, b[0], b[1], b[2],
			 b[3], b[14], b[15]);
}

static void diff_describe(const struct census_ref *ref, const struct census_seen *s, char *why,
			  size_t whylen)
{
	char want[64], pk[64], ik[64];

	diff_addr_str(&ref->src, want, sizeof(want));
	diff_addr_str(&s->port_key.src, pk, sizeof(pk));
	diff_addr_str(&s->icmp_key, ik, sizeof(ik));
	snprintf(why, whylen,
		 "reference: %s %s port %u; bpf: %zu+%zu IPv4+IPv6 port keys (first %s port %u), "
		 "%zu icmp keys "
		 "(first %s), packets %llu bytes %llu, malformed %llu fragments %llu new_keys %llu "
		 "new_icmp_keys %llu insert_failed %llu",
		 census_ref_kind_name(ref->kind), want, ref->port, s->port4_keys, s->port6_keys, pk, s->port_key.port,
		 s->icmp_keys, ik, (unsigned long long)s->packets, (unsigned long long)s->bytes,
		 (unsigned long long)s->st.malformed, (unsigned long long)s->st.fragments,
		 (unsigned long long)s->st.new_keys, (unsigned long long)s->st.new_icmp_keys,
		 (unsigned long long)s->st.insert_failed);
}

/* What the maps must hold after one run of a frame of len bytes that ref describes. */
static struct census_seen diff_expected(const struct census_ref *ref, size_t len)
{
	struct census_seen e = { 0 };

	if (ref->kind == CENSUS_REF_PORT) {
		if (ref->src.family == CENSUS_INET)
			e.port4_keys = 1;
		else
			e.port6_keys = 1;
		e.port_key.src = ref->src;
		e.port_key.port = ref->port;
		e.packets = 1;
		e.bytes = len;
		e.st.new_keys = 1;
	} else if (ref->kind == CENSUS_REF_ICMP_REPLY) {
		e.icmp_keys = 1;
		e.icmp_key = ref->src;
		e.packets = 1;
		e.bytes = len;
		e.st.new_icmp_keys = 1;
	} else if (ref->kind == CENSUS_REF_MALFORMED) {
		e.st.malformed = 1;
	} else if (ref->kind == CENSUS_REF_FRAGMENT) {
		e.st.fragments = 1;
	}
	return e;
}

int census_diff_check(struct census_diff *d, enum census_diff_prog prog, const uint8_t *frame,
		      size_t len, char *why, size_t whylen)
{
	struct bpf_program *p = prog == CENSUS_DIFF_TC ? d->skel->progs.census_tc : d->skel->progs.census_xdp;
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = frame, .data_size_in = (uint32_t)len, .repeat = 1);
	struct census_seen seen, want;
	struct census_ref ref;
	int err;

	if (bpf_prog_test_run_opts(bpf_program__fd(p), &o))
		return -errno;
	err = diff_collect(d, &seen);
	if (err)
		return err;
	/* XDP_PASS is 2; the TC program passes with TCX_NEXT (-1). */
	if ((int)o.retval != (prog == CENSUS_DIFF_TC ? -1 : 2)) {
		snprintf(why, whylen, "program returned %d instead of passing the frame", (int)o.retval);
		return 1;
	}
	census_ref_classify(frame, len, d->max_port, &ref);
	want = diff_expected(&ref, len);
	if (seen.port4_keys != want.port4_keys || seen.port6_keys != want.port6_keys ||
	    seen.icmp_keys != want.icmp_keys ||
	    memcmp(&seen.port_key, &want.port_key, sizeof(want.port_key)) ||
	    memcmp(&seen.icmp_key, &want.icmp_key, sizeof(want.icmp_key)) ||
	    seen.packets != want.packets || seen.bytes != want.bytes ||
	    memcmp(&seen.st, &want.st, sizeof(want.st))) {
		diff_describe(&ref, &seen, why, whylen);
		return 1;
	}
	return 0;
}

void census_diff_hex(const uint8_t *frame, size_t len, char *buf, size_t buflen)
{
	size_t o = 0;

	if (buflen)
		buf[0] = '\0';
	for (size_t i = 0; i < len && o + 3 <= buflen; i++)
		o += (size_t)snprintf(buf + o, buflen - o, "%02x", frame[i]);
}
