/* Route lookups over rtnetlink (RTM_GETROUTE): one destination, or a dump of local routes. */
#include "route.h"

#include <errno.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define ROUTE_BUF 32768

struct route_req {
	struct nlmsghdr nh;
	struct rtmsg rt;
	char attrs[64];
};

static int nl_open(void)
{
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };

	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

static int family_of(const struct in6_addr *a, const void **bytes, int *len)
{
	if (IN6_IS_ADDR_V4MAPPED(a)) {
		*bytes = &a->s6_addr[12];
		*len = 4;
		return AF_INET;
	}
	*bytes = a;
	*len = 16;
	return AF_INET6;
}

static void to_mapped(int family, const void *bytes, struct in6_addr *a)
{
	memset(a, 0, sizeof(*a));
	if (family == AF_INET) {
		a->s6_addr[10] = a->s6_addr[11] = 0xff;
		memcpy(&a->s6_addr[12], bytes, 4);
	} else {
		memcpy(a, bytes, 16);
	}
}

/* Calls fn for every RTM_NEWROUTE answering the request; stops at DONE or the first reply
 * of a non-dump request. */
static int nl_talk(struct route_req *req, int (*fn)(struct nlmsghdr *, void *), void *arg)
{
	int fd = nl_open(), err = 0;
	char *buf;
	bool dump = req->nh.nlmsg_flags & NLM_F_DUMP;

	if (fd < 0)
		return fd;
	buf = malloc(ROUTE_BUF);
	if (!buf) {
		close(fd);
		return -ENOMEM;
	}
	if (send(fd, req, req->nh.nlmsg_len, 0) < 0) {
		err = -errno;
		goto out;
	}
	for (;;) {
		ssize_t len = recv(fd, buf, ROUTE_BUF, 0);

		if (len < 0) {
			if (errno == EINTR)
				continue;
			err = -errno;
			goto out;
		}
		for (struct nlmsghdr *nh = (void *)buf; NLMSG_OK(nh, (size_t)len);
		     nh = NLMSG_NEXT(nh, len)) {
			if (nh->nlmsg_type == NLMSG_DONE)
				goto out;
			if (nh->nlmsg_type == NLMSG_ERROR) {
				struct nlmsgerr *e = NLMSG_DATA(nh);

				err = e->error;
				goto out;
			}
			if (nh->nlmsg_type == RTM_NEWROUTE) {
				err = fn(nh, arg);
				if (err || !dump)
					goto out;
			}
		}
	}
out:
	free(buf);
	close(fd);
	return err;
}

static void req_init(struct route_req *req, int family, int flags)
{
	memset(req, 0, sizeof(*req));
	req->nh.nlmsg_len = NLMSG_LENGTH(sizeof(struct rtmsg));
	req->nh.nlmsg_type = RTM_GETROUTE;
	req->nh.nlmsg_flags = NLM_F_REQUEST | flags;
	req->nh.nlmsg_seq = 1;
	req->rt.rtm_family = family;
}

struct lookup_ctx {
	unsigned int oif;
	bool local;
};

static int on_lookup(struct nlmsghdr *nh, void *arg)
{
	struct lookup_ctx *c = arg;
	struct rtmsg *rt = NLMSG_DATA(nh);
	int len = RTM_PAYLOAD(nh);

	c->local = rt->rtm_type == RTN_LOCAL;
	for (struct rtattr *a = RTM_RTA(rt); RTA_OK(a, len); a = RTA_NEXT(a, len))
		if (a->rta_type == RTA_OIF)
			memcpy(&c->oif, RTA_DATA(a), sizeof(c->oif));
	return 0;
}

int route_lookup(const struct in6_addr *dst, unsigned int *oif, bool *local)
{
	struct route_req req;
	struct lookup_ctx c = { 0 };
	struct rtattr *a;
	const void *bytes;
	int alen, family = family_of(dst, &bytes, &alen), err;

	req_init(&req, family, 0);
	req.rt.rtm_dst_len = alen * 8;
	a = (struct rtattr *)((char *)&req + NLMSG_ALIGN(req.nh.nlmsg_len));
	a->rta_type = RTA_DST;
	a->rta_len = RTA_LENGTH(alen);
	memcpy(RTA_DATA(a), bytes, alen);
	req.nh.nlmsg_len = NLMSG_ALIGN(req.nh.nlmsg_len) + RTA_ALIGN(a->rta_len);
	err = nl_talk(&req, on_lookup, &c);
	if (err)
		return err;
	*oif = c.oif;
	*local = c.local;
	return 0;
}

struct dump_ctx {
	struct route_local *r;
	size_t n, cap;
};

static int on_dump(struct nlmsghdr *nh, void *arg)
{
	struct dump_ctx *c = arg;
	struct rtmsg *rt = NLMSG_DATA(nh);
	int len = RTM_PAYLOAD(nh);
	struct route_local l = { 0 };
	char zero[16] = { 0 };

	if (rt->rtm_type != RTN_LOCAL)
		return 0;
	to_mapped(rt->rtm_family, zero, &l.prefix);
	for (struct rtattr *a = RTM_RTA(rt); RTA_OK(a, len); a = RTA_NEXT(a, len))
		if (a->rta_type == RTA_DST)
			to_mapped(rt->rtm_family, RTA_DATA(a), &l.prefix);
	l.len = rt->rtm_dst_len + (rt->rtm_family == AF_INET ? 96 : 0);
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 16;
		struct route_local *p = realloc(c->r, cap * sizeof(*p));

		if (!p)
			return -ENOMEM;
		c->r = p;
		c->cap = cap;
	}
	c->r[c->n++] = l;
	return 0;
}

int route_local_dump(struct route_local **out, size_t *n)
{
	static const int families[] = { AF_INET, AF_INET6 };
	struct dump_ctx c = { 0 };
	struct route_req req;

	for (int i = 0; i < 2; i++) {
		int err;

		req_init(&req, families[i], NLM_F_DUMP);
		err = nl_talk(&req, on_dump, &c);
		/* A kernel without IPv6 answers the IPv6 dump with an error: no local routes. */
		if (err && families[i] == AF_INET) {
			free(c.r);
			return err;
		}
	}
	*out = c.r;
	*n = c.n;
	return 0;
}

static bool prefix_match(const struct in6_addr *p, unsigned int len, const struct in6_addr *a)
{
	unsigned int bytes = len / 8, bits = len % 8;

	if (len > 128 || memcmp(p, a, bytes))
		return false;
	if (!bits)
		return true;
	return !((p->s6_addr[bytes] ^ a->s6_addr[bytes]) & (0xff << (8 - bits)));
}

bool route_is_local(const struct route_local *r, size_t n, const struct in6_addr *a)
{
	for (size_t i = 0; i < n; i++)
		if (prefix_match(&r[i].prefix, r[i].len, a))
			return true;
	return false;
}
