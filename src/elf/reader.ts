// A small ELF64 big-endian reader: headers, sections and symbols. It checks what the writer produces
// (tests) and lets callers look at a view without external tools. Compressed sections (SHF_COMPRESSED,
// zlib) are inflated, so `bytes` is always the contents a debugger sees.
import { inflateSync } from 'node:zlib';
import {
  COMPRESSION_HEADER_SIZE,
  ELFCLASS64,
  ELFCOMPRESS_ZLIB,
  ELFDATA2MSB,
  ELF_HEADER_SIZE,
  PROGRAM_HEADER_SIZE,
  SECTION_HEADER_SIZE,
  SHF_COMPRESSED,
  SHT_NOBITS,
  SHT_SYMTAB,
  SYMBOL_SIZE,
} from './format.js';

export class ElfReadError extends Error {
  override name = 'ElfReadError';
}

export interface ElfProgramHeader {
  type: number;
  flags: number;
  offset: bigint;
  vaddr: bigint;
  fileSize: bigint;
  memSize: bigint;
  align: bigint;
}

export interface ElfSection {
  index: number;
  name: string;
  type: number;
  flags: bigint;
  addr: bigint;
  offset: bigint;
  size: bigint;
  link: number;
  info: number;
  align: bigint;
  entrySize: bigint;
  /** Contents, inflated if the section is compressed (empty for SHT_NOBITS). */
  bytes: Uint8Array;
  /** The sh_size bytes at sh_offset as stored in the file (the Elf64_Chdr and stream if compressed). */
  fileBytes: Uint8Array;
  /** The Elf64_Chdr of an SHF_COMPRESSED section. */
  compression?: ElfCompressionHeader;
}

export interface ElfCompressionHeader {
  /** ch_type: 1 is ELFCOMPRESS_ZLIB. */
  type: number;
  /** ch_size: the uncompressed size. */
  size: bigint;
  /** ch_addralign: the uncompressed data's alignment. */
  align: bigint;
}

export interface ElfSymbol {
  name: string;
  value: bigint;
  size: bigint;
  bind: number;
  type: number;
  sectionIndex: number;
}

export interface ElfFile {
  ident: Uint8Array;
  type: number;
  machine: number;
  version: number;
  entry: bigint;
  flags: number;
  programHeaders: ElfProgramHeader[];
  sections: ElfSection[];
  symbols: ElfSymbol[];
  section(name: string): ElfSection | undefined;
}

function cstring(bytes: Uint8Array, at: number, what: string): string {
  let end = at;
  while (end < bytes.length && bytes[end] !== 0) end++;
  if (end >= bytes.length) throw new ElfReadError(`${what}: unterminated string at ${at}`);
  return new TextDecoder().decode(bytes.subarray(at, end));
}

function slice(bytes: Uint8Array, offset: bigint, size: bigint, what: string): Uint8Array {
  if (offset + size > BigInt(bytes.length)) throw new ElfReadError(`${what}: ${size} bytes at ${offset} run past the end (${bytes.length})`);
  return bytes.subarray(Number(offset), Number(offset + size));
}

function compressionHeader(stored: Uint8Array, what: string): ElfCompressionHeader {
  if (stored.length < COMPRESSION_HEADER_SIZE) throw new ElfReadError(`${what}: compressed but shorter than an Elf64_Chdr`);
  const v = new DataView(stored.buffer, stored.byteOffset, stored.byteLength);
  return { type: v.getUint32(0), size: v.getBigUint64(8), align: v.getBigUint64(16) };
}

function inflateSection(stored: Uint8Array, header: ElfCompressionHeader, what: string): Uint8Array {
  if (header.type !== ELFCOMPRESS_ZLIB) throw new ElfReadError(`${what}: unsupported compression type ${header.type}`);
  let inflated: Uint8Array;
  try {
    const buffer = inflateSync(stored.subarray(COMPRESSION_HEADER_SIZE));
    inflated = new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.length); // a plain Uint8Array, like the other sections
  } catch (e) {
    throw new ElfReadError(`${what}: bad zlib stream (${(e as Error).message})`);
  }
  if (BigInt(inflated.length) !== header.size) throw new ElfReadError(`${what}: inflates to ${inflated.length} bytes, ch_size says ${header.size}`);
  return inflated;
}

export function readElf(bytes: Uint8Array): ElfFile {
  if (bytes.length < ELF_HEADER_SIZE) throw new ElfReadError(`file too short for an ELF header (${bytes.length} bytes)`);
  if (bytes[0] !== 0x7f || bytes[1] !== 0x45 || bytes[2] !== 0x4c || bytes[3] !== 0x46) throw new ElfReadError('no ELF magic');
  if (bytes[4] !== ELFCLASS64 || bytes[5] !== ELFDATA2MSB) throw new ElfReadError('not ELF64 big-endian');
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const phoff = v.getBigUint64(32);
  const shoff = v.getBigUint64(40);
  const phnum = v.getUint16(56);
  const shnum = v.getUint16(60);
  const shstrndx = v.getUint16(62);
  if (v.getUint16(54) !== PROGRAM_HEADER_SIZE && phnum > 0) throw new ElfReadError('unexpected e_phentsize');
  if (v.getUint16(58) !== SECTION_HEADER_SIZE) throw new ElfReadError('unexpected e_shentsize');
  slice(bytes, phoff, BigInt(phnum * PROGRAM_HEADER_SIZE), 'program headers');
  slice(bytes, shoff, BigInt(shnum * SECTION_HEADER_SIZE), 'section headers');

  const programHeaders: ElfProgramHeader[] = [];
  for (let i = 0; i < phnum; i++) {
    const at = Number(phoff) + i * PROGRAM_HEADER_SIZE;
    programHeaders.push({
      type: v.getUint32(at),
      flags: v.getUint32(at + 4),
      offset: v.getBigUint64(at + 8),
      vaddr: v.getBigUint64(at + 16),
      fileSize: v.getBigUint64(at + 32),
      memSize: v.getBigUint64(at + 40),
      align: v.getBigUint64(at + 48),
    });
  }

  const raw: Omit<ElfSection, 'name'>[] = [];
  const nameOffsets: number[] = [];
  for (let i = 0; i < shnum; i++) {
    const at = Number(shoff) + i * SECTION_HEADER_SIZE;
    const type = v.getUint32(at + 4);
    const flags = v.getBigUint64(at + 8);
    const offset = v.getBigUint64(at + 24);
    const size = v.getBigUint64(at + 32);
    const fileBytes = type === SHT_NOBITS || i === 0 ? new Uint8Array(0) : slice(bytes, offset, size, `section ${i}`);
    const compression = (flags & SHF_COMPRESSED) !== 0n ? compressionHeader(fileBytes, `section ${i}`) : undefined;
    nameOffsets.push(v.getUint32(at));
    raw.push({
      index: i,
      type,
      flags,
      addr: v.getBigUint64(at + 16),
      offset,
      size,
      link: v.getUint32(at + 40),
      info: v.getUint32(at + 44),
      align: v.getBigUint64(at + 48),
      entrySize: v.getBigUint64(at + 56),
      bytes: compression !== undefined ? inflateSection(fileBytes, compression, `section ${i}`) : fileBytes,
      fileBytes,
      ...(compression !== undefined ? { compression } : {}),
    });
  }
  const shstr = raw[shstrndx];
  if (shstr === undefined) throw new ElfReadError(`e_shstrndx ${shstrndx} out of range`);
  const sections: ElfSection[] = raw.map((s, i) => ({ ...s, name: cstring(shstr.bytes, nameOffsets[i]!, `name of section ${i}`) }));

  const symbols: ElfSymbol[] = [];
  const symtab = sections.find((s) => s.type === SHT_SYMTAB);
  if (symtab !== undefined) {
    const strtab = sections[symtab.link];
    if (strtab === undefined) throw new ElfReadError('.symtab sh_link out of range');
    const sv = new DataView(symtab.bytes.buffer, symtab.bytes.byteOffset, symtab.bytes.byteLength);
    for (let at = SYMBOL_SIZE; at + SYMBOL_SIZE <= symtab.bytes.length; at += SYMBOL_SIZE) {
      const info = sv.getUint8(at + 4);
      symbols.push({
        name: cstring(strtab.bytes, sv.getUint32(at), 'symbol name'),
        bind: info >> 4,
        type: info & 15,
        sectionIndex: sv.getUint16(at + 6),
        value: sv.getBigUint64(at + 8),
        size: sv.getBigUint64(at + 16),
      });
    }
  }
  const byName = new Map(sections.map((s) => [s.name, s]));
  return {
    ident: bytes.subarray(0, 16),
    type: v.getUint16(16),
    machine: v.getUint16(18),
    version: v.getUint32(20),
    entry: v.getBigUint64(24),
    flags: v.getUint32(48),
    programHeaders,
    sections,
    symbols,
    section: (name) => byName.get(name),
  };
}
