// A guest thread: one pthread of the emulated process, with its own register file, stack, TLS
// block, errno cell, signal state and (while inside a libc call) the call it is making.
import { CpuState } from '../cpu/state.js';
import type { HostCall } from './sentinels.js';

/** Something a blocked thread waits for. `retry` is asked again whenever anything may have changed. */
export interface Waiter {
  /** What the thread waits on, for the debugger ('sem_wait 0x...', 'usleep', 'poll'). */
  readonly description: string;
  /** Monotonic ns at which the wait ends by itself (timeout), or undefined for none. */
  readonly deadline?: bigint;
  /** Returns the call's result when the wait is over, or undefined to keep waiting. `timedOut` is set once the deadline passed. */
  retry(timedOut: boolean): CallResult | undefined;
}

/** What an HLE function returns. number: a C int/long (sign-extended); bigint: a raw 64-bit value. */
export type CallResult = number | bigint | { errno: number } | { block: Waiter } | { noReturn: true };

export type ThreadStatus = 'runnable' | 'blocked' | 'exited';

export interface AltStack {
  sp: bigint;
  size: bigint;
  flags: number;
}

export interface ActiveCall {
  call: HostCall;
  args: bigint[];
  /** Return address (LR at the call). */
  returnTo: bigint;
}

/** An in-progress signal delivery: where its ucontext lives. */
export interface SignalFrame {
  signal: number;
  ucontext: bigint;
  wasOnAltStack: boolean;
}

export class GuestThread {
  readonly state = new CpuState();
  status: ThreadStatus = 'runnable';
  waiter: Waiter | undefined;
  /** The import call being serviced (set while blocked, for the debugger and --strace). */
  current: ActiveCall | undefined;
  errnoCell = 0n;
  /** Signal mask: 4 x 64 bits, signal n is bit (n-1)%64 of word (n-1)/64. */
  sigmask: bigint[] = [0n, 0n, 0n, 0n];
  altStack: AltStack = { sp: 0n, size: 0n, flags: 2 /* SS_DISABLE */ };
  pendingSignals: Array<{ signal: number; code: number; addr: bigint; pid: number }> = [];
  signalFrames: SignalFrame[] = [];
  exitValue = 0n;
  /** Instructions executed by this thread. */
  instructions = 0;
  /** The id strace shows for it (from the pid space); 0 for a process's first thread, whose id is the pid. */
  kernelTid = 0;

  constructor(
    /** pthread id: small, unique, never 0 or -1. */
    readonly tid: number,
    readonly tlsBlock: bigint,
    readonly stackLow: bigint,
    readonly stackHigh: bigint,
  ) {}

  get runnable(): boolean {
    return this.status === 'runnable';
  }

  /** One line for thread lists: id, state and what it waits on ("pthread 2 blocked in usleep(20)"). */
  describe(): string {
    if (this.status === 'exited') return `pthread ${this.tid} exited`;
    const call = this.current ? ` in ${this.current.call.name}` : '';
    if (this.status === 'blocked') return `pthread ${this.tid} blocked${this.waiter ? ` in ${this.waiter.description}` : call}`;
    return `pthread ${this.tid} runnable`;
  }

  isBlocked(signal: number): boolean {
    const bit = BigInt(signal - 1);
    return ((this.sigmask[Number(bit / 64n)]! >> (bit % 64n)) & 1n) === 1n;
  }
}
