#!/usr/bin/env bash
# Runs the Criterion binaries in BUILD/tests under valgrind memcheck. Criterion runs each test
# in a child process and does not pass a child's valgrind exit code on, so children are traced
# into one log per process, and any error or definite leak in any log fails the run.
# Binaries that load BPF programs are skipped unless VALGRIND_ALL=1: valgrind's bpf() model
# needs tests/valgrind.supp and makes them take about ten minutes; ASan covers them in
# make test-asan.
#   tests/valgrind.sh [BUILD] [PATTERN]
set -uo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build}
PATTERN=${2:-}
VALGRIND_ALL=${VALGRIND_ALL:-0}
logs="$BUILD/valgrind"
failed=0
ran=0
rm -rf "$logs"
mkdir -p "$logs"

for t in "$BUILD"/tests/test_*; do
	[ -x "$t" ] || continue
	case "$t" in *"$PATTERN"*) ;; *) continue ;; esac
	name=${t##*/}
	# A test that includes a BPF skeleton or the census differential harness loads programs.
	if [ "$VALGRIND_ALL" != 1 ] && grep -q -E '\.skel\.h"|census_diff\.h"' "tests/$name.c" 2>/dev/null; then
		echo "SKIP: valgrind $name (loads BPF programs; VALGRIND_ALL=1 runs it)"
		continue
	fi
	out=$(valgrind --error-exitcode=1 --trace-children=yes --leak-check=full \
		--errors-for-leak-kinds=definite --show-leak-kinds=definite \
		--suppressions=tests/valgrind.supp --log-file="$logs/$name.%p.log" "$t" --jobs 1 2>&1)
	rc=$?
	ran=$((ran + 1))
	syn=$(echo "$out" | grep -o 'Tested: [0-9]* | Passing: [0-9]* | Failing: [0-9]* | Crashing: [0-9]*' | tail -1)
	errors=$(cat "$logs/$name".*.log | awk '/ERROR SUMMARY:/ {n += $4} END {print n + 0}')
	summaries=$(cat "$logs/$name".*.log | grep -c 'ERROR SUMMARY:')
	if [ "$rc" != 0 ] || [ "$errors" != 0 ] || [ "$summaries" = 0 ] || [ -z "$syn" ] ||
		! echo "$syn" | grep -q 'Failing: 0 | Crashing: 0'; then
		echo "FAIL: valgrind $name (rc=$rc, $errors errors in $summaries processes; ${syn:-no synthesis})"
		for l in "$logs/$name".*.log; do
			grep -q 'ERROR SUMMARY: 0 errors' "$l" || grep -v -E '^==[0-9]+== ?$' "$l" | head -40
		done
		failed=$((failed + 1))
	else
		echo "PASS: valgrind $name ($syn; $summaries processes, 0 errors)"
	fi
done

[ "$ran" = 0 ] && { echo "valgrind: no test binary in $BUILD/tests"; exit 1; }
echo "valgrind: $((ran - failed)) passed, $failed failed"
[ "$failed" = 0 ]
