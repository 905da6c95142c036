/* xdpscope sweep: probes many hosts with ICMP echo from user space and counts the replies in
 * a BPF program on the receiving interface (or a raw socket with --no-bpf), then reports
 * which hosts are alive, inactive, went down or came up, once or every S seconds. */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <net/if.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "clock.h"
#include "commands.h"
#include "privs.h"
#include "route.h"
#include "sweep_gen.h"
#include "sweep_kern.h"
#include "sweep_recv.h"
#include "sweep_report.h"
#include "sweep_send.h"
#include "targets.h"

#define CMD "sweep"

struct sweep_opts {
	double every;      /* 0: one round */
	uint64_t count;    /* rounds; 0: until a signal (with --every) */
	double rate, timeout;
	uint64_t retries, max_targets;
	const char *ifname, *report;
	enum sweep_format format;
	enum attach_mode mode;
	bool no_bpf;
	bool send_xdp;     /* --send xdp */
	int first_target;  /* argv index */
	struct privs_user user; /* -Z */
};

struct sweep_ctx {
	const struct sweep_opts *o;
	struct targets t;
	struct sweep_sender snd;
	struct sweep_recv rcv;
	struct sweep_kern kern;
	struct sweep_gen gen;
	bool use_bpf;
	struct sweep_round r;
	uint8_t *state, *prev;
	uint32_t *idx;
	unsigned long round;
	double round_start, last_progress;
	size_t sent;
	bool progress_shown;
};

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
	/* The first signal finishes the round's report; a second one ends us at once. */
	if (stop_signal) {
		signal(sig, SIG_DFL);
		raise(sig);
	}
	stop_signal = sig;
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: xdpscope sweep TARGET... [OPTIONS]\n"
		"Sends ICMP echo requests to every TARGET and reports which hosts answer. Replies\n"
		"are counted in the kernel by a BPF program on the interface the route to the\n"
		"targets uses, attached only while the sweep runs.\n\n"
		"TARGET: an IPv4 or IPv6 address, a CIDR block (as fping -g: IPv4 blocks shorter\n"
		"than /31 leave out the network and broadcast addresses; IPv6 blocks include every\n"
		"address), a range A-B (both ends included), or a host name (its first address).\n"
		"Repeated addresses are probed once. This machine's own addresses count too (their\n"
		"replies come back over loopback, where the counter is attached as well).\n\n"
		"  --every S         repeat every S seconds until SIGINT/SIGTERM or --count rounds\n"
		"  --count N         number of rounds (default 1; with --every: until a signal)\n"
		"  --rate PPS        probes per second (default 10000)\n"
		"  --timeout S       wait S seconds for replies after the last probe (default 1)\n"
		"  --retries N       probe silent hosts N more times (default 1)\n"
		"  --max-targets N   refuse more than N targets (default 1048576)\n"
		"  -I IFACE          count replies on IFACE (default: the route to the first target)\n"
		"  --attach MODE     xdp (native, default; falls back to xdp-generic), xdp-generic, tc\n"
		"  --no-bpf          count replies with a raw socket in user space instead\n"
		"  --send MODE       raw (default): a raw socket, sendmmsg; xdp: built and sent by\n"
		"                    a BPF program (BPF_PROG_RUN, live frames) out of the route's\n"
		"                    interface to its gateway's MAC address: IPv4 targets behind\n"
		"                    one gateway (the first target's), far fewer system calls\n"
		"  --format FMT      text (default), json or csv\n"
		"  --json            same as --format json: one JSON object per round\n"
		"  --report FILE     rewrite FILE atomically after every round with that round's report\n"
		"  -Z, --relinquish-privileges USER\n"
		"                    once set up, become USER (who must be able to write --report's\n"
		"                    directory) and drop every capability\n"
		"  -h, --help        this help\n\n"
		"Text: 'ADDR is alive (RTT ms)' or 'ADDR is inactive' per target, then 'Total N hosts\n"
		"are inactive'. JSON keys: time, round, targets, alive, inactive, went_down, came_up,\n"
		"rtt_ms. CSV columns: time,round,addr,status,rtt_ms.\n"
		"Exit 0 when every target was alive in the last round, 1 when some were inactive,\n"
		"2 on error.\n");
}

static int parse_format(const char *s, enum sweep_format *f)
{
	static const char *const names[] = { "text", "json", "csv" };

	for (int i = 0; i < 3; i++)
		if (!strcmp(s, names[i])) {
			*f = i;
			return 0;
		}
	cli_err(CMD, "invalid --format value '%s': use text, json or csv", s);
	return -1;
}

static int parse_opts(int argc, char **argv, struct sweep_opts *o)
{
	static const struct option longopts[] = {
		{ "every", required_argument, NULL, 'e' },
		{ "count", required_argument, NULL, 'c' },
		{ "rate", required_argument, NULL, 'r' },
		{ "timeout", required_argument, NULL, 't' },
		{ "retries", required_argument, NULL, 'R' },
		{ "max-targets", required_argument, NULL, 'm' },
		{ "attach", required_argument, NULL, 'a' },
		{ "no-bpf", no_argument, NULL, 'n' },
		{ "send", required_argument, NULL, 's' },
		{ "format", required_argument, NULL, 'f' },
		{ "json", no_argument, NULL, 'j' },
		{ "report", required_argument, NULL, 'o' },
		{ "relinquish-privileges", required_argument, NULL, 'Z' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	bool count_set = false;
	int c;

	*o = (struct sweep_opts){ .count = 1, .rate = 10000, .timeout = 1, .retries = 1,
				  .max_targets = TARGETS_DEFAULT_MAX };
	while ((c = getopt_long(argc, argv, "hI:Z:", longopts, NULL)) != -1) {
		switch (c) {
		case 'e':
			if (cli_parse_double(CMD, "--every", optarg, 0.001, 1e7, &o->every))
				return -1;
			break;
		case 'c':
			if (cli_parse_u64(CMD, "--count", optarg, 1, UINT32_MAX, &o->count))
				return -1;
			count_set = true;
			break;
		case 'r':
			if (cli_parse_double(CMD, "--rate", optarg, 1e-9, 1e8, &o->rate))
				return -1;
			break;
		case 't':
			if (cli_parse_double(CMD, "--timeout", optarg, 1e-9, 3600, &o->timeout))
				return -1;
			break;
		case 'R':
			if (cli_parse_u64(CMD, "--retries", optarg, 0, 100, &o->retries))
				return -1;
			break;
		case 'm':
			if (cli_parse_u64(CMD, "--max-targets", optarg, 1, TARGETS_LIMIT,
					  &o->max_targets))
				return -1;
			break;
		case 'a':
			if (attach_mode_parse(CMD, optarg, &o->mode))
				return -1;
			break;
		case 'n':
			o->no_bpf = true;
			break;
		case 's':
			if (strcmp(optarg, "raw") && strcmp(optarg, "xdp")) {
				cli_err(CMD, "invalid --send value '%s': use raw or xdp", optarg);
				return -1;
			}
			o->send_xdp = !strcmp(optarg, "xdp");
			break;
		case 'f':
			if (parse_format(optarg, &o->format))
				return -1;
			break;
		case 'j':
			o->format = SWEEP_JSON;
			break;
		case 'o':
			o->report = optarg;
			break;
		case 'I':
			o->ifname = optarg;
			break;
		case 'Z':
			if (privs_user_lookup(CMD, optarg, &o->user))
				return -1;
			break;
		case 'h':
			usage(stdout);
			exit(EXIT_OK);
		default:
			fprintf(stderr, "Try 'xdpscope sweep --help'.\n");
			return -1;
		}
	}
	if (o->every && !count_set)
		o->count = 0;
	if (o->send_xdp && (o->no_bpf || o->mode == ATTACH_TC)) {
		cli_err(CMD, "--send xdp sends with the XDP counter: not with %s",
			o->no_bpf ? "--no-bpf" : "--attach tc");
		return -1;
	}
	if (optind >= argc) {
		cli_err(CMD, "missing TARGET");
		return -1;
	}
	o->first_target = optind;
	return 0;
}

static int load_targets(int argc, char **argv, const struct sweep_opts *o, struct targets *t)
{
	char err[256];

	for (int i = o->first_target; i < argc; i++) {
		if (targets_add(t, argv[i], o->max_targets, err, sizeof(err))) {
			cli_err(CMD, "%s", err);
			return -1;
		}
	}
	if (targets_dedup(t)) {
		cli_err(CMD, "out of memory");
		return -1;
	}
	return 0;
}

/* The interfaces replies arrive on: -I, or the routes to the first remote target of each
 * family; plus loopback when some targets are this machine's own addresses. */
static int pick_ifaces(const struct sweep_opts *o, const struct targets *t, unsigned int *ifs,
		       int *nifs)
{
	struct route_local *loc = NULL;
	size_t nloc = 0;
	unsigned int lo = if_nametoindex("lo");
	bool have_local = false, done4 = false, done6 = false;
	int err = route_local_dump(&loc, &nloc);

	*nifs = 0;
	if (err) {
		cli_err(CMD, "reading local routes: %s", strerror(-err));
		return -1;
	}
	if (o->ifname) {
		ifs[0] = cli_ifindex(CMD, o->ifname);
		if (!ifs[0]) {
			free(loc);
			return -1;
		}
		*nifs = 1;
	}
	for (size_t i = 0; i < t->n; i++) {
		bool v4 = targets_is_v4(&t->addr[i]), local;
		unsigned int oif = 0;

		if (route_is_local(loc, nloc, &t->addr[i])) {
			have_local = true;
			continue;
		}
		if (o->ifname || (v4 ? done4 : done6))
			continue;
		*(v4 ? &done4 : &done6) = true;
		/* No route: the probes will fail to send and the targets count as inactive. */
		if (route_lookup(&t->addr[i], &oif, &local) || !oif)
			continue;
		if (local)
			have_local = true;
		else if (!*nifs || ifs[0] != oif)
			ifs[(*nifs)++] = oif;
	}
	free(loc);
	if (have_local && lo) {
		for (int i = 0; i < *nifs; i++)
			if (ifs[i] == lo)
				return 0;
		ifs[(*nifs)++] = lo;
	}
	return 0;
}

static int setup_bpf(struct sweep_ctx *c, const struct sweep_probe *p, const unsigned int *ifs,
		     int nifs)
{
	unsigned int lo = if_nametoindex("lo");
	char name[IF_NAMESIZE], line[256];
	int len = 0;

	if (loader_check_caps(CMD))
		return -1;
	loader_quiet_libbpf();
	if (sweep_kern_open(CMD, &c->kern, p, c->t.n, c->o->mode,
			    c->o->send_xdp ? c->t.n : 0, c->gen.token))
		return -1;
	if (c->o->send_xdp && sweep_gen_bind(CMD, &c->gen, &c->kern, c->t.n))
		return -1;
	for (int i = 0; i < nifs; i++) {
		if (!if_indextoname(ifs[i], name))
			snprintf(name, sizeof(name), "#%u", ifs[i]);
		if (sweep_kern_attach(CMD, &c->kern, ifs[i], name, ifs[i] == lo))
			return -1;
		len += snprintf(line + len, sizeof(line) - len, "%s%s (%s)", i ? ", " : "", name,
				ifs[i] == lo && c->kern.mode == ATTACH_XDP ? "xdp-generic"
									 : attach_mode_name(c->kern.mode));
	}
	fprintf(stderr, "xdpscope: sweep: %zu targets; counting replies in BPF on %s\n", c->t.n,
		nifs ? line : "no interface (no route to any target)");
	return 0;
}

/* Waits until t, reading replies meanwhile when they come to user space. */
static void wait_until(struct sweep_ctx *c, double t, uint64_t min_sent, volatile sig_atomic_t *stop)
{
	if (c->use_bpf)
		clock_sleep_until(t, stop);
	else
		sweep_recv_until(&c->rcv, t, stop, &c->t, min_sent, &c->r);
}

static void progress(struct sweep_ctx *c, size_t total, bool end)
{
	double now = clock_mono_s();
	int width = 30, done;

	if (end) {
		if (c->progress_shown)
			fputs("\r\033[K", stderr);
		c->progress_shown = false;
		return;
	}
	if (now - c->round_start < 1 || now - c->last_progress < 0.2 || !isatty(STDERR_FILENO))
		return;
	c->last_progress = now;
	done = total ? (int)((double)c->sent * width / total) : width;
	fprintf(stderr, "\rsweep: round %lu [%.*s%*s] %zu/%zu probes", c->round, done,
		"##############################", width - done, "", c->sent, total);
	c->progress_shown = true;
}

static void send_list(struct sweep_ctx *c, const uint32_t *idx, size_t n, size_t total,
		      uint64_t min_sent)
{
	size_t pos = 0;

	while (pos < n && !stop_signal) {
		double now = clock_mono_s(), until = now;
		size_t b = sweep_send_budget(&c->snd, now, &until), done;

		if (!b) {
			wait_until(c, until, min_sent, &stop_signal);
			continue;
		}
		if (b > n - pos)
			b = n - pos;
		if (c->o->send_xdp) {
			done = sweep_gen_batch(&c->gen, &c->t, idx + pos, b, c->r.sent_ns, c->r.err);
			sweep_send_spend(&c->snd, done);
		} else {
			done = sweep_send_batch(&c->snd, &c->t, idx + pos, b, c->r.sent_ns, c->r.err);
		}
		if (!done) {
			/* Out of buffers: let the queue drain a little. */
			wait_until(c, now + 0.001, min_sent, &stop_signal);
			continue;
		}
		pos += done;
		c->sent += done;
		if (!c->use_bpf)
			wait_until(c, 0, min_sent, &stop_signal);
		progress(c, total, false);
	}
}

static int read_hits(struct sweep_ctx *c, bool reset)
{
	int err = c->use_bpf ? sweep_kern_read(&c->kern, &c->t, &c->r, reset) : 0;

	if (err)
		cli_err(CMD, "reading the reply map: %s", strerror(-err));
	return err;
}

/* A retry pass over the previous pass's list idx[0..n) (in send order): each silent target is
 * probed again once its own timeout has passed, as fping does, so the pass never waits for
 * the whole previous one. Compacts the retried targets into idx[0..*out). */
static int retry_pass(struct sweep_ctx *c, size_t n, size_t *out, uint64_t min_sent)
{
	uint64_t tmo = (uint64_t)(c->o->timeout * 1e9);
	size_t r = 0, w = 0;

	while (r < n && !stop_signal) {
		uint64_t due = c->r.sent_ns[c->idx[r]] + tmo, now = clock_mono_ns();
		size_t w0 = w;

		if (due > now)
			wait_until(c, due / 1e9, min_sent, &stop_signal);
		if (stop_signal || read_hits(c, false))
			break;
		/* Every target whose timeout has passed by now: replies to it are in the map. */
		for (now = clock_mono_ns(); r < n && c->r.sent_ns[c->idx[r]] + tmo <= now; r++) {
			uint32_t i = c->idx[r];

			if (c->r.rtt_ns[i] < 0 && !c->r.err[i])
				c->idx[w++] = i;
		}
		send_list(c, c->idx + w0, w - w0, c->sent + (w - w0) + (n - r), min_sent);
	}
	*out = w;
	return stop_signal ? 0 : (r < n ? -1 : 0);
}

/* One round: every target, then the silent ones again, then the wait for late replies. */
static int run_round(struct sweep_ctx *c)
{
	static volatile sig_atomic_t never;
	uint64_t min_sent = clock_mono_ns();
	size_t n = c->t.n;

	c->round_start = clock_mono_s();
	c->sent = 0;
	if (c->use_bpf)
		sweep_kern_begin_round(&c->kern, min_sent);
	for (size_t i = 0; i < c->t.n; i++) {
		c->r.sent_ns[i] = 0;
		c->r.rtt_ns[i] = -1;
		c->r.err[i] = 0;
		c->idx[i] = i;
	}
	send_list(c, c->idx, n, n, min_sent);
	for (uint64_t attempt = 1; attempt <= c->o->retries && n && !stop_signal; attempt++)
		if (retry_pass(c, n, &n, min_sent))
			return -1;
	/* Replies to the last probes, even after a signal: the report must be true. */
	wait_until(c, clock_mono_s() + c->o->timeout, min_sent, &never);
	progress(c, 0, true);
	/* Emptying the map costs a delete per reply: only when another round will use it. */
	if (read_hits(c, !c->o->count || c->round < c->o->count))
		return -1;
	for (size_t i = 0; i < c->t.n; i++) {
		if (c->r.rtt_ns[i] >= 0)
			c->state[i] = SWEEP_ALIVE;
		else if (c->r.sent_ns[i] || c->r.err[i])
			c->state[i] = SWEEP_INACTIVE;
		else
			c->state[i] = SWEEP_UNPROBED;
	}
	return 0;
}

static void report_send_errors(const struct sweep_ctx *c)
{
	char buf[INET6_ADDRSTRLEN];
	size_t n = 0, first = 0;

	for (size_t i = 0; i < c->t.n; i++)
		if (c->r.err[i] && !n++)
			first = i;
	if (n)
		fprintf(stderr, "xdpscope: sweep: %zu probes could not be sent (first: %s: %s)\n",
			n, targets_str(&c->t.addr[first], buf, sizeof(buf)),
			strerror(c->r.err[first]));
}

static int report(struct sweep_ctx *c)
{
	struct sweep_report rep = { .t = &c->t, .state = c->state, .prev = c->prev,
				    .rtt_ns = c->r.rtt_ns, .round = c->round };
	int err;

	clock_rfc3339(rep.time, sizeof(rep.time));
	report_send_errors(c);
	if (c->use_bpf) {
		struct sweep_stats st;

		if (!sweep_kern_stats(&c->kern, &st) && st.insert_failed)
			fprintf(stderr, "xdpscope: sweep: %llu replies not counted: "
					"reply map full or out of memory\n",
				(unsigned long long)st.insert_failed);
	}
	if (sweep_report_write(stdout, c->o->format, &rep, c->round == 1)) {
		cli_err(CMD, "writing the report: %s", strerror(errno));
		return -1;
	}
	if (c->o->report) {
		err = sweep_report_file(c->o->report, c->o->format, &rep);
		if (err) {
			cli_err(CMD, "writing --report '%s': %s", c->o->report, strerror(-err));
			return -1;
		}
	}
	return 0;
}

/* Rounds until --count or a signal; returns the exit code. */
static int run(struct sweep_ctx *c)
{
	double next = clock_mono_s();
	int rc = EXIT_ERROR;

	for (c->round = 1; !stop_signal; c->round++) {
		bool inactive = false;

		if (run_round(c) || report(c))
			return EXIT_ERROR;
		for (size_t i = 0; i < c->t.n; i++)
			inactive |= c->state[i] == SWEEP_INACTIVE;
		rc = inactive ? EXIT_NEGATIVE : EXIT_OK;
		memcpy(c->prev, c->state, c->t.n);
		if (c->o->count && c->round >= c->o->count)
			break;
		next += c->o->every;
		/* A round longer than --every starts the next one at once, without catching up. */
		if (next < clock_mono_s())
			next = clock_mono_s();
		clock_sleep_until(next, &stop_signal);
	}
	return rc;
}

static int alloc_round(struct sweep_ctx *c)
{
	size_t n = c->t.n;

	c->r.n = n;
	c->r.sent_ns = calloc(n, sizeof(*c->r.sent_ns));
	c->r.rtt_ns = calloc(n, sizeof(*c->r.rtt_ns));
	c->r.err = calloc(n, sizeof(*c->r.err));
	c->state = calloc(n, 1);
	c->prev = calloc(n, 1);
	c->idx = calloc(n, sizeof(*c->idx));
	if (!c->r.sent_ns || !c->r.rtt_ns || !c->r.err || !c->state || !c->prev || !c->idx) {
		cli_err(CMD, "out of memory for %zu targets", n);
		return -1;
	}
	return 0;
}

static void free_ctx(struct sweep_ctx *c)
{
	if (c->o->send_xdp)
		sweep_gen_close(&c->gen);
	if (c->use_bpf)
		sweep_kern_close(&c->kern);
	sweep_recv_close(&c->rcv);
	sweep_send_close(&c->snd);
	targets_free(&c->t);
	free(c->r.sent_ns);
	free(c->r.rtt_ns);
	free(c->r.err);
	free(c->state);
	free(c->prev);
	free(c->idx);
}

static void say_gen(const struct sweep_gen *g)
{
	char gw[INET_ADDRSTRLEN];

	fprintf(stderr, "xdpscope: sweep: sending from XDP on %s to the gateway %s "
			"(%02x:%02x:%02x:%02x:%02x:%02x)\n", g->ifname,
		inet_ntop(AF_INET, g->gateway, gw, sizeof(gw)), g->mac[0], g->mac[1], g->mac[2],
		g->mac[3], g->mac[4], g->mac[5]);
}

static int setup(struct sweep_ctx *c, int argc, char **argv)
{
	struct sweep_probe p;
	unsigned int ifs[SWEEP_KERN_MAX_LINKS];
	int nifs, need4 = 0, need6 = 0;

	if (load_targets(argc, argv, c->o, &c->t) || alloc_round(c))
		return -1;
	for (size_t i = 0; i < c->t.n; i++)
		*(targets_is_v4(&c->t.addr[i]) ? &need4 : &need6) = 1;
	if (getrandom(&p.id, sizeof(p.id), 0) != sizeof(p.id) ||
	    getrandom(&p.secret, sizeof(p.secret), 0) != sizeof(p.secret)) {
		cli_err(CMD, "getrandom: %s", strerror(errno));
		return -1;
	}
	if (sweep_send_open(CMD, &c->snd, &p, c->o->rate, need4, need6))
		return -1;
	if (pick_ifaces(c->o, &c->t, ifs, &nifs))
		return -1;
	/* Before the counter is attached: the MAC lookup may send an (uncounted) probe. */
	if (c->o->send_xdp) {
		if (sweep_gen_open(CMD, &c->gen, &p, &c->t, &c->snd))
			return -1;
		sweep_send_set_burst(&c->snd, SWEEP_GEN_BATCH);
	}
	if (!c->o->no_bpf) {
		c->use_bpf = true;
		if (!setup_bpf(c, &p, ifs, nifs)) {
			if (c->o->send_xdp)
				say_gen(&c->gen);
			return privs_drop(CMD, 0, &c->o->user);
		}
		/* The XDP program is the sender: no fallback. */
		if (c->o->send_xdp)
			return -1;
		sweep_kern_close(&c->kern);
		c->use_bpf = false;
		fprintf(stderr, "xdpscope: sweep: BPF unavailable; counting replies with a raw "
				"socket instead\n");
	}
	if (sweep_recv_open(CMD, &c->rcv, &p, need4, need6))
		return -1;
	if (c->o->no_bpf)
		fprintf(stderr, "xdpscope: sweep: %zu targets; counting replies with a raw socket "
				"(--no-bpf)\n", c->t.n);
	/* Sockets open, programs attached: from here on no capability is needed. */
	return privs_drop(CMD, 0, &c->o->user);
}

int cmd_sweep(int argc, char **argv)
{
	struct sweep_opts o;
	struct sweep_ctx c = { .o = &o, .snd = { .fd4 = -1, .fd6 = -1 },
			       .rcv = { .fd4 = -1, .fd6 = -1 } };
	struct sigaction sa = { .sa_handler = on_signal };
	int rc = EXIT_ERROR;

	if (parse_opts(argc, argv, &o) || privs_check(CMD, 0, &o.user))
		return EXIT_ERROR;
	/* Handlers first: a signal while attached must still detach through the normal path. */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if (!setup(&c, argc, argv))
		rc = run(&c);
	free_ctx(&c);
	return rc;
}
