/* Attaching BPF programs through bpf_link (XDP) and tcx links (TC): the kernel detaches them
 * when the last fd closes, including on SIGKILL, so nothing outlives xdpscope. */
#include "loader.h"

#include <errno.h>
#include <linux/capability.h>
#include <linux/if_link.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "caps.h"
#include "cli.h"

/* libbpf 1.1's headers predate tcx; the kernel (6.6+) knows this attach type. */
#define XS_BPF_TCX_INGRESS 46

static const char *const mode_names[] = { "xdp", "xdp-generic", "tc" };

const char *attach_mode_name(enum attach_mode mode)
{
	return mode_names[mode];
}

int attach_mode_parse(const char *cmd, const char *s, enum attach_mode *mode)
{
	for (int i = 0; i < 3; i++) {
		if (!strcmp(s, mode_names[i])) {
			*mode = i;
			return 0;
		}
	}
	cli_err(cmd, "invalid --attach value '%s': use xdp, xdp-generic or tc", s);
	return -1;
}

void loader_select(struct bpf_program *xdp, struct bpf_program *tc, enum attach_mode mode)
{
	bpf_program__set_autoload(xdp, mode != ATTACH_TC);
	bpf_program__set_autoload(tc, mode == ATTACH_TC);
}

int loader_check_caps(const char *cmd)
{
	static const int need[] = { CAP_BPF, CAP_PERFMON, CAP_NET_ADMIN, -1 };

	return caps_require(cmd, need, "load and attach BPF programs");
}

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_DEBUG || (level == LIBBPF_INFO && !getenv("XDPSCOPE_DEBUG")))
		return 0;
	if (level == LIBBPF_WARN && !getenv("XDPSCOPE_DEBUG"))
		return 0;
	return vfprintf(stderr, fmt, ap);
}

void loader_quiet_libbpf(void)
{
	libbpf_set_print(libbpf_print);
}

/* Names the XDP program already on the interface, if any, so we never replace it. */
static int xdp_occupied(const char *cmd, unsigned int ifindex, const char *ifname)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);
	int fd;

	if (bpf_xdp_query(ifindex, 0, &q) || !q.prog_id)
		return 0;
	fd = bpf_prog_get_fd_by_id(q.prog_id);
	if (fd >= 0 && !bpf_obj_get_info_by_fd(fd, &info, &len))
		cli_err(cmd, "%s already has XDP program '%s' (id %u) attached; not replacing it",
			ifname, info.name, q.prog_id);
	else
		cli_err(cmd, "%s already has XDP program id %u attached; not replacing it", ifname,
			q.prog_id);
	if (fd >= 0)
		close(fd);
	return -EBUSY;
}

static int attach_xdp(struct bpf_program *prog, unsigned int ifindex, __u32 flags)
{
	LIBBPF_OPTS(bpf_link_create_opts, opts, .flags = flags);
	int fd = bpf_link_create(bpf_program__fd(prog), ifindex, BPF_XDP, &opts);

	return fd < 0 ? -errno : fd;
}

int loader_attach(const char *cmd, struct bpf_program *xdp, struct bpf_program *tc,
		  unsigned int ifindex, const char *ifname, enum attach_mode *mode)
{
	int fd;

	if (*mode == ATTACH_TC) {
		fd = bpf_link_create(bpf_program__fd(tc), ifindex, XS_BPF_TCX_INGRESS, NULL);
		if (fd < 0) {
			fd = -errno;
			cli_err(cmd, "attaching to %s tc ingress (tcx): %s", ifname, strerror(-fd));
		}
		return fd;
	}
	if (xdp_occupied(cmd, ifindex, ifname))
		return -EBUSY;
	if (*mode == ATTACH_XDP) {
		fd = attach_xdp(xdp, ifindex, XDP_FLAGS_DRV_MODE);
		if (fd != -EOPNOTSUPP && fd != -EINVAL)
			goto out;
		fprintf(stderr, "xdpscope: %s: %s has no native XDP; falling back to xdp-generic\n",
			cmd, ifname);
		*mode = ATTACH_XDP_GENERIC;
	}
	fd = attach_xdp(xdp, ifindex, XDP_FLAGS_SKB_MODE);
out:
	if (fd < 0)
		cli_err(cmd, "attaching XDP to %s: %s", ifname, strerror(-fd));
	return fd;
}
