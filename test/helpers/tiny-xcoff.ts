// A small XCOFF64 executable built in memory, shaped like what Go's linker writes (the parts
// src/xcoff reads and src/aix/loader.ts maps): headers, .text, .data with the entry descriptor
// and one import slot per loader import, .bss, a .loader section (import file IDs, loader symbols,
// R_POS 64-bit relocations naming the slots), optional DWARF sections and a symbol table.
// Unit tests use it wherever they need "an AIX program" without Go: it is a few hundred bytes.
//
// The code at __start calls _exit(7) through its import slot, the way Go's libc calls go
// (load the descriptor from the TOC, branch to its first word with bctrl).

export const TINY_TEXT_BASE = 0x1_0000_0000n;
export const TINY_DATA_BASE = 0x2_0000_0000n;
/** The status __start passes to _exit. */
export const TINY_EXIT_STATUS = 7;

export interface TinyImport {
  name: string;
  library: string;
  member: string;
}

const LIBC = { library: 'libc.a', member: 'shr_64.o' };
const LIBPTHREAD = { library: 'libpthread.a', member: 'shr_xpg5_64.o' };

// The imports of Go 1.24's hello on aix/ppc64, in its loader-symbol order: the loader gives each
// a sentinel descriptor, and tests that script libc calls by name find them all.
const GO_LIBC_IMPORTS = (
  '_Errno __mod_init clock_gettime close execve _exit fcntl getegid geteuid getgid getpid getsystemcfg getuid kill ' +
  'madvise malloc mmap mprotect munmap open pipe poll raise read sched_yield sem_init sem_post sem_timedwait sem_wait ' +
  'setrlimit sigaction sigaltstack sysconf usleep write fstat getrlimit lstat stat getcwd getdirent lseek'
).split(' ');
const GO_LIBPTHREAD_IMPORTS = (
  '__n_pthreads pthread_attr_init pthread_attr_setdetachstate pthread_attr_setstacksize pthread_create pthread_kill ' +
  'pthread_self sigthreadmask'
).split(' ');

export const TINY_IMPORTS: readonly TinyImport[] = [
  ...GO_LIBC_IMPORTS.map((name) => ({ name, ...LIBC })),
  ...GO_LIBPTHREAD_IMPORTS.map((name) => ({ name, ...LIBPTHREAD })),
];

export interface TinyXcoffOptions {
  imports?: readonly TinyImport[];
  /** DWARF sections by ELF name ('.debug_info', '.debug_abbrev', '.debug_line', '.debug_frame'),
   * or 'go' for the small Go-shaped sample tinyGoDwarf writes for this program's addresses. */
  dwarf?: ReadonlyMap<string, Uint8Array> | 'go';
}

/** Where main.go's lines are in the tiny program (tinyGoDwarf's line table). */
export const TINY_LINES = { startLine: 3, startCallLine: 4, mainLine: 9 } as const;

/**
 * A DWARF 4 sample shaped like Go's (big-endian, 8-byte addresses, one compile unit "main" in
 * DW_LANG_Go): subprograms __start and main.main, the variable main.counter (an int at its
 * address), and a version 2 line program for main.go. Addresses come from the built program.
 */
export function tinyGoDwarf(start: bigint, main: bigint, counter: bigint): Map<string, Uint8Array> {
  const bytes = () => {
    const b: number[] = [];
    const w = {
      b,
      u8: (...v: number[]) => { b.push(...v.map((x) => x & 0xff)); return w; },
      u16: (v: number) => w.u8(v >> 8, v),
      u32: (v: number) => w.u8(v >>> 24, v >> 16, v >> 8, v),
      u64: (v: bigint) => { for (let i = 7n; i >= 0n; i--) w.u8(Number((v >> (8n * i)) & 0xffn)); return w; },
      uleb: (v: number) => { do { let x = v & 0x7f; v >>>= 7; if (v !== 0) x |= 0x80; w.u8(x); } while (v !== 0); return w; },
      sleb: (v: number) => { for (;;) { const x = v & 0x7f; v >>= 7; const done = (v === 0 && !(x & 0x40)) || (v === -1 && (x & 0x40) !== 0); w.u8(done ? x : x | 0x80); if (done) return w; } },
      str: (s: string) => w.u8(...new TextEncoder().encode(s), 0),
      patch32: (at: number, v: number) => { b[at] = (v >>> 24) & 0xff; b[at + 1] = (v >> 16) & 0xff; b[at + 2] = (v >> 8) & 0xff; b[at + 3] = v & 0xff; },
      done: () => new Uint8Array(b),
    };
    return w;
  };
  // Abbreviations: 1 compile_unit, 2 subprogram, 3 variable, 4 base_type.
  const abbrev = bytes()
    .uleb(1).uleb(0x11).u8(1).uleb(0x03).uleb(0x08).uleb(0x13).uleb(0x0b).uleb(0x10).uleb(0x17).u8(0, 0)
    .uleb(2).uleb(0x2e).u8(0).uleb(0x03).uleb(0x08).uleb(0x11).uleb(0x01).uleb(0x12).uleb(0x01).u8(0, 0)
    .uleb(3).uleb(0x34).u8(0).uleb(0x03).uleb(0x08).uleb(0x02).uleb(0x18).uleb(0x49).uleb(0x13).u8(0, 0)
    .uleb(4).uleb(0x24).u8(0).uleb(0x03).uleb(0x08).uleb(0x0b).uleb(0x0b).uleb(0x3e).uleb(0x0b).u8(0, 0)
    .u8(0);
  const info = bytes().u32(0).u16(4).u32(0).u8(8);
  info.uleb(1).str('main').u8(0x16).u32(0); // DW_LANG_Go, stmt_list 0
  info.uleb(2).str('__start').u64(start).u64(start + 24n);
  info.uleb(2).str('main.main').u64(main).u64(main + 4n);
  const intAt = info.b.length + 1 + 'main.counter'.length + 1 + 1 + 9 + 4;
  info.uleb(3).str('main.counter').uleb(9).u8(0x03).u64(counter).u32(intAt); // DW_OP_addr counter
  info.uleb(4).str('int').u8(8).u8(0x05); // DW_ATE_signed
  info.u8(0);
  info.patch32(0, info.b.length - 4);

  const line = bytes().u32(0).u16(2).u32(0);
  const headerStart = line.b.length;
  line.u8(4, 1, -4 & 0xff, 10, 10).u8(0, 1, 1, 1, 1, 0, 0, 0, 1); // min_inst 4, is_stmt, line_base -4, range 10, opcode_base 10
  line.u8(0).str('main.go').uleb(0).uleb(0).uleb(0).u8(0);
  line.patch32(6, line.b.length - headerStart);
  line.u8(0).uleb(9).u8(2).u64(start); // DW_LNE_set_address
  line.u8(3).sleb(TINY_LINES.startLine - 1).u8(1); // line 3, copy
  line.u8(2).uleb(3).u8(3).sleb(TINY_LINES.startCallLine - TINY_LINES.startLine).u8(1); // +12: line 4
  line.u8(2).uleb(3).u8(3).sleb(TINY_LINES.mainLine - TINY_LINES.startCallLine).u8(1); // +12 (main.main): line 9
  line.u8(2).uleb(1).u8(0).uleb(1).u8(1); // +4, DW_LNE_end_sequence
  line.patch32(0, line.b.length - 4);
  return new Map([['.debug_abbrev', abbrev.done()], ['.debug_info', info.done()], ['.debug_line', line.done()]]);
}

/** XCOFF section names and s_flags subtypes of the DWARF sections (STYP_DWARF | subtype). */
const DWARF_SECTIONS: ReadonlyMap<string, { xcoffName: string; subtype: number }> = new Map([
  ['.debug_info', { xcoffName: '.dwinfo', subtype: 0x10000 }],
  ['.debug_line', { xcoffName: '.dwline', subtype: 0x20000 }],
  ['.debug_abbrev', { xcoffName: '.dwabrev', subtype: 0x60000 }],
  ['.debug_str', { xcoffName: '.dwstr', subtype: 0x70000 }],
  ['.debug_frame', { xcoffName: '.dwframe', subtype: 0xa0000 }],
]);

const STYP_TEXT = 0x20;
const STYP_DATA = 0x40;
const STYP_BSS = 0x80;
const STYP_LOADER = 0x1000;
const STYP_DWARF = 0x10;
const R_POS_64 = 0x3f00;
const C_EXT = 2;
const AUX_CSECT = 251;
const AUX_FCN = 254;

/** Big-endian byte buffer that grows as fields are written. */
class Out {
  private buf = new Uint8Array(4096);
  private view = new DataView(this.buf.buffer);
  length = 0;
  private ensure(end: number): void {
    if (end <= this.buf.length) return;
    const bigger = new Uint8Array(Math.max(end, this.buf.length * 2));
    bigger.set(this.buf);
    this.buf = bigger;
    this.view = new DataView(bigger.buffer);
  }
  private grow(at: number, n: number): void {
    this.ensure(at + n);
    if (at + n > this.length) this.length = at + n;
  }
  u8(at: number, v: number): void { this.grow(at, 1); this.view.setUint8(at, v); }
  u16(at: number, v: number): void { this.grow(at, 2); this.view.setUint16(at, v); }
  u32(at: number, v: number): void { this.grow(at, 4); this.view.setUint32(at, v >>> 0); }
  u64(at: number, v: bigint): void { this.grow(at, 8); this.view.setBigUint64(at, v); }
  bytes(at: number, b: Uint8Array): void { this.grow(at, b.length); this.buf.set(b, at); }
  ascii(at: number, s: string): void { this.bytes(at, new TextEncoder().encode(s)); }
  align(n: number): number { this.length = Math.ceil(this.length / n) * n; this.ensure(this.length); return this.length; }
  result(): Uint8Array { return this.buf.slice(0, this.length); }
}

interface Section { name: string; vaddr: bigint; size: number; fileOffset: number; flags: number }

/** The symbols the tiny program defines, with their addresses once built. */
export interface TinyXcoffLayout {
  bytes: Uint8Array;
  entry: bigint;
  entryDescriptor: bigint;
  toc: bigint;
  /** Address of each import's slot in .data, by name. */
  slots: ReadonlyMap<string, bigint>;
  /** Defined symbols: __start and main.main in .text, main.counter in .data, main.zeroed in .bss. */
  symbols: ReadonlyMap<string, bigint>;
}

export function buildTinyXcoff(opts: TinyXcoffOptions = {}): TinyXcoffLayout {
  const imports = opts.imports ?? TINY_IMPORTS;
  const exitIndex = imports.findIndex((i) => i.name === '_exit');
  if (exitIndex < 0) throw new Error('tiny XCOFF: __start calls _exit, so the imports must include it');

  const dwarfCount = opts.dwarf === 'go' ? 3 : (opts.dwarf?.size ?? 0);
  const sectionCount = 4 + dwarfCount;
  const out = new Out();
  const headersEnd = 24 + 120 + 72 * sectionCount;

  // .text: __start (6 instructions) then main.main (blr).
  const textOffset = Math.ceil(headersEnd / 0x100) * 0x100;
  const text: Section = { name: '.text', vaddr: TINY_TEXT_BASE + BigInt(textOffset), size: 0, fileOffset: textOffset, flags: STYP_TEXT };
  // .data: entry descriptor {code, toc, env}, then one 8-byte slot per import, then main.counter.
  const dataSize = 24 + 8 * imports.length + 8;
  const data: Section = { name: '.data', vaddr: TINY_DATA_BASE, size: dataSize, fileOffset: 0, flags: STYP_DATA };
  const bss: Section = { name: '.bss', vaddr: TINY_DATA_BASE + BigInt(Math.ceil(dataSize / 16) * 16), size: 0x100, fileOffset: 0, flags: STYP_BSS };
  const toc = data.vaddr;
  const slotOf = (i: number) => data.vaddr + 24n + BigInt(8 * i);
  const exitSlotOffset = Number(slotOf(exitIndex) - toc);
  const code = [
    (58 << 26) | (12 << 21) | (2 << 16) | exitSlotOffset, // ld r12,_exit@toc(r2): the descriptor
    (58 << 26) | (0 << 21) | (12 << 16), // ld r0,0(r12): its code address
    0x7c0903a6, // mtctr r0
    (14 << 26) | (3 << 21) | TINY_EXIT_STATUS, // li r3,7
    0x4e800421, // bctrl
    0x7fe00008, // trap: _exit does not return
    0x4e800020, // main.main: blr
  ];
  code.forEach((w, i) => out.u32(textOffset + 4 * i, w));
  text.size = code.length * 4;
  const startAddr = text.vaddr;
  const mainAddr = text.vaddr + 24n;

  data.fileOffset = out.align(8);
  out.u64(data.fileOffset, startAddr);
  out.u64(data.fileOffset + 8, toc);
  out.u64(data.fileOffset + 24 + 8 * imports.length, 0x2an); // main.counter = 42

  // .loader: header, symbols (one per import), relocations (entry code word + each slot), import IDs, strings.
  const loaderOffset = out.align(8);
  const importFiles: Array<[string, string, string]> = [['/usr/lib:/lib', '', '']];
  const fileIndex = (imp: TinyImport): number => {
    let i = importFiles.findIndex(([, b, m]) => b === imp.library && m === imp.member);
    if (i < 0) i = importFiles.push(['', imp.library, imp.member]) - 1;
    return i;
  };
  const fileIds = imports.map(fileIndex);
  const symOff = 56;
  const relocs: Array<{ address: bigint; symbolIndex: number }> = [{ address: data.vaddr, symbolIndex: 0 }];
  imports.forEach((_, i) => relocs.push({ address: slotOf(i), symbolIndex: 3 + i }));
  const relOff = symOff + 24 * imports.length;
  const impOff = relOff + 16 * relocs.length;
  const importTable = importFiles.map((t) => t.join('\0') + '\0').join('');
  const strOff = impOff + importTable.length;
  let strLen = 0;
  imports.forEach((imp, i) => {
    const at = loaderOffset + symOff + 24 * i;
    const nameAt = strLen + 2;
    out.u16(loaderOffset + strOff + strLen, imp.name.length + 1);
    out.ascii(loaderOffset + strOff + nameAt, imp.name);
    out.u8(loaderOffset + strOff + nameAt + imp.name.length, 0);
    strLen += 2 + imp.name.length + 1;
    out.u64(at, 0n);
    out.u32(at + 8, nameAt);
    out.u16(at + 12, 0);
    out.u8(at + 14, 0x40); // L_IMPORT
    out.u8(at + 15, 10); // XMC_DS, as Go marks every import
    out.u32(at + 16, fileIds[i]!);
    out.u32(at + 20, 0);
  });
  relocs.forEach((r, i) => {
    const at = loaderOffset + relOff + 16 * i;
    out.u64(at, r.address);
    out.u16(at + 8, R_POS_64);
    out.u16(at + 10, 2); // .data
    out.u32(at + 12, r.symbolIndex);
  });
  out.ascii(loaderOffset + impOff, importTable);
  const h = loaderOffset;
  out.u32(h, 2);
  out.u32(h + 4, imports.length);
  out.u32(h + 8, relocs.length);
  out.u32(h + 12, importTable.length);
  out.u32(h + 16, importFiles.length);
  out.u32(h + 20, strLen);
  out.u64(h + 24, BigInt(impOff));
  out.u64(h + 32, BigInt(strOff));
  out.u64(h + 40, BigInt(symOff));
  out.u64(h + 48, BigInt(relOff));
  const loader: Section = { name: '.loader', vaddr: 0n, size: strOff + strLen, fileOffset: loaderOffset, flags: STYP_LOADER };

  const counterAddr = data.vaddr + 24n + BigInt(8 * imports.length);
  const dwarfBytes = opts.dwarf === 'go' ? tinyGoDwarf(startAddr, mainAddr, counterAddr) : (opts.dwarf ?? new Map<string, Uint8Array>());
  const dwarf = [...dwarfBytes].map(([name, bytes]) => {
    const d = DWARF_SECTIONS.get(name);
    if (d === undefined) throw new Error(`tiny XCOFF: no XCOFF section for ${name}`);
    return { ...d, bytes };
  });
  const dwarfSections: Section[] = dwarf.map((d) => {
    const at = out.align(8);
    out.bytes(at, d.bytes);
    return { name: d.xcoffName, vaddr: 0n, size: d.bytes.length, fileOffset: at, flags: STYP_DWARF | d.subtype };
  });

  // Symbol table: each defined symbol is C_EXT with a csect aux (functions also an FCN aux first).
  const symbols: Array<{ name: string; value: bigint; section: number; fn: boolean; size: number; smclas: number }> = [
    { name: '__start', value: startAddr, section: 1, fn: true, size: 24, smclas: 0 },
    { name: 'main.main', value: mainAddr, section: 1, fn: true, size: 4, smclas: 0 },
    { name: 'main.counter', value: counterAddr, section: 2, fn: false, size: 8, smclas: 5 },
    { name: 'main.zeroed', value: bss.vaddr, section: 3, fn: false, size: 0x100, smclas: 5 },
  ];
  const symtab = out.align(8);
  let entries = 0;
  let names = 4;
  const nameOffsets: number[] = [];
  for (const s of symbols) {
    const at = symtab + 18 * entries;
    const aux = s.fn ? 2 : 1;
    out.u64(at, s.value);
    out.u32(at + 8, names);
    nameOffsets.push(names);
    names += s.name.length + 1;
    out.u16(at + 12, s.section);
    out.u16(at + 14, s.fn ? 0x20 : 0);
    out.u8(at + 16, C_EXT);
    out.u8(at + 17, aux);
    if (s.fn) {
      const fcn = at + 18;
      out.u64(fcn, 0n);
      out.u32(fcn + 8, s.size);
      out.u32(fcn + 12, entries + 1 + aux);
      out.u8(fcn + 17, AUX_FCN);
    }
    const csect = at + 18 * aux;
    out.u32(csect, s.size);
    out.u8(csect + 10, s.fn ? 2 : 1); // XTY_LD for functions (size from FCN), XTY_SD for data
    out.u8(csect + 11, s.smclas);
    out.u32(csect + 12, 0);
    out.u8(csect + 17, AUX_CSECT);
    entries += 1 + aux;
  }
  const strtab = symtab + 18 * entries;
  out.u32(strtab, names);
  symbols.forEach((s, i) => {
    out.ascii(strtab + nameOffsets[i]!, s.name);
    out.u8(strtab + nameOffsets[i]! + s.name.length, 0);
  });

  // File header, auxiliary header, section headers.
  out.u16(0, 0x01f7);
  out.u16(2, sectionCount);
  out.u32(4, 0);
  out.u64(8, BigInt(symtab));
  out.u16(16, 120);
  out.u16(18, 0x1002); // F_EXEC | F_DYNLOAD
  out.u32(20, entries);
  const a = 24;
  out.u16(a, 0x010b);
  out.u16(a + 2, 1);
  out.u64(a + 8, text.vaddr);
  out.u64(a + 16, data.vaddr);
  out.u64(a + 24, toc);
  out.u16(a + 32, 2); // o_snentry: the descriptor's section
  out.u16(a + 34, 1);
  out.u16(a + 36, 2);
  out.u16(a + 38, 2);
  out.u16(a + 40, 4);
  out.u16(a + 42, 3);
  out.u16(a + 44, 5);
  out.u16(a + 46, 3);
  out.ascii(a + 48, '1L');
  out.u64(a + 56, BigInt(text.size));
  out.u64(a + 64, BigInt(data.size));
  out.u64(a + 72, BigInt(bss.size));
  out.u64(a + 80, data.vaddr); // o_entry: the descriptor
  out.u64(a + 88, 0n);
  out.u64(a + 96, 0n);
  [text, data, bss, loader, ...dwarfSections].forEach((s, i) => {
    const at = 24 + 120 + 72 * i;
    out.ascii(at, s.name);
    out.u64(at + 8, s.vaddr);
    out.u64(at + 16, s.vaddr);
    out.u64(at + 24, BigInt(s.size));
    out.u64(at + 32, BigInt(s.fileOffset));
    out.u32(at + 64, s.flags);
  });

  return {
    bytes: out.result(),
    entry: startAddr,
    entryDescriptor: data.vaddr,
    toc,
    slots: new Map(imports.map((imp, i) => [imp.name, slotOf(i)])),
    symbols: new Map(symbols.map((s) => [s.name, s.value])),
  };
}
