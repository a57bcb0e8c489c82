// sigaction / sigaltstack (§4.3, §6.1): every signal 1..255 must be accepted, or Go throws.
import { ERRNO, NSIG, SIG, SS_DISABLE, SS_ONSTACK } from '../constants.js';
import { readSigset } from './pthread.js';
import { fail, int, ptr, type HleFunction } from './types.js';

export const signalFunctions: Record<string, HleFunction> = {
  sigaction(c) {
    const sig = int(c, 0);
    const act = ptr(c, 1);
    const old = ptr(c, 2);
    if (sig <= 0 || sig >= NSIG) return fail(ERRNO.EINVAL);
    const table = c.proc.signals.actions;
    const cur = table[sig]!;
    if (old !== 0n) {
      const b = new Uint8Array(48);
      const v = new DataView(b.buffer);
      v.setBigUint64(0, cur.handler);
      cur.mask.forEach((w, i) => v.setBigUint64(8 + i * 8, w));
      v.setInt32(40, cur.flags);
      c.mem.writeChecked(old, b);
    }
    if (act !== 0n) {
      if (sig === SIG.SIGKILL || sig === SIG.SIGSTOP) return fail(ERRNO.EINVAL);
      table[sig] = { handler: c.mem.readU64(act), mask: readSigset(c, act + 8n), flags: c.mem.readU32(act + 40n) | 0 };
    }
    return 0;
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
