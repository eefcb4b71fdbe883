#!/bin/sh
# Runs ../shared/conformance against the built CLI with the ratchet list: a failing case not on
# the list, or a listed case that passes, fails this test. Exit 77 (skip) without ../shared.
cli=$(realpath "$1"); known=$(realpath "$2")
root=$(cd "$(dirname "$0")/.." && pwd)
run="$root/../shared/conformance/run"
[ -x "$run" ] || { echo "no $run: skipped"; exit 77; }
# shellcheck disable=SC2086
exec "$run" --jobs "$(nproc)" --timeout 60 --known-failures "$known" -- ${KRENDER_TEST_WRAPPER:-} "$cli" build
