/* UTF-8 validation shared by the JSON writer and the escaping of error lines. */
#ifndef XDPSCOPE_UTF8_H
#define XDPSCOPE_UTF8_H

#include <stddef.h>
#include <stdint.h>

/* Length (1..4) of the well-formed UTF-8 sequence at s, which has left (>= 1) bytes, storing
 * its code point in *cp when cp is not NULL; 0 for a byte that does not start one (overlong
 * forms, surrogates, values past U+10FFFF and truncated sequences included). */
size_t utf8_seq_len(const unsigned char *s, size_t left, uint32_t *cp);

#endif
