// `make bench` helper, run as its own Node process: one program run three times in this process
// (each a new guest process, its stdout to /dev/null), timing each run's guest part. The first
// pays V8's cold start (our JavaScript not yet optimised, every Wasm region compiled from its
// bytes and tiered up); the later ones find V8 warm and, for regions with the same bytes, its
// cache of compiled modules. What they save bounds what V8's cold start costs a row (the "warm
// V8" column). Prints one JSON line: {"runs": [ms, ms, ms]}.
// Usage: node dist/bench/warm.js [run's options] <aix program> [args...]
import { openSync } from 'node:fs';
import { startProgram } from '../aix/run-program.js';
import { splitRunArgv, startOptionsFromArgv } from '../commands/run.js';

// What `run` would start (its own parser: the environment, the memory limit, its options).
const split = splitRunArgv(process.argv.slice(2));
const program = split.program;
if (program === undefined) {
  console.error("usage: node dist/bench/warm.js [run's options] <aix program> [args...]");
  process.exit(2);
}
const start = startOptionsFromArgv(split, { program });
if ('error' in start) {
  console.error(`warm.js: ${start.error}`);
  process.exit(2);
}
const out = openSync('/dev/null', 'w');
const runs: number[] = [];
for (let k = 0; k < 3; k++) {
  const t0 = performance.now();
  const started = startProgram({ ...start, stdio: [0, out, 2] });
  const end = await started.scheduler.runUntilStop();
  runs.push(performance.now() - t0);
  // As the bench's timed runs, which require exit status 0: a run that failed measures nothing.
  if (end.kind !== 'ended' || end.end.kind !== 'exited' || end.end.code !== 0) {
    throw new Error(`${program}: run ${k + 1} did not exit with status 0 (${JSON.stringify(end.kind === 'ended' ? end.end : end.kind)})`);
  }
}
console.log(JSON.stringify({ runs }));
