/* Sweep replies in user space (--no-bpf): raw sockets that see only echo replies, checked with
 * the same identifier, cookie and staleness rules as bpf/sweep.bpf.c. */
#include "sweep_recv.h"

#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "clock.h"
#include "icmp.h"

#define RECV_BUF (32 << 20)
#define RECV_BATCH 64
#define RECV_LEN 256

ssize_t sweep_match(const struct targets *t, const struct sweep_key *k, uint16_t seq)
{
	for (size_t i = seq; i < t->n; i += 65536)
		if (!memcmp(&t->addr[i], k->addr, sizeof(k->addr)))
			return (ssize_t)i;
	return -1;
}

void sweep_round_hit(struct sweep_round *r, const struct targets *t, const struct sweep_key *k,
		     uint16_t seq, uint64_t sent_ns, uint64_t recv_ns)
{
	ssize_t i = sweep_match(t, k, seq);

	if (i < 0 || r->rtt_ns[i] >= 0)
		return;
	r->rtt_ns[i] = recv_ns > sent_ns ? (int64_t)(recv_ns - sent_ns) : 0;
}

static int open_one(const char *cmd, int family)
{
	int one = 1, size = RECV_BUF;
	int fd = icmp_socket(family, SOCK_RAW | SOCK_NONBLOCK), rc;

	if (fd < 0) {
		cli_err(cmd, "raw receive socket: %s", strerror(errno));
		return -1;
	}
	rc = icmp_filter_types(fd, family, true);
	/* A big buffer so that a fast sweep's replies wait for us instead of being dropped;
	 * FORCE needs CAP_NET_ADMIN, the plain option is the fallback. */
	if (!rc && setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)))
		rc = setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	if (!rc)
		rc = setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof(one));
	if (rc) {
		cli_err(cmd, "setting up the raw receive socket: %s", strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

int sweep_recv_open(const char *cmd, struct sweep_recv *r, const struct sweep_probe *p,
		    int need4, int need6)
{
	struct timespec rt, mono;

	*r = (struct sweep_recv){ .fd4 = -1, .fd6 = -1, .probe = *p };
	clock_gettime(CLOCK_REALTIME, &rt);
	clock_gettime(CLOCK_MONOTONIC, &mono);
	r->real_minus_mono = ((int64_t)rt.tv_sec - mono.tv_sec) * 1000000000LL +
			     (rt.tv_nsec - mono.tv_nsec);
	if (need4 && (r->fd4 = open_one(cmd, AF_INET)) < 0)
		return -1;
	if (need6 && (r->fd6 = open_one(cmd, AF_INET6)) < 0) {
		sweep_recv_close(r);
		return -1;
	}
	return 0;
}

void sweep_recv_close(struct sweep_recv *r)
{
	if (r->fd4 >= 0)
		close(r->fd4);
	if (r->fd6 >= 0)
		close(r->fd6);
	r->fd4 = r->fd6 = -1;
}

static uint64_t stamp_ns(const struct sweep_recv *r, struct msghdr *mh)
{
	for (struct cmsghdr *c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c)) {
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
			struct timespec ts;

			memcpy(&ts, CMSG_DATA(c), sizeof(ts));
			return (uint64_t)((int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec -
					  r->real_minus_mono);
		}
	}
	return clock_mono_ns();
}

/* One datagram: IPv4 raw sockets deliver the IP header, IPv6 ones start at ICMPv6. The source
 * is the sender's address the kernel reports (for IPv4, the IP header's source). */
static void one_reply(const struct sweep_recv *r, const uint8_t *buf, size_t len, int v4,
		      const struct sockaddr_storage *from, uint64_t recv_ns,
		      const struct targets *t, uint64_t min_sent_ns, struct sweep_round *round)
{
	struct icmp_reply rep;
	struct sweep_key k = { 0 };
	uint64_t sent_ns;
	uint32_t cookie;

	if (icmp_parse_reply(buf, len, v4 ? AF_INET : AF_INET6, v4, r->probe.id, &rep) !=
		    ICMP_ECHO_REPLY ||
	    rep.payload_len < SWEEP_PAYLOAD_LEN)
		return;
	if (v4) {
		k.addr[2] = htonl(0xffff);
		memcpy(&k.addr[3], &((const struct sockaddr_in *)from)->sin_addr, 4);
	} else {
		memcpy(k.addr, &((const struct sockaddr_in6 *)from)->sin6_addr, 16);
	}
	memcpy(&sent_ns, rep.payload, 8);
	memcpy(&cookie, rep.payload + 8, 4);
	if (cookie != sweep_cookie(r->probe.secret, &k, rep.seq, sent_ns) || sent_ns < min_sent_ns)
		return;
	sweep_round_hit(round, t, &k, rep.seq, sent_ns, recv_ns);
}

static void drain(const struct sweep_recv *r, int fd, int v4, const struct targets *t,
		  uint64_t min_sent_ns, struct sweep_round *round)
{
	static const size_t ctl_len = CMSG_SPACE(sizeof(struct timespec)) + 64;
	uint8_t bufs[RECV_BATCH][RECV_LEN], ctl[RECV_BATCH][ctl_len];
	struct sockaddr_storage from[RECV_BATCH];
	struct mmsghdr msg[RECV_BATCH];
	struct iovec iov[RECV_BATCH];
	int n;

	do {
		for (int i = 0; i < RECV_BATCH; i++) {
			iov[i] = (struct iovec){ bufs[i], RECV_LEN };
			msg[i] = (struct mmsghdr){ .msg_hdr = {
				.msg_name = &from[i], .msg_namelen = sizeof(from[i]),
				.msg_iov = &iov[i], .msg_iovlen = 1,
				.msg_control = ctl[i], .msg_controllen = ctl_len,
			} };
		}
		n = recvmmsg(fd, msg, RECV_BATCH, MSG_DONTWAIT, NULL);
		for (int i = 0; i < n; i++)
			one_reply(r, bufs[i], msg[i].msg_len, v4, &from[i],
				  stamp_ns(r, &msg[i].msg_hdr), t, min_sent_ns, round);
	} while (n == RECV_BATCH);
}

void sweep_recv_until(struct sweep_recv *r, double until, volatile sig_atomic_t *stop,
		      const struct targets *t, uint64_t min_sent_ns, struct sweep_round *round)
{
	struct pollfd pfd[2] = { { .fd = r->fd4, .events = POLLIN },
				 { .fd = r->fd6, .events = POLLIN } };

	for (;;) {
		double left = until - clock_mono_s();

		if (r->fd4 >= 0)
			drain(r, r->fd4, 1, t, min_sent_ns, round);
		if (r->fd6 >= 0)
			drain(r, r->fd6, 0, t, min_sent_ns, round);
		if (left <= 0 || *stop)
			return;
		/* poll ignores negative fds; EINTR from a signal ends the wait via *stop. */
		poll(pfd, 2, left * 1000 < 1 ? 1 : (int)(left * 1000));
	}
}
