// The ELF64 view of a Go XCOFF64 program: the same code and data at the same addresses, the XCOFF
// symbol table as .symtab, and the DWARF sections under their .debug_* names, so that stock
// gdb-multiarch (which cannot read XCOFF) gets symbols, source lines and frame info.
import type { XcoffImage, XcoffSymbol } from '../xcoff/index.js';
import { C_EXT, C_WEAKEXT } from '../xcoff/symbols.js';
import { GDB_SCRIPTS_SECTION, bundledGdbScripts, gdbScriptsSection, type GdbScript } from './gdb-scripts.js';
import { writeElf, type ElfSectionInput, type ElfSymbolInput, type ElfViewInput, type ElfWriteOptions } from './writer.js';

/** The writer's input for an XCOFF image (exported so tests and the stub can inspect it). */
export function elfViewInputFromXcoff(image: XcoffImage, debugFrame?: Uint8Array): ElfViewInput {
  const sections: ElfSectionInput[] = [];
  const loadedNames = new Set<string>();
  for (const seg of image.loadSegments) {
    const kind = seg.executable ? 'text' : seg.fileBytes.length === 0 ? 'bss' : 'data';
    // .text also holds Go's rodata and pclntab (after runtime.etext); one r-x section keeps addresses exact.
    sections.push({ name: seg.name, kind, vaddr: seg.vaddr, size: seg.memSize, bytes: kind === 'bss' ? new Uint8Array(0) : seg.fileBytes });
    loadedNames.add(seg.name);
  }
  const dwarf = image.dwarfSections();
  if (debugFrame !== undefined) dwarf.set('.debug_frame', debugFrame);
  for (const [name, bytes] of dwarf) {
    sections.push({ name, kind: 'debug', vaddr: 0n, size: BigInt(bytes.length), bytes });
  }

  const symbols: ElfSymbolInput[] = [];
  for (const s of image.symbols) {
    if (!loadedNames.has(s.section)) continue;
    symbols.push(elfSymbol(s));
  }
  return { sections, symbols, entry: image.entry };
}

function elfSymbol(s: XcoffSymbol): ElfSymbolInput {
  return {
    name: s.name,
    address: s.address,
    size: s.size,
    kind: s.kind,
    section: s.section,
    // C_HIDEXT symbols are the file-static ones (unexported assembly helpers, TOC entries).
    global: s.storageClass === C_EXT || s.storageClass === C_WEAKEXT,
  };
}

/**
 * Code the host provides outside the image (the emulator's libc entry points), shown to gdb as
 * one more text section with a function symbol per entry so that a PC there has a name.
 */
export interface ExtraCode {
  name: string;
  vaddr: bigint;
  bytes: Uint8Array;
  functions: ReadonlyArray<{ name: string; address: bigint; size: bigint }>;
}

export interface ElfViewOptions extends ElfWriteOptions {
  /** Python scripts for .debug_gdb_scripts (default: gdb-scripts/python/*.py); [] leaves the section out. */
  gdbScripts?: readonly GdbScript[];
  /** Replaces the binary's .debug_frame (call frame information with Go's stack switches described). */
  debugFrame?: Uint8Array;
}

/**
 * ELF64 big-endian ppc64 (ABI v1, no .opd: symbols are code addresses) bytes for an XCOFF image.
 * The DWARF is zlib-compressed unless options.compressDebug is false.
 */
export function buildElfView(image: XcoffImage, extra?: ExtraCode, options: ElfViewOptions = {}): Uint8Array {
  const input = withGdbScripts(elfViewInputFromXcoff(image, options.debugFrame), options.gdbScripts ?? bundledGdbScripts());
  if (!extra) return writeElf(input, options);
  const taken = new Set(input.symbols.map((s) => s.name));
  const symbols: ElfSymbolInput[] = extra.functions.map((f) => ({
    // A libc name never collides with Go's package-qualified names, but keep gdb's lookup unambiguous.
    name: taken.has(f.name) ? `${f.name}@host` : f.name,
    address: f.address,
    size: f.size,
    kind: 'function',
    section: extra.name,
    global: true,
  }));
  const section: ElfSectionInput = { name: extra.name, kind: 'text', vaddr: extra.vaddr, size: BigInt(extra.bytes.length), bytes: extra.bytes };
  return writeElf({ ...input, sections: [...input.sections, section], symbols: [...input.symbols, ...symbols] }, options);
}

/** Adds .debug_gdb_scripts, stored as is (small; `objdump -s -j .debug_gdb_scripts` shows the text). */
function withGdbScripts(input: ElfViewInput, scripts: readonly GdbScript[]): ElfViewInput {
  if (scripts.length === 0) return input;
  const bytes = gdbScriptsSection(scripts);
  const section: ElfSectionInput = { name: GDB_SCRIPTS_SECTION, kind: 'debug', vaddr: 0n, size: BigInt(bytes.length), bytes, compress: false };
  return { ...input, sections: [...input.sections, section] };
}
