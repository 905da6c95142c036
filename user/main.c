/* xdpscope: dispatches "xdpscope COMMAND ARGS..." to the command's own file. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "commands.h"

#ifndef XDPSCOPE_VERSION
#define XDPSCOPE_VERSION "0.1.0"
#endif

static int cmd_version(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	printf("xdpscope %s\n", XDPSCOPE_VERSION);
	return EXIT_OK;
}

struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
};

static const struct command commands[] = {
	{ "ifaces", cmd_ifaces, "list interfaces: flags, state, MTU, MAC, addresses, counters" },
	{ "ip", cmd_ip, "print the IPv4 or IPv6 addresses of one interface" },
	{ "status", cmd_status, "say whether an interface is up and probe TCP ports on it" },
	{ "ping", cmd_ping, "ICMP echo to a host, in the words of iputils ping" },
	{ "sweep", cmd_sweep, "find which hosts answer ICMP echo, once or on a schedule" },
	{ "watch", cmd_watch, "count TCP source ports and ICMP replies per source, in the kernel" },
	{ "sniff", cmd_sniff, "capture packets with libpcap, tcpdump-style" },
	{ "echo-server", cmd_echo_server, "TCP echo service, IPv4 and IPv6, bounded memory per client" },
	{ "echo-client", cmd_echo_client, "send a message to an echo server, print each read of the echo" },
	{ "version", cmd_version, "print the version" },
};

static void usage(FILE *f)
{
	fprintf(f, "Usage: xdpscope COMMAND [OPTIONS]...\n\n"
		   "A network observer: eBPF counters on an interface plus the classic tools.\n\n"
		   "Commands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-13s %s\n", commands[i].name, commands[i].summary);
	fprintf(f, "\nRun 'xdpscope COMMAND --help' for a command's options.\n"
		   "Exit status: 0 success, 1 negative result (no reply, host inactive), 2 error.\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return EXIT_ERROR;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return EXIT_OK;
	}
	if (!strcmp(argv[1], "-V") || !strcmp(argv[1], "--version")) {
		return cmd_version(argc, argv);
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].run(argc - 1, argv + 1);
	fprintf(stderr, "xdpscope: unknown command '%s' (try 'xdpscope --help')\n", argv[1]);
	return EXIT_ERROR;
}
