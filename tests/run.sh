#!/usr/bin/env bash
# Runs every test: the Criterion binaries in BUILD/tests, then the lab scripts in tests/lab.
# Prints each result and a closing "N passed, N failed" line; exits 1 if anything failed.
#   tests/run.sh [BUILD] [PATTERN]    PATTERN selects test files by substring
set -uo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build}
PATTERN=${2:-}
export XS="$PWD/$BUILD/xdpscope" BUILD
passed=0
failed=0

if [ "$(id -u)" != 0 ]; then
	echo "tests: must run as root (BPF, XDP and network namespaces); not skipping" >&2
	echo "tests: 0 passed, 1 failed"
	exit 1
fi

for t in "$BUILD"/tests/test_*; do
	[ -x "$t" ] || continue
	case "$t" in *"$PATTERN"*) ;; *) continue ;; esac
	echo "== $t"
	out=$("$t" --jobs 1 2>&1)
	rc=$?
	echo "$out"
	syn=$(echo "$out" | grep -o 'Tested: [0-9]* | Passing: [0-9]* | Failing: [0-9]* | Crashing: [0-9]*' | tail -1)
	if [ -z "$syn" ]; then
		echo "FAIL: $t produced no Criterion synthesis (rc=$rc)"
		failed=$((failed + 1))
		continue
	fi
	p=$(echo "$syn" | awk '{print $5}')
	f=$(echo "$syn" | awk '{print $8 + $11}')
	passed=$((passed + p))
	failed=$((failed + f))
	[ "$rc" != 0 ] && [ "$f" = 0 ] && { echo "FAIL: $t exited $rc"; failed=$((failed + 1)); }
done

for t in tests/lab/test_*.sh; do
	[ -f "$t" ] || continue
	case "$t" in *"$PATTERN"*) ;; *) continue ;; esac
	echo "== $t"
	out=$(bash "$t" 2>&1)
	rc=$?
	echo "$out"
	p=$(echo "$out" | grep -c '^PASS: ')
	f=$(echo "$out" | grep -c '^FAIL: ')
	passed=$((passed + p))
	failed=$((failed + f))
	if [ "$rc" != 0 ] && [ "$f" = 0 ]; then
		echo "FAIL: $t exited $rc"
		failed=$((failed + 1))
	fi
	if [ "$p" = 0 ] && [ "$f" = 0 ] && [ "$rc" = 0 ]; then
		echo "FAIL: $t ran no check"
		failed=$((failed + 1))
	fi
done

echo "tests: $passed passed, $failed failed"
[ "$failed" = 0 ]
