#!/usr/bin/env bash
# echo-server under abuse: 10,000 idle clients and 1,000 that send without ever reading until
# their sockets block, all connected at once. Fresh clients must still get exact echoes of random
# data, every abusive connection must still be open, and the server's peak RSS must stay under
# ECHO_RSS_BOUND_KB.
source "$(dirname "$0")/lib.sh"

IDLE=10000
PUSHERS=1000
# The bound (docs/limits.md), from what the server must hold, not from what it allocates today:
#   a non-reading client: at most --buffer bytes pending (65,536, the default), the design's
#   promise;                                                  1,000 x 65,536 B = 65,536,000 B
#   any client: a record with its descriptor, epoll interest, offsets, byte count, list links
#   and the peer's text for the logs ("[v6 address]:port" <= 54 B): under 128 B, 256 B with
#   the allocator's overhead and slack;                      11,000 x 256 B    =  2,816,000 B
#   fixed: the program, libc, libbpf, libpcap, libelf, stack, one 64 KiB read buffer and
#   stdio: 8 MiB;                                                              =  8,388,608 B
#   total 76,740,608 B = 74,942 kB.
BUFFER=65536
ECHO_RSS_BOUND_KB=$(((PUSHERS * BUFFER + (IDLE + PUSHERS) * 256 + 8 * 1048576) / 1024))
# Under AddressSanitizer the bound grows by the sanitizer's own, stated costs (lib.sh).
ECHO_RSS_BOUND_KB=$(rss_bound_kb "$ECHO_RSS_BOUND_KB")
rss_bound_asan_env
ABUSE=$(dirname "$XS")/tools/echo_abuse
PORT=7100

# 11,000 connections plus the server's own descriptors: the server raises its soft limit to the
# hard one; both must allow it (not raisable here without CAP_SYS_RESOURCE).
need=$((IDLE + PUSHERS + 64))
hard=$(ulimit -Hn)
if [ "$hard" != unlimited ] && [ "$hard" -lt "$need" ]; then
	fail "RLIMIT_NOFILE hard limit $hard < $need: cannot run"
	lab_finish
fi
ulimit -Sn "$hard"

bg in_obs "$XS" echo-server --port "$PORT" --buffer "$BUFFER" 2>"$TMP/srv.log"
SRV=$BG_PID
wait_for "$TMP/srv.log" 5 "listening on :: port $PORT" ||
	fail "server did not start: $(cat "$TMP/srv.log")"

# Idle clients from 198.18.0.2, pushers from 198.18.0.3 (so that ss can tell them apart); the
# fresh clients come over IPv6.
bg in_host "$ABUSE" --connect 198.18.0.1 --port "$PORT" --idle "$IDLE" --idle-source 198.18.0.2 \
	--pushers "$PUSHERS" --pusher-source 198.18.0.3 --hold 120 --timeout 40 >"$TMP/abuse.out" \
	2>"$TMP/abuse.err"
ABUSER=$BG_PID
wait_for "$TMP/abuse.out" 45 '^pushers ' || fail "abusers did not settle: $(cat "$TMP/abuse.out" "$TMP/abuse.err")"
check_eq "every idle client got its byte echoed" "idle $IDLE served" "$(sed -n 1p "$TMP/abuse.out")"
check_match "every pusher blocked" "^pushers $PUSHERS blocked" "$(sed -n 2p "$TMP/abuse.out")"
sed -n 2p "$TMP/abuse.out"

# The server sees all 11,000, and has stopped reading from every pusher (their bytes wait
# unread in its receive queues: its --buffer for them is full).
est() { in_obs ss -Htn state established "( sport = :$PORT and dst $1 )"; }
check_eq "server side: established from 198.18.0.2" "$IDLE" "$(est 198.18.0.2 | wc -l)"
check_eq "server side: established from 198.18.0.3" "$PUSHERS" "$(est 198.18.0.3 | wc -l)"
check_eq "server side: no pusher's receive queue empty" 0 \
	"$(est 198.18.0.3 | awk '$1 == 0' | wc -l)"

# Fresh clients: 1 MiB of random data each, echoed byte for byte (socat half-closes and waits).
pids=()
for i in 1 2 3 4; do
	head -c 1048576 /dev/urandom >"$TMP/in$i"
	in_host socat -t 10 - "TCP6:[2001:db8::1]:$PORT" <"$TMP/in$i" >"$TMP/out$i" 2>/dev/null &
	pids+=($!)
done
for p in "${pids[@]}"; do wait "$p"; done
same=0
for i in 1 2 3 4; do cmp -s "$TMP/in$i" "$TMP/out$i" && same=$((same + 1)); done
check_eq "4 fresh clients x 1 MiB echoed byte for byte meanwhile" 4 "$same"

rss=$(awk '/^VmHWM:/ {print $2}' "/proc/$SRV/status")
echo "server peak RSS with $IDLE idle + $PUSHERS non-reading clients: $rss kB" \
	"(bound $ECHO_RSS_BOUND_KB kB)"
check_eq "server peak RSS $rss kB < $ECHO_RSS_BOUND_KB kB" 1 $((rss < ECHO_RSS_BOUND_KB))
check_eq "server still running" running "$(kill -0 "$SRV" 2>/dev/null && echo running)"
check_eq "no accept error logged" "" "$(grep 'accept:' "$TMP/srv.log")"
check_eq "server side, after: still established from 198.18.0.2 and .3" "$IDLE $PUSHERS" \
	"$(est 198.18.0.2 | wc -l) $(est 198.18.0.3 | wc -l)"
check_eq "server logged no disconnect of an abusive client" 0 \
	"$(grep -c '^Disconnected: 198\.18\.0\.[23]:' "$TMP/srv.log")"
kill -TERM "$ABUSER" 2>/dev/null
lab_finish
