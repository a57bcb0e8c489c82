// The shape of an HLE libc function: it gets the calling thread and the raw argument registers
// R3..R10 (unsigned 64-bit), and returns a result, an errno, or a "block" waiter.
import type { GuestMemory } from '../../cpu/memory.js';
import { hiOf, loOf } from '../../cpu/int64.js';
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

/**
 * The big-endian doubleword v at b[at..at + 8): what a DataView's setBigUint64 does, without the
 * DataView, which V8 makes slowly (sigaction's 48-byte struct through one was the largest part of
 * the 11.5-18 ms that the ~500 calls of every Go program's start took).
 */
export function putU64(b: Uint8Array, at: number, v: bigint): void {
  putI32(b, at, hiOf(v));
  putI32(b, at + 4, loOf(v));
}

/** The big-endian word v at b[at..at + 4). */
export function putI32(b: Uint8Array, at: number, v: number): void {
  b[at] = v >>> 24;
  b[at + 1] = v >>> 16;
  b[at + 2] = v >>> 8;
  b[at + 3] = v;
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
