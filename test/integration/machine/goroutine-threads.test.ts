// AixTarget in goroutine mode, with a scripted GoroutineThreadSource standing in for the runtime
// views: how gdb ids map to pthreads and saved registers, what a resume or register write on a
// parked goroutine does, and which id a stop is reported on. (The real views over real Go
// programs are tested with gdb in test/integration/goroutine-threads.test.ts.)
import { openSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { GoroutineThreadSource } from '../../../src/goruntime/goroutine-threads.js';
import { GdbSignal, isTargetError } from '../../../src/gdb/target.js';
import { AixTarget, PTHREAD_THREAD_BASE } from '../../../src/machine/aix-target.js';
import { fixture } from '../../helpers/toolchains.js';

function helloTarget(): AixTarget {
  const devNull = openSync('/dev/null', 'w');
  return new AixTarget({ start: { program: fixture('go1.24-aix', 'hello'), args: [], env: [], deterministic: true, stdio: [0, devNull, devNull] } });
}

/** pthread 1 runs goroutine 7; goroutine 9 is parked with saved registers. */
function scripted(): GoroutineThreadSource & { calls: { carried: number; goidOn: number; list: number } } {
  const calls = { carried: 0, goidOn: 0, list: 0 };
  return {
    calls,
    carried: () => {
      calls.carried++;
      return new Map([[1, 7]]);
    },
    goidOn: (tid) => {
      calls.goidOn++;
      return tid === 1 ? 7 : undefined;
    },
    ids: () => [7, 9],
    list: () => {
      calls.list++;
      return {
        goroutines: [
          { goid: 7, name: 'g7 running, M0, pthread 1', pthread: 1, saved: undefined },
          { goid: 9, name: 'g9 waiting (chan receive)', pthread: undefined, saved: { pc: 0x1000_0100n, sp: 0x2000_0000n, lr: 0x1000_0200n, g: 0xa000_0000n } },
        ],
        pthreadNames: new Map([[1, 'pthread 1, M0, running g7']]),
        omitted: false,
      };
    },
  };
}

describe('AixTarget with goroutines as threads', () => {
  it('lists goroutines then pthreads, names them, and reports the entry stop on the running goroutine', async () => {
    const t = helloTarget();
    const source = scripted();
    t.setGoroutineThreads(source);
    const stop = await t.attach();
    expect(stop).toEqual({ kind: 'signal', thread: 7, signal: GdbSignal.TRAP });
    // Naming the stop read only the stopping pthread's goroutine, not every M.
    expect([source.calls.goidOn, source.calls.carried]).toEqual([1, 0]);
    expect(t.manyThreads).toBe(true);
    expect(t.threads()).toEqual([7, 9, PTHREAD_THREAD_BASE + 1]);
    expect(t.threadName(9)).toBe('g9 waiting (chan receive)');
    expect(t.threadName(PTHREAD_THREAD_BASE + 1)).toBe('pthread 1, M0, running g7');
    expect(t.threadName(8)).toBeUndefined();
    // Asked once per stop, however often gdb asks.
    t.threads();
    t.threadName(7);
    expect(source.calls.list).toBe(1);
  });

  it('gives a running goroutine its pthread registers and a parked one its saved g.sched, read-only', async () => {
    const t = helloTarget();
    t.setGoroutineThreads(scripted());
    await t.attach();
    const live = t.readRegisters(7);
    const pthread = t.readRegisters(PTHREAD_THREAD_BASE + 1);
    if (isTargetError(live) || isTargetError(pthread)) throw new Error('registers');
    expect(live.pc).toBe(t.process.threadById(1)!.state.pc);
    expect(pthread.pc).toBe(live.pc);
    const parked = t.readRegisters(9);
    if (isTargetError(parked)) throw new Error(parked.error);
    expect([parked.pc, parked.gpr[1], parked.lr, parked.gpr[30], parked.gpr[3]]).toEqual([0x1000_0100n, 0x2000_0000n, 0x1000_0200n, 0xa000_0000n, 0n]);
    expect(t.readRegister(9, 64)).toEqual(Uint8Array.of(0, 0, 0, 0, 0x10, 0, 0x01, 0));
    expect(t.writeRegisters(9, parked)).toMatchObject({ error: expect.stringMatching(/not running on a thread/) });
    expect(t.writeRegisters(7, live)).toBeUndefined();
    expect(t.readRegisters(12345)).toMatchObject({ error: 'no such thread' });
  });

  it('steps the pthread of a running goroutine and reports the step on the id gdb stepped', async () => {
    const t = helloTarget();
    t.setGoroutineThreads(scripted());
    await t.attach();
    const before = t.process.threadById(1)!.state.pc;
    const byGoroutine = await t.resume({ threads: new Map([[7, { kind: 'step' }]]) });
    expect(byGoroutine).toEqual({ kind: 'signal', thread: 7, signal: GdbSignal.TRAP });
    expect(t.process.threadById(1)!.state.pc).toBe(before + 4n);
    const byPthread = await t.resume({ threads: new Map([[PTHREAD_THREAD_BASE + 1, { kind: 'step' }]]) });
    expect(byPthread).toEqual({ kind: 'signal', thread: PTHREAD_THREAD_BASE + 1, signal: GdbSignal.TRAP });
  });

  it('resumes every thread when gdb steps a parked goroutine', async () => {
    const t = helloTarget();
    t.setGoroutineThreads(scripted());
    await t.attach();
    const stop = await t.resume({ threads: new Map([[9, { kind: 'step' }]]) });
    expect(stop).toEqual({ kind: 'exited', code: 0 }); // hello ran to its end
  });

  it('keeps pthread ids when no goroutine source is set', async () => {
    const t = helloTarget();
    expect(await t.attach()).toEqual({ kind: 'signal', thread: 1, signal: GdbSignal.TRAP });
    expect(t.manyThreads).toBe(false);
    expect(t.threads()).toEqual([1]);
  });
});
