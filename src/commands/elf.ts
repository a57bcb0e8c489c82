import { writeFileSync } from 'node:fs';
import type { CommandModule } from 'yargs';
import { ProgramFileError, hostProblem, readXcoffFile } from '../xcoff/file.js';
import { reportProgramFileError } from './program-file.js';

interface ElfArgs {
  program: string;
  output: string;
  compressDebug: boolean;
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
  handler: async (argv) => {
    // Loaded here, not with the CLI: `run` starts without the ELF and DWARF layers.
    const [{ buildElfView }, { goDebugFrameOf }] = await Promise.all([import('../elf/index.js'), import('../goruntime/stack-switch-cfi.js')]);
    let elf: Uint8Array;
    try {
      const image = readXcoffFile(argv.program);
      elf = buildElfView(image, undefined, { compressDebug: argv.compressDebug, debugFrame: goDebugFrameOf(image) });
    } catch (e) {
      if (e instanceof ProgramFileError) return reportProgramFileError(e);
      throw e;
    }
    try {
      writeFileSync(argv.output, elf);
    } catch (e) {
      reportProgramFileError(new ProgramFileError(argv.output, `cannot write: ${hostProblem(e)}`));
    }
  },
};
