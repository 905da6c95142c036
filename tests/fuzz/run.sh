#!/usr/bin/env bash
# Runs every libFuzzer target in BUILD/fuzz for SECONDS each, one after the other (CI has two
# cores). Corpus dirs: BUILD/corpus/NAME (new inputs land here), tests/fuzz/NAME (committed
# seeds) and BUILD/seeds/NAME (written by BUILD/fuzz/seed_NAME when it exists); options from
# tests/fuzz/NAME.dict and tests/fuzz/NAME.options (one libFuzzer flag per line).
# Prints one line per target with the executions run; exits 1 if any target found a failure.
#   tests/fuzz/run.sh [BUILD] [SECONDS] [PATTERN]
set -uo pipefail
cd "$(dirname "$0")/../.."
BUILD=${1:-build-fuzz}
SECONDS_EACH=${2:-30}
PATTERN=${3:-}
failed=0
ran=0

for bin in "$BUILD"/fuzz/fuzz_*; do
	[ -x "$bin" ] || continue
	name=${bin##*/fuzz_}
	case "$name" in *"$PATTERN"*) ;; *) continue ;; esac
	corpus="$BUILD/corpus/$name"
	dirs=("$corpus")
	mkdir -p "$corpus" "$BUILD/logs"
	[ -d "tests/fuzz/$name" ] && dirs+=("tests/fuzz/$name")
	if [ -x "$BUILD/fuzz/seed_$name" ]; then
		mkdir -p "$BUILD/seeds/$name"
		"$BUILD/fuzz/seed_$name" "$BUILD/seeds/$name" >/dev/null || { echo "FAIL: seed_$name"; failed=$((failed + 1)); }
		dirs+=("$BUILD/seeds/$name")
	fi
	opts=(-max_total_time="$SECONDS_EACH" -print_final_stats=1 -artifact_prefix="$BUILD/logs/$name-")
	[ -f "tests/fuzz/$name.dict" ] && opts+=(-dict="tests/fuzz/$name.dict")
	[ -f "tests/fuzz/$name.options" ] && mapfile -t -O ${#opts[@]} opts < <(grep -v '^#' "tests/fuzz/$name.options")
	log="$BUILD/logs/$name.log"
	"$bin" "${opts[@]}" "${dirs[@]}" >"$log" 2>&1
	rc=$?
	ran=$((ran + 1))
	execs=$(grep -o 'stat::number_of_executed_units: [0-9]*' "$log" | awk '{print $2}' | tail -1)
	cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | awk '{print $2}')
	if [ "$rc" != 0 ]; then
		echo "FAIL: fuzz $name (rc=$rc, ${execs:-?} executions); log $log:"
		grep -a -E -A25 '^(==[0-9]+==ERROR|fuzz_|SUMMARY|.*runtime error)' "$log" | head -60
		failed=$((failed + 1))
	else
		echo "PASS: fuzz $name: ${execs:-?} executions in ${SECONDS_EACH}s, coverage ${cov:-?}, corpus $(ls "$corpus" | wc -l)"
	fi
done

[ "$ran" = 0 ] && { echo "fuzz: no target in $BUILD/fuzz"; exit 1; }
echo "fuzz: $((ran - failed)) passed, $failed failed"
[ "$failed" = 0 ]
