/* rtnetlink parsing on crafted messages with known contents, and live dumps and route lookups
 * inside a private network namespace made by the test itself. */
#include <criterion/criterion.h>
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <linux/if.h>
#include <linux/if_addr.h>
#include <linux/if_arp.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "netlink.h"
#include "route.h"

#define SEQ 4242

/* A message builder over an aligned buffer. */
struct msgbuf {
	_Alignas(8) char b[8192];
	size_t len;
	struct nlmsghdr *cur;
};

static void *mb_put(struct msgbuf *m, const void *data, size_t len)
{
	char *p = m->b + m->len;

	memset(p, 0, NLMSG_ALIGN(len));
	if (data)
		memcpy(p, data, len);
	m->len += NLMSG_ALIGN(len);
	if (m->cur)
		m->cur->nlmsg_len = (uint32_t)(m->b + m->len - (char *)m->cur);
	return p;
}

static void mb_msg(struct msgbuf *m, uint16_t type, uint32_t seq, uint16_t flags)
{
	struct nlmsghdr h = { .nlmsg_type = type, .nlmsg_seq = seq, .nlmsg_flags = flags };

	m->cur = NULL;
	m->cur = mb_put(m, &h, sizeof(h));
	m->cur->nlmsg_len = sizeof(h);
}

static void mb_attr(struct msgbuf *m, uint16_t type, const void *data, size_t len)
{
	struct rtattr *a = mb_put(m, NULL, RTA_LENGTH(len));

	a->rta_type = type;
	a->rta_len = (unsigned short)RTA_LENGTH(len);
	memcpy(RTA_DATA(a), data, len);
	/* mb_put aligned the whole attribute; RTA_LENGTH is what the kernel puts in rta_len. */
}

static void mb_link(struct msgbuf *m, uint32_t seq, int ifindex, unsigned int flags,
		    const char *name, uint32_t mtu)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_type = ARPHRD_ETHER,
				 .ifi_index = ifindex, .ifi_flags = flags };

	mb_msg(m, RTM_NEWLINK, seq, NLM_F_MULTI);
	mb_put(m, &ifi, sizeof(ifi));
	mb_attr(m, IFLA_IFNAME, name, strlen(name) + 1);
	mb_attr(m, IFLA_MTU, &mtu, sizeof(mtu));
}

static void mb_done(struct msgbuf *m, uint32_t seq)
{
	int zero = 0;

	mb_msg(m, NLMSG_DONE, seq, NLM_F_MULTI);
	mb_put(m, &zero, sizeof(zero));
}

Test(netlink, links_with_every_attribute)
{
	struct msgbuf m = { .len = 0 };
	struct netlink_links l = { 0 };
	const uint8_t mac[6] = { 0x02, 0x00, 0x5e, 0x10, 0x20, 0xff }, brd[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	struct rtnl_link_stats64 st = { .rx_packets = 1, .tx_packets = 2, .rx_bytes = 3000000000000ULL,
					.tx_bytes = 4, .rx_errors = 5, .tx_errors = 6,
					.rx_dropped = 7, .tx_dropped = 8 };
	uint8_t oper = IF_OPER_UP;
	uint32_t txq = 1000;

	mb_link(&m, SEQ, 7, IFF_UP | IFF_BROADCAST | IFF_RUNNING | IFF_LOWER_UP, "veth7", 9000);
	mb_attr(&m, IFLA_ADDRESS, mac, sizeof(mac));
	mb_attr(&m, IFLA_BROADCAST, brd, sizeof(brd));
	mb_attr(&m, IFLA_OPERSTATE, &oper, 1);
	mb_attr(&m, IFLA_TXQLEN, &txq, sizeof(txq));
	mb_attr(&m, IFLA_QDISC, "noqueue", 8);
	mb_attr(&m, IFLA_STATS64, &st, sizeof(st));
	mb_link(&m, SEQ, 8, 0, "x", 1500);
	mb_done(&m, SEQ);

	cr_assert_eq(netlink_parse_links(m.b, m.len, SEQ, &l), 1);
	cr_assert_eq(l.n, 2);
	cr_assert_eq(l.v[0].ifindex, 7);
	cr_assert_str_eq(l.v[0].ifname, "veth7");
	cr_assert_eq(l.v[0].mtu, 9000);
	cr_assert_eq(l.v[0].txqlen, 1000);
	cr_assert_str_eq(l.v[0].qdisc, "noqueue");
	cr_assert_eq(l.v[0].operstate, IF_OPER_UP);
	cr_assert_eq(l.v[0].addr_len, 6);
	cr_assert_arr_eq(l.v[0].addr, mac, 6);
	cr_assert_eq(l.v[0].brd_len, 6);
	cr_assert(l.v[0].has_stats);
	cr_assert_eq(l.v[0].stats.rx_bytes, 3000000000000ULL);
	cr_assert_eq(l.v[0].stats.rx_packets, 1);
	cr_assert_eq(l.v[0].stats.tx_packets, 2);
	cr_assert_eq(l.v[0].stats.tx_bytes, 4);
	cr_assert_eq(l.v[0].stats.rx_errors, 5);
	cr_assert_eq(l.v[0].stats.tx_errors, 6);
	cr_assert_eq(l.v[0].stats.rx_dropped, 7);
	cr_assert_eq(l.v[0].stats.tx_dropped, 8);
	cr_assert_eq(l.v[1].ifindex, 8);
	cr_assert_str_eq(l.v[1].ifname, "x");
	cr_assert_not(l.v[1].has_stats);
	cr_assert_not(l.v[1].has_operstate);
	cr_assert_eq(l.v[1].addr_len, 0);
	netlink_links_free(&l);
}

Test(netlink, many_links_across_datagrams)
{
	struct netlink_links l = { 0 };

	/* 300 links in 30 datagrams: the array grows past its first capacity. */
	for (int d = 0; d < 30; d++) {
		struct msgbuf m = { .len = 0 };
		char name[IF_NAMESIZE];

		for (int i = 0; i < 10; i++) {
			snprintf(name, sizeof(name), "v%d", d * 10 + i);
			mb_link(&m, SEQ, d * 10 + i + 1, 0, name, 1500);
		}
		if (d == 29)
			mb_done(&m, SEQ);
		cr_assert_eq(netlink_parse_links(m.b, m.len, SEQ, &l), d == 29 ? 1 : 0);
	}
	cr_assert_eq(l.n, 300);
	cr_assert_str_eq(l.v[299].ifname, "v299");
	cr_assert_eq(l.v[299].ifindex, 300);
	netlink_links_free(&l);
}

Test(netlink, long_name_is_truncated_and_unterminated_name_is_safe)
{
	struct msgbuf m = { .len = 0 };
	struct netlink_links l = { 0 };
	struct ifinfomsg ifi = { .ifi_index = 3 };

	mb_msg(&m, RTM_NEWLINK, SEQ, 0);
	mb_put(&m, &ifi, sizeof(ifi));
	mb_attr(&m, IFLA_IFNAME, "abcdefghijklmnopqrstuvwxyz", 26); /* no NUL */
	cr_assert_eq(netlink_parse_links(m.b, m.len, SEQ, &l), 0);
	cr_assert_eq(l.n, 1);
	cr_assert_str_eq(l.v[0].ifname, "abcdefghijklmno");
	netlink_links_free(&l);
}

Test(netlink, stats32_fallback)
{
	struct msgbuf m = { .len = 0 };
	struct netlink_links l = { 0 };
	struct rtnl_link_stats st = { .rx_packets = 11, .tx_bytes = 22, .rx_dropped = 33 };

	mb_link(&m, SEQ, 1, 0, "lo", 65536);
	mb_attr(&m, IFLA_STATS, &st, sizeof(st));
	cr_assert_eq(netlink_parse_links(m.b, m.len, SEQ, &l), 0);
	cr_assert(l.v[0].has_stats);
	cr_assert_eq(l.v[0].stats.rx_packets, 11);
	cr_assert_eq(l.v[0].stats.tx_bytes, 22);
	cr_assert_eq(l.v[0].stats.rx_dropped, 33);
	netlink_links_free(&l);
}

Test(netlink, other_sequence_numbers_are_ignored)
{
	struct msgbuf m = { .len = 0 };
	struct netlink_links l = { 0 };

	mb_link(&m, SEQ + 1, 1, 0, "stale", 1500);
	mb_done(&m, SEQ + 1);
	mb_link(&m, SEQ, 2, 0, "mine", 1500);
	cr_assert_eq(netlink_parse_links(m.b, m.len, SEQ, &l), 0);
	cr_assert_eq(l.n, 1);
	cr_assert_str_eq(l.v[0].ifname, "mine");
	netlink_links_free(&l);
}

Test(netlink, malformed_input_is_rejected)
{
	struct msgbuf m = { .len = 0 };
	struct netlink_links l = { 0 };

	mb_link(&m, SEQ, 1, 0, "a", 1500);
	/* Claims more bytes than were received. */
	cr_assert_eq(netlink_parse_links(m.b, m.len - 4, SEQ, &l), -EBADMSG);
	/* A length shorter than a header. */
	((struct nlmsghdr *)m.b)->nlmsg_len = 8;
	cr_assert_eq(netlink_parse_links(m.b, m.len, SEQ, &l), -EBADMSG);
	/* Too short for an ifinfomsg. */
	((struct nlmsghdr *)m.b)->nlmsg_len = NLMSG_LENGTH(4);
	cr_assert_eq(netlink_parse_links(m.b, NLMSG_LENGTH(4), SEQ, &l), -EBADMSG);
	/* Trailing bytes that are not a message. */
	m.len = 0;
	m.cur = NULL;
	mb_link(&m, SEQ, 1, 0, "a", 1500);
	cr_assert_eq(netlink_parse_links(m.b, m.len + 3, SEQ, &l), -EBADMSG);
	netlink_links_free(&l);
}

Test(netlink, kernel_error_and_interrupted_dump)
{
	struct msgbuf m = { .len = 0 };
	struct netlink_links l = { 0 };
	struct nlmsgerr e = { .error = -EPERM };

	mb_msg(&m, NLMSG_ERROR, SEQ, 0);
	mb_put(&m, &e, sizeof(e));
	cr_assert_eq(netlink_parse_links(m.b, m.len, SEQ, &l), -EPERM);
	m.len = 0;
	mb_msg(&m, RTM_NEWLINK, SEQ, NLM_F_MULTI | NLM_F_DUMP_INTR);
	mb_put(&m, &(struct ifinfomsg){ .ifi_index = 1 }, sizeof(struct ifinfomsg));
	mb_done(&m, SEQ);
	cr_assert_eq(netlink_parse_links(m.b, m.len, SEQ, &l), -EINTR);
	netlink_links_free(&l);
}

static void mb_addr(struct msgbuf *m, uint8_t family, int ifindex, uint8_t plen, uint8_t scope,
		    uint8_t flags)
{
	struct ifaddrmsg ifa = { .ifa_family = family, .ifa_prefixlen = plen, .ifa_flags = flags,
				 .ifa_scope = scope, .ifa_index = (uint32_t)ifindex };

	mb_msg(m, RTM_NEWADDR, SEQ, NLM_F_MULTI);
	mb_put(m, &ifa, sizeof(ifa));
}

Test(netlink, addresses)
{
	struct msgbuf m = { .len = 0 };
	struct netlink_addrs a = { 0 };
	struct in_addr v4, peer, brd;
	struct in6_addr v6;
	struct ifa_cacheinfo ci = { .ifa_prefered = 100, .ifa_valid = 200 };
	uint32_t flags = IFA_F_PERMANENT | IFA_F_NOPREFIXROUTE;

	inet_pton(AF_INET, "198.18.1.2", &v4);
	inet_pton(AF_INET, "198.18.1.9", &peer);
	inet_pton(AF_INET, "198.18.1.255", &brd);
	inet_pton(AF_INET6, "2001:db8::7", &v6);
	mb_addr(&m, AF_INET, 5, 24, RT_SCOPE_UNIVERSE, IFA_F_PERMANENT);
	mb_attr(&m, IFA_ADDRESS, &peer, 4);
	mb_attr(&m, IFA_LOCAL, &v4, 4);
	mb_attr(&m, IFA_BROADCAST, &brd, 4);
	mb_attr(&m, IFA_LABEL, "m0a", 4);
	mb_attr(&m, IFA_FLAGS, &flags, 4);
	mb_attr(&m, IFA_CACHEINFO, &ci, sizeof(ci));
	mb_addr(&m, AF_INET6, 6, 64, RT_SCOPE_LINK, IFA_F_NODAD);
	mb_attr(&m, IFA_ADDRESS, &v6, 16);
	mb_attr(&m, IFA_LOCAL, &v4, 4); /* wrong length for IPv6: ignored */
	mb_done(&m, SEQ);

	cr_assert_eq(netlink_parse_addrs(m.b, m.len, SEQ, &a), 1);
	cr_assert_eq(a.n, 2);
	cr_assert_eq(a.v[0].family, AF_INET);
	cr_assert_eq(a.v[0].ifindex, 5);
	cr_assert_eq(a.v[0].prefixlen, 24);
	cr_assert(a.v[0].has_local && a.v[0].has_address && a.v[0].has_broadcast);
	cr_assert_arr_eq(a.v[0].local, &v4, 4);
	cr_assert_arr_eq(a.v[0].address, &peer, 4);
	cr_assert_arr_eq(a.v[0].broadcast, &brd, 4);
	cr_assert_str_eq(a.v[0].label, "m0a");
	cr_assert_eq(a.v[0].flags, IFA_F_PERMANENT | IFA_F_NOPREFIXROUTE);
	cr_assert(a.v[0].has_cacheinfo);
	cr_assert_eq(a.v[0].valid_lft, 200);
	cr_assert_eq(a.v[0].preferred_lft, 100);
	cr_assert_eq(a.v[1].family, AF_INET6);
	cr_assert_eq(a.v[1].scope, RT_SCOPE_LINK);
	cr_assert_eq(a.v[1].flags, IFA_F_NODAD);
	cr_assert(a.v[1].has_address);
	cr_assert_not(a.v[1].has_local);
	cr_assert_arr_eq(a.v[1].address, &v6, 16);
	cr_assert_not(a.v[1].has_label);
	netlink_addrs_free(&a);
}

static void collect(const char *name, void *ctx)
{
	char *s = ctx;

	if (*s)
		strcat(s, ",");
	strcat(s, name);
}

static void expect_flags(unsigned int flags, const char *want)
{
	char s[256] = "";

	netlink_flag_names(flags, false, collect, s);
	cr_assert_str_eq(s, want);
}

Test(netlink, flag_names_as_ip_prints_them)
{
	expect_flags(IFF_UP | IFF_LOOPBACK | IFF_RUNNING | IFF_LOWER_UP, "LOOPBACK,UP,LOWER_UP");
	expect_flags(IFF_UP | IFF_BROADCAST | IFF_MULTICAST | IFF_RUNNING | IFF_LOWER_UP,
		     "BROADCAST,MULTICAST,UP,LOWER_UP");
	expect_flags(IFF_UP | IFF_BROADCAST | IFF_MULTICAST, "NO-CARRIER,BROADCAST,MULTICAST,UP");
	expect_flags(IFF_BROADCAST | IFF_MULTICAST, "BROADCAST,MULTICAST");
	expect_flags(IFF_POINTOPOINT | IFF_NOARP | IFF_UP | IFF_RUNNING | IFF_LOWER_UP,
		     "POINTOPOINT,NOARP,UP,LOWER_UP");
	expect_flags(IFF_BROADCAST | 0x800000, "BROADCAST,800000");
	expect_flags(0, "");
	{
		char s[64] = "";

		netlink_flag_names(IFF_BROADCAST | IFF_MULTICAST, true, collect, s);
		cr_assert_str_eq(s, "BROADCAST,MULTICAST,M-DOWN");
	}
}

Test(netlink, names)
{
	char buf[64];
	const uint8_t mac[6] = { 0x02, 0xab, 0, 1, 0x10, 0xff }, v4[4] = { 198, 18, 0, 1 };

	cr_assert_str_eq(netlink_operstate_name(IF_OPER_UP), "UP");
	cr_assert_str_eq(netlink_operstate_name(IF_OPER_LOWERLAYERDOWN), "LOWERLAYERDOWN");
	cr_assert_str_eq(netlink_operstate_name(99), "UNKNOWN");
	cr_assert_str_eq(netlink_scope_name(RT_SCOPE_UNIVERSE, buf, sizeof(buf)), "global");
	cr_assert_str_eq(netlink_scope_name(RT_SCOPE_HOST, buf, sizeof(buf)), "host");
	cr_assert_str_eq(netlink_scope_name(17, buf, sizeof(buf)), "17");
	cr_assert_str_eq(netlink_link_type_name(ARPHRD_ETHER, buf, sizeof(buf)), "ether");
	cr_assert_str_eq(netlink_link_type_name(ARPHRD_LOOPBACK, buf, sizeof(buf)), "loopback");
	cr_assert_str_eq(netlink_link_type_name(ARPHRD_NONE, buf, sizeof(buf)), "none");
	cr_assert_str_eq(netlink_link_type_name(4242, buf, sizeof(buf)), "[4242]");
	netlink_hwaddr_str(ARPHRD_ETHER, mac, 6, buf, sizeof(buf));
	cr_assert_str_eq(buf, "02:ab:00:01:10:ff");
	netlink_hwaddr_str(ARPHRD_TUNNEL, v4, 4, buf, sizeof(buf));
	cr_assert_str_eq(buf, "198.18.0.1");
	netlink_hwaddr_str(ARPHRD_ETHER, mac, 0, buf, sizeof(buf));
	cr_assert_str_eq(buf, "");
}

/* Live: a fresh network namespace has exactly one link, lo, down and without addresses. */
static void private_netns(void)
{
	cr_assert_eq(unshare(CLONE_NEWNET), 0, "unshare(CLONE_NEWNET): %s (tests run as root)",
		     strerror(errno));
}

static void lo_up(void)
{
	struct ifreq ifr = { 0 };
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	cr_assert_geq(fd, 0);
	strcpy(ifr.ifr_name, "lo");
	cr_assert_eq(ioctl(fd, SIOCGIFFLAGS, &ifr), 0);
	ifr.ifr_flags |= IFF_UP;
	cr_assert_eq(ioctl(fd, SIOCSIFFLAGS, &ifr), 0);
	close(fd);
}

Test(netlink, live_dump_in_fresh_namespace)
{
	struct netlink_links l;
	struct netlink_addrs a;

	private_netns();
	cr_assert_eq(netlink_dump_links(&l), 0);
	cr_assert_eq(l.n, 1);
	cr_assert_str_eq(l.v[0].ifname, "lo");
	cr_assert_eq(l.v[0].ifindex, 1);
	cr_assert_eq(l.v[0].type, ARPHRD_LOOPBACK);
	cr_assert_eq(l.v[0].flags & IFF_UP, 0);
	netlink_links_free(&l);
	cr_assert_eq(netlink_dump_addrs(AF_UNSPEC, &a), 0);
	cr_assert_eq(a.n, 0);
	netlink_addrs_free(&a);

	lo_up();
	cr_assert_eq(netlink_dump_addrs(AF_INET, &a), 0);
	cr_assert_eq(a.n, 1);
	cr_assert_eq(a.v[0].ifindex, 1);
	cr_assert_eq(a.v[0].prefixlen, 8);
	cr_assert_eq(a.v[0].scope, RT_SCOPE_HOST);
	cr_assert_arr_eq(a.v[0].local, ((uint8_t[]){ 127, 0, 0, 1 }), 4);
	netlink_addrs_free(&a);
}

Test(netlink, route_oif_in_fresh_namespace)
{
	struct sockaddr_in dst = { .sin_family = AF_INET };
	struct sockaddr_in6 dst6 = { .sin6_family = AF_INET6 };
	unsigned int oif = 0;

	private_netns();
	inet_pton(AF_INET, "127.0.0.1", &dst.sin_addr);
	cr_assert_eq(netlink_route_oif((struct sockaddr *)&dst, &oif), -ENETUNREACH);
	lo_up();
	cr_assert_eq(netlink_route_oif((struct sockaddr *)&dst, &oif), 0);
	cr_assert_eq(oif, 1);
	/* No route anywhere else in an empty namespace. */
	inet_pton(AF_INET, "198.18.0.1", &dst.sin_addr);
	cr_assert_eq(netlink_route_oif((struct sockaddr *)&dst, &oif), -ENETUNREACH);
	inet_pton(AF_INET6, "2001:db8::1", &dst6.sin6_addr);
	cr_assert_eq(netlink_route_oif((struct sockaddr *)&dst6, &oif), -ENETUNREACH);
	cr_assert_eq(netlink_route_oif((struct sockaddr *)&(struct sockaddr){ .sa_family = AF_UNIX }, &oif),
		     -EAFNOSUPPORT);
}

/* Expected values from `ip link set lo up; ip -j route show table all type local` in a fresh
 * namespace: 127.0.0.0/8 and 127.0.0.1 (IPv4), ::1 (IPv6), all on lo. */
Test(netlink, route_dump_and_get_in_fresh_namespace)
{
	static const uint8_t net[4] = { 127, 0, 0, 0 }, host[4] = { 127, 0, 0, 1 };
	struct sockaddr_in dst = { .sin_family = AF_INET };
	struct netlink_routes r;
	struct netlink_route one;
	size_t local = 0;

	private_netns();
	lo_up();
	cr_assert_eq(netlink_dump_routes(AF_INET, &r), 0);
	for (size_t i = 0; i < r.n; i++) {
		if (r.v[i].type != RTN_LOCAL)
			continue;
		cr_assert_eq(r.v[i].family, AF_INET);
		cr_assert(r.v[i].has_dst && r.v[i].has_oif);
		cr_assert_eq(r.v[i].oif, 1);
		if (r.v[i].dst_len == 8)
			cr_assert_arr_eq(r.v[i].dst, net, 4);
		else
			cr_assert(r.v[i].dst_len == 32 && !memcmp(r.v[i].dst, host, 4));
		local++;
	}
	cr_assert_eq(local, 2);
	netlink_routes_free(&r);
	cr_assert_eq(netlink_dump_routes(AF_INET6, &r), 0);
	local = 0;
	for (size_t i = 0; i < r.n; i++) {
		if (r.v[i].type != RTN_LOCAL)
			continue;
		cr_assert_eq(r.v[i].dst_len, 128);
		cr_assert(r.v[i].has_dst && !memcmp(r.v[i].dst, &in6addr_loopback, 16));
		local++;
	}
	cr_assert_eq(local, 1);
	netlink_routes_free(&r);

	inet_pton(AF_INET, "127.0.0.1", &dst.sin_addr);
	cr_assert_eq(netlink_route_get((struct sockaddr *)&dst, &one), 0);
	cr_assert_eq(one.type, RTN_LOCAL);
	cr_assert(one.has_oif);
	cr_assert_eq(one.oif, 1);
	inet_pton(AF_INET, "198.18.0.1", &dst.sin_addr);
	cr_assert_eq(netlink_route_get((struct sockaddr *)&dst, &one), -ENETUNREACH);
}

/* route.c on top: the same local routes, IPv4-mapped. */
Test(netlink, route_local_dump_and_lookup_in_fresh_namespace)
{
	struct in6_addr want[3], a;
	static const unsigned int want_len[3] = { 104, 128, 128 };
	struct route_local *loc;
	unsigned int oif = 0;
	bool local = false;
	size_t n;

	inet_pton(AF_INET6, "::ffff:127.0.0.0", &want[0]);
	inet_pton(AF_INET6, "::ffff:127.0.0.1", &want[1]);
	inet_pton(AF_INET6, "::1", &want[2]);
	private_netns();
	lo_up();
	cr_assert_eq(route_local_dump(&loc, &n), 0);
	cr_assert_eq(n, 3);
	for (int i = 0; i < 3; i++) {
		cr_assert_eq(loc[i].len, want_len[i]);
		cr_assert_arr_eq(&loc[i].prefix, &want[i], 16);
	}
	inet_pton(AF_INET6, "::ffff:127.1.2.3", &a);
	cr_assert(route_is_local(loc, n, &a));
	inet_pton(AF_INET6, "::ffff:198.18.0.1", &a);
	cr_assert_not(route_is_local(loc, n, &a));
	free(loc);
	inet_pton(AF_INET6, "::ffff:127.0.0.1", &a);
	cr_assert_eq(route_lookup(&a, &oif, &local), 0);
	cr_assert_eq(oif, 1);
	cr_assert(local);
	cr_assert_eq(route_lookup(&in6addr_loopback, &oif, &local), 0);
	cr_assert_eq(oif, 1);
	cr_assert(local);
	inet_pton(AF_INET6, "2001:db8::1", &a);
	cr_assert_eq(route_lookup(&a, &oif, &local), -ENETUNREACH);
}

/* Every truncation and thousands of random corruptions of a valid dump: the parsers must
 * return a defined result and never read outside the buffer (ASan checks that in test-asan). */
Test(netlink, corrupted_input_is_safe)
{
	struct msgbuf m = { .len = 0 }, c;
	struct in_addr v4;
	uint32_t mtu = 1500;

	inet_pton(AF_INET, "198.18.0.1", &v4);
	mb_link(&m, SEQ, 1, IFF_UP, "eth0", 1500);
	mb_attr(&m, IFLA_STATS64, &(struct rtnl_link_stats64){ .rx_packets = 1 },
		sizeof(struct rtnl_link_stats64));
	mb_attr(&m, IFLA_MTU, &mtu, sizeof(mtu));
	mb_addr(&m, AF_INET, 1, 24, 0, 0);
	mb_attr(&m, IFA_LOCAL, &v4, 4);
	mb_done(&m, SEQ);
	srand(1);
	for (size_t len = 0; len <= m.len; len++) {
		struct netlink_links l = { 0 };
		struct netlink_addrs a = { 0 };
		int r1 = netlink_parse_links(m.b, len, SEQ, &l), r2 = netlink_parse_addrs(m.b, len, SEQ, &a);

		cr_assert(r1 == 0 || r1 == 1 || r1 == -EBADMSG, "len %zu: %d", len, r1);
		cr_assert(r2 == 0 || r2 == 1 || r2 == -EBADMSG, "len %zu: %d", len, r2);
		netlink_links_free(&l);
		netlink_addrs_free(&a);
	}
	for (int round = 0; round < 5000; round++) {
		struct netlink_links l = { 0 };
		struct netlink_addrs a = { 0 };
		size_t len = (size_t)rand() % (m.len + 1);

		c = m;
		for (int k = 0; k < 1 + rand() % 4; k++)
			c.b[rand() % m.len] = (char)rand();
		cr_assert_leq(netlink_parse_links(c.b, len, SEQ, &l), 1);
		cr_assert_leq(netlink_parse_addrs(c.b, len, SEQ, &a), 1);
		for (size_t i = 0; i < l.n; i++)
			cr_assert_lt(strlen(l.v[i].ifname), IF_NAMESIZE);
		netlink_links_free(&l);
		netlink_addrs_free(&a);
	}
}
