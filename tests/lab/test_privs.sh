#!/usr/bin/env bash
# Least privilege in the lab: `make install` gives the binary file capabilities (never setuid);
# as the unprivileged user nobody, every command works with them, and without them each
# privileged command fails with exit 2 naming the missing capability; after setup a running
# watch holds no capability (decoded with capsh, from libcap2-bin), and -Z USER switches user.
source "$(dirname "$0")/lib.sh"

U=nobody
UID_U=$(id -u "$U") || { fail "user $U exists"; lab_finish; }
G=$(id -gn "$U")
GID_U=$(id -g "$U")
chmod 711 "$TMP" # let nobody reach the copies below

# Runs CMD in the obs namespace as nobody: ip netns exec needs root, so switch inside it.
as_user() { ip netns exec "$OBS" setpriv --reuid="$U" --regid="$G" --init-groups "$@"; }
# Same, in the background ($BG_PID is the command itself: ip netns exec and setpriv exec it).
bg_as_user() { bg ip netns exec "$OBS" setpriv --reuid="$U" --regid="$G" --init-groups "$@"; }

# The capability names of field $2 (CapEff, CapPrm, CapBnd...) of process $1, via capsh.
caps_of() {
	capsh --decode="$(awk -v f="$2:" '$1 == f {print $2}' "/proc/$1/status")" | sed 's/^0x[0-9a-f]*=//'
}
status_field() { awk -v f="$2:" '$1 == f {$1 = ""; print substr($0, 2)}' "/proc/$1/status"; }

# ---- make install ------------------------------------------------------------------------
build_dir=$(realpath --relative-to="$PWD" "$(dirname "$XS")")
make --no-print-directory -s install BUILD="$build_dir" DESTDIR="$TMP/dest" PREFIX=/usr \
	>"$TMP/install.out" 2>&1
check_eq "make install exit status" 0 $?
PRIV=$TMP/dest/usr/bin/xdpscope
chmod 755 "$TMP/dest" "$TMP/dest/usr" "$TMP/dest/usr/bin"
check_eq "installed binary is the built one" same "$(cmp -s "$XS" "$PRIV" && echo same)"
check_eq "installed file capabilities" "cap_bpf cap_net_admin cap_net_raw cap_perfmon =ep" \
	"$(getcap "$PRIV" | sed 's/^[^ ]* //; s/=/ =/' | tr ',' '\n' | sed 's/ =ep$//' | sort |
		tr '\n' ' ')=ep"
check_eq "installed mode 0755: not setuid, not setgid" 755 "$(stat -c %a "$PRIV")"

# Copies with no or partial capabilities, for the failures.
copy_with() { # DIR CAPS
	mkdir -p "$TMP/$1" && chmod 755 "$TMP/$1" && cp "$XS" "$TMP/$1/xdpscope" &&
		{ [ -z "$2" ] || setcap "$2" "$TMP/$1/xdpscope"; }
}
copy_with nocap ""
copy_with bpf "cap_bpf+ep"
copy_with bpfperf "cap_bpf,cap_perfmon+ep"
copy_with raw "cap_net_raw+ep"
copy_with bind "cap_net_bind_service+ep"
NOCAP=$TMP/nocap/xdpscope

# The user really is unprivileged: nobody, no capability of its own.
check_eq "setpriv runs as nobody" "$UID_U" "$(as_user id -u)"
check_eq "nobody has no capability of its own" "" \
	"$(as_user capsh --decode="$(as_user awk '/^CapEff/ {print $2}' /proc/self/status)" |
		sed 's/^0x[0-9a-f]*=//')"

# ---- watch as nobody with the file capabilities --------------------------------------------
for mode in xdp tc; do
	rm -f "$TMP/w.err" # else wait_for can match the previous mode's line
	bg_as_user "$PRIV" watch obs0 --attach "$mode" --json --interval 0.2 >"$TMP/w.out" 2>"$TMP/w.err"
	w=$BG_PID
	if ! wait_for "$TMP/w.err" 10 'attached census'; then
		fail "$mode: watch as nobody with file capabilities attaches: $(cat "$TMP/w.err")"
		continue
	fi
	pass "$mode: watch as nobody with file capabilities attaches"
	check_eq "$mode: watch runs as nobody" "$UID_U $UID_U $UID_U $UID_U" \
		"$(status_field "$w" Uid | tr -s '\t ' ' ')"
	check_eq "$mode: watch keeps no effective capability after attaching" "" "$(caps_of "$w" CapEff)"
	check_eq "$mode: nor any permitted one" "" "$(caps_of "$w" CapPrm)"
	check_eq "$mode: nor inheritable" "" "$(caps_of "$w" CapInh)"
	check_eq "$mode: no_new_privs set" 1 "$(status_field "$w" NoNewPrivs)"
	in_obs ping -c 3 -i 0.2 -q 198.18.0.2 >/dev/null
	sleep 0.5
	kill -INT "$w"
	wait "$w"
	check_eq "$mode: exit 0 after SIGINT" 0 $?
	check_eq "$mode: still reads its maps after the drop (3 echo replies)" "198.18.0.2:3" \
		"$(tail -n 1 "$TMP/w.out" | jq -r '[.icmp_replies[] | "\(.addr):\(.packets)"] | join(" ")')"
done
check_eq "nothing attached after watch as nobody" "" \
	"$(in_obs ip -j link show obs0 | jq -r '.[0].xdp.prog.id // empty')"

# ---- without (enough) file capabilities: exit 2 naming the missing one ---------------------
check_rc "watch without capabilities: exit 2" 2 as_user "$NOCAP" watch obs0 --duration 1
check_eq "watch without capabilities names CAP_BPF" \
	"xdpscope: watch: missing capability CAP_BPF (needed to load BPF programs)" "$(cat "$TMP/err")"
check_eq "nothing on stdout" 0 "$(wc -c <"$TMP/out")"
check_rc "watch with cap_bpf only: exit 2" 2 as_user "$TMP/bpf/xdpscope" watch obs0 --duration 1
check_match "names CAP_PERFMON" "^xdpscope: watch: missing capability CAP_PERFMON " "$(cat "$TMP/err")"
check_rc "watch without cap_net_admin: exit 2" 2 as_user "$TMP/bpfperf/xdpscope" watch obs0 \
	--duration 1
check_match "names CAP_NET_ADMIN" "^xdpscope: watch: missing capability CAP_NET_ADMIN " \
	"$(cat "$TMP/err")"

# ---- ping: raw socket with the file capability, else the datagram socket if allowed ----------
bg_as_user "$PRIV" ping -c 3 -i 0.4 198.18.0.2 >"$TMP/p.out" 2>"$TMP/p.err"
p=$BG_PID
if wait_for "$TMP/p.out" 10 'icmp_seq=1 '; then
	check_eq "ping as nobody keeps no capability once its socket is open" "" "$(caps_of "$p" CapEff)"
	check_eq "ping: nor any permitted one" "" "$(caps_of "$p" CapPrm)"
else
	fail "ping as nobody with file capabilities replies: $(cat "$TMP/p.err")"
fi
wait "$p"
check_eq "ping as nobody with file capabilities: exit 0" 0 $?
check_match "ping as nobody: all 3 replies" "^3 packets transmitted, 3 received," \
	"$(grep 'packets transmitted' "$TMP/p.out")"
# The obs namespace starts with ping_group_range "1 0" (no group may use datagram sockets).
check_eq "obs namespace allows no ICMP datagram socket" "1	0" \
	"$(in_obs cat /proc/sys/net/ipv4/ping_group_range)"
check_rc "ping without capabilities: exit 2" 2 as_user "$NOCAP" ping -c 1 198.18.0.2
check_match "names CAP_NET_RAW" "^xdpscope: ping: missing capability CAP_NET_RAW " "$(cat "$TMP/err")"
check_eq "nothing on stdout" 0 "$(wc -c <"$TMP/out")"
in_obs sysctl -q -w net.ipv4.ping_group_range="$GID_U $GID_U"
check_rc "ping without capabilities, group allowed datagram sockets: exit 0" 0 \
	as_user "$NOCAP" ping -c 2 -i 0.2 198.18.0.2
check_match "datagram ping: 2 replies" "2 packets transmitted, 2 received," "$(cat "$TMP/out")"
in_obs sysctl -q -w net.ipv4.ping_group_range="1 0"
bg in_obs "$XS" ping -Z "$U" -c 3 -i 0.4 198.18.0.2 >"$TMP/pz.out" 2>&1
p=$BG_PID
if wait_for "$TMP/pz.out" 10 'icmp_seq=1 '; then
	check_eq "ping -Z $U: uids" "$UID_U $UID_U $UID_U $UID_U" "$(status_field "$p" Uid | tr -s '\t ' ' ')"
	check_eq "ping -Z $U: no capability" "" "$(caps_of "$p" CapPrm)"
else
	fail "ping -Z $U replies: $(cat "$TMP/pz.out")"
fi
wait "$p"
check_eq "ping -Z $U: exit 0" 0 $?
check_rc "ping -Z unknown user: exit 2" 2 in_obs "$XS" ping -Z "xsnouser$$" -c 1 198.18.0.2
check_eq "ping -Z unknown user named" "xdpscope: ping: unknown user 'xsnouser$$' (-Z)" \
	"$(cat "$TMP/err")"

# ---- sniff: a packet socket needs CAP_NET_RAW (promiscuous mode too); reading a file nothing
bg_as_user "$PRIV" sniff -i obs0 -c 4 icmp >"$TMP/s.out" 2>"$TMP/s.err"
s=$BG_PID
if wait_for "$TMP/s.err" 10 'listening on obs0'; then
	check_eq "sniff as nobody keeps no capability once capturing" "" "$(caps_of "$s" CapEff)"
	check_eq "sniff: nor any permitted one" "" "$(caps_of "$s" CapPrm)"
	check_match "sniff: obs0 promiscuous" "promiscuity [1-9]" "$(in_obs ip -d link show obs0)"
	in_obs ping -c 2 -i 0.2 -q 198.18.0.2 >/dev/null
else
	fail "sniff as nobody with file capabilities listens: $(cat "$TMP/s.err")"
fi
wait "$s"
check_eq "sniff as nobody with file capabilities: exit 0" 0 $?
check_eq "sniff as nobody: 2 requests, 2 replies" "2 2" \
	"$(echo "$(grep -c 'ICMP echo request' "$TMP/s.out") $(grep -c 'ICMP echo reply' "$TMP/s.out")")"
# Promiscuous mode needs no CAP_NET_ADMIN: libpcap asks the packet socket for it.
bg_as_user "$TMP/raw/xdpscope" sniff -i obs0 -c 1 icmp >/dev/null 2>"$TMP/sr.err"
s=$BG_PID
if wait_for "$TMP/sr.err" 10 'listening on obs0'; then
	check_match "sniff with cap_net_raw alone: obs0 promiscuous" "promiscuity [1-9]" \
		"$(in_obs ip -d link show obs0)"
	in_obs ping -c 1 -q 198.18.0.2 >/dev/null
else
	fail "sniff with cap_net_raw alone listens: $(cat "$TMP/sr.err")"
fi
wait "$s"
check_eq "sniff with cap_net_raw alone: exit 0" 0 $?
check_eq "promiscuous mode off after sniff" "promiscuity 0" \
	"$(in_obs ip -d link show obs0 | grep -o 'promiscuity [0-9]*')"
check_rc "sniff without capabilities: exit 2" 2 as_user "$NOCAP" sniff -i obs0 -c 1
check_match "names CAP_NET_RAW" "^xdpscope: sniff: missing capability CAP_NET_RAW " "$(cat "$TMP/err")"
check_rc "sniff -p without capabilities: exit 2" 2 as_user "$NOCAP" sniff -p -i obs0 -c 1
check_match "names CAP_NET_RAW" "^xdpscope: sniff: missing capability CAP_NET_RAW " "$(cat "$TMP/err")"
# -Z USER: the -w file is created after the switch, so USER owns it (as with tcpdump -Z).
mkdir -m 1777 "$TMP/w"
bg in_obs "$XS" sniff -Z "$U" -i obs0 -c 2 -w "$TMP/w/z.pcap" icmp >/dev/null 2>"$TMP/sz.err"
s=$BG_PID
if wait_for "$TMP/sz.err" 10 'listening on obs0'; then
	check_eq "sniff -Z $U: uids" "$UID_U $UID_U $UID_U $UID_U" "$(status_field "$s" Uid | tr -s '\t ' ' ')"
	check_eq "sniff -Z $U: no capability" "" "$(caps_of "$s" CapPrm)"
	in_obs ping -c 1 -q 198.18.0.2 >/dev/null
else
	fail "sniff -Z $U listens: $(cat "$TMP/sz.err")"
fi
wait "$s"
check_eq "sniff -Z $U: exit 0" 0 $?
check_eq "sniff -Z $U: $U owns the -w file" "$U" "$(stat -c %U "$TMP/w/z.pcap")"
check_eq "sniff -Z $U: the file holds the 2 packets (tcpdump -r)" 2 \
	"$(tcpdump -r "$TMP/w/z.pcap" -nn 2>/dev/null | wc -l)"
chmod 644 "$TMP/w/z.pcap"
check_rc "sniff -r as nobody without capabilities: exit 0" 0 as_user "$NOCAP" sniff -r "$TMP/w/z.pcap"
check_eq "sniff -r: 2 packets" 2 "$(wc -l <"$TMP/out")"

# ---- sweep: BPF counter plus a raw socket; --no-bpf the raw socket only --------------------
# Expected: the lab's IPv4 addresses (both namespaces) inside 198.18.0.0/29, from ip -j.
want_alive=$({ in_obs ip -j -4 addr; in_host ip -j -4 addr; } | jq -r '.[].addr_info[].local' |
	grep -E '^198\.18\.0\.[1-6]$' | sort -t. -k4,4n | xargs)
bg_as_user "$PRIV" sweep --json --every 0.3 --timeout 0.2 198.18.0.0/29 >"$TMP/sw.out" 2>"$TMP/sw.err"
s=$BG_PID
if wait_for "$TMP/sw.out" 15 '"round":1,'; then
	check_eq "sweep as nobody keeps no capability once set up" "" "$(caps_of "$s" CapEff)"
	check_eq "sweep: nor any permitted one" "" "$(caps_of "$s" CapPrm)"
	wait_for "$TMP/sw.out" 10 '"round":2,' || fail "sweep as nobody: no second round"
else
	fail "sweep as nobody with file capabilities reports: $(cat "$TMP/sw.err")"
fi
kill -INT "$s"
wait "$s"
check_eq "sweep as nobody: exit 1 (some inactive)" 1 $?
check_eq "sweep as nobody (BPF): alive hosts, every round" "$want_alive" \
	"$(jq -r '.alive | join(" ")' <"$TMP/sw.out" | sort -u)"
check_match "sweep as nobody counted in BPF" "counting replies in BPF on obs0" "$(cat "$TMP/sw.err")"
check_rc "sweep without capabilities: exit 2" 2 as_user "$NOCAP" sweep 198.18.0.2
check_match "names CAP_NET_RAW" "^xdpscope: sweep: missing capability CAP_NET_RAW " "$(cat "$TMP/err")"
check_eq "nothing on stdout" 0 "$(wc -c <"$TMP/out")"
check_rc "sweep --no-bpf without capabilities: exit 2" 2 as_user "$NOCAP" sweep --no-bpf 198.18.0.2
check_match "names CAP_NET_RAW" "^xdpscope: sweep: missing capability CAP_NET_RAW " "$(cat "$TMP/err")"
# The BPF counter is optional: with cap_net_raw alone sweep names what BPF lacks and counts
# replies on its raw socket.
check_rc "sweep with cap_net_raw only: exit 1" 1 as_user "$TMP/raw/xdpscope" sweep --json \
	--timeout 0.3 198.18.0.0/29
check_match "sweep with cap_net_raw only names CAP_BPF" \
	"xdpscope: sweep: missing capability CAP_BPF .*BPF unavailable; counting replies with a raw" \
	"$(tr '\n' ' ' <"$TMP/err")"
check_eq "sweep with cap_net_raw only: alive hosts" "$want_alive" \
	"$(jq -r '.alive | join(" ")' <"$TMP/out")"
check_rc "sweep --no-bpf with cap_net_raw only: exit 1" 1 as_user "$TMP/raw/xdpscope" sweep \
	--no-bpf --json --timeout 0.3 198.18.0.0/29
check_eq "sweep --no-bpf as nobody: alive hosts" "$want_alive" "$(jq -r '.alive | join(" ")' <"$TMP/out")"
bg in_obs "$XS" sweep -Z "$U" --json --every 0.3 --timeout 0.2 198.18.0.2 >"$TMP/swz.out" 2>&1
s=$BG_PID
if wait_for "$TMP/swz.out" 15 '"round":1,'; then
	check_eq "sweep -Z $U: uids" "$UID_U $UID_U $UID_U $UID_U" "$(status_field "$s" Uid | tr -s '\t ' ' ')"
	check_eq "sweep -Z $U: no capability" "" "$(caps_of "$s" CapPrm)"
else
	fail "sweep -Z $U reports: $(cat "$TMP/swz.out")"
fi
kill -INT "$s"
wait "$s"
check_eq "sweep -Z $U: exit 0 (198.18.0.2 alive)" 0 $?
check_eq "nothing attached after the sweeps" "" \
	"$(in_obs ip -j link show | jq -r '.[].xdp.prog.id // empty')"

# ---- commands that need no capability work as nobody with and without them -----------------
want_ip="Interface [obs0] --> IP: $(in_obs ip -j -4 addr show obs0 | jq -r '.[0].addr_info[0].local')"
want_ifaces=$(in_obs ip -j link show | jq -r '[.[].ifname] | sort | join(" ")')
for bin in "$PRIV" "$NOCAP"; do
	what=$([ "$bin" = "$PRIV" ] && echo "with" || echo "without")
	check_eq "ip as nobody $what file capabilities" "$want_ip" "$(as_user "$bin" ip obs0)"
	check_eq "ifaces as nobody $what file capabilities" "$want_ifaces" \
		"$(as_user "$bin" ifaces --json | jq -r '[.[].ifname] | sort | join(" ")')"
	check_rc "status as nobody $what file capabilities: up" 0 as_user "$bin" status obs0 -p 9 \
		--timeout 0.5
	check_match "status output" "^Interface \[obs0\] is: up" "$(cat "$TMP/out")"
done

# ---- echo-server / echo-client: nothing, except CAP_NET_BIND_SERVICE for a low port ---------
as_host_user() { ip netns exec "$HOST" setpriv --reuid="$U" --regid="$G" --init-groups "$@"; }
start=$(in_obs cat /proc/sys/net/ipv4/ip_unprivileged_port_start)
check_eq "echo port 7 is privileged in the lab" yes "$([ 7 -lt "$start" ] && echo yes)"
# make install leaves CAP_NET_BIND_SERVICE out on purpose (any user could take a free
# privileged port): the error names it and the first port that needs nothing.
bind_err="xdpscope: echo-server: missing capability CAP_NET_BIND_SERVICE (needed to listen on a port below net.ipv4.ip_unprivileged_port_start); use --port $start or above"
check_rc "echo-server on port 7 as nobody with the installed capabilities: exit 2" 2 \
	as_user "$PRIV" echo-server --port 7
check_eq "names CAP_NET_BIND_SERVICE and suggests --port $start" "$bind_err" "$(cat "$TMP/err")"
check_eq "nothing on stdout" 0 "$(wc -c <"$TMP/out")"
check_rc "echo-server on its default port as nobody with the installed capabilities: exit 2" 2 \
	as_user "$PRIV" echo-server
check_eq "the default port: the same line" "$bind_err" "$(cat "$TMP/err")"
check_rc "echo-server --port $((start - 1)) as nobody: exit 2" 2 \
	as_user "$PRIV" echo-server --port $((start - 1))
check_eq "the highest privileged port: the same line" "$bind_err" "$(cat "$TMP/err")"
for run in "nobody:$PRIV:$start" "nobody:$NOCAP:7007" "nobody:$TMP/bind/xdpscope:7" "root:$XS:7" \
	"nobody:$NOCAP:7:7"; do
	IFS=: read -r who bin port lowstart <<<"$run"
	# With lowstart, the namespace's unprivileged range starts there: the check up front
	# follows the kernel's setting, so port 7 then needs no capability either.
	[ -n "$lowstart" ] && in_obs sysctl -q -w net.ipv4.ip_unprivileged_port_start="$lowstart"
	rm -f "$TMP/e.err" # else wait_for can match the previous server's line
	if [ "$who" = root ]; then
		bg in_obs "$bin" echo-server --port "$port" 2>"$TMP/e.err"
	else
		bg_as_user "$bin" echo-server --port "$port" 2>"$TMP/e.err"
	fi
	e=$BG_PID
	name="echo-server as $who on port $port ($(basename "$(dirname "$bin")")${lowstart:+, unprivileged from $lowstart})"
	if ! wait_for "$TMP/e.err" 10 "listening on :: port $port"; then
		fail "$name listens: $(cat "$TMP/e.err")"
		continue
	fi
	check_eq "$name: keeps no capability once listening" "" "$(caps_of "$e" CapPrm)"
	check_eq "$name: echoes (socat)" "privs $port" \
		"$(echo -n "privs $port" | in_host socat -t 5 - "TCP:198.18.0.1:$port")"
	check_rc "$name: echo-client as nobody, no capabilities: exit 0" 0 \
		as_host_user "$NOCAP" echo-client --port "$port" 198.18.0.1 hello
	check_eq "$name: echo-client output" "Received: b'hello'" "$(grep Received "$TMP/out")"
	kill -TERM "$e"
	wait "$e"
done
in_obs sysctl -q -w net.ipv4.ip_unprivileged_port_start="$start"

# ---- -Z USER --------------------------------------------------------------------------------
bg in_obs "$XS" watch obs0 --json --interval 0.2 -Z "$U" >"$TMP/z.out" 2>"$TMP/z.err"
w=$BG_PID
if wait_for "$TMP/z.err" 10 'attached census'; then
	check_eq "-Z $U: uids" "$UID_U $UID_U $UID_U $UID_U" "$(status_field "$w" Uid | tr -s '\t ' ' ')"
	check_eq "-Z $U: gids" "$GID_U $GID_U $GID_U $GID_U" "$(status_field "$w" Gid | tr -s '\t ' ' ')"
	check_eq "-Z $U: supplementary groups of $U" "$(id -G "$U")" \
		"$(status_field "$w" Groups | xargs)"
	check_eq "-Z $U: no effective capability" "" "$(caps_of "$w" CapEff)"
	check_eq "-Z $U: no permitted capability" "" "$(caps_of "$w" CapPrm)"
	check_eq "-Z $U: empty bounding set (root could drop it)" "" "$(caps_of "$w" CapBnd)"
	in_obs ping -c 2 -i 0.2 -q 198.18.0.2 >/dev/null
	sleep 0.5
	kill -INT "$w"
	wait "$w"
	check_eq "-Z $U: exit 0 after SIGINT" 0 $?
	check_eq "-Z $U: still counts (2 echo replies)" "198.18.0.2:2" \
		"$(tail -n 1 "$TMP/z.out" | jq -r '[.icmp_replies[] | "\(.addr):\(.packets)"] | join(" ")')"
else
	fail "-Z $U: watch attaches: $(cat "$TMP/z.err")"
fi

# Root without -Z stays root but keeps no capability.
bg in_obs "$XS" watch obs0 --json --interval 0.2 >/dev/null 2>"$TMP/r.err"
w=$BG_PID
if wait_for "$TMP/r.err" 10 'attached census'; then
	check_eq "root watch: still uid 0" "0 0 0 0" "$(status_field "$w" Uid | tr -s '\t ' ' ')"
	check_eq "root watch: no effective capability after attaching" "" "$(caps_of "$w" CapEff)"
	check_eq "root watch: empty bounding set" "" "$(caps_of "$w" CapBnd)"
	kill -INT "$w"
	wait "$w"
else
	fail "root watch attaches: $(cat "$TMP/r.err")"
fi

nosuch=xsnouser$$
check_rc "-Z unknown user: exit 2" 2 in_obs "$XS" watch obs0 -Z "$nosuch"
check_eq "-Z unknown user named" "xdpscope: watch: unknown user '$nosuch' (-Z)" "$(cat "$TMP/err")"
check_eq "-Z unknown user: nothing attached" "" \
	"$(in_obs ip -j link show obs0 | jq -r '.[0].xdp.prog.id // empty')"
check_rc "-Z as nobody (no CAP_SETGID): exit 2" 2 as_user "$PRIV" watch obs0 -Z "$U"
check_match "names CAP_SETGID" "^xdpscope: watch: missing capability CAP_SETGID " "$(cat "$TMP/err")"

lab_finish
