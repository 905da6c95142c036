/* Parses nmap-style port lists into a sorted, duplicate-free array (pure: no I/O). */
#include "ports.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PORTS_MAX 65535

/* Parses the decimal number in s[0..len); -1 if it is not all digits, -2 if out of 1..65535. */
static long ports_number(const char *s, size_t len)
{
	long v = 0;

	if (len == 0)
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		if (v <= PORTS_MAX)
			v = v * 10 + (s[i] - '0');
	}
	return (v < 1 || v > PORTS_MAX) ? -2 : v;
}

/* The item as an error message may show it: one line, printable ASCII only, so that a
 * newline or a terminal escape in the input cannot forge or hide output. */
static const char *ports_quote(const char *s, size_t len, char *buf, size_t blen)
{
	size_t o = 0;

	for (size_t i = 0; i < len && o + 5 <= blen; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 0x20 && c < 0x7f)
			buf[o++] = (char)c;
		else
			o += (size_t)snprintf(buf + o, blen - o, "\\x%02x", c);
	}
	buf[o] = '\0';
	return buf;
}

/* Parses one item ("80", "21-23", "-1024", "60000-", "-") into [lo, hi]. */
static int ports_item(const char *s, size_t len, long *lo, long *hi, char *why, size_t whylen)
{
	char q[128];
	const char *dash = memchr(s, '-', len);
	size_t la = dash ? (size_t)(dash - s) : len;
	const char *b = dash ? dash + 1 : NULL;
	size_t lb = dash ? len - la - 1 : 0;

	if (len == 0) {
		snprintf(why, whylen, "invalid port list: empty item");
		return -1;
	}
	*lo = la ? ports_number(s, la) : 1;
	*hi = !dash ? *lo : lb ? ports_number(b, lb) : PORTS_MAX;
	if (*lo == -1 || *hi == -1) {
		snprintf(why, whylen, "invalid port '%s': not a number or range",
			 ports_quote(s, len, q, sizeof(q)));
		return -1;
	}
	if (*lo == -2 || *hi == -2) {
		snprintf(why, whylen, "invalid port '%s': must be 1 to %d", ports_quote(s, len, q, sizeof(q)),
			 PORTS_MAX);
		return -1;
	}
	if (*lo > *hi) {
		snprintf(why, whylen, "invalid port range '%s': start is after end",
			 ports_quote(s, len, q, sizeof(q)));
		return -1;
	}
	return 0;
}

int ports_parse(const char *spec, struct ports *out, char *why, size_t whylen)
{
	char dummy[8];
	bool *seen;
	size_t n = 0;
	const char *p = spec;

	if (!why)
		why = dummy, whylen = sizeof(dummy);
	out->v = NULL;
	out->n = 0;
	if (!spec || !*spec) {
		snprintf(why, whylen, "invalid port list '': empty");
		return -1;
	}
	seen = calloc(PORTS_MAX + 1, sizeof(*seen));
	if (!seen)
		return -ENOMEM;
	for (;;) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		long lo, hi;

		if (ports_item(p, len, &lo, &hi, why, whylen) < 0) {
			free(seen);
			return -1;
		}
		for (long v = lo; v <= hi; v++)
			seen[v] = true;
		if (!comma)
			break;
		p = comma + 1;
	}
	for (long v = 1; v <= PORTS_MAX; v++)
		n += seen[v];
	out->v = malloc(n * sizeof(*out->v));
	if (!out->v) {
		free(seen);
		return -ENOMEM;
	}
	for (long v = 1; v <= PORTS_MAX; v++)
		if (seen[v])
			out->v[out->n++] = (uint16_t)v;
	free(seen);
	return 0;
}

void ports_free(struct ports *p)
{
	free(p->v);
	p->v = NULL;
	p->n = 0;
}
