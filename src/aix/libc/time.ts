// Clocks and sleeping (§4.3). nanotime uses CLOCK_REALTIME on AIX, so it must never go backwards.
import { CLOCK_MONOTONIC, CLOCK_PROCESS_CPUTIME_ID, CLOCK_REALTIME, CLOCK_THREAD_CPUTIME_ID, ERRNO, ITIMER_PROF } from '../constants.js';
import type { GuestMemory } from '../../cpu/memory.js';
import { TWO32, TWO53 } from '../../cpu/int64.js';
import type { CpuState } from '../../cpu/state.js';
import type { GuestThread } from '../threads.js';
import type { GuestClock } from '../clock.js';
import { fail, int, ptr, u32, type HleContext, type HleFunction } from './types.js';

function writeTimespec(c: HleContext, addr: bigint, ns: bigint): void {
  c.mem.writeU64(addr, ns / 1_000_000_000n);
  c.mem.writeU64(addr + 8n, ns % 1_000_000_000n);
}

export function readTimespecNs(c: HleContext, addr: bigint): bigint {
  const sec = BigInt.asIntN(64, c.mem.readU64(addr));
  const nsec = BigInt.asIntN(64, c.mem.readU64(addr + 8n));
  return sec * 1_000_000_000n + nsec;
}

/** Nanoseconds on clock `id` (the thread's CPU clock as a number), or undefined for an unknown clock. */
function readClock(clock: GuestClock, t: GuestThread, id: number): bigint | number | undefined {
  switch (id) {
    case CLOCK_REALTIME:
      return clock.realtimeNs();
    case CLOCK_MONOTONIC:
      return clock.monotonicNs();
    case CLOCK_PROCESS_CPUTIME_ID:
      return clock.cpuTimeNs();
    case CLOCK_THREAD_CPUTIME_ID:
      return t.instructions;
    default:
      return undefined;
  }
}

/**
 * clock_gettime for the fast path (AixProcess.hostCall, no observer attached): reads R3/R4 as int32
 * halves and writes the timespec without an argument array or call record. Go's nanotime makes one
 * such call per scheduler round. Returns false where the general path must answer (unknown clock:
 * EINVAL). A bad pointer throws from the store, and the caller retries on the general path (EFAULT).
 */
export function clockGettimeFast(clock: GuestClock, mem: GuestMemory, t: GuestThread, s: CpuState): boolean {
  const ns = readClock(clock, t, s.gpr[6]!); // low half of R3: a C int
  if (ns === undefined) return false;
  let sec: number;
  let nsec: number;
  if (typeof ns === 'number' || ns < TWO53) {
    // Below 2^53 the double split is exact (sec * 1e9 <= n, both representable).
    const n = Number(ns);
    sec = Math.floor(n / 1_000_000_000);
    nsec = n - sec * 1_000_000_000;
  } else {
    sec = Number(ns / 1_000_000_000n);
    nsec = Number(ns % 1_000_000_000n);
  }
  const hi = s.gpr[9]!; // R4
  const lo = s.gpr[8]!;
  mem.store64(hi, lo, Math.floor(sec / TWO32) | 0, sec % TWO32 | 0);
  const lo8 = (lo >>> 0) + 8;
  mem.store64(lo8 > 0xffffffff ? (hi + 1) | 0 : hi, lo8 | 0, 0, nsec | 0);
  return true;
}

/** A sleep that ends at monotonic `deadline`: the thread blocks, other threads run. */
export function sleepUntil(c: HleContext, deadline: bigint, what: string): ReturnType<HleFunction> {
  const clock = c.proc.clock;
  if (clock.monotonicNs() >= deadline) return 0;
  return {
    block: {
      description: what,
      deadline,
      retry: (timedOut) => (timedOut || clock.monotonicNs() >= deadline ? 0 : undefined),
    },
  };
}

export const timeFunctions: Record<string, HleFunction> = {
  clock_gettime(c) {
    const ns = readClock(c.proc.clock, c.thread, int(c, 0));
    if (ns === undefined) return fail(ERRNO.EINVAL);
    writeTimespec(c, ptr(c, 1), BigInt(ns));
    return 0;
  },

  gettimeofday(c) {
    const tv = ptr(c, 0);
    if (tv !== 0n) {
      const ns = c.proc.clock.realtimeNs();
      c.mem.writeU64(tv, ns / 1_000_000_000n);
      c.mem.writeU32(tv + 8n, Number((ns % 1_000_000_000n) / 1000n));
      c.mem.writeU32(tv + 12n, 0);
    }
    return 0;
  },

  usleep(c) {
    const us = BigInt(u32(c, 0));
    return sleepUntil(c, c.proc.clock.monotonicNs() + us * 1000n, `usleep(${us})`);
  },

  nanosleep(c) {
    const ns = readTimespecNs(c, ptr(c, 0));
    if (ns < 0n) return fail(ERRNO.EINVAL);
    return sleepUntil(c, c.proc.clock.monotonicNs() + ns, 'nanosleep');
  },

  setitimer(c) {
    const which = int(c, 0);
    const nv = ptr(c, 1);
    const old = ptr(c, 2);
    if (which < 0 || which > 2) return fail(ERRNO.EINVAL);
    if (old !== 0n) c.mem.writeChecked(old, new Uint8Array(32));
    if (which === ITIMER_PROF && nv !== 0n) {
      const intervalNs = BigInt.asIntN(64, c.mem.readU64(nv)) * 1_000_000_000n + BigInt(c.mem.readU32(nv + 8n) | 0) * 1000n;
      const valueNs = BigInt.asIntN(64, c.mem.readU64(nv + 16n)) * 1_000_000_000n + BigInt(c.mem.readU32(nv + 24n) | 0) * 1000n;
      const t = c.proc.profTimer;
      t.intervalNs = valueNs === 0n ? 0n : intervalNs;
      t.nextNs = c.proc.clock.cpuTimeNs() + valueNs;
    }
    return 0;
  },
};
