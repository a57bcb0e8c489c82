// One gdb connection: bytes in, bytes out. The core here owns the transport (framing, acks,
// retransmission, flow control), the input queue and the running/stopped state; the meaning of
// each packet lives in the capability handlers (handlers/*) reached through one packet table. It
// knows nothing about sockets: the server (or a test) feeds `receive()` and supplies `write`/`close`.
//
// Packets are handled one at a time, in order. A handler may be asynchronous (resume, monitor,
// vRun); later packets wait in the queue, except the interrupt byte, which goes straight to the
// target so that Ctrl-C stops a running guest at once.
import { basePackets } from './handlers/base.js';
import { breakpointPackets } from './handlers/breakpoints.js';
import { SessionState, type SessionCore, type SessionOptions } from './handlers/context.js';
import { extendedModePackets } from './handlers/extended.js';
import { hostIoPackets } from './handlers/host-io.js';
import { monitorPackets } from './handlers/monitor.js';
import { queryPackets } from './handlers/queries.js';
import { resumePackets } from './handlers/resume.js';
import { reversePackets } from './handlers/reverse.js';
import { threadPackets } from './handlers/threads.js';
import { PacketTable } from './packet-table.js';
import { ErrorReply, type Reply } from './replies.js';
import { ACK, NAK, PacketReceiver, RspEvent, encodeHexPacketRunLength, encodePacket } from './rsp/framing.js';
import { bytesToHex, bytesToLatin1 } from './rsp/hex.js';
import type { Target } from './target.js';

export type { LeavePolicy, SessionOptions } from './handlers/context.js';

/**
 * 1 MiB: gdb 13 then reads memory 256 KiB per `m` (a dump is bounded by gdb decoding hex, not by
 * round trips).
 */
export const DEFAULT_PACKET_SIZE = 0x100000;

/** Every packet the stub understands, by capability (the Rust gdbstub crate's grouping). */
const PACKETS = new PacketTable([
  basePackets,
  threadPackets,
  breakpointPackets,
  resumePackets,
  reversePackets,
  queryPackets,
  hostIoPackets,
  monitorPackets,
  extendedModePackets,
]);

/**
 * Packets waiting to be answered beyond which the session asks the transport to stop reading
 * (pauseInput): a client that pipelines requests without reading the answers cannot make the stub
 * hold more than this plus one read's worth.
 */
const MAX_QUEUED_PACKETS = 64;

export interface SessionIo {
  /** Send bytes; `false` means the transport's buffer is full: no more replies until drained(). */
  write(bytes: Uint8Array): boolean | void;
  /** Close the connection (after D). */
  close(): void;
  /** Stop / restart reading from the client (flow control); optional for in-memory transports. */
  pauseInput?(): void;
  resumeInput?(): void;
}

type QueueItem = Uint8Array | { errorReply: string };

export class GdbSession {
  private readonly receiver: PacketReceiver;
  private readonly state: SessionState;
  private readonly log: (line: string) => void;
  private readonly packetSize: number;
  private readonly queue: QueueItem[] = [];
  private busy = true; // until start() has attached
  private running = false;
  private interruptPending = false;
  private interruptedWhileRunning = false;
  private closed = false;
  /** The transport said its buffer is full: replies wait for drained(). */
  private outputBlocked = false;
  private inputPaused = false;
  private lastFrame: Uint8Array | undefined;
  private inflight: Promise<void> | undefined;
  private idleWaiters: Array<() => void> = [];

  constructor(
    private readonly target: Target,
    private readonly io: SessionIo,
    private readonly options: SessionOptions = {},
  ) {
    this.log = options.log ?? (() => {});
    this.packetSize = Math.max(options.packetSize ?? DEFAULT_PACKET_SIZE, 0x10000);
    // Accept a little more than advertised: gdb counts the payload, we count raw escaped bytes.
    this.receiver = new PacketReceiver((e) => this.onEvent(e), this.packetSize + 64);
    const session = this;
    const core: SessionCore = {
      send: (reply) => this.send(reply),
      closeConnection: () => {
        this.closed = true;
        this.queue.length = 0;
        this.io.close();
      },
      outputPackets: (text) => this.outputPackets(text),
      setRunning: (running) => {
        this.running = running;
        if (running) this.interruptedWhileRunning = false;
      },
      takePendingInterrupt: () => {
        const pending = this.interruptPending;
        this.interruptPending = false;
        return pending;
      },
      get interruptedWhileRunning() {
        return session.interruptedWhileRunning;
      },
    };
    this.state = new SessionState(target, core, { ...options, log: this.log }, this.packetSize);
  }

  /** Ask the target why it is stopped (stopping it if it runs free), then serve queued packets. */
  start(): Promise<void> {
    this.target.setConsoleSink?.((text) => this.consoleOutput(text));
    const p = Promise.resolve()
      .then(() => this.target.attach())
      .then(
        (stop) => this.state.recordStop(stop),
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

  /** The transport can take more bytes again (after write() returned false). */
  drained(): void {
    if (!this.outputBlocked) return;
    this.outputBlocked = false;
    this.pump();
  }

  /** The client is gone: drop what it queued, stop a running guest, then leave it as configured. Never throws. */
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
    if (this.state.lastStop.kind !== 'signal') return;
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

  /** Packets received and not answered yet (flow control keeps it small on a real transport). */
  get queuedPackets(): number {
    return this.queue.length;
  }

  // ---------------------------------------------------------------- input side

  private enqueue(item: QueueItem): void {
    this.queue.push(item);
    if (!this.inputPaused && this.queue.length > MAX_QUEUED_PACKETS && this.io.pauseInput !== undefined) {
      this.inputPaused = true;
      this.io.pauseInput();
    }
    this.pump();
  }

  private onEvent(e: RspEvent): void {
    if (this.closed) return;
    switch (e.kind) {
      case 'packet':
        if (this.state.ackMode) this.io.write(ACK);
        this.enqueue(e.payload);
        return;
      case 'ack':
        return;
      case 'nak':
        if (this.state.ackMode && this.lastFrame !== undefined) this.io.write(this.lastFrame);
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
        if (this.state.ackMode) this.io.write(NAK);
        return;
      case 'oversized':
        this.log(`gdb: dropped oversized packet (${e.rawLength} bytes, limit ${this.packetSize})`);
        if (this.state.ackMode) this.io.write(ACK);
        this.enqueue({ errorReply: ErrorReply.invalid });
        return;
      case 'malformed':
        this.log(`gdb: dropped malformed packet: ${e.reason}`);
        if (this.state.ackMode) this.io.write(ACK);
        this.enqueue({ errorReply: ErrorReply.malformed });
        return;
    }
  }

  private pump(): void {
    while (!this.busy && !this.closed && !this.outputBlocked && this.queue.length > 0) {
      const item = this.queue.shift()!;
      let reply: Reply | Promise<Reply>;
      if (item instanceof Uint8Array) {
        const packet = bytesToLatin1(item);
        try {
          reply = PACKETS.dispatch(this.state, packet);
        } catch (e) {
          this.log(`gdb: error handling packet ${JSON.stringify(packet.slice(0, 40))}: ${errorText(e)}`);
          reply = ErrorReply.malformed;
        }
      } else {
        reply = item.errorReply;
      }
      if (reply instanceof Promise) {
        this.busy = true;
        this.inflight = reply
          .catch((e: unknown) => {
            this.log(`gdb: asynchronous handler failed: ${errorText(e)}`);
            return ErrorReply.malformed as Reply;
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
    if (this.inputPaused && (this.closed || this.queue.length <= MAX_QUEUED_PACKETS / 2)) {
      this.inputPaused = false;
      if (!this.closed) this.io.resumeInput?.();
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
    if (this.io.write(frame) === false) this.outputBlocked = true;
  }
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
