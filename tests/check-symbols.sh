#!/bin/sh
# The shared library exports exactly the public API listed in tests/exported-symbols.txt:
# everything else stays hidden (KRENDER_API marks the exports).
lib=$1; want=$2
got=$(nm -D --defined-only "$lib" | awk '{print $3}' | sort)
if [ "$got" != "$(cat "$want")" ]; then
  echo "exported symbols differ from $want:"; echo "$got" | diff "$want" - ; exit 1
fi
echo "$(echo "$got" | wc -l) symbols, as listed"
