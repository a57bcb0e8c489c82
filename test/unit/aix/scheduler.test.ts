// The scheduler with a scripted CPU: threads interleave in slices, sleep without burning the
// virtual clock's instructions, wake on sem_post, and all end together on _exit.
import { describe, expect, it } from 'vitest';
import type { CpuPort, CpuStop } from '../../../src/aix/cpu-port.js';
import type { CpuState } from '../../../src/cpu/state.js';
import type { AixProcess } from '../../../src/aix/process.js';
import { Scheduler, UNWATCHED_TICK, WATCHED_TICK } from '../../../src/aix/scheduler.js';
import { RealClock } from '../../../src/aix/clock.js';
import { makeProcess } from './helpers.js';

/** Each guest "program" is a list of steps keyed by thread id; a step either burns instructions or calls an import. */
type Step = { burn: number } | { call: string; args: Array<bigint | number> };

class ScriptCpu implements CpuPort {
  readonly log: string[] = [];
  private readonly cursor = new Map<CpuState, number>();
  proc!: AixProcess;
  constructor(private readonly scripts: Map<number, Step[]>) {}

  run(s: CpuState, budget: number): { stop: CpuStop; executed: number } {
    const t = this.proc.threads.find((x) => x.state === s)!;
    const script = this.scripts.get(t.tid) ?? [];
    const i = this.cursor.get(s) ?? 0;
    const step = script[i];
    if (!step) return { stop: { kind: 'illegal', word: 0 }, executed: 0 };
    if ('burn' in step) {
      const n = Math.min(budget, step.burn);
      this.log.push(`t${t.tid}:${n}`);
      step.burn -= n;
      if (step.burn === 0) this.cursor.set(s, i + 1);
      return { stop: { kind: 'budget' }, executed: n };
    }
    this.cursor.set(s, i + 1);
    this.log.push(`t${t.tid}:${step.call}`);
    const call = this.proc.sentinels.calls.find((c) => c.name === step.call)!;
    step.args.forEach((a, k) => s.setGpr(3 + k, BigInt.asUintN(64, BigInt(a))));
    s.lr = 0x100000800n;
    s.pc = call.entry;
    return { stop: { kind: 'hostcall' }, executed: 1 };
  }
}

function setup(scripts: Map<number, Step[]>, sliceBudget = 100) {
  const cpu = new ScriptCpu(scripts);
  const proc = makeProcess({ cpu });
  cpu.proc = proc;
  const sched = new Scheduler(proc, cpu, { sliceBudget });
  return { cpu, proc, sched };
}

function spawn(proc: AixProcess): number {
  const main = proc.threads[0]!;
  const desc = proc.space.allocate(24n)!;
  proc.mem.writeU64(desc, 0x100001000n);
  return proc.spawnThread(desc, 0n, 0x100000n, main)!.tid;
}

describe('Scheduler', () => {
  it('ticks long only while nobody watches the calls and time is real; a fixed budget always wins', () => {
    /** The first slice's budget the CPU is handed, with a one-thread program that burns then exits. */
    const firstSlice = (o: { real: boolean; watched?: boolean; fixed?: number }): number => {
      const budgets: number[] = [];
      const proc = makeProcess(o.real ? { clock: new RealClock() } : {});
      if (o.watched) proc.callObservers.add({});
      const call = proc.sentinels.calls.find((c) => c.name === '_exit')!;
      const cpu: CpuPort = {
        run(s, budget) {
          budgets.push(budget);
          if (budgets.length === 1) return { stop: { kind: 'budget' }, executed: budget };
          s.setGpr(3, 0n);
          s.lr = 0x100000800n;
          s.pc = call.entry;
          return { stop: { kind: 'hostcall' }, executed: 1 };
        },
      };
      const sched = new Scheduler(proc, cpu, o.fixed === undefined ? {} : { sliceBudget: o.fixed });
      expect(sched.runToEnd(10_000_000)).toEqual({ kind: 'ended', end: { kind: 'exited', code: 0 } });
      return budgets[0]!;
    };
    expect(firstSlice({ real: true })).toBe(UNWATCHED_TICK);
    expect(firstSlice({ real: true, watched: true })).toBe(WATCHED_TICK);
    expect(firstSlice({ real: false })).toBe(WATCHED_TICK);
    expect(firstSlice({ real: true, fixed: 777 })).toBe(777);
    expect(UNWATCHED_TICK).toBeGreaterThan(WATCHED_TICK);
  });

  it('interleaves runnable threads in slices of the budget', async () => {
    const scripts = new Map<number, Step[]>();
    const { cpu, proc, sched } = setup(scripts);
    const t2 = spawn(proc);
    scripts.set(1, [{ burn: 250 }, { call: '_exit', args: [0] }]);
    scripts.set(t2, [{ burn: 1000 }]);
    const out = await sched.runUntilStop();
    expect(out).toEqual({ kind: 'ended', end: { kind: 'exited', code: 0 } });
    expect(cpu.log.slice(0, 4)).toEqual(['t1:100', `t${t2}:100`, 't1:100', `t${t2}:100`]);
    expect(proc.liveThreads()).toHaveLength(0);
  });

  it('preempts at a clock tick shared by all threads: a thread that blocks early leaves the rest of the quantum, not a fresh one', () => {
    const scripts = new Map<number, Step[]>();
    const { cpu, proc, sched } = setup(scripts);
    const sem = proc.space.allocate(8n)!;
    const t2 = spawn(proc);
    // A burn step ends its slice; the next thread gets only what is left until the tick (40), and
    // after t1's two calls (1 + 1 each) and its block, t2 gets the 96 left of the next quantum.
    scripts.set(1, [{ burn: 60 }, { call: 'sem_init', args: [sem, 0, 0] }, { call: 'sem_wait', args: [sem] }, { call: '_exit', args: [0] }]);
    scripts.set(t2, [{ burn: 138 }, { call: 'sem_post', args: [sem] }, { burn: 1000 }]);
    expect(sched.runToEnd(1000)).toEqual({ kind: 'ended', end: { kind: 'exited', code: 0 } });
    expect(cpu.log.slice(0, 5)).toEqual(['t1:60', `t${t2}:40`, 't1:sem_init', 't1:sem_wait', `t${t2}:96`]);
  });

  it('skips virtual time while every thread sleeps, then wakes the sleeper', () => {
    const scripts = new Map<number, Step[]>([[1, [{ call: 'usleep', args: [5000] }, { call: '_exit', args: [7] }]]]);
    const { proc, sched } = setup(scripts);
    const before = proc.clock.monotonicNs();
    const out = sched.runToEnd(1000);
    expect(out).toEqual({ kind: 'ended', end: { kind: 'exited', code: 7 } });
    expect(proc.clock.monotonicNs() - before).toBeGreaterThanOrEqual(5_000_000n);
  });

  it('wakes a thread blocked in sem_wait when another posts', () => {
    const scripts = new Map<number, Step[]>();
    const { cpu, proc, sched } = setup(scripts);
    const sem = proc.space.allocate(8n)!;
    const t2 = spawn(proc);
    scripts.set(1, [{ call: 'sem_init', args: [sem, 0, 0] }, { call: 'sem_wait', args: [sem] }, { call: '_exit', args: [3] }]);
    scripts.set(t2, [{ burn: 300 }, { call: 'sem_post', args: [sem] }, { burn: 100000 }]);
    const out = sched.runToEnd(1000);
    expect(out).toEqual({ kind: 'ended', end: { kind: 'exited', code: 3 } });
    expect(cpu.log.indexOf(`t${t2}:sem_post`)).toBeLessThan(cpu.log.indexOf('t1:_exit'));
  });

  it('reports a deadlock when every thread waits forever', () => {
    const scripts = new Map<number, Step[]>();
    const { proc, sched } = setup(scripts);
    const sem = proc.space.allocate(8n)!;
    scripts.set(1, [{ call: 'sem_init', args: [sem, 0, 0] }, { call: 'sem_wait', args: [sem] }]);
    const out = sched.runToEnd(1000);
    expect(out?.kind).toBe('ended');
    expect(proc.describeEnd()).toContain('deadlock');
  });

  it('honours requestStop between slices', async () => {
    const scripts = new Map<number, Step[]>([[1, [{ burn: 1e12 }]]]);
    const { sched } = setup(scripts);
    setTimeout(() => sched.requestStop(), 5);
    expect(await sched.runUntilStop()).toEqual({ kind: 'interrupted' });
  });

  it('turns an unknown instruction into a crash with its address and word', () => {
    const scripts = new Map<number, Step[]>([[1, []]]);
    const { proc, sched } = setup(scripts);
    sched.runToEnd(10);
    expect(proc.describeEnd()).toMatch(/illegal or unimplemented instruction 0x00000000 at 0x[0-9a-f]+/);
    expect(proc.exitStatus()).not.toBe(0);
  });
});

describe('Scheduler.stepThread', () => {
  it('steps one thread by one instruction and a whole libc call at a sentinel', () => {
    const scripts = new Map<number, Step[]>([[1, [{ burn: 3 }, { call: 'getpid', args: [] }, { burn: 5 }]]]);
    const { proc, sched, cpu } = setup(scripts);
    const t = proc.threads[0]!;
    expect(sched.stepThread(t)).toBeUndefined();
    expect(t.instructions).toBe(1);
    // burn the rest, then the script moves PC to the getpid sentinel
    sched.stepThread(t);
    sched.stepThread(t);
    expect(sched.stepThread(t)).toBeUndefined(); // run(1) places PC at the sentinel
    expect(sched.stepThread(t)).toBeUndefined(); // the call is serviced as one step
    expect(t.state.getGpr(3)).toBe(BigInt(proc.pid));
    expect(t.state.pc).toBe(0x100000800n);
    expect(cpu.log).toContain('t1:getpid');
    expect(t.describe()).toBe('pthread 1 runnable');
  });
});
