// The Go runtime monitor commands (issue 6): libcall, threads, goroutines, syscalls, strace and
// break-libcall, registered with the target's monitor registry, plus the per-process state they
// keep (counters, the strace switch, the break list) fed by the process's import-call observer.
// Everything reaches the process through GoProcess and the debugger through RuntimeHost.
import { formatCallArguments, formatStraceResult } from '../aix/strace.js';
import type { GoProcess } from './process-source.js';
import { SyscallNumbers } from './syscall-numbers.js';
import { SyscallStats } from './syscall-stats.js';
import { RuntimeViews } from './views.js';

/** Where commands are registered (the target's monitor registry). */
export interface MonitorRegistrar {
  /** `thread`: the pthread behind the thread selected in gdb, when it is on one. */
  register(name: string, help: string, run: (request: { args: string[]; argText: string; thread?: number }) => string | Promise<string>): void;
}

/** What the runtime views need from the debugger they serve. */
export interface RuntimeHost {
  readonly monitors: MonitorRegistrar;
  /** The process now (a new one after extended-remote `run`). */
  goProcess(): GoProcess;
  /** Text for gdb's console while the guest runs (dropped when no gdb listens). */
  printToConsole(text: string): void;
  /** Called on entry to every import: true stops the thread there (monitor break-libcall). */
  setImportBreak(stopsAt: (tid: number, importName: string) => boolean): void;
  /** Numbers imports for catch syscall (QCatchSyscalls). */
  setSyscallNumbering(numbering: (importName: string) => number | undefined): void;
}

/** Per-process state of the runtime monitor commands. */
export class RuntimeMonitor {
  readonly stats: SyscallStats;
  readonly numbers: SyscallNumbers;
  strace = false;
  /** Import C names that stop the guest on entry ('all': every import); empty: off. */
  breakOn: Set<string> | 'all' = new Set();
  private views: RuntimeViews | undefined;

  constructor(
    readonly proc: GoProcess,
    private readonly console: (text: string) => void,
  ) {
    this.stats = new SyscallStats(() => proc.monotonicNs());
    this.numbers = new SyscallNumbers(proc.image.imports.map((i) => i.name));
    proc.observeImportCalls({
      enter: (tid, name) => this.stats.enter(tid, name),
      exit: (tid, name, args, r3, errno) => {
        this.stats.exit(tid, errno !== 0);
        if (this.strace) this.emit(`[pid ${proc.pid}:${tid}] ${formatStraceResult({ mem: proc.memory }, name, args, r3, errno)}\n`);
      },
    });
  }

  runtimeViews(): RuntimeViews {
    this.views ??= new RuntimeViews(this.proc);
    return this.views;
  }

  emit(text: string): void {
    this.console(text);
  }

  /** Does entering import `name` stop the guest (monitor break-libcall)? */
  breaksOn(name: string): boolean {
    return this.breakOn === 'all' || this.breakOn.has(name);
  }

  /** What to tell the user when pthread `tid` stops entering an import: the call and its libcall frame. */
  describeEntry(tid: number): string {
    const call = this.proc.threads().find((t) => t.tid === tid)?.importCall;
    const head = call === undefined ? `pthread ${tid}: not at an import` : `pthread ${tid} entering ${call.library}(${call.member}):${formatCallArguments(this.proc.memory, call.name, call.args)}`;
    return `${head}\n${this.runtimeViews().formatLibcalls(String(tid))}`;
  }
}

/** The runtime views of one debugger target: its commands, and the state of whichever process is current. */
export class GoRuntimeSupport {
  private current: { process: GoProcess; monitor: RuntimeMonitor } | undefined;

  constructor(private readonly host: RuntimeHost) {
    registerRuntimeMonitorCommands(host.monitors, () => this.monitor());
    host.setSyscallNumbering((name) => this.monitor().numbers.numberOf(name));
    host.setImportBreak((tid, name) => {
      const mon = this.monitor();
      if (!mon.breaksOn(name)) return false;
      mon.emit(`break-libcall: ${mon.describeEntry(tid)}`);
      return true;
    });
  }

  /** The monitor state of the current process (new state after `run` started a new one). */
  monitor(): RuntimeMonitor {
    const process = this.host.goProcess();
    if (this.current?.process !== process) this.current = { process, monitor: new RuntimeMonitor(process, (text) => this.host.printToConsole(text)) };
    return this.current.monitor;
  }

  views(): RuntimeViews {
    return this.monitor().runtimeViews();
  }
}

/** Adds the runtime commands to a registry (replacing the machine's plainer `threads` there). */
function registerRuntimeMonitorCommands(monitors: MonitorRegistrar, current: () => RuntimeMonitor): void {
  monitors.register('libcall', "[PTHREAD|M<id>|selected|all] each M's libc call: import, args (decoded), r1/r2/err, libcallsp/pc/g (selected: gdb's thread)", ({ args, thread }) => {
    if (args[0] === 'selected') {
      if (thread === undefined) return "the thread selected in gdb is a goroutine that is not on a thread: it is in no libc call";
      return current().runtimeViews().formatLibcalls(String(thread));
    }
    return current().runtimeViews().formatLibcalls(args[0] ?? 'all');
  });
  monitors.register('threads', 'pthread <-> M <-> G: gdb thread, M id, procid, curg and status, g0/gsignal, lockedg, spinning/blocked, pc', () =>
    current().runtimeViews().formatThreads(),
  );
  monitors.register('goroutines', '[all] every goroutine: id, status, wait reason, M, pc, first user frame, start function (all: dead ones too)', ({ args }) =>
    current().runtimeViews().formatGoroutines(args[0] === 'all'),
  );
  monitors.register('goroutine', 'N [bt]: one goroutine\'s stack from the stub\'s own unwinder (parked ones from g.sched)', ({ args }) => {
    if (args.length === 0 || args.length > 2 || (args[1] !== undefined && args[1] !== 'bt')) return 'usage: monitor goroutine N [bt]';
    return current().runtimeViews().formatGoroutineBacktrace(args[0]!);
  });
  monitors.register('syscalls', '[reset] calls, errors and guest time per libc import', ({ args }) => {
    const m = current();
    if (args[0] === 'reset') {
      m.stats.reset();
      return 'libc call counters reset';
    }
    if (args.length > 0) return 'usage: monitor syscalls [reset]';
    return m.stats.format();
  });
  monitors.register('strace', 'on|off: print each libc call to the gdb console while the guest runs', ({ args }) => {
    const m = current();
    if (args[0] === 'on' || args[0] === 'off') {
      m.strace = args[0] === 'on';
      return `strace ${args[0]}`;
    }
    return `strace is ${m.strace ? 'on' : 'off'}; usage: monitor strace on|off`;
  });
  monitors.register('break-libcall', 'NAME...|all|off: stop when any thread enters these libc imports (e.g. write read)', ({ args }) => {
    const m = current();
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
    const known = new Set(m.proc.image.imports.map((i) => i.name));
    const unknown = args.filter((a) => !known.has(a));
    if (unknown.length > 0) return `not imported by this program: ${unknown.join(' ')}\nits imports: ${[...known].sort().join(' ')}`;
    const set = m.breakOn === 'all' ? new Set<string>() : m.breakOn;
    for (const a of args) set.add(a);
    m.breakOn = set;
    return `break-libcall: ${[...set].join(' ')}`;
  });
}

/** Wire the runtime views into a debugger target. */
export function installRuntimeViews(host: RuntimeHost): GoRuntimeSupport {
  return new GoRuntimeSupport(host);
}
