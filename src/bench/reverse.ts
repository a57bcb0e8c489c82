// `make bench` rows for reverse execution (serve --record), measured on the gdb target (no gdb in
// the loop: these are the engine's own costs):
//  - recording overhead: cpuheavy run to its end recorded vs unrecorded, each run a fresh Node
//    process (dist/bench/record-run.js);
//  - reverse-stepi latency at the end of a ~100 M-instruction run (cpuheavy scale 3);
//  - reverse-continue to a watchpoint ~50 M instructions back (revsink REVSINK_WORK), next to the
//    time those instructions take forward;
//  - the memory the recording holds.
import { spawnSync } from 'node:child_process';
import { existsSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { AixTarget, type RecordSettings } from '../machine/aix-target.js';
import { GdbSignal, type StopEvent } from '../gdb/target.js';
import { median } from './gdb.js';

/** What gdb passes without stopping by default (its QPassSignals): Go's preemption signal among them. */
const GDB_PASSES = new Set<number>([GdbSignal.URG, GdbSignal.PROF, GdbSignal.ALRM, GdbSignal.CHLD, GdbSignal.WINCH, GdbSignal.IO, GdbSignal.VTALRM]);

interface Run {
  target: AixTarget;
  /** CPU seconds of the run (this process: V8's compiler and GC threads included). */
  seconds: number;
  wall: number;
  stop: StopEvent;
}

const ALL = { threads: new Map(), others: { kind: 'continue' as const } };

/** CPU seconds of this process (user + system): the machine is shared, wall time is not ours. */
function cpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

async function runToStop(target: AixTarget): Promise<{ seconds: number; wall: number; stop: StopEvent }> {
  const t0 = cpuSeconds();
  const w0 = performance.now();
  const stop = await target.resume(ALL);
  const seconds = cpuSeconds() - t0;
  const wall = (performance.now() - w0) / 1000;
  if (stop.kind === 'signal' && stop.signal !== GdbSignal.TRAP) throw new Error(`unexpected stop: signal ${stop.signal}`);
  return { seconds, wall, stop };
}

/** The guests' standard output, which these rows do not show (the bench prints only its rows). */
let devNull: number | undefined;

async function start(program: string, args: string[], env: string[], record: RecordSettings | undefined, breakAt?: string): Promise<AixTarget> {
  devNull ??= openSync('/dev/null', 'w');
  const target = new AixTarget({ start: { program, args, env, deterministic: true, stdio: [0, devNull, 2] }, record });
  await target.attach();
  target.passSignals(GDB_PASSES);
  if (breakAt !== undefined) {
    const sym = target.process.image.findSymbol(breakAt);
    if (sym === undefined) throw new Error(`${program}: no symbol ${breakAt}`);
    target.addBreakpoint('sw', sym.address, 4);
  }
  return target;
}

export async function runWhole(program: string, args: string[], record: RecordSettings | undefined): Promise<Run> {
  const target = await start(program, args, [], record);
  const r = await runToStop(target);
  return { target, ...r };
}

const mib = (n: number): string => `${(n / 1048576).toFixed(1)} MiB`;

export async function benchReversePart(): Promise<void> {
  const cpuheavy = 'build/fixtures/go1.24-aix/cpuheavy';
  const revsink = 'build/fixtures/go1.24-aix/revsink';
  console.log('\n== reverse execution (serve --record), deterministic runs; times are CPU seconds (r1: of a fresh process a run, r2-r3: in this process)');
  if (!existsSync(cpuheavy) || !existsSync(revsink)) {
    console.log(`    skipped: needs ${cpuheavy} and ${revsink} (make fixtures)`);
    return;
  }
  // (1) Overhead: the same run unrecorded and recorded, for cpuheavy (36 M instructions) and, as
  // r1b, cpuheavy 3 (107 M), each run a fresh process as a user's serve --record is (median of RUNS
  // a side, alternating). Runs this short in one process (best of three, as this row once did)
  // compared runs caught at different points of V8's warm-up and of GC: 1.4-2.1x there against
  // 1.0-1.2x once warm (notes/cpu-performance.md, "Round twenty").
  const RUNS = 5;
  const fresh = (record: boolean, args: string[]): { cpu: number; wall: number; insns: number; snapshots: number; bytes: number } => {
    const r = spawnSync(process.execPath, [join('dist', 'bench', 'record-run.js'), ...(record ? ['--record'] : []), cpuheavy, ...args], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    if (r.status !== 0) throw new Error(`dist/bench/record-run.js exited with ${r.status}`);
    return JSON.parse(r.stdout.trim().split('\n').pop()!) as { cpu: number; wall: number; insns: number; snapshots: number; bytes: number };
  };
  let held = '';
  for (const [row, args] of [['r1', []], ['r1b', ['3']]] as const) {
    const runs = { plain: [] as number[], rec: [] as number[], plainWall: [] as number[], recWall: [] as number[] };
    let insns = 0;
    for (let k = 0; k < RUNS; k++) {
      const plain = fresh(false, [...args]);
      const rec = fresh(true, [...args]);
      runs.plain.push(plain.cpu);
      runs.plainWall.push(plain.wall);
      runs.rec.push(rec.cpu);
      runs.recWall.push(rec.wall);
      insns = rec.insns;
      if (args.length === 0) held = `${mib(rec.bytes)} in ${rec.snapshots} snapshots (${((rec.bytes / rec.insns) * 1e6 / 1048576).toFixed(2)} MiB per M instructions)`;
    }
    const [p, q] = [median(runs.plain), median(runs.rec)];
    console.log(
      `(${row}) cpuheavy${args.length > 0 ? ` ${args[0]}` : ''} ${(insns / 1e6).toFixed(1)} M instructions, a fresh process a run: ` +
        `unrecorded ${p.toFixed(3)} s, recorded ${q.toFixed(3)} s: overhead ${(q / p).toFixed(2)}x (wall ${(median(runs.recWall) / median(runs.plainWall)).toFixed(2)}x) (target <= 1.5x)`,
    );
  }
  console.log(`(r4) memory the recording holds at the end: ${held}`);

  // (2) reverse-stepi at the end of a ~100 M-instruction run.
  {
    const target = await start(cpuheavy, ['3'], [], {}, 'runtime.exit');
    const fwd = await runToStop(target);
    const rec = target.machine.recorder!;
    if (fwd.stop.kind !== 'signal') throw new Error('cpuheavy 3 did not stop at runtime.exit');
    const tid = fwd.stop.thread;
    const lat: number[] = [];
    for (let k = 0; k < 10; k++) {
      const t0 = cpuSeconds();
      await target.reverseStep(tid);
      lat.push((cpuSeconds() - t0) * 1000);
    }
    console.log(
      `(r2) reverse-stepi at instruction ${(rec.instructions / 1e6).toFixed(1)} M (cpuheavy 3): first ${lat[0]!.toFixed(1)} ms, next 9 mean ${(lat.slice(1).reduce((a, b) => a + b, 0) / 9).toFixed(1)} ms (target <= 50 ms); recording ${mib(rec.memoryUsed)}`,
    );
  }

  // (3) reverse-continue to a watchpoint ~50 M instructions back.
  {
    const work = 'REVSINK_WORK=3300000';
    const target = await start(revsink, [], [work], {}, 'main.report');
    const sink = target.process.image.findSymbol('main.sink')!.address;
    target.addBreakpoint('watch-write', sink, 8);
    const hit = await runToStop(target); // stops at the write of sink (forward)
    target.removeBreakpoint('watch-write', sink, 8);
    const rec = target.machine.recorder!;
    const at = rec.instructions;
    const fwd = await runToStop(target); // from the write to main.report
    const span = rec.instructions - at;
    target.addBreakpoint('watch-write', sink, 8);
    const t0 = cpuSeconds();
    const back = await target.reverseContinue(hit.stop.kind === 'signal' ? hit.stop.thread : 1);
    const rev = cpuSeconds() - t0;
    const ok = back.kind === 'signal' && back.reason?.kind === 'watch';
    console.log(
      `(r3) reverse-continue to the write of main.sink ${(span / 1e6).toFixed(1)} M instructions back: ${rev.toFixed(2)} s; forward over the same span ${fwd.seconds.toFixed(2)} s: ${(rev / fwd.seconds).toFixed(2)}x (target <= 2x)${ok ? '' : ' [did not stop at the watchpoint!]'}`,
    );
  }
}
