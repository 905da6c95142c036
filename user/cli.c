/* Shared command-line plumbing: one-line errors and strict number parsing for every command. */
#include "cli.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "utf8.h"

/* Code points that are well-formed but would drive the terminal or rearrange the line. */
static bool cli_unsafe_cp(uint32_t cp)
{
	return (cp >= 0x80 && cp <= 0x9f) || cp == 0x061c || cp == 0x200e || cp == 0x200f ||
	       (cp >= 0x2028 && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
}

/* Appends len bytes of b to out (size n) at *at, as far as they fit; *at counts them all. */
static void cli_put(char *out, size_t n, size_t *at, const char *b, size_t len)
{
	for (size_t i = 0; i < len; i++, (*at)++)
		if (*at + 1 < n)
			out[*at] = b[i];
}

size_t cli_escape(char *out, size_t n, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t at = 0, left = strlen(str);

	while (left) {
		uint32_t cp = 0;
		size_t len = utf8_seq_len(s, left, &cp);
		char esc[8];

		if (*s == '\\' || *s == '\n' || *s == '\t' || *s == '\r') {
			esc[0] = '\\';
			esc[1] = *s == '\n' ? 'n' : *s == '\t' ? 't' : *s == '\r' ? 'r' : '\\';
			cli_put(out, n, &at, esc, 2);
			len = 1;
		} else if (len == 0 || cp < 0x20 || cp == 0x7f || cli_unsafe_cp(cp)) {
			/* An unsafe character goes out byte by byte; its later bytes come next. */
			snprintf(esc, sizeof(esc), "\\x%02x", *s);
			cli_put(out, n, &at, esc, 4);
			len = 1;
		} else {
			cli_put(out, n, &at, (const char *)s, len);
		}
		s += len;
		left -= len;
	}
	out[at < n ? at : n - 1] = '\0';
	return at;
}

void cli_err(const char *cmd, const char *fmt, ...)
{
	char msg[4096], line[64 + 4 * sizeof(msg)];
	size_t at;
	va_list ap;
	int len;

	va_start(ap, fmt);
	len = vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (len < 0)
		snprintf(msg, sizeof(msg), "(cannot format the error: %s)", fmt);
	snprintf(line, sizeof(line), "xdpscope: %.32s: ", cmd);
	at = strlen(line);
	at += cli_escape(line + at, sizeof(line) - at, msg);
	at += (size_t)snprintf(line + at, sizeof(line) - at, "%s\n",
			       len >= (int)sizeof(msg) ? "..." : "");
	/* One write, so that the line is not interleaved with another process's output. */
	fwrite(line, 1, at, stderr);
}

int cli_parse_u64(const char *cmd, const char *opt, const char *s, uint64_t min, uint64_t max,
		  uint64_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	/* strtoull accepts "-1" and wraps it, and skips leading blanks: reject both explicitly. */
	if (!s || !*s || *s == '-' || *s == '+' || isspace((unsigned char)*s)) {
		cli_err(cmd, "invalid %s value '%s': not a number", opt, s ? s : "");
		return -1;
	}
	v = strtoull(s, &end, 10);
	if (*end || errno == ERANGE) {
		cli_err(cmd, "invalid %s value '%s': not a number", opt, s);
		return -1;
	}
	if (v < min || v > max) {
		cli_err(cmd, "invalid %s value '%s': must be %llu to %llu", opt, s,
			(unsigned long long)min, (unsigned long long)max);
		return -1;
	}
	*out = v;
	return 0;
}

int cli_parse_double(const char *cmd, const char *opt, const char *s, double min, double max,
		     double *out)
{
	char *end;
	double v;

	errno = 0;
	if (!s || !*s) {
		cli_err(cmd, "invalid %s value '': not a number", opt);
		return -1;
	}
	/* strtod skips leading blanks; the whole string must be the number. */
	if (isspace((unsigned char)*s)) {
		cli_err(cmd, "invalid %s value '%s': not a number", opt, s);
		return -1;
	}
	v = strtod(s, &end);
	if (*end || errno == ERANGE || !isfinite(v)) {
		cli_err(cmd, "invalid %s value '%s': not a number", opt, s);
		return -1;
	}
	if (v < min || v > max) {
		cli_err(cmd, "invalid %s value '%s': must be %g to %g", opt, s, min, max);
		return -1;
	}
	*out = v;
	return 0;
}

unsigned int cli_ifindex(const char *cmd, const char *ifname)
{
	unsigned int idx;
	size_t len = strlen(ifname);

	if (len == 0 || len >= IF_NAMESIZE) {
		cli_err(cmd, "invalid interface name '%s': must be 1 to %d bytes", ifname,
			IF_NAMESIZE - 1);
		return 0;
	}
	if (strpbrk(ifname, "/ \t\n")) {
		cli_err(cmd, "invalid interface name '%s'", ifname);
		return 0;
	}
	idx = if_nametoindex(ifname);
	if (!idx)
		cli_err(cmd, "no such interface '%s'", ifname);
	return idx;
}

bool cli_wants_help(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--"))
			return false;
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
			return true;
	}
	return false;
}
