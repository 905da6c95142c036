/* Map keys and values shared by bpf/sweep.bpf.c and user space, and the probe cookie both
 * sides compute (so that a reply maps back, verifiably, to the probe that caused it). */
#ifndef XDPSCOPE_SWEEP_H
#define XDPSCOPE_SWEEP_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

/* Echo payload we send: the send time (CLOCK_MONOTONIC ns, host order) and the cookie. */
#define SWEEP_PAYLOAD_LEN 16

/* A replying address, IPv4 as IPv4-mapped IPv6 (::ffff:a.b.c.d), network byte order. */
struct sweep_key {
	__u32 addr[4];
};

struct sweep_hit {
	__u64 first_ns; /* bpf_ktime_get_ns() at the first valid reply */
	__u64 sent_ns;  /* the send time that reply carried, so RTT = first_ns - sent_ns */
	__u32 count;    /* valid replies (duplicates and late retried replies included) */
	__u16 seq;      /* the first reply's sequence: target index modulo 65536 */
	__u16 pad;
};

struct sweep_stats {
	__u64 counted;       /* valid replies */
	__u64 wrong_cookie;  /* our identifier but a cookie that does not match: not counted */
	__u64 stale;         /* valid but sent before this round: not counted */
	__u64 insert_failed; /* the map was full: a reply went uncounted (should stay 0) */
	__u64 bad_checksum;  /* an ICMPv4 echo reply of ours with a wrong checksum: not counted */
};

/* One target of the kernel-side sender (bpf/sweep_gen.bpf.c): its IPv4 address (network
 * order) and its index in the target list (the probe's sequence is the index mod 65536). */
struct sweep_gen_target {
	__u32 addr;
	__u32 index;
};

/* A keyed 32-bit cookie over (address, sequence, send time): a reply counts only if it echoes
 * the cookie of a probe we sent to the address it comes from. Not cryptographic, but the key
 * is random per run and nothing outside sees a cookie before our probe carries it. */
static inline __u64 sweep_mix(__u64 h, __u64 v)
{
	h ^= v;
	h *= 0x9E3779B97F4A7C15ULL;
	return h ^ (h >> 31);
}

static inline __u32 sweep_cookie(__u64 key, const struct sweep_key *a, __u16 seq, __u64 sent_ns)
{
	__u64 h = sweep_mix(key, ((__u64)a->addr[0] << 32) | a->addr[1]);

	h = sweep_mix(h, ((__u64)a->addr[2] << 32) | a->addr[3]);
	h = sweep_mix(h, seq);
	h = sweep_mix(h, sent_ns);
	return (__u32)(h ^ (h >> 32));
}

#endif
