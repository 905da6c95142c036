# The nine exercises of the lab guide (docs/lab/), sourced by tools/lab.sh: `lab.sh exercise N`.
# Each one brings the lab up, runs its command with the traffic it needs (only inside the lab
# namespaces, only to 198.18.0.0/15 and 2001:db8::/32), shows the kernel objects underneath,
# checks the result against values it knows by construction or gets from a second tool, and
# takes the lab down. Uses $OBS, $HOST, lab_up and lab_down from lab.sh.

EX_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
XS=${XS:-$EX_ROOT/build/xdpscope}
EX_TITLES=(""
	"list interfaces (xdpscope ifaces)"
	"the IP of an interface (xdpscope ip)"
	"is an interface up, ports 21-23 (xdpscope status)"
	"inactive hosts every 10 s (xdpscope sweep --every 10)"
	"ping with hand-built ICMP (xdpscope ping)"
	"ping using the system, counted by the census (ping + xdpscope watch)"
	"per-source TCP port census (xdpscope watch)"
	"sniff 10 packets, then one (xdpscope sniff)"
	"telnet-style echo server (xdpscope echo-server, echo-client)")
EX_COUNT=9

# --- helpers --------------------------------------------------------------------------------

ex_say() { printf '\n--- %s\n' "$*"; }

# ex_show NS CMD...: prints the command as typed in namespace NS (obs|host), runs it with
# stdout in $EX_TMP/out and stderr in $EX_TMP/err, prints both; exit status in $EX_RC.
ex_show() {
	local ns=$OBS
	[ "$1" = host ] && ns=$HOST
	shift
	printf '\n[%s]# %s\n' "$ns" "$(ex_pretty "$@")"
	EX_RC=0
	ip netns exec "$ns" "$@" >"$EX_TMP/out" 2>"$EX_TMP/err" || EX_RC=$?
	cat "$EX_TMP/out" "$EX_TMP/err"
	[ "$EX_RC" = 0 ] || echo "(exit status $EX_RC)"
}

# The command line with our binary's path shortened to the name a user would type.
ex_pretty() {
	local a out=
	for a in "$@"; do
		[ "$a" = "$XS" ] && a=xdpscope
		a=${a#"$EX_TMP/"}
		[[ "$a" == *" "* ]] && a="'$a'"
		out+="$a "
	done
	echo "${out% }"
}

# ex_in obs|host CMD...: runs a command in a lab namespace, quietly.
ex_in() {
	local ns=$OBS
	[ "$1" = host ] && ns=$HOST
	shift
	ip netns exec "$ns" "$@"
}

# ex_bg obs|host OUT ERR CMD...: starts a command in the background; its PID is in $EX_BG.
# ip netns exec execs the command, so the PID is the command itself and signals reach it.
ex_bg() {
	local ns=$OBS out=$2 err=$3
	[ "$1" = host ] && ns=$HOST
	shift 3
	ip netns exec "$ns" "$@" >"$out" 2>"$err" &
	EX_BG=$!
	EX_PIDS+=("$EX_BG")
}

# ex_wait FILE SECS REGEX: waits until FILE contains REGEX.
ex_wait() {
	local i
	for ((i = 0; i < $2 * 20; i++)); do
		grep -Eq "$3" "$1" 2>/dev/null && return 0
		sleep 0.05
	done
	return 1
}

# ex_check NAME EXPECTED ACTUAL
ex_check() {
	if [ "$2" == "$3" ]; then
		echo "ok: $1"
	else
		echo "NOT OK: $1: expected [$2], got [$3]"
		EX_FAILS=$((EX_FAILS + 1))
	fi
}

# ex_need CMD: the exercise cannot run without this xdpscope command.
ex_need() {
	if ! "$XS" "$1" --help >/dev/null 2>&1; then
		echo "NOT OK: $XS has no '$1' command (not built or not merged yet)"
		EX_FAILS=$((EX_FAILS + 1))
		return 1
	fi
}

# The id of the BPF program attached to IFACE in namespace obs (XDP first, then tcx ingress).
ex_prog_id() {
	ex_in obs bpftool -j net show dev "$1" |
		jq -r '[.[0].xdp[]?.id, .[0].tc[]?.prog_id] | map(select(. != null)) | first // empty'
}

# ex_bpf_views IFACE [MAP_NAME]: bpftool's view of the program attached to IFACE (in obs):
# the attachment, the program with its translated (verified) and JIT-compiled sizes, the number
# of BPF instructions, its maps, and a dump of MAP_NAME.
ex_bpf_views() {
	local ifname=$1 map=${2:-} id mid
	printf '\n[%s]# bpftool net show dev %s\n' "$OBS" "$ifname"
	ex_in obs bpftool net show dev "$ifname" | grep -v '^$'
	id=$(ex_prog_id "$ifname")
	[ -n "$id" ] || { echo "(no BPF program on $ifname)"; return; }
	printf '\n# bpftool prog show id %s\n' "$id"
	bpftool prog show id "$id"
	printf '\n# bpftool prog dump xlated id %s | grep -c "^ *[0-9]*:"   (instructions after verification)\n' "$id"
	bpftool prog dump xlated id "$id" | grep -c '^ *[0-9]*:'
	for mid in $(bpftool -j prog show id "$id" | jq -r '.map_ids[]'); do
		bpftool map show id "$mid" | head -n 2 | sed 's/^/  /'
	done
	[ -n "$map" ] || return 0
	mid=$(bpftool -j prog show id "$id" | jq -r '.map_ids[]' | while read -r m; do
		bpftool -j map show id "$m" | jq -r "select(.name==\"$map\") | .id"
	done)
	printf '\n# bpftool map dump id %s    (%s; the first entry: one value per CPU)\n' "$mid" "$map"
	bpftool map dump id "$mid" | awk '{print} /^    }/ {exit}'
	printf '\n# bpftool map dump id %s | jq ...    (every entry, the CPUs merged, addresses decoded)\n' "$mid"
	bpftool -j map dump id "$mid" | jq -c -f "$EX_ROOT/tools/lab/mapsum.jq"
}

# One TCP SYN from ADDR:SPORT in the host namespace to the observer (nothing listens: RST).
ex_syn() {
	local dst=198.18.0.1 src=$1
	[[ $1 == *:* ]] && { dst="[2001:db8::1]"; src="[$1]"; }
	ex_in host socat -T1 /dev/null "TCP:$dst:9,bind=$src:$2,reuseaddr" 2>/dev/null || true
}

# --- 1: ifaces --------------------------------------------------------------------------------
ex_1() {
	ex_need ifaces || return
	ex_show obs "$XS" ifaces
	ex_check "ifaces exits 0" 0 "$EX_RC"
	ex_say "under the hood: the same RTM_GETLINK/RTM_GETADDR dumps, read by iproute2"
	printf '\n[%s]# ip -br addr; cat /proc/net/dev\n' "$OBS"
	ex_in obs ip -br addr
	ex_in obs cat /proc/net/dev
	ex_say "checks (against ip -j addr)"
	ex_in obs "$XS" ifaces --json >"$EX_TMP/ifaces.json"
	ex_in obs ip -j addr >"$EX_TMP/ip.json"
	local q='[.[] | "\(.ifindex) \(.ifname) \(.flags | join(",")) \(.mtu) \(.address) \([.addr_info[] | "\(.local)/\(.prefixlen)"] | join(" "))"] | join("; ")'
	ex_check "interfaces, flags, MTU, MAC and addresses as ip -j addr" \
		"$(jq -r "$q" "$EX_TMP/ip.json")" "$(jq -r "$q" "$EX_TMP/ifaces.json")"
	ex_check "one text row per interface" "$(jq length "$EX_TMP/ip.json")" \
		"$(grep -cE '^ *[0-9]+ ' "$EX_TMP/out")"
}

# --- 2: ip ------------------------------------------------------------------------------------
ex_2() {
	ex_need ip || return
	local want
	ex_show host "$XS" ip host0
	ex_check "ip host0 exits 0" 0 "$EX_RC"
	want=$(ex_in host ip -j -4 addr show dev host0 |
		jq -r '.[0].addr_info[] | "Interface [host0] --> IP: \(.local)"')
	ex_check "IPv4 lines as ip -j -4 addr lists them" "$want" "$(cat "$EX_TMP/out")"
	ex_show host "$XS" ip host0 -6
	want=$(ex_in host ip -j -6 addr show dev host0 |
		jq -r '.[0].addr_info[] | "Interface [host0] --> IP: \(.local)"')
	ex_check "IPv6 lines as ip -j -6 addr lists them" "$want" "$(cat "$EX_TMP/out")"
	# A link with no address at all: one end of a new veth pair.
	ex_in host ip link add bare0 type veth peer name bare1
	ex_show host "$XS" ip bare0
	ex_check "no IPv4 address: exit 1" 1 "$EX_RC"
	ex_show host "$XS" ip eth9
	ex_check "no such interface: exit 2" 2 "$EX_RC"
	ex_say "under the hood: RTM_GETADDR, one message per address, as ip prints them"
	printf '\n[%s]# ip -o addr show dev host0\n' "$HOST"
	ex_in host ip -o addr show dev host0
}

# --- 3: status --------------------------------------------------------------------------------
ex_3() {
	ex_need status || return
	# Something listens on 22; nothing on 21; nftables drops SYNs to 23 without an answer.
	ex_bg host "$EX_TMP/socat.out" "$EX_TMP/socat.err" \
		socat TCP-LISTEN:22,reuseaddr,fork /dev/null
	ex_in host nft -f - <<-'NFT'
		table inet lab {
			chain input {
				type filter hook input priority 0;
				tcp dport 23 counter drop
			}
		}
	NFT
	for _ in $(seq 40); do ex_in host ss -Htln | grep -q ':22 ' && break; sleep 0.05; done
	ex_show host "$XS" status host0
	ex_check "status host0 exits 0 (up)" 0 "$EX_RC"
	ex_check "up, 21 closed, 22 open, 23 filtered" \
		"Interface [host0] is: up|21/tcp closed ftp|22/tcp open ssh|23/tcp filtered telnet" \
		"$(paste -sd'|' "$EX_TMP/out")"
	ex_say "under the hood: the listener, the drop rule and its counter (the SYNs it ate)"
	printf '\n[%s]# ss -tln; nft list ruleset\n' "$HOST"
	ex_in host ss -tln
	ex_in host nft list ruleset
	printf '\n[%s]# ip link set host0 down' "$HOST"
	ex_in host ip link set host0 down
	ex_show host "$XS" status host0
	ex_check "host0 set down: exit 1" 1 "$EX_RC"
	ex_check "host0 set down: why" "Interface [host0] is: down (admin down)" "$(cat "$EX_TMP/out")"
	ex_show obs "$XS" status obs0
	ex_check "its peer obs0: no carrier" "Interface [obs0] is: down (no carrier)" \
		"$(cat "$EX_TMP/out")"
	printf '\n[%s]# ip -br link show obs0\n' "$OBS"
	ex_in obs ip -br link show obs0
}

# --- 4: sweep --every 10 ----------------------------------------------------------------------
ex_4() {
	ex_need sweep || return
	local out=$EX_TMP/sweep.out err=$EX_TMP/sweep.err rc=0 want1 want2
	# Round 1: .1 (our own), .2 and .3 answer; .4-.6 are silent. Before round 2 (10 s later)
	# the host loses 198.18.0.3.
	want1=$(ex_in obs fping -a -r 1 -t 300 -g 198.18.0.0/29 2>/dev/null | paste -sd' ')
	printf '\n[%s]# xdpscope sweep 198.18.0.0/29 --every 10 --count 2\n' "$OBS"
	ex_bg obs "$out" "$err" "$XS" sweep 198.18.0.0/29 --every 10 --count 2
	local pid=$EX_BG
	if ex_wait "$err" 10 'counting replies'; then
		ex_say "under the hood (during round 1): the reply counter on obs0"
		ex_bpf_views obs0 sweep_stats
		printf '\n[%s]# bpftool net show dev lo    (replies from our own address never cross obs0)\n' "$OBS"
		ex_in obs bpftool net show dev lo | grep -v '^$'
	fi
	ex_wait "$out" 15 'Total'
	ex_in host ip addr del 198.18.0.3/24 dev host0
	want2=$(ex_in obs fping -a -r 1 -t 300 -g 198.18.0.0/29 2>/dev/null | paste -sd' ')
	wait "$pid" || rc=$?
	echo
	cat "$err" "$out"
	ex_say "checks (alive sets from fping -a -g, run beside it)"
	ex_check "exit 1: some hosts inactive" 1 "$rc"
	ex_check "fping's alive set before round 1" "198.18.0.1 198.18.0.2 198.18.0.3" "$want1"
	ex_check "round 1 alive = fping" "$want1" \
		"$(awk '/is alive/ {print $1} /^Total/ {exit}' "$out" | paste -sd' ')"
	ex_check "round 1 total" "Total 3 hosts are inactive" "$(grep -m1 '^Total' "$out")"
	ex_check "round 2 alive = fping after 198.18.0.3 left" "$want2" \
		"$(awk 'n == 1 && /is alive/ {print $1} /^Total/ {n++}' "$out" | paste -sd' ')"
	ex_check "round 2 total" "Total 4 hosts are inactive" "$(grep '^Total' "$out" | sed -n 2p)"
	ex_check "no BPF program left on obs0" "" "$(ex_prog_id obs0)"
}

# --- 5: ping ----------------------------------------------------------------------------------
ex_5() {
	ex_need ping || return
	local cap=$EX_TMP/req.txt
	ex_bg host "$cap" "$EX_TMP/tcpdump.err" tcpdump -i host0 -c 1 -nn -v -x 'icmp[icmptype] = icmp-echo'
	local tpid=$EX_BG
	ex_wait "$EX_TMP/tcpdump.err" 5 listening
	ex_show obs "$XS" ping -c 3 -i 0.2 198.18.0.2
	ex_check "exit 0" 0 "$EX_RC"
	ex_check "3 sent, 3 replies" "3 packets transmitted, 3 received, 0% packet loss" \
		"$(grep -o '^3 packets.*loss' "$EX_TMP/out")"
	wait "$tpid"
	ex_say "under the hood: our echo request as the host saw it (tcpdump -v -x on host0)"
	cat "$cap"
	ex_check "tcpdump saw an echo request of 84 bytes" 1 "$(grep -c 'ICMP echo request.*length 64' "$cap")"
	ex_show obs "$XS" ping -c 2 -W 1 198.18.0.9
	ex_check "silent address: exit 1" 1 "$EX_RC"
	ex_check "silent address: 100% loss" 1 "$(grep -c ' 0 received, 100% packet loss' "$EX_TMP/out")"
	ex_say "under the hood: the raw ICMP socket (protocol 1) in /proc/net/raw while ping runs"
	ex_bg obs "$EX_TMP/p.out" "$EX_TMP/p.err" "$XS" ping -c 3 -i 0.3 -q 198.18.0.2
	ex_wait "$EX_TMP/p.out" 5 PING
	ex_in obs cat /proc/net/raw
	wait "$EX_BG"
	ex_say "without privilege: the ICMP datagram socket, allowed by net.ipv4.ping_group_range"
	ex_in obs sysctl -q -w net.ipv4.ping_group_range="0 2147483647"
	printf '\n[%s]# sysctl net.ipv4.ping_group_range\n' "$OBS"
	ex_in obs sysctl net.ipv4.ping_group_range
	ex_bg obs "$EX_TMP/p.out" "$EX_TMP/p.err" setpriv --reuid=65534 --regid=65534 --clear-groups \
		--inh-caps=-all --bounding-set=-all "$XS" ping -c 3 -i 0.3 198.18.0.2
	ex_wait "$EX_TMP/p.out" 5 PING
	printf '\n[%s]# setpriv --reuid=nobody ... xdpscope ping -c 3 -i 0.3 198.18.0.2\n' "$OBS"
	printf '[%s]# cat /proc/net/icmp    (while it runs)\n' "$OBS"
	ex_in obs cat /proc/net/icmp
	local rc=0
	wait "$EX_BG" || rc=$?
	cat "$EX_TMP/p.out" "$EX_TMP/p.err"
	ex_check "as nobody: exit 0" 0 "$rc"
	ex_check "as nobody: 3 replies" 1 "$(grep -c '3 received, 0% packet loss' "$EX_TMP/p.out")"
}

# --- 6: ping using the system, counted by the census ------------------------------------------
ex_6() {
	ex_need watch || return
	ex_need ping || return
	local out=$EX_TMP/watch.out err=$EX_TMP/watch.err cap=$EX_TMP/replies.pcap
	ex_bg host /dev/null "$EX_TMP/tcpdump.err" tcpdump -i host0 -U -w "$cap" 'icmp[icmptype] = icmp-echoreply'
	local tpid=$EX_BG
	ex_wait "$EX_TMP/tcpdump.err" 5 listening
	printf '\n[%s]# xdpscope watch obs0 --interval 60 &    (stopped by SIGINT below)\n' "$OBS"
	ex_bg obs "$out" "$err" "$XS" watch obs0 --interval 60
	local wpid=$EX_BG
	ex_wait "$err" 10 'attached census' || echo "watch did not attach: $(cat "$err")"
	ex_show obs ping -c 3 -i 0.2 198.18.0.2
	cp "$EX_TMP/out" "$EX_TMP/iputils.out"
	ex_show obs "$XS" ping -c 3 -i 0.2 198.18.0.2
	cp "$EX_TMP/out" "$EX_TMP/ours.out"
	ex_say "under the hood (while watch runs): the census program and its ICMP map"
	ex_bpf_views obs0 census_icmp
	printf '\n[%s]# kill -INT %%1    (watch prints its table and detaches)\n' "$OBS"
	kill -INT "$wpid"
	local rc=0
	wait "$wpid" || rc=$?
	kill -INT "$tpid" 2>/dev/null
	wait "$tpid" 2>/dev/null
	echo
	cat "$err" "$out"
	ex_say "checks"
	ex_check "watch exits 0" 0 "$rc"
	# The same lines with every number replaced: the two pings speak the same words.
	ex_check "xdpscope ping's lines have iputils ping's form" \
		"$(sed -E 's/[0-9]+(\.[0-9]+)?/N/g' "$EX_TMP/iputils.out")" \
		"$(sed -E 's/[0-9]+(\.[0-9]+)?/N/g' "$EX_TMP/ours.out")"
	local sent
	sent=$(tcpdump -r "$cap" -nn 2>/dev/null | grep -c '198.18.0.2 > 198.18.0.1: ICMP echo reply')
	ex_check "the host sent 6 echo replies (tcpdump on host0)" 6 "$sent"
	ex_check "the census counted them all" "$sent" \
		"$(awk '/^ICMP ECHO REPLIES/ {s = 1; next} s && $1 == "198.18.0.2" {print $2}' "$out")"
}

# --- 7: TCP source-port census ----------------------------------------------------------------
ex_7() {
	ex_need watch || return
	local out=$EX_TMP/watch.out err=$EX_TMP/watch.err
	printf '\n[%s]# xdpscope watch obs0 --interval 60 &    (stopped by SIGINT below)\n' "$OBS"
	ex_bg obs "$out" "$err" "$XS" watch obs0 --interval 60
	local wpid=$EX_BG rc=0 p
	ex_wait "$err" 10 'attached census' || echo "watch did not attach: $(cat "$err")"
	echo "[$HOST]# one TCP SYN from each source port below to 198.18.0.1:9 (socat; answered by RST)"
	local -a v4a=(21 21 21 22 22 23 80 443 443 443 5000) v4b=(22 25) v6=(53 53)
	echo "  198.18.0.2 ports ${v4a[*]}"
	echo "  198.18.0.3 ports ${v4b[*]}"
	echo "  2001:db8::2 ports ${v6[*]}"
	for p in "${v4a[@]}"; do ex_syn 198.18.0.2 "$p"; done
	for p in "${v4b[@]}"; do ex_syn 198.18.0.3 "$p"; done
	for p in "${v6[@]}"; do ex_syn 2001:db8::2 "$p"; done
	ex_say "under the hood (while watch runs): the census program, its maps, one map's entries"
	ex_bpf_views obs0 census_ports4
	printf '\n[%s]# kill -INT %%1    (watch prints its table and detaches)\n' "$OBS"
	kill -INT "$wpid"
	wait "$wpid" || rc=$?
	echo
	cat "$err" "$out"
	ex_say "checks (expected counts are the SYNs sent above)"
	ex_check "watch exits 0" 0 "$rc"
	ex_check "no BPF program left on obs0" "" "$(ex_prog_id obs0)"
	ex_check "198.18.0.2" "$(ex_ports "${v4a[@]}")" "$(ex_row 198.18.0.2 "$out")"
	ex_check "198.18.0.3" "$(ex_ports "${v4b[@]}")" "$(ex_row 198.18.0.3 "$out")"
	ex_check "2001:db8::2" "$(ex_ports "${v6[@]}")" "$(ex_row 2001:db8::2 "$out")"
}

# "PORT:COUNT ..." for a list of source ports, as the table shows them (ports above 1000
# summed as >1000).
ex_ports() {
	printf '%s\n' "$@" | sort -n | uniq -c |
		awk '$2 <= 1000 {printf "%s%d:%d", sep, $2, $1; sep=" "} $2 > 1000 {hi += $1}
		     END {if (hi) printf "%s>1000:%d", sep, hi; print ""}'
}
# The PORT:PACKETS column of one source's row in watch's table.
ex_row() {
	awk -v a="$1" '$1 == a && NF > 4 {for (i = 5; i <= NF; i++) printf "%s%s", (i > 5 ? " " : ""), $i; print ""; exit}' "$2"
}

# --- 8: sniff ---------------------------------------------------------------------------------
ex_8() {
	ex_need sniff || return
	local out=$EX_TMP/sniff.out err=$EX_TMP/sniff.err td=$EX_TMP/tcpdump.out
	printf '\n[%s]# xdpscope sniff -i obs0 -c 10 icmp    (tcpdump -i obs0 -c 10 -nn icmp beside it)\n' "$OBS"
	ex_bg obs "$out" "$err" "$XS" sniff -i obs0 -c 10 icmp
	local spid=$EX_BG rc=0
	ex_bg obs "$td" "$EX_TMP/tcpdump.err" tcpdump -i obs0 -c 10 -nn icmp
	local tpid=$EX_BG
	ex_wait "$err" 5 listening
	ex_wait "$EX_TMP/tcpdump.err" 5 listening
	ex_say "under the hood (while it runs): the packet socket and its mmap()ed TPACKET ring"
	printf '[%s]# ss -0 -a -p; grep socket: /proc/%s/maps\n' "$OBS" "$spid"
	ex_in obs ss -0 -a -p
	grep 'socket:' "/proc/$spid/maps" || true
	printf '[%s]# tcpdump -i obs0 -d icmp    (the filter, compiled to classic BPF, runs in the kernel)\n' "$OBS"
	ex_in obs tcpdump -i obs0 -d icmp
	printf '[%s]# ping -c 5 -i 0.2 198.18.0.2 >/dev/null\n' "$OBS"
	ex_in obs ping -c 5 -i 0.2 198.18.0.2 >/dev/null
	wait "$spid" || rc=$?
	wait "$tpid"
	echo
	head -n 1 "$err"
	cat "$out"
	tail -n +2 "$err"
	ex_say "checks (against tcpdump on the same interface)"
	ex_check "sniff exits 0" 0 "$rc"
	ex_check "exactly 10 lines" 10 "$(wc -l <"$out")"
	ex_check "10 packets captured" "10 packets captured" "$(grep -o '^10 packets captured' "$err")"
	ex_check "the lines tcpdump prints, timestamps aside" "$(cut -d' ' -f2- "$td")" \
		"$(cut -d' ' -f2- "$out")"
	# One packet, to a file that tcpdump reads.
	ex_bg obs /dev/null "$EX_TMP/one.err" "$XS" sniff -i obs0 -c 1 -w "$EX_TMP/one.pcap"
	spid=$EX_BG
	ex_wait "$EX_TMP/one.err" 5 listening
	ex_in obs ping -c 1 198.18.0.2 >/dev/null
	wait "$spid" || true
	printf '\n[%s]# xdpscope sniff -i obs0 -c 1 -w one.pcap; tcpdump -r one.pcap -nn; xdpscope sniff -r one.pcap\n' "$OBS"
	cat "$EX_TMP/one.err"
	tcpdump -r "$EX_TMP/one.pcap" -nn 2>/dev/null | tee "$EX_TMP/one.td"
	ex_show obs "$XS" sniff -r "$EX_TMP/one.pcap"
	ex_check "one packet, read back by tcpdump" 1 "$(wc -l <"$EX_TMP/one.td")"
	ex_check "sniff -r prints the line tcpdump -r prints" "$(cat "$EX_TMP/one.td")" "$(cat "$EX_TMP/out")"
}

# --- 9: echo server and client ----------------------------------------------------------------
ex_9() {
	ex_need echo-server || return
	ex_need echo-client || return
	local msg="Test message: SDN course examples" serr=$EX_TMP/server.err
	printf '\n[%s]# xdpscope echo-server --port 7 &\n' "$HOST"
	ex_bg host /dev/null "$serr" "$XS" echo-server --port 7
	local spid=$EX_BG
	for _ in $(seq 40); do ex_in host ss -Htln | grep -q ':7 ' && break; sleep 0.05; done
	ex_show obs "$XS" echo-client 198.18.0.2 "$msg"
	ex_check "echo-client exits 0" 0 "$EX_RC"
	ex_check "the chunks put together are the message" "$msg" \
		"$(sed -n "s/^Received: b'\(.*\)'$/\1/p" "$EX_TMP/out" | tr -d '\n')"
	ex_check "every read at most 20 bytes" "" \
		"$(sed -n "s/^Received: b'\(.*\)'$/\1/p" "$EX_TMP/out" | awk 'length($0) > 20')"
	ex_show obs "$XS" echo-client 2001:db8::2 "$msg"
	ex_check "over IPv6 too" 0 "$EX_RC"
	ex_say "under the hood: one epoll set holds the listener, the signalfd and every client"
	ex_bg obs /dev/null /dev/null sh -c 'sleep 3 | socat - TCP:198.18.0.2:7'
	local cpid=$EX_BG
	for _ in $(seq 40); do ex_in host ss -Htn state established | grep -q ':7 ' && break; sleep 0.05; done
	printf '[%s]# ss -tanp\n' "$HOST"
	ex_in host ss -tanp
	local fd
	for fd in /proc/"$spid"/fd/*; do
		[ "$(readlink "$fd")" = "anon_inode:[eventpoll]" ] || continue
		printf '[%s]# cat /proc/%s/fdinfo/%s    (tfd: the file descriptors epoll watches)\n' \
			"$HOST" "$spid" "${fd##*/}"
		cat "/proc/$spid/fdinfo/${fd##*/}"
		ex_check "epoll watches the listener, the signalfd and the held client" 3 \
			"$(grep -c '^tfd:' "/proc/$spid/fdinfo/${fd##*/}")"
	done
	printf '[%s]# ls -l /proc/%s/fd | grep -E "socket|anon_inode"\n' "$HOST" "$spid"
	ls -l "/proc/$spid/fd" | awk '/socket:|anon_inode:/ {print $(NF-2), $(NF-1), $NF}'
	kill "$cpid" 2>/dev/null
	wait "$cpid" 2>/dev/null
	kill -TERM "$spid"
	local rc=0
	wait "$spid" || rc=$?
	echo
	echo "[$HOST] echo-server's log:"
	cat "$serr"
	ex_check "echo-server exits 0 on SIGTERM" 0 "$rc"
	ex_check "it logged the three clients (IPv4, IPv6, the held one)" 3 \
		"$(grep -cE '^Connection address: (198\.18\.0\.1|\[2001:db8::1\]):[0-9]+$' "$serr")"
}

# --- driver -----------------------------------------------------------------------------------

# Runs exercise N in a subshell with its own cleanup; prints "exercise N: PASS|FAIL (T s)".
ex_run() (
	local n=$1 t0 t1 rc=0
	set +e
	EX_FAILS=0
	EX_PIDS=()
	EX_TMP=$(mktemp -d)
	ex_cleanup() {
		local p
		for p in "${EX_PIDS[@]}"; do kill -9 "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
		lab_down
		rm -rf "$EX_TMP"
	}
	trap ex_cleanup EXIT
	t0=$EPOCHREALTIME
	echo "=== exercise $n: ${EX_TITLES[$n]}    (lab $OBS <-> $HOST, docs/lab/0$n-*.md)"
	lab_down
	if ! lab_up; then
		echo "NOT OK: lab up"
		EX_FAILS=1
	else
		"ex_$n"
	fi
	ex_cleanup
	trap - EXIT
	t1=$EPOCHREALTIME
	[ "$EX_FAILS" = 0 ] || rc=1
	printf 'exercise %d: %s (%s s)\n' "$n" "$([ $rc = 0 ] && echo PASS || echo FAIL)" \
		"$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.1f", b - a}')"
	exit $rc
)

# lab.sh exercise N|all
ex_main() {
	local arg=${1:-} n failed=0
	[ "$(id -u)" = 0 ] || { echo "lab: exercises need root (namespaces, BPF)" >&2; return 2; }
	[ -x "$XS" ] || { echo "lab: $XS not built; run make" >&2; return 2; }
	case "$arg" in
	all)
		for ((n = 1; n <= EX_COUNT; n++)); do ex_run "$n" || failed=$((failed + 1)); echo; done
		echo "exercises: $((EX_COUNT - failed)) passed, $failed failed"
		[ "$failed" = 0 ]
		;;
	[1-9])
		ex_run "$arg"
		;;
	*)
		echo "usage: lab.sh exercise N|all    (N = 1..$EX_COUNT)" >&2
		return 2
		;;
	esac
}
