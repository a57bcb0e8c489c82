#!/usr/bin/env bash
# The README's one-command demo (`make demo`): run the Go 1.24 and Go 1.19 hello fixtures, built
# for AIX (XCOFF64, ppc64), under the emulator, then show a few of the libc calls it serviced.
set -euo pipefail
cd "$(dirname "$0")/.."
cli=(node dist/cli.js)
for tc in go1.24-aix go1.19-aix; do
  bin=build/fixtures/$tc/hello
  echo "\$ aix-gdbstub run $bin"
  "${cli[@]}" run "$bin"
  echo "(exit status $?)"
  echo
done
echo "\$ aix-gdbstub run --strace build/fixtures/go1.24-aix/hello   (libc calls, first and last lines)"
trace=$("${cli[@]}" run --strace build/fixtures/go1.24-aix/hello 2>&1 >/dev/null)
echo "$trace" | head -8
echo "  ... $(echo "$trace" | wc -l) calls in all ..."
echo "$trace" | grep -E 'write\(1|_exit' | tail -2
