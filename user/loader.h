/* Attaching BPF programs to an interface through links, so they are detached when we exit. */
#ifndef XDPSCOPE_LOADER_H
#define XDPSCOPE_LOADER_H

#include <bpf/libbpf.h>

enum attach_mode { ATTACH_XDP, ATTACH_XDP_GENERIC, ATTACH_TC };

const char *attach_mode_name(enum attach_mode mode);
/* Parses an --attach value; prints the error naming the value and returns -1 when invalid. */
int attach_mode_parse(const char *cmd, const char *s, enum attach_mode *mode);

/* Loads only the program the mode needs (call between open and load). */
void loader_select(struct bpf_program *xdp, struct bpf_program *tc, enum attach_mode mode);

/* Checks the capabilities BPF loading needs; prints the missing one. */
int loader_check_caps(const char *cmd);

/* Attaches the program for *mode to ifindex and returns the link fd (closing it detaches).
 * Refuses to replace an XDP program someone else attached. If native XDP is not supported,
 * falls back to generic XDP, says so on stderr and updates *mode. Prints errors; returns < 0. */
int loader_attach(const char *cmd, struct bpf_program *xdp, struct bpf_program *tc,
		  unsigned int ifindex, const char *ifname, enum attach_mode *mode);

/* Routes libbpf's messages: warnings and errors only, unless XDPSCOPE_DEBUG is set. */
void loader_quiet_libbpf(void);

#endif
