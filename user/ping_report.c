/* ping's statistics and iputils-compatible text: the arithmetic (integer microseconds,
 * truncating) and wording follow iputils ping so that output compares character for character. */
#include "ping_report.h"

#include <limits.h>
#include <math.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

void ping_stats_init(struct ping_stats *s, bool timing)
{
	memset(s, 0, sizeof(*s));
	s->tmin = LONG_MAX;
	s->timing = timing;
}

static bool rcvd_test(const struct ping_stats *s, uint16_t seq)
{
	return s->rcvd[seq >> 3] & (1u << (seq & 7));
}

uint16_t ping_stats_sent(struct ping_stats *s)
{
	uint16_t seq = (uint16_t)(s->ntransmitted + 1);

	/* A sequence number is reused after 65536 probes: forget its old answer. */
	s->rcvd[seq >> 3] &= (uint8_t)~(1u << (seq & 7));
	s->ntransmitted++;
	return seq;
}

static void acknowledge(struct ping_stats *s, uint16_t seq)
{
	uint16_t diff = (uint16_t)((uint16_t)s->ntransmitted - seq);

	if (diff <= 0x7fff && diff + 1 > s->pipesize)
		s->pipesize = diff + 1;
}

bool ping_stats_reply(struct ping_stats *s, uint16_t seq, long rtt_us)
{
	bool dup = rcvd_test(s, seq);

	acknowledge(s, seq);
	if (s->timing) {
		s->tsum += rtt_us;
		s->tsum2 += (long long)rtt_us * rtt_us;
		if (rtt_us < s->tmin)
			s->tmin = rtt_us;
		if (rtt_us > s->tmax)
			s->tmax = rtt_us;
		s->ewma8 = s->ewma8 ? s->ewma8 + rtt_us - s->ewma8 / 8 : rtt_us * 8;
	}
	if (dup) {
		s->nrepeats++;
	} else {
		s->rcvd[seq >> 3] |= (uint8_t)(1u << (seq & 7));
		s->nreceived++;
	}
	return dup;
}

void ping_stats_error(struct ping_stats *s, uint16_t seq, bool ack)
{
	s->nerrors++;
	if (ack)
		acknowledge(s, seq);
}

void ping_fmt_time(char *buf, size_t n, long us)
{
	/* Three significant figures at most, rounding as iputils. */
	if (us >= 100000 - 50)
		snprintf(buf, n, "%ld", (us + 500) / 1000);
	else if (us >= 10000 - 5)
		snprintf(buf, n, "%ld.%01ld", (us + 50) / 1000, ((us + 50) % 1000) / 100);
	else if (us >= 1000)
		snprintf(buf, n, "%ld.%02ld", (us + 5) / 1000, ((us + 5) % 1000) / 10);
	else
		snprintf(buf, n, "%ld.%03ld", us / 1000, us % 1000);
}

static const char *icmp4_unreach[] = {
	"Destination Net Unreachable", "Destination Host Unreachable",
	"Destination Protocol Unreachable", "Destination Port Unreachable",
	NULL /* frag needed: has the MTU */, "Source Route Failed",
	"Destination Net Unknown", "Destination Host Unknown", "Source Host Isolated",
	"Destination Net Prohibited", "Destination Host Prohibited",
	"Destination Net Unreachable for Type of Service",
	"Destination Host Unreachable for Type of Service", "Packet filtered",
	"Precedence Violation", "Precedence Cutoff",
};

static const char *icmp4_redirect[] = {
	"Redirect Network", "Redirect Host", "Redirect Type of Service and Network",
	"Redirect Type of Service and Host",
};

static void fmt_icmp4(char *buf, size_t n, uint8_t type, uint8_t code, uint32_t info)
{
	size_t nun = sizeof(icmp4_unreach) / sizeof(icmp4_unreach[0]);

	switch (type) {
	case 3:
		if (code == 4)
			snprintf(buf, n, "Frag needed and DF set (mtu = %u)", info);
		else if (code < nun)
			snprintf(buf, n, "%s", icmp4_unreach[code]);
		else
			snprintf(buf, n, "Dest Unreachable, Bad Code: %d", code);
		break;
	case 4:
		snprintf(buf, n, "Source Quench");
		break;
	case 5:
		if (code < 4)
			snprintf(buf, n, "%s", icmp4_redirect[code]);
		else
			snprintf(buf, n, "Redirect, Bad Code: %d", code);
		break;
	case 11:
		if (code == 0)
			snprintf(buf, n, "Time to live exceeded");
		else if (code == 1)
			snprintf(buf, n, "Frag reassembly time exceeded");
		else
			snprintf(buf, n, "Time exceeded, Bad Code: %d", code);
		break;
	case 12:
		snprintf(buf, n, "Parameter problem: pointer = %u", info);
		break;
	default:
		snprintf(buf, n, "Bad ICMP type: %d", type);
	}
}

static const char *icmp6_unreach[] = {
	"No route", "Administratively prohibited", "Beyond scope of source address",
	"Address unreachable", "Port unreachable",
	"Source address failed ingress/egress policy", "Reject route to destination",
};

static void fmt_icmp6(char *buf, size_t n, uint8_t type, uint8_t code, uint32_t info)
{
	size_t nun = sizeof(icmp6_unreach) / sizeof(icmp6_unreach[0]);

	switch (type) {
	case 1:
		if (code < nun)
			snprintf(buf, n, "Destination unreachable: %s", icmp6_unreach[code]);
		else
			snprintf(buf, n, "Destination unreachable: Unknown code %d", code);
		break;
	case 2:
		if (code)
			snprintf(buf, n, "Packet too big: mtu=%u, code=%d", info, code);
		else
			snprintf(buf, n, "Packet too big: mtu=%u", info);
		break;
	case 3:
		if (code <= 1)
			snprintf(buf, n, "Time exceeded: %s",
				 code ? "Defragmentation failure" : "Hop limit");
		else
			snprintf(buf, n, "Time exceeded: code %d", code);
		break;
	case 4:
		snprintf(buf, n, "Parameter problem: %sat %u",
			 code == 0 ? "Wrong header field " : code == 1 ? "Unknown header " :
			 code == 2 ? "Unknown option " : "", info);
		break;
	default:
		snprintf(buf, n, "unknown icmp type: %u", type);
	}
}

void ping_fmt_icmp(char *buf, size_t n, int family, uint8_t type, uint8_t code, uint32_t info)
{
	if (family == AF_INET6)
		fmt_icmp6(buf, n, type, code, info);
	else
		fmt_icmp4(buf, n, type, code, info);
}

/* Integer square root, rounded down. */
static long isqrt(long long a)
{
	long long x;

	if (a <= 0)
		return 0;
	x = (long long)sqrtl((long double)a);
	while (x * x > a)
		x--;
	while ((x + 1) * (x + 1) <= a)
		x++;
	return (long)x;
}

static void print_rtt(FILE *f, const struct ping_stats *s)
{
	long total = s->nreceived + s->nrepeats;
	long long avg = s->tsum / total;
	long long var;
	long mdev;

	/* Population variance, in the order iputils computes it (precision for small RTTs). */
	if (s->tsum < INT_MAX)
		var = (s->tsum2 - (s->tsum * s->tsum) / total) / total;
	else
		var = s->tsum2 / total - avg * avg;
	mdev = isqrt(var);
	fprintf(f, "rtt min/avg/max/mdev = %ld.%03ld/%lld.%03lld/%ld.%03ld/%ld.%03ld ms",
		s->tmin / 1000, s->tmin % 1000, avg / 1000, avg % 1000, s->tmax / 1000,
		s->tmax % 1000, mdev / 1000, mdev % 1000);
}

void ping_print_summary(FILE *f, const char *host, const struct ping_stats *s, long elapsed_us,
			bool interval_zero)
{
	const char *comma = "";

	fprintf(f, "\n--- %s ping statistics ---\n", host);
	fprintf(f, "%ld packets transmitted, %ld received", s->ntransmitted, s->nreceived);
	if (s->nrepeats)
		fprintf(f, ", +%ld duplicates", s->nrepeats);
	if (s->nerrors)
		fprintf(f, ", +%ld errors", s->nerrors);
	if (s->ntransmitted) {
		/* iputils rounds the percentage through a float before %g. */
		float loss = (float)((double)(s->ntransmitted - s->nreceived) * 100.0 /
				     (double)s->ntransmitted);

		fprintf(f, ", %g%% packet loss, time %ldms", (double)loss, (elapsed_us + 500) / 1000);
	}
	fputc('\n', f);
	if (s->nreceived && s->timing) {
		print_rtt(f, s);
		comma = ", ";
	}
	if (s->pipesize > 1) {
		fprintf(f, "%spipe %d", comma, s->pipesize);
		comma = ", ";
	}
	if (s->nreceived && interval_zero && s->ntransmitted > 1) {
		long ipg = elapsed_us / (s->ntransmitted - 1);

		fprintf(f, "%sipg/ewma %ld.%03ld/%ld.%03ld ms", comma, ipg / 1000, ipg % 1000,
			s->ewma8 / 8000, (s->ewma8 / 8) % 1000);
	}
	fputc('\n', f);
}
