import type { Argv, CommandModule } from 'yargs';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { SIG, signalDescription } from '../aix/constants.js';
import { DEFAULT_MEMORY_LIMIT, type AixProcess } from '../aix/process.js';
import { startProgram, type StartOptions } from '../aix/run-program.js';
import { ProgramFileError } from '../xcoff/file.js';
import { reportProgramFileError } from './program-file.js';
import { writeAllSync } from './host-output.js';
import { shellStatusOf } from '../aix/process-table.js';

interface RunArgs {
  program: string;
  args: string[];
  root?: string;
  env: string[];
  strace: boolean;
  deterministic: boolean;
  'memory-limit'?: string;
}

// qemu-user's spellings too: -L ROOT, -E VAR=VAL, -U VAR, -0 ARGV0, -g PORT.
const VALUE_OPTIONS = new Set(['--root', '--env', '--memory-limit', '--strace-out', '--timeline', '-L', '-E', '-U', '-0', '-g']);
const FLAG_OPTIONS = new Set(['--strace', '--deterministic', '--no-strace', '--no-deterministic', '--allow-host-exec', '--strace-tt', '--strace-T', '--strace-json']);

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

/**
 * `run [OPTIONS] PROGRAM ARGS…` whose options are all ours and well formed (flags bare, values not
 * starting with '-'). The CLI then hands it to run's handler without yargs, which is also the only
 * way the guest gets arguments such as `--help`, `--version` or `-l`: yargs would act on those
 * itself wherever they stand. Importing and running yargs is 40-50 ms of every start. Anything else
 * (our help or version, -g, an unknown option before PROGRAM, odd spellings) goes through yargs.
 */
export function isPlainRun(argv: readonly string[]): boolean {
  if (argv[0] !== 'run') return false;
  const split = splitRunArgv(argv.slice(1));
  if (split.program === undefined || split.program.startsWith('-')) return false;
  for (let i = 0; i < split.options.length; i++) {
    const o = split.options[i]!;
    if (FLAG_OPTIONS.has(o)) continue;
    if (!VALUE_OPTIONS.has(o) || o === '-g') return false;
    const value = split.options[++i];
    if (value === undefined || value.startsWith('-')) return false;
  }
  return true;
}

/** "4G", "512M", "100000" -> bytes. */
export function parseSize(s: string): bigint | undefined {
  const m = /^(\d+)\s*([kKmMgGtT]?)(i?[bB])?$/.exec(s.trim());
  if (!m) return undefined;
  const shift = { '': 0n, k: 10n, m: 20n, g: 30n, t: 40n }[m[2]!.toLowerCase() as '' | 'k' | 'm' | 'g' | 't'];
  return BigInt(m[1]!) << shift;
}

/** Below this the Go runtime cannot start (its heap arenas and stacks); refused at start. */
const MIN_MEMORY_LIMIT = 64n << 20n;

/** RAM plus swap: a guest limit above it would end in a host out-of-memory, not a guest ENOMEM. */
export function hostMemoryBytes(): bigint {
  let swap = 0n;
  try {
    const m = /^SwapTotal:\s+(\d+) kB/m.exec(fs.readFileSync('/proc/meminfo', 'utf8'));
    if (m) swap = BigInt(m[1]!) * 1024n;
  } catch {
    // no /proc: RAM alone
  }
  return BigInt(os.totalmem()) + swap;
}

function formatSize(n: bigint): string {
  for (const [unit, shift] of [['G', 30n], ['M', 20n], ['K', 10n]] as const) {
    if (n >= 1n << shift) return `${(Number(n) / Number(1n << shift)).toFixed(1).replace(/\.0$/, '')}${unit}`;
  }
  return `${n}`;
}

/** Why DIR cannot be the guest's root, if it cannot (checked at start, not at the guest's first open). */
function rootProblem(dir: string): string | undefined {
  try {
    if (!fs.statSync(dir).isDirectory()) return 'not a directory';
    return undefined;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? 'no such directory' : code === 'EACCES' ? 'permission denied' : (e as Error).message;
  }
}

/**
 * The line qemu-user prints when the guest dies of a signal, so a crash is never silent.
 * SIGPIPE stays quiet, as shells keep it (`prog | head` is not an error).
 */
export function reportGuestSignal(proc: AixProcess): void {
  const e = proc.end;
  if (e?.kind !== 'signaled' || e.signal === SIG.SIGPIPE) return;
  writeAllSync(2, `aix-gdbstub: uncaught target signal ${e.signal} (${signalDescription(e.signal)})\n`);
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
    root: [...own('--root'), ...own('-L')].pop(),
    env: [...own('--env'), ...own('-E')],
    'memory-limit': own('--memory-limit').pop(),
    strace: split.options.includes('--strace'),
    deterministic: split.options.includes('--deterministic'),
  };
  let limit: bigint | undefined;
  if (argv['memory-limit'] !== undefined) {
    limit = parseSize(argv['memory-limit']);
    if (limit === undefined) return { error: `--memory-limit: cannot read size '${argv['memory-limit']}'` };
    const host = hostMemoryBytes();
    if (limit > host) return { error: `--memory-limit: ${argv['memory-limit']} is more than this host has (${formatSize(host)} of RAM and swap)` };
    if (limit < MIN_MEMORY_LIMIT) return { error: `--memory-limit: ${argv['memory-limit']} is too small for a Go program (at least ${formatSize(MIN_MEMORY_LIMIT)})` };
  } else {
    limit = hostMemoryBytes() < DEFAULT_MEMORY_LIMIT ? hostMemoryBytes() : undefined;
  }
  if (argv.root !== undefined) {
    const problem = rootProblem(argv.root);
    if (problem) return { error: `--root: ${argv.root}: ${problem}` };
  }
  const env = Object.entries(process.env).map(([k, v]) => `${k}=${v ?? ''}`);
  for (const kv of argv.env) {
    const k = kv.split('=')[0]!;
    const i = env.findIndex((e) => e.startsWith(k + '='));
    if (i >= 0) env.splice(i, 1);
    env.push(kv.includes('=') ? kv : `${kv}=`);
  }
  const strace = straceSink(split.options);
  if (typeof strace === 'string') return { error: strace };
  for (const k of own('-U')) {
    const i = env.findIndex((e) => e.startsWith(k + '='));
    if (i >= 0) env.splice(i, 1);
  }
  const argv0 = own('-0').pop();
  return {
    program: argv.program,
    ...(argv0 !== undefined ? { argv0 } : {}),
    args: argv.args.map(String),
    env,
    root: argv.root,
    deterministic: argv.deterministic,
    allowHostExec: split.options.includes('--allow-host-exec'),
    memoryLimit: limit,
    ...strace,
  };
}

/**
 * --strace and its strace-style companions: --strace-out FILE (strace -o, lines prefixed by the
 * thread id as strace writes files), --strace-tt, --strace-T, --strace-json. Any of them turns
 * tracing on. Lines go out synchronously (waiting for a slow reader), so none is lost when the guest exits.
 */
function straceSink(options: string[]): Pick<StartOptions, 'strace' | 'straceFormat'> | string {
  const out = optionValues(options, '--strace-out').pop();
  const format = { timestamps: options.includes('--strace-tt'), durations: options.includes('--strace-T'), json: options.includes('--strace-json'), file: out !== undefined };
  if (!options.includes('--strace') && out === undefined && !format.timestamps && !format.durations && !format.json) return {};
  if (out === undefined) return { strace: (line) => writeAllSync(2, line + '\n'), straceFormat: format };
  let fd: number;
  try {
    fd = fs.openSync(out, 'w');
  } catch (e) {
    return `--strace-out: ${out}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such directory' : (e as Error).message}`;
  }
  return { strace: (line) => fs.writeSync(fd, line + '\n'), straceFormat: format };
}

/** run's options on a yargs builder (serve adds them too). */
export function withRunOptions<T>(y: Argv<T>): Argv<T> {
  return y
    .parserConfiguration({ 'unknown-options-as-args': true })
    .positional('program', { type: 'string', demandOption: true, describe: 'XCOFF64 executable' })
    .positional('args', { type: 'string', array: true, default: [], describe: "the program's arguments" })
    .option('root', { type: 'string', describe: 'directory the guest sees as / (default: the host /)' })
    .option('env', { type: 'string', array: true, nargs: 1, default: [], describe: 'add K=V to the guest environment (repeatable)' })
    .option('E', { type: 'string', describe: 'qemu-user: VAR=VAL into the guest environment (repeatable)' })
    .option('U', { type: 'string', describe: 'qemu-user: remove VAR from the guest environment (repeatable)' })
    .option('0', { type: 'string', describe: "qemu-user: the guest's argv[0]" })
    .option('L', { type: 'string', describe: 'qemu-user: same as --root' })
    .option('strace', { type: 'boolean', default: false, describe: 'print each libc call to stderr, as strace -f does' })
    .option('strace-out', { type: 'string', describe: 'write the --strace lines to FILE (strace -o FILE)' })
    .option('strace-tt', { type: 'boolean', default: false, describe: 'strace -tt: time of day with microseconds on each line (guest time)' })
    .option('strace-T', { type: 'boolean', default: false, describe: 'strace -T: time spent in each call' })
    .option('strace-json', { type: 'boolean', default: false, describe: 'one JSON object per call, signal and exit instead of text' })
    .option('g', { type: 'string', describe: 'qemu-user: wait for gdb on PORT (= serve --port PORT)' })
    .option('timeline', { type: 'string', describe: 'write a Chrome/Perfetto trace of the run to FILE (pthreads, goroutines, libc calls, GC, signals)' })
    .option('deterministic', { type: 'boolean', default: false, describe: 'virtual time from the instruction count' })
    .option('memory-limit', { type: 'string', describe: 'guest memory limit (e.g. 512M; default 4G)' })
    .option('allow-host-exec', { type: 'boolean', default: false, describe: 'with --root: let the guest exec non-AIX programs on the host (unconfined)' }) as unknown as Argv<T>;
}

export const runCommand: CommandModule<object, RunArgs> = {
  command: 'run <program> [args..]',
  describe: 'Run an AIX ppc64 Go program in the emulator',
  builder: (y) =>
    withRunOptions(y)
      .example('$0 run ./hello', 'run an aix/ppc64 Go program (its exit status is ours)')
      .example('$0 run --strace -T ./hello', 'one strace -f line per libc call, with the time spent in each')
      .example('$0 run --deterministic --timeline t.json ./prog', 'a Perfetto trace of pthreads, goroutines and libc calls (ui.perfetto.dev)')
      .example('$0 run -g 1234 -E GOMAXPROCS=2 ./prog', "qemu-user's form: wait for gdb on port 1234") as never,
  handler: async (parsed) => {
    // Re-read our options from the raw command line: only those before PROGRAM are ours.
    const raw = process.argv.slice(2);
    const split = splitRunArgv(raw.slice(raw.indexOf('run') + 1));
    // qemu-user's -g PORT: wait for gdb on PORT before the first instruction, i.e. `serve :PORT`.
    const gdbPort = optionValues(split.options, '-g').pop();
    if (gdbPort !== undefined) {
      const options = split.options.filter((o, i, all) => !(o === '-g' || all[i - 1] === '-g' || o.startsWith('-g=')));
      process.argv = [...process.argv.slice(0, 2), 'serve', '--port', gdbPort, ...options, '--', split.program ?? '', ...split.args];
      const { serveCommand } = await import('./serve.js');
      return serveCommand.handler(parsed as never);
    }
    const start = startOptionsFromArgv(split, parsed);
    if ('error' in start) {
      process.stderr.write(`aix-gdbstub: ${start.error}\n`);
      process.exit(2);
    }
    let started;
    try {
      started = startProgram(start);
    } catch (e) {
      if (e instanceof ProgramFileError) {
        reportProgramFileError(e);
        process.exit(1);
      }
      throw e;
    }
    const { process: proc, scheduler } = started;
    const timelineFile = optionValues(split.options, '--timeline').pop();
    // Loaded only when asked for: a plain run starts without the timeline and runtime-view layers.
    const timeline = timelineFile === undefined ? undefined : (await import('../machine/timeline.js')).startTimeline(proc, timelineFile, path.basename(start.program));
    if (timeline && 'error' in timeline) {
      process.stderr.write(`aix-gdbstub: ${timeline.error}\n`);
      process.exit(2);
    }
    const onSigint = () => scheduler.requestStop();
    process.on('SIGINT', onSigint);
    const outcome = await scheduler.runUntilStop();
    process.off('SIGINT', onSigint);
    timeline?.finish();
    if (outcome.kind === 'interrupted') {
      process.stderr.write('aix-gdbstub: interrupted\n');
      process.exit(130);
    }
    if (outcome.kind === 'debug') {
      process.stderr.write(`aix-gdbstub: stopped: ${outcome.detail}\n`);
      process.exit(70);
    }
    if (proc.end?.kind === 'crashed') writeAllSync(2, `aix-gdbstub: guest crashed: ${proc.end.message}\n`);
    // execve replaced the program by another one (same pid): its end is the run's end.
    if (proc.replaced) process.exit(shellStatusOf(await proc.table.whenEnded(proc.pid)));
    reportGuestSignal(proc);
    process.exit(proc.exitStatus());
  },
};
