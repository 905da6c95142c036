/* DNS summary for sniff's decoder: a DNS message -> tcpdump's default one-line text.
 * Pure and bounds-checked like decode.c, which calls it for port 53. */
#ifndef XDPSCOPE_DECODE_DNS_H
#define XDPSCOPE_DECODE_DNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Writes the summary of the DNS message at p (cap bytes captured of len) into out (always
 * NUL-terminated). Returns false if the message is cut short: the caller then appends
 * tcpdump's " [|domain]" mark. */
bool decode_dns(const uint8_t *p, uint32_t cap, uint32_t len, char *out, size_t n);

#endif
