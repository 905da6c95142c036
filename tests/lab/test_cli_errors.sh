#!/usr/bin/env bash
# Error lines name bad values safely: for each command, a value holding a newline, a tab, an
# escape sequence or a bidirectional override gives exit 2, nothing on stdout and exactly one
# line on stderr with the value escaped as `ls -b` shows it (\n \t \r \\ \xHH; printable UTF-8
# kept). Every command runs in a fresh empty network namespace (unshare -n): it can reach
# nothing, so no lab is needed.
set -u
cd "$(dirname "$0")/../.." || exit 1
XS=${XS:-$PWD/build/xdpscope}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
failures=0
pass() { echo "PASS: $*"; }
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# NAME EXPECTED-STDERR-LINE ARGS...
check_err() {
	local name=$1 want=$2 rc
	shift 2
	unshare -n "$XS" "$@" >"$TMP/out" 2>"$TMP/err"
	rc=$?
	[ "$rc" = 2 ] && pass "$name: exit 2" || fail "$name: exit $rc, expected 2"
	[ -s "$TMP/out" ] && fail "$name: stdout not empty: $(head -c 200 "$TMP/out" | od -c | head -3)" ||
		pass "$name: nothing on stdout"
	# Exactly one newline, at the very end, and the line itself as expected.
	if [ "$(tr -cd '\n' <"$TMP/err" | wc -c)" = 1 ] && [ "$(tail -c 1 "$TMP/err" | od -An -c | tr -d ' ')" = '\n' ] &&
		[ "$(cat "$TMP/err")" == "$want" ]; then
		pass "$name: one escaped line"
	else
		fail "$name: expected [$want], got [$(od -An -c "$TMP/err" | tr -s ' ' | head -c 400)]"
	fi
	if LC_ALL=C grep -q $'[\x01-\x09\x0b-\x1f\x7f]' "$TMP/err"; then
		fail "$name: control byte on stderr"
	else
		pass "$name: no control byte on stderr"
	fi
}

check_err "ping -c newline" "xdpscope: ping: invalid -c value '1\\n': not a number" \
	ping -c $'1\n' 198.18.0.1
check_err "sweep --format tab" "xdpscope: sweep: invalid --format value 'j\\tson': use text, json or csv" \
	sweep --format $'j\tson' 198.18.0.1
check_err "echo-server --bind ESC" \
	"xdpscope: echo-server: invalid --bind address '::1\\x1b[2J': not an IPv4 or IPv6 address" \
	echo-server --port 7007 --bind $'::1\e[2J'
check_err "echo-client --port CR" "xdpscope: echo-client: invalid --port value '7\\r': not a number" \
	echo-client --port $'7\r' 198.18.0.1 hi
check_err "sniff -r newline" \
	"xdpscope: sniff: /nonexistent-$$/a\\nb.pcap: No such file or directory" \
	sniff -r $'/nonexistent-'$$$'/a\nb.pcap'
check_err "ip newline" "xdpscope: ip: invalid interface name 'ob\\ns0'" ip $'ob\ns0'
check_err "status DEL and backslash" "xdpscope: status: no such interface 'o\\x7fb\\\\s'" \
	status $'o\x7fb\\s'
check_err "ifaces unknown option" "xdpscope: ifaces: unknown option '--x\\ny'" ifaces $'--x\ny'
check_err "watch --attach OSC" "xdpscope: watch: invalid --attach value 'x\\x1b]0;t\\x07': use xdp, xdp-generic or tc" \
	watch --attach $'x\e]0;t\a' lo
# UTF-8: a printable character is kept, a right-to-left override (U+202E) and a C1 CSI
# (U+009B) escaped byte by byte, and so is a byte that is not UTF-8.
check_err "UTF-8 kept, bidi and C1 escaped" \
	"xdpscope: ip: no such interface 'é\\xe2\\x80\\xae\\xc2\\x9b\\xff'" ip $'\xc3\xa9\xe2\x80\xae\xc2\x9b\xff'

[ "$failures" = 0 ]
