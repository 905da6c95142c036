#!/usr/bin/env bash
# Median round trip reported by xdpscope ping and by iputils ping to the same lab host, measured
# in one run: COUNT pings each, alternating blocks of BLOCK so drift hits both alike. Builds its
# own lab (LAB_PREFIX) and removes it on exit. Prints a table on stderr and JSON on stdout.
#   tools/bench/ping_rtt.sh [BUILD]        env: COUNT=100 BLOCK=25 INTERVAL=0.01 TARGET=198.18.0.2
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${1:-build}
XS=$PWD/$BUILD/xdpscope
COUNT=${COUNT:-100}
BLOCK=${BLOCK:-25}
INTERVAL=${INTERVAL:-0.01}
TARGET=${TARGET:-198.18.0.2}
export LAB_PREFIX=${LAB_PREFIX:-xb$$}
TMP=$(mktemp -d)

[ "$(id -u)" = 0 ] || { echo "ping_rtt: needs root (namespaces, -i below 0.2 s)" >&2; exit 2; }
[ -x "$XS" ] || { echo "ping_rtt: $XS not built (make)" >&2; exit 2; }
trap 'tools/lab.sh down; rm -rf "$TMP"' EXIT
tools/lab.sh up

# Collects the time= values (ms), one per line, of one block.
block() { ip netns exec "$LAB_PREFIX-obs" "$@" -c "$BLOCK" -i "$INTERVAL" "$TARGET" |
	sed -n 's/.* time=\([0-9.]*\) ms$/\1/p'; }

# Warm the neighbour cache so neither tool pays for address resolution.
ip netns exec "$LAB_PREFIX-obs" ping -c 1 -W 1 "$TARGET" >/dev/null
: >"$TMP/xs"
: >"$TMP/ip"
for ((done = 0; done < COUNT; done += BLOCK)); do
	block "$XS" ping >>"$TMP/xs"
	block ping >>"$TMP/ip"
done

# stats FILE -> "n median mean min max" (ms)
stats() {
	sort -g "$1" | awk '{ v[NR] = $1; s += $1 }
		END { if (!NR) { print 0, "null", "null", "null", "null"; exit }
		      m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		      printf "%d %.4f %.4f %.3f %.3f\n", NR, m, s / NR, v[1], v[NR] }'
}
read -r xn xmed xmean xmin xmax < <(stats "$TMP/xs")
read -r in imed imean imin imax < <(stats "$TMP/ip")

{
	printf '%-10s %8s %10s %10s %8s %8s\n' tool replies median_ms mean_ms min_ms max_ms
	printf '%-10s %8s %10s %10s %8s %8s\n' xdpscope "$xn" "$xmed" "$xmean" "$xmin" "$xmax"
	printf '%-10s %8s %10s %10s %8s %8s\n' iputils "$in" "$imed" "$imean" "$imin" "$imax"
} >&2
jq -n --arg target "$TARGET" --argjson count "$COUNT" --argjson interval "$INTERVAL" \
	--argjson xn "$xn" --argjson xmed "$xmed" --argjson xmean "$xmean" \
	--argjson in "$in" --argjson imed "$imed" --argjson imean "$imean" \
	'{bench: "ping_rtt", target: $target, count: $count, interval_s: $interval,
	  xdpscope: {replies: $xn, median_ms: $xmed, mean_ms: $xmean},
	  iputils: {replies: $in, median_ms: $imed, mean_ms: $imean}}'
