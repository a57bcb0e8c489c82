// What a packet handler answers, and the error replies by name. gdb reads only "an error" from an
// `E NN` reply (the number is shown with `set debug remote 1`), so the numbers follow gdbserver's
// habits: errno values where one fits, small codes for protocol-level refusals.
import type { TargetError } from './target.js';

/**
 * A reply: one packet body, several (console output then the answer), or none. `{ hex }` is sent
 * as hex, run-length encoded (memory and register dumps: long runs of zeros).
 */
export type Reply = string | Uint8Array | { hex: Uint8Array } | Reply[] | undefined;

/** The empty reply: "this packet is not supported". */
export const UNSUPPORTED = '';
export const OK = 'OK';

export const ErrorReply = {
  /** The packet could not be parsed (or its handler failed). */
  malformed: 'E01',
  /** The thread named (H, T, g/G/p/P after H, vCont;s:N) does not exist. */
  noSuchThread: 'E02',
  /** There is no process to resume, or the target refused to run it. */
  noProcess: 'E03',
  /** The object asked for does not exist: a register number, a qXfer annex, the exec file. */
  noSuchObject: 'E00',
  /** EFAULT: nothing readable at the address. */
  badAddress: 'E0e',
  /** EINVAL: a request the stub will not serve (zero length, offset past the end, oversized packet). */
  invalid: 'E16',
} as const;

/** A target failure as `E NN` (its gdb errno, EFAULT when it names none). */
export function targetErrorReply(err: TargetError): string {
  const errno = err.errno ?? 14;
  return 'E' + (errno & 0xff).toString(16).padStart(2, '0');
}

/** gdb's File-I/O errno values (Remote Protocol, "Errno Values"). */
export const FileIoErrno = {
  ENOENT: 2,
  EBADF: 9,
  EACCES: 13,
  EINVAL: 22,
  EMFILE: 24,
} as const;

/** A failed host I/O call: `F-1,errno`. */
export function hostIoError(errno: number): string {
  return `F-1,${errno.toString(16)}`;
}
