/* Sweep probes: echo requests with this run's identifier, sequence = target index mod 65536,
 * and a payload of send time + keyed cookie; sent with sendmmsg at a paced rate. */
#include "sweep_send.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cli.h"
#include "clock.h"
#include "icmp.h"

#define ECHO_LEN (ICMP_HDR_LEN + SWEEP_PAYLOAD_LEN)

void sweep_key_of(const struct in6_addr *a, struct sweep_key *k)
{
	memcpy(k->addr, a, sizeof(k->addr));
}

/* An echo request whose payload is the send time and the cookie (zero-padded); IPv6 leaves
 * the checksum to the kernel (always on for ICMPv6 raw). */
static void sweep_build_echo(uint8_t *pkt, const struct sweep_probe *p, const struct in6_addr *dst,
			     uint32_t index, uint64_t sent_ns)
{
	uint8_t payload[SWEEP_PAYLOAD_LEN] = { 0 };
	uint16_t seq = (uint16_t)index;
	struct sweep_key k;
	uint32_t cookie;

	sweep_key_of(dst, &k);
	cookie = sweep_cookie(p->secret, &k, seq, sent_ns);
	memcpy(payload, &sent_ns, 8);
	memcpy(payload + 8, &cookie, 4);
	icmp_build_echo(pkt, ECHO_LEN, targets_is_v4(dst) ? AF_INET : AF_INET6, p->id, seq,
			payload, sizeof(payload));
}

static int open_raw(const char *cmd, int family)
{
	int fd = icmp_socket(family, SOCK_RAW);

	if (fd < 0) {
		cli_err(cmd, "raw ICMP%s socket: %s%s", family == AF_INET ? "" : "v6",
			strerror(errno), errno == EPERM ? " (needs CAP_NET_RAW)" : "");
		return -1;
	}
	if (icmp_filter_types(fd, family, false)) {
		cli_err(cmd, "setting the ICMP filter: %s", strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

int sweep_send_open(const char *cmd, struct sweep_sender *s, const struct sweep_probe *p,
		    double rate, int need4, int need6)
{
	*s = (struct sweep_sender){ .fd4 = -1, .fd6 = -1, .probe = *p, .rate = rate };
	/* Bursts of up to a batch, but never more than 10 ms worth at low rates. */
	s->burst = rate / 100 < 1 ? 1 : rate / 100 > SWEEP_BATCH ? SWEEP_BATCH : rate / 100;
	s->tokens = s->burst;
	s->last = -1;
	if (need4 && (s->fd4 = open_raw(cmd, AF_INET)) < 0)
		return -1;
	if (need6 && (s->fd6 = open_raw(cmd, AF_INET6)) < 0) {
		sweep_send_close(s);
		return -1;
	}
	return 0;
}

void sweep_send_close(struct sweep_sender *s)
{
	if (s->fd4 >= 0)
		close(s->fd4);
	if (s->fd6 >= 0)
		close(s->fd6);
	s->fd4 = s->fd6 = -1;
}

void sweep_send_set_burst(struct sweep_sender *s, size_t max)
{
	s->burst = s->rate / 100 < 1 ? 1 : s->rate / 100 > (double)max ? (double)max : s->rate / 100;
	s->tokens = s->burst;
}

void sweep_send_spend(struct sweep_sender *s, size_t n)
{
	s->tokens -= (double)n;
}

size_t sweep_send_budget(struct sweep_sender *s, double now, double *wait_until)
{
	if (s->last >= 0)
		s->tokens += (now - s->last) * s->rate;
	s->last = now;
	if (s->tokens > s->burst)
		s->tokens = s->burst;
	if (s->tokens >= 1)
		return (size_t)s->tokens;
	*wait_until = now + (1 - s->tokens) / s->rate;
	return 0;
}

size_t sweep_send_batch(struct sweep_sender *s, const struct targets *t, const uint32_t *idx,
			size_t n, uint64_t *sent_ns, int *err)
{
	uint8_t pkts[SWEEP_BATCH][ECHO_LEN];
	struct sockaddr_storage sa[SWEEP_BATCH];
	struct mmsghdr msg[SWEEP_BATCH];
	struct iovec iov[SWEEP_BATCH];
	int v4 = targets_is_v4(&t->addr[idx[0]]), fd = v4 ? s->fd4 : s->fd6, rc;
	uint64_t now = clock_mono_ns();
	size_t m = 0;

	/* One sendmmsg per family run: stop at the first target of the other family. */
	for (; m < n && m < SWEEP_BATCH && targets_is_v4(&t->addr[idx[m]]) == v4; m++) {
		const struct in6_addr *a = &t->addr[idx[m]];

		memset(&sa[m], 0, sizeof(sa[m]));
		if (v4) {
			struct sockaddr_in *sin = (struct sockaddr_in *)&sa[m];

			sin->sin_family = AF_INET;
			memcpy(&sin->sin_addr, &a->s6_addr[12], 4);
		} else {
			struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&sa[m];

			sin6->sin6_family = AF_INET6;
			sin6->sin6_addr = *a;
		}
		sweep_build_echo(pkts[m], &s->probe, a, idx[m], now);
		iov[m] = (struct iovec){ pkts[m], ECHO_LEN };
		msg[m] = (struct mmsghdr){ .msg_hdr = {
			.msg_name = &sa[m],
			.msg_namelen = v4 ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6),
			.msg_iov = &iov[m],
			.msg_iovlen = 1,
		} };
	}
	rc = sendmmsg(fd, msg, m, 0);
	if (rc < 0) {
		if (errno == ENOBUFS || errno == EAGAIN || errno == EINTR)
			return 0;
		/* The first message was refused (no route, ...): skip it, keep the others. */
		err[idx[0]] = errno;
		rc = 1;
	} else {
		for (int i = 0; i < rc; i++)
			sent_ns[idx[i]] = now;
	}
	s->tokens -= rc;
	return rc;
}
