/* The bench's traffic generator: 64-byte TCP SYNs (74 for IPv6) over N source addresses x M
 * source ports, sent out of a veth at a set rate or flat out, by BPF_PROG_RUN with
 * BPF_F_TEST_XDP_LIVE_FRAMES (trafgen.bpf.c). Lab use only: the addresses are fixed inside
 * 198.18.0.0/15 and 2001:db8::/32, and the destination MAC is one nobody owns.
 *   trafgen IFACE [--family 4|6] [--addrs N] [--ports N] [--rate PPS|0] (--count N|--duration S)
 *          [--cpu N] [--batch N]
 * Prints one JSON object: packets sent, seconds, pps, and this process's CPU time. */
#include <errno.h>
#include <getopt.h>
#include <linux/if_link.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "cli.h"
#include "frames.h"
#include "json.h"
#include "trafgen.skel.h"

#define CMD "trafgen"

struct gen_opts {
	const char *ifname;
	unsigned int ifindex;
	uint64_t family, addrs, ports, rate, count, cpu, batch;
	double duration;
	bool pin;
};

static double mono(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

static double cpu_s(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec +
	       ru.ru_stime.tv_usec / 1e6;
}

static uint16_t csum_add(uint32_t sum, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		sum += (p[i] << 8) | p[i + 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return sum;
}

/* frames.c leaves the TCP checksum 0; the generator updates it incrementally, so start right. */
static void tcp_checksum(uint8_t *f, size_t len, int family)
{
	size_t l3 = 14, l4 = l3 + (family == 6 ? 40 : 20), tlen = len - l4;
	uint8_t pseudo[40] = { 0 };
	size_t plen;

	if (family == 6) {
		memcpy(pseudo, f + l3 + 8, 32);
		plen = 40;
		pseudo[34] = tlen >> 8;
		pseudo[35] = tlen & 0xff;
		pseudo[39] = 6;
	} else {
		memcpy(pseudo, f + l3 + 12, 8);
		plen = 12;
		pseudo[9] = 6;
		pseudo[10] = tlen >> 8;
		pseudo[11] = tlen & 0xff;
	}
	uint16_t s = csum_add(csum_add(0, pseudo, plen), f + l4, tlen);

	s = ~s;
	f[l4 + 16] = s >> 8;
	f[l4 + 17] = s & 0xff;
}

static int parse(int argc, char **argv, struct gen_opts *o)
{
	static const struct option lo[] = {
		{ "family", required_argument, NULL, 'f' }, { "addrs", required_argument, NULL, 'a' },
		{ "ports", required_argument, NULL, 'p' },  { "rate", required_argument, NULL, 'r' },
		{ "count", required_argument, NULL, 'c' },  { "duration", required_argument, NULL, 'd' },
		{ "cpu", required_argument, NULL, 'C' },    { "batch", required_argument, NULL, 'b' },
		{ 0 },
	};
	int c, bad = 0;

	*o = (struct gen_opts){ .family = 4, .addrs = 1, .ports = 1, .batch = 64 };
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 'f': bad = cli_parse_u64(CMD, "--family", optarg, 4, 6, &o->family); break;
		case 'a': bad = cli_parse_u64(CMD, "--addrs", optarg, 1, 1 << 24, &o->addrs); break;
		case 'p': bad = cli_parse_u64(CMD, "--ports", optarg, 1, 1000, &o->ports); break;
		case 'r': bad = cli_parse_u64(CMD, "--rate", optarg, 0, 100000000, &o->rate); break;
		case 'c': bad = cli_parse_u64(CMD, "--count", optarg, 1, 1ULL << 40, &o->count); break;
		case 'd': bad = cli_parse_double(CMD, "--duration", optarg, 0.01, 3600, &o->duration); break;
		case 'C': bad = cli_parse_u64(CMD, "--cpu", optarg, 0, 1023, &o->cpu); o->pin = true; break;
		case 'b': bad = cli_parse_u64(CMD, "--batch", optarg, 1, 256, &o->batch); break;
		default: bad = 1;
		}
		if (bad)
			return -1;
	}
	if (o->family == 5 || optind != argc - 1 || (!o->count && !o->duration)) {
		cli_err(CMD, "usage: trafgen IFACE [--family 4|6] [--addrs N] [--ports N] [--rate PPS] "
			     "(--count N | --duration S) [--cpu N] [--batch N]");
		return -1;
	}
	if (o->family == 4 && o->addrs > 65536) {
		cli_err(CMD, "--addrs %llu: IPv4 sources come from 198.18.1.0-198.19.1.255 (65536)",
			(unsigned long long)o->addrs);
		return -1;
	}
	o->ifname = argv[optind];
	o->ifindex = cli_ifindex(CMD, o->ifname);
	return o->ifindex ? 0 : -1;
}

/* Sends until count or duration; paced to rate if set. Returns the packets sent or < 0. */
static long long send_loop(const struct gen_opts *o, int prog_fd, uint8_t *frame, size_t len,
			   double *seconds)
{
	/* The kernel wants data_end = the frame length (no metadata before it). */
	struct xdp_md ctx = { .data_end = len, .ingress_ifindex = o->ifindex };
	/* ~0.5 ms of traffic per call when paced, large calls flat out (each call costs ~10 us). */
	uint64_t chunk = o->rate ? o->rate / 2000 : 65536, sent = 0;
	double start = mono(), end = o->duration ? start + o->duration : 0;

	if (chunk < o->batch)
		chunk = o->batch;
	for (;;) {
		uint64_t n = chunk;
		LIBBPF_OPTS(bpf_test_run_opts, t, .data_in = frame, .data_size_in = len,
			    .ctx_in = &ctx, .ctx_size_in = sizeof(ctx),
			    .flags = BPF_F_TEST_XDP_LIVE_FRAMES, .batch_size = o->batch);

		if (o->count && o->count - sent < n)
			n = o->count - sent;
		if (!n || (end && mono() >= end))
			break;
		if (o->rate) {
			double due = start + (double)sent / o->rate;
			struct timespec ts = { (time_t)due, (long)((due - (time_t)due) * 1e9) };

			clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
		}
		t.repeat = n;
		if (bpf_prog_test_run_opts(prog_fd, &t))
			return -errno;
		sent += n;
	}
	*seconds = mono() - start;
	return sent;
}

int main(int argc, char **argv)
{
	struct gen_opts o;
	struct trafgen_bpf *skel = NULL;
	uint8_t frame[256];
	struct frame_spec s = { .proto = 6, .sport = 1, .dport = 80 };
	LIBBPF_OPTS(bpf_link_create_opts, lopts, .flags = XDP_FLAGS_DRV_MODE);
	int link = -1, rc = EXIT_ERROR;
	size_t len;

	if (parse(argc, argv, &o))
		return EXIT_ERROR;
	s.family = o.family;
	s.src = o.family == 6 ? "2001:db8:1::" : "198.18.1.0";
	s.dst = o.family == 6 ? "2001:db8::1" : "198.18.0.1";
	s.payload = o.family == 6 ? 0 : 10; /* 64 bytes for IPv4, 74 (the least) for IPv6 */
	len = frame_build(&s, frame, sizeof(frame));
	tcp_checksum(frame, len, o.family);
	if (o.pin) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(o.cpu, &set);
		if (sched_setaffinity(0, sizeof(set), &set))
			cli_err(CMD, "pinning to CPU %llu: %s", (unsigned long long)o.cpu, strerror(errno));
	}
	skel = trafgen_bpf__open();
	if (!skel)
		goto out;
	skel->rodata->gen_addrs = o.addrs;
	skel->rodata->gen_ports = o.ports;
	skel->rodata->gen_base = o.family == 6 ? 0 : 0xc6120100; /* 198.18.1.0 */
	skel->rodata->gen_port_base = 1;
	memcpy((void *)skel->rodata->gen_mac, frame + 6, 6);
	if (trafgen_bpf__load(skel)) {
		cli_err(CMD, "loading the generator: %s", strerror(errno));
		goto out;
	}
	link = bpf_link_create(bpf_program__fd(skel->progs.trafgen_xdp), o.ifindex, BPF_XDP, &lopts);
	if (link < 0) {
		cli_err(CMD, "attaching to %s: %s", o.ifname, strerror(errno));
		goto out;
	}
	double secs = 0, c0 = cpu_s();
	long long sent = send_loop(&o, bpf_program__fd(skel->progs.trafgen_xdp), frame, len, &secs);
	double cpu = cpu_s() - c0;

	if (sent < 0) {
		cli_err(CMD, "BPF_PROG_RUN live frames: %s", strerror((int)-sent));
		goto out;
	}
	struct json j;

	json_init(&j, stdout);
	json_obj_begin(&j, NULL);
	json_u64(&j, "sent", sent);
	json_u64(&j, "frame_bytes", len);
	json_u64(&j, "keys", o.addrs * o.ports);
	json_double(&j, "seconds", secs, 6);
	json_double(&j, "pps", sent / secs, 0);
	json_u64(&j, "rate", o.rate);
	json_double(&j, "cpu_s", cpu, 6);
	json_double(&j, "cpu_ns_per_packet", sent ? cpu * 1e9 / sent : 0, 1);
	json_obj_end(&j);
	json_line_end(&j);
	rc = EXIT_OK;
out:
	if (link >= 0)
		close(link);
	trafgen_bpf__destroy(skel);
	return rc;
}
