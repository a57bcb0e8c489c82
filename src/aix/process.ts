// An emulated AIX process: guest memory with the loaded image, its threads, the process-wide
// state libc keeps (file descriptors, signal actions, semaphores, ids) and the dispatcher that
// turns a thread reaching a sentinel into an HLE call (notes/aix-go-contract.md §3).
import { GuestMemory, MemoryFault } from '../cpu/memory.js';
import type { CpuState } from '../cpu/state.js';
import { CR, LR_HI, LR_LO, PC_HI, PC_LO, XER } from '../cpu/state.js';
import type { XcoffImage } from '../xcoff/index.js';
import { AddressSpace } from './address-space.js';
import type { GuestClock } from './clock.js';
import { CLOCK_MONOTONIC, CLOCK_REALTIME, ERRNO, SIG, errnoName, signalName } from './constants.js';
import type { CpuPort } from './cpu-port.js';
import { FileMappings } from './file-mappings.js';
import { FileTable, SeededRandom } from './files.js';
import { VirtualInodes } from './virtual-inodes.js';
import { TLS_BLOCK_SIZE, TLS_R13_OFFSET, loadProgram, type LoadedProgram } from './loader.js';
import { libcFunctions, type HleContext } from './libc/index.js';
import { clockGettimeFast } from './libc/time.js';
import { sigactionHalves } from './libc/signals.js';
import { SentinelTable, THREAD_EXIT_INDEX, type HostCall } from './sentinels.js';
import { GuestThread, type ActiveCall, type CallResult } from './threads.js';
import { SignalState, queueSignal, sigreturn, type PendingSignal } from './signals.js';
import { ProcessTable, ROOT_PID, waitStatusOf } from './process-table.js';
import { straceObserver, type StraceFormat } from './strace-writer.js';

export interface ProcessOptions {
  image: XcoffImage;
  argv: string[];
  envp: string[];
  cpu: CpuPort;
  clock: GuestClock;
  /** Guest file-system root ('/' = the host's, unconfined). */
  root?: string;
  /** Bytes of guest memory (touched/committed) before the guest gets ENOMEM. */
  memoryLimit?: bigint;
  /** Receives one strace line per libc call when set. */
  strace?: (line: string) => void;
  /** How --strace lines look (-tt, -T, JSON lines, strace -o's file prefix). */
  straceFormat?: StraceFormat;
  /** Host fds the guest's 0, 1, 2 are (default 0, 1, 2). */
  stdio?: [number, number, number];
  /** sysconf(_SC_NPROCESSORS_ONLN): GOMAXPROCS's default. */
  cpus?: number;
  /** The machine's process table (a new one, with this process as its root, when absent). */
  table?: ProcessTable;
  /** Process ids (default: the root's). */
  pid?: number;
  ppid?: number;
  /** The descriptor table to start with (execve keeps the caller's); a new one with stdio otherwise. */
  files?: FileTable;
  /** execve of a host program under --root runs it (unconfined) instead of failing with EACCES. */
  allowHostExec?: boolean;
}

/** What fork copies into the child: the parent and the one thread that called fork. */
export interface ForkSource {
  parent: AixProcess;
  thread: GuestThread;
}

export type ProcessEnd =
  | { kind: 'exited'; code: number }
  | { kind: 'signaled'; signal: number }
  /** The emulator cannot continue: unknown instruction, unimplemented import, jump into the void. */
  | { kind: 'crashed'; message: string };

/** Sees import calls as they happen (AixProcess.callObservers), and what strace -f also shows. */
export interface CallObserver {
  enter?(t: GuestThread, call: ActiveCall): void;
  exit?(t: GuestThread, call: ActiveCall, r3: bigint, errno: number): void;
  /** A blocked call gave way to a signal handler and is made again after it (SA_RESTART). */
  restarted?(t: GuestThread, call: ActiveCall): void;
  /** A signal is being delivered to t (its handler runs next, or its default action). */
  signal?(t: GuestThread, s: PendingSignal): void;
  /** t ends while other threads go on (pthread_exit, return from its start function). */
  threadExit?(t: GuestThread): void;
  /** The process ends; its threads are still listed as they were. */
  processEnd?(end: ProcessEnd): void;
}

export const DEFAULT_MEMORY_LIMIT = 4n << 30n;

/** A libc call's arguments as the AIX ABI passes them: R3..R10. */
function callArguments(s: CpuState): bigint[] {
  const args: bigint[] = [];
  for (let r = 3; r <= 10; r++) args.push(s.getGpr(r));
  return args;
}

export class AixProcess {
  readonly mem: GuestMemory;
  readonly space: AddressSpace;
  readonly program: LoadedProgram;
  readonly sentinels: SentinelTable;
  readonly threads: GuestThread[] = [];
  readonly files: FileTable;
  /** File-backed mmap regions and their write-back (libc/memory.ts). */
  readonly fileMappings: FileMappings;
  readonly signals = new SignalState();
  /** Semaphore counts keyed by the guest address of the sem_t (§5.4). */
  readonly semaphores = new Map<bigint, number>();
  readonly pid: number;
  readonly ppid: number;
  readonly table: ProcessTable;
  /** Stopped by SIGSTOP (or a default-action SIGTSTP/SIGTTIN/SIGTTOU) until SIGCONT: no thread runs. */
  stopped = false;
  /** Set when execve replaced this process image by another one (same pid): its end is not a death. */
  replaced = false;
  readonly uid: number;
  readonly gid: number;
  readonly cpus: number;
  /** Nice value (getpriority/setpriority). */
  nice = 0;
  /** Set once the process has ended; every thread is then gone. */
  end: ProcessEnd | undefined;
  /** Bumped whenever something a blocked thread might wait for changes. */
  eventCount = 0;
  private nextTid = 1;
  /** pthread_attr handles: guest address -> stack size. */
  readonly threadAttrs = new Map<bigint, { stackSize: bigint; detached: boolean }>();
  /**
   * Debugger hook: asked before an asynchronous signal is delivered to a thread; false leaves it
   * pending (the debugger reports it first, or the thread is held stopped). Unset: always deliver.
   */
  signalGate: ((t: GuestThread, signal: number) => boolean) | undefined;
  /**
   * Observers of every import call (monitor syscalls / strace / break-libcall): `enter` just before
   * the HLE function runs, `exit` once its result is in R3 (after a block, when it completes).
   */
  readonly callObservers = new Set<CallObserver>();
  /** Called after each run of guest code on t (the --timeline recorder looks at its g then). */
  afterRun: ((t: GuestThread) => void) | undefined;
  /** Called once by notifyHostEvent (the scheduler's wake-up while every thread waits). */
  hostEventListener: (() => void) | undefined;
  /** ITIMER_PROF interval in ns (0 = off) and next expiry on the CPU clock. */
  profTimer = { intervalNs: 0n, nextNs: 0n };

  constructor(readonly opts: ProcessOptions, fork?: ForkSource) {
    const parent = fork?.parent;
    this.table = opts.table ?? parent?.table ?? new ProcessTable();
    this.pid = opts.pid ?? ROOT_PID;
    this.ppid = opts.ppid ?? 1;
    this.mem = parent ? parent.mem.clone() : new GuestMemory();
    this.space = parent ? parent.space.cloneFor(this.mem) : new AddressSpace(this.mem, opts.memoryLimit ?? DEFAULT_MEMORY_LIMIT);
    this.program = parent ? parent.program : loadProgram(this.mem, this.space, opts.image, { argv: opts.argv, envp: opts.envp });
    this.sentinels = this.program.sentinels;
    this.files = parent ? parent.files.forkCopy() : (opts.files ?? new FileTable(opts.root ?? '/', opts.stdio ?? [0, 1, 2]));
    if (opts.clock.deterministic && !parent && !opts.files) {
      this.files.seededRandom = new SeededRandom();
      this.files.virtualInodes = new VirtualInodes(() => opts.clock.realtimeNs());
    }
    this.files.hostEvent = () => this.notifyHostEvent();
    this.fileMappings = new FileMappings(this.mem, this.files);
    if (opts.strace) this.callObservers.add(straceObserver(this, opts.strace, opts.straceFormat));
    this.cpus = opts.cpus ?? 1;
    this.uid = typeof process.getuid === 'function' ? process.getuid() : 0;
    this.gid = typeof process.getgid === 'function' ? process.getgid() : 0;
    this.table.attach(this);
    if (fork) {
      this.copyFrom(fork.parent, fork.thread);
      return;
    }
    const m = this.program.main;
    const t = new GuestThread(this.nextTid++, m.tlsBlock, m.stackLow, m.stackHigh);
    initRegisters(t.state, {
      pc: m.pc,
      toc: m.toc,
      sp: m.sp,
      r13: m.r13,
      lr: m.returnAddress,
      gprs: { 3: BigInt(m.argc), 4: m.argv, 5: m.envp, 14: BigInt(m.argc), 15: m.argv, 16: m.envp, 19: m.loaderCallback },
    });
    this.threads.push(t);
  }

  /**
   * fork(): the child gets a copy of the parent's memory and process state and one thread, a copy
   * of the caller, which returns 0 from the same fork call (POSIX: only the calling thread exists
   * in the child; pending signals and interval timers are not inherited).
   */
  private copyFrom(parent: AixProcess, caller: GuestThread): void {
    parent.signals.actions.forEach((a, i) => (this.signals.actions[i] = a)); // frozen: shared
    for (const [k, v] of parent.semaphores) this.semaphores.set(k, v);
    for (const [k, v] of parent.threadAttrs) this.threadAttrs.set(k, { ...v });
    this.nice = parent.nice;
    this.nextTid = parent.nextTid;
    const t = new GuestThread(caller.tid, caller.tlsBlock, caller.stackLow, caller.stackHigh);
    t.state.copyFrom(caller.state);
    t.errnoCell = caller.errnoCell;
    t.sigmask = [...caller.sigmask];
    t.altStack = { ...caller.altStack };
    t.signalFrames = caller.signalFrames.map((f) => ({ ...f }));
    t.instructions = 0;
    this.threads.push(t);
    if (caller.current) {
      t.current = { ...caller.current, args: [...caller.current.args] };
      this.completeCall(t, 0);
    }
  }

  /** A host event (socket data, connection, stdin bytes) may have ended some thread's wait. */
  notifyHostEvent(): void {
    this.wake();
    // The descriptor may be shared with other processes (fork): they look too.
    this.table.wakeAll(this);
  }

  /** Let this process's scheduler re-check its blocked threads now (it may be waiting). */
  wake(): void {
    this.eventCount++;
    const l = this.hostEventListener;
    this.hostEventListener = undefined;
    l?.();
  }

  /** A signal from outside the process (kill from another process, SIGCHLD): one thread that does not block it gets it. */
  postSignal(sig: number, fromPid: number): void {
    // SIGSTOP cannot be caught or blocked: the process stops as the signal is sent. SIGCONT
    // resumes it as it is sent, whatever its disposition; a handler, if any, then runs too.
    if (sig === SIG.SIGSTOP) {
      this.stopped = true;
      return;
    }
    if (sig === SIG.SIGCONT) {
      this.stopped = false;
      this.wake();
    }
    const live = this.liveThreads();
    const target = live.find((t) => !t.isBlocked(sig)) ?? live[0];
    if (!target) return;
    queueSignal(this, target, { signal: sig, code: 0, addr: 0n, pid: fromPid });
    this.wake();
  }

  get image(): XcoffImage {
    return this.opts.image;
  }

  get clock(): GuestClock {
    return this.opts.clock;
  }

  liveThreads(): GuestThread[] {
    return this.threads.filter((t) => t.status !== 'exited');
  }

  /** A new guest thread starting at descriptor `desc` with R3 = arg (pthread_create, §5.2). */
  spawnThread(desc: bigint, arg: bigint, stackSize: bigint, creator: GuestThread): GuestThread | null {
    const tls = this.space.allocate(TLS_BLOCK_SIZE, 0x10000n);
    if (tls === null) return null;
    // More than requested: tstart puts g0.stack.lo at R1 - 32 - 1 MiB (§5.2, §8.12).
    const stack = this.space.allocateStack(stackSize + 0x20000n);
    const t = new GuestThread(this.nextTid++, tls, stack.low, stack.high);
    t.kernelTid = this.table.allocatePid(); // thread ids share the pid space, as on Linux
    initRegisters(t.state, {
      pc: this.mem.readU64(desc),
      toc: this.mem.readU64(desc + 8n),
      sp: stack.high - 256n,
      r13: tls + TLS_R13_OFFSET,
      lr: this.sentinels.entryOf(THREAD_EXIT_INDEX),
      gprs: { 3: arg, 11: this.mem.readU64(desc + 16n) },
    });
    t.sigmask = [...creator.sigmask];
    this.threads.push(t);
    this.eventCount++;
    return t;
  }

  threadById(tid: number): GuestThread | undefined {
    return this.threads.find((t) => t.tid === tid && t.status !== 'exited');
  }

  /** End the process: every thread stops for good. */
  terminate(end: ProcessEnd): void {
    if (this.end) return;
    this.end = end;
    for (const o of this.callObservers) o.processEnd?.(end);
    for (const t of this.threads) {
      t.status = 'exited';
      t.waiter = undefined;
    }
    // MAP_SHARED writes reach their files at exit at the latest.
    this.fileMappings.flushAll();
    this.files.closeAll();
    if (!this.replaced) this.table.ended(this.pid, waitStatusOf(end), this.threads.reduce((ns, t) => ns + BigInt(t.instructions), 0n));
    else this.table.wakeAll(this);
  }

  exitThread(t: GuestThread, value: bigint): void {
    for (const o of this.callObservers) o.threadExit?.(t);
    t.status = 'exited';
    t.exitValue = value;
    t.waiter = undefined;
    this.eventCount++;
    this.space.releaseStack(t.stackLow, t.stackHigh);
    if (this.liveThreads().length === 0) this.terminate({ kind: 'exited', code: 0 });
  }

  /** The thread's PC is at a sentinel: service the host call. */
  hostCall(t: GuestThread, call: HostCall): void {
    const s = t.state;
    switch (call.kind) {
      case 'loader-callback':
        s.pc = s.lr;
        return;
      case 'start-return':
        this.terminate({ kind: 'exited', code: Number(BigInt.asUintN(8, s.getGpr(3))) });
        return;
      case 'thread-exit':
        this.exitThread(t, s.getGpr(3));
        return;
      case 'sigreturn':
        sigreturn(this, t);
        return;
      case 'import':
        break;
    }
    // Nobody watches the calls (no strace, timeline, runtime monitor): the hottest one skips the
    // argument array, the call record and the BigInt result of the general path.
    if (this.callObservers.size === 0 && call.name === 'clock_gettime' && this.fastClockGettime(t, s)) {
      if (this.table.entries.size > 1) this.table.wakeAll(this);
      return;
    }
    const fn = libcFunctions.get(call.name);
    if (fn === undefined) {
      this.terminate({ kind: 'crashed', message: `unimplemented libc import: ${SentinelTable.qualifiedName(call)} (called from 0x${s.lr.toString(16)})` });
      return;
    }
    const args = callArguments(s);
    t.current = { call, args, returnTo: s.lr };
    for (const o of this.callObservers) o.enter?.(t, t.current);
    let result: CallResult;
    try {
      result = fn(this.context(t, args));
    } catch (e) {
      if (e instanceof MemoryFault) {
        // A bad pointer handed to libc: the kernel reports EFAULT instead of a signal.
        result = { errno: ERRNO.EFAULT };
      } else {
        const why = e instanceof Error ? e.message : String(e);
        this.terminate({ kind: 'crashed', message: `internal error in libc ${call.name}: ${why}` });
        return;
      }
    }
    this.completeCall(t, result);
    // A pipe write, a close or an exit here may be what another process waits for.
    if (this.table.entries.size > 1) this.table.wakeAll(this);
  }

  /**
   * A host call answered inside the CPU's run (Scheduler.quick): one that cannot block, signal,
   * depend on the instructions of the run in progress (CPU-time clocks, the virtual clock) or be
   * watched (strace, timeline, runtime monitor). Go's nanotime: clock_gettime(CLOCK_REALTIME); its
   * initsig: sigaction.
   */
  quickHostCall(t: GuestThread): boolean {
    if (!this.quickHostCalls()) return false;
    const s = t.state;
    const call = this.sentinels.lookupHalves(s.spr[PC_HI]!, s.spr[PC_LO]!);
    if (call === undefined || call.kind !== 'import') return false;
    if (call.name === 'sigaction') return this.quickSigaction(t, s);
    if (call.name !== 'clock_gettime') return false;
    const clock = s.gpr[6]; // R3's low half: a C int
    if (clock !== CLOCK_REALTIME && clock !== CLOCK_MONOTONIC) return false;
    return this.fastClockGettime(t, s);
  }

  /**
   * sigaction answered in place when it succeeds (Go's initsig makes about 500 of them at every
   * start): it changes only the process's action table, which nothing reads between here and the
   * thread's next instruction (no signal can be pending and deliverable there: the scheduler
   * delivered those before the run, and nothing queues one during it). A failure (EINVAL, a bad
   * pointer) takes the general path, which sets errno.
   */
  private quickSigaction(t: GuestThread, s: CpuState): boolean {
    const g = s.gpr; // R3 (a C int: its low half), R4 and R5 as (hi, lo) halves
    let errno: number;
    try {
      errno = sigactionHalves(this, this.mem, g[6]!, g[9]!, g[8]!, g[11]!, g[10]!);
    } catch {
      return false;
    }
    if (errno !== 0) return false;
    return this.answeredZero(t, s);
  }

  /**
   * Whether any host call can be answered in place now: nobody watches calls and time is real
   * (the scheduler hands the CPU no QuickHostCall otherwise, so no call pays for asking).
   */
  quickHostCalls(): boolean {
    return this.callObservers.size === 0 && !this.clock.deterministic;
  }

  /** clock_gettime answered in place, returning 0 as completeCall would; false: take the general path. */
  private fastClockGettime(t: GuestThread, s: CpuState): boolean {
    try {
      if (!clockGettimeFast(this.clock, this.mem, t, s)) return false;
    } catch {
      return false; // a bad pointer or a watched store: the general path reports it as it always has
    }
    return this.answeredZero(t, s);
  }

  /** A call answered in place returned 0, as completeCall would leave it: R3 = 0, back at LR. */
  private answeredZero(t: GuestThread, s: CpuState): true {
    s.gpr[6] = 0; // R3 = 0
    s.gpr[7] = 0;
    this.returnFromCall(t, undefined);
    return true;
  }

  private context(t: GuestThread, args: bigint[]): HleContext {
    return { proc: this, thread: t, mem: this.mem, args };
  }

  /** Apply an HLE result (or park the thread when it blocks). */
  completeCall(t: GuestThread, result: CallResult): void {
    if (typeof result === 'object' && 'block' in result) {
      t.status = 'blocked';
      t.waiter = result.block;
      return;
    }
    // exit/_exit: the process has ended; the observers saw the call end with it (processEnd).
    if (typeof result === 'object' && 'noReturn' in result) return;
    const s = t.state;
    let r3: bigint;
    let errno = 0;
    if (typeof result === 'object') {
      errno = result.errno;
      r3 = -1n;
      if (t.errnoCell !== 0n) {
        try {
          this.mem.writeU32(t.errnoCell, errno);
        } catch {
          // An unwritable errno cell is the guest's problem; the -1 still reports failure.
        }
      }
    } else if (typeof result === 'bigint') {
      r3 = result;
    } else {
      r3 = BigInt(Math.trunc(result));
    }
    s.setGpr(3, BigInt.asUintN(64, r3));
    const call = t.current;
    if (call) for (const o of this.callObservers) o.exit?.(t, call, r3, errno);
    this.returnFromCall(t, call);
  }

  /**
   * The thread leaves a libc call whose R3 is set: C calls clobber the volatile condition fields
   * (CR2-CR4 are non-volatile and stay) and CA; it runs on at the return address, runnable again.
   */
  private returnFromCall(t: GuestThread, call: ActiveCall | undefined): void {
    const s = t.state;
    s.spr[CR] = s.spr[CR]! & 0x00fff000;
    s.spr[XER] = s.spr[XER]! & ~0x20000000;
    if (call) s.pc = call.returnTo;
    else {
      s.spr[PC_HI] = s.spr[LR_HI]!;
      s.spr[PC_LO] = s.spr[LR_LO]!;
    }
    t.current = undefined;
    t.status = t.status === 'exited' ? 'exited' : 'runnable';
    t.waiter = undefined;
  }

  /** Tell the observers (strace, timeline) that a signal reaches t now. */
  noteSignal(t: GuestThread, s: PendingSignal): void {
    for (const o of this.callObservers) o.signal?.(t, s);
  }

  describeEnd(): string {
    const e = this.end;
    if (!e) return 'running';
    if (e.kind === 'exited') return `exited with status ${e.code}`;
    if (e.kind === 'signaled') return `killed by ${signalName(e.signal)}`;
    return e.message;
  }

  /** Status a shell would report: exit code, or 128+signal. */
  exitStatus(): number {
    const e = this.end;
    if (!e) return 0;
    if (e.kind === 'exited') return e.code & 0xff;
    if (e.kind === 'signaled') return 128 + e.signal;
    return 70; // EX_SOFTWARE: the emulator could not continue
  }
}

export { errnoName, SIG };

interface RegisterInit {
  pc: bigint;
  toc: bigint;
  sp: bigint;
  r13: bigint;
  lr: bigint;
  gprs: Record<number, bigint>;
}

function initRegisters(s: CpuState, init: RegisterInit): void {
  s.gpr.fill(0);
  s.vsr.fill(0);
  s.spr.fill(0);
  s.pc = init.pc;
  s.lr = init.lr;
  s.setGpr(1, init.sp);
  s.setGpr(2, init.toc);
  s.setGpr(13, init.r13);
  for (const [r, v] of Object.entries(init.gprs)) s.setGpr(Number(r), v);
}
