#!/usr/bin/env bash
# make demo: the census in the built-in lab. Brings the lab up, attaches `xdpscope watch` to
# the observer's interface, sends TCP from known source ports and a few pings from the host
# namespace, prints the census table, and takes the lab down again.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build}
XS=$PWD/$BUILD/xdpscope
export LAB_PREFIX=${LAB_PREFIX:-xsdemo$$}
OBS=$LAB_PREFIX-obs
HOST=$LAB_PREFIX-host
WATCH_PID=

cleanup() {
	[ -n "$WATCH_PID" ] && kill "$WATCH_PID" 2>/dev/null && wait "$WATCH_PID" 2>/dev/null
	tools/lab.sh down
}
trap cleanup EXIT

tools/lab.sh up
echo "== lab: $OBS (obs0 198.18.0.1, 2001:db8::1) <-> $HOST (host0 198.18.0.2-3, 2001:db8::2-3)"
echo "== xdpscope watch obs0 --attach xdp --duration 4 (in $OBS)"
ip netns exec "$OBS" "$XS" watch obs0 --attach xdp --interval 4 --duration 4 \
	>"/tmp/$LAB_PREFIX.out" 2>"/tmp/$LAB_PREFIX.err" &
WATCH_PID=$!
for _ in $(seq 100); do grep -q attached "/tmp/$LAB_PREFIX.err" && break; sleep 0.05; done
cat "/tmp/$LAB_PREFIX.err"
# Each connection to a closed port is one SYN from the chosen source port (the reply is RST).
syn() { ip netns exec "$HOST" socat -T1 /dev/null "TCP:$1:9,bind=$2:$3,reuseaddr" 2>/dev/null || true; }
for port in 21 21 21 22 22 23 80 443 443 443 5000 40000; do syn 198.18.0.1 198.18.0.2 "$port"; done
for port in 22 25; do syn 198.18.0.1 198.18.0.3 "$port"; done
for port in 53 53; do syn '[2001:db8::1]' '[2001:db8::2]' "$port"; done
ip netns exec "$OBS" ping -c 3 -i 0.2 -q 198.18.0.2 >/dev/null
wait "$WATCH_PID"
WATCH_PID=
cat "/tmp/$LAB_PREFIX.out"
rm -f "/tmp/$LAB_PREFIX.out" "/tmp/$LAB_PREFIX.err"
echo "== sent: 198.18.0.2 ports 21x3 22x2 23 80 443x3 and 5000, 40000 (above --max-port 1000);"
echo "   198.18.0.3 ports 22 25; 2001:db8::2 port 53x2; 3 echo replies from 198.18.0.2"
