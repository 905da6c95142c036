/* TCP connect probes of many ports on one address, in parallel, with non-blocking sockets. */
#ifndef XDPSCOPE_TCPPROBE_H
#define XDPSCOPE_TCPPROBE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

enum tcpprobe_state {
	TCPPROBE_OPEN,     /* the handshake completed */
	TCPPROBE_CLOSED,   /* refused (RST) */
	TCPPROBE_FILTERED, /* no answer within the timeout, or an ICMP unreachable */
};

/* Probes addr (sockaddr_in or sockaddr_in6; its port is ignored) on each of ports[0..n), at
 * most TCPPROBE_PARALLEL at a time, each given timeout_ms. Fills states[i] for ports[i].
 * Returns 0, or -errno when a socket cannot be made or connect fails locally. */
#define TCPPROBE_PARALLEL 256
int tcpprobe_run(const struct sockaddr *addr, socklen_t addrlen, const uint16_t *ports, size_t n,
		 int timeout_ms, enum tcpprobe_state *states);
const char *tcpprobe_state_name(enum tcpprobe_state s);

#endif
