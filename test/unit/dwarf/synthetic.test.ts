// The DWARF reader on hand-built sections: the 32-bit format, little-endian, and forms Go does not
// use but other producers do (ref4, ref_addr, DW_OP_plus_uconst member locations, upper bounds,
// high_pc as a length), a line program with special opcodes, and malformed input.
import { describe, expect, it } from 'vitest';
import { DW_AT, DW_ATE, DW_FORM, DW_TAG, DwarfError, parseDwarf, underlying } from '../../../src/dwarf/index.js';

/** Little-endian byte builder with labels for forward references. */
class Bytes {
  readonly out: number[] = [];
  readonly labels = new Map<string, number>();
  private readonly patches: Array<{ at: number; label: string; base: number }> = [];
  get pos() {
    return this.out.length;
  }
  u8(...v: number[]) {
    this.out.push(...v.map((x) => x & 0xff));
    return this;
  }
  u16(v: number) {
    return this.u8(v, v >> 8);
  }
  u32(v: number) {
    return this.u8(v, v >> 8, v >> 16, v >>> 24);
  }
  u64(v: bigint) {
    for (let i = 0n; i < 8n; i++) this.u8(Number((v >> (8n * i)) & 0xffn));
    return this;
  }
  uleb(v: number) {
    do {
      let b = v & 0x7f;
      v = Math.floor(v / 128);
      if (v !== 0) b |= 0x80;
      this.u8(b);
    } while (v !== 0);
    return this;
  }
  sleb(v: number) {
    for (;;) {
      const b = v & 0x7f;
      v >>= 7;
      if ((v === 0 && (b & 0x40) === 0) || (v === -1 && (b & 0x40) !== 0)) return this.u8(b);
      this.u8(b | 0x80);
    }
  }
  str(s: string) {
    for (const c of s) this.u8(c.charCodeAt(0));
    return this.u8(0);
  }
  label(name: string) {
    this.labels.set(name, this.pos);
    return this;
  }
  /** A 4-byte reference to `label`, relative to `base`. */
  ref4(label: string, base = 0) {
    this.patches.push({ at: this.pos, label, base });
    return this.u32(0);
  }
  bytes(): Uint8Array {
    for (const p of this.patches) {
      const v = this.labels.get(p.label)! - p.base;
      this.out.splice(p.at, 4, v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, (v >>> 24) & 0xff);
    }
    return new Uint8Array(this.out);
  }
}

function abbrevSection(): Uint8Array {
  const a = new Bytes();
  const decl = (code: number, tag: number, children: boolean, ...spec: number[]) => {
    a.uleb(code).uleb(tag).u8(children ? 1 : 0);
    for (const x of spec) a.uleb(x);
    a.u8(0, 0);
  };
  decl(1, DW_TAG.compile_unit, true, DW_AT.name, DW_FORM.string, DW_AT.producer, DW_FORM.string, DW_AT.stmt_list, DW_FORM.sec_offset);
  decl(2, DW_TAG.base_type, false, DW_AT.name, DW_FORM.string, DW_AT.byte_size, DW_FORM.data1, DW_AT.encoding, DW_FORM.data1);
  decl(3, DW_TAG.structure_type, true, DW_AT.name, DW_FORM.string, DW_AT.byte_size, DW_FORM.udata);
  decl(4, DW_TAG.member, false, DW_AT.name, DW_FORM.string, DW_AT.data_member_location, DW_FORM.block1, DW_AT.type, DW_FORM.ref4);
  decl(5, DW_TAG.pointer_type, false, DW_AT.name, DW_FORM.string, DW_AT.type, DW_FORM.ref_addr);
  decl(6, DW_TAG.variable, false, DW_AT.name, DW_FORM.string, DW_AT.location, DW_FORM.exprloc, DW_AT.type, DW_FORM.ref4);
  decl(7, DW_TAG.subprogram, false, DW_AT.name, DW_FORM.string, DW_AT.low_pc, DW_FORM.addr, DW_AT.high_pc, DW_FORM.data4);
  decl(8, DW_TAG.array_type, true, DW_AT.name, DW_FORM.string, DW_AT.type, DW_FORM.ref4);
  decl(9, DW_TAG.subrange_type, false, DW_AT.upper_bound, DW_FORM.data1);
  decl(10, DW_TAG.constant, false, DW_AT.name, DW_FORM.string, DW_AT.const_value, DW_FORM.sdata);
  a.u8(0);
  return a.bytes();
}

function infoSection(): Uint8Array {
  const b = new Bytes();
  b.label('unit').u32(0).u16(4).u32(0).u8(8); // length patched below, version 4, abbrev 0, 8-byte addresses
  b.uleb(1).str('t.c').str('synthetic producer go1.99.0').u32(0);
  b.label('int').uleb(2).str('int').u8(4).u8(DW_ATE.signed);
  b.label('node').uleb(3).str('node').uleb(16);
  b.uleb(4).str('value').u8(2, 0x23, 0).ref4('int', 0); // DW_OP_plus_uconst 0
  b.uleb(4).str('next').u8(3, 0x23, 0x88, 0x00).ref4('pnode', 0); // plus_uconst 8 as a 2-byte LEB
  b.u8(0);
  b.label('pnode').uleb(5).str('*node').ref4('node', 0);
  b.label('arr').uleb(8).str('[3]int').ref4('int', 0);
  b.uleb(9).u8(2);
  b.u8(0);
  b.uleb(6).str('head').u8(9, 0x03).u64(0x2000_0010n).ref4('pnode', 0);
  b.uleb(6).str('table').u8(9, 0x03).u64(0x2000_0020n).ref4('arr', 0);
  b.uleb(7).str('f').u64(0x1000n).u32(0x20);
  b.uleb(7).str('g').u64(0x1020n).u32(0x10);
  b.uleb(10).str('answer').sleb(-42);
  b.u8(0);
  const bytes = b.bytes();
  new DataView(bytes.buffer).setUint32(0, bytes.length - 4, true);
  return bytes;
}

function lineSection(): Uint8Array {
  const b = new Bytes();
  const lineBase = -5;
  const lineRange = 14;
  const opcodeBase = 13;
  b.u32(0).u16(2); // length patched below, version 2
  const headerLengthAt = b.pos;
  b.u32(0);
  const headerStart = b.pos;
  b.u8(4, 1).u8(lineBase & 0xff, lineRange, opcodeBase).u8(0, 1, 1, 1, 1, 0, 0, 0, 1, 0, 0, 1);
  b.str('src').u8(0); // one include directory
  b.str('t.c').uleb(1).uleb(0).uleb(0).u8(0); // t.c in dir 1
  const headerLength = b.pos - headerStart;
  const special = (addrAdvance: number, lineAdvance: number) => b.u8((lineAdvance - lineBase) + lineRange * addrAdvance + opcodeBase);
  b.u8(0, 9, 2).u64(0x1000n); // DW_LNE_set_address 0x1000
  b.u8(3).sleb(9).u8(1); // line 10, copy            -> 0x1000 line 10
  special(2, 1); //                                     -> 0x1008 line 11 (min inst length 4)
  special(1, 0); //                                     -> 0x100c line 11 (same line: not a new start)
  b.u8(3).sleb(-1).u8(2).uleb(1).u8(1); // line 10, +4 -> 0x1010 line 10
  b.u8(6); special(1, 2); //                 not is_stmt -> 0x1014 line 12
  b.u8(6); special(1, 0); //                     is_stmt -> 0x1018 line 12
  b.u8(2).uleb(2).u8(0, 1, 1); // advance to 0x1020, end_sequence
  const bytes = b.bytes();
  const view = new DataView(bytes.buffer);
  view.setUint32(0, bytes.length - 4, true);
  view.setUint32(headerLengthAt, headerLength, true);
  return bytes;
}

const sections = () =>
  new Map([
    ['.debug_abbrev', abbrevSection()],
    ['.debug_info', infoSection()],
    ['.debug_line', lineSection()],
  ]);

describe('DWARF reader on synthetic 32-bit little-endian sections', () => {
  const dwarf = parseDwarf(sections(), { littleEndian: true });

  it('reads the unit header and the compile unit attributes', () => {
    expect(dwarf.units).toHaveLength(1);
    expect(dwarf.units[0]).toMatchObject({ offsetSize: 4, version: 4, addressSize: 8, name: 't.c', stmtList: 0 });
    expect(dwarf.producer).toBe('synthetic producer go1.99.0');
  });

  it('builds structs with expression member locations and cyclic pointer types', () => {
    const node = dwarf.findStruct('node')!;
    expect(node.size).toBe(16);
    expect(node.members.map((m) => [m.name, m.offset, m.type?.name])).toEqual([
      ['value', 0, 'int'],
      ['next', 8, '*node'],
    ]);
    const next = node.member('next')!.type!;
    expect(next.kind === 'pointer' && next.target).toBe(node);
    expect(next.size).toBe(8);
    expect(underlying(node.member('value')!.type)).toMatchObject({ kind: 'base', signed: true, size: 4 });
  });

  it('sizes arrays from their upper bound', () => {
    const arr = dwarf.findType('[3]int')!;
    expect(arr).toMatchObject({ kind: 'array', count: 3, size: 12 });
  });

  it('reads variables with DW_OP_addr, functions with length high_pc, and constants', () => {
    expect(dwarf.findVariable('head')).toMatchObject({ address: 0x2000_0010n });
    expect(dwarf.findVariable('table')!.type?.name).toBe('[3]int');
    expect(dwarf.findFunction('f')).toMatchObject({ lowPc: 0x1000n, highPc: 0x1020n });
    expect(dwarf.functionAt(0x1024n)?.name).toBe('g');
    expect(dwarf.functionAt(0x1030n)).toBeUndefined();
    expect(dwarf.functionAt(0xfffn)).toBeUndefined();
    const die = dwarf.info.die(dwarf.info.index.constants.get('answer')!)!;
    expect(die.values[die.attrs.indexOf(DW_AT.const_value)]).toBe(-42);
  });

  it('runs the line program: special opcodes, is_stmt toggles, directories', () => {
    expect(dwarf.lineForAddress(0x1000n)).toEqual({ file: 'src/t.c', line: 10, address: 0x1000n, isStmt: true });
    expect(dwarf.lineForAddress(0x100an)).toMatchObject({ line: 11, address: 0x1008n });
    expect(dwarf.lineForAddress(0x1014n)).toMatchObject({ line: 12, isStmt: false });
    expect(dwarf.lineForAddress(0x101fn)).toMatchObject({ line: 12, address: 0x1018n, isStmt: true });
    expect(dwarf.lineForAddress(0x1020n)).toBeUndefined(); // end of sequence
    expect(dwarf.addressesForLine('t.c', 10)).toEqual([0x1000n, 0x1010n]);
    expect(dwarf.addressesForLine('t.c', 11)).toEqual([0x1008n]);
    expect(dwarf.addressesForLine('src/t.c', 12)).toEqual([0x1018n]);
    expect(dwarf.addressesForLine('other.c', 10)).toEqual([]);
    expect(dwarf.fileNames()).toEqual(['src/t.c']);
  });

  it('reports malformed input as a DwarfError naming the section', () => {
    const truncated = sections();
    truncated.set('.debug_info', truncated.get('.debug_info')!.subarray(0, 30));
    expect(() => parseDwarf(truncated, { littleEndian: true })).toThrow(DwarfError);
    expect(() => parseDwarf(truncated, { littleEndian: true })).toThrow(/\.debug_info/);

    const badAbbrev = sections();
    const info = new Uint8Array(badAbbrev.get('.debug_info')!);
    info[11] = 0x7f; // the compile unit's abbreviation code
    badAbbrev.set('.debug_info', info);
    expect(() => parseDwarf(badAbbrev, { littleEndian: true })).toThrow(/undefined abbreviation 127/);

    const version5 = sections();
    const v5 = new Uint8Array(version5.get('.debug_info')!);
    v5[4] = 5;
    version5.set('.debug_info', v5);
    expect(() => parseDwarf(version5, { littleEndian: true })).toThrow(/unsupported DWARF version 5/);

    expect(() => parseDwarf(new Map([['.debug_abbrev', new Uint8Array(1)]]))).toThrow(/no \.debug_info/);
  });

  it('never fails with anything but a DwarfError on corrupted bytes', () => {
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
    const others: string[] = [];
    for (let iter = 0; iter < 600; iter++) {
      const s = sections();
      const name = ['.debug_info', '.debug_abbrev', '.debug_line'][iter % 3]!;
      const b = new Uint8Array(s.get(name)!);
      for (let i = 0, n = 1 + Math.floor(random() * 4); i < n; i++) b[Math.floor(random() * b.length)] = Math.floor(random() * 256);
      s.set(name, b);
      try {
        const d = parseDwarf(s, { littleEndian: true });
        for (const t of d.typeNames()) {
          const u = underlying(d.findType(t));
          if (u?.kind === 'struct') u.members.forEach((m) => m.type?.size);
          void u?.size;
        }
        d.findVariable('head');
        d.functionAt(0x1008n);
        d.lineForAddress(0x1008n);
        d.addressesForLine('t.c', 10);
      } catch (e) {
        if (!(e instanceof DwarfError)) others.push(`${name} iteration ${iter}: ${String(e)}`);
      }
    }
    expect(others).toEqual([]);
  });
});
