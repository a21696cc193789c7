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

# Everything the build, the tests and the tools need, as Debian package names (the same in Debian 12 and 13
# and sid). time: GNU time measures the analyzer's own peak memory in tests/robustness; dpkg-dev and file:
# cpack -G DEB (dpkg-shlibdeps). python3-impacket: the scripted RDP peers (samples/peers) that tests/probe runs;
# xvfb and the FreeRDP shadow server (below): a real CredSSP server for tests/probe. gettext: msgfmt and
# xgettext (po/); locales: the ja_JP.UTF-8 locale that tests/i18n runs the tools under (generated below).
packages=(gcc make cmake pkg-config libglib2.0-dev libssl-dev libpcap-dev wireshark-dev libwireshark-dev tshark python3
          openssl iproute2 clang libclang-rt-dev libgcrypt20-dev time dpkg-dev file python3-impacket xvfb gettext
          locales)

# Packages renamed between releases: the first name of each group that the archive has (FreeRDP 2 in Debian
# 12, FreeRDP 3 from Debian 13 on).
alternatives=("freerdp2-shadow-x11 freerdp3-shadow-x11" "winpr-utils winpr3-utils")

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
missing=()
for p in "${packages[@]}"; do
  installed "$p" || missing+=("$p")
done
missing_groups=()
for group in "${alternatives[@]}"; do
  found=false
  for p in $group; do installed "$p" && found=true; done
  $found || missing_groups+=("$group")
done
if ((${#missing[@]} + ${#missing_groups[@]})); then
  if [[ $(id -u) -eq 0 ]]; then
    export DEBIAN_FRONTEND=noninteractive
    # sid and testing (no VERSION_ID) may serve a Release file past its Valid-Until date
    update_options=()
    grep -q '^VERSION_ID=' /etc/os-release 2>/dev/null || update_options=(-o Acquire::Check-Valid-Until=false)
    apt-get update -q "${update_options[@]}"
    for group in "${missing_groups[@]}"; do
      for p in $group; do
        if apt-cache show "$p" >/dev/null 2>&1; then missing+=("$p"); break; fi
      done
    done
    echo "bootstrap: installing ${missing[*]}" >&2
    apt-get install -y -q --no-install-recommends -o DPkg::Lock::Timeout=600 "${missing[@]}"
  else
    echo "bootstrap: missing Debian packages; install them as root with:" >&2
    echo "  apt-get install ${missing[*]}${missing_groups:+ (and one of each: ${missing_groups[*]})}" >&2
    exit 1
  fi
fi
# The Japanese locale of tests/i18n (without it they fall back to LANGUAGE=ja on C.UTF-8).
if ! locale -a 2>/dev/null | grep -qix 'ja_JP.utf8'; then
  if [[ $(id -u) -eq 0 ]]; then
    localedef -i ja_JP -f UTF-8 ja_JP.UTF-8 || echo "bootstrap: could not generate the ja_JP.UTF-8 locale" >&2
  else
    echo "bootstrap: no ja_JP.UTF-8 locale; as root: localedef -i ja_JP -f UTF-8 ja_JP.UTF-8" >&2
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
