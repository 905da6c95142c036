/* The kernel-side sender: next hop and MAC lookup over rtnetlink, the template echo request,
 * and BPF_PROG_RUN calls of the sweep's XDP program with live frames. */
#include "sweep_gen.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "cli.h"
#include "clock.h"
#include "icmp.h"
#include "netlink.h"
#include "route.h"
#include "sweep.skel.h"

/* How long to wait for the gateway's MAC address to resolve (ARP retries every second). */
#define GEN_RESOLVE_S 3.5

/* NUD states whose link-layer address can be used. */
#define GEN_NUD_USABLE (NUD_REACHABLE | NUD_STALE | NUD_DELAY | NUD_PROBE | NUD_PERMANENT)

static int gen_own_mac(unsigned int ifindex, uint8_t *mac)
{
	struct netlink_links l;
	int err = netlink_dump_links(&l);

	if (err)
		return err;
	err = -ENODEV;
	for (size_t i = 0; i < l.n; i++)
		if (l.v[i].ifindex == ifindex && l.v[i].addr_len == 6) {
			memcpy(mac, l.v[i].addr, 6);
			err = 0;
		}
	netlink_links_free(&l);
	return err;
}

/* An echo request the sweep never counts (another identifier), so that the kernel resolves
 * the next hop's address the normal way. */
static void gen_nudge(const struct sweep_probe *p, const struct in6_addr *dst,
		      struct sweep_sender *snd)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	uint8_t pkt[ICMP_HDR_LEN];

	memcpy(&sin.sin_addr, &dst->s6_addr[12], 4);
	icmp_build_echo(pkt, sizeof(pkt), AF_INET, (uint16_t)(p->id + 1), 0, NULL, 0);
	sendto(snd->fd4, pkt, sizeof(pkt), 0, (struct sockaddr *)&sin, sizeof(sin));
}

static int gen_resolve(const char *cmd, struct sweep_gen *g, const struct sweep_probe *p,
		       const struct in6_addr *first, struct sweep_sender *snd)
{
	static volatile sig_atomic_t never;
	double until = clock_mono_s() + GEN_RESOLVE_S;
	char buf[INET_ADDRSTRLEN];
	uint8_t ll[NETLINK_HWADDR_MAX];
	size_t len = 0;
	uint16_t state = 0;
	bool nudged = false;
	int err;

	for (;;) {
		err = netlink_neigh_get(g->ifindex, AF_INET, g->gateway, ll, &len, &state);
		if (!err && (state & GEN_NUD_USABLE) && len == 6) {
			memcpy(g->mac, ll, 6);
			return 0;
		}
		if (err && err != -ENOENT) {
			cli_err(cmd, "--send xdp: reading the neighbour table: %s", strerror(-err));
			return -1;
		}
		if (clock_mono_s() > until)
			break;
		if (!nudged)
			gen_nudge(p, first, snd);
		nudged = true;
		clock_sleep_until(clock_mono_s() + 0.01, &never);
	}
	cli_err(cmd, "--send xdp: no MAC address for the gateway %s on %s",
		inet_ntop(AF_INET, g->gateway, buf, sizeof(buf)), g->ifname);
	return -1;
}

/* The next hop of the first target: gateway, interface and source address. */
static int gen_route(const char *cmd, struct sweep_gen *g, const struct in6_addr *first,
		     uint8_t *src)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	struct netlink_route r;
	char buf[INET_ADDRSTRLEN];
	int err;

	memcpy(&sin.sin_addr, &first->s6_addr[12], 4);
	err = netlink_route_get((struct sockaddr *)&sin, &r);
	inet_ntop(AF_INET, &sin.sin_addr, buf, sizeof(buf));
	if (err || !r.has_oif || r.type != RTN_UNICAST) {
		cli_err(cmd, "--send xdp: no unicast route to %s", buf);
		return -1;
	}
	if (!r.has_gateway || !r.has_prefsrc) {
		cli_err(cmd, "--send xdp: the route to %s has no gateway (on-link targets each have "
			     "their own MAC address: use the default --send raw)", buf);
		return -1;
	}
	g->ifindex = r.oif;
	memcpy(g->gateway, r.gateway, 4);
	memcpy(src, r.prefsrc, 4);
	if (!if_indextoname(g->ifindex, g->ifname))
		snprintf(g->ifname, sizeof(g->ifname), "#%u", g->ifindex);
	return 0;
}

static void gen_template(struct sweep_gen *g, const uint8_t *own, const uint8_t *src,
			 uint16_t id)
{
	uint8_t *f = g->frame + SWEEP_GEN_META_LEN;

	memset(g->frame, 0, sizeof(g->frame));
	memcpy(g->frame, &g->token, SWEEP_GEN_META_LEN);
	memcpy(f, g->mac, 6);
	memcpy(f + 6, own, 6);
	f[12] = 0x08; /* IPv4 */
	f[14] = 0x45;
	f[16] = 0;
	f[17] = 20 + ICMP_HDR_LEN + SWEEP_PAYLOAD_LEN;
	f[20] = 0x40; /* don't fragment */
	f[22] = 64;   /* TTL */
	f[23] = 1;    /* ICMP */
	memcpy(f + 26, src, 4);
	icmp_build_echo(f + 34, ICMP_HDR_LEN + SWEEP_PAYLOAD_LEN, AF_INET, id, 0, NULL, 0);
}

int sweep_gen_bind(const char *cmd, struct sweep_gen *g, struct sweep_kern *k, size_t n)
{
	g->kern = k;
	g->map_len = (n ? n : 1) * sizeof(*g->targets);
	g->map_len = (g->map_len + 4095) & ~(size_t)4095;
	g->targets = mmap(NULL, g->map_len, PROT_READ | PROT_WRITE, MAP_SHARED,
			  bpf_map__fd(k->skel->maps.sweep_gen_targets), 0);
	if (g->targets == MAP_FAILED) {
		g->targets = NULL;
		cli_err(cmd, "--send xdp: mapping the target list: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/* Every target IPv4 and not this machine's own (a probe to the gateway would never come back
 * to us). Prints errors; returns 0 or -1. */
static int gen_check_targets(const char *cmd, const struct targets *t)
{
	struct route_local *loc = NULL;
	size_t nloc = 0;
	char buf[INET6_ADDRSTRLEN];
	int err = route_local_dump(&loc, &nloc);

	if (err) {
		cli_err(cmd, "reading local routes: %s", strerror(-err));
		return -1;
	}
	for (size_t i = 0; i < t->n && !err; i++) {
		if (!targets_is_v4(&t->addr[i])) {
			cli_err(cmd, "--send xdp: IPv4 targets only");
			err = -1;
		} else if (route_is_local(loc, nloc, &t->addr[i])) {
			cli_err(cmd, "--send xdp: %s is this machine's own address (use --send raw)",
				targets_str(&t->addr[i], buf, sizeof(buf)));
			err = -1;
		}
	}
	free(loc);
	return err;
}

int sweep_gen_open(const char *cmd, struct sweep_gen *g, const struct sweep_probe *p,
		   const struct targets *t, struct sweep_sender *snd)
{
	uint8_t own[6], src[4];
	int err;

	*g = (struct sweep_gen){ 0 };
	if (gen_check_targets(cmd, t))
		return -1;
	if (!t->n || gen_route(cmd, g, &t->addr[0], src))
		return -1;
	err = gen_own_mac(g->ifindex, own);
	if (err) {
		cli_err(cmd, "--send xdp: %s has no Ethernet address: %s", g->ifname, strerror(-err));
		return -1;
	}
	if (gen_resolve(cmd, g, p, &t->addr[0], snd))
		return -1;
	/* Never 0: 0 means "not sending" to the program. */
	if (getrandom(&g->token, sizeof(g->token), 0) != sizeof(g->token)) {
		cli_err(cmd, "getrandom: %s", strerror(errno));
		return -1;
	}
	g->token |= 1;
	gen_template(g, own, src, p->id);
	return 0;
}

void sweep_gen_close(struct sweep_gen *g)
{
	if (g->targets)
		munmap(g->targets, g->map_len);
	*g = (struct sweep_gen){ 0 };
}

size_t sweep_gen_batch(struct sweep_gen *g, const struct targets *t, const uint32_t *idx,
		       size_t n, uint64_t *sent_ns, int *err)
{
	/* data: where the frame starts after the metadata; data_end: the whole input. */
	struct xdp_md ctx = { .data = SWEEP_GEN_META_LEN, .data_end = sizeof(g->frame),
			      .ingress_ifindex = g->ifindex };
	struct sweep_bpf *skel = g->kern->skel;
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = g->frame, .data_size_in = sizeof(g->frame),
		    .ctx_in = &ctx, .ctx_size_in = sizeof(ctx),
		    .flags = BPF_F_TEST_XDP_LIVE_FRAMES);
	size_t done;
	uint64_t now;
	int rc;

	if (n > SWEEP_GEN_BATCH)
		n = SWEEP_GEN_BATCH;
	for (size_t i = 0; i < n; i++) {
		memcpy(&g->targets[i].addr, &t->addr[idx[i]].s6_addr[12], 4);
		g->targets[i].index = idx[i];
	}
	skel->bss->gen_next = 0;
	skel->bss->gen_end = (uint32_t)n;
	opts.repeat = (uint32_t)n;
	rc = bpf_prog_test_run_opts(bpf_program__fd(skel->progs.sweep_xdp), &opts);
	/* A signal can end the run early: what ran is what the program counted. */
	done = skel->bss->gen_next;
	now = clock_mono_ns();
	for (size_t i = 0; i < done; i++)
		sent_ns[idx[i]] = now;
	if (!rc || done)
		return done;
	/* Interrupted before the first probe: try again. Refused: these probes fail for good. */
	if (errno == EINTR)
		return 0;
	for (size_t i = 0; i < n; i++)
		err[idx[i]] = errno;
	return n;
}
