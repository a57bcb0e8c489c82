// The state one gdb connection shares between the capability handlers, and the few services the
// session core lends them (sending, closing, console output). The core owns the transport, the
// input queue and the running/stopped state machine; handlers own the meaning of packets.
import { PPC64_REGISTERS, readPpc64Register, type GdbOsAbi } from '../arch/ppc64.js';
import type { ThreadSelector } from '../commands/thread-id.js';
import type { Reply } from '../replies.js';
import {
  isTargetError, type BreakpointKind, type StopEvent, type Target, type TargetError, type ThreadId,
} from '../target.js';

/** A code breakpoint gdb inserted, with the conditions the stub evaluates itself (empty: none). */
export interface CodeBreakpoint {
  kind: BreakpointKind;
  addr: bigint;
  length: number;
  conditions: Uint8Array[];
}

/** What happens to the guest when gdb detaches (D) or the client vanishes. */
export type LeavePolicy = 'run' | 'kill' | 'stop';

export interface SessionOptions {
  log?: (line: string) => void;
  /** Largest packet accepted and advertised (PacketSize); at least 0x10000. */
  packetSize?: number;
  /** On `D`: let the guest run on (default) or end it. */
  onDetach?: 'run' | 'kill';
  /** When the client disconnects without detaching: leave the guest stopped (default), run or kill. */
  onDisconnect?: LeavePolicy;
  /** The OS ABI target.xml names (default GNU/Linux: catch syscall works). */
  osabi?: GdbOsAbi;
  /** Host I/O files one client may hold open at once (vFile:open beyond it fails with EMFILE). */
  maxOpenFiles?: number;
}

/** A file opened by vFile:open: its contents, and where the last pread ended. */
export interface HostFile {
  contents: Uint8Array;
  nextOffset: number;
}

/** Services of the session core that handlers may call. */
export interface SessionCore {
  /** Write a reply now (before the handler's own reply, e.g. `OK` before closing on D). */
  send(reply: Reply): void;
  /** Close the connection (D outside extended mode). */
  closeConnection(): void;
  /** Console text as `O` packets within the packet size. */
  outputPackets(text: string): Reply[];
  /** Mark the guest running / stopped: console output and Ctrl-C are only meaningful while it runs. */
  setRunning(running: boolean): void;
  /** Ctrl-C arrived while a resume was still queued: consume it (true) so the resume can deliver it. */
  takePendingInterrupt(): boolean;
  /** Ctrl-C arrived during the current resume. */
  readonly interruptedWhileRunning: boolean;
}

export class SessionState {
  readonly log: (line: string) => void;
  readonly packetSize: number;
  lastStop: StopEvent = { kind: 'exited', code: 0 };
  generalThread: ThreadSelector = { kind: 'any' };
  continueThread: ThreadSelector = { kind: 'any' };
  gdbFeatures = new Map<string, string>();
  ackMode = true;
  extended = false;
  startedByRun = false;
  /** The qXfer:threads document of the current read sequence (chunks must agree). */
  threadsXml = '';
  /** sw/hw breakpoints by `kind:addr`: Z is idempotent and re-sent when only the condition changed. */
  readonly codeBreakpoints = new Map<string, CodeBreakpoint>();
  readonly openFiles = new Map<number, HostFile>();
  nextFd = 3;

  constructor(
    readonly target: Target,
    readonly core: SessionCore,
    readonly options: SessionOptions,
    packetSize: number,
  ) {
    this.log = options.log ?? (() => {});
    this.packetSize = packetSize;
  }

  recordStop(stop: StopEvent): void {
    this.lastStop = stop;
    // gdb assumes the stopped thread becomes the current one for g/G/p/P/m.
    this.generalThread = { kind: 'any' };
    this.continueThread = { kind: 'any' };
  }

  liveThreads(): ThreadId[] {
    if (this.lastStop.kind !== 'signal') return [];
    return this.target.threads();
  }

  isLive(tid: ThreadId): boolean {
    return this.liveThreads().includes(tid);
  }

  threadName(tid: ThreadId): string {
    return this.target.threadName?.(tid) ?? `thread ${tid}`;
  }

  /** The thread a selector means now: 'any'/'all' is the thread that last stopped. */
  resolveThread(sel: ThreadSelector): ThreadId | undefined {
    const live = this.liveThreads();
    if (sel.kind === 'id') return live.includes(sel.tid) ? sel.tid : undefined;
    if (this.lastStop.kind === 'signal' && live.includes(this.lastStop.thread)) return this.lastStop.thread;
    return live[0];
  }

  /** One register's bytes, through the target's fast path when it has one; undefined: no such register. */
  registerBytes(tid: ThreadId, regno: number): Uint8Array | TargetError | undefined {
    if (PPC64_REGISTERS[regno] === undefined) return undefined;
    if (this.target.readRegister !== undefined) return this.target.readRegister(tid, regno);
    const regs = this.target.readRegisters(tid);
    return isTargetError(regs) ? regs : readPpc64Register(regs, regno);
  }

  registerValue(tid: ThreadId, regno: number): bigint | undefined {
    const bytes = this.registerBytes(tid, regno);
    if (bytes === undefined || isTargetError(bytes)) return undefined;
    let v = 0n;
    for (const b of bytes) v = (v << 8n) | BigInt(b);
    return v;
  }
}
