/* DNS summary in tcpdump's default format: "ID+ A? name. (len)", "ID 1/0/0 A addr (len)".
 * Every read is checked against the captured length; compression loops are refused. */
#include "decode_dns.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>

struct dns {
	const uint8_t *p;
	uint32_t cap;
	char *out;
	size_t n, used;
};

static void dput(struct dns *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void dput(struct dns *d, const char *fmt, ...)
{
	va_list ap;
	int w;

	if (d->used + 1 >= d->n)
		return;
	va_start(ap, fmt);
	w = vsnprintf(d->out + d->used, d->n - d->used, fmt, ap);
	va_end(ap);
	if (w > 0)
		d->used += (size_t)w < d->n - d->used ? (size_t)w : d->n - d->used - 1;
}

static bool has(const struct dns *d, uint32_t off, uint32_t n)
{
	return off <= d->cap && n <= d->cap - off;
}

static uint16_t get16(const struct dns *d, uint32_t off)
{
	return (uint16_t)(d->p[off] << 8 | d->p[off + 1]);
}

static const char *dns_type_name(uint16_t t)
{
	static const char *const low[] = {
		NULL, "A", "NS", "MD", "MF", "CNAME", "SOA", "MB", "MG", "MR", "NULL", "WKS", "PTR",
		"HINFO", "MINFO", "MX", "TXT", "RP", "AFSDB", "X25", "ISDN", "RT", "NSAP",
		"NSAP_PTR", "SIG", "KEY", "PX", "GPOS", "AAAA", "LOC", "NXT", "EID", "NIMLOC", "SRV",
		"ATMA", "NAPTR", "KX", "CERT", "A6", "DNAME", "SINK", "OPT", "APL", "DS", "SSHFP",
		"IPSECKEY", "RRSIG", "NSEC", "DNSKEY",
	};
	static const char *const mid[] = { "SPF", "UINFO", "UID", "GID", "UNSPEC", "UNSPECA" };
	static const char *const high[] = { "TKEY", "TSIG", "IXFR", "AXFR", "MAILB", "MAILA",
					    "ANY", "URI" };

	if (t < sizeof(low) / sizeof(low[0]))
		return low[t];
	if (t >= 99 && t < 99 + sizeof(mid) / sizeof(mid[0]))
		return mid[t - 99];
	if (t >= 249 && t < 249 + sizeof(high) / sizeof(high[0]))
		return high[t - 249];
	return NULL;
}

static void dns_type(struct dns *d, uint16_t t)
{
	const char *name = dns_type_name(t);

	if (name)
		dput(d, " %s", name);
	else
		dput(d, " Type%u", t);
}

/* One label byte as tcpdump's safe printer shows it (M- for high bytes, ^ for controls). */
static void dns_char(struct dns *d, uint8_t c)
{
	if (c & 0x80) {
		dput(d, "M-");
		c &= 0x7f;
	}
	if (c < 0x20 || c == 0x7f)
		dput(d, "^%c", c ^ 0x40);
	else
		dput(d, "%c", c);
}

/* Skips a name; returns the offset after it or 0 if it is not captured. */
static uint32_t dns_skip(const struct dns *d, uint32_t off)
{
	while (has(d, off, 1)) {
		uint8_t l = d->p[off];

		if ((l & 0xc0) == 0xc0)
			return has(d, off, 2) ? off + 2 : 0;
		if (l == 0)
			return off + 1;
		if (l & 0xc0)
			return 0; /* extended label types: tcpdump gives up too */
		off += 1 + l;
	}
	return 0;
}

/* Prints a name ("example.com.", "." for the root) following compression pointers, each of
 * which must point backwards. Returns the offset after the name where it began, 0 if cut. */
static uint32_t dns_name(struct dns *d, uint32_t off)
{
	uint32_t after = 0, max = off;
	uint8_t l;

	if (!has(d, off, 1))
		return 0;
	l = d->p[off++];
	if (!l) {
		dput(d, ".");
		return off;
	}
	while (l) {
		if ((l & 0xc0) == 0xc0) {
			uint32_t to;

			if (!has(d, off, 1))
				return 0;
			to = ((uint32_t)(l & 0x3f) << 8) | d->p[off];
			if (!after)
				after = off + 1;
			if (to >= max) {
				dput(d, "<BAD PTR>");
				return 0;
			}
			max = to;
			off = to;
		} else if (l & 0xc0) {
			dput(d, "<ELT %d>", l & 0x3f);
			return 0;
		} else {
			for (uint32_t i = 0; i < l; i++) {
				if (!has(d, off + i, 1))
					return 0;
				dns_char(d, d->p[off + i]);
			}
			off += l;
			dput(d, ".");
		}
		if (!has(d, off, 1))
			return 0;
		l = d->p[off++];
	}
	return after ? after : off;
}

/* " TYPE[ CLASS]? name." for a question; returns the offset after it, 0 if cut. */
static uint32_t dns_question(struct dns *d, uint32_t off)
{
	uint32_t end = dns_skip(d, off);
	uint16_t cls;

	if (!end || !has(d, end, 4))
		return 0;
	dns_type(d, get16(d, end));
	cls = get16(d, end + 2);
	if (cls == 3)
		dput(d, " CHAOS");
	else if (cls == 4)
		dput(d, " HS");
	else if (cls == 255)
		dput(d, " ANY");
	else if (cls != 1)
		dput(d, " (Class %u)", cls);
	dput(d, "? ");
	return dns_name(d, off) ? end + 4 : 0;
}

/* Type-specific data of an answer; false if cut. */
static bool dns_rdata(struct dns *d, uint16_t type, uint32_t off, uint32_t rdlen)
{
	char a[INET6_ADDRSTRLEN];

	switch (type) {
	case 1:
	case 28:
		if (!has(d, off, type == 1 ? 4 : 16))
			return false;
		inet_ntop(type == 1 ? AF_INET : AF_INET6, d->p + off, a, sizeof(a));
		dput(d, " %s", a);
		return true;
	case 2: case 5: case 12: case 39:
		dput(d, " ");
		return dns_name(d, off) != 0;
	case 15:
		dput(d, " ");
		if (!dns_name(d, off + 2) || !has(d, off, 2))
			return false;
		dput(d, " %u", get16(d, off));
		return true;
	case 16:
		for (uint32_t i = off; i < off + rdlen;) {
			uint8_t l;

			if (!has(d, i, 1))
				return false;
			l = d->p[i++];
			dput(d, " \"");
			for (uint32_t k = 0; k < l; k++, i++) {
				if (!has(d, i, 1))
					return false;
				dns_char(d, d->p[i]);
			}
			dput(d, "\"");
		}
		return true;
	case 33:
		dput(d, " ");
		if (!dns_name(d, off + 6) || !has(d, off, 6))
			return false;
		dput(d, ":%u %u %u", get16(d, off + 4), get16(d, off), get16(d, off + 2));
		return true;
	default:
		return true;
	}
}

/* " TYPE data" for an answer (owner name, class and TTL only with tcpdump -v); returns the
 * offset after the record, 0 if its data is cut. Like tcpdump, a record whose fixed part was
 * not captured ends the section quietly: the offset returned is then the capture's end. */
static uint32_t dns_answer(struct dns *d, uint32_t off)
{
	uint32_t end = dns_skip(d, off);
	uint16_t type, rdlen;

	if (!end || !has(d, end, 10))
		return d->cap;
	type = get16(d, end);
	rdlen = get16(d, end + 8);
	dns_type(d, type);
	if (!has(d, end + 10, rdlen) || !dns_rdata(d, type, end + 10, rdlen))
		return 0;
	return end + 10 + rdlen;
}

static bool dns_response(struct dns *d, uint16_t flags, const uint16_t cnt[4], uint32_t *off)
{
	static const char *const rcode[] = { "", " FormErr", " ServFail", " NXDomain", " NotImp",
		" Refused", " YXDomain", " YXRRSet", " NXRRSet", " NotAuth", " NotZone", " Resp11",
		" Resp12", " Resp13", " Resp14", " NoChange" };
	uint16_t an = cnt[1];

	dput(d, "%s%s%s%s", rcode[flags & 15], flags & 0x0400 ? "*" : "",
	     flags & 0x0080 ? "" : "-", flags & 0x0200 ? "|" : "");
	if (cnt[0] != 1)
		dput(d, " [%uq]", cnt[0]);
	for (uint16_t i = 0; i < cnt[0]; i++) {
		uint32_t end = dns_skip(d, *off);

		if (i)
			dput(d, ",");
		if (!end)
			return false;
		*off = end + 4; /* type and class skipped unchecked, as tcpdump does */
	}
	dput(d, " %u/%u/%u", an, cnt[2], cnt[3]);
	for (bool first = true; an && (first || *off < d->cap); an--, first = false) {
		if (!first)
			dput(d, ",");
		*off = dns_answer(d, *off);
		if (!*off)
			return false;
	}
	return an == 0;
}

static bool dns_query(struct dns *d, uint16_t flags, const uint16_t cnt[4], uint32_t *off)
{
	uint16_t qd = cnt[0];

	dput(d, "%s%s", flags & 0x0100 ? "+" : "", flags & 0x0010 ? "%" : "");
	if (flags & 0x6cf)
		dput(d, " [b2&3=0x%x]", flags);
	if ((flags >> 11 & 15) == 1) { /* inverse query */
		if (qd)
			dput(d, " [%uq]", qd);
		if (cnt[1] != 1)
			dput(d, " [%ua]", cnt[1]);
	} else {
		if (cnt[1])
			dput(d, " [%ua]", cnt[1]);
		if (qd != 1)
			dput(d, " [%uq]", qd);
	}
	if (cnt[2])
		dput(d, " [%un]", cnt[2]);
	if (cnt[3])
		dput(d, " [%uau]", cnt[3]);
	for (bool first = true; qd && (first || *off < d->cap); qd--, first = false) {
		*off = dns_question(d, *off);
		if (!*off)
			return false;
	}
	return qd == 0;
}

bool decode_dns(const uint8_t *p, uint32_t cap, uint32_t len, char *out, size_t n)
{
	static const char *const ops[] = { "", " inv_q", " stat", " op3", " notify", " update",
		" op6", " op7", " op8", " updateA", " updateD", " updateDA", " updateM",
		" updateMA", " zoneInit", " zoneRef" };
	struct dns d = { p, cap < len ? cap : len, out, n, 0 };
	uint16_t flags, cnt[4];
	uint32_t off = 12;
	bool ok;

	out[0] = '\0';
	if (!has(&d, 0, 12))
		return false;
	flags = get16(&d, 2);
	for (int i = 0; i < 4; i++)
		cnt[i] = get16(&d, 4 + 2 * i);
	dput(&d, "%u%s", get16(&d, 0), ops[flags >> 11 & 15]);
	ok = (flags & 0x8000) ? dns_response(&d, flags, cnt, &off) : dns_query(&d, flags, cnt, &off);
	if (ok)
		dput(&d, " (%u)", len);
	return ok;
}
