#!/usr/bin/env bash
# bootstrap.sh - set up a fresh Debian 12 machine, build the project and run its main job on a bundled sample.
#
#   ./bootstrap.sh              install what is missing, configure, build, run the analyzer on a sample
#   ./bootstrap.sh --deps-only  only install (or, without root, list) the missing Debian packages
#
# Exit status: 0 on success; 1 when packages are missing and cannot be installed (not root);
# otherwise the status of the failing step.
set -euo pipefail
cd "$(dirname "$0")"

# Everything the build, the tests and the tools need, as Debian 12 package names.
packages=(gcc make cmake pkg-config libglib2.0-dev libssl-dev libpcap-dev wireshark-dev libwireshark-dev tshark python3
          openssl iproute2 clang libclang-rt-14-dev python3-impacket freerdp2-shadow-x11 xvfb winpr-utils)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  if [[ $(id -u) -eq 0 ]]; then
    echo "bootstrap: installing ${missing[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q
    apt-get install -y -q --no-install-recommends -o DPkg::Lock::Timeout=600 "${missing[@]}"
  else
    echo "bootstrap: missing Debian packages; install them as root with:" >&2
    echo "  apt-get install ${missing[*]}" >&2
    exit 1
  fi
fi
[[ ${1:-} == --deps-only ]] && exit 0

cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build build -j"$(nproc)"

# The main job: three interleaved connections to an unpatched (CredSSP v3) server, one of them from a patched
# client that refuses it. The analyzer exits 1 when it finds such a refusal: that is the expected outcome here.
sample=samples/interleaved-three-clients-scripted-server-v3
echo "+ ./build/analyzer/credssp-analyze -k $sample.keys $sample.pcap" >&2
status=0
./build/analyzer/credssp-analyze -k "$sample.keys" "$sample.pcap" || status=$?
if [[ $status -eq 1 ]]; then
  echo "bootstrap: done (exit status 1 above = a CredSSP version mismatch was found, as expected for this sample)" >&2
  exit 0
fi
exit "$status"
