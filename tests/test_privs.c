/* privs: what each command needs, and the drop (kept set, bounding set, no_new_privs, -Z user),
 * checked against /proc/self/status and against what the kernel then refuses. Each Criterion
 * test runs in its own process, so the drops do not outlive it. Runs as root. */
#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <netinet/in.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "privs.h"

/* The hexadecimal or decimal value of "FIELD:" in /proc/self/status. */
static unsigned long long status_field(const char *field, int base)
{
	char line[256], *v = NULL;
	size_t n = strlen(field);
	FILE *f = fopen("/proc/self/status", "r");

	cr_assert_not_null(f);
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, field, n) && line[n] == ':') {
			v = line + n + 1;
			break;
		}
	fclose(f);
	cr_assert_not_null(v, "no %s in /proc/self/status", field);
	return strtoull(v, NULL, base);
}

/* Whether chown of a fresh file to another user works (it needs CAP_CHOWN). */
static bool can_chown(void)
{
	char path[] = "/tmp/xs_privs_XXXXXX";
	int fd = mkstemp(path), rc;

	cr_assert_geq(fd, 0);
	rc = fchown(fd, 65534, 65534);
	close(fd);
	unlink(path);
	return rc == 0;
}

Test(privs, needs_per_command)
{
	/* CAP_BPF 39, CAP_PERFMON 38, CAP_NET_ADMIN 12, CAP_NET_RAW 13, CAP_NET_BIND_SERVICE 10 */
	cr_assert_eq(privs_needed("watch", 0), (1ULL << 39) | (1ULL << 38) | (1ULL << 12));
	cr_assert_eq(privs_needed("sweep", 0), 1ULL << 13);
	cr_assert_eq(privs_needed("sniff", 0), 1ULL << 13);
	cr_assert_eq(privs_needed("sniff", PRIVS_OFFLINE), 0);
	cr_assert_eq(privs_needed("echo-server", PRIVS_LOW_PORT), 1ULL << 10);
	cr_assert_eq(privs_needed("echo-server", 0), 0);
	cr_assert_eq(privs_needed("echo-client", 0), 0);
	cr_assert_eq(privs_needed("ifaces", 0), 0);
	cr_assert_eq(privs_needed("ip", 0), 0);
	cr_assert_eq(privs_needed("status", 0), 0);
	cr_assert(privs_port_privileged(7));
	cr_assert_not(privs_port_privileged(65535));
}

Test(privs, drop_keeps_only_what_is_asked)
{
	uint64_t raw = 1ULL << CAP_NET_RAW;
	int fd;

	cr_assert(can_chown(), "the test needs root");
	cr_assert_eq(privs_drop("test", raw, NULL), 0);
	cr_assert_eq(status_field("CapEff", 16), raw);
	cr_assert_eq(status_field("CapPrm", 16), raw);
	cr_assert_eq(status_field("CapInh", 16), 0);
	cr_assert_eq(status_field("CapAmb", 16), 0);
	cr_assert_eq(status_field("CapBnd", 16), raw, "bounding set %llx",
		     status_field("CapBnd", 16));
	cr_assert_eq(status_field("NoNewPrivs", 10), 1);
	cr_assert_eq(getuid(), 0, "no -Z: still root");
	cr_assert_not(can_chown(), "CAP_CHOWN was dropped");
	fd = socket(AF_INET, SOCK_RAW, IPPROTO_ICMP);
	cr_assert_geq(fd, 0, "CAP_NET_RAW was kept");
	close(fd);
}

Test(privs, drop_all)
{
	cr_assert_eq(privs_drop("test", 0, NULL), 0);
	cr_assert_eq(status_field("CapEff", 16), 0);
	cr_assert_eq(status_field("CapPrm", 16), 0);
	cr_assert_eq(status_field("CapBnd", 16), 0);
	cr_assert_lt(socket(AF_INET, SOCK_RAW, IPPROTO_ICMP), 0);
}

Test(privs, switch_user)
{
	struct passwd *pw = getpwnam("nobody");
	struct privs_user u;
	gid_t groups[64];
	int n;

	cr_assert_not_null(pw, "the test needs user nobody");
	cr_assert_eq(privs_user_lookup("test", "nobody", &u), 0);
	cr_assert_eq(u.uid, pw->pw_uid);
	cr_assert_eq(u.gid, pw->pw_gid);
	/* A kept capability does not survive -Z. */
	cr_assert_eq(privs_drop("test", 1ULL << CAP_NET_RAW, &u), 0);
	cr_assert_eq(getuid(), pw->pw_uid);
	cr_assert_eq(geteuid(), pw->pw_uid);
	cr_assert_eq(getgid(), pw->pw_gid);
	cr_assert_eq(getegid(), pw->pw_gid);
	n = getgroups(64, groups);
	cr_assert_eq(n, 1, "nobody is in its own group only, got %d groups", n);
	cr_assert_eq(groups[0], pw->pw_gid);
	cr_assert_eq(status_field("CapEff", 16), 0);
	cr_assert_eq(status_field("CapPrm", 16), 0);
	cr_assert_eq(status_field("CapBnd", 16), 0);
	cr_assert_eq(setuid(0), -1);
	cr_assert_eq(setgid(0), -1);
}

Test(privs, unknown_user, .init = cr_redirect_stderr)
{
	struct privs_user u = { 0 };

	cr_assert_eq(privs_user_lookup("watch", "xs-no-such-user", &u), -1);
	cr_assert_eq(privs_user_lookup("watch", "", &u), -1);
	cr_assert_null(u.name);
	fflush(stderr);
	cr_assert_stderr_eq_str("xdpscope: watch: unknown user 'xs-no-such-user' (-Z)\n"
				"xdpscope: watch: unknown user '' (-Z)\n");
}

Test(privs, check_names_the_missing_capability, .init = cr_redirect_stderr)
{
	cr_assert_eq(privs_drop("test", 1ULL << CAP_BPF, NULL), 0);
	cr_assert_eq(privs_check("watch", 0, NULL), -1);
	cr_assert_eq(privs_check("ifaces", 0, NULL), 0);
	fflush(stderr);
	cr_assert_stderr_eq_str("xdpscope: watch: missing capability CAP_PERFMON (needed to load BPF "
				"programs)\n");
}

/* make install does not grant CAP_NET_BIND_SERVICE: the error says what works without it,
 * the first port of this namespace's unprivileged range (read here from /proc). */
Test(privs, low_port_error_suggests_a_port, .init = cr_redirect_stderr)
{
	FILE *f = fopen("/proc/sys/net/ipv4/ip_unprivileged_port_start", "r");
	unsigned int start = 0;
	char want[256];

	cr_assert_not_null(f);
	cr_assert_eq(fscanf(f, "%u", &start), 1);
	fclose(f);
	cr_assert_eq(privs_unprivileged_port_start(), start);
	cr_assert_eq(privs_drop("test", 0, NULL), 0);
	cr_assert_eq(privs_check("echo-server", PRIVS_LOW_PORT, NULL), -1);
	cr_assert_eq(privs_check("echo-server", 0, NULL), 0);
	fflush(stderr);
	snprintf(want, sizeof(want), "xdpscope: echo-server: missing capability CAP_NET_BIND_SERVICE "
		 "(needed to listen on a port below net.ipv4.ip_unprivileged_port_start); use --port "
		 "%u or above\n", start);
	cr_assert_stderr_eq_str(want);
}
