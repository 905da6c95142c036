#!/usr/bin/env python3
# Usage (root): unshare -n python3 tests/fuzz/capture_netlink_seeds.py tests/fuzz/netlink
# Interface kinds this kernel lacks are skipped.
# Captures real rtnetlink dump datagrams (seq 1) in a private network namespace as fuzz seeds.
import socket, struct, subprocess, sys, os
out = sys.argv[1]
def sh(c): subprocess.run(c, shell=True, check=True)
sh("ip link set lo up")
sh("ip link add v0 type veth peer name v1")
sh("ip link add br0 type bridge && ip link set v1 master br0")
sh("ip link add link v0 name v0.100 type vlan id 100 || ip link add v0.100 type veth peer name v2")
sh("ip link add mv0 link v0 type macvlan mode bridge || true")
sh("ip tuntap add tun0 mode tun || true")
sh("ip link add gre1 type gre remote 198.18.0.9 local 198.18.0.1 || true")
sh("ip link add sit1 type sit remote 198.18.0.9 local 198.18.0.1 || true")
sh("for l in v0 v1 br0 v0.100 mv0; do ip link set $l up 2>/dev/null; done; true")
sh("ip addr add 198.18.0.1/24 brd + dev v0 label v0:lbl && ip addr add 2001:db8::1/64 dev v0")
sh("ip addr add 198.18.5.1/24 dev br0 && ip -6 addr add 2001:db8:5::1/64 dev br0 preferred_lft 100 valid_lft 200")
sh("ip addr add 198.18.6.1 peer 198.18.6.2 dev v0.100")
RTM_GETLINK, RTM_GETADDR = 18, 22
n = 0
for kind, typ in ((0, RTM_GETLINK), (1, RTM_GETADDR)):
    s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 0)
    s.bind((0, 0))
    body = struct.pack("BBHI", 0, 0, 0, 0) if typ == RTM_GETADDR else struct.pack("BxHiII", 0, 0, 0, 0, 0)
    hdr = struct.pack("IHHII", 16 + len(body), typ, 0x301, 1, 0)
    s.send(hdr + body)
    while True:
        d = s.recv(65536)
        with open(os.path.join(out, "dump-%d-%02d" % (kind, n)), "wb") as f:
            f.write(bytes([kind]) + d)
        n += 1
        if struct.unpack("IHHII", d[:16])[1] == 3: break  # NLMSG_DONE last
        # stop when the last message in the datagram is DONE
        off = 0; done = False
        while off + 16 <= len(d):
            l, t = struct.unpack("IH", d[off:off+6])
            if t == 3: done = True
            off += (l + 3) & ~3
        if done: break
print(n, "datagrams")
