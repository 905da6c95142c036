#!/usr/bin/env bash
# Installs the Debian packages xdpscope builds, tests and benchmarks with; installs only what is missing.
set -euo pipefail
pkgs=(
  make gcc clang llvm pkg-config libbpf-dev bpftool libelf-dev zlib1g-dev libpcap-dev libcriterion-dev
  iproute2 iputils-ping tcpdump fping nmap socat nftables jq libcap2-bin ethtool procps psmisc
  valgrind groff-base bash-completion libclang-rt-14-dev strace
)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "deps: all ${#pkgs[@]} packages present"
  exit 0
fi
echo "deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
