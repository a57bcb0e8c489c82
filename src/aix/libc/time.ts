// Clocks and sleeping (§4.3). nanotime uses CLOCK_REALTIME on AIX, so it must never go backwards.
import { CLOCK_MONOTONIC, CLOCK_PROCESS_CPUTIME_ID, CLOCK_REALTIME, CLOCK_THREAD_CPUTIME_ID, ERRNO, ITIMER_PROF } from '../constants.js';
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
    const id = int(c, 0);
    const clock = c.proc.clock;
    let ns: bigint;
    switch (id) {
      case CLOCK_REALTIME:
        ns = clock.realtimeNs();
        break;
      case CLOCK_MONOTONIC:
        ns = clock.monotonicNs();
        break;
      case CLOCK_PROCESS_CPUTIME_ID:
        ns = clock.cpuTimeNs();
        break;
      case CLOCK_THREAD_CPUTIME_ID:
        ns = BigInt(c.thread.instructions);
        break;
      default:
        return fail(ERRNO.EINVAL);
    }
    writeTimespec(c, ptr(c, 1), ns);
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
