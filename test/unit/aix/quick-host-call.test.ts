// Host calls the CPU answers in place (Cpu.hostCallHook, Scheduler.quick, AixProcess.quickHostCall):
// Go's nanotime is a clock_gettime(CLOCK_REALTIME) tens of thousands of times a second, and a stop
// at its sentinel plus a resume cost more than the call. Answered in place, a call must leave the
// thread where the scheduler would have (registers, instruction count, slice ends), and only
// calls nobody watches and that cannot depend on the run in progress go that way.
import { describe, expect, it } from 'vitest';
import { CpuAdapter } from '../../../src/aix/cpu-adapter.js';
import { RealClock, VirtualClock } from '../../../src/aix/clock.js';
import { Scheduler } from '../../../src/aix/scheduler.js';
import type { AixProcess } from '../../../src/aix/process.js';
import { sigAction } from '../../../src/aix/signals.js';
import type { CpuStop } from '../../../src/aix/cpu-port.js';
import { GuestMemory, PROT_EXEC, PROT_READ, PROT_WRITE } from '../../../src/cpu/memory.js';
import { CpuState, CR, XER } from '../../../src/cpu/state.js';
import { B, CODE, D, SPR, TRAP, XL, XO } from '../cpu/asm.js';
import { makeProcess } from './helpers.js';

const li = (rt: number, v: number): number => D(14, rt, 0, v);
const addi = (rt: number, ra: number, v: number): number => D(14, rt, ra, v);
const cmpdi0 = (ra: number): number => D(11, 1, ra, 0);
const mtctr = (rs: number): number => SPR(rs, 9, 467);
const BCTRL = XL(20, 0, 528, 1);
/** bne back to the word `words` before this one. */
const bneBack = (words: number): number => B(4, 2, -4 * words);

const SENTINELS = 0x20000000n;
const BLR = 0x4e800020;

/** Instruction words as big-endian bytes. */
function bytesOf(words: number[]): Uint8Array {
  const out = new DataView(new ArrayBuffer(words.length * 4));
  words.forEach((w, k) => out.setUint32(4 * k, w >>> 0));
  return new Uint8Array(out.buffer);
}

/** A CPU port over `words` at CODE whose host-call range is one page of `blr` at SENTINELS. */
function portWith(words: number[]): CpuAdapter {
  const mem = new GuestMemory();
  mem.map(CODE, 0x20000n, PROT_READ | PROT_EXEC);
  mem.map(SENTINELS, 0x1000n, PROT_READ | PROT_EXEC);
  mem.writeBytes(CODE, bytesOf(words));
  mem.writeBytes(SENTINELS, bytesOf(new Array<number>(0x1000 / 4).fill(BLR)));
  // A low threshold, no deferral: the loop compiles soon, so calls return into Wasm regions too.
  process.env.AIX_GDBSTUB_JIT_THRESHOLD = '1000';
  process.env.AIX_GDBSTUB_JIT_DEFER = '1';
  try {
    return new CpuAdapter(mem, new VirtualClock(), { start: SENTINELS, end: SENTINELS + 0x1000n });
  } finally {
    delete process.env.AIX_GDBSTUB_JIT_THRESHOLD;
    delete process.env.AIX_GDBSTUB_JIT_DEFER;
  }
}

/** Sums R3 over `calls` host calls at SENTINELS into R6, then traps. */
function callLoop(calls: number): number[] {
  return [
    li(5, calls),
    D(15, 12, 0, 0x2000), // lis r12,0x2000: the sentinel
    mtctr(12),
    BCTRL,
    XO(6, 6, 3, 266), // add r6,r6,r3
    addi(5, 5, -1),
    cmpdi0(5),
    bneBack(5),
    TRAP,
  ];
}

interface Slices {
  /** Instructions the CPU ran in compiled blocks. */
  compiled: number;
  /** Calls answered by the chain loop without leaving WebAssembly. */
  inWasm: number;
  /** PC at the end of every slice. */
  ends: bigint[];
  calls: number;
  /** Host-call stops the driver saw (the rest were answered in place). */
  stops: number;
  executed: number;
  r6: bigint;
  end: CpuStop['kind'];
}

/**
 * Drive `port` as Scheduler.runSlice does: slices of `budget`, a host call costs one unit whether
 * the driver or the CPU answers it (answer: R3 = the call's number, back to LR).
 */
function runSlices(port: CpuAdapter, budget: number, quick: boolean): Slices {
  const s = new CpuState();
  s.pc = CODE;
  const out: Slices = { compiled: 0, inWasm: 0, ends: [], calls: 0, stops: 0, executed: 0, r6: 0n, end: 'budget' };
  let answered = 0;
  const answer = (): void => {
    out.calls++;
    s.setGpr(3, BigInt(out.calls));
    s.pc = s.lr;
  };
  const hook = (): boolean => {
    answer();
    answered++;
    return true;
  };
  for (let slice = 0; slice < 100_000; slice++) {
    let left = budget;
    while (left > 0) {
      answered = 0;
      const r = port.run(s, left, quick ? hook : undefined);
      left -= r.executed + answered;
      out.executed += r.executed;
      if (r.stop.kind === 'budget') break;
      if (r.stop.kind !== 'hostcall') {
        out.end = r.stop.kind;
        out.r6 = s.getGpr(6);
        out.compiled = port.cpu.jitExecuted;
        out.inWasm = port.cpu.hostCallsInWasm;
        return out;
      }
      out.stops++;
      answer();
      left -= 1;
    }
    out.ends.push(s.pc);
  }
  throw new Error('the loop did not end');
}

describe('host calls answered in place by the CPU', () => {
  it('leave registers, instruction counts and slice ends as stopping at each call does', () => {
    const calls = 3000;
    for (const budget of [97, 1000, 20_000]) {
      const stopped = runSlices(portWith(callLoop(calls)), budget, false);
      const quick = runSlices(portWith(callLoop(calls)), budget, true);
      expect(stopped.end).toBe('trap');
      expect(stopped.calls).toBe(calls);
      expect(stopped.stops).toBe(calls);
      expect(stopped.r6).toBe(BigInt((calls * (calls + 1)) / 2));
      expect(quick).toMatchObject({ end: 'trap', calls, r6: stopped.r6, executed: stopped.executed });
      expect(quick.ends).toEqual(stopped.ends);
      expect(quick.compiled).toBeGreaterThan(calls);
      // Once the loop is a Wasm region, its calls are answered by the chain loop itself.
      expect(quick.inWasm).toBeGreaterThan(calls / 2);
      expect(stopped.inWasm).toBe(0);
      // Every call with a budget unit left is answered in place: at most one stop per slice remains.
      expect(quick.stops).toBeLessThanOrEqual(quick.ends.length);
    }
  });

  it('stop as before when the hook declines', () => {
    const port = portWith(callLoop(10));
    const s = new CpuState();
    s.pc = CODE;
    let asked = 0;
    const r = port.run(s, 1000, () => {
      asked++;
      return false;
    });
    expect(r.stop.kind).toBe('hostcall');
    expect(asked).toBe(1);
    expect(s.pc).toBe(SENTINELS);
    expect(r.executed).toBe(4);
  });
});

/** The main thread set up to call `name` with R3 = a0, R4 = a1 from 0x100000800 (its sentinel entry in PC). */
function atCall(proc: AixProcess, name: string, a0: bigint, a1: bigint) {
  const t = proc.threads[0]!;
  const call = proc.sentinels.calls.find((c) => c.kind === 'import' && c.name === name) ?? proc.sentinels.add('import', name, 'libc.a', 'shr_64.o');
  t.state.setGpr(3, a0);
  t.state.setGpr(4, a1);
  t.state.lr = 0x100000800n;
  t.state.pc = call.entry;
  t.state.spr[CR] = 0x12345678;
  t.state.spr[XER] = 0x20000000;
  return t;
}

describe('AixProcess.quickHostCall', () => {
  it('answers clock_gettime on the real-time and monotonic clocks as the call would', () => {
    const proc = makeProcess({ clock: new RealClock() });
    const ts = proc.space.allocate(0x1000n)!;
    for (const clock of [9n, 10n]) {
      const t = atCall(proc, 'clock_gettime', clock, ts);
      expect(proc.quickHostCall(t)).toBe(true);
      expect(t.state.pc).toBe(0x100000800n);
      expect(t.state.getGpr(3)).toBe(0n);
      // A C call clobbers the volatile CR fields and CA, as completeCall leaves them.
      expect(t.state.spr[CR]).toBe(0x12345678 & 0x00fff000);
      expect(t.state.spr[XER]).toBe(0);
      const sec = proc.mem.readU64(ts);
      const nsec = proc.mem.readU64(ts + 8n);
      expect(nsec).toBeLessThan(1_000_000_000n);
      const ns = sec * 1_000_000_000n + nsec;
      const now = clock === 9n ? proc.clock.realtimeNs() : proc.clock.monotonicNs();
      expect(ns).toBeLessThanOrEqual(now);
      expect(now - ns).toBeLessThan(5_000_000_000n);
    }
  });

  it('answers a sigaction that succeeds exactly as the general path does', () => {
    /** sigaction(30, act, old) on a fresh process, in place or through hostCall. */
    const once = (quick: boolean) => {
      const proc = makeProcess({ clock: new RealClock() });
      const act = proc.space.allocate(0x1000n)!;
      const old = act + 0x100n;
      proc.mem.writeU64(act, 0x123456n); // handler
      proc.mem.writeU64(act + 8n, 0x8000000000000001n); // mask, four words
      proc.mem.writeU64(act + 32n, 7n);
      proc.mem.writeU32(act + 40n, 0x48); // flags
      proc.signals.actions[30] = sigAction(0x777n, [1n, 2n, 3n, 4n], 0x9);
      const t = atCall(proc, 'sigaction', 30n, act);
      t.state.setGpr(5, old);
      if (quick) expect(proc.quickHostCall(t)).toBe(true);
      else proc.hostCall(t, proc.sentinels.lookup(t.state.pc)!);
      return { gpr: [...t.state.gpr], spr: [...t.state.spr], action: proc.signals.actions[30], old: proc.mem.readBytes(old, 48) };
    };
    const general = once(false);
    expect(general.action).toMatchObject({ handler: 0x123456n, mask: [0x8000000000000001n, 0n, 0n, 7n], flags: 0x48 });
    // The old action as struct sigaction: handler, four mask doublewords, flags, a zero word.
    const want = Buffer.alloc(48);
    [0x777n, 1n, 2n, 3n, 4n].forEach((v, i) => want.writeBigUInt64BE(v, 8 * i));
    want.writeUInt32BE(9, 40);
    expect(Buffer.from(general.old).equals(want)).toBe(true);
    expect(once(true)).toEqual(general);
  });

  it('declines what must take the general path: watched calls, the virtual clock, CPU clocks, other calls, bad pointers', () => {
    const real = makeProcess({ clock: new RealClock() });
    const ts = real.space.allocate(0x1000n)!;
    const declines = (proc: AixProcess, name: string, a0: bigint, a1: bigint): void => {
      const t = atCall(proc, name, a0, a1);
      const pc = t.state.pc;
      expect(proc.quickHostCall(t), `${name}(${a0})`).toBe(false);
      expect(t.state.pc).toBe(pc);
      expect(t.state.getGpr(3)).toBe(a0);
    };
    declines(real, 'clock_gettime', 11n, ts); // CLOCK_PROCESS_CPUTIME_ID: counts the run in progress
    declines(real, 'clock_gettime', 12n, ts); // CLOCK_THREAD_CPUTIME_ID
    declines(real, 'clock_gettime', 77n, ts); // EINVAL
    declines(real, 'clock_gettime', 9n, 0x10n); // EFAULT
    declines(real, 'getpid', 9n, ts);
    declines(real, 'sigaction', 0n, ts); // EINVAL: errno is the general path's
    declines(real, 'sigaction', 9n, ts); // SIGKILL's action cannot change
    declines(real, 'sigaction', 30n, 0xdead0000n); // EFAULT (page 0 reads as zeros on AIX, so not 0x10)
    declines(makeProcess(), 'clock_gettime', 9n, ts); // the virtual clock: time is the instruction count
    const watched = makeProcess({ clock: new RealClock() });
    watched.callObservers.add({});
    declines(watched, 'clock_gettime', 9n, watched.space.allocate(0x1000n)!);
  });
});

describe('the scheduler with quick host calls', () => {
  /** Calls clock_gettime(REALTIME) `calls` times, then _exit(5). */
  function clockLoop(proc: AixProcess, calls: number): void {
    const entry = (name: string): bigint => (proc.sentinels.calls.find((c) => c.kind === 'import' && c.name === name) ?? proc.sentinels.add('import', name, 'libc.a', 'shr_64.o')).entry;
    const at = 0x3_0000_0000n;
    proc.mem.map(at, 0x1000n, PROT_READ | PROT_EXEC);
    const words = [
      li(14, calls),
      li(3, 9),
      XO(15, 4, 15, 444), // mr r4,r15 (or r4,r15,r15)
      mtctr(16),
      BCTRL,
      addi(14, 14, -1),
      cmpdi0(14),
      bneBack(6),
      li(3, 5),
      mtctr(17),
      BCTRL,
      TRAP,
    ];
    proc.mem.writeBytes(at, bytesOf(words));
    const t = proc.threads[0]!;
    t.state.pc = at;
    t.state.setGpr(15, proc.space.allocate(0x1000n)!);
    t.state.setGpr(16, entry('clock_gettime'));
    t.state.setGpr(17, entry('_exit'));
  }

  function run(watched: boolean) {
    const proc = makeProcess({ clock: new RealClock() });
    if (watched) proc.callObservers.add({});
    clockLoop(proc, 5000);
    const port = new CpuAdapter(proc.mem, proc.clock, { start: proc.sentinels.base, end: proc.sentinels.end });
    let stops = 0;
    const counting = {
      run: (s: CpuState, budget: number, quick?: () => boolean) => {
        const r = port.run(s, budget, quick);
        if (r.stop.kind === 'hostcall') stops++;
        return r;
      },
    };
    const sched = new Scheduler(proc, counting, { sliceBudget: 777 });
    const outcome = sched.runToEnd(100_000);
    const t = proc.threads[0]!;
    const sec = proc.mem.readU64(t.state.getGpr(15));
    return { outcome, stops, ticks: sched.ticks, instructions: t.instructions, sec };
  }

  it('ends every slice where the general path does, with far fewer stops', () => {
    const general = run(true);
    const quick = run(false);
    for (const r of [general, quick]) {
      expect(r.outcome).toMatchObject({ kind: 'ended', end: { kind: 'exited', code: 5 } });
      expect(r.sec).toBeGreaterThan(1_700_000_000n);
    }
    expect(general.stops).toBe(5001);
    expect(quick.instructions).toBe(general.instructions);
    expect(quick.ticks).toBe(general.ticks);
    expect(quick.stops).toBeLessThan(general.stops / 10);
  });
});
