#!/usr/bin/env bash
# xdpscope ping in the lab: IPv4/IPv6 replies, a silent address, -s, -t, duplicates, errors,
# concurrent pings, the datagram-socket fallback, bad input, and line-by-line agreement in form
# with iputils ping run on the same target.
source "$(dirname "$0")/lib.sh"

H4=198.18.0.2 H4B=198.18.0.3 H6=2001:db8::2 SILENT4=198.18.0.99 SILENT6=2001:db8::99
NOBODY=(setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all --bounding-set=-all)

# Reduces output to its form: every number becomes N.
form() { sed 's/[0-9.]\+/N/g' "$1"; }

# side_by_side NAME ARGS...: iputils ping and ours, same arguments, same target; same lines
# once numbers are masked, same exit status.
side_by_side() {
	local name=$1 rc_ip
	shift
	# A neighbour entry left resolving by the previous run would answer this one's probes.
	in_obs ip neigh flush dev obs0
	in_obs ping "$@" >"$TMP/ip.out" 2>/dev/null
	rc_ip=$?
	in_obs ip neigh flush dev obs0
	in_obs "$XS" ping "$@" >"$TMP/xs.out" 2>"$TMP/xs.err"
	rc_xs=$?
	check_eq "$name: exit status as iputils" "$rc_ip" "$rc_xs"
	if diff <(form "$TMP/ip.out") <(form "$TMP/xs.out") >"$TMP/diff"; then
		pass "$name: every line in iputils' form ($(wc -l <"$TMP/xs.out") lines)"
	else
		fail "$name: differs from iputils: $(tr '\n' '|' <"$TMP/diff")"
	fi
}

# --- IPv4: exact values from independent sources (the host's default TTL, the count) ---
ttl4=$(in_host sysctl -n net.ipv4.ip_default_ttl)
hop6=$(in_host sysctl -n net.ipv6.conf.host0.hop_limit)
in_obs "$XS" ping -c 3 -i 0.2 $H4 >"$TMP/v4" 2>"$TMP/err"
check_eq "v4 exit 0" 0 $?
check_eq "v4 header" "PING $H4 ($H4) 56(84) bytes of data." "$(head -1 "$TMP/v4")"
check_eq "v4 replies" "$(printf '64 bytes from %s: icmp_seq=%d ttl=%d time=X ms\n' \
	$H4 1 "$ttl4" $H4 2 "$ttl4" $H4 3 "$ttl4")" \
	"$(grep bytes.from "$TMP/v4" | sed 's/time=[0-9.]* ms/time=X ms/')"
check_match "v4 summary" "3 packets transmitted, 3 received, 0% packet loss, time [0-9]+ms" \
	"$(cat "$TMP/v4")"
check_match "v4 rtt line" "rtt min/avg/max/mdev = [0-9]+\.[0-9]{3}/[0-9]+\.[0-9]{3}/[0-9]+\.[0-9]{3}/[0-9]+\.[0-9]{3} ms" \
	"$(tail -1 "$TMP/v4")"
check_eq "v4 nothing on stderr" "" "$(cat "$TMP/err")"

# --- IPv6 ---
in_obs "$XS" ping -c 2 -i 0.2 $H6 >"$TMP/v6"
check_eq "v6 exit 0" 0 $?
check_eq "v6 header" "PING $H6($H6) 56 data bytes" "$(head -1 "$TMP/v6")"
check_eq "v6 replies" "$(printf '64 bytes from %s: icmp_seq=%d ttl=%d\n' $H6 1 "$hop6" $H6 2 "$hop6")" \
	"$(grep bytes.from "$TMP/v6" | sed 's/ time=[0-9.]* ms//')"

# --- a silent address on the link: no reply, exit 1, 100% loss ---
in_obs "$XS" ping -c 2 -W 1 $SILENT4 >"$TMP/silent"
check_eq "silent exit 1" 1 $?
check_match "silent 100% loss" "2 packets transmitted, 0 received, 100% packet loss" \
	"$(cat "$TMP/silent")"

# --- -s 1000: on the wire (tcpdump in the host namespace) and in the reply lines ---
bg in_host timeout 5 tcpdump -l -n -v -i host0 -c 2 'icmp[icmptype] == icmp-echo' \
	>"$TMP/dump" 2>"$TMP/dump.err"
dump_pid=$BG_PID
wait_for "$TMP/dump.err" 5 "listening on" || fail "tcpdump did not start"
in_obs "$XS" ping -c 2 -i 0.2 -s 1000 -t 7 $H4 >"$TMP/big"
check_eq "-s 1000 exit 0" 0 $?
check_eq "-s 1000 header" "PING $H4 ($H4) 1000(1028) bytes of data." "$(head -1 "$TMP/big")"
check_eq "-s 1000 replies are 1008 bytes" 2 "$(grep -c '^1008 bytes from' "$TMP/big")"
wait $dump_pid
check_eq "-s 1000 -t 7: requests on the wire have IP length 1028, TTL 7" 2 \
	"$(grep -c 'ttl 7,.*length 1028)' "$TMP/dump")"

# --- two concurrent pings to the two host addresses: each gets exactly its own replies ---
bg in_obs "$XS" ping -c 40 -i 0.01 $H4 >"$TMP/c1"
p1=$BG_PID
bg in_obs "$XS" ping -c 40 -i 0.01 $H4B >"$TMP/c2"
p2=$BG_PID
wait $p1; r1=$?
wait $p2; r2=$?
check_eq "concurrent: both exit 0" "0 0" "$r1 $r2"
for f in c1:$H4 c2:$H4B; do
	out=$TMP/${f%%:*} addr=${f#*:}
	check_eq "concurrent $addr: replies 1..40 once each, all from $addr" \
		"$(seq 1 40 | sed "s/^/$addr /")" \
		"$(sed -n 's/^64 bytes from \([0-9.]*\): icmp_seq=\([0-9]*\) .*/\1 \2/p' "$out")"
	check_match "concurrent $addr: summary" "40 packets transmitted, 40 received, 0% packet loss" \
		"$(cat "$out")"
done
# The same target twice at once: replies differ only in the identifier.
bg in_obs "$XS" ping -c 40 -i 0.01 $H4 >"$TMP/s1"
p1=$BG_PID
bg in_obs "$XS" ping -c 40 -i 0.01 $H4 >"$TMP/s2"
p2=$BG_PID
wait $p1; wait $p2
for f in s1 s2; do
	check_eq "same target $f: exactly seq 1..40, no duplicate" "$(seq 1 40)" \
		"$(sed -n 's/^64 bytes from .*icmp_seq=\([0-9]*\) ttl=[0-9]* time=[0-9.]* ms$/\1/p' "$TMP/$f")"
done

# --- SIGINT prints the summary ---
# exec, so that $! is ping itself and not a shell waiting for it.
(exec ip netns exec "$OBS" "$XS" ping -i 0.1 $H4 >"$TMP/int") &
pid=$!
CLEANUP_PIDS+=("$pid")
wait_for "$TMP/int" 5 "icmp_seq=3 " || fail "SIGINT: no third reply"
kill -INT $pid
wait $pid
check_eq "SIGINT exit 0" 0 $?
check_match "SIGINT summary" "--- $H4 ping statistics ---"$'\n'"[0-9]+ packets transmitted, [0-9]+ received" \
	"$(cat "$TMP/int")"

# --- ICMP errors: the neighbour never answers, the kernel reports the host unreachable ---
in_obs "$XS" ping -c 2 -i 0.2 -W 5 $SILENT6 >"$TMP/unr6"
check_eq "v6 unreachable exit 1" 1 $?
check_eq "v6 unreachable lines" "$(printf 'From 2001:db8::1 icmp_seq=%d Destination unreachable: Address unreachable\n' 1 2)" \
	"$(grep ^From "$TMP/unr6")"
check_match "v6 unreachable summary" "2 packets transmitted, 0 received, \+2 errors, 100% packet loss" \
	"$(cat "$TMP/unr6")"

# --- datagram ICMP socket fallback for an unprivileged user, else exit 2 naming CAP_NET_RAW ---
in_obs "${NOBODY[@]}" "$XS" ping -c 1 $H4 >"$TMP/np" 2>"$TMP/np.err"
check_eq "unprivileged without ping_group_range: exit 2" 2 $?
check_match "unprivileged: names CAP_NET_RAW" "^xdpscope: ping: .*CAP_NET_RAW" "$(cat "$TMP/np.err")"
check_eq "unprivileged: one line, empty stdout" "1 0" "$(wc -l <"$TMP/np.err") $(wc -c <"$TMP/np")"
in_obs sysctl -qw net.ipv4.ping_group_range="65534 65534"
for t in $H4 $H6; do
	in_obs "${NOBODY[@]}" "$XS" ping -c 2 -i 0.2 $t >"$TMP/dg"
	check_eq "datagram socket $t: exit 0" 0 $?
	check_eq "datagram socket $t: two replies" 2 "$(grep -c "^64 bytes from $t: icmp_seq=[12] ttl=[0-9]* time=" "$TMP/dg")"
done
check_rc "unprivileged -i 0.001: exit 2" 2 in_obs "${NOBODY[@]}" "$XS" ping -i 0.001 $H4

# --- bad input: exit 2, one line on stderr naming the value, nothing on stdout ---
bad() {
	local want=$1
	shift
	in_obs "$XS" ping "$@" >"$TMP/bad.out" 2>"$TMP/bad.err"
	check_eq "bad input '$*': exit 2" 2 $?
	check_eq "bad input '$*': one line, stdout empty" "1 0" \
		"$(wc -l <"$TMP/bad.err") $(wc -c <"$TMP/bad.out")"
	check_match "bad input '$*': names '$want'" "^xdpscope: ping: .*$want" "$(cat "$TMP/bad.err")"
}
bad nosuch.invalid -c 1 nosuch.invalid
bad "'0'" -c 0 $H4
bad "'65508'" -s 65508 $H4
bad "'0'" -t 0 $H4
bad "'256'" -t 256 $H4
bad "'-1'" -i -1 $H4
bad "'nosuchif0'" -I nosuchif0 $H4
bad "HOST" -c 1
bad "'-x'" -x $H4

# --- side by side with iputils ping: every line in the same form ---
side_by_side "v4" -c 3 -i 0.2 $H4
side_by_side "v6" -c 3 -i 0.2 $H6
side_by_side "-s 1000" -c 2 -i 0.2 -s 1000 $H4
side_by_side "-s 8 (no timing)" -c 2 -i 0.2 -s 8 $H4
side_by_side "-q" -q -c 2 -i 0.2 $H6
side_by_side "-I" -c 1 -I obs0 $H4
side_by_side "silent" -c 2 -W 1 $SILENT4
side_by_side "-w deadline" -c 3 -w 5 -i 0.2 $H6
side_by_side "-w before -c replies (exit 1)" -c 5 -w 1 -i 0.4 $H4
check_eq "-w before -c replies: exit 1 though 3 replied" "1 3" "$rc_xs $(grep -c ^64 "$TMP/xs.out")"
side_by_side "v4 unreachable (errors, pipe)" -c 3 -i 0.5 $SILENT4
# Duplicate every echo reply the host sends (nftables dup in the host namespace).
in_host nft -f - <<NFT
table ip xsdup {
	chain out {
		type filter hook postrouting priority 0; policy accept;
		icmp type echo-reply dup to 198.18.0.1 device "host0"
	}
}
table ip6 xsdup6 {
	chain out {
		type filter hook postrouting priority 0; policy accept;
		icmpv6 type echo-reply dup to 2001:db8::1 device "host0"
	}
}
NFT
check_eq "nft dup rules installed" 0 $?
side_by_side "duplicates v4" -c 3 -i 0.2 $H4
side_by_side "duplicates v6" -c 3 -i 0.2 $H6
check_eq "duplicates: (DUP!) for seq 1 and 2, not the last" \
	"$(printf '%s\n' 'icmp_seq=1 (DUP!)' 'icmp_seq=2 (DUP!)')" \
	"$(sed -n 's/.*\(icmp_seq=[0-9]*\) .*\((DUP!)\)$/\1 \2/p' "$TMP/xs.out")"
check_match "duplicates: summary" "3 packets transmitted, 3 received, \+2 duplicates, 0% packet loss" \
	"$(cat "$TMP/xs.out")"

lab_finish
