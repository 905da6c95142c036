#!/usr/bin/env bash
# Echo benchmark on the lab link: concurrent connections held (and the memory that takes) and
# bytes/s echoed, for xdpscope echo-server and socat (TCP-LISTEN,fork EXEC:cat) in the same run.
# Server in the obs namespace, load (build/tools/echo_load) in the host namespace.
#   tools/bench/echo.sh [BUILD]
# Environment: ECHO_BENCH_CONNS (10000) connections for echo-server; ECHO_BENCH_SOCAT_CONNS (300)
# for socat, which runs two processes per connection, so 10,000 would mean 20,000 processes on a
# shared machine; ECHO_BENCH_STREAMS (32) x ECHO_BENCH_BYTES (16 MiB) for throughput.
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${1:-build}
export LAB_PREFIX=${LAB_PREFIX:-echob$$}
XS=$PWD/$BUILD/xdpscope
LOAD=$PWD/$BUILD/tools/echo_load
CONNS=${ECHO_BENCH_CONNS:-10000}
SOCAT_CONNS=${ECHO_BENCH_SOCAT_CONNS:-300}
STREAMS=${ECHO_BENCH_STREAMS:-32}
BYTES=${ECHO_BENCH_BYTES:-16777216}
OBS=$LAB_PREFIX-obs
HOST=$LAB_PREFIX-host
PORT=7000
TMP=$(mktemp -d)
SERVER_PID=

cleanup() {
	[ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
	tools/lab.sh down
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

[ -x "$XS" ] && [ -x "$LOAD" ] || { echo "bench: build first (make)" >&2; exit 2; }
tools/lab.sh up
# Ten source addresses, so ephemeral ports (about 28,000 per source) never run out.
SOURCES=198.18.0.2,198.18.0.3
for i in $(seq 16 23); do
	ip -n "$HOST" addr add "198.18.0.$i/24" dev host0
	SOURCES+=",198.18.0.$i"
done

# Proportional set size (shared pages split among sharers) of every process in the obs namespace:
# the server, and for socat its forked children and their cat.
obs_rss_kb() {
	local files=() p
	for p in $(ip netns pids "$OBS"); do files+=("/proc/$p/smaps_rollup"); done
	# One awk for all files: the sample must be taken while the connections are held.
	[ ${#files[@]} -gt 0 ] && awk '/^Pss:/ {s += $2} END {print s + 0}' "${files[@]}" 2>/dev/null || echo 0
}

start() { # start CMD...: server in obs, waits until it listens
	ip netns exec "$OBS" "$@" 2>"$TMP/server.log" &
	SERVER_PID=$!
	for _ in $(seq 100); do
		ip netns exec "$OBS" ss -Hltn "sport = $PORT" | grep -q . && return 0
		sleep 0.05
	done
	echo "bench: server did not start: $(head -c 300 "$TMP/server.log")" >&2
	exit 1
}

stop() {
	kill "$SERVER_PID" 2>/dev/null || true
	wait "$SERVER_PID" 2>/dev/null || true
	SERVER_PID=
	# socat's forked children leave with their connections; make sure before the next run.
	for _ in $(seq 100); do [ -z "$(ip netns pids "$OBS")" ] && break; sleep 0.1; done
	sleep 1 # let TIME_WAIT-free ports settle
}

# run NAME N: holds N connections (memory sampled while all are open), then pumps STREAMS x BYTES.
run() {
	local name=$1 n=$2 out held rss base
	base=$(obs_rss_kb)
	rm -f "$TMP/hold.out"
	echo "bench: $(date +%T) $name: opening $n connections" >&2
	ip netns exec "$HOST" "$LOAD" --connect 198.18.0.1 --port "$PORT" --conns "$n" \
		--source "$SOURCES" --hold 5 --timeout 120 >"$TMP/hold.out" 2>&1 &
	local lp=$!
	for _ in $(seq 2400); do grep -q '^holding' "$TMP/hold.out" && break; sleep 0.05; done
	rss=$(obs_rss_kb)
	wait "$lp" || true
	held=$(sed -n 's/.*held=\([0-9]*\).*/\1/p' "$TMP/hold.out")
	echo "bench: $(date +%T) $name: held ${held:-0}; echoing $STREAMS x $BYTES bytes" >&2
	out=$(ip netns exec "$HOST" "$LOAD" --connect 198.18.0.1 --port "$PORT" --conns "$STREAMS" \
		--source "$SOURCES" --bytes "$BYTES" --timeout 300 || true)
	echo "$name|$n|${held:-0}|$rss|$base|$out|$(grep "^held=" "$TMP/hold.out")" >>"$TMP/results"
}

start "$XS" echo-server --port "$PORT"
run "xdpscope echo-server" "$CONNS"
stop
start socat "TCP-LISTEN:$PORT,fork,reuseaddr,backlog=4096" EXEC:cat
run "socat fork EXEC:cat" "$SOCAT_CONNS"
stop

awk -F'|' -v streams="$STREAMS" -v bytes="$BYTES" '
function field(s, k) { return match(s, " " k "=[0-9.]+") ? substr(s, RSTART + length(k) + 2, RLENGTH - length(k) - 2) : 0 }
{
	name[NR] = $1; want[NR] = $2; held[NR] = $3
	kb[NR] = $4 - 0; per[NR] = held[NR] ? ($4 - $5) * 1024 / held[NR] : 0
	b = field($6, "bytes"); s = field($6, "seconds"); bad[NR] = field($6, "mismatches") + 0
	done[NR] = field($6, "done") + 0; rate[NR] = s > 0 ? b / s : 0
	open[NR] = field($7, "open_seconds") + 0
}
END {
	printf "echo benchmark, lab veth, %d streams x %d bytes for throughput\n", streams, bytes
	printf "%-22s %13s %9s %9s %12s %10s %10s\n", "server", "held/tried", "conn/s", "PSS MiB",
		"PSS B/conn", "echo MB/s", "streams ok"
	for (i = 1; i <= NR; i++)
		printf "%-22s %6d/%-6d %9.0f %9.1f %12.0f %10.1f %7d/%d%s\n", name[i], held[i], want[i],
			(open[i] > 0 ? held[i] / open[i] : 0), kb[i] / 1024, per[i], rate[i] / 1e6, done[i],
			streams, bad[i] ? " MISMATCHES" : ""
	if (NR == 2 && rate[2] > 0 && per[2] > 0 && open[1] > 0 && open[2] > 0)
		printf "ratio xdpscope/socat: echo throughput %.2fx, connections opened per second %.1fx, memory per held connection %.4fx\n",
			rate[1] / rate[2], (held[1] / open[1]) / (held[2] / open[2]), per[1] / per[2]
}' "$TMP/results"
