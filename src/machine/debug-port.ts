// The CPU as the scheduler sees it while a debugger is attached: it wraps the real CpuAdapter and
// decides, per guest thread, whether a slice runs freely, executes one instruction (step), keeps
// stepping inside an address range (range-step) or does nothing (the thread is held stopped). It
// also turns the events gdb must see into `debug` stops before the AIX layer acts on them:
// breakpoints, watched accesses (reported *before* the access: the CPU traps ahead of it), guest
// faults and traps (before the guest's own handler runs), asynchronous signals (before delivery,
// through AixProcess.signalGate) and import calls (catch syscall, entry and return).
import { SIG } from '../aix/constants.js';
import type { CpuAdapter } from '../aix/cpu-adapter.js';
import type { CpuPort, CpuStop } from '../aix/cpu-port.js';
import type { AixProcess } from '../aix/process.js';
import type { GuestThread } from '../aix/threads.js';
import { StopReason } from '../cpu/cpu.js';
import type { Watchpoint } from '../cpu/memory.js';
import { CpuState } from '../cpu/state.js';

export type ThreadMode = 'stop' | 'continue' | 'step' | 'range';

/** Why the port stopped the scheduler (signals are AIX numbers). */
export type DebugStop =
  | { kind: 'breakpoint'; hw: boolean }
  | { kind: 'step' }
  | { kind: 'watch'; access: 'read' | 'write' | 'access'; addr: bigint }
  /** A synchronous fault or trap at pc; the instruction has not executed. */
  | { kind: 'fault'; signal: number }
  /** An asynchronous signal taken off the thread's pending list before delivery. */
  | { kind: 'signal'; signal: number }
  | { kind: 'syscall-entry'; number: number }
  | { kind: 'syscall-return'; number: number };

interface PendingSignalRecord {
  signal: number;
  code: number;
  addr: bigint;
  pid: number;
}

/** Per-thread debugger state. */
export class ThreadControl {
  mode: ThreadMode = 'stop';
  rangeStart = 0n;
  rangeEnd = 0n;
  /** PC when the resume began: a step is over once it moved (or an instruction ran). */
  startPc = 0n;
  progressed = false;
  /** gdb resumed with the reported fault's signal: let the next fault go to the guest. */
  passFault = false;
  /** Deliver this (AIX) signal once without reporting it (gdb resumed with it). */
  passSignalOnce = 0;
  /** An async signal reported to gdb and taken off the pending list; resumed with it: re-queued. */
  heldSignal: PendingSignalRecord | undefined;
  /** The stop reported for this thread last (what a resume signal refers to). */
  lastStop: DebugStop | undefined;
  /** An import call entered (its sentinel PC) whose return has not been seen yet. */
  inCall: { pc: bigint; number: number | undefined } | undefined;
  /** Syscall entry already reported for the call at this sentinel: run it now. */
  entryReported = false;
}

export interface GdbWatchpoint {
  kind: 'read' | 'write' | 'access';
  addr: bigint;
  length: number;
  wp: Watchpoint;
}

const BUDGET_NOTHING = { stop: { kind: 'budget' } as CpuStop, executed: 0 };

export class DebugCpuPort implements CpuPort {
  /** Detached: no stop is reported, everything goes to the guest. */
  detached = false;
  /** Mode for threads created while running (and threads not named by the request). */
  newThreadMode: ThreadMode = 'stop';
  /** Signals (AIX numbers) delivered without stopping (QPassSignals). */
  passSignals: ReadonlySet<number> = new Set();
  /** Syscall numbers to stop at (undefined: none; 'all': every import). */
  catching: ReadonlySet<number> | 'all' | undefined;
  /** Maps an import's C name to the number catch syscall uses. */
  syscallNumber: (name: string) => number | undefined = () => undefined;
  /** monitor break-libcall: true stops the thread entering this import (a SIGTRAP at its sentinel). */
  importBreak: ((t: GuestThread, importName: string) => boolean) | undefined;
  /** The stop that ended the last run (set together with a `debug` CpuStop). */
  lastStop: { thread: GuestThread; stop: DebugStop } | undefined;

  private readonly controls = new Map<number, ThreadControl>();
  private readonly threadOfState = new Map<CpuState, GuestThread>();
  private readonly hwOnly = new Set<bigint>();
  private readonly watches: GdbWatchpoint[] = [];

  constructor(
    readonly proc: AixProcess,
    readonly inner: CpuAdapter,
  ) {
    proc.signalGate = (t, signal) => this.gate(t, signal);
  }

  /** Per-thread books (reverse execution snapshots them with the process). */
  get threadControls(): object {
    return this.controls;
  }

  /** Every thread runs freely (a replay follows the recorded schedule whatever gdb held). */
  runAll(): void {
    for (const t of this.proc.threads) {
      const c = this.control(t);
      c.mode = 'continue';
      c.startPc = t.state.pc;
      c.progressed = false;
    }
    this.newThreadMode = 'continue';
  }

  control(t: GuestThread): ThreadControl {
    let c = this.controls.get(t.tid);
    if (c === undefined) {
      c = new ThreadControl();
      c.mode = this.newThreadMode;
      c.startPc = t.state.pc;
      this.controls.set(t.tid, c);
    }
    return c;
  }

  // ---------------------------------------------------------------- stop points

  setBreakpoint(addr: bigint, hw: boolean, present: boolean): void {
    const cpu = this.inner.cpu;
    if (present) cpu.addBreakpoint(addr);
    else cpu.removeBreakpoint(addr);
    if (hw && present) this.hwOnly.add(addr);
    else this.hwOnly.delete(addr);
  }

  addWatch(kind: GdbWatchpoint['kind'], addr: bigint, length: number): void {
    const wp: Watchpoint = { start: addr, end: addr + BigInt(length), onRead: kind !== 'write', onWrite: kind !== 'read' };
    this.watches.push({ kind, addr, length, wp });
    this.inner.cpu.addWatchpoint(wp);
  }

  removeWatch(kind: GdbWatchpoint['kind'], addr: bigint, length: number): boolean {
    const i = this.watches.findIndex((w) => w.kind === kind && w.addr === addr && w.length === length);
    if (i < 0) return false;
    const [w] = this.watches.splice(i, 1);
    this.inner.cpu.removeWatchpoint(w!.wp);
    return true;
  }

  get watchCount(): number {
    return this.watches.length;
  }

  // ---------------------------------------------------------------- signals

  /** AixProcess.signalGate: deliver now, or keep it pending (reported by run(), or thread held). */
  gate(t: GuestThread, signal: number): boolean {
    if (this.detached) return true;
    const c = this.control(t);
    if (c.mode === 'stop') return false;
    if (c.passSignalOnce === signal) {
      // gdb resumed the thread with this signal: deliver it now (a step then ends in the handler).
      c.passSignalOnce = 0;
      return true;
    }
    // A stepping thread would land in the handler, which gdb cannot tell from a call (it has no
    // signal-trampoline unwinder for AIX frames): passed signals wait until the thread runs freely.
    if (c.mode !== 'continue') return false;
    return this.passSignals.has(signal);
  }

  // ---------------------------------------------------------------- CpuPort

  invalidateCode(addr: bigint, len: number): void {
    this.inner.invalidateCode(addr, len);
  }

  run(state: CpuState, budget: number): { stop: CpuStop; executed: number } {
    if (this.detached) return this.inner.run(state, budget);
    const t = this.threadFor(state);
    if (t === undefined) return this.inner.run(state, budget);
    const c = this.control(t);
    if (c.mode === 'stop') return BUDGET_NOTHING;

    // An import call this thread made has returned (PC left its sentinel).
    if (c.inCall !== undefined && state.pc !== c.inCall.pc) {
      const n = c.inCall.number;
      c.inCall = undefined;
      c.entryReported = false;
      if (n !== undefined && this.catches(n)) return this.report(t, c, { kind: 'syscall-return', number: n }, 0);
    }
    // A signal the gate held back: gdb sees it before the guest does.
    const held = this.takeReportableSignal(t);
    if (held !== undefined) {
      c.heldSignal = held;
      return this.report(t, c, { kind: 'signal', signal: held.signal }, 0);
    }

    switch (c.mode) {
      case 'step':
        if (c.progressed || state.pc !== c.startPc) return this.report(t, c, { kind: 'step' }, 0);
        return this.runStep(t, c, state);
      case 'range':
        return this.runRange(t, c, state, budget);
      default:
        return this.runFree(t, c, state, budget);
    }
  }

  private runStep(t: GuestThread, c: ThreadControl, state: CpuState): { stop: CpuStop; executed: number } {
    const r = this.execute(t, c, state, 1);
    if (r.stop.kind === 'budget' && r.executed > 0) {
      c.progressed = true;
      return this.report(t, c, { kind: 'step' }, r.executed);
    }
    return r;
  }

  private runRange(t: GuestThread, c: ThreadControl, state: CpuState, budget: number): { stop: CpuStop; executed: number } {
    let done = 0;
    while (done < budget) {
      if (c.progressed || state.pc !== c.startPc) {
        const pc = state.pc;
        if (pc < c.rangeStart || pc >= c.rangeEnd) return this.report(t, c, { kind: 'step' }, done);
      }
      const r = this.execute(t, c, state, 1);
      done += r.executed;
      if (r.stop.kind !== 'budget') return { stop: r.stop, executed: done };
      c.progressed = true;
    }
    return { stop: { kind: 'budget' }, executed: done };
  }

  private runFree(t: GuestThread, c: ThreadControl, state: CpuState, budget: number): { stop: CpuStop; executed: number } {
    return this.execute(t, c, state, budget);
  }

  /**
   * Run up to `budget` instructions of t and classify the stop. A breakpoint at the current PC is
   * reported, never silently stepped over (gdb removes it itself when it steps past it).
   */
  private execute(t: GuestThread, c: ThreadControl, state: CpuState, budget: number): { stop: CpuStop; executed: number } {
    const cpu = this.inner.cpu;
    // Watchpoints cost nothing here: the CPU stops *before* a watched access (the instruction has
    // not executed), which is what gdb expects of PowerPC data breakpoints: it then steps over
    // the access with the watchpoint removed and compares old and new values itself.
    if (cpu.hasBreakpoint(state.pc)) return this.breakpointStop(t, c, state, 0);
    const r = this.inner.run(state, budget);
    const done = r.executed;
    if (r.stop.kind === 'budget') return { stop: r.stop, executed: done };
    return this.classify(t, c, state, r.stop, done);
  }

  private breakpointStop(t: GuestThread, c: ThreadControl, state: CpuState, done: number): { stop: CpuStop; executed: number } {
    return this.report(t, c, { kind: 'breakpoint', hw: this.hwOnly.has(state.pc) }, done);
  }

  private classify(t: GuestThread, c: ThreadControl, state: CpuState, stop: CpuStop, done: number): { stop: CpuStop; executed: number } {
    const pass = { stop, executed: done };
    switch (stop.kind) {
      case 'hostcall':
        return this.hostCall(t, c, state, stop, done);
      case 'fault': {
        if (stop.access === 'exec' && this.proc.sentinels.lookup(state.pc)) return this.hostCall(t, c, state, stop, done);
        if (stop.reason === 'limit') return pass;
        return this.fault(t, c, SIG.SIGSEGV, pass);
      }
      case 'illegal':
        return this.fault(t, c, SIG.SIGILL, pass);
      case 'trap':
        return this.fault(t, c, SIG.SIGTRAP, pass);
      case 'debug': {
        const st = this.inner.cpu.stop;
        if (st.reason === StopReason.BREAKPOINT) return this.breakpointStop(t, c, state, done);
        if (st.reason === StopReason.WATCH) {
          const hit = this.watchFor(st.watchAddr, st.watchLen, st.watchIsWrite);
          if (hit !== undefined) return this.report(t, c, { kind: 'watch', access: hit.kind, addr: hit.addr }, done);
        }
        return pass;
      }
      default:
        return pass;
    }
  }

  private fault(t: GuestThread, c: ThreadControl, signal: number, pass: { stop: CpuStop; executed: number }) {
    if (c.passFault || this.passSignals.has(signal)) {
      c.passFault = false;
      return pass;
    }
    return this.report(t, c, { kind: 'fault', signal }, pass.executed);
  }

  private hostCall(t: GuestThread, c: ThreadControl, state: CpuState, stop: CpuStop, done: number) {
    const call = this.proc.sentinels.lookup(state.pc);
    const number = call?.kind === 'import' ? this.syscallNumber(call.name) : undefined;
    if (number !== undefined && !c.entryReported && this.catches(number)) {
      c.entryReported = true;
      return this.report(t, c, { kind: 'syscall-entry', number }, done);
    }
    if (call?.kind === 'import' && !c.entryReported && this.importBreak?.(t, call.name) === true) {
      c.entryReported = true;
      // A plain SIGTRAP: gdb would silently resume after a swbreak at an address it set nothing at.
      return this.report(t, c, { kind: 'step' }, done);
    }
    c.entryReported = false;
    c.inCall = { pc: state.pc, number };
    c.progressed = true; // the call is the step's instruction
    return { stop, executed: done };
  }

  private catches(n: number): boolean {
    const sel = this.catching;
    return sel !== undefined && (sel === 'all' || sel.has(n));
  }

  private report(t: GuestThread, c: ThreadControl, stop: DebugStop, executed: number): { stop: CpuStop; executed: number } {
    c.lastStop = stop;
    this.lastStop = { thread: t, stop };
    return { stop: { kind: 'debug', detail: stop.kind }, executed };
  }

  private watchFor(addr: bigint, len: number, isWrite: boolean): { kind: GdbWatchpoint['kind']; addr: bigint } | undefined {
    const end = addr + BigInt(len);
    for (const w of this.watches) {
      const wEnd = w.addr + BigInt(w.length);
      if (w.addr >= end || wEnd <= addr) continue;
      if (isWrite ? !w.wp.onWrite : !w.wp.onRead) continue;
      // gdb matches the reported address against its watch ranges: name a byte inside.
      return { kind: w.kind === 'access' ? 'access' : isWrite ? 'write' : 'read', addr: addr > w.addr ? addr : w.addr };
    }
    return undefined;
  }

  private takeReportableSignal(t: GuestThread): PendingSignalRecord | undefined {
    if (t.pendingSignals.length === 0) return undefined;
    const i = t.pendingSignals.findIndex((p) => !t.isBlocked(p.signal));
    if (i < 0) return undefined;
    const p = t.pendingSignals[i]!;
    if (this.passSignals.has(p.signal) || this.control(t).passSignalOnce === p.signal) return undefined;
    t.pendingSignals.splice(i, 1);
    return p;
  }

  private threadFor(state: CpuState): GuestThread | undefined {
    let t = this.threadOfState.get(state);
    if (t === undefined) {
      t = this.proc.threads.find((x) => x.state === state);
      if (t !== undefined) this.threadOfState.set(state, t);
    }
    return t;
  }
}
