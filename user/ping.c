/* xdpscope ping: ICMP/ICMPv6 echo over a raw socket (or the ICMP datagram socket when raw is not
 * permitted), with iputils ping's output, statistics and exit codes. */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <linux/errqueue.h>
#include <linux/filter.h>
#include <linux/icmp.h>
#include <netdb.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "clock.h"
#include "commands.h"
#include "icmp.h"
#include "ping_report.h"
#include "privs.h"

#define CMD "ping"
#define NSEC 1000000000LL

struct ping_opts {
	int family;		/* AF_UNSPEC, AF_INET or AF_INET6 */
	long count;		/* 0: until interrupted */
	double interval, linger, deadline; /* seconds; deadline 0: none */
	size_t size;
	int ttl;		/* 0: kernel default */
	const char *iface;
	bool quiet;
	const char *host;
	struct privs_user user; /* -Z */
};

struct ping {
	struct ping_opts o;
	int fd;
	bool raw;
	uint16_t id;
	struct sockaddr_storage dst, src;
	socklen_t dst_len;
	char addr[INET6_ADDRSTRLEN];	/* the target, numeric */
	char peer[NI_MAXHOST + INET6_ADDRSTRLEN + 4]; /* how replies from the target print */
	bool numeric;			/* HOST was an address: print no names */
	struct ping_stats st;
	struct timespec *sent_at;	/* realtime send stamp per sequence number */
	uint8_t *tx, *rx;		/* echo request, receive buffer */
	size_t rx_cap;
	int64_t start, last_send;	/* monotonic ns */
};

static volatile sig_atomic_t ping_interrupted;

static void ping_on_sigint(int sig)
{
	(void)sig;
	ping_interrupted = 1;
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: xdpscope ping [-4|-6] [-c COUNT] [-i INTERVAL] [-W TIMEOUT] [-w DEADLINE]\n"
		"                     [-s SIZE] [-t TTL] [-I IFACE] [-q] HOST\n\n"
		"Sends ICMP (or ICMPv6) echo requests to HOST and reports the replies in the words\n"
		"and numbers of iputils ping.\n\n"
		"  -4, -6         use IPv4 or IPv6 only\n"
		"  -c COUNT       stop after COUNT replies (or errors); default: until Ctrl-C\n"
		"  -i INTERVAL    seconds between requests (default 1; below 0.002 needs root)\n"
		"  -W TIMEOUT     seconds to wait for a reply after the last request (default 10)\n"
		"  -w DEADLINE    stop after DEADLINE seconds whatever was received\n"
		"  -s SIZE        payload bytes (default 56, at most %d)\n"
		"  -t TTL         IP time to live / hop limit (1-255)\n"
		"  -I IFACE       send through interface IFACE\n"
		"  -q             print only the header and the summary\n"
		"  -Z USER        once the socket is open, become USER and drop every capability\n"
		"  -h, --help     this help\n\n"
		"Uses a raw socket (CAP_NET_RAW), else the ICMP datagram socket where\n"
		"net.ipv4.ping_group_range allows it.\n"
		"Exit status: 0 some reply, 1 no reply (or fewer than COUNT by DEADLINE), 2 error.\n",
		ICMP_MAX_PAYLOAD);
}

static int parse_value(int opt, const char *arg, struct ping_opts *o)
{
	char name[3] = { '-', (char)opt, 0 };
	uint64_t u;

	switch (opt) {
	case 'c':
		if (cli_parse_u64(CMD, name, arg, 1, 2147483647, &u))
			return -1;
		o->count = (long)u;
		return 0;
	case 'i':
		if (cli_parse_double(CMD, name, arg, 0, 2147483, &o->interval))
			return -1;
		if (o->interval < 0.002 && geteuid() != 0) {
			cli_err(CMD, "invalid -i value '%s': below 0.002 s needs root", arg);
			return -1;
		}
		return 0;
	case 'W':
		return cli_parse_double(CMD, name, arg, 0.001, 2147483, &o->linger);
	case 'w':
		return cli_parse_double(CMD, name, arg, 0.001, 2147483, &o->deadline);
	case 's':
		if (cli_parse_u64(CMD, name, arg, 0, ICMP_MAX_PAYLOAD, &u))
			return -1;
		o->size = u;
		return 0;
	case 't':
		if (cli_parse_u64(CMD, name, arg, 1, 255, &u))
			return -1;
		o->ttl = (int)u;
		return 0;
	case 'I':
		o->iface = arg;
		return cli_ifindex(CMD, arg) ? 0 : -1;
	case 'Z':
		return privs_user_lookup(CMD, arg, &o->user);
	}
	return -1;
}

static int parse_args(int argc, char **argv, struct ping_opts *o)
{
	static const struct option longs[] = { { "help", no_argument, NULL, 'h' }, { 0 } };
	int opt;

	*o = (struct ping_opts){ .family = AF_UNSPEC, .interval = 1, .linger = 10, .size = 56 };
	opterr = 0;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "+46c:i:W:w:s:t:I:qhZ:", longs, NULL)) != -1) {
		switch (opt) {
		case '4':
			o->family = AF_INET;
			break;
		case '6':
			o->family = AF_INET6;
			break;
		case 'q':
			o->quiet = true;
			break;
		case '?':
			if (optopt && strchr("ciWwstIZ", optopt))
				cli_err(CMD, "option '-%c' needs a value", optopt);
			else
				cli_err(CMD, "unknown option '%s' (try 'xdpscope ping --help')",
					argv[optind - 1]);
			return -1;
		default:
			if (parse_value(opt, optarg, o))
				return -1;
		}
	}
	if (optind != argc - 1) {
		cli_err(CMD, optind == argc ? "missing HOST (try 'xdpscope ping --help')"
					    : "unexpected argument '%s'", argv[argc - 1]);
		return -1;
	}
	o->host = argv[optind];
	return 0;
}

static const void *sa_addr(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET6)
		return &((const struct sockaddr_in6 *)ss)->sin6_addr;
	return &((const struct sockaddr_in *)ss)->sin_addr;
}

static bool same_addr(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	size_t n = a->ss_family == AF_INET6 ? sizeof(struct in6_addr) : sizeof(struct in_addr);

	return a->ss_family == b->ss_family && !memcmp(sa_addr(a), sa_addr(b), n);
}

/* Formats an address as iputils: numeric, or "name (address)" when HOST was a name. */
static void peer_name(const struct ping *p, const struct sockaddr_storage *ss, char *buf,
		      size_t n)
{
	char num[INET6_ADDRSTRLEN], name[NI_MAXHOST];
	socklen_t len = ss->ss_family == AF_INET6 ? sizeof(struct sockaddr_in6)
						  : sizeof(struct sockaddr_in);

	inet_ntop(ss->ss_family, sa_addr(ss), num, sizeof(num));
	if (p->numeric ||
	    getnameinfo((const struct sockaddr *)ss, len, name, sizeof(name), NULL, 0, NI_NAMEREQD))
		snprintf(buf, n, "%s", num);
	else
		snprintf(buf, n, "%s (%s)", name, num);
}

static int resolve(struct ping *p)
{
	struct addrinfo hints = { .ai_family = p->o.family, .ai_socktype = SOCK_RAW };
	struct addrinfo *res;
	int rc;

	hints.ai_flags = AI_NUMERICHOST;
	p->numeric = getaddrinfo(p->o.host, NULL, &hints, &res) == 0;
	if (!p->numeric) {
		hints.ai_flags = 0;
		rc = getaddrinfo(p->o.host, NULL, &hints, &res);
		if (rc) {
			cli_err(CMD, "unknown host '%s': %s", p->o.host, gai_strerror(rc));
			return -1;
		}
	}
	memcpy(&p->dst, res->ai_addr, res->ai_addrlen);
	p->dst_len = res->ai_addrlen;
	freeaddrinfo(res);
	inet_ntop(p->dst.ss_family, sa_addr(&p->dst), p->addr, sizeof(p->addr));
	peer_name(p, &p->dst, p->peer, sizeof(p->peer));
	return 0;
}

/* Finds the source address the kernel would use (and fails early, as iputils, when there is
 * no route): a UDP socket connected to the target sends nothing. */
static int probe_route(struct ping *p)
{
	struct sockaddr_storage to = p->dst;
	socklen_t len = sizeof(p->src);
	int fd = socket(p->dst.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	int rc = -1;

	if (fd < 0) {
		cli_err(CMD, "socket: %s", strerror(errno));
		return -1;
	}
	((struct sockaddr_in *)&to)->sin_port = htons(1025); /* same offset in sockaddr_in6 */
	if (p->o.iface && setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, p->o.iface,
				     (socklen_t)strlen(p->o.iface) + 1))
		cli_err(CMD, "cannot bind to interface '%s': %s", p->o.iface, strerror(errno));
	else if (connect(fd, (struct sockaddr *)&to, p->dst_len))
		cli_err(CMD, "cannot reach '%s': %s", p->addr, strerror(errno));
	else if (getsockname(fd, (struct sockaddr *)&p->src, &len))
		cli_err(CMD, "getsockname: %s", strerror(errno));
	else
		rc = 0;
	close(fd);
	return rc;
}

static int open_socket(struct ping *p)
{
	int fam = p->dst.ss_family;

	p->raw = true;
	p->fd = icmp_socket(fam, SOCK_RAW);
	if (p->fd < 0 && (errno == EPERM || errno == EACCES)) {
		p->raw = false;
		p->fd = icmp_socket(fam, SOCK_DGRAM);
	}
	if (p->fd < 0) {
		cli_err(CMD, "cannot open an ICMP socket: %s (raw sockets need CAP_NET_RAW; "
			     "datagram ones a group in net.ipv4.ping_group_range)", strerror(errno));
		return -1;
	}
	return 0;
}

static int set_int(int fd, int level, int name, int val, const char *what)
{
	if (setsockopt(fd, level, name, &val, sizeof(val)) == 0)
		return 0;
	cli_err(CMD, "setsockopt %s: %s", what, strerror(errno));
	return -1;
}

/* Raw sockets see every ICMP packet of the host: keep only echo replies with our identifier,
 * so concurrent pings never wake for (or take) each other's replies. */
static int filter_raw(struct ping *p)
{
	bool v6 = p->dst.ss_family == AF_INET6;
	struct sock_filter insns[] = {
		BPF_STMT(BPF_LDX | BPF_B | BPF_MSH, 0), /* X = IPv4 header length */
		BPF_STMT(BPF_LD | BPF_H | BPF_IND, 4),	/* A = identifier */
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, p->id, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, 0xffffffff),
		BPF_STMT(BPF_RET | BPF_K, 0),
	};
	struct sock_fprog prog = { .len = 5, .filter = insns };

	/* ICMPv6 raw sockets start at the ICMP header. */
	if (v6)
		insns[0] = (struct sock_filter)BPF_STMT(BPF_LDX | BPF_IMM, 0);
	if (icmp_filter_types(p->fd, p->dst.ss_family, true)) {
		cli_err(CMD, "setsockopt %s: %s", v6 ? "ICMP6_FILTER" : "ICMP_FILTER", strerror(errno));
		return -1;
	}
	if (setsockopt(p->fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog))) {
		cli_err(CMD, "setsockopt SO_ATTACH_FILTER: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/* Datagram ICMP sockets get their identifier from the kernel (the "port"); learn it. */
static int learn_dgram_id(struct ping *p)
{
	struct sockaddr_storage me = { .ss_family = p->dst.ss_family };
	socklen_t len = p->dst_len;

	if (bind(p->fd, (struct sockaddr *)&me, len) ||
	    getsockname(p->fd, (struct sockaddr *)&me, &len)) {
		cli_err(CMD, "bind ICMP socket: %s", strerror(errno));
		return -1;
	}
	p->id = ntohs(((struct sockaddr_in *)&me)->sin_port); /* same offset in sockaddr_in6 */
	return 0;
}

static int setup_socket(struct ping *p)
{
	bool v6 = p->dst.ss_family == AF_INET6;
	int fd = p->fd;

	if (set_int(fd, SOL_SOCKET, SO_TIMESTAMPNS, 1, "SO_TIMESTAMPNS") ||
	    (v6 ? set_int(fd, SOL_IPV6, IPV6_RECVERR, 1, "IPV6_RECVERR") ||
		      set_int(fd, SOL_IPV6, IPV6_RECVHOPLIMIT, 1, "IPV6_RECVHOPLIMIT")
		: set_int(fd, SOL_IP, IP_RECVERR, 1, "IP_RECVERR") ||
		      (!p->raw && set_int(fd, SOL_IP, IP_RECVTTL, 1, "IP_RECVTTL"))))
		return -1;
	if (p->o.ttl && (v6 ? set_int(fd, SOL_IPV6, IPV6_UNICAST_HOPS, p->o.ttl, "hop limit")
			    : set_int(fd, SOL_IP, IP_TTL, p->o.ttl, "IP_TTL")))
		return -1;
	if (p->o.iface && setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, p->o.iface,
				     (socklen_t)strlen(p->o.iface) + 1)) {
		cli_err(CMD, "cannot bind to interface '%s': %s", p->o.iface, strerror(errno));
		return -1;
	}
	if (!p->raw)
		return learn_dgram_id(p);
	/* Unique among running processes, so concurrent raw pings tell their replies apart. */
	p->id = (uint16_t)getpid();
	return filter_raw(p);
}

static void print_header(const struct ping *p)
{
	char src[INET6_ADDRSTRLEN];
	bool v6 = p->dst.ss_family == AF_INET6;

	printf(v6 ? "PING %s(%s) " : "PING %s (%s) ", p->o.host, p->addr);
	if (p->o.iface) {
		inet_ntop(p->src.ss_family, sa_addr(&p->src), src, sizeof(src));
		printf("from %s %s: ", src, p->o.iface);
	}
	if (v6)
		printf("%zu data bytes\n", p->o.size);
	else
		printf("%zu(%zu) bytes of data.\n", p->o.size, p->o.size + ICMP_HDR_LEN + 20);
	fflush(stdout);
}

/* The payload: a realtime send stamp, then bytes counting up from the stamp's end (iputils). */
static void fill_payload(uint8_t *pl, size_t size, const struct timespec *ts, bool timing)
{
	for (size_t i = 0; i < size; i++)
		pl[i] = (uint8_t)i;
	if (timing)
		memcpy(pl, ts, sizeof(*ts));
}

static void read_errqueue(struct ping *p);

static void send_probe(struct ping *p)
{
	uint16_t seq = (uint16_t)(p->st.ntransmitted + 1);
	uint8_t *pl = p->tx + ICMP_HDR_LEN;
	struct timespec now;
	int len;
	long errs = p->st.nerrors;

	clock_gettime(CLOCK_REALTIME, &now);
	fill_payload(pl, p->o.size, &now, p->st.timing);
	len = icmp_build_echo(p->tx, ICMP_HDR_LEN + p->o.size, p->dst.ss_family, p->id, seq, pl,
			      p->o.size);
	p->sent_at[seq] = now;
	ping_stats_sent(&p->st);
	p->last_send = clock_mono_ns();
	if (sendto(p->fd, p->tx, (size_t)len, 0, (struct sockaddr *)&p->dst, p->dst_len) == len)
		return;
	/* Like iputils, a failed send still counts as transmitted; an ICMP error explaining it
	 * may already be queued. */
	read_errqueue(p);
	if (p->st.nerrors == errs && !p->o.quiet)
		cli_err(CMD, "sendmsg: %s", strerror(errno));
}

static void on_error(struct ping *p, const struct sock_extended_err *e,
		     const struct sockaddr_storage *orig, const uint8_t *data, size_t n)
{
	struct sockaddr_storage from = { 0 };
	const struct sockaddr *off = SO_EE_OFFENDER(e);
	bool v6 = p->dst.ss_family == AF_INET6;
	char who[sizeof(p->peer)], text[96];
	uint16_t seq;

	if (e->ee_origin == SO_EE_ORIGIN_LOCAL) {
		p->st.nerrors++;
		if (!p->o.quiet)
			cli_err(CMD, "local error: %s", strerror((int)e->ee_errno));
		return;
	}
	if (e->ee_origin != (v6 ? SO_EE_ORIGIN_ICMP6 : SO_EE_ORIGIN_ICMP))
		return;
	/* Ours only: about our target, quoting an echo request with our identifier. */
	if (n < ICMP_HDR_LEN || !same_addr(orig, &p->dst) ||
	    data[0] != (v6 ? ICMP6_ECHO_REQUEST : ICMP_ECHO) ||
	    (uint16_t)(data[4] << 8 | data[5]) != p->id)
		return;
	seq = (uint16_t)(data[6] << 8 | data[7]);
	/* iputils updates the pipe size for IPv4 errors only. */
	ping_stats_error(&p->st, seq, !v6);
	if (p->o.quiet)
		return;
	memcpy(&from, off, v6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in));
	peer_name(p, &from, who, sizeof(who));
	ping_fmt_icmp(text, sizeof(text), p->dst.ss_family, e->ee_type, e->ee_code, e->ee_info);
	printf("From %s icmp_seq=%u %s\n", who, seq, text);
	fflush(stdout);
}

static void read_errqueue(struct ping *p)
{
	uint8_t data[64];
	char cbuf[512];
	struct sockaddr_storage orig;
	struct iovec iov = { .iov_base = data, .iov_len = sizeof(data) };
	struct msghdr msg;
	struct cmsghdr *c;
	ssize_t n;
	int saved = errno;

	for (;;) {
		msg = (struct msghdr){ .msg_name = &orig, .msg_namelen = sizeof(orig),
				       .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf,
				       .msg_controllen = sizeof(cbuf) };
		memset(&orig, 0, sizeof(orig));
		n = recvmsg(p->fd, &msg, MSG_ERRQUEUE | MSG_DONTWAIT);
		if (n < 0)
			break;
		for (c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c))
			if ((c->cmsg_level == SOL_IP && c->cmsg_type == IP_RECVERR) ||
			    (c->cmsg_level == SOL_IPV6 && c->cmsg_type == IPV6_RECVERR))
				on_error(p, (const struct sock_extended_err *)CMSG_DATA(c), &orig,
					 data, (size_t)n);
	}
	errno = saved;
}

/* True if the echoed payload is the one we sent with this sequence number. */
static bool payload_is_ours(const struct ping *p, uint16_t seq, const uint8_t *pl, size_t n)
{
	struct timespec ts = p->sent_at[seq];

	if (n > p->o.size)
		return false;
	if (p->st.timing && n >= sizeof(ts) && memcmp(pl, &ts, sizeof(ts)))
		return false;
	for (size_t i = p->st.timing ? sizeof(ts) : 0; i < n; i++)
		if (pl[i] != (uint8_t)i)
			return false;
	return true;
}

static void on_reply(struct ping *p, const struct icmp_reply *r, int hops,
		     const struct timespec *rx_ts)
{
	uint16_t since = (uint16_t)((uint16_t)p->st.ntransmitted - r->seq);
	const struct timespec *tx_ts = &p->sent_at[r->seq];
	long rtt = 0;
	bool dup;
	char t[32];

	/* Answers must be to a sequence number we have sent (the last 32768). */
	if (p->st.ntransmitted == 0 || since > 0x7fff || since >= p->st.ntransmitted ||
	    !payload_is_ours(p, r->seq, r->payload, r->payload_len))
		return;
	if (p->st.timing) {
		rtt = (long)(((rx_ts->tv_sec - tx_ts->tv_sec) * NSEC + rx_ts->tv_nsec -
			      tx_ts->tv_nsec) / 1000);
		if (rtt < 0)
			rtt = 0;
	}
	dup = ping_stats_reply(&p->st, r->seq, rtt);
	if (p->o.quiet)
		return;
	printf("%zu bytes from %s: icmp_seq=%u", r->icmp_len, p->peer, r->seq);
	if (hops >= 0)
		printf(" ttl=%d", hops);
	if (r->payload_len < p->o.size) {
		printf(" (truncated)\n");
	} else {
		if (p->st.timing) {
			ping_fmt_time(t, sizeof(t), rtt);
			printf(" time=%s ms", t);
		}
		printf("%s\n", dup ? " (DUP!)" : "");
	}
	fflush(stdout);
}

static void on_packet(struct ping *p, struct msghdr *msg, size_t n)
{
	struct icmp_reply r;
	struct timespec ts = { 0 };
	bool have_ts = false;
	int hops = -1;
	bool v6 = p->dst.ss_family == AF_INET6;

	if (!same_addr(msg->msg_name, &p->dst))
		return;
	if (icmp_parse_reply(p->rx, n, p->dst.ss_family, p->raw && !v6, p->id, &r) !=
	    ICMP_ECHO_REPLY)
		return; /* errors come through the error queue, the rest is not ours */
	for (struct cmsghdr *c = CMSG_FIRSTHDR(msg); c; c = CMSG_NXTHDR(msg, c)) {
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS &&
		    c->cmsg_len >= CMSG_LEN(sizeof(ts))) {
			memcpy(&ts, CMSG_DATA(c), sizeof(ts));
			have_ts = true;
		} else if (c->cmsg_len >= CMSG_LEN(sizeof(int)) &&
			   ((c->cmsg_level == SOL_IP && c->cmsg_type == IP_TTL) ||
			    (c->cmsg_level == SOL_IPV6 && c->cmsg_type == IPV6_HOPLIMIT))) {
			memcpy(&hops, CMSG_DATA(c), sizeof(hops));
		}
	}
	if (!have_ts)
		clock_gettime(CLOCK_REALTIME, &ts);
	if (r.ttl >= 0)
		hops = r.ttl;
	on_reply(p, &r, hops, &ts);
}

static void read_packets(struct ping *p)
{
	struct sockaddr_storage from;
	char cbuf[512];
	struct iovec iov = { .iov_base = p->rx, .iov_len = p->rx_cap };
	struct msghdr msg;
	ssize_t n;

	for (;;) {
		msg = (struct msghdr){ .msg_name = &from, .msg_namelen = sizeof(from),
				       .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf,
				       .msg_controllen = sizeof(cbuf) };
		n = recvmsg(p->fd, &msg, MSG_DONTWAIT);
		if (n < 0)
			return;
		if (!(msg.msg_flags & MSG_TRUNC))
			on_packet(p, &msg, (size_t)n);
		/* Stop at the COUNTth answer, as iputils: a duplicate behind it goes unread. */
		if (p->o.count && p->st.nreceived + p->st.nerrors >= p->o.count)
			return;
	}
}

static bool finished(const struct ping *p, int64_t now, int64_t exit_at)
{
	const struct ping_stats *s = &p->st;

	if (ping_interrupted)
		return true;
	if (p->o.count && s->nreceived + s->nerrors >= p->o.count)
		return true;
	if (p->o.deadline && (s->nerrors || now >= p->start + (int64_t)(p->o.deadline * NSEC)))
		return true;
	return exit_at && now >= exit_at;
}

static bool may_send(const struct ping *p)
{
	return !p->o.count || p->st.ntransmitted < p->o.count || p->o.deadline;
}

/* Once the last request is out, wait twice the longest round trip (at least one interval)
 * if anything answered, else -W seconds, as iputils. */
static int64_t linger_until(const struct ping *p, int64_t now)
{
	int64_t wait = (int64_t)(p->o.linger * NSEC);

	if (p->st.nreceived) {
		wait = 2 * (int64_t)p->st.tmax * 1000;
		if (wait < (int64_t)(p->o.interval * NSEC))
			wait = (int64_t)(p->o.interval * NSEC);
	}
	return now + wait;
}

static void wait_events(struct ping *p, int64_t now, int64_t next_send, int64_t exit_at)
{
	int64_t until = INT64_MAX;
	struct pollfd pfd = { .fd = p->fd, .events = POLLIN };
	struct timespec ts;

	if (may_send(p))
		until = next_send;
	if (exit_at && exit_at < until)
		until = exit_at;
	if (p->o.deadline && p->start + (int64_t)(p->o.deadline * NSEC) < until)
		until = p->start + (int64_t)(p->o.deadline * NSEC);
	if (until == INT64_MAX)
		until = now + NSEC;
	if (until < now)
		until = now;
	ts.tv_sec = (until - now) / NSEC;
	ts.tv_nsec = (until - now) % NSEC;
	if (ppoll(&pfd, 1, &ts, NULL) <= 0)
		return;
	if (pfd.revents & POLLERR)
		read_errqueue(p);
	if (pfd.revents & POLLIN)
		read_packets(p);
}

static void run(struct ping *p)
{
	int64_t interval = (int64_t)(p->o.interval * NSEC);
	int64_t next_send, exit_at = 0, now;

	p->start = p->last_send = next_send = clock_mono_ns();
	for (;;) {
		now = clock_mono_ns();
		if (finished(p, now, exit_at))
			break;
		if (may_send(p) && now >= next_send) {
			send_probe(p);
			next_send += interval;
			if (p->o.count && !p->o.deadline && p->st.ntransmitted >= p->o.count)
				exit_at = linger_until(p, now);
			now = clock_mono_ns();
		}
		/* Even when the next probe is already due (-i 0), take in what has arrived. */
		wait_events(p, now, next_send, exit_at);
	}
}

static int alloc_buffers(struct ping *p)
{
	p->sent_at = calloc(65536, sizeof(*p->sent_at));
	p->tx = malloc(ICMP_HDR_LEN + p->o.size);
	/* Room for the largest IPv4 header, ICMP header and payload, plus slack to detect a
	 * longer-than-sent reply. */
	p->rx_cap = 60 + ICMP_HDR_LEN + p->o.size + 64;
	p->rx = malloc(p->rx_cap);
	if (!p->sent_at || !p->tx || !p->rx) {
		cli_err(CMD, "out of memory");
		return -1;
	}
	return 0;
}

int cmd_ping(int argc, char **argv)
{
	struct ping *p;
	struct sigaction sa = { .sa_handler = ping_on_sigint };
	int rc = EXIT_ERROR;

	if (cli_wants_help(argc, argv)) {
		usage(stdout);
		return EXIT_OK;
	}
	p = calloc(1, sizeof(*p));
	if (!p) {
		cli_err(CMD, "out of memory");
		return EXIT_ERROR;
	}
	p->fd = -1;
	if (parse_args(argc, argv, &p->o) || privs_check(CMD, 0, &p->o.user) || resolve(p) ||
	    probe_route(p) || alloc_buffers(p) || open_socket(p) || setup_socket(p) ||
	    privs_drop(CMD, 0, &p->o.user))
		goto out;
	ping_stats_init(&p->st, p->o.size >= sizeof(struct timespec));
	ping_interrupted = 0;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	print_header(p);
	run(p);
	ping_print_summary(stdout, p->o.host, &p->st, (long)((p->last_send - p->start) / 1000),
			   p->o.interval == 0);
	fflush(stdout);
	rc = !p->st.nreceived || (p->o.deadline && p->st.nreceived < p->o.count) ? EXIT_NEGATIVE
										  : EXIT_OK;
out:
	if (p->fd >= 0)
		close(p->fd);
	free(p->sent_at);
	free(p->tx);
	free(p->rx);
	free(p);
	return rc;
}
