// `make bench` helper for the recording-overhead rows, run as its own Node process so that each
// timed run starts as a user's `serve --record` does: V8 cold, our code not yet optimised. Runs
// one program to its end (deterministic, as the reverse rows' runs), recorded or not, and prints
// one JSON line: {"cpu": s, "wall": s, "insns": n, "snapshots": n, "bytes": n}.
// Usage: node dist/bench/record-run.js [--record] <aix program> [args...]
import { runWhole } from './reverse.js';

const argv = process.argv.slice(2);
const record = argv[0] === '--record';
const [program, ...args] = record ? argv.slice(1) : argv;
if (program === undefined) {
  console.error('usage: node dist/bench/record-run.js [--record] <aix program> [args...]');
  process.exit(2);
}
const r = await runWhole(program, args, record ? {} : undefined);
const rec = r.target.machine.recorder;
console.log(JSON.stringify({ cpu: r.seconds, wall: r.wall, insns: rec?.endInstructions ?? 0, snapshots: rec?.snapshotCount ?? 0, bytes: rec?.memoryUsed ?? 0 }));
