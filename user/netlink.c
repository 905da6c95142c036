/* rtnetlink dumps (links, addresses) read with a receive buffer sized to each datagram, the
 * parsing of received bytes into plain structs, and single-destination route lookups. */
#include "netlink.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/if.h>
#include <linux/if_arp.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Dumps that the kernel marks inconsistent (NLM_F_DUMP_INTR) are retried this many times. */
#define NETLINK_DUMP_TRIES 5

static int netlink_grow(void **v, size_t *cap, size_t n, size_t size)
{
	size_t ncap;
	void *nv;

	if (n < *cap)
		return 0;
	ncap = *cap ? *cap * 2 : 16;
	nv = realloc(*v, ncap * size);
	if (!nv)
		return -ENOMEM;
	*v = nv;
	*cap = ncap;
	return 0;
}

/* Copies a string attribute, stopping at its NUL, truncating to the destination. */
static void netlink_attr_str(const struct rtattr *a, char *dst, size_t dlen)
{
	size_t len = RTA_PAYLOAD(a);
	const char *s = RTA_DATA(a);
	size_t n = strnlen(s, len);

	if (n >= dlen)
		n = dlen - 1;
	memcpy(dst, s, n);
	dst[n] = '\0';
}

static uint32_t netlink_attr_u32(const struct rtattr *a)
{
	uint32_t v = 0;

	if (RTA_PAYLOAD(a) >= sizeof(v))
		memcpy(&v, RTA_DATA(a), sizeof(v));
	return v;
}

static void netlink_link_stats(struct netlink_link *l, const struct rtattr *a)
{
	struct rtnl_link_stats64 s64 = { 0 };
	struct rtnl_link_stats s32 = { 0 };
	size_t plen = RTA_PAYLOAD(a);

	if (a->rta_type == IFLA_STATS64) {
		memcpy(&s64, RTA_DATA(a), plen < sizeof(s64) ? plen : sizeof(s64));
	} else {
		if (l->has_stats) /* IFLA_STATS64 already seen: it is the exact one */
			return;
		memcpy(&s32, RTA_DATA(a), plen < sizeof(s32) ? plen : sizeof(s32));
		s64.rx_packets = s32.rx_packets, s64.tx_packets = s32.tx_packets;
		s64.rx_bytes = s32.rx_bytes, s64.tx_bytes = s32.tx_bytes;
		s64.rx_errors = s32.rx_errors, s64.tx_errors = s32.tx_errors;
		s64.rx_dropped = s32.rx_dropped, s64.tx_dropped = s32.tx_dropped;
	}
	l->stats = (struct netlink_stats){
		.rx_packets = s64.rx_packets, .tx_packets = s64.tx_packets,
		.rx_bytes = s64.rx_bytes, .tx_bytes = s64.tx_bytes,
		.rx_errors = s64.rx_errors, .tx_errors = s64.tx_errors,
		.rx_dropped = s64.rx_dropped, .tx_dropped = s64.tx_dropped,
	};
	l->has_stats = true;
}

static void netlink_hw_attr(const struct rtattr *a, uint8_t *dst, size_t *len)
{
	size_t n = RTA_PAYLOAD(a);

	if (n > NETLINK_HWADDR_MAX)
		n = NETLINK_HWADDR_MAX;
	memcpy(dst, RTA_DATA(a), n);
	*len = n;
}

static int netlink_parse_link(const struct nlmsghdr *h, struct netlink_link *l)
{
	const struct ifinfomsg *ifi = NLMSG_DATA(h);
	const struct rtattr *a;
	int alen;

	if (h->nlmsg_len < NLMSG_LENGTH(sizeof(*ifi)))
		return -EBADMSG;
	memset(l, 0, sizeof(*l));
	l->ifindex = (unsigned int)ifi->ifi_index;
	l->flags = ifi->ifi_flags;
	l->type = ifi->ifi_type;
	alen = (int)(h->nlmsg_len - NLMSG_LENGTH(sizeof(*ifi)));
	for (a = IFLA_RTA(ifi); RTA_OK(a, alen); a = RTA_NEXT(a, alen)) {
		switch (a->rta_type) {
		case IFLA_IFNAME:
			netlink_attr_str(a, l->ifname, sizeof(l->ifname));
			break;
		case IFLA_QDISC:
			netlink_attr_str(a, l->qdisc, sizeof(l->qdisc));
			l->has_qdisc = true;
			break;
		case IFLA_MTU:
			l->mtu = netlink_attr_u32(a);
			l->has_mtu = true;
			break;
		case IFLA_GROUP:
			l->group = netlink_attr_u32(a);
			l->has_group = true;
			break;
		case IFLA_LINK:
			l->link = netlink_attr_u32(a);
			l->has_link = true;
			break;
		case IFLA_MASTER:
			l->master = netlink_attr_u32(a);
			l->has_master = true;
			break;
		case IFLA_LINK_NETNSID:
			l->link_netnsid = (int32_t)netlink_attr_u32(a);
			l->has_link_netnsid = true;
			break;
		case IFLA_TXQLEN:
			l->txqlen = netlink_attr_u32(a);
			l->has_txqlen = true;
			break;
		case IFLA_OPERSTATE:
			if (RTA_PAYLOAD(a) >= 1) {
				l->operstate = *(const uint8_t *)RTA_DATA(a);
				l->has_operstate = true;
			}
			break;
		case IFLA_ADDRESS:
			netlink_hw_attr(a, l->addr, &l->addr_len);
			break;
		case IFLA_BROADCAST:
			netlink_hw_attr(a, l->brd, &l->brd_len);
			break;
		case IFLA_STATS64:
		case IFLA_STATS:
			netlink_link_stats(l, a);
			break;
		}
	}
	return 0;
}

/* Copies an IFA_* address attribute if its length matches the family. */
static bool netlink_ip_attr(const struct rtattr *a, uint8_t family, uint8_t *dst)
{
	size_t want = family == AF_INET ? 4 : family == AF_INET6 ? 16 : 0;

	if (!want || RTA_PAYLOAD(a) != want)
		return false;
	memcpy(dst, RTA_DATA(a), want);
	return true;
}

static int netlink_parse_addr(const struct nlmsghdr *h, struct netlink_addr *ad)
{
	const struct ifaddrmsg *ifa = NLMSG_DATA(h);
	const struct rtattr *a;
	struct ifa_cacheinfo ci;
	int alen;

	if (h->nlmsg_len < NLMSG_LENGTH(sizeof(*ifa)))
		return -EBADMSG;
	memset(ad, 0, sizeof(*ad));
	ad->ifindex = ifa->ifa_index;
	ad->family = ifa->ifa_family;
	ad->prefixlen = ifa->ifa_prefixlen;
	ad->scope = ifa->ifa_scope;
	ad->flags = ifa->ifa_flags;
	alen = (int)(h->nlmsg_len - NLMSG_LENGTH(sizeof(*ifa)));
	for (a = IFA_RTA(ifa); RTA_OK(a, alen); a = RTA_NEXT(a, alen)) {
		switch (a->rta_type) {
		case IFA_LOCAL:
			ad->has_local = netlink_ip_attr(a, ad->family, ad->local);
			break;
		case IFA_ADDRESS:
			ad->has_address = netlink_ip_attr(a, ad->family, ad->address);
			break;
		case IFA_BROADCAST:
			ad->has_broadcast = netlink_ip_attr(a, ad->family, ad->broadcast);
			break;
		case IFA_LABEL:
			netlink_attr_str(a, ad->label, sizeof(ad->label));
			ad->has_label = true;
			break;
		case IFA_FLAGS:
			/* The 8-bit ifa_flags cannot hold the newer flags; this can. */
			if (RTA_PAYLOAD(a) >= 4)
				ad->flags = netlink_attr_u32(a);
			break;
		case IFA_CACHEINFO:
			if (RTA_PAYLOAD(a) >= sizeof(ci)) {
				memcpy(&ci, RTA_DATA(a), sizeof(ci));
				ad->valid_lft = ci.ifa_valid;
				ad->preferred_lft = ci.ifa_prefered;
				ad->has_cacheinfo = true;
			}
			break;
		}
	}
	return 0;
}

/* Walks the messages of one datagram; calls one(h, out) for each message of type want. */
static int netlink_walk(const void *buf, size_t len, uint32_t seq, uint16_t want,
			int (*one)(const struct nlmsghdr *h, void *out), void *out)
{
	const char *p = buf;
	bool intr = false;
	size_t off = 0;

	while (len - off >= sizeof(struct nlmsghdr)) {
		const struct nlmsghdr *h = (const void *)(p + off);
		int err;

		if (h->nlmsg_len < sizeof(*h) || h->nlmsg_len > len - off)
			return -EBADMSG;
		off += NLMSG_ALIGN(h->nlmsg_len) < len - off ? NLMSG_ALIGN(h->nlmsg_len) : len - off;
		if (h->nlmsg_seq != seq)
			continue;
		if (h->nlmsg_flags & NLM_F_DUMP_INTR)
			intr = true;
		if (h->nlmsg_type == NLMSG_DONE)
			return intr ? -EINTR : 1;
		if (h->nlmsg_type == NLMSG_ERROR) {
			const struct nlmsgerr *e = NLMSG_DATA(h);

			if (h->nlmsg_len < NLMSG_LENGTH(sizeof(*e)))
				return -EBADMSG;
			return e->error ? (e->error < 0 ? e->error : -EBADMSG) : 1;
		}
		if (h->nlmsg_type != want)
			continue;
		err = one(h, out);
		if (err < 0)
			return err;
	}
	if (off != len)
		return -EBADMSG;
	return intr ? -EINTR : 0;
}

static int netlink_one_link(const struct nlmsghdr *h, void *out)
{
	struct netlink_links *l = out;
	int err = netlink_grow((void **)&l->v, &l->cap, l->n, sizeof(*l->v));

	if (err)
		return err;
	err = netlink_parse_link(h, &l->v[l->n]);
	if (err)
		return err;
	l->n++;
	return 0;
}

static int netlink_one_addr(const struct nlmsghdr *h, void *out)
{
	struct netlink_addrs *a = out;
	int err = netlink_grow((void **)&a->v, &a->cap, a->n, sizeof(*a->v));

	if (err)
		return err;
	err = netlink_parse_addr(h, &a->v[a->n]);
	if (err)
		return err;
	a->n++;
	return 0;
}

static int netlink_parse_route(const struct nlmsghdr *h, struct netlink_route *r)
{
	const struct rtmsg *rtm = NLMSG_DATA(h);
	const struct rtattr *a;
	int alen;

	if (h->nlmsg_len < NLMSG_LENGTH(sizeof(*rtm)))
		return -EBADMSG;
	memset(r, 0, sizeof(*r));
	r->family = rtm->rtm_family;
	r->type = rtm->rtm_type;
	r->dst_len = rtm->rtm_dst_len;
	alen = (int)(h->nlmsg_len - NLMSG_LENGTH(sizeof(*rtm)));
	for (a = RTM_RTA(rtm); RTA_OK(a, alen); a = RTA_NEXT(a, alen)) {
		if (a->rta_type == RTA_DST) {
			r->has_dst = netlink_ip_attr(a, r->family, r->dst);
		} else if (a->rta_type == RTA_OIF && RTA_PAYLOAD(a) >= 4) {
			r->oif = netlink_attr_u32(a);
			r->has_oif = true;
		} else if (a->rta_type == RTA_GATEWAY) {
			r->has_gateway = netlink_ip_attr(a, r->family, r->gateway);
		} else if (a->rta_type == RTA_PREFSRC) {
			r->has_prefsrc = netlink_ip_attr(a, r->family, r->prefsrc);
		}
	}
	return 0;
}

static int netlink_one_route(const struct nlmsghdr *h, void *out)
{
	struct netlink_routes *r = out;
	int err = netlink_grow((void **)&r->v, &r->cap, r->n, sizeof(*r->v));

	if (err)
		return err;
	err = netlink_parse_route(h, &r->v[r->n]);
	if (err)
		return err;
	r->n++;
	return 0;
}

int netlink_parse_links(const void *buf, size_t len, uint32_t seq, struct netlink_links *out)
{
	return netlink_walk(buf, len, seq, RTM_NEWLINK, netlink_one_link, out);
}

int netlink_parse_addrs(const void *buf, size_t len, uint32_t seq, struct netlink_addrs *out)
{
	return netlink_walk(buf, len, seq, RTM_NEWADDR, netlink_one_addr, out);
}

int netlink_parse_routes(const void *buf, size_t len, uint32_t seq, struct netlink_routes *out)
{
	return netlink_walk(buf, len, seq, RTM_NEWROUTE, netlink_one_route, out);
}

static int netlink_open(void)
{
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	int one = 1;

	if (fd < 0)
		return -errno;
	/* Strict checking: the kernel rejects a malformed request instead of guessing. */
	setsockopt(fd, SOL_NETLINK, NETLINK_GET_STRICT_CHK, &one, sizeof(one));
	return fd;
}

/* Receives one datagram from the kernel into *buf, growing it to the datagram's size. */
static ssize_t netlink_recv(int fd, void **buf, size_t *cap)
{
	struct sockaddr_nl from;
	socklen_t flen = sizeof(from);
	ssize_t n;

	for (;;) {
		n = recv(fd, NULL, 0, MSG_PEEK | MSG_TRUNC);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if ((size_t)n > *cap) {
			void *nb = realloc(*buf, (size_t)n);

			if (!nb)
				return -ENOMEM;
			*buf = nb;
			*cap = (size_t)n;
		}
		n = recvfrom(fd, *buf, *cap, 0, (struct sockaddr *)&from, &flen);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (from.nl_pid != 0) /* not from the kernel */
			continue;
		return n;
	}
}

/* Sends req and reads the answer until the kernel ends it, feeding each datagram to parse. */
static int netlink_exchange(void *req, size_t len,
			    int (*parse)(const void *, size_t, uint32_t, void *), void *out)
{
	struct nlmsghdr *h = req;
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	void *buf = NULL;
	size_t cap = 0;
	int fd, err;

	fd = netlink_open();
	if (fd < 0)
		return fd;
	h->nlmsg_seq = (uint32_t)time(NULL);
	if (sendto(fd, req, len, 0, (struct sockaddr *)&kernel, sizeof(kernel)) < 0) {
		err = -errno;
		goto out;
	}
	do {
		ssize_t n = netlink_recv(fd, &buf, &cap);

		if (n < 0) {
			err = (int)n;
			goto out;
		}
		err = parse(buf, (size_t)n, h->nlmsg_seq, out);
	} while (err == 0);
	if (err == 1)
		err = 0;
out:
	free(buf);
	close(fd);
	return err;
}

static int netlink_parse_links_v(const void *b, size_t n, uint32_t seq, void *out)
{
	return netlink_parse_links(b, n, seq, out);
}

static int netlink_parse_addrs_v(const void *b, size_t n, uint32_t seq, void *out)
{
	return netlink_parse_addrs(b, n, seq, out);
}

static int netlink_parse_routes_v(const void *b, size_t n, uint32_t seq, void *out)
{
	return netlink_parse_routes(b, n, seq, out);
}

/* Dumps message type of family into out (a netlink_links/addrs/routes, whose n is reset for
 * each try), retrying dumps the kernel marks inconsistent. body_len is the size of the type's
 * family message (ifinfomsg, ifaddrmsg, rtmsg: each starts with its family byte). */
static int netlink_dump(uint16_t type, uint8_t family, size_t body_len,
			int (*parse)(const void *, size_t, uint32_t, void *), void *out, size_t *n)
{
	struct {
		struct nlmsghdr h;
		union {
			struct ifinfomsg ifi;
			struct ifaddrmsg ifa;
			struct rtmsg rtm;
		};
	} req;
	int err = -EINTR;

	for (int i = 0; i < NETLINK_DUMP_TRIES && err == -EINTR; i++) {
		memset(&req, 0, sizeof(req));
		req.h.nlmsg_len = NLMSG_LENGTH(body_len);
		req.h.nlmsg_type = type;
		req.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
		*(uint8_t *)NLMSG_DATA(&req.h) = family;
		*n = 0;
		err = netlink_exchange(&req, req.h.nlmsg_len, parse, out);
	}
	return err;
}

int netlink_dump_links(struct netlink_links *out)
{
	int err;

	memset(out, 0, sizeof(*out));
	err = netlink_dump(RTM_GETLINK, AF_UNSPEC, sizeof(struct ifinfomsg), netlink_parse_links_v,
			   out, &out->n);
	if (err)
		netlink_links_free(out);
	return err;
}

int netlink_dump_addrs(int family, struct netlink_addrs *out)
{
	int err;

	memset(out, 0, sizeof(*out));
	err = netlink_dump(RTM_GETADDR, (uint8_t)family, sizeof(struct ifaddrmsg),
			   netlink_parse_addrs_v, out, &out->n);
	if (err)
		netlink_addrs_free(out);
	return err;
}

int netlink_dump_routes(int family, struct netlink_routes *out)
{
	int err;

	memset(out, 0, sizeof(*out));
	err = netlink_dump(RTM_GETROUTE, (uint8_t)family, sizeof(struct rtmsg),
			   netlink_parse_routes_v, out, &out->n);
	if (err)
		netlink_routes_free(out);
	return err;
}

void netlink_links_free(struct netlink_links *l)
{
	free(l->v);
	memset(l, 0, sizeof(*l));
}

void netlink_addrs_free(struct netlink_addrs *a)
{
	free(a->v);
	memset(a, 0, sizeof(*a));
}

void netlink_routes_free(struct netlink_routes *r)
{
	free(r->v);
	memset(r, 0, sizeof(*r));
}

/* The answer to a single-destination request is one RTM_NEWROUTE without NLMSG_DONE. */
static int netlink_parse_route_get(const void *b, size_t n, uint32_t seq, void *out)
{
	struct netlink_routes *r = out;
	int err = netlink_parse_routes(b, n, seq, r);

	return err == 0 && r->n ? 1 : err;
}

int netlink_route_get(const struct sockaddr *dst, struct netlink_route *out)
{
	struct {
		struct nlmsghdr h;
		struct rtmsg rtm;
		char attrs[RTA_SPACE(16)];
	} req;
	struct rtattr *a = (struct rtattr *)req.attrs;
	struct netlink_routes r = { 0 };
	const void *addr;
	size_t alen;
	int err;

	if (dst->sa_family == AF_INET) {
		addr = &((const struct sockaddr_in *)dst)->sin_addr;
		alen = 4;
	} else if (dst->sa_family == AF_INET6) {
		addr = &((const struct sockaddr_in6 *)dst)->sin6_addr;
		alen = 16;
	} else {
		return -EAFNOSUPPORT;
	}
	memset(&req, 0, sizeof(req));
	req.h.nlmsg_len = NLMSG_LENGTH(sizeof(req.rtm)) + RTA_SPACE(alen);
	req.h.nlmsg_type = RTM_GETROUTE;
	req.h.nlmsg_flags = NLM_F_REQUEST;
	req.rtm.rtm_family = dst->sa_family;
	req.rtm.rtm_dst_len = (unsigned char)(alen * 8);
	a->rta_type = RTA_DST;
	a->rta_len = (unsigned short)RTA_LENGTH(alen);
	memcpy(RTA_DATA(a), addr, alen);
	err = netlink_exchange(&req, req.h.nlmsg_len, netlink_parse_route_get, &r);
	if (!err)
		*out = r.v[0];
	netlink_routes_free(&r);
	/* The kernel answers "no route" with an error message. */
	if (err == -EHOSTUNREACH || err == -ENETUNREACH)
		return -ENETUNREACH;
	return err;
}

int netlink_route_oif(const struct sockaddr *dst, unsigned int *oif)
{
	struct netlink_route r;
	int err = netlink_route_get(dst, &r);

	if (err)
		return err;
	if (!r.has_oif)
		return -ENETUNREACH;
	*oif = r.oif;
	return 0;
}

struct netlink_neigh {
	bool found;
	uint16_t state;
	uint8_t lladdr[NETLINK_HWADDR_MAX];
	size_t lladdr_len;
};

static int netlink_one_neigh(const struct nlmsghdr *h, void *out)
{
	const struct ndmsg *ndm = NLMSG_DATA(h);
	struct netlink_neigh *n = out;
	const struct rtattr *a;
	int alen;

	if (h->nlmsg_len < NLMSG_LENGTH(sizeof(*ndm)))
		return -EBADMSG;
	n->found = true;
	n->state = ndm->ndm_state;
	alen = (int)(h->nlmsg_len - NLMSG_LENGTH(sizeof(*ndm)));
	for (a = (const struct rtattr *)((const char *)ndm + NLMSG_ALIGN(sizeof(*ndm)));
	     RTA_OK(a, alen); a = RTA_NEXT(a, alen))
		if (a->rta_type == NDA_LLADDR)
			netlink_hw_attr(a, n->lladdr, &n->lladdr_len);
	return 0;
}

/* The answer to a single-entry request is one RTM_NEWNEIGH without NLMSG_DONE. */
static int netlink_parse_neigh_get(const void *b, size_t n, uint32_t seq, void *out)
{
	int err = netlink_walk(b, n, seq, RTM_NEWNEIGH, netlink_one_neigh, out);

	return err == 0 && ((struct netlink_neigh *)out)->found ? 1 : err;
}

int netlink_neigh_get(unsigned int ifindex, int family, const void *addr, uint8_t *lladdr,
		      size_t *lladdr_len, uint16_t *state)
{
	struct {
		struct nlmsghdr h;
		struct ndmsg ndm;
		char attrs[RTA_SPACE(16)];
	} req;
	struct rtattr *a = (struct rtattr *)req.attrs;
	struct netlink_neigh n = { 0 };
	size_t alen = family == AF_INET ? 4 : 16;
	int err;

	memset(&req, 0, sizeof(req));
	req.h.nlmsg_len = NLMSG_LENGTH(sizeof(req.ndm)) + RTA_SPACE(alen);
	req.h.nlmsg_type = RTM_GETNEIGH;
	req.h.nlmsg_flags = NLM_F_REQUEST;
	req.ndm.ndm_family = (uint8_t)family;
	req.ndm.ndm_ifindex = (int)ifindex;
	a->rta_type = NDA_DST;
	a->rta_len = (unsigned short)RTA_LENGTH(alen);
	memcpy(RTA_DATA(a), addr, alen);
	err = netlink_exchange(&req, req.h.nlmsg_len, netlink_parse_neigh_get, &n);
	if (err)
		return err;
	memcpy(lladdr, n.lladdr, n.lladdr_len);
	*lladdr_len = n.lladdr_len;
	*state = n.state;
	return 0;
}

const char *netlink_operstate_name(uint8_t operstate)
{
	static const char *const names[] = {
		"UNKNOWN", "NOTPRESENT", "DOWN", "LOWERLAYERDOWN", "TESTING", "DORMANT", "UP",
	};

	return operstate < sizeof(names) / sizeof(names[0]) ? names[operstate] : "UNKNOWN";
}

const char *netlink_scope_name(uint8_t scope, char *buf, size_t len)
{
	switch (scope) {
	case RT_SCOPE_UNIVERSE:
		return "global";
	case RT_SCOPE_SITE:
		return "site";
	case RT_SCOPE_LINK:
		return "link";
	case RT_SCOPE_HOST:
		return "host";
	case RT_SCOPE_NOWHERE:
		return "nowhere";
	}
	snprintf(buf, len, "%u", scope);
	return buf;
}

const char *netlink_link_type_name(unsigned short type, char *buf, size_t len)
{
	static const struct {
		unsigned short type;
		const char *name;
	} names[] = {
		{ ARPHRD_ETHER, "ether" }, { ARPHRD_LOOPBACK, "loopback" }, { ARPHRD_NONE, "none" },
		{ ARPHRD_VOID, "void" }, { ARPHRD_TUNNEL, "ipip" }, { ARPHRD_TUNNEL6, "tunnel6" },
		{ ARPHRD_SIT, "sit" }, { ARPHRD_IPGRE, "gre" }, { ARPHRD_IP6GRE, "gre6" },
		{ ARPHRD_PPP, "ppp" }, { ARPHRD_INFINIBAND, "infiniband" }, { ARPHRD_CAN, "can" },
		{ ARPHRD_IEEE80211, "ieee802.11" },
		{ ARPHRD_IEEE80211_RADIOTAP, "ieee802.11/radiotap" },
		{ ARPHRD_IEEE802154, "ieee802.15.4" }, { ARPHRD_NETLINK, "netlink" },
		{ ARPHRD_6LOWPAN, "6lowpan" }, { ARPHRD_SLIP, "slip" }, { ARPHRD_IEEE802, "ieee802" },
		{ ARPHRD_FDDI, "fddi" }, { ARPHRD_PHONET, "phonet" }, { ARPHRD_CAIF, "caif" },
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].type == type)
			return names[i].name;
	snprintf(buf, len, "[%u]", type);
	return buf;
}

void netlink_hwaddr_str(unsigned short type, const uint8_t *a, size_t len, char *buf, size_t blen)
{
	size_t off = 0;

	buf[0] = '\0';
	/* IP tunnels carry IP addresses as their link-layer address; ip prints them as such. */
	if (len == 4 && (type == ARPHRD_TUNNEL || type == ARPHRD_SIT || type == ARPHRD_IPGRE)) {
		inet_ntop(AF_INET, a, buf, (socklen_t)blen);
		return;
	}
	if (len == 16 && (type == ARPHRD_TUNNEL6 || type == ARPHRD_IP6GRE)) {
		inet_ntop(AF_INET6, a, buf, (socklen_t)blen);
		return;
	}
	for (size_t i = 0; i < len && off + 4 <= blen; i++)
		off += (size_t)snprintf(buf + off, blen - off, i ? ":%02x" : "%02x", a[i]);
}

void netlink_flag_names(unsigned int flags, bool mdown, void (*fn)(const char *name, void *ctx),
			void *ctx)
{
	static const struct {
		unsigned int flag;
		const char *name;
	} names[] = {
		{ IFF_LOOPBACK, "LOOPBACK" }, { IFF_BROADCAST, "BROADCAST" },
		{ IFF_POINTOPOINT, "POINTOPOINT" }, { IFF_MULTICAST, "MULTICAST" },
		{ IFF_NOARP, "NOARP" }, { IFF_ALLMULTI, "ALLMULTI" }, { IFF_PROMISC, "PROMISC" },
		{ IFF_MASTER, "MASTER" }, { IFF_SLAVE, "SLAVE" }, { IFF_DEBUG, "DEBUG" },
		{ IFF_DYNAMIC, "DYNAMIC" }, { IFF_AUTOMEDIA, "AUTOMEDIA" }, { IFF_PORTSEL, "PORTSEL" },
		{ IFF_NOTRAILERS, "NOTRAILERS" }, { IFF_UP, "UP" }, { IFF_LOWER_UP, "LOWER_UP" },
		{ IFF_DORMANT, "DORMANT" }, { IFF_ECHO, "ECHO" },
	};
	char hex[16];

	/* ip's rule: "up but not running" is NO-CARRIER, and RUNNING itself is never shown. */
	if ((flags & IFF_UP) && !(flags & IFF_RUNNING))
		fn("NO-CARRIER", ctx);
	flags &= ~(unsigned int)IFF_RUNNING;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (flags & names[i].flag) {
			fn(names[i].name, ctx);
			flags &= ~names[i].flag;
		}
	}
	if (flags) {
		snprintf(hex, sizeof(hex), "%x", flags);
		fn(hex, ctx);
	}
	if (mdown)
		fn("M-DOWN", ctx);
}
