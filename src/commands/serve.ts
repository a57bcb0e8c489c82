// `serve PROGRAM [ARGS…]`: load the program, stop it at its first instruction and wait for gdb on
// a TCP port (loopback unless --host names another address). Options before PROGRAM are serve's
// and run's (shared parsing with `run`); everything after PROGRAM goes to the guest. With --multi
// (gdbserver's) the program is optional: gdb's `run` chooses it (`set remote exec-file`).
import { existsSync, openSync } from 'node:fs';
import { basename } from 'node:path';
import type { CommandModule } from 'yargs';
import type { AixProcess } from '../aix/process.js';
import type { GoRuntimeSupport } from '../goruntime/monitor-commands.js';
import type { LeafRange } from '../goruntime/stack-switch-cfi.js';
import type { AixTarget } from '../machine/aix-target.js';
import { DEFAULT_INTERVAL } from '../record/recorder.js';
import { ProgramFileError } from '../xcoff/file.js';
import { optionValues, parseSize, reportGuestSignal, splitRunArgv, startOptionsFromArgv, withRunOptions } from './run.js';

interface ServeArgs {
  program?: string;
  args: string[];
  host: string;
  port: number;
  once: boolean;
  multi: boolean;
  'on-detach': string;
  osabi: string;
  threads: string;
}

const SERVE_VALUE_OPTIONS = ['--host', '--port', '--on-detach', '--osabi', '--record-memory', '--record-interval', '--threads'];
const SERVE_FLAG_OPTIONS = ['--once', '--no-once', '--multi', '--no-multi', '--record', '--no-record'];
const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

/** "M2, g17" per pthread from the Go runtime (allm walked in guest memory). */
function goThreadDetails(runtime: GoRuntimeSupport): Map<number, string> {
  const out = new Map<number, string>();
  for (const t of runtime.views().threadSummaries()) {
    out.set(t.gdbThreadId, `M${t.mId}${t.goid !== undefined ? `, g${t.goid}` : ''}`);
  }
  return out;
}

type Comm = { kind: 'tcp'; host: string | undefined; port: string } | { kind: 'stdio' };

/** gdbserver's COMM argument: `-` or `stdio`, `:PORT`, `HOST:PORT`, `[V6]:PORT`; undefined for anything else (a program). */
export function parseComm(text: string): Comm | undefined {
  if (text === '-' || text === 'stdio') return { kind: 'stdio' };
  const m = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]*):(\d+)$/.exec(text);
  if (!m) return undefined;
  const host = m[1]!.replace(/^\[(.*)\]$/, '$1');
  return { kind: 'tcp', host: host === '' ? undefined : host, port: m[2]! };
}

/** This command line, quoted for a shell (the banner's `target remote | ...`). */
function commandLine(): string {
  const quote = (a: string) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`);
  return [process.execPath, ...process.argv.slice(1)].map(quote).join(' ');
}

function fail(message: string, status = 2): never {
  process.stderr.write(`aix-gdbstub: ${message}\n`);
  process.exit(status);
}

export const serveCommand: CommandModule<object, ServeArgs> = {
  command: 'serve [program] [args..]',
  describe: 'Load an AIX ppc64 Go program stopped at its first instruction and wait for gdb (target remote :PORT)',
  builder: (y) =>
    withRunOptions(y)
      .option('host', { type: 'string', default: '127.0.0.1', describe: 'address to listen on (loopback unless given)' })
      .option('port', { type: 'number', default: 1234, describe: 'TCP port (0: pick a free one)' })
      .option('once', { type: 'boolean', default: false, describe: 'exit after the first gdb client leaves' })
      .option('multi', {
        type: 'boolean',
        default: false,
        describe: "gdbserver's --multi: PROGRAM is optional, gdb's run starts whichever program `set remote exec-file` names (target extended-remote)",
      })
      .option('on-detach', { type: 'string', default: 'continue', choices: ['continue', 'kill'], describe: 'what the guest does when gdb detaches' })
      .option('record', { type: 'boolean', default: true, describe: 'record the run for reverse execution (reverse-step, reverse-continue, monitor when/goto/checkpoint); --no-record turns it off' })
      .option('record-memory', { type: 'string', default: '1G', describe: 'memory the recording may hold (older snapshots are thinned, then history starts later)' })
      .option('record-interval', { type: 'number', default: DEFAULT_INTERVAL, describe: 'instructions between periodic snapshots' })
      .option('osabi', {
        type: 'string',
        default: 'linux',
        choices: ['linux', 'none'],
        describe: 'OS ABI gdb assumes: linux (catch syscall works) or none (no catch syscall; gdb skips its Linux signal-trampoline probes, stepping about 1.5x faster)',
      })
      .option('threads', {
        type: 'string',
        choices: ['goroutines', 'pthreads'],
        describe: "what gdb's threads are: every live goroutine (next/step follow a goroutine across Ms) plus the pthreads (default), or the pthreads only (default with --record)",
      })
      .example('$0 serve :1234 ./prog arg', "gdbserver's form; then in gdb-multiarch: target remote :1234")
      .example("gdb-multiarch -ex 'target remote | $0 serve - ./prog'", 'no port: RSP on stdin/stdout')
      .example('$0 serve --once --record ./prog', 'record for reverse-step / reverse-continue; exit when gdb leaves')
      .example('$0 serve --multi :1234', 'no program yet; in gdb: target extended-remote :1234, set remote exec-file ./prog, run') as never,
  handler: async (parsed) => {
    // The debugger's layers load here, not with the CLI: `run` starts without them (make bench, hello).
    const [{ startTimeline }, { gdbScriptsLoader }, { GdbServer }, { goroutineThreadSource }, { installRuntimeViews }, { goDebugFrame }, { AixTarget }] =
      await Promise.all([
        import('../machine/timeline.js'),
        import('../elf/index.js'),
        import('../gdb/server.js'),
        import('../goruntime/goroutine-threads.js'),
        import('../goruntime/monitor-commands.js'),
        import('../goruntime/stack-switch-cfi.js'),
        import('../machine/aix-target.js'),
      ]);
    // Only the options before PROGRAM are ours; the rest belongs to the guest (as with `run`).
    const raw = process.argv.slice(2);
    const split = splitRunArgv(raw.slice(raw.indexOf('serve') + 1), { values: SERVE_VALUE_OPTIONS, flags: SERVE_FLAG_OPTIONS });
    const multi = split.options.lastIndexOf('--no-multi') < split.options.lastIndexOf('--multi');
    // gdbserver's forms: `serve :1234 PROG`, `serve host:1234 PROG`, `serve - PROG` (stdio);
    // with --multi the program may be left out (`serve --multi :1234`).
    const comm = split.program !== undefined ? parseComm(split.program) : undefined;
    if (comm) {
      split.program = split.args[0];
      split.args = split.args.slice(1);
    }
    if (split.program === undefined && !multi) fail('serve: name the PROGRAM to serve (or --multi: gdb\'s run chooses it)');
    // No program (--multi): '' tells the target to wait for gdb's `run` to name one.
    const start = startOptionsFromArgv({ ...split, program: split.program ?? '' }, { ...parsed, program: '' });
    if ('error' in start) fail(start.error);
    // RSP owns stdout in the stdio form: the guest's output goes to stderr, its stdin is empty (as gdbserver does).
    if (comm?.kind === 'stdio') start.stdio = [openSync('/dev/null', 'r'), 2, 2];
    const host = (comm?.kind === 'tcp' ? comm.host : undefined) ?? optionValues(split.options, '--host').pop() ?? '127.0.0.1';
    const portText = (comm?.kind === 'tcp' ? comm.port : undefined) ?? optionValues(split.options, '--port').pop() ?? '1234';
    const port = Number(portText);
    if (!/^\d+$/.test(portText) || port > 65535) fail(`--port: not a TCP port: '${portText}'`);
    const onDetach = optionValues(split.options, '--on-detach').pop() ?? 'continue';
    if (onDetach !== 'continue' && onDetach !== 'kill') fail(`--on-detach: expected continue or kill, got '${onDetach}'`);
    const osabi = optionValues(split.options, '--osabi').pop() ?? 'linux';
    if (osabi !== 'linux' && osabi !== 'none') fail(`--osabi: expected linux or none, got '${osabi}'`);
    // A recorded run keeps the pthread view unless asked: the 5000-step reverse round trip is not
    // yet exact with goroutine threads (see README).
    const threads = optionValues(split.options, '--threads').pop() ?? (split.options.includes('--record') ? 'pthreads' : 'goroutines');
    if (threads !== 'goroutines' && threads !== 'pthreads') fail(`--threads: expected goroutines or pthreads, got '${threads}'`);
    const once = split.options.includes('--once');
    let record: { interval: number; memoryLimit: number } | undefined;
    // On by default: it costs about nothing in time (make bench) and ~0.3-0.5 MiB per M instructions, capped.
    if (split.options.lastIndexOf('--no-record') <= split.options.lastIndexOf('--record')) {
      const memText = optionValues(split.options, '--record-memory').pop() ?? '1G';
      const mem = parseSize(memText);
      if (mem === undefined || mem < 16n << 20n) fail(`--record-memory: expected a size of at least 16M, got '${memText}'`);
      const intervalText = optionValues(split.options, '--record-interval').pop() ?? String(DEFAULT_INTERVAL);
      const interval = Number(intervalText);
      if (!/^\d+$/.test(intervalText) || interval < 1000) fail(`--record-interval: expected at least 1000 instructions, got '${intervalText}'`);
      record = { interval, memoryLimit: Number(mem) };
    }

    const log = (line: string) => process.stderr.write(line + '\n');
    let target: AixTarget;
    let runtime: GoRuntimeSupport;
    try {
      // gdb's unwinder follows Go's stack switches through CFI made from the runtime layout.
      const debugFrame = (image: AixProcess['image'], leaves: readonly LeafRange[]) => goDebugFrame(image, runtime.views().layout, leaves);
      target = new AixTarget({ start, log, debugFrame, record, multi });
      runtime = installRuntimeViews(target); // monitor libcall/threads/goroutines/..., catch syscall numbering
      if (threads === 'goroutines') target.setGoroutineThreads(goroutineThreadSource(() => runtime.views()));
      else target.setThreadDetails(() => goThreadDetails(runtime));
    } catch (e) {
      if (e instanceof ProgramFileError) fail(e.message, 1);
      throw e;
    }
    // --timeline: the program as serve started it (a restart by gdb's `run` is not recorded).
    const timelineFile = optionValues(split.options, '--timeline').pop();
    if (timelineFile !== undefined && !target.hasProgram) fail('--timeline: needs the PROGRAM on the command line (it records the program serve starts)');
    const timeline = timelineFile === undefined ? undefined : startTimeline(target.process, timelineFile, basename(start.program));
    if (timeline && 'error' in timeline) fail(timeline.error);
    const server = new GdbServer(target, { host, port, once, onDetach: onDetach === 'kill' ? 'kill' : 'run', osabi: osabi === 'none' ? 'none' : 'GNU/Linux', log });
    // --multi needs extended-remote: plain `remote` would end the session when the program ends.
    const targetCommand = multi ? 'target extended-remote' : 'target remote';
    let gdbCommand: string;
    if (comm?.kind === 'stdio') {
      server.serveStreams(process.stdin, process.stdout);
      gdbCommand = `${targetCommand} | ${commandLine()}`;
    } else {
      let bound: { host: string; port: number };
      try {
        bound = await server.listen();
      } catch (e) {
        fail(`cannot listen on ${host}:${port}: ${(e as Error).message}`, 1);
      }
      gdbCommand = `${targetCommand} ${LOOPBACK.has(host) ? '' : bound.host.includes(':') ? `[${bound.host}]` : bound.host}:${bound.port}`;
    }
    if (!LOOPBACK.has(host)) log(`serve: warning: listening on ${host}: anyone who can reach it controls the guest`);
    // Prepare what gdb's first packets need while nobody waits: the ELF view it fetches (about 50 ms
    // for cpuheavy) and the runtime layout read from DWARF for the thread names (about 110 ms).
    if (target.hasProgram) {
      target.execFile();
      try {
        runtime.views(); // parses the layout once per image
      } catch {
        // A binary the views cannot read: gdb's thread list then shows plain pthreads.
      }
    }
    // gdb refuses to auto-load .debug_gdb_scripts from a file fetched over `target:`: say the one line that does it.
    const loader = gdbScriptsLoader();
    if (existsSync(loader)) log(`serve: Go values in gdb (pretty printers): source ${loader}`);
    if (target.hasProgram) {
      const entry = target.process.liveThreads()[0]?.state.pc ?? 0n;
      log(`serve: ${start.program} stopped at its first instruction 0x${entry.toString(16)}; waiting for gdb`);
    } else {
      log('serve: --multi: no program yet; gdb chooses it with `set remote exec-file PROG` and `run`');
    }
    log(`serve: in gdb-multiarch type: ${gdbCommand}`);
    process.on('SIGINT', () => {
      log('serve: interrupted, shutting down');
      void server.close().finally(() => process.exit(130));
    });
    await server.whenClosed();
    await target.whenRunningFreeEnds();
    timeline?.finish();
    if (!target.hasProgram) process.exit(0);
    const proc = target.process;
    reportGuestSignal(proc);
    process.exit(proc.end !== undefined ? proc.exitStatus() : 0);
  },
};
