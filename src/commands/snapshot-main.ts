// Entry of the V8 start-up snapshot that scripts/build-snapshot.sh builds: the script bundles this
// file with every module `run` imports, and Node serialises the heap once they are imported. A run
// started from the snapshot (scripts/aix-gdbstub) skips Node's module loader: 0.06-0.09 s of
// hello's 0.25-0.3 s on the machine measured (notes/cpu-performance.md, "A start-up snapshot").
// Nothing here may be read from the process at import time (environment, clock, argv): that would
// be the build's, not the run's. It serves `run [OPTIONS] PROGRAM ARGS`; the launcher sends every
// other command to dist/cli.js.
import { spawnSync } from 'node:child_process';
import { startupSnapshot } from 'node:v8';
import { exitWithError } from './host-output.js';
import { isPlainRun, runCommand } from './run.js';
import { allRows } from '../cpu/decode.js';
import { prepareJitLoop } from '../cpu/cpu.js';
import { prepareStraightInterpreter } from '../cpu/wasm/interp.js';
import { arenaDecided } from '../cpu/wasm/arena.js';
import { prepareRunDecoder } from '../cpu/wasm/decode-run.js';
import { ID_ILLEGAL, rowIds } from '../cpu/run.js';

if (!startupSnapshot.isBuildingSnapshot()) {
  throw new Error('snapshot-main is the start-up snapshot entry: build it with scripts/build-snapshot.sh');
}

// Work that depends on nothing of the run, done once here: the Wasm interpreter's code, the
// generated run loop and the Wasm decoder's tables.
prepareStraightInterpreter(allRows, rowIds(allRows));
prepareJitLoop();
prepareRunDecoder(rowIds(allRows), ID_ILLEGAL);
// The arena is the run's (its size, whether it is shared): made here, every run would get the
// build's answer, which without SharedArrayBuffer turned the whole Wasm tier off.
if (arenaDecided()) throw new Error('the guest arena was decided while building the start-up snapshot');

startupSnapshot.setDeserializeMainFunction(() => {
  // The launcher starts `node --snapshot-blob B DIST/cli.js run …`: argv is what `node
  // dist/cli.js run …` has (Node runs this function instead of the script named).
  const argv = process.argv.slice(2);
  if (isPlainRun(argv) && !argv.some((a) => a === '--timeline' || a.startsWith('--timeline='))) {
    runCommand.handler({} as never)?.catch(exitWithError);
    return;
  }
  // What only yargs parses (an option we do not know, a value starting with '-'): usage errors in
  // practice, so dist/cli.js itself answers, in a child. The launcher keeps -g (a long-lived gdb
  // wait), --timeline, -h, --help and --version away from the snapshot: the bundle leaves out serve
  // and the timeline recorder (scripts/build-snapshot.sh), so such a run is answered here the same
  // way when the blob is started without the launcher.
  const child = spawnSync(process.execPath, process.argv.slice(1), { stdio: 'inherit' });
  if (child.error) exitWithError(child.error);
  if (child.signal) process.kill(process.pid, child.signal);
  process.exit(child.status ?? 1);
});
