#!/usr/bin/env bash
# The README's one-command demo (`make demo`): the main job on the bundled hello fixture (Go source in
# test/fixtures/hello, built for AIX as XCOFF64 ppc64): run it under the emulator with both Go versions,
# show a few of the libc calls it makes, then debug it with stock gdb-multiarch through `serve`.
set -euo pipefail
cd "$(dirname "$0")/.."
cli=(scripts/aix-gdbstub)  # run from the start-up snapshot (make build); other commands via dist/cli.js
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
echo

# A gdb session: the stub picks a free port and prints it; gdb gets symbols over the wire.
bin=build/fixtures/go1.24-aix/hello
log=$(mktemp)
trap 'kill "$serve_pid" 2>/dev/null || true; rm -f "$log"' EXIT
"${cli[@]}" serve --port 0 --once "$bin" 2>"$log" &
serve_pid=$!
port=
for _ in $(seq 1 100); do
  port=$(sed -n 's/^gdb: listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$log")
  [ -n "$port" ] && break
  sleep 0.1
done
[ -n "$port" ] || { cat "$log" >&2; echo "demo: serve did not start" >&2; exit 1; }
cmds=('target remote :'"$port" 'break main.main' 'continue' 'bt' 'monitor threads'
      'catch syscall write' 'continue' 'monitor libcall 1' 'continue')
echo "\$ aix-gdbstub serve --port $port $bin &"
echo "\$ gdb-multiarch -batch$(printf " -ex '%s'" "${cmds[@]}")"
args=()
for c in "${cmds[@]}"; do args+=(-ex "$c"); done
gdb-multiarch -nx -batch "${args[@]}" 2>&1 | grep -v -e '^Reading ' -e '^warning: File transfers' -e 'No such file or directory'
wait "$serve_pid" || true
