/* Socket address text: "ADDR:PORT" for IPv4, "[ADDR]:PORT" for IPv6, as logs and users expect. */
#ifndef XDPSCOPE_SOCKADDR_H
#define XDPSCOPE_SOCKADDR_H

#include <netinet/in.h>
#include <sys/socket.h>

/* Enough for "[" INET6_ADDRSTRLEN "]:65535". */
#define SOCKADDR_STRLEN (INET6_ADDRSTRLEN + 8)

/* Formats SA (AF_INET or AF_INET6; IPv4-mapped IPv6 is shown as plain IPv4) into OUT. */
void sockaddr_format(const struct sockaddr *sa, char out[SOCKADDR_STRLEN]);

/* Just the address part, without port or brackets. */
void sockaddr_addr(const struct sockaddr *sa, char out[INET6_ADDRSTRLEN]);

/* Strict numeric address (inet_pton: "1.2.3" is refused) and PORT into SS. Returns 0, or -1
 * when TEXT is neither an IPv4 nor an IPv6 address. */
int sockaddr_parse(const char *text, unsigned short port, struct sockaddr_storage *ss,
		   socklen_t *len);

#endif
