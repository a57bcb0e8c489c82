import type { CommandModule } from 'yargs';
import { elfCommand } from './elf.js';
import { inspectCommand } from './inspect.js';
import { runCommand } from './run.js';
import { serveCommand } from './serve.js';

// The CLI's commands, in the order --help lists them. Add a command by adding its module here.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const commands: CommandModule<any, any>[] = [inspectCommand, elfCommand, runCommand, serveCommand];
