#!/usr/bin/env bash
# The manual page and the bash completion against the binary: groff finds no warning, every
# command and every option that a command's --help lists is in the man page and offered by the
# completion, the completion offers interface names from /sys/class/net, and `make install`
# puts both under DESTDIR. Sends no packet, so it needs no lab.
set -u
cd "$(dirname "$0")/../.." || exit 1
XS=${XS:-$PWD/build/xdpscope}
MAN=docs/xdpscope.8
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
failures=0
pass() { echo "PASS: $*"; }
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
check_eq() { if [ "$2" == "$3" ]; then pass "$1"; else fail "$1: expected [$2], got [$3]"; fi; }

warn=$(groff -man -ww -z "$MAN" 2>&1)
check_eq "groff -man -ww -z: no warnings" "" "$warn"

# Commands from the binary's own list; options from each command's --help.
cmds=$("$XS" --help | awk '/^Commands:/ {c = 1; next} c && /^  [a-z]/ {print $1} c && /^$/ {c = 0}')
[ -n "$cmds" ] || fail "no commands in xdpscope --help"
complete_words() { # CWORD WORD... -> the completion's candidates, one line
	bash -c 'source tools/xdpscope.bash; COMP_CWORD=$1; shift; COMP_WORDS=("$@");
		_xdpscope; printf "%s\n" "${COMPREPLY[@]}" | sort | paste -sd" "' _ "$@"
}
for c in $cmds; do
	grep -qF ".SS \"$(sed "s/-/\\\\-/g" <<<"$c")" "$MAN" || fail "man page has no section for '$c'"
	[ "$c" = version ] && continue
	opts=$("$XS" "$c" --help | grep -oE '^ +(-[a-zA-Z0-9], )?--?[a-zA-Z0-9][a-z0-9-]*' |
		grep -oE -- '--?[a-zA-Z0-9][a-z0-9-]*' | sort -u)
	missing_man='' missing_comp=''
	offered=" $(complete_words 2 xdpscope "$c" -) "
	for o in $opts; do
		grep -qF -- "$(sed 's/-/\\-/g' <<<"$o")" "$MAN" || missing_man+=" $o"
		[[ "$offered" == *" $o "* ]] || [ "$o" = -h ] || missing_comp+=" $o"
	done
	check_eq "$c: every --help option is in the man page" "" "$missing_man"
	check_eq "$c: every --help option is completed" "" "$missing_comp"
done
offered=" $(complete_words 1 xdpscope '') "
missing=
for c in $cmds; do [[ "$offered" == *" $c "* ]] || missing+=" $c"; done
check_eq "every command of xdpscope --help is completed" "" "$missing"
check_eq "completion of 'xdpscope st'" "status" "$(complete_words 1 xdpscope st)"
check_eq "completion of 'xdpscope --v'" "--version" "$(complete_words 1 xdpscope --v)"
ifs=$(ls /sys/class/net | sort | paste -sd' ')
check_eq "watch IFACE: the names in /sys/class/net" "$ifs" "$(complete_words 2 xdpscope watch '')"
check_eq "status IFACE, after an option" "$ifs" "$(complete_words 4 xdpscope status --timeout 2 '')"
check_eq "no IFACE after the first argument" "" "$(complete_words 3 xdpscope ip lo '')"
check_eq "ping -I IFACE" "$ifs" "$(complete_words 3 xdpscope ping -I '')"
check_eq "sniff -i l: interfaces starting with l" "$(ls /sys/class/net | grep '^l' | sort | paste -sd' ')" \
	"$(complete_words 3 xdpscope sniff -i l)"
check_eq "watch --attach" "tc xdp xdp-generic" "$(complete_words 3 xdpscope watch --attach '')"
check_eq "sweep --format" "csv json text" "$(complete_words 3 xdpscope sweep --format '')"
check_eq "sniff -Z USER: user names" "$(getent passwd | cut -d: -f1 | grep '^r' | sort -u | paste -sd' ')" \
	"$(complete_words 3 xdpscope sniff -Z r)"
check_eq "ping -c takes a number: nothing offered" "" "$(complete_words 3 xdpscope ping -c '')"

# ifaces --json counters: the key that `ip -j -s` uses (read from ip itself, on lo, which
# every namespace has), in the output and in both documents, which name no other.
ipkey=$(unshare -n ip -j -s link show lo | jq -r '.[0] | keys[] | select(startswith("stats"))')
check_eq "ip -j -s names its counters stats64" stats64 "$ipkey"
check_eq "ifaces --json uses ip's counters key" "$ipkey" \
	"$(unshare -n "$XS" ifaces --json | jq -r '.[0] | keys[] | select(startswith("stats"))')"
for doc in "$MAN" README.md docs/interfaces.md; do
	check_eq "$doc names the counters $ipkey, no other stats key" "$ipkey" \
		"$(grep -oE '\bstats[0-9]*(: |\b)' "$doc" | grep -oE 'stats[0-9]*' | sort -u | paste -sd' ')"
done

# make install-docs for real under a DESTDIR; make install must include it.
make -s install-docs DESTDIR="$TMP/root" PREFIX=/usr >"$TMP/make.out" 2>&1 ||
	fail "make install-docs: $(head -c 300 "$TMP/make.out")"
check_eq "man page installed" "$(cat "$MAN")" "$(cat "$TMP/root/usr/share/man/man8/xdpscope.8" 2>&1)"
check_eq "completion installed" "$(cat tools/xdpscope.bash)" \
	"$(cat "$TMP/root/usr/share/bash-completion/completions/xdpscope" 2>&1)"
check_eq "make install runs install-docs" 1 \
	"$(make -n install DESTDIR=/nonexistent PREFIX=/usr 2>/dev/null |
		grep -c 'docs/xdpscope.8 /nonexistent/usr/share/man/man8/xdpscope.8')"
exit $((failures > 0))
