// HLE libc functions called the way the sentinel dispatcher calls them, on a process built from
// the real hello fixture (§3.5 return rules, §4 semantics).
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ERRNO, O_CREAT, O_RDONLY, O_WRONLY, SIG } from '../../../src/aix/constants.js';
import { asInt, callImport, makeProcess, processWithScratch } from './helpers.js';

describe('libc: errno and return rules', () => {
  it('gives each thread an 8-aligned errno cell and reports -1 sign-extended with errno', () => {
    const { proc, t, scratch } = processWithScratch();
    expect(t.errnoCell % 8n).toBe(0n);
    proc.mem.writeBytes(scratch, Buffer.from('/definitely/not/here\0'));
    const r = callImport(proc, t, 'open', [scratch, O_RDONLY, 0]);
    expect(r.r3).toBe(0xffff_ffff_ffff_ffffn);
    expect(r.errno).toBe(ERRNO.ENOENT);
  });

  it('returns to LR after the call', () => {
    const { proc, t } = processWithScratch();
    callImport(proc, t, 'getpid', []);
    expect(t.state.pc).toBe(0x100000800n);
  });

  it('stops the process with the import name when a function is not implemented', () => {
    const { proc, t } = processWithScratch();
    callImport(proc, t, 'no_such_function', []);
    expect(proc.end).toMatchObject({ kind: 'crashed' });
    expect(proc.describeEnd()).toContain('unimplemented libc import: libc.a(shr_64.o):no_such_function');
  });
});

describe('libc: memory', () => {
  it('honours free hints in the arena and bump-allocates NULL hints', () => {
    const { proc, t } = processWithScratch();
    const hint = 0x0a00_0100_0000_0000n;
    expect(callImport(proc, t, 'mmap', [hint, 64n << 20n, 0, 0x12, -1, 0]).r3).toBe(hint);
    // The same hint again is taken: the result is elsewhere (Go then tries the next hint).
    expect(callImport(proc, t, 'mmap', [hint, 64n << 20n, 0, 0x12, -1, 0]).r3).not.toBe(hint);
    const a = callImport(proc, t, 'mmap', [0, 0x40000, 3, 0x12, -1, 0]).r3;
    const b = callImport(proc, t, 'mmap', [0, 0x40000, 3, 0x12, -1, 0]).r3;
    expect(a >= 0x0a00_0000_0000_0000n && a < 0x0a00_0100_0000_0000n).toBe(true);
    expect(b).toBeGreaterThanOrEqual(a + 0x40000n);
    proc.mem.writeU64(a, 7n);
    expect(proc.mem.readU64(a)).toBe(7n);
  });

  it('reserves PROT_NONE, then mprotect makes it usable; munmap removes it', () => {
    const { proc, t } = processWithScratch();
    const hint = 0x0a00_0200_0000_0000n;
    callImport(proc, t, 'mmap', [hint, 1n << 29n, 0, 0x12, -1, 0]);
    expect(() => proc.mem.writeU64(hint, 1n)).toThrow();
    expect(callImport(proc, t, 'mprotect', [hint, 0x100000, 3]).r3).toBe(0n);
    proc.mem.writeU64(hint + 8n, 9n);
    expect(callImport(proc, t, 'munmap', [hint, 1n << 29n]).r3).toBe(0n);
    expect(proc.mem.protectionAt(hint)).toBe(-1);
  });

  it('fails with ENOMEM beyond the memory limit', () => {
    const proc = makeProcess({ memoryLimit: 64n << 20n });
    const t = proc.threads[0]!;
    callImport(proc, t, '_Errno', []);
    const r = callImport(proc, t, 'mmap', [0, 128n << 20n, 3, 0x12, -1, 0]);
    expect(r.r3).toBe(0xffff_ffff_ffff_ffffn);
    expect(r.errno).toBe(ERRNO.ENOMEM);
  });

  it('malloc returns distinct, aligned, writable memory', () => {
    const { proc, t } = processWithScratch();
    const a = callImport(proc, t, 'malloc', [4]).r3;
    const b = callImport(proc, t, 'malloc', [4]).r3;
    expect(a).not.toBe(b);
    expect(a % 8n).toBe(0n);
    proc.mem.writeU32(a, 5);
  });
});

describe('libc: process and system', () => {
  it('reports POWER8, one CPU, 4 KiB pages, equal real and effective ids', () => {
    const { proc, t } = processWithScratch();
    expect(callImport(proc, t, 'getsystemcfg', [2]).r3).toBe(0x10000n);
    expect(callImport(proc, t, 'sysconf', [0x48]).r3).toBe(1n);
    expect(callImport(proc, t, 'sysconf', [0x30]).r3).toBe(4096n);
    expect(callImport(proc, t, 'getuid', []).r3).toBe(callImport(proc, t, 'geteuid', []).r3);
  });

  it('getrlimit(NOFILE) returns cur == max so Go never calls setrlimit', () => {
    const { proc, t, scratch } = processWithScratch();
    callImport(proc, t, 'getrlimit', [7, scratch]);
    expect(proc.mem.readU64(scratch)).toBe(proc.mem.readU64(scratch + 8n));
  });

  it('_exit ends the process with the status', () => {
    const { proc, t } = processWithScratch();
    callImport(proc, t, '_exit', [3]);
    expect(proc.end).toEqual({ kind: 'exited', code: 3 });
    expect(proc.exitStatus()).toBe(3);
  });

  it('clock_gettime(REALTIME) never goes backwards', () => {
    const { proc, t, scratch } = processWithScratch();
    callImport(proc, t, 'clock_gettime', [9, scratch]);
    const a = proc.mem.readU64(scratch) * 1_000_000_000n + proc.mem.readU64(scratch + 8n);
    proc.clock.addInstructions(1000);
    callImport(proc, t, 'clock_gettime', [9, scratch]);
    const b = proc.mem.readU64(scratch) * 1_000_000_000n + proc.mem.readU64(scratch + 8n);
    expect(b).toBeGreaterThan(a);
    expect(asInt(callImport(proc, t, 'clock_gettime', [77, scratch]).r3)).toBe(-1);
  });
});

describe('libc: signals and threads', () => {
  it('sigaction accepts every signal 1..255 and returns what was set', () => {
    const { proc, t, scratch } = processWithScratch();
    const act = new Uint8Array(48);
    const v = new DataView(act.buffer);
    v.setBigUint64(0, 0x200173bf0n);
    v.setBigUint64(8, 0xffff_ffff_ffff_ffffn);
    v.setInt32(40, 0x109);
    proc.mem.writeBytes(scratch, act);
    for (let sig = 1; sig < 256; sig++) {
      if (sig === 9 || sig === 17) continue;
      expect(callImport(proc, t, 'sigaction', [sig, scratch, 0]).r3).toBe(0n);
    }
    callImport(proc, t, 'sigaction', [200, 0, scratch + 64n]);
    expect(proc.mem.readU64(scratch + 64n)).toBe(0x200173bf0n);
    expect(proc.mem.readU32(scratch + 104n)).toBe(0x109);
  });

  it('pthread_create writes a 4-byte id and starts the thread at the descriptor with R3 = arg', () => {
    const { proc, t, scratch } = processWithScratch();
    const desc = scratch + 0x100n;
    proc.mem.writeU64(desc, 0x100001000n);
    proc.mem.writeU64(desc + 8n, 0x200000000n);
    proc.mem.writeU64(scratch, 0xaaaa_aaaa_aaaa_aaaan);
    callImport(proc, t, 'pthread_attr_init', [scratch + 0x200n]);
    callImport(proc, t, 'pthread_attr_setstacksize', [scratch + 0x200n, 0x100000]);
    expect(callImport(proc, t, 'pthread_create', [scratch, scratch + 0x200n, desc, 0x1234]).r3).toBe(0n);
    const tid = proc.mem.readU32(scratch);
    expect(proc.mem.readU32(scratch + 4n)).toBe(0xaaaaaaaa); // only 4 bytes written
    const nt = proc.threadById(tid)!;
    expect(nt.state.pc).toBe(0x100001000n);
    expect(nt.state.getGpr(2)).toBe(0x200000000n);
    expect(nt.state.getGpr(3)).toBe(0x1234n);
    expect(nt.state.getGpr(13)).not.toBe(t.state.getGpr(13));
    expect(nt.stackHigh - nt.stackLow).toBeGreaterThan(0x100000n);
    expect(callImport(proc, nt, 'pthread_self', []).r3).toBe(BigInt(tid));
  });

  it('sigthreadmask keeps a per-thread mask and never blocks SIGKILL', () => {
    const { proc, t, scratch } = processWithScratch();
    proc.mem.writeBytes(scratch, new Uint8Array(32).fill(0xff));
    callImport(proc, t, 'sigthreadmask', [2, scratch, 0]);
    expect(t.isBlocked(SIG.SIGURG)).toBe(true);
    expect(t.isBlocked(SIG.SIGKILL)).toBe(false);
    callImport(proc, t, 'sigthreadmask', [2, 0, scratch + 64n]);
    expect(proc.mem.readU64(scratch + 64n)).toBe(t.sigmask[0]);
  });

  it('semaphores count: a post before the wait is not lost; a wait without a post blocks', () => {
    const { proc, t, scratch } = processWithScratch();
    callImport(proc, t, 'sem_init', [scratch, 0, 0]);
    callImport(proc, t, 'sem_post', [scratch]);
    expect(callImport(proc, t, 'sem_wait', [scratch])).toMatchObject({ r3: 0n, blocked: false });
    expect(callImport(proc, t, 'sem_wait', [scratch]).blocked).toBe(true);
  });
});

describe('libc: files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'aix-libc-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('opens, writes, seeks, reads and stats a file through the root', () => {
    writeFileSync(join(dir, 'x.txt'), 'hello');
    const { proc, t, scratch } = (() => {
      const proc = makeProcess({ root: dir });
      const t = proc.threads[0]!;
      callImport(proc, t, '_Errno', []);
      return { proc, t, scratch: proc.space.allocate(0x10000n)! };
    })();
    proc.mem.writeBytes(scratch, Buffer.from('/../../x.txt\0')); // cannot escape the root
    const fd = asInt(callImport(proc, t, 'open', [scratch, O_RDONLY, 0]).r3);
    expect(fd).toBeGreaterThanOrEqual(3);
    expect(callImport(proc, t, 'read', [fd, scratch + 0x100n, 100]).r3).toBe(5n);
    expect(Buffer.from(proc.mem.readBytes(scratch + 0x100n, 5)).toString()).toBe('hello');
    expect(callImport(proc, t, 'lseek', [fd, 1, 0]).r3).toBe(1n);
    expect(callImport(proc, t, 'read', [fd, scratch + 0x100n, 100]).r3).toBe(4n);
    expect(callImport(proc, t, 'fstat', [fd, scratch + 0x200n]).r3).toBe(0n);
    expect(proc.mem.readU32(scratch + 0x200n + 16n) & 0xf000).toBe(0x8000);
    expect(proc.mem.readU64(scratch + 0x200n + 168n)).toBe(5n);
    expect(callImport(proc, t, 'close', [fd]).r3).toBe(0n);
    expect(callImport(proc, t, 'close', [fd]).errno).toBe(ERRNO.EBADF);

    proc.mem.writeBytes(scratch, Buffer.from('/y.txt\0'));
    const wfd = asInt(callImport(proc, t, 'open', [scratch, O_WRONLY | O_CREAT, 0o644]).r3);
    proc.mem.writeBytes(scratch + 0x100n, Buffer.from('data'));
    expect(callImport(proc, t, 'write', [wfd, scratch + 0x100n, 4]).r3).toBe(4n);
    callImport(proc, t, 'close', [wfd]);
    expect(readFileSync(join(dir, 'y.txt'), 'utf8')).toBe('data');
  });

  it('pipes: read on an empty non-blocking pipe is EAGAIN, and data written comes back', () => {
    const { proc, t, scratch } = processWithScratch();
    callImport(proc, t, 'pipe', [scratch]);
    const r = proc.mem.readU32(scratch);
    const w = proc.mem.readU32(scratch + 4n);
    callImport(proc, t, 'fcntl', [r, 4, 4]);
    expect(callImport(proc, t, 'read', [r, scratch + 0x100n, 1]).errno).toBe(ERRNO.EAGAIN);
    proc.mem.writeBytes(scratch + 0x200n, new Uint8Array([42]));
    expect(callImport(proc, t, 'write', [w, scratch + 0x200n, 1]).r3).toBe(1n);
    expect(callImport(proc, t, 'read', [r, scratch + 0x100n, 1]).r3).toBe(1n);
    expect(proc.mem.readBytes(scratch + 0x100n, 1)[0]).toBe(42);
  });

  it('pipes: every byte once, in order, across partial reads, EAGAIN, zero-length calls and EOF', () => {
    const { proc, t, scratch } = processWithScratch();
    callImport(proc, t, 'pipe', [scratch]);
    const r = proc.mem.readU32(scratch);
    const w = proc.mem.readU32(scratch + 4n);
    callImport(proc, t, 'fcntl', [r, 4, 4]); // O_NONBLOCK on both ends, as Go sets them
    callImport(proc, t, 'fcntl', [w, 4, 5]);
    const src = scratch + 0x200n;
    const dst = scratch + 0x1000n;
    const got: number[] = [];
    const readSome = (max: number): bigint => {
      const res = callImport(proc, t, 'read', [r, dst, max]);
      if (res.r3 > 0n && res.r3 < 0x1000n) got.push(...proc.mem.readBytes(dst, Number(res.r3)));
      return res.r3;
    };
    // A zero-length write is 0, never EAGAIN (Go's poll.FD.Write then succeeds with nothing written).
    expect(callImport(proc, t, 'write', [w, src, 0])).toMatchObject({ r3: 0n, errno: 0 });
    expect(callImport(proc, t, 'read', [r, dst, 0])).toMatchObject({ r3: 0n, errno: 0 });
    expect(callImport(proc, t, 'read', [r, dst, 8]).errno).toBe(ERRNO.EAGAIN);
    const text = 'a\tb\tc\n123\t12345\n';
    proc.mem.writeBytes(src, Buffer.from(text));
    let sent = 0;
    for (const n of [1, 2, 3, 0, 5, 0, text.length - 11]) {
      expect(callImport(proc, t, 'write', [w, src + BigInt(sent), n]).r3).toBe(BigInt(n));
      sent += n;
      const buffered = sent - got.length;
      if (buffered === 0) expect(callImport(proc, t, 'read', [r, dst, 2]).errno).toBe(ERRNO.EAGAIN);
      else expect(readSome(2)).toBe(BigInt(Math.min(2, buffered))); // partial: at most what was asked
    }
    while (readSome(3) > 0n && got.length < text.length);
    expect(callImport(proc, t, 'read', [r, dst, 8]).errno).toBe(ERRNO.EAGAIN);
    callImport(proc, t, 'close', [w]);
    expect(callImport(proc, t, 'read', [r, dst, 8])).toMatchObject({ r3: 0n, errno: 0 }); // EOF, no data again
    expect(Buffer.from(got).toString()).toBe(text);
  });

  it('pipes: a write of at most PIPE_BUF bytes goes in whole or waits; a larger one may go in part', () => {
    const { proc, t, scratch } = processWithScratch(0x40000n);
    callImport(proc, t, 'pipe', [scratch]);
    const r = proc.mem.readU32(scratch);
    const w = proc.mem.readU32(scratch + 4n);
    callImport(proc, t, 'fcntl', [w, 4, 5]);
    const src = scratch + 0x1000n;
    expect(callImport(proc, t, 'write', [w, src, 65536 - 100]).r3).toBe(BigInt(65536 - 100));
    expect(callImport(proc, t, 'write', [w, src, 4096]).errno).toBe(ERRNO.EAGAIN); // 100 free: not split
    expect(callImport(proc, t, 'write', [w, src, 100]).r3).toBe(100n);
    expect(callImport(proc, t, 'read', [r, src, 40000]).r3).toBe(40000n);
    expect(callImport(proc, t, 'write', [w, src, 50000]).r3).toBe(40000n); // over PIPE_BUF: partial
  });

  it('F_GETFD succeeds on open standard fds and fails with EBADF on closed ones', () => {
    const { proc, t } = processWithScratch();
    expect(callImport(proc, t, 'fcntl', [1, 1, 0]).r3).toBe(0n);
    expect(callImport(proc, t, 'fcntl', [9, 1, 0]).errno).toBe(ERRNO.EBADF);
  });

  it('getcwd always succeeds with a NUL-terminated path', () => {
    const { proc, t, scratch } = processWithScratch();
    expect(callImport(proc, t, 'getcwd', [scratch, 4096]).r3).toBe(scratch);
    expect(proc.mem.readCString(scratch)).toBe(process.cwd());
  });
});

describe('libc: bad pointers', () => {
  it('returns EFAULT when the guest passes an unmapped buffer', () => {
    const { proc, t } = processWithScratch();
    const r = callImport(proc, t, 'clock_gettime', [9, 0x10]);
    expect(r.r3).toBe(0xffff_ffff_ffff_ffffn);
    expect(r.errno).toBe(ERRNO.EFAULT);
    expect(proc.end).toBeUndefined();
  });
});

describe('libc: --root confinement', () => {
  it('resolves absolute symlinks and .. inside the root, never reaching host files', () => {
    const root = mkdtempSync(join(tmpdir(), 'aix-root-'));
    try {
      writeFileSync(join(root, 'inside.txt'), 'inside');
      symlinkSync('/etc/hostname', join(root, 'evil'));
      symlinkSync('/inside.txt', join(root, 'good'));
      symlinkSync('../../../../../../etc', join(root, 'up'));
      const proc = makeProcess({ root });
      const t = proc.threads[0]!;
      callImport(proc, t, '_Errno', []);
      const buf = proc.space.allocate(0x1000n)!;
      const open = (p: string) => {
        proc.mem.writeBytes(buf, Buffer.from(p + '\0'));
        return callImport(proc, t, 'open', [buf, O_RDONLY, 0]);
      };
      expect(open('/evil').errno).toBe(ERRNO.ENOENT);
      expect(open('/up/hostname').errno).toBe(ERRNO.ENOENT);
      expect(open('/../../etc/hostname').errno).toBe(ERRNO.ENOENT);
      const fd = asInt(open('/good').r3);
      expect(callImport(proc, t, 'read', [fd, buf + 0x100n, 100]).r3).toBe(6n);
      // lstat sees the link itself
      proc.mem.writeBytes(buf, Buffer.from('/evil\0'));
      expect(callImport(proc, t, 'lstat', [buf, buf + 0x200n]).r3).toBe(0n);
      expect(proc.mem.readU32(buf + 0x200n + 16n) & 0xf000).toBe(0xa000);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('libc: clock_gettime without observers', () => {
  // With no observer attached, clock_gettime skips the call record (AixProcess.hostCall); an
  // empty observer forces the general path. Both must leave guest memory and registers alike.
  function after(observed: boolean, id: number, at: bigint | 'scratch') {
    const { proc, t, scratch } = processWithScratch();
    if (observed) proc.callObservers.add({});
    let buf = scratch;
    if (at !== 'scratch') {
      expect(callImport(proc, t, 'mmap', [at, 0x20000, 3, 0x12, -1, 0]).r3).toBe(at);
      // Also map where a lost carry would land, so such a store cannot fault its way to the general path.
      const wrong = at & ~0xffff_ffffn;
      expect(callImport(proc, t, 'mmap', [wrong, 0x10000, 3, 0x12, -1, 0]).r3).toBe(wrong);
      buf = at + 0x10000n - 8n; // the second word starts where the low half carries
    }
    proc.clock.addInstructions(123_456_789_012);
    t.instructions = 987_654_321;
    if (id === 10) proc.clock.advanceTo(2n ** 60n + 5n); // beyond 2^53: the BigInt split
    t.state.spr[6] = -1; // CR: the call clears the volatile fields
    t.state.spr[7] = -1; // XER: and CA
    const r = callImport(proc, t, 'clock_gettime', [id, buf]);
    return { r3: r.r3, errno: r.errno, sec: proc.mem.readU64(buf), nsec: proc.mem.readU64(buf + 8n), pc: t.state.pc, cr: t.state.spr[6], xer: t.state.spr[7], status: t.status };
  }

  for (const id of [9, 10, 11, 12]) {
    it(`writes what the general path writes for clock ${id}`, () => {
      const fast = after(false, id, 'scratch');
      expect(fast).toEqual(after(true, id, 'scratch'));
      expect(fast.r3).toBe(0n);
      expect(fast.nsec).toBeLessThan(1_000_000_000n);
    });
  }

  it('splits a timespec across a 2^32 boundary of the address', () => {
    const at = 0x0a00_0001_ffff_0000n;
    const fast = after(false, 12, at);
    expect(fast).toEqual(after(true, 12, at));
    expect(fast.sec * 1_000_000_000n + fast.nsec).toBe(987_654_321n);
  });

  it('still reports EINVAL and EFAULT', () => {
    const { proc, t, scratch } = processWithScratch();
    expect(callImport(proc, t, 'clock_gettime', [77, scratch]).errno).toBe(ERRNO.EINVAL);
    expect(callImport(proc, t, 'clock_gettime', [10, 0x10]).errno).toBe(ERRNO.EFAULT);
    expect(t.state.pc).toBe(0x100000800n);
  });
});
