// .debug_frame at the level of whole entries (DWARF 4 §6.4.1): split a section into its CIEs and
// FDEs, drop or add FDEs, and write it back with every FDE's CIE pointer fixed up. Also an encoder
// for the call frame instructions and DWARF expressions that hand-written FDEs need. Only the
// big-endian, 8-byte-address form that Go's linker writes for ppc64 is produced.
import { Cursor } from './cursor.js';
import { DwarfError, hex } from './errors.js';

export interface FrameEntry {
  /** Offset of the entry's first byte in the section it was read from. */
  offset: number;
  kind: 'cie' | 'fde';
  /** 8 for 64-bit DWARF entries (length escape 0xffffffff), else 4. */
  offsetSize: 4 | 8;
  /** FDE only: the section offset of its CIE, as read. */
  ciePointer: number;
  /** FDE only. */
  initialLocation: bigint;
  addressRange: bigint;
  /** The whole entry, length field included. */
  bytes: Uint8Array;
}

const CIE_ID_32 = 0xffffffff;
const CIE_ID_64 = 0xffffffffffffffffn;

/** The entries of a .debug_frame section, in order. Zero terminators are skipped. */
export function parseDebugFrame(section: Uint8Array, addressSize = 8): FrameEntry[] {
  const c = new Cursor(section, '.debug_frame', false);
  const out: FrameEntry[] = [];
  while (!c.atEnd) {
    const offset = c.pos;
    const { length, offsetSize } = c.initialLength('entry length');
    if (length === 0) continue;
    const end = c.pos + length;
    if (end > section.length) c.fail(`entry of ${hex(length)} bytes runs past the end`, offset);
    const idAt = c.pos;
    const id = offsetSize === 8 ? c.u64('CIE id') : BigInt(c.u32('CIE id'));
    const isCie = offsetSize === 8 ? id === CIE_ID_64 : id === BigInt(CIE_ID_32);
    let initialLocation = 0n;
    let addressRange = 0n;
    if (!isCie) {
      initialLocation = c.address(addressSize, 'initial_location');
      addressRange = c.address(addressSize, 'address_range');
    }
    void idAt;
    out.push({
      offset,
      kind: isCie ? 'cie' : 'fde',
      offsetSize,
      ciePointer: isCie ? -1 : Number(id),
      initialLocation,
      addressRange,
      bytes: section.subarray(offset, end),
    });
    c.pos = end;
  }
  return out;
}

/**
 * Writes entries back to back. FDE CIE pointers are rewritten to wherever their CIE (matched by its
 * original offset) now lies; a new FDE names its CIE by the CIE's index in `entries`
 * (see newFde). Throws when an FDE's CIE is not among the entries.
 */
export function writeDebugFrame(entries: readonly FrameEntry[]): Uint8Array {
  const total = entries.reduce((n, e) => n + e.bytes.length, 0);
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  const newOffsetOfCie = new Map<number, number>();
  let at = 0;
  for (const e of entries) {
    if (e.kind === 'cie') newOffsetOfCie.set(e.offset, at);
    at += e.bytes.length;
  }
  at = 0;
  for (const e of entries) {
    out.set(e.bytes, at);
    if (e.kind === 'fde') {
      const cie = newOffsetOfCie.get(e.ciePointer);
      if (cie === undefined) throw new DwarfError(`.debug_frame: FDE for ${hex(e.initialLocation)} names a CIE at ${hex(e.ciePointer)} that is not kept`);
      const idAt = at + (e.offsetSize === 8 ? 12 : 4);
      if (e.offsetSize === 8) view.setBigUint64(idAt, BigInt(cie));
      else view.setUint32(idAt, cie);
    }
    at += e.bytes.length;
  }
  return out;
}

// ---- encoding ----

export const DW_CFA = {
  advance_loc4: 0x04,
  offset_extended_sf: 0x11,
  def_cfa: 0x0c,
  undefined: 0x07,
  same_value: 0x08,
  def_cfa_expression: 0x0f,
  val_offset: 0x14,
  val_expression: 0x16,
  nop: 0x00,
} as const;

export const DW_OP_CFI = {
  deref: 0x06,
  minus: 0x1c,
  plus_uconst: 0x23,
  breg0: 0x70,
} as const;

/** Appends bytes and LEB128 numbers. */
export class ByteWriter {
  private readonly parts: number[] = [];

  u8(v: number): this {
    this.parts.push(v & 0xff);
    return this;
  }
  uleb(v: number): this {
    let x = v;
    do {
      let b = x & 0x7f;
      x = Math.floor(x / 128);
      if (x !== 0) b |= 0x80;
      this.parts.push(b);
    } while (x !== 0);
    return this;
  }
  sleb(v: number): this {
    let x = v;
    for (;;) {
      const b = x & 0x7f;
      x = Math.floor(x / 128);
      const done = (x === 0 && (b & 0x40) === 0) || (x === -1 && (b & 0x40) !== 0);
      this.parts.push(done ? b : b | 0x80);
      if (done) return this;
    }
  }
  bytes(b: Uint8Array): this {
    for (const x of b) this.parts.push(x);
    return this;
  }
  get length(): number {
    return this.parts.length;
  }
  toBytes(): Uint8Array {
    return Uint8Array.from(this.parts);
  }
}

/** A DWARF expression built from the handful of operators unwind rules need. */
export class Expr {
  private readonly w = new ByteWriter();
  /** Push register + offset. */
  breg(reg: number, offset: number): this {
    if (reg > 31) throw new DwarfError(`breg${reg}: only registers 0-31 have a one-byte DW_OP_breg`);
    this.w.u8(DW_OP_CFI.breg0 + reg).sleb(offset);
    return this;
  }
  deref(): this {
    this.w.u8(DW_OP_CFI.deref);
    return this;
  }
  plus(n: number): this {
    if (n < 0) throw new DwarfError('plus_uconst takes an unsigned constant');
    if (n > 0) this.w.u8(DW_OP_CFI.plus_uconst).uleb(n);
    return this;
  }
  /** Pops b then a, pushes a - b. */
  minus(): this {
    this.w.u8(DW_OP_CFI.minus);
    return this;
  }
  /** Push mem64[reg + offset]. */
  load(reg: number, offset: number): this {
    return this.breg(reg, offset).deref();
  }
  toBytes(): Uint8Array {
    return this.w.toBytes();
  }
}

/** A CIE in 64-bit DWARF form: version 3, no augmentation, code alignment 1, data alignment 1. */
export function newCie(returnAddressColumn: number, initialInstructions: Uint8Array, offset: number): FrameEntry {
  const body = new ByteWriter()
    .bytes(new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff])) // CIE id
    .u8(3) // version
    .u8(0) // augmentation ""
    .uleb(1) // code alignment factor
    .sleb(1) // data alignment factor
    .uleb(returnAddressColumn)
    .bytes(initialInstructions);
  return finish('cie', body, offset, -1, 0n, 0n);
}

/** An FDE in 64-bit DWARF form; ciePointer is the original offset of a CIE that is written too. */
export function newFde(ciePointer: number, start: bigint, size: bigint, instructions: Uint8Array): FrameEntry {
  const body = new ByteWriter().bytes(new Uint8Array(8)); // CIE pointer, filled in by writeDebugFrame
  const addr = new Uint8Array(16);
  const v = new DataView(addr.buffer);
  v.setBigUint64(0, start);
  v.setBigUint64(8, size);
  body.bytes(addr).bytes(instructions);
  return finish('fde', body, -1, ciePointer, start, size);
}

function finish(kind: 'cie' | 'fde', body: ByteWriter, offset: number, ciePointer: number, start: bigint, size: bigint): FrameEntry {
  while ((12 + body.length) % 8 !== 0) body.u8(DW_CFA.nop);
  const bodyBytes = body.toBytes();
  const bytes = new Uint8Array(12 + bodyBytes.length);
  const v = new DataView(bytes.buffer);
  v.setUint32(0, 0xffffffff);
  v.setBigUint64(4, BigInt(bodyBytes.length));
  bytes.set(bodyBytes, 12);
  return { offset, kind, offsetSize: 8, ciePointer, initialLocation: start, addressRange: size, bytes };
}

// ---- reading rows (the subset of call frame instructions Go's linker emits) ----

export interface CieInfo {
  codeAlign: number;
  dataAlign: number;
  returnAddressColumn: number;
  /** Initial instructions. */
  initial: Uint8Array;
}

/** Where a register of the caller lives, in one row. */
export type RegisterRule = { kind: 'same' } | { kind: 'undefined' } | { kind: 'offset'; offset: number } | { kind: 'unsupported' };

export interface CfiRow {
  /** CFA = register + offset, or undefined when the CFA is a DWARF expression. */
  cfa: { reg: number; offset: number } | undefined;
  returnAddress: RegisterRule;
}

/** Header fields of a CIE entry. */
export function parseCie(e: FrameEntry): CieInfo {
  const c = new Cursor(e.bytes, '.debug_frame', false);
  c.initialLength();
  c.skip(e.offsetSize, 'CIE id');
  const version = c.u8('version');
  const augmentation = c.cstring('augmentation');
  if (augmentation !== '') c.fail(`CIE augmentation "${augmentation}" is not supported`, e.offset);
  if (version >= 4) c.skip(2, 'address and segment size');
  const codeAlign = c.ulebNumber('code alignment');
  const dataAlign = c.slebNumber('data alignment');
  const returnAddressColumn = version === 1 ? c.u8('return address column') : c.ulebNumber('return address column');
  return { codeAlign, dataAlign, returnAddressColumn, initial: e.bytes.subarray(c.pos) };
}

/**
 * The row in force at pc for an FDE (instructions after its header), or undefined when pc is outside
 * it. Expressions and register-based rules other than offsets make the affected rule 'unsupported'.
 */
export function cfiRowAt(cie: CieInfo, fde: FrameEntry, pc: bigint): CfiRow | undefined {
  if (pc < fde.initialLocation || pc >= fde.initialLocation + fde.addressRange) return undefined;
  const row: CfiRow = { cfa: { reg: 1, offset: 0 }, returnAddress: { kind: 'same' } };
  // Factored offsets are multiplied by the data alignment; `+ 0` below turns a -0 into 0.
  const run = (bytes: Uint8Array, start: bigint, stopAt: bigint | undefined): void => {
    const c = new Cursor(bytes, '.debug_frame', false);
    let loc = start;
    const advance = (n: number): boolean => {
      loc += BigInt(n * cie.codeAlign);
      return stopAt !== undefined && loc > stopAt;
    };
    const ra = cie.returnAddressColumn;
    while (!c.atEnd) {
      const op = c.u8('call frame instruction');
      const high = op & 0xc0;
      const low = op & 0x3f;
      if (high === 0x40) {
        if (advance(low)) return;
        continue;
      }
      if (high === 0x80) {
        const off = c.ulebNumber() * cie.dataAlign + 0;
        if (low === ra) row.returnAddress = { kind: 'offset', offset: off };
        continue;
      }
      if (high === 0xc0) {
        if (low === ra) row.returnAddress = { kind: 'same' };
        continue;
      }
      switch (op) {
        case DW_CFA.nop:
          break;
        case 0x02: // advance_loc1
          if (advance(c.u8())) return;
          break;
        case 0x03: // advance_loc2
          if (advance(c.u16())) return;
          break;
        case DW_CFA.advance_loc4:
          if (advance(c.u32())) return;
          break;
        case DW_CFA.def_cfa:
          row.cfa = { reg: c.ulebNumber(), offset: c.ulebNumber() };
          break;
        case 0x12: // def_cfa_sf
          row.cfa = { reg: c.ulebNumber(), offset: c.slebNumber() * cie.dataAlign + 0 };
          break;
        case 0x0e: // def_cfa_offset
          row.cfa = { reg: row.cfa?.reg ?? 1, offset: c.ulebNumber() };
          break;
        case 0x13: // def_cfa_offset_sf
          row.cfa = { reg: row.cfa?.reg ?? 1, offset: c.slebNumber() * cie.dataAlign + 0 };
          break;
        case DW_CFA.def_cfa_expression:
          c.skip(c.ulebNumber());
          row.cfa = undefined;
          break;
        case 0x05: { // offset_extended
          const reg = c.ulebNumber();
          const off = c.ulebNumber() * cie.dataAlign + 0;
          if (reg === ra) row.returnAddress = { kind: 'offset', offset: off };
          break;
        }
        case DW_CFA.offset_extended_sf: {
          const reg = c.ulebNumber();
          const off = c.slebNumber() * cie.dataAlign + 0;
          if (reg === ra) row.returnAddress = { kind: 'offset', offset: off };
          break;
        }
        case DW_CFA.undefined:
          if (c.ulebNumber() === ra) row.returnAddress = { kind: 'undefined' };
          break;
        case DW_CFA.same_value:
        case 0x06: // restore_extended (to the CIE's rule, which is 'same' in Go's CIE)
          if (c.ulebNumber() === ra) row.returnAddress = { kind: 'same' };
          break;
        case DW_CFA.val_offset:
        case 0x09: // register
          if (c.ulebNumber() === ra) row.returnAddress = { kind: 'unsupported' };
          c.ulebNumber();
          break;
        case 0x15: // val_offset_sf
          if (c.ulebNumber() === ra) row.returnAddress = { kind: 'unsupported' };
          c.slebNumber();
          break;
        case 0x10: // expression
        case DW_CFA.val_expression: {
          if (c.ulebNumber() === ra) row.returnAddress = { kind: 'unsupported' };
          c.skip(c.ulebNumber());
          break;
        }
        default:
          throw new DwarfError(`.debug_frame: call frame instruction ${hex(op)} is not supported (FDE at ${hex(fde.offset)})`);
      }
    }
  };
  run(cie.initial, fde.initialLocation, undefined);
  const headerSize = fde.offsetSize === 8 ? 12 + 8 + 16 : 4 + 4 + 16;
  run(fde.bytes.subarray(headerSize), fde.initialLocation, pc);
  return row;
}

/** FDEs sorted by start address, for finding the one that covers a pc. */
export class FrameTable {
  private readonly fdes: FrameEntry[];
  private readonly cies = new Map<number, CieInfo>();

  constructor(entries: readonly FrameEntry[]) {
    this.fdes = entries.filter((e) => e.kind === 'fde').sort((a, b) => (a.initialLocation < b.initialLocation ? -1 : a.initialLocation > b.initialLocation ? 1 : 0));
    for (const e of entries) if (e.kind === 'cie') this.cies.set(e.offset, parseCie(e));
  }

  /** The row at pc, or undefined when no FDE covers it. */
  rowAt(pc: bigint): CfiRow | undefined {
    let lo = 0;
    let hi = this.fdes.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.fdes[mid]!.initialLocation <= pc) lo = mid + 1;
      else hi = mid;
    }
    const fde = this.fdes[lo - 1];
    if (fde === undefined) return undefined;
    const cie = this.cies.get(fde.ciePointer);
    return cie === undefined ? undefined : cfiRowAt(cie, fde, pc);
  }
}
