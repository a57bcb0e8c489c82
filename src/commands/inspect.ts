import type { CommandModule } from 'yargs';
import { ProgramFileError, readXcoffFile } from '../xcoff/file.js';
import type { XcoffImage } from '../xcoff/index.js';
import { reportProgramFileError } from './program-file.js';

interface InspectArgs {
  program: string;
  json: boolean;
}

const hex = (v: bigint | number): string => `0x${v.toString(16)}`;

/**
 * The JSON report. Addresses are hex strings. Relocations and symbols are counts (a Go hello has
 * ~3800 relocations and ~7400 symbol entries); the imports and sections are listed in full.
 */
export function inspectReport(file: string, img: XcoffImage): Record<string, unknown> {
  const fh = img.fileHeader;
  const ah = img.auxHeader;
  return {
    file,
    format: 'XCOFF64',
    magic: hex(fh.magic),
    flags: hex(fh.flags),
    entry: hex(img.entry),
    entryDescriptor: hex(img.entryDescriptor),
    toc: hex(img.toc),
    textStart: hex(img.textStart),
    dataStart: hex(img.dataStart),
    textSize: hex(ah.textSize),
    dataSize: hex(ah.dataSize),
    bssSize: hex(ah.bssSize),
    sections: img.sections.map((s) => ({
      index: s.index,
      name: s.name,
      kind: s.kind,
      ...(s.dwarfName !== undefined ? { dwarfName: s.dwarfName } : {}),
      vaddr: hex(s.vaddr),
      size: hex(s.size),
      fileOffset: hex(s.fileOffset),
      flags: hex(s.flags),
    })),
    importFiles: img.importFiles.map((f) => ({ path: f.path, library: f.base, member: f.member })),
    imports: img.imports.map((i) => ({ library: i.library, member: i.member, name: i.name })),
    importSlots: img.imports.reduce((n, i) => n + i.slots.length, 0),
    relocations: img.relocations.length,
    symbols: img.symbolEntryCount,
    definedSymbols: img.symbols.length,
    functions: img.functions.length,
  };
}

function printText(file: string, img: XcoffImage): void {
  const fh = img.fileHeader;
  const ah = img.auxHeader;
  const out: string[] = [];
  const entryName = img.loaderSymbols.find((s) => s.isEntry)?.name;
  out.push(`${file}: XCOFF64 executable (magic ${hex(fh.magic)}, flags ${hex(fh.flags)}, module type ${ah.moduleType || '-'})`);
  out.push(`entry:            ${hex(img.entry)}${nameOf(img, img.entry)}`);
  out.push(`entry descriptor: ${hex(img.entryDescriptor)}${entryName ? ` (${entryName})` : ''}`);
  out.push(`toc:              ${hex(img.toc)}`);
  out.push(`text:             ${hex(img.textStart)} size ${hex(ah.textSize)}`);
  out.push(`data:             ${hex(img.dataStart)} size ${hex(ah.dataSize)}`);
  out.push(`bss size:         ${hex(ah.bssSize)}`);
  out.push(`sections (${img.sections.length}):`);
  for (const s of img.sections) {
    const kind = s.dwarfName ? `${s.kind} ${s.dwarfName}` : s.kind;
    out.push(
      `  ${String(s.index).padStart(2)} ${s.name.padEnd(9)} ${kind.padEnd(20)} vaddr ${hex(s.vaddr).padEnd(12)} size ${hex(s.size).padEnd(9)} offset ${hex(s.fileOffset).padEnd(9)} flags ${hex(s.flags)}`,
    );
  }
  const slots = img.imports.reduce((n, i) => n + i.slots.length, 0);
  out.push(`imports (${img.imports.length} names, ${slots} slots):`);
  for (const i of img.imports) out.push(`  ${i.library}(${i.member}):${i.name}${i.isData ? ' [data]' : ''}`);
  out.push(`relocations: ${img.relocations.length}`);
  out.push(`symbols: ${img.symbolEntryCount} table entries, ${img.symbols.length} defined, ${img.functions.length} functions`);
  process.stdout.write(out.join('\n') + '\n');
}

function nameOf(img: XcoffImage, addr: bigint): string {
  const s = img.symbolize(addr);
  if (s === undefined) return '';
  return s.offset === 0n ? ` (${s.name})` : ` (${s.name}+${hex(s.offset)})`;
}

export const inspectCommand: CommandModule<object, InspectArgs> = {
  command: 'inspect <program>',
  describe: 'print the headers, sections, imports and symbols of an XCOFF64 executable',
  builder: (y) =>
    y
      .positional('program', { type: 'string', demandOption: true, describe: 'XCOFF64 executable' })
      .option('json', {
        type: 'boolean',
        default: false,
        describe: 'machine-readable output (addresses as hex strings; relocations and symbols as counts)',
      }) as never,
  handler: (argv) => {
    const file = argv.program;
    let img: XcoffImage;
    try {
      img = readXcoffFile(file);
    } catch (e) {
      if (e instanceof ProgramFileError) return reportProgramFileError(e);
      throw e;
    }
    if (argv.json) process.stdout.write(JSON.stringify(inspectReport(file, img), null, 2) + '\n');
    else printText(file, img);
  },
};
