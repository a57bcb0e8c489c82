// Section headers (72 bytes each in XCOFF64, notes/aix-go-contract.md §1.4), including the DWARF subtypes
// that say which .debug_* section a .dw* section is.
import { XcoffError, hex } from './errors.js';
import { FILE_HEADER_SIZE, type FileHeader } from './headers.js';
import type { ByteReader } from './reader.js';

export const SECTION_HEADER_SIZE = 72;

export const STYP_DWARF = 0x0010;
export const STYP_TEXT = 0x0020;
export const STYP_DATA = 0x0040;
export const STYP_BSS = 0x0080;
export const STYP_LOADER = 0x1000;

export type SectionKind = 'text' | 'data' | 'bss' | 'dwarf' | 'loader' | 'other';

export interface XcoffSection {
  name: string;
  /** 1-based section number, as used by n_scnum, o_sn* and l_scnum. */
  index: number;
  vaddr: bigint;
  size: bigint;
  /** s_scnptr; 0 for .bss. */
  fileOffset: number;
  flags: number;
  kind: SectionKind;
  /** For DWARF sections: the ELF-style name of the subtype, e.g. '.debug_info'. */
  dwarfName?: string;
}

// s_flags high half of a STYP_DWARF section (SSUBTYP_DW*) → the DWARF section it holds.
const DWARF_SUBTYPES: ReadonlyMap<number, string> = new Map([
  [0x10000, '.debug_info'],
  [0x20000, '.debug_line'],
  [0x30000, '.debug_pubnames'],
  [0x40000, '.debug_pubtypes'],
  [0x50000, '.debug_aranges'],
  [0x60000, '.debug_abbrev'],
  [0x70000, '.debug_str'],
  [0x80000, '.debug_ranges'],
  [0x90000, '.debug_loc'],
  [0xa0000, '.debug_frame'],
  [0xb0000, '.debug_macinfo'],
]);

function kindOf(flags: number): SectionKind {
  const type = flags & 0xffff;
  if (type & STYP_TEXT) return 'text';
  if (type & STYP_DATA) return 'data';
  if (type & STYP_BSS) return 'bss';
  if (type & STYP_LOADER) return 'loader';
  if (type & STYP_DWARF) return 'dwarf';
  return 'other';
}

function sectionName(r: ByteReader, at: number): string {
  let name = '';
  for (let i = 0; i < 8; i++) {
    const c = r.u8(at + i, 's_name');
    if (c === 0) break;
    name += String.fromCharCode(c);
  }
  return name;
}

export function parseSectionHeaders(r: ByteReader, fh: FileHeader): XcoffSection[] {
  const tableStart = FILE_HEADER_SIZE + fh.auxHeaderSize;
  const tableSize = fh.sectionCount * SECTION_HEADER_SIZE;
  if (tableStart + tableSize > r.length) {
    throw new XcoffError(
      `truncated section headers: f_nscns=${fh.sectionCount} needs ${hex(tableStart + tableSize)} bytes, file has ${hex(r.length)}`,
    );
  }
  const sections: XcoffSection[] = [];
  for (let i = 0; i < fh.sectionCount; i++) {
    const at = tableStart + i * SECTION_HEADER_SIZE;
    const name = sectionName(r, at);
    const vaddr = r.u64(at + 16, 's_vaddr');
    const size = r.u64(at + 24, 's_size');
    const rawPtr = r.u64(at + 32, 's_scnptr');
    const flags = r.u32(at + 64, 's_flags');
    const kind = kindOf(flags);
    const label = `section ${i + 1} (${name || 'unnamed'})`;
    if (vaddr + size > 0xffff_ffff_ffff_ffffn) {
      throw new XcoffError(`${label}: address range ${hex(vaddr)} + ${hex(size)} overflows 64 bits`);
    }
    // Only sections that occupy file space must fit in the file; .bss has none.
    if (kind !== 'bss' && size > 0n && rawPtr + size > BigInt(r.length)) {
      throw new XcoffError(
        `${label}: data at offset ${hex(rawPtr)} (${hex(size)} bytes) extends past the end of the file (${hex(r.length)} bytes)`,
      );
    }
    const section: XcoffSection = {
      name,
      index: i + 1,
      vaddr,
      size,
      fileOffset: kind === 'bss' ? 0 : Number(rawPtr),
      flags,
      kind,
    };
    if (kind === 'dwarf') {
      const dwarfName = DWARF_SUBTYPES.get(flags & 0xffff0000);
      if (dwarfName !== undefined) section.dwarfName = dwarfName;
    }
    sections.push(section);
  }
  return sections;
}
