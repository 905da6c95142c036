/* Shared command-line plumbing: exit codes, one-line errors, strict number parsing. */
#ifndef XDPSCOPE_CLI_H
#define XDPSCOPE_CLI_H

#include <stdbool.h>
#include <stdint.h>

/* Exit codes follow iputils ping: 0 success, 1 "no answer" (a negative result), 2 error. */
enum { EXIT_OK = 0, EXIT_NEGATIVE = 1, EXIT_ERROR = 2 };

/* Prints "xdpscope: CMD: MESSAGE" on stderr as one line. */
void cli_err(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Strict parsers: the whole string must be a number within [min, max]. On failure they print
 * "xdpscope: CMD: invalid OPT value 'S': why" and return -1. */
int cli_parse_u64(const char *cmd, const char *opt, const char *s, uint64_t min, uint64_t max,
		  uint64_t *out);
int cli_parse_double(const char *cmd, const char *opt, const char *s, double min, double max,
		     double *out);

/* Validates an interface name (1..15 bytes, no '/', no whitespace) and returns its ifindex,
 * or prints the error and returns 0. */
unsigned int cli_ifindex(const char *cmd, const char *ifname);

/* True when argv holds -h or --help before a "--". */
bool cli_wants_help(int argc, char **argv);

#endif
