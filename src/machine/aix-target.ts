// The gdb stub's Target for an emulated AIX process: gdb thread ids are pthread ids, registers come
// from each thread's CpuState, memory is the process's GuestMemory, execution goes through the
// scheduler with a DebugCpuPort in front of the CPU (all-stop: the scheduler runs no thread once
// any stops), and the exec file is the ELF view of the program so gdb loads symbols by itself.
import { realpathSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import { CpuAdapter } from '../aix/cpu-adapter.js';
import type { AixProcess } from '../aix/process.js';
import { startProgram, type StartOptions } from '../aix/run-program.js';
import { Scheduler, WATCHED_TICK, type RunOutcome } from '../aix/scheduler.js';
import { SENTINEL_STRIDE } from '../aix/sentinels.js';
import { queueSignal } from '../aix/signals.js';
import type { GuestThread } from '../aix/threads.js';
import { buildElfView } from '../elf/index.js';
import { createPpc64Registers, readPpc64Register, type Ppc64Registers } from '../gdb/arch/ppc64.js';
import {
  GdbSignal, type Address, type BreakpointKind, type ExecFile, type ResumeAction, type ResumeRequest, type StopEvent,
  type SyscallCatch, type Target, type TargetError, type ThreadId,
} from '../gdb/target.js';
import { Recorder, ReplayDiverged, before, type Position } from '../record/recorder.js';
import { DebugCpuPort, type DebugStop, type ThreadMode } from './debug-port.js';
import { G_REGISTER, type GoroutineThread, type GoroutineThreadSource, type SavedGoroutineRegisters } from '../goruntime/goroutine-threads.js';
import type { GoProcess } from '../goruntime/process-source.js';
import { goProcessOf } from './go-process.js';
import { MonitorRegistry } from './monitor.js';
import { describePosition, registerRecordCommands } from './record-commands.js';
import { USER_MSR, registerBytesFromState, registersFromState, registersIntoState } from './registers.js';
import { aixToGdbSignal, gdbToAixSignal } from './signals.js';

/** One incarnation of the program: a new one on extended-remote `run` or after the old one ended. */
export interface Machine {
  process: AixProcess;
  scheduler: Scheduler;
  port: DebugCpuPort;
  cpu: CpuAdapter;
  /** Set when the run is recorded (serve --record): reverse execution. */
  recorder?: Recorder;
}

/** serve --record: snapshot spacing and the memory the recording may hold. */
export interface RecordSettings {
  interval?: number;
  memoryLimit?: number;
}

export interface AixTargetOptions {
  /** The program and how to start it; with `multi`, program '' means none until gdb's `run` names one. */
  start: StartOptions;
  /** serve --multi: gdb's `run` may name any program (`set remote exec-file`), not only the served one. */
  multi?: boolean;
  log?: (line: string) => void;
  /** Instructions per scheduler slice (tests lower it to interleave threads more). */
  sliceBudget?: number;
  /**
   * The .debug_frame the ELF view carries instead of the binary's own (the Go runtime layer describes
   * its stack switches); `leaves` are the emulator's libc entries, which return through LR.
   */
  debugFrame?: (image: AixProcess['image'], leaves: ReadonlyArray<{ start: bigint; size: bigint }>) => Uint8Array | undefined;
  /** Record the run for reverse execution. */
  record?: RecordSettings;
}

/** Maps an import's C name to a catch-syscall number (the runtime-views layer supplies the table). */
export type SyscallNumbering = (importName: string) => number | undefined;

export function createMachine(
  start: StartOptions,
  sliceBudget?: number,
  record?: RecordSettings & { stopPoints: { suspend(): void; resume(): void } },
): Machine {
  const started = startProgram(start);
  const port = new DebugCpuPort(started.process, started.cpu);
  // A debugger session keeps the short tick whoever watches: recordings take their snapshots at
  // tick ends, and a session may add call observers (monitor, timeline) at any time.
  const opts = { sliceBudget: sliceBudget ?? WATCHED_TICK };
  if (record === undefined) {
    const scheduler = new Scheduler(started.process, port, opts);
    return { process: started.process, scheduler, port, cpu: started.cpu };
  }
  // The scheduler runs the recorder, which runs the debug port (live) or follows the recording.
  let recorder: Recorder | undefined;
  const scheduler = new Scheduler(started.process, { run: (s, b) => recorder!.run(s, b), invalidateCode: (a, l) => port.invalidateCode(a, l) }, opts);
  recorder = new Recorder({
    process: started.process,
    scheduler,
    debugPort: port,
    plainPort: started.cpu,
    extraRoots: [port.threadControls],
    stopPoints: record.stopPoints,
    allRunning: () => port.runAll(),
    lastReport: () => port.lastStop,
    interval: record.interval,
    memoryLimit: record.memoryLimit,
  });
  return { process: started.process, scheduler, port, cpu: started.cpu, recorder };
}

const E_NO_THREAD: TargetError = { error: 'no such thread', errno: 3 };
const E_PARKED: TargetError = { error: 'the goroutine is not running on a thread: its saved registers are read-only', errno: 1 };

/**
 * In goroutine mode gdb thread N is goroutine N, and pthread N is PTHREAD_THREAD_BASE + N (shown by
 * gdb as "Thread 1000000001"): far above any goroutine id a program reaches.
 */
export const PTHREAD_THREAD_BASE = 1_000_000_000;

/** What a gdb thread id stands for now: a live guest thread, or a goroutine's saved registers. */
type Resolved = { thread: GuestThread } | { saved: SavedGoroutineRegisters };

/** No program yet (serve --multi before gdb's first `run`). */
const E_NO_PROGRAM: TargetError = { error: 'no program is running: in gdb, `set remote exec-file PROG` then `run`', errno: 1 };

/** Do two paths name the same file (any relative path, symlink or `./` detour)? */
function sameFile(a: string, b: string): boolean {
  const real = (p: string) => {
    try {
      return realpathSync(p);
    } catch {
      return resolvePath(p);
    }
  };
  return real(a) === real(b);
}

export class AixTarget implements Target {
  /** The current incarnation; undefined until the first `run` under --multi with no program. */
  private current: Machine | undefined;
  /** The program `run` starts when gdb names none (serve's, or the last one gdb named under --multi). */
  private start: StartOptions;
  private readonly log: (line: string) => void;
  private readonly breakpoints = new Map<bigint, { sw: number; hw: number }>();
  private readonly watchpoints: Array<{ kind: 'read' | 'write' | 'access'; addr: bigint; length: number }> = [];
  private passSet: ReadonlySet<number> = new Set();
  private catchSelection: SyscallCatch = { kind: 'off' };
  private syscallNumbering: SyscallNumbering = () => undefined;
  private running: Promise<RunOutcome> | undefined;
  private interruptRequested = false;
  private freeRun: Promise<void> | undefined;
  private execFileCache: ExecFile | undefined;
  /** `monitor` commands of this target; other layers (the Go runtime views) add theirs here. */
  readonly monitors = new MonitorRegistry();
  private consoleSink: ((text: string) => void) | undefined;
  private importBreak: ((tid: ThreadId, importName: string) => boolean) | undefined;
  private goProcessCache: { process: AixProcess; view: GoProcess } | undefined;

  constructor(private readonly options: AixTargetOptions) {
    this.log = options.log ?? (() => {});
    this.start = options.start;
    if (options.start.program !== '' || !options.multi) this.current = this.newMachine(options.start);
    registerRecordCommands(this.monitors, () => {
      const recorder = this.machine.recorder;
      return { scheduler: this.machine.scheduler, navigator: recorder && { recorder, goto: (pos: Position) => this.gotoPosition(pos) } };
    });
    this.monitors.register('threads', 'guest threads: state, instructions run, the libc call a blocked one waits in', () => {
      const proc = this.machine.process;
      const lines = proc.threads.map((t) => {
        const what = t.status === 'blocked' && t.waiter ? ` in ${t.waiter.description}` : '';
        return `  pthread ${t.tid}: ${t.status}${what}, pc 0x${t.state.pc.toString(16)}, ${t.instructions} instructions`;
      });
      return [`process ${proc.pid}: ${proc.describeEnd()}`, ...lines].join('\n');
    });
  }

  get machine(): Machine {
    if (this.current === undefined) throw new Error(E_NO_PROGRAM.error);
    return this.current;
  }

  /** False before the first `run` under --multi with no program. */
  get hasProgram(): boolean {
    return this.current !== undefined;
  }

  get process(): AixProcess {
    return this.machine.process;
  }

  /** The current process as the Go runtime views read it (a new one after `run`). */
  goProcess(): GoProcess {
    const process = this.machine.process;
    if (this.goProcessCache?.process !== process) {
      const gdbId = (tid: number) => (this.goroutineSource === undefined ? tid : PTHREAD_THREAD_BASE + tid);
      this.goProcessCache = { process, view: goProcessOf(process, gdbId) };
    }
    return this.goProcessCache.view;
  }

  /** The session's console (O packets while the guest runs). */
  setConsoleSink(sink: (text: string) => void): void {
    this.consoleSink = sink;
  }

  printToConsole(text: string): void {
    this.consoleSink?.(text);
  }

  /** Stop a thread entering an import when `stopsAt` says so (monitor break-libcall). */
  setImportBreak(stopsAt: (tid: ThreadId, importName: string) => boolean): void {
    this.importBreak = stopsAt;
  }

  /** Let another layer number import calls for catch syscall (QCatchSyscalls). */
  setSyscallNumbering(numbering: SyscallNumbering): void {
    this.syscallNumbering = numbering;
    if (this.current !== undefined) this.current.port.syscallNumber = numbering;
  }

  // ---------------------------------------------------------------- threads

  /**
   * Show goroutines as gdb threads (undefined: pthreads, gdb thread N = pthread N). The source is
   * asked at most once per stop: `carried` (cheap) for every stop, `list` when gdb wants the list.
   */
  setGoroutineThreads(source: GoroutineThreadSource | undefined): void {
    this.goroutineSource = source;
    this.perStop = undefined;
  }

  private goroutineSource: GoroutineThreadSource | undefined;
  private perStop:
    | {
        stop: number;
        carried?: Map<number, number>;
        goroutineTid?: Map<number, number>;
        ids?: number[];
        list?: { byGoid: Map<number, GoroutineThread>; pthreadNames: Map<number, string> };
      }
    | undefined;
  /** The gdb id each stepping pthread was resumed as: a finished step is reported on it. */
  private readonly steppedAs = new Map<number, ThreadId>();
  /**
   * The id the current stop was reported on, and the pthread that stopped: until the next resume
   * that id means that pthread, whatever goroutine it runs now (a stepi through mcall into the
   * scheduler goes on stepping the same thread, and gdb reads the registers that moved).
   */
  private stoppedAs: { stop: number; id: ThreadId; tid: number } | undefined;

  /** A stop event on pthread `tid`, reported as gdb id `id` (remembered for this stop). */
  private reportOn(tid: number, id: ThreadId = this.gdbThreadIdOf(tid)): ThreadId {
    this.stoppedAs = { stop: this.stopGeneration, id, tid };
    return id;
  }

  /** The pthread a gdb id stands for now (undefined: a goroutine that is not on a thread). */
  private pthreadOf(id: ThreadId): number | undefined {
    const r = this.resolve(id);
    return r !== undefined && 'thread' in r ? r.thread.tid : undefined;
  }

  private stopCache(): NonNullable<AixTarget['perStop']> {
    if (this.perStop?.stop !== this.stopGeneration) this.perStop = { stop: this.stopGeneration };
    return this.perStop;
  }

  /** pthread id -> goid of the goroutine its M runs (empty before the runtime exists). */
  private carried(): Map<number, number> {
    const c = this.stopCache();
    if (c.carried === undefined) {
      try {
        c.carried = this.goroutineSource?.carried() ?? new Map();
      } catch {
        c.carried = new Map(); // the runtime may be half set up (early start-up)
      }
      c.goroutineTid = new Map([...c.carried].map(([tid, goid]) => [goid, tid]));
    }
    return c.carried;
  }

  private goroutineList(): NonNullable<NonNullable<AixTarget['perStop']>['list']> {
    const c = this.stopCache();
    if (c.list === undefined) {
      let listed: ReturnType<GoroutineThreadSource['list']> = { goroutines: [], pthreadNames: new Map(), omitted: false };
      try {
        listed = this.goroutineSource?.list() ?? listed;
      } catch {
        // plain pthreads until the runtime can be read
      }
      c.list = { byGoid: new Map(listed.goroutines.map((g) => [g.goid, g])), pthreadNames: listed.pthreadNames };
    }
    return c.list;
  }

  /** The listed goroutines, then every pthread: what gdb's thread list holds. */
  private goroutineModeIds(): ThreadId[] {
    const c = this.stopCache();
    if (c.ids === undefined) {
      let goids: number[] = [];
      try {
        goids = this.goroutineSource?.ids() ?? [];
      } catch {
        // plain pthreads until the runtime can be read
      }
      const ids = [...goids, ...this.machine.process.liveThreads().map((t) => PTHREAD_THREAD_BASE + t.tid)];
      // The thread a stop was reported on stays listed while it stands for its pthread.
      const stopped = this.stoppedAs;
      if (stopped !== undefined && stopped.stop === this.stopGeneration && !ids.includes(stopped.id)) ids.unshift(stopped.id);
      c.ids = ids;
    }
    return c.ids;
  }

  /** The gdb id a stop of pthread `tid` is reported on: the goroutine it runs, else the pthread. */
  gdbThreadIdOf(tid: number): ThreadId {
    const source = this.goroutineSource;
    if (source === undefined) return tid;
    // One pthread's goroutine is enough to name a stop; the whole map waits until gdb asks more.
    const known = this.stopCache().carried;
    let goid: number | undefined;
    if (known !== undefined) goid = known.get(tid);
    else {
      try {
        goid = source.goidOn(tid);
      } catch {
        goid = undefined; // the runtime may be half set up (early start-up)
      }
    }
    return goid ?? PTHREAD_THREAD_BASE + tid;
  }

  private resolve(id: ThreadId): Resolved | undefined {
    if (this.current === undefined) return undefined;
    if (this.goroutineSource === undefined) {
      const t = this.thread(id);
      return t && { thread: t };
    }
    if (id >= PTHREAD_THREAD_BASE) {
      const t = this.thread(id - PTHREAD_THREAD_BASE);
      return t && { thread: t };
    }
    const stopped = this.stoppedAs;
    if (stopped !== undefined && stopped.stop === this.stopGeneration && stopped.id === id) {
      const t = this.thread(stopped.tid);
      if (t !== undefined) return { thread: t };
    }
    this.carried();
    const tid = this.stopCache().goroutineTid?.get(id);
    if (tid !== undefined) {
      const t = this.thread(tid);
      return t && { thread: t };
    }
    const g = this.goroutineList().byGoid.get(id);
    if (g === undefined) return undefined;
    if (g.saved !== undefined) return { saved: g.saved };
    const t = g.pthread === undefined ? undefined : this.thread(g.pthread);
    return t && { thread: t };
  }

  /** Goroutines can be thousands: gdb gets their ids in one packet and their names on demand. */
  get manyThreads(): boolean {
    return this.goroutineSource !== undefined;
  }

  threads(): ThreadId[] {
    if (this.current === undefined) return [];
    if (this.goroutineSource !== undefined) return this.goroutineModeIds();
    return this.machine.process.liveThreads().map((t) => t.tid);
  }

  threadName(id: ThreadId): string | undefined {
    if (this.current === undefined) return undefined;
    if (this.goroutineSource !== undefined) {
      if (id < PTHREAD_THREAD_BASE) return this.goroutineList().byGoid.get(id)?.name;
      const tid = id - PTHREAD_THREAD_BASE;
      return this.machine.process.threadById(tid) && (this.goroutineList().pthreadNames.get(tid) ?? `pthread ${tid}`);
    }
    const tid = id;
    const t = this.machine.process.threadById(tid);
    if (t === undefined) return undefined;
    const details = this.threadDetailsNow();
    const extra = details?.get(tid);
    const waiting = t.status === 'blocked' && t.waiter ? ` (${t.waiter.description.split(/[ (]/)[0]})` : '';
    return `pthread ${t.tid}${extra ? `, ${extra}` : ''}${waiting}`;
  }

  /**
   * Extra words per thread for its name (the Go runtime views supply "M2, g17"): asked at most once
   * per stop, since gdb asks for every thread's name after each stop.
   */
  setThreadDetails(details: (() => ReadonlyMap<ThreadId, string>) | undefined): void {
    this.threadDetails = details;
    this.threadDetailsCache = undefined;
  }

  private threadDetails: (() => ReadonlyMap<ThreadId, string>) | undefined;
  private threadDetailsCache: { stop: number; details: ReadonlyMap<ThreadId, string> | undefined } | undefined;
  /** Bumped on every resume: cached views of the stopped guest go stale. */
  private stopGeneration = 0;

  private threadDetailsNow(): ReadonlyMap<ThreadId, string> | undefined {
    if (this.threadDetails === undefined) return undefined;
    if (this.threadDetailsCache?.stop !== this.stopGeneration) {
      let details: ReadonlyMap<ThreadId, string> | undefined;
      try {
        details = this.threadDetails();
      } catch {
        details = undefined; // the runtime may be half set up (early start-up): plain names then
      }
      this.threadDetailsCache = { stop: this.stopGeneration, details };
    }
    return this.threadDetailsCache.details;
  }

  private thread(tid: ThreadId): GuestThread | undefined {
    // An ended process keeps its last registers readable (gdb asks for them after the stop).
    return this.machine.process.threadById(tid) ?? this.machine.process.threads.find((t) => t.tid === tid);
  }

  // ---------------------------------------------------------------- registers

  readRegisters(id: ThreadId): Ppc64Registers | TargetError {
    const r = this.resolve(id);
    if (r === undefined) return E_NO_THREAD;
    return 'thread' in r ? registersFromState(r.thread.state) : savedRegisterSet(r.saved);
  }

  /** The stub's per-register fast path (stop replies, `p`): no full register-set conversion. */
  readRegister(id: ThreadId, regno: number): Uint8Array | TargetError {
    const r = this.resolve(id);
    if (r === undefined) return E_NO_THREAD;
    const bytes = 'thread' in r
      ? registerBytesFromState(r.thread.state, regno) ?? readPpc64Register(registersFromState(r.thread.state), regno)
      : readPpc64Register(savedRegisterSet(r.saved), regno);
    return bytes ?? { error: `no register ${regno}`, errno: 22 };
  }

  writeRegisters(id: ThreadId, regs: Ppc64Registers): TargetError | undefined {
    const r = this.resolve(id);
    if (r === undefined) return E_NO_THREAD;
    // A parked goroutine's registers live in g.sched; changing them there would change where the
    // scheduler resumes it, behind the runtime's back: refused.
    if (!('thread' in r)) return E_PARKED;
    const refused = this.refuseWriteInPast();
    if (refused) return refused;
    const t = r.thread;
    const pcBefore = t.state.pc;
    this.intervene(() => registersIntoState(regs, t.state));
    if (t.state.pc !== pcBefore) {
      // gdb moved the PC (jump, call, return): whatever call or step was under way is abandoned.
      const c = this.machine.port.control(t);
      c.inCall = undefined;
      c.entryReported = false;
    }
    return undefined;
  }

  // ---------------------------------------------------------------- memory

  readMemory(addr: Address, length: number): Uint8Array | TargetError {
    if (length === 0) return new Uint8Array(0);
    if (this.current === undefined) return E_NO_PROGRAM;
    const bytes = this.machine.process.mem.readBytes(addr, length);
    if (bytes.length === 0) return { error: `cannot read memory at 0x${addr.toString(16)}`, errno: 14 };
    return bytes;
  }

  writeMemory(addr: Address, data: Uint8Array): TargetError | undefined {
    // writeBytes drops decoded instructions of code pages it touches (GuestMemory.codeWriteHook).
    if (this.current === undefined) return E_NO_PROGRAM;
    const refused = this.refuseWriteInPast();
    if (refused) return refused;
    const mem = this.machine.process.mem;
    let n = 0;
    const bytes = data.slice();
    this.intervene(() => {
      n = mem.writeBytes(addr, bytes);
    });
    if (n < data.length) return { error: `cannot write memory at 0x${(addr + BigInt(n)).toString(16)}`, errno: 14 };
    return undefined;
  }

  /** A change gdb makes to the guest: logged by the recorder so a replay makes it again. */
  private intervene(apply: () => void): void {
    const r = this.machine.recorder;
    if (r === undefined) apply();
    else r.intervene(apply);
  }

  /** In the recorded past the guest's history is fixed: writes would make the replay diverge. */
  private refuseWriteInPast(): TargetError | undefined {
    const r = this.current?.recorder;
    if (r === undefined || r.live || r.disabled !== undefined) return undefined;
    return { error: 'the guest is replaying its recorded past: writes would change history (`monitor goto end` first)', errno: 1 };
  }

  // ---------------------------------------------------------------- stop points

  addBreakpoint(kind: BreakpointKind, addr: Address, length: number): TargetError | undefined {
    if (kind === 'sw' || kind === 'hw') {
      const e = this.breakpoints.get(addr) ?? { sw: 0, hw: 0 };
      e[kind]++;
      this.breakpoints.set(addr, e);
      this.current?.port.setBreakpoint(addr, e.sw === 0, true);
      return undefined;
    }
    if (length <= 0) return { error: 'empty watch range', errno: 22 };
    const k = watchKind(kind);
    this.watchpoints.push({ kind: k, addr, length });
    this.current?.port.addWatch(k, addr, length);
    return undefined;
  }

  removeBreakpoint(kind: BreakpointKind, addr: Address, length: number): TargetError | undefined {
    if (kind === 'sw' || kind === 'hw') {
      const e = this.breakpoints.get(addr);
      if (!e || e[kind] === 0) return undefined; // gdb removes what it thinks is there: not an error
      e[kind]--;
      if (e.sw + e.hw === 0) {
        this.breakpoints.delete(addr);
        this.current?.port.setBreakpoint(addr, false, false);
      } else {
        this.current?.port.setBreakpoint(addr, e.sw === 0, true);
      }
      return undefined;
    }
    const k = watchKind(kind);
    const i = this.watchpoints.findIndex((w) => w.kind === k && w.addr === addr && w.length === length);
    if (i >= 0) this.watchpoints.splice(i, 1);
    this.current?.port.removeWatch(k, addr, length);
    return undefined;
  }

  // ---------------------------------------------------------------- execution

  async attach(): Promise<StopEvent> {
    if (this.current === undefined) return { kind: 'exited', code: 0 }; // --multi: no process until `run`
    if (this.freeRun !== undefined) {
      // The guest ran on after a detach: stop it for the new client.
      this.machine.scheduler.requestStop();
      const run = this.freeRun;
      await run;
    }
    const m = this.machine;
    m.port.detached = false;
    if (m.process.end !== undefined) {
      // --multi leaves the choice to gdb's `run` (gdbserver --multi reports no process).
      if (this.options.multi) return this.endEvent();
      this.log(`serve: the previous run ${m.process.describeEnd()}; starting the program again`);
      this.current = this.newMachine(this.start);
      return this.initialStop();
    }
    if (this.attachStop !== undefined) {
      const s = this.attachStop;
      this.attachStop = undefined;
      return s;
    }
    return this.initialStop();
  }

  /** Why the guest is stopped after a free run was interrupted (the next attach reports it). */
  private attachStop: StopEvent | undefined;

  private initialStop(): StopEvent {
    const main = this.machine.process.liveThreads()[0];
    if (main === undefined) return this.endEvent();
    return { kind: 'signal', thread: this.reportOn(main.tid), signal: GdbSignal.TRAP };
  }

  /**
   * The request in pthreads. A goroutine that is not on a thread cannot be stepped by itself: a
   * step or continue naming it resumes every thread (README, "Goroutines as threads").
   */
  private pthreadActions(request: ResumeRequest): { byTid: Map<number, ResumeAction>; others: ResumeAction | undefined } {
    const byTid = new Map<number, ResumeAction>();
    let others = request.others;
    this.steppedAs.clear();
    for (const [id, action] of request.threads) {
      const r = this.resolve(id);
      if (r === undefined) continue;
      if (!('thread' in r)) {
        others ??= { kind: 'continue' };
        continue;
      }
      const tid = r.thread.tid;
      if (byTid.has(tid)) continue; // a goroutine and its pthread both named: the first wins
      byTid.set(tid, action);
      if (action.kind !== 'continue') this.steppedAs.set(tid, id);
    }
    return { byTid, others };
  }

  resume(request: ResumeRequest): Promise<StopEvent> {
    if (this.current === undefined) return Promise.resolve({ kind: 'exited', code: 0 });
    const m = this.current;
    if (m.process.end !== undefined) return Promise.resolve(this.endEvent());
    // Ids are resolved against the stopped state, before it goes stale.
    const { byTid, others } = this.pthreadActions(request);
    this.stopGeneration++;
    const port = m.port;
    for (const t of m.process.liveThreads()) {
      const action = byTid.get(t.tid) ?? others;
      const c = port.control(t);
      c.mode = modeOf(action);
      c.startPc = t.state.pc;
      c.progressed = false;
      if (action?.kind === 'range-step') {
        c.rangeStart = action.start;
        c.rangeEnd = action.end;
      }
      const signal = action && 'signal' in action ? (action.signal ?? 0) : 0;
      if (signal !== 0) this.intervene(() => this.applyResumeSignal(t, signal));
      else this.applyResumeSignal(t, 0);
      c.lastStop = undefined;
    }
    port.newThreadMode = others !== undefined ? 'continue' : 'stop';
    const rec = m.recorder;
    if (rec !== undefined && !rec.live) {
      // In the past the recorded schedule decides who runs: threads gdb holds run as recorded.
      for (const t of m.process.liveThreads()) if (port.control(t).mode === 'stop') port.control(t).mode = 'continue';
      port.newThreadMode = 'continue';
      rec.beginUserReplay();
    }
    if (this.interruptRequested) {
      this.interruptRequested = false;
      return Promise.resolve(this.interruptStop());
    }
    port.lastStop = undefined;
    const running = this.runUntilStop(m);
    this.running = running;
    return running.then(
      (outcome) => this.afterRun(m, outcome),
      (e: unknown) => {
        this.running = undefined;
        throw e;
      },
    );
  }

  /** The scheduler's run, going on past the stops a replay reproduces from the recording. */
  private async runUntilStop(m: Machine): Promise<RunOutcome> {
    for (;;) {
      let outcome: RunOutcome;
      try {
        outcome = await m.scheduler.runUntilStop();
      } catch (e) {
        if (!(e instanceof ReplayDiverged)) throw e;
        this.log(`serve: ${e.message}`);
        return { kind: 'interrupted' };
      }
      if (outcome.kind === 'debug' && m.recorder?.takeRecordedPause() === true) continue;
      m.recorder?.atStop();
      return outcome;
    }
  }

  /** A reverse search is under way (it yields to the event loop so that Ctrl-C reaches it). */
  private reversing = false;

  interrupt(): void {
    if (this.reversing) {
      this.machine.recorder?.requestInterrupt();
      return;
    }
    if (this.running === undefined) return;
    this.interruptRequested = true;
    this.machine.scheduler.requestStop();
  }

  private afterRun(m: Machine, outcome: RunOutcome): StopEvent {
    this.running = undefined;
    this.interruptRequested = false;
    for (const t of m.process.threads) m.port.control(t).mode = 'stop';
    m.port.newThreadMode = 'stop';
    if (outcome.kind === 'ended') return this.endEvent();
    if (outcome.kind === 'interrupted') return this.interruptStop();
    const last = m.port.lastStop;
    if (last === undefined || last.thread !== outcome.thread) {
      // A CPU stop the port did not classify (should not happen): show it as a plain trap.
      this.log(`serve: unexpected stop in pthread ${outcome.thread.tid}: ${outcome.detail}`);
      return { kind: 'signal', thread: this.reportOn(outcome.thread.tid), signal: GdbSignal.TRAP };
    }
    // A finished step is the thread gdb stepped, whatever goroutine the pthread runs now.
    const stepped = last.stop.kind === 'step' ? this.steppedAs.get(last.thread.tid) : undefined;
    return stopEvent(this.reportOn(last.thread.tid, stepped), last.stop);
  }

  private interruptStop(): StopEvent {
    const m = this.machine;
    const cur = m.scheduler.current;
    const t = cur !== undefined && cur.status !== 'exited' ? cur : m.process.liveThreads()[0];
    if (t === undefined) return this.endEvent();
    return { kind: 'signal', thread: this.reportOn(t.tid), signal: GdbSignal.INT };
  }

  private endEvent(): StopEvent {
    const end = this.current?.process.end;
    if (end === undefined || end.kind === 'exited') return { kind: 'exited', code: end?.code ?? 0 };
    if (end.kind === 'signaled') return { kind: 'terminated', signal: aixToGdbSignal(end.signal) };
    this.log(`serve: guest crashed: ${end.message}`);
    return { kind: 'terminated', signal: end.message.startsWith('illegal') ? GdbSignal.ILL : GdbSignal.ABRT };
  }

  /** The signal gdb resumes a thread with: pass the reported fault/signal on, drop it, or send a new one. */
  private applyResumeSignal(t: GuestThread, gdbSignal: number): void {
    const c = this.machine.port.control(t);
    const aix = gdbSignal === 0 ? 0 : gdbToAixSignal(gdbSignal);
    const last = c.lastStop;
    c.passFault = false;
    if (last?.kind === 'fault' && aix === last.signal) {
      c.passFault = true;
      return;
    }
    const held = c.heldSignal;
    c.heldSignal = undefined;
    if (held !== undefined && aix === held.signal) {
      t.pendingSignals.unshift(held);
      c.passSignalOnce = held.signal;
      return;
    }
    if (aix !== undefined && aix !== 0) {
      queueSignal(this.machine.process, t, { signal: aix, code: 0, addr: 0n, pid: this.machine.process.pid });
      c.passSignalOnce = aix;
    }
  }

  // ---------------------------------------------------------------- process control

  kill(): void {
    const m = this.current;
    if (m === undefined) return;
    if (this.running !== undefined) m.scheduler.requestStop();
    m.process.terminate({ kind: 'signaled', signal: 9 });
    this.log(`serve: process ${m.process.pid} killed`);
  }

  detach(): void {
    const m = this.current;
    if (m === undefined || m.process.end !== undefined) return;
    m.port.detached = true;
    for (const t of m.process.threads) {
      const c = m.port.control(t);
      c.mode = 'continue';
      if (c.heldSignal !== undefined) t.pendingSignals.unshift(c.heldSignal);
      c.heldSignal = undefined;
      // A fault gdb was shown goes to the guest now, as it would have without a debugger.
      c.passFault = c.lastStop?.kind === 'fault';
    }
    this.clearStopPoints();
    const run = this.runUntilStop(m).then((outcome) => {
      if (this.freeRun === run) this.freeRun = undefined;
      if (outcome.kind === 'ended') this.log(`serve: program ${m.process.describeEnd()}`);
      else if (outcome.kind === 'interrupted') this.attachStop = this.interruptStop();
    });
    this.freeRun = run;
  }

  /** Resolves once a guest left running by a detach has stopped (ended, or stopped for a new client). */
  async whenRunningFreeEnds(): Promise<void> {
    while (this.freeRun !== undefined) await this.freeRun;
  }

  async restart(args: string[], program?: string): Promise<StopEvent | TargetError> {
    const start = this.startOptionsFor(args, program);
    if ('error' in start) return start;
    if (this.freeRun !== undefined) {
      this.machine.scheduler.requestStop();
      await this.freeRun;
    }
    const old = this.current;
    let m: Machine;
    // Stop points belong to the process: gdb inserts them again into the new one (and one it
    // deleted while no process ran must not come back, e.g. after --multi switched programs).
    this.breakpoints.clear();
    this.watchpoints.length = 0;
    try {
      m = this.newMachine(start); // a file that does not load leaves the current process as it was
    } catch (e) {
      return { error: e instanceof Error ? e.message : String(e), errno: 2 };
    }
    old?.process.terminate({ kind: 'signaled', signal: 9 });
    const switched = start.program !== this.start.program;
    if (switched) this.start = { ...start, args: [] };
    this.current = m;
    this.log(`serve: program ${switched || old === undefined ? 'started' : 'restarted'} (${[start.program, ...start.args].join(' ')})`);
    return this.initialStop();
  }

  /** How `run` starts: the program gdb names (another one only under --multi), else the current one. */
  private startOptionsFor(args: string[], program: string | undefined): StartOptions | TargetError {
    const served = this.start.program;
    if (program === undefined || (served !== '' && sameFile(program, served))) {
      if (served === '') return { error: 'no program named: in gdb, `set remote exec-file PROG` before `run`', errno: 2 };
      return { ...this.start, args: args.length > 0 ? args : this.start.args };
    }
    if (!this.options.multi) return { error: `this stub serves ${served} (serve --multi runs whichever program gdb names)`, errno: 1 };
    // Another program: serve's argv0 (-0) and arguments were for the first one.
    const { argv0: _argv0, ...rest } = this.start;
    return { ...rest, program: resolvePath(program), args };
  }

  // ---------------------------------------------------------------- reverse execution

  canReverse(): boolean {
    // Before the first --multi `run`: whether the runs will be recorded (qSupported comes first).
    if (this.current === undefined) return this.options.record !== undefined;
    return this.current.recorder !== undefined && this.current.recorder.disabled === undefined;
  }

  async reverseStep(id: ThreadId): Promise<StopEvent> {
    const tid = this.pthreadOf(id) ?? id;
    this.stopGeneration++;
    const rec = this.requireRecorder();
    let target = rec.previousStepOf(tid);
    let overSequence = false;
    for (;;) {
      if (target === undefined || before(target, rec.startPosition)) return this.atHistoryStart(id);
      const to = target;
      this.navigate(() => rec.goto(to));
      // gdb steps forward over a larx..stcx. sequence in one go (ppc_deal_with_atomic_sequence):
      // stepping back stops at the same places, never inside one.
      const t = this.machine.process.threadById(tid);
      if (t === undefined) break;
      if (insideAtomicSequence((a) => this.machine.process.mem.readBytes(a, 4), t.state.pc)) {
        overSequence = true;
        target = rec.previousStepOf(tid, target);
        continue;
      }
      if (overSequence) this.backBeforeHandler(rec, tid, to, t);
      break;
    }
    return { kind: 'signal', thread: this.reportOn(tid, id), signal: GdbSignal.TRAP };
  }

  /**
   * gdb's step over an atomic sequence is a continue, and a thread that continues takes its pending
   * signals: a handler may have run between the larx where gdb's step began and the larx the walk
   * back reached. Where the thread stood just before that delivery at the same pc and stack
   * pointer, that earlier place is where gdb's step began: go there (a step back never lands in a
   * handler that forward steps never entered).
   */
  private backBeforeHandler(rec: Recorder, tid: number, at: Position, t: GuestThread): void {
    const pc = t.state.pc;
    const sp = t.state.getGpr(1);
    const earlier = rec.beforeLastSignalTo(tid, at);
    if (earlier === undefined || !before(earlier, at) || before(earlier, rec.startPosition)) return;
    this.navigate(() => rec.goto(earlier));
    const again = this.machine.process.threadById(tid);
    if (again !== undefined && again.state.pc === pc && again.state.getGpr(1) === sp) return;
    this.navigate(() => rec.goto(at));
  }

  async reverseContinue(id: ThreadId, accept?: (stop: StopEvent) => boolean): Promise<StopEvent> {
    this.stopGeneration++;
    const rec = this.requireRecorder();
    let hit: Awaited<ReturnType<Recorder['findPreviousHit']>>;
    const filter = accept === undefined ? undefined : (h: { tid: number; stop: unknown }) => {
      const report = h.stop as { stop: DebugStop } | undefined;
      // The state moves while searching: name the pthread itself, which needs no per-stop cache.
      return report === undefined || accept(stopEvent(this.goroutineSource === undefined ? h.tid : PTHREAD_THREAD_BASE + h.tid, report.stop));
    };
    this.reversing = true;
    try {
      hit = await rec.findPreviousHit(filter);
    } finally {
      this.reversing = false;
      this.navigate(() => {});
    }
    if (hit === 'interrupted') return this.interruptStop();
    const report = hit?.stop as { thread: GuestThread; stop: DebugStop } | undefined;
    if (hit === undefined || report === undefined) return this.atHistoryStart(id);
    if (report.stop.kind === 'watch') {
      // Power watchpoints are reported before the access and gdb steps over it, here backwards:
      // report the state just after the write so that gdb's step back lands on the writing
      // instruction (old value = after, new value = before, as rr shows it).
      const after = { rec: hit.pos.rec, off: hit.pos.off + 1 };
      this.navigate(() => rec.goto(after));
    }
    return stopEvent(this.reportOn(hit.tid), report.stop);
  }

  /** Go to a position of the recorded history (monitor goto / bookmarks). False: outside history. */
  gotoPosition(pos: Position): boolean {
    this.stopGeneration++;
    const rec = this.requireRecorder();
    let ok = false;
    this.navigate(() => {
      ok = rec.goto(pos);
    });
    return ok;
  }

  private requireRecorder(): Recorder {
    const rec = this.machine.recorder;
    if (rec === undefined || rec.disabled !== undefined) throw new Error(rec?.disabled ?? 'the run is not recorded (serve --record)');
    return rec;
  }

  private navigate(fn: () => void): void {
    const m = this.machine;
    try {
      fn();
    } finally {
      for (const t of m.process.threads) m.port.control(t).mode = 'stop';
      m.port.newThreadMode = 'stop';
      this.stopGeneration++; // another moment of the guest: thread views are read afresh
    }
  }

  /** Nothing earlier to go to: the start of history, reported as gdb's replaylog:begin. */
  private atHistoryStart(id: ThreadId): StopEvent {
    const tid = this.pthreadOf(id) ?? id;
    const rec = this.requireRecorder();
    this.navigate(() => rec.goto(rec.startPosition));
    this.stopGeneration++;
    const live = this.machine.process.liveThreads();
    const t = live.find((x) => x.tid === tid) ?? live[0];
    const thread = t === undefined ? id : this.reportOn(t.tid);
    return { kind: 'signal', thread, signal: GdbSignal.TRAP, replayLog: 'begin' };
  }

  // ---------------------------------------------------------------- capabilities

  execFile(): ExecFile | undefined {
    if (this.current === undefined) return undefined;
    const path = resolvePath(this.start.program);
    if (this.execFileCache?.path !== path) {
      const { image, sentinels } = this.current.process;
      // The emulator's libc entry points get names and code (blr) so gdb can show and unwind them.
      const hostCode = {
        name: '.aix.libc',
        vaddr: sentinels.base,
        bytes: sentinels.codeBytes(),
        functions: sentinels.calls.map((c) => ({ name: c.name, address: c.entry, size: SENTINEL_STRIDE })),
      };
      const leaves = hostCode.functions.map((f) => ({ start: f.address, size: f.size }));
      const debugFrame = this.options.debugFrame?.(image, leaves);
      this.execFileCache = { path, contents: buildElfView(image, hostCode, { debugFrame }) };
    }
    return this.execFileCache;
  }

  passSignals(signals: ReadonlySet<number>): void {
    const aix = new Set<number>();
    for (const g of signals) {
      const a = gdbToAixSignal(g);
      if (a !== undefined && a !== 0) aix.add(a);
    }
    this.passSet = aix;
    if (this.current !== undefined) this.current.port.passSignals = aix;
  }

  catchSyscalls(selection: SyscallCatch): void {
    this.catchSelection = selection;
    if (this.current !== undefined) this.applyCatch(this.current.port);
  }

  async monitor(command: string, selected?: ThreadId): Promise<string> {
    const r = selected === undefined ? undefined : this.resolve(selected);
    const text = await this.monitors.run(command, { thread: r !== undefined && 'thread' in r ? r.thread.tid : undefined });
    // The position belongs in the thread list of a recorded run.
    const rec = this.current?.recorder;
    if (rec !== undefined && rec.disabled === undefined && /^\s*threads\b/i.test(command)) return `position: ${describePosition(rec)}\n${text}`;
    return text;
  }

  // ---------------------------------------------------------------- helpers

  private newMachine(start: StartOptions): Machine {
    const record = this.options.record === undefined ? undefined : { ...this.options.record, stopPoints: { suspend: () => this.suspendStopPoints(), resume: () => this.resumeStopPoints() } };
    const m = createMachine(start, this.options.sliceBudget, record);
    this.stopGeneration++;
    m.port.passSignals = this.passSet;
    m.port.importBreak = (t, name) => this.importBreak?.(t.tid, name) ?? false;
    m.port.syscallNumber = this.syscallNumbering;
    this.applyCatch(m.port);
    // Stop points gdb inserted before the process existed (--multi) or kept over an ended run.
    for (const [addr, e] of this.breakpoints) m.port.setBreakpoint(addr, e.sw === 0, true);
    for (const w of this.watchpoints) m.port.addWatch(w.kind, w.addr, w.length);
    return m;
  }

  /** Breakpoints and watchpoints out of the CPU while a replay moves to a position. */
  private suspendStopPoints(): void {
    const port = this.machine.port;
    for (const addr of this.breakpoints.keys()) port.setBreakpoint(addr, false, false);
    for (const w of this.watchpoints) port.removeWatch(w.kind, w.addr, w.length);
  }

  private resumeStopPoints(): void {
    const port = this.machine.port;
    for (const [addr, e] of this.breakpoints) port.setBreakpoint(addr, e.sw === 0, true);
    for (const w of this.watchpoints) port.addWatch(w.kind, w.addr, w.length);
  }

  private applyCatch(port: DebugCpuPort): void {
    const s = this.catchSelection;
    port.catching = s.kind === 'off' ? undefined : s.kind === 'all' ? 'all' : new Set(s.numbers);
  }

  private clearStopPoints(): void {
    for (const addr of this.breakpoints.keys()) this.machine.port.setBreakpoint(addr, false, false);
    for (const w of this.watchpoints) this.machine.port.removeWatch(w.kind, w.addr, w.length);
    this.breakpoints.clear();
    this.watchpoints.length = 0;
    this.catchSelection = { kind: 'off' };
    this.applyCatch(this.machine.port);
  }
}

/** lwarx/ldarx/lbarx/lharx (X-form, primary 31) and their stwcx./stdcx./stbcx./sthcx. */
const LARX_XO = new Set([20, 84, 52, 116]);
const STCX_XO = new Set([150, 214, 694, 726]);
const ATOMIC_SEQUENCE_MAX = 16;

function xo(word: number): number {
  return word >>> 26 === 31 ? (word >>> 1) & 0x3ff : -1;
}

/** pc is after a load-reserve and at or before its store-conditional (where gdb's forward stepi never stops). */
export function insideAtomicSequence(read: (addr: bigint) => Uint8Array, pc: bigint): boolean {
  const word = (a: bigint): number => {
    const b = read(a);
    return b.length < 4 ? -1 : ((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0;
  };
  if (LARX_XO.has(xo(word(pc)))) return false;
  let larx = false;
  for (let k = 1; k <= ATOMIC_SEQUENCE_MAX; k++) {
    const w = xo(word(pc - BigInt(4 * k)));
    if (STCX_XO.has(w)) return false;
    if (LARX_XO.has(w)) {
      larx = true;
      break;
    }
  }
  if (!larx) return false;
  // gdb only treats it as a sequence when the store-conditional follows within reach.
  for (let k = 0; k < ATOMIC_SEQUENCE_MAX; k++) if (STCX_XO.has(xo(word(pc + BigInt(4 * k))))) return true;
  return false;
}

function watchKind(kind: BreakpointKind): 'read' | 'write' | 'access' {
  return kind === 'watch-read' ? 'read' : kind === 'watch-write' ? 'write' : 'access';
}

function modeOf(action: ResumeAction | undefined): ThreadMode {
  if (action === undefined) return 'stop';
  if (action.kind === 'continue') return 'continue';
  if (action.kind === 'step') return 'step';
  return 'range';
}

function stopEvent(tid: ThreadId, stop: DebugStop): StopEvent {
  switch (stop.kind) {
    case 'breakpoint':
      return { kind: 'signal', thread: tid, signal: GdbSignal.TRAP, reason: { kind: stop.hw ? 'hwbreak' : 'swbreak' } };
    case 'step':
      return { kind: 'signal', thread: tid, signal: GdbSignal.TRAP };
    case 'watch':
      return { kind: 'signal', thread: tid, signal: GdbSignal.TRAP, reason: { kind: 'watch', access: stop.access, addr: stop.addr } };
    case 'fault':
    case 'signal':
      return { kind: 'signal', thread: tid, signal: aixToGdbSignal(stop.signal) };
    case 'syscall-entry':
    case 'syscall-return':
      return { kind: 'signal', thread: tid, signal: GdbSignal.TRAP, reason: { kind: stop.kind, number: stop.number } };
  }
}

/** A parked goroutine's registers as gdb sees them: g.sched's pc, sp, lr and g; everything else 0. */
function savedRegisterSet(saved: SavedGoroutineRegisters): Ppc64Registers {
  const r = createPpc64Registers();
  r.pc = saved.pc;
  r.lr = saved.lr;
  r.gpr[1] = saved.sp;
  r.gpr[G_REGISTER] = saved.g;
  r.msr = USER_MSR;
  return r;
}
