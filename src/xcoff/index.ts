// XCOFF64 reader for executables written by Go's internal linker (notes/aix-go-contract.md §1).
// parseXcoff validates everything it reads and throws XcoffError on any malformed input.
import { XcoffError, hex } from './errors.js';
import { parseAuxHeader, parseFileHeader, type AuxHeader, type FileHeader } from './headers.js';
import { parseLoaderSection, type ImportFile, type LoaderRelocation, type LoaderSymbol } from './loader.js';
import { ByteReader } from './reader.js';
import { parseSectionHeaders, type XcoffSection } from './sections.js';
import { parseSymbolTable, type XcoffSymbol } from './symbols.js';
import { AddressIndex, type SymbolizedAddress } from './address-index.js';

export { XcoffError } from './errors.js';
export type { AuxHeader, FileHeader } from './headers.js';
export type { ImportFile, LoaderRelocation, LoaderSymbol } from './loader.js';
export type { SectionKind, XcoffSection } from './sections.js';
export type { XcoffSymbol } from './symbols.js';
export type { SymbolizedAddress } from './address-index.js';

/** One imported name and every slot (8-byte data word) the loader must fill with its address. */
export interface XcoffImport {
  library: string; // e.g. 'libc.a'
  member: string; // e.g. 'shr_64.o'
  name: string; // the C name, e.g. 'write'
  /** Addresses of the words to fill: for a function, with the address of a descriptor; for data, of the variable. */
  slots: bigint[];
  /** True for data imports such as __n_pthreads (the slot gets a variable's address, not a descriptor's). */
  isData: boolean;
  /** Index of the (first) loader symbol with this name. */
  loaderSymbolIndex: number;
}

/** A range to map: file bytes at vaddr, zero-filled up to memSize. */
export interface LoadSegment {
  name: string;
  vaddr: bigint;
  memSize: bigint;
  /** Bytes copied from the file (empty for .bss). */
  fileBytes: Uint8Array;
  readable: boolean;
  writable: boolean;
  executable: boolean;
}

/** Data imports known by name: Go marks every loader import XMC_DS, so the name is what tells (§1.7). */
const DATA_IMPORT_NAMES = new Set(['__n_pthreads']);

/** sectionBytes() of a .bss allocates; refuse absurd sizes rather than crash with a RangeError. */
const MAX_ZERO_FILL = 1n << 30n;

export interface XcoffImage {
  readonly bytes: Uint8Array;
  readonly fileHeader: FileHeader;
  readonly auxHeader: AuxHeader;
  /** o_entry: address of the entry function descriptor (_rt0_ppc64_aix) in .data. */
  readonly entryDescriptor: bigint;
  /** The code address stored in the entry descriptor's first word (__start). */
  readonly entry: bigint;
  /** The TOC word of the entry descriptor (equals toc in Go binaries). */
  readonly entryToc: bigint;
  /** o_toc: the value R2 must hold. */
  readonly toc: bigint;
  readonly textStart: bigint;
  readonly dataStart: bigint;
  readonly sections: readonly XcoffSection[];
  readonly loadSegments: readonly LoadSegment[];
  readonly importFiles: readonly ImportFile[];
  readonly loaderSymbols: readonly LoaderSymbol[];
  /** Imports merged by library, member and name, in loader-symbol order. */
  readonly imports: readonly XcoffImport[];
  readonly relocations: readonly LoaderRelocation[];
  /** Named, defined function and data symbols in symbol-table order. */
  readonly symbols: readonly XcoffSymbol[];
  /** f_nsyms (table entries including auxiliary ones). */
  readonly symbolEntryCount: number;
  /** Function symbols sorted by address. */
  readonly functions: readonly XcoffSymbol[];
  section(name: string): XcoffSection | undefined;
  sectionBytes(name: string): Uint8Array | undefined;
  /** DWARF section bytes keyed by ELF name ('.debug_info', '.debug_abbrev', ...). */
  dwarfSections(): Map<string, Uint8Array>;
  /** Exact name first, then name + '.abi0' / '.abiinternal' (assembly functions). */
  findSymbol(name: string): XcoffSymbol | undefined;
  /** The function or data symbol containing addr, as symbol + offset. */
  symbolize(addr: bigint): SymbolizedAddress | undefined;
}

function sectionByNumber(sections: XcoffSection[], n: number, what: string, kind?: XcoffSection['kind']): XcoffSection {
  const s = n >= 1 ? sections[n - 1] : undefined;
  if (s === undefined) throw new XcoffError(`${what}: section number ${n} but the file has ${sections.length} sections`);
  if (kind !== undefined && s.kind !== kind) {
    throw new XcoffError(`${what}: section ${n} (${s.name}) is of kind ${s.kind}, expected ${kind}`);
  }
  return s;
}

/** The loadable sections must not share addresses: the loader maps each one separately. */
function checkNoOverlap(loadable: XcoffSection[]): void {
  for (let i = 0; i < loadable.length; i++) {
    for (let j = i + 1; j < loadable.length; j++) {
      const a = loadable[i]!;
      const b = loadable[j]!;
      if (a.size > 0n && b.size > 0n && a.vaddr < b.vaddr + b.size && b.vaddr < a.vaddr + a.size) {
        throw new XcoffError(
          `sections ${a.name} [${hex(a.vaddr)}, ${hex(a.vaddr + a.size)}) and ${b.name} [${hex(b.vaddr)}, ${hex(b.vaddr + b.size)}) overlap`,
        );
      }
    }
  }
}

function fileBytesOf(r: ByteReader, s: XcoffSection): Uint8Array {
  if (s.kind === 'bss') return new Uint8Array(0);
  return r.slice(s.fileOffset, Number(s.size), `section ${s.name}`);
}

function contains(s: XcoffSection, addr: bigint, length: bigint): boolean {
  return addr >= s.vaddr && addr + length <= s.vaddr + s.size;
}

/**
 * `ensure(offset, length)`, when the bytes of some ranges were not read yet (readXcoffFile leaves
 * the DWARF sections for later), reads them before a section's bytes are handed out.
 */
export function parseXcoff(bytes: Uint8Array, ensure?: (offset: number, length: number) => void): XcoffImage {
  const r = new ByteReader(bytes);
  const bytesOf = (s: XcoffSection): Uint8Array => {
    if (ensure !== undefined && s.kind !== 'bss') ensure(s.fileOffset, Number(s.size));
    return fileBytesOf(r, s);
  };
  const fileHeader = parseFileHeader(r);
  const auxHeader = parseAuxHeader(r);
  const sections = parseSectionHeaders(r, fileHeader);

  const text = sectionByNumber(sections, auxHeader.textSection, 'o_sntext', 'text');
  const data = sectionByNumber(sections, auxHeader.dataSection, 'o_sndata', 'data');
  const bss = auxHeader.bssSection > 0 ? sectionByNumber(sections, auxHeader.bssSection, 'o_snbss', 'bss') : undefined;
  const loader = sectionByNumber(sections, auxHeader.loaderSection, 'o_snloader', 'loader');

  // The entry is a descriptor {code, toc[, env]} in .data (§1.3); read its first two words.
  const entryDescriptor = auxHeader.entryDescriptor;
  const descSection = sections.find((s) => s.kind === 'data' && contains(s, entryDescriptor, 16n));
  if (descSection === undefined) {
    throw new XcoffError(`o_entry ${hex(entryDescriptor)} does not point at a 16-byte function descriptor inside .data`);
  }
  const descAt = descSection.fileOffset + Number(entryDescriptor - descSection.vaddr);
  const entry = r.u64(descAt, 'entry descriptor code address');
  const entryToc = r.u64(descAt + 8, 'entry descriptor TOC');
  if (!contains(text, entry, 1n)) {
    throw new XcoffError(`entry descriptor at ${hex(entryDescriptor)} holds code address ${hex(entry)}, outside .text`);
  }
  checkNoOverlap([text, data, ...(bss ? [bss] : [])]);

  const loadSegments: LoadSegment[] = [
    { name: text.name, vaddr: text.vaddr, memSize: text.size, fileBytes: bytesOf(text), readable: true, writable: false, executable: true },
    { name: data.name, vaddr: data.vaddr, memSize: data.size, fileBytes: bytesOf(data), readable: true, writable: true, executable: false },
  ];
  if (bss !== undefined && bss.size > 0n) {
    loadSegments.push({ name: bss.name, vaddr: bss.vaddr, memSize: bss.size, fileBytes: new Uint8Array(0), readable: true, writable: true, executable: false });
  }

  // The import relocations now, all of them on first use of `relocations` (loader.ts says why).
  const ldr = parseLoaderSection(r, loader, false);
  let relocations: LoaderRelocation[] | undefined;
  // Checked now (a bad table is refused at load, as before); the defined symbols are built on
  // first use: `run` needs none of them (symbols.ts says what that saves).
  const symtab = parseSymbolTable(r, fileHeader, sections, false);
  const imports = buildImports(ldr.symbols, ldr.importFiles, ldr.relocations, symtab.dataImportNames);

  let symbols: XcoffSymbol[] | undefined;
  const allSymbols = (): XcoffSymbol[] => (symbols ??= parseSymbolTable(r, fileHeader, sections).symbols);
  let byName: Map<string, XcoffSymbol> | undefined;
  const symbolsByName = (): Map<string, XcoffSymbol> => {
    if (byName !== undefined) return byName;
    byName = new Map();
    for (const s of allSymbols()) if (!byName.has(s.name)) byName.set(s.name, s);
    return byName;
  };
  const byAddress = (a: XcoffSymbol, b: XcoffSymbol) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0);
  // Built on first use: `run` needs neither (sorting thousands of BigInt addresses is a few ms of start-up).
  let functions: XcoffSymbol[] | undefined;
  let addressIndex: AddressIndex | undefined;

  const sectionByName = new Map<string, XcoffSection>();
  for (const s of sections) {
    if (!sectionByName.has(s.name)) sectionByName.set(s.name, s);
    if (s.dwarfName !== undefined && !sectionByName.has(s.dwarfName)) sectionByName.set(s.dwarfName, s);
  }

  return {
    bytes,
    fileHeader,
    auxHeader,
    entryDescriptor,
    entry,
    entryToc,
    toc: auxHeader.toc,
    textStart: auxHeader.textStart,
    dataStart: auxHeader.dataStart,
    sections,
    loadSegments,
    importFiles: ldr.importFiles,
    loaderSymbols: ldr.symbols,
    imports,
    get relocations() {
      return (relocations ??= parseLoaderSection(r, loader).relocations);
    },
    get symbols() {
      return allSymbols();
    },
    symbolEntryCount: symtab.entryCount,
    get functions() {
      return (functions ??= allSymbols().filter((s) => s.kind === 'function').sort(byAddress));
    },
    section: (name) => sectionByName.get(name),
    sectionBytes(name) {
      const s = sectionByName.get(name);
      if (s === undefined) return undefined;
      if (s.kind !== 'bss') return bytesOf(s);
      if (s.size > MAX_ZERO_FILL) throw new XcoffError(`section ${s.name}: ${hex(s.size)} bytes is too large to zero-fill`);
      return new Uint8Array(Number(s.size));
    },
    dwarfSections() {
      const out = new Map<string, Uint8Array>();
      for (const s of sections) if (s.dwarfName !== undefined) out.set(s.dwarfName, bytesOf(s));
      return out;
    },
    // Assembly functions carry an ABI suffix (runtime.syscall6.abi0); accept the bare Go name too.
    findSymbol(name) {
      const m = symbolsByName();
      return m.get(name) ?? m.get(`${name}.abi0`) ?? m.get(`${name}.abiinternal`);
    },
    symbolize: (addr) => (addressIndex ??= new AddressIndex(allSymbols())).lookup(addr),
  };
}

function buildImports(
  loaderSymbols: LoaderSymbol[],
  importFiles: ImportFile[],
  relocations: LoaderRelocation[],
  dataImportNames: Set<string>,
): XcoffImport[] {
  // Go may emit the same C name twice (two Go variables); relocations all name the first copy,
  // so merge by library/member/name and collect every slot (§1.7).
  const imports: XcoffImport[] = [];
  const byKey = new Map<string, XcoffImport>();
  const bySymbol: (XcoffImport | undefined)[] = new Array(loaderSymbols.length);
  loaderSymbols.forEach((sym, i) => {
    if (!sym.isImport) return;
    const file = importFiles[sym.importFile]!;
    const key = `${file.base}\0${file.member}\0${sym.name}`;
    let imp = byKey.get(key);
    if (imp === undefined) {
      imp = {
        library: file.base,
        member: file.member,
        name: sym.name,
        slots: [],
        isData: DATA_IMPORT_NAMES.has(sym.name) || dataImportNames.has(sym.name),
        loaderSymbolIndex: i,
      };
      byKey.set(key, imp);
      imports.push(imp);
    }
    bySymbol[i] = imp;
  });
  for (const rel of relocations) {
    if (rel.symbolIndex < 3) continue;
    // Relocations against defined loader symbols (the entry) fill no import slot.
    bySymbol[rel.symbolIndex - 3]?.slots.push(rel.address);
  }
  return imports;
}
