# Input: [ip's array, xdpscope's array]. Prints one line per difference on a key both have
# (recursively; arrays of objects are compared element by element).
def diffs($a; $b; $p):
  if ($a | type) == "object" and ($b | type) == "object" then
    ($a | keys[]) as $k | select($b | has($k)) | diffs($a[$k]; $b[$k]; $p + [$k])
  elif ($a | type) == "array" and ($b | type) == "array" and ($a | length) > 0 and ($a[0] | type) == "object" then
    if ($a | length) != ($b | length) then {path: $p, ip_len: ($a | length), ours_len: ($b | length)}
    else range($a | length) as $i | diffs($a[$i]; $b[$i]; $p + [$i]) end
  elif $a == $b then empty
  else {path: $p, ip: $a, ours: $b} end;
diffs(.[0]; .[1]; []) | tojson
