# Sourced by every tools/bench/*.sh benchmark: paths, the lab, CPU-time readers, medians.
# The contract a benchmark script keeps (see tools/bench/README.md):
#   tools/bench/NAME.sh   writes $BENCH_OUT/NAME.json (raw runs + summary) and
#                         $BENCH_OUT/NAME.md (a markdown fragment starting with "## "),
#                         prints the fragment's table on stdout, exits non-zero on failure.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
BUILD=${BUILD:-build}
BENCH_OUT=${BENCH_OUT:-$PWD/$BUILD/bench}
BENCH_QUICK=${BENCH_QUICK:-0}
BENCH_ROUNDS=${BENCH_ROUNDS:-$([ "$BENCH_QUICK" = 1 ] && echo 1 || echo 3)}
XS=${XS:-$PWD/$BUILD/xdpscope}
BT=$PWD/$BUILD/tools/bench
LAB=$PWD/tools/lab.sh
mkdir -p "$BENCH_OUT"

if [ "$(id -u)" != 0 ]; then
	echo "bench: must run as root (BPF, XDP, network namespaces)" >&2
	exit 1
fi

# A private lab, removed on exit even on failure: LAB_PREFIX=xb<pid>.
BENCH_PIDS=()
bench_cleanup() {
	local p
	set +e # cleanup runs to the end whatever failed
	for p in "${BENCH_PIDS[@]}"; do kill -9 "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	[ -n "${LAB_PREFIX:-}" ] && "$LAB" down
	return 0
}
bench_lab_up() {
	export LAB_PREFIX=xb$$
	OBS=$LAB_PREFIX-obs
	HOST=$LAB_PREFIX-host
	trap bench_cleanup EXIT
	trap 'exit 130' INT TERM
	"$LAB" up
}
in_obs() { ip netns exec "$OBS" "$@"; }
in_host() { ip netns exec "$HOST" "$@"; }

# CPU time of a process (all its threads' main thread: ours are single-threaded) in ns, from
# the scheduler's own accounting, not the 250 Hz tick.
cpu_ns() { awk '{print $1}' "/proc/$1/schedstat"; }
ksoftirqd_pid() { pgrep -x "ksoftirqd/$1"; }

# Frames the sending veth IF (in namespace NS) handed to its peer by XDP transmit, all queues:
# what really arrived (a full ring refuses frames: those count as xdp_xmit_errors instead),
# whatever the generator believes it sent. Only XDP frames count: stray ND/MLD do not.
veth_xdp_delivered() {
	ip netns exec "$1" ethtool -S "$2" | awk '/tx_queue_[0-9]+_xdp_xmit:/ { n += $2 } END { print n + 0 }'
}

# Waits until FILE matches REGEX (at most SECS seconds).
wait_for() {
	local i
	for i in $(seq $(($2 * 20))); do
		grep -Eq "$3" "$1" 2>/dev/null && return 0
		sleep 0.05
	done
	echo "bench: timed out waiting for /$3/ in $1" >&2
	return 1
}

# jq definitions every summary uses.
JQ_LIB='def median: sort | if length == 0 then null elif length % 2 == 1 then .[length / 2 | floor]
	else (.[length / 2 - 1] + .[length / 2]) / 2 end;
def r(n): if . == null then null else (. * pow(10; n) | round) / pow(10; n) end;
def ratio(a; b): if a == null or b == null or b == 0 then null else (a / b | r(2)) end;'

# The machine, as JSON (docs/benchmarks.md prints it).
machine_json() {
	jq -n --arg cpu "$(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)" \
		--arg cores "$(nproc)" --arg kernel "$(uname -r)" \
		--arg load "$(cut -d' ' -f1-3 /proc/loadavg)" \
		'{cpu: $cpu, cores: ($cores | tonumber), kernel: $kernel, loadavg_at_start: $load}'
}
