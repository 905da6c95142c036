/* xdpscope ifaces: every interface with flags, state, MTU, MAC, addresses and counters, read
 * from rtnetlink dumps; --json uses the key names of `ip -j addr` (plus ip -s's stats64). */
#include <arpa/inet.h>
#include <getopt.h>
#include <linux/if_addr.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "json.h"
#include "netlink.h"
#include "privs.h"

static const char *const ifaces_cmd = "ifaces";

static void ifaces_usage(FILE *f)
{
	fprintf(f, "Usage: xdpscope ifaces [IFACE] [--json]\n\n"
		   "Lists every interface (or IFACE): index, name, flags as ip shows them, operstate,\n"
		   "MTU, MAC, every IPv4/IPv6 address with prefix length and scope, and RX/TX packets,\n"
		   "bytes, errors and drops.\n\n"
		   "  --json      a JSON array with the key names of 'ip -j addr' (ifindex, ifname,\n"
		   "              flags, mtu, operstate, link_type, address, addr_info, ...) plus\n"
		   "              stats64 {rx, tx} as in 'ip -j -s addr'\n"
		   "  -h, --help  this help\n\n"
		   "Exit status: 0 success, 2 error (no such interface, netlink failure).\n");
}

static const char *ifaces_family(uint8_t family)
{
	return family == AF_INET ? "inet" : family == AF_INET6 ? "inet6" : "unknown";
}

/* ip prints IFA_LOCAL as "local" and IFA_ADDRESS as the peer ("address") when they differ. */
static const uint8_t *ifaces_local(const struct netlink_addr *a)
{
	return a->has_local ? a->local : a->has_address ? a->address : NULL;
}

static const uint8_t *ifaces_peer(const struct netlink_addr *a)
{
	size_t len = a->family == AF_INET ? 4 : 16;

	if (a->has_local && a->has_address && memcmp(a->local, a->address, len))
		return a->address;
	return NULL;
}

static void ifaces_json_ip(struct json *j, const char *key, uint8_t family, const uint8_t *ip)
{
	char buf[INET6_ADDRSTRLEN];

	if (ip && inet_ntop(family, ip, buf, sizeof(buf)))
		json_str(j, key, buf);
}

static void ifaces_json_addr_flags(struct json *j, const struct netlink_addr *a)
{
	static const struct {
		uint32_t flag;
		const char *name;
	} names[] = {
		{ IFA_F_NODAD, "nodad" }, { IFA_F_OPTIMISTIC, "optimistic" },
		{ IFA_F_DADFAILED, "dadfailed" }, { IFA_F_HOMEADDRESS, "home" },
		{ IFA_F_DEPRECATED, "deprecated" }, { IFA_F_TENTATIVE, "tentative" },
		{ IFA_F_MANAGETEMPADDR, "mngtmpaddr" }, { IFA_F_NOPREFIXROUTE, "noprefixroute" },
		{ IFA_F_MCAUTOJOIN, "autojoin" }, { IFA_F_STABLE_PRIVACY, "stable-privacy" },
	};

	if (a->flags & IFA_F_SECONDARY)
		json_bool(j, a->family == AF_INET6 ? "temporary" : "secondary", true);
	if (!(a->flags & IFA_F_PERMANENT))
		json_bool(j, "dynamic", true);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (a->flags & names[i].flag)
			json_bool(j, names[i].name, true);
}

static void ifaces_json_addr(struct json *j, const struct netlink_addr *a)
{
	char sbuf[8];

	json_obj_begin(j, NULL);
	json_str(j, "family", ifaces_family(a->family));
	ifaces_json_ip(j, "local", a->family, ifaces_local(a));
	ifaces_json_ip(j, "address", a->family, ifaces_peer(a));
	json_u64(j, "prefixlen", a->prefixlen);
	ifaces_json_ip(j, "broadcast", a->family, a->has_broadcast ? a->broadcast : NULL);
	json_str(j, "scope", netlink_scope_name(a->scope, sbuf, sizeof(sbuf)));
	ifaces_json_addr_flags(j, a);
	if (a->has_label)
		json_str(j, "label", a->label);
	if (a->has_cacheinfo) {
		json_u64(j, "valid_life_time", a->valid_lft);
		json_u64(j, "preferred_life_time", a->preferred_lft);
	}
	json_obj_end(j);
}

static void ifaces_json_flag(const char *name, void *ctx)
{
	json_str(ctx, NULL, name);
}

static void ifaces_json_stats(struct json *j, const struct netlink_stats *s)
{
	json_obj_begin(j, "stats64");
	json_obj_begin(j, "rx");
	json_u64(j, "bytes", s->rx_bytes);
	json_u64(j, "packets", s->rx_packets);
	json_u64(j, "errors", s->rx_errors);
	json_u64(j, "dropped", s->rx_dropped);
	json_obj_end(j);
	json_obj_begin(j, "tx");
	json_u64(j, "bytes", s->tx_bytes);
	json_u64(j, "packets", s->tx_packets);
	json_u64(j, "errors", s->tx_errors);
	json_u64(j, "dropped", s->tx_dropped);
	json_obj_end(j);
	json_obj_end(j);
}

static const struct netlink_link *ifaces_find(const struct netlink_links *links, uint32_t ifindex)
{
	for (size_t i = 0; i < links->n; i++)
		if (links->v[i].ifindex == ifindex)
			return &links->v[i];
	return NULL;
}

/* ip's M-DOWN: the device's IFLA_LINK peer in this namespace is down (or unknown). */
static bool ifaces_mdown(const struct netlink_links *links, const struct netlink_link *l)
{
	const struct netlink_link *peer;

	if (!l->has_link || !l->link || l->has_link_netnsid)
		return false;
	peer = ifaces_find(links, l->link);
	return !peer || !(peer->flags & IFF_UP);
}

/* An ifindex as a name, "ifN" when it is not in this namespace (as ip does). */
static void ifaces_json_ifname_of(struct json *j, const char *key,
				  const struct netlink_links *links, uint32_t ifindex)
{
	const struct netlink_link *o = ifaces_find(links, ifindex);
	char buf[16];

	if (o) {
		json_str(j, key, o->ifname);
		return;
	}
	snprintf(buf, sizeof(buf), "if%u", ifindex);
	json_str(j, key, buf);
}

/* The keys that come before "addr_info" in ip -j addr, in ip's order. */
static void ifaces_json_link_head(struct json *j, const struct netlink_link *l,
				  const struct netlink_links *links)
{
	char tbuf[16];

	json_u64(j, "ifindex", l->ifindex);
	if (l->has_link && !l->link)
		json_null(j, "link");
	else if (l->has_link && l->has_link_netnsid)
		json_u64(j, "link_index", l->link);
	else if (l->has_link)
		ifaces_json_ifname_of(j, "link", links, l->link);
	json_str(j, "ifname", l->ifname);
	json_arr_begin(j, "flags");
	netlink_flag_names(l->flags, ifaces_mdown(links, l), ifaces_json_flag, j);
	json_arr_end(j);
	if (l->has_mtu)
		json_u64(j, "mtu", l->mtu);
	if (l->has_qdisc)
		json_str(j, "qdisc", l->qdisc);
	if (l->has_master)
		ifaces_json_ifname_of(j, "master", links, l->master);
	if (l->has_operstate)
		json_str(j, "operstate", netlink_operstate_name(l->operstate));
	if (l->has_group) {
		snprintf(tbuf, sizeof(tbuf), "%u", l->group);
		json_str(j, "group", l->group ? tbuf : "default");
	}
	if (l->has_txqlen)
		json_u64(j, "txqlen", l->txqlen);
	json_str(j, "link_type", netlink_link_type_name(l->type, tbuf, sizeof(tbuf)));
}

static void ifaces_json_link(struct json *j, const struct netlink_link *l,
			     const struct netlink_links *links, const struct netlink_addrs *addrs)
{
	char buf[3 * NETLINK_HWADDR_MAX + 1];

	json_obj_begin(j, NULL);
	ifaces_json_link_head(j, l, links);
	if (l->addr_len) {
		netlink_hwaddr_str(l->type, l->addr, l->addr_len, buf, sizeof(buf));
		json_str(j, "address", buf);
	}
	if (l->brd_len) {
		if (l->flags & IFF_POINTOPOINT)
			json_bool(j, "link_pointtopoint", true);
		netlink_hwaddr_str(l->type, l->brd, l->brd_len, buf, sizeof(buf));
		json_str(j, "broadcast", buf);
	}
	if (l->has_link_netnsid)
		json_i64(j, "link_netnsid", l->link_netnsid);
	json_arr_begin(j, "addr_info");
	for (size_t i = 0; i < addrs->n; i++)
		if (addrs->v[i].ifindex == l->ifindex)
			ifaces_json_addr(j, &addrs->v[i]);
	json_arr_end(j);
	if (l->has_stats)
		ifaces_json_stats(j, &l->stats);
	json_obj_end(j);
}

struct ifaces_flagbuf {
	char s[256];
	size_t len;
};

static void ifaces_text_flag(const char *name, void *ctx)
{
	struct ifaces_flagbuf *b = ctx;
	int n = snprintf(b->s + b->len, sizeof(b->s) - b->len, "%s%s", b->len ? "," : "", name);

	if (n > 0 && (size_t)n < sizeof(b->s) - b->len)
		b->len += (size_t)n;
}

struct ifaces_widths {
	int name, state;
};

static void ifaces_text_link(const struct netlink_link *l, const struct netlink_links *links,
			     const struct netlink_addrs *addrs, const struct ifaces_widths *w)
{
	char mac[3 * NETLINK_HWADDR_MAX + 1] = "-", ip[INET6_ADDRSTRLEN], sbuf[8];
	struct ifaces_flagbuf fl = { .len = 0 };
	const struct netlink_stats *s = &l->stats;

	fl.s[0] = '\0';
	netlink_flag_names(l->flags, ifaces_mdown(links, l), ifaces_text_flag, &fl);
	if (l->addr_len)
		netlink_hwaddr_str(l->type, l->addr, l->addr_len, mac, sizeof(mac));
	printf("%4u  %-*s  %-*s  mtu %-5u  %-17s  <%s>\n", l->ifindex, w->name, l->ifname,
	       w->state, netlink_operstate_name(l->operstate), l->mtu, mac, fl.s);
	for (size_t i = 0; i < addrs->n; i++) {
		const struct netlink_addr *a = &addrs->v[i];
		const uint8_t *local = ifaces_local(a);

		if (a->ifindex != l->ifindex || !local || !inet_ntop(a->family, local, ip, sizeof(ip)))
			continue;
		printf("      %-5s %s/%u scope %s\n", ifaces_family(a->family), ip, a->prefixlen,
		       netlink_scope_name(a->scope, sbuf, sizeof(sbuf)));
	}
	if (l->has_stats)
		printf("      RX %llu packets %llu bytes %llu errors %llu dropped  "
		       "TX %llu packets %llu bytes %llu errors %llu dropped\n",
		       (unsigned long long)s->rx_packets, (unsigned long long)s->rx_bytes,
		       (unsigned long long)s->rx_errors, (unsigned long long)s->rx_dropped,
		       (unsigned long long)s->tx_packets, (unsigned long long)s->tx_bytes,
		       (unsigned long long)s->tx_errors, (unsigned long long)s->tx_dropped);
}

static void ifaces_print(const struct netlink_links *links, const struct netlink_addrs *addrs,
			 unsigned int only, bool json)
{
	struct ifaces_widths w = { .name = 4, .state = 5 };
	struct json j;

	for (size_t i = 0; i < links->n; i++) {
		int nl = (int)strlen(links->v[i].ifname);
		int sl = (int)strlen(netlink_operstate_name(links->v[i].operstate));

		if (only && links->v[i].ifindex != only)
			continue;
		w.name = nl > w.name ? nl : w.name;
		w.state = sl > w.state ? sl : w.state;
	}
	json_init(&j, stdout);
	if (json)
		json_arr_begin(&j, NULL);
	for (size_t i = 0; i < links->n; i++) {
		if (only && links->v[i].ifindex != only)
			continue;
		if (json)
			ifaces_json_link(&j, &links->v[i], links, addrs);
		else
			ifaces_text_link(&links->v[i], links, addrs, &w);
	}
	if (json) {
		json_arr_end(&j);
		json_line_end(&j);
	}
}

int cmd_ifaces(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct netlink_links links;
	struct netlink_addrs addrs;
	unsigned int only = 0;
	bool json = false;
	int c, err;

	/* Needs no capability: keep none, even when run as root. */
	if (privs_drop("ifaces", 0, NULL))
		return EXIT_ERROR;
	if (cli_wants_help(argc, argv)) {
		ifaces_usage(stdout);
		return EXIT_OK;
	}
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "jh", opts, NULL)) != -1) {
		if (c == 'j') {
			json = true;
		} else {
			cli_err(ifaces_cmd, "unknown option '%s'", argv[optind - 1]);
			return EXIT_ERROR;
		}
	}
	if (argc - optind > 1) {
		cli_err(ifaces_cmd, "unexpected argument '%s'", argv[optind + 1]);
		return EXIT_ERROR;
	}
	if (optind < argc && !(only = cli_ifindex(ifaces_cmd, argv[optind])))
		return EXIT_ERROR;
	err = netlink_dump_links(&links);
	if (err) {
		cli_err(ifaces_cmd, "cannot list links: %s", strerror(-err));
		return EXIT_ERROR;
	}
	err = netlink_dump_addrs(AF_UNSPEC, &addrs);
	if (err) {
		cli_err(ifaces_cmd, "cannot list addresses: %s", strerror(-err));
		netlink_links_free(&links);
		return EXIT_ERROR;
	}
	ifaces_print(&links, &addrs, only, json);
	netlink_addrs_free(&addrs);
	netlink_links_free(&links);
	return EXIT_OK;
}
