// The shape of an HLE libc function: it gets the calling thread and the raw argument registers
// R3..R10 (unsigned 64-bit), and returns a result, an errno, or a "block" waiter.
import type { GuestMemory } from '../../cpu/memory.js';
import { FsError, errnoOf } from '../files.js';
import type { AixProcess } from '../process.js';
import type { CallResult, GuestThread } from '../threads.js';

export interface HleContext {
  proc: AixProcess;
  thread: GuestThread;
  mem: GuestMemory;
  /** R3..R10 as unsigned 64-bit values. */
  args: bigint[];
}

export type HleFunction = (c: HleContext) => CallResult;

/** A C int argument: the low 32 bits, signed (§3.5). */
export function int(c: HleContext, i: number): number {
  return Number(BigInt.asIntN(32, c.args[i]!));
}

/** An unsigned 32-bit argument. */
export function u32(c: HleContext, i: number): number {
  return Number(BigInt.asUintN(32, c.args[i]!));
}

/** A pointer or size_t argument. */
export function ptr(c: HleContext, i: number): bigint {
  return c.args[i]!;
}

/** A size argument as a JS number (sizes above 2^53 are clamped; no guest buffer is that big). */
export function size(c: HleContext, i: number): number {
  const v = c.args[i]!;
  return v > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(v);
}

/** A signed 64-bit argument (off_t). */
export function i64(c: HleContext, i: number): bigint {
  return BigInt.asIntN(64, c.args[i]!);
}

export function fail(errno: number): { errno: number } {
  return { errno };
}

/** Wraps a call whose host file-system work may throw: FsError and host errors become errno results. */
export function guarded(fn: (c: HleContext) => CallResult): HleFunction {
  return (c) => {
    try {
      return fn(c);
    } catch (e) {
      if (e instanceof FsError) return fail(e.errno);
      if (typeof (e as NodeJS.ErrnoException)?.code === 'string') return fail(errnoOf(e));
      throw e;
    }
  };
}
