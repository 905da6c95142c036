#!/usr/bin/env bash
# watch under SIGINT, SIGTERM and SIGKILL at random moments (0-300 ms after start, before and
# after the ready line), in xdp and tc modes: afterwards nothing is attached to obs0, none of its
# BPF objects is left in the kernel (attached, pinned or otherwise held), and after SIGINT/SIGTERM
# every JSON line it wrote is complete.
source "$(dirname "$0")/lib.sh"

ROUNDS=${ROUNDS:-20}
SEED=${SEED:-$$}
RANDOM=$SEED
echo "seed $SEED (rerun with SEED=$SEED)"

# Each round gives its watch a map size no other process uses, so the round's own BPF objects can
# be told apart from those of concurrent tests: a program, link or pin that outlived the process
# holds its maps, so "no map of that size" means "nothing of it left".
entries_base=$((20001 + ($$ % 1500) * 26))

# Prints "max_entries id" for each live census_ports4 map (IPv4 sources) of this test's rounds.
our_maps() {
	bpftool map show -j | jq -r ".[] | select(.name == \"census_ports4\" and
		.max_entries >= $entries_base and .max_entries < $((entries_base + ROUNDS))) |
		\"\\(.max_entries) \\(.id)\""
}

sigs=(INT TERM KILL)
seen_before_ready=0
seen_after_ready=0
for ((r = 0; r < ROUNDS; r++)); do
	# Rounds cycle through xdp/tc and through counting the delay from its exec (every
	# fourth round within 30 ms, so some surely land during setup) or from the ready line.
	mode=$([ $((r % 2)) = 0 ] && echo xdp || echo tc)
	from=$([ $((r % 4)) -lt 2 ] && echo exec || echo ready)
	sig=${sigs[RANDOM % 3]}
	ms=$((RANDOM % 301))
	[ $((r % 4)) = 0 ] && ms=$((ms % 31))
	delay=$(printf '%d.%03d' $((ms / 1000)) $((ms % 1000)))
	entries=$((entries_base + r))
	out=$TMP/r$r.json err=$TMP/r$r.err
	name="round $r ($mode, SIG$sig ${ms} ms after $from)"
	# bash starts background commands with SIGINT ignored; env restores the default, as in a
	# terminal, so that a SIGINT before watch's handler exists kills it instead of vanishing.
	bg in_obs env --default-signal=INT "$XS" watch obs0 --attach "$mode" --json --interval 0.02 \
		--entries "$entries" >"$out" 2>"$err"
	w=$BG_PID
	wait_exec "$w" "$XS" || fail "$name: watch did not start"
	if [ "$from" = ready ] && ! wait_for "$err" 10 'attached census'; then
		fail "$name: watch did not attach: $(cat "$err")"
	fi
	sleep "$delay"
	ready=$(grep -c 'attached census' "$err")
	kill -s "$sig" "$w"
	reap "$w" 5 || fail "$name: still running 5 s after the signal"
	rc=$REAP_RC
	[ "$ready" = 0 ] && seen_before_ready=$((seen_before_ready + 1))
	[ "$ready" != 0 ] && seen_after_ready=$((seen_after_ready + 1))

	xdp=$(in_obs ip -j link show obs0 | jq -r '.[0].xdp.prog.id // empty')
	check_eq "$name: no XDP program on obs0" "" "$xdp"
	check_eq "$name: no tc filter on obs0" "" "$(in_obs tc filter show dev obs0 ingress)"
	if [ -d /sys/fs/bpf ] && mountpoint -q /sys/fs/bpf; then
		check_eq "$name: nothing pinned" "" "$(find /sys/fs/bpf -name '*census*' 2>/dev/null)"
	fi
	[ "$sig" = KILL ] && continue
	# A signal before the handlers exist (during exec) kills with the default action and
	# nothing written; once they exist, watch prints a final line and exits 0.
	if [ "$rc" = 0 ]; then
		check_eq "$name: last line is the final report" true "$(tail -n 1 "$out" | jq -r .final)"
	else
		check_eq "$name: killed before output, nothing written" "0 $((128 + $(kill -l "$sig")))" \
			"$(wc -c <"$out") $rc"
	fi
	lines=$(wc -l <"$out")
	check_eq "$name: every line is a complete JSON object" "$lines" \
		"$(jq -c 'select(type == "object")' <"$out" 2>/dev/null | wc -l)"
	check_eq "$name: output ends with a newline" "" \
		"$([ -s "$out" ] && [ "$(tail -c 1 "$out" | od -An -c | tr -d ' ')" != '\n' ] && echo no)"
	check_eq "$name: nothing on stderr but the ready line" "" \
		"$(grep -v 'attached census' "$err")"
done
# The kernel frees a dead process's objects after an RCU grace period: wait up to 3 s for all.
for ((i = 0; i < 60; i++)); do
	left=$(our_maps)
	[ -z "$left" ] && break
	sleep 0.05
done
# Listed as "max_entries map_id"; the round is max_entries - $entries_base.
check_eq "no BPF object of any round left (attached, pinned or held; base $entries_base)" "" \
	"$left"
echo "signals before the ready line: $seen_before_ready, after: $seen_after_ready"
check_match "some signals came before the ready line" '^[1-9]' "$seen_before_ready"
check_match "some signals came after the ready line" '^[1-9]' "$seen_after_ready"

lab_finish
