/* xdpscope echo-client: sends a message to an echo server and prints each piece of the echo as it
 * is read, showing how a TCP byte stream is cut into reads (the lab's "basic Telnet" client). */
#include <errno.h>
#include <getopt.h>
#include <netdb.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cli.h"
#include "commands.h"
#include "privs.h"
#include "pyrepr.h"

#define EC_CMD "echo-client"
#define EC_DEFAULT_PORT 7
#define EC_DEFAULT_CHUNK 20
#define EC_DEFAULT_TIMEOUT 5.0
#define EC_MAX_CHUNK (1 << 20)

struct ec_opts {
	uint16_t port;
	size_t chunk;
	int timeout_ms;
	const char *host;
	const char *msg;
};

/* What became of the exchange; decides the exit code. */
struct ec_state {
	size_t sent, received, len;
	bool differs;
	int rc;
};

static void ec_usage(void)
{
	printf("Usage: xdpscope echo-client [--port N] [--chunk N] [--timeout S] HOST MESSAGE\n\n"
	       "Sends MESSAGE to the TCP echo server on HOST and prints every read of the echo as\n"
	       "Python prints bytes, one 'Received: b'...'' line per read of at most --chunk bytes.\n\n"
	       "  -p, --port N      TCP port (default %d)\n"
	       "  --chunk N         bytes per read, 1 to %d (default %d, as in the lab)\n"
	       "  --timeout S       give up when connecting or when the server stays silent for S\n"
	       "                    seconds (default %g)\n\n"
	       "Exit status: 0 the whole message came back, 1 the server refused, closed early,\n"
	       "timed out or echoed other bytes, 2 bad input or error.\n",
	       EC_DEFAULT_PORT, EC_MAX_CHUNK, EC_DEFAULT_CHUNK, EC_DEFAULT_TIMEOUT);
}

static int ec_parse(int argc, char **argv, struct ec_opts *o)
{
	static const struct option longopts[] = {
		{ "port", required_argument, NULL, 'p' },
		{ "chunk", required_argument, NULL, 'c' },
		{ "timeout", required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 },
	};
	uint64_t v;
	double d;
	int c;

	*o = (struct ec_opts){ .port = EC_DEFAULT_PORT, .chunk = EC_DEFAULT_CHUNK,
			       .timeout_ms = (int)(EC_DEFAULT_TIMEOUT * 1000) };
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+:p:", longopts, NULL)) != -1) {
		switch (c) {
		case 'p':
			if (cli_parse_u64(EC_CMD, "--port", optarg, 1, 65535, &v))
				return -1;
			o->port = (uint16_t)v;
			break;
		case 'c':
			if (cli_parse_u64(EC_CMD, "--chunk", optarg, 1, EC_MAX_CHUNK, &v))
				return -1;
			o->chunk = (size_t)v;
			break;
		case 't':
			if (cli_parse_double(EC_CMD, "--timeout", optarg, 0.001, 86400, &d))
				return -1;
			o->timeout_ms = (int)(d * 1000 + 0.5);
			break;
		case ':':
			cli_err(EC_CMD, "option '%s' needs a value", argv[optind - 1]);
			return -1;
		default:
			cli_err(EC_CMD, "unknown option '%s'", argv[optind - 1]);
			return -1;
		}
	}
	if (argc - optind != 2) {
		cli_err(EC_CMD, "expected HOST MESSAGE, got %d arguments (try --help)", argc - optind);
		return -1;
	}
	o->host = argv[optind];
	o->msg = argv[optind + 1];
	return 0;
}

static int ec_resolve(const struct ec_opts *o, struct addrinfo **ai)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICSERV };
	char port[8];
	int rc;

	snprintf(port, sizeof(port), "%u", o->port);
	rc = getaddrinfo(o->host, port, &hints, ai);
	if (rc) {
		cli_err(EC_CMD, "unknown host '%s': %s", o->host,
			rc == EAI_SYSTEM ? strerror(errno) : gai_strerror(rc));
		return -1;
	}
	return 0;
}

/* Non-blocking connect bounded by the timeout; returns the socket or -errno. */
static int ec_connect_one(const struct addrinfo *a, int timeout_ms)
{
	struct pollfd p;
	int fd = socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol);
	int err = 0, n;
	socklen_t el = sizeof(err);

	if (fd < 0)
		return -errno;
	if (connect(fd, a->ai_addr, a->ai_addrlen) == 0)
		return fd;
	if (errno != EINPROGRESS) {
		err = errno;
		close(fd);
		return -err;
	}
	p = (struct pollfd){ .fd = fd, .events = POLLOUT };
	do
		n = poll(&p, 1, timeout_ms);
	while (n < 0 && errno == EINTR);
	if (n == 0)
		err = ETIMEDOUT;
	else if (n < 0 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el) < 0)
		err = errno;
	if (!err)
		return fd;
	close(fd);
	return -err;
}

/* Tries every address of HOST in order; returns the socket, or an exit code (as -1 - code). */
static int ec_connect(const struct ec_opts *o, const struct addrinfo *ai)
{
	int fd = -ECONNREFUSED;

	for (const struct addrinfo *a = ai; a; a = a->ai_next) {
		fd = ec_connect_one(a, o->timeout_ms);
		if (fd >= 0)
			return fd;
	}
	cli_err(EC_CMD, "connect to %s port %u: %s", o->host, o->port, strerror(-fd));
	/* No one answering is a negative result, like ping's; a local failure is an error. */
	if (fd == -ECONNREFUSED || fd == -ETIMEDOUT || fd == -EHOSTUNREACH)
		return -1 - EXIT_NEGATIVE;
	return -1 - EXIT_ERROR;
}

static void ec_print_chunk(const unsigned char *data, size_t n)
{
	char *text = malloc(pyrepr_size(n));

	if (!text) {
		cli_err(EC_CMD, "out of memory");
		return;
	}
	pyrepr_bytes(data, n, text);
	printf("Received: %s\n", text);
	free(text);
}

/* One read of at most --chunk bytes; returns false when the exchange is over. */
static bool ec_receive(const struct ec_opts *o, int fd, struct ec_state *st, unsigned char *buf)
{
	ssize_t n = recv(fd, buf, o->chunk, 0);

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return true;
	if (n < 0) {
		cli_err(EC_CMD, "receive: %s", strerror(errno));
		st->rc = EXIT_NEGATIVE;
		return false;
	}
	if (n == 0) {
		cli_err(EC_CMD, "server closed the connection after %zu of %zu bytes",
			st->received, st->len);
		st->rc = EXIT_NEGATIVE;
		return false;
	}
	ec_print_chunk(buf, (size_t)n);
	if (st->received + (size_t)n > st->len ||
	    memcmp(o->msg + st->received, buf, (size_t)n))
		st->differs = true;
	st->received += (size_t)n;
	return st->received < st->len;
}

/* Sends and reads at once, so that a long message cannot deadlock against the echo. */
static void ec_exchange(const struct ec_opts *o, int fd, struct ec_state *st)
{
	unsigned char *buf = malloc(o->chunk);

	if (!buf) {
		cli_err(EC_CMD, "out of memory");
		st->rc = EXIT_ERROR;
		return;
	}
	while (st->received < st->len) {
		struct pollfd p = { .fd = fd, .events = POLLIN | (st->sent < st->len ? POLLOUT : 0) };
		int n = poll(&p, 1, o->timeout_ms);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			cli_err(EC_CMD, "timed out: %zu of %zu bytes came back", st->received, st->len);
			st->rc = EXIT_NEGATIVE;
			break;
		}
		if (p.revents & POLLOUT) {
			ssize_t w = send(fd, o->msg + st->sent, st->len - st->sent, MSG_NOSIGNAL);

			if (w > 0)
				st->sent += (size_t)w;
		}
		if ((p.revents & (POLLIN | POLLHUP | POLLERR)) && !ec_receive(o, fd, st, buf))
			break;
	}
	free(buf);
}

int cmd_echo_client(int argc, char **argv)
{
	struct ec_opts o;
	struct ec_state st = { .rc = EXIT_OK };
	struct addrinfo *ai;
	int fd;

	/* Needs no capability: keep none, even when run as root. */
	if (privs_drop(EC_CMD, 0, NULL))
		return EXIT_ERROR;
	if (cli_wants_help(argc, argv)) {
		ec_usage();
		return EXIT_OK;
	}
	if (ec_parse(argc, argv, &o) || ec_resolve(&o, &ai))
		return EXIT_ERROR;
	printf("Connecting to %s port %u\n", o.host, o.port);
	fflush(stdout);
	fd = ec_connect(&o, ai);
	freeaddrinfo(ai);
	if (fd < 0)
		return -1 - fd;
	st.len = strlen(o.msg);
	printf("Sending %s\n", o.msg);
	ec_exchange(&o, fd, &st);
	printf("Closing connection to the server\n");
	close(fd);
	if (st.rc == EXIT_OK && st.differs) {
		cli_err(EC_CMD, "the echo differs from the message");
		st.rc = EXIT_NEGATIVE;
	}
	return st.rc;
}
