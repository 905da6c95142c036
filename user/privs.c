/* Least privilege: per-command capability needs, the up-front check, and the drop after setup
 * (capset and prctl through syscalls, no libcap), with tcpdump's -Z USER. */
#include "privs.h"

#include <errno.h>
#include <grp.h>
#include <linux/capability.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "caps.h"
#include "cli.h"

#define BPF_CAPS (PRIVS_CAP(CAP_BPF) | PRIVS_CAP(CAP_PERFMON) | PRIVS_CAP(CAP_NET_ADMIN))

struct privs_sets {
	uint64_t effective, permitted, inheritable;
};

/* Order in which a missing capability is named, and what it is for. */
static const struct {
	int cap;
	const char *why;
} privs_order[] = {
	{ CAP_BPF, "load BPF programs" },
	{ CAP_PERFMON, "load BPF programs" },
	{ CAP_NET_ADMIN, "attach BPF programs to an interface" },
	{ CAP_NET_RAW, "open raw or packet sockets" },
	{ CAP_NET_BIND_SERVICE, "listen on a port below net.ipv4.ip_unprivileged_port_start" },
	{ CAP_SETGID, "switch groups for -Z" },
	{ CAP_SETUID, "switch user for -Z" },
};

int privs_user_lookup(const char *cmd, const char *name, struct privs_user *u)
{
	struct passwd *pw;

	errno = 0;
	pw = *name ? getpwnam(name) : NULL;
	if (!pw) {
		cli_err(cmd, "unknown user '%s' (-Z)%s%s", name, errno ? ": " : "",
			errno ? strerror(errno) : "");
		return -1;
	}
	*u = (struct privs_user){ .name = name, .uid = pw->pw_uid, .gid = pw->pw_gid };
	return 0;
}

uint64_t privs_needed(const char *cmd, unsigned int flags)
{
	if (!strcmp(cmd, "watch"))
		return BPF_CAPS;
	/* Sweep's BPF counter is optional: without its capabilities sweep names the missing one
	 * and counts replies on its raw socket instead, so only that socket is a must. */
	if (!strcmp(cmd, "sweep"))
		return PRIVS_CAP(CAP_NET_RAW);
	if (!strcmp(cmd, "ping"))
		return privs_ping_dgram_allowed() ? 0 : PRIVS_CAP(CAP_NET_RAW);
	/* Promiscuous mode too: libpcap asks for it with PACKET_MR_PROMISC on the packet socket,
	 * which needs no more than the socket (measured: tcpdump with cap_net_raw alone). */
	if (!strcmp(cmd, "sniff") && !(flags & PRIVS_OFFLINE))
		return PRIVS_CAP(CAP_NET_RAW);
	if (!strcmp(cmd, "echo-server") && flags & PRIVS_LOW_PORT)
		return PRIVS_CAP(CAP_NET_BIND_SERVICE);
	return 0;
}

/* What capability privs_order[i] is for, in the words of command cmd. */
static const char *privs_why(const char *cmd, size_t i)
{
	int cap = privs_order[i].cap;

	if (cap == CAP_NET_RAW && !strcmp(cmd, "ping"))
		return "open a raw ICMP socket; net.ipv4.ping_group_range allows no group of ours "
		       "the ICMP datagram socket";
	if (cap == CAP_NET_RAW && !strcmp(cmd, "sweep"))
		return "send ICMP echo requests on a raw socket";
	return privs_order[i].why;
}

/* What to do instead of getting capability privs_order[i], into buf; NULL if nothing. Only
 * CAP_NET_BIND_SERVICE has an alternative: make install leaves it out on purpose (with it,
 * any user could take any free privileged port), and a higher port needs nothing. */
static const char *privs_hint(size_t i, char *buf, size_t n)
{
	if (privs_order[i].cap != CAP_NET_BIND_SERVICE)
		return NULL;
	snprintf(buf, n, "use --port %u or above", privs_unprivileged_port_start());
	return buf;
}

int privs_check(const char *cmd, unsigned int flags, const struct privs_user *u)
{
	uint64_t need = privs_needed(cmd, flags);
	char hint[64];

	if (u && u->name)
		need |= PRIVS_CAP(CAP_SETUID) | PRIVS_CAP(CAP_SETGID);
	for (size_t i = 0; i < sizeof(privs_order) / sizeof(privs_order[0]); i++) {
		int one[] = { privs_order[i].cap, -1 };

		if (need & PRIVS_CAP(one[0]) &&
		    caps_require_hint(cmd, one, privs_why(cmd, i), privs_hint(i, hint, sizeof(hint))))
			return -1;
	}
	return 0;
}

unsigned int privs_unprivileged_port_start(void)
{
	FILE *f = fopen("/proc/sys/net/ipv4/ip_unprivileged_port_start", "re");
	unsigned int start = 1024;

	if (f) {
		if (fscanf(f, "%u", &start) != 1)
			start = 1024;
		fclose(f);
	}
	return start;
}

int privs_port_privileged(unsigned int port)
{
	return port < privs_unprivileged_port_start();
}

int privs_ping_dgram_allowed(void)
{
	FILE *f = fopen("/proc/sys/net/ipv4/ping_group_range", "re");
	unsigned long lo, hi;
	gid_t groups[256];
	int n, ok;

	if (!f)
		return 0;
	ok = fscanf(f, "%lu %lu", &lo, &hi) == 2;
	fclose(f);
	if (!ok)
		return 0;
	if (getegid() >= lo && getegid() <= hi)
		return 1;
	n = getgroups(sizeof(groups) / sizeof(groups[0]), groups);
	for (int i = 0; i < n; i++)
		if (groups[i] >= lo && groups[i] <= hi)
			return 1;
	return 0;
}

static int privs_get(struct privs_sets *s)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2] = {};

	if (syscall(SYS_capget, &hdr, d))
		return -errno;
	s->effective = d[0].effective | (uint64_t)d[1].effective << 32;
	s->permitted = d[0].permitted | (uint64_t)d[1].permitted << 32;
	s->inheritable = d[0].inheritable | (uint64_t)d[1].inheritable << 32;
	return 0;
}

static int privs_set(const struct privs_sets *s)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2] = {
		{ (uint32_t)s->effective, (uint32_t)s->permitted, (uint32_t)s->inheritable },
		{ s->effective >> 32, s->permitted >> 32, s->inheritable >> 32 },
	};

	return syscall(SYS_capset, &hdr, d) ? -errno : 0;
}

static int privs_last_cap(void)
{
	FILE *f = fopen("/proc/sys/kernel/cap_last_cap", "re");
	int last = CAP_LAST_CAP;

	if (f) {
		if (fscanf(f, "%d", &last) != 1 || last < 0 || last > 63)
			last = CAP_LAST_CAP;
		fclose(f);
	}
	return last;
}

/* Only a process with CAP_SETPCAP may shrink its bounding set; with file capabilities alone it
 * cannot, and no_new_privs already stops any later exec from gaining capabilities. */
static int privs_drop_bounding(const char *cmd, uint64_t keep)
{
	int last = privs_last_cap();

	if (!caps_have(CAP_SETPCAP))
		return 0;
	for (int c = 0; c <= last; c++) {
		if (keep & PRIVS_CAP(c) || prctl(PR_CAPBSET_READ, c, 0, 0, 0) != 1)
			continue;
		if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0)) {
			cli_err(cmd, "dropping capability %d from the bounding set: %s", c,
				strerror(errno));
			return -1;
		}
	}
	return 0;
}

static int privs_switch_user(const char *cmd, const struct privs_user *u)
{
	if (initgroups(u->name, u->gid) || setresgid(u->gid, u->gid, u->gid)) {
		cli_err(cmd, "switching to the groups of user '%s': %s", u->name, strerror(errno));
		return -1;
	}
	if (setresuid(u->uid, u->uid, u->uid)) {
		cli_err(cmd, "switching to user '%s': %s", u->name, strerror(errno));
		return -1;
	}
	/* As tcpdump insists: there must be no way back to root. */
	if (u->uid != 0 && (setuid(0) == 0 || seteuid(0) == 0)) {
		cli_err(cmd, "could regain root after switching to user '%s'", u->name);
		return -1;
	}
	return 0;
}

int privs_drop(const char *cmd, uint64_t keep, const struct privs_user *u)
{
	struct privs_sets s;
	bool switch_user = u && u->name;
	int err;

	if (switch_user)
		keep = 0;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)) {
		cli_err(cmd, "setting no_new_privs: %s", strerror(errno));
		return -1;
	}
	if (privs_drop_bounding(cmd, keep))
		return -1;
	/* Fails with EINVAL on kernels without ambient capabilities, where there is none to clear. */
	prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	if (switch_user && privs_switch_user(cmd, u))
		return -1;
	err = privs_get(&s);
	if (!err) {
		s.permitted &= keep;
		s.effective = s.permitted;
		s.inheritable = 0;
		err = privs_set(&s);
	}
	if (!err)
		err = privs_get(&s);
	if (err || s.permitted & ~keep || s.effective & ~keep || s.inheritable) {
		cli_err(cmd, "dropping capabilities: %s", err ? strerror(-err) : "some remain");
		return -1;
	}
	return 0;
}
