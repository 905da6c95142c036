#!/usr/bin/env bash
# sweep of 2^20 targets (the default --max-targets) under a stated memory bound: exact alive and
# inactive results for a block where 4,096 hosts answer, then for one where all 2^20 answer
# (every reply goes through the map reads), each with peak RSS under SWEEP_RSS_BOUND_KB.
source "$(dirname "$0")/lib.sh"

# The bound (docs/limits.md), from what a round must keep per target, not from what the code
# allocates today:
#   address 16 B (IPv6, or IPv4-mapped) + last send time 8 B (per-target retry deadline and RTT)
#   + RTT 8 B + send errno 4 B + this and last round's state 2 B (went_down/came_up)
#   + send-order index 4 B (the retry list)                          = 42 B x 2^20 = 42 MiB
#   The target list's de-duplication (8 B index + 1 B flag) is freed before the round arrays
#   exist: 16 + 9 = 25 B < 42 B, so it does not raise the peak.
# Fixed part: libbpf reads the kernel's BTF (/sys/kernel/btf/vmlinux, ~5.3 MiB) for CO-RE and
# holds it with its type index, about twice that, ~11 MiB; libc, libbpf, libpcap, libelf, stack
# and stdio buffers ~5 MiB; the rest of a 24 MiB allowance is headroom.
#   42 MiB + 24 MiB = 66 MiB = 67584 kB.
# Reply buffers must not grow with the target count (batches of fixed size): with all 2^20
# alive the peak must stay under the same bound.
N=$((1 << 20))
SWEEP_RSS_BOUND_KB=$(((42 * N + 24 * 1048576) / 1024))
# Under AddressSanitizer the bound grows by the sanitizer's own, stated costs (lib.sh).
SWEEP_RSS_BOUND_KB=$(rss_bound_kb "$SWEEP_RSS_BOUND_KB")
rss_bound_asan_env
PEAK=$(dirname "$XS")/tools/peak_rss
[ -x "$PEAK" ] || fail "helper $PEAK not built (make)"

# The observer sends 2001:db8:1::/108 (2^20 addresses; IPv6 blocks include every address) to the
# host; the host answers for 2001:db8:1::/116 (AnyIP local route: 2^12 = 4096 addresses) and,
# not forwarding, drops the rest.
in_host ip -6 route add local 2001:db8:1::/116 dev lo
in_obs ip -6 route add 2001:db8:1::/108 via 2001:db8::2
ALIVE=4096
for ((i = 0; i < ALIVE; i++)); do printf '2001:db8:1::%x\n' "$i"; done |
	sed 's/^2001:db8:1::0$/2001:db8:1::/' | sort >"$TMP/alive.want"

# sweep_run NAME: one round over the /108, JSON to $TMP/NAME.json, peak RSS in $TMP/NAME.rss.
# One retry so that a reply lost to a full queue on a loaded machine does not change a result.
sweep_run() {
	in_obs "$PEAK" "$TMP/$1.rss" "$XS" sweep --json --rate 1000000 --retries 1 --timeout 0.5 \
		2001:db8:1::/108 >"$TMP/$1.json" 2>"$TMP/$1.err"
}

# flatten NAME: the report as lines (one jq pass over ~50 MB): "targets N", "rtt N" (RTT count),
# "A addr" per alive host and "I addr" per inactive one, in $TMP/NAME.txt.
flatten() {
	jq -r '"targets \(.targets)", "rtt \(.rtt_ms | length)", (.alive[] | "A " + .),
		(.inactive[] | "I " + .)' "$TMP/$1.json" >"$TMP/$1.txt"
}
export LC_ALL=C

sweep_run part
check_eq "4096 alive: exit 1 (some inactive)" 1 "$?"
flatten part
check_eq "4096 alive: targets, RTTs" "targets $N rtt $ALIVE" \
	"$(grep -E '^(targets|rtt) ' "$TMP/part.txt" | tr '\n' ' ' | sed 's/ $//')"
check_eq "4096 alive: exactly the AnyIP /116 is alive" "$(cat "$TMP/alive.want")" \
	"$(sed -n 's/^A //p' "$TMP/part.txt" | sort)"
check_eq "4096 alive: inactive count" $((N - ALIVE)) "$(grep -c '^I ' "$TMP/part.txt")"
check_eq "4096 alive: every target reported once" "$N" \
	"$(grep -E '^[AI] ' "$TMP/part.txt" | cut -c3- | sort -u | wc -l)"
rss=$(cat "$TMP/part.rss")
echo "peak RSS, 4096 of 2^20 alive: $rss kB (bound $SWEEP_RSS_BOUND_KB kB)"
check_eq "4096 alive: peak RSS $rss kB < $SWEEP_RSS_BOUND_KB kB" 1 $((rss < SWEEP_RSS_BOUND_KB))

in_host ip -6 route add local 2001:db8:1::/108 dev lo
sweep_run all
check_eq "all alive: exit 0" 0 "$?"
flatten all
check_eq "all alive: targets, RTTs" "targets $N rtt $N" \
	"$(grep -E '^(targets|rtt) ' "$TMP/all.txt" | tr '\n' ' ' | sed 's/ $//')"
check_eq "all alive: nothing inactive" 0 "$(grep -c '^I ' "$TMP/all.txt")"
check_eq "all alive: every target alive, once" "$N" \
	"$(sed -n 's/^A //p' "$TMP/all.txt" | sort -u | wc -l)"
check_eq "all alive: first and last address of the /108" "2001:db8:1:: 2001:db8:1::f:ffff" \
	"$(grep -xE 'A 2001:db8:1::(f:ffff)?' "$TMP/all.txt" | cut -c3- | sort | tr '\n' ' ' |
		sed 's/ $//')"
rss=$(cat "$TMP/all.rss")
echo "peak RSS, 2^20 of 2^20 alive: $rss kB (bound $SWEEP_RSS_BOUND_KB kB)"
check_eq "all alive: peak RSS $rss kB < $SWEEP_RSS_BOUND_KB kB" 1 $((rss < SWEEP_RSS_BOUND_KB))
check_eq "no xdp program on obs0 after" "" "$(in_obs ip -j link show obs0 | jq -r '.[0].xdp // empty')"

lab_finish
