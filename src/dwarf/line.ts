// .debug_line: line-number programs (DWARF 2-4 headers; Go writes version 2) run into compact
// row arrays, one table per compile unit. Addresses are kept as numbers: text addresses are far
// below 2^53, and typed arrays of numbers are cheap to search.
import { Cursor } from './cursor.js';
import { DW_LNE, DW_LNS } from './constants.js';

export interface LineTable {
  /** Offset of the program in .debug_line. */
  offset: number;
  /** File names by DWARF file number (entry 0 unused before DWARF 5), joined with their directory. */
  files: string[];
  /** Row i: address, line, file number, and flags (ROW_IS_STMT, ROW_END_SEQUENCE). */
  addresses: Float64Array;
  lines: Int32Array;
  fileNumbers: Int32Array;
  flags: Uint8Array;
  /** [firstRow, endRow) of each sequence; the end row is the end_sequence row. */
  sequences: Array<{ first: number; end: number; low: number; high: number }>;
}

export const ROW_IS_STMT = 1;
export const ROW_END_SEQUENCE = 2;

class RowBuilder {
  addresses: number[] = [];
  lines: number[] = [];
  files: number[] = [];
  flags: number[] = [];
  push(address: number, line: number, file: number, flags: number): void {
    this.addresses.push(address);
    this.lines.push(line);
    this.files.push(file);
    this.flags.push(flags);
  }
  get length(): number {
    return this.addresses.length;
  }
}

function joinPath(dir: string, name: string): string {
  if (dir === '' || name.startsWith('/')) return name;
  return dir.endsWith('/') ? dir + name : `${dir}/${name}`;
}

export function parseLineTable(section: Uint8Array, offset: number, littleEndian: boolean): LineTable {
  const c = new Cursor(section, '.debug_line', littleEndian, offset);
  const start = c.pos;
  const { length, offsetSize } = c.initialLength('line program length');
  const end = c.pos + length;
  if (end > section.length) c.fail(`line program length ${length} runs past the end of the section`, start);
  c.limit = end;
  const version = c.u16('line program version');
  if (version < 2 || version > 4) c.fail(`unsupported line program version ${version}`, start);
  const headerLength = c.offset(offsetSize, 'header length');
  const programStart = c.pos + headerLength;
  const minInstLength = c.u8('minimum instruction length');
  if (version >= 4) c.u8('maximum operations per instruction');
  const defaultIsStmt = c.u8('default_is_stmt') !== 0;
  const lineBase = c.i8('line_base');
  const lineRange = c.u8('line_range');
  if (lineRange === 0) c.fail('line_range is 0', start);
  const opcodeBase = c.u8('opcode_base');
  const standardLengths: number[] = [0];
  for (let i = 1; i < opcodeBase; i++) standardLengths.push(c.u8('standard opcode length'));
  const dirs: string[] = [''];
  for (;;) {
    const d = c.cstring('include directory');
    if (d === '') break;
    dirs.push(d);
  }
  const files: string[] = [''];
  const readFileEntry = (name: string): void => {
    const dir = c.ulebNumber('file directory index');
    c.uleb('file mtime');
    c.uleb('file length');
    files.push(joinPath(dirs[dir] ?? '', name));
  };
  for (;;) {
    const name = c.cstring('file name');
    if (name === '') break;
    readFileEntry(name);
  }
  c.pos = programStart;

  const rows = new RowBuilder();
  const sequences: LineTable['sequences'] = [];
  let address = 0;
  let file = 1;
  let line = 1;
  let isStmt = defaultIsStmt;
  let seqFirst = 0;
  const reset = (): void => {
    address = 0;
    file = 1;
    line = 1;
    isStmt = defaultIsStmt;
    seqFirst = rows.length;
  };
  const emit = (endSequence: boolean): void => {
    rows.push(address, line, file, (isStmt ? ROW_IS_STMT : 0) | (endSequence ? ROW_END_SEQUENCE : 0));
  };

  while (c.pos < end) {
    const op = c.u8('line opcode');
    if (op >= opcodeBase) {
      const adj = op - opcodeBase;
      address += Math.floor(adj / lineRange) * minInstLength;
      line += lineBase + (adj % lineRange);
      emit(false);
      continue;
    }
    switch (op) {
      case 0: {
        const len = c.ulebNumber('extended opcode length');
        const next = c.pos + len;
        const ext = len > 0 ? c.u8('extended opcode') : 0;
        if (ext === DW_LNE.end_sequence) {
          emit(true);
          const endRow = rows.length - 1;
          if (endRow > seqFirst) sequences.push({ first: seqFirst, end: endRow, low: rows.addresses[seqFirst]!, high: address });
          reset();
        } else if (ext === DW_LNE.set_address) {
          address = Number(c.address(len - 1, 'DW_LNE_set_address'));
        } else if (ext === DW_LNE.define_file) {
          readFileEntry(c.cstring('file name'));
        }
        c.pos = next; // also skips unknown extended opcodes and set_discriminator
        break;
      }
      case DW_LNS.copy:
        emit(false);
        break;
      case DW_LNS.advance_pc:
        address += c.ulebNumber('advance_pc') * minInstLength;
        break;
      case DW_LNS.advance_line:
        line += c.slebNumber('advance_line');
        break;
      case DW_LNS.set_file:
        file = c.ulebNumber('set_file');
        break;
      case DW_LNS.set_column:
        c.uleb('set_column');
        break;
      case DW_LNS.negate_stmt:
        isStmt = !isStmt;
        break;
      case DW_LNS.set_basic_block:
      case DW_LNS.set_prologue_end:
      case DW_LNS.set_epilogue_begin:
        break;
      case DW_LNS.const_add_pc:
        address += Math.floor((255 - opcodeBase) / lineRange) * minInstLength;
        break;
      case DW_LNS.fixed_advance_pc:
        address += c.u16('fixed_advance_pc');
        break;
      default:
        // An opcode this reader does not know: skip its ULEB operands as the header says.
        for (let i = 0; i < (standardLengths[op] ?? 0); i++) c.uleb('operand');
    }
  }
  return {
    offset,
    files,
    addresses: Float64Array.from(rows.addresses),
    lines: Int32Array.from(rows.lines),
    fileNumbers: Int32Array.from(rows.files),
    flags: Uint8Array.from(rows.flags),
    sequences,
  };
}
