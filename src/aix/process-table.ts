// The processes of one emulated machine: pids, parent/child links, wait statuses and the wake-ups
// between processes. Every emulated process (the program `run` started, the children it forks,
// the XCOFF programs they exec) runs in this Node process with its own scheduler; a program that
// is not an XCOFF64 executable runs on the host and is represented here by a handle.
import { ERRNO, SIG } from './constants.js';
import type { Lockstep } from './lockstep.js';
import type { UnixDatagramNames } from './unix-datagram.js';
import type { AixProcess, ProcessEnd } from './process.js';

/** The pid of the process `run`/`serve` starts (kept stable: strace lines and tests show it). */
export const ROOT_PID = 4242;

/** A process that runs on the host (an exec'd program that is not XCOFF64). */
export interface HostProcessHandle {
  /** Send an AIX signal number; false when the host has no such signal or the process is gone. */
  kill(sig: number): boolean;
}

export interface ProcessEntry {
  readonly pid: number;
  ppid: number;
  /** The emulated process behind the pid; replaced by exec, undefined once a host program runs. */
  proc?: AixProcess;
  host?: HostProcessHandle;
  /** AIX wait status once the process ended: a zombie until its parent reaps it with wait4. */
  waitStatus?: number;
  /** CPU time it used, for wait4's rusage. */
  cpuNs: bigint;
}

/** AIX <sys/wait.h> encoding: exit code in bits 8-15; a fatal signal in bits 16-23 and the low 7 bits. */
export function waitStatusOf(end: ProcessEnd): number {
  if (end.kind === 'exited') return (end.code & 0xff) << 8;
  if (end.kind === 'signaled') return ((end.signal & 0xff) << 16) | (end.signal & 0x3f || 1);
  return 70 << 8; // the emulator could not continue: EX_SOFTWARE, as `run` reports it
}

export const WNOHANG = 0x1;

/** The status a shell reports for a wait status: the exit code, or 128 + the signal. */
export function shellStatusOf(status: number): number {
  return (status & 0xff) === 0 ? (status >> 8) & 0xff : 128 + ((status >> 16) & 0xff);
}

export class ProcessTable {
  private nextPid = ROOT_PID + 1;
  readonly entries = new Map<number, ProcessEntry>();
  /** Wait statuses of processes that ended with no parent to reap them (whenEnded). */
  private readonly unreaped = new Map<number, number>();
  /** Starts a new emulated process's scheduler next to the others (set by run-program). */
  launcher: ((p: AixProcess) => void) | undefined;
  /** Host-side helpers (pipe pumps) that move data when any process did something. */
  readonly wakers = new Set<() => void>();
  private readonly endWatchers = new Map<number, Array<(status: number) => void>>();
  /** Bound AF_UNIX datagram sockets of this machine, by host path (src/aix/unix-datagram.ts). */
  readonly unixDatagramNames: UnixDatagramNames = new Map();
  /** Host programs still running and their output streams still open, as the host reports them (not yet applied). */
  hostBusy = 0;
  /** --deterministic: the loop that runs every process (src/aix/lockstep.ts). */
  lockstep: Lockstep | undefined;

  /** Something a host program did (output, exit): at once, or at the lockstep's next deterministic point. */
  fromHost(event: () => void): void {
    if (this.lockstep) this.lockstep.hold(event);
    else event();
  }

  /** The wait status of `pid` once it ends, whatever image it runs then (execve keeps the pid). */
  whenEnded(pid: number): Promise<number> {
    const e = this.entries.get(pid);
    if (!e) return Promise.resolve(this.unreaped.get(pid) ?? 0);
    if (e.waitStatus !== undefined) return Promise.resolve(e.waitStatus);
    return new Promise((resolve) => this.endWatchers.set(pid, [...(this.endWatchers.get(pid) ?? []), resolve]));
  }

  allocatePid(): number {
    while (this.entries.has(this.nextPid)) this.nextPid++;
    return this.nextPid++;
  }

  /** Record an emulated process (a new pid, or the same pid after exec). */
  attach(p: AixProcess): ProcessEntry {
    const e = this.entries.get(p.pid);
    if (e) {
      e.proc = p;
      e.host = undefined;
      return e;
    }
    const entry: ProcessEntry = { pid: p.pid, ppid: p.ppid, proc: p, cpuNs: 0n };
    this.entries.set(p.pid, entry);
    return entry;
  }

  /** Emulated processes still running. */
  liveEmulated(): AixProcess[] {
    const out: AixProcess[] = [];
    for (const e of this.entries.values()) if (e.waitStatus === undefined && e.proc && !e.proc.end) out.push(e.proc);
    return out;
  }

  /** Some process other than `self` is still running (it may write a pipe `self` reads, or exit). */
  hasPeers(self: AixProcess): boolean {
    if (this.wakers.size > 0) return true; // a pump still moves a host program's output
    for (const e of this.entries.values()) {
      if (e.waitStatus !== undefined || e.proc === self) continue;
      if (e.host || (e.proc && !e.proc.end)) return true;
    }
    return false;
  }

  /** A host program is running (or a pump still moves its output). */
  hasHostProcesses(): boolean {
    if (this.wakers.size > 0) return true;
    for (const e of this.entries.values()) if (e.waitStatus === undefined && e.host) return true;
    return false;
  }

  /** Another emulated process has a thread ready to run. */
  someoneRunnable(self: AixProcess): boolean {
    for (const p of this.liveEmulated()) if (p !== self && !p.stopped && p.threads.some((t) => t.status === 'runnable')) return true;
    return false;
  }

  /** The process with this pid ended: keep its status for the parent, tell the parent (SIGCHLD). */
  ended(pid: number, status: number, cpuNs: bigint): void {
    const e = this.entries.get(pid);
    if (!e || e.waitStatus !== undefined) return;
    e.waitStatus = status;
    e.cpuNs = cpuNs;
    e.host = undefined;
    for (const w of this.endWatchers.get(pid) ?? []) w(status);
    this.endWatchers.delete(pid);
    // Its children are re-parented to init, which reaps the zombies among them.
    for (const c of [...this.entries.values()]) {
      if (c.ppid !== pid) continue;
      if (c.waitStatus !== undefined) this.entries.delete(c.pid);
      else c.ppid = 1;
    }
    const parent = this.entries.get(e.ppid)?.proc;
    if (parent && !parent.end) {
      parent.postSignal(SIG.SIGCHLD, pid);
    } else {
      // No parent will wait for it; its status stays for whenEnded (a run whose program exec'd:
      // the new image may end before the run asks, and then answered 0).
      this.unreaped.set(pid, status);
      this.entries.delete(pid);
    }
    this.wakeAll();
  }

  /**
   * wait4 for `parent`: the entry reaped (removed), 0 when a child exists but none has ended, or
   * an errno (ECHILD: no such child).
   */
  reap(parent: number, pid: number): ProcessEntry | 0 | { errno: number } {
    let any = false;
    for (const e of this.entries.values()) {
      if (e.ppid !== parent || (pid > 0 && e.pid !== pid)) continue;
      any = true;
      if (e.waitStatus !== undefined) {
        this.entries.delete(e.pid);
        return e;
      }
    }
    return any ? 0 : { errno: ERRNO.ECHILD };
  }

  /** Something changed that a process blocked elsewhere may wait for: let every process look. */
  wakeAll(except?: AixProcess): void {
    for (const e of this.entries.values()) if (e.proc && e.proc !== except && !e.proc.end) e.proc.wake();
    for (const w of this.wakers) w();
  }
}
