// The narrow interface between the GDB stub and whatever it debugs. The stub only calls these
// members; the emulator implements them (a `machine.ts` adapter), tests implement them with a
// fake. Optional members are capabilities: when absent, the matching packets answer "unsupported"
// and qSupported does not advertise them.
//
// Conventions
// - Thread ids are positive integers (gdb's thread ids map 1:1 to guest threads).
// - Addresses are unsigned 64-bit bigints.
// - Signal numbers are gdb's (GdbSignal below), not the guest OS's: the adapter translates.
// - Failures are returned as values ({ error }), never thrown. The session still catches throws
//   and turns them into `E` replies, but an adapter should not rely on that.

import type { Ppc64Registers } from './arch/ppc64.js';

export type ThreadId = number;
export type Address = bigint;

/** A failure the stub reports as an `E` reply. `errno` is a gdb errno (EFAULT = 14 by default). */
export interface TargetError {
  error: string;
  errno?: number;
}

export function isTargetError(v: unknown): v is TargetError {
  return typeof v === 'object' && v !== null && 'error' in v && typeof (v as TargetError).error === 'string';
}

/** gdb's target-independent signal numbers (gdb/signals.def). */
export const GdbSignal = {
  NONE: 0,
  HUP: 1,
  INT: 2,
  QUIT: 3,
  ILL: 4,
  TRAP: 5,
  ABRT: 6,
  EMT: 7,
  FPE: 8,
  KILL: 9,
  BUS: 10,
  SEGV: 11,
  SYS: 12,
  PIPE: 13,
  ALRM: 14,
  TERM: 15,
  URG: 16,
  STOP: 17,
  TSTP: 18,
  CONT: 19,
  CHLD: 20,
  TTIN: 21,
  TTOU: 22,
  IO: 23,
  XCPU: 24,
  XFSZ: 25,
  VTALRM: 26,
  PROF: 27,
  WINCH: 28,
  USR1: 30,
  USR2: 31,
} as const;

export type BreakpointKind = 'sw' | 'hw' | 'watch-write' | 'watch-read' | 'watch-access';

/** What one thread does when the target resumes. */
export type ResumeAction =
  | { kind: 'continue'; signal?: number }
  | { kind: 'step'; signal?: number }
  /** Step repeatedly while start <= pc < end (vCont `r`); stop as soon as pc leaves the range. */
  | { kind: 'range-step'; start: Address; end: Address };

/**
 * A resume request in all-stop mode: `threads` lists explicit actions; every other thread does
 * `others` (undefined: stays stopped). When any thread stops, every thread stops. A step completes
 * after the stepping thread has executed one instruction (or entered a signal handler); the stop
 * is then a TRAP on that thread with no reason. A thread that hits a breakpoint while stepping
 * reports the breakpoint instead.
 */
export interface ResumeRequest {
  threads: Map<ThreadId, ResumeAction>;
  others?: ResumeAction;
}

/** Why a thread stopped, beyond its signal. */
export type StopReason =
  | { kind: 'swbreak' }
  | { kind: 'hwbreak' }
  /**
   * A watched access by the instruction at pc, reported *before* the access takes effect: gdb
   * treats Power watchpoints as non-steppable, so it single-steps over the access itself and then
   * compares the old and new values.
   */
  | { kind: 'watch'; access: 'write' | 'read' | 'access'; addr: Address }
  | { kind: 'syscall-entry'; number: number }
  | { kind: 'syscall-return'; number: number };

export type StopEvent =
  /**
   * A thread stopped with a signal: TRAP for breakpoints/steps, INT for interrupts, SEGV…
   * `replayLog`: a reverse execution reached the beginning of the recorded history ('begin').
   */
  | { kind: 'signal'; thread: ThreadId; signal: number; reason?: StopReason; replayLog?: 'begin' | 'end' }
  /** The process exited normally with `code`. */
  | { kind: 'exited'; code: number }
  /** The process was ended by `signal`. */
  | { kind: 'terminated'; signal: number };

/** The file gdb loads its symbols from: served by qXfer:exec-file:read and vFile host I/O. */
export interface ExecFile {
  /** Absolute path reported to gdb (need not exist on the host). */
  path: string;
  contents: Uint8Array;
}

export type SyscallCatch = { kind: 'off' } | { kind: 'all' } | { kind: 'list'; numbers: number[] };

export interface Target {
  // ---- threads ----
  /** Live thread ids, first one is the "main" thread. Never empty while the process lives. */
  threads(): ThreadId[];
  /** A human-readable name for qXfer:threads:read (e.g. "pthread 2, M1, g17"). */
  threadName?(tid: ThreadId): string | undefined;
  /**
   * The list can hold thousands of threads (goroutines): send it as bare ids in one packet
   * (qfThreadInfo) instead of a named XML document that gdb reads 4 KiB per round trip at every
   * stop; names then go out one thread at a time (qThreadExtraInfo), when gdb shows them.
   */
  readonly manyThreads?: boolean;

  // ---- registers (all-stop: only called while stopped) ----
  readRegisters(tid: ThreadId): Ppc64Registers | TargetError;
  writeRegisters(tid: ThreadId, regs: Ppc64Registers): TargetError | undefined;
  /**
   * Optional fast path for `p`/`P` and the registers expedited in every stop reply: one register's
   * big-endian bytes, sized as in PPC64_REGISTERS. Without it the stub goes through readRegisters.
   */
  readRegister?(tid: ThreadId, regno: number): Uint8Array | TargetError;
  writeRegister?(tid: ThreadId, regno: number, value: Uint8Array): TargetError | undefined;

  // ---- memory ----
  /** Read up to `length` bytes; a shorter result means the rest is unmapped. Nothing readable: error. */
  readMemory(addr: Address, length: number): Uint8Array | TargetError;
  writeMemory(addr: Address, data: Uint8Array): TargetError | undefined;

  // ---- stop points (exact: the emulator sees every access) ----
  addBreakpoint(kind: BreakpointKind, addr: Address, length: number): TargetError | undefined;
  removeBreakpoint(kind: BreakpointKind, addr: Address, length: number): TargetError | undefined;

  // ---- execution ----
  /**
   * Called once per gdb connection before any packet is answered: stop the guest if it runs free
   * (after a detach) and say why it is stopped now (at start: a TRAP at the first instruction).
   */
  attach(): Promise<StopEvent>;
  /**
   * Run until something stops it. The guest runs in slices on the event loop so that the stub keeps
   * reading packets; `interrupt()` must make the pending promise settle within one slice.
   */
  resume(request: ResumeRequest): Promise<StopEvent>;
  /**
   * Ctrl-C: stop every thread; the pending resume resolves with a signal stop (INT). May be called
   * synchronously right after resume() returned, before the first slice ran; must then still stop.
   * Ignored when nothing runs.
   */
  interrupt(): void;

  // ---- optional capabilities ----
  /**
   * `monitor CMD` (qRcmd). The returned text is shown to the user. `selected` is the thread gdb
   * has selected (its last Hg, else the thread that stopped), for commands about "this thread".
   */
  monitor?(command: string, selected?: ThreadId): Promise<string> | string;
  /**
   * Called once per connection with a function that shows text on gdb's console while the guest
   * runs (`O` packets; dropped while stopped). Used by `monitor strace on` and break-libcall.
   */
  setConsoleSink?(sink: (text: string) => void): void;
  /** The executable image gdb should load (qXfer:exec-file:read + vFile). */
  execFile?(): ExecFile | undefined;
  catchSyscalls?(selection: SyscallCatch): void;
  /** Signals (gdb numbers) delivered to the guest without stopping (QPassSignals). */
  passSignals?(signals: ReadonlySet<number>): void;
  /**
   * extended-remote `run`: start the program again, stopped at its first instruction. `program` is
   * the file gdb names (`set remote exec-file`; undefined: the one served). A target that serves one
   * program refuses another with an error (the stub replies E), and the current process is kept.
   */
  restart?(args: string[], program?: string): Promise<StopEvent | TargetError>;
  /** End the process (k/vKill). */
  kill?(): void;
  /** gdb is leaving: let the guest run on freely (D). */
  detach?(): void;
  /**
   * Reverse execution (bs/bc, advertised as ReverseStep+/ReverseContinue+ when canReverse says
   * so): the whole process goes back until thread `tid` is before its previous instruction, or
   * until the last breakpoint/watchpoint hit before now; at the start of history the stop carries
   * replayLog 'begin'.
   */
  canReverse?(): boolean;
  reverseStep?(tid: ThreadId): Promise<StopEvent>;
  /**
   * `accept` is asked at each hit while the guest stands there (registers and memory readable):
   * false passes over it (a conditional breakpoint whose condition is false).
   */
  reverseContinue?(tid: ThreadId, accept?: (stop: StopEvent) => boolean): Promise<StopEvent>;
  /** Replace the built-in ppc64 target description. */
  targetXml?: string;
}
