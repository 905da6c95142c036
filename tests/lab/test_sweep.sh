#!/usr/bin/env bash
# xdpscope sweep in the lab: the host answers for a whole block (AnyIP local routes), the
# observer routes a block twice as large to it, and the sweep must report exactly the answering
# half alive and the other half inactive, with BPF and with --no-bpf. Expected sets are computed
# here with shell arithmetic, independently of the tool's target parser.
source "$(dirname "$0")/lib.sh"

# The host answers for 198.18.64.0/20 and 2001:db8:1::/120; the observer sends the /19 and
# the /119 around them to the host (the host does not forward: the other half stays silent).
in_host ip route add local 198.18.64.0/20 dev lo
in_host ip -6 route add local 2001:db8:1::/120 dev lo
in_obs ip route add 198.18.64.0/19 via 198.18.0.2
in_obs ip -6 route add 2001:db8:1::/119 via 2001:db8::2

# fping -g 198.18.64.0/19: every address but the network (.64.0) and broadcast (.95.255).
for x in $(seq 64 95); do for y in $(seq 0 255); do
	a=198.18.$x.$y
	[ "$a" == 198.18.64.0 ] || [ "$a" == 198.18.95.255 ] && continue
	if [ "$x" -lt 80 ]; then echo "$a" >>"$TMP/alive4"; else echo "$a" >>"$TMP/dead4"; fi
done; done
sort "$TMP/alive4" -o "$TMP/alive4"
sort "$TMP/dead4" -o "$TMP/dead4"
# IPv6 blocks include every address: 2001:db8:1::0-ff answer, 2001:db8:1::100-1ff do not.
for i in $(seq 0 511); do
	printf -v a '2001:db8:1::%x' "$i"
	[ "$a" == 2001:db8:1::0 ] && a=2001:db8:1::
	if [ "$i" -lt 256 ]; then echo "$a" >>"$TMP/alive6"; else echo "$a" >>"$TMP/dead6"; fi
done
sort "$TMP/alive6" -o "$TMP/alive6"
sort "$TMP/dead6" -o "$TMP/dead6"

sets() { # FILE KEY -> sorted addresses of that JSON key
	jq -r ".$2[]" "$1" | sort
}

# Exact sets, BPF mode; a BPF program on obs0 while it runs, none after.
in_obs "$XS" sweep --json --rate 5000 198.18.64.0/19 >"$TMP/bpf.json" 2>"$TMP/bpf.err" &
pid=$!
wait_for "$TMP/bpf.err" 5 'counting replies in BPF on obs0' && sleep 0.3
check_eq "xdp program attached to obs0 during the sweep" "1" \
	"$(in_obs ip -j link show obs0 | jq '[.[0].xdp // empty] | length')"
wait "$pid"
check_eq "BPF mode exits 1 (some inactive)" 1 "$?"
check_eq "no xdp program on obs0 after the sweep" "0" \
	"$(in_obs ip -j link show obs0 | jq '[.[0].xdp // empty] | length')"
check_eq "bpftool: no program on obs0 after" "" \
	"$(in_obs bpftool -j net show dev obs0 | jq -r '.[0].xdp[]?.name')"
check_eq "BPF alive set" "$(cat "$TMP/alive4")" "$(sets "$TMP/bpf.json" alive)"
check_eq "BPF inactive set" "$(cat "$TMP/dead4")" "$(sets "$TMP/bpf.json" inactive)"
check_eq "BPF targets" 8190 "$(jq .targets "$TMP/bpf.json")"
check_eq "BPF rtt for every alive host" 4095 "$(jq '.rtt_ms | length' "$TMP/bpf.json")"
check_eq "one round, no changes" "1 0 0" \
	"$(jq -r '"\(.round) \(.went_down|length) \(.came_up|length)"' "$TMP/bpf.json")"

# The same with a raw socket, and at a high rate.
in_obs "$XS" sweep --json --no-bpf --rate 200000 198.18.64.0/19 >"$TMP/raw.json" 2>"$TMP/raw.err"
check_eq "--no-bpf exits 1" 1 "$?"
check_eq "--no-bpf alive set" "$(cat "$TMP/alive4")" "$(sets "$TMP/raw.json" alive)"
check_eq "--no-bpf inactive set" "$(cat "$TMP/dead4")" "$(sets "$TMP/raw.json" inactive)"
check_match "--no-bpf says so" 'raw socket' "$(cat "$TMP/raw.err")"

# IPv6 (BPF and raw), with the machine's own addresses as targets: replies to those never
# cross obs0 (they come back over loopback) and must still count.
for mode in bpf no-bpf; do
	flag=; [ $mode == no-bpf ] && flag=--no-bpf
	in_obs "$XS" sweep --json $flag --timeout 0.5 2001:db8:1::/119 2001:db8::1 198.18.0.1 127.0.0.1 \
		>"$TMP/v6.json" 2>"$TMP/v6.err"
	check_eq "IPv6 alive set ($mode)" \
		"$( (cat "$TMP/alive6"; printf '127.0.0.1\n198.18.0.1\n2001:db8::1\n') | sort)" \
		"$(sets "$TMP/v6.json" alive)"
	check_eq "IPv6 inactive set ($mode)" "$(cat "$TMP/dead6")" "$(sets "$TMP/v6.json" inactive)"
done

# The TC variant (tcx link) counts the same replies.
in_obs "$XS" sweep --json --attach tc --rate 50000 --timeout 0.5 198.18.64.0/19 \
	>"$TMP/tc.json" 2>"$TMP/tc.err"
check_match "tc: attached to obs0 through tcx" 'obs0 \(tc\)' "$(cat "$TMP/tc.err")"
check_eq "tc alive set" "$(cat "$TMP/alive4")" "$(sets "$TMP/tc.json" alive)"
check_eq "tc inactive set" "$(cat "$TMP/dead4")" "$(sets "$TMP/tc.json" inactive)"

# Text and CSV formats.
in_obs "$XS" sweep --retries 0 198.18.0.2 198.18.64.7 198.18.80.7 >"$TMP/text" 2>/dev/null
check_eq "text exit 1" 1 "$?"
check_match "text format" $'^198\\.18\\.0\\.2 is alive \\([0-9]+\\.[0-9]{3} ms\\)\n198\\.18\\.64\\.7 is alive \\([0-9.]+ ms\\)\n198\\.18\\.80\\.7 is inactive\nTotal 1 hosts are inactive$' \
	"$(cat "$TMP/text")"
in_obs "$XS" sweep --format csv 198.18.0.2 198.18.0.3 >"$TMP/csv" 2>/dev/null
check_eq "all alive exits 0" 0 "$?"
check_eq "csv header and rows" "time,round,addr,status,rtt_ms|198.18.0.2,alive|198.18.0.3,alive" \
	"$(awk -F, 'NR==1{printf "%s", $0; next} {printf "|%s,%s", $3, $4}' "$TMP/csv")"

# A scheduled run: 198.18.0.3 disappears after round 1 and comes back after round 2.
in_obs "$XS" sweep --json --every 2 --count 3 --timeout 0.3 --retries 0 198.18.0.2 198.18.0.3 \
	>"$TMP/sched.json" 2>"$TMP/sched.err" &
pid=$!
wait_for "$TMP/sched.json" 10 '"round":1' && in_host ip addr del 198.18.0.3/24 dev host0
wait_for "$TMP/sched.json" 10 '"round":2' && in_host ip addr add 198.18.0.3/24 dev host0
wait "$pid"
check_eq "scheduled run: last round all alive, exit 0" 0 "$?"
check_eq "went_down per round" '[] ["198.18.0.3"] []' \
	"$(jq -c .went_down "$TMP/sched.json" | paste -sd' ')"
check_eq "came_up per round" '[] [] ["198.18.0.3"]' \
	"$(jq -c .came_up "$TMP/sched.json" | paste -sd' ')"
check_eq "inactive per round" '[] ["198.18.0.3"] []' \
	"$(jq -c .inactive "$TMP/sched.json" | paste -sd' ')"

# --report is always a complete report while it is rewritten: parse it as fast as we can.
in_obs "$XS" sweep --json --every 0.2 --count 6 --timeout 0.1 --retries 0 --rate 1000000 \
	--report "$TMP/report.json" 198.18.64.0/19 >/dev/null 2>&1 &
pid=$!
reads=0 bad=0
while kill -0 "$pid" 2>/dev/null; do
	if [ -e "$TMP/report.json" ]; then
		n=$(jq -r '"\(.targets) \(.alive|length) \(.inactive|length)"' "$TMP/report.json" 2>/dev/null)
		reads=$((reads + 1))
		[ "$n" == "8190 4095 4095" ] || bad=$((bad + 1))
	fi
done
wait "$pid"
check_eq "--report: every read was a complete report ($reads reads)" 0 "$bad"
check_match "--report: read while rewritten" '^[1-9][0-9]*$' "$reads"
check_eq "--report holds the last round" 6 "$(jq .round "$TMP/report.json")"
check_eq "--report leaves no temporary file" "report.json" "$(ls "$TMP" | grep report)"

# A signal finishes the current round's report and detaches.
# (ip netns exec, not the in_obs function, so that $! is the sweep itself.)
ip netns exec "$OBS" "$XS" sweep --json --every 1 --rate 2000 198.18.64.0/19 \
	>"$TMP/sig.json" 2>"$TMP/sig.err" &
pid=$!
CLEANUP_PIDS+=("$pid")
wait_for "$TMP/sig.err" 5 'counting replies' && sleep 1
kill -INT "$pid"
wait "$pid"
check_eq "SIGINT: one complete JSON object" 1 "$(jq -c . "$TMP/sig.json" | wc -l)"
check_eq "SIGINT: probed ones partitioned" "$(jq .targets "$TMP/sig.json")" \
	"$(jq '(.alive|length) + (.inactive|length)' "$TMP/sig.json")"
check_eq "SIGINT: detached" "0" "$(in_obs ip -j link show obs0 | jq '[.[0].xdp // empty] | length')"

# Without the capabilities BPF needs, the sweep says so and counts with a raw socket instead.
in_obs capsh --drop=cap_bpf,cap_perfmon,cap_sys_admin -- -c \
	"$XS sweep --json --rate 50000 --timeout 0.5 198.18.64.0/19 >$TMP/nocap.json 2>$TMP/nocap.err"
check_match "no CAP_BPF: says BPF is unavailable" 'BPF unavailable' "$(cat "$TMP/nocap.err")"
check_eq "no CAP_BPF: same alive set" "$(cat "$TMP/alive4")" "$(sets "$TMP/nocap.json" alive)"

# Replies that are not echo replies from the probed address do not count: the host rewrites
# the source of 198.18.64.5's replies to 198.18.64.6 (stateless nft rule), and returns ICMP
# host unreachable for 198.18.81.0/24 (forwarding on, unreachable route).
in_host nft -f - <<'NFT'
table ip xs_sweep {
	chain out {
		type filter hook output priority 0;
		ip saddr 198.18.64.5 icmp type echo-reply ip saddr set 198.18.64.6
	}
}
NFT
in_host sysctl -qw net.ipv4.ip_forward=1
in_host ip route add unreachable 198.18.81.0/24
unreach0=$(in_obs nstat -az IcmpInDestUnreachs | awk '/IcmpInDestUnreachs/ {print $2}')
for mode in bpf no-bpf; do
	flag=; [ $mode == no-bpf ] && flag=--no-bpf
	in_obs "$XS" sweep --json $flag --timeout 0.5 198.18.64.5 198.18.64.7 198.18.81.1-198.18.81.3 \
		>"$TMP/spoof.json" 2>/dev/null
	check_eq "rewritten-source reply and ICMP errors not alive ($mode)" \
		'["198.18.64.7"] ["198.18.64.5","198.18.81.1","198.18.81.2","198.18.81.3"]' \
		"$(jq -c .alive "$TMP/spoof.json") $(jq -c .inactive "$TMP/spoof.json")"
done
unreach1=$(in_obs nstat -az IcmpInDestUnreachs | awk '/IcmpInDestUnreachs/ {print $2}')
check_match "the host did send ICMP errors ($unreach0 -> $unreach1)" '^[0-9]+$' \
	"$((unreach1 > unreach0 ? unreach1 : -1))"
in_host nft delete table ip xs_sweep
in_host ip route del unreachable 198.18.81.0/24
in_host sysctl -qw net.ipv4.ip_forward=0

# Bad input: exit 2, one line naming the value, nothing on stdout.
bad() { # NAME VALUE-IN-MESSAGE ARGS...
	local name=$1 val=$2
	shift 2
	check_rc "bad input: $name exits 2" 2 in_obs "$XS" sweep "$@"
	check_eq "bad input: $name: one line on stderr" 1 "$(wc -l <"$TMP/err")"
	check_match "bad input: $name: names the value" "$val" "$(cat "$TMP/err")"
	check_eq "bad input: $name: nothing on stdout" "" "$(cat "$TMP/out")"
}
bad "octet 300" "10\\.0\\.300\\.0/24" 10.0.300.0/24
bad "prefix 33" "/33" 198.18.0.0/33
bad "reversed range" "198\\.18\\.0\\.9-198\\.18\\.0\\.1" 198.18.0.9-198.18.0.1
bad "empty range end" "198\\.18\\.0\\.9-" 198.18.0.9-
bad "unknown host" "no-such-host\\.invalid" no-such-host.invalid
bad "rate 0" "--rate value '0'" --rate 0 198.18.0.2
bad "timeout 0" "--timeout value '0'" --timeout 0 198.18.0.2
bad "too many targets" "max-targets 4096" --max-targets 4096 198.18.64.0/19
bad "no target" "missing TARGET"
bad "no such interface" "nosuch0" -I nosuch0 198.18.0.2
bad "format" "--format value 'xml'" --format xml 198.18.0.2

# -I picks the interface: counting on lo only, obs0's replies are not seen (and the tool
# says where it counts).
in_obs "$XS" sweep --json -I lo --retries 0 --timeout 0.3 198.18.0.2 198.18.0.1 \
	>"$TMP/i.json" 2>"$TMP/i.err"
check_match "-I lo: counts on lo only" 'BPF on lo \(xdp-generic\)$' "$(cat "$TMP/i.err")"
check_eq "-I lo: only the local address is seen alive" '["198.18.0.1"] ["198.18.0.2"]' \
	"$(jq -c .alive "$TMP/i.json") $(jq -c .inactive "$TMP/i.json")"

lab_finish
