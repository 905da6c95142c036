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

void cli_err(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "xdpscope: %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
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
