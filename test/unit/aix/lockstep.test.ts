// --deterministic with several processes: one loop steps every process's scheduler a slice at a
// time in the order they joined, so the interleaving is the same in every run, and a host
// program's doing (ProcessTable.fromHost) waits until every emulated thread waits.
import { describe, expect, it } from 'vitest';
import type { CpuPort, CpuStop } from '../../../src/aix/cpu-port.js';
import type { CpuState } from '../../../src/cpu/state.js';
import { AixProcess } from '../../../src/aix/process.js';
import { Scheduler } from '../../../src/aix/scheduler.js';
import { makeProcess, tinyImage } from './helpers.js';

type Step = { burn: number } | { call: string; args: number[] };

/** A CPU that plays a script per process and logs `name:instructions` or `name:call`. */
class ScriptCpu implements CpuPort {
  proc!: AixProcess;
  private at = 0;
  constructor(private readonly name: string, private readonly script: Step[], private readonly log: string[]) {}

  run(s: CpuState, budget: number): { stop: CpuStop; executed: number } {
    const step = this.script[this.at];
    if (!step) return { stop: { kind: 'illegal', word: 0 }, executed: 0 };
    if ('burn' in step) {
      const n = Math.min(budget, step.burn);
      this.log.push(`${this.name}:${n}`);
      step.burn -= n;
      if (step.burn === 0) this.at++;
      return { stop: { kind: 'budget' }, executed: n };
    }
    this.at++;
    this.log.push(`${this.name}:${step.call}`);
    const call = this.proc.sentinels.calls.find((c) => c.name === step.call)!;
    step.args.forEach((a, k) => s.setGpr(3 + k, BigInt(a)));
    s.lr = 0x100000800n;
    s.pc = call.entry;
    return { stop: { kind: 'hostcall' }, executed: 1 };
  }
}

/** Two processes of one machine (one clock, one table) with their scripts; returns the log of a run. */
async function runPair(a: Step[], b: Step[], during?: (first: AixProcess, log: string[]) => void): Promise<string[]> {
  const log: string[] = [];
  const cpuA = new ScriptCpu('A', a, log);
  const first = makeProcess({ cpu: cpuA });
  cpuA.proc = first;
  const cpuB = new ScriptCpu('B', b, log);
  const second = new AixProcess({ image: tinyImage(), argv: ['b'], envp: [], cpu: cpuB, clock: first.clock, table: first.table, pid: 4300, ppid: first.pid });
  cpuB.proc = second;
  const runs = [new Scheduler(first, cpuA, { sliceBudget: 100 }).runUntilStop(), new Scheduler(second, cpuB, { sliceBudget: 100 }).runUntilStop()];
  during?.(first, log);
  const ends = await Promise.all(runs);
  expect(ends.map((e) => e.kind)).toEqual(['ended', 'ended']);
  return log;
}

describe('Lockstep (--deterministic with several processes)', () => {
  it('interleaves the processes a slice at a time, the same way every run', async () => {
    const script = (): [Step[], Step[]] => [
      [{ burn: 250 }, { call: 'usleep', args: [50] }, { burn: 120 }, { call: '_exit', args: [0] }],
      [{ burn: 330 }, { call: '_exit', args: [0] }],
    ];
    const first = await runPair(...script());
    expect(first.slice(0, 6)).toEqual(['A:100', 'B:100', 'A:100', 'B:100', 'A:50', 'B:100']);
    expect(await runPair(...script())).toEqual(first);
  });

  it('applies what a host program did only once every emulated thread waits', async () => {
    let seenAt = -1;
    // A sleeps (virtual time) while B computes; the host's event must wait for B to block too.
    const log = await runPair(
      [{ call: 'usleep', args: [1_000_000] }, { call: '_exit', args: [0] }],
      [{ burn: 5000 }, { call: 'usleep', args: [10] }, { burn: 100 }, { call: '_exit', args: [0] }],
      (first, l) => first.table.fromHost(() => (seenAt = l.length)),
    );
    const blocked = log.indexOf('B:usleep');
    expect(seenAt).toBeGreaterThan(blocked);
    expect(log.slice(0, blocked).filter((e) => e.startsWith('B:')).join()).toBe(Array(50).fill('B:100').join());
  });
});
