#!/usr/bin/env bash
# install-check.sh - run as root inside a fresh Debian chroot after ./bootstrap.sh (tests/platforms/run.sh):
# checks the two ways users install, as a user would, and prints one line per check.
#  1. A normal user builds and runs the README's `cmake --install build`: the analyzer lands in
#     ~/.local/bin, its man page in ~/.local/share/man, the plugin in Wireshark's personal plugin folder,
#     and that user's tshark lists the plugin (skipped when the plugin is not built here).
#  2. `cpack -G DEB` and `apt-get install ./*.deb`: /usr/bin/credssp-analyze judges a sample, and the
#     same user's tshark lists the plugin from the system folder.
# Exit status: 0 when every check passed, 1 otherwise.
set -uo pipefail
cd "$(dirname "$0")/../.."
failed=0
check() {  # check DESCRIPTION COMMAND...
  local what=$1; shift
  if "$@" >/tmp/install-check.out 2>&1; then echo "ok   $what"; else echo "FAIL $what"; sed 's/^/     /' /tmp/install-check.out | tail -n 15; failed=1; fi
}
user=cssp-user
id "$user" >/dev/null 2>&1 || useradd -m "$user"
home=$(getent passwd "$user" | cut -d: -f6)
as_user() { runuser -u "$user" -- env HOME="$home" PATH=/usr/local/bin:/usr/bin:/bin "$@"; }
sample=samples/cell3-mismatch-server-v3-fin

rm -rf "$home/src" && cp -r . "$home/src" && rm -rf "$home/src/build" && chown -R "$user:" "$home/src"
check "a normal user configures and builds" as_user bash -c "cd ~/src && cmake -S . -B build >/dev/null && cmake --build build -j$(nproc) >/dev/null"
plugin_built=false
[ -n "$(find "$home/src/build/plugins" -name cssp.so 2>/dev/null)" ] && plugin_built=true
check "a normal user's cmake --install build" as_user bash -c "cd ~/src && cmake --install build"
check "the analyzer in ~/.local/bin judges a mismatch (exit 1)" \
  as_user bash -c "cd ~/src && ~/.local/bin/credssp-analyze -k $sample.keys $sample.pcap >/dev/null; test \$? -eq 1"
check "its man page in ~/.local/share/man/man1" test -f "$home/.local/share/man/man1/credssp-analyze.1.gz"
if $plugin_built; then
  check "that user's tshark -G plugins lists the personal cssp.so" \
    as_user bash -c "tshark -G plugins | grep -E '^cssp\.so.*$home/\.local/lib/wireshark/plugins/[0-9.]+/epan/cssp\.so'"
  check "that user's tshark judges the mismatch sample with the plugin" \
    as_user bash -c "cd ~/src && tshark -r $sample.pcap -o tls.keylog_file:$sample.keys -Y 'cssp.verdict == \"version_mismatch\"' | grep -q ."
  rm -rf "$home/.local/lib/wireshark"
fi

check "cpack -G DEB" bash -c "cd '$home/src/build' && cpack -G DEB >/dev/null && ls *.deb"
check "apt-get install ./*.deb" bash -c "cd '$home/src/build' && DEBIAN_FRONTEND=noninteractive apt-get install -y -q ./*.deb"
check "/usr/bin/credssp-analyze judges a mismatch (exit 1)" \
  bash -c "/usr/bin/credssp-analyze -k $sample.keys $sample.pcap >/dev/null; test \$? -eq 1"
if $plugin_built; then
  check "tshark -G plugins lists the packaged cssp.so in the system folder" \
    as_user bash -c "tshark -G plugins | grep -E '^cssp\.so.*/usr/lib/[^/]+/wireshark/plugins/[0-9.]+/epan/cssp\.so'"
fi
exit $failed
