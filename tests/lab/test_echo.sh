#!/usr/bin/env bash
# echo-server and echo-client in the lab: server in obs, clients in host. Byte-exact echoes for
# many concurrent clients (checked with socat + cmp), bounded memory against a client that never
# reads, the client's chunked output, logs, and bad input.
source "$(dirname "$0")/lib.sh"

MSG="Test message: SDN course examples"
NCLIENTS=200

# start_server PORT [OPTIONS...]: server in obs, its PID in $SRV, its stderr in $TMP/srv-PORT.log
start_server() {
	local port=$1
	shift
	# ip netns exec execs the command, so $BG_PID is the server itself (RSS, signals).
	bg ip netns exec "$OBS" "$XS" echo-server --port "$port" "$@" 2>"$TMP/srv-$port.log"
	SRV=$BG_PID
	wait_for "$TMP/srv-$port.log" 5 "listening on :: port $port" ||
		fail "server on port $port did not start: $(cat "$TMP/srv-$port.log")"
}
# Peak resident memory (VmHWM), so that memory taken and given back still counts.
peak_rss_kb() { awk '/^VmHWM:/ {print $2}' "/proc/$1/status"; }

start_server 7000

# --- logs: source address and port chosen by socat, so the expected text is known up front.
echo -n "v4" | in_host socat -t 5 - TCP:198.18.0.1:7000,bind=198.18.0.3:40001 >"$TMP/v4.out"
echo -n "over v6" | in_host socat -t 5 - "TCP6:[2001:db8::1]:7000,bind=[2001:db8::3]:40002" >"$TMP/v6.out"
check_eq "IPv4 echo" "v4" "$(cat "$TMP/v4.out")"
check_eq "IPv6 echo" "over v6" "$(cat "$TMP/v6.out")"
wait_for "$TMP/srv-7000.log" 5 'Disconnected: \[2001:db8::3\]:40002' || true
check_eq "log IPv4 connect" 1 "$(grep -cx 'Connection address: 198.18.0.3:40001' "$TMP/srv-7000.log")"
check_eq "log IPv6 connect" 1 "$(grep -cx 'Connection address: \[2001:db8::3\]:40002' "$TMP/srv-7000.log")"
check_eq "log IPv4 disconnect" 1 \
	"$(grep -cx 'Disconnected: 198.18.0.3:40001 (2 bytes echoed)' "$TMP/srv-7000.log")"
check_eq "log IPv6 disconnect" 1 \
	"$(grep -cx 'Disconnected: \[2001:db8::3\]:40002 (7 bytes echoed)' "$TMP/srv-7000.log")"

# --- many concurrent clients, 1 MiB of random data each, half IPv4 and half IPv6. socat closes
# its sending side at the end of input and waits for the server to finish echoing (half-close).
pids=()
for ((i = 0; i < NCLIENTS; i++)); do
	head -c 1048576 /dev/urandom >"$TMP/in$i"
	if ((i % 2)); then dst="TCP:198.18.0.1:7000,bind=198.18.0.$((2 + i % 4 / 2))"
	else dst="TCP6:[2001:db8::1]:7000"; fi
	in_host socat -t 30 - "$dst" <"$TMP/in$i" >"$TMP/out$i" 2>/dev/null &
	pids+=($!)
done
for p in "${pids[@]}"; do wait "$p"; done
same=0
for ((i = 0; i < NCLIENTS; i++)); do
	cmp -s "$TMP/in$i" "$TMP/out$i" && same=$((same + 1))
	rm -f "$TMP/in$i" "$TMP/out$i"
done
check_eq "$NCLIENTS concurrent clients x 1 MiB echoed byte for byte" "$NCLIENTS" "$same"

# --- the client's chunked output. The server reads the 33-byte message in one piece and sends
# it in one piece, so reads of 20 bytes cut it at byte 20; of 7, at 7, 14, 21, 28.
out=$(in_host "$XS" echo-client --port 7000 198.18.0.1 "$MSG")
check_eq "client rc 0" 0 $?
check_eq "client lines, --chunk 20 (default)" "Connecting to 198.18.0.1 port 7000
Sending $MSG
Received: b'Test message: SDN co'
Received: b'urse examples'
Closing connection to the server" "$out"
out=$(in_host "$XS" echo-client --port 7000 --chunk 7 2001:db8::1 "$MSG")
check_eq "client lines, --chunk 7 over IPv6" "Connecting to 2001:db8::1 port 7000
Sending $MSG
Received: b'Test me'
Received: b'ssage: '
Received: b'SDN cou'
Received: b'rse exa'
Received: b'mples'
Closing connection to the server" "$out"
out=$(in_host "$XS" echo-client --port 7000 198.18.0.1 "it's \"x\" \\ é")
check_eq "client escapes like Python" "Received: b'it\\'s \"x\" \\\\ \\xc3\\xa9'" \
	"$(echo "$out" | grep Received)"

# The same against socat + cat, a second echo implementation that also echoes in one piece.
bg in_obs socat TCP-LISTEN:7001,reuseaddr,fork EXEC:cat
for _ in $(seq 50); do in_obs ss -Hltn 'sport = 7001' | grep -q . && break; sleep 0.1; done
out=$(in_host "$XS" echo-client --port 7001 198.18.0.1 "$MSG")
check_eq "client against socat, exact lines" "Received: b'Test message: SDN co'
Received: b'urse examples'" "$(echo "$out" | grep Received)"

# A server that echoes 5 bytes at a time: the reads depend on timing, but each is at most 20
# bytes and together they are the message.
start_server 7002 --buffer 5
out=$(in_host "$XS" echo-client --port 7002 198.18.0.1 "$MSG")
check_eq "client rc 0 against --buffer 5" 0 $?
chunks=$(echo "$out" | sed -n "s/^Received: b'\(.*\)'\$/\1/p")
check_eq "chunks join to the message" "$MSG" "$(echo "$chunks" | tr -d '\n')"
check_eq "no chunk over 20 bytes" "" "$(echo "$chunks" | awk 'length($0) > 20')"

# --- a client that sends 50 MB and never reads. The server must stop reading from it (its data
# piles up in the client's send queue) and its memory must not grow by more than 4 MiB.
start_server 7003
rss0=$(peak_rss_kb "$SRV")
head -c 50000000 /dev/zero | ip netns exec "$HOST" socat -u - TCP:198.18.0.1:7003,bind=198.18.0.3:40003 &
pusher=$!
CLEANUP_PIDS+=("$pusher")
# Its Send-Q stops moving once the server stops reading from it.
prev=-1 sendq=0
for _ in $(seq 40); do
	sleep 0.5
	sendq=$(in_host ss -Htn 'sport = 40003' | awk '{print $3}')
	[ "${sendq:-0}" -gt 100000 ] && [ "$sendq" == "$prev" ] && break
	prev=$sendq
done
check_match "non-reading client is held back (its Send-Q stuck at $sendq bytes)" '^[0-9]{6,}$' \
	"$([ "$sendq" == "$prev" ] && echo "$sendq")"
check_eq "non-reading client still pushing" "running" "$(kill -0 "$pusher" 2>/dev/null && echo running)"
rss1=$(peak_rss_kb "$SRV")
check_eq "server peak RSS grew < 4096 kB while a client pushed 50 MB (was $rss0, now $rss1)" 1 \
	$((rss1 - rss0 < 4096))
out=$(in_host "$XS" echo-client --port 7003 198.18.0.1 "$MSG")
check_eq "other clients still echoed meanwhile" 0 $?
kill "$pusher" 2>/dev/null
wait_for "$TMP/srv-7003.log" 5 'Disconnected: 198.18.0.3:40003' && pass "non-reading client's disconnect logged" ||
	fail "non-reading client's disconnect not logged"

# --- --max-clients: beyond N, accepted and closed at once.
start_server 7004 --max-clients 1
ip netns exec "$HOST" socat -u TCP:198.18.0.1:7004,bind=198.18.0.2:40004 /dev/null &
CLEANUP_PIDS+=($!)
wait_for "$TMP/srv-7004.log" 5 'Connection address: 198.18.0.2:40004' || true
check_rc "client beyond --max-clients gets exit 1" 1 in_host "$XS" echo-client --port 7004 198.18.0.1 x
check_match "refusal logged" 'Refused: 198\.18\.0\.2:[0-9]+ \(--max-clients 1 reached\)' \
	"$(cat "$TMP/srv-7004.log")"

# --- negative results: nothing listening; a server that closes without echoing.
check_rc "connection refused: exit 1" 1 in_host "$XS" echo-client --port 7999 198.18.0.1 x
bg in_obs socat TCP-LISTEN:7005,reuseaddr EXEC:true
for _ in $(seq 50); do in_obs ss -Hltn 'sport = 7005' | grep -q . && break; sleep 0.1; done
check_rc "server closes early: exit 1" 1 in_host "$XS" echo-client --port 7005 198.18.0.1 "$MSG"
check_match "early close explained" 'closed the connection after 0 of 33 bytes' "$(cat "$TMP/err")"

# --- bad input: exit 2, one line on stderr naming the value, nothing on stdout.
bad() { # bad NAME REGEX CMD...
	local name=$1 re=$2
	shift 2
	check_rc "$name: exit 2" 2 "$@"
	check_eq "$name: one line on stderr" 1 "$(wc -l <"$TMP/err")"
	check_match "$name: names the value" "$re" "$(cat "$TMP/err")"
	check_eq "$name: nothing on stdout" "" "$(cat "$TMP/out")"
}
bad "client port 0" "'0'" in_host "$XS" echo-client --port 0 198.18.0.1 x
bad "client port 70000" "'70000'" in_host "$XS" echo-client --port 70000 198.18.0.1 x
bad "server port 0" "'0'" in_obs "$XS" echo-server --port 0
bad "server port 70000" "'70000'" in_obs "$XS" echo-server --port 70000
bad "server bad --bind" "'1\.2\.3'" in_obs "$XS" echo-server --bind 1.2.3
bad "address in use" "port 7000: Address already in use" in_obs "$XS" echo-server --port 7000
bad "client missing MESSAGE" "HOST MESSAGE" in_host "$XS" echo-client 198.18.0.1
# Name lookups go to a resolver inside the lab (nothing answers there), never to a real one.
printf 'nameserver 198.18.0.1\noptions timeout:1 attempts:1\n' >"$TMP/resolv.conf"
bad "unknown host" "unknown host 'no-such-host\.invalid'" in_host unshare -m sh -c \
	"mount --bind '$TMP/resolv.conf' /etc/resolv.conf && exec '$XS' echo-client --port 7000 no-such-host.invalid x"

# --- SIGTERM closes cleanly.
kill -TERM "$SRV"
wait "$SRV"
check_eq "SIGTERM: exit 0" 0 $?
check_eq "SIGTERM: closing logged" "xdpscope: echo-server: closing 1 connections" \
	"$(tail -1 "$TMP/srv-7004.log")"

check_rc "echo-server --help" 0 "$XS" echo-server --help
check_match "echo-server --help is usage" '^Usage: xdpscope echo-server' "$(cat "$TMP/out")"
check_rc "echo-client --help" 0 "$XS" echo-client --help
check_match "echo-client --help is usage" '^Usage: xdpscope echo-client' "$(cat "$TMP/out")"
lab_finish
