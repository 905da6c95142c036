/* Shared command-line plumbing: exit codes, one-line errors, strict number parsing. */
#ifndef XDPSCOPE_CLI_H
#define XDPSCOPE_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Exit codes follow iputils ping: 0 success, 1 "no answer" (a negative result), 2 error. */
enum { EXIT_OK = 0, EXIT_NEGATIVE = 1, EXIT_ERROR = 2 };

/* Prints "xdpscope: CMD: MESSAGE" on stderr as one line, with MESSAGE passed through
 * cli_escape: a value named in it (an option, a file, a host) cannot break the line or send
 * the terminal an escape sequence. MESSAGE is cut at 4095 bytes before escaping ("..."). */
void cli_err(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Copies s to out (size n > 0, always NUL-terminated), escaped C-style into one safe line:
 * a backslash becomes \\, newline, tab and carriage return \n \t \r, and every other byte
 * that is not printable ASCII (0x20-0x7e) or part of a well-formed UTF-8 character becomes
 * \xHH (two lowercase hex digits). Printable UTF-8 stays as it is, so non-English file and
 * host names read as typed; the C1 controls (U+0080-U+009F, which terminals may obey), the
 * Unicode line and paragraph separators and the bidirectional controls (which could reorder
 * the line as displayed) are escaped byte by byte. The result holds no control byte and
 * decodes back to s. Returns the length the whole result needs, as snprintf does. */
size_t cli_escape(char *out, size_t n, const char *s);

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
