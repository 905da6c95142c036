/* xdpscope status IFACE: is the interface up (admin up and carrier on), and which TCP ports
 * answer on its address, as the lab's script told with nmap. */
#include <arpa/inet.h>
#include <getopt.h>
#include <net/if.h> /* before linux/if.h, which then adds only IFF_LOWER_UP and co */
#include <linux/if.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "json.h"
#include "netlink.h"
#include "ports.h"
#include "privs.h"
#include "tcpprobe.h"

static const char *const status_cmd = "status";

#define STATUS_DEFAULT_PORTS "21-23"

static void status_usage(FILE *f)
{
	fprintf(f, "Usage: xdpscope status IFACE [-p PORTS] [--timeout S] [-4|-6] [--json]\n\n"
		   "Prints 'Interface [IFACE] is: up' when IFACE is administratively up and has\n"
		   "carrier, else 'down (admin down)' or 'down (no carrier)'. When up, probes TCP\n"
		   "PORTS on its first IPv4 address (-6: first global IPv6 address) with parallel\n"
		   "connects and prints one line per port: 'PORT/tcp open|closed|filtered SERVICE'.\n\n"
		   "  -p PORTS       nmap syntax: 21-23,80,443  -1024  60000-  - (default %s)\n"
		   "  --timeout S    seconds to wait for each port before calling it filtered\n"
		   "                 (default 1)\n"
		   "  -4, -6         probe the IPv4 (default) or global IPv6 address\n"
		   "  --json         {\"ifname\", \"state\", \"why\", \"operstate\", \"addr\",\n"
		   "                  \"ports\": [{\"port\", \"state\", \"service\"}]}\n"
		   "  -h, --help     this help\n\n"
		   "open: connected; closed: refused; filtered: no answer within the timeout or an\n"
		   "ICMP unreachable. With the default ports, an interface without an address of\n"
		   "the family is reported without probing.\n"
		   "Exit status: 0 up, 1 down, 2 error.\n",
		STATUS_DEFAULT_PORTS);
}

struct status_opts {
	const char *ifname;
	unsigned int ifindex;
	struct ports ports;
	bool ports_given, json;
	int family, timeout_ms;
};

struct status_result {
	const struct netlink_link *link;
	const char *why; /* NULL when up */
	bool has_addr;
	struct sockaddr_storage addr;
	enum tcpprobe_state *states;
	size_t nstates; /* 0: not probed */
};

static int status_parse(int argc, char **argv, struct status_opts *o)
{
	static const struct option opts[] = {
		{ "ports", required_argument, NULL, 'p' },
		{ "timeout", required_argument, NULL, 't' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *spec = STATUS_DEFAULT_PORTS;
	char why[128];
	double secs = 1.0;
	int c, err;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":p:46jh", opts, NULL)) != -1) {
		if (c == 'p') {
			spec = optarg;
			o->ports_given = true;
		} else if (c == 't') {
			if (cli_parse_double(status_cmd, "--timeout", optarg, 0.001, 3600, &secs))
				return -1;
		} else if (c == '4' || c == '6') {
			o->family = c == '4' ? AF_INET : AF_INET6;
		} else if (c == 'j') {
			o->json = true;
		} else if (c == ':') {
			cli_err(status_cmd, "option '%s' needs a value", argv[optind - 1]);
			return -1;
		} else {
			cli_err(status_cmd, "unknown option '%s'", argv[optind - 1]);
			return -1;
		}
	}
	if (argc - optind != 1) {
		if (argc - optind == 0)
			cli_err(status_cmd, "missing IFACE (try 'xdpscope status --help')");
		else
			cli_err(status_cmd, "unexpected argument '%s'", argv[optind + 1]);
		return -1;
	}
	o->timeout_ms = (int)(secs * 1000 + 0.5);
	o->ifname = argv[optind];
	err = ports_parse(spec, &o->ports, why, sizeof(why));
	if (err) {
		cli_err(status_cmd, "%s", err == -1 ? why : "out of memory");
		return -1;
	}
	o->ifindex = cli_ifindex(status_cmd, o->ifname);
	if (!o->ifindex) {
		ports_free(&o->ports);
		return -1;
	}
	return 0;
}

/* The probe target: the first IPv4 address, or the first usable global IPv6 address. */
static bool status_pick_addr(const struct netlink_addrs *addrs, const struct status_opts *o,
			     struct sockaddr_storage *out)
{
	for (size_t i = 0; i < addrs->n; i++) {
		const struct netlink_addr *a = &addrs->v[i];
		const uint8_t *ip = a->has_local ? a->local : a->has_address ? a->address : NULL;

		if (a->ifindex != o->ifindex || a->family != o->family || !ip)
			continue;
		memset(out, 0, sizeof(*out));
		if (a->family == AF_INET) {
			struct sockaddr_in *sin = (struct sockaddr_in *)out;

			sin->sin_family = AF_INET;
			memcpy(&sin->sin_addr, ip, 4);
			return true;
		}
		if (a->scope != RT_SCOPE_UNIVERSE || (a->flags & (IFA_F_TENTATIVE | IFA_F_DADFAILED)))
			continue;
		((struct sockaddr_in6 *)out)->sin6_family = AF_INET6;
		memcpy(&((struct sockaddr_in6 *)out)->sin6_addr, ip, 16);
		return true;
	}
	return false;
}

static const char *status_addr_str(const struct sockaddr_storage *ss, char *buf, size_t len)
{
	const void *ip = ss->ss_family == AF_INET ?
		(const void *)&((const struct sockaddr_in *)ss)->sin_addr :
		(const void *)&((const struct sockaddr_in6 *)ss)->sin6_addr;

	return inet_ntop(ss->ss_family, ip, buf, (socklen_t)len);
}

static const char *status_service(uint16_t port)
{
	struct servent *se = getservbyport(htons(port), "tcp");

	return se ? se->s_name : NULL;
}

static void status_print_text(const struct status_opts *o, const struct status_result *r)
{
	if (r->why)
		printf("Interface [%s] is: down (%s)\n", o->ifname, r->why);
	else
		printf("Interface [%s] is: up\n", o->ifname);
	for (size_t i = 0; i < r->nstates; i++) {
		const char *svc = status_service(o->ports.v[i]);

		printf("%u/tcp %s %s\n", o->ports.v[i], tcpprobe_state_name(r->states[i]),
		       svc ? svc : "unknown");
	}
}

static void status_print_json(const struct status_opts *o, const struct status_result *r)
{
	char buf[INET6_ADDRSTRLEN];
	struct json j;

	json_init(&j, stdout);
	json_obj_begin(&j, NULL);
	json_str(&j, "ifname", o->ifname);
	json_str(&j, "state", r->why ? "down" : "up");
	json_str(&j, "why", r->why);
	json_str(&j, "operstate", netlink_operstate_name(r->link->operstate));
	json_str(&j, "addr", r->has_addr ? status_addr_str(&r->addr, buf, sizeof(buf)) : NULL);
	json_arr_begin(&j, "ports");
	for (size_t i = 0; i < r->nstates; i++) {
		json_obj_begin(&j, NULL);
		json_u64(&j, "port", o->ports.v[i]);
		json_str(&j, "state", tcpprobe_state_name(r->states[i]));
		json_str(&j, "service", status_service(o->ports.v[i]));
		json_obj_end(&j);
	}
	json_arr_end(&j);
	json_obj_end(&j);
	json_line_end(&j);
}

/* Finds the link, its address, and probes; everything that can fail happens before output. */
static int status_run(const struct status_opts *o, const struct netlink_links *links,
		      const struct netlink_addrs *addrs)
{
	struct status_result r = { 0 };
	socklen_t alen;
	int err;

	for (size_t i = 0; i < links->n && !r.link; i++)
		if (links->v[i].ifindex == o->ifindex)
			r.link = &links->v[i];
	if (!r.link) {
		cli_err(status_cmd, "no such interface '%s'", o->ifname);
		return EXIT_ERROR;
	}
	if (!(r.link->flags & IFF_UP))
		r.why = "admin down";
	else if (!(r.link->flags & IFF_LOWER_UP))
		r.why = "no carrier";
	r.has_addr = status_pick_addr(addrs, o, &r.addr);
	if (!r.why && !r.has_addr && o->ports_given) {
		cli_err(status_cmd, "interface '%s' has no %s address to probe", o->ifname,
			o->family == AF_INET ? "IPv4" : "global IPv6");
		return EXIT_ERROR;
	}
	if (!r.why && r.has_addr) {
		r.states = calloc(o->ports.n, sizeof(*r.states));
		if (!r.states) {
			cli_err(status_cmd, "out of memory");
			return EXIT_ERROR;
		}
		alen = r.addr.ss_family == AF_INET ? sizeof(struct sockaddr_in) :
						     sizeof(struct sockaddr_in6);
		err = tcpprobe_run((struct sockaddr *)&r.addr, alen, o->ports.v, o->ports.n,
				   o->timeout_ms, r.states);
		if (err) {
			cli_err(status_cmd, "cannot probe: %s", strerror(-err));
			free(r.states);
			return EXIT_ERROR;
		}
		r.nstates = o->ports.n;
	}
	if (o->json)
		status_print_json(o, &r);
	else
		status_print_text(o, &r);
	free(r.states);
	return r.why ? EXIT_NEGATIVE : EXIT_OK;
}

int cmd_status(int argc, char **argv)
{
	struct status_opts o = { .family = AF_INET };
	struct netlink_links links;
	struct netlink_addrs addrs;
	int err, rc = EXIT_ERROR;

	/* Needs no capability: keep none, even when run as root. */
	if (privs_drop("status", 0, NULL))
		return EXIT_ERROR;
	if (cli_wants_help(argc, argv)) {
		status_usage(stdout);
		return EXIT_OK;
	}
	if (status_parse(argc, argv, &o))
		return EXIT_ERROR;
	err = netlink_dump_links(&links);
	if (err) {
		cli_err(status_cmd, "cannot list links: %s", strerror(-err));
		goto out_ports;
	}
	err = netlink_dump_addrs(o.family, &addrs);
	if (err) {
		cli_err(status_cmd, "cannot list addresses: %s", strerror(-err));
		goto out_links;
	}
	rc = status_run(&o, &links, &addrs);
	netlink_addrs_free(&addrs);
out_links:
	netlink_links_free(&links);
out_ports:
	ports_free(&o.ports);
	return rc;
}
