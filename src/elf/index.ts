// ELF64 view of an XCOFF program, for gdb (which cannot read XCOFF) and for `elf PROGRAM -o OUT`.
export { buildElfView, elfViewInputFromXcoff, type ElfViewOptions, type ExtraCode } from './from-xcoff.js';
export { GDB_SCRIPTS_SECTION, gdbScriptsLoader, pythonScriptsDir, bundledGdbScripts, gdbScriptsSection, type GdbScript } from './gdb-scripts.js';
export { DEBUG_DEFLATE_LEVEL, ElfWriteError, compressSection, writeElf } from './writer.js';
export type { ElfSectionInput, ElfSectionKind, ElfSymbolInput, ElfViewInput, ElfWriteOptions } from './writer.js';
export { ElfReadError, readElf } from './reader.js';
export type { ElfCompressionHeader, ElfFile, ElfProgramHeader, ElfSection, ElfSymbol } from './reader.js';
