/* Packet decoder for sniff: captured bytes -> one tcpdump-style line plus the decoded fields.
 * Pure and defensive: no I/O, no globals, never reads past caplen (it is fuzzed). */
#ifndef XDPSCOPE_DECODE_H
#define XDPSCOPE_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DECODE_LINE_MAX 640
#define DECODE_ADDR_MAX 46 /* INET6_ADDRSTRLEN */
#define DECODE_TCP_CONVS 64

/* tcpdump prints TCP sequence numbers relative to the first ones it saw in a conversation;
 * this table remembers them. Entries are reused round-robin when it is full. */
struct decode_tcp_conv {
	uint8_t addr[32]; /* lower-port side's address then the other's (v4 uses 4 + 4) */
	uint32_t ports;
	uint32_t seq, ack;
	bool used;
};

/* Resolves an ifindex (the "any" device's SLL2 header) to a name; returns false if unknown. */
typedef bool (*decode_ifname_fn)(uint32_t ifindex, char name[16]);

struct decode_state {
	struct decode_tcp_conv conv[DECODE_TCP_CONVS];
	unsigned int next;
	decode_ifname_fn ifname; /* may be NULL: names print as "?" */
};

struct decode_info {
	char line[DECODE_LINE_MAX]; /* tcpdump's default line without the time stamp */
	bool truncated;             /* caplen ended inside a header: line ends with [|proto] */
	const char *trunc_proto;    /* "tcp", "ip", ... when truncated */
	bool has_mac;
	char src_mac[18], dst_mac[18];
	int vlan;               /* outermost 802.1Q/802.1ad VLAN id, -1 if none */
	int ethertype;          /* -1 if the link type has none */
	const char *net;        /* "ipv4", "ipv6", "arp" or NULL */
	char src[DECODE_ADDR_MAX], dst[DECODE_ADDR_MAX]; /* network addresses, "" if none */
	const char *proto;      /* "tcp", "udp", "icmp", "icmp6", "igmp" or NULL */
	int sport, dport;       /* -1 if none */
	char tcp_flags[12];     /* as tcpdump prints them inside Flags [...] */
	int64_t seq, ack, win;  /* as printed (relative seq/ack); -1 if absent */
	int icmp_type, icmp_code; /* -1 if none */
	int64_t length;         /* the "length N" tcpdump prints, -1 if none */
};

void decode_state_init(struct decode_state *st, decode_ifname_fn ifname);

/* Decodes one frame of pcap link type dlt (DLT_EN10MB, DLT_LINUX_SLL, DLT_LINUX_SLL2, DLT_RAW,
 * DLT_IPV4, DLT_IPV6). caplen bytes are readable at pkt; wirelen is the original length. */
void decode_packet(struct decode_state *st, int dlt, const uint8_t *pkt, uint32_t caplen,
		   uint32_t wirelen, struct decode_info *out);

/* Name of an EtherType as tcpdump prints it ("IPv4", "ARP", ...) or NULL. */
const char *decode_ethertype_name(uint16_t type);

#endif
