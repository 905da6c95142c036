/* rtnetlink readers: link and address dumps (any number of interfaces) and route lookups. */
#ifndef XDPSCOPE_NETLINK_H
#define XDPSCOPE_NETLINK_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define NETLINK_HWADDR_MAX 32

struct netlink_stats {
	uint64_t rx_packets, tx_packets, rx_bytes, tx_bytes;
	uint64_t rx_errors, tx_errors, rx_dropped, tx_dropped;
};

/* One RTM_NEWLINK message. has_* say whether the kernel sent the attribute. */
struct netlink_link {
	unsigned int ifindex;
	unsigned int flags; /* IFF_*, including IFF_LOWER_UP and IFF_DORMANT */
	unsigned short type; /* ARPHRD_* */
	char ifname[IF_NAMESIZE];
	char qdisc[32];
	uint32_t mtu, txqlen, group;
	uint32_t link;        /* IFLA_LINK: the lower or peer device's ifindex */
	uint32_t master;      /* IFLA_MASTER: bridge or bond ifindex */
	int32_t link_netnsid; /* IFLA_LINK_NETNSID: the namespace that link lives in */
	uint8_t operstate;    /* IF_OPER_* */
	bool has_mtu, has_txqlen, has_operstate, has_qdisc, has_stats, has_group;
	bool has_link, has_master, has_link_netnsid;
	size_t addr_len, brd_len; /* 0 when absent */
	uint8_t addr[NETLINK_HWADDR_MAX], brd[NETLINK_HWADDR_MAX];
	struct netlink_stats stats;
};

/* One RTM_NEWADDR message. */
struct netlink_addr {
	unsigned int ifindex;
	uint8_t family, prefixlen, scope;
	uint32_t flags; /* IFA_F_*, from IFA_FLAGS when present */
	bool has_local, has_address, has_broadcast, has_label, has_cacheinfo;
	uint8_t local[16], address[16], broadcast[16];
	char label[IF_NAMESIZE];
	uint32_t valid_lft, preferred_lft;
};

/* One RTM_NEWROUTE message: the parts route users need. */
struct netlink_route {
	uint8_t family, type, dst_len; /* rtm_family, rtm_type (RTN_*), rtm_dst_len */
	bool has_dst, has_oif, has_gateway, has_prefsrc;
	uint8_t dst[16];	       /* RTA_DST: 4 bytes for AF_INET */
	unsigned int oif;	       /* RTA_OIF */
	uint8_t gateway[16];	       /* RTA_GATEWAY: the next hop, when not on-link */
	uint8_t prefsrc[16];	       /* RTA_PREFSRC: the source address the kernel would use */
};

struct netlink_links {
	struct netlink_link *v;
	size_t n, cap;
};

struct netlink_addrs {
	struct netlink_addr *v;
	size_t n, cap;
};

struct netlink_routes {
	struct netlink_route *v;
	size_t n, cap;
};

/* Pure parsers of one received datagram (any number of netlink messages): they append the
 * RTM_NEWLINK / RTM_NEWADDR / RTM_NEWROUTE messages whose sequence number is seq to out. Return 1 when the
 * datagram ends the dump (NLMSG_DONE), 0 when more datagrams follow, -errno for an NLMSG_ERROR
 * from the kernel, -EBADMSG for malformed input, -ENOMEM. buf must be 4-byte aligned (as
 * netlink messages are); any bytes and any len are otherwise safe. */
int netlink_parse_links(const void *buf, size_t len, uint32_t seq, struct netlink_links *out);
int netlink_parse_addrs(const void *buf, size_t len, uint32_t seq, struct netlink_addrs *out);
int netlink_parse_routes(const void *buf, size_t len, uint32_t seq, struct netlink_routes *out);

/* Dumps every link / every address or route (all tables) of family (AF_UNSPEC for all) of
 * the current network namespace. Return 0 or -errno. */
int netlink_dump_links(struct netlink_links *out);
int netlink_dump_addrs(int family, struct netlink_addrs *out);
int netlink_dump_routes(int family, struct netlink_routes *out);
void netlink_links_free(struct netlink_links *l);
void netlink_addrs_free(struct netlink_addrs *a);
void netlink_routes_free(struct netlink_routes *r);

/* Asks the kernel for the route it would send to dst by (RTM_GETROUTE); dst is a sockaddr_in
 * or sockaddr_in6. Returns 0 and fills *out, or -errno (-ENETUNREACH: no route). */
int netlink_route_get(const struct sockaddr *dst, struct netlink_route *out);

/* Asks the kernel which interface it would send to dst on (RTM_GETROUTE); dst is a
 * sockaddr_in or sockaddr_in6. Returns 0 and sets *oif, or -errno (-ENETUNREACH: no route). */
int netlink_route_oif(const struct sockaddr *dst, unsigned int *oif);

/* The neighbour table's entry for addr (4 or 16 bytes by family) on ifindex (RTM_GETNEIGH):
 * its link-layer address (up to NETLINK_HWADDR_MAX bytes) and NUD_* state. Returns 0, or
 * -errno (-ENOENT: no entry). */
int netlink_neigh_get(unsigned int ifindex, int family, const void *addr, uint8_t *lladdr,
		      size_t *lladdr_len, uint16_t *state);

/* Names as iproute2 prints them. */
const char *netlink_operstate_name(uint8_t operstate);
const char *netlink_scope_name(uint8_t scope, char *buf, size_t len);
const char *netlink_link_type_name(unsigned short type, char *buf, size_t len);
/* Link-layer address as ip prints it: "aa:bb:..", or dotted/IPv6 form for IP tunnels. */
void netlink_hwaddr_str(unsigned short type, const uint8_t *a, size_t len, char *buf, size_t blen);
/* Writes the IFF_* flag names in ip's order ("BROADCAST,MULTICAST,UP,LOWER_UP"), calling fn
 * once per name. NO-CARRIER comes first when the link is up without carrier; M-DOWN comes last
 * when mdown (the device's IFLA_LINK peer in this namespace is down). */
void netlink_flag_names(unsigned int flags, bool mdown, void (*fn)(const char *name, void *ctx),
			void *ctx);

#endif
