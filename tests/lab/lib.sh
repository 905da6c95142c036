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

lab_finish() { exit $((_failures > 0)); }

"$LAB" up || { fail "lab up"; exit 1; }
