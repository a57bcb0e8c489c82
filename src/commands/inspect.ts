import type { CommandModule } from 'yargs';

interface InspectArgs {
  program: string;
  json: boolean;
}

// Placeholder until the XCOFF reader lands (issue 2): fails honestly rather than pretending.
export const inspectCommand: CommandModule<object, InspectArgs> = {
  command: 'inspect <program>',
  describe: 'print the headers, sections, imports and symbols of an XCOFF64 executable',
  builder: (y) =>
    y
      .positional('program', { type: 'string', demandOption: true, describe: 'XCOFF64 executable' })
      .option('json', { type: 'boolean', default: false, describe: 'machine-readable output' }) as never,
  handler: () => {
    process.stderr.write('aix-gdbstub: inspect: not implemented yet\n');
    process.exitCode = 1;
  },
};
