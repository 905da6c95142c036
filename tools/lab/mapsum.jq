# Summarizes `bpftool -j map dump` of a map with BTF for the lab guide: one line per entry,
# per-CPU values merged (counters summed, first_* the earliest non-zero, last_* the latest),
# and census/sweep addresses ({addr: [4 x u32 in network order], family}, or a census port key's
# addr: one u32 for IPv4, four for IPv6) shown as text.
def bytes(a): [a % 256, (a / 256 | floor) % 256, (a / 65536 | floor) % 256, (a / 16777216 | floor)];
def hexb(b): "0123456789abcdef" as $d | $d[(b / 16 | floor):(b / 16 | floor) + 1] + $d[(b % 16):(b % 16) + 1];
def addr:
	if .family == 4 then bytes(.addr[0]) | map(tostring) | join(".")
	else [.addr[] | bytes(.)[]] as $b | [range(0; 8) | hexb($b[2 * .]) + hexb($b[2 * . + 1])] | join(":")
	end;
def merge(a; b):
	reduce (b | keys_unsorted[]) as $f (a;
		if ($f | startswith("first")) then
			.[$f] = ([.[$f], b[$f]] | map(select(. != null and . != 0)) | min)
		elif ($f | startswith("last")) then .[$f] = ([.[$f], b[$f]] | max)
		else .[$f] += b[$f] end);
# Census port keys carry no family: an IPv4 key's addr is one u32, an IPv6 key's four.
def pretty: walk(if type == "object" and has("addr") and has("family") then addr
	elif type == "object" and has("addr") and has("port") then
		.addr = ({addr: (.addr | if type == "array" then . else [.] end),
			  family: (if (.addr | type) == "array" then 6 else 4 end)} | addr)
	else . end);
.[] | if .formatted then .formatted |
	{key: (.key | pretty),
	 value: (if .values then reduce (.values[].value) as $v ({}; merge(.; $v)) else .value end)}
else {key, value: (.value // .values)} end
