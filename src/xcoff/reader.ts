// Bounds-checked big-endian reads over the file bytes. Every read that would leave the file
// throws an XcoffError naming what was being read and where, never a RangeError.
import { XcoffError, hex } from './errors.js';

export class ByteReader {
  readonly bytes: Uint8Array;
  readonly length: number;
  private readonly view: DataView;

  constructor(bytes: Uint8Array) {
    this.bytes = bytes;
    this.length = bytes.length;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  /** Throws unless [offset, offset+size) lies inside the file. */
  require(offset: number, size: number, what: string): void {
    if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(size) || offset < 0 || size < 0 || offset + size > this.length) {
      throw new XcoffError(
        `${what} at offset ${hex(offset)} (${size} bytes) extends past the end of the file (${hex(this.length)} bytes)`,
      );
    }
  }

  u8(offset: number, what: string): number {
    this.require(offset, 1, what);
    return this.view.getUint8(offset);
  }
  i8(offset: number, what: string): number {
    this.require(offset, 1, what);
    return this.view.getInt8(offset);
  }
  u16(offset: number, what: string): number {
    this.require(offset, 2, what);
    return this.view.getUint16(offset);
  }
  i16(offset: number, what: string): number {
    this.require(offset, 2, what);
    return this.view.getInt16(offset);
  }
  u32(offset: number, what: string): number {
    this.require(offset, 4, what);
    return this.view.getUint32(offset);
  }
  i32(offset: number, what: string): number {
    this.require(offset, 4, what);
    return this.view.getInt32(offset);
  }
  u64(offset: number, what: string): bigint {
    this.require(offset, 8, what);
    return this.view.getBigUint64(offset);
  }

  /** A 64-bit file offset or size as a number; it must fit in the file to be usable at all. */
  offset64(offset: number, what: string): number {
    const value = this.u64(offset, what);
    if (value > BigInt(this.length)) {
      throw new XcoffError(`${what} ${hex(value)} (read at offset ${hex(offset)}) points past the end of the file (${hex(this.length)} bytes)`);
    }
    return Number(value);
  }

  slice(offset: number, size: number, what: string): Uint8Array {
    this.require(offset, size, what);
    return this.bytes.subarray(offset, offset + size);
  }

  /** Index of the NUL that ends the string starting at offset; it must come before `limit`. */
  terminator(offset: number, limit: number, what: string): number {
    const end = Math.min(limit, this.length);
    if (offset < 0 || offset >= end) {
      throw new XcoffError(`${what} at offset ${hex(offset)} lies outside its table (which ends at ${hex(end)})`);
    }
    const i = this.bytes.indexOf(0, offset);
    if (i < 0 || i >= end) throw new XcoffError(`${what} at offset ${hex(offset)} is not NUL-terminated before ${hex(end)}`);
    return i;
  }

  /** A NUL-terminated string starting at offset that must end before `limit`. */
  cstring(offset: number, limit: number, what: string): string {
    const stop = this.terminator(offset, limit, what);
    const bytes = this.bytes;
    // Symbol names are ASCII; building them by char code is much cheaper than TextDecoder.
    let s = '';
    for (let j = offset; j < stop; j++) {
      const b = bytes[j]!;
      if (b >= 0x80) return utf8.decode(bytes.subarray(offset, stop));
      s += String.fromCharCode(b);
    }
    return s;
  }
}

const utf8 = new TextDecoder('utf-8');
