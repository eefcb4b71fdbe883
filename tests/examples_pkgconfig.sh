#!/bin/sh
# The C examples built the way a user builds them: `cc ... $(pkg-config --cflags --libs krender)`
# (against this build's uninstalled krender.pc), strict C99, then run: render.c lists the
# guestbook's resources, render_memory.c prints the oracle's render of its in-memory tree.
set -eu
build=$(realpath "$1"); root=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
export PKG_CONFIG_PATH="$build/meson-uninstalled"
flags=$(pkg-config --cflags --libs krender)
# a sanitized library needs sanitized programs (its runtime must come first)
case "${2:-none}" in none) ;; *) flags="$flags -fsanitize=$2" ;; esac
for ex in render render_memory; do
  ${CC:-cc} -std=c99 -Wall -Wextra -Werror -pedantic -o "$tmp/$ex" "$root/examples/$ex.c" $flags
done
export LD_LIBRARY_PATH="$build/libkrender"
"$tmp/render" "$root/examples/guestbook/app" >"$tmp/list.txt"
grep -q 'Deployment' "$tmp/list.txt" || { echo "render: no Deployment listed"; cat "$tmp/list.txt"; exit 1; }
"$tmp/render_memory" "$root/examples/render_memory.expected.yaml" >/dev/null
echo "examples built with pkg-config and run"
