/* Python-style bytes repr (b'...'), so echo-client output reads like the lab's Python client. */
#ifndef XDPSCOPE_PYREPR_H
#define XDPSCOPE_PYREPR_H

#include <stddef.h>

/* Bytes needed for the repr of LEN bytes, including the terminating NUL. */
size_t pyrepr_size(size_t len);

/* Writes repr(bytes(DATA[0..LEN))) as Python 3 prints it into OUT, which must hold
 * pyrepr_size(LEN) bytes; returns the string length. */
size_t pyrepr_bytes(const void *data, size_t len, char *out);

#endif
