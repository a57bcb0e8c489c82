// The Go runtime monitor commands (issue 6): libcall, threads, goroutines, syscalls, strace and
// break-libcall, registered in the machine's monitor registry, plus the per-process state they keep
// (counters, the strace switch, the break list) fed by AixProcess.callObservers.
import { formatStraceCall, formatStraceResult } from '../aix/strace.js';
import type { AixProcess } from '../aix/process.js';
import type { GuestThread } from '../aix/threads.js';
import type { AixTarget } from '../machine/aix-target.js';
import { registerMonitorCommand } from '../machine/monitor.js';
import { processViewSource } from './process-source.js';
import { SyscallNumbers } from './syscall-numbers.js';
import { SyscallStats } from './syscall-stats.js';
import { RuntimeViews } from './views.js';

/** Per-process state of the runtime monitor commands. */
export class RuntimeMonitor {
  readonly stats: SyscallStats;
  readonly numbers: SyscallNumbers;
  strace = false;
  /** Import C names that stop the guest on entry ('all': every import); empty: off. */
  breakOn: Set<string> | 'all' = new Set();
  /** Text for gdb's console while the guest runs (O packets); undefined: nowhere to send it. */
  console: ((text: string) => void) | undefined;
  private views: RuntimeViews | undefined;

  constructor(readonly proc: AixProcess) {
    this.stats = new SyscallStats(() => proc.clock.monotonicNs());
    this.numbers = new SyscallNumbers(proc.image.imports.map((i) => i.name));
    proc.callObservers.add({
      enter: (t, call) => {
        this.stats.enter(t.tid, call.call.name);
      },
      exit: (t, call, r3, errno) => {
        this.stats.exit(t.tid, errno !== 0);
        if (this.strace) this.emit(`[pid ${proc.pid}:${t.tid}] ${formatStraceResult(proc, call.call.name, call.args, r3, errno)}\n`);
      },
    });
  }

  runtimeViews(): RuntimeViews {
    this.views ??= new RuntimeViews(processViewSource(this.proc));
    return this.views;
  }

  emit(text: string): void {
    this.console?.(text);
  }

  /** Does entering import `name` stop the guest (monitor break-libcall)? */
  breaksOn(name: string): boolean {
    return this.breakOn === 'all' || this.breakOn.has(name);
  }

  /** What to tell the user when thread `t` stops entering an import: the call and its libcall frame. */
  describeEntry(t: GuestThread): string {
    const call = this.proc.sentinels.lookup(t.state.pc);
    const args: bigint[] = [];
    for (let r = 3; r <= 10; r++) args.push(t.state.getGpr(r));
    const head = call === undefined ? `pthread ${t.tid}: not at an import` : `pthread ${t.tid} entering ${call.library}(${call.member}):${formatStraceCall(this.proc, call.name, args)}`;
    return `${head}\n${this.runtimeViews().formatLibcalls(String(t.tid))}`;
  }
}

const monitors = new WeakMap<AixProcess, RuntimeMonitor>();

/** The runtime monitor state of a process, created (and its call observer attached) on first use. */
export function runtimeMonitorFor(proc: AixProcess): RuntimeMonitor {
  let m = monitors.get(proc);
  if (m === undefined) monitors.set(proc, (m = new RuntimeMonitor(proc)));
  return m;
}

/** catch-syscall numbering of a process's imports (for AixTarget.setSyscallNumbering). */
export function syscallNumberOf(proc: AixProcess, importName: string): number | undefined {
  return runtimeMonitorFor(proc).numbers.numberOf(importName);
}

/**
 * Wires the runtime views into a gdb target: catch-syscall numbering, the console sink for strace
 * and break-libcall messages, and the break-libcall hook on the debug port. The numbering function
 * runs for every import call on whichever machine is current, so it re-arms the hooks after `run`
 * replaced the process.
 */
export function installRuntimeViews(target: AixTarget): void {
  registerRuntimeMonitorCommands();
  let sink: ((text: string) => void) | undefined;
  const arm = (): RuntimeMonitor => {
    const m = runtimeMonitorFor(target.process);
    m.console = (text) => sink?.(text);
    const port = target.machine.port;
    if (port.importBreak === undefined) {
      port.importBreak = (t, name) => {
        const mon = runtimeMonitorFor(target.process);
        if (!mon.breaksOn(name)) return false;
        mon.emit(`break-libcall: ${mon.describeEntry(t)}`);
        return true;
      };
    }
    return m;
  };
  (target as { setConsoleSink?: (s: (text: string) => void) => void }).setConsoleSink = (s) => {
    sink = s;
    arm();
  };
  target.setSyscallNumbering((name) => arm().numbers.numberOf(name));
  arm();
}

let registered = false;

/** Adds the runtime commands to `monitor help` (replacing the machine's plainer `threads`). */
export function registerRuntimeMonitorCommands(): void {
  if (registered) return;
  registered = true;
  registerMonitorCommand('libcall', "[PTHREAD|M<id>|all] each M's libc call: import, args (decoded), r1/r2/err, libcallsp/pc/g", ({ process, args }) =>
    runtimeMonitorFor(process).runtimeViews().formatLibcalls(args[0] ?? 'all'),
  );
  registerMonitorCommand('threads', 'pthread <-> M <-> G: gdb thread, M id, procid, curg and status, g0/gsignal, lockedg, spinning/blocked, pc', ({ process }) =>
    runtimeMonitorFor(process).runtimeViews().formatThreads(),
  );
  registerMonitorCommand('goroutines', '[all] every goroutine: id, status, wait reason, M, pc, first user frame, start function (all: dead ones too)', ({ process, args }) =>
    runtimeMonitorFor(process).runtimeViews().formatGoroutines(args[0] === 'all'),
  );
  registerMonitorCommand('goroutine', 'N [bt]: one goroutine\'s stack from the stub\'s own unwinder (parked ones from g.sched)', ({ process, args }) => {
    if (args.length === 0 || args.length > 2 || (args[1] !== undefined && args[1] !== 'bt')) return 'usage: monitor goroutine N [bt]';
    return runtimeMonitorFor(process).runtimeViews().formatGoroutineBacktrace(args[0]!);
  });
  registerMonitorCommand('syscalls', '[reset] calls, errors and guest time per libc import', ({ process, args }) => {
    const m = runtimeMonitorFor(process);
    if (args[0] === 'reset') {
      m.stats.reset();
      return 'libc call counters reset';
    }
    if (args.length > 0) return 'usage: monitor syscalls [reset]';
    return m.stats.format();
  });
  registerMonitorCommand('strace', 'on|off: print each libc call to the gdb console while the guest runs', ({ process, args }) => {
    const m = runtimeMonitorFor(process);
    if (args[0] === 'on' || args[0] === 'off') {
      m.strace = args[0] === 'on';
      return `strace ${args[0]}${m.strace && m.console === undefined ? ' (warning: this stub cannot send console output while running)' : ''}`;
    }
    return `strace is ${m.strace ? 'on' : 'off'}; usage: monitor strace on|off`;
  });
  registerMonitorCommand('break-libcall', 'NAME...|all|off: stop when any thread enters these libc imports (e.g. write read)', ({ process, args }) => {
    const m = runtimeMonitorFor(process);
    if (args.length === 0) {
      const now = m.breakOn === 'all' ? 'every import' : m.breakOn.size === 0 ? 'off' : [...m.breakOn].join(' ');
      return `break-libcall: ${now}; usage: monitor break-libcall NAME...|all|off`;
    }
    if (args[0] === 'off') {
      m.breakOn = new Set();
      return 'break-libcall off';
    }
    if (args[0] === 'all') {
      m.breakOn = 'all';
      return 'break-libcall: every libc import';
    }
    const known = new Set(process.image.imports.map((i) => i.name));
    const unknown = args.filter((a) => !known.has(a));
    if (unknown.length > 0) return `not imported by this program: ${unknown.join(' ')}\nits imports: ${[...known].sort().join(' ')}`;
    const set = m.breakOn === 'all' ? new Set<string>() : m.breakOn;
    for (const a of args) set.add(a);
    m.breakOn = set;
    return `break-libcall: ${[...set].join(' ')}`;
  });
}

registerRuntimeMonitorCommands();
