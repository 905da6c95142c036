#!/usr/bin/env bash
# The lab network: an observer namespace and a host namespace joined by a veth pair, on the
# benchmarking range 198.18.0.0/15 and 2001:db8::/32, with no default route anywhere, so that
# nothing sent in the lab can reach a real network.
#
#   tools/lab.sh up|down|status
#   tools/lab.sh exec obs|host CMD...
#   tools/lab.sh exercise N|all     the lab guide's exercises (docs/lab/), see tools/lab/exercises.sh
#
# LAB_PREFIX (default "xs") names everything, so that concurrent tests get separate labs:
#   namespaces  ${LAB_PREFIX}-obs, ${LAB_PREFIX}-host
#   links       obs0 (in obs) <-> host0 (in host)
#   addresses   obs0  198.18.0.1/24  2001:db8::1/64
#               host0 198.18.0.2/24 198.18.0.3/24  2001:db8::2/64 2001:db8::3/64
set -euo pipefail

P=${LAB_PREFIX:-xs}
OBS=$P-obs
HOST=$P-host
OBS_IF=obs0
HOST_IF=host0
OBS_V4=198.18.0.1
HOST_V4=(198.18.0.2 198.18.0.3)
OBS_V6=2001:db8::1
HOST_V6=(2001:db8::2 2001:db8::3)

ns_exists() { ip netns list | awk '{print $1}' | grep -qx "$1"; }

lab_up() {
	if ns_exists "$OBS" && ns_exists "$HOST" &&
	   ip -n "$OBS" link show "$OBS_IF" >/dev/null 2>&1; then
		return 0
	fi
	lab_down
	ip netns add "$OBS"
	ip netns add "$HOST"
	# Create the pair inside the observer namespace so no name is ever used in the root one.
	ip -n "$OBS" link add "$OBS_IF" type veth peer name "$HOST_IF" netns "$HOST"
	ip -n "$OBS" link set lo up
	ip -n "$HOST" link set lo up
	ip -n "$OBS" addr add "$OBS_V4/24" dev "$OBS_IF"
	ip -n "$OBS" addr add "$OBS_V6/64" dev "$OBS_IF" nodad
	for a in "${HOST_V4[@]}"; do ip -n "$HOST" addr add "$a/24" dev "$HOST_IF"; done
	for a in "${HOST_V6[@]}"; do ip -n "$HOST" addr add "$a/64" dev "$HOST_IF" nodad; done
	ip -n "$OBS" link set "$OBS_IF" up
	ip -n "$HOST" link set "$HOST_IF" up
	# Refuse to leave a lab that could route anywhere else.
	for ns in "$OBS" "$HOST"; do
		if [ -n "$(ip -n "$ns" route show default)$(ip -n "$ns" -6 route show default)" ]; then
			echo "lab: $ns has a default route; refusing" >&2
			lab_down
			exit 1
		fi
	done
	# Wait for the link to come up on both ends (veth carrier is immediate, but be sure).
	for _ in $(seq 50); do
		if ip -n "$OBS" -j link show "$OBS_IF" | grep -q '"operstate":"UP"' &&
		   ip -n "$HOST" -j link show "$HOST_IF" | grep -q '"operstate":"UP"'; then
			return 0
		fi
		sleep 0.1
	done
	echo "lab: links did not come up" >&2
	return 1
}

lab_down() {
	local ns pids
	for ns in "$OBS" "$HOST"; do
		ns_exists "$ns" || continue
		# Processes left in the namespace would keep it alive; end them first.
		pids=$(ip netns pids "$ns" 2>/dev/null || true)
		[ -n "$pids" ] && kill $pids 2>/dev/null || true
		ip netns del "$ns" 2>/dev/null || true
	done
}

lab_status() {
	local ns
	for ns in "$OBS" "$HOST"; do
		if ns_exists "$ns"; then
			echo "$ns:"
			ip -n "$ns" -br addr show | sed 's/^/  /'
		else
			echo "$ns: absent"
		fi
	done
}

case "${1:-}" in
up) lab_up ;;
down) lab_down ;;
status) lab_status ;;
exec)
	shift
	case "${1:-}" in
	obs) ns=$OBS ;;
	host) ns=$HOST ;;
	*) echo "usage: lab.sh exec obs|host CMD..." >&2; exit 2 ;;
	esac
	shift
	exec ip netns exec "$ns" "$@"
	;;
exercise)
	source "$(dirname "${BASH_SOURCE[0]}")/lab/exercises.sh"
	ex_main "${2:-}"
	;;
*)
	echo "usage: lab.sh up|down|status|exec obs|host CMD...|exercise N|all" >&2
	exit 2
	;;
esac
