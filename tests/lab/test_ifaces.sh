#!/usr/bin/env bash
# ifaces, ip and status in the test's own namespaces: 100 veth pairs compared with `ip -j addr`,
# addresses checked against ip, ports probed against a socat listener, an nftables drop rule and
# nmap, links set down, and bad inputs.
source "$(dirname "$0")/lib.sh"
CMP=$PWD/tests/lab/ifaces_cmp.jq

# --- 100 veth pairs inside obs, made with one ip -batch run inside the namespace ---------------
# No DAD and no router solicitations: addresses never sit "tentative" between two readings.
in_obs sysctl -qw net.ipv6.conf.default.accept_dad=0 net.ipv6.conf.all.accept_dad=0 \
	net.ipv6.conf.default.router_solicitations=0
{
	for i in $(seq 0 99); do
		echo "link add m${i}a type veth peer name m${i}b"
		[ $((i % 7)) = 0 ] && echo "link set m${i}a mtu 9000"
		if [ $((i % 2)) = 0 ]; then
			echo "addr add 198.18.$((1 + i / 50)).$((i % 50 * 4 + 1))/30 dev m${i}a"
			echo "addr add 2001:db8:$((100 + i))::1/64 dev m${i}a nodad"
		fi
		[ $((i % 4)) = 0 ] && echo "addr add 198.18.9.$((i + 1))/32 dev m${i}a"
		[ $((i % 3)) != 1 ] && echo "link set m${i}a up"
		[ $((i % 3)) = 0 ] && echo "link set m${i}b up"
	done
} >"$TMP/batch"
check_rc "ip -batch makes 100 veth pairs" 0 in_obs ip -batch "$TMP/batch"

# obs0 existed before DAD was turned off: wait until its link-local address has left "tentative".
for _ in $(seq 100); do in_obs ip -j addr | grep -q tentative || break; sleep 0.05; done
# Readings: ip before, ours, ip after (counters may move between them: bounds, not equality).
in_obs ip -j -s addr >"$TMP/ip_before.json"
in_obs ip -j addr >"$TMP/ip.json"
check_rc "ifaces --json exit 0" 0 in_obs "$XS" ifaces --json
cp "$TMP/out" "$TMP/ours.json"
in_obs ip -j -s addr >"$TMP/ip_after.json"

check_eq "ifaces --json is one valid JSON array" "array" "$(jq -r type "$TMP/ours.json" 2>&1)"
check_eq "ifaces lists every interface (lo, obs0, 200 veths)" "202" "$(jq length "$TMP/ours.json")"
check_eq "interface names and order as ip" "$(jq -c '[.[].ifname]' "$TMP/ip.json")" \
	"$(jq -c '[.[].ifname]' "$TMP/ours.json")"
check_eq "every shared key equals ip -j addr" "" \
	"$(jq -s -r -f "$CMP" "$TMP/ip.json" "$TMP/ours.json" | head -5)"
check_eq "no ip -j addr key is missing" "" \
	"$(jq -s -r '[.[0], .[1]] | transpose[] | (.[0] | keys) - (.[1] | keys) | .[]' \
		"$TMP/ip.json" "$TMP/ours.json" | sort -u | tr '\n' ' ')"
check_eq "no ip -j addr addr_info key is missing" "" \
	"$(jq -s -r '[.[0][].addr_info[]] as $a | [.[1][].addr_info[]] as $b |
		[$a, $b] | transpose[] | (.[0] | keys) - (.[1] | keys) | .[]' \
		"$TMP/ip.json" "$TMP/ours.json" | sort -u | tr '\n' ' ')"
# The keys the issue names must be there even where ip would agree by omission.
check_eq "required keys present on every interface" "0" \
	"$(jq '[.[] | select((has("ifindex") and has("ifname") and has("flags") and has("mtu")
		and has("operstate") and has("address") and has("addr_info") and has("stats64")) | not)]
		| length' "$TMP/ours.json")"
check_eq "addresses as ip: count" "$(jq '[.[].addr_info[]] | length' "$TMP/ip.json")" \
	"$(jq '[.[].addr_info[] | select(has("family") and has("local") and has("prefixlen")
		and has("scope"))] | length' "$TMP/ours.json")"
check_eq "flags of m1a (down) / m2a (up, peer down) / m3a (up, carrier)" \
	"BROADCAST,MULTICAST,M-DOWN NO-CARRIER,BROADCAST,MULTICAST,UP,M-DOWN BROADCAST,MULTICAST,UP,LOWER_UP" \
	"$(jq -r '[.[] | select(.ifname == "m1a" or .ifname == "m2a" or .ifname == "m3a")
		| .flags | join(",")] | join(" ")' "$TMP/ours.json")"
# before <= ours <= after for every counter of every interface.
check_eq "stats64 between two ip -s readings" "" \
	"$(jq -s -r '.[0] as $b | .[1] as $o | .[2] as $a | range($o | length) as $i |
		("rx", "tx") as $d | ("bytes", "packets", "errors", "dropped") as $k |
		select(($b[$i].stats64[$d][$k] <= $o[$i].stats64[$d][$k] and
			$o[$i].stats64[$d][$k] <= $a[$i].stats64[$d][$k]) | not) |
		"\($o[$i].ifname) \($d).\($k)"' \
		"$TMP/ip_before.json" "$TMP/ours.json" "$TMP/ip_after.json" | head -5)"

check_rc "ifaces m4a --json exit 0" 0 in_obs "$XS" ifaces m4a --json
check_eq "ifaces IFACE lists only it" '["m4a"]' "$(jq -c '[.[].ifname]' "$TMP/out")"
check_eq "ifaces IFACE equals ip -j addr show dev" "" \
	"$(jq -s -r -f "$CMP" <(in_obs ip -j addr show dev m4a) "$TMP/out")"
check_rc "ifaces text exit 0" 0 in_obs "$XS" ifaces
check_eq "ifaces text: one header line per interface" "202" "$(grep -c '^ *[0-9]\+  ' "$TMP/out")"
check_match "ifaces text: m12a row" "m12a +UP +mtu 1500 +[0-9a-f:]{17} +<BROADCAST,MULTICAST,UP,LOWER_UP>" \
	"$(grep ' m12a ' "$TMP/out")"

# --- ip ------------------------------------------------------------------------------------
expect_ip() { # IFACE FAMILY(inet|inet6)
	in_obs ip -j addr show dev "$1" |
		jq -r --arg f "$2" --arg n "$1" '.[0].addr_info[] | select(.family == $f) |
			"Interface [\($n)] --> IP: \(.local)"'
}
check_rc "ip m4a exit 0" 0 in_obs "$XS" ip m4a
check_eq "ip m4a: every IPv4 address as ip lists it" "$(expect_ip m4a inet)" "$(cat "$TMP/out")"
check_eq "ip m4a: two IPv4 addresses" "2" "$(wc -l <"$TMP/out")"
check_rc "ip -6 m4a exit 0" 0 in_obs "$XS" ip m4a -6
check_eq "ip -6 m4a: every IPv6 address as ip lists it" "$(expect_ip m4a inet6)" "$(cat "$TMP/out")"
check_match "ip -6 m4a has the global address" "IP: 2001:db8:104::1" "$(cat "$TMP/out")"
check_rc "ip --json m4a exit 0" 0 in_obs "$XS" ip m4a --json
check_eq "ip --json m4a" "$(in_obs ip -j -4 addr show dev m4a | jq -c '[.[0].addr_info[].local]')" \
	"$(jq -c .addrs "$TMP/out")"
check_rc "ip m1a (no IPv4 address) exit 1" 1 in_obs "$XS" ip m1a
check_eq "ip m1a prints nothing" "" "$(cat "$TMP/out")"
check_rc "ip -6 m1a (down: no IPv6 address) exit 1" 1 in_obs "$XS" ip -6 m1a
check_rc "ip of a missing interface exit 2" 2 in_obs "$XS" ip nosuch0

# --- status --------------------------------------------------------------------------------
# In host: something listens on 22 (v4 and v6), nothing on 21, nftables drops SYNs to 23.
bg in_host socat TCP6-LISTEN:22,reuseaddr,fork,ipv6only=0 SYSTEM:true
for _ in $(seq 100); do in_host ss -Hltn 'sport = :22' | grep -q . && break; sleep 0.05; done
in_host nft -f - <<'NFT'
table inet xs_test {
	chain input {
		type filter hook input priority 0; policy accept;
		tcp dport 23 drop
	}
}
NFT
svc() { getent services "$1/tcp" | awk '{print $1}'; }
want="Interface [host0] is: up
21/tcp closed $(svc 21)
22/tcp open $(svc 22)
23/tcp filtered $(svc 23)"
check_rc "status host0 (default ports) exit 0" 0 in_host "$XS" status host0 --timeout 0.5
check_eq "status host0: up, 21 closed, 22 open, 23 filtered" "$want" "$(cat "$TMP/out")"
check_rc "status -6 host0 exit 0" 0 in_host "$XS" status host0 -6 -p 21-23 --timeout 0.5
check_eq "status -6 host0 same states" "$want" "$(cat "$TMP/out")"
# nmap, a second tool, agrees on the states of the same ports.
nmap_states=$(in_host nmap -n -Pn -sT -p21-23 --max-retries 1 198.18.0.2 -oG - |
	grep -o 'Ports: .*' | grep -o '[0-9]*/[a-z]*/tcp' | awk -F/ '{print $1 "/tcp " $2}')
check_eq "nmap agrees" "$nmap_states" "$(tail -n +2 <<<"$want" | awk '{print $1, $2}')"
check_rc "status --json exit 0" 0 in_host "$XS" status host0 -p 22,21,23,21 --timeout 0.5 --json
check_eq "status --json" \
	"$(jq -nc --arg a "$(in_host ip -j -4 addr show dev host0 | jq -r '.[0].addr_info[0].local')" \
		--arg s21 "$(svc 21)" --arg s22 "$(svc 22)" --arg s23 "$(svc 23)" \
		'{ifname: "host0", state: "up", why: null, operstate: "UP", addr: $a, ports: [
		{port: 21, state: "closed", service: $s21}, {port: 22, state: "open", service: $s22},
		{port: 23, state: "filtered", service: $s23}]}')" \
	"$(jq -c . "$TMP/out")"
check_rc "status -6 --json exit 0" 0 in_host "$XS" status host0 -6 -p 22 --timeout 0.5 --json
check_eq "status -6 probes the first global IPv6 address as ip lists it" \
	"$(in_host ip -j -6 addr show dev host0 | jq -r '[.[0].addr_info[] | select(.scope == "global")][0].local')" \
	"$(jq -r .addr "$TMP/out")"
# Every port: ephemeral ports must not "connect to themselves" and show as open.
check_rc "status of all 65535 ports exit 0" 0 in_host "$XS" status host0 -p - --timeout 0.5
check_eq "status of all ports: 65533 closed, 1 open, 1 filtered" "65533 1 1" \
	"$(echo $(grep -c ' closed ' "$TMP/out") $(grep -c ' open ' "$TMP/out") $(grep -c ' filtered ' "$TMP/out"))"
check_rc "status m1a (admin down) exit 1" 1 in_obs "$XS" status m1a
check_eq "status m1a: down (admin down), no probe" "Interface [m1a] is: down (admin down)" "$(cat "$TMP/out")"
check_rc "status m2a (peer down) exit 1" 1 in_obs "$XS" status m2a -p 22 --json
check_eq "status m2a --json: down, no carrier, operstate from ip" \
	"{\"ifname\":\"m2a\",\"state\":\"down\",\"why\":\"no carrier\",\"operstate\":\"$(in_obs ip -j link show dev m2a | jq -r '.[0].operstate')\",\"addr\":\"198.18.1.9\",\"ports\":[]}" \
	"$(jq -c . "$TMP/out")"
in_host ip link set host0 down
check_rc "status host0 after link set down exit 1" 1 in_host "$XS" status host0
check_eq "status host0 after link set down" "Interface [host0] is: down (admin down)" "$(cat "$TMP/out")"
check_rc "status obs0 with its peer down exit 1" 1 in_obs "$XS" status obs0
check_eq "status obs0 with its peer down" "Interface [obs0] is: down (no carrier)" "$(cat "$TMP/out")"
check_rc "status m0a (up, has an IPv4 address) exit 0" 0 in_obs "$XS" status m0a -p 80 --timeout 0.2
check_eq "status m0a: port 80 closed" "80/tcp closed $(svc 80)" "$(tail -1 "$TMP/out")"
check_rc "status -p on an up interface without IPv4 exit 2" 2 in_obs "$XS" status m3a -p 22

# --- bad input: exit 2, one line on stderr naming the value, nothing on stdout ----------------
bad() { # NAME VALUE CMD...
	local name=$1 value=$2
	shift 2
	check_rc "$name: exit 2" 2 in_obs "$@"
	check_eq "$name: stdout empty" "" "$(cat "$TMP/out")"
	check_eq "$name: one line on stderr" "1" "$(wc -l <"$TMP/err")"
	check_match "$name: names '$value'" "'$value'" "$(cat "$TMP/err")"
}
bad "ifaces unknown interface" nosuch0 "$XS" ifaces nosuch0
bad "ifaces 16-byte name" abcdefghijklmnop "$XS" ifaces abcdefghijklmnop
bad "ip unknown interface" nosuch0 "$XS" ip nosuch0
bad "ip 16-byte name" abcdefghijklmnop "$XS" ip abcdefghijklmnop -6
bad "status unknown interface" nosuch0 "$XS" status nosuch0
bad "status 16-byte name" abcdefghijklmnop "$XS" status abcdefghijklmnop
bad "status port 0" 0 "$XS" status m0a -p 0
bad "status port 70000" 70000 "$XS" status m0a -p 21,70000
bad "status reversed range" 23-21 "$XS" status m0a -p 23-21
bad "status malformed port" 2x "$XS" status m0a -p 2x
bad "status bad timeout" abc "$XS" status m0a --timeout abc
bad "ifaces unknown option" --bogus "$XS" ifaces --bogus
for c in ifaces ip status; do
	check_rc "$c --help exit 0" 0 "$XS" "$c" --help
	check_match "$c --help prints usage" "^Usage: xdpscope $c" "$(cat "$TMP/out")"
done

lab_finish
