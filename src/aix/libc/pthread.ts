// libpthread: thread creation, ids, per-thread signal masks, semaphores (§4.3, §5). pthread_*
// return their error code directly and never set errno.
import { ERRNO, SIG, SIG_BLOCK, SIG_SETMASK, SIG_UNBLOCK } from '../constants.js';
import { queueSignal } from '../signals.js';
import { readTimespecNs } from './time.js';
import { fail, int, ptr, putU64, u32, type HleContext, type HleFunction } from './types.js';

const DEFAULT_STACK = 0x100000n;

function attrOf(c: HleContext, attrPtr: bigint): { stackSize: bigint; detached: boolean } {
  let a = c.proc.threadAttrs.get(attrPtr);
  if (!a) {
    a = { stackSize: DEFAULT_STACK, detached: false };
    c.proc.threadAttrs.set(attrPtr, a);
  }
  return a;
}

export function readSigset(c: HleContext, addr: bigint): bigint[] {
  return [c.mem.readU64(addr), c.mem.readU64(addr + 8n), c.mem.readU64(addr + 16n), c.mem.readU64(addr + 24n)];
}

export function writeSigset(c: HleContext, addr: bigint, set: bigint[]): void {
  const b = new Uint8Array(32);
  for (let i = 0; i < 4; i++) putU64(b, i * 8, set[i]!);
  c.mem.writeChecked(addr, b);
}

/** SIGKILL and SIGSTOP cannot be blocked. */
const UNBLOCKABLE = ~((1n << BigInt(SIG.SIGKILL - 1)) | (1n << BigInt(SIG.SIGSTOP - 1))) & 0xffff_ffff_ffff_ffffn;

function semWaiter(c: HleContext, sem: bigint, deadline: bigint | undefined) {
  const sems = c.proc.semaphores;
  return {
    description: `sem_wait(0x${sem.toString(16)})`,
    deadline,
    retry: (timedOut: boolean) => {
      const n = sems.get(sem) ?? 0;
      if (n > 0) {
        sems.set(sem, n - 1);
        return 0;
      }
      return timedOut ? fail(ERRNO.ETIMEDOUT) : undefined;
    },
  };
}

export const pthreadFunctions: Record<string, HleFunction> = {
  pthread_attr_init(c) {
    const attr = ptr(c, 0);
    c.proc.threadAttrs.set(attr, { stackSize: DEFAULT_STACK, detached: false });
    // pthread_attr_t is a pointer-sized handle on AIX: store something non-zero.
    c.mem.writeU64(attr, attr);
    return 0;
  },
  pthread_attr_destroy(c) {
    c.proc.threadAttrs.delete(ptr(c, 0));
    return 0;
  },
  pthread_attr_setstacksize(c) {
    attrOf(c, ptr(c, 0)).stackSize = ptr(c, 1);
    return 0;
  },
  pthread_attr_getstacksize(c) {
    c.mem.writeU64(ptr(c, 1), attrOf(c, ptr(c, 0)).stackSize);
    return 0;
  },
  pthread_attr_setdetachstate(c) {
    attrOf(c, ptr(c, 0)).detached = int(c, 1) === 1;
    return 0;
  },
  pthread_attr_setstackaddr: () => 0,

  pthread_create(c) {
    const tidPtr = ptr(c, 0);
    const attrPtr = ptr(c, 1);
    const desc = ptr(c, 2);
    const arg = ptr(c, 3);
    const stackSize = attrPtr !== 0n ? attrOf(c, attrPtr).stackSize : DEFAULT_STACK;
    const t = c.proc.spawnThread(desc, arg, stackSize < DEFAULT_STACK ? DEFAULT_STACK : stackSize, c.thread);
    if (t === null) return ERRNO.EAGAIN;
    // pthread_t is 4 bytes on AIX (§8.10).
    if (tidPtr !== 0n) c.mem.writeU32(tidPtr, t.tid);
    return 0;
  },

  pthread_self: (c) => c.thread.tid,

  pthread_kill(c) {
    const target = c.proc.threadById(u32(c, 0));
    if (!target) return ERRNO.ESRCH;
    const sig = int(c, 1);
    if (sig < 0 || sig > 255) return ERRNO.EINVAL;
    if (sig !== 0) queueSignal(c.proc, target, { signal: sig, code: -2 /* SI_TKILL-like: from a thread */, addr: 0n, pid: c.proc.pid });
    return 0;
  },

  sigthreadmask(c) {
    const how = int(c, 0);
    const set = ptr(c, 1);
    const oset = ptr(c, 2);
    const t = c.thread;
    const old = [...t.sigmask];
    if (set !== 0n) {
      const s = readSigset(c, set);
      for (let i = 0; i < 4; i++) {
        const w = i === 0 ? s[i]! & UNBLOCKABLE : s[i]!;
        if (how === SIG_BLOCK) t.sigmask[i] = t.sigmask[i]! | w;
        else if (how === SIG_UNBLOCK) t.sigmask[i] = t.sigmask[i]! & ~w;
        else if (how === SIG_SETMASK) t.sigmask[i] = w;
        else return fail(ERRNO.EINVAL);
      }
    }
    if (oset !== 0n) writeSigset(c, oset, old);
    c.proc.eventCount++; // an unblocked pending signal may now be deliverable
    return 0;
  },

  sched_yield() {
    return { block: { description: 'sched_yield', retry: () => 0 } };
  },

  sem_init(c) {
    c.proc.semaphores.set(ptr(c, 0), u32(c, 2));
    return 0;
  },
  sem_destroy(c) {
    c.proc.semaphores.delete(ptr(c, 0));
    return 0;
  },
  sem_post(c) {
    const sem = ptr(c, 0);
    const sems = c.proc.semaphores;
    sems.set(sem, (sems.get(sem) ?? 0) + 1);
    c.proc.eventCount++;
    return 0;
  },
  sem_wait(c) {
    const w = semWaiter(c, ptr(c, 0), undefined);
    return w.retry(false) ?? { block: w };
  },
  sem_trywait(c) {
    return semWaiter(c, ptr(c, 0), undefined).retry(true) ?? fail(ERRNO.EAGAIN);
  },
  sem_timedwait(c) {
    const clock = c.proc.clock;
    const absNs = readTimespecNs(c, ptr(c, 1));
    const remaining = absNs - clock.realtimeNs();
    const deadline = clock.monotonicNs() + (remaining > 0n ? remaining : 0n);
    const w = semWaiter(c, ptr(c, 0), deadline);
    const now = w.retry(remaining <= 0n);
    return now ?? { block: w };
  },
};
