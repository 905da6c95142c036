/* Capability checks: read the effective set once with capget(2); no libcap needed. */
#include "caps.h"

#include <linux/capability.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cli.h"

bool caps_have(int cap)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2] = {};

	if (cap < 0 || cap >= 64 || syscall(SYS_capget, &hdr, data))
		return false;
	return data[cap / 32].effective & (1u << (cap % 32));
}

const char *caps_name(int cap)
{
	switch (cap) {
	case CAP_NET_ADMIN: return "CAP_NET_ADMIN";
	case CAP_NET_RAW: return "CAP_NET_RAW";
	case CAP_NET_BIND_SERVICE: return "CAP_NET_BIND_SERVICE";
	case CAP_SYS_ADMIN: return "CAP_SYS_ADMIN";
	case CAP_PERFMON: return "CAP_PERFMON";
	case CAP_BPF: return "CAP_BPF";
	case CAP_SETUID: return "CAP_SETUID";
	case CAP_SETGID: return "CAP_SETGID";
	default: return "CAP_?";
	}
}

int caps_require(const char *cmd, const int *caps, const char *why)
{
	return caps_require_hint(cmd, caps, why, NULL);
}

int caps_require_hint(const char *cmd, const int *caps, const char *why, const char *hint)
{
	for (; *caps >= 0; caps++) {
		/* CAP_SYS_ADMIN still grants what CAP_BPF and CAP_PERFMON split out of it. */
		if ((*caps == CAP_BPF || *caps == CAP_PERFMON) && caps_have(CAP_SYS_ADMIN))
			continue;
		if (!caps_have(*caps)) {
			cli_err(cmd, "missing capability %s (needed to %s)%s%s", caps_name(*caps), why,
				hint ? "; " : "", hint ? hint : "");
			return -1;
		}
	}
	return 0;
}
