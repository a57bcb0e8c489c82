// One gdb connection: bytes in, bytes out. The session decodes packets (rsp/framing), parses them
// (commands/*), turns them into Target calls and writes the replies. It knows nothing about sockets:
// the server (or a test) feeds `receive()` and supplies `write`/`close`.
//
// Packets are handled one at a time, in order. A handler may be asynchronous (resume, monitor,
// vRun); later packets wait in the queue, except the interrupt byte, which goes straight to the
// target so that Ctrl-C stops a running guest at once.

import {
  PPC64_REGISTERS, PPC64_REGNUM, deserializePpc64Registers, ppc64TargetXml, type GdbOsAbi, readPpc64Register, serializePpc64Registers,
  writePpc64Register,
} from './arch/ppc64.js';
import { evaluateAgentExpression } from './agent-expr.js';
import { parseBreakpoint } from './commands/breakpoints.js';
import { parseReadMemory, parseWriteMemoryBinary, parseWriteMemoryHex } from './commands/memory.js';
import {
  parseQCatchSyscalls, parseQPassSignals, parseQRcmd, parseQSupported, parseQXferRead, parseVRun, XferRead,
} from './commands/query.js';
import { parseReadRegister, parseWriteRegister, parseWriteRegisters } from './commands/registers.js';
import { parseLegacyResume, parseVCont } from './commands/resume.js';
import { formatStopReply } from './commands/stop-reply.js';
import { parseSetThread, parseThreadAlive } from './commands/thread.js';
import { formatThreadId, ThreadSelector } from './commands/thread-id.js';
import { parseVFile, VFilePacket } from './commands/vfile.js';
import { ACK, NAK, PacketReceiver, RspEvent, encodeHexPacketRunLength, encodePacket } from './rsp/framing.js';
import { bytesToHex, bytesToLatin1, textToHex } from './rsp/hex.js';
import {
  BreakpointKind, GdbSignal, ResumeAction, ResumeRequest, StopEvent, Target, TargetError, ThreadId, isTargetError,
} from './target.js';

/**
 * 1 MiB: gdb 13 then reads memory 256 KiB per `m` (a dump is bounded by gdb decoding hex, not by
 * round trips). Host I/O replies stay at HOSTIO_CHUNK: gdb's vFile readahead asks for a whole packet's
 * worth on every small read of the exec file, which would make loading symbols slower.
 */
export const DEFAULT_PACKET_SIZE = 0x100000;
const HOSTIO_CHUNK = 0x10000;
const HOSTIO_SEEK_CHUNK = 0x1000;

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
}

export interface SessionIo {
  write(bytes: Uint8Array): void;
  /** Close the connection (after D). */
  close(): void;
}

/**
 * A reply: one packet body, several (console output then the answer), or none. `{ hex }` is sent
 * as hex, run-length encoded (memory and register dumps: long runs of zeros).
 */
type Reply = string | Uint8Array | { hex: Uint8Array } | Reply[] | undefined;
type QueueItem = Uint8Array | { errorReply: string };

/**
 * Sent with every T reply so that gdb can show the frame without another round trip: pc, sp and lr
 * first (all gdb needs after a step), then the other GPRs and cr/ctr/xer/msr, which gdb otherwise
 * fetches with a `g` at every breakpoint stop to print the arguments (Go passes them in r3…r10).
 */
const EXPEDITED_REGISTERS = [
  PPC64_REGNUM.pc, PPC64_REGNUM.sp, PPC64_REGNUM.lr,
  ...Array.from({ length: 32 }, (_, i) => i).filter((i) => i !== PPC64_REGNUM.sp),
  PPC64_REGNUM.msr, PPC64_REGNUM.cr, PPC64_REGNUM.ctr, PPC64_REGNUM.xer,
];

/** A code breakpoint gdb inserted, with the conditions the stub evaluates itself (empty: none). */
interface CodeBreakpoint {
  kind: BreakpointKind;
  addr: bigint;
  length: number;
  conditions: Uint8Array[];
}

const EFAULT = 'E0e';
const EINVAL = 'E16';
const MALFORMED = 'E01';

// gdb's File-I/O errno values and stat layout (Remote Protocol, "Host I/O" and "struct stat").
const FILEIO_ENOENT = 2;
const FILEIO_EBADF = 9;
const FILEIO_EACCES = 13;
const FILEIO_STAT_BYTES = 64;

export class GdbSession {
  private readonly receiver: PacketReceiver;
  private readonly log: (line: string) => void;
  private readonly packetSize: number;
  private readonly queue: QueueItem[] = [];
  private busy = true; // until start() has attached
  private running = false;
  private interruptPending = false;
  private closed = false;
  private ackMode = true;
  private lastFrame: Uint8Array | undefined;
  private lastStop: StopEvent = { kind: 'exited', code: 0 };
  private generalThread: ThreadSelector = { kind: 'any' };
  private continueThread: ThreadSelector = { kind: 'any' };
  private gdbFeatures = new Map<string, string>();
  private extended = false;
  private startedByRun = false;
  private threadsXml = '';
  /** Host I/O files: the contents, and where the last pread ended (sequential reads get full chunks). */
  private readonly openFiles = new Map<number, { contents: Uint8Array; nextOffset: number }>();
  private nextFd = 3;
  private inflight: Promise<void> | undefined;
  private idleWaiters: Array<() => void> = [];
  /** sw/hw breakpoints by `kind:addr`: Z is idempotent and re-sent when only the condition changed. */
  private readonly codeBreakpoints = new Map<string, CodeBreakpoint>();
  /** Ctrl-C arrived during the current resume (the target may be between two internal runs). */
  private interruptedWhileRunning = false;

  constructor(
    private readonly target: Target,
    private readonly io: SessionIo,
    private readonly options: SessionOptions = {},
  ) {
    this.log = options.log ?? (() => {});
    this.packetSize = Math.max(options.packetSize ?? DEFAULT_PACKET_SIZE, 0x10000);
    // Accept a little more than advertised: gdb counts the payload, we count raw escaped bytes.
    this.receiver = new PacketReceiver((e) => this.onEvent(e), this.packetSize + 64);
  }

  /** Ask the target why it is stopped (stopping it if it runs free), then serve queued packets. */
  start(): Promise<void> {
    this.target.setConsoleSink?.((text) => this.consoleOutput(text));
    const p = Promise.resolve()
      .then(() => this.target.attach())
      .then(
        (stop) => this.recordStop(stop),
        (e: unknown) => this.log(`gdb: target attach failed: ${errorText(e)}`),
      )
      .finally(() => {
        this.busy = false;
        this.inflight = undefined;
        this.pump();
      });
    this.inflight = p;
    return p;
  }

  /** Bytes from the client, in any chunking. */
  receive(bytes: Uint8Array): void {
    if (this.closed) return;
    this.receiver.feed(bytes);
  }

  /** The client is gone: stop a running guest, then leave it as configured. Never throws. */
  async disconnected(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.queue.length = 0;
    this.pump(); // releases whenIdle() waiters
    if (this.running) this.target.interrupt();
    try {
      await this.inflight;
    } catch {
      // already logged by the handler
    }
    const policy = this.options.onDisconnect ?? 'stop';
    if (this.lastStop.kind !== 'signal') return;
    try {
      if (policy === 'run') this.target.detach?.();
      else if (policy === 'kill') this.target.kill?.();
    } catch (e) {
      this.log(`gdb: leaving the target after disconnect failed: ${errorText(e)}`);
    }
    this.log(`gdb: client disconnected; guest ${policy === 'stop' ? 'left stopped' : policy === 'run' ? 'runs on' : 'killed'}`);
  }

  /** Resolves once every received packet has been answered (tests and the fuzzer use this). */
  whenIdle(): Promise<void> {
    if (this.closed || (!this.busy && this.queue.length === 0)) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  get isRunning(): boolean {
    return this.running;
  }

  // ---------------------------------------------------------------- input side

  private onEvent(e: RspEvent): void {
    switch (e.kind) {
      case 'packet':
        if (this.ackMode) this.io.write(ACK);
        this.queue.push(e.payload);
        this.pump();
        return;
      case 'ack':
        return;
      case 'nak':
        if (this.ackMode && this.lastFrame !== undefined) this.io.write(this.lastFrame);
        return;
      case 'interrupt':
        if (this.running) {
          this.log('gdb: interrupt requested');
          this.interruptedWhileRunning = true;
          this.target.interrupt();
        } else if (this.busy || this.queue.length > 0) {
          // A resume may still be waiting in the queue: deliver the interrupt when it starts.
          this.interruptPending = true;
        }
        return;
      case 'bad-checksum':
        this.log(`gdb: dropped packet with bad checksum (computed ${e.expected}, got ${e.received})`);
        if (this.ackMode) this.io.write(NAK);
        return;
      case 'oversized':
        this.log(`gdb: dropped oversized packet (${e.rawLength} bytes, limit ${this.packetSize})`);
        if (this.ackMode) this.io.write(ACK);
        this.queue.push({ errorReply: EINVAL });
        this.pump();
        return;
      case 'malformed':
        this.log(`gdb: dropped malformed packet: ${e.reason}`);
        if (this.ackMode) this.io.write(ACK);
        this.queue.push({ errorReply: MALFORMED });
        this.pump();
        return;
    }
  }

  private pump(): void {
    while (!this.busy && !this.closed && this.queue.length > 0) {
      const item = this.queue.shift()!;
      let reply: Reply | Promise<Reply>;
      if (item instanceof Uint8Array) {
        const packet = bytesToLatin1(item);
        try {
          reply = this.dispatch(packet);
        } catch (e) {
          this.log(`gdb: error handling packet ${JSON.stringify(packet.slice(0, 40))}: ${errorText(e)}`);
          reply = MALFORMED;
        }
      } else {
        reply = item.errorReply;
      }
      if (reply instanceof Promise) {
        this.busy = true;
        this.inflight = reply
          .catch((e: unknown) => {
            this.log(`gdb: asynchronous handler failed: ${errorText(e)}`);
            return MALFORMED as Reply;
          })
          .then((r) => {
            this.busy = false;
            this.inflight = undefined;
            this.send(r);
            this.pump();
          });
        return;
      }
      this.send(reply);
    }
    if (this.closed || (!this.busy && this.queue.length === 0)) {
      this.interruptPending = false; // nothing left that it could apply to
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) w();
    }
  }

  /** Target output for gdb's console: `O` packets, which gdb accepts only while it waits for a stop. */
  private consoleOutput(text: string): void {
    if (!this.running || this.closed || text === '') return;
    for (const packet of this.outputPackets(text)) this.send(packet);
  }

  /** Console text as `O` packets (hex-encoded UTF-8), each within the negotiated packet size. */
  private outputPackets(text: string): Reply[] {
    const bytes = Buffer.from(text, 'utf8');
    const chunk = Math.floor(this.packetSize / 2) - 16;
    const packets: Reply[] = [];
    for (let i = 0; i < bytes.length; i += chunk) packets.push('O' + bytesToHex(bytes.subarray(i, i + chunk)));
    return packets;
  }

  private send(reply: Reply): void {
    if (reply === undefined || this.closed) return;
    if (Array.isArray(reply)) {
      for (const r of reply) this.send(r);
      return;
    }
    const frame = typeof reply === 'object' && 'hex' in reply ? encodeHexPacketRunLength(reply.hex) : encodePacket(reply);
    this.lastFrame = frame;
    this.io.write(frame);
  }

  // ---------------------------------------------------------------- dispatch

  private dispatch(p: string): Reply | Promise<Reply> {
    switch (p[0]) {
      case '?':
        return this.stopReply(this.lastStop);
      case 'g':
        return p === 'g' ? this.readAllRegisters() : '';
      case 'G':
        return this.writeAllRegisters(p);
      case 'p':
        return this.readOneRegister(p);
      case 'P':
        return this.writeOneRegister(p);
      case 'm':
        return this.readMemory(p);
      case 'M':
      case 'X':
        return this.writeMemory(p);
      case 'Z':
      case 'z':
        return this.breakpoint(p);
      case 'c':
      case 's':
      case 'C':
      case 'S':
        return this.legacyResume(p);
      case 'H':
        return this.setThread(p);
      case 'T':
        return this.threadAlive(p);
      case 'D':
        return this.detach(p);
      case 'k':
        this.kill();
        return undefined; // gdb does not wait for a reply to `k`
      case '!':
        this.extended = true;
        return 'OK';
      case 'q':
        return this.query(p);
      case 'Q':
        return this.setting(p);
      case 'v':
        return this.vPacket(p);
      default:
        return '';
    }
  }

  private query(p: string): Reply | Promise<Reply> {
    if (p.startsWith('qSupported')) return this.qSupported(p);
    if (p === 'qC') return this.lastStop.kind === 'signal' ? 'QC' + formatThreadId(this.lastStop.thread) : 'QC0';
    if (p === 'qfThreadInfo') {
      const tids = this.liveThreads();
      return tids.length === 0 ? 'l' : 'm' + tids.map(formatThreadId).join(',');
    }
    if (p === 'qsThreadInfo') return 'l';
    if (p.startsWith('qThreadExtraInfo,')) {
      const tid = parseThreadAlive('T' + p.slice(17));
      if (tid === undefined) return MALFORMED;
      return textToHex(this.threadName(tid));
    }
    if (p === 'qAttached' || p.startsWith('qAttached:')) return this.startedByRun ? '0' : '1';
    if (p === 'qOffsets') return 'Text=0;Data=0;Bss=0';
    if (p.startsWith('qSymbol:')) return 'OK';
    if (p.startsWith('qXfer:')) return this.qXfer(p);
    if (p.startsWith('qRcmd,')) return this.monitor(p);
    return '';
  }

  private setting(p: string): Reply {
    if (p === 'QStartNoAckMode') {
      // The '+' for this very packet has already gone out; from now on neither side acks.
      this.ackMode = false;
      return 'OK';
    }
    if (p.startsWith('QPassSignals:')) {
      if (this.target.passSignals === undefined) return '';
      const signals = parseQPassSignals(p);
      if (signals === undefined) return MALFORMED;
      this.target.passSignals(signals);
      return 'OK';
    }
    if (p.startsWith('QCatchSyscalls:')) {
      if (this.target.catchSyscalls === undefined) return '';
      const sel = parseQCatchSyscalls(p);
      if (sel === undefined) return MALFORMED;
      this.target.catchSyscalls(sel);
      return 'OK';
    }
    return '';
  }

  private vPacket(p: string): Reply | Promise<Reply> {
    if (p === 'vCont?') return 'vCont;c;C;s;S;t;r';
    if (p.startsWith('vCont;')) return this.vCont(p);
    if (p.startsWith('vFile:')) return this.vFile(p);
    if (p.startsWith('vKill')) {
      this.kill();
      return 'OK';
    }
    if (p.startsWith('vRun;')) return this.vRun(p);
    return '';
  }

  // ---------------------------------------------------------------- threads

  private liveThreads(): ThreadId[] {
    if (this.lastStop.kind !== 'signal') return [];
    return this.target.threads();
  }

  private threadName(tid: ThreadId): string {
    return this.target.threadName?.(tid) ?? `thread ${tid}`;
  }

  /** The thread a selector means now: 'any'/'all' is the thread that last stopped. */
  private resolveThread(sel: ThreadSelector): ThreadId | undefined {
    const live = this.liveThreads();
    if (sel.kind === 'id') return live.includes(sel.tid) ? sel.tid : undefined;
    if (this.lastStop.kind === 'signal' && live.includes(this.lastStop.thread)) return this.lastStop.thread;
    return live[0];
  }

  private setThread(p: string): Reply {
    const h = parseSetThread(p);
    if (h === undefined) return MALFORMED;
    if (h.thread.kind === 'id' && !this.liveThreads().includes(h.thread.tid)) return 'E02';
    if (h.op === 'g') this.generalThread = h.thread;
    else this.continueThread = h.thread;
    return 'OK';
  }

  private threadAlive(p: string): Reply {
    const tid = parseThreadAlive(p);
    if (tid === undefined) return MALFORMED;
    return this.liveThreads().includes(tid) ? 'OK' : 'E02';
  }

  // ---------------------------------------------------------------- registers

  private generalTid(): ThreadId | TargetError {
    const tid = this.resolveThread(this.generalThread);
    return tid === undefined ? { error: 'no such thread' } : tid;
  }

  private readAllRegisters(): Reply {
    const tid = this.generalTid();
    if (isTargetError(tid)) return 'E02';
    const regs = this.target.readRegisters(tid);
    if (isTargetError(regs)) return errorReply(regs);
    return { hex: serializePpc64Registers(regs) };
  }

  private writeAllRegisters(p: string): Reply {
    const bytes = parseWriteRegisters(p);
    const regs = bytes && deserializePpc64Registers(bytes);
    if (regs === undefined) return MALFORMED;
    const tid = this.generalTid();
    if (isTargetError(tid)) return 'E02';
    const err = this.target.writeRegisters(tid, regs);
    return err ? errorReply(err) : 'OK';
  }

  /** One register's bytes, through the target's fast path when it has one. */
  private registerBytes(tid: ThreadId, regno: number): Uint8Array | TargetError | undefined {
    if (PPC64_REGISTERS[regno] === undefined) return undefined;
    if (this.target.readRegister !== undefined) return this.target.readRegister(tid, regno);
    const regs = this.target.readRegisters(tid);
    return isTargetError(regs) ? regs : readPpc64Register(regs, regno);
  }

  private readOneRegister(p: string): Reply {
    const regno = parseReadRegister(p);
    if (regno === undefined) return MALFORMED;
    const tid = this.generalTid();
    if (isTargetError(tid)) return 'E02';
    const bytes = this.registerBytes(tid, regno);
    if (bytes === undefined) return 'E00';
    return isTargetError(bytes) ? errorReply(bytes) : bytesToHex(bytes);
  }

  private writeOneRegister(p: string): Reply {
    const w = parseWriteRegister(p);
    if (w === undefined) return MALFORMED;
    const tid = this.generalTid();
    if (isTargetError(tid)) return 'E02';
    const info = PPC64_REGISTERS[w.regno];
    if (info === undefined || info.bits / 8 !== w.value.length) return 'E00';
    if (this.target.writeRegister !== undefined) {
      const err = this.target.writeRegister(tid, w.regno, w.value);
      return err ? errorReply(err) : 'OK';
    }
    const regs = this.target.readRegisters(tid);
    if (isTargetError(regs)) return errorReply(regs);
    if (!writePpc64Register(regs, w.regno, w.value)) return 'E00';
    const err = this.target.writeRegisters(tid, regs);
    return err ? errorReply(err) : 'OK';
  }

  // ---------------------------------------------------------------- memory and stop points

  private readMemory(p: string): Reply {
    const r = parseReadMemory(p);
    if (r === undefined) return MALFORMED;
    const length = Math.min(r.length, Math.floor((this.packetSize - 8) / 2));
    if (length === 0) return EINVAL;
    const data = this.target.readMemory(r.addr, length);
    if (isTargetError(data)) return errorReply(data);
    if (data.length === 0) return EFAULT;
    return { hex: data.length > length ? data.subarray(0, length) : data };
  }

  private writeMemory(p: string): Reply {
    const w = p[0] === 'M' ? parseWriteMemoryHex(p) : parseWriteMemoryBinary(p);
    if (w === undefined) return MALFORMED;
    if (w.data.length === 0) return 'OK'; // gdb probes X support with an empty write
    const err = this.target.writeMemory(w.addr, w.data);
    return err ? errorReply(err) : 'OK';
  }

  private breakpoint(p: string): Reply {
    const b = parseBreakpoint(p);
    if (b === undefined) return MALFORMED;
    if (b.kind === 'sw' || b.kind === 'hw') {
      const key = `${b.kind}:${b.addr}`;
      const known = this.codeBreakpoints.get(key);
      if (b.insert && known !== undefined) {
        known.conditions = b.conditions;
        return 'OK';
      }
      if (b.insert) {
        const err = this.target.addBreakpoint(b.kind, b.addr, b.length);
        if (err) return errorReply(err);
        this.codeBreakpoints.set(key, { kind: b.kind, addr: b.addr, length: b.length, conditions: b.conditions });
        return 'OK';
      }
      this.codeBreakpoints.delete(key);
    }
    const err = b.insert
      ? this.target.addBreakpoint(b.kind, b.addr, b.length)
      : this.target.removeBreakpoint(b.kind, b.addr, b.length);
    return err ? errorReply(err) : 'OK';
  }

  // ---------------------------------------------------------------- execution

  private stopReply(stop: StopEvent): string {
    const expedited: Array<[number, Uint8Array]> = [];
    if (stop.kind === 'signal') {
      for (const regno of EXPEDITED_REGISTERS) {
        const bytes = this.registerBytes(stop.thread, regno);
        if (bytes === undefined || isTargetError(bytes)) break; // gdb will fetch them with g
        expedited.push([regno, bytes]);
      }
    }
    return formatStopReply(stop, {
      swbreak: this.gdbFeatures.get('swbreak') === '+',
      hwbreak: this.gdbFeatures.get('hwbreak') === '+',
      expedited,
    });
  }

  private recordStop(stop: StopEvent): void {
    this.lastStop = stop;
    // gdb assumes the stopped thread becomes the current one for g/G/p/P/m.
    this.generalThread = { kind: 'any' };
    this.continueThread = { kind: 'any' };
  }

  private resume(request: ResumeRequest): Promise<Reply> | Reply {
    if (this.lastStop.kind !== 'signal') return 'E03'; // nothing to resume: the process is gone
    let pending: Promise<StopEvent>;
    // Running before the call: the target may print console output during its first slice.
    this.running = true;
    this.interruptedWhileRunning = false;
    try {
      pending = this.target.resume(request);
    } catch (e) {
      this.running = false;
      this.log(`gdb: target refused to resume: ${errorText(e)}`);
      return 'E03';
    }
    if (this.interruptPending) {
      // Ctrl-C arrived while this resume was still queued behind other packets.
      this.interruptPending = false;
      this.target.interrupt();
    }
    return pending.then((stop) => this.skipFalseConditions(request, stop)).then(
      (stop) => {
        this.running = false;
        this.recordStop(stop);
        return this.stopReply(stop);
      },
      (e: unknown) => {
        this.running = false;
        throw e;
      },
    );
  }

  /**
   * A continuing thread stopped at breakpoints whose conditions (sent by gdb as agent expressions)
   * are all false: gdb would only step it over the breakpoint and continue, so do that here, without
   * the ~20 round trips of a reported hit. Anything else (a true or unevaluable condition, a step,
   * another stop, Ctrl-C) is reported as it is.
   */
  private async skipFalseConditions(request: ResumeRequest, first: StopEvent): Promise<StopEvent> {
    let stop = first;
    let again: ResumeRequest | undefined;
    for (;;) {
      if (stop.kind !== 'signal' || (stop.reason?.kind !== 'swbreak' && stop.reason?.kind !== 'hwbreak')) return stop;
      const tid = stop.thread;
      if ((request.threads.get(tid) ?? request.others)?.kind !== 'continue') return stop;
      const pc = this.registerValue(tid, PPC64_REGNUM.pc);
      if (pc === undefined) return stop;
      const here: CodeBreakpoint[] = [];
      for (const kind of ['sw', 'hw'] as const) {
        const b = this.codeBreakpoints.get(`${kind}:${pc}`);
        if (b !== undefined) here.push(b);
      }
      if (here.length === 0 || here.some((b) => b.conditions.length === 0)) return stop;
      if (this.interruptedWhileRunning) return { kind: 'signal', thread: tid, signal: GdbSignal.INT };
      if (here.some((b) => b.conditions.some((c) => this.conditionHolds(tid, c)))) return stop;
      for (const b of here) this.target.removeBreakpoint(b.kind, b.addr, b.length);
      let stepped: StopEvent;
      try {
        stepped = await this.target.resume({ threads: new Map([[tid, { kind: 'step' }]]) });
      } finally {
        for (const b of here) this.target.addBreakpoint(b.kind, b.addr, b.length);
      }
      const plainStep = stepped.kind === 'signal' && stepped.thread === tid && stepped.signal === GdbSignal.TRAP && stepped.reason === undefined;
      if (!plainStep) {
        stop = stepped; // a breakpoint at the next instruction is checked again; anything else is reported
        continue;
      }
      if (this.interruptedWhileRunning) return { kind: 'signal', thread: tid, signal: GdbSignal.INT };
      // The resume signals were delivered by the first run: run on without them.
      again ??= withoutSignals(request);
      stop = await this.target.resume(again);
    }
  }

  /** A condition is true, or cannot be evaluated here (then gdb decides). */
  private conditionHolds(tid: ThreadId, code: Uint8Array): boolean {
    const r = evaluateAgentExpression(code, {
      register: (regno) => this.registerValue(tid, regno),
      memory: (addr, length) => {
        const bytes = this.target.readMemory(addr, length);
        return isTargetError(bytes) ? undefined : bytes;
      },
    });
    return 'error' in r || r.value !== 0n;
  }

  private registerValue(tid: ThreadId, regno: number): bigint | undefined {
    const bytes = this.registerBytes(tid, regno);
    if (bytes === undefined || isTargetError(bytes)) return undefined;
    let v = 0n;
    for (const b of bytes) v = (v << 8n) | BigInt(b);
    return v;
  }

  private vCont(p: string): Reply | Promise<Reply> {
    const items = parseVCont(p);
    if (items === undefined) return MALFORMED;
    const request: ResumeRequest = { threads: new Map() };
    let anything = false;
    for (const item of items) {
      // The leftmost action that matches a thread wins.
      const action = item.action;
      const sel = item.thread;
      if (sel === undefined || sel.kind === 'all') {
        if (request.others === undefined && action.kind !== 'stop') request.others = action;
        if (action.kind !== 'stop') anything = true;
        continue;
      }
      const tid = sel.kind === 'any' ? this.resolveThread(sel) : sel.tid;
      if (tid === undefined || request.threads.has(tid) || action.kind === 'stop') continue;
      request.threads.set(tid, action);
      anything = true;
    }
    if (!anything) return 'OK';
    return this.resume(request);
  }

  private legacyResume(p: string): Reply | Promise<Reply> {
    const r = parseLegacyResume(p);
    if (r === undefined) return MALFORMED;
    const tid = this.resolveThread(this.continueThread);
    if (tid === undefined) return 'E03';
    if (r.addr !== undefined) {
      const regs = this.target.readRegisters(tid);
      if (isTargetError(regs)) return errorReply(regs);
      regs.pc = r.addr;
      const err = this.target.writeRegisters(tid, regs);
      if (err) return errorReply(err);
    }
    const action: ResumeAction = r.step ? { kind: 'step' } : { kind: 'continue' };
    if (r.signal !== undefined) action.signal = r.signal;
    const request: ResumeRequest = { threads: new Map([[tid, action]]) };
    // Continuing runs every thread; a step moves only the selected one (as gdbserver does).
    if (!r.step) request.others = { kind: 'continue' };
    return this.resume(request);
  }

  private kill(): void {
    try {
      this.target.kill?.();
    } finally {
      this.lastStop = { kind: 'terminated', signal: GdbSignal.KILL };
    }
  }

  private detach(p: string): Reply {
    if (p !== 'D' && !p.startsWith('D;')) return MALFORMED;
    const policy = this.options.onDetach ?? 'run';
    this.codeBreakpoints.clear();
    this.send('OK');
    try {
      if (this.lastStop.kind === 'signal') {
        if (policy === 'kill') this.kill();
        else this.target.detach?.();
      }
    } finally {
      this.log(`gdb: client detached; guest ${policy === 'kill' ? 'killed' : 'runs on'}`);
      if (this.extended) {
        // extended-remote keeps the connection after a detach: gdb may `run` again. This session
        // no longer has a process (gdbserver answers `?` the same way).
        this.lastStop = { kind: 'exited', code: 0 };
      } else {
        this.closed = true;
        this.io.close();
      }
    }
    return undefined;
  }

  private vRun(p: string): Reply | Promise<Reply> {
    if (this.target.restart === undefined) return '';
    const run = parseVRun(p);
    if (run === undefined) return MALFORMED;
    return this.target.restart(run.args).then((stop) => {
      this.startedByRun = true;
      this.recordStop(stop);
      return this.stopReply(stop);
    });
  }

  // ---------------------------------------------------------------- queries

  private qSupported(p: string): Reply {
    const features = parseQSupported(p);
    if (features === undefined) return MALFORMED;
    this.gdbFeatures = features;
    const ours = [
      `PacketSize=${this.packetSize.toString(16)}`,
      'QStartNoAckMode+',
      'qXfer:features:read+',
      'qXfer:threads:read+',
      'swbreak+',
      'hwbreak+',
      'ConditionalBreakpoints+',
      'vContSupported+',
      'multiprocess-',
    ];
    if (this.target.execFile !== undefined) ours.push('qXfer:exec-file:read+');
    if (this.target.passSignals !== undefined) ours.push('QPassSignals+');
    if (this.target.catchSyscalls !== undefined) ours.push('QCatchSyscalls+');
    return ours.join(';');
  }

  private qXfer(p: string): Reply {
    const x = parseQXferRead(p);
    if (x === undefined) return p.includes(':read:') ? MALFORMED : '';
    switch (x.object) {
      case 'features':
        if (x.annex !== 'target.xml') return 'E00';
        return this.xferChunk(this.target.targetXml ?? ppc64TargetXml(this.options.osabi ?? 'GNU/Linux'), x);
      case 'threads':
        // Build the document once per read sequence so that chunks agree with each other.
        if (x.offset === 0 || this.threadsXml === '') this.threadsXml = this.buildThreadsXml();
        return this.xferChunk(this.threadsXml, x);
      case 'exec-file': {
        const file = this.target.execFile?.();
        if (file === undefined) return this.target.execFile === undefined ? '' : 'E00';
        return this.xferChunk(file.path, x);
      }
      default:
        return '';
    }
  }

  private xferChunk(text: string, x: XferRead): Reply {
    const bytes = Buffer.from(text, 'utf8');
    if (x.offset > bytes.length) return EINVAL;
    const max = Math.min(x.length, Math.floor(this.packetSize / 2) - 8);
    const end = Math.min(bytes.length, x.offset + max);
    const chunk = bytes.subarray(x.offset, end);
    const out = new Uint8Array(chunk.length + 1);
    out[0] = (end < bytes.length ? 'm' : 'l').charCodeAt(0);
    out.set(chunk, 1);
    return out;
  }

  private buildThreadsXml(): string {
    const lines = this.liveThreads().map(
      (tid) => `<thread id="${formatThreadId(tid)}" name="${xmlEscape(this.threadName(tid))}"/>`,
    );
    return `<?xml version="1.0"?>\n<threads>\n${lines.join('\n')}\n</threads>\n`;
  }

  private monitor(p: string): Reply | Promise<Reply> {
    if (this.target.monitor === undefined) return '';
    const command = parseQRcmd(p);
    if (command === undefined) return MALFORMED;
    return Promise.resolve(this.target.monitor(command)).then((text) => [...this.outputPackets(text), 'OK']);
  }

  // ---------------------------------------------------------------- host I/O

  private vFile(p: string): Reply {
    const f = parseVFile(p);
    if (f === undefined) return 'F-1,' + (22).toString(16);
    return this.hostIo(f);
  }

  private hostIo(f: VFilePacket): Reply {
    const fail = (errno: number) => `F-1,${errno.toString(16)}`;
    switch (f.op) {
      case 'setfs':
        return 'F0';
      case 'open': {
        const file = this.target.execFile?.();
        if (file === undefined || file.path !== f.path) return fail(FILEIO_ENOENT);
        if ((f.flags & 3) !== 0) return fail(FILEIO_EACCES); // read-only view
        const fd = this.nextFd++;
        this.openFiles.set(fd, { contents: file.contents, nextOffset: 0 });
        return 'F' + fd.toString(16);
      }
      case 'pread': {
        const file = this.openFiles.get(f.fd);
        if (file === undefined) return fail(FILEIO_EBADF);
        const contents = file.contents;
        // Worst case every byte is escaped: keep the reply inside the packet size. gdb asks for a
        // whole packet on every read-ahead miss while BFD hops between headers and sections; a read
        // that does not continue the previous one gets a short answer (a legal pread result), so
        // only sequential reads move 64 KiB at a time. cpuheavy: 4.7 MB -> about 1 MB on the wire.
        const limit = f.offset === file.nextOffset ? HOSTIO_CHUNK : HOSTIO_SEEK_CHUNK;
        const count = Math.min(f.count, Math.floor(this.packetSize / 2) - 32, limit);
        const data = contents.subarray(Math.min(f.offset, contents.length), Math.min(f.offset + count, contents.length));
        file.nextOffset = f.offset + data.length;
        const head = Buffer.from(`F${data.length.toString(16)};`, 'latin1');
        const out = new Uint8Array(head.length + data.length);
        out.set(head);
        out.set(data, head.length);
        return out;
      }
      case 'close':
        return this.openFiles.delete(f.fd) ? 'F0' : fail(FILEIO_EBADF);
      case 'fstat': {
        const contents = this.openFiles.get(f.fd)?.contents;
        if (contents === undefined) return fail(FILEIO_EBADF);
        const stat = new Uint8Array(FILEIO_STAT_BYTES);
        const v = new DataView(stat.buffer);
        v.setUint32(8, 0o100444); // st_mode: regular file, read-only
        v.setUint32(12, 1); // st_nlink
        v.setBigUint64(28, BigInt(contents.length)); // st_size
        v.setBigUint64(36, 4096n); // st_blksize
        v.setBigUint64(44, BigInt(Math.ceil(contents.length / 512))); // st_blocks
        const head = Buffer.from(`F${FILEIO_STAT_BYTES.toString(16)};`, 'latin1');
        const out = new Uint8Array(head.length + stat.length);
        out.set(head);
        out.set(stat, head.length);
        return out;
      }
      case 'unsupported':
        return '';
    }
  }
}

function withoutSignals(request: ResumeRequest): ResumeRequest {
  const strip = (a: ResumeAction): ResumeAction => (a.kind === 'range-step' ? a : { kind: a.kind });
  const threads = new Map<ThreadId, ResumeAction>();
  for (const [tid, a] of request.threads) threads.set(tid, strip(a));
  return request.others === undefined ? { threads } : { threads, others: strip(request.others) };
}

function errorReply(err: TargetError): string {
  const errno = err.errno ?? 14;
  return 'E' + (errno & 0xff).toString(16).padStart(2, '0');
}

function xmlEscape(s: string): string {
  return s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
