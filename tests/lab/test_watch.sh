#!/usr/bin/env bash
# watch in the lab: known TCP source ports and ICMP replies from the host namespace, counted
# by the census on obs0 in xdp and tc modes; expected counts come from the traffic we send and
# byte counts from tcpdump's capture of the same traffic.
source "$(dirname "$0")/lib.sh"

# One TCP SYN per call from the given source port; the observer answers RST (nothing listens).
syn_from() { # ADDR SPORT TIMES
	local dst=198.18.0.1 i
	[[ $1 == *:* ]] && dst="[2001:db8::1]"
	for ((i = 0; i < $3; i++)); do
		in_host socat -T1 /dev/null "TCP:$dst:9,bind=$(
			[[ $1 == *:* ]] && echo "[$1]" || echo "$1"):$2,reuseaddr" 2>/dev/null
	done
}

# Sum of frame lengths tcpdump saw for FILTER in capture FILE.
tcpdump_bytes() {
	tcpdump -r "$1" -nn -e "$2" 2>/dev/null | grep -o 'length [0-9]*:' |
		awk '{s += $2} END {print s + 0}'
}

run_mode() {
	local mode=$1 out=$TMP/$1.json err=$TMP/$1.err cap=$TMP/$1.pcap final
	bg in_obs tcpdump -i obs0 -w "$cap" -U 'tcp or icmp or icmp6' 2>"$TMP/$mode.tcpdump"
	local tcpd=$BG_PID
	bg in_obs "$XS" watch obs0 --attach "$mode" --json --interval 0.5 >"$out" 2>"$err"
	local w=$BG_PID
	wait_for "$err" 10 'attached census' || { fail "$mode: watch did not attach: $(cat "$err")"; return; }
	wait_for "$TMP/$mode.tcpdump" 10 'listening' || { fail "$mode: tcpdump did not start"; return; }
	syn_from 198.18.0.2 21 3
	syn_from 198.18.0.2 22 2
	syn_from 198.18.0.2 1000 1
	syn_from 198.18.0.2 40000 2   # above the ceiling: totals only
	syn_from 198.18.0.3 23 1
	syn_from 2001:db8::3 80 2
	in_obs ping -c 3 -i 0.2 -q 198.18.0.2 >/dev/null
	in_obs ping -6 -c 2 -i 0.2 -q 2001:db8::2 >/dev/null
	sleep 0.6
	kill -INT "$w"
	wait "$w"
	check_eq "$mode: exit 0 after SIGINT" 0 $?
	kill -INT "$tcpd"; wait "$tcpd" 2>/dev/null
	final=$(tail -n 1 "$out")
	check_eq "$mode: final line marked final" true "$(jq -r .final <<<"$final")"
	check_eq "$mode: attach mode reported" "$mode" "$(jq -r .attach <<<"$final")"
	check_eq "$mode: ports of 198.18.0.2" '21:3 22:2 1000:1' \
		"$(jq -r '.sources[] | select(.addr=="198.18.0.2") | [.ports[] | "\(.port):\(.packets)"] | join(" ")' <<<"$final")"
	check_eq "$mode: packets of 198.18.0.2 incl. above ceiling" 8 \
		"$(jq -r '.sources[] | select(.addr=="198.18.0.2") | .packets' <<<"$final")"
	check_eq "$mode: bytes of 198.18.0.2 (tcpdump)" "$(tcpdump_bytes "$cap" 'tcp and src host 198.18.0.2')" \
		"$(jq -r '.sources[] | select(.addr=="198.18.0.2") | .bytes' <<<"$final")"
	check_eq "$mode: second address" '23:1' \
		"$(jq -r '.sources[] | select(.addr=="198.18.0.3") | [.ports[] | "\(.port):\(.packets)"] | join(" ")' <<<"$final")"
	check_eq "$mode: IPv6 source" '80:2' \
		"$(jq -r '.sources[] | select(.addr=="2001:db8::3") | [.ports[] | "\(.port):\(.packets)"] | join(" ")' <<<"$final")"
	check_eq "$mode: sources total" 3 "$(jq '.sources | length' <<<"$final")"
	check_eq "$mode: icmp replies" '198.18.0.2:3 2001:db8::2:2' \
		"$(jq -r '[.icmp_replies[] | "\(.addr):\(.packets)"] | sort | join(" ")' <<<"$final")"
	check_eq "$mode: malformed" 0 "$(jq .malformed <<<"$final")"
	check_match "$mode: interval lines before the final one" '^[1-9]' "$(($(wc -l <"$out") - 1))"
}

run_mode xdp
run_mode tc

# SIGKILL: the kernel must detach with the last link fd, nothing left behind. Our program is
# the one behind the link fd the watch process holds (its fdinfo names the prog_id), so other
# BPF users on the machine cannot disturb the check.
for mode in xdp tc; do
	rm -f "$TMP/k.err" # else wait_for can match the previous mode's line
	bg in_obs "$XS" watch obs0 --attach "$mode" --json >/dev/null 2>"$TMP/k.err"
	w=$BG_PID
	wait_for "$TMP/k.err" 10 'attached census' || fail "kill $mode: not attached"
	ours=$(grep -h -A3 '^link_type' /proc/"$w"/fdinfo/* 2>/dev/null | awk '/^prog_id:/ {print $2}')
	check_match "kill $mode: watch holds one link" '^[0-9]+$' "$ours"
	[ "$mode" = xdp ] && check_eq "kill xdp: attached to obs0" "$ours" \
		"$(in_obs ip -j link show obs0 | jq -r '.[0].xdp.prog.id // empty')"
	kill -9 "$w"; wait "$w" 2>/dev/null
	for _ in $(seq 40); do # the kernel frees the program after an RCU grace period
		left=$(in_obs ip -j link show obs0 | jq -r '.[0].xdp.prog.id // empty')
		left+=$(bpftool prog show -j | jq -r ".[] | select(.id==${ours:-0}) | .id")
		[ -z "$left" ] && break
		sleep 0.05
	done
	check_eq "kill $mode: nothing attached or loaded after SIGKILL" "" "$left"
done

# Someone else's XDP program is never replaced.
bg in_obs "$XS" watch obs0 --json >/dev/null 2>"$TMP/a.err"
w=$BG_PID
wait_for "$TMP/a.err" 10 'attached census'
check_rc "second watch refuses to replace the first" 2 in_obs "$XS" watch obs0 --duration 1
check_match "refusal names the program" "already has XDP program 'census_xdp'" "$(cat "$TMP/err")"
kill -INT "$w"; wait "$w"

# Bad input: exit 2, one line naming the value.
check_rc "unknown interface" 2 in_obs "$XS" watch nosuch0
check_match "unknown interface named" "nosuch0" "$(cat "$TMP/err")"
check_rc "bad mode" 2 in_obs "$XS" watch obs0 --attach bogus
check_match "bad mode named" "bogus" "$(cat "$TMP/err")"
check_rc "max-port 70000" 2 in_obs "$XS" watch obs0 --max-port 70000
check_match "max-port named" "70000" "$(cat "$TMP/err")"
check_eq "one line of error" 1 "$(wc -l <"$TMP/err")"
check_eq "nothing on stdout" 0 "$(wc -c <"$TMP/out")"
check_rc "name longer than 15 bytes" 2 in_obs "$XS" watch abcdefghijklmnop
check_rc "help" 0 "$XS" watch --help

lab_finish
