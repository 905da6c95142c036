/* Python 3 bytes repr: the quoting and escaping rules of CPython's bytes_repr. */
#include "pyrepr.h"

#include <string.h>

size_t pyrepr_size(size_t len)
{
	/* Worst case every byte becomes \xNN; plus b, two quotes and the NUL. */
	return len * 4 + 4;
}

/* CPython uses double quotes only when the data holds ' and no ". */
static char pyrepr_quote(const unsigned char *p, size_t len)
{
	return memchr(p, '\'', len) && !memchr(p, '"', len) ? '"' : '\'';
}

size_t pyrepr_bytes(const void *data, size_t len, char *out)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = data;
	char quote = pyrepr_quote(p, len);
	char *o = out;

	*o++ = 'b';
	*o++ = quote;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = p[i];

		if (c == (unsigned char)quote || c == '\\') {
			*o++ = '\\';
			*o++ = (char)c;
		} else if (c == '\t' || c == '\n' || c == '\r') {
			*o++ = '\\';
			*o++ = c == '\t' ? 't' : c == '\n' ? 'n' : 'r';
		} else if (c < 0x20 || c >= 0x7f) {
			*o++ = '\\';
			*o++ = 'x';
			*o++ = hex[c >> 4];
			*o++ = hex[c & 0xf];
		} else {
			*o++ = (char)c;
		}
	}
	*o++ = quote;
	*o = '\0';
	return (size_t)(o - out);
}
