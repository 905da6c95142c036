/* Parallel non-blocking TCP connects classified as nmap does: open, closed, filtered. */
#include "tcpprobe.h"

#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"

struct tcpprobe_slot {
	size_t idx;      /* index into ports[] */
	int64_t deadline; /* monotonic ms */
};

static int64_t tcpprobe_now_ms(void)
{
	return (int64_t)(clock_mono_ns() / 1000000);
}

/* Maps a connect error to a state; -1 for errors that say nothing about the port. */
static int tcpprobe_classify(int err)
{
	switch (err) {
	case 0:
		return TCPPROBE_OPEN;
	case ECONNREFUSED:
		return TCPPROBE_CLOSED;
	case ETIMEDOUT:
	case EHOSTUNREACH:
	case ENETUNREACH:
	case EACCES:
	case EPERM:
		return TCPPROBE_FILTERED;
	}
	return -1;
}

/* A connect to a local port in the ephemeral range can get that same port as its source and
 * "succeed" by simultaneous open with itself; nothing listens there, so the port is closed. */
static bool tcpprobe_self_connected(int fd)
{
	struct sockaddr_storage a, b;
	socklen_t la = sizeof(a), lb = sizeof(b);

	if (getsockname(fd, (struct sockaddr *)&a, &la) < 0 ||
	    getpeername(fd, (struct sockaddr *)&b, &lb) < 0)
		return false;
	return la == lb && !memcmp(&a, &b, la);
}

/* Closes with a reset, as a port scanner does, so that open ports leave no TIME_WAIT. */
static void tcpprobe_close(int fd)
{
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };

	setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	close(fd);
}

/* Starts the connect for ports[idx]. Returns the fd (in progress), -2 when the state is
 * already known (written to *state), or -errno. */
static int tcpprobe_start(const struct sockaddr *addr, socklen_t addrlen, uint16_t port,
			  enum tcpprobe_state *state)
{
	struct sockaddr_storage ss;
	int fd, st, err;

	memcpy(&ss, addr, addrlen);
	if (addr->sa_family == AF_INET)
		((struct sockaddr_in *)&ss)->sin_port = htons(port);
	else
		((struct sockaddr_in6 *)&ss)->sin6_port = htons(port);
	fd = socket(addr->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	err = connect(fd, (struct sockaddr *)&ss, addrlen) == 0 ? 0 : errno;
	if (err == EINPROGRESS)
		return fd;
	if (err == 0 && tcpprobe_self_connected(fd))
		err = ECONNREFUSED;
	tcpprobe_close(fd);
	st = tcpprobe_classify(err);
	if (st < 0)
		return -err;
	*state = (enum tcpprobe_state)st;
	return -2;
}

/* Settles the connection on pfd after poll reported it. Returns 0 or -errno. */
static int tcpprobe_finish(struct pollfd *pfd, enum tcpprobe_state *state)
{
	int err = 0, st;
	socklen_t len = sizeof(err);

	if (getsockopt(pfd->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
		err = errno;
	if (err == 0 && tcpprobe_self_connected(pfd->fd))
		err = ECONNREFUSED;
	tcpprobe_close(pfd->fd);
	st = tcpprobe_classify(err);
	if (st < 0)
		return -err;
	*state = (enum tcpprobe_state)st;
	return 0;
}

int tcpprobe_run(const struct sockaddr *addr, socklen_t addrlen, const uint16_t *ports, size_t n,
		 int timeout_ms, enum tcpprobe_state *states)
{
	struct pollfd pfds[TCPPROBE_PARALLEL];
	struct tcpprobe_slot slots[TCPPROBE_PARALLEL];
	size_t next = 0, active = 0;
	int err = 0;

	if (addrlen > sizeof(struct sockaddr_storage))
		return -EINVAL;
	while ((next < n || active) && !err) {
		int64_t now, wait;

		while (next < n && active < TCPPROBE_PARALLEL) {
			int fd = tcpprobe_start(addr, addrlen, ports[next], &states[next]);

			if (fd == -2) {
				next++;
				continue;
			}
			if (fd < 0) {
				err = fd;
				break;
			}
			pfds[active] = (struct pollfd){ .fd = fd, .events = POLLOUT };
			slots[active] = (struct tcpprobe_slot){ next, tcpprobe_now_ms() + timeout_ms };
			active++;
			next++;
		}
		if (!active || err)
			break;
		now = tcpprobe_now_ms();
		wait = slots[0].deadline - now; /* slots start in order: slot 0 expires first */
		if (poll(pfds, active, wait > 0 ? (int)wait : 0) < 0 && errno != EINTR) {
			err = -errno;
			break;
		}
		now = tcpprobe_now_ms();
		for (size_t i = 0; i < active;) {
			bool done = true;

			if (pfds[i].revents)
				err = err ? err : tcpprobe_finish(&pfds[i], &states[slots[i].idx]);
			else if (now >= slots[i].deadline)
				tcpprobe_close(pfds[i].fd), states[slots[i].idx] = TCPPROBE_FILTERED;
			else
				done = false;
			if (!done) {
				i++;
				continue;
			}
			/* Keep slots in start order so that slot 0 stays the earliest deadline. */
			memmove(&pfds[i], &pfds[i + 1], (active - i - 1) * sizeof(pfds[0]));
			memmove(&slots[i], &slots[i + 1], (active - i - 1) * sizeof(slots[0]));
			active--;
		}
	}
	for (size_t i = 0; i < active; i++)
		close(pfds[i].fd);
	return err;
}

const char *tcpprobe_state_name(enum tcpprobe_state s)
{
	switch (s) {
	case TCPPROBE_OPEN:
		return "open";
	case TCPPROBE_CLOSED:
		return "closed";
	case TCPPROBE_FILTERED:
		return "filtered";
	}
	return "unknown";
}
