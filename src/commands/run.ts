import type { Argv, CommandModule } from 'yargs';
import { NotAnAixProgram, startProgram, type StartOptions } from '../aix/run-program.js';

interface RunArgs {
  program: string;
  args: string[];
  root?: string;
  env: string[];
  strace: boolean;
  deterministic: boolean;
  'memory-limit'?: string;
}

const VALUE_OPTIONS = new Set(['--root', '--env', '--memory-limit']);
const FLAG_OPTIONS = new Set(['--strace', '--deterministic', '--no-strace', '--no-deterministic']);

/**
 * Our options end at PROGRAM: everything after it belongs to the guest, even if it looks like one
 * of ours (`run prog --strace` passes --strace to prog). yargs cannot express that, so the raw
 * argument list after `run` is split here.
 */
export function splitRunArgv(
  tokens: string[],
  extra: { values?: string[]; flags?: string[] } = {},
): { options: string[]; program?: string; args: string[] } {
  const options: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const tok = tokens[i]!;
    if (tok === '--') return { options, program: tokens[i + 1], args: tokens.slice(i + 2) };
    const name = tok.split('=')[0]!;
    if (VALUE_OPTIONS.has(name) || extra.values?.includes(name)) {
      options.push(tok);
      if (!tok.includes('=') && i + 1 < tokens.length) options.push(tokens[++i]!);
      continue;
    }
    if (FLAG_OPTIONS.has(name) || extra.flags?.includes(name)) {
      options.push(tok);
      continue;
    }
    return { options, program: tok, args: tokens.slice(i + 1) };
  }
  return { options, args: [] };
}

/** "4G", "512M", "100000" -> bytes. */
export function parseSize(s: string): bigint | undefined {
  const m = /^(\d+)\s*([kKmMgGtT]?)(i?[bB])?$/.exec(s.trim());
  if (!m) return undefined;
  const shift = { '': 0n, k: 10n, m: 20n, g: 30n, t: 40n }[m[2]!.toLowerCase() as '' | 'k' | 'm' | 'g' | 't'];
  return BigInt(m[1]!) << shift;
}

/** The values of option `name` among the options before PROGRAM (--x V and --x=V forms). */
export function optionValues(options: string[], name: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < options.length; i++) {
    const o = options[i]!;
    if (o === name) out.push(options[++i]!);
    else if (o.startsWith(name + '=')) out.push(o.slice(name.length + 1));
  }
  return out;
}

/**
 * What to start, from the raw tokens after the command name (run's options, then PROGRAM and its
 * arguments); `serve` shares it. Returns an error line for a bad option value.
 */
export function startOptionsFromArgv(
  split: { options: string[]; program?: string; args: string[] },
  parsed: { program: string; args?: unknown[] },
): StartOptions | { error: string } {
  const own = (name: string): string[] => optionValues(split.options, name);
  const argv = {
    program: split.program ?? parsed.program,
    args: split.program !== undefined ? split.args : (parsed.args ?? []),
    root: own('--root').pop(),
    env: own('--env'),
    'memory-limit': own('--memory-limit').pop(),
    strace: split.options.includes('--strace'),
    deterministic: split.options.includes('--deterministic'),
  };
  let limit: bigint | undefined;
  if (argv['memory-limit'] !== undefined) {
    limit = parseSize(argv['memory-limit']);
    if (limit === undefined) return { error: `--memory-limit: cannot read size '${argv['memory-limit']}'` };
  }
  const env = Object.entries(process.env).map(([k, v]) => `${k}=${v ?? ''}`);
  for (const kv of argv.env) {
    const k = kv.split('=')[0]!;
    const i = env.findIndex((e) => e.startsWith(k + '='));
    if (i >= 0) env.splice(i, 1);
    env.push(kv.includes('=') ? kv : `${kv}=`);
  }
  return {
    program: argv.program,
    args: argv.args.map(String),
    env,
    root: argv.root,
    deterministic: argv.deterministic,
    memoryLimit: limit,
    strace: argv.strace ? (line) => process.stderr.write(line + '\n') : undefined,
  };
}

/** run's options on a yargs builder (serve adds them too). */
export function withRunOptions<T>(y: Argv<T>): Argv<T> {
  return y
    .parserConfiguration({ 'unknown-options-as-args': true })
    .positional('program', { type: 'string', demandOption: true, describe: 'XCOFF64 executable' })
    .positional('args', { type: 'string', array: true, default: [], describe: "the program's arguments" })
    .option('root', { type: 'string', describe: 'directory the guest sees as / (default: the host /)' })
    .option('env', { type: 'string', array: true, nargs: 1, default: [], describe: 'add K=V to the guest environment (repeatable)' })
    .option('strace', { type: 'boolean', default: false, describe: 'print each libc call to stderr' })
    .option('deterministic', { type: 'boolean', default: false, describe: 'virtual time from the instruction count' })
    .option('memory-limit', { type: 'string', describe: 'guest memory limit (e.g. 512M; default 4G)' }) as unknown as Argv<T>;
}

export const runCommand: CommandModule<object, RunArgs> = {
  command: 'run <program> [args..]',
  describe: 'Run an AIX ppc64 Go program in the emulator',
  builder: (y) => withRunOptions(y) as never,
  handler: async (parsed) => {
    // Re-read our options from the raw command line: only those before PROGRAM are ours.
    const raw = process.argv.slice(2);
    const split = splitRunArgv(raw.slice(raw.indexOf('run') + 1));
    const start = startOptionsFromArgv(split, parsed);
    if ('error' in start) {
      process.stderr.write(`aix-gdbstub: ${start.error}\n`);
      process.exit(2);
    }
    let started;
    try {
      started = startProgram(start);
    } catch (e) {
      if (e instanceof NotAnAixProgram) {
        process.stderr.write(`aix-gdbstub: ${e.message}\n`);
        process.exit(1);
      }
      throw e;
    }
    const { process: proc, scheduler } = started;
    const onSigint = () => scheduler.requestStop();
    process.on('SIGINT', onSigint);
    const outcome = await scheduler.runUntilStop();
    process.off('SIGINT', onSigint);
    if (outcome.kind === 'interrupted') {
      process.stderr.write('aix-gdbstub: interrupted\n');
      process.exit(130);
    }
    if (outcome.kind === 'debug') {
      process.stderr.write(`aix-gdbstub: stopped: ${outcome.detail}\n`);
      process.exit(70);
    }
    if (proc.end?.kind === 'crashed') process.stderr.write(`aix-gdbstub: guest crashed: ${proc.end.message}\n`);
    process.exit(proc.exitStatus());
  },
};
