// Entry of the V8 start-up snapshot that scripts/build-snapshot.sh builds: the script bundles this
// file with every module `run` imports, and Node serialises the heap once they are imported. A run
// started from the snapshot (scripts/aix-gdbstub) skips Node's module loader: 0.06-0.09 s of
// hello's 0.25-0.3 s on the machine measured (notes/cpu-performance.md, "A start-up snapshot").
// Nothing here may be read from the process at import time (environment, clock, argv): that would
// be the build's, not the run's. It serves the plain `run PROGRAM ARGS` only; the launcher sends
// every other command line to dist/cli.js.
import { startupSnapshot } from 'node:v8';
import { exitWithError } from './host-output.js';
import { isPlainRun, runCommand } from './run.js';

if (!startupSnapshot.isBuildingSnapshot()) {
  throw new Error('snapshot-main is the start-up snapshot entry: build it with scripts/build-snapshot.sh');
}

startupSnapshot.setDeserializeMainFunction(() => {
  // Started as `node --snapshot-blob B run PROGRAM ...`: no script in argv[1], which run's
  // command-line reading (argv.slice(2)) expects, so put the launcher's name there.
  process.argv.splice(1, 0, 'aix-gdbstub');
  if (!isPlainRun(process.argv.slice(2))) {
    process.stderr.write('aix-gdbstub: the start-up snapshot runs only `run PROGRAM ARGS`; use node dist/cli.js\n');
    process.exit(2);
  }
  runCommand.handler({} as never)?.catch(exitWithError);
});
