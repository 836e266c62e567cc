#!/usr/bin/env bash
# vectors.sh check|copy [SHARED] -- keep testdata/shared the same bytes as the
# project's shared captures (default: the shared/ folder beside the checkout).
# The tests read only testdata/shared, so a fresh clone tests itself; this is
# for the developer who brings in a new capture. Never run by the tests.
set -euo pipefail
cd "$(dirname "$0")/.."
cmd=${1:-check}; src=${2:-$(dirname "$PWD")/shared}
subs="vectors spec/salt-payloads spec/salt-3006-observed"
[ -d "$src/vectors" ] || { echo "vectors.sh: no captures at $src/vectors" >&2; exit 2; }
case $cmd in
check)
  bad=0
  for s in $subs; do
    diff -r "$src/$s" "testdata/shared/$s" || bad=1
  done
  [ $bad = 0 ] && echo "testdata/shared is the same as $src" || { echo "testdata/shared differs from $src: run scripts/vectors.sh copy" >&2; exit 1; }
  ;;
copy)
  for s in $subs; do
    rm -rf "testdata/shared/$s"; mkdir -p "testdata/shared/$(dirname "$s")"
    cp -r "$src/$s" "testdata/shared/$s"
  done
  chmod -R u+w testdata/shared
  echo "copied $subs from $src"
  ;;
*) echo "usage: scripts/vectors.sh check|copy [SHARED]" >&2; exit 2 ;;
esac
