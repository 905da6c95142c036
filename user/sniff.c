/* xdpscope sniff: packet capture with libpcap, with tcpdump's flags, line format and files.
 * Decoding lives in decode.c; this file owns the pcap handle, options and output. */
#include <errno.h>
#include <getopt.h>
#include <net/if.h>
#include <pcap/pcap.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "commands.h"
#include "decode.h"
#include "json.h"
#include "privs.h"

#define SNIFF_CMD "sniff"
#define SNIFF_SNAPLEN_MAX 262144
#define SNIFF_BUFFER_BYTES (4 * 1024 * 1024)
/* How long the kernel may hold packets in a TPACKET_V3 block before handing it over. */
#define SNIFF_TIMEOUT_MS 100

static volatile sig_atomic_t sniff_stop;

struct sniff_opts {
	const char *ifname;
	const char *wfile;
	const char *rfile;
	char *filter; /* joined FILTER words, or NULL */
	uint64_t count;
	int snaplen;
	bool json;
	bool list;
	bool promisc;
	struct privs_user user; /* -Z */
};

struct sniff_run {
	const struct sniff_opts *o;
	pcap_t *p;
	pcap_dumper_t *dump;
	int dlt;
	uint64_t seen;
	bool draining; /* after a signal: still take what arrived before it */
	struct decode_state st;
	struct json j;
};

static void sniff_usage(void)
{
	printf("Usage: xdpscope sniff [-i IFACE] [-c COUNT] [-w FILE] [-r FILE] [-s SNAPLEN] [-n] [-p]\n"
	       "                      [-Z USER] [--json] [-D] [FILTER...]\n\n"
	       "Captures packets with libpcap and prints one line per packet in tcpdump's default\n"
	       "format (time, protocol, src.port > dst.port, TCP flags, ICMP type, length).\n"
	       "Decoded: Ethernet, 802.1Q/ad, Linux cooked (any), ARP, IPv4, IPv6 with extension\n"
	       "headers, TCP, UDP, ICMP, ICMPv6, IGMP, DNS; anything else is summarized.\n\n"
	       "  -i IFACE    capture on IFACE ('any' for all); default: the first device of -D\n"
	       "  -c COUNT    stop after COUNT packets that pass the filter (COUNT >= 1)\n"
	       "  -w FILE     write packets to a pcap file ('-' for stdout) instead of printing\n"
	       "  -r FILE     read packets from a pcap file ('-' for stdin)\n"
	       "  -s SNAPLEN  bytes captured per packet (0 or default: %d)\n"
	       "  -n          accepted for tcpdump compatibility: xdpscope never resolves names\n"
	       "  -p          do not put the interface into promiscuous mode\n"
	       "  -D          list the capture devices and exit\n"
	       "  -Z USER     once the capture is open, become USER and drop every capability\n"
	       "              (before the -w file is created, as tcpdump does)\n"
	       "  --json      one JSON object per packet (per device with -D)\n"
	       "  FILTER      a pcap filter expression, as tcpdump takes it (e.g. 'tcp port 80')\n\n"
	       "Statistics go to stderr at exit (-c reached, SIGINT or SIGTERM), as tcpdump prints\n"
	       "them. Exit status: 0 success, 2 error (bad option, interface, file or filter).\n",
	       SNIFF_SNAPLEN_MAX);
}

static void sniff_on_signal(int sig)
{
	(void)sig;
	sniff_stop = 1;
}

/* Joins the FILTER words with spaces, as tcpdump does. */
static char *sniff_join(int argc, char **argv)
{
	size_t len = 1;
	char *s;

	if (argc <= 0)
		return NULL;
	for (int i = 0; i < argc; i++)
		len += strlen(argv[i]) + 1;
	s = calloc(1, len);
	if (!s)
		return NULL;
	for (int i = 0; i < argc; i++) {
		if (i)
			strcat(s, " ");
		strcat(s, argv[i]);
	}
	return s;
}

static int sniff_parse(int argc, char **argv, struct sniff_opts *o)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'J' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	uint64_t v;
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+i:c:w:r:s:nDpJhZ:", longopts, NULL)) != -1) {
		switch (c) {
		case 'i': o->ifname = optarg; break;
		case 'w': o->wfile = optarg; break;
		case 'r': o->rfile = optarg; break;
		case 'n': break;
		case 'p': o->promisc = false; break;
		case 'D': o->list = true; break;
		case 'J': o->json = true; break;
		case 'Z':
			if (privs_user_lookup(SNIFF_CMD, optarg, &o->user))
				return -1;
			break;
		case 'c':
			if (cli_parse_u64(SNIFF_CMD, "-c", optarg, 1, INT32_MAX, &o->count))
				return -1;
			break;
		case 's':
			if (cli_parse_u64(SNIFF_CMD, "-s", optarg, 0, SNIFF_SNAPLEN_MAX, &v))
				return -1;
			o->snaplen = v ? (int)v : SNIFF_SNAPLEN_MAX;
			break;
		default:
			if (optopt && strchr("icwrsZ", optopt))
				cli_err(SNIFF_CMD, "option -%c needs a value", optopt);
			else
				cli_err(SNIFF_CMD, "unknown option '%s'", argv[optind - 1]);
			return -1;
		}
	}
	if (o->rfile && o->ifname) {
		cli_err(SNIFF_CMD, "-r and -i cannot be used together");
		return -1;
	}
	if (o->json && o->wfile) {
		cli_err(SNIFF_CMD, "--json and -w cannot be used together");
		return -1;
	}
	if (optind < argc) {
		o->filter = sniff_join(argc - optind, argv + optind);
		if (!o->filter) {
			cli_err(SNIFF_CMD, "out of memory");
			return -1;
		}
	}
	return 0;
}

/* ---- -D: capture devices, formatted as tcpdump -D ----------------------------------- */

static void sniff_dev_status(const pcap_if_t *d, char *buf, size_t n)
{
	static const char *const wired[] = { ", Connection status unknown", ", Connected",
					     ", Disconnected", "" };
	static const char *const wless[] = { ", Association status unknown", ", Associated",
					     ", Not associated", "" };
	unsigned int st = (d->flags & PCAP_IF_CONNECTION_STATUS) >> 4;
	size_t len = 0;

	buf[0] = '\0';
	if (d->flags & PCAP_IF_UP)
		len += (size_t)snprintf(buf + len, n - len, "%sUp", len ? ", " : "");
	if (d->flags & PCAP_IF_RUNNING)
		len += (size_t)snprintf(buf + len, n - len, "%sRunning", len ? ", " : "");
	if (d->flags & PCAP_IF_WIRELESS)
		len += (size_t)snprintf(buf + len, n - len, "%sWireless", len ? ", " : "");
	if (d->flags & PCAP_IF_LOOPBACK)
		len += (size_t)snprintf(buf + len, n - len, "%sLoopback", len ? ", " : "");
	if (!len)
		len += (size_t)snprintf(buf, n, "none");
	snprintf(buf + len, n - len, "%s", (d->flags & PCAP_IF_WIRELESS) ? wless[st] : wired[st]);
}

static int sniff_list(const struct sniff_opts *o)
{
	char err[PCAP_ERRBUF_SIZE], status[160];
	pcap_if_t *devs, *d;
	struct json j;
	int i = 1;

	if (pcap_findalldevs(&devs, err) < 0) {
		cli_err(SNIFF_CMD, "cannot list devices: %s", err);
		return EXIT_ERROR;
	}
	json_init(&j, stdout);
	for (d = devs; d; d = d->next, i++) {
		sniff_dev_status(d, status, sizeof(status));
		if (o->json) {
			json_obj_begin(&j, NULL);
			json_u64(&j, "index", (uint64_t)i);
			json_str(&j, "name", d->name);
			if (d->description)
				json_str(&j, "description", d->description);
			else
				json_null(&j, "description");
			json_str(&j, "status", d->flags ? status : "");
			json_obj_end(&j);
			json_line_end(&j);
			continue;
		}
		printf("%d.%s", i, d->name);
		if (d->description)
			printf(" (%s)", d->description);
		if (d->flags)
			printf(" [%s]", status);
		printf("\n");
	}
	pcap_freealldevs(devs);
	return EXIT_OK;
}

/* ---- opening ------------------------------------------------------------------------ */

/* tcpdump's default: the first device pcap_findalldevs returns (it sorts up, running,
 * non-loopback devices first). Copies the name into buf. */
static int sniff_default_dev(char *buf, size_t n)
{
	char err[PCAP_ERRBUF_SIZE];
	pcap_if_t *devs;

	if (pcap_findalldevs(&devs, err) < 0) {
		cli_err(SNIFF_CMD, "cannot list devices: %s", err);
		return -1;
	}
	if (!devs) {
		cli_err(SNIFF_CMD, "no interfaces available for capture");
		return -1;
	}
	snprintf(buf, n, "%s", devs->name);
	pcap_freealldevs(devs);
	return 0;
}

/* True if pcap lists dev: that covers "any" and devices that are not network interfaces
 * (nflog, usbmon...), which cli_ifindex would refuse. */
static bool sniff_dev_listed(const char *dev)
{
	char err[PCAP_ERRBUF_SIZE];
	pcap_if_t *devs;
	bool found = false;

	if (pcap_findalldevs(&devs, err) < 0)
		return false;
	for (pcap_if_t *d = devs; d && !found; d = d->next)
		found = !strcmp(d->name, dev);
	pcap_freealldevs(devs);
	return found;
}

static pcap_t *sniff_open_live(const struct sniff_opts *o, const char *dev)
{
	char err[PCAP_ERRBUF_SIZE];
	pcap_t *p;
	int rc;

	if (!sniff_dev_listed(dev) && !cli_ifindex(SNIFF_CMD, dev))
		return NULL;
	p = pcap_create(dev, err);
	if (!p) {
		cli_err(SNIFF_CMD, "%s: %s", dev, err);
		return NULL;
	}
	pcap_set_snaplen(p, o->snaplen);
	pcap_set_promisc(p, o->promisc);
	pcap_set_timeout(p, SNIFF_TIMEOUT_MS);
	pcap_set_buffer_size(p, SNIFF_BUFFER_BYTES);
	/* Someone watching gets each packet at once. Otherwise the batched TPACKET_V3 ring keeps
	 * up with floods (immediate mode's fixed-size frames drop half of a ping -f). */
	if (isatty(STDOUT_FILENO))
		pcap_set_immediate_mode(p, 1);
	rc = pcap_activate(p);
	if (rc < 0) {
		if (rc == PCAP_ERROR)
			cli_err(SNIFF_CMD, "%s: %s", dev, pcap_geterr(p));
		else
			cli_err(SNIFF_CMD, "%s: %s", dev, pcap_statustostr(rc));
		pcap_close(p);
		return NULL;
	}
	if (rc > 0)
		fprintf(stderr, "xdpscope: sniff: warning: %s: %s\n", dev, pcap_statustostr(rc));
	return p;
}

static int sniff_set_filter(pcap_t *p, const char *filter)
{
	struct bpf_program prog;
	int rc;

	if (!filter)
		return 0;
	if (pcap_compile(p, &prog, filter, 1, PCAP_NETMASK_UNKNOWN) < 0) {
		cli_err(SNIFF_CMD, "bad filter '%s': %s", filter, pcap_geterr(p));
		return -1;
	}
	rc = pcap_setfilter(p, &prog);
	if (rc < 0)
		cli_err(SNIFF_CMD, "cannot set filter '%s': %s", filter, pcap_geterr(p));
	pcap_freecode(&prog);
	return rc < 0 ? -1 : 0;
}

/* ---- per packet --------------------------------------------------------------------- */

static bool sniff_ifname(uint32_t ifindex, char name[16])
{
	char buf[IF_NAMESIZE];

	if (!if_indextoname(ifindex, buf))
		return false;
	snprintf(name, 16, "%s", buf);
	return true;
}

static void sniff_time(const struct timeval *tv, char *buf, size_t n)
{
	struct tm tm;
	time_t t = tv->tv_sec;

	localtime_r(&t, &tm);
	snprintf(buf, n, "%02d:%02d:%02d.%06ld", tm.tm_hour, tm.tm_min, tm.tm_sec,
		 (long)tv->tv_usec);
}

static void sniff_json(struct sniff_run *r, const struct pcap_pkthdr *h, const char *ts,
		       const struct decode_info *d)
{
	struct json *j = &r->j;

	json_obj_begin(j, NULL);
	json_double(j, "timestamp", (double)h->ts.tv_sec + h->ts.tv_usec / 1e6, 6);
	json_str(j, "time", ts);
	json_u64(j, "caplen", h->caplen);
	json_u64(j, "len", h->len);
	if (d->has_mac) {
		json_str(j, "src_mac", d->src_mac);
		json_str(j, "dst_mac", d->dst_mac);
	}
	if (d->vlan >= 0)
		json_i64(j, "vlan", d->vlan);
	if (d->ethertype >= 0)
		json_i64(j, "ethertype", d->ethertype);
	if (d->net)
		json_str(j, "net", d->net);
	if (d->src[0]) {
		json_str(j, "src", d->src);
		json_str(j, "dst", d->dst);
	}
	if (d->proto)
		json_str(j, "proto", d->proto);
	if (d->sport >= 0) {
		json_i64(j, "sport", d->sport);
		json_i64(j, "dport", d->dport);
	}
	if (d->tcp_flags[0])
		json_str(j, "flags", d->tcp_flags);
	if (d->seq >= 0)
		json_i64(j, "seq", d->seq);
	if (d->ack >= 0)
		json_i64(j, "ack", d->ack);
	if (d->win >= 0)
		json_i64(j, "win", d->win);
	if (d->icmp_type >= 0) {
		json_i64(j, "icmp_type", d->icmp_type);
		json_i64(j, "icmp_code", d->icmp_code);
	}
	if (d->length >= 0)
		json_i64(j, "length", d->length);
	json_bool(j, "truncated", d->truncated);
	json_str(j, "summary", d->line);
	json_obj_end(j);
	json_line_end(j);
}

static void sniff_packet(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes)
{
	struct sniff_run *r = (struct sniff_run *)user;
	struct decode_info d;
	char ts[32];

	if (sniff_stop && !r->draining) {
		pcap_breakloop(r->p);
		return;
	}
	r->seen++;
	if (r->dump) {
		pcap_dump((u_char *)r->dump, h, bytes);
	} else {
		decode_packet(&r->st, r->dlt, bytes, h->caplen, h->len, &d);
		sniff_time(&h->ts, ts, sizeof(ts));
		if (r->o->json)
			sniff_json(r, h, ts, &d);
		else if (h->caplen == 0) /* as tcpdump, which then omits the time */
			printf("[Invalid header: caplen==0]\n");
		else
			printf("%s %s\n", ts, d.line);
	}
	if (r->o->count && r->seen >= r->o->count)
		pcap_breakloop(r->p);
}

/* ---- the loop and its statistics ---------------------------------------------------- */

static const char *plural(uint64_t n)
{
	return n == 1 ? "" : "s";
}

static void sniff_stats(struct sniff_run *r)
{
	struct pcap_stat ps;

	fprintf(stderr, "%llu packet%s captured\n", (unsigned long long)r->seen, plural(r->seen));
	if (pcap_stats(r->p, &ps) < 0) {
		fprintf(stderr, "xdpscope: sniff: statistics unavailable: %s\n", pcap_geterr(r->p));
		return;
	}
	fprintf(stderr, "%u packet%s received by filter\n", ps.ps_recv, plural(ps.ps_recv));
	fprintf(stderr, "%u packet%s dropped by kernel\n", ps.ps_drop, plural(ps.ps_drop));
	if (ps.ps_ifdrop)
		fprintf(stderr, "%u packet%s dropped by interface\n", ps.ps_ifdrop,
			plural(ps.ps_ifdrop));
}

static bool sniff_done(const struct sniff_run *r)
{
	return sniff_stop || (r->o->count && r->seen >= r->o->count);
}

static int sniff_loop_file(struct sniff_run *r)
{
	while (!sniff_done(r)) {
		int n = pcap_dispatch(r->p, -1, sniff_packet, (u_char *)r);

		if (n == PCAP_ERROR) {
			cli_err(SNIFF_CMD, "%s: %s", r->o->rfile, pcap_geterr(r->p));
			return -1;
		}
		if (n == 0)
			break; /* end of file */
	}
	return 0;
}

/* After SIGINT/SIGTERM: the kernel hands over a TPACKET_V3 block only when it is full or its
 * timer fires, so wait one timer period and take what arrived before the signal. */
static void sniff_drain(struct sniff_run *r)
{
	struct timespec ts = { 0, (SNIFF_TIMEOUT_MS + 20) * 1000000L };

	r->draining = true;
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
	while (!r->o->count || r->seen < r->o->count)
		if (pcap_dispatch(r->p, -1, sniff_packet, (u_char *)r) <= 0)
			break;
}

/* Live capture: non-blocking dispatch plus ppoll, with SIGINT/SIGTERM blocked except inside
 * ppoll, so a signal can never slip in between the flag check and the wait. */
static int sniff_loop_live(struct sniff_run *r)
{
	char err[PCAP_ERRBUF_SIZE];
	sigset_t block, orig;
	struct pollfd pfd = { .events = POLLIN };
	int rc = 0;

	pfd.fd = pcap_get_selectable_fd(r->p);
	if (pfd.fd < 0 || pcap_setnonblock(r->p, 1, err) < 0) {
		cli_err(SNIFF_CMD, "cannot wait for packets: %s", pfd.fd < 0 ? "no fd" : err);
		return -1;
	}
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigprocmask(SIG_BLOCK, &block, &orig);
	while (!sniff_done(r)) {
		int n;

		errno = 0;
		n = pcap_dispatch(r->p, -1, sniff_packet, (u_char *)r);
		/* Some pcap modules (nflog) report an empty non-blocking read as an error. */
		if (n == PCAP_ERROR && errno == EAGAIN)
			n = 0;
		if (n == PCAP_ERROR) {
			cli_err(SNIFF_CMD, "capture failed: %s", pcap_geterr(r->p));
			rc = -1;
			break;
		}
		if (n != 0)
			continue;
		if (ppoll(&pfd, 1, NULL, &orig) < 0 && errno != EINTR) {
			cli_err(SNIFF_CMD, "poll: %s", strerror(errno));
			rc = -1;
			break;
		}
	}
	sigprocmask(SIG_SETMASK, &orig, NULL);
	if (rc == 0 && sniff_stop)
		sniff_drain(r);
	return rc;
}

static void sniff_signals(void)
{
	struct sigaction sa = { 0 };

	sa.sa_handler = sniff_on_signal;
	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: an interrupted wait must return so the loop sees the flag. */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

/* A capture that is all there already (a regular file, also as stdin) is a batch: its JSON
 * need not be flushed line by line. Live capture and a pipe (`tcpdump -U -w - | sniff -r -`)
 * stay live, so that `| jq` shows each packet as it comes. */
static bool sniff_source_live(const struct sniff_run *r)
{
	struct stat st;
	FILE *f;

	if (!r->o->rfile)
		return true;
	f = pcap_file(r->p);
	return !f || fstat(fileno(f), &st) < 0 || !S_ISREG(st.st_mode);
}

/* pcap's file errors sometimes name the file already; name it exactly once. */
static void sniff_file_err(const char *file, const char *msg)
{
	if (strstr(msg, file))
		cli_err(SNIFF_CMD, "%s", msg);
	else
		cli_err(SNIFF_CMD, "%s: %s", file, msg);
}

static int sniff_run(const struct sniff_opts *o)
{
	struct sniff_run r = { .o = o };
	char err[PCAP_ERRBUF_SIZE], dev[IF_NAMESIZE + 8];
	const char *lname, *ldesc;
	int rc = EXIT_ERROR;

	if (o->rfile) {
		r.p = pcap_open_offline(o->rfile, err);
		if (!r.p) {
			sniff_file_err(o->rfile, err);
			return EXIT_ERROR;
		}
	} else {
		if (o->ifname)
			snprintf(dev, sizeof(dev), "%s", o->ifname);
		else if (sniff_default_dev(dev, sizeof(dev)))
			return EXIT_ERROR;
		r.p = sniff_open_live(o, dev);
		if (!r.p)
			return EXIT_ERROR;
	}
	if (sniff_set_filter(r.p, o->filter) || privs_drop(SNIFF_CMD, 0, &o->user))
		goto out;
	if (o->wfile) {
		r.dump = pcap_dump_open(r.p, o->wfile);
		if (!r.dump) {
			sniff_file_err(o->wfile, pcap_geterr(r.p));
			goto out;
		}
	}
	r.dlt = pcap_datalink(r.p);
	lname = pcap_datalink_val_to_name(r.dlt);
	ldesc = pcap_datalink_val_to_description_or_dlt(r.dlt);
	if (o->rfile)
		fprintf(stderr, "reading from file %s, link-type %s (%s), snapshot length %d\n",
			strcmp(o->rfile, "-") ? o->rfile : "-", lname ? lname : "?", ldesc,
			pcap_snapshot(r.p));
	else
		fprintf(stderr, "xdpscope: listening on %s, link-type %s (%s), snapshot length %d bytes\n",
			dev, lname ? lname : "?", ldesc, pcap_snapshot(r.p));
	decode_state_init(&r.st, sniff_ifname);
	json_init(&r.j, stdout);
	json_set_live(&r.j, sniff_source_live(&r));
	sniff_signals();
	if ((o->rfile ? sniff_loop_file(&r) : sniff_loop_live(&r)) == 0)
		rc = EXIT_OK;
	fflush(stdout);
	if (r.dump) {
		pcap_dump_flush(r.dump);
		pcap_dump_close(r.dump);
	}
	if (!o->rfile)
		sniff_stats(&r);
out:
	pcap_close(r.p);
	return rc;
}

int cmd_sniff(int argc, char **argv)
{
	struct sniff_opts o = { .snaplen = SNIFF_SNAPLEN_MAX, .promisc = true };
	int rc;

	if (cli_wants_help(argc, argv)) {
		sniff_usage();
		return EXIT_OK;
	}
	if (sniff_parse(argc, argv, &o) ||
	    privs_check(SNIFF_CMD, o.rfile || o.list ? PRIVS_OFFLINE : 0, &o.user)) {
		free(o.filter);
		return EXIT_ERROR;
	}
	rc = o.list ? sniff_list(&o) : sniff_run(&o);
	free(o.filter);
	return rc;
}
