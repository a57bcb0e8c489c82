// Host calls: every import descriptor, the loader callback and the emulator's own return points
// lead to a sentinel code address in an emulator-owned, non-executable page. Reaching one means
// "the guest called into the host": the CPU stops before fetching there and the process services
// the call (notes/architecture.md: "import calls are events").
import { SENTINEL_CODE_BASE, SENTINEL_DESC_BASE } from './address-space.js';

export type HostCallKind = 'import' | 'loader-callback' | 'start-return' | 'thread-exit' | 'sigreturn';

export interface HostCall {
  readonly index: number;
  readonly kind: HostCallKind;
  /** C name for imports ('write', '_exit'); a descriptive name otherwise. */
  readonly name: string;
  readonly library: string;
  readonly member: string;
  /** Address of the 24-byte descriptor {entry, toc, env} that leads here. */
  readonly descriptor: bigint;
  readonly entry: bigint;
}

/**
 * The word stored at every sentinel entry: `blr`. The CPU never executes it (it stops before
 * fetching from the host-call range), but a debugger reads it: gdb's prologue analyser then sees
 * a leaf function returning through LR, so `bt` and `finish` work from inside a libc call.
 */
export const SENTINEL_WORD = 0x4e800020;

/** Sentinel entries are 4 bytes apart; descriptors 24. */
export const SENTINEL_STRIDE = 4n;
export const DESCRIPTOR_SIZE = 24n;
const SENTINEL_STRIDE_BYTES = Number(SENTINEL_STRIDE);
const SENTINEL_BASE_HI = Number(SENTINEL_CODE_BASE >> 32n) | 0;
const SENTINEL_BASE_LO = Number(SENTINEL_CODE_BASE & 0xffff_ffffn);
/** Fixed emulator sentinels come first. */
export const LOADER_CALLBACK_INDEX = 0;
export const START_RETURN_INDEX = 1;
export const THREAD_EXIT_INDEX = 2;
export const SIGRETURN_INDEX = 3;
export const FIRST_IMPORT_INDEX = 8;

export class SentinelTable {
  readonly calls: HostCall[] = [];

  constructor() {
    this.add('loader-callback', '__loader_callback', '', '');
    this.add('start-return', '__start_returned', '', '');
    this.add('thread-exit', '__thread_exit', '', '');
    this.add('sigreturn', '__sigreturn', '', '');
    while (this.calls.length < FIRST_IMPORT_INDEX) this.add('start-return', '__reserved', '', '');
  }

  add(kind: HostCallKind, name: string, library: string, member: string): HostCall {
    const index = this.calls.length;
    const call: HostCall = {
      index,
      kind,
      name,
      library,
      member,
      descriptor: SENTINEL_DESC_BASE + BigInt(index) * DESCRIPTOR_SIZE,
      entry: SENTINEL_CODE_BASE + BigInt(index) * SENTINEL_STRIDE,
    };
    this.calls.push(call);
    return call;
  }

  get base(): bigint {
    return SENTINEL_CODE_BASE;
  }

  /** Exclusive end of the sentinel code range. */
  get end(): bigint {
    return SENTINEL_CODE_BASE + BigInt(this.calls.length) * SENTINEL_STRIDE;
  }

  entryOf(index: number): bigint {
    return SENTINEL_CODE_BASE + BigInt(index) * SENTINEL_STRIDE;
  }

  /** lookup by the int32 halves of pc (the scheduler's per-call path: no BigInt arithmetic). */
  lookupHalves(hi: number, lo: number): HostCall | undefined {
    if (hi !== SENTINEL_BASE_HI) return undefined;
    const off = (lo >>> 0) - SENTINEL_BASE_LO;
    if (off < 0 || off % SENTINEL_STRIDE_BYTES !== 0) return undefined;
    return this.calls[off / SENTINEL_STRIDE_BYTES];
  }

  /** The host call whose sentinel is at pc, if any. */
  lookup(pc: bigint): HostCall | undefined {
    if (pc < SENTINEL_CODE_BASE || pc >= this.end) return undefined;
    const off = pc - SENTINEL_CODE_BASE;
    if (off % SENTINEL_STRIDE !== 0n) return undefined;
    return this.calls[Number(off / SENTINEL_STRIDE)];
  }

  /** The sentinel code range as guest memory shows it: one `blr` per entry. */
  codeBytes(): Uint8Array {
    const bytes = new Uint8Array(this.calls.length * Number(SENTINEL_STRIDE));
    const view = new DataView(bytes.buffer);
    for (let i = 0; i < this.calls.length; i++) view.setUint32(i * Number(SENTINEL_STRIDE), SENTINEL_WORD);
    return bytes;
  }

  /** "libc.a(shr_64.o):write" as the error messages and strace name an import. */
  static qualifiedName(c: HostCall): string {
    return c.library ? `${c.library}(${c.member}):${c.name}` : c.name;
  }
}
