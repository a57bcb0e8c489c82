// `serve PROGRAM [ARGS…]`: load the program, stop it at its first instruction and wait for gdb on
// a TCP port (loopback unless --host names another address). Options before PROGRAM are serve's
// and run's (shared parsing with `run`); everything after PROGRAM goes to the guest.
import { existsSync } from 'node:fs';
import type { CommandModule } from 'yargs';
import { GDB_SCRIPTS_LOADER } from '../elf/index.js';
import { GdbServer } from '../gdb/server.js';
import type { AixProcess } from '../aix/process.js';
import { installRuntimeViews, runtimeMonitorFor } from '../goruntime/monitor-commands.js';
import { goDebugFrame, type LeafRange } from '../goruntime/stack-switch-cfi.js';
import { AixTarget } from '../machine/aix-target.js';
import { DEFAULT_INTERVAL } from '../record/recorder.js';
import { ProgramFileError } from '../xcoff/file.js';
import { optionValues, parseSize, reportGuestSignal, splitRunArgv, startOptionsFromArgv, withRunOptions } from './run.js';

interface ServeArgs {
  program: string;
  args: string[];
  host: string;
  port: number;
  once: boolean;
  'on-detach': string;
  osabi: string;
}

const SERVE_VALUE_OPTIONS = ['--host', '--port', '--on-detach', '--osabi', '--record-memory', '--record-interval'];
const SERVE_FLAG_OPTIONS = ['--once', '--no-once', '--record', '--no-record'];
const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

/** "M2, g17" per pthread from the Go runtime (allm walked in guest memory). */
function goThreadDetails(target: AixTarget): Map<number, string> {
  const out = new Map<number, string>();
  for (const t of runtimeMonitorFor(target.process).runtimeViews().threadSummaries()) {
    out.set(t.gdbThreadId, `M${t.mId}${t.goid !== undefined ? `, g${t.goid}` : ''}`);
  }
  return out;
}

function fail(message: string, status = 2): never {
  process.stderr.write(`aix-gdbstub: ${message}\n`);
  process.exit(status);
}

export const serveCommand: CommandModule<object, ServeArgs> = {
  command: 'serve <program> [args..]',
  describe: 'Load an AIX ppc64 Go program stopped at its first instruction and wait for gdb (target remote :PORT)',
  builder: (y) =>
    withRunOptions(y)
      .option('host', { type: 'string', default: '127.0.0.1', describe: 'address to listen on (loopback unless given)' })
      .option('port', { type: 'number', default: 1234, describe: 'TCP port (0: pick a free one)' })
      .option('once', { type: 'boolean', default: false, describe: 'exit after the first gdb client leaves' })
      .option('on-detach', { type: 'string', default: 'continue', choices: ['continue', 'kill'], describe: 'what the guest does when gdb detaches' })
      .option('record', { type: 'boolean', default: true, describe: 'record the run for reverse execution (reverse-step, reverse-continue, monitor when/goto/checkpoint); --no-record turns it off' })
      .option('record-memory', { type: 'string', default: '1G', describe: 'memory the recording may hold (older snapshots are thinned, then history starts later)' })
      .option('record-interval', { type: 'number', default: DEFAULT_INTERVAL, describe: 'instructions between periodic snapshots' })
      .option('osabi', {
        type: 'string',
        default: 'linux',
        choices: ['linux', 'none'],
        describe: 'OS ABI gdb assumes: linux (catch syscall works) or none (no catch syscall; gdb skips its Linux signal-trampoline probes, stepping about 1.5x faster)',
      }) as never,
  handler: async (parsed) => {
    // Only the options before PROGRAM are ours; the rest belongs to the guest (as with `run`).
    const raw = process.argv.slice(2);
    const split = splitRunArgv(raw.slice(raw.indexOf('serve') + 1), { values: SERVE_VALUE_OPTIONS, flags: SERVE_FLAG_OPTIONS });
    const start = startOptionsFromArgv(split, parsed);
    if ('error' in start) fail(start.error);
    const host = optionValues(split.options, '--host').pop() ?? '127.0.0.1';
    const portText = optionValues(split.options, '--port').pop() ?? '1234';
    const port = Number(portText);
    if (!/^\d+$/.test(portText) || port > 65535) fail(`--port: not a TCP port: '${portText}'`);
    const onDetach = optionValues(split.options, '--on-detach').pop() ?? 'continue';
    if (onDetach !== 'continue' && onDetach !== 'kill') fail(`--on-detach: expected continue or kill, got '${onDetach}'`);
    const osabi = optionValues(split.options, '--osabi').pop() ?? 'linux';
    if (osabi !== 'linux' && osabi !== 'none') fail(`--osabi: expected linux or none, got '${osabi}'`);
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
    try {
      // gdb's unwinder follows Go's stack switches through CFI made from the runtime layout.
      const debugFrame = (image: AixProcess['image'], leaves: readonly LeafRange[]) => goDebugFrame(image, runtimeMonitorFor(target.process).runtimeViews().layout, leaves);
      target = new AixTarget({ start, log, debugFrame, record });
      installRuntimeViews(target); // monitor libcall/threads/goroutines/..., catch syscall numbering
      target.setThreadDetails(() => goThreadDetails(target));
    } catch (e) {
      if (e instanceof ProgramFileError) fail(e.message, 1);
      throw e;
    }
    const server = new GdbServer(target, { host, port, once, onDetach: onDetach === 'kill' ? 'kill' : 'run', osabi: osabi === 'none' ? 'none' : 'GNU/Linux', log });
    try {
      await server.listen();
    } catch (e) {
      fail(`cannot listen on ${host}:${port}: ${(e as Error).message}`, 1);
    }
    if (!LOOPBACK.has(host)) log(`serve: warning: listening on ${host}: anyone who can reach it controls the guest`);
    // Prepare what gdb's first packets need while nobody waits: the ELF view it fetches (about 50 ms
    // for cpuheavy) and the runtime layout read from DWARF for the thread names (about 110 ms).
    target.execFile();
    try {
      runtimeMonitorFor(target.process).runtimeViews(); // parses the layout once per image
    } catch {
      // A binary the views cannot read: gdb's thread list then shows plain pthreads.
    }
    // gdb refuses to auto-load .debug_gdb_scripts from a file fetched over `target:`: say the one line that does it.
    if (existsSync(GDB_SCRIPTS_LOADER)) log(`serve: Go values in gdb (pretty printers): source ${GDB_SCRIPTS_LOADER}`);
    const entry = target.process.liveThreads()[0]?.state.pc ?? 0n;
    log(`serve: ${start.program} stopped at its first instruction 0x${entry.toString(16)}; waiting for gdb`);
    process.on('SIGINT', () => {
      log('serve: interrupted, shutting down');
      void server.close().finally(() => process.exit(130));
    });
    await server.whenClosed();
    await target.whenRunningFreeEnds();
    const proc = target.process;
    reportGuestSignal(proc);
    process.exit(proc.end !== undefined ? proc.exitStatus() : 0);
  },
};
