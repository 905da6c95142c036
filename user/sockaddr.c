/* Socket address text for logs and messages. */
#include "sockaddr.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

/* A dual-stack listener sees IPv4 peers as ::ffff:a.b.c.d; show them as a.b.c.d. */
static int sockaddr_v4(const struct sockaddr *sa, struct in_addr *v4, unsigned short *port)
{
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)sa;

		*v4 = s4->sin_addr;
		*port = ntohs(s4->sin_port);
		return 1;
	}
	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)sa;

		if (IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr)) {
			memcpy(v4, &s6->sin6_addr.s6_addr[12], 4);
			*port = ntohs(s6->sin6_port);
			return 1;
		}
	}
	return 0;
}

void sockaddr_addr(const struct sockaddr *sa, char out[INET6_ADDRSTRLEN])
{
	struct in_addr v4;
	unsigned short port;

	if (sockaddr_v4(sa, &v4, &port))
		inet_ntop(AF_INET, &v4, out, INET6_ADDRSTRLEN);
	else if (sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, out,
			  INET6_ADDRSTRLEN);
	else
		snprintf(out, INET6_ADDRSTRLEN, "?");
}

void sockaddr_format(const struct sockaddr *sa, char out[SOCKADDR_STRLEN])
{
	char a[INET6_ADDRSTRLEN];
	struct in_addr v4;
	unsigned short port;

	sockaddr_addr(sa, a);
	if (sockaddr_v4(sa, &v4, &port))
		snprintf(out, SOCKADDR_STRLEN, "%s:%u", a, port);
	else if (sa->sa_family == AF_INET6)
		snprintf(out, SOCKADDR_STRLEN, "[%s]:%u", a,
			 ntohs(((const struct sockaddr_in6 *)sa)->sin6_port));
	else
		snprintf(out, SOCKADDR_STRLEN, "?");
}

int sockaddr_parse(const char *text, unsigned short port, struct sockaddr_storage *ss,
		   socklen_t *len)
{
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, text, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		*len = sizeof(*s4);
		return 0;
	}
	if (inet_pton(AF_INET6, text, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		*len = sizeof(*s6);
		return 0;
	}
	return -1;
}
