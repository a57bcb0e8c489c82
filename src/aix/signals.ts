// Signal delivery the AIX way (notes/aix-go-contract.md §6): the sigaction table, alternate stacks, a
// ucontext/context64 frame and siginfo built on the chosen stack, the handler entered through its
// descriptor with LR at the sigreturn sentinel, and a sigreturn that restores the context from
// guest memory (Go edits it: preparePanic, pushCall).
import { hiOf, loOf, toBig } from '../cpu/int64.js';
import { CR, CTR_HI, FPSCR, XER } from '../cpu/state.js';
import { ERRNO, NSIG, SA_NODEFER, SA_ONSTACK, SA_RESETHAND, SA_RESTART, SIG, SIG_DFL, SIG_IGN, SS_DISABLE, SS_ONSTACK } from './constants.js';
import type { AixProcess } from './process.js';
import { SIGRETURN_INDEX } from './sentinels.js';
import type { GuestThread } from './threads.js';

export interface SigAction {
  readonly handler: bigint;
  readonly mask: readonly bigint[];
  readonly flags: number;
  /**
   * The same as struct sigaction's first eleven words (handler, the four mask doublewords, flags):
   * sigaction copies an old action out without a BigInt (libc/signals.ts).
   */
  readonly words: Int32Array;
}

/** The default action's words (SIG_DFL is 0, no mask, no flags): shared, as actions never change in place. */
const DEFAULT_ACTION_WORDS = new Int32Array(11);

/**
 * An action, frozen: actions are replaced whole, never changed in place, so a fork or exec shares
 * them and a recording's snapshot keeps them by reference (record/object-image.ts) instead of
 * walking and copying the ~250 that Go's start installs at every snapshot.
 */
export function sigAction(handler: bigint, mask: readonly bigint[], flags: number, words: Int32Array = actionWords(handler, mask, flags)): SigAction {
  return Object.freeze({ handler, mask: Object.freeze(mask.slice()), flags, words });
}

/** The same from its eleven words (handler, the four mask doublewords, flags). */
export function sigActionFromWords(w: Int32Array): SigAction {
  return sigAction(toBig(w[0]!, w[1]!), [toBig(w[2]!, w[3]!), toBig(w[4]!, w[5]!), toBig(w[6]!, w[7]!), toBig(w[8]!, w[9]!)], w[10]!, w);
}

function actionWords(handler: bigint, mask: readonly bigint[], flags: number): Int32Array {
  const w = new Int32Array(11);
  const put = (k: number, v: bigint): void => {
    w[k] = hiOf(v);
    w[k + 1] = loOf(v);
  };
  put(0, handler);
  for (let i = 0; i < 4; i++) put(2 + 2 * i, mask[i]!);
  w[10] = flags;
  return w;
}

/** A default action (SIG_DFL): at start and where SA_RESETHAND puts one back. */
export const DEFAULT_ACTION = sigAction(SIG_DFL, [0n, 0n, 0n, 0n], 0, DEFAULT_ACTION_WORDS);

export class SignalState {
  readonly actions: SigAction[] = [];
  constructor() {
    for (let i = 0; i < NSIG; i++) this.actions.push(DEFAULT_ACTION);
  }
}

export interface PendingSignal {
  signal: number;
  code: number;
  addr: bigint;
  pid: number;
}

const UCONTEXT_SIZE = 688n;
const SIGINFO_SIZE = 64n;
const MCONTEXT = 48n; // uc_mcontext offset inside ucontext
const RED_ZONE = 288n;
const LINKAGE = 112n;

/** Signals whose default action is to do nothing. */
const DEFAULT_IGNORED = new Set<number>([SIG.SIGURG, SIG.SIGCHLD, SIG.SIGWINCH, SIG.SIGCONT, SIG.SIGWAITING, SIG.SIGPWR, SIG.SIGIO]);

/** Signals whose default action is to stop the process (until SIGCONT). */
const DEFAULT_STOP = new Set<number>([SIG.SIGSTOP, SIG.SIGTSTP, SIG.SIGTTIN, SIG.SIGTTOU]);

function sigBit(sig: number): [number, bigint] {
  const n = sig - 1;
  return [Math.floor(n / 64), 1n << BigInt(n % 64)];
}

/** Queue a signal for one thread; it is delivered when the thread next runs with it unblocked. */
export function queueSignal(proc: AixProcess, t: GuestThread, s: PendingSignal): void {
  if (!t.pendingSignals.some((p) => p.signal === s.signal)) t.pendingSignals.push(s);
  proc.eventCount++;
  interruptBlockedCall(proc, t, s.signal);
}

/*
 * A signal for a thread blocked in a libc call ends the wait, so Go's preemption (SIGURG) and
 * profiling (SIGPROF) signals reach threads parked in the kernel promptly:
 * - POSIX sigaction (SA_RESTART): interruptible calls interrupted by a caught signal fail with
 *   EINTR, unless SA_RESTART is set, in which case they restart "unless otherwise specified".
 *   read/write/readv/writev/send/recv/accept on pipes, sockets and terminals restart.
 * - Specified otherwise (never restarted): poll/select and nanosleep (EINTR, as on Linux, signal(7)
 *   "never restarted"), sem_wait/sem_timedwait (POSIX: [EINTR] "A signal interrupted this
 *   function"; Go's semasleep on AIX retries/returns on EINTR), connect (POSIX: EINTR, the
 *   connection continues asynchronously).
 * - usleep: IBM's AIX 7.2 reference ("sleep, nsleep or usleep Subroutine") says the sleep ends
 *   when a signal-catching function runs and only nsleep reports -1/EINTR; Go's runtime usleep on
 *   AIX throws on -1, so an interrupted usleep returns 0 early.
 * Calls outside these lists (sched_yield, listen...) are not interrupted: they end by themselves.
 */
const EINTR_ALWAYS = new Set(['poll', 'select', 'nanosleep', 'sem_wait', 'sem_timedwait', 'connect', 'pause', 'sigsuspend']);
const RESTARTABLE = new Set(['read', 'write', 'readv', 'writev', 'recvfrom', 'sendto', 'nrecvmsg', 'nsendmsg', 'accept', 'wait4']);
const RETURN_ZERO = new Set(['usleep']);

/** Does `sig`, now pending for t, have an effect that must interrupt a blocking call? */
function interrupts(proc: AixProcess, t: GuestThread, sig: number): boolean {
  if (t.isBlocked(sig)) return false;
  const h = proc.signals.actions[sig]!.handler;
  if (h === SIG_IGN) return false;
  if (h === SIG_DFL) return !DEFAULT_IGNORED.has(sig);
  return true;
}

/** End t's blocked libc call because `sig` arrived: EINTR, early 0, or restart after the handler. */
export function interruptBlockedCall(proc: AixProcess, t: GuestThread, sig: number): void {
  const call = t.current;
  if (t.status !== 'blocked' || !call || call.call.kind !== 'import' || !interrupts(proc, t, sig)) return;
  const name = call.call.name;
  if (RETURN_ZERO.has(name)) {
    proc.completeCall(t, 0);
  } else if (EINTR_ALWAYS.has(name)) {
    proc.completeCall(t, { errno: ERRNO.EINTR });
  } else if (RESTARTABLE.has(name)) {
    const action = proc.signals.actions[sig]!;
    if (action.handler !== SIG_DFL && (action.flags & SA_RESTART) !== 0) {
      // Restart: the thread re-enters the call (same arguments) once the handler returns; the
      // signal frame saves the sentinel as the interrupted PC.
      const st = t.state;
      call.args.forEach((a, i) => st.setGpr(3 + i, a));
      st.pc = call.call.entry;
      st.lr = call.returnTo;
      for (const o of proc.callObservers) o.restarted?.(t, call);
      t.current = undefined;
      t.waiter = undefined;
      t.status = 'runnable';
      proc.eventCount++;
    } else {
      proc.completeCall(t, { errno: ERRNO.EINTR });
    }
  }
}


/** kill(getpid(), sig): pick a thread that does not block it, the caller first. */
export function sendSignalToProcess(proc: AixProcess, caller: GuestThread, sig: number): void {
  const live = proc.liveThreads();
  const target = !caller.isBlocked(sig) ? caller : (live.find((t) => !t.isBlocked(sig)) ?? caller);
  queueSignal(proc, target, { signal: sig, code: 0, addr: 0n, pid: proc.pid });
}

/** raise(sig): synchronous to the calling thread (delivered when the call returns). */
export function raiseInThread(proc: AixProcess, t: GuestThread, sig: number): void {
  queueSignal(proc, t, { signal: sig, code: 0, addr: 0n, pid: proc.pid });
}

/** Deliver the first deliverable pending signal of t, if any. Call at an instruction boundary. */
export function deliverPending(proc: AixProcess, t: GuestThread): void {
  if (t.pendingSignals.length === 0 || t.status !== 'runnable') return;
  const i = t.pendingSignals.findIndex((p) => !t.isBlocked(p.signal));
  if (i < 0) return;
  // A debugger may hold the signal back (to report it first, or because the thread is stopped).
  if (proc.signalGate && !proc.signalGate(t, t.pendingSignals[i]!.signal)) return;
  const [s] = t.pendingSignals.splice(i, 1);
  deliver(proc, t, s!);
}

/** A synchronous fault (SIGSEGV, SIGILL, SIGTRAP...) at the current PC: deliver it now. */
export function deliverFault(proc: AixProcess, t: GuestThread, s: PendingSignal): void {
  const action = proc.signals.actions[s.signal]!;
  if (t.isBlocked(s.signal) || action.handler === SIG_IGN) {
    // A blocked or ignored synchronous fault cannot be resumed: the kernel kills the process.
    proc.noteSignal(t, s);
    proc.terminate({ kind: 'signaled', signal: s.signal });
    return;
  }
  deliver(proc, t, s);
}

function deliver(proc: AixProcess, t: GuestThread, s: PendingSignal): void {
  const action = proc.signals.actions[s.signal]!;
  if (action.handler === SIG_IGN) return;
  proc.noteSignal(t, s);
  if (action.handler === SIG_DFL) {
    if (DEFAULT_IGNORED.has(s.signal)) return;
    if (DEFAULT_STOP.has(s.signal)) {
      proc.stopped = true;
      return;
    }
    proc.terminate({ kind: 'signaled', signal: s.signal });
    return;
  }
  const mem = proc.mem;
  const st = t.state;
  const sp = st.getGpr(1);
  const alt = t.altStack;
  const altEnabled = (alt.flags & SS_DISABLE) === 0 && alt.size > 0n;
  const onAlt = altEnabled && sp >= alt.sp && sp < alt.sp + alt.size;
  let top: bigint;
  let usingAlt = false;
  if ((action.flags & SA_ONSTACK) !== 0 && altEnabled && !onAlt) {
    top = alt.sp + alt.size;
    usingAlt = true;
  } else {
    top = sp - RED_ZONE;
  }
  const uc = (top - UCONTEXT_SIZE) & ~15n;
  const si = (uc - SIGINFO_SIZE) & ~15n;
  const newSp = (si - LINKAGE - 16n) & ~15n;

  const ucb = new Uint8Array(Number(UCONTEXT_SIZE));
  const v = new DataView(ucb.buffer);
  v.setInt32(0, onAlt ? 1 : 0);
  t.sigmask.forEach((w, i) => v.setBigUint64(8 + i * 8, w));
  const m = Number(MCONTEXT);
  for (let r = 0; r < 32; r++) v.setBigUint64(m + r * 8, st.getGpr(r));
  v.setBigUint64(m + 256, 0x8000_0000_0000_d032n); // MSR: 64-bit, FP/VMX available, user, big-endian
  v.setBigUint64(m + 264, st.pc);
  v.setBigUint64(m + 272, st.lr);
  v.setBigUint64(m + 280, st.ctr);
  v.setInt32(m + 288, st.spr[CR]!);
  v.setInt32(m + 292, st.spr[XER]!);
  v.setInt32(m + 296, st.spr[FPSCR]!);
  for (let r = 0; r < 32; r++) {
    v.setInt32(m + 312 + r * 8, st.vsr[4 * r]!);
    v.setInt32(m + 316 + r * 8, st.vsr[4 * r + 1]!);
  }
  v.setBigUint64(632, alt.sp);
  v.setBigUint64(640, alt.size);
  v.setInt32(648, alt.flags | (onAlt ? SS_ONSTACK : 0));

  const sib = new Uint8Array(Number(SIGINFO_SIZE));
  const sv = new DataView(sib.buffer);
  sv.setInt32(0, s.signal);
  sv.setInt32(8, s.code);
  sv.setInt32(12, s.code === 0 ? s.pid : 0);
  sv.setInt32(16, s.code === 0 ? proc.uid : 0);
  sv.setBigUint64(24, s.addr);

  try {
    mem.writeChecked(uc, ucb);
    mem.writeChecked(si, sib);
    mem.writeU64(newSp, sp); // back chain to the interrupted frame
  } catch {
    // No usable stack for the handler: the kernel kills the process with SIGSEGV.
    proc.terminate({ kind: 'signaled', signal: SIG.SIGSEGV });
    return;
  }

  const h = action.handler;
  st.pc = mem.readU64(h);
  st.setGpr(2, mem.readU64(h + 8n));
  st.setGpr(11, mem.readU64(h + 16n));
  st.setGpr(1, newSp);
  st.setGpr(3, BigInt(s.signal));
  st.setGpr(4, si);
  st.setGpr(5, uc);
  st.lr = proc.sentinels.entryOf(SIGRETURN_INDEX);
  st.spr[CTR_HI] = 0;

  for (let i = 0; i < 4; i++) t.sigmask[i] = t.sigmask[i]! | action.mask[i]!;
  if ((action.flags & SA_NODEFER) === 0) {
    const [w, b] = sigBit(s.signal);
    t.sigmask[w] = t.sigmask[w]! | b;
  }
  if (action.flags & SA_RESETHAND) proc.signals.actions[s.signal] = DEFAULT_ACTION;
  t.signalFrames.push({ signal: s.signal, ucontext: uc, wasOnAltStack: usingAlt });
}

/** The handler returned to the sigreturn sentinel: resume the (possibly edited) context. */
export function sigreturn(proc: AixProcess, t: GuestThread): void {
  const frame = t.signalFrames.pop();
  if (!frame) {
    proc.terminate({ kind: 'crashed', message: 'sigreturn without a signal frame' });
    return;
  }
  const b = proc.mem.readBytes(frame.ucontext, Number(UCONTEXT_SIZE));
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const st = t.state;
  const m = Number(MCONTEXT);
  for (let r = 0; r < 32; r++) st.setGpr(r, v.getBigUint64(m + r * 8));
  st.pc = v.getBigUint64(m + 264);
  st.lr = v.getBigUint64(m + 272);
  st.ctr = v.getBigUint64(m + 280);
  st.spr[CR] = v.getInt32(m + 288);
  st.spr[XER] = v.getInt32(m + 292);
  st.spr[FPSCR] = v.getInt32(m + 296);
  for (let r = 0; r < 32; r++) {
    st.vsr[4 * r] = v.getInt32(m + 312 + r * 8);
    st.vsr[4 * r + 1] = v.getInt32(m + 316 + r * 8);
  }
  for (let i = 0; i < 4; i++) t.sigmask[i] = v.getBigUint64(8 + i * 8);
  proc.eventCount++;
}
