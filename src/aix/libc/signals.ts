// sigaction / sigaltstack (§4.3, §6.1): every signal 1..255 must be accepted, or Go throws.
import { ERRNO, NSIG, SIG, SS_DISABLE, SS_ONSTACK } from '../constants.js';
import type { GuestMemory } from '../../cpu/memory.js';
import { hiOf, loOf } from '../../cpu/int64.js';
import type { AixProcess } from '../process.js';
import { sigActionFromWords } from '../signals.js';
import { fail, int, ptr, type HleFunction } from './types.js';

/** struct sigaction on AIX (64-bit): handler, sa_mask (four doublewords), sa_flags, padding. */
const SIGACTION_SIZE = 48;

/**
 * sigaction(sig, act, old) with the two pointers as 32-bit halves (hi, lo): 0, or an errno. Go's
 * start makes about 500 of these (initsig: each signal's getsig, then its setsig) while our code
 * is still cold, where every bigint step costs: on numbers this takes about half the time
 * (process.ts answers the call in place through it).
 */
export function sigactionHalves(proc: AixProcess, mem: GuestMemory, sig: number, actHi: number, actLo: number, oldHi: number, oldLo: number): number {
  if (sig <= 0 || sig >= NSIG) return ERRNO.EINVAL;
  const table = proc.signals.actions;
  const cur = table[sig]!;
  if ((oldHi | oldLo) !== 0) {
    // Checked as writeChecked checks (nothing written unless all of it can be), then stored as
    // words: Go's start copies out about 250 old actions while our code is cold.
    const words = cur.words;
    mem.probeWrite(oldHi, oldLo, SIGACTION_SIZE);
    for (let k = 0; k < SIGACTION_SIZE / 4; k++) {
      const lo = (oldLo + 4 * k) | 0;
      mem.store32((lo >>> 0) < (oldLo >>> 0) ? (oldHi + 1) | 0 : oldHi, lo, k < words.length ? words[k]! : 0);
    }
  }
  if ((actHi | actLo) !== 0) {
    if (sig === SIG.SIGKILL || sig === SIG.SIGSTOP) return ERRNO.EINVAL;
    // handler, the four mask doublewords and flags: eleven words, read before anything changes
    const w = new Int32Array(11);
    for (let k = 0; k < 11; k++) {
      const lo = (actLo + 4 * k) | 0;
      w[k] = mem.load32((lo >>> 0) < (actLo >>> 0) ? (actHi + 1) | 0 : actHi, lo);
    }
    table[sig] = sigActionFromWords(w);
  }
  return 0;
}

export const signalFunctions: Record<string, HleFunction> = {
  sigaction(c) {
    const act = ptr(c, 1);
    const old = ptr(c, 2);
    const e = sigactionHalves(c.proc, c.mem, int(c, 0), hiOf(act), loOf(act), hiOf(old), loOf(old));
    return e === 0 ? 0 : fail(e);
  },

  sigaltstack(c) {
    const ss = ptr(c, 0);
    const old = ptr(c, 1);
    const t = c.thread;
    const sp = t.state.getGpr(1);
    const onAlt = (t.altStack.flags & SS_DISABLE) === 0 && sp >= t.altStack.sp && sp < t.altStack.sp + t.altStack.size;
    if (old !== 0n) {
      const b = new Uint8Array(40);
      const v = new DataView(b.buffer);
      v.setBigUint64(0, t.altStack.sp);
      v.setBigUint64(8, t.altStack.size);
      v.setInt32(16, t.altStack.flags | (onAlt ? SS_ONSTACK : 0));
      c.mem.writeChecked(old, b);
    }
    if (ss !== 0n) {
      if (onAlt) return fail(ERRNO.EPERM);
      const flags = c.mem.readU32(ss + 16n) | 0;
      t.altStack = { sp: c.mem.readU64(ss), size: c.mem.readU64(ss + 8n), flags: flags & SS_DISABLE };
    }
    return 0;
  },
};
