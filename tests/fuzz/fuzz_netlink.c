/* Fuzzes the rtnetlink dump parsers: input byte 0 picks links (even) or addresses (odd), the
 * rest is one received datagram (sequence number 1). Whatever the bytes, the parsers must
 * return a documented code, and every parsed entry must hold terminated names and lengths
 * within its arrays; the names ip would print are formatted from each entry as well. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netlink.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fail(const char *what, int rc)
{
	fprintf(stderr, "fuzz_netlink: %s (rc %d)\n", what, rc);
	abort();
}

static void name_sink(const char *name, void *ctx)
{
	size_t *total = ctx;

	*total += strlen(name);
}

static void check_links(const struct netlink_links *l)
{
	char buf[3 * NETLINK_HWADDR_MAX + 64];
	size_t total = 0;

	for (size_t i = 0; i < l->n; i++) {
		const struct netlink_link *k = &l->v[i];

		if (strnlen(k->ifname, sizeof(k->ifname)) == sizeof(k->ifname) ||
		    strnlen(k->qdisc, sizeof(k->qdisc)) == sizeof(k->qdisc))
			fail("unterminated name", 0);
		if (k->addr_len > NETLINK_HWADDR_MAX || k->brd_len > NETLINK_HWADDR_MAX)
			fail("address length past its array", 0);
		netlink_hwaddr_str(k->type, k->addr, k->addr_len, buf, sizeof(buf));
		if (strnlen(buf, sizeof(buf)) == sizeof(buf))
			fail("unterminated address text", 0);
		netlink_hwaddr_str(k->type, k->brd, k->brd_len, buf, 8); /* short buffers truncate */
		netlink_link_type_name(k->type, buf, sizeof(buf));
		netlink_operstate_name(k->operstate);
		netlink_flag_names(k->flags, i & 1, name_sink, &total);
	}
}

static void check_addrs(const struct netlink_addrs *a)
{
	char buf[32];

	for (size_t i = 0; i < a->n; i++) {
		const struct netlink_addr *d = &a->v[i];

		if (strnlen(d->label, sizeof(d->label)) == sizeof(d->label))
			fail("unterminated label", 0);
		if (!netlink_scope_name(d->scope, buf, sizeof(buf)))
			fail("no scope name", 0);
	}
}

static void check_rc(int rc)
{
	/* 1 done, 0 more to come, -errno from an NLMSG_ERROR (any negative value the kernel sent),
	 * -EBADMSG, -EINTR (dump interrupted), -ENOMEM. */
	if (rc > 1)
		fail("return code out of range", rc);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct netlink_links links = { 0 };
	struct netlink_addrs addrs = { 0 };
	void *buf;
	int rc;

	if (size < 1 || size > 65536)
		return 0;
	/* Netlink messages arrive 4-byte aligned; malloc gives more. */
	buf = malloc(size - 1 ? size - 1 : 1);
	memcpy(buf, data + 1, size - 1);
	if (data[0] & 1) {
		rc = netlink_parse_addrs(buf, size - 1, 1, &addrs);
		check_rc(rc);
		check_addrs(&addrs);
		/* A second datagram appends to the same list. */
		rc = netlink_parse_addrs(buf, size - 1, 1, &addrs);
		check_rc(rc);
		check_addrs(&addrs);
	} else {
		rc = netlink_parse_links(buf, size - 1, 1, &links);
		check_rc(rc);
		check_links(&links);
		rc = netlink_parse_links(buf, size - 1, 1, &links);
		check_rc(rc);
		check_links(&links);
	}
	netlink_links_free(&links);
	netlink_addrs_free(&addrs);
	free(buf);
	return 0;
}
