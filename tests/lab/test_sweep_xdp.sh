#!/usr/bin/env bash
# xdpscope sweep --send xdp in the lab: probes built and sent by the XDP program (BPF_PROG_RUN,
# live frames) to the gateway's MAC address. The host answers for 198.18.64.0/20, the observer
# routes the /19 around it via the host; the sets expected are computed here with shell
# arithmetic. The host replies only to frames whose IPv4 and ICMP checksums are right, and
# tcpdump on the host counts and decodes the probes independently.
source "$(dirname "$0")/lib.sh"

in_host ip route add local 198.18.64.0/20 dev lo
in_obs ip route add 198.18.64.0/19 via 198.18.0.2
# XDP frames sent into a veth vanish unless the receiving end has GRO on (or an XDP program);
# a real NIC has no such condition.
in_host ethtool -K host0 gro on >/dev/null

for x in $(seq 64 95); do for y in $(seq 0 255); do
	a=198.18.$x.$y
	[ "$a" == 198.18.64.0 ] || [ "$a" == 198.18.95.255 ] && continue
	if [ "$x" -lt 80 ]; then echo "$a" >>"$TMP/alive"; else echo "$a" >>"$TMP/dead"; fi
done; done
sort "$TMP/alive" -o "$TMP/alive"
sort "$TMP/dead" -o "$TMP/dead"
sets() { jq -r ".$2[]" "$1" | sort; }

# Default rate and retry policy.
in_obs "$XS" sweep --json --send xdp --timeout 0.5 198.18.64.0/19 >"$TMP/d.json" 2>"$TMP/d.err"
check_eq "--send xdp exits 1 (some inactive)" 1 "$?"
check_match "--send xdp names the gateway and its MAC" \
	"sending from XDP on obs0 to the gateway 198.18.0.2 \\($(in_host cat /sys/class/net/host0/address)\\)" \
	"$(cat "$TMP/d.err")"
check_eq "--send xdp alive set" "$(cat "$TMP/alive")" "$(sets "$TMP/d.json" alive)"
check_eq "--send xdp inactive set" "$(cat "$TMP/dead")" "$(sets "$TMP/d.json" inactive)"
check_eq "--send xdp rtt for every alive host" 4095 "$(jq '.rtt_ms | length' "$TMP/d.json")"

# Flat out, no retry: still exact.
in_obs "$XS" sweep --json --send xdp --rate 5000000 --retries 0 --timeout 0.2 198.18.64.0/19 \
	>"$TMP/f.json" 2>"$TMP/f.err"
check_eq "--send xdp flat out: alive set" "$(cat "$TMP/alive")" "$(sets "$TMP/f.json" alive)"
check_eq "--send xdp flat out: inactive set" "$(cat "$TMP/dead")" "$(sets "$TMP/f.json" inactive)"
check_eq "--send xdp: no program left on obs0" "0" \
	"$(in_obs ip -j link show obs0 | jq '[.[0].xdp // empty] | length')"

# The probes on the wire, seen by the host: one echo request per target (no retry: all 8
# alive), from the observer's address and MAC to the host's MAC, checksums verified by tcpdump.
bg in_host tcpdump -n -e -vv -l -i host0 -w "$TMP/wire.pcap" icmp 2>"$TMP/tcpdump.err"
wait_for "$TMP/tcpdump.err" 5 'listening on'
in_obs "$XS" sweep --json --send xdp --retries 0 198.18.64.1-198.18.64.8 >"$TMP/w.json" 2>/dev/null
check_eq "8 targets, all alive, exit 0" "0 8" "$? $(jq '.alive | length' "$TMP/w.json")"
sleep 0.5
kill "${CLEANUP_PIDS[-1]}" 2>/dev/null; sleep 0.3
tcpdump -n -e -vv -r "$TMP/wire.pcap" 2>/dev/null >"$TMP/wire.txt"
obs_mac=$(in_obs cat /sys/class/net/obs0/address)
host_mac=$(in_host cat /sys/class/net/host0/address)
check_eq "one echo request per target on the wire" \
	"$(printf '198.18.64.%d\n' 1 2 3 4 5 6 7 8)" \
	"$(grep -A1 "^.*$obs_mac > $host_mac" "$TMP/wire.txt" | grep -o '198\.18\.0\.1 > 198\.18\.64\.[0-9]*: ICMP echo request' | awk '{print $3}' | tr -d : | sort -t. -k4 -n)"
check_eq "no bad checksum on the wire" "" "$(grep -i 'bad cksum\|wrong' "$TMP/wire.txt")"
check_eq "replies to the probes" 8 "$(grep -c 'ICMP echo reply' "$TMP/wire.txt")"

# What --send xdp refuses, each with one line naming the problem.
bad() { # NAME REGEX ARGS...
	local name=$1 re=$2
	shift 2
	in_obs "$XS" sweep --send xdp "$@" >"$TMP/bad.out" 2>"$TMP/bad.err"
	check_eq "refuses $name: exit 2" 2 "$?"
	check_eq "refuses $name: one line" 1 "$(wc -l <"$TMP/bad.err")"
	check_match "refuses $name: says why" "$re" "$(cat "$TMP/bad.err")"
	check_eq "refuses $name: nothing on stdout" "" "$(cat "$TMP/bad.out")"
}
bad "IPv6 targets" 'IPv4 targets only' 2001:db8::2
bad "on-link targets" 'has no gateway' 198.18.0.2
bad "the machine's own address" '198\.18\.0\.1 is this machine.s own address' 198.18.64.1 198.18.0.1
bad "--no-bpf" 'not with --no-bpf' --no-bpf 198.18.64.1
bad "--attach tc" 'not with --attach tc' --attach tc 198.18.64.1
# No fallback to raw-socket counting: the XDP program is the sender.
in_obs capsh --drop=cap_bpf,cap_perfmon,cap_sys_admin -- -c \
	"$XS sweep --send xdp 198.18.64.1 >$TMP/nocap.out 2>$TMP/nocap.err"
check_eq "no CAP_BPF: exit 2" 2 "$?"
check_eq "no CAP_BPF: one line" 1 "$(wc -l <"$TMP/nocap.err")"
check_match "no CAP_BPF: names the capability" '^xdpscope: sweep: missing capability CAP_BPF' \
	"$(cat "$TMP/nocap.err")"
check_eq "no CAP_BPF: nothing on stdout" "" "$(cat "$TMP/nocap.out")"
in_obs "$XS" sweep --send bogus 198.18.64.1 >/dev/null 2>"$TMP/bad.err"
check_eq "--send bogus: exit 2" 2 "$?"
check_match "--send bogus: names the value" "'bogus'" "$(cat "$TMP/bad.err")"

lab_finish
