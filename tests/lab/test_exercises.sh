#!/usr/bin/env bash
# The lab guide never rots: runs every exercise of docs/lab/ (tools/lab.sh exercise N), which
# checks its own result against iproute2, fping, iputils ping, tcpdump or the traffic it sent,
# and checks here that each passes and prints the line its page promises.
source "$(dirname "$0")/lib.sh"

# The line (regex) each exercise's page shows as its expected output.
promise=(""
	'obs0 +UP +mtu 1500 '
	'^Interface \[host0\] --> IP: 198\.18\.0\.2$'
	'^23/tcp filtered telnet$'
	'^Total 4 hosts are inactive$'
	'^3 packets transmitted, 3 received, 0% packet loss, time [0-9]+ms$'
	'^198\.18\.0\.2 +6$'
	'^198\.18\.0\.2 +11 +814 +[0-9.]+ +21:3 22:2 23:1 80:1 443:3 >1000:1$'
	'^10 packets captured$'
	"^Received: b'Test message: SDN co'\$")

for n in 1 2 3 4 5 6 7 8 9; do
	"$LAB" exercise "$n" >"$TMP/ex$n.out" 2>&1
	rc=$?
	result=$(grep -E "^exercise $n: (PASS|FAIL)" "$TMP/ex$n.out")
	if [ "$rc" = 0 ] && [[ "$result" == "exercise $n: PASS"* ]]; then
		pass "$result"
	else
		fail "exercise $n (exit $rc): $(grep -E '^NOT OK|^exercise' "$TMP/ex$n.out" | head -n 5 | paste -sd'|')"
	fi
	if grep -Eq -- "${promise[$n]}" "$TMP/ex$n.out"; then
		pass "exercise $n shows its page's expected line"
	else
		fail "exercise $n: no line matches /${promise[$n]}/"
	fi
done
lab_finish
