/* Per-packet cost of the census with no traffic: BPF_PROG_TEST_RUN of the census programs
 * beside an empty XDP program and a minimal reference counter, rounds interleaved.
 *   census_prog_bench [--repeat N] [--rounds N]      (JSON on stdout)
 * Working sets: BPF_PROG_TEST_RUN repeats one frame, so those cases run vary_xdp, which
 * rewrites the source address and port of the frame on each repetition and tail-calls the
 * program under test; the same wrapper tail-calling the empty program is measured beside
 * them, so its cost can be subtracted. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bench_progs.skel.h"
#include "census.skel.h"
#include "census_read.h"
#include "cli.h"
#include "frames.h"
#include "json.h"

#define CMD "census_prog_bench"
#define CENSUS_ENTRIES 131072 /* twice the largest working set: no eviction in those cases */
#define MAX_ROUNDS 9

enum vary { DIRECT, WS, NEW };

struct bench_case {
	const char *name;
	const char *prog;   /* "empty", "refcount", "refcount_lru", "refcount_wide",
			     * "census_xdp", "census_tc" */
	int family;         /* frame: 4 (64-byte TCP SYN) or 6 (74-byte) */
	enum vary vary;
	__u32 keys;         /* working set (WS) */
	bool check;         /* census: the map must hold exactly the packets run */
	const char *peer;   /* the case it is compared with in the report */
	__u64 ns[MAX_ROUNDS];
	double wall_ns[MAX_ROUNDS];
	bool exact[MAX_ROUNDS];
};

static struct bench_case cases[] = {
	{ "empty XDP_PASS", "empty", 4, DIRECT },
	{ "reference counter, hit", "refcount", 4, DIRECT },
	{ "reference counter (LRU map), hit", "refcount_lru", 4, DIRECT },
	{ "reference counter, 24-byte key/32-byte value (LRU map), hit", "refcount_wide", 4, DIRECT },
	{ "census XDP, hit", "census_xdp", 4, DIRECT, 0, true, "reference counter, hit" },
	{ "census TC, hit", "census_tc", 4, DIRECT, 0, true, "reference counter, hit" },
	{ "census XDP, IPv6 hit", "census_xdp", 6, DIRECT, 0, true, "reference counter, hit" },
	{ "wrapper + empty (1,024 keys)", "empty", 4, WS, 1024 },
	{ "wrapper + reference counter, 1,024 keys", "refcount", 4, WS, 1024 },
	{ "wrapper + census XDP, 1,024 keys", "census_xdp", 4, WS, 1024, true,
	  "wrapper + reference counter, 1,024 keys" },
	{ "wrapper + reference counter, 65,536 keys", "refcount", 4, WS, 65536 },
	{ "wrapper + reference counter (LRU map), 65,536 keys", "refcount_lru", 4, WS, 65536 },
	{ "wrapper + reference counter, 24-byte key/32-byte value (LRU map), 65,536 keys",
	  "refcount_wide", 4, WS, 65536 },
	{ "wrapper + census XDP, 65,536 keys", "census_xdp", 4, WS, 65536, true,
	  "wrapper + reference counter, 65,536 keys" },
	{ "wrapper + empty (new keys)", "empty", 4, NEW },
	{ "wrapper + census XDP, new keys (LRU full, evicting)", "census_xdp", 4, NEW, 0, false,
	  "wrapper + census XDP, 1,024 keys" },
};
#define NCASES (sizeof(cases) / sizeof(cases[0]))

struct bench {
	struct census_bpf *census;
	struct census_bpf *census_new; /* its own maps: the evicting case must not evict the sets */
	struct bench_progs_bpf *progs;
	uint8_t frame4[256], frame6[256];
	size_t len4, len6;
	uint64_t repeat;
	__u64 new_seq; /* next never-used key of the NEW cases */
	__u64 expected; /* packets run through the (checked) census instance so far */
};

static double now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e9 + t.tv_nsec;
}

static int prog_fd(struct bench *b, const char *name)
{
	if (!strcmp(name, "empty"))
		return bpf_program__fd(b->progs->progs.empty_xdp);
	if (!strcmp(name, "refcount"))
		return bpf_program__fd(b->progs->progs.refcount_xdp);
	if (!strcmp(name, "refcount_wide"))
		return bpf_program__fd(b->progs->progs.refcount_wide_xdp);
	if (!strcmp(name, "refcount_lru"))
		return bpf_program__fd(b->progs->progs.refcount_lru_xdp);
	if (!strcmp(name, "census_tc"))
		return bpf_program__fd(b->census->progs.census_tc);
	return bpf_program__fd(b->census->progs.census_xdp);
}

static int case_prog_fd(struct bench *b, const struct bench_case *c)
{
	if (c->vary == NEW && !strcmp(c->prog, "census_xdp"))
		return bpf_program__fd(b->census_new->progs.census_xdp);
	return prog_fd(b, c->prog);
}

static __u64 census_total(struct bench *b)
{
	struct census_snapshot s;
	__u64 total = 0;

	struct census_fds fds = { bpf_map__fd(b->census->maps.census_ports4),
				  bpf_map__fd(b->census->maps.census_ports6),
				  bpf_map__fd(b->census->maps.census_icmp),
				  bpf_map__fd(b->census->maps.census_stats) };

	/* Both port maps: the IPv6 case counts in the other one. */
	if (census_snapshot_read(&fds, &s))
		return 0;
	for (size_t i = 0; i < s.nsources; i++)
		total += s.sources[i].packets;
	census_snapshot_free(&s);
	return total;
}

/* One BPF_PROG_TEST_RUN; returns 0 and the kernel's average ns, and the wall ns per packet. */
static int run_once(struct bench *b, int fd, int family, __u64 repeat, __u64 *ns, double *wall)
{
	LIBBPF_OPTS(bpf_test_run_opts, o, .repeat = repeat);
	double t0;

	o.data_in = family == 6 ? b->frame6 : b->frame4;
	o.data_size_in = family == 6 ? b->len6 : b->len4;
	t0 = now_ns();
	if (bpf_prog_test_run_opts(fd, &o))
		return -errno;
	*wall = (now_ns() - t0) / repeat;
	*ns = o.duration;
	return 0;
}

static int set_vary(struct bench *b, struct bench_case *c)
{
	__u32 zero = 0;
	int fd = case_prog_fd(b, c);

	if (bpf_map_update_elem(bpf_map__fd(b->progs->maps.vary_next), &zero, &fd, BPF_ANY))
		return -errno;
	if (c->vary == WS) {
		b->progs->bss->vary_seq = 0;
		b->progs->bss->vary_keys = c->keys;
		b->progs->bss->vary_addrs = c->keys < 65536 ? c->keys : 65536;
	} else {
		b->progs->bss->vary_seq = b->new_seq;
		b->progs->bss->vary_keys = 0;
		b->progs->bss->vary_addrs = 131072;
		b->new_seq += b->repeat;
	}
	return 0;
}

static int run_case(struct bench *b, struct bench_case *c, int round)
{
	int fd = case_prog_fd(b, c), err;

	if (c->vary != DIRECT) {
		if ((err = set_vary(b, c)))
			return err;
		fd = bpf_program__fd(b->progs->progs.vary_xdp);
		/* Touch the working set first, so the measured run only hits. */
		if (c->vary == WS) {
			__u64 ns;
			double w;

			if ((err = run_once(b, fd, c->family, c->keys, &ns, &w)))
				return err;
			b->progs->bss->vary_seq = 0;
			if (c->check)
				b->expected += c->keys;
		}
	}
	err = run_once(b, fd, c->family, b->repeat, &c->ns[round], &c->wall_ns[round]);
	if (c->check)
		b->expected += b->repeat;
	return err;
}

static int setup(struct bench *b)
{
	struct frame_spec s4 = { .family = 4, .src = "198.18.0.9", .dst = "198.18.0.1",
				 .proto = 6, .sport = 22, .dport = 80, .payload = 20 };
	struct frame_spec s6 = { .family = 6, .src = "2001:db8::2", .dst = "2001:db8::1",
				 .proto = 6, .sport = 22, .dport = 80 };

	b->len4 = frame_build(&s4, b->frame4, sizeof(b->frame4));
	b->len6 = frame_build(&s6, b->frame6, sizeof(b->frame6));
	b->census = census_bpf__open();
	b->census_new = census_bpf__open();
	b->progs = bench_progs_bpf__open_and_load();
	if (!b->census || !b->census_new || !b->progs)
		return -1;
	b->census->rodata->census_max_port = 1000;
	bpf_map__set_max_entries(b->census->maps.census_ports4, CENSUS_ENTRIES);
	bpf_map__set_max_entries(b->census->maps.census_ports6, CENSUS_ENTRIES);
	b->census_new->rodata->census_max_port = 1000;
	bpf_map__set_max_entries(b->census_new->maps.census_ports4, CENSUS_ENTRIES);
	bpf_map__set_max_entries(b->census_new->maps.census_ports6, CENSUS_ENTRIES);
	return census_bpf__load(b->census) || census_bpf__load(b->census_new) ? -1 : 0;
}

static void print_case(struct json *j, const struct bench_case *c, int rounds, __u64 repeat)
{
	json_obj_begin(j, NULL);
	json_str(j, "name", c->name);
	json_str(j, "prog", c->prog);
	json_u64(j, "family", c->family);
	json_str(j, "keys", c->vary == DIRECT ? "one" : c->vary == NEW ? "new" : "working set");
	json_u64(j, "working_set", c->vary == WS ? c->keys : c->vary == DIRECT ? 1 : 0);
	json_bool(j, "wrapped", c->vary != DIRECT);
	if (c->peer)
		json_str(j, "peer", c->peer);
	else
		json_null(j, "peer");
	json_u64(j, "repeat", repeat);
	json_arr_begin(j, "ns");
	for (int r = 0; r < rounds; r++)
		json_u64(j, NULL, c->ns[r]);
	json_arr_end(j);
	json_arr_begin(j, "wall_ns");
	for (int r = 0; r < rounds; r++)
		json_double(j, NULL, c->wall_ns[r], 1);
	json_arr_end(j);
	json_bool(j, "checked", c->check);
	bool exact = true;
	for (int r = 0; r < rounds; r++)
		exact = exact && c->exact[r];
	json_bool(j, "exact", exact);
	json_obj_end(j);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "repeat", required_argument, NULL, 'r' },
		{ "rounds", required_argument, NULL, 'n' },
		{ "match", required_argument, NULL, 'm' },
		{ 0 },
	};
	struct bench b = { .repeat = 10000000, .new_seq = 1 << 20 };
	uint64_t rounds = 3;
	const char *match = NULL;
	struct json j;
	int c, err = 0;

	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (c == 'r' && !cli_parse_u64(CMD, "--repeat", optarg, 1, 1ULL << 31, &b.repeat))
			continue;
		if (c == 'n' && !cli_parse_u64(CMD, "--rounds", optarg, 1, MAX_ROUNDS, &rounds))
			continue;
		if (c == 'm') {
			match = optarg; /* only the cases whose name holds this */
			continue;
		}
		return EXIT_ERROR;
	}
	if (setup(&b)) {
		cli_err(CMD, "loading BPF programs: %s", strerror(errno));
		return EXIT_ERROR;
	}
	/* Interleaved: every case once per round, so drift over the run hits them alike. */
	for (int r = 0; r < (int)rounds && !err; r++) {
		for (size_t i = 0; i < NCASES && !err; i++)
			if (!match || strstr(cases[i].name, match))
				err = run_case(&b, &cases[i], r);
		/* Once a round (reading the map is slow): the checked census instance holds exactly
		 * the packets run through it, so none was lost or evicted. */
		bool exact = census_total(&b) == b.expected;

		for (size_t i = 0; i < NCASES; i++)
			cases[i].exact[r] = !cases[i].check || exact;
	}
	if (err) {
		cli_err(CMD, "test run: %s", strerror(-err));
		for (size_t i = 0; i < NCASES; i++)
			if (!cases[i].ns[0] && (!match || strstr(cases[i].name, match)))
				fprintf(stderr, "%s: failed at '%s'\n", CMD, cases[i].name);
	} else {
		json_init(&j, stdout);
		json_obj_begin(&j, NULL);
		json_u64(&j, "rounds", rounds);
		json_u64(&j, "census_entries", CENSUS_ENTRIES);
		json_arr_begin(&j, "cases");
		for (size_t i = 0; i < NCASES; i++)
			if (!match || strstr(cases[i].name, match))
				print_case(&j, &cases[i], rounds, b.repeat);
		json_arr_end(&j);
		json_obj_end(&j);
		json_line_end(&j);
	}
	census_bpf__destroy(b.census);
	census_bpf__destroy(b.census_new);
	bench_progs_bpf__destroy(b.progs);
	return err ? EXIT_ERROR : EXIT_OK;
}
