import { readFileSync, writeFileSync } from 'node:fs';
import type { CommandModule } from 'yargs';
import { buildElfView } from '../elf/index.js';
import { XcoffError, parseXcoff } from '../xcoff/index.js';

interface ElfArgs {
  program: string;
  output: string;
  compressDebug: boolean;
}

function fail(what: string, problem: string): void {
  process.stderr.write(`aix-gdbstub: elf: ${what}: ${problem}\n`);
  process.exitCode = 1;
}

function ioProblem(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  switch (err.code) {
    case 'ENOENT':
      return 'no such file or directory';
    case 'EISDIR':
      return 'is a directory';
    case 'EACCES':
      return 'permission denied';
    default:
      return err.message;
  }
}

export const elfCommand: CommandModule<object, ElfArgs> = {
  command: 'elf <program>',
  describe: 'write the ELF64 view of an XCOFF64 Go program (symbols and DWARF) for gdb-multiarch `symbol-file`',
  builder: (y) =>
    y
      .positional('program', { type: 'string', demandOption: true, describe: 'XCOFF64 executable' })
      .option('output', { alias: 'o', type: 'string', demandOption: true, requiresArg: true, describe: 'ELF file to write' })
      // yargs reads --no-compress-debug as compress-debug=false.
      .option('compress-debug', { type: 'boolean', default: true, describe: 'zlib-compress the .debug_* sections (SHF_COMPRESSED); --no-compress-debug writes them as is' }) as never,
  handler: (argv) => {
    let bytes: Uint8Array;
    try {
      bytes = readFileSync(argv.program);
    } catch (e) {
      fail(argv.program, ioProblem(e));
      return;
    }
    let elf: Uint8Array;
    try {
      elf = buildElfView(parseXcoff(bytes), undefined, { compressDebug: argv.compressDebug });
    } catch (e) {
      if (e instanceof XcoffError) {
        fail(argv.program, e.message);
        return;
      }
      throw e;
    }
    try {
      writeFileSync(argv.output, elf);
    } catch (e) {
      fail(argv.output, ioProblem(e));
    }
  },
};
