// A DWARF 4 reader for what Go's linker writes (32- or 64-bit format; XCOFF binaries use 64-bit):
// compile units, types with struct layouts, global variables, functions and line tables.
// Input is the raw section bytes by ELF name ('.debug_info', '.debug_abbrev', '.debug_line'),
// which XcoffImage.dwarfSections() provides. Construction indexes top-level names in one pass;
// types and line tables are decoded on first use.
import { DW_AT, DW_OP } from './constants.js';
import { DwarfError, hex } from './errors.js';
import { DebugInfo, attr, attrNumber, attrRef, pcRange, type CompileUnit, type Die, type FunctionRange } from './info.js';
import { parseLineTable, ROW_END_SEQUENCE, ROW_IS_STMT, type LineTable } from './line.js';
import { firstPast } from './search.js';
import { TypeTable, underlying, type DwarfType, type StructType } from './types.js';

export { DwarfError } from './errors.js';
export { DW_AT, DW_ATE, DW_FORM, DW_OP, DW_TAG, GO_KIND } from './constants.js';
export { attr, attrNumber, attrRef, attrString } from './info.js';
export type { AttrValue, CompileUnit, Die } from './info.js';
export type { LineTable } from './line.js';
export { underlying } from './types.js';
export type { ArrayType, BaseType, DwarfType, OtherType, PointerType, StructMember, StructType, TypeKind, TypedefType } from './types.js';

export interface DwarfOptions {
  /** Byte order of the target; false (big-endian) for aix/ppc64 and linux/ppc64. */
  littleEndian?: boolean;
}

export interface DwarfVariable {
  name: string;
  /** From a DW_OP_addr location; undefined for variables without a static address. */
  address: bigint | undefined;
  type: DwarfType | undefined;
  dieOffset: number;
}

export interface DwarfFunction {
  name: string;
  /** [lowPc, highPc); undefined for abstract (inlined-only) functions. */
  lowPc: bigint | undefined;
  highPc: bigint | undefined;
  /** Declaring file and line when the DIE records them. */
  declFile: string | undefined;
  declLine: number | undefined;
  dieOffset: number;
}

export interface LineLocation {
  file: string;
  line: number;
  /** Address of the row that covers the queried address. */
  address: bigint;
  isStmt: boolean;
}

interface SequenceRef {
  low: number;
  high: number;
  table: LineTable;
  first: number;
  end: number;
}

export class Dwarf {
  readonly info: DebugInfo;
  private readonly typeTable: TypeTable;
  private readonly lineSection: Uint8Array | undefined;
  private readonly lineTableCache = new Map<number, LineTable>();
  private readonly variableCache = new Map<string, DwarfVariable | undefined>();
  private allSequences: SequenceRef[] | undefined;
  readonly littleEndian: boolean;

  constructor(sections: ReadonlyMap<string, Uint8Array>, options: DwarfOptions = {}) {
    const info = sections.get('.debug_info');
    const abbrev = sections.get('.debug_abbrev');
    if (info === undefined) throw new DwarfError('no .debug_info section (was the binary linked with -w or stripped?)');
    if (abbrev === undefined) throw new DwarfError('no .debug_abbrev section');
    this.littleEndian = options.littleEndian ?? false;
    this.info = new DebugInfo(info, abbrev, this.littleEndian);
    this.typeTable = new TypeTable(this.info);
    this.lineSection = sections.get('.debug_line');
  }

  get units(): readonly CompileUnit[] {
    return this.info.index.units;
  }

  /** The DW_AT_producer of the first unit that has one, e.g. 'Go cmd/compile go1.24.4; regabi'. */
  get producer(): string {
    return this.units.find((u) => u.producer !== '')?.producer ?? '';
  }

  // ---- types ----

  findType(name: string): DwarfType | undefined {
    const off = this.info.index.types.get(name);
    return off === undefined ? undefined : this.typeTable.at(off);
  }

  /** A struct by name, looking through typedefs. */
  findStruct(name: string): StructType | undefined {
    const t = underlying(this.findType(name));
    return t !== undefined && (t.kind === 'struct' || t.kind === 'union') ? t : undefined;
  }

  typeAt(dieOffset: number): DwarfType | undefined {
    return this.typeTable.at(dieOffset);
  }

  typeNames(): IterableIterator<string> {
    return this.info.index.types.keys();
  }

  // ---- variables ----

  /** A global by name; memoised, since the runtime views look up runtime.allm and friends on every stop. */
  findVariable(name: string): DwarfVariable | undefined {
    const cached = this.variableCache.get(name);
    if (cached !== undefined || this.variableCache.has(name)) return cached;
    const off = this.info.index.variables.get(name);
    let found: DwarfVariable | undefined;
    if (off !== undefined) {
      const die = this.info.die(off)!;
      const typeRef = attrRef(die, DW_AT.type);
      found = {
        name,
        address: staticAddress(attr(die, DW_AT.location), die.unit.addressSize, this.littleEndian),
        type: typeRef === undefined ? undefined : this.typeTable.at(typeRef),
        dieOffset: off,
      };
    }
    this.variableCache.set(name, found);
    return found;
  }

  variableNames(): IterableIterator<string> {
    return this.info.index.variables.keys();
  }

  // ---- functions ----

  findFunction(name: string): DwarfFunction | undefined {
    const off = this.info.index.functions.get(name);
    return off === undefined ? undefined : this.functionFromDie(this.info.die(off)!, name);
  }

  /** The concrete function whose [lowPc, highPc) contains pc. */
  functionAt(pc: bigint): DwarfFunction | undefined {
    const r = findRange(this.info.index.functionRanges, pc);
    return r === undefined ? undefined : this.functionFromDie(this.info.die(r.offset)!, r.name);
  }

  functionNames(): IterableIterator<string> {
    return this.info.index.functions.keys();
  }

  private functionFromDie(die: Die, name: string): DwarfFunction {
    const range = pcRange(die);
    const fileNumber = attrNumber(die, DW_AT.decl_file);
    let declFile: string | undefined;
    if (fileNumber !== undefined) declFile = this.lineTableOf(die.unit)?.files[fileNumber];
    return {
      name,
      lowPc: range?.[0],
      highPc: range?.[1],
      declFile,
      declLine: attrNumber(die, DW_AT.decl_line),
      dieOffset: die.offset,
    };
  }

  // ---- lines ----

  /** The line table of a unit (decoded once). */
  lineTableOf(unit: CompileUnit): LineTable | undefined {
    if (unit.stmtList === undefined || this.lineSection === undefined) return undefined;
    let t = this.lineTableCache.get(unit.stmtList);
    if (t === undefined) {
      t = parseLineTable(this.lineSection, unit.stmtList, this.littleEndian);
      this.lineTableCache.set(unit.stmtList, t);
    }
    return t;
  }

  private sequences(): SequenceRef[] {
    if (this.allSequences === undefined) {
      const all: SequenceRef[] = [];
      for (const unit of this.units) {
        const table = this.lineTableOf(unit);
        if (table === undefined) continue;
        for (const s of table.sequences) all.push({ low: s.low, high: s.high, table, first: s.first, end: s.end });
      }
      all.sort((a, b) => a.low - b.low);
      this.allSequences = all;
    }
    return this.allSequences;
  }

  /** The source position of an address: the last row at or before it in the sequence containing it. */
  lineForAddress(pc: bigint): LineLocation | undefined {
    const addr = Number(pc);
    const seqs = this.sequences();
    const lo = firstPast(0, seqs.length, (i) => seqs[i]!.low <= addr);
    // Sequences do not overlap in Go output, but check a couple back in case they do.
    for (let i = lo - 1; i >= 0 && i >= lo - 2; i--) {
      const s = seqs[i]!;
      if (addr < s.low || addr >= s.high) continue;
      const t = s.table;
      // rows [first, end) are real rows; `end` is the end_sequence row
      const row = firstPast(s.first, s.end, (r) => t.addresses[r]! <= addr) - 1;
      if (row < s.first) return undefined;
      return {
        file: t.files[t.fileNumbers[row]!] ?? '',
        line: t.lines[row]!,
        address: BigInt(t.addresses[row]!),
        isStmt: (t.flags[row]! & ROW_IS_STMT) !== 0,
      };
    }
    return undefined;
  }

  /**
   * Addresses where code for file:line begins: the first is_stmt row of each run of rows for that
   * line. `file` matches a table's file name exactly or as a path suffix ('main.go', 'hello/main.go').
   */
  addressesForLine(file: string, line: number): bigint[] {
    const found = new Set<number>();
    for (const unit of this.units) {
      const t = this.lineTableOf(unit);
      if (t === undefined) continue;
      const wanted = new Set<number>();
      t.files.forEach((name, i) => {
        if (i > 0 && fileMatches(name, file)) wanted.add(i);
      });
      if (wanted.size === 0) continue;
      for (const s of t.sequences) {
        let prevLine = -1;
        let prevFile = -1;
        for (let r = s.first; r < s.end; r++) {
          const f = t.fileNumbers[r]!;
          const l = t.lines[r]!;
          const stmt = (t.flags[r]! & (ROW_IS_STMT | ROW_END_SEQUENCE)) === ROW_IS_STMT;
          if (stmt && l === line && wanted.has(f) && (l !== prevLine || f !== prevFile)) found.add(t.addresses[r]!);
          if (stmt) {
            prevLine = l;
            prevFile = f;
          }
        }
      }
    }
    return [...found].sort((a, b) => a - b).map((a) => BigInt(a));
  }

  /** Every file name any line table mentions. */
  fileNames(): string[] {
    const names = new Set<string>();
    for (const unit of this.units) for (const f of this.lineTableOf(unit)?.files.slice(1) ?? []) names.add(f);
    return [...names];
  }
}

export function parseDwarf(sections: ReadonlyMap<string, Uint8Array>, options: DwarfOptions = {}): Dwarf {
  return new Dwarf(sections, options);
}

function fileMatches(name: string, query: string): boolean {
  return name === query || (name.endsWith(query) && (query.startsWith('/') || name[name.length - query.length - 1] === '/'));
}

function findRange(ranges: readonly FunctionRange[], pc: bigint): FunctionRange | undefined {
  const r = ranges[firstPast(0, ranges.length, (i) => ranges[i]!.lowPc <= pc) - 1];
  return r !== undefined && pc < r.highPc ? r : undefined;
}

/** The address of a DW_AT_location that is exactly DW_OP_addr <address>. */
function staticAddress(location: ReturnType<typeof attr>, addressSize: number, littleEndian: boolean): bigint | undefined {
  if (!(location instanceof Uint8Array) || location.length !== 1 + addressSize || location[0] !== DW_OP.addr) return undefined;
  const view = new DataView(location.buffer, location.byteOffset + 1, addressSize);
  if (addressSize === 8) return view.getBigUint64(0, littleEndian);
  if (addressSize === 4) return BigInt(view.getUint32(0, littleEndian));
  throw new DwarfError(`DW_OP_addr with unsupported address size ${hex(addressSize)}`);
}
