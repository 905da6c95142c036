/* xdpscope watch: attaches the census to an interface and shows, per source address, the TCP
 * source ports it sent from and the ICMP echo replies it sent, as a live table or JSON Lines. */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "census_read.h"
#include "census.skel.h"
#include "cli.h"
#include "clock.h"
#include "commands.h"
#include "json.h"
#include "loader.h"
#include "privs.h"

#define CMD "watch"

struct watch_opts {
	const char *ifname;
	unsigned int ifindex;
	enum attach_mode mode;
	double interval;
	double duration; /* 0: until a signal */
	uint32_t max_port;
	uint64_t entries;
	uint64_t top; /* 0: all */
	bool json;
	struct privs_user user; /* -Z */
};

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
	stop_signal = sig;
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: xdpscope watch IFACE [OPTIONS]\n"
		"Counts, in an XDP or TC program on IFACE, TCP packets per source address and source\n"
		"port, and ICMP echo replies per source. Shows a table refreshed every interval.\n\n"
		"  --attach MODE   xdp (native, default; falls back to xdp-generic), xdp-generic, tc\n"
		"  --interval S    refresh every S seconds (default 1)\n"
		"  --duration S    stop after S seconds (default: until SIGINT/SIGTERM)\n"
		"  --max-port N    count ports up to N one by one (default 1000, as in the lab);\n"
		"                  higher ports only add to the source's totals\n"
		"  --all-ports     count every port one by one (same as --max-port 65535)\n"
		"  --entries N     bound of the (source, port) maps, one for IPv4 and one for IPv6\n"
		"                  sources (default 65536 each); least recently used keys are\n"
		"                  evicted past it, and the evictions are reported\n"
		"  --top N         show the N busiest sources (default: all in JSON, 20 in the table)\n"
		"  --json          one JSON object per interval (JSON Lines), cumulative, and a final\n"
		"                  one at exit\n"
		"  -Z, --relinquish-privileges USER\n"
		"                  once attached, become USER and drop every capability\n"
		"  -h, --help      this help\n\n"
		"Prints 'xdpscope: watch: attached ...' on stderr once counting. Exit 0 after a signal\n"
		"or the duration, 2 on error.\n");
}

static int parse_opts(int argc, char **argv, struct watch_opts *o)
{
	static const struct option longopts[] = {
		{ "attach", required_argument, NULL, 'a' },
		{ "interval", required_argument, NULL, 'i' },
		{ "duration", required_argument, NULL, 'd' },
		{ "max-port", required_argument, NULL, 'p' },
		{ "all-ports", no_argument, NULL, 'P' },
		{ "entries", required_argument, NULL, 'e' },
		{ "top", required_argument, NULL, 't' },
		{ "json", no_argument, NULL, 'j' },
		{ "relinquish-privileges", required_argument, NULL, 'Z' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	uint64_t v;
	int c;

	*o = (struct watch_opts){ .interval = 1, .max_port = 1000, .entries = 65536 };
	while ((c = getopt_long(argc, argv, "hZ:", longopts, NULL)) != -1) {
		switch (c) {
		case 'a':
			if (attach_mode_parse(CMD, optarg, &o->mode))
				return -1;
			break;
		case 'i':
			if (cli_parse_double(CMD, "--interval", optarg, 0.01, 86400, &o->interval))
				return -1;
			break;
		case 'd':
			if (cli_parse_double(CMD, "--duration", optarg, 0.01, 1e9, &o->duration))
				return -1;
			break;
		case 'p':
			if (cli_parse_u64(CMD, "--max-port", optarg, 0, 65535, &v))
				return -1;
			o->max_port = v;
			break;
		case 'P':
			o->max_port = 65535;
			break;
		case 'e':
			if (cli_parse_u64(CMD, "--entries", optarg, 16, 1 << 24, &o->entries))
				return -1;
			break;
		case 't':
			if (cli_parse_u64(CMD, "--top", optarg, 1, UINT32_MAX, &o->top))
				return -1;
			break;
		case 'j':
			o->json = true;
			break;
		case 'Z':
			if (privs_user_lookup(CMD, optarg, &o->user))
				return -1;
			break;
		case 'h':
			usage(stdout);
			exit(EXIT_OK);
		default:
			fprintf(stderr, "Try 'xdpscope watch --help'.\n");
			return -1;
		}
	}
	if (optind != argc - 1) {
		cli_err(CMD, optind >= argc ? "missing IFACE" : "unexpected argument '%s'",
			argv[optind < argc ? argc - 1 : 0]);
		return -1;
	}
	o->ifname = argv[optind];
	o->ifindex = cli_ifindex(CMD, o->ifname);
	return o->ifindex ? 0 : -1;
}

static void print_json(const struct watch_opts *o, const struct census_snapshot *s, bool final)
{
	struct json j;
	char addr[INET6_ADDRSTRLEN], now[40];
	size_t n = o->top && o->top < s->nsources ? o->top : s->nsources;

	clock_rfc3339(now, sizeof(now));
	json_init(&j, stdout);
	json_obj_begin(&j, NULL);
	json_str(&j, "time", now);
	json_str(&j, "ifname", o->ifname);
	json_str(&j, "attach", attach_mode_name(o->mode));
	json_u64(&j, "max_port", o->max_port);
	json_arr_begin(&j, "sources");
	for (size_t i = 0; i < n; i++) {
		const struct census_source *src = &s->sources[i];

		json_obj_begin(&j, NULL);
		json_str(&j, "addr", census_addr_str(&src->addr, addr));
		json_u64(&j, "packets", src->packets);
		json_u64(&j, "bytes", src->bytes);
		json_arr_begin(&j, "ports");
		for (size_t p = 0; p < src->nports && src->ports[p].port != CENSUS_PORT_ABOVE; p++) {
			json_obj_begin(&j, NULL);
			json_u64(&j, "port", src->ports[p].port);
			json_u64(&j, "packets", src->ports[p].packets);
			json_u64(&j, "bytes", src->ports[p].bytes);
			json_obj_end(&j);
		}
		json_arr_end(&j);
		json_obj_end(&j);
	}
	json_arr_end(&j);
	json_arr_begin(&j, "icmp_replies");
	for (size_t i = 0; i < s->nicmp; i++) {
		json_obj_begin(&j, NULL);
		json_str(&j, "addr", census_addr_str(&s->icmp[i].addr, addr));
		json_u64(&j, "packets", s->icmp[i].packets);
		json_obj_end(&j);
	}
	json_arr_end(&j);
	json_u64(&j, "malformed", s->stats.malformed);
	json_u64(&j, "fragments", s->stats.fragments);
	json_u64(&j, "evicted", census_evicted(s));
	json_u64(&j, "insert_failed", s->stats.insert_failed);
	json_bool(&j, "final", final);
	json_obj_end(&j);
	json_line_end(&j);
}

static void print_ports(const struct census_source *src, uint32_t max_port)
{
	int shown = 0;

	for (size_t p = 0; p < src->nports; p++) {
		if (shown++ == 8) {
			printf(" ...");
			break;
		}
		if (src->ports[p].port == CENSUS_PORT_ABOVE)
			printf(" >%u:%llu", max_port, (unsigned long long)src->ports[p].packets);
		else
			printf(" %u:%llu", src->ports[p].port,
			       (unsigned long long)src->ports[p].packets);
	}
}

static void print_table(const struct watch_opts *o, const struct census_snapshot *s, bool tty)
{
	char addr[INET6_ADDRSTRLEN], now[40];
	size_t n = s->nsources, limit = o->top ? o->top : 20;

	clock_rfc3339(now, sizeof(now));
	if (tty)
		fputs("\033[H\033[2J", stdout);
	printf("%s (%s)  %s  sources %zu  malformed %llu  fragments %llu  evicted %llu\n",
	       o->ifname, attach_mode_name(o->mode), now, s->nsources,
	       (unsigned long long)s->stats.malformed, (unsigned long long)s->stats.fragments,
	       (unsigned long long)census_evicted(s));
	printf("%-39s %10s %12s %9s  %s\n", "SOURCE", "PACKETS", "BYTES", "PKT/S",
	       "PORT:PACKETS");
	for (size_t i = 0; i < n && i < limit; i++) {
		const struct census_source *src = &s->sources[i];

		printf("%-39s %10llu %12llu %9.1f ", census_addr_str(&src->addr, addr),
		       (unsigned long long)src->packets, (unsigned long long)src->bytes, src->pps);
		print_ports(src, o->max_port);
		putchar('\n');
	}
	if (n > limit)
		printf("(%zu more sources)\n", n - limit);
	if (s->nicmp) {
		printf("%-39s %10s\n", "ICMP ECHO REPLIES FROM", "PACKETS");
		for (size_t i = 0; i < s->nicmp && i < limit; i++)
			printf("%-39s %10llu\n", census_addr_str(&s->icmp[i].addr, addr),
			       (unsigned long long)s->icmp[i].packets);
	}
	if (!tty)
		putchar('\n');
	fflush(stdout);
}

static int show(const struct watch_opts *o, struct census_bpf *skel, struct census_snapshot *prev,
		double *prev_t, bool final, bool tty)
{
	struct census_snapshot s;
	double t = clock_mono_s();
	struct census_fds fds = { bpf_map__fd(skel->maps.census_ports4),
				  bpf_map__fd(skel->maps.census_ports6),
				  bpf_map__fd(skel->maps.census_icmp),
				  bpf_map__fd(skel->maps.census_stats) };
	int err = census_snapshot_read(&fds, &s);

	if (err) {
		cli_err(CMD, "reading maps: %s", strerror(-err));
		return err;
	}
	census_snapshot_rates(&s, prev, t - *prev_t);
	if (o->json)
		print_json(o, &s, final);
	else
		print_table(o, &s, tty && !final);
	census_snapshot_free(prev);
	*prev = s;
	*prev_t = t;
	return 0;
}

static int run(const struct watch_opts *o, struct census_bpf *skel)
{
	struct census_snapshot prev = {};
	double start = clock_mono_s(), prev_t = start, next = start + o->interval;
	bool tty = isatty(STDOUT_FILENO);
	int err = 0;

	while (!stop_signal && !err) {
		double end = o->duration ? start + o->duration : 0;

		if (end && end <= next) {
			clock_sleep_until(end, &stop_signal);
			break;
		}
		clock_sleep_until(next, &stop_signal);
		if (stop_signal)
			break;
		err = show(o, skel, &prev, &prev_t, false, tty);
		next += o->interval;
	}
	if (!err)
		err = show(o, skel, &prev, &prev_t, true, tty);
	census_snapshot_free(&prev);
	return err;
}

static int setup(const struct watch_opts *o, struct census_bpf **skelp)
{
	struct census_bpf *skel = census_bpf__open();
	int err;

	if (!skel) {
		cli_err(CMD, "opening BPF object: %s", strerror(errno));
		return -1;
	}
	*skelp = skel;
	skel->rodata->census_max_port = o->max_port;
	bpf_map__set_max_entries(skel->maps.census_ports4, o->entries);
	bpf_map__set_max_entries(skel->maps.census_ports6, o->entries);
	bpf_map__set_max_entries(skel->maps.census_icmp, o->entries / 4 > 16 ? o->entries / 4 : 16);
	loader_select(skel->progs.census_xdp, skel->progs.census_tc, o->mode);
	err = census_bpf__load(skel);
	if (err) {
		cli_err(CMD, "loading BPF programs: %s%s", strerror(-err),
			err == -EPERM ? " (needs CAP_BPF and CAP_PERFMON)" : "");
		return -1;
	}
	return 0;
}

int cmd_watch(int argc, char **argv)
{
	struct watch_opts o;
	struct census_bpf *skel = NULL;
	struct sigaction sa = { .sa_handler = on_signal };
	int link_fd, rc = EXIT_ERROR;

	if (parse_opts(argc, argv, &o))
		return EXIT_ERROR;
	if (privs_check(CMD, 0, &o.user))
		return EXIT_ERROR;
	loader_quiet_libbpf();
	/* Handlers before attaching: a signal between attach and loop must still print. */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if (setup(&o, &skel))
		goto out;
	link_fd = loader_attach(CMD, skel->progs.census_xdp, skel->progs.census_tc, o.ifindex,
				o.ifname, &o.mode);
	if (link_fd < 0)
		goto out;
	/* Attached: the map and link fds stay usable without any capability. */
	if (privs_drop(CMD, 0, &o.user))
		goto detach;
	fprintf(stderr, "xdpscope: watch: attached census to %s (%s), max-port %u, entries %llu\n",
		o.ifname, attach_mode_name(o.mode), o.max_port, (unsigned long long)o.entries);
	if (!run(&o, skel))
		rc = EXIT_OK;
detach:
	close(link_fd);
out:
	census_bpf__destroy(skel);
	return rc;
}
