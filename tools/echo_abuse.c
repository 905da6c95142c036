/* echo_abuse: abusive clients for an echo server (memory-bound tests). Opens IDLE connections
 * that each get one byte echoed and then stay silent, then PUSHERS connections with small
 * socket buffers that send without ever reading until no send makes progress (every one of
 * them blocked), and keeps everything open for --hold seconds.
 *   echo_abuse --connect ADDR --port N --idle N --idle-source A --pushers N --pusher-source A
 *              [--hold S] [--timeout S]
 * Prints "idle N served" once every idle connection had its byte echoed, then "pushers N
 * blocked, MIN..MAX bytes sent each" once the pushers are stuck, then holds. Exits 1 if a
 * connection failed or was closed, 2 on bad usage. */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "sockaddr.h"

#define AB_CONNECTING 256 /* connects in flight: under the server's listen backlog */
#define AB_SMALL_BUF 4096 /* pushers' SO_SNDBUF/SO_RCVBUF: they block soon, little kernel memory */
#define AB_STUCK_S 1.5    /* no send progress for this long: every pusher is blocked */

enum ab_state { AB_CONNECT, AB_PROBE, AB_IDLE, AB_PUSH, AB_DEAD };

struct ab_conn {
	int fd;
	enum ab_state state;
	uint64_t sent;
};

struct ab {
	struct sockaddr_storage dst;
	socklen_t dlen;
	int ep;
	struct ab_conn *c;
	double deadline;
	double last_progress;
	unsigned char chunk[16384];
};

static int ab_addr(const char *s, uint16_t port, struct sockaddr_storage *ss, socklen_t *len)
{
	if (!sockaddr_parse(s, port, ss, len))
		return 0;
	fprintf(stderr, "echo_abuse: bad address '%s'\n", s);
	return -1;
}

static void ab_kill(struct ab_conn *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	c->state = AB_DEAD;
}

static void ab_watch(struct ab *a, size_t i, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.u64 = i };

	epoll_ctl(a->ep, EPOLL_CTL_MOD, a->c[i].fd, &ev);
}

static int ab_connect(struct ab *a, size_t i, const struct sockaddr_storage *src, socklen_t slen,
		      bool small)
{
	struct ab_conn *c = &a->c[i];
	struct epoll_event ev = { .events = EPOLLOUT, .data.u64 = i };
	int one = 1, size = AB_SMALL_BUF;

	c->fd = socket(a->dst.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd < 0)
		return -1;
	setsockopt(c->fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof(one));
	if (small && (setsockopt(c->fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof(size)) ||
		      setsockopt(c->fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size)))) {
		ab_kill(c);
		return -1;
	}
	if (bind(c->fd, (const struct sockaddr *)src, slen) < 0 ||
	    (connect(c->fd, (struct sockaddr *)&a->dst, a->dlen) < 0 && errno != EINPROGRESS) ||
	    epoll_ctl(a->ep, EPOLL_CTL_ADD, c->fd, &ev) < 0) {
		ab_kill(c);
		return -1;
	}
	c->state = AB_CONNECT;
	return 0;
}

/* A pusher sends until its socket is full. */
static void ab_push(struct ab *a, struct ab_conn *c)
{
	for (;;) {
		ssize_t n = send(c->fd, a->chunk, sizeof(a->chunk), MSG_NOSIGNAL);

		if (n < 0) {
			if (errno != EAGAIN && errno != EINTR)
				ab_kill(c);
			return;
		}
		c->sent += (uint64_t)n;
		a->last_progress = clock_mono_s();
	}
}

/* Handles an event; returns 1 when connection i has settled (served, or dead). */
static int ab_event(struct ab *a, size_t i, uint32_t ev)
{
	struct ab_conn *c = &a->c[i];
	unsigned char b = (unsigned char)i, got;
	int err = 0;
	socklen_t el = sizeof(err);

	if (c->state == AB_CONNECT) {
		if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &el) < 0 || err) {
			ab_kill(c);
			return 1;
		}
		return -1; /* connected: the caller decides what comes next */
	}
	if (c->state == AB_PROBE && (ev & (EPOLLIN | EPOLLERR | EPOLLHUP))) {
		ssize_t n = recv(c->fd, &got, 1, 0);

		if (n < 0 && errno == EAGAIN)
			return 0;
		if (n != 1 || got != b) {
			ab_kill(c);
			return 1;
		}
		c->state = AB_IDLE;
		ab_watch(a, i, 0);
		return 1;
	}
	if (c->state == AB_PUSH) {
		if (ev & (EPOLLERR | EPOLLHUP))
			ab_kill(c);
		else if (ev & EPOLLOUT)
			ab_push(a, c);
	}
	return 0;
}

/* Opens connections [from, to) and runs them until each has settled (idle: its byte echoed;
 * pushers: connected) and, for pushers, until no send has made progress for AB_STUCK_S. */
static void ab_run(struct ab *a, size_t from, size_t to, const struct sockaddr_storage *src,
		   socklen_t slen, bool push)
{
	struct epoll_event evs[256];
	size_t next = from, connecting = 0, busy = to - from;

	a->last_progress = clock_mono_s();
	while (clock_mono_s() < a->deadline) {
		while (next < to && connecting < AB_CONNECTING) {
			if (ab_connect(a, next++, src, slen, push) == 0)
				connecting++;
			else
				busy--;
		}
		if (!busy && (!push || clock_mono_s() - a->last_progress > AB_STUCK_S))
			return;
		int n = epoll_wait(a->ep, evs, 256, 100);

		for (int k = 0; k < n; k++) {
			size_t i = (size_t)evs[k].data.u64;
			struct ab_conn *c = &a->c[i];
			bool was_connecting = c->state == AB_CONNECT;
			int r = ab_event(a, i, evs[k].events);

			if (was_connecting)
				connecting--;
			if (r == -1 && push) {
				c->state = AB_PUSH;
				busy--;
				ab_push(a, c);
			} else if (r == -1) {
				unsigned char b = (unsigned char)i;

				c->state = AB_PROBE;
				if (send(c->fd, &b, 1, MSG_NOSIGNAL) != 1) {
					ab_kill(c);
					busy--;
				} else {
					ab_watch(a, i, EPOLLIN);
				}
			} else if (r == 1) {
				busy--;
			}
		}
	}
}

static size_t ab_count(const struct ab *a, size_t from, size_t to, enum ab_state s)
{
	size_t k = 0;

	for (size_t i = from; i < to; i++)
		k += a->c[i].state == s;
	return k;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "connect", 1, NULL, 'c' },	   { "port", 1, NULL, 'p' },
		{ "idle", 1, NULL, 'i' },	   { "idle-source", 1, NULL, 'I' },
		{ "pushers", 1, NULL, 'n' },	   { "pusher-source", 1, NULL, 'N' },
		{ "hold", 1, NULL, 'h' },	   { "timeout", 1, NULL, 't' },
		{ NULL, 0, NULL, 0 },
	};
	const char *dst = NULL, *isrc = NULL, *psrc = NULL;
	struct sockaddr_storage is, ps;
	socklen_t il = 0, pl = 0;
	unsigned long port = 0, nidle = 0, npush = 0;
	double hold = 0, timeout = 30;
	uint64_t lo = UINT64_MAX, hi = 0;
	struct rlimit rl;
	struct ab *a = calloc(1, sizeof(*a));
	size_t n;
	int o;

	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 'c': dst = optarg; break;
		case 'p': port = strtoul(optarg, NULL, 10); break;
		case 'i': nidle = strtoul(optarg, NULL, 10); break;
		case 'I': isrc = optarg; break;
		case 'n': npush = strtoul(optarg, NULL, 10); break;
		case 'N': psrc = optarg; break;
		case 'h': hold = strtod(optarg, NULL); break;
		case 't': timeout = strtod(optarg, NULL); break;
		default: return 2;
		}
	}
	if (!a || !dst || !isrc || !psrc || !port || port > 65535 ||
	    ab_addr(dst, (uint16_t)port, &a->dst, &a->dlen) || ab_addr(isrc, 0, &is, &il) ||
	    ab_addr(psrc, 0, &ps, &pl)) {
		fprintf(stderr, "usage: echo_abuse --connect ADDR --port N --idle N --idle-source A "
				"--pushers N --pusher-source A [--hold S] [--timeout S]\n");
		return 2;
	}
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	n = nidle + npush;
	a->c = calloc(n ? n : 1, sizeof(*a->c));
	a->ep = epoll_create1(EPOLL_CLOEXEC);
	if (!a->c || a->ep < 0)
		return 2;
	for (size_t i = 0; i < n; i++)
		a->c[i].fd = -1;
	for (size_t i = 0; i < sizeof(a->chunk); i++)
		a->chunk[i] = (unsigned char)(i * 131 + 7);
	a->deadline = clock_mono_s() + timeout;

	ab_run(a, 0, nidle, &is, il, false);
	printf("idle %zu served\n", ab_count(a, 0, nidle, AB_IDLE));
	fflush(stdout);
	ab_run(a, nidle, n, &ps, pl, true);
	for (size_t i = nidle; i < n; i++) {
		if (a->c[i].state != AB_PUSH)
			continue;
		lo = a->c[i].sent < lo ? a->c[i].sent : lo;
		hi = a->c[i].sent > hi ? a->c[i].sent : hi;
	}
	printf("pushers %zu blocked, %llu..%llu bytes sent each\n", ab_count(a, nidle, n, AB_PUSH),
	       (unsigned long long)(npush ? lo : 0), (unsigned long long)hi);
	fflush(stdout);
	if (hold > 0)
		usleep((useconds_t)(hold * 1e6));
	/* Still all there at the end? A closed one reads EOF or an error. */
	for (size_t i = 0; i < nidle; i++) {
		unsigned char b;

		if (a->c[i].state == AB_IDLE && recv(a->c[i].fd, &b, 1, MSG_DONTWAIT) >= 0)
			ab_kill(&a->c[i]);
	}
	n = ab_count(a, 0, nidle, AB_IDLE) + ab_count(a, nidle, n, AB_PUSH);
	printf("open at the end: %zu\n", n);
	return n == nidle + npush ? 0 : 1;
}
