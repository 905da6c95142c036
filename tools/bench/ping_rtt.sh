#!/usr/bin/env bash
# Median round trip reported by xdpscope ping and by iputils ping to the same lab host: COUNT
# pings each per round, the two tools interleaved round by round (their order alternating), so
# drift on this shared machine hits both alike. "Exact": xdpscope got a reply to every request.
source "$(dirname "$0")/lib.sh"
NAME=ping_rtt
COUNT=100 # each, per round (iputils and ours are both quick: ~1 s per 100)
INTERVAL=0.01
TARGET=198.18.0.2
RAW=$BENCH_OUT/$NAME.runs.jsonl
: >"$RAW"

bench_lab_up
T=$(mktemp -d)
trap 'bench_cleanup; rm -rf "$T"' EXIT

XS_CMD="xdpscope ping -c $COUNT -i $INTERVAL $TARGET"
IP_CMD="ping -c $COUNT -i $INTERVAL $TARGET"

# run ROUND TOOL CMD...: the time= values (ms) of one run, as one JSON line.
run() {
	local round=$1 tool=$2
	shift 2
	in_obs "$@" -c "$COUNT" -i "$INTERVAL" "$TARGET" >"$T/out" 2>"$T/err" || true
	sed -n 's/.* time=\([0-9.]*\) ms$/\1/p' "$T/out" | jq -s -c --argjson round "$round" \
		--arg tool "$tool" '{round: $round, tool: $tool, rtt_ms: .}' >>"$RAW"
}

# Warm the neighbour cache so neither tool pays for address resolution.
in_obs ping -c 1 -W 1 "$TARGET" >/dev/null
for round in $(seq "$BENCH_ROUNDS"); do
	if ((round % 2)); then
		run "$round" xdpscope "$XS" ping
		run "$round" iputils ping
	else
		run "$round" iputils ping
		run "$round" xdpscope "$XS" ping
	fi
done

jq -s "$JQ_LIB"'
  def tool(t): map(select(.tool == t));
  def stats(t): tool(t) as $r | {
    replies: ($r | map(.rtt_ms | length) | median),
    replies_min: ($r | map(.rtt_ms | length) | min),
    median_ms: ($r | map(.rtt_ms | median) | median | r(4)),
    mean_ms: ($r | map(.rtt_ms | add / length) | median | r(4)),
    min_ms: ($r | map(.rtt_ms | min) | min), max_ms: ($r | map(.rtt_ms | max) | max)};
  {bench: "ping_rtt", target: "'$TARGET'", count: '$COUNT', interval_s: '$INTERVAL', runs: .,
   summary: (stats("xdpscope") as $x | stats("iputils") as $i |
     {xdpscope: $x, iputils: $i, ratio_median: ratio($x.median_ms; $i.median_ms),
      exact: ($x.replies_min == '$COUNT')})}
' "$RAW" >"$BENCH_OUT/$NAME.json"

{
	echo "## Ping round trip: xdpscope ping vs iputils ping"
	echo
	echo "Both tools ping the lab host ($TARGET, over the obs0/host0 veth) $COUNT times per round at"
	echo "${INTERVAL} s intervals, $BENCH_ROUNDS round(s), interleaved (the order alternates each round)."
	echo "The RTT is each tool's own \`time=\` figure; a round's median is taken, then the median"
	echo "over rounds. *Exact* means xdpscope received a reply to every request in every round."
	echo "The ratio is xdpscope's median over iputils ping's (below 1x: xdpscope reports a shorter"
	echo "round trip); on a veth both are dominated by scheduling, not by the tool."
	echo
	echo "| tool | replies (median) | median RTT | mean RTT | min | max | RTT ratio |"
	echo "|---|---:|---:|---:|---:|---:|---:|"
	jq -r '.summary as $s | ["xdpscope", "iputils"][] as $t | $s[$t] as $v |
		"| \(if $t == "xdpscope" then "xdpscope ping" else "iputils ping" end) | \($v.replies)/'$COUNT' | \($v.median_ms) ms | \($v.mean_ms) ms | \($v.min_ms) ms | \($v.max_ms) ms | \(if $t == "xdpscope" then "\($s.ratio_median)x" else "1x" end) |"' \
		"$BENCH_OUT/$NAME.json"
	echo
	echo "Commands (in the obs namespace):"
	echo
	echo '```'
	echo "$XS_CMD"
	echo "$IP_CMD"
	echo '```'
	echo
} >"$BENCH_OUT/$NAME.md"
grep '^|' "$BENCH_OUT/$NAME.md"
jq -e '.summary.exact' "$BENCH_OUT/$NAME.json" >/dev/null
