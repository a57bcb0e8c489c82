// Runs the process's guest threads on one host thread: round-robin slices of a fixed instruction
// budget, blocked threads re-checked every round, time skipped (deterministic) or waited for
// (real) when every thread sleeps, and the Node event loop served between batches of slices so a
// debugger can stop everything at once.
import { PC_HI, PC_LO, RESV_LEN } from '../cpu/state.js';
import { MemoryFault } from '../cpu/memory.js';
import { ERRNO, SEGV_ACCERR, SEGV_MAPERR, SIG } from './constants.js';
import type { CpuPort, CpuStop } from './cpu-port.js';
import type { AixProcess, ProcessEnd } from './process.js';
import { Lockstep } from './lockstep.js';
import { deliverFault, deliverPending, queueSignal } from './signals.js';
import type { CallResult, GuestThread } from './threads.js';

export type RunOutcome =
  | { kind: 'ended'; end: ProcessEnd }
  /** A debugger stop point hit in `thread`; every thread is stopped. */
  | { kind: 'debug'; thread: GuestThread; detail: string }
  /** requestStop() was honoured. */
  | { kind: 'interrupted' };

/** What one synchronous batch achieved. */
/** wait: nothing can run before untilNs (or a host event); realTime: virtual time follows the host's meanwhile. */
export type BatchResult = RunOutcome | { kind: 'yield' } | { kind: 'wait'; untilNs: bigint | undefined; realTime?: boolean };

/** Instructions per clock tick while something watches the run (below). */
export const WATCHED_TICK = 20_000;
/**
 * Instructions per clock tick when nobody watches the calls and time is real (a plain `run`): every
 * tick's end costs the CPU a return to JavaScript, the scheduler's round and the interpreted
 * instructions around the compiled code where the tick stopped it, about 5-20 us; at 20,000
 * instructions (20-40 us of compiled Go) that was a sixth of sha256's run (notes/cpu-performance.md,
 * "Round twelve"). 200,000 is still 0.2-0.5 ms of compiled code (4 ms interpreted), finer than
 * AIX's own 10 ms time slice. --deterministic runs, --strace, --timeline (which reads each
 * thread's goroutine at every tick's end) and debugger sessions keep WATCHED_TICK.
 */
export const UNWATCHED_TICK = 200_000;

export interface SchedulerOptions {
  /** Instructions per clock tick, whoever watches (default: WATCHED_TICK or UNWATCHED_TICK). */
  sliceBudget?: number;
  /** Wall-clock milliseconds of guest execution between event-loop turns. */
  batchMs?: number;
}

export class Scheduler {
  /** The tick's length when the caller fixed it. */
  private readonly fixedTick: number | undefined;
  readonly batchMs: number;
  private next = 0;
  private lastRun: GuestThread | undefined;
  private stopRequested = false;
  /** The thread that ran last (the debugger's "current thread" after a stop). */
  current: GuestThread | undefined;
  /**
   * A slice a debugger stop interrupted: the next step() continues it with the budget it had
   * left, so where a debugger stops never changes which thread runs when (src/record replays
   * the run from that schedule).
   */
  paused: { thread: GuestThread; budget: number } | undefined;
  /** Steps that started a new slice or idled (resumed slices do not count). */
  ticks = 0;
  /** Called at the start of each counted step (src/record: snapshots, host events). */
  onTick: (() => void) | undefined;
  /**
   * Instructions until the next clock tick. The tick preempts whichever thread runs, like a
   * kernel's clock interrupt: a thread that blocks early does not hand the next one a fresh
   * quantum, so a thread that wakes another and then makes a call (Go on AIX hands its P to a
   * new M at every syscall) is sometimes preempted in between, as on a real machine, and the
   * woken M gets to run while the call is in progress (e.g. it polls the network). 0: a new
   * tick starts at the next slice.
   */
  private tickLeft = 0;
  /** Host calls the CPU answered in place during the current run (each takes a budget unit). */
  private quickCalls = 0;
  /** The CPU's QuickHostCall for the thread in runSlice. */
  private readonly quick = (): boolean => {
    if (!this.proc.quickHostCall(this.current!)) return false;
    this.quickCalls++;
    return true;
  };

  constructor(readonly proc: AixProcess, readonly cpu: CpuPort, opts: SchedulerOptions = {}) {
    this.fixedTick = opts.sliceBudget;
    this.batchMs = opts.batchMs ?? 20;
  }

  /** Stop every thread at the next slice boundary (Ctrl-C, debugger interrupt). */
  requestStop(): void {
    this.stopRequested = true;
  }

  /** Run until the process ends, a debug stop point is hit, or requestStop(). */
  async runUntilStop(): Promise<RunOutcome> {
    this.stopRequested = false;
    // Deterministic: every process of the machine runs in one loop, in a fixed order.
    if (this.proc.clock.deterministic) return (this.proc.table.lockstep ??= new Lockstep(this.proc.table)).run(this);
    for (;;) {
      const r = this.runBatch();
      if (r.kind === 'yield') {
        await new Promise<void>((res) => setImmediate(res));
        continue;
      }
      if (r.kind === 'wait') {
        const now = this.proc.clock.monotonicNs();
        const ms = r.untilNs === undefined ? 50 : Math.max(0, Math.min(50, Number((r.untilNs - now) / 1_000_000n)));
        const startedMs = Date.now();
        // A host event (socket, stdin) ends the wait early.
        await new Promise<void>((res) => {
          const timer = setTimeout(() => {
            this.proc.hostEventListener = undefined;
            res();
          }, ms);
          this.proc.hostEventListener = () => {
            clearTimeout(timer);
            res();
          };
        });
        if (r.realTime && r.untilNs !== undefined) {
          const passed = now + BigInt(Date.now() - startedMs) * 1_000_000n;
          this.proc.clock.advanceTo(passed < r.untilNs ? passed : r.untilNs);
        }
        continue;
      }
      return r;
    }
  }

  /** Run synchronously until the outcome is known (tests; no debugger can interrupt). */
  runToEnd(maxBatches = Number.POSITIVE_INFINITY): RunOutcome | undefined {
    for (let i = 0; i < maxBatches; i++) {
      const r = this.runBatch();
      if (r.kind === 'yield') continue;
      if (r.kind === 'wait') {
        if (r.untilNs === undefined) continue;
        if (r.realTime) this.proc.clock.advanceTo(r.untilNs);
        // Busy-wait in real time; tests use the virtual clock where advanceTo already skipped.
        while (this.proc.clock.monotonicNs() < r.untilNs) {
          /* spin */
        }
        continue;
      }
      return r;
    }
    return undefined;
  }

  /**
   * Execute one instruction of `t` (the debugger's single step); other threads stay put. At a
   * sentinel the whole libc call is the step. Returns undefined when the step completed normally,
   * or the outcome that ended it (process end, fault that killed it, a stop point).
   * A blocked thread cannot step: 'blocked' says so and nothing runs.
   */
  stepThread(t: GuestThread): RunOutcome | 'blocked' | undefined {
    const proc = this.proc;
    if (proc.end) return { kind: 'ended', end: proc.end };
    this.wakeBlocked();
    if (t.status !== 'runnable') return 'blocked';
    this.current = t;
    this.switchTo(t);
    deliverPending(proc, t);
    if (proc.end) return { kind: 'ended', end: proc.end };
    const { stop, executed } = this.cpu.run(t.state, 1);
    t.instructions += executed;
    proc.clock.addInstructions(executed);
    const r = this.handleStop(t, stop);
    if (r === undefined || r.kind === 'yield' || r.kind === 'wait') return undefined;
    // A step that lands on a breakpoint is still a completed step.
    if (r.kind === 'debug' && executed > 0) return undefined;
    return r;
  }

  /** One round-robin step: run one slice (or retry blocked threads). */
  step(): BatchResult | undefined {
    const proc = this.proc;
    if (proc.end) return { kind: 'ended', end: proc.end };
    if (this.stopRequested) {
      this.stopRequested = false;
      return { kind: 'interrupted' };
    }
    // A stopped process runs nothing until SIGCONT wakes it.
    if (proc.stopped) return { kind: 'wait', untilNs: undefined };
    const paused = this.paused;
    if (paused !== undefined) {
      this.paused = undefined;
      if (paused.thread.status === 'runnable') return this.runSlice(paused.thread, paused.budget);
    }
    this.onTick?.();
    this.ticks++;
    const threads = proc.threads;
    this.wakeBlocked();
    // Pick the next runnable thread after the last one.
    let chosen: GuestThread | undefined;
    for (let k = 0; k < threads.length; k++) {
      const t = threads[(this.next + k) % threads.length]!;
      if (t.status === 'runnable') {
        chosen = t;
        this.next = (this.next + k + 1) % threads.length;
        break;
      }
    }
    if (!chosen) return this.idle();
    return this.runSlice(chosen);
  }

  private runBatch(): BatchResult {
    const start = Date.now();
    for (;;) {
      const r = this.step();
      if (r !== undefined) return r;
      if (Date.now() - start >= this.batchMs) return { kind: 'yield' };
    }
  }

  /** Retry every blocked thread whose wait may be over. */
  private wakeBlocked(): void {
    const now = this.proc.clock.monotonicNs();
    for (const t of this.proc.threads) {
      if (t.status !== 'blocked' || !t.waiter) continue;
      const timedOut = t.waiter.deadline !== undefined && now >= t.waiter.deadline;
      let r: CallResult | undefined;
      try {
        r = t.waiter.retry(timedOut);
      } catch (e) {
        r = e instanceof MemoryFault ? { errno: ERRNO.EFAULT } : { errno: ERRNO.EIO };
      }
      if (r !== undefined) this.proc.completeCall(t, r);
    }
  }

  /** Every live thread is blocked: skip virtual time, or ask the caller to wait in real time. */
  private idle(): BatchResult | undefined {
    const proc = this.proc;
    let earliest: bigint | undefined;
    for (const t of proc.threads) {
      const d = t.status === 'blocked' ? t.waiter?.deadline : undefined;
      if (d !== undefined && (earliest === undefined || d < earliest)) earliest = d;
    }
    if (proc.liveThreads().length === 0) {
      proc.terminate({ kind: 'exited', code: 0 });
      return { kind: 'ended', end: proc.end! };
    }
    // Threads waiting on host I/O (sockets, stdin) or on another process (a pipe, a child's exit)
    // are woken by those events, not by time.
    const peers = proc.table.hasPeers(proc);
    if (earliest === undefined && (proc.files.hasHostEvents() || peers)) return { kind: 'wait', untilNs: undefined };
    if (earliest === undefined) {
      proc.terminate({ kind: 'crashed', message: 'deadlock: every guest thread is blocked with no timeout' });
      return { kind: 'ended', end: proc.end! };
    }
    if (proc.clock.deterministic) {
      // The processes share one virtual clock: while another one runs, its instructions move time.
      if (peers && proc.table.someoneRunnable(proc)) return { kind: 'wait', untilNs: undefined };
      // Under the lockstep loop the earliest deadline of the whole machine is reached, not ours.
      if (proc.table.lockstep) return { kind: 'wait', untilNs: earliest, realTime: proc.table.hasHostProcesses() };
      // A host program runs in real time: meanwhile virtual time passes at the host's pace instead
      // of jumping (a one-minute timeout around `go run` must not fire at once).
      if (proc.table.hasHostProcesses()) return { kind: 'wait', untilNs: earliest, realTime: true };
      proc.clock.advanceTo(earliest);
      return undefined;
    }
    return { kind: 'wait', untilNs: earliest };
  }

  /** t runs next: the one place a thread switch drops a load reservation (the CPU port keeps them). */
  private switchTo(t: GuestThread): void {
    if (this.lastRun === t) return;
    // Another thread may have stored into this thread's reservation granule meanwhile.
    t.state.spr[RESV_LEN] = 0;
    this.lastRun = t;
  }

  /** A new tick's instructions: decided at each tick, since observers come and go (`run --timeline` adds its own after start). */
  private newTick(): number {
    return this.fixedTick ?? (this.proc.quickHostCalls() ? UNWATCHED_TICK : WATCHED_TICK);
  }

  private runSlice(t: GuestThread, budgetLeft = this.tickLeft > 0 ? this.tickLeft : this.newTick()): BatchResult | undefined {
    const proc = this.proc;
    this.switchTo(t);
    this.current = t;
    let budget = budgetLeft;
    while (budget > 0 && t.status === 'runnable' && !proc.end) {
      deliverPending(proc, t);
      if (proc.end || t.status !== 'runnable') break;
      this.quickCalls = 0;
      const { stop, executed } = this.cpu.run(t.state, budget, proc.quickHostCalls() ? this.quick : undefined);
      budget -= executed + this.quickCalls;
      t.instructions += executed;
      proc.clock.addInstructions(executed);
      proc.afterRun?.(t);
      if (stop.kind === 'debug') {
        this.paused = { thread: t, budget };
        this.tickLeft = Math.max(budget, 1);
        return { kind: 'debug', thread: t, detail: stop.detail };
      }
      this.checkProfTimer(t);
      const r = this.handleStop(t, stop);
      if (r) {
        this.tickLeft = Math.max(budget, 0);
        return r;
      }
      if (stop.kind === 'budget') break;
      budget -= 1; // every host call costs at least one unit, so the slice always ends
    }
    this.tickLeft = Math.max(budget, 0);
    if (proc.end) return { kind: 'ended', end: proc.end };
    return undefined;
  }

  private checkProfTimer(t: GuestThread): void {
    const timer = this.proc.profTimer;
    if (timer.intervalNs === 0n) return;
    const now = this.proc.clock.cpuTimeNs();
    if (now < timer.nextNs) return;
    timer.nextNs = now + timer.intervalNs;
    queueSignal(this.proc, t, { signal: SIG.SIGPROF, code: 0, addr: 0n, pid: this.proc.pid });
  }

  private handleStop(t: GuestThread, stop: CpuStop): BatchResult | undefined {
    // The two frequent stops first, before the pc is built as a BigInt.
    if (stop.kind === 'budget') return undefined;
    if (stop.kind === 'hostcall') return this.hostCallAt(t);
    const proc = this.proc;
    const pc = t.state.pc;
    switch (stop.kind) {
      case 'fault': {
        if (stop.access === 'exec') {
          if (proc.sentinels.lookup(pc)) return this.hostCallAt(t);
          proc.terminate({ kind: 'crashed', message: `guest jumped to ${stop.reason} address 0x${pc.toString(16)}${this.from(t)}` });
          return { kind: 'ended', end: proc.end! };
        }
        if (stop.reason === 'limit') {
          proc.terminate({ kind: 'crashed', message: `guest memory limit exceeded at 0x${stop.address.toString(16)} (pc 0x${pc.toString(16)})` });
          return { kind: 'ended', end: proc.end! };
        }
        const code = stop.reason === 'protection' && stop.address >= 0x10000n ? SEGV_ACCERR : SEGV_MAPERR;
        deliverFault(proc, t, { signal: SIG.SIGSEGV, code, addr: stop.address, pid: 0 });
        return proc.end ? { kind: 'ended', end: proc.end } : undefined;
      }
      case 'illegal':
        proc.terminate({
          kind: 'crashed',
          message: `illegal or unimplemented instruction 0x${(stop.word >>> 0).toString(16).padStart(8, '0')} at 0x${pc.toString(16)}${this.symbol(pc)}`,
        });
        return { kind: 'ended', end: proc.end! };
      case 'trap':
        deliverFault(proc, t, { signal: SIG.SIGTRAP, code: 1, addr: pc, pid: 0 });
        return proc.end ? { kind: 'ended', end: proc.end } : undefined;
      case 'debug':
        return { kind: 'debug', thread: t, detail: stop.detail };
    }
  }

  private hostCallAt(t: GuestThread): BatchResult | undefined {
    const s = t.state;
    const call = this.proc.sentinels.lookupHalves(s.spr[PC_HI]!, s.spr[PC_LO]!);
    if (!call) {
      const pc = s.pc;
      this.proc.terminate({ kind: 'crashed', message: `guest jumped into the emulator's import area at 0x${pc.toString(16)}${this.from(t)}` });
      return { kind: 'ended', end: this.proc.end! };
    }
    this.proc.hostCall(t, call);
    return this.proc.end ? { kind: 'ended', end: this.proc.end } : undefined;
  }

  private symbol(pc: bigint): string {
    const s = this.proc.image.symbolize(pc);
    return s ? ` (${s.name}+0x${s.offset.toString(16)})` : '';
  }

  private from(t: GuestThread): string {
    const lr = t.state.lr;
    return ` (LR 0x${lr.toString(16)}${this.symbol(lr)})`;
  }
}
