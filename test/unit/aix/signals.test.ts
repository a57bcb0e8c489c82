// Signal delivery frames (§6.2): handler entry through its descriptor on the alt stack, the
// ucontext/siginfo layout Go reads, and a sigreturn that resumes the context as edited in memory.
import { describe, expect, it } from 'vitest';
import { SEGV_MAPERR, SIG } from '../../../src/aix/constants.js';
import { deliverFault, deliverPending, queueSignal } from '../../../src/aix/signals.js';
import { SIGRETURN_INDEX } from '../../../src/aix/sentinels.js';
import { callImport, makeProcess } from './helpers.js';

function withHandler() {
  const proc = makeProcess();
  const t = proc.threads[0]!;
  callImport(proc, t, '_Errno', []);
  const scratch = proc.space.allocate(0x20000n)!;
  const desc = scratch;
  proc.mem.writeU64(desc, 0x100002000n);
  proc.mem.writeU64(desc + 8n, 0x200003000n);
  const act = new Uint8Array(48);
  const v = new DataView(act.buffer);
  v.setBigUint64(0, desc);
  v.setBigUint64(8, 0xffff_ffff_ffff_ffffn);
  v.setInt32(40, 0x109);
  proc.mem.writeBytes(scratch + 0x100n, act);
  callImport(proc, t, 'sigaction', [SIG.SIGSEGV, scratch + 0x100n, 0]);
  callImport(proc, t, 'sigaction', [SIG.SIGURG, scratch + 0x100n, 0]);
  // alt stack {sp, 32 KiB, 0}
  const alt = scratch + 0x10000n;
  const ss = new Uint8Array(40);
  const sv = new DataView(ss.buffer);
  sv.setBigUint64(0, alt);
  sv.setBigUint64(8, 0x8000n);
  proc.mem.writeBytes(scratch + 0x200n, ss);
  callImport(proc, t, 'sigaltstack', [scratch + 0x200n, 0]);
  return { proc, t, alt };
}

describe('signal delivery', () => {
  it('enters the handler on the alt stack with signo, siginfo and ucontext, LR at sigreturn', () => {
    const { proc, t, alt } = withHandler();
    const s = t.state;
    s.pc = 0x100001234n;
    s.setGpr(1, 0x0fff_ffff_fff0_0000n);
    s.setGpr(30, 0xabcdn);
    s.lr = 0x100005678n;
    deliverFault(proc, t, { signal: SIG.SIGSEGV, code: SEGV_MAPERR, addr: 0n, pid: 0 });
    expect(s.pc).toBe(0x100002000n);
    expect(s.getGpr(2)).toBe(0x200003000n);
    expect(s.getGpr(3)).toBe(BigInt(SIG.SIGSEGV));
    expect(s.lr).toBe(proc.sentinels.entryOf(SIGRETURN_INDEX));
    const sp = s.getGpr(1);
    expect(sp >= alt && sp < alt + 0x8000n).toBe(true);
    const si = s.getGpr(4);
    const uc = s.getGpr(5);
    expect(proc.mem.readU32(si)).toBe(SIG.SIGSEGV);
    expect(proc.mem.readU32(si + 8n)).toBe(SEGV_MAPERR);
    expect(proc.mem.readU64(uc + 312n)).toBe(0x100001234n); // iar
    expect(proc.mem.readU64(uc + 48n + 30n * 8n)).toBe(0xabcdn); // gpr[30] = g
    expect(proc.mem.readU64(uc + 320n)).toBe(0x100005678n); // lr
    expect(t.isBlocked(SIG.SIGURG)).toBe(true); // sa_mask = all while the handler runs
  });

  it('sigreturn resumes the context as the handler edited it, mask included', () => {
    const { proc, t } = withHandler();
    const s = t.state;
    s.pc = 0x100001234n;
    s.setGpr(1, 0x0fff_ffff_fff0_0000n);
    deliverFault(proc, t, { signal: SIG.SIGSEGV, code: SEGV_MAPERR, addr: 0n, pid: 0 });
    const uc = s.getGpr(5);
    // What Go's preparePanic does: push a frame and redirect to sigpanic.
    proc.mem.writeU64(uc + 48n + 8n, 0x0fff_ffff_fff0_0000n - 32n);
    proc.mem.writeU64(uc + 312n, 0x100009999n);
    s.pc = proc.sentinels.entryOf(SIGRETURN_INDEX);
    proc.hostCall(t, proc.sentinels.calls[SIGRETURN_INDEX]!);
    expect(s.pc).toBe(0x100009999n);
    expect(s.getGpr(1)).toBe(0x0fff_ffff_fff0_0000n - 32n);
    expect(t.isBlocked(SIG.SIGURG)).toBe(false);
    expect(t.signalFrames).toHaveLength(0);
  });

  it('queues pthread_kill signals and delivers them when unblocked', () => {
    const { proc, t } = withHandler();
    const s = t.state;
    s.pc = 0x100001234n;
    callImport(proc, t, 'pthread_kill', [t.tid, SIG.SIGURG]);
    s.pc = 0x100001234n;
    t.sigmask[0] = 1n << BigInt(SIG.SIGURG - 1);
    deliverPending(proc, t);
    expect(s.pc).toBe(0x100001234n); // blocked: stays pending
    t.sigmask[0] = 0n;
    deliverPending(proc, t);
    expect(s.pc).toBe(0x100002000n);
    expect(s.getGpr(3)).toBe(BigInt(SIG.SIGURG));
  });

  it('kills the process (128+N) for a default-action signal', () => {
    const proc = makeProcess();
    const t = proc.threads[0]!;
    queueSignal(proc, t, { signal: SIG.SIGTERM, code: 0, addr: 0n, pid: 1 });
    deliverPending(proc, t);
    expect(proc.end).toEqual({ kind: 'signaled', signal: SIG.SIGTERM });
    expect(proc.exitStatus()).toBe(128 + 15);
  });

  it('ignores SIGURG by default (no handler installed yet)', () => {
    const proc = makeProcess();
    const t = proc.threads[0]!;
    queueSignal(proc, t, { signal: SIG.SIGURG, code: 0, addr: 0n, pid: 1 });
    deliverPending(proc, t);
    expect(proc.end).toBeUndefined();
  });
});
