/* xdpscope ip IFACE [-4|-6]: the addresses of one interface, one "Interface [X] --> IP: A" line
 * each, as the lab's script printed them. */
#include <arpa/inet.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "json.h"
#include "netlink.h"
#include "privs.h"

static const char *const ip_cmd = "ip";

static void ip_usage(FILE *f)
{
	fprintf(f, "Usage: xdpscope ip IFACE [-4|-6] [--json]\n\n"
		   "Prints every address of IFACE of one family, one line each:\n"
		   "  Interface [IFACE] --> IP: ADDR\n\n"
		   "  -4          IPv4 addresses (the default)\n"
		   "  -6          IPv6 addresses\n"
		   "  --json      {\"ifname\", \"family\", \"addrs\": [ADDR...]}\n"
		   "  -h, --help  this help\n\n"
		   "Exit status: 0 address found, 1 no address of that family, 2 error (no such\n"
		   "interface).\n");
}

/* Collects IFACE's addresses of family as strings into out[]; returns how many. */
static size_t ip_collect(const struct netlink_addrs *addrs, unsigned int ifindex, int family,
			 char (*out)[INET6_ADDRSTRLEN], size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < addrs->n && n < max; i++) {
		const struct netlink_addr *a = &addrs->v[i];
		const uint8_t *ip = a->has_local ? a->local : a->has_address ? a->address : NULL;

		if (a->ifindex != ifindex || a->family != family || !ip)
			continue;
		if (inet_ntop(family, ip, out[n], INET6_ADDRSTRLEN))
			n++;
	}
	return n;
}

static void ip_print(const char *ifname, int family, char (*ips)[INET6_ADDRSTRLEN], size_t n,
		     bool json)
{
	struct json j;

	if (!json) {
		for (size_t i = 0; i < n; i++)
			printf("Interface [%s] --> IP: %s\n", ifname, ips[i]);
		return;
	}
	json_init(&j, stdout);
	json_obj_begin(&j, NULL);
	json_str(&j, "ifname", ifname);
	json_str(&j, "family", family == AF_INET ? "inet" : "inet6");
	json_arr_begin(&j, "addrs");
	for (size_t i = 0; i < n; i++)
		json_str(&j, NULL, ips[i]);
	json_arr_end(&j);
	json_obj_end(&j);
	json_line_end(&j);
}

static int ip_run(const char *ifname, unsigned int ifindex, int family, bool json)
{
	struct netlink_addrs addrs;
	char (*ips)[INET6_ADDRSTRLEN];
	size_t n;
	int err = netlink_dump_addrs(family, &addrs);

	if (err) {
		cli_err(ip_cmd, "cannot list addresses: %s", strerror(-err));
		return EXIT_ERROR;
	}
	ips = calloc(addrs.n ? addrs.n : 1, sizeof(*ips));
	if (!ips) {
		netlink_addrs_free(&addrs);
		cli_err(ip_cmd, "out of memory");
		return EXIT_ERROR;
	}
	n = ip_collect(&addrs, ifindex, family, ips, addrs.n);
	ip_print(ifname, family, ips, n, json);
	free(ips);
	netlink_addrs_free(&addrs);
	return n ? EXIT_OK : EXIT_NEGATIVE;
}

int cmd_ip(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	unsigned int ifindex;
	int family = AF_INET, c;
	bool json = false;

	/* Needs no capability: keep none, even when run as root. */
	if (privs_drop("ip", 0, NULL))
		return EXIT_ERROR;
	if (cli_wants_help(argc, argv)) {
		ip_usage(stdout);
		return EXIT_OK;
	}
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "46jh", opts, NULL)) != -1) {
		if (c == '4' || c == '6') {
			family = c == '4' ? AF_INET : AF_INET6;
		} else if (c == 'j') {
			json = true;
		} else {
			cli_err(ip_cmd, "unknown option '%s'", argv[optind - 1]);
			return EXIT_ERROR;
		}
	}
	if (argc - optind != 1) {
		if (argc - optind == 0)
			cli_err(ip_cmd, "missing IFACE (try 'xdpscope ip --help')");
		else
			cli_err(ip_cmd, "unexpected argument '%s'", argv[optind + 1]);
		return EXIT_ERROR;
	}
	ifindex = cli_ifindex(ip_cmd, argv[optind]);
	if (!ifindex)
		return EXIT_ERROR;
	return ip_run(argv[optind], ifindex, family, json);
}
