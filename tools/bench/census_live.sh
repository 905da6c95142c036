#!/usr/bin/env bash
# Census on live traffic in the lab: 64-byte TCP SYNs from 256 sources x 4 ports (trafgen, BPF
# live frames, pinned to CPU $GEN_CPU) into obs0, observed by `xdpscope watch --attach xdp`,
# `--attach tc`, a libpcap census (pcap_census, 32 MB buffer) and tcpdump -w /dev/null, at
# 1 Mpps, 2 Mpps and flat out, contenders interleaved, every run on fresh counters.
source "$(dirname "$0")/lib.sh"
NAME=census_live
DURATION=${CENSUS_LIVE_DURATION:-$([ "$BENCH_QUICK" = 1 ] && echo 1 || echo 2)}
GEN_CPU=1   # the sender, and with it the veth receive path (softirq) and the BPF programs
OBS_CPU=0   # user-space observers
ADDRS=256
PORTS=4
STEPS=(1000000 2000000 0)
CONTENDERS=(none watch-xdp watch-tc pcap-census tcpdump)
RAW=$BENCH_OUT/$NAME.runs.jsonl
: >"$RAW"

bench_lab_up
# veth frames sent by XDP vanish unless the receiver has NAPI: GRO on (an XDP program also
# turns it on). The destination MAC is not obs0's: the stack drops the frames after the taps.
in_obs ethtool -K obs0 gro on >/dev/null
KSOFT=$(ksoftirqd_pid $GEN_CPU)
T=$(mktemp -d)
trap 'bench_cleanup; rm -rf "$T"' EXIT

observer_cmd() {
	case $1 in
	watch-xdp) echo "$XS watch obs0 --attach xdp --json --interval 3600" ;;
	watch-tc) echo "$XS watch obs0 --attach tc --json --interval 3600" ;;
	pcap-census) echo "$BT/pcap_census obs0" ;;
	tcpdump) echo "tcpdump -i obs0 -w /dev/null tcp" ;;
	none) echo "" ;;
	esac
}
ready_regex() {
	case $1 in
	watch-*) echo 'attached census' ;;
	pcap-census) echo 'capturing on' ;;
	tcpdump) echo 'listening on' ;;
	esac
}

# One run: start the observer (on $OBS_CPU), send, let it drain, read CPU, stop it, count.
run_one() {
	local who=$1 rate=$2 round=$3 cmd pid=0 c0=0 c1=0 k0 k1 r0 r1 gen counted=null dropped=null
	cmd=$(observer_cmd "$who")
	if [ -n "$cmd" ]; then
		# ip netns exec and taskset exec: $! is the observer itself, for CPU and signals.
		rm -f "$T/err" # else wait_for can match the previous run's ready line
		ip netns exec "$OBS" taskset -c $OBS_CPU $cmd >"$T/out" 2>"$T/err" &
		pid=$!
		BENCH_PIDS+=("$pid")
		wait_for "$T/err" 10 "$(ready_regex "$who")"
		sleep 0.2
		c0=$(cpu_ns $pid)
	fi
	k0=$(cpu_ns "$KSOFT")
	r0=$(veth_xdp_delivered "$HOST" host0)
	gen=$(in_host "$BT/trafgen" host0 --addrs $ADDRS --ports $PORTS --rate "$rate" \
		--duration "$DURATION" --cpu $GEN_CPU)
	sleep 0.5 # the observer finishes what is queued
	k1=$(cpu_ns "$KSOFT")
	r1=$(veth_xdp_delivered "$HOST" host0)
	if [ "$pid" != 0 ]; then
		c1=$(cpu_ns $pid)
		kill -INT $pid
		wait $pid || true
		case $who in
		watch-*)
			counted=$(tail -1 "$T/out" | jq '[.sources[].packets] | add // 0')
			dropped=$(tail -1 "$T/out" | jq '.insert_failed') ;;
		pcap-census)
			counted=$(jq .packets "$T/out")
			dropped=$(jq .ps_drop "$T/out") ;;
		tcpdump)
			counted=$(awk '/packets captured/ {print $1}' "$T/err")
			dropped=$(awk '/dropped by kernel/ {print $1}' "$T/err") ;;
		esac
	fi
	jq -c -n --arg who "$who" --argjson rate "$rate" --argjson round "$round" --argjson gen "$gen" \
		--argjson counted "$counted" --argjson dropped "$dropped" \
		--argjson obs_cpu_ns $((c1 - c0)) --argjson ksoft_ns $((k1 - k0)) \
		--argjson delivered $((r1 - r0)) \
		'{contender: $who, step: $rate, round: $round, sent: $gen.sent, delivered: $delivered,
		  seconds: $gen.seconds,
		  offered_pps: $gen.pps, counted: $counted, dropped: $dropped,
		  observer_cpu_ns: $obs_cpu_ns,
		  sender_cpu_ns: (($gen.cpu_s * 1e9 | round) + $ksoft_ns)}' >>"$RAW"
}

for round in $(seq "$BENCH_ROUNDS"); do
	for rate in "${STEPS[@]}"; do
		for who in "${CONTENDERS[@]}"; do
			run_one "$who" "$rate" "$round"
		done
	done
done

jq -s "$JQ_LIB"'
  def per(f): map(f) | median;
  group_by([.step, .contender]) | map({
    contender: .[0].contender, step: .[0].step,
    offered_pps: per(.offered_pps) | round,
    veth_lost: per(.sent - .delivered),
    counted_pct: (if .[0].counted == null then null else per(100 * .counted / .delivered) | r(3) end),
    exact: (if .[0].counted == null then null else all(.counted == .delivered) end),
    dropped: (if .[0].dropped == null then null else per(.dropped) end),
    observer_ns: per(.observer_cpu_ns / .sent) | r(1),
    sender_ns: per(.sender_cpu_ns / .sent) | r(1),
    runs: .})
  | group_by(.step) | map(
      (map(select(.contender == "none"))[0].sender_ns) as $base
      | map(.kernel_extra_ns = (if .contender == "none" then null else (.sender_ns - $base | r(1)) end)
            | .total_ns = (if .contender == "none" then null
                           else ((.observer_ns + ([.kernel_extra_ns, 0] | max)) | r(1)) end))
      | (map(select(.contender == "pcap-census"))[0].total_ns) as $peer
      | map(.vs_pcap = ratio(.total_ns; $peer)))
  | flatten | sort_by(if .step == 0 then 1e12 else .step end)
  | {bench: "census_live", addrs: '$ADDRS', ports: '$PORTS', duration_s: '$DURATION',
               gen_cpu: '$GEN_CPU', observer_cpu: '$OBS_CPU', rows: .}
' "$RAW" >"$BENCH_OUT/$NAME.json"

{
	echo "## Census on live traffic (veth, lab)"
	echo
	echo "\`trafgen\` (tools/bench/trafgen.c + trafgen.bpf.c: \`BPF_PROG_RUN\` with"
	echo "\`BPF_F_TEST_XDP_LIVE_FRAMES\`, the generating program kept attached to host0) sends 64-byte"
	echo "TCP SYNs from $ADDRS sources x $PORTS ports (1,024 keys) out of host0, pinned to CPU $GEN_CPU, for"
	echo "${DURATION} s per run, to a destination MAC obs0 does not own (its stack drops them after the"
	echo "taps; GRO is on so that veth delivers them). Each contender observes obs0 alone, started fresh"
	echo "for each run, user-space part pinned to CPU $OBS_CPU; $BENCH_ROUNDS round(s), contenders interleaved"
	echo "within each step, medians shown. *Offered* is what trafgen sent per second (it paces to the"
	echo "step; flat out it sends as fast as the sending CPU absorbs the receive path)."
	echo
	echo "*CPU per packet, what is measured*: veth receive work (and with it the XDP/TC census, the"
	echo "packet-socket copy of libpcap and tcpdump) runs in softirq on the **sending** CPU, inside"
	echo "trafgen's \`BPF_PROG_RUN\` call or in ksoftirqd/$GEN_CPU. So: *observer* = the observer"
	echo "process's own CPU (scheduler runtime from /proc/PID/schedstat, between just before the"
	echo "traffic and 0.5 s after it), per packet sent; *sender* = trafgen's CPU (getrusage) +"
	echo "ksoftirqd/$GEN_CPU's, per packet; *in-kernel extra* = sender minus the sender with no observer in"
	echo "the same step (noise can make it slightly negative: it is then taken as 0 in the total);"
	echo "*total* = observer + in-kernel extra. *vs libpcap* = total / the libpcap census's total."
	echo "*counted* = packets the observer reports (watch: the sum of its final JSON's sources) /"
	echo "frames obs0 received (host0's \`tx_queue_N_xdp_xmit\` in \`ethtool -S\`: what arrived,"
	echo "whatever trafgen sent); *veth lost* = sent - received (frames the veth ring refused when the"
	echo "receive side fell behind: not seen by any observer); *dropped* = insert failures (watch), \`ps_drop\` (libpcap), \"dropped by kernel\""
	echo "(tcpdump)."
	echo
	echo "| step | contender | offered pps | veth lost | counted % | exact | dropped | observer ns/pkt | sender ns/pkt | in-kernel extra ns/pkt | total ns/pkt | vs libpcap |"
	echo "|---|---|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|"
	jq -r '.rows[] | "| \(if .step == 0 then "flat out" else "\(.step / 1e6) Mpps" end) | \(.contender) | \(.offered_pps) | \(.veth_lost) | \(.counted_pct // "") | \(if .exact == null then "" elif .exact then "yes" else "**NO**" end) | \(.dropped // "") | \(.observer_ns) | \(.sender_ns) | \(.kernel_extra_ns // "") | \(.total_ns // "") | \(if .vs_pcap then "\(.vs_pcap)x" else "" end) |"' "$BENCH_OUT/$NAME.json"
	echo
	echo "Commands (observer in ${LAB_PREFIX%%[0-9]*}PID-obs, generator in ...-host):"
	echo
	echo '```'
	echo "ethtool -K obs0 gro on"
	for who in watch-xdp watch-tc pcap-census tcpdump; do
		echo "taskset -c $OBS_CPU $(observer_cmd "$who" | sed "s|$PWD/||")"
	done
	echo "$BUILD/tools/bench/trafgen host0 --addrs $ADDRS --ports $PORTS --rate {1000000,2000000,0} --duration $DURATION --cpu $GEN_CPU"
	echo '```'
	echo
} >"$BENCH_OUT/$NAME.md"
grep '^|' "$BENCH_OUT/$NAME.md"
# xdpscope must count every packet at every step: anything else is a bug, not a number.
jq -e '[.rows[] | select(.contender | startswith("watch")) | .exact] | all' "$BENCH_OUT/$NAME.json" >/dev/null
