#!/usr/bin/env bash
# Echo service on the lab link: xdpscope echo-server vs socat (TCP-LISTEN,fork EXEC:cat), in
# the same run, interleaved per round. Each run: open and hold N connections (every one checked
# to echo while all are open; memory sampled then), then echo STREAMS x BYTES and verify every
# byte. Server in the obs namespace, load (build/tools/echo_load) in the host namespace.
source "$(dirname "$0")/lib.sh"
NAME="echo"
LOAD=$PWD/$BUILD/tools/echo_load
PORT=7000
if [ "$BENCH_QUICK" = 1 ]; then
	XS_CONNS=2000 SOCAT_CONNS=10 STREAMS=8 BYTES=$((4 << 20))
else
	XS_CONNS=5000 SOCAT_CONNS=20 STREAMS=8 BYTES=$((8 << 20))
fi
# socat forks a process (and cat) per connection and here opens only ~4-19 connections/s:
# its connection count stays small so a round takes seconds, not minutes.
RAW=$BENCH_OUT/$NAME.runs.jsonl
: >"$RAW"

bench_lab_up
T=$(mktemp -d)
trap 'bench_cleanup; rm -rf "$T"' EXIT
# Ten source addresses, so ephemeral ports (about 28,000 per source) never run out.
SOURCES=198.18.0.2,198.18.0.3
for i in $(seq 16 23); do
	ip -n "$HOST" addr add "198.18.0.$i/24" dev host0
	SOURCES+=",198.18.0.$i"
done
SERVER_PID=

XS_CMD="xdpscope echo-server --port $PORT"
SOCAT_CMD="socat TCP-LISTEN:$PORT,fork,reuseaddr,backlog=4096 EXEC:cat"

# Proportional set size (shared pages split among sharers) of every process in the obs
# namespace: the server, and for socat its forked children and their cat. One awk for all.
obs_pss_kb() {
	local files=() p
	for p in $(ip netns pids "$OBS"); do files+=("/proc/$p/smaps_rollup"); done
	if [ ${#files[@]} -gt 0 ]; then
		awk '/^Pss:/ { s += $2 } END { print s + 0 }' "${files[@]}" 2>/dev/null || echo 0
	else
		echo 0
	fi
}

start() { # CMD...: server in obs, waits until it listens
	ip netns exec "$OBS" "$@" 2>"$T/server.log" &
	SERVER_PID=$!
	BENCH_PIDS+=("$SERVER_PID")
	for _ in $(seq 100); do
		in_obs ss -Hltn "sport = $PORT" | grep -q . && return 0
		sleep 0.05
	done
	echo "bench: server did not start: $(head -c 300 "$T/server.log")" >&2
	return 1
}

stop() {
	kill "$SERVER_PID" 2>/dev/null || true
	wait "$SERVER_PID" 2>/dev/null || true
	SERVER_PID=
	# socat's forked children leave with their connections; make sure before the next run.
	for _ in $(seq 100); do [ -z "$(ip netns pids "$OBS")" ] && break; sleep 0.1; done
}

field() { sed -n "s/.*\\b$1=\\([0-9.]*\\).*/\\1/p" "$2"; }

run() { # ROUND TOOL CONNS
	local round=$1 tool=$2 n=$3 base pss lp
	base=$(obs_pss_kb)
	ip netns exec "$HOST" "$LOAD" --connect 198.18.0.1 --port "$PORT" --conns "$n" \
		--source "$SOURCES" --hold 1 --timeout 120 >"$T/hold" 2>&1 &
	lp=$!
	for _ in $(seq 2400); do grep -q '^holding' "$T/hold" && break; sleep 0.05; done
	pss=$(obs_pss_kb)
	wait "$lp" || true
	in_host "$LOAD" --connect 198.18.0.1 --port "$PORT" --conns "$STREAMS" --source "$SOURCES" \
		--bytes "$BYTES" --timeout 120 >"$T/pump" 2>&1 || true
	jq -n -c --argjson round "$round" --arg tool "$tool" --argjson tried "$n" \
		--argjson held "$(field held "$T/hold")" --argjson open_s "$(field open_seconds "$T/hold")" \
		--argjson pss "$pss" --argjson base "$base" \
		--argjson bytes "$(field bytes "$T/pump")" --argjson secs "$(field seconds "$T/pump")" \
		--argjson streams_done "$(field "done" "$T/pump")" --argjson bad "$(field mismatches "$T/pump")" \
		'{round: $round, tool: $tool, tried: $tried, held: $held, open_seconds: $open_s,
		  conns_per_s: (if $open_s > 0 then $held / $open_s else null end),
		  pss_kib: $pss, pss_before_kib: $base,
		  pss_per_conn_bytes: (if $held > 0 then ($pss - $base) * 1024 / $held else null end),
		  echoed_bytes: $bytes, echo_seconds: $secs,
		  bytes_per_s: (if $secs > 0 then $bytes / $secs else null end),
		  streams_done: $streams_done, mismatches: $bad}' >>"$RAW" ||
		{ echo "bench: $tool round $round: $(cat "$T/hold" "$T/pump")" >&2; return 1; }
	echo "bench: $(date +%T) echo round $round $tool: $(tail -1 "$RAW" | jq -r '"held \(.held)/\(.tried), \(.bytes_per_s / 1e6 | floor) MB/s"')" >&2
}

for round in $(seq "$BENCH_ROUNDS"); do
	start "$XS" echo-server --port "$PORT"
	run "$round" xdpscope "$XS_CONNS"
	stop
	start socat "TCP-LISTEN:$PORT,fork,reuseaddr,backlog=4096" EXEC:cat
	run "$round" socat "$SOCAT_CONNS"
	stop
done

jq -s "$JQ_LIB"'
  def stats(t): map(select(.tool == t)) as $r | {
    runs: ($r | length), tried: $r[0].tried, held_min: ($r | map(.held) | min),
    conns_per_s: ($r | map(.conns_per_s) | median | r(0)),
    pss_per_conn_bytes: ($r | map(.pss_per_conn_bytes) | median | r(0)),
    bytes_per_s: ($r | map(.bytes_per_s) | median | r(0)),
    streams_done_min: ($r | map(.streams_done) | min), mismatches: ($r | map(.mismatches) | add)};
  {bench: "echo", streams: '$STREAMS', bytes_per_stream: '$BYTES', runs: .,
   summary: (stats("xdpscope") as $x | stats("socat") as $s |
     {xdpscope: $x, socat: $s,
      ratio_bytes_per_s: ratio($x.bytes_per_s; $s.bytes_per_s),
      ratio_conns_per_s: ratio($x.conns_per_s; $s.conns_per_s),
      ratio_pss_per_conn: (if $s.pss_per_conn_bytes > 0
        then $x.pss_per_conn_bytes / $s.pss_per_conn_bytes | r(5) else null end),
      exact: ($x.held_min == $x.tried and $x.streams_done_min == '$STREAMS' and $x.mismatches == 0)})}
' "$RAW" >"$BENCH_OUT/$NAME.json"

{
	echo "## Echo service: xdpscope echo-server vs socat fork EXEC:cat"
	echo
	echo "Server in the obs namespace, load generator (\`build/tools/echo_load\`, epoll) in the host"
	echo "namespace over the lab veth, from 10 source addresses. Each run opens N connections, checks"
	echo "each echoes 8 bytes, then checks all again while all are open (*held*); the memory is the"
	echo "PSS of every process in the obs namespace sampled while they are held (for socat: its"
	echo "forked children and their \`cat\`), less the idle server's, per held connection. Then $STREAMS"
	echo "streams of $((BYTES >> 20)) MiB each are echoed and every byte compared (*bytes/s* = bytes echoed /"
	echo "seconds). socat forks two processes per connection and opens only ~4-19 connections/s on"
	echo "this machine, so it is given $SOCAT_CONNS connections against xdpscope's $XS_CONNS: the held"
	echo "counts are not a ratio, the per-connection rates and memory are. *Exact*: xdpscope held every"
	echo "connection and echoed every byte intact in every round. Ratios: xdpscope's figure over"
	echo "socat's (socat's row 1x). PSS is user-space memory only: the kernel's socket buffers are"
	echo "not in it (they are the same for both servers). Medians of $BENCH_ROUNDS interleaved round(s)."
	echo
	echo "| server | held / tried (worst) | conns opened/s | ratio | PSS per held conn | ratio | echo bytes/s | ratio | streams intact |"
	echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
	jq -r '.summary as $s | ["xdpscope", "socat"][] as $t | $s[$t] as $v |
		(if $t == "xdpscope" then "xdpscope echo-server" else "socat fork EXEC:cat" end) as $n |
		def x(k): if $t == "xdpscope" then "\($s[k])x" else "1x" end;
		"| \($n) | \($v.held_min)/\($v.tried) | \($v.conns_per_s) | \(x("ratio_conns_per_s")) | \($v.pss_per_conn_bytes) B | \(x("ratio_pss_per_conn")) | \($v.bytes_per_s / 1e6 | . * 10 | round / 10) MB/s | \(x("ratio_bytes_per_s")) | \($v.streams_done_min)/'$STREAMS'\(if $v.mismatches > 0 then " **MISMATCHES**" else "" end) |"' \
		"$BENCH_OUT/$NAME.json"
	echo
	echo "Commands:"
	echo
	echo '```'
	echo "# obs namespace (one at a time)"
	echo "$XS_CMD"
	echo "$SOCAT_CMD"
	echo "# host namespace: hold N connections, then echo $STREAMS x $BYTES bytes"
	echo "$BUILD/tools/echo_load --connect 198.18.0.1 --port $PORT --conns N --source $SOURCES --hold 1 --timeout 120"
	echo "$BUILD/tools/echo_load --connect 198.18.0.1 --port $PORT --conns $STREAMS --source $SOURCES --bytes $BYTES --timeout 120"
	echo '```'
	echo
} >"$BENCH_OUT/$NAME.md"
grep '^|' "$BENCH_OUT/$NAME.md"
jq -e '.summary.exact' "$BENCH_OUT/$NAME.json" >/dev/null
