/* Least privilege: each command checks up front for the capabilities it needs, and drops them
 * (optionally becoming another user, tcpdump's -Z) once its programs and sockets are set up. */
#ifndef XDPSCOPE_PRIVS_H
#define XDPSCOPE_PRIVS_H

#include <stdint.h>
#include <sys/types.h>

#define PRIVS_CAP(c) (1ULL << (c))

/* Variants of a command that need more or less than its default. */
enum {
	PRIVS_OFFLINE = 1 << 0,  /* sniff -r / -D: no capture device */
	PRIVS_LOW_PORT = 1 << 1, /* echo-server on a port privs_port_privileged() says is */
};

/* The user to become after setup (-Z USER); name NULL means stay who we are. */
struct privs_user {
	const char *name;
	uid_t uid;
	gid_t gid;
};

/* Resolves -Z USER. Prints "xdpscope: CMD: unknown user 'NAME' (-Z)" and returns -1 if the
 * system has no such user. */
int privs_user_lookup(const char *cmd, const char *name, struct privs_user *u);

/* The capabilities command cmd ("watch", "sweep", ...) needs with these PRIVS_* flags, as a
 * mask of PRIVS_CAP(CAP_X); 0 for commands that need none. */
uint64_t privs_needed(const char *cmd, unsigned int flags);

/* Up-front check: prints "xdpscope: CMD: missing capability CAP_X (needed to ...)" for the
 * first capability cmd lacks (CAP_SETUID/CAP_SETGID too when u names a user) and returns -1.
 * For CAP_NET_BIND_SERVICE, which make install does not grant, it adds what to do instead:
 * "; use --port N or above". */
int privs_check(const char *cmd, unsigned int flags, const struct privs_user *u);

/* This network namespace's net.ipv4.ip_unprivileged_port_start (1024 if unreadable). */
unsigned int privs_unprivileged_port_start(void);

/* True when binding TCP port needs CAP_NET_BIND_SERVICE here (below this network namespace's
 * net.ipv4.ip_unprivileged_port_start). */
int privs_port_privileged(unsigned int port);

/* True when net.ipv4.ping_group_range lets this process open ICMP datagram sockets. */
int privs_ping_dgram_allowed(void);

/* After setup: sets no_new_privs, drops every capability not in keep from the bounding set
 * (when CAP_SETPCAP allows it), the ambient, inheritable, permitted and effective sets; with
 * u->name, first switches groups, gid and uid to that user and keeps no capability at all.
 * Open fds (BPF maps, links, sockets) stay usable. Prints the error and returns -1. */
int privs_drop(const char *cmd, uint64_t keep, const struct privs_user *u);

#endif
