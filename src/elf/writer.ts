// Writes a static ELF64 big-endian PowerPC executable from plain section and symbol lists.
// It knows nothing about XCOFF (see from-xcoff.ts), so it can be tested on small inputs.
import { deflateSync } from 'node:zlib';
import {
  COMPRESSION_HEADER_SIZE,
  EF_PPC64_ABI_V1,
  ELFCLASS64,
  ELFCOMPRESS_ZLIB,
  ELFDATA2MSB,
  ELFOSABI_NONE,
  ELF_HEADER_SIZE,
  ELF_MAGIC,
  EM_PPC64,
  ET_EXEC,
  EV_CURRENT,
  PF_R,
  PF_W,
  PF_X,
  PROGRAM_HEADER_SIZE,
  PT_LOAD,
  SECTION_HEADER_SIZE,
  SEGMENT_ALIGN,
  SHF_ALLOC,
  SHF_COMPRESSED,
  SHF_EXECINSTR,
  SHF_WRITE,
  SHN_ABS,
  SHT_NOBITS,
  SHT_NULL,
  SHT_PROGBITS,
  SHT_STRTAB,
  SHT_SYMTAB,
  STB_GLOBAL,
  STB_LOCAL,
  STT_FUNC,
  STT_NOTYPE,
  STT_OBJECT,
  SYMBOL_SIZE,
} from './format.js';

/** text: loaded r-x; data: loaded rw-; bss: loaded rw-, no file bytes; debug: not loaded (DWARF). */
export type ElfSectionKind = 'text' | 'data' | 'bss' | 'debug';

export interface ElfSectionInput {
  /** ELF name, e.g. '.text', '.debug_info'. */
  name: string;
  kind: ElfSectionKind;
  /** Load address (0 for debug sections). */
  vaddr: bigint;
  /** Memory size; for everything but bss it must equal bytes.length. */
  size: bigint;
  /** Contents; empty for bss. */
  bytes: Uint8Array;
  /** debug only: false keeps the bytes as they are even when compression is on (default true). */
  compress?: boolean;
}

export interface ElfSymbolInput {
  name: string;
  address: bigint;
  size: bigint;
  kind: 'function' | 'object' | 'none';
  /** ELF name of the section the symbol lives in; undefined for an absolute symbol. */
  section?: string;
  global: boolean;
}

export interface ElfViewInput {
  sections: readonly ElfSectionInput[];
  symbols: readonly ElfSymbolInput[];
  /** e_entry: the first instruction's address (a code address, not a descriptor). */
  entry: bigint;
}

/**
 * zlib level for compressed debug sections. gdb reads the view over the remote protocol; for cpuheavy
 * level 1 gave the shortest `target remote` (levels 2-6 shrink the file 1-2% more but deflate 2-4x longer).
 */
export const DEBUG_DEFLATE_LEVEL = 1;

export interface ElfWriteOptions {
  /** Store .debug_* sections as SHF_COMPRESSED zlib streams where that is smaller (default true). */
  compressDebug?: boolean;
  /** zlib level 1-9 for those streams (default DEBUG_DEFLATE_LEVEL). */
  deflateLevel?: number;
}

export class ElfWriteError extends Error {
  override name = 'ElfWriteError';
}

/** Collects NUL-terminated names; offset 0 is the empty name. */
class StringTable {
  private readonly chunks: Uint8Array[] = [new Uint8Array(1)];
  private length = 1;
  private readonly offsets = new Map<string, number>();
  private readonly encoder = new TextEncoder();

  add(name: string): number {
    if (name === '') return 0;
    const known = this.offsets.get(name);
    if (known !== undefined) return known;
    const encoded = this.encoder.encode(name);
    const offset = this.length;
    const chunk = new Uint8Array(encoded.length + 1);
    chunk.set(encoded);
    this.chunks.push(chunk);
    this.length += chunk.length;
    this.offsets.set(name, offset);
    return offset;
  }

  bytes(): Uint8Array {
    const out = new Uint8Array(this.length);
    let at = 0;
    for (const c of this.chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }
}

interface PlannedSection {
  name: string;
  nameOffset: number;
  type: number;
  flags: bigint;
  vaddr: bigint;
  fileOffset: number;
  size: bigint;
  bytes: Uint8Array;
  link: number;
  info: number;
  align: bigint;
  entrySize: bigint;
  loaded?: ElfSectionKind;
}

const alignUp = (v: number, a: number): number => Math.ceil(v / a) * a;

/**
 * The Elf64_Chdr (big-endian) and zlib stream that stand for a debug section's bytes, or undefined when
 * they would not be smaller than the bytes themselves.
 */
export function compressSection(bytes: Uint8Array, level: number = DEBUG_DEFLATE_LEVEL): Uint8Array | undefined {
  if (bytes.length <= COMPRESSION_HEADER_SIZE) return undefined;
  const stream = deflateSync(bytes, { level });
  if (COMPRESSION_HEADER_SIZE + stream.length >= bytes.length) return undefined;
  const out = new Uint8Array(COMPRESSION_HEADER_SIZE + stream.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, ELFCOMPRESS_ZLIB);
  view.setUint32(4, 0); // ch_reserved
  view.setBigUint64(8, BigInt(bytes.length));
  view.setBigUint64(16, 1n); // ch_addralign: the uncompressed DWARF needs none
  out.set(stream, COMPRESSION_HEADER_SIZE);
  return out;
}

/** Largest power of two (≤ 64) that divides the address, so sh_addr % sh_addralign == 0 holds. */
function naturalAlignment(vaddr: bigint): bigint {
  let a = 64n;
  while (a > 1n && vaddr % a !== 0n) a >>= 1n;
  return a;
}

/** The first file offset ≥ from that is congruent to vaddr modulo the segment alignment. */
function congruentOffset(from: number, vaddr: bigint): number {
  const want = Number(vaddr % SEGMENT_ALIGN);
  const align = Number(SEGMENT_ALIGN);
  const base = from - (from % align);
  const candidate = base + want;
  return candidate >= from ? candidate : candidate + align;
}

function validate(input: ElfViewInput): void {
  const names = new Set<string>();
  for (const s of input.sections) {
    if (names.has(s.name)) throw new ElfWriteError(`duplicate section name ${s.name}`);
    names.add(s.name);
    if (s.kind === 'bss') {
      if (s.bytes.length !== 0) throw new ElfWriteError(`bss section ${s.name} must have no file bytes`);
    } else if (BigInt(s.bytes.length) !== s.size) {
      throw new ElfWriteError(`section ${s.name}: size 0x${s.size.toString(16)} but ${s.bytes.length} bytes given`);
    }
  }
  for (const sym of input.symbols) {
    if (sym.section !== undefined && !names.has(sym.section)) {
      throw new ElfWriteError(`symbol ${sym.name} refers to missing section ${sym.section}`);
    }
  }
}

/**
 * Lays out and writes the file: ELF header, program headers, loaded sections (offset ≡ vaddr mod 64 KiB),
 * debug sections (zlib-compressed unless options say not), .symtab, .strtab, .shstrtab, then the
 * section header table.
 */
export function writeElf(input: ElfViewInput, options: ElfWriteOptions = {}): Uint8Array {
  validate(input);
  const compressDebug = options.compressDebug ?? true;
  const deflateLevel = options.deflateLevel ?? DEBUG_DEFLATE_LEVEL;
  const shstrtab = new StringTable();
  const strtab = new StringTable();

  const loaded = input.sections.filter((s) => s.kind !== 'debug');
  const phnum = loaded.length;
  let cursor = ELF_HEADER_SIZE + phnum * PROGRAM_HEADER_SIZE;

  const planned: PlannedSection[] = [
    { name: '', nameOffset: 0, type: SHT_NULL, flags: 0n, vaddr: 0n, fileOffset: 0, size: 0n, bytes: new Uint8Array(0), link: 0, info: 0, align: 0n, entrySize: 0n },
  ];
  const indexByName = new Map<string, number>();

  // Loaded sections in address order, so segments and their file offsets ascend together.
  const loadOrder = [...loaded].sort((a, b) => (a.vaddr < b.vaddr ? -1 : a.vaddr > b.vaddr ? 1 : 0));
  for (const s of loadOrder) {
    const flags = SHF_ALLOC | (s.kind === 'text' ? SHF_EXECINSTR : SHF_WRITE);
    let fileOffset: number;
    if (s.kind === 'bss') {
      fileOffset = congruentOffset(cursor, s.vaddr); // nothing is written there; keep it tidy for readers
    } else {
      fileOffset = congruentOffset(cursor, s.vaddr);
      cursor = fileOffset + s.bytes.length;
    }
    indexByName.set(s.name, planned.length);
    planned.push({
      name: s.name,
      nameOffset: shstrtab.add(s.name),
      type: s.kind === 'bss' ? SHT_NOBITS : SHT_PROGBITS,
      flags,
      vaddr: s.vaddr,
      fileOffset,
      size: s.size,
      bytes: s.bytes,
      link: 0,
      info: 0,
      align: naturalAlignment(s.vaddr),
      entrySize: 0n,
      loaded: s.kind,
    });
  }
  for (const s of input.sections) {
    if (s.kind !== 'debug') continue;
    const compressed = compressDebug && s.compress !== false ? compressSection(s.bytes, deflateLevel) : undefined;
    const stored = compressed ?? s.bytes;
    // The Elf64_Chdr holds 64-bit fields, so a compressed section starts 8-aligned (as ld writes them).
    if (compressed !== undefined) cursor = alignUp(cursor, 8);
    indexByName.set(s.name, planned.length);
    planned.push({
      name: s.name,
      nameOffset: shstrtab.add(s.name),
      type: SHT_PROGBITS,
      flags: compressed !== undefined ? SHF_COMPRESSED : 0n,
      vaddr: 0n,
      fileOffset: cursor,
      size: BigInt(stored.length),
      bytes: stored,
      link: 0,
      info: 0,
      align: compressed !== undefined ? 8n : 1n,
      entrySize: 0n,
    });
    cursor += stored.length;
  }

  // Symbols: locals must precede globals; sh_info of .symtab is the first global's index.
  const symbols = [...input.symbols].sort((a, b) => Number(a.global) - Number(b.global));
  const symtabBytes = new Uint8Array((symbols.length + 1) * SYMBOL_SIZE);
  const symView = new DataView(symtabBytes.buffer);
  let firstGlobal = symbols.length + 1;
  symbols.forEach((sym, i) => {
    const at = (i + 1) * SYMBOL_SIZE;
    if (sym.global && firstGlobal > i + 1) firstGlobal = i + 1;
    const type = sym.kind === 'function' ? STT_FUNC : sym.kind === 'object' ? STT_OBJECT : STT_NOTYPE;
    const bind = sym.global ? STB_GLOBAL : STB_LOCAL;
    symView.setUint32(at, strtab.add(sym.name));
    symView.setUint8(at + 4, (bind << 4) | type);
    symView.setUint8(at + 5, 0); // STV_DEFAULT
    symView.setUint16(at + 6, sym.section === undefined ? SHN_ABS : indexByName.get(sym.section)!);
    symView.setBigUint64(at + 8, sym.address);
    symView.setBigUint64(at + 16, sym.size);
  });
  const strtabBytes = strtab.bytes();

  cursor = alignUp(cursor, 8);
  const symtabIndex = planned.length;
  planned.push({
    name: '.symtab', nameOffset: shstrtab.add('.symtab'), type: SHT_SYMTAB, flags: 0n, vaddr: 0n, fileOffset: cursor,
    size: BigInt(symtabBytes.length), bytes: symtabBytes, link: symtabIndex + 1, info: firstGlobal, align: 8n, entrySize: BigInt(SYMBOL_SIZE),
  });
  cursor += symtabBytes.length;
  planned.push({
    name: '.strtab', nameOffset: shstrtab.add('.strtab'), type: SHT_STRTAB, flags: 0n, vaddr: 0n, fileOffset: cursor,
    size: BigInt(strtabBytes.length), bytes: strtabBytes, link: 0, info: 0, align: 1n, entrySize: 0n,
  });
  cursor += strtabBytes.length;
  const shstrndx = planned.length;
  const shstrNameOffset = shstrtab.add('.shstrtab');
  const shstrBytes = shstrtab.bytes();
  planned.push({
    name: '.shstrtab', nameOffset: shstrNameOffset, type: SHT_STRTAB, flags: 0n, vaddr: 0n, fileOffset: cursor,
    size: BigInt(shstrBytes.length), bytes: shstrBytes, link: 0, info: 0, align: 1n, entrySize: 0n,
  });
  cursor += shstrBytes.length;

  const shoff = alignUp(cursor, 8);
  const total = shoff + planned.length * SECTION_HEADER_SIZE;
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);

  // ELF header.
  out.set(ELF_MAGIC, 0);
  out[4] = ELFCLASS64;
  out[5] = ELFDATA2MSB;
  out[6] = EV_CURRENT;
  out[7] = ELFOSABI_NONE;
  view.setUint16(16, ET_EXEC);
  view.setUint16(18, EM_PPC64);
  view.setUint32(20, EV_CURRENT);
  view.setBigUint64(24, input.entry);
  view.setBigUint64(32, BigInt(phnum > 0 ? ELF_HEADER_SIZE : 0));
  view.setBigUint64(40, BigInt(shoff));
  view.setUint32(48, EF_PPC64_ABI_V1);
  view.setUint16(52, ELF_HEADER_SIZE);
  view.setUint16(54, PROGRAM_HEADER_SIZE);
  view.setUint16(56, phnum);
  view.setUint16(58, SECTION_HEADER_SIZE);
  view.setUint16(60, planned.length);
  view.setUint16(62, shstrndx);

  // One PT_LOAD per loaded section.
  let ph = ELF_HEADER_SIZE;
  for (const s of planned) {
    if (s.loaded === undefined) continue;
    const perms = s.loaded === 'text' ? PF_R | PF_X : PF_R | PF_W;
    view.setUint32(ph, PT_LOAD);
    view.setUint32(ph + 4, perms);
    view.setBigUint64(ph + 8, BigInt(s.fileOffset));
    view.setBigUint64(ph + 16, s.vaddr);
    view.setBigUint64(ph + 24, s.vaddr);
    view.setBigUint64(ph + 32, s.loaded === 'bss' ? 0n : s.size);
    view.setBigUint64(ph + 40, s.size);
    view.setBigUint64(ph + 48, SEGMENT_ALIGN);
    ph += PROGRAM_HEADER_SIZE;
  }

  // Section contents and headers.
  planned.forEach((s, i) => {
    if (s.type !== SHT_NOBITS && s.bytes.length > 0) out.set(s.bytes, s.fileOffset);
    const at = shoff + i * SECTION_HEADER_SIZE;
    view.setUint32(at, s.nameOffset);
    view.setUint32(at + 4, s.type);
    view.setBigUint64(at + 8, s.flags);
    view.setBigUint64(at + 16, s.vaddr);
    view.setBigUint64(at + 24, BigInt(s.fileOffset));
    view.setBigUint64(at + 32, s.size);
    view.setUint32(at + 40, s.link);
    view.setUint32(at + 44, s.info);
    view.setBigUint64(at + 48, s.align);
    view.setBigUint64(at + 56, s.entrySize);
  });
  return out;
}
