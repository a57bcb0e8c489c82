#!/usr/bin/env bash
# The V8 start-up snapshot for `run` (src/commands/snapshot-main.ts; scripts/aix-gdbstub uses it):
# esbuild bundles dist/commands/snapshot-main.js and what it imports into one CommonJS file (Node 20
# snapshots a single script), Node imports it and writes its heap to build/snapshot/cli.blob, and
# the blob is stamped with the node binary that made it. Run after tsc (make build does).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/scripts/lib-snapshot.sh"
out=$(snapshot_dir "$root")
mkdir -p "$out"
rm -f "$out/cli.blob" "$out/node-identity"
# run imports `serve` (for -g) and the timeline recorder (for --timeline) only when asked, and the
# launcher sends such runs to dist/cli.js: left out, they and what only they import (the gdb stub,
# reverse execution, DWARF, the runtime views) take the bundle from 1.05 to 0.63 MB and the blob
# from 7.97 to 6.88 MB, which every run reads and deserializes (hello 64.6 -> 60.4 ms median, 30
# rounds). snapshot-main answers such a run in a child if it gets one.
"$root/node_modules/.bin/esbuild" "$root/dist/commands/snapshot-main.js" --bundle --platform=node --format=cjs \
  --external:./serve.js --external:../machine/timeline.js \
  --outfile="$out/cli.cjs" --log-level=warning --log-override:empty-import-meta=silent
# V8 keeps the bundle's source in the heap (it compiles functions lazily from it), and one
# non-ASCII character makes that a two-byte string: 2 MB of the blob instead of 1, which every run
# reads, copies and deserializes (hello 0.167 -> 0.154 s median, 40 rounds). esbuild escapes
# non-ASCII characters in code, so any left are in comments: they become '?'.
LC_ALL=C sed -i 's/[\x80-\xff]/?/g' "$out/cli.cjs"
# Node warns that tty, child_process and dgram are "not yet fully verified" in snapshots: the
# modules are only imported here, and test/integration/snapshot.test.ts runs programs that use
# them (exec, UDP, a terminal-less stdout) through the snapshot against dist/cli.js. vm too: the
# entry uses it once, at build time.
# scripts/snapshot-entry.cjs compiles the bundle with lazy compilation off, so the blob holds the
# bytecode of every function (6.5 -> 7.9 MB) and runs do not parse them.
if ! AIX_GDBSTUB_SNAPSHOT_BUNDLE="$out/cli.cjs" node --snapshot-blob "$out/cli.blob.tmp" --build-snapshot "$root/scripts/snapshot-entry.cjs" 2>"$out/build.log"; then
  cat "$out/build.log" >&2
  exit 1
fi
mv "$out/cli.blob.tmp" "$out/cli.blob"
write_node_identity "$out/node-identity"
echo "start-up snapshot: $out/cli.blob ($(stat -c %s "$out/cli.blob") bytes)"
