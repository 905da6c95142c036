/* echo_load: load generator for echo servers (benchmarks). Opens N TCP connections with epoll,
 * spread over source addresses, checks each one echoes, re-checks them all while all are open
 * (connections held), then optionally pumps BYTES per connection and verifies every byte.
 *   echo_load --connect ADDR --port N --conns N [--source A,B...] [--bytes B] [--timeout S]
 *             [--hold S]
 * With --hold, prints "holding H" and keeps all connections open S seconds (for measuring the
 * server's memory). Then prints one line: held=H conns=N open_seconds=T (to open and check all)
 * bytes=B seconds=S (echoing B) done=D mismatches=M */
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

#define LOAD_PATTERN (1u << 20) /* random block all streams are cut from */
#define LOAD_IO 65536
#define LOAD_CONNECTING 256 /* connects in flight: stays under the server's backlog */
#define LOAD_MAX_SOURCES 64

enum load_state { LOAD_IDLE, LOAD_CONNECT, LOAD_PROBE, LOAD_HELD, LOAD_PUMP, LOAD_DONE, LOAD_DEAD };

struct load_conn {
	int fd;
	enum load_state state;
	uint32_t events;
	uint64_t sent, got, want; /* stream offsets */
};

struct load {
	struct sockaddr_storage dst, src[LOAD_MAX_SOURCES];
	socklen_t dlen, slen[LOAD_MAX_SOURCES];
	int nsrc, ep;
	size_t n;
	struct load_conn *c;
	unsigned char *pattern, *io;
	uint64_t bytes, mismatches;
	double deadline;
};

static int load_addr(const char *s, uint16_t port, struct sockaddr_storage *ss, socklen_t *len)
{
	if (!sockaddr_parse(s, port, ss, len))
		return 0;
	fprintf(stderr, "echo_load: bad address '%s'\n", s);
	return -1;
}

/* Stream of connection I starts at its own place in the pattern, so mixed-up streams show. */
static size_t load_pos(size_t i, uint64_t off)
{
	return (size_t)((off + i * 7919u) % LOAD_PATTERN);
}

static void load_watch(struct load *l, struct load_conn *c, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.u64 = (uint64_t)(c - l->c) };

	if (c->events != events && epoll_ctl(l->ep, EPOLL_CTL_MOD, c->fd, &ev) == 0)
		c->events = events;
}

static void load_kill(struct load_conn *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	c->state = LOAD_DEAD;
}

static int load_connect(struct load *l, size_t i)
{
	struct load_conn *c = &l->c[i];
	int s = (int)(i % (size_t)l->nsrc), one = 1;
	struct epoll_event ev = { .events = EPOLLOUT, .data.u64 = i };

	c->fd = socket(l->dst.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd < 0)
		return -1;
	/* Ports are then chosen per (source, destination), not per source alone. */
	setsockopt(c->fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof(one));
	setsockopt(c->fd, IPPROTO_TCP, 1 /* TCP_NODELAY */, &one, sizeof(one));
	if ((l->nsrc && l->slen[s] && bind(c->fd, (struct sockaddr *)&l->src[s], l->slen[s]) < 0) ||
	    (connect(c->fd, (struct sockaddr *)&l->dst, l->dlen) < 0 && errno != EINPROGRESS) ||
	    epoll_ctl(l->ep, EPOLL_CTL_ADD, c->fd, &ev) < 0) {
		load_kill(c);
		return -1;
	}
	c->events = EPOLLOUT;
	c->state = LOAD_CONNECT;
	return 0;
}

/* Sends the next piece of connection I's stream, up to WANT bytes in all. */
static int load_send(struct load *l, size_t i)
{
	struct load_conn *c = &l->c[i];

	while (c->sent < c->want) {
		size_t p = load_pos(i, c->sent);
		size_t n = LOAD_PATTERN - p;
		ssize_t w;

		if (n > c->want - c->sent)
			n = c->want - c->sent;
		if (n > LOAD_IO)
			n = LOAD_IO;
		w = send(c->fd, l->pattern + p, n, MSG_NOSIGNAL);
		if (w < 0)
			return errno == EAGAIN ? 0 : -1;
		c->sent += (uint64_t)w;
	}
	return 0;
}

/* Reads and checks the echo; returns 1 when all WANT bytes are back, -1 on failure. */
static int load_recv(struct load *l, size_t i)
{
	struct load_conn *c = &l->c[i];

	while (c->got < c->want) {
		ssize_t r = recv(c->fd, l->io, LOAD_IO, 0);

		if (r <= 0)
			return r < 0 && errno == EAGAIN ? 0 : -1;
		for (ssize_t k = 0; k < r;) {
			size_t p = load_pos(i, c->got);
			size_t n = LOAD_PATTERN - p;

			if (n > (size_t)(r - k))
				n = (size_t)(r - k);
			if (c->got + n > c->want || memcmp(l->io + k, l->pattern + p, n))
				l->mismatches++;
			c->got += n;
			k += (ssize_t)n;
		}
	}
	return 1;
}

/* Connection I, in state FROM, sends BYTES more and waits for their echo. */
static void load_start(struct load *l, size_t i, enum load_state to, uint64_t bytes)
{
	struct load_conn *c = &l->c[i];

	c->state = to;
	c->want += bytes;
	if (load_send(l, i) < 0)
		load_kill(c);
	else
		load_watch(l, c, EPOLLIN | (c->sent < c->want ? EPOLLOUT : 0));
}

/* Starts a round on every live connection in state FROM. */
static void load_round(struct load *l, enum load_state from, enum load_state to, uint64_t bytes)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->c[i].state == from)
			load_start(l, i, to, bytes);
}

static void load_event(struct load *l, size_t i, uint32_t ev, size_t *busy)
{
	struct load_conn *c = &l->c[i];
	int err = 0, r;
	socklen_t el = sizeof(err);

	if (c->state == LOAD_CONNECT) {
		if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &el) < 0 || err) {
			load_kill(c);
			(*busy)--;
			return;
		}
		load_start(l, i, LOAD_PROBE, 8);
		if (c->state == LOAD_DEAD)
			(*busy)--;
		return;
	}
	if ((ev & EPOLLOUT) && load_send(l, i) < 0) {
		load_kill(c);
		(*busy)--;
		return;
	}
	r = (ev & (EPOLLIN | EPOLLERR | EPOLLHUP)) ? load_recv(l, i) : 0;
	if (r < 0) {
		load_kill(c);
		(*busy)--;
	} else if (r > 0) {
		c->state = c->state == LOAD_PROBE ? LOAD_HELD : LOAD_DONE;
		load_watch(l, c, 0);
		(*busy)--;
	} else {
		load_watch(l, c, EPOLLIN | (c->sent < c->want ? EPOLLOUT : 0));
	}
}

/* Runs epoll until BUSY connections settle; opens new ones (up to NEXT..n) as connects finish. */
static void load_run(struct load *l, size_t busy, size_t next)
{
	struct epoll_event evs[512];
	size_t connecting = 0;

	for (;;) {
		while (next < l->n && connecting < LOAD_CONNECTING) {
			if (load_connect(l, next++) == 0)
				connecting++;
			else
				busy--;
		}
		if (!busy || clock_mono_s() > l->deadline)
			return;
		int n = epoll_wait(l->ep, evs, 512, 100);

		for (int k = 0; k < n; k++) {
			size_t i = (size_t)evs[k].data.u64;
			bool was_connecting = l->c[i].state == LOAD_CONNECT;

			load_event(l, i, evs[k].events, &busy);
			if (was_connecting)
				connecting--;
		}
	}
}

static size_t load_count(struct load *l, enum load_state s)
{
	size_t k = 0;

	for (size_t i = 0; i < l->n; i++)
		k += l->c[i].state == s;
	return k;
}

static int load_sources(struct load *l, char *list)
{
	for (char *tok = strtok(list, ","); tok; tok = strtok(NULL, ",")) {
		if (l->nsrc == LOAD_MAX_SOURCES || load_addr(tok, 0, &l->src[l->nsrc], &l->slen[l->nsrc]))
			return -1;
		l->nsrc++;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "connect", 1, NULL, 'c' }, { "port", 1, NULL, 'p' }, { "conns", 1, NULL, 'n' },
		{ "source", 1, NULL, 's' },  { "bytes", 1, NULL, 'b' }, { "timeout", 1, NULL, 't' },
		{ "hold", 1, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct load l = { .n = 1 };
	const char *dst = NULL;
	char *sources = NULL;
	unsigned long port = 0;
	double timeout = 60, hold = 0, t0, t1, topen;
	struct rlimit rl;
	int o;

	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 'c': dst = optarg; break;
		case 'p': port = strtoul(optarg, NULL, 10); break;
		case 'n': l.n = strtoul(optarg, NULL, 10); break;
		case 's': sources = optarg; break;
		case 'b': l.bytes = strtoull(optarg, NULL, 10); break;
		case 't': timeout = strtod(optarg, NULL); break;
		case 'h': hold = strtod(optarg, NULL); break;
		default: return 2;
		}
	}
	if (!dst || !port || port > 65535 || !l.n || load_addr(dst, (uint16_t)port, &l.dst, &l.dlen) ||
	    (sources && load_sources(&l, sources))) {
		fprintf(stderr, "usage: echo_load --connect ADDR --port N --conns N [--source A,B] "
				"[--bytes B] [--timeout S]\n");
		return 2;
	}
	if (!l.nsrc)
		l.nsrc = 1; /* one unbound "source": the kernel picks */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	l.c = calloc(l.n, sizeof(*l.c));
	l.pattern = malloc(LOAD_PATTERN);
	l.io = malloc(LOAD_IO);
	l.ep = epoll_create1(EPOLL_CLOEXEC);
	if (!l.c || !l.pattern || !l.io || l.ep < 0)
		return 2;
	srand(12345);
	for (size_t i = 0; i < LOAD_PATTERN; i++)
		l.pattern[i] = (unsigned char)(rand() >> 7);
	for (size_t i = 0; i < l.n; i++)
		l.c[i].fd = -1;

	topen = clock_mono_s();
	l.deadline = topen + timeout;
	load_run(&l, l.n, 0); /* connect all, one 8-byte echo each */
	/* Now all are open at once: a second echo on each proves the server holds them all. */
	load_round(&l, LOAD_HELD, LOAD_PROBE, 8);
	load_run(&l, load_count(&l, LOAD_PROBE), l.n);
	size_t held = load_count(&l, LOAD_HELD);

	topen = clock_mono_s() - topen;

	if (hold > 0) {
		printf("holding %zu\n", held);
		fflush(stdout);
		usleep((useconds_t)(hold * 1e6));
	}

	t0 = clock_mono_s();
	if (l.bytes) {
		load_round(&l, LOAD_HELD, LOAD_PUMP, l.bytes);
		load_run(&l, load_count(&l, LOAD_PUMP), l.n);
	}
	t1 = clock_mono_s();
	uint64_t echoed = 0;

	for (size_t i = 0; i < l.n; i++) {
		if (l.c[i].want > 16)
			echoed += l.c[i].got - 16;
		if (l.c[i].fd >= 0)
			close(l.c[i].fd);
	}
	printf("held=%zu conns=%zu open_seconds=%.3f bytes=%llu seconds=%.3f done=%zu mismatches=%llu\n",
	       held, l.n, topen,
	       (unsigned long long)echoed, t1 - t0, load_count(&l, LOAD_DONE),
	       (unsigned long long)l.mismatches);
	close(l.ep);
	free(l.c);
	free(l.pattern);
	free(l.io);
	return l.mismatches || held < l.n || (l.bytes && load_count(&l, LOAD_DONE) < held);
}
