// A bounds-checked read cursor over one DWARF section. DWARF mixes fixed-size fields, LEB128
// numbers and NUL-terminated strings, so reads advance `pos` instead of taking offsets.
import { DwarfError, hex } from './errors.js';

const utf8 = new TextDecoder('utf-8');

export class Cursor {
  pos: number;
  private readonly view: DataView;

  constructor(
    readonly bytes: Uint8Array,
    readonly section: string,
    readonly littleEndian: boolean,
    pos = 0,
    /** Reads may not go past this offset (the end of the current unit, for instance). */
    public limit = bytes.length,
  ) {
    this.pos = pos;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get atEnd(): boolean {
    return this.pos >= this.limit;
  }

  fail(what: string, at = this.pos): never {
    throw new DwarfError(`${this.section}: ${what} at offset ${hex(at)}`);
  }

  private need(size: number, what: string): number {
    const at = this.pos;
    if (at + size > this.limit || at < 0) this.fail(`${what} (${size} bytes) runs past the end (${hex(this.limit)})`, at);
    this.pos = at + size;
    return at;
  }

  u8(what = 'u8'): number {
    return this.view.getUint8(this.need(1, what));
  }
  i8(what = 'i8'): number {
    return this.view.getInt8(this.need(1, what));
  }
  u16(what = 'u16'): number {
    return this.view.getUint16(this.need(2, what), this.littleEndian);
  }
  u32(what = 'u32'): number {
    return this.view.getUint32(this.need(4, what), this.littleEndian);
  }
  u64(what = 'u64'): bigint {
    return this.view.getBigUint64(this.need(8, what), this.littleEndian);
  }

  /** A 64-bit value that must be a usable offset or length (below 2^53). */
  u64Number(what = 'u64'): number {
    const v = this.u64(what);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) this.fail(`${what} ${hex(v)} is too large`, this.pos - 8);
    return Number(v);
  }

  /** A section offset of the unit's offset size (4 in 32-bit DWARF, 8 in 64-bit DWARF). */
  offset(offsetSize: number, what = 'offset'): number {
    return offsetSize === 8 ? this.u64Number(what) : this.u32(what);
  }

  /** An address of the unit's address size, as a bigint. */
  address(addressSize: number, what = 'address'): bigint {
    switch (addressSize) {
      case 8:
        return this.u64(what);
      case 4:
        return BigInt(this.u32(what));
      case 2:
        return BigInt(this.u16(what));
      case 1:
        return BigInt(this.u8(what));
      default:
        return this.fail(`unsupported address size ${addressSize}`);
    }
  }

  /** Unsigned LEB128 as a number; values beyond 2^53 come back as a bigint. */
  uleb(what = 'ULEB128'): number | bigint {
    const bytes = this.bytes;
    let pos = this.pos;
    let result = 0;
    let mul = 1;
    for (;;) {
      if (pos >= this.limit) this.fail(`${what} runs past the end`, this.pos);
      const b = bytes[pos++]!;
      result += (b & 0x7f) * mul;
      if ((b & 0x80) === 0) break;
      mul *= 128;
      if (mul > 2 ** 49) return this.ulebBig(what);
    }
    this.pos = pos;
    return result;
  }

  /** Unsigned LEB128 that must fit a number (counts, indexes, offsets). */
  ulebNumber(what = 'ULEB128'): number {
    const at = this.pos;
    const v = this.uleb(what);
    if (typeof v === 'bigint') this.fail(`${what} ${hex(v)} is too large`, at);
    return v;
  }

  private ulebBig(what: string): bigint {
    let pos = this.pos;
    let result = 0n;
    let shift = 0n;
    for (;;) {
      if (pos >= this.limit) this.fail(`${what} runs past the end`, this.pos);
      const b = this.bytes[pos++]!;
      result |= BigInt(b & 0x7f) << shift;
      shift += 7n;
      if ((b & 0x80) === 0) break;
    }
    this.pos = pos;
    return result;
  }

  /** Signed LEB128 as a number (the values DWARF uses here, line advances and constants, are small). */
  sleb(what = 'SLEB128'): number | bigint {
    const bytes = this.bytes;
    let pos = this.pos;
    let result = 0;
    let mul = 1;
    let b: number;
    do {
      if (pos >= this.limit) this.fail(`${what} runs past the end`, this.pos);
      b = bytes[pos++]!;
      result += (b & 0x7f) * mul;
      mul *= 128;
      if (mul > 2 ** 49 && b & 0x80) return this.slebBig(what);
    } while (b & 0x80);
    if (b & 0x40) result -= mul;
    this.pos = pos;
    return result;
  }

  slebNumber(what = 'SLEB128'): number {
    const at = this.pos;
    const v = this.sleb(what);
    if (typeof v === 'bigint') {
      if (v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER)) return Number(v);
      this.fail(`${what} ${v} is too large`, at);
    }
    return v;
  }

  private slebBig(what: string): bigint {
    let pos = this.pos;
    let result = 0n;
    let shift = 0n;
    let b: number;
    do {
      if (pos >= this.limit) this.fail(`${what} runs past the end`, this.pos);
      b = this.bytes[pos++]!;
      result |= BigInt(b & 0x7f) << shift;
      shift += 7n;
    } while (b & 0x80);
    if (b & 0x40) result -= 1n << shift;
    this.pos = pos;
    return result;
  }

  cstring(what = 'string'): string {
    const bytes = this.bytes;
    const start = this.pos;
    const end = bytes.indexOf(0, start);
    if (end < 0 || end >= this.limit) this.fail(`${what} is not NUL-terminated`, start);
    this.pos = end + 1;
    // Go's names are ASCII; building short strings by char code beats TextDecoder.
    let s = '';
    for (let i = start; i < end; i++) {
      const b = bytes[i]!;
      if (b >= 0x80) return utf8.decode(bytes.subarray(start, end));
      s += String.fromCharCode(b);
    }
    return s;
  }

  block(size: number, what = 'block'): Uint8Array {
    const at = this.need(size, what);
    return this.bytes.subarray(at, at + size);
  }

  skip(size: number, what = 'field'): void {
    this.need(size, what);
  }

  /**
   * A unit's initial length: 32-bit DWARF, or 0xffffffff followed by a 64-bit length (64-bit DWARF,
   * which Go writes for XCOFF). Returns the length and the offset size it implies.
   */
  initialLength(what = 'unit length'): { length: number; offsetSize: 4 | 8 } {
    const first = this.u32(what);
    if (first === 0xffffffff) return { length: this.u64Number(what), offsetSize: 8 };
    if (first >= 0xfffffff0) this.fail(`${what} ${hex(first)} is a reserved value`, this.pos - 4);
    return { length: first, offsetSize: 4 };
  }
}
