// Signals for a thread blocked in libc end the wait the way AIX/POSIX do: EINTR for poll,
// sem_wait, nanosleep regardless of SA_RESTART; restart for read/accept... under SA_RESTART
// (EINTR without it); usleep returns 0 early (Go's AIX runtime throws on -1); masked or ignored
// signals leave the call blocked.
import { describe, expect, it } from 'vitest';
import { ERRNO, SA_RESTART, SA_SIGINFO, SIG, SIG_IGN } from '../../../src/aix/constants.js';
import { sigAction } from '../../../src/aix/signals.js';
import { asInt, callImport, makeProcess } from './helpers.js';

function setup(flags: number) {
  const proc = makeProcess();
  const t = proc.threads[0]!;
  callImport(proc, t, '_Errno', []);
  const other = proc.spawnThread(proc.program.main.loaderCallback, 0n, 0x10000n, t)!;
  callImport(proc, other, '_Errno', []);
  const scratch = proc.space.allocate(0x10000n)!;
  // A caught SIGURG, as Go installs it (the handler address is never entered here).
  proc.signals.actions[SIG.SIGURG] = sigAction(scratch, [0n, 0n, 0n, 0n], flags);
  const kill = () => callImport(proc, other, 'pthread_kill', [t.tid, SIG.SIGURG]);
  return { proc, t, other, scratch, kill };
}

const GO_FLAGS = SA_SIGINFO | SA_RESTART | 0x1;

describe('EINTR for blocked libc calls', () => {
  it('sem_wait returns -1 EINTR even with SA_RESTART, and the signal stays pending for delivery', () => {
    const { proc, t, scratch, kill } = setup(GO_FLAGS);
    callImport(proc, t, 'sem_init', [scratch, 0, 0]);
    expect(callImport(proc, t, 'sem_wait', [scratch]).blocked).toBe(true);
    kill();
    expect(t.status).toBe('runnable');
    expect(asInt(t.state.getGpr(3))).toBe(-1);
    expect(proc.mem.readU32(t.errnoCell)).toBe(ERRNO.EINTR);
    expect(t.state.pc).toBe(0x100000800n);
    expect(t.pendingSignals.map((s) => s.signal)).toEqual([SIG.SIGURG]);
  });

  it('poll and sem_timedwait are interrupted with EINTR', () => {
    const { proc, t, scratch, kill } = setup(GO_FLAGS);
    const [r] = proc.files.makePipe();
    proc.mem.writeU32(scratch, r);
    proc.mem.writeU32(scratch + 4n, 1 << 16);
    expect(callImport(proc, t, 'poll', [scratch, 1, -1]).blocked).toBe(true);
    kill();
    expect(proc.mem.readU32(t.errnoCell)).toBe(ERRNO.EINTR);
    t.pendingSignals.length = 0;
    const ts = scratch + 0x100n;
    proc.mem.writeU64(ts, 4_000_000_000n);
    proc.mem.writeU64(ts + 8n, 0n);
    callImport(proc, t, 'sem_init', [scratch + 0x200n, 0, 0]);
    expect(callImport(proc, t, 'sem_timedwait', [scratch + 0x200n, ts]).blocked).toBe(true);
    kill();
    expect(t.status).toBe('runnable');
    expect(proc.mem.readU32(t.errnoCell)).toBe(ERRNO.EINTR);
  });

  it('usleep ends early with 0', () => {
    const { proc, t, kill } = setup(GO_FLAGS);
    expect(callImport(proc, t, 'usleep', [500_000]).blocked).toBe(true);
    kill();
    expect(t.status).toBe('runnable');
    expect(t.state.getGpr(3)).toBe(0n);
  });

  it('a pipe read restarts under SA_RESTART: PC back at the import, arguments reloaded', () => {
    const { proc, t, scratch, kill } = setup(GO_FLAGS);
    const [r] = proc.files.makePipe();
    expect(callImport(proc, t, 'read', [r, scratch, 64]).blocked).toBe(true);
    t.state.setGpr(3, 0n);
    t.state.setGpr(5, 0n);
    kill();
    expect(t.status).toBe('runnable');
    expect(t.current).toBeUndefined();
    expect(t.state.pc).toBe(proc.sentinels.calls.find((c) => c.kind === 'import' && c.name === 'read')!.entry);
    expect(t.state.getGpr(3)).toBe(BigInt(r));
    expect(t.state.getGpr(5)).toBe(64n);
    expect(t.state.lr).toBe(0x100000800n);
  });

  it('without SA_RESTART the same read fails with EINTR', () => {
    const { proc, t, scratch, kill } = setup(SA_SIGINFO);
    const [r] = proc.files.makePipe();
    expect(callImport(proc, t, 'read', [r, scratch, 64]).blocked).toBe(true);
    kill();
    expect(asInt(t.state.getGpr(3))).toBe(-1);
    expect(proc.mem.readU32(t.errnoCell)).toBe(ERRNO.EINTR);
  });

  it('a masked or ignored signal leaves the call blocked', () => {
    const { proc, t, scratch, kill } = setup(GO_FLAGS);
    callImport(proc, t, 'sem_init', [scratch, 0, 0]);
    t.sigmask[0] = 1n << BigInt(SIG.SIGURG - 1);
    expect(callImport(proc, t, 'sem_wait', [scratch]).blocked).toBe(true);
    kill();
    expect(t.status).toBe('blocked');
    t.sigmask[0] = 0n;
    t.pendingSignals.length = 0;
    proc.signals.actions[SIG.SIGURG] = sigAction(SIG_IGN, [0n, 0n, 0n, 0n], 0);
    kill();
    expect(t.status).toBe('blocked');
  });
});
