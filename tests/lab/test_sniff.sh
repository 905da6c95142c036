#!/usr/bin/env bash
# sniff in the lab: -c with a filter stops after exactly COUNT matches, tcpdump reads our -w
# file, our -r reads tcpdump's files, and the lines equal tcpdump's for shared captures;
# live --json reaches a pipe line by line, -r FILE --json is buffered (counted with strace).
source "$(dirname "$0")/lib.sh"

CAP_TIMEOUT=20
export TZ=UTC

# Lab traffic from obs to host: pings (v4, v6, and fragmented ones), a TCP exchange, a refused TCP connect and a
# UDP datagram to a closed port (ICMP port unreachable); flushing obs's neighbours first
# makes it ARP and solicit again.
traffic() {
	in_obs ip neigh flush dev obs0
	in_obs ping -c 2 -i 0.2 -W 1 198.18.0.2 >/dev/null
	in_obs ping -6 -c 2 -i 0.2 -W 1 2001:db8::2 >/dev/null
	in_obs ping -c 1 -s 2000 -W 1 198.18.0.2 >/dev/null
	in_obs ping -6 -c 1 -s 3000 -W 1 2001:db8::2 >/dev/null
	echo hello | in_obs socat -u - TCP:198.18.0.2:7777 2>/dev/null
	in_obs socat -u /dev/null TCP:198.18.0.2:7778 2>/dev/null
	echo hi | in_obs socat -u - UDP:198.18.0.2:9998
	# A DNS query for example.com (A) to a port nobody serves: the query is still decoded.
	printf '\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x07example\x03com\x00\x00\x01\x00\x01' |
		in_obs socat -u - UDP:198.18.0.2:53
	sleep 0.3
}

# Starts CMD in obs in the background with $BG_PID being timeout(1) itself, which forwards
# SIGINT/SIGTERM to CMD and ends it after CAP_TIMEOUT seconds should a check hang.
obs_bg() { bg ip netns exec "$OBS" timeout "$CAP_TIMEOUT" "$@"; }

bg in_host socat -u TCP-LISTEN:7777,reuseaddr,fork OPEN:/dev/null
wait_for_listener() { for _ in $(seq 50); do in_host ss -Hltn 'sport = :7777' | grep -q . && return; sleep 0.1; done; }
wait_for_listener

# 1. -c COUNT with a filter: exactly COUNT echo requests out of 6 requests and 6 replies.
obs_bg "$XS" sniff -i obs0 -c 3 -w "$TMP/c3.pcap" 'icmp[icmptype] == icmp-echo' \
	2>"$TMP/c3.err"
c3=$BG_PID
wait_for "$TMP/c3.err" 5 'listening on obs0' || fail "sniff -c did not start: $(cat "$TMP/c3.err")"
in_obs ping -c 6 -i 0.2 -W 1 198.18.0.2 >/dev/null
wait "$c3"
check_eq "sniff -c 3 exits 0" 0 $?
check_match "sniff -c 3 reports 3 captured" $'(^|\n)3 packets captured' "$(cat "$TMP/c3.err")"
tcpdump -n -r "$TMP/c3.pcap" >"$TMP/c3.td" 2>"$TMP/c3.tderr"
check_eq "tcpdump reads sniff's -w file" 0 $?
check_eq "tcpdump sees 3 packets in it" 3 "$(wc -l <"$TMP/c3.td")"
check_eq "they are echo requests seq 1..3" "1 2 3" \
	"$(grep -o 'ICMP echo request, id [0-9]*, seq [0-9]*' "$TMP/c3.td" | awk '{print $NF}' | paste -sd' ')"

# 2. Live: sniff prints while tcpdump writes the same traffic; lines equal but the time.
FILTER='host 198.18.0.2 or host 2001:db8::2'
# -Z root: Debian's tcpdump otherwise drops to its own user and cannot write into $TMP;
# --immediate-mode: without it packets still in the ring block are lost at SIGTERM.
obs_bg tcpdump -Z root --immediate-mode -n -U -i obs0 -w "$TMP/live.pcap" "$FILTER" 2>"$TMP/td.err"
td=$BG_PID
obs_bg tcpdump -Z root --immediate-mode -n -U -i any -w "$TMP/any.pcap" "$FILTER" 2>"$TMP/tdany.err"
tdany=$BG_PID
obs_bg "$XS" sniff -i obs0 "$FILTER" >"$TMP/live.xs" 2>"$TMP/live.err"
xs=$BG_PID
wait_for "$TMP/td.err" 5 'listening on' && wait_for "$TMP/tdany.err" 5 'listening on' ||
	fail "tcpdump did not start"
wait_for "$TMP/live.err" 5 'listening on' || fail "sniff did not start"
traffic
kill -INT "$xs"
wait "$xs"
check_eq "sniff exits 0 on SIGINT" 0 $?
kill -TERM "$td" "$tdany"
wait "$td" "$tdany"
n_live=$(wc -l <"$TMP/live.xs")
check_match "SIGINT prints the statistics" \
	$'(^|\n)'"$n_live"$' packets captured\n[0-9]+ packets received by filter\n[0-9]+ packets dropped by kernel' \
	"$(cat "$TMP/live.err")"
tcpdump -n -r "$TMP/live.pcap" 2>/dev/null >"$TMP/live.td"
check_match "the capture holds TCP, UDP, ICMP, ICMPv6 and ARP" \
	'Flags \[S\.\].*Flags \[P\.\].*Flags \[R\.\]' "$(tr '\n' ' ' <"$TMP/live.td")"
# Each packet socket stamps its own copy of an outgoing packet, so times differ slightly.
check_eq "live lines equal tcpdump's (time stripped)" "$(cut -d' ' -f2- "$TMP/live.td")" \
	"$(cut -d' ' -f2- "$TMP/live.xs")"
check_eq "every live line starts with HH:MM:SS.uuuuuu" "$n_live" \
	"$(grep -cE '^[0-2][0-9]:[0-5][0-9]:[0-6][0-9]\.[0-9]{6} ' "$TMP/live.xs")"
if grep -q 'ARP, Reply' "$TMP/live.td" && grep -q 'ICMP6, echo reply' "$TMP/live.td" &&
   grep -q 'udp port 9998 unreachable' "$TMP/live.td"; then
	pass "tcpdump saw ARP, ICMPv6 and port-unreachable lines too"
else
	fail "traffic incomplete: $(cat "$TMP/live.td")"
fi

# 3. sniff -r of tcpdump's file: one line per packet, whole lines equal tcpdump's.
"$XS" sniff -r "$TMP/live.pcap" >"$TMP/r.xs" 2>"$TMP/r.err"
check_eq "sniff -r exits 0" 0 $?
check_eq "one line per packet" "$(wc -l <"$TMP/live.td")" "$(wc -l <"$TMP/r.xs")"
check_eq "sniff -r lines equal tcpdump -r lines" "$(cat "$TMP/live.td")" "$(cat "$TMP/r.xs")"
check_match "sniff -r names the file and link type" \
	'^reading from file .*live.pcap, link-type EN10MB \(Ethernet\), snapshot length 262144$' \
	"$(cat "$TMP/r.err")"
in_obs "$XS" sniff -r "$TMP/live.pcap" -c 2 tcp >"$TMP/r2.xs" 2>/dev/null
check_eq "sniff -r with a filter and -c" "$(tcpdump -n -r "$TMP/live.pcap" -c 2 tcp 2>/dev/null)" \
	"$(cat "$TMP/r2.xs")"

# 3a. The "any" device's cooked headers (SLL2: interface name and direction), read in obs so
# that interface indexes resolve the same for both.
in_obs tcpdump -n -r "$TMP/any.pcap" 2>/dev/null >"$TMP/any.td"
in_obs "$XS" sniff -r "$TMP/any.pcap" 2>"$TMP/any.err" >"$TMP/any.xs"
check_match "the any capture is LINUX_SLL2" 'link-type LINUX_SLL2 \(Linux cooked v2\)' \
	"$(cat "$TMP/any.err")"
check_match "SLL2 lines name obs0 and the direction" \
	'obs0  Out IP 198\.18\.0\.1 > 198\.18\.0\.2: ICMP echo request.*obs0  In  IP 198\.18\.0\.2 > 198\.18\.0\.1: ICMP echo reply' \
	"$(cat "$TMP/any.xs")"
check_eq "SLL2 lines equal tcpdump's" "$(cat "$TMP/any.td")" "$(cat "$TMP/any.xs")"

# 3b. Every packet of that capture cut at each caplen 0..130: lines equal tcpdump's.
"$(dirname "$XS")/tools/pcapcut" "$TMP/live.pcap" "$TMP/cuts.pcap"
tcpdump -n -r "$TMP/cuts.pcap" 2>/dev/null >"$TMP/cuts.td"
"$XS" sniff -r "$TMP/cuts.pcap" 2>/dev/null >"$TMP/cuts.xs"
for mark in '[|arp]' '[|ip]' '[|ip6]' '[|tcp]' '[|udp]' '[|icmp]' '[|icmp6]' '[|frag6]' \
	    'Flags [P.], seq 1:7' 'frag (1448|' '4660+ A? example.com. (29)' '4660+ [|domain]'; do
	grep -qF "$mark" "$TMP/cuts.td" || fail "the cuts lack '$mark'"
done
check_eq "every cut: sniff -r lines equal tcpdump -r lines ($(wc -l <"$TMP/cuts.td"))" \
	"$(cat "$TMP/cuts.td")" "$(cat "$TMP/cuts.xs")"

# 4. Truncated packets: sniff writes with -s 60 and reads back; lines equal tcpdump's.
obs_bg "$XS" sniff -i obs0 -s 60 -w "$TMP/s60.pcap" "$FILTER" 2>"$TMP/s60.err"
s60=$BG_PID
wait_for "$TMP/s60.err" 5 'snapshot length 60 bytes' || fail "sniff -s 60 did not start"
traffic
kill -TERM "$s60"
wait "$s60"
check_eq "sniff exits 0 on SIGTERM" 0 $?
tcpdump -n -r "$TMP/s60.pcap" 2>/dev/null >"$TMP/s60.td"
"$XS" sniff -r "$TMP/s60.pcap" 2>/dev/null >"$TMP/s60.xs"
check_match "the -s 60 capture has truncated packets" '\[\|tcp\]' "$(cat "$TMP/s60.td")"
check_eq "sniff -r reads all of them" "$(wc -l <"$TMP/s60.td")" "$(wc -l <"$TMP/s60.xs")"
check_eq "truncated lines equal tcpdump's" "$(cat "$TMP/s60.td")" "$(cat "$TMP/s60.xs")"

# 5. -w - writes pcap to stdout; --json gives one object per packet.
obs_bg "$XS" sniff -i obs0 -c 2 -w - icmp >"$TMP/stdout.pcap" 2>"$TMP/wo.err"
wo=$BG_PID
obs_bg "$XS" sniff -i obs0 -c 4 --json icmp >"$TMP/j.json" 2>"$TMP/j.err"
jp=$BG_PID
wait_for "$TMP/wo.err" 5 'listening on' && wait_for "$TMP/j.err" 5 'listening on' ||
	fail "sniff -w -/--json did not start"
in_obs ping -c 2 -i 0.2 -W 1 198.18.0.2 >/dev/null
wait "$wo" "$jp"
check_eq "tcpdump reads sniff -w - output" 2 "$(tcpdump -n -r "$TMP/stdout.pcap" 2>/dev/null | wc -l)"
check_eq "--json: 4 objects, request/reply alternating" "8 0 8 0" \
	"$(jq -r '.icmp_type' "$TMP/j.json" | tr '\n' ' ' | sed 's/ $//')"
check_eq "--json fields" '198.18.0.1 198.18.0.2 icmp 64 false' \
	"$(head -1 "$TMP/j.json" | jq -r '"\(.src) \(.dst) \(.proto) \(.length) \(.truncated)"')"

# --json through a pipe (`| jq`): live capture flushes each packet's line, so the first line
# is there while sniff still runs (no -c: it ends only when signalled).
mkfifo "$TMP/jl.fifo"
bg cat "$TMP/jl.fifo" >"$TMP/jl.json"
jc=$BG_PID
obs_bg "$XS" sniff -i obs0 --json icmp >"$TMP/jl.fifo" 2>"$TMP/jl.err"
jl=$BG_PID
if wait_for "$TMP/jl.err" 5 'listening on'; then
	in_obs ping -c 1 -W 1 198.18.0.2 >/dev/null
	wait_for "$TMP/jl.json" 5 '"icmp_type":0'
	check_eq "--json into a pipe: request and reply there while sniff runs" "running 8 0" \
		"$(kill -0 "$jl" 2>/dev/null && echo running) $(jq -r .icmp_type "$TMP/jl.json" | paste -sd' ')"
else
	fail "sniff --json into a pipe did not start: $(cat "$TMP/jl.err")"
fi
kill -INT "$jl"
wait "$jl" "$jc"
# -r from a regular file is a batch: stdio buffers the JSON (fewer writes than lines); -r -
# from a pipe may be live (tcpdump -U -w - | sniff -r -): one write per line. Same lines.
n_file=$(tcpdump -n -r "$TMP/live.pcap" 2>/dev/null | wc -l)
strace -qq -e trace=write -e signal=none -o "$TMP/jr.strace" \
	"$XS" sniff -r "$TMP/live.pcap" --json >"$TMP/jr.json" 2>/dev/null
check_eq "-r FILE --json: one line per packet" "$n_file" "$(jq -c . "$TMP/jr.json" | wc -l)"
w=$(grep -c '^write(1,' "$TMP/jr.strace")
check_eq "-r FILE --json is buffered: $w writes for $n_file lines" yes \
	"$([ "$w" -ge 1 ] && [ "$w" -lt "$n_file" ] && echo yes)"
cat "$TMP/live.pcap" | strace -qq -e trace=write -e signal=none -o "$TMP/jp.strace" \
	"$XS" sniff -r - --json >"$TMP/jp.json" 2>/dev/null
check_eq "-r - (a pipe) --json: one write per line" "$n_file $n_file" \
	"$(wc -l <"$TMP/jp.json") $(grep -c '^write(1,' "$TMP/jp.strace")"
check_eq "-r - and -r FILE give the same lines" "$(cat "$TMP/jr.json")" "$(cat "$TMP/jp.json")"

# 6. -D and the default interface are tcpdump's.
check_eq "-D equals tcpdump -D" "$(in_obs tcpdump -D 2>/dev/null)" "$(in_obs "$XS" sniff -D)"
first=$(in_obs tcpdump -D | head -1 | sed 's/^1\.\([^ ]*\).*/\1/')
obs_bg "$XS" sniff -c 1 -w /dev/null icmp 2>"$TMP/def.err"
def=$BG_PID
wait_for "$TMP/def.err" 5 'listening on' || fail "default sniff did not start"
in_obs ping -c 1 -W 1 198.18.0.2 >/dev/null
wait "$def"
check_match "default interface is tcpdump's first device ($first)" "listening on $first," \
	"$(cat "$TMP/def.err")"

# 7. Bad input: exit 2, one line naming the value, nothing on stdout.
echo "not a capture" >"$TMP/text.pcap"
bad() {
	local name=$1 want=$2
	shift 2
	check_rc "$name exits 2" 2 "$@"
	check_eq "$name: one stderr line" 1 "$(wc -l <"$TMP/err")"
	check_match "$name: names the value" "$want" "$(cat "$TMP/err")"
	check_eq "$name: nothing on stdout" 0 "$(wc -c <"$TMP/out")"
}
bad "unknown interface" "nosuch0" in_obs "$XS" sniff -i nosuch0
bad "missing file" "$TMP/none.pcap" "$XS" sniff -r "$TMP/none.pcap"
bad "non-pcap file" "text.pcap: unknown file format" "$XS" sniff -r "$TMP/text.pcap"
bad "unreadable file (a directory)" "$TMP" "$XS" sniff -r "$TMP"
bad "bad filter" "'tcp port': " in_obs "$XS" sniff -i obs0 tcp port
bad "bad filter with -r" "'nonsense words': " "$XS" sniff -r "$TMP/live.pcap" nonsense words
bad "-c 0" "-c value '0'" "$XS" sniff -c 0 -r "$TMP/live.pcap"
bad "-c -1" "-c value '-1'" "$XS" sniff -c -1 -r "$TMP/live.pcap"
bad "unwritable -w" "$TMP/no/dir.pcap" in_obs "$XS" sniff -i obs0 -w "$TMP/no/dir.pcap"
check_rc "--help exits 0" 0 "$XS" sniff --help
check_match "--help shows usage" '^Usage: xdpscope sniff' "$(cat "$TMP/out")"

lab_finish
