# bash completion for xdpscope: commands, each command's options, interface names (from
# /sys/class/net) where an IFACE goes, files where a FILE goes, and the values of --attach
# and --format. Installed as share/bash-completion/completions/xdpscope.

_xdpscope_ifaces() {
	local d
	for d in /sys/class/net/*; do
		[ -e "$d" ] && printf '%s\n' "${d##*/}"
	done
}

# The options of one command (as its --help lists them).
_xdpscope_opts() {
	case "$1" in
	watch) echo "--attach --interval --duration --max-port --all-ports --entries --top --json -Z --relinquish-privileges --help" ;;
	ifaces) echo "--json --help" ;;
	ip) echo "-4 -6 --json --help" ;;
	status) echo "-p --timeout -4 -6 --json --help" ;;
	ping) echo "-4 -6 -c -i -W -w -s -t -I -q -Z --help" ;;
	sweep) echo "--every --count --rate --timeout --retries --max-targets -I --attach --no-bpf --send --format --json --report -Z --relinquish-privileges --help" ;;
	sniff) echo "-i -c -w -r -s -n -p -D -Z --json --help" ;;
	echo-server) echo "--bind --port -p --max-clients --buffer --help" ;;
	echo-client) echo "--port -p --chunk --timeout --help" ;;
	version) echo "--help" ;;
	esac
}

_xdpscope() {
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
	local cmds="watch ifaces ip status ping sweep sniff echo-server echo-client version"
	local cmd=${COMP_WORDS[1]:-} i positional=0
	COMPREPLY=()
	if [ "$COMP_CWORD" -eq 1 ]; then
		mapfile -t COMPREPLY < <(compgen -W "$cmds --help --version" -- "$cur")
		return 0
	fi
	# The value of an option.
	case "$cmd:$prev" in
	ping:-I | sweep:-I | sniff:-i)
		mapfile -t COMPREPLY < <(compgen -W "$(_xdpscope_ifaces)" -- "$cur")
		return 0 ;;
	watch:--attach | sweep:--attach)
		mapfile -t COMPREPLY < <(compgen -W "xdp xdp-generic tc" -- "$cur")
		return 0 ;;
	sweep:--send)
		mapfile -t COMPREPLY < <(compgen -W "raw xdp" -- "$cur")
		return 0 ;;
	sweep:--format)
		mapfile -t COMPREPLY < <(compgen -W "text json csv" -- "$cur")
		return 0 ;;
	*:-Z | *:--relinquish-privileges)
		mapfile -t COMPREPLY < <(compgen -u -- "$cur")
		return 0 ;;
	sniff:-w | sniff:-r | sweep:--report)
		mapfile -t COMPREPLY < <(compgen -f -- "$cur")
		return 0 ;;
	*:--interval | *:--duration | *:--max-port | *:--entries | *:--top | *:--timeout | \
	status:-p | echo-server:-p | echo-client:-p | \
	*:-c | *:-i | *:-W | *:-w | *:-s | *:-t | *:--every | *:--count | *:--rate | \
	*:--retries | *:--max-targets | *:--bind | *:--port | *:--max-clients | *:--buffer | \
	*:--chunk)
		return 0 ;;   # a number or an address: nothing to offer
	esac
	if [[ "$cur" == -* ]]; then
		mapfile -t COMPREPLY < <(compgen -W "$(_xdpscope_opts "$cmd")" -- "$cur")
		return 0
	fi
	# watch, ifaces, ip and status take IFACE as their first argument.
	for ((i = 2; i < COMP_CWORD; i++)); do
		[[ "${COMP_WORDS[i]}" == -* ]] && continue
		case "$cmd:${COMP_WORDS[i - 1]}" in
		*:--attach | *:--format | *:--interval | *:--duration | *:--max-port | *:--entries | \
		*:--top | *:-p | *:--timeout) continue ;;
		esac
		positional=$((positional + 1))
	done
	case "$cmd" in
	watch | ifaces | ip | status)
		[ "$positional" -eq 0 ] &&
			mapfile -t COMPREPLY < <(compgen -W "$(_xdpscope_ifaces)" -- "$cur")
		;;
	esac
	return 0
}
complete -F _xdpscope xdpscope
