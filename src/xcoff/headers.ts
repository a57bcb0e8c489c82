// File header (24 bytes) and auxiliary header (120 bytes) of an XCOFF64 executable
// (notes/aix-go-contract.md §1.2, §1.3).
import { XcoffError, hex } from './errors.js';
import type { ByteReader } from './reader.js';

export const XCOFF64_MAGIC = 0x01f7; // U64_TOCMAGIC, what Go's linker writes
export const XCOFF32_MAGIC = 0x01df; // U802TOCMAGIC
export const XCOFF64_OLD_MAGIC = 0x01ef; // U803XTOCMAGIC, the pre-AIX 4.3 64-bit format
export const FILE_HEADER_SIZE = 24;
export const AUX_HEADER_SIZE = 120; // AOUTHSZ_EXEC64
export const F_EXEC = 0x0002;

export interface FileHeader {
  magic: number;
  sectionCount: number;
  timestamp: number;
  symbolTableOffset: number;
  symbolCount: number;
  auxHeaderSize: number;
  flags: number;
}

export interface AuxHeader {
  magic: number; // o_mflag, 0x010B
  version: number;
  textStart: bigint;
  dataStart: bigint;
  toc: bigint;
  entrySection: number; // o_snentry
  textSection: number;
  dataSection: number;
  tocSection: number;
  loaderSection: number;
  bssSection: number;
  textAlignLog2: number;
  dataAlignLog2: number;
  moduleType: string;
  textSize: bigint;
  dataSize: bigint;
  bssSize: bigint;
  entryDescriptor: bigint; // o_entry: the address of a function descriptor, not code
  maxStack: bigint;
  maxData: bigint;
  tdataSection: number;
  tbssSection: number;
}

/** Names what the first bytes look like when they are not XCOFF64. */
function describeWrongMagic(r: ByteReader): string {
  const b = r.bytes;
  if (b.length >= 4 && b[0] === 0x7f && b[1] === 0x45 && b[2] === 0x4c && b[3] === 0x46) {
    return 'not XCOFF64: this is an ELF file (magic 7f 45 4c 46)';
  }
  const magic = (b[0]! << 8) | b[1]!;
  if (magic === XCOFF32_MAGIC) return 'not XCOFF64: this is a 32-bit XCOFF file (magic 0x01DF); only XCOFF64 (0x01F7) is supported';
  if (magic === XCOFF64_OLD_MAGIC) return 'not XCOFF64: obsolete 64-bit XCOFF magic 0x01EF; only 0x01F7 is supported';
  return `not XCOFF64: unknown magic 0x${magic.toString(16).padStart(4, '0').toUpperCase()} (expected 0x01F7)`;
}

export function parseFileHeader(r: ByteReader): FileHeader {
  if (r.length < 2) throw new XcoffError(`file too short (${r.length} bytes) to hold an XCOFF64 file header`);
  if (r.u16(0, 'magic') !== XCOFF64_MAGIC) throw new XcoffError(describeWrongMagic(r));
  if (r.length < FILE_HEADER_SIZE) {
    throw new XcoffError(`truncated file header: ${r.length} bytes, need ${FILE_HEADER_SIZE}`);
  }
  const header: FileHeader = {
    magic: XCOFF64_MAGIC,
    sectionCount: r.u16(2, 'f_nscns'),
    timestamp: r.u32(4, 'f_timdat'),
    symbolTableOffset: r.offset64(8, 'f_symptr'),
    auxHeaderSize: r.u16(16, 'f_opthdr'),
    flags: r.u16(18, 'f_flags'),
    symbolCount: r.u32(20, 'f_nsyms'),
  };
  if (header.auxHeaderSize < AUX_HEADER_SIZE) {
    throw new XcoffError(
      `auxiliary header is ${header.auxHeaderSize} bytes, need ${AUX_HEADER_SIZE}: not an executable (no entry point)`,
    );
  }
  return header;
}

export function parseAuxHeader(r: ByteReader): AuxHeader {
  const at = FILE_HEADER_SIZE;
  if (r.length < at + AUX_HEADER_SIZE) {
    throw new XcoffError(`truncated auxiliary header: file ends at ${hex(r.length)}, header needs ${hex(at + AUX_HEADER_SIZE)}`);
  }
  const moduleType = String.fromCharCode(r.u8(at + 48, 'o_modtype'), r.u8(at + 49, 'o_modtype')).replace(/\0/g, '');
  return {
    magic: r.u16(at + 0, 'o_mflag'),
    version: r.u16(at + 2, 'o_vstamp'),
    textStart: r.u64(at + 8, 'o_text_start'),
    dataStart: r.u64(at + 16, 'o_data_start'),
    toc: r.u64(at + 24, 'o_toc'),
    entrySection: r.i16(at + 32, 'o_snentry'),
    textSection: r.i16(at + 34, 'o_sntext'),
    dataSection: r.i16(at + 36, 'o_sndata'),
    tocSection: r.i16(at + 38, 'o_sntoc'),
    loaderSection: r.i16(at + 40, 'o_snloader'),
    bssSection: r.i16(at + 42, 'o_snbss'),
    textAlignLog2: r.i16(at + 44, 'o_algntext'),
    dataAlignLog2: r.i16(at + 46, 'o_algndata'),
    moduleType,
    textSize: r.u64(at + 56, 'o_tsize'),
    dataSize: r.u64(at + 64, 'o_dsize'),
    bssSize: r.u64(at + 72, 'o_bsize'),
    entryDescriptor: r.u64(at + 80, 'o_entry'),
    maxStack: r.u64(at + 88, 'o_maxstack'),
    maxData: r.u64(at + 96, 'o_maxdata'),
    tdataSection: r.i16(at + 104, 'o_sntdata'),
    tbssSection: r.i16(at + 106, 'o_sntbss'),
  };
}
