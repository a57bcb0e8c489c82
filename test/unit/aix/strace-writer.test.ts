// --strace as strace -f prints it: thread prefixes, errno texts, unfinished/resumed pairs, signal
// and exit lines, -tt/-T, the -o file prefix and the JSON-lines form (lines from a real process).
import { describe, expect, it } from 'vitest';
import { SEGV_MAPERR, SIG } from '../../../src/aix/constants.js';
import { deliverFault } from '../../../src/aix/signals.js';
import type { StraceFormat } from '../../../src/aix/strace-writer.js';
import { callImport, makeProcess } from './helpers.js';
import { checkStraceLines } from '../../helpers/strace-format.js';

function traced(format: StraceFormat = {}) {
  const lines: string[] = [];
  const proc = makeProcess({ strace: (l) => lines.push(l), straceFormat: format });
  const main = proc.threads[0]!;
  callImport(proc, main, '_Errno', []);
  const scratch = proc.space.allocate(0x10000n)!;
  lines.length = 0;
  return { proc, main, scratch, lines };
}

describe('--strace lines in strace -f form', () => {
  it('one thread: no prefix; a failed call shows errno name and text', () => {
    const { proc, main, scratch, lines } = traced();
    proc.mem.writeBytes(scratch, Buffer.from('/nonexistent/x\0'));
    callImport(proc, main, 'open', [scratch, 0, 0]);
    callImport(proc, main, 'getpid', []);
    expect(lines).toEqual(['open("/nonexistent/x", O_RDONLY, 0x0) = -1 ENOENT (No such file or directory)', 'getpid() = 4242']);
  });

  it('threads: [pid TID] prefixes; a blocked call overtaken by another thread is unfinished, then resumed', () => {
    const { proc, main, scratch, lines } = traced();
    const t2 = proc.spawnThread(scratch + 0x800n, 0n, 0x10000n, main)!;
    proc.mem.writeU64(scratch + 0x800n, 0x100000000n);
    callImport(proc, t2, '_Errno', []);
    lines.length = 0;
    // pthread 2 waits on a semaphore, pthread 1 runs meanwhile, then the wait ends.
    const sem = scratch + 0x100n;
    proc.mem.writeU32(sem, 0);
    expect(callImport(proc, t2, 'sem_wait', [sem]).blocked).toBe(true);
    callImport(proc, main, 'getpid', []);
    proc.completeCall(t2, 0);
    // A read that blocks: its descriptor is shown at once, the data once it returned.
    const buf = scratch + 0x1000n;
    const fds = scratch + 0x300n;
    callImport(proc, main, 'pipe', [fds]);
    const rfd = proc.mem.readU32(fds);
    expect(callImport(proc, t2, 'read', [rfd, buf, 4096]).blocked).toBe(true);
    callImport(proc, main, 'getuid', []);
    proc.mem.writeBytes(buf, Buffer.from('data'));
    proc.completeCall(t2, 4);
    const sem16 = sem.toString(16);
    expect(lines).toEqual([
      `[pid  4243] sem_wait(0x${sem16} <unfinished ...>`,
      '[pid  4242] getpid() = 4242',
      '[pid  4243] <... sem_wait resumed>) = 0',
      `[pid  4242] pipe([${rfd}, ${proc.mem.readU32(fds + 4n)}]) = 0`,
      `[pid  4243] read(${rfd},  <unfinished ...>`,
      '[pid  4242] getuid() = ' + proc.uid,
      `[pid  4243] <... read resumed>"data", 4096) = 4`,
    ]);
    expect(checkStraceLines(lines)).toEqual([]);
  });

  it('a fault: the --- SIGSEGV {...} --- line, then +++ killed by SIGSEGV +++', () => {
    const { proc, main, lines } = traced();
    deliverFault(proc, main, { signal: SIG.SIGSEGV, code: SEGV_MAPERR, addr: 0x10n, pid: 0 });
    expect(lines).toEqual(['--- SIGSEGV {si_signo=SIGSEGV, si_code=SEGV_MAPERR, si_addr=0x10} ---', '+++ killed by SIGSEGV +++']);
  });

  it('exit: the call that never returns, other threads\' open calls, one +++ line per thread, the process last', () => {
    const { proc, main, scratch, lines } = traced();
    const t2 = proc.spawnThread(scratch + 0x800n, 0n, 0x10000n, main)!;
    proc.mem.writeU32(scratch, 0);
    callImport(proc, t2, 'sem_wait', [scratch]);
    callImport(proc, main, '_exit', [3]);
    expect(lines).toEqual([
      `[pid  4243] sem_wait(0x${scratch.toString(16)} <unfinished ...>`,
      '[pid  4242] _exit(3) = ?',
      '[pid  4243] <... sem_wait resumed>) = ?',
      '[pid  4243] +++ exited with 3 +++',
      '+++ exited with 3 +++',
    ]);
    expect(checkStraceLines(lines)).toEqual([]);
  });

  it('-tt and -T: time of day with microseconds first, time spent last (guest time)', () => {
    const { proc, main, lines } = traced({ timestamps: true, durations: true });
    callImport(proc, main, 'getpid', []);
    expect(lines[0]).toMatch(/^\d\d:\d\d:\d\d\.\d{6} getpid\(\) = 4242 <0\.\d{6}>$/);
    expect(checkStraceLines(lines)).toEqual([]);
  });

  it('-o FILE form: every line starts with the thread id padded to 5, as strace -f -o writes', () => {
    const { proc, main, lines } = traced({ file: true });
    callImport(proc, main, 'getpid', []);
    callImport(proc, main, '_exit', [0]);
    expect(lines).toEqual(['4242  getpid() = 4242', '4242  _exit(0) = ?', '4242  +++ exited with 0 +++']);
    expect(checkStraceLines(lines, { file: true })).toEqual([]);
  });

  it('JSON lines: one object per call, signal and exit', () => {
    const { proc, main, scratch, lines } = traced({ json: true });
    proc.mem.writeBytes(scratch, Buffer.from('/nonexistent\0'));
    callImport(proc, main, 'open', [scratch, 0, 0]);
    deliverFault(proc, main, { signal: SIG.SIGSEGV, code: SEGV_MAPERR, addr: 0x10n, pid: 0 });
    const recs = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(recs[0]).toMatchObject({ type: 'call', pid: 4242, tid: 4242, pthread: 1, name: 'open', args: ['"/nonexistent"', 'O_RDONLY', '0x0'], result: '-1', errno: 'ENOENT', error: 'No such file or directory' });
    expect(typeof recs[0]!.ts_us).toBe('number');
    expect(recs[1]).toMatchObject({ type: 'signal', signal: 'SIGSEGV', si_code: 'SEGV_MAPERR', si_addr: '0x10' });
    expect(recs[2]).toMatchObject({ type: 'killed', signal: 'SIGSEGV', tid: 4242 });
  });
});
