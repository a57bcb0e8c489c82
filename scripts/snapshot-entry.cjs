'use strict';
// The script `node --build-snapshot` runs (scripts/build-snapshot.sh): it compiles the esbuild
// bundle named by AIX_GDBSTUB_SNAPSHOT_BUNDLE with V8's lazy compilation off, runs it (the bundle
// prepares the interpreter loops and registers the run's main function), and turns lazy
// compilation back on before Node writes the heap. Every function of the bundle then has its
// bytecode in the blob: a run no longer parses and compiles the functions it first calls (cpubench
// map spent 5% of its main thread in V8's parser and bytecode generator). The flag is back at its
// default when the blob is written, so the blob's flag hash is a plain node's and runs pass no
// V8 flag. notes/cpu-performance.md, "Round seventeen", has the measurements.
const fs = require('node:fs');
const path = require('node:path');
const v8 = require('node:v8');
const vm = require('node:vm');

const bundle = process.env.AIX_GDBSTUB_SNAPSHOT_BUNDLE;
if (!bundle) throw new Error('AIX_GDBSTUB_SNAPSHOT_BUNDLE names the bundle to snapshot (scripts/build-snapshot.sh sets it)');
// latin1: the bundle is ASCII (build-snapshot.sh sees to it), so V8 keeps it as a one-byte string.
const source = fs.readFileSync(bundle, 'latin1');
v8.setFlagsFromString('--no-lazy');
try {
  // The same wrapper Node's snapshot builder gives its entry script.
  const main = vm.runInThisContext(`(function (require, __filename, __dirname) {${source}\n})`, { filename: bundle });
  main(require, bundle, path.dirname(bundle));
} finally {
  v8.setFlagsFromString('--lazy');
}
