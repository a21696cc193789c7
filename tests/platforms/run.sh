#!/usr/bin/env bash
# run.sh [SUITE...] - builds and tests the committed tree in fresh Debian chroots (../shared/tools/fresh-check.sh,
# run as root): bootstrap, the whole suite as CI runs it, then tests/platforms/install-check.sh (a normal
# user's install and the .deb packages). SUITE: bookworm (Debian 12, Wireshark 4.0), trixie (Debian 13,
# 4.4), sid (4.6); all three by default. Prints each suite's result and its time; the full logs are in
# /tmp/platforms-SUITE.log. Exit status: 0 when every suite passed.
# (chmod 755 /: the chroot's root folder comes out of fresh-check.sh's tar as 0700, and the plugin tests run
# tshark as 'nobody', who must be able to reach /usr.)
set -u
cd "$(dirname "$0")/../.."
fresh_check=${FRESH_CHECK:-../shared/tools/fresh-check.sh}
[ -x "$fresh_check" ] || { echo "run.sh: $fresh_check not found" >&2; exit 2; }
[ "$(id -u)" -eq 0 ] || { echo "run.sh: fresh-check.sh needs root (chroot, mounts)" >&2; exit 2; }
suites=("$@")
[ ${#suites[@]} -gt 0 ] || suites=(bookworm trixie sid)
status=0
for suite in "${suites[@]}"; do
  start=$(date +%s)
  SUITE=$suite "$fresh_check" "chmod 755 /" ./bootstrap.sh "CI=true bash .ci/run" tests/platforms/install-check.sh \
    >"/tmp/platforms-$suite.summary" 2>&1
  rc=$?
  cp /tmp/fresh-check.last.log "/tmp/platforms-$suite.log"
  tests=$(grep -E '^[0-9]+% tests passed' "/tmp/platforms-$suite.log" | tail -n 1)
  echo "$suite: $([ $rc -eq 0 ] && echo passed || echo FAILED) in $(( $(date +%s) - start )) s; ctest: ${tests:-none}"
  grep -E '^== \[exit|^(ok|FAIL) ' "/tmp/platforms-$suite.summary" | sed 's/^/  /'
  [ $rc -eq 0 ] || status=1
done
exit $status
