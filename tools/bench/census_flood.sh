#!/usr/bin/env bash
# Census under a flood of sources: 1,000,000 distinct IPv6 source addresses, one SYN each,
# through `xdpscope watch --attach xdp` with its default bound of 65,536 keys. The map must stay
# at its bound (bpftool), every insert must be counted and every eviction reported (watch JSON:
# evicted = inserted - live, exactly), and watch's RSS must stay under 64 MiB.
source "$(dirname "$0")/lib.sh"
NAME=census_flood
SOURCES=1000000
ENTRIES=65536
GEN_CPU=1
RAW=$BENCH_OUT/$NAME.runs.jsonl
: >"$RAW"

bench_lab_up
in_obs ethtool -K obs0 gro on >/dev/null
T=$(mktemp -d)
trap 'bench_cleanup; rm -rf "$T"' EXIT

run_one() {
	local round=$1 pid gen prog map dumped hwm r0 r1
	rm -f "$T/err" # else wait_for can match the previous round's line before the new watch truncates it
	ip netns exec "$OBS" "$XS" watch obs0 --attach xdp --json --interval 1 --entries $ENTRIES \
		>"$T/out" 2>"$T/err" &
	pid=$!
	BENCH_PIDS+=("$pid")
	wait_for "$T/err" 10 'attached census'
	r0=$(veth_xdp_delivered "$HOST" host0)
	gen=$(in_host "$BT/trafgen" host0 --family 6 --addrs $SOURCES --count $SOURCES --cpu $GEN_CPU)
	sleep 2.2 # at least two more interval reports, each one a full read of the map
	r1=$(veth_xdp_delivered "$HOST" host0)
	prog=$(in_obs ip -j link show obs0 | jq '.[0].xdp.prog.id')
	map=$(bpftool prog show id "$prog" -j | jq '.map_ids[]' | while read -r m; do
		bpftool map show id "$m" -j | jq -c 'select(.name == "census_ports6")'; done)
	dumped=$(bpftool map dump id "$(echo "$map" | jq .id)" -j | jq length)
	hwm=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status")
	kill -INT $pid
	wait $pid || true
	tail -1 "$T/out" | jq -c --argjson round "$round" --argjson gen "$gen" --argjson map "$map" \
		--argjson dumped "$dumped" --argjson hwm "$hwm" --argjson sources $SOURCES \
		--argjson delivered $((r1 - r0)) '
		{round: $round, sent: $gen.sent, delivered: $delivered, offered_pps: ($gen.pps | round),
		 sources_sent: $sources,
		 map_type: $map.type, max_entries: $map.max_entries, entries_bpftool: $dumped,
		 bytes_memlock: ($map.bytes_memlock | tonumber? // $map.bytes_memlock),
		 live_keys: (.sources | length), counted: ([.sources[].packets] | add // 0),
		 evicted: .evicted, insert_failed: .insert_failed, final: .final,
		 rss_hwm_kib: $hwm}' >>"$RAW"
}

for round in $(seq "$BENCH_ROUNDS"); do
	run_one "$round"
done

jq -s "$JQ_LIB"'
  {bench: "census_flood", sources: '$SOURCES', entries: '$ENTRIES', runs: .,
   summary: {
     offered_pps: (map(.offered_pps) | median),
     max_entries: .[0].max_entries,
     entries_bpftool: (map(.entries_bpftool) | max),
     live_keys: (map(.live_keys) | max),
     evicted: (map(.evicted) | median),
     at_bound: all(.entries_bpftool <= .max_entries),
     delivered: (map(.delivered) | min),
     evictions_exact: all(.evicted == .delivered - .live_keys and .insert_failed == 0
                          and .counted == .live_keys),
     rss_hwm_kib: (map(.rss_hwm_kib) | max),
     rss_under_64mib: all(.rss_hwm_kib < 65536)}}
' "$RAW" >"$BENCH_OUT/$NAME.json"

{
	echo "## Census under a flood of 1,000,000 sources"
	echo
	echo "trafgen sends one 74-byte TCP SYN from each of $SOURCES distinct IPv6 sources"
	echo "(2001:db8:1::/96 + n) flat out; \`xdpscope watch --attach xdp\` keeps its default bound of"
	echo "$ENTRIES keys (LRU). Afterwards: the map as \`bpftool map show\`/\`map dump\` see it, watch's own"
	echo "final JSON (live keys, \`evicted\`), and watch's peak RSS (VmHWM; it read the full map once per"
	echo "second throughout). *Exact* means: no insert failed, every live key holds its one packet,"
	echo "and evicted = sources received - live keys (received: host0's \`tx_queue_N_xdp_xmit\` in ethtool -S; a"
	echo "veth ring can refuse frames when the receive side falls behind). $BENCH_ROUNDS round(s); the worst case is shown for the"
	echo "bound and RSS. *Ratio* columns compare with the bound each must stay under."
	echo
	echo "| sources sent | received (worst) | offered pps | map max_entries | entries (bpftool) | entries / bound | live keys (watch) | evicted (watch) | exact | RSS peak | RSS / 64 MiB |"
	echo "|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|"
	jq -r "$JQ_LIB"' .summary as $s | "| \(.sources) | \($s.delivered) | \($s.offered_pps) | \($s.max_entries) | \($s.entries_bpftool) | \(ratio($s.entries_bpftool; $s.max_entries))x | \($s.live_keys) | \($s.evicted) | \(if $s.evictions_exact then "yes" else "**NO**" end) | \($s.rss_hwm_kib / 1024 | r(1)) MiB | \(ratio($s.rss_hwm_kib; 65536))x |"' "$BENCH_OUT/$NAME.json"
	echo
	echo "Commands:"
	echo
	echo '```'
	echo "xdpscope watch obs0 --attach xdp --json --interval 1 --entries $ENTRIES"
	echo "$BUILD/tools/bench/trafgen host0 --family 6 --addrs $SOURCES --count $SOURCES --cpu $GEN_CPU"
	echo "bpftool map show id ID; bpftool map dump id ID -j | jq length"
	echo '```'
	echo
} >"$BENCH_OUT/$NAME.md"
grep '^|' "$BENCH_OUT/$NAME.md"
jq -e '.summary | .at_bound and .evictions_exact and .rss_under_64mib' "$BENCH_OUT/$NAME.json" >/dev/null
