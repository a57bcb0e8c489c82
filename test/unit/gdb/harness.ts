// Drives a GdbSession over its byte interface, as gdb would, and decodes what it answers.
import { GdbSession, SessionOptions } from '../../../src/gdb/session.js';
import { PacketReceiver, RspEvent, encodePacket } from '../../../src/gdb/rsp/framing.js';
import type { Target } from '../../../src/gdb/target.js';

export class ByteClient {
  readonly session: GdbSession;
  /** Everything the stub wrote, decoded: packets as latin1 strings, acks as '+'/'-'. */
  events: string[] = [];
  raw: number[] = [];
  closed = false;
  logs: string[] = [];
  private readonly rx: PacketReceiver;

  constructor(target: Target, options: SessionOptions = {}) {
    this.rx = new PacketReceiver((e: RspEvent) => {
      if (e.kind === 'packet') this.events.push(Buffer.from(e.payload).toString('latin1'));
      else if (e.kind === 'ack') this.events.push('+');
      else if (e.kind === 'nak') this.events.push('-');
      else this.events.push(`!${e.kind}`);
    }, 1 << 22);
    this.session = new GdbSession(
      target,
      {
        write: (bytes) => {
          for (const b of bytes) this.raw.push(b);
          this.rx.feed(bytes);
        },
        close: () => {
          this.closed = true;
        },
      },
      { log: (l) => this.logs.push(l), ...options },
    );
  }

  async start(): Promise<void> {
    await this.session.start();
  }

  sendRaw(bytes: string | Uint8Array): void {
    this.session.receive(typeof bytes === 'string' ? new Uint8Array(Buffer.from(bytes, 'latin1')) : bytes);
  }

  /** Send one packet, wait until it is answered, and return the packets (not acks) it produced. */
  async exchange(body: string | Uint8Array): Promise<string[]> {
    const from = this.events.length;
    this.sendRaw(encodePacket(body));
    await this.session.whenIdle();
    return this.events.slice(from).filter((e) => e !== '+' && e !== '-');
  }

  /** The single reply to a packet. */
  async ask(body: string | Uint8Array): Promise<string> {
    const replies = await this.exchange(body);
    if (replies.length !== 1) throw new Error(`expected one reply to ${String(body)}, got ${JSON.stringify(replies)}`);
    return replies[0]!;
  }
}
