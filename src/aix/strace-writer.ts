// --strace as strace -f prints it: one line per libc call, `[pid N]` prefixes once several threads
// live, `<unfinished ...>` / `<... name resumed>` when a blocked call is overtaken by another
// thread's line, `--- SIGxxx {...} ---` deliveries and `+++ exited with N +++` ends; -tt / -T
// options, strace -o's `PID   ` prefix for files, and a JSON-lines form for scripts.
import { SEGV_ACCERR, SEGV_MAPERR, signalName } from './constants.js';
import type { AixProcess, CallObserver, ProcessEnd } from './process.js';
import type { ProcessTable } from './process-table.js';
import type { PendingSignal } from './signals.js';
import { errnoText, straceArgs, straceEntryArgCount, straceReturnText } from './strace.js';
import type { ActiveCall, GuestThread } from './threads.js';
import { errnoName } from './constants.js';

export interface StraceFormat {
  /** strace -tt: the time of day with microseconds (guest time) before each line. */
  timestamps?: boolean;
  /** strace -T: the time spent in the call after each result. */
  durations?: boolean;
  /** One JSON object per line instead of strace's text. */
  json?: boolean;
  /** strace -f -o FILE: every line starts with `PID   ` (no brackets), as strace writes files. */
  file?: boolean;
}

interface OpenCall {
  proc: AixProcess;
  call: ActiveCall;
  startNs: bigint;
  /** Its entry was printed with `<unfinished ...>`: the end comes as `<... name resumed>`. */
  interrupted: boolean;
}

/** The kernel thread id strace shows: the pid for a process's first thread, as on Linux. */
export function straceTid(proc: AixProcess, t: GuestThread): number {
  return t.kernelTid || proc.pid;
}

/** One writer per machine (strace -f follows forks): unfinished lines span processes. */
const writers = new WeakMap<ProcessTable, StraceWriter>();

/** The observer that traces `proc` into the machine's strace output. */
export function straceObserver(proc: AixProcess, sink: (line: string) => void, format: StraceFormat = {}): CallObserver {
  let w = writers.get(proc.table);
  if (!w) {
    w = new StraceWriter(proc.table, sink, format);
    writers.set(proc.table, w);
  }
  const writer = w;
  return {
    enter: (t, call) => writer.enter(proc, t, call),
    exit: (t, call, r3, errno) => writer.exit(proc, t, call, r3, errno),
    restarted: (t, call) => writer.restarted(proc, t, call),
    signal: (t, s) => writer.signal(proc, t, s),
    threadExit: (t) => writer.threadExit(proc, t),
    processEnd: (end) => writer.processEnd(proc, end),
  };
}

const SIGCODE: Record<number, string> = { 0: 'SI_USER', [-2]: 'SI_TKILL', [SEGV_MAPERR]: 'SEGV_MAPERR', [SEGV_ACCERR]: 'SEGV_ACCERR' };
const FAULTS = new Set(['SIGSEGV', 'SIGBUS', 'SIGILL', 'SIGFPE', 'SIGTRAP']);
const RESTART_TEXT = '? ERESTARTSYS (To be restarted if SA_RESTART is set)';

class StraceWriter {
  private readonly open = new Map<GuestThread, OpenCall>();
  /** The thread whose call was entered last and not yet printed (strace's half-written line). */
  private entered: GuestThread | undefined;
  /** A process being ended: no longer among the live ones, its threads still count for prefixes. */
  private ending: AixProcess | undefined;

  constructor(
    private readonly table: ProcessTable,
    private readonly sink: (line: string) => void,
    private readonly format: StraceFormat = {},
  ) {}

  enter(proc: AixProcess, t: GuestThread, call: ActiveCall): void {
    this.flushEntered();
    this.open.set(t, { proc, call, startNs: now(proc), interrupted: false });
    this.entered = t;
  }

  exit(proc: AixProcess, t: GuestThread, call: ActiveCall, r3: bigint, errno: number): void {
    this.finish(proc, t, call, straceReturnText(proc.mem, call.call.name, call.args, r3, errno), { r3, errno });
  }

  /** A blocked call ends because a signal's handler runs first; the call is made again afterwards. */
  restarted(proc: AixProcess, t: GuestThread, call: ActiveCall): void {
    this.finish(proc, t, call, RESTART_TEXT, undefined);
  }

  signal(proc: AixProcess, t: GuestThread, s: PendingSignal): void {
    this.flushEntered();
    const name = signalName(s.signal);
    const code = SIGCODE[s.code] ?? String(s.code);
    const info = FAULTS.has(name) && s.code > 0
      ? `si_signo=${name}, si_code=${code}, si_addr=0x${s.addr.toString(16)}`
      : `si_signo=${name}, si_code=${code}, si_pid=${s.pid}, si_uid=${proc.uid}`;
    if (this.format.json) this.json(proc, t, { type: 'signal', signal: name, si_code: code, ...(FAULTS.has(name) && s.code > 0 ? { si_addr: '0x' + s.addr.toString(16) } : { si_pid: s.pid }) });
    else this.line(proc, t, now(proc), `--- ${name} {${info}} ---`);
  }

  threadExit(proc: AixProcess, t: GuestThread): void {
    // The last thread's end is the process's (processEnd prints it).
    if (proc.liveThreads().filter((x) => x !== t).length === 0) return;
    this.flushEntered();
    this.open.delete(t);
    if (this.format.json) this.json(proc, t, { type: 'exit', code: 0 });
    else this.line(proc, t, now(proc), '+++ exited with 0 +++');
  }

  processEnd(proc: AixProcess, end: ProcessEnd): void {
    if (end.kind === 'crashed') return; // the emulator's own message says what happened
    const live = proc.liveThreads();
    this.ending = proc;
    // Calls still open never return (exit, or blocked while another thread ended the process);
    // the call that ended it comes first and whole: `_exit(0) = ?`, `execve(...) = 0`.
    const entered = this.entered;
    for (const t of entered && live.includes(entered) ? [entered, ...live.filter((x) => x !== entered)] : live) {
      const open = this.open.get(t);
      if (open) this.finish(proc, t, open.call, proc.replaced && t === entered ? '0' : '?', undefined);
    }
    this.ending = undefined;
    const ending = end.kind === 'exited' ? `+++ exited with ${end.code} +++` : `+++ killed by ${signalName(end.signal)} +++`;
    // Other processes' threads still run: they keep the [pid N] prefixes on.
    const others = this.table.liveEmulated().reduce((n, p) => n + p.liveThreads().length, 0);
    const leader = live.find((t) => straceTid(proc, t) === proc.pid) ?? live[0];
    for (const t of live) if (t !== leader) this.ended(proc, t, end, ending, others + live.length);
    // execve: the pid lives on in the new image.
    if (leader && !proc.replaced) this.ended(proc, leader, end, ending, others + 1);
  }

  private ended(proc: AixProcess, t: GuestThread, end: ProcessEnd, text: string, threads: number): void {
    if (this.format.json) {
      this.json(proc, t, end.kind === 'exited' ? { type: 'exit', code: end.code } : { type: 'killed', signal: end.kind === 'signaled' ? signalName(end.signal) : '' });
    } else {
      this.line(proc, t, now(proc), text, threads);
    }
  }

  /** The end of t's open call: one whole line, or `<... name resumed>` after an interruption. */
  private finish(proc: AixProcess, t: GuestThread, call: ActiveCall, result: string, exit: { r3: bigint; errno: number } | undefined): void {
    const open = this.open.get(t);
    this.open.delete(t);
    if (this.entered === t) this.entered = undefined;
    else this.flushEntered();
    const end = now(proc);
    const start = open?.startNs ?? end;
    const name = call.call.name;
    const args = straceArgs(proc.mem, name, call.args, exit);
    const duration = this.format.durations ? ` <${seconds(end - start)}>` : '';
    if (this.format.json) {
      const errno = exit && exit.errno !== 0 ? { errno: errnoName(exit.errno), error: errnoText(exit.errno) } : {};
      this.json(proc, t, { type: 'call', name, args, result: exit === undefined ? result : exit.errno !== 0 ? '-1' : result.split(' ')[0], ...errno, dur_us: Number(end - start) / 1000 }, start);
      return;
    }
    if (open?.interrupted) {
      const rest = args.slice(straceEntryArgCount(name)).join(', ');
      this.line(proc, t, end, `<... ${name} resumed>${rest}) = ${result}${duration}`);
    } else {
      this.line(proc, t, start, `${name}(${args.join(', ')}) = ${result}${duration}`);
    }
  }

  /** Another line is due: a call entered but not finished is printed as strace does, unfinished. */
  private flushEntered(): void {
    const t = this.entered;
    if (t === undefined) return;
    this.entered = undefined;
    const open = this.open.get(t);
    if (!open || this.format.json) return;
    open.interrupted = true;
    const name = open.call.call.name;
    const n = straceEntryArgCount(name);
    const all = straceArgs(open.proc.mem, name, open.call.args);
    const shown = all.slice(0, n).join(', ');
    // `read(3,  <unfinished ...>` after a comma (strace's two spaces), `sem_wait(0x10 <unfinished ...>` when complete.
    const head = n < all.length ? `${name}(${shown}${shown ? ', ' : ''}` : `${name}(${shown}`;
    this.line(open.proc, t, open.startNs, `${head} <unfinished ...>`);
  }

  private line(proc: AixProcess, t: GuestThread, ns: bigint, text: string, threads = this.liveThreads()): void {
    const tid = straceTid(proc, t);
    let prefix = '';
    if (this.format.file) prefix = `${String(tid).padEnd(5)} `;
    else if (threads > 1) prefix = `[pid ${String(tid).padStart(5)}] `;
    if (this.format.timestamps) prefix += timeOfDay(ns) + ' ';
    this.sink(prefix + text);
  }

  /** strace's nprocs: the threads of every process of the machine. */
  private liveThreads(): number {
    return this.table.liveEmulated().reduce((n, p) => n + p.liveThreads().length, 0) + (this.ending?.liveThreads().length ?? 0);
  }

  private json(proc: AixProcess, t: GuestThread, fields: Record<string, unknown>, ns = now(proc)): void {
    this.sink(JSON.stringify({ ts_us: Number(ns / 1000n), pid: proc.pid, tid: straceTid(proc, t), pthread: t.tid, ...fields }));
  }
}

function now(proc: AixProcess): bigint {
  return proc.clock.realtimeNs();
}

function seconds(ns: bigint): string {
  const us = ns < 0n ? 0n : ns / 1000n;
  return `${us / 1_000_000n}.${String(us % 1_000_000n).padStart(6, '0')}`;
}

/** strace -tt: HH:MM:SS.uuuuuu in the host's local time zone. */
function timeOfDay(ns: bigint): string {
  const d = new Date(Number(ns / 1_000_000n));
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}.${String((ns / 1000n) % 1_000_000n).padStart(6, '0')}`;
}
