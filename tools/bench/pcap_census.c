/* The census done the user-space way, as the bench's peer of `xdpscope watch`: libpcap with a
 * 32 MB buffer copies every frame to this process, which counts TCP packets and bytes per
 * (source address, source port), ports above 1000 summed per source, as the census does.
 *   pcap_census IFACE       (runs until SIGINT/SIGTERM, then prints one JSON object) */
#include <arpa/inet.h>
#include <pcap/pcap.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "census_read.h"
#include "cli.h"
#include "json.h"

#define CMD "pcap_census"
#define MAX_PORT 1000
#define BUFFER_BYTES (32 << 20)

struct slot {
	struct census_port_key key;
	uint64_t packets, bytes;
	bool used;
};

struct table {
	struct slot *slots;
	size_t cap, n; /* cap a power of two, kept at most half full */
	uint64_t packets, other;
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static uint64_t hash_key(const struct census_port_key *k)
{
	const uint32_t *w = (const uint32_t *)k;
	uint64_t h = 0x9e3779b97f4a7c15ULL;

	for (size_t i = 0; i < sizeof(*k) / 4; i++)
		h = (h ^ w[i]) * 0xff51afd7ed558ccdULL;
	return h ^ (h >> 29);
}

static struct slot *find(struct table *t, const struct census_port_key *k)
{
	size_t i = hash_key(k) & (t->cap - 1);

	while (t->slots[i].used && memcmp(&t->slots[i].key, k, sizeof(*k)))
		i = (i + 1) & (t->cap - 1);
	return &t->slots[i];
}

static int grow(struct table *t)
{
	struct table g = { .cap = t->cap ? t->cap * 2 : 1024 };

	g.slots = calloc(g.cap, sizeof(*g.slots));
	if (!g.slots)
		return -1;
	for (size_t i = 0; i < t->cap; i++)
		if (t->slots[i].used)
			*find(&g, &t->slots[i].key) = t->slots[i];
	free(t->slots);
	t->slots = g.slots;
	t->cap = g.cap;
	return 0;
}

/* Ethernet, up to two VLAN tags, IPv4 (options skipped, non-first fragments ignored) or IPv6
 * (no extension headers followed), TCP. Returns 0 and the key, or -1 if not counted. */
static int parse(const uint8_t *p, size_t len, struct census_port_key *k)
{
	size_t off = 14;
	uint16_t proto;

	if (len < 14)
		return -1;
	proto = p[12] << 8 | p[13];
	for (int i = 0; i < 2 && (proto == 0x8100 || proto == 0x88a8); i++, off += 4) {
		if (len < off + 4)
			return -1;
		proto = p[off + 2] << 8 | p[off + 3];
	}
	memset(k, 0, sizeof(*k));
	if (proto == 0x0800) {
		size_t hl;

		if (len < off + 20 || (p[off] >> 4) != 4 || p[off + 9] != 6 ||
		    ((p[off + 6] << 8 | p[off + 7]) & 0x1fff))
			return -1;
		hl = (p[off] & 0xf) * 4;
		k->src.family = CENSUS_INET;
		memcpy(k->src.addr, p + off + 12, 4);
		off += hl;
	} else if (proto == 0x86dd) {
		if (len < off + 40 || p[off + 6] != 6)
			return -1;
		k->src.family = CENSUS_INET6;
		memcpy(k->src.addr, p + off + 8, 16);
		off += 40;
	} else {
		return -1;
	}
	if (len < off + 20)
		return -1;
	k->port = p[off] << 8 | p[off + 1];
	if (k->port > MAX_PORT)
		k->port = CENSUS_PORT_ABOVE;
	return 0;
}

static void on_packet(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes)
{
	struct table *t = (struct table *)user;
	struct census_port_key k;
	struct slot *s;

	if (parse(bytes, h->caplen, &k)) {
		t->other++;
		return;
	}
	if (2 * (t->n + 1) > t->cap && grow(t))
		return;
	s = find(t, &k);
	if (!s->used) {
		s->used = true;
		s->key = k;
		t->n++;
	}
	s->packets++;
	s->bytes += h->len;
	t->packets++;
}

static pcap_t *open_capture(const char *ifname)
{
	char err[PCAP_ERRBUF_SIZE];
	pcap_t *p = pcap_create(ifname, err);

	if (!p) {
		cli_err(CMD, "%s", err);
		return NULL;
	}
	pcap_set_snaplen(p, 128);
	pcap_set_buffer_size(p, BUFFER_BYTES);
	pcap_set_timeout(p, 100);
	if (pcap_activate(p) < 0) {
		cli_err(CMD, "%s: %s", ifname, pcap_geterr(p));
		pcap_close(p);
		return NULL;
	}
	return p;
}

int main(int argc, char **argv)
{
	struct table t = {};
	struct pcap_stat ps = {};
	struct sigaction sa = { .sa_handler = on_signal };
	struct rusage ru;
	struct json j;
	pcap_t *p;

	if (argc != 2) {
		cli_err(CMD, "usage: pcap_census IFACE");
		return EXIT_ERROR;
	}
	if (grow(&t) || !(p = open_capture(argv[1])))
		return EXIT_ERROR;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	fprintf(stderr, "pcap_census: capturing on %s\n", argv[1]);
	/* Non-blocking reads after poll: a signal ends the loop within 100 ms, and what the
	 * kernel already queued is drained before the totals are printed. */
	pcap_setnonblock(p, 1, (char[PCAP_ERRBUF_SIZE]){ 0 });
	struct pollfd pfd = { .fd = pcap_get_selectable_fd(p), .events = POLLIN };
	int n;

	while (!stop) {
		poll(&pfd, 1, 100);
		while ((n = pcap_dispatch(p, -1, on_packet, (u_char *)&t)) > 0)
			;
		if (n < 0) {
			cli_err(CMD, "%s", pcap_geterr(p));
			break;
		}
	}
	pcap_stats(p, &ps);
	getrusage(RUSAGE_SELF, &ru);
	json_init(&j, stdout);
	json_obj_begin(&j, NULL);
	json_u64(&j, "packets", t.packets);
	json_u64(&j, "keys", t.n);
	json_u64(&j, "other", t.other);
	json_u64(&j, "ps_recv", ps.ps_recv);
	json_u64(&j, "ps_drop", ps.ps_drop);
	json_double(&j, "cpu_s", ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
				 ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6, 6);
	json_u64(&j, "max_rss_kib", ru.ru_maxrss);
	json_obj_end(&j);
	json_line_end(&j);
	pcap_close(p);
	free(t.slots);
	return EXIT_OK;
}
