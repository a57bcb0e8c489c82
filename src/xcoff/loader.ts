// The .loader section (notes/aix-go-contract.md §1.7): import file IDs, loader symbols (entry + imports)
// and the loader relocations, which name the data words ("slots") the loader must fill.
import { XcoffError, hex } from './errors.js';
import type { ByteReader } from './reader.js';
import type { XcoffSection } from './sections.js';

export const LOADER_HEADER_SIZE = 56;
export const LOADER_SYMBOL_SIZE = 24;
export const LOADER_RELOC_SIZE = 16;
/** l_rtype of every relocation Go writes: R_POS, 64 bits, unsigned, no fixup. */
export const R_POS_64 = 0x3f00;
const L_IMPORT = 0x40;
const L_ENTRY = 0x20;

export interface ImportFile {
  path: string;
  base: string;
  member: string;
}

export interface LoaderSymbol {
  name: string;
  value: bigint;
  sectionNumber: number;
  symbolType: number; // l_smtype
  mappingClass: number; // l_smclas
  /** l_ifile: 1-based index into importFiles for imports (0 = none). */
  importFile: number;
  isImport: boolean;
  isEntry: boolean;
}

export interface LoaderRelocation {
  /** l_vaddr: address of the 64-bit word to relocate. */
  address: bigint;
  type: number;
  /** l_rsecnm: section number holding the word. */
  sectionNumber: number;
  /** l_symndx: 0 .text, 1 .data, 2 .bss, n >= 3 loader symbol n-3. */
  symbolIndex: number;
}

export interface LoaderSection {
  version: number;
  importFiles: ImportFile[];
  symbols: LoaderSymbol[];
  relocations: LoaderRelocation[];
}

/**
 * With `allRelocations` false every relocation is still checked, but only those naming a loader
 * symbol (the import slots) are kept: the thousands against .text/.data/.bss are only counted and
 * listed by `inspect`, and building them is heap `run` does not need (symbols.ts says why that counts).
 */
export function parseLoaderSection(r: ByteReader, section: XcoffSection, allRelocations = true): LoaderSection {
  const base = section.fileOffset;
  const size = Number(section.size);
  const where = (field: string) => `loader section (at ${hex(base)}, ${hex(size)} bytes): ${field}`;
  if (size < LOADER_HEADER_SIZE) {
    throw new XcoffError(`${where('header')} is truncated: section is ${size} bytes, header needs ${LOADER_HEADER_SIZE}`);
  }
  r.require(base, size, 'loader section');
  const version = r.i32(base, 'l_version');
  if (version !== 2) throw new XcoffError(`${where('l_version')} is ${version}, expected 2 (XCOFF64)`);
  const symbolCount = r.u32(base + 4, 'l_nsyms');
  const relocCount = r.u32(base + 8, 'l_nreloc');
  const importTableLength = r.u32(base + 12, 'l_istlen');
  const importFileCount = r.u32(base + 16, 'l_nimpid');
  const stringTableLength = r.u32(base + 20, 'l_stlen');
  const importTableOffset = r.u64(base + 24, 'l_impoff');
  const stringTableOffset = r.u64(base + 32, 'l_stoff');
  const symbolOffset = r.u64(base + 40, 'l_symoff');
  const relocOffset = r.u64(base + 48, 'l_rldoff');

  // Each table must lie inside the section (offsets are relative to its start).
  const inside = (field: string, offset: bigint, length: number): number => {
    if (offset + BigInt(length) > BigInt(size)) {
      throw new XcoffError(`${where(field)} table at +${hex(offset)} (${hex(length)} bytes) extends past the end of the section`);
    }
    return base + Number(offset);
  };
  const symbolsAt = inside('l_symoff/l_nsyms', symbolOffset, symbolCount * LOADER_SYMBOL_SIZE);
  const relocsAt = inside('l_rldoff/l_nreloc', relocOffset, relocCount * LOADER_RELOC_SIZE);
  const importsAt = inside('l_impoff/l_istlen', importTableOffset, importTableLength);
  const stringsAt = inside('l_stoff/l_stlen', stringTableOffset, stringTableLength);

  // Import file IDs: l_nimpid triples "path\0base\0member\0".
  const importFiles: ImportFile[] = [];
  const importsEnd = importsAt + importTableLength;
  let p = importsAt;
  const nextString = (what: string): string => {
    const s = r.cstring(p, importsEnd, what);
    p = r.terminator(p, importsEnd, what) + 1;
    return s;
  };
  for (let i = 0; i < importFileCount; i++) {
    const what = `loader import file ID ${i}`;
    importFiles.push({ path: nextString(what), base: nextString(what), member: nextString(what) });
  }

  const symbols: LoaderSymbol[] = [];
  const stringsEnd = stringsAt + stringTableLength;
  for (let i = 0; i < symbolCount; i++) {
    const at = symbolsAt + i * LOADER_SYMBOL_SIZE;
    const nameOffset = r.u32(at + 8, 'l_offset');
    // l_offset points at the name bytes, just after their 2-byte length.
    if (nameOffset < 2 || nameOffset >= stringTableLength) {
      throw new XcoffError(`${where(`symbol ${i}`)} name offset ${hex(nameOffset)} lies outside the loader string table (${hex(stringTableLength)} bytes)`);
    }
    const name = r.cstring(stringsAt + nameOffset, stringsEnd, `loader symbol ${i} name`);
    const symbolType = r.u8(at + 14, 'l_smtype');
    const importFile = r.i32(at + 16, 'l_ifile');
    const isImport = (symbolType & L_IMPORT) !== 0;
    if (isImport && (importFile <= 0 || importFile >= importFileCount)) {
      throw new XcoffError(`${where(`symbol ${i} (${name})`)} l_ifile=${importFile} is not one of the ${importFileCount} import file IDs`);
    }
    symbols.push({
      name,
      value: r.u64(at, 'l_value'),
      sectionNumber: r.i16(at + 12, 'l_scnum'),
      symbolType,
      mappingClass: r.u8(at + 15, 'l_smclas'),
      importFile,
      isImport,
      isEntry: (symbolType & L_ENTRY) !== 0,
    });
  }

  const relocations: LoaderRelocation[] = allRelocations ? new Array(relocCount) : [];
  const maxSymbolIndex = 3 + symbolCount;
  for (let i = 0; i < relocCount; i++) {
    const at = relocsAt + i * LOADER_RELOC_SIZE;
    const type = r.u16(at + 8, 'l_rtype');
    const symbolIndex = r.i32(at + 12, 'l_symndx');
    if (type !== R_POS_64) {
      throw new XcoffError(`loader relocation ${i} at ${hex(at)}: l_rtype ${hex(type)} is not R_POS 64-bit (0x3f00)`);
    }
    if (symbolIndex < 0 || symbolIndex >= maxSymbolIndex) {
      throw new XcoffError(`loader relocation ${i} at ${hex(at)}: l_symndx ${symbolIndex} names no loader symbol (there are ${symbolCount})`);
    }
    if (!allRelocations && symbolIndex < 3) continue;
    const reloc: LoaderRelocation = { address: r.u64(at, 'l_vaddr'), type, sectionNumber: r.i16(at + 10, 'l_rsecnm'), symbolIndex };
    if (allRelocations) relocations[i] = reloc;
    else relocations.push(reloc);
  }
  return { version, importFiles, symbols, relocations };
}
