#!/usr/bin/env bash
# sweep --every with --report under SIGINT, SIGTERM and SIGKILL at random moments (0-300 ms after
# exec or after the ready line), in xdp and tc modes: afterwards nothing is attached to obs0,
# none of its BPF objects is left in the kernel (attached, pinned or otherwise held), the
# --report file is absent or one complete JSON report, never half-written, and after
# SIGINT/SIGTERM every stdout line is a complete JSON report and no temporary file is left.
source "$(dirname "$0")/lib.sh"

ROUNDS=${ROUNDS:-20}
SEED=${SEED:-$$}
RANDOM=$SEED
echo "seed $SEED (rerun with SEED=$SEED)"

# Each round sweeps a number of targets no other process uses: the sweep's map has one entry per
# target, so its sweep_hits map of that size identifies the round's BPF objects among those of
# concurrent tests. A program, link or pin that outlived the process holds its map: "no map of
# that size" means "nothing of it left".
base=$((3001 + ($$ % 1000) * ROUNDS))

# Prints "max_entries id" for each live sweep_hits map of this test's rounds.
our_maps() {
	bpftool map show -j | jq -r ".[] | select(.name == \"sweep_hits\" and
		.max_entries >= $base and .max_entries < $((base + ROUNDS))) |
		\"\\(.max_entries) \\(.id)\""
}

# The host answers for 2001:db8:1::/116 (4096 addresses); the observer routes the /108 to it. A
# round's targets are 2001:db8:1::1 up to its count (3001 or more): some alive, some silent.
in_host ip -6 route add local 2001:db8:1::/116 dev lo
in_obs ip -6 route add 2001:db8:1::/108 via 2001:db8::2

# report_ok FILE: "complete" if FILE is one JSON object with every key of a sweep report.
report_ok() {
	jq -e -s 'length == 1 and (.[0] | type == "object" and has("time") and has("round") and
		has("targets") and has("alive") and has("inactive") and has("went_down") and
		has("came_up") and has("rtt_ms"))' "$1" >/dev/null 2>&1 && echo complete
}

sigs=(INT TERM KILL)
seen_before_ready=0
seen_after_ready=0
reports_seen=0
for ((r = 0; r < ROUNDS; r++)); do
	mode=$([ $((r % 2)) = 0 ] && echo xdp || echo tc)
	from=$([ $((r % 4)) -lt 2 ] && echo exec || echo ready)
	sig=${sigs[RANDOM % 3]}
	ms=$((RANDOM % 301))
	[ $((r % 4)) = 0 ] && ms=$((ms % 31))
	delay=$(printf '%d.%03d' $((ms / 1000)) $((ms % 1000)))
	n=$((base + r))
	dir=$TMP/r$r
	mkdir "$dir"
	out=$dir/stdout err=$dir/stderr rep=$dir/report.json
	name="round $r ($mode, $n targets, SIG$sig ${ms} ms after $from)"
	# As in a terminal, SIGINT must not start out ignored (bash ignores it for background jobs).
	bg in_obs env --default-signal=INT "$XS" sweep --attach "$mode" --json --report "$rep" \
		--every 0.05 --timeout 0.05 --retries 0 --rate 1000000 \
		"2001:db8:1::1-2001:db8:1::$(printf %x "$n")" >"$out" 2>"$err"
	s=$BG_PID
	wait_exec "$s" "$XS" || fail "$name: sweep did not start"
	if [ "$from" = ready ] && ! wait_for "$err" 10 'counting replies in BPF'; then
		fail "$name: sweep did not attach: $(cat "$err")"
	fi
	sleep "$delay"
	ready=$(grep -c 'counting replies in BPF' "$err")
	kill -s "$sig" "$s"
	reap "$s" 5 || fail "$name: still running 5 s after the signal"
	rc=$REAP_RC
	[ "$ready" = 0 ] && seen_before_ready=$((seen_before_ready + 1))
	[ "$ready" != 0 ] && seen_after_ready=$((seen_after_ready + 1))

	check_eq "$name: no XDP program on obs0" "" \
		"$(in_obs ip -j link show obs0 | jq -r '.[0].xdp.prog.id // empty')"
	check_eq "$name: no tc program on obs0 (bpftool net)" "" \
		"$(in_obs bpftool -j net show dev obs0 | jq -r '.[0] | (.tc // [])[], (.xdp // [])[] | .name')"
	if [ -d /sys/fs/bpf ] && mountpoint -q /sys/fs/bpf; then
		check_eq "$name: nothing pinned" "" "$(find /sys/fs/bpf -name '*sweep*' 2>/dev/null)"
	fi
	if [ -e "$rep" ]; then
		reports_seen=$((reports_seen + 1))
		check_eq "$name: --report is one complete report" complete "$(report_ok "$rep")"
	else
		pass "$name: --report absent"
	fi
	if [ "$sig" = KILL ]; then
		# A SIGKILL can land while a report is being written: its temporary file (never the
		# report itself) may then stay behind, complete or not.
		continue
	fi
	check_eq "$name: no temporary report file left" "" \
		"$(find "$dir" -name 'report.json.*' -printf '%f ')"
	# Before the handlers exist the signal kills with its default action, nothing written; a
	# signal during set-up, before the first round, ends with exit 2 and no report; after that,
	# the round under way is finished and reported, and the exit is 0 or 1.
	case $rc in
	0 | 1)
		check_eq "$name: a round was reported" complete "$(report_ok "$rep")"
		;;
	2)
		check_eq "$name: stopped in set-up: no report, nothing on stdout" "absent 0" \
			"$([ -e "$rep" ] && echo present || echo absent) $(wc -c <"$out")"
		;;
	*)
		check_eq "$name: killed before the handlers: exit, output" \
			"$((128 + $(kill -l "$sig"))) 0" "$rc $(wc -c <"$out")"
		;;
	esac
	lines=$(wc -l <"$out")
	check_eq "$name: every stdout line is a complete JSON report" "$lines" \
		"$(jq -c 'select(type == "object" and has("round"))' <"$out" 2>/dev/null | wc -l)"
	check_eq "$name: stdout ends with a newline" "" \
		"$([ -s "$out" ] && [ "$(tail -c 1 "$out" | od -An -c | tr -d ' ')" != '\n' ] && echo no)"
	if [ -s "$rep" ] && [ "$lines" -gt 0 ]; then
		check_eq "$name: --report is the last round printed" \
			"$(tail -n 1 "$out" | jq -c .)" "$(jq -c . "$rep")"
	fi
	check_eq "$name: nothing on stderr but the ready line" "" \
		"$(grep -v 'counting replies in BPF' "$err")"
done
# The kernel frees a dead process's objects after an RCU grace period: wait up to 3 s for all.
for ((i = 0; i < 60; i++)); do
	left=$(our_maps)
	[ -z "$left" ] && break
	sleep 0.05
done
check_eq "no BPF object of any round left (attached, pinned or held; base $base)" "" "$left"
echo "signals before the ready line: $seen_before_ready, after: $seen_after_ready;" \
	"rounds with a report file: $reports_seen"
check_match "some signals came before the ready line" '^[1-9]' "$seen_before_ready"
check_match "some signals came after the ready line" '^[1-9]' "$seen_after_ready"
check_match "some rounds wrote a report" '^[1-9]' "$reports_seen"

lab_finish
