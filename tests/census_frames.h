/* A systematic set of crafted frames for the census: every header combination the census
 * distinguishes (VLAN tags, IPv4 options, IPv6 extension chains, fragments, TCP data offsets,
 * ports around the ceiling, ICMP types of both families, and the wrong family's ICMP). */
#ifndef XDPSCOPE_TEST_CENSUS_FRAMES_H
#define XDPSCOPE_TEST_CENSUS_FRAMES_H

#include <stddef.h>
#include <stdint.h>

/* Calls fn once per frame (whole, consistent lengths; buf valid during the call). Returns the
 * number of frames. The port ceiling of the set is 1000. */
size_t census_frames_each(void (*fn)(const uint8_t *frame, size_t len, void *ctx), void *ctx);

#endif
