// Process-level calls: exit, ids, limits, system configuration (§4.3, §4.4).
import * as os from 'node:os';
import { ERRNO, IMPL_POWER8, RLIMIT_NOFILE, SC_CLK_TCK, SC_IMPL, SC_NPROCESSORS_CONF, SC_NPROCESSORS_ONLN, SC_OPEN_MAX, SC_PAGE_SIZE } from '../constants.js';
import { sendSignalToProcess, raiseInThread } from '../signals.js';
import { execve } from '../exec.js';
import { AixProcess } from '../process.js';
import { WNOHANG } from '../process-table.js';
import { SIG } from '../constants.js';
import type { CallResult } from '../threads.js';
import { fail, guarded, int, ptr, type HleContext, type HleFunction } from './types.js';

function exitProcess(c: HleContext): ReturnType<HleFunction> {
  c.proc.terminate({ kind: 'exited', code: int(c, 0) & 0xff });
  return { noReturn: true };
}

/** Limits reported by getrlimit: cur == max so Go's start-up never calls setrlimit (§4.4). */
const RLIMITS: Record<number, [bigint, bigint]> = {
  [RLIMIT_NOFILE]: [65536n, 65536n],
};

function fillString(buf: Uint8Array, at: number, s: string): void {
  const b = Buffer.from(s, 'utf8').subarray(0, 31);
  buf.set(b, at);
}

export const processFunctions: Record<string, HleFunction> = {
  _exit: exitProcess,
  exit: exitProcess,
  __mod_init: () => 0,

  getpid: (c) => c.proc.pid,
  getppid: (c) => c.proc.ppid,
  getuid: (c) => c.proc.uid,
  geteuid: (c) => c.proc.uid,
  getgid: (c) => c.proc.gid,
  getegid: (c) => c.proc.gid,
  getpgrp: (c) => c.proc.pid,
  setsid: (c) => c.proc.pid,
  setpgid: () => 0,
  setuid: (c) => (int(c, 0) === c.proc.uid ? 0 : fail(ERRNO.EPERM)),
  setgid: (c) => (int(c, 0) === c.proc.gid ? 0 : fail(ERRNO.EPERM)),
  setgroups: () => fail(ERRNO.EPERM),
  getgroups: () => 0,
  chroot: () => fail(ERRNO.EPERM),

  getsystemcfg(c) {
    return int(c, 0) === SC_IMPL ? IMPL_POWER8 : 0;
  },

  sysconf(c) {
    switch (int(c, 0)) {
      case SC_NPROCESSORS_ONLN:
      case SC_NPROCESSORS_CONF:
        return c.proc.cpus;
      case SC_PAGE_SIZE:
        return 4096;
      case SC_CLK_TCK:
        return 100;
      case SC_OPEN_MAX:
        return 65536;
      default:
        return fail(ERRNO.EINVAL);
    }
  },

  getrlimit(c) {
    const which = int(c, 0);
    const [cur, max] = RLIMITS[which] ?? [0x7fffffffffffffffn, 0x7fffffffffffffffn];
    c.mem.writeU64(ptr(c, 1), cur);
    c.mem.writeU64(ptr(c, 1) + 8n, max);
    return 0;
  },

  setrlimit(c) {
    const which = int(c, 0);
    if (which === RLIMIT_NOFILE) RLIMITS[which] = [c.mem.readU64(ptr(c, 1)), c.mem.readU64(ptr(c, 1) + 8n)];
    return 0;
  },

  getrusage(c) {
    const buf = new Uint8Array(144);
    const v = new DataView(buf.buffer);
    const ns = c.proc.clock.cpuTimeNs();
    v.setBigInt64(0, ns / 1_000_000_000n);
    v.setInt32(8, Number((ns % 1_000_000_000n) / 1000n));
    c.mem.writeChecked(ptr(c, 1), buf);
    return 0;
  },

  uname(c) {
    const buf = new Uint8Array(160);
    fillString(buf, 0, 'AIX');
    fillString(buf, 32, os.hostname());
    fillString(buf, 64, '3');
    fillString(buf, 96, '7');
    fillString(buf, 128, '00F84C0C4C00');
    c.mem.writeChecked(ptr(c, 0), buf);
    return 0;
  },

  kill(c) {
    const pid = int(c, 0);
    const sig = int(c, 1);
    if (sig < 0 || sig > 255) return fail(ERRNO.EINVAL);
    const self = c.proc;
    if (pid === self.pid || pid === 0 || pid === -1) {
      if (sig === SIG.SIGKILL) {
        self.terminate({ kind: 'signaled', signal: sig }); // cannot be caught, blocked or ignored
        return { noReturn: true };
      }
      if (sig !== 0) sendSignalToProcess(self, c.thread, sig);
      return 0;
    }
    // Another process of this machine: a child (emulated or on the host) or any other pid we know.
    const target = self.table.entries.get(Math.abs(pid));
    if (!target || target.waitStatus !== undefined) return target ? 0 : fail(ERRNO.ESRCH);
    if (sig === 0) return 0;
    if (target.host) return target.host.kill(sig) ? 0 : fail(ERRNO.EINVAL);
    const p = target.proc;
    if (!p || p.end) return 0;
    if (sig === SIG.SIGKILL) p.terminate({ kind: 'signaled', signal: sig });
    else p.postSignal(sig, self.pid);
    return 0;
  },

  raise(c) {
    const sig = int(c, 0);
    if (sig <= 0 || sig > 255) return fail(ERRNO.EINVAL);
    raiseInThread(c.proc, c.thread, sig);
    return 0;
  },

  fork: forkProcess,
  execve: guarded((c) => execve(c.proc, c.thread, { path: c.mem.readCString(ptr(c, 0)), argv: stringArray(c, ptr(c, 1)), envp: stringArray(c, ptr(c, 2)) })),
  wait4,
};

/**
 * fork(): a copy of this process (memory, descriptors, signal actions, the calling thread) that
 * runs next to it with its own pid. Go's child only runs forkAndExecInChild (raw libc calls, no
 * allocation) until execve or _exit, so a plain copy of the touched pages is enough.
 */
function forkProcess(c: HleContext): CallResult {
  const proc = c.proc;
  const launch = proc.table.launcher;
  if (!launch) return fail(ERRNO.ENOSYS); // nothing can run a second process (a bare AixProcess in unit tests)
  const pid = proc.table.allocatePid();
  let child: AixProcess;
  try {
    child = new AixProcess({ ...proc.opts, pid, ppid: proc.pid, table: proc.table }, { parent: proc, thread: c.thread });
  } catch {
    proc.table.entries.delete(pid);
    return fail(ERRNO.ENOMEM);
  }
  launch(child);
  return pid;
}

/** A NULL-terminated array of C strings (argv, envp). */
function stringArray(c: HleContext, at: bigint): string[] {
  const out: string[] = [];
  if (at === 0n) return out;
  for (let i = 0; i < 65536; i++) {
    const p = c.mem.readU64(at + BigInt(i * 8));
    if (p === 0n) break;
    out.push(c.mem.readCString(p, 1 << 20));
  }
  return out;
}

/** wait4(pid, status, options, rusage): a child's AIX wait status, its CPU time as ru_utime. */
function wait4(c: HleContext): CallResult {
  const pid = int(c, 0);
  const statusAt = ptr(c, 1);
  const options = int(c, 2);
  const rusageAt = ptr(c, 3);
  const attempt = (): CallResult | undefined => {
    const r = c.proc.table.reap(c.proc.pid, pid);
    if (typeof r === 'object' && 'errno' in r) return r;
    if (r === 0) return options & WNOHANG ? 0 : undefined;
    if (statusAt !== 0n) c.mem.writeU32(statusAt, r.waitStatus!);
    if (rusageAt !== 0n) {
      const ru = new Uint8Array(144);
      const v = new DataView(ru.buffer);
      v.setBigInt64(0, r.cpuNs / 1_000_000_000n);
      v.setInt32(8, Number((r.cpuNs % 1_000_000_000n) / 1000n));
      c.mem.writeChecked(rusageAt, ru);
    }
    return r.pid;
  };
  return attempt() ?? { block: { description: `wait4(${pid})`, retry: () => attempt() } };
}
