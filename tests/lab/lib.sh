# Sourced by every lab test: a private lab (own namespace names), checks, and cleanup on exit.
# Tests send packets only inside these namespaces, to 198.18.0.0/15 and 2001:db8::/32.
set -u
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
export LAB_PREFIX=${LAB_PREFIX:-xt$$}
XS=${XS:-$PWD/build/xdpscope}
LAB=$PWD/tools/lab.sh
OBS="$LAB_PREFIX-obs"
HOST="$LAB_PREFIX-host"
TMP=$(mktemp -d)
CLEANUP_PIDS=()
_failures=0

lab_cleanup() {
	local p
	for p in "${CLEANUP_PIDS[@]}"; do kill -9 "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	"$LAB" down
	rm -rf "$TMP"
}
trap lab_cleanup EXIT
trap 'exit 130' INT TERM

# Runs a command in a lab namespace: in_obs CMD..., in_host CMD...
in_obs() { ip netns exec "$OBS" "$@"; }
in_host() { ip netns exec "$HOST" "$@"; }

# Starts a background command and remembers its PID for cleanup; the PID is in $BG_PID.
# in_obs/in_host are expanded here so that $BG_PID is the command itself (ip netns exec
# execs it), not a subshell: signals sent to $BG_PID reach the command.
bg() {
	case "$1" in
	in_obs) shift; set -- ip netns exec "$OBS" "$@" ;;
	in_host) shift; set -- ip netns exec "$HOST" "$@" ;;
	esac
	"$@" &
	BG_PID=$!
	CLEANUP_PIDS+=("$BG_PID")
}

pass() { echo "PASS: $*"; }
fail() { echo "FAIL: $*"; _failures=$((_failures + 1)); }

# check_eq NAME EXPECTED ACTUAL
check_eq() {
	if [ "$2" == "$3" ]; then pass "$1"; else fail "$1: expected [$2], got [$3]"; fi
}
# check_match NAME REGEX ACTUAL
check_match() {
	if [[ "$3" =~ $2 ]]; then pass "$1"; else fail "$1: [$3] does not match /$2/"; fi
}
# check_rc NAME EXPECTED_RC CMD...
check_rc() {
	local name=$1 want=$2 rc
	shift 2
	"$@" >"$TMP/out" 2>"$TMP/err"
	rc=$?
	if [ "$rc" == "$want" ]; then pass "$name"; else
		fail "$name: exit $rc, expected $want; stderr: $(head -c 300 "$TMP/err")"
	fi
}

# Waits up to $2 seconds (default 5) for file $1 to contain regex $3.
wait_for() {
	local file=$1 secs=${2:-5} re=$3 i
	for ((i = 0; i < secs * 20; i++)); do
		grep -Eq "$re" "$file" 2>/dev/null && return 0
		sleep 0.05
	done
	return 1
}

# Waits up to 5 s until process $1 has exec'd program $2. Signal tests count their delays from
# there: before it, $1 is still ip netns exec or env, and a SIGINT would be lost (bash starts
# background commands with SIGINT ignored) or hit the wrong program.
wait_exec() {
	local pid=$1 prog i
	prog=$(readlink -f "$2")
	for ((i = 0; i < 500; i++)); do
		[ "$(readlink "/proc/$pid/exe" 2>/dev/null)" == "$prog" ] && return 0
		sleep 0.01
	done
	return 1
}

# Waits up to $2 seconds for background child $1 to exit and reaps it: its exit status goes in
# $REAP_RC. A child still running then is killed (SIGKILL), $REAP_RC is "hung", returns 1.
reap() {
	local pid=$1 secs=$2 i st
	# (bash reaps its children as they die and would report a signal death on stderr.)
	{
		for ((i = 0; i < secs * 50; i++)); do
			st=$(sed 's/.*) //' "/proc/$pid/stat" 2>/dev/null | cut -d' ' -f1)
			[ -z "$st" ] || [ "$st" == Z ] && break
			sleep 0.02
		done
	} 2>/dev/null
	if [ -n "$st" ] && [ "$st" != Z ]; then
		kill -9 "$pid" 2>/dev/null
		{ wait "$pid"; } 2>/dev/null
		REAP_RC=hung
		return 1
	fi
	{ wait "$pid"; } 2>/dev/null
	REAP_RC=$?
}

# rss_bound_kb KB: a peak-RSS bound for this build of $XS. The release build: KB itself. Under
# AddressSanitizer (make test-asan): KB x 9/8 (ASan's shadow, one byte per 8 of memory), plus
# 8 MiB of quarantine (freed blocks ASan keeps; capped by rss_bound_asan_env), plus 32 MiB for
# the ASan/UBSan runtime (its allocator and tables: `sweep --help` peaks ~17 MiB above the
# release build).
rss_bound_kb() {
	if ldd "$XS" 2>/dev/null | grep -q libasan; then
		echo $(($1 * 9 / 8 + 8 * 1024 + 32 * 1024))
	else
		echo "$1"
	fi
}
# Caps ASan's quarantine (default 256 MiB) at the 8 MiB rss_bound_kb allows for.
rss_bound_asan_env() {
	export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=8
}

lab_finish() { exit $((_failures > 0)); }

"$LAB" up || { fail "lab up"; exit 1; }
