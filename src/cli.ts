#!/usr/bin/env node
// Command-line entry: one yargs command per job. Each command lives in src/commands/.
import { exitWithError } from './commands/host-output.js';
import { isPlainRun, runCommand } from './commands/run.js';

async function main(): Promise<void> {
  // The common `run PROGRAM ARGS` needs no parsing beyond run's own: skip loading yargs.
  if (isPlainRun(process.argv.slice(2))) return runCommand.handler({} as never);
  const [{ default: yargs }, { hideBin }, { commands }] = await Promise.all([import('yargs'), import('yargs/helpers'), import('./commands/index.js')]);
  let parser = yargs(hideBin(process.argv))
    .scriptName('aix-gdbstub')
    .usage('$0 <command> [options]')
    .strict()
    .demandCommand(1, 'name a command: see --help')
    .recommendCommands()
    .help()
    .alias('h', 'help')
    .version()
    .fail((msg, err, y) => {
      // Usage errors exit 2 with one line; runtime failures are handled inside each command.
      if (err) throw err;
      process.stderr.write(`aix-gdbstub: ${msg}\n`);
      process.stderr.write(`Run 'aix-gdbstub --help' for usage.\n`);
      process.exit(2);
    });
  for (const c of commands) parser = parser.command(c);
  await parser.parseAsync();
}

main().catch(exitWithError);
