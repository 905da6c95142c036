#!/usr/bin/env bash
# Benchmark of xdpscope sweep against fping -g over a /16 in a private lab: the host answers
# for half of 198.19.0.0/16 (AnyIP local route 198.19.0.0/17), the observer routes the /16 to
# it. Measures, in the same run, the wall time of an exact sweep at the default rate, at the
# highest rate that stays exact, and fping -g at its fastest settings that stay exact.
# "Exact" = the alive set is exactly 198.19.0.1-198.19.127.255 (32767 hosts) and every other
# address of the /16 (less network and broadcast) is inactive: 32767 inactive.
#   tools/bench/sweep.sh [BUILD]      (root; prints a table)
set -uo pipefail
cd "$(dirname "$0")/../.."
BUILD=${1:-build}
XS=$PWD/$BUILD/xdpscope
export LAB_PREFIX=${LAB_PREFIX:-xb$$}
LAB=$PWD/tools/lab.sh
OBS=$LAB_PREFIX-obs
HOST=$LAB_PREFIX-host
TMP=$(mktemp -d)
BLOCK=198.19.0.0/16
WANT_ALIVE=32767
WANT_DEAD=32767

cleanup() { "$LAB" down; rm -rf "$TMP"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

[ "$(id -u)" == 0 ] || { echo "bench: must run as root" >&2; exit 1; }
[ -x "$XS" ] || { echo "bench: build $XS first (make)" >&2; exit 1; }
"$LAB" up || exit 1
ip -n "$HOST" route add local 198.19.0.0/17 dev lo
ip -n "$OBS" route add "$BLOCK" via 198.18.0.2

# xdpscope: alive/inactive counts and the third octets of alive hosts must all be < 128.
xs_run() { # LABEL ARGS... -> prints "seconds exact"
	local t0 t1 ok
	t0=$(date +%s.%N)
	ip netns exec "$OBS" "$XS" sweep --json "$@" "$BLOCK" >"$TMP/out.json" 2>"$TMP/err"
	t1=$(date +%s.%N)
	ok=$(jq -r --argjson a "$WANT_ALIVE" --argjson d "$WANT_DEAD" '
		(.alive | length) == $a and (.inactive | length) == $d and
		all(.alive[]; (split(".")[2] | tonumber) < 128)' "$TMP/out.json" 2>/dev/null)
	printf '%.2f %s %s %s\n' "$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')" "${ok:-false}" \
		"$(jq '.alive | length' "$TMP/out.json" 2>/dev/null)" \
		"$(jq '.inactive | length' "$TMP/out.json" 2>/dev/null)"
}

# fping -g: -a lists the alive ones (stdout), -u would list the rest; same exactness rule.
fping_run() { # ARGS... -> prints "seconds exact alive inactive"
	local t0 t1 alive bad
	t0=$(date +%s.%N)
	ip netns exec "$OBS" fping -g "$BLOCK" -a -q "$@" >"$TMP/fping" 2>"$TMP/fping.err"
	t1=$(date +%s.%N)
	alive=$(wc -l <"$TMP/fping")
	bad=$(awk -F. '$3 >= 128' "$TMP/fping" | wc -l)
	printf '%.2f %s %s %s\n' "$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')" \
		"$([ "$alive" == "$WANT_ALIVE" ] && [ "$bad" == 0 ] && echo true || echo false)" \
		"$alive" "$((65534 - alive))"
}

row() { printf '%-10s %-46s %9s %-6s %7s %9s\n' "$@"; }
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# 1. Search: the highest xdpscope rate that stays exact (climbing), and fping's fastest exact
#    interval (descending from the fastest: -i 0 is "as fast as it can").
echo "search (one run each):"
row TOOL SETTINGS SECONDS EXACT ALIVE INACTIVE
best=10000
for r in 50000 100000 200000 500000 1000000 2000000 5000000; do
	read -r s ok a d < <(xs_run --rate "$r")
	row xdpscope "--rate $r" "$s" "$ok" "$a" "$d"
	[ "$ok" == true ] || break
	best=$r
done
fping_best=
for i in 0 0.1 1 10; do
	read -r s ok a d < <(fping_run -r 1 -t 1000 -i "$i")
	row fping "-g -r 1 -t 1000 -i $i" "$s" "$ok" "$a" "$d"
	if [ "$ok" == true ]; then fping_best=$i; break; fi
done

# 2. Interleaved repetitions (runs minutes apart vary): medians of REPS runs each.
REPS=${REPS:-3}
: >"$TMP/t.def"; : >"$TMP/t.raw"; : >"$TMP/t.best"; : >"$TMP/t.fping"
exact_all=true
for _ in $(seq "$REPS"); do
	read -r s ok _ _ < <(xs_run); echo "$s" >>"$TMP/t.def"; [ "$ok" == true ] || exact_all=false
	read -r s ok _ _ < <(xs_run --no-bpf); echo "$s" >>"$TMP/t.raw"; [ "$ok" == true ] || exact_all=false
	read -r s ok _ _ < <(xs_run --rate "$best"); echo "$s" >>"$TMP/t.best"; [ "$ok" == true ] || exact_all=false
	if [ -n "$fping_best" ]; then
		read -r s ok _ _ < <(fping_run -r 1 -t 1000 -i "$fping_best")
		echo "$s" >>"$TMP/t.fping"; [ "$ok" == true ] || exact_all=false
	fi
done
echo
echo "sweep of $BLOCK (65534 targets, 32767 alive), median of $REPS interleaved runs:"
row TOOL SETTINGS SECONDS EXACT "" ""
row xdpscope "default (--rate 10000, retries 1, timeout 1)" "$(median <"$TMP/t.def")" "" "" ""
row xdpscope "default rate, --no-bpf" "$(median <"$TMP/t.raw")" "" "" ""
row xdpscope "--rate $best (highest exact tried)" "$(median <"$TMP/t.best")" "" "" ""
[ -n "$fping_best" ] && row fping "-g -r 1 -t 1000 -i $fping_best (fastest exact)" \
	"$(median <"$TMP/t.fping")" "" "" ""
echo "every repetition exact: $exact_all"
