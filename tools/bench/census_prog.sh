#!/usr/bin/env bash
# Census per packet, no traffic: BPF_PROG_TEST_RUN of the census beside an empty XDP program
# and a minimal reference counter (census_prog_bench.c), rounds interleaved, medians reported.
source "$(dirname "$0")/lib.sh"
NAME=census_prog
REPEAT=${CENSUS_PROG_REPEAT:-$([ "$BENCH_QUICK" = 1 ] && echo 1000000 || echo 10000000)}
# The cases differ by a few ns and this shared VM's speed drifts between rounds (an empty
# program measured 4-8 ns within minutes): 7 interleaved rounds in a full run, not 3.
ROUNDS=$([ "$BENCH_QUICK" = 1 ] && echo 1 || echo 7)
CMDLINE="$BUILD/tools/bench/census_prog_bench --repeat $REPEAT --rounds $ROUNDS"

$CMDLINE >"$BENCH_OUT/$NAME.raw.json"
jq "$JQ_LIB"'
  .cases as $c
  | ($c | map({key: .name, value: (.ns | median)}) | from_entries) as $m
  | {bench: "census_prog", repeat: $c[0].repeat, rounds: .rounds, census_entries,
     cases: [ $c[] | . as $x
       | (if .wrapped then (if .keys == "new" then $m["wrapper + empty (new keys)"]
                            else $m["wrapper + empty (1,024 keys)"] end) else 0 end) as $base
       | ($m[.name] - $base) as $net
       | {name, prog, family, keys, working_set, wrapped, exact, ns_runs: .ns, wall_ns_runs: .wall_ns,
          ns: $m[.name], wall_ns: (.wall_ns | median | r(1)), net_ns: $net, peer,
          peer_net_ns: (if .peer then ($c[] | select(.name == $x.peer)
                        | $m[.name] - (if .wrapped then (if .keys == "new" then $m["wrapper + empty (new keys)"]
                                       else $m["wrapper + empty (1,024 keys)"] end) else 0 end)) else null end)}
       | .vs_peer = ratio(.net_ns; .peer_net_ns)
       | .vs_empty = (if .wrapped then null else ratio(.ns; $m["empty XDP_PASS"]) end) ] }
' "$BENCH_OUT/$NAME.raw.json" >"$BENCH_OUT/$NAME.json"

{
	echo "## Census per packet (BPF_PROG_TEST_RUN, no traffic)"
	echo
	echo "Each case is one \`BPF_PROG_TEST_RUN\` of $REPEAT repetitions of one 64-byte IPv4 TCP SYN"
	echo "(74-byte for IPv6), run $ROUNDS times with every case once per round (interleaved);"
	echo "the median of the kernel's own \`duration\` (an integer average, ns) is shown, and beside it"
	echo "the wall time of the syscall divided by the repetitions (it includes the kernel's"
	echo "rescheduling points and whatever else ran on this shared machine)."
	echo
	echo "*Working sets and new keys*: a test run repeats one frame, so these cases run \`vary_xdp\`"
	echo "(tools/bench/bench_progs.bpf.c), which rewrites the source address and port of the frame"
	echo "on every repetition (key i of the set: 198.18.0.0 + i mod 65536, port 1 + i / 65536) and"
	echo "tail-calls the program under test. The wrapper's own cost (wrapper + empty) is measured in"
	echo "the same rounds and subtracted: the *net* column. A working set is touched once before it is"
	echo "measured, so those cases only hit; each census port map is sized $(jq .census_entries "$BENCH_OUT/$NAME.json") entries there"
	echo "(twice the largest set: no eviction). *New keys* never repeat a key (a separate census instance): the LRU map is full and"
	echo "every packet evicts. The reference counter parses Ethernet/IPv4/TCP and looks up an 8-byte"
	echo "(address, port) key in a per-CPU hash (a second row: the same in an LRU per-CPU hash; a third:"
	echo "a 24-byte key and 32-byte value, the census's former single-map layout), inserting on a miss."
	echo "The census keeps IPv4 sources in an LRU per-CPU hash of its own with the same 8-byte key and"
	echo "16-byte value (packets, bytes) and IPv6 sources in another (20-byte key); plain"
	echo "Ethernet/IPv4/TCP takes a short parse, everything else (tags, options, IPv6, fragments) the"
	echo "general one. The LRU map, which bounds the census under a flood, is most of what separates it"
	echo "from the first row. *Exact*: after each round the census maps held exactly the packets run through them."
	echo
	echo "| case | ns/packet (kernel) | wall ns/packet | net of wrapper | ratio vs peer | peer | vs empty | exact |"
	echo "|---|---:|---:|---:|---:|---|---:|---|"
	jq -r '.cases[] | "| \(.name) | \(.ns) | \(.wall_ns) | \(if .wrapped then .net_ns else "" end) | \(if .vs_peer then "**\(.vs_peer)x**" else "" end) | \(.peer // "") | \(if .vs_empty then "\(.vs_empty)x" else "" end) | \(if .prog | startswith("census") then (if .exact then "yes" else "**NO**" end) else "" end) |"' "$BENCH_OUT/$NAME.json"
	echo
	echo "Command: \`$CMDLINE\`"
	echo
} >"$BENCH_OUT/$NAME.md"
grep '^|' "$BENCH_OUT/$NAME.md"
jq -e '[.cases[] | select(.prog | startswith("census")) | .exact] | all' "$BENCH_OUT/$NAME.json" >/dev/null
