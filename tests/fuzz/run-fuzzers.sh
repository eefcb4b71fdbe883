#!/bin/sh
# Builds the libFuzzer harnesses (if needed) and runs each for DURATION seconds, starting from
# its seed corpus and saved reproducers (read only; new inputs go to $OUT). Exits non-zero if
# any harness finds a crash, leak, timeout or out-of-memory; the failing input is left in
# $OUT/<harness>/.
#
#   tests/fuzz/run-fuzzers.sh DURATION [HARNESS...]
#
# Environment: BUILD (default build-fuzz, configured with CC=clang and -Dfuzz=true when
# missing), OUT (default $BUILD/fuzz-out: grown corpora and artifacts), JOBS (harnesses run at
# once, default 1).
set -eu
[ $# -ge 1 ] || { echo "usage: $0 DURATION [parse|kustomization|render|kedit ...]" >&2; exit 2; }
duration=$1; shift
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
build=${BUILD:-$src/build-fuzz}
out=${OUT:-$build/fuzz-out}
jobs=${JOBS:-1}
harnesses=${*:-parse kustomization render kedit}

if [ ! -f "$build/build.ninja" ]; then
    CC=clang meson setup "$build" "$src" -Dfuzz=true -Dbuildtype=debugoptimized >/dev/null
fi
targets=
for h in $harnesses; do targets="$targets tests/fuzz/fuzz_$h"; done
ninja -C "$build" $targets >/dev/null

# Longest input each harness may generate (the archive format needs room for a few files).
max_len() { case $1 in render) echo 16384 ;; kustomization|kedit) echo 4096 ;; *) echo 8192 ;; esac; }

run_one() {
    h=$1
    dir=$out/$h
    mkdir -p "$dir/corpus"
    # -timeout: one input taking 10 s is a hang at these sizes; -rss_limit_mb: alias bombs.
    if "$build/tests/fuzz/fuzz_$h" -max_total_time="$duration" -max_len="$(max_len "$h")" \
        -timeout=10 -rss_limit_mb=2048 -detect_leaks=1 -print_final_stats=1 \
        -artifact_prefix="$dir/" "$dir/corpus" "$here/corpus/$h" "$here/regressions/$h" \
        >"$dir/log" 2>&1; then
        echo "fuzz_$h: ok ($(grep -E '^stat::number_of_executed_units' "$dir/log" | awk '{print $2}') runs)"
    else
        echo "fuzz_$h: FAILED, see $dir/log and $dir/crash-* / leak-* / timeout-* / oom-*" >&2
        tail -n 40 "$dir/log" >&2
        return 1
    fi
}

status=0
running=0
pids=
for h in $harnesses; do
    run_one "$h" &
    pids="$pids $!"
    running=$((running + 1))
    if [ "$running" -ge "$jobs" ]; then
        for p in $pids; do wait "$p" || status=1; done
        pids= running=0
    fi
done
for p in $pids; do wait "$p" || status=1; done
exit $status
