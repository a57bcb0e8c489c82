// RSP framing: a receive state machine fed bytes in any chunking, and the packet encoder.
//
// Input is classified into packets (`$body#xx`), acks (`+`/`-`) and the interrupt byte (0x03).
// The body's run-length (`*`) and escape (`}`) encodings are undone here in one pass, exactly as
// gdb's own read_frame does, so command parsers always see plain bytes.

export const INTERRUPT_BYTE = 0x03;

const DOLLAR = 0x24;
const HASH = 0x23;
const ESCAPE = 0x7d; // '}'
const RUN_LENGTH = 0x2a; // '*'
const PLUS = 0x2b;
const MINUS = 0x2d;

export type RspEvent =
  | { kind: 'packet'; payload: Uint8Array }
  | { kind: 'ack' }
  | { kind: 'nak' }
  | { kind: 'interrupt' }
  /** Checksum mismatch: the packet is dropped and the sender should get `-`. */
  | { kind: 'bad-checksum'; expected: number; received: number }
  /** The body exceeded the size limit; its checksum was valid, the data is dropped. */
  | { kind: 'oversized'; rawLength: number }
  /** Valid checksum but undecodable body (dangling escape, run-length with nothing to repeat). */
  | { kind: 'malformed'; reason: string };

export function checksumOf(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let sum = 0;
  for (let i = start; i < end; i++) sum = (sum + bytes[i]!) & 0xff;
  return sum;
}

function hexValue(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  if (code >= 0x61 && code <= 0x66) return code - 0x57;
  if (code >= 0x41 && code <= 0x46) return code - 0x37;
  return -1;
}

const enum State {
  Idle,
  Body,
  Checksum1,
  Checksum2,
}

/**
 * Byte-at-a-time receiver. `maxRawLength` bounds the bytes kept between `$` and `#`; a longer
 * body is still checksummed but its contents are discarded and reported as `oversized`.
 */
export class PacketReceiver {
  private state = State.Idle;
  private body: Uint8Array;
  private length = 0;
  private sum = 0;
  private overflow = false;
  private firstChecksumDigit = 0;

  constructor(
    private readonly emit: (event: RspEvent) => void,
    private readonly maxRawLength = 0x20000,
  ) {
    this.body = new Uint8Array(Math.min(4096, maxRawLength));
  }

  feed(chunk: Uint8Array): void {
    for (let i = 0; i < chunk.length; i++) this.feedByte(chunk[i]!);
  }

  private feedByte(b: number): void {
    switch (this.state) {
      case State.Idle:
        if (b === DOLLAR) this.startPacket();
        else if (b === PLUS) this.emit({ kind: 'ack' });
        else if (b === MINUS) this.emit({ kind: 'nak' });
        else if (b === INTERRUPT_BYTE) this.emit({ kind: 'interrupt' });
        // Anything else between packets is line noise and is ignored, as gdbserver does.
        return;
      case State.Body:
        if (b === HASH) {
          this.state = State.Checksum1;
        } else if (b === DOLLAR) {
          // A raw '$' can never be inside a body: the previous packet was truncated; resync here.
          this.startPacket();
        } else {
          this.sum = (this.sum + b) & 0xff;
          this.store(b);
        }
        return;
      case State.Checksum1:
        this.firstChecksumDigit = b;
        this.state = State.Checksum2;
        return;
      case State.Checksum2:
        this.state = State.Idle;
        this.finishPacket(this.firstChecksumDigit, b);
        return;
    }
  }

  private startPacket(): void {
    this.state = State.Body;
    this.length = 0;
    this.sum = 0;
    this.overflow = false;
  }

  private store(b: number): void {
    if (this.overflow) {
      this.length++;
      return;
    }
    if (this.length >= this.maxRawLength) {
      this.overflow = true;
      this.length++;
      return;
    }
    if (this.length === this.body.length) {
      const grown = new Uint8Array(Math.min(this.body.length * 2, this.maxRawLength));
      grown.set(this.body);
      this.body = grown;
    }
    this.body[this.length++] = b;
  }

  private finishPacket(c1: number, c2: number): void {
    const hi = hexValue(c1);
    const lo = hexValue(c2);
    const received = hi < 0 || lo < 0 ? -1 : (hi << 4) | lo;
    if (received !== this.sum) {
      this.emit({ kind: 'bad-checksum', expected: this.sum, received });
      return;
    }
    if (this.overflow) {
      this.emit({ kind: 'oversized', rawLength: this.length });
      return;
    }
    const decoded = decodeBody(this.body.subarray(0, this.length));
    if (typeof decoded === 'string') this.emit({ kind: 'malformed', reason: decoded });
    else this.emit({ kind: 'packet', payload: decoded });
  }
}

/** Undo `}` escapes and `*` run-length encoding. Returns a reason string when malformed. */
export function decodeBody(raw: Uint8Array): Uint8Array | string {
  let needsWork = false;
  for (let i = 0; i < raw.length; i++) {
    if (raw[i] === ESCAPE || raw[i] === RUN_LENGTH) {
      needsWork = true;
      break;
    }
  }
  if (!needsWork) return raw.slice();
  const out: number[] = [];
  for (let i = 0; i < raw.length; i++) {
    const b = raw[i]!;
    if (b === ESCAPE) {
      if (i + 1 >= raw.length) return 'escape character at end of packet';
      out.push(raw[++i]! ^ 0x20);
    } else if (b === RUN_LENGTH) {
      if (out.length === 0) return 'run-length marker with nothing to repeat';
      if (i + 1 >= raw.length) return 'run-length marker at end of packet';
      const repeat = raw[++i]! - 29;
      if (repeat < 1) return 'run-length count out of range';
      const prev = out[out.length - 1]!;
      for (let k = 0; k < repeat; k++) out.push(prev);
    } else {
      out.push(b);
    }
  }
  return Uint8Array.from(out);
}

/** 1 for the bytes a frame must escape: `$ # } *`. */
const ESCAPED = new Uint8Array(256);
for (const b of [DOLLAR, HASH, ESCAPE, RUN_LENGTH]) ESCAPED[b] = 1;

/** Frame a payload as `$body#xx`, escaping `$ # } *` so binary data survives. */
export function encodePacket(payload: Uint8Array | string): Uint8Array {
  if (typeof payload === 'string') {
    // Text replies (all but binary host I/O) rarely need escapes: copy them natively into the frame.
    const n = payload.length;
    const out = Buffer.allocUnsafe(n + 4);
    out[0] = DOLLAR;
    out.write(payload, 1, n, 'latin1');
    const body = out.subarray(1, n + 1);
    if (body.indexOf(DOLLAR) < 0 && body.indexOf(HASH) < 0 && body.indexOf(ESCAPE) < 0 && body.indexOf(RUN_LENGTH) < 0) {
      return finishFrame(out, n + 1);
    }
    return encodePacket(Uint8Array.from(body));
  }
  // Binary host I/O (64 KiB of the ELF view per pread): a table lookup per byte.
  const bytes = payload;
  let escapes = 0;
  for (let i = 0; i < bytes.length; i++) escapes += ESCAPED[bytes[i]!]!;
  const out = new Uint8Array(bytes.length + escapes + 4);
  out[0] = DOLLAR;
  let o = 1;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (ESCAPED[b] === 0) {
      out[o++] = b;
    } else {
      out[o++] = ESCAPE;
      out[o++] = b ^ 0x20;
    }
  }
  return finishFrame(out, o);
}

/** Append `#xx` after the body that fills out[1..end). */
function finishFrame(out: Uint8Array, end: number): Uint8Array {
  const sum = checksumOf(out, 1, end);
  out[end] = HASH;
  out[end + 1] = '0123456789abcdef'.charCodeAt(sum >> 4);
  out[end + 2] = '0123456789abcdef'.charCodeAt(sum & 15);
  return out;
}

/** Longest run one `X*n` triple stands for: n = count - 1 + 29 stays printable and below '}'. */
const MAX_RUN = 96;
const HEX_CODES = Uint8Array.from('0123456789abcdef', (c) => c.charCodeAt(0));
const ZERO_DIGIT = 0x30;
const RLE_BLOCK = 4096;
const ZERO_BLOCK = new Uint8Array(RLE_BLOCK);

/**
 * Frame bytes as the hex body of a memory or register reply, with gdb's run-length encoding: a
 * run of 4 to 96 equal hex digits becomes the digit, '*' and a count character. gdb expands it
 * while reading the frame, so zero-filled memory costs it a fraction of the bytes. Counts that
 * would give '#' or '$' (runs of 7 and 8) are shortened by one.
 */
export function encodeHexPacketRunLength(data: Uint8Array): Uint8Array {
  const out = Buffer.allocUnsafe(2 * data.length + 4);
  out[0] = DOLLAR;
  const src = Buffer.from(data.buffer, data.byteOffset, data.length);
  let o = 1;
  let zeros = 0; // hex '0' digits of whole zero blocks not written yet
  let spanStart = -1; // start of the bytes not yet encoded that are not whole zero blocks
  for (let at = 0; at < src.length + RLE_BLOCK; at += RLE_BLOCK) {
    const blockEnd = Math.min(at + RLE_BLOCK, src.length);
    // Untouched memory is zero page after page: no hex digits are written or scanned for it.
    const zeroBlock = blockEnd - at === RLE_BLOCK && src.subarray(at, blockEnd).equals(ZERO_BLOCK);
    if (!zeroBlock && at < src.length) {
      if (spanStart < 0) {
        if (zeros > 0) o = emitRun(out, o, ZERO_DIGIT, zeros);
        zeros = 0;
        spanStart = at;
      }
      continue;
    }
    if (spanStart >= 0) {
      const spanEnd = Math.min(at, src.length);
      o = foldHexInPlace(out, o, out.write(src.toString('hex', spanStart, spanEnd), o, 'latin1'));
      spanStart = -1;
    }
    if (zeroBlock) zeros += 2 * RLE_BLOCK;
  }
  if (zeros > 0) o = emitRun(out, o, ZERO_DIGIT, zeros);
  const sum = checksumOf(out, 1, o);
  out[o++] = HASH;
  out[o++] = HEX_CODES[sum >> 4]!;
  out[o++] = HEX_CODES[sum & 15]!;
  return out.subarray(0, o);
}

/**
 * Fold runs of the `length` hex digits just written at o, in place (the encoded form is never
 * longer than what it replaces, so writing never overtakes reading); returns the new end.
 */
function foldHexInPlace(out: Uint8Array, o: number, length: number): number {
  const end = o + length;
  let r = o;
  while (r < end) {
    const c = out[r]!;
    let k = r + 1;
    const limit = end < r + MAX_RUN ? end : r + MAX_RUN;
    while (k < limit && out[k] === c) k++;
    let run = k - r;
    out[o++] = c;
    if (run < 4) {
      // Dense data: short runs are copied inline.
      if (run > 1) out[o++] = c;
      if (run > 2) out[o++] = c;
    } else {
      if (run === 7 || run === 8) run = 6; // counts '#' and '$' are not allowed
      out[o++] = RUN_LENGTH;
      out[o++] = run - 1 + 29;
    }
    r += run;
  }
  return o;
}

/** `length` copies of `c` at o: literally below 4, else as c '*' count (never '#' or '$'). */
function emitRun(out: Uint8Array, o: number, c: number, length: number): number {
  let left = length;
  while (left >= 4) {
    let take = left < MAX_RUN ? left : MAX_RUN;
    if (take === 7 || take === 8) take = 6;
    out[o++] = c;
    out[o++] = RUN_LENGTH;
    out[o++] = take - 1 + 29;
    left -= take;
  }
  for (; left > 0; left--) out[o++] = c;
  return o;
}

/** The one-byte acknowledgements of ack mode. */
export const ACK = Uint8Array.of(PLUS);
export const NAK = Uint8Array.of(MINUS);
