/* Packet decoder for sniff: frames -> tcpdump's default one-line format and decoded fields.
 * Every read is bounds-checked against the captured length; no I/O, no global state. */
#include "decode.h"
#include "decode_dns.h"

#include <arpa/inet.h>
#include <pcap/dlt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Where decoding is: the output being built and the conversation table. */
struct dctx {
	struct decode_state *st;
	struct decode_info *out;
	size_t len;
};

/* A slice of the frame: cap bytes readable at p, len bytes on the wire (len >= cap is normal). */
struct slice {
	const uint8_t *p;
	uint32_t cap;
	uint32_t len;
};

/* What the transport decoders need from the network header. */
struct ipinfo {
	int ver;
	const uint8_t *src, *dst; /* 4 or 16 bytes, already checked */
	bool direct;              /* transport follows the base header (tcpdump then prints addrs) */
};

enum {
	ETH_P_IPV4 = 0x0800, ETH_P_ARP_ = 0x0806, ETH_P_IPV6 = 0x86dd, ETH_P_VLAN = 0x8100,
	ETH_P_QINQ = 0x88a8, ETH_P_QINQ_OLD = 0x9100,
};
enum { PROTO_ICMP = 1, PROTO_TCP = 6, PROTO_UDP = 17, PROTO_ICMP6 = 58 };

static void put(struct dctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void put(struct dctx *c, const char *fmt, ...)
{
	va_list ap;
	size_t room = sizeof(c->out->line) - c->len;
	int n;

	if (room <= 1)
		return;
	va_start(ap, fmt);
	n = vsnprintf(c->out->line + c->len, room, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	c->len += (size_t)n < room ? (size_t)n : room - 1;
}

static void trunc_mark(struct dctx *c, const char *proto)
{
	c->out->truncated = true;
	c->out->trunc_proto = proto;
	put(c, " [|%s]", proto);
}

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static struct slice sub(struct slice s, uint32_t off)
{
	struct slice r = { s.p + off, 0, 0 };

	r.cap = s.cap > off ? s.cap - off : 0;
	r.len = s.len > off ? s.len - off : 0;
	if (r.cap > r.len)
		r.cap = r.len;
	return r;
}

static void fmt_mac(char out[18], const uint8_t *m)
{
	snprintf(out, 18, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
}

static void fmt_ip(char out[DECODE_ADDR_MAX], int ver, const uint8_t *a)
{
	if (!inet_ntop(ver == 6 ? AF_INET6 : AF_INET, a, out, DECODE_ADDR_MAX))
		snprintf(out, DECODE_ADDR_MAX, "?");
}

const char *decode_ethertype_name(uint16_t type)
{
	static const struct { uint16_t type; const char *name; } names[] = {
		{ 0x0800, "IPv4" }, { 0x0806, "ARP" }, { 0x86dd, "IPv6" }, { 0x8100, "802.1Q" },
		{ 0x88a8, "802.1Q-QinQ" }, { 0x9100, "802.1Q-9100" }, { 0x8035, "Reverse ARP" },
		{ 0x88cc, "LLDP" }, { 0x888e, "EAPOL" }, { 0x8847, "MPLS unicast" },
		{ 0x8848, "MPLS multicast" }, { 0x8863, "PPPoE D" }, { 0x8864, "PPPoE S" },
		{ 0x88e5, "802.1AE MACsec" }, { 0x88f7, "PTP" }, { 0x9000, "Loopback" },
		{ 0x0842, "Wake-on-LAN" }, { 0x8809, "Slow Protocols" }, { 0x8902, "CFM" },
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].type == type)
			return names[i].name;
	return NULL;
}

static void put_dns(struct dctx *c, const uint8_t *p, uint32_t cap, uint32_t len);

/* ---- TCP ---------------------------------------------------------------------------- */

/* The conversation's recorded numbers, which SACK blocks are printed relative to. */
struct tcp_rel {
	uint32_t seq, ack;
	bool rev;
};

/* tcpdump's relative sequence numbers: the first segment with ACK of a conversation records
 * both initial numbers (a SYN restarts it); later segments print offsets from them. */
static void tcp_relative(struct dctx *c, const struct ipinfo *ip, uint16_t sport, uint16_t dport,
			 bool syn, uint32_t *seq, uint32_t *ack, struct tcp_rel *rel)
{
	struct decode_state *st = c->st;
	size_t alen = ip->ver == 6 ? 16 : 4;
	uint8_t key[32] = { 0 };
	uint32_t ports;
	bool rev = sport > dport || (sport == dport && memcmp(ip->src, ip->dst, alen) > 0);
	struct decode_tcp_conv *th = NULL;

	rel->rev = rev;
	memcpy(key, rev ? ip->dst : ip->src, alen);
	memcpy(key + 16, rev ? ip->src : ip->dst, alen);
	ports = rev ? (uint32_t)dport << 16 | sport : (uint32_t)sport << 16 | dport;
	for (unsigned int i = 0; i < DECODE_TCP_CONVS; i++) {
		if (st->conv[i].used && st->conv[i].ports == ports &&
		    !memcmp(st->conv[i].addr, key, sizeof(key))) {
			th = &st->conv[i];
			break;
		}
	}
	if (!th || syn) {
		if (!th) {
			th = &st->conv[st->next];
			st->next = (st->next + 1) % DECODE_TCP_CONVS;
		}
		memcpy(th->addr, key, sizeof(key));
		th->ports = ports;
		th->used = true;
		if (rev) {
			th->ack = *seq;
			th->seq = *ack - 1;
		} else {
			th->seq = *seq;
			th->ack = *ack - 1;
		}
	} else if (rev) {
		*seq -= th->ack;
		*ack -= th->seq;
	} else {
		*seq -= th->seq;
		*ack -= th->ack;
	}
	rel->seq = th->seq;
	rel->ack = th->ack;
}

static const char *tcp_option_name(uint8_t opt)
{
	switch (opt) {
	case 0: return "eol";
	case 1: return "nop";
	case 2: return "mss";
	case 3: return "wscale";
	case 4: return "sackOK";
	case 5: return "sack";
	case 6: return "echo";
	case 7: return "echoreply";
	case 8: return "TS";
	case 19: return "md5";
	case 28: return "utoopt";
	case 29: return "tcp-ao";
	case 30: return "mptcp";
	case 34: return "tfo";
	default: return NULL;
	}
}

enum opt_status { OPT_OK, OPT_BAD, OPT_TRUNC };

/* Prints the data of one option (name already printed). hlen is what the header has left after
 * kind and length, avail what was captured of it; *datalen gets the bytes consumed. */
static enum opt_status tcp_option_data(struct dctx *c, uint8_t opt, uint32_t len,
				       const uint8_t *cp, uint32_t hlen, uint32_t avail,
				       const struct tcp_rel *rel, uint32_t *datalen)
{
	bool fixed = true;
	uint32_t need;

	switch (opt) {
	case 0: case 1: case 4: need = 0; break;
	case 2: need = 2; break;
	case 3: need = 1; break;
	case 6: case 7: need = 4; break;
	case 8: need = 8; break;
	case 19: need = 16; break;
	default: /* SACK and the other kinds: data checked and printed piece by piece */
		need = len - 2;
		fixed = false;
		break;
	}
	*datalen = need;
	if (!fixed) {
		if (opt == 5 && need % 8) {
			put(c, " invalid sack");
			return OPT_OK;
		}
		if (opt == 5)
			put(c, " %u ", need / 8);
		else if (need)
			put(c, " 0x");
		for (uint32_t i = 0; i < need; i += opt == 5 ? 8 : 1) {
			uint32_t step = opt == 5 ? 8 : 1, ref = rel->rev ? rel->seq : rel->ack;

			if (i + step > hlen)
				return OPT_BAD;
			if (i + step > avail)
				return OPT_TRUNC;
			if (opt == 5)
				put(c, "{%u:%u}", be32(cp + i) - ref, be32(cp + i + 4) - ref);
			else
				put(c, "%02x", cp[i]);
		}
		return OPT_OK;
	}
	if (need > hlen)
		return OPT_BAD;
	if (need > avail)
		return OPT_TRUNC;
	switch (opt) {
	case 2: put(c, " %u", be16(cp)); break;
	case 3: put(c, " %u", cp[0]); break;
	case 6: case 7: put(c, " %u", be32(cp)); break;
	case 8: put(c, " val %u ecr %u", be32(cp), be32(cp + 4)); break;
	case 19:
		/* What tcpdump prints when it has no -M secret to verify with. */
		put(c, " shared secret not supplied with -M, can't check - ");
		for (uint32_t i = 0; i < need; i++)
			put(c, "%02x", cp[i]);
		break;
	default: break;
	}
	return OPT_OK;
}

/* Prints ", options [...]" as tcpdump does, including its truncation and bad-option marks.
 * Returns false when it stopped early (tcpdump then ends the line there). */
static bool tcp_options(struct dctx *c, const uint8_t *opts, uint32_t hlen, uint32_t cap,
			const struct tcp_rel *rel)
{
	enum opt_status st = OPT_OK;
	uint32_t off = 0;
	char ch = '\0';

	put(c, ", options [");
	while (hlen > 0) {
		uint32_t len = 1, datalen;
		const char *name;
		uint8_t opt;

		if (ch)
			put(c, "%c", ch);
		/* A missing kind or length byte ends tcpdump's printer without the '>' mark. */
		if (off >= cap)
			return trunc_mark(c, "tcp"), false;
		opt = opts[off++];
		if (opt != 0 && opt != 1) {
			if (off >= cap)
				return trunc_mark(c, "tcp"), false;
			len = opts[off++];
			if (len < 2 || len > hlen) {
				st = OPT_BAD;
				goto stop;
			}
			--hlen;
		}
		--hlen;
		name = tcp_option_name(opt);
		if (name)
			put(c, "%s", name);
		else
			put(c, "unknown-%u", opt);
		st = tcp_option_data(c, opt, len, opts + off, hlen, cap - off, rel, &datalen);
		if (st != OPT_OK)
			goto stop;
		off += datalen;
		hlen -= datalen;
		datalen += (opt == 0 || opt == 1) ? 1 : 2;
		if (datalen != len)
			put(c, "[len %u]", len);
		ch = ',';
		if (opt == 0)
			break;
	}
	put(c, "]");
	return true;
stop:
	if (st == OPT_BAD) {
		put(c, "[bad opt]");
		if (ch)
			put(c, "]");
	} else {
		trunc_mark(c, "tcp");
		if (ch)
			put(c, ">");
	}
	return false;
}

static void tcp_flags_str(char out[12], uint8_t f)
{
	static const struct { uint8_t bit; char c; } tab[] = {
		{ 0x01, 'F' }, { 0x02, 'S' }, { 0x04, 'R' }, { 0x08, 'P' },
		{ 0x10, '.' }, { 0x20, 'U' }, { 0x40, 'E' }, { 0x80, 'W' },
	};
	size_t n = 0;

	for (size_t i = 0; i < sizeof(tab) / sizeof(tab[0]); i++)
		if (f & tab[i].bit)
			out[n++] = tab[i].c;
	out[n] = '\0';
	if (!n)
		snprintf(out, 12, "none");
}

/* Prints "src.port > dst.port: " the way tcpdump's TCP/UDP printers do. */
static void print_ports(struct dctx *c, const struct ipinfo *ip, uint16_t sport, uint16_t dport)
{
	struct decode_info *o = c->out;

	if (ip->direct)
		put(c, "%s.%u > %s.%u: ", o->src, sport, o->dst, dport);
	else
		put(c, "%u > %u: ", sport, dport);
}

static void decode_tcp(struct dctx *c, const struct ipinfo *ip, struct slice s)
{
	struct decode_info *o = c->out;
	uint32_t hlen, seq, ack, length;
	struct tcp_rel rel = { 0, 0, false };
	uint16_t sport, dport, win;
	uint8_t flags;

	o->proto = "tcp";
	if (s.cap < 4) {
		put(c, "%s > %s:", o->src, o->dst);
		return trunc_mark(c, "tcp");
	}
	sport = be16(s.p);
	dport = be16(s.p + 2);
	o->sport = sport;
	o->dport = dport;
	print_ports(c, ip, sport, dport);
	if (s.cap < 20)
		return trunc_mark(c, "tcp");
	hlen = (uint32_t)(s.p[12] >> 4) * 4;
	if (hlen < 20) {
		put(c, " tcp %d [bad hdr length %u - too short, < 20]", (int)s.len - (int)hlen, hlen);
		return;
	}
	seq = be32(s.p + 4);
	ack = be32(s.p + 8);
	flags = s.p[13];
	win = be16(s.p + 14);
	tcp_flags_str(o->tcp_flags, flags);
	put(c, "Flags [%s]", o->tcp_flags);
	if (flags & 0x10)
		tcp_relative(c, ip, sport, dport, flags & 0x02, &seq, &ack, &rel);
	if (hlen > s.len) {
		put(c, " [bad hdr length %u - too long, > %u]", hlen, s.len);
		return;
	}
	length = s.len - hlen;
	if (length > 0 || (flags & 0x07)) {
		o->seq = seq;
		put(c, ", seq %u", seq);
		if (length > 0)
			put(c, ":%u", seq + length);
	}
	if (flags & 0x10) {
		o->ack = ack;
		put(c, ", ack %u", ack);
	}
	o->win = win;
	put(c, ", win %u", win);
	if (flags & 0x20)
		put(c, ", urg %u", be16(s.p + 18));
	if (hlen > 20 && !tcp_options(c, s.p + 20, hlen - 20, s.cap - 20, &rel))
		return;
	o->length = length;
	put(c, ", length %u", length);
	/* DNS over TCP: a 2-byte length, then the message. */
	if ((sport == 53 || dport == 53) && length > 2) {
		if (s.cap < hlen + 2)
			return trunc_mark(c, "domain");
		put(c, " ");
		put_dns(c, s.p + hlen + 2, s.cap - hlen - 2, length - 2);
	}
}

/* ---- DNS (port 53) ------------------------------------------------------------------ */

static void put_dns(struct dctx *c, const uint8_t *p, uint32_t cap, uint32_t len)
{
	char text[DECODE_LINE_MAX];
	bool whole = decode_dns(p, cap, len, text, sizeof(text));

	put(c, "%s", text);
	if (!whole)
		trunc_mark(c, "domain");
}

/* ---- UDP ---------------------------------------------------------------------------- */

static void decode_udp(struct dctx *c, const struct ipinfo *ip, struct slice s)
{
	struct decode_info *o = c->out;
	uint32_t ulen;

	o->proto = "udp";
	if (s.cap < 4) {
		if (ip->direct)
			put(c, "%s > %s: ", o->src, o->dst);
		return trunc_mark(c, "udp");
	}
	o->sport = be16(s.p);
	o->dport = be16(s.p + 2);
	print_ports(c, ip, (uint16_t)o->sport, (uint16_t)o->dport);
	/* tcpdump judges the length field before it wants the checksum. */
	ulen = s.cap >= 6 ? be16(s.p + 4) : 0;
	if (s.cap >= 6 && ulen < 8) {
		put(c, "truncated-udplength %u", ulen);
		return;
	}
	if (s.cap < 8)
		return trunc_mark(c, "udp");
	ulen -= 8;
	if (o->sport == 53 || o->dport == 53) {
		uint32_t dlen = s.len - 8 < ulen ? s.len - 8 : ulen;

		o->length = dlen;
		return put_dns(c, s.p + 8, s.cap - 8, dlen);
	}
	/* tcpdump 4.99 prints the header's length even when fewer bytes arrived. */
	o->length = ulen;
	put(c, "UDP, length %u", ulen);
}

/* ---- ICMP --------------------------------------------------------------------------- */

static const char *icmp_type_name(uint8_t t)
{
	static const char *const names[] = {
		[0] = "echo reply", [3] = "unreachable", [4] = "source quench", [5] = "redirect",
		[8] = "echo request", [9] = "router advertisement", [10] = "router solicitation",
		[11] = "time exceeded", [12] = "parameter problem", [13] = "time stamp request",
		[14] = "time stamp reply", [15] = "information request", [16] = "information reply",
		[17] = "address mask request", [18] = "address mask reply",
	};

	return t < sizeof(names) / sizeof(names[0]) ? names[t] : NULL;
}

/* Formats the unreachable text into buf; false if the quoted header is not captured. */
static bool icmp_unreach(char *buf, size_t n, struct slice s, uint8_t code)
{
	static const char *const fmt[] = {
		[0] = "net %s unreachable", [1] = "host %s unreachable",
		[5] = "%s unreachable - source route failed", [6] = "net %s unreachable - unknown",
		[7] = "host %s unreachable - unknown", [8] = "%s unreachable - source host isolated",
		[9] = "net %s unreachable - admin prohibited",
		[10] = "host %s unreachable - admin prohibited",
		[11] = "net %s unreachable - tos prohibited",
		[12] = "host %s unreachable - tos prohibited",
		[13] = "host %s unreachable - admin prohibited filter",
		[14] = "host %s unreachable - host precedence violation",
		[15] = "host %s unreachable - precedence cutoff",
	};
	const uint8_t *in = s.p + 8;
	char dst[DECODE_ADDR_MAX];
	uint32_t ihl;

	if (s.cap < 8 + 20)
		return false;
	fmt_ip(dst, 4, in + 16);
	ihl = (uint32_t)(in[0] & 15) * 4;
	switch (code) {
	case 2:
		snprintf(buf, n, "%s protocol %u unreachable", dst, in[9]);
		return true;
	case 3:
		if (ihl < 20 || s.cap < 8 + ihl + 4)
			return false;
		if (in[9] == PROTO_TCP || in[9] == PROTO_UDP)
			snprintf(buf, n, "%s %s port %u unreachable", dst,
				 in[9] == PROTO_TCP ? "tcp" : "udp", be16(in + ihl + 2));
		else
			snprintf(buf, n, "%s protocol %u port %u unreachable", dst, in[9],
				 be16(in + ihl + 2));
		return true;
	case 4:
		if (be16(s.p + 6))
			snprintf(buf, n, "%s unreachable - need to frag (mtu %u)", dst, be16(s.p + 6));
		else
			snprintf(buf, n, "%s unreachable - need to frag", dst);
		return true;
	default:
		if (code < sizeof(fmt) / sizeof(fmt[0]) && fmt[code])
			snprintf(buf, n, fmt[code], dst);
		else
			snprintf(buf, n, "%s unreachable - #%u", dst, code);
		return true;
	}
}

/* "router advertisement lifetime L N: {addr pref}..." as tcpdump formats it. */
static bool icmp_router_adv(char *buf, size_t n, struct slice s)
{
	uint16_t life;
	uint8_t num, size;
	size_t used;

	if (s.cap < 8)
		return false;
	num = s.p[4];
	size = s.p[5];
	life = be16(s.p + 6);
	if (life < 60)
		used = (size_t)snprintf(buf, n, "router advertisement lifetime %u", life);
	else if (life < 3600)
		used = (size_t)snprintf(buf, n, "router advertisement lifetime %u:%02u", life / 60,
					life % 60);
	else
		used = (size_t)snprintf(buf, n, "router advertisement lifetime %u:%02u:%02u",
					life / 3600, life % 3600 / 60, life % 60);
	used += (size_t)snprintf(buf + used, n - used, " %u:", num);
	if (size != 2) {
		snprintf(buf + used, n - used, " [size %u]", size);
		return true;
	}
	for (unsigned int i = 0; i < num; i++) {
		char a[DECODE_ADDR_MAX];

		if (s.cap < 8 + 8 * (i + 1))
			return false;
		fmt_ip(a, 4, s.p + 8 + 8 * i);
		if (used < n)
			used += (size_t)snprintf(buf + used, n - used, " {%s %u}", a,
						 be32(s.p + 12 + 8 * i));
	}
	return true;
}

static void decode_icmp(struct dctx *c, struct slice s)
{
	struct decode_info *o = c->out;
	char buf[160], a[DECODE_ADDR_MAX], b[DECODE_ADDR_MAX];
	const char *name;
	uint8_t type, code;
	bool ok = true;

	o->proto = "icmp";
	/* tcpdump formats the whole text first, so a short packet prints only the mark. */
	if (s.cap < 2)
		return trunc_mark(c, "icmp");
	type = s.p[0];
	code = s.p[1];
	o->icmp_type = type;
	o->icmp_code = code;
	name = icmp_type_name(type);
	switch (type) {
	case 0:
	case 8:
		ok = s.cap >= 8;
		if (ok)
			snprintf(buf, sizeof(buf), "%s, id %u, seq %u", name, be16(s.p + 4),
				 be16(s.p + 6));
		break;
	case 3:
		ok = icmp_unreach(buf, sizeof(buf), s, code);
		break;
	case 5:
		ok = s.cap >= 8 + 20;
		if (ok) {
			static const char *const kind[] = { "redirect %s to net %s",
				"redirect %s to host %s", "redirect-tos %s to net %s",
				"redirect-tos %s to host %s" };
			fmt_ip(a, 4, s.p + 8 + 16);
			fmt_ip(b, 4, s.p + 4);
			if (code < 4)
				snprintf(buf, sizeof(buf), kind[code], a, b);
			else
				snprintf(buf, sizeof(buf), "redirect-#%u %s to %s", code, a, b);
		}
		break;
	case 11:
		ok = s.cap >= 8 + 20; /* tcpdump wants the quoted IP header */
		if (code == 0)
			snprintf(buf, sizeof(buf), "time exceeded in-transit");
		else if (code == 1)
			snprintf(buf, sizeof(buf), "ip reassembly time exceeded");
		else
			snprintf(buf, sizeof(buf), "time exceeded-#%u", code);
		break;
	case 9:
		ok = icmp_router_adv(buf, sizeof(buf), s);
		break;
	case 13:
	case 14:
		ok = s.cap >= 8;
		if (ok)
			snprintf(buf, sizeof(buf), "time stamp %s id %u seq %u",
				 type == 13 ? "query" : "reply", be16(s.p + 4), be16(s.p + 6));
		break;
	case 12:
		ok = s.cap >= 5;
		if (ok && code)
			snprintf(buf, sizeof(buf), "parameter problem - code %u", code);
		else if (ok)
			snprintf(buf, sizeof(buf), "parameter problem - octet %u", s.p[4]);
		break;
	default:
		if (name)
			snprintf(buf, sizeof(buf), "%s", name);
		else
			snprintf(buf, sizeof(buf), "type-#%u", type);
		break;
	}
	if (!ok)
		return trunc_mark(c, "icmp");
	o->length = s.len;
	put(c, "ICMP %s, length %u", buf, s.len);
}

/* ---- IGMP --------------------------------------------------------------------------- */

/* tcpdump's relative time: "5m7s", "1h", "0s". */
static void put_relts(struct dctx *c, uint32_t secs)
{
	static const uint32_t unit[] = { 31536000, 604800, 86400, 3600, 60, 1 };
	static const char name[] = "ywdhms";

	if (!secs) {
		put(c, "0s");
		return;
	}
	for (size_t i = 0; i < sizeof(unit) / sizeof(unit[0]); i++) {
		if (secs >= unit[i]) {
			put(c, "%u%c", secs / unit[i], name[i]);
			secs %= unit[i];
		}
	}
}

/* "igmp query v3 ..." field by field as far as captured, as tcpdump prints it. */
static void igmp_v3_query(struct dctx *c, struct slice s)
{
	uint8_t mrc;
	uint32_t mrt;
	uint16_t nsrcs;
	char g[DECODE_ADDR_MAX];

	put(c, " v3");
	if (s.cap < 2)
		return trunc_mark(c, "igmp");
	mrc = s.p[1];
	mrt = mrc < 128 ? mrc : (uint32_t)((mrc & 0x0f) | 0x10) << (((mrc & 0x70) >> 4) + 3);
	if (mrc != 100) {
		put(c, " [max resp time ");
		if (mrt < 600)
			put(c, "%u.%us", mrt / 10, mrt % 10);
		else
			put_relts(c, mrt / 10);
		put(c, "]");
	}
	if (s.cap < 8)
		return trunc_mark(c, "igmp");
	if (!be32(s.p + 4))
		return;
	fmt_ip(g, 4, s.p + 4);
	put(c, " [gaddr %s", g);
	if (s.cap < 12)
		return trunc_mark(c, "igmp");
	nsrcs = be16(s.p + 10);
	if (nsrcs && s.len < 12 + 4u * nsrcs)
		put(c, " [invalid number of sources]");
	else if (nsrcs)
		put(c, ", %u source(s)", nsrcs);
	put(c, "]");
}

static void igmp_query(struct dctx *c, struct slice s)
{
	char g[DECODE_ADDR_MAX];

	put(c, "igmp query");
	if (s.len >= 12)
		return igmp_v3_query(c, s);
	if (s.cap < 2)
		return trunc_mark(c, "igmp");
	put(c, s.p[1] ? " v2" : " v1");
	if (s.p[1] && s.p[1] != 100)
		put(c, " [max resp time %u]", s.p[1]);
	if (s.cap < 8)
		return trunc_mark(c, "igmp");
	fmt_ip(g, 4, s.p + 4);
	if (be32(s.p + 4))
		put(c, " [gaddr %s]", g);
	if (s.len != 8)
		put(c, " [len %u]", s.len);
}

static void decode_igmp(struct dctx *c, struct slice s)
{
	static const char *const reports[] = { "v1 report", NULL, NULL, NULL, "v2 report",
					       "leave" };
	char g[DECODE_ADDR_MAX];
	uint8_t type;

	c->out->proto = "igmp";
	if (s.cap < 1)
		return trunc_mark(c, "igmp");
	type = s.p[0];
	switch (type) {
	case 0x11:
		return igmp_query(c, s);
	case 0x12:
	case 0x16:
	case 0x17:
		if (s.cap < 8)
			return trunc_mark(c, "igmp");
		fmt_ip(g, 4, s.p + 4);
		put(c, "igmp %s %s", reports[type - 0x12], g);
		return;
	case 0x22:
		put(c, "igmp v3 report");
		if (s.cap < 8)
			return trunc_mark(c, "igmp");
		put(c, ", %u group record(s)", be16(s.p + 6));
		return;
	case 0x13:
		put(c, "igmp dvmrp");
		if (s.cap < 2)
			return trunc_mark(c, "dvmrp");
		if (s.p[1] < 1 || s.p[1] > 9) /* known DVMRP types are left undecoded */
			put(c, " [type %u]", s.p[1]);
		return;
	case 0x14:
		put(c, "igmp pimv1");
		return;
	default:
		put(c, "igmp-%u", type);
		return;
	}
}

/* ---- ICMPv6 ------------------------------------------------------------------------- */

static const char *icmp6_type_name(uint8_t t)
{
	switch (t) {
	case 1: return "destination unreachable";
	case 2: return "packet too big";
	case 3: return "time exceeded in-transit";
	case 4: return "parameter problem";
	case 128: return "echo request";
	case 129: return "echo reply";
	case 130: return "multicast listener query";
	case 131: return "multicast listener report";
	case 132: return "multicast listener done";
	case 133: return "router solicitation";
	case 134: return "router advertisement";
	case 135: return "neighbor solicitation";
	case 136: return "neighbor advertisement";
	case 137: return "redirect";
	case 138: return "router renumbering";
	case 139: return "node information query";
	case 140: return "node information reply";
	case 141: return "inverse neighbor solicitation";
	case 142: return "inverse neighbor advertisement";
	case 143: return "multicast listener report v2";
	case 144: return "ha discovery request";
	case 145: return "ha discovery reply";
	case 146: return "mobile router solicitation";
	case 147: return "mobile router advertisement";
	case 155: return "RPL";
	case 200: return "mtrace response";
	case 201: return "mtrace";
	default: return NULL;
	}
}

/* The destination-unreachable details for codes 0..4; false if the quoted packet is not
 * captured. */
static bool icmp6_unreach(struct dctx *c, struct slice s, uint8_t code)
{
	/* The leading space of the second name is tcpdump's. */
	static const char *const names[] = { "unreachable route", " unreachable prohibited",
		"beyond scope", "unreachable address", "unreachable port" };
	const uint8_t *in = s.p + 8;
	char a[DECODE_ADDR_MAX], b[DECODE_ADDR_MAX];

	put(c, ", %s", names[code]);
	if (s.cap < 8 + 40)
		return false;
	fmt_ip(a, 6, in + 24);
	fmt_ip(b, 6, in + 8);
	if (code == 2) {
		put(c, " %s, source address %s", a, b);
	} else if (code == 4) {
		uint8_t nh = in[6];

		if (s.cap < 8 + 40 + 4 || (nh != PROTO_TCP && nh != PROTO_UDP))
			return false;
		put(c, ", %s %s port %u", a, nh == PROTO_TCP ? "tcp" : "udp", be16(in + 40 + 2));
	} else {
		put(c, " %s", a);
	}
	return true;
}

static void decode_icmp6(struct dctx *c, struct slice s)
{
	struct decode_info *o = c->out;
	const char *name;
	char a[DECODE_ADDR_MAX], b[DECODE_ADDR_MAX];
	uint8_t type, code;
	bool ok = true;

	o->proto = "icmp6";
	if (s.cap < 1)
		return trunc_mark(c, "icmp6");
	type = s.p[0];
	o->icmp_type = type;
	name = icmp6_type_name(type);
	if (name)
		put(c, "ICMP6, %s", name);
	else
		put(c, "ICMP6, unknown icmp6 type (%u)", type);
	if (s.cap < 2)
		return trunc_mark(c, "icmp6");
	code = s.p[1];
	o->icmp_code = code;
	switch (type) {
	case 1:
		if (code > 4) { /* tcpdump ends the line here, without the length */
			put(c, ", unknown unreach code (%u)", code);
			return;
		}
		ok = icmp6_unreach(c, s, code);
		break;
	case 2:
		ok = s.cap >= 8;
		if (ok)
			put(c, ", mtu %u", be32(s.p + 4));
		break;
	case 3:
		if (code == 0) {
			ok = s.cap >= 8 + 40;
			if (ok) {
				fmt_ip(a, 6, s.p + 8 + 24);
				put(c, " for %s", a);
			}
		} else if (code == 1) {
			put(c, " (reassembly)");
		} else {
			put(c, ", unknown code (%u)", code);
		}
		break;
	case 128:
	case 129:
		ok = s.cap >= 8;
		if (ok)
			put(c, ", id %u, seq %u", be16(s.p + 4), be16(s.p + 6));
		break;
	case 130:
	case 131:
	case 132:
		if (type == 130 && s.len >= 28) { /* MLDv2 query */
			put(c, " v2");
			ok = s.cap >= 24;
			if (!ok)
				break;
			fmt_ip(a, 6, s.p + 8);
			put(c, " [gaddr %s", a);
			ok = s.cap >= 28;
			if (ok && be16(s.p + 26))
				put(c, ", %u source(s)", be16(s.p + 26));
			if (ok)
				put(c, "]");
			break;
		}
		if (type == 130 && s.len != 24) {
			put(c, " unknown-version (len %u) ", s.len);
			break;
		}
		/* tcpdump prints no separator before "max", and nothing if it is cut short. */
		if (s.cap >= 24) {
			fmt_ip(a, 6, s.p + 8);
			put(c, "max resp delay: %u addr: %s", be16(s.p + 4), a);
		}
		break;
	case 4:
		ok = s.cap >= 8 + 40; /* tcpdump wants the quoted header too */
		if (ok && code < 3)
			put(c, ", %s - octet %u",
			    code == 0 ? "erroneous" : code == 1 ? "next header" : "option",
			    be32(s.p + 4));
		else if (ok)
			put(c, ", code-#%u", code);
		break;
	case 135:
	case 136:
		ok = s.cap >= 24;
		if (ok) {
			fmt_ip(a, 6, s.p + 8);
			put(c, type == 135 ? ", who has %s" : ", tgt is %s", a);
		}
		break;
	case 137:
		ok = s.cap >= 40;
		if (ok) {
			fmt_ip(a, 6, s.p + 24);
			fmt_ip(b, 6, s.p + 8);
			put(c, ", %s to %s", a, b);
		}
		break;
	case 143:
		ok = s.cap >= 8;
		if (ok)
			put(c, ", %u group record(s)", be16(s.p + 6));
		break;
	default:
		break;
	}
	if (!ok)
		return trunc_mark(c, "icmp6");
	o->length = s.len;
	put(c, ", length %u", s.len);
}

/* ---- IPv4 / IPv6 -------------------------------------------------------------------- */

static void decode_transport(struct dctx *c, const struct ipinfo *ip, uint8_t proto,
			     struct slice s, bool addrs_printed)
{
	struct decode_info *o = c->out;

	if (proto == PROTO_TCP)
		return decode_tcp(c, ip, s);
	if (proto == PROTO_UDP)
		return decode_udp(c, ip, s);
	if (!addrs_printed)
		put(c, "%s > %s: ", o->src, o->dst);
	if (proto == PROTO_ICMP && ip->ver == 4)
		return decode_icmp(c, s);
	if (proto == 2 && ip->ver == 4)
		return decode_igmp(c, s);
	if (proto == PROTO_ICMP6)
		return decode_icmp6(c, s);
	if (proto == 59 && ip->ver == 6) {
		put(c, "no next header");
		return;
	}
	o->length = s.len;
	put(c, " ip-proto-%u %u", proto, s.len);
}

static void decode_ipv4(struct dctx *c, struct slice s)
{
	struct decode_info *o = c->out;
	struct ipinfo ip = { .ver = 4, .direct = true };
	uint32_t hl, tot;
	uint16_t off;

	o->net = "ipv4";
	if (s.cap < 1) /* tcpdump prints "IP" only once it has the version byte */
		return trunc_mark(c, "ip");
	put(c, "IP ");
	if (s.cap < 20)
		return trunc_mark(c, "ip");
	if (s.p[0] >> 4 != 4) {
		put(c, "bad-version %u", s.p[0] >> 4);
		return;
	}
	hl = (uint32_t)(s.p[0] & 15) * 4;
	if (hl < 20) {
		put(c, "bad-hlen %u", hl);
		return;
	}
	tot = be16(s.p + 2);
	if (tot < hl) {
		put(c, "bad-len %u", tot);
		return;
	}
	if (s.len < tot)
		put(c, "truncated-ip - %u bytes missing! ", tot - s.len);
	else
		s.len = tot; /* drop link-layer padding */
	if (s.cap > s.len)
		s.cap = s.len;
	ip.src = s.p + 12;
	ip.dst = s.p + 16;
	fmt_ip(o->src, 4, ip.src);
	fmt_ip(o->dst, 4, ip.dst);
	if (s.cap < hl) {
		put(c, "%s > %s:  [remaining caplen(%u) < header length(%u)]", o->src, o->dst, s.cap,
		    hl);
		return trunc_mark(c, "ip");
	}
	off = be16(s.p + 6) & 0x1fff;
	if (off) {
		put(c, "%s > %s: ip-proto-%u", o->src, o->dst, s.p[9]);
		return;
	}
	decode_transport(c, &ip, s.p[9], sub(s, hl), false);
}

/* "RT6 (...) " for a routing header, field by field as far as captured (like tcpdump). Types 0
 * and 2 list their addresses; other types print the common fields only. Returns the header
 * length, or 0 when it is truncated. */
static uint32_t ipv6_routing(struct dctx *c, struct slice s)
{
	char a[DECODE_ADDR_MAX];
	uint8_t len, type;

	put(c, "RT6");
	if (s.cap < 2)
		return trunc_mark(c, "rt6"), 0;
	len = s.p[1];
	put(c, " (len=%u", len);
	if (s.cap < 3)
		return trunc_mark(c, "rt6"), 0;
	type = s.p[2];
	put(c, ", type=%u%s", type, type == 0 ? " [Deprecated]" : "");
	if (s.cap < 4)
		return trunc_mark(c, "rt6"), 0;
	put(c, ", segleft=%u", s.p[3]);
	if ((type == 0 || type == 2) && len % 2 == 0) {
		for (unsigned int i = 0; i < len / 2u; i++) {
			if (s.cap < 8 + 16 * (i + 1))
				return trunc_mark(c, "rt6"), 0;
			fmt_ip(a, 6, s.p + 8 + 16 * i);
			put(c, ", [%u]%s", i, a);
		}
	}
	if (s.cap < ((uint32_t)len + 1) * 8)
		return trunc_mark(c, "rt6"), 0;
	put(c, ") ");
	return ((uint32_t)len + 1) * 8;
}

/* Walks IPv6 extension headers as tcpdump prints them (HBH, DSTOPT, RT6, frag). */
static void decode_ipv6(struct dctx *c, struct slice s)
{
	struct decode_info *o = c->out;
	struct ipinfo ip = { .ver = 6, .direct = true };
	uint32_t plen;
	uint8_t nh;
	bool addrs = false;

	o->net = "ipv6";
	if (s.cap < 40)
		return trunc_mark(c, "ip6");
	if (s.p[0] >> 4 != 6) {
		put(c, "IP6 bad-version %u", s.p[0] >> 4);
		return;
	}
	put(c, "IP6 ");
	plen = be16(s.p + 4);
	if (plen && s.len - 40 < plen)
		put(c, "truncated-ip6 - %u bytes missing!", plen - (s.len - 40));
	else if (plen)
		s.len = 40 + plen;
	if (s.cap > s.len)
		s.cap = s.len;
	nh = s.p[6];
	ip.src = s.p + 8;
	ip.dst = s.p + 24;
	fmt_ip(o->src, 6, ip.src);
	fmt_ip(o->dst, 6, ip.dst);
	s = sub(s, 40);
	for (int hops = 0; hops < 32; hops++) {
		uint32_t hlen;

		if (nh != 0 && nh != 60 && nh != 43 && nh != 44)
			break;
		if (!addrs)
			put(c, "%s > %s: ", o->src, o->dst);
		addrs = true;
		ip.direct = false;
		if (nh == 44) {
			uint16_t fo;

			if (s.cap < 4) /* the identification is printed only with -v */
				return trunc_mark(c, "frag6");
			fo = be16(s.p + 2) & 0xfff8;
			put(c, "frag (%u|%u)", fo, s.len >= 8 ? s.len - 8 : 0);
			if (fo)
				return; /* no upper-layer header in a later fragment */
			put(c, " ");
			nh = s.p[0];
			s = sub(s, 8);
			if (!s.cap) { /* tcpdump stops here without a mark */
				o->truncated = true;
				o->trunc_proto = "frag6";
				return;
			}
			continue;
		}
		if (nh == 43) {
			if (!s.cap) /* tcpdump's mark when not one byte of it arrived */
				return trunc_mark(c, "ip6");
			hlen = ipv6_routing(c, s);
			if (!hlen)
				return;
			nh = s.p[0];
			s = sub(s, hlen);
			continue;
		}
		if (s.cap < 2)
			return trunc_mark(c, nh == 0 ? "hbhopt" : "dstopt");
		hlen = ((uint32_t)s.p[1] + 1) * 8;
		if (s.cap < hlen)
			return trunc_mark(c, nh == 0 ? "hbhopt" : "dstopt");
		put(c, nh == 0 ? "HBH " : "DSTOPT ");
		nh = s.p[0];
		s = sub(s, hlen);
	}
	decode_transport(c, &ip, nh, s, addrs);
}

/* ---- ARP and the link layers -------------------------------------------------------- */

/* A link-layer address of any length as tcpdump prints it: hex bytes joined by ':'. */
static void fmt_linkaddr(char *out, size_t n, const uint8_t *p, unsigned int len)
{
	size_t used = 0;

	out[0] = '\0';
	for (unsigned int i = 0; i < len && used + 4 <= n; i++)
		used += (size_t)snprintf(out + used, n - used, i ? ":%02x" : "%02x", p[i]);
}

static void decode_arp(struct dctx *c, struct slice s)
{
	struct decode_info *o = c->out;
	const uint8_t *sha, *spa, *tha, *tpa;
	char m[3 * 255 + 1];
	uint16_t hrd, pro, op;
	uint8_t hln, pln;
	bool thanz = false;

	o->net = "arp";
	if (s.cap < 8)
		return trunc_mark(c, "arp");
	hrd = be16(s.p);
	pro = be16(s.p + 2);
	hln = s.p[4];
	pln = s.p[5];
	op = be16(s.p + 6);
	if (s.cap < 8 + 2u * hln + 2u * pln)
		return trunc_mark(c, "arp");
	sha = s.p + 8;
	spa = sha + hln;
	tha = spa + pln;
	tpa = tha + hln;
	o->length = s.len;
	put(c, "ARP, ");
	if (pro != ETH_P_IPV4 || pln != 4 || hln == 0) {
		const char *pname = decode_ethertype_name(pro);

		if (hrd == 1)
			put(c, "Ethernet (len %u), ", hln);
		else
			put(c, "Unknown Hardware (%u) (len %u), ", hrd, hln);
		if (pname)
			put(c, "%s (len %u)", pname, pln);
		else
			put(c, "Unknown Protocol (0x%04x) (len %u)", pro, pln);
		put(c, ", length %u", s.len);
		return;
	}
	fmt_ip(o->src, 4, spa);
	fmt_ip(o->dst, 4, tpa);
	for (unsigned int i = 0; i < hln; i++)
		thanz |= tha[i] != 0;
	switch (op) {
	case 1:
		put(c, "Request who-has %s", o->dst);
		if (thanz) {
			fmt_linkaddr(m, sizeof(m), tha, hln);
			put(c, " (%s)", m);
		}
		put(c, " tell %s", o->src);
		break;
	case 2:
		fmt_linkaddr(m, sizeof(m), sha, hln);
		put(c, "Reply %s is-at %s", o->src, m);
		break;
	case 3:
	case 8:
		fmt_linkaddr(m, sizeof(m), tha, hln);
		put(c, "%s Request who-is %s tell", op == 3 ? "Reverse" : "Inverse", m);
		fmt_linkaddr(m, sizeof(m), sha, hln);
		put(c, " %s", m);
		break;
	case 4:
		fmt_linkaddr(m, sizeof(m), tha, hln);
		put(c, "Reverse Reply %s at %s", m, o->dst);
		break;
	case 9:
		fmt_linkaddr(m, sizeof(m), sha, hln);
		put(c, "Inverse Reply %s at %s", m, o->src);
		break;
	default:
		put(c, "Unknown (%u)", op);
		break;
	}
	put(c, ", length %u", s.len);
}

/* Link-layer summary for frames sniff does not decode further. */
static void decode_other(struct dctx *c, uint16_t type, uint32_t len)
{
	const char *name = decode_ethertype_name(type);
	struct decode_info *o = c->out;

	if (o->has_mac)
		put(c, "%s > %s, ", o->src_mac, o->dst_mac);
	if (type <= 1500) {
		put(c, "802.3, length %u", len);
		return;
	}
	/* tcpdump follows this with a hex dump on the next lines; sniff keeps one line. */
	put(c, "ethertype %s (0x%04x), length %u: ", name ? name : "Unknown", type, len);
}

static void decode_ethertype(struct dctx *c, uint16_t type, struct slice s, uint32_t framelen)
{
	c->out->ethertype = type;
	switch (type) {
	case ETH_P_IPV4:
		return decode_ipv4(c, s);
	case ETH_P_IPV6:
		return decode_ipv6(c, s);
	case ETH_P_ARP_:
		return decode_arp(c, s);
	default:
		return decode_other(c, type, framelen);
	}
}

static void decode_ether(struct dctx *c, struct slice s)
{
	struct decode_info *o = c->out;
	uint32_t off = 14;
	uint16_t type;

	if (s.cap < 14)
		return trunc_mark(c, "ether");
	fmt_mac(o->dst_mac, s.p);
	fmt_mac(o->src_mac, s.p + 6);
	o->has_mac = true;
	type = be16(s.p + 12);
	/* tcpdump prints VLAN tags only with -e; they are in the JSON fields. */
	while (type == ETH_P_VLAN || type == ETH_P_QINQ || type == ETH_P_QINQ_OLD) {
		if (s.cap < off + 4)
			return trunc_mark(c, "vlan");
		if (o->vlan < 0)
			o->vlan = be16(s.p + off) & 0x0fff;
		type = be16(s.p + off + 2);
		off += 4;
	}
	decode_ethertype(c, type, sub(s, off), s.len);
}

static void decode_sll(struct dctx *c, struct slice s, bool v2)
{
	static const char *const dir[] = { "In  ", "B   ", "M   ", "P   ", "Out " };
	uint32_t hl = v2 ? 20 : 16;
	uint16_t type;

	if (s.cap < hl)
		return trunc_mark(c, v2 ? "sll2" : "sll");
	if (v2) {
		char name[16] = "?";
		uint8_t pkttype = s.p[10];

		if (!c->st->ifname || !c->st->ifname(be32(s.p + 4), name))
			snprintf(name, sizeof(name), "?");
		put(c, "%-5s %s", name, pkttype < 5 ? dir[pkttype] : "?   ");
		type = be16(s.p);
	} else {
		type = be16(s.p + 14);
	}
	decode_ethertype(c, type, sub(s, hl), s.len);
}

static void decode_raw(struct dctx *c, struct slice s, int ver)
{
	if (!ver) {
		if (s.cap < 1) {
			put(c, "IP ");
			return trunc_mark(c, "ip");
		}
		ver = s.p[0] >> 4;
	}
	if (ver == 6)
		return decode_ipv6(c, s);
	return decode_ipv4(c, s);
}

void decode_state_init(struct decode_state *st, decode_ifname_fn ifname)
{
	memset(st, 0, sizeof(*st));
	st->ifname = ifname;
}

void decode_packet(struct decode_state *st, int dlt, const uint8_t *pkt, uint32_t caplen,
		   uint32_t wirelen, struct decode_info *out)
{
	struct dctx c = { st, out, 0 };
	struct slice s = { pkt, caplen, wirelen < caplen ? caplen : wirelen };

	memset(out, 0, sizeof(*out));
	out->vlan = out->ethertype = -1;
	out->sport = out->dport = out->icmp_type = out->icmp_code = -1;
	out->seq = out->ack = out->win = out->length = -1;
	if (!pkt)
		s.cap = 0;
	switch (dlt) {
	case DLT_EN10MB:
		decode_ether(&c, s);
		break;
	case DLT_LINUX_SLL:
		decode_sll(&c, s, false);
		break;
	case DLT_LINUX_SLL2:
		decode_sll(&c, s, true);
		break;
	case DLT_RAW:
		decode_raw(&c, s, 0);
		break;
	case DLT_IPV4:
		decode_raw(&c, s, 4);
		break;
	case DLT_IPV6:
		decode_raw(&c, s, 6);
		break;
	default:
		put(&c, "unsupported link-type %d, length %u", dlt, s.len);
		break;
	}
}
