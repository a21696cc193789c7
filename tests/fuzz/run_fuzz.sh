#!/bin/bash
# run_fuzz.sh - builds the libFuzzer harnesses (clang, ASan+UBSan) and runs each for N seconds.
#
#   run_fuzz.sh [-t SECONDS] [-B BUILD_DIR] [-o OUT_DIR] [-s EXTRA_SEEDS_DIR] [HARNESS...]
#
# BUILD_DIR is configured with CC=clang -DCSSP_FUZZ=ON -DCSSP_SANITIZE=ON unless it already is
# such a build. Each harness runs alone, one process on one core, from its committed seeds
# (tests/fuzz/seeds/HARNESS) plus EXTRA_SEEDS_DIR/HARNESS if given (make_seeds.py writes those from
# the samples and the shared corpus); new inputs go to OUT_DIR/corpus/HARNESS, crashes to
# OUT_DIR/artifacts, logs to OUT_DIR/logs. Prints one line per harness with executions, coverage
# (cov: edges, ft: features), corpus size and the outcome, and writes them to OUT_DIR/summary.txt.
#
# Exit status: 0 every harness ran clean; 1 a harness crashed, leaked, timed out or failed to
# start; 77 clang or its libFuzzer runtime is missing (ctest reports the smoke test as skipped).
set -u
here=$(cd "$(dirname "$0")" && pwd)
source_dir=$(cd "$here/../.." && pwd)
seconds=20
build_dir=""
out_dir=""
extra_seeds=""
while getopts "t:B:o:s:" opt; do
    case $opt in
    t) seconds=$OPTARG ;;
    B) build_dir=$OPTARG ;;
    o) out_dir=$OPTARG ;;
    s) extra_seeds=$OPTARG ;;
    *) sed -n '2,16p' "$0"; exit 2 ;;
    esac
done
shift $((OPTIND - 1))
harnesses=("$@")
[ ${#harnesses[@]} -gt 0 ] || harnesses=(der_tsrequest ntlmssp x224 verdict tls keylog dsb analyzer probe_reply)
build_dir=${build_dir:-$source_dir/build-fuzz}
out_dir=${out_dir:-$build_dir/fuzz-run}

clang_bin=${CC:-clang}
case $clang_bin in *clang*) ;; *) clang_bin=clang ;; esac
if ! command -v "$clang_bin" >/dev/null 2>&1; then
    echo "run_fuzz: SKIP: clang not found (Debian packages clang and libclang-rt-dev)"
    exit 77
fi
probe_dir=$(mktemp -d)
trap 'rm -rf "$probe_dir"' EXIT
cat >"$probe_dir/probe.c" <<'PROBE'
#include <stddef.h>
#include <stdint.h>
int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { (void)d; (void)n; return 0; }
PROBE
if ! "$clang_bin" -fsanitize=fuzzer,address,undefined "$probe_dir/probe.c" -o "$probe_dir/probe" \
    2>"$probe_dir/err"; then
    echo "run_fuzz: SKIP: $clang_bin cannot link a libFuzzer target with ASan+UBSan:"
    head -3 "$probe_dir/err"
    exit 77
fi

if ! grep -qs '^CSSP_FUZZ:BOOL=ON' "$build_dir/CMakeCache.txt"; then
    echo "run_fuzz: configuring $build_dir with $clang_bin"
    CC=$clang_bin cmake -S "$source_dir" -B "$build_dir" -DCSSP_FUZZ=ON -DCSSP_SANITIZE=ON \
        -DCMAKE_BUILD_TYPE=RelWithDebInfo >"$probe_dir/configure.log" 2>&1 ||
        { cat "$probe_dir/configure.log"; exit 1; }
fi
cmake --build "$build_dir" --target fuzz_harnesses -j"${CSSP_FUZZ_BUILD_JOBS:-2}" >"$probe_dir/build.log" 2>&1 ||
    { tail -40 "$probe_dir/build.log"; exit 1; }

mkdir -p "$out_dir/logs" "$out_dir/artifacts"
# Leaks count as failures; UBSan stops at the first report (the build sets -fno-sanitize-recover).
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:symbolize=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
status=0
printf '%-14s %8s %12s %7s %7s %7s  %s\n' harness seconds executions cov ft corpus outcome | tee "$out_dir/summary.txt"
for h in "${harnesses[@]}"; do
    bin="$build_dir/tests/fuzz/fuzz_$h"
    corpus="$out_dir/corpus/$h"
    log="$out_dir/logs/$h.log"
    mkdir -p "$corpus"
    dirs=("$corpus" "$here/seeds/$h")
    [ -n "$extra_seeds" ] && [ -d "$extra_seeds/$h" ] && dirs+=("$extra_seeds/$h")
    start=$SECONDS
    "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2560 -max_len=65536 \
        -print_final_stats=1 -artifact_prefix="$out_dir/artifacts/$h-" "${dirs[@]}" >"$log" 2>&1
    rc=$?
    elapsed=$((SECONDS - start))
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    last=$(grep -E '^#[0-9]+' "$log" | grep 'cov:' | tail -1)
    cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
    ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
    units=$(find "$corpus" -type f | wc -l)
    if [ $rc -eq 0 ]; then
        outcome=clean
    else
        outcome="FAILED (exit $rc; see $log)"
        status=1
    fi
    printf '%-14s %8s %12s %7s %7s %7s  %s\n' "$h" "$elapsed" "${execs:-?}" "${cov:-?}" "${ft:-?}" "$units" \
        "$outcome" | tee -a "$out_dir/summary.txt"
    if [ $rc -ne 0 ]; then
        grep -E 'ERROR|SUMMARY|invariant broken|runtime error|Test unit written' "$log" | head -10
    fi
done
exit $status
