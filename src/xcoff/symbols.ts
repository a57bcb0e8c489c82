// Symbol table (18-byte entries with 18-byte auxiliary entries) and its string table
// (notes/aix-go-contract.md §1.6). Only named, defined csect symbols (functions and data) are kept.
import { XcoffError, hex } from './errors.js';
import type { FileHeader } from './headers.js';
import type { ByteReader } from './reader.js';
import type { XcoffSection } from './sections.js';

export const SYMBOL_ENTRY_SIZE = 18;

export const C_EXT = 2;
export const C_HIDEXT = 107;
export const C_WEAKEXT = 111;
export const C_FILE = 103;
export const C_DWARF = 112;

const SYM_TYPE_FUNC = 0x0020;
const AUX_CSECT = 251;
const AUX_FCN = 254;
const XTY_SD = 1;
const XTY_CM = 3;

const STORAGE_CLASS_NAMES: Record<number, string> = {
  [C_EXT]: 'C_EXT',
  [C_HIDEXT]: 'C_HIDEXT',
  [C_WEAKEXT]: 'C_WEAKEXT',
};

export interface XcoffSymbol {
  name: string;
  address: bigint;
  /** Function size from the FCN aux (x_fsize), otherwise the csect length (x_scnlen); 0 if unknown. */
  size: bigint;
  /** 1-based section number (n_scnum). */
  sectionNumber: number;
  /** Name of that section, e.g. '.text'. */
  section: string;
  storageClass: number;
  storageClassName: string;
  kind: 'function' | 'object';
  /** Storage-mapping class of the csect (x_smclas): 0 PR, 1 RO, 5 RW, 15 TC0, ... */
  mappingClass: number;
  /** Index of the entry in the symbol table. */
  tableIndex: number;
}

export interface SymbolTable {
  symbols: XcoffSymbol[];
  /** f_nsyms: table entries including auxiliary entries. */
  entryCount: number;
  /** Names of the undefined (imported) symbols whose csect says they are data (XMC_RW / XMC_UA). */
  dataImportNames: Set<string>;
}

/**
 * The table checked entry by entry (every problem is an XcoffError), with its data import names.
 * With `keep` false no defined symbol is built: `run` needs only the import names, and building
 * the thousands of names and records of a Go program (about 2 MB of heap, 5-10 ms) pushed hello's
 * heap over V8's first old-generation limit (a full GC); the image builds them on first use.
 */
export function parseSymbolTable(r: ByteReader, fh: FileHeader, sections: XcoffSection[], keep = true): SymbolTable {
  const dataImportNames = new Set<string>();
  if (fh.symbolTableOffset === 0 || fh.symbolCount === 0) {
    // Built with -s: no symbol table at all.
    return { symbols: [], entryCount: 0, dataImportNames };
  }
  const start = fh.symbolTableOffset;
  const tableSize = fh.symbolCount * SYMBOL_ENTRY_SIZE;
  if (start + tableSize > r.length) {
    throw new XcoffError(
      `symbol table at ${hex(start)} with f_nsyms=${fh.symbolCount} (${hex(tableSize)} bytes) extends past the end of the file (${hex(r.length)} bytes)`,
    );
  }
  const strStart = start + tableSize;
  let strEnd = strStart;
  if (strStart < r.length) {
    const strLen = r.u32(strStart, 'string table length');
    if (strLen !== 0 && strLen < 4) throw new XcoffError(`string table length ${strLen} at ${hex(strStart)} is smaller than its own 4-byte field`);
    r.require(strStart, strLen, 'string table');
    strEnd = strStart + strLen;
  }
  const bytes = r.bytes;
  // A name is NUL-terminated inside the table iff it starts at or before the table's last NUL:
  // one check per symbol instead of a search (r.terminator still words the error).
  let lastNul = strEnd - 1;
  while (lastNul >= strStart && bytes[lastNul] !== 0) lastNul--;
  const symbols: XcoffSymbol[] = [];
  const sectionCount = sections.length;
  for (let i = 0; i < fh.symbolCount; ) {
    const at = start + i * SYMBOL_ENTRY_SIZE;
    const nameOffset = r.u32(at + 8, 'n_offset');
    const sectionNumber = r.i16(at + 12, 'n_scnum');
    const type = r.u16(at + 14, 'n_type');
    const storageClass = bytes[at + 16]!;
    const auxCount = r.i8(at + 17, 'n_numaux');
    if (auxCount < 0 || i + 1 + auxCount > fh.symbolCount) {
      throw new XcoffError(`symbol ${i} at ${hex(at)}: n_numaux=${auxCount} runs past the ${fh.symbolCount} table entries`);
    }
    const index = i;
    i += 1 + auxCount;
    if (storageClass !== C_EXT && storageClass !== C_HIDEXT && storageClass !== C_WEAKEXT) continue;
    if (auxCount === 0) continue;
    // The csect aux entry is always the last one; a function has an FCN aux before it.
    const csectAt = at + auxCount * SYMBOL_ENTRY_SIZE;
    if (bytes[csectAt + 17] !== AUX_CSECT) continue;
    const smtyp = bytes[csectAt + 10]! & 7;
    const mappingClass = bytes[csectAt + 11]!;
    if (nameOffset === 0) continue; // the unnamed per-package text csects
    if (nameOffset < 4 || strStart + nameOffset >= strEnd) {
      throw new XcoffError(`symbol ${index} at ${hex(at)}: name offset ${hex(nameOffset)} lies outside the string table (${hex(strEnd - strStart)} bytes)`);
    }
    const nameAt = strStart + nameOffset;
    const nameWhat = `name of symbol ${index}`;
    if (nameAt > lastNul) r.terminator(nameAt, strEnd, nameWhat); // throws
    if (sectionNumber <= 0) {
      // Undefined (imported) symbol: remember the data ones, the loader section describes the rest.
      if (sectionNumber === 0 && (mappingClass === 5 || mappingClass === 4)) dataImportNames.add(r.cstring(nameAt, strEnd, nameWhat));
      continue;
    }
    if (sectionNumber > sectionCount) {
      const name = r.cstring(nameAt, strEnd, nameWhat);
      throw new XcoffError(`symbol ${index} (${name}) at ${hex(at)}: section number ${sectionNumber} but the file has ${sectionCount} sections`);
    }
    if (!keep) continue;
    const name = r.cstring(nameAt, strEnd, nameWhat);
    let size = 0n;
    let fcnAt = -1;
    for (let k = 1; k < auxCount; k++) {
      if (bytes[at + k * SYMBOL_ENTRY_SIZE + 17] === AUX_FCN) fcnAt = at + k * SYMBOL_ENTRY_SIZE;
    }
    if (fcnAt >= 0) {
      size = BigInt(r.u32(fcnAt + 8, 'x_fsize'));
    } else if (smtyp === XTY_SD || smtyp === XTY_CM) {
      const lo = r.u32(csectAt, 'x_scnlen_lo');
      const hi = r.u32(csectAt + 12, 'x_scnlen_hi');
      size = (BigInt(hi) << 32n) | BigInt(lo);
    }
    symbols.push({
      name,
      address: r.u64(at, 'n_value'),
      size,
      sectionNumber,
      section: sections[sectionNumber - 1]!.name,
      storageClass,
      storageClassName: STORAGE_CLASS_NAMES[storageClass] ?? String(storageClass),
      kind: (type & SYM_TYPE_FUNC) !== 0 ? 'function' : 'object',
      mappingClass,
      tableIndex: index,
    });
  }
  return { symbols, entryCount: fh.symbolCount, dataImportNames };
}
