#!/usr/bin/env bash
# Sweep of a /16 in the lab (a /20 with BENCH_QUICK=1): the host answers for the lower half of
# the block (AnyIP: a local route for it on the host's lo), the observer routes the block to the
# host. xdpscope sweep (replies counted in BPF; probes sent by a raw socket or by
# XDP, --send xdp; and --no-bpf) against fping -g and nmap -sn, under two probe policies, contenders interleaved per round. Seconds are wall time of the whole run.
source "$(dirname "$0")/lib.sh"
NAME=sweep
if [ "$BENCH_QUICK" = 1 ]; then PLEN=20; else PLEN=16; fi
BLOCK=198.19.0.0/$PLEN
ALIVE=198.19.0.0/$((PLEN + 1))
HALF=$((1 << (23 - PLEN))) # third octets below this are alive
SIZE=$((1 << (32 - PLEN)))
RATE=5000000 # xdpscope's --rate: far above what one core sends, so sending runs flat out
NMAP_RATE=100000
# nmap takes 11-26 s for a /16 here: in a full run it runs in round 1 only (budget).
NMAP_ROUNDS=$([ "$BENCH_QUICK" = 1 ] && echo "$BENCH_ROUNDS" || echo 1)
RAW=$BENCH_OUT/$NAME.runs.jsonl
: >"$RAW"

bench_lab_up
ip -n "$HOST" route add local "$ALIVE" dev lo
ip -n "$OBS" route add "$BLOCK" via 198.18.0.2
# Frames sent by XDP into a veth vanish unless the receiving end has GRO on (or an XDP
# program): the host's end gets GRO for every contender alike (a real NIC needs nothing).
ip netns exec "$HOST" ethtool -K host0 gro on >/dev/null
T=$(mktemp -d)
trap 'bench_cleanup; rm -rf "$T"' EXIT

# Contenders: id|policy|tool|command line (run in the obs namespace; $BLOCK appended).
# Policy "retry1": one retry, 1 s timeout (xdpscope's and fping's defaults); "fast": no retry,
# 10 ms timeout (replies here take well under 1 ms; fping -t 10 was the lowest that stayed exact
# in repeated runs here, -t 1 lost replies, and below -t 20 fping's time no longer depends on
# -t: its per-probe work dominates); nmap: no retry, its own adaptive timeout. Every tool at its
# highest rate (fping -i 0, xdpscope --rate far above what it reaches).
FAST_T=10
CONTENDERS=(
	"xs_xdp|retry1|xdpscope|xdpscope sweep --json --rate $RATE --send xdp"
	"xs_bpf|retry1|xdpscope|xdpscope sweep --json --rate $RATE"
	"xs_nobpf|retry1|xdpscope|xdpscope sweep --json --rate $RATE --no-bpf"
	"fping|retry1|fping|fping -g -a -q -r 1 -t 1000 -i 0"
	"xs_xdp_fast|fast|xdpscope|xdpscope sweep --json --rate $RATE --send xdp --retries 0 --timeout 0.0$FAST_T"
	"xs_bpf_fast|fast|xdpscope|xdpscope sweep --json --rate $RATE --retries 0 --timeout 0.0$FAST_T"
	"fping_fast|fast|fping|fping -g -a -q -r 0 -t $FAST_T -i 0"
	"nmap|fast|nmap|nmap -sn -n -PE --min-rate $NMAP_RATE --max-retries 0 -oG -"
)

# Alive addresses found by a run, one per line, from the tool's own output.
alive_list() {
	case $1 in
	xdpscope) jq -r '.alive[]' "$T/out" 2>/dev/null ;;
	fping) cat "$T/out" ;;
	nmap) awk '/Status: Up/ { print $2 }' "$T/out" ;;
	esac
}

# Frames the host's end of the veth received: the probes a run really sent (plus an ARP or two).
host_rx() { in_host cat /sys/class/net/host0/statistics/rx_packets; }

# Exact: the alive set is exactly the lower half of the block; fping and xdpscope leave out the
# network and broadcast addresses (fping -g), nmap probes all of them. xdpscope must also call
# every other target inactive.
run_one() { # ROUND ID POLICY TOOL CMD
	local round=$1 id=$2 policy=$3 tool=$4 cmd=$5 t0 t1 rx0 rx1 rc=0 alive high want inactive=null
	read -r -a argv <<<"$cmd"
	[ "$tool" = xdpscope ] && argv[0]=$XS
	rx0=$(host_rx)
	t0=$(date +%s.%N)
	in_obs "${argv[@]}" "$BLOCK" >"$T/out" 2>"$T/err" || rc=$?
	t1=$(date +%s.%N)
	sleep 0.2 # late frames still count as the run's
	rx1=$(host_rx)
	alive_list "$tool" >"$T/alive"
	alive=$(wc -l <"$T/alive")
	high=$(awk -F. -v h="$HALF" '$3 >= h' "$T/alive" | wc -l)
	if [ "$tool" = nmap ]; then want=$((SIZE / 2)); else want=$((SIZE / 2 - 1)); fi
	[ "$tool" = xdpscope ] && inactive=$(jq '.inactive | length' "$T/out" 2>/dev/null || echo null)
	jq -n -c --argjson round "$round" --arg id "$id" --arg policy "$policy" --arg tool "$tool" \
		--arg cmd "$cmd $BLOCK" --argjson rc "$rc" --argjson alive "$alive" --argjson high "$high" \
		--argjson want "$want" --argjson inactive "$inactive" --argjson wantdead $((SIZE / 2 - 1)) \
		--argjson host_rx $((rx1 - rx0)) \
		--arg s "$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')" \
		'{round: $round, id: $id, policy: $policy, tool: $tool, command: $cmd, rc: $rc,
		  seconds: ($s | tonumber), alive: $alive, alive_outside_half: $high, host_rx: $host_rx,
		  inactive: $inactive, exact: ($alive == $want and $high == 0 and
		     ($tool != "xdpscope" or $inactive == $wantdead))}' >>"$RAW"
	echo "bench: $(date +%T) sweep round $round $id: $(tail -1 "$RAW" | jq -r '"\(.seconds | . * 100 | round / 100) s, alive \(.alive), exact \(.exact)"')" >&2
}

for round in $(seq "$BENCH_ROUNDS"); do
	for c in "${CONTENDERS[@]}"; do
		IFS='|' read -r id policy tool cmd <<<"$c"
		[ "$id" = nmap ] && [ "$round" -gt "$NMAP_ROUNDS" ] && continue
		run_one "$round" "$id" "$policy" "$tool" "$cmd"
	done
done

# Per contender: median seconds, exact in every run; per policy the fastest exact peer (fping
# or nmap), and every row's speed against it (peer seconds / this row's seconds: the peer's own
# row shows 1x; the goal for xdpscope is >= 10x).
jq -s "$JQ_LIB"'
  (reduce .[] as $x ([]; if index([$x.id]) then . else . + [$x.id] end)) as $order
  | (group_by(.id) | map({id: .[0].id, order: (.[0].id as $i | $order | index([$i])), policy: .[0].policy, tool: .[0].tool,
      command: .[0].command, runs: length, seconds: (map(.seconds) | median | r(2)),
      alive: (map(.alive) | median), host_rx: (map(.host_rx) | median), exact: all(.exact)})) as $rows
  | ($rows | map(select(.tool != "xdpscope" and .exact))
      | group_by(.policy) | map(min_by(.seconds)) | map({(.policy): .}) | add // {}) as $peer
  | {bench: "sweep", block: "'$BLOCK'", alive_block: "'$ALIVE'", targets_fping: '$((SIZE - 2))',
     runs: .,
     summary: ($rows | sort_by(.order) | map(. + {peer: $peer[.policy].id,
        speedup_vs_peer: ratio($peer[.policy].seconds; .seconds)})),
     exact: ($rows | map(select(.tool == "xdpscope")) | all(.exact))}
' "$RAW" >"$BENCH_OUT/$NAME.json"

{
	echo "## Sweep of a /$PLEN: xdpscope sweep vs fping -g vs nmap -sn"
	echo
	echo "The lab host answers for the lower half of $BLOCK (AnyIP: \`ip route add local $ALIVE dev lo\`"
	echo "in its namespace), the observer routes the block to it; so $((SIZE / 2 - 1)) of the $((SIZE - 2))"
	echo "targets (fping -g's count: network and broadcast left out) answer and as many are silent."
	echo "*Seconds* is the wall time of the whole command. *Exact* means, in every run: the alive set"
	echo "is exactly the lower half (nmap also probes the network and broadcast addresses: $((SIZE / 2)) up)"
	echo "and, for xdpscope, every other target is reported inactive. Two probe policies: *retry1*"
	echo "(one retry after a 1 s timeout: the defaults of xdpscope and fping) and *fast* (no retry,"
	echo "$FAST_T ms timeout: replies here take well under 1 ms, and fping -t $FAST_T was its lowest timeout"
	echo "that stayed exact in repeated runs, -t 1 lost replies; nmap: no retry, its own adaptive"
	echo "timeout, \`--min-rate $NMAP_RATE\`); every tool at its highest rate (fping -i 0). The host's"
	echo "end of the veth has GRO on for every contender (\`--send xdp\`'s frames need it on a veth)."
	echo "*Speed-up* is the seconds of the fastest exact peer (fping or nmap) under the same policy"
	echo "over this row's: the peer's row shows 1x; the issue's goal for xdpscope is 10x."
	echo "Medians of $BENCH_ROUNDS interleaved round(s)$([ "$NMAP_ROUNDS" != "$BENCH_ROUNDS" ] && echo "; nmap (11-26 s a /16 here) ran in round 1 only, to keep \`make bench\` in its budget")."
	echo
	echo "| policy | contender | runs | seconds | alive | exact | frames the host received | speed-up vs fastest exact peer |"
	echo "|---|---|---:|---:|---:|---|---:|---:|"
	jq -r '.summary[] |
		"| \(.policy) | `\(.command | sub(" [0-9./]+$"; ""))` | \(.runs) | \(.seconds) | \(.alive) | \(if .exact then "yes" else "**NO**" end) | \(.host_rx) | \(if .speedup_vs_peer == null then "-" else "\(.speedup_vs_peer)x" end) |"' \
		"$BENCH_OUT/$NAME.json"
	echo
	echo "Where xdpscope's time goes (a /16 with \`--send xdp\` under *fast*; strace -T and perf beside"
	echo "this benchmark on the loaded 2-core VM, so roughly): ~30 ms from exec to the first socket"
	echo "(shared libraries, expanding and checking the 65,534 targets), 20-50 ms for the kernel to"
	echo "verify the BPF program, ~5 ms to create the reply map (not preallocated: 30-50 ms when it"
	echo "was), 0.1-0.15 s to send the probes and take the replies, ~20-30 ms to read the map back and"
	echo "~30 ms to write the JSON report. The sending figure is the whole round trip: in the lab the"
	echo "host's receive path, its ICMP echo replies and our counting of them run on the sending CPU"
	echo "inside the same \`BPF_PROG_RUN\` calls (1,024 probes a call), ~0.5-0.9 M round trips/s, i.e."
	echo "~1.1-2 µs per probe, on one core; building and transmitting the probes alone costs far"
	echo "less. A raw socket (\`sendmmsg\`, 64 probes a call) is slower but no longer by much: whole runs"
	echo "of 0.3-0.65 s against 0.2-0.4 s with \`--send xdp\` in the runs here, since the fixed costs now"
	echo "weigh as much as the sending. fping's ~1.4 s is its per-probe \`sendto\`/\`recvfrom\` work. So"
	echo "xdpscope has ~0.1-0.15 s of fixed cost plus ~0.1-0.15 s per /16 of round trips that this"
	echo "machine's one sending core bounds: 3.5-6x in the runs here, not the 10x the issue asks for."
	echo "Under *retry1* the rest is waiting the policy sets: the retry pass starts when each silent"
	echo "target's first 1 s timeout expires and retries only the silent targets, and after the last"
	echo "retry comes the 1 s wait for late replies, so an exact retry1 sweep takes at least 2 s plus"
	echo "its first pass ($((SIZE - 2)) probes + $((SIZE / 2 - 1)) retries: $((SIZE - 2 + SIZE / 2 - 1)) frames at least)."
	fr=$(jq '.summary[] | select(.id == "fping") | .host_rx' "$BENCH_OUT/$NAME.json")
	if [ "$fr" -lt $((SIZE - 2 + SIZE / 2 - 1)) ]; then
		echo "Here fping -r 1 sent no retry to most silent targets ($fr frames reached the host; fping"
		echo "5.1 does retry on smaller blocks): its retry1 row is nearly the fast policy with a 1 s"
		echo "wait, and the ratio against it compares unequal work."
	fi
	echo
	echo "Commands (in the obs namespace; the block appended):"
	echo
	echo '```'
	for c in "${CONTENDERS[@]}"; do IFS='|' read -r _ _ _ cmd <<<"$c"; echo "$cmd $BLOCK"; done
	echo '```'
	echo
} >"$BENCH_OUT/$NAME.md"
grep '^|' "$BENCH_OUT/$NAME.md"
jq -e '.exact' "$BENCH_OUT/$NAME.json" >/dev/null
