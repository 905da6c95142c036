/* xdpscope echo-server: a TCP echo service in one epoll loop. Each client has at most --buffer
 * bytes pending; a client that does not read is not read from either, so memory stays bounded. */
#include <errno.h>
#include <getopt.h>
#include <arpa/inet.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "cli.h"
#include "commands.h"
#include "privs.h"
#include "sockaddr.h"

#define ECHO_CMD "echo-server"
#define ECHO_DEFAULT_PORT 7
#define ECHO_DEFAULT_BUFFER 65536
/* Bounded work per wakeup keeps one fast client from starving the others. */
#define ECHO_READS_PER_EVENT 8
#define ECHO_ACCEPTS_PER_EVENT 64
#define ECHO_MAX_EVENTS 256

enum echo_kind { ECHO_LISTENER, ECHO_SIGNAL, ECHO_CONN };

/* Listener and signalfd: what epoll_event.data.ptr points to besides connections. */
struct echo_handle {
	enum echo_kind kind;
	int fd;
};

struct echo_conn {
	enum echo_kind kind; /* first, like echo_handle */
	int fd;
	uint32_t events; /* current epoll interest */
	bool eof; /* client half-closed: finish echoing, then close */
	unsigned char *buf; /* allocated only while bytes are pending */
	size_t off, len;
	uint64_t echoed;
	struct echo_conn *prev, *next;
	char peer[SOCKADDR_STRLEN];
};

struct echo_opts {
	const char *bind;
	uint16_t port;
	uint64_t max_clients; /* 0: no limit but file descriptors */
	size_t buffer;
};

struct echo_server {
	int ep;
	struct echo_handle listener, sig;
	bool accept_paused;
	size_t cap;
	unsigned char *scratch; /* reads land here first; only the unsent rest is copied */
	uint64_t max_clients, nclients;
	struct echo_conn *conns;
};

static void echo_usage(void)
{
	printf("Usage: xdpscope echo-server [--bind ADDR] [--port N] [--max-clients N] [--buffer BYTES]\n\n"
	       "A TCP echo service: every byte a client sends comes back to it, in order.\n\n"
	       "  --bind ADDR       listen on ADDR (IPv4 or IPv6; default :: , which also takes IPv4)\n"
	       "  -p, --port N      TCP port (default %d, the echo service; below 1024 needs\n"
	       "                    CAP_NET_BIND_SERVICE, e.g. root)\n"
	       "  --max-clients N   accept and at once close connections beyond N (default: none)\n"
	       "  --buffer BYTES    bytes held per client that does not read (default %d); when\n"
	       "                    full, the server stops reading from that client until it reads\n\n"
	       "Logs 'Connection address: ADDR:PORT' and disconnects on stderr. SIGINT or SIGTERM\n"
	       "closes every connection and exits 0.\n",
	       ECHO_DEFAULT_PORT, ECHO_DEFAULT_BUFFER);
}

static int echo_parse(int argc, char **argv, struct echo_opts *o)
{
	static const struct option longopts[] = {
		{ "bind", required_argument, NULL, 'b' },
		{ "port", required_argument, NULL, 'p' },
		{ "max-clients", required_argument, NULL, 'm' },
		{ "buffer", required_argument, NULL, 'B' },
		{ NULL, 0, NULL, 0 },
	};
	uint64_t v;
	int c;

	*o = (struct echo_opts){ .port = ECHO_DEFAULT_PORT, .buffer = ECHO_DEFAULT_BUFFER };
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":p:", longopts, NULL)) != -1) {
		switch (c) {
		case 'b':
			o->bind = optarg;
			break;
		case 'p':
			if (cli_parse_u64(ECHO_CMD, "--port", optarg, 1, 65535, &v))
				return -1;
			o->port = (uint16_t)v;
			break;
		case 'm':
			if (cli_parse_u64(ECHO_CMD, "--max-clients", optarg, 1, 100000000, &o->max_clients))
				return -1;
			break;
		case 'B':
			if (cli_parse_u64(ECHO_CMD, "--buffer", optarg, 1, 1 << 30, &v))
				return -1;
			o->buffer = (size_t)v;
			break;
		case ':':
			cli_err(ECHO_CMD, "option '%s' needs a value", argv[optind - 1]);
			return -1;
		default:
			cli_err(ECHO_CMD, "unknown option '%s'", argv[optind - 1]);
			return -1;
		}
	}
	if (optind < argc) {
		cli_err(ECHO_CMD, "unexpected argument '%s'", argv[optind]);
		return -1;
	}
	return 0;
}

/* Thousands of clients need thousands of descriptors; take all the hard limit allows. */
static void echo_raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

/* The default is :: for both stacks. */
static int echo_listen_addr(const struct echo_opts *o, struct sockaddr_storage *ss, socklen_t *sl)
{
	const char *a = o->bind ? o->bind : "::";

	if (!sockaddr_parse(a, o->port, ss, sl))
		return 0;
	cli_err(ECHO_CMD, "invalid --bind address '%s': not an IPv4 or IPv6 address", a);
	return -1;
}

/* Returns the listening socket, or -1 after printing why. */
static int echo_listen(const struct echo_opts *o)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	char addr[INET6_ADDRSTRLEN];
	int fd, one = 1, zero = 0;

	if (echo_listen_addr(o, &ss, &sl))
		return -1;
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0 && errno == EAFNOSUPPORT && !o->bind) {
		/* No IPv6 in this kernel: the default falls back to IPv4 only. */
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

		*s4 = (struct sockaddr_in){ .sin_family = AF_INET, .sin_port = htons(o->port) };
		sl = sizeof(*s4);
		fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	}
	sockaddr_addr((struct sockaddr *)&ss, addr);
	if (fd < 0) {
		cli_err(ECHO_CMD, "socket: %s", strerror(errno));
		return -1;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (ss.ss_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
	if (bind(fd, (struct sockaddr *)&ss, sl) < 0 || listen(fd, 4096) < 0) {
		cli_err(ECHO_CMD, "cannot listen on %s port %u: %s", addr, o->port, strerror(errno));
		close(fd);
		return -1;
	}
	fprintf(stderr, "xdpscope: %s: listening on %s port %u\n", ECHO_CMD, addr, o->port);
	return fd;
}

static int echo_set_events(struct echo_server *s, int fd, uint32_t events, void *ptr, int op)
{
	struct epoll_event ev = { .events = events, .data.ptr = ptr };

	return epoll_ctl(s->ep, op, fd, &ev);
}

static void echo_pause_accept(struct echo_server *s, bool pause)
{
	if (s->accept_paused == pause)
		return;
	if (echo_set_events(s, s->listener.fd, pause ? 0 : EPOLLIN, &s->listener, EPOLL_CTL_MOD) == 0)
		s->accept_paused = pause;
}

static void echo_conn_close(struct echo_server *s, struct echo_conn *c, bool log)
{
	if (log)
		fprintf(stderr, "Disconnected: %s (%llu bytes echoed)\n", c->peer,
			(unsigned long long)c->echoed);
	close(c->fd); /* also removes it from the epoll set */
	if (c->prev)
		c->prev->next = c->next;
	else
		s->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	free(c->buf);
	free(c);
	s->nclients--;
	/* A descriptor came free: if accept had run out of them, try again. */
	echo_pause_accept(s, false);
}

static void echo_conn_add(struct echo_server *s, int fd, const struct sockaddr *peer)
{
	struct echo_conn *c = calloc(1, sizeof(*c));
	int one = 1;

	if (!c || echo_set_events(s, fd, EPOLLIN, c, EPOLL_CTL_ADD) < 0) {
		cli_err(ECHO_CMD, "cannot serve a new client: %s", strerror(c ? errno : ENOMEM));
		free(c);
		close(fd);
		return;
	}
	sockaddr_format(peer, c->peer);
	/* An echo is interactive: send each piece as soon as it is read. */
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	c->kind = ECHO_CONN;
	c->fd = fd;
	c->events = EPOLLIN;
	c->next = s->conns;
	if (s->conns)
		s->conns->prev = c;
	s->conns = c;
	s->nclients++;
	fprintf(stderr, "Connection address: %s\n", c->peer);
}

static void echo_accept(struct echo_server *s)
{
	for (int i = 0; i < ECHO_ACCEPTS_PER_EVENT; i++) {
		struct sockaddr_storage peer;
		socklen_t pl = sizeof(peer);
		char text[SOCKADDR_STRLEN];
		int fd = accept4(s->listener.fd, (struct sockaddr *)&peer, &pl,
				 SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd < 0) {
			if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
				/* Level-triggered accept would spin; wait for a client to leave. */
				cli_err(ECHO_CMD, "accept: %s at %llu clients; waiting for one to leave",
					strerror(errno), (unsigned long long)s->nclients);
				echo_pause_accept(s, true);
			}
			return; /* EAGAIN, or a connection that died in the queue */
		}
		if (s->max_clients && s->nclients >= s->max_clients) {
			sockaddr_format((struct sockaddr *)&peer, text);
			fprintf(stderr, "Refused: %s (--max-clients %llu reached)\n", text,
				(unsigned long long)s->max_clients);
			close(fd);
			continue;
		}
		echo_conn_add(s, fd, (struct sockaddr *)&peer);
	}
}

/* Sends what is pending; 0 when done or the socket is full, -1 when the client is gone. */
static int echo_conn_flush(struct echo_conn *c)
{
	while (c->len) {
		ssize_t n = send(c->fd, c->buf + c->off, c->len, MSG_NOSIGNAL);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
		}
		c->off += (size_t)n;
		c->len -= (size_t)n;
		c->echoed += (uint64_t)n;
	}
	free(c->buf);
	c->buf = NULL;
	c->off = 0;
	return 0;
}

/* Echoes N fresh bytes from the scratch buffer at once; keeps whatever the socket refused. */
static int echo_conn_echo_scratch(struct echo_server *s, struct echo_conn *c, size_t n)
{
	ssize_t w = send(c->fd, s->scratch, n, MSG_NOSIGNAL);

	if (w < 0) {
		if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
			return -1;
		w = 0;
	}
	c->echoed += (uint64_t)w;
	if ((size_t)w == n)
		return 0;
	c->buf = malloc(s->cap);
	if (!c->buf)
		return -1;
	memcpy(c->buf, s->scratch + w, n - (size_t)w);
	c->off = 0;
	c->len = n - (size_t)w;
	return 0;
}

/* Reads while there is room for the bytes; -1 when the client is gone. */
static int echo_conn_read(struct echo_server *s, struct echo_conn *c)
{
	for (int i = 0; i < ECHO_READS_PER_EVENT && !c->eof && c->len < s->cap; i++) {
		bool direct = c->len == 0;
		unsigned char *dst;
		ssize_t n;

		if (!direct && c->off) {
			memmove(c->buf, c->buf + c->off, c->len);
			c->off = 0;
		}
		dst = direct ? s->scratch : c->buf + c->len;
		n = recv(c->fd, dst, s->cap - c->len, 0);
		if (n == 0) {
			c->eof = true;
		} else if (n < 0) {
			if (errno == EINTR)
				continue;
			return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
		} else if (direct) {
			if (echo_conn_echo_scratch(s, c, (size_t)n))
				return -1;
		} else {
			c->len += (size_t)n;
		}
	}
	return 0;
}

/* Polls for input only while there is room (the backpressure), for output while bytes wait.
 * Returns -1 when the connection is finished. */
static int echo_conn_update(struct echo_server *s, struct echo_conn *c)
{
	uint32_t want = (!c->eof && c->len < s->cap ? EPOLLIN : 0) | (c->len ? EPOLLOUT : 0);

	if (c->eof && !c->len)
		return -1;
	if (want == c->events)
		return 0;
	if (echo_set_events(s, c->fd, want, c, EPOLL_CTL_MOD) < 0)
		return -1;
	c->events = want;
	return 0;
}

static void echo_conn_event(struct echo_server *s, struct echo_conn *c, uint32_t ev)
{
	if ((ev & EPOLLERR) || ((ev & EPOLLHUP) && !(ev & EPOLLIN))) {
		echo_conn_close(s, c, true);
		return;
	}
	if (((ev & EPOLLIN) && echo_conn_read(s, c)) || (c->len && echo_conn_flush(c)) ||
	    echo_conn_update(s, c))
		echo_conn_close(s, c, true);
}

static int echo_loop(struct echo_server *s)
{
	struct epoll_event evs[ECHO_MAX_EVENTS];

	for (;;) {
		int n = epoll_wait(s->ep, evs, ECHO_MAX_EVENTS, -1);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			cli_err(ECHO_CMD, "epoll_wait: %s", strerror(errno));
			return EXIT_ERROR;
		}
		for (int i = 0; i < n; i++) {
			enum echo_kind kind = *(enum echo_kind *)evs[i].data.ptr;

			if (kind == ECHO_SIGNAL) {
				struct signalfd_siginfo si;

				/* Consume it, or it is delivered when the mask is restored. */
				if (read(s->sig.fd, &si, sizeof(si)) != sizeof(si))
					continue;
				return EXIT_OK;
			}
			if (kind == ECHO_LISTENER)
				echo_accept(s);
			else
				echo_conn_event(s, evs[i].data.ptr, evs[i].events);
		}
	}
}

static int echo_signalfd(sigset_t *old)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	if (sigprocmask(SIG_BLOCK, &set, old) < 0)
		return -1;
	return signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
}

static int echo_serve(struct echo_server *s)
{
	sigset_t old;
	int rc = EXIT_ERROR;

	sigprocmask(SIG_BLOCK, NULL, &old);
	s->ep = epoll_create1(EPOLL_CLOEXEC);
	s->sig = (struct echo_handle){ .kind = ECHO_SIGNAL, .fd = echo_signalfd(&old) };
	s->scratch = malloc(s->cap);
	if (s->ep < 0 || s->sig.fd < 0 || !s->scratch ||
	    echo_set_events(s, s->sig.fd, EPOLLIN, &s->sig, EPOLL_CTL_ADD) < 0 ||
	    echo_set_events(s, s->listener.fd, EPOLLIN, &s->listener, EPOLL_CTL_ADD) < 0)
		cli_err(ECHO_CMD, "setup: %s", strerror(errno ? errno : ENOMEM));
	else
		rc = echo_loop(s);
	if (rc == EXIT_OK)
		fprintf(stderr, "xdpscope: %s: closing %llu connections\n", ECHO_CMD,
			(unsigned long long)s->nclients);
	while (s->conns)
		echo_conn_close(s, s->conns, false);
	free(s->scratch);
	if (s->sig.fd >= 0)
		close(s->sig.fd);
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (s->ep >= 0)
		close(s->ep);
	return rc;
}

int cmd_echo_server(int argc, char **argv)
{
	struct echo_opts o;
	struct echo_server s = { .ep = -1 };
	int rc;

	if (cli_wants_help(argc, argv)) {
		echo_usage();
		return EXIT_OK;
	}
	if (echo_parse(argc, argv, &o) ||
	    privs_check(ECHO_CMD, privs_port_privileged(o.port) ? PRIVS_LOW_PORT : 0, NULL))
		return EXIT_ERROR;
	echo_raise_nofile();
	s.listener = (struct echo_handle){ .kind = ECHO_LISTENER, .fd = echo_listen(&o) };
	if (s.listener.fd < 0)
		return EXIT_ERROR;
	/* Listening: accepting and echoing need no capability. */
	if (privs_drop(ECHO_CMD, 0, NULL)) {
		close(s.listener.fd);
		return EXIT_ERROR;
	}
	s.cap = o.buffer;
	s.max_clients = o.max_clients;
	rc = echo_serve(&s);
	close(s.listener.fd);
	return rc;
}
