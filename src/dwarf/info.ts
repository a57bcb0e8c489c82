// .debug_abbrev and .debug_info: compile units and their DIEs (DWARF 2-4, 32- and 64-bit format).
// DIEs are decoded on demand from their offset; the only eager work is one pass that indexes the
// top-level DIEs (types, globals, functions) by name, which is what every lookup starts from.
import { Cursor } from './cursor.js';
import { DW_AT, DW_FORM, DW_TAG } from './constants.js';
import { DwarfError, hex } from './errors.js';
import { firstPast } from './search.js';

export interface Abbrev {
  code: number;
  tag: number;
  hasChildren: boolean;
  /** Attribute names and forms, interleaved: [at0, form0, at1, form1, ...]. */
  spec: number[];
}

/** One abbreviation table, indexed by code (Go's codes are small and dense). */
export type AbbrevTable = Array<Abbrev | undefined>;

export function parseAbbrevTable(abbrev: Uint8Array, offset: number, littleEndian: boolean): AbbrevTable {
  const c = new Cursor(abbrev, '.debug_abbrev', littleEndian, offset);
  const table: AbbrevTable = [];
  for (;;) {
    const code = c.ulebNumber('abbreviation code');
    if (code === 0) break;
    const tag = c.ulebNumber('abbreviation tag');
    const hasChildren = c.u8('children flag') !== 0;
    const spec: number[] = [];
    for (;;) {
      const at = c.ulebNumber('attribute name');
      const form = c.ulebNumber('attribute form');
      if (at === 0 && form === 0) break;
      spec.push(at, form);
    }
    table[code] = { code, tag, hasChildren, spec };
  }
  return table;
}

export interface CompileUnit {
  /** Offset of the unit header in .debug_info. */
  offset: number;
  /** Offset just past the unit. */
  end: number;
  version: number;
  offsetSize: 4 | 8;
  addressSize: number;
  abbrevs: AbbrevTable;
  /** Offset of the unit's first DIE (the DW_TAG_compile_unit). */
  dieOffset: number;
  name: string;
  producer: string;
  compDir: string;
  /** Offset of the unit's line-number program in .debug_line, when it has one. */
  stmtList: number | undefined;
}

export type AttrValue = number | bigint | string | Uint8Array | boolean;

export interface Die {
  offset: number;
  unit: CompileUnit;
  tag: number;
  hasChildren: boolean;
  /** Attribute names, values and forms in DIE order; references are absolute .debug_info offsets. */
  attrs: number[];
  values: AttrValue[];
  forms: number[];
  /** Offset just past this DIE's attributes: its first child, or its next sibling. */
  next: number;
}

export function attr(die: Die, at: number): AttrValue | undefined {
  const i = die.attrs.indexOf(at);
  return i < 0 ? undefined : die.values[i];
}

export function attrString(die: Die, at: number): string | undefined {
  const v = attr(die, at);
  return typeof v === 'string' ? v : undefined;
}

/** A constant-class attribute as a number (bigints that fit are converted). */
export function attrNumber(die: Die, at: number): number | undefined {
  const v = attr(die, at);
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint' && v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= BigInt(Number.MIN_SAFE_INTEGER)) return Number(v);
  return undefined;
}

/** A reference-class attribute as an absolute .debug_info offset. */
export function attrRef(die: Die, at: number): number | undefined {
  const i = die.attrs.indexOf(at);
  if (i < 0) return undefined;
  const form = die.forms[i]!;
  if (!isReferenceForm(form)) return undefined;
  return die.values[i] as number;
}

function isReferenceForm(form: number): boolean {
  return form >= DW_FORM.ref_addr && form <= DW_FORM.ref_udata; // ref_addr, ref1, ref2, ref4, ref8, ref_udata
}

/** Top-level DIEs by name, found in one pass over .debug_info. */
export interface InfoIndex {
  units: CompileUnit[];
  types: Map<string, number>;
  variables: Map<string, number>;
  functions: Map<string, number>;
  constants: Map<string, number>;
  /** Concrete subprograms with a pc range, sorted by lowPc. */
  functionRanges: FunctionRange[];
}

export interface FunctionRange {
  name: string;
  lowPc: bigint;
  highPc: bigint;
  offset: number;
}

const TYPE_TAGS = new Set<number>([
  DW_TAG.base_type,
  DW_TAG.structure_type,
  DW_TAG.union_type,
  DW_TAG.typedef,
  DW_TAG.pointer_type,
  DW_TAG.array_type,
  DW_TAG.subroutine_type,
  DW_TAG.unspecified_type,
]);

export class DebugInfo {
  private readonly abbrevCache = new Map<number, AbbrevTable>();
  readonly index: InfoIndex;

  constructor(
    readonly info: Uint8Array,
    readonly abbrev: Uint8Array,
    readonly littleEndian: boolean,
  ) {
    this.index = this.scan();
  }

  private abbrevTable(offset: number): AbbrevTable {
    let t = this.abbrevCache.get(offset);
    if (t === undefined) {
      if (offset >= this.abbrev.length) throw new DwarfError(`.debug_abbrev: offset ${hex(offset)} is past the end`);
      t = parseAbbrevTable(this.abbrev, offset, this.littleEndian);
      this.abbrevCache.set(offset, t);
    }
    return t;
  }

  /** The unit containing a .debug_info offset. */
  unitAt(offset: number): CompileUnit | undefined {
    const units = this.index.units;
    const u = units[firstPast(0, units.length, (i) => units[i]!.offset <= offset) - 1];
    return u !== undefined && offset < u.end ? u : undefined;
  }

  /** Decodes the DIE at an absolute offset; undefined when the offset holds a null entry. */
  die(offset: number, unit = this.unitAt(offset)): Die | undefined {
    if (unit === undefined) throw new DwarfError(`.debug_info: offset ${hex(offset)} lies in no compile unit`);
    const c = new Cursor(this.info, '.debug_info', this.littleEndian, offset, unit.end);
    return this.readDie(c, unit);
  }

  /** The direct children of a DIE, in order. */
  children(die: Die): Die[] {
    const out: Die[] = [];
    if (!die.hasChildren) return out;
    const c = new Cursor(this.info, '.debug_info', this.littleEndian, die.next, die.unit.end);
    while (!c.atEnd) {
      const child = this.readDie(c, die.unit);
      if (child === undefined) break;
      out.push(child);
      if (child.hasChildren) this.skipChildren(c, child.unit);
    }
    return out;
  }

  private readDie(c: Cursor, unit: CompileUnit): Die | undefined {
    const offset = c.pos;
    const code = c.ulebNumber('abbreviation code');
    if (code === 0) return undefined;
    const ab = unit.abbrevs[code];
    if (ab === undefined) c.fail(`DIE uses undefined abbreviation ${code}`, offset);
    const spec = ab.spec;
    const n = spec.length >> 1;
    const attrs = new Array<number>(n);
    const values = new Array<AttrValue>(n);
    const forms = new Array<number>(n);
    for (let i = 0; i < n; i++) {
      let form = spec[2 * i + 1]!;
      if (form === DW_FORM.indirect) form = c.ulebNumber('indirect form');
      attrs[i] = spec[2 * i]!;
      forms[i] = form;
      values[i] = this.readValue(c, form, unit);
    }
    return { offset, unit, tag: ab.tag, hasChildren: ab.hasChildren, attrs, values, forms, next: c.pos };
  }

  /** Skips the children (and their descendants) of the DIE that ended at c.pos. */
  private skipChildren(c: Cursor, unit: CompileUnit): void {
    let depth = 1;
    while (depth > 0) {
      if (c.atEnd) return;
      const at = c.pos;
      const code = c.ulebNumber('abbreviation code');
      if (code === 0) {
        depth--;
        continue;
      }
      const ab = unit.abbrevs[code];
      if (ab === undefined) c.fail(`DIE uses undefined abbreviation ${code}`, at);
      this.skipValues(c, ab, unit);
      if (ab.hasChildren) depth++;
    }
  }

  private skipValues(c: Cursor, ab: Abbrev, unit: CompileUnit): void {
    const spec = ab.spec;
    for (let i = 1; i < spec.length; i += 2) {
      let form = spec[i]!;
      if (form === DW_FORM.indirect) form = c.ulebNumber('indirect form');
      const size = fixedFormSize(form, unit);
      if (size >= 0) c.skip(size);
      else this.readValue(c, form, unit);
    }
  }

  private readValue(c: Cursor, form: number, unit: CompileUnit): AttrValue {
    switch (form) {
      case DW_FORM.addr:
        return c.address(unit.addressSize);
      case DW_FORM.data1:
        return c.u8();
      case DW_FORM.data2:
        return c.u16();
      case DW_FORM.data4:
        return c.u32();
      case DW_FORM.data8:
        return c.u64();
      case DW_FORM.sdata:
        return c.sleb();
      case DW_FORM.udata:
        return c.uleb();
      case DW_FORM.string:
        return c.cstring();
      case DW_FORM.strp:
        // Go writes names inline; .debug_str is not part of its output. Keep the offset.
        return c.offset(unit.offsetSize, 'strp');
      case DW_FORM.flag:
        return c.u8() !== 0;
      case DW_FORM.flag_present:
        return true;
      case DW_FORM.block1:
        return c.block(c.u8());
      case DW_FORM.block2:
        return c.block(c.u16());
      case DW_FORM.block4:
        return c.block(c.u32());
      case DW_FORM.block:
      case DW_FORM.exprloc:
        return c.block(c.ulebNumber('block length'));
      case DW_FORM.ref1:
        return unit.offset + c.u8();
      case DW_FORM.ref2:
        return unit.offset + c.u16();
      case DW_FORM.ref4:
        return unit.offset + c.u32();
      case DW_FORM.ref8:
        return unit.offset + c.u64Number('ref8');
      case DW_FORM.ref_udata:
        return unit.offset + c.ulebNumber('ref_udata');
      case DW_FORM.ref_addr:
        // DWARF 2 sized this as an address; DWARF 3+ as an offset.
        return unit.version <= 2 ? Number(c.address(unit.addressSize)) : c.offset(unit.offsetSize, 'ref_addr');
      case DW_FORM.sec_offset:
        return c.offset(unit.offsetSize, 'sec_offset');
      case DW_FORM.ref_sig8:
        return c.u64();
      default:
        return c.fail(`unsupported attribute form ${hex(form)}`);
    }
  }

  private scan(): InfoIndex {
    const units: CompileUnit[] = [];
    const types = new Map<string, number>();
    const variables = new Map<string, number>();
    const functions = new Map<string, number>();
    const constants = new Map<string, number>();
    const functionRanges: FunctionRange[] = [];
    const c = new Cursor(this.info, '.debug_info', this.littleEndian);
    while (c.pos < this.info.length) {
      const offset = c.pos;
      const { length, offsetSize } = c.initialLength('compile unit length');
      const end = c.pos + length;
      if (end > this.info.length) c.fail(`compile unit length ${hex(length)} runs past the end of the section`, offset);
      c.limit = end;
      const version = c.u16('unit version');
      if (version < 2 || version > 4) c.fail(`unsupported DWARF version ${version}`, offset);
      const abbrevOffset = c.offset(offsetSize, 'abbreviation offset');
      const addressSize = c.u8('address size');
      const unit: CompileUnit = {
        offset,
        end,
        version,
        offsetSize,
        addressSize,
        abbrevs: this.abbrevTable(abbrevOffset),
        dieOffset: c.pos,
        name: '',
        producer: '',
        compDir: '',
        stmtList: undefined,
      };
      units.push(unit);
      const cu = this.readDie(c, unit);
      if (cu !== undefined) {
        unit.name = attrString(cu, DW_AT.name) ?? '';
        unit.producer = attrString(cu, DW_AT.producer) ?? '';
        unit.compDir = attrString(cu, DW_AT.comp_dir) ?? '';
        unit.stmtList = attrNumber(cu, DW_AT.stmt_list);
        if (cu.hasChildren) {
          // Top-level DIEs are decoded (for their names); everything deeper is skipped.
          while (!c.atEnd) {
            const die = this.readDie(c, unit);
            if (die === undefined) break;
            if (die.hasChildren) this.skipChildren(c, unit);
            const name = attrString(die, DW_AT.name);
            if (name === undefined) continue;
            if (TYPE_TAGS.has(die.tag)) {
              if (!types.has(name)) types.set(name, die.offset);
            } else if (die.tag === DW_TAG.variable) {
              if (!variables.has(name)) variables.set(name, die.offset);
            } else if (die.tag === DW_TAG.constant) {
              if (!constants.has(name)) constants.set(name, die.offset);
            } else if (die.tag === DW_TAG.subprogram) {
              const range = pcRange(die);
              if (range !== undefined) {
                functionRanges.push({ name, lowPc: range[0], highPc: range[1], offset: die.offset });
                functions.set(name, die.offset); // a concrete copy wins over an abstract one
              } else if (!functions.has(name)) {
                functions.set(name, die.offset);
              }
            }
          }
        }
      }
      c.pos = end;
      c.limit = this.info.length;
    }
    functionRanges.sort((a, b) => (a.lowPc < b.lowPc ? -1 : a.lowPc > b.lowPc ? 1 : 0));
    return { units, types, variables, functions, constants, functionRanges };
  }
}

/** [low, high) of a DIE with DW_AT_low_pc and DW_AT_high_pc (an address, or a length in DWARF 4). */
export function pcRange(die: Die): [bigint, bigint] | undefined {
  const low = attr(die, DW_AT.low_pc);
  if (typeof low !== 'bigint') return undefined;
  const i = die.attrs.indexOf(DW_AT.high_pc);
  if (i < 0) return undefined;
  const high = die.values[i]!;
  if (die.forms[i] === DW_FORM.addr && typeof high === 'bigint') return [low, high];
  if (typeof high === 'number' || typeof high === 'bigint') return [low, low + BigInt(high)];
  return undefined;
}

/** Byte size of a form's value when it does not depend on the data; -1 otherwise. */
function fixedFormSize(form: number, unit: CompileUnit): number {
  switch (form) {
    case DW_FORM.addr:
      return unit.addressSize;
    case DW_FORM.data1:
    case DW_FORM.ref1:
    case DW_FORM.flag:
      return 1;
    case DW_FORM.data2:
    case DW_FORM.ref2:
      return 2;
    case DW_FORM.data4:
    case DW_FORM.ref4:
      return 4;
    case DW_FORM.data8:
    case DW_FORM.ref8:
    case DW_FORM.ref_sig8:
      return 8;
    case DW_FORM.strp:
    case DW_FORM.sec_offset:
      return unit.offsetSize;
    case DW_FORM.ref_addr:
      return unit.version <= 2 ? unit.addressSize : unit.offsetSize;
    case DW_FORM.flag_present:
      return 0;
    default:
      return -1;
  }
}
