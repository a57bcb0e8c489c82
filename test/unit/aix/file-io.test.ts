// The file layer's data rules beyond plain read/write: no byte delivered twice or lost, no wrong
// EAGAIN or wait (pread/pwrite on pipes, shared offsets, O_APPEND, poll after the writer closes,
// directory offsets, a host stdout that refuses data for a while).
import { spawnSync } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, readFileSync, readSync, renameSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  AT_FDCWD, ERRNO, F_SETFL, O_APPEND, O_CREAT, O_NONBLOCK, O_RDONLY, O_RDWR, O_WRONLY, POLLHUP, POLLIN, POLLOUT,
} from '../../../src/aix/constants.js';
import { RealClock } from '../../../src/aix/clock.js';
import { GuestCalls } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'aix-fileio-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function pipeOf(g: GuestCalls): [number, number] {
  expect(g.result('pipe', [g.scratch])).toBe(0);
  return [g.proc.mem.readU32(g.scratch), g.proc.mem.readU32(g.scratch + 4n)];
}

/** poll one fd for `events` without waiting; returns revents. */
function pollOnce(g: GuestCalls, fd: number, events: number): number {
  const pfd = g.scratch + 0x2000n;
  g.proc.mem.writeU32(pfd, fd);
  g.proc.mem.writeU32(pfd + 4n, events << 16);
  g.call('poll', [pfd, 1, 0]);
  return g.proc.mem.readU32(pfd + 4n) & 0xffff;
}

describe('file layer: offsets', () => {
  it('pread, pwrite and lseek on a pipe are ESPIPE and leave its data alone', () => {
    const g = new GuestCalls();
    const [r, w] = pipeOf(g);
    const buf = g.scratch + 0x100n;
    g.proc.mem.writeBytes(buf, Buffer.from('abc'));
    expect(g.result('pwrite', [w, buf, 3, 0])).toBe(-ERRNO.ESPIPE);
    expect(g.result('write', [w, buf, 3])).toBe(3);
    expect(g.result('pread', [r, buf, 3, 0])).toBe(-ERRNO.ESPIPE);
    expect(g.result('lseek', [r, 0, 0])).toBe(-ERRNO.ESPIPE);
    expect(g.result('read', [r, buf + 0x10n, 10])).toBe(3);
    expect(g.bytes(buf + 0x10n, 3)).toBe('abc');
  });

  it('pread and pwrite use their own position and leave the file offset where it was', () => {
    writeFileSync(join(dir, 'p.txt'), '0123456789');
    const g = new GuestCalls();
    const fd = g.result('open', [g.str(join(dir, 'p.txt')), O_RDWR, 0]);
    const buf = g.scratch + 0x100n;
    expect(g.result('read', [fd, buf, 2])).toBe(2);
    expect(g.result('pread', [fd, buf, 3, 5])).toBe(3);
    expect(g.bytes(buf, 3)).toBe('567');
    expect(g.result('pread', [fd, buf, 3, -1])).toBe(-ERRNO.EINVAL);
    g.proc.mem.writeBytes(buf, Buffer.from('XY'));
    expect(g.result('pwrite', [fd, buf, 2, 8])).toBe(2);
    expect(g.result('read', [fd, buf, 3])).toBe(3);
    expect(g.bytes(buf, 3)).toBe('234');
    expect(readFileSync(join(dir, 'p.txt'), 'utf8')).toBe('01234567XY');
  });

  it("dup'd descriptors share one offset; close of one leaves the other working", () => {
    writeFileSync(join(dir, 'd.txt'), 'abcdef');
    const g = new GuestCalls();
    const a = g.result('open', [g.str(join(dir, 'd.txt')), O_RDONLY, 0]);
    const b = g.result('dup', [a]);
    const buf = g.scratch + 0x100n;
    expect(g.result('read', [a, buf, 2])).toBe(2);
    expect(g.result('read', [b, buf, 2])).toBe(2);
    expect(g.bytes(buf, 2)).toBe('cd');
    expect(g.result('lseek', [b, 0, 1])).toBe(4);
    expect(g.result('close', [a])).toBe(0);
    expect(g.result('read', [b, buf, 10])).toBe(2);
    expect(g.bytes(buf, 2)).toBe('ef');
    expect(g.result('read', [b, buf, 10])).toBe(0);
  });

  it('O_APPEND writes at the end whatever the offset, and F_SETFL can turn it on', () => {
    writeFileSync(join(dir, 'a.txt'), 'start');
    const g = new GuestCalls();
    const fd = g.result('open', [g.str(join(dir, 'a.txt')), O_WRONLY | O_APPEND, 0]);
    const buf = g.scratch + 0x100n;
    g.proc.mem.writeBytes(buf, Buffer.from('-one-two'));
    expect(g.result('lseek', [fd, 0, 0])).toBe(0);
    expect(g.result('write', [fd, buf, 4])).toBe(4);
    expect(g.result('lseek', [fd, 0, 1])).toBe(9); // the offset follows the data
    expect(g.result('write', [fd, buf + 4n, 4])).toBe(4);
    expect(readFileSync(join(dir, 'a.txt'), 'utf8')).toBe('start-one-two');

    const plain = g.result('open', [g.str(join(dir, 'a.txt')), O_WRONLY, 0]);
    expect(g.result('fcntl', [plain, F_SETFL, O_APPEND])).toBe(0);
    g.proc.mem.writeBytes(buf, Buffer.from('!'));
    expect(g.result('write', [plain, buf, 1])).toBe(1);
    expect(readFileSync(join(dir, 'a.txt'), 'utf8')).toBe('start-one-two!');
  });

  it('writev gathers its buffers in order and refuses more than IOV_MAX (16) of them', () => {
    const g = new GuestCalls();
    const fd = g.result('open', [g.str(join(dir, 'v.txt')), O_WRONLY | O_CREAT, 0o644]);
    const iov = g.scratch + 0x400n;
    const parts = ['ab', '', 'cde'];
    parts.forEach((p, i) => {
      const at = g.scratch + 0x800n + BigInt(i * 16);
      g.proc.mem.writeBytes(at, Buffer.from(p));
      g.proc.mem.writeU64(iov + BigInt(i * 16), at);
      g.proc.mem.writeU64(iov + BigInt(i * 16 + 8), BigInt(p.length));
    });
    expect(g.result('writev', [fd, iov, 3])).toBe(5);
    expect(g.result('writev', [fd, iov, 17])).toBe(-ERRNO.EINVAL);
    expect(g.result('writev', [fd, iov, -1])).toBe(-ERRNO.EINVAL);
    expect(readFileSync(join(dir, 'v.txt'), 'utf8')).toBe('abcde');
  });
});

describe('file layer: times', () => {
  it('utimensat keeps nanoseconds (Go Chtimes reads back exactly what it set)', () => {
    writeFileSync(join(dir, 't.txt'), '');
    const g = new GuestCalls({ clock: new RealClock() });
    const ts = g.scratch + 0x100n;
    g.proc.mem.writeU64(ts, 1733452345n);
    g.proc.mem.writeU64(ts + 8n, 136708429n);
    g.proc.mem.writeU64(ts + 16n, 1600000000n);
    g.proc.mem.writeU64(ts + 24n, 999999999n);
    expect(g.result('utimensat', [AT_FDCWD, g.str(join(dir, 't.txt')), ts, 0])).toBe(0);
    const st = statSync(join(dir, 't.txt'), { bigint: true });
    expect(st.atimeNs).toBe(1733452345136708429n);
    expect(st.mtimeNs).toBe(1600000000999999999n);
  });
});

describe('file layer: pipes and poll', () => {
  it('after the writer closes: POLLIN|POLLHUP while data remains, then POLLHUP and EOF once drained', () => {
    const g = new GuestCalls();
    const [r, w] = pipeOf(g);
    const buf = g.scratch + 0x100n;
    expect(pollOnce(g, r, POLLIN)).toBe(0);
    g.proc.mem.writeBytes(buf, Buffer.from('xyz'));
    expect(g.result('write', [w, buf, 3])).toBe(3);
    expect(g.result('close', [w])).toBe(0);
    expect(pollOnce(g, r, POLLIN)).toBe(POLLIN | POLLHUP);
    expect(g.result('read', [r, buf + 0x10n, 2])).toBe(2);
    expect(g.result('read', [r, buf + 0x10n + 2n, 2])).toBe(1);
    expect(g.bytes(buf + 0x10n, 3)).toBe('xyz');
    expect(pollOnce(g, r, POLLIN)).toBe(POLLHUP);
    expect(g.call('read', [r, buf, 2])).toMatchObject({ n: 0, errno: 0, blocked: false });
    expect(g.call('read', [r, buf, 2])).toMatchObject({ n: 0, errno: 0, blocked: false });
  });

  it('the write end is POLLOUT only while a PIPE_BUF write fits, so a ready write never gets EAGAIN', () => {
    const g = new GuestCalls();
    const [r, w] = pipeOf(g);
    expect(g.result('fcntl', [w, F_SETFL, O_WRONLY | O_NONBLOCK])).toBe(0);
    const src = g.scratch + 0x1000n;
    expect(pollOnce(g, w, POLLOUT)).toBe(POLLOUT);
    expect(g.result('write', [w, src, 40000])).toBe(40000);
    expect(pollOnce(g, w, POLLOUT)).toBe(0);
    expect(g.result('write', [w, src, 30000])).toBe(-ERRNO.EAGAIN);
    expect(g.result('read', [r, src, 20000])).toBe(20000);
    expect(pollOnce(g, w, POLLOUT)).toBe(POLLOUT);
    expect(g.result('write', [w, src, 30000])).toBe(30000);
  });
});

describe('file layer: directories', () => {
  it('getdirent resumes at a d_offset told by lseek, and lseek 0 rewinds: no entry twice, none lost', () => {
    const d = mkdtempSync(join(dir, 'dir-'));
    const names = Array.from({ length: 30 }, (_, i) => `entry-${String(i).padStart(2, '0')}`);
    for (const n of names) writeFileSync(join(d, n), '');
    const g = new GuestCalls();
    const fd = g.result('open', [g.str(d), O_RDONLY, 0]);
    const buf = g.scratch + 0x100n;
    const readBatch = (len: number): string[] => {
      const n = g.result('getdirent', [fd, buf, len]);
      expect(n).toBeGreaterThanOrEqual(0);
      const out: string[] = [];
      for (let off = 0; off < n; ) {
        const reclen = g.proc.mem.readU32(buf + BigInt(off + 16)) >>> 16;
        const namlen = g.proc.mem.readU32(buf + BigInt(off + 16)) & 0xffff;
        out.push(g.bytes(buf + BigInt(off + 20), namlen));
        off += reclen;
      }
      return out;
    };
    const first = readBatch(200);
    expect(first.length).toBeGreaterThan(0);
    const mark = g.result('lseek', [fd, 0, 1]);
    expect(mark).toBe(first.length);
    const second = readBatch(200);
    expect(g.result('lseek', [fd, mark, 0])).toBe(mark);
    expect(readBatch(200)).toEqual(second);
    const seen = [...first, ...second];
    for (let batch = readBatch(200); batch.length > 0; batch = readBatch(200)) seen.push(...batch);
    expect(seen.sort()).toEqual(['.', '..', ...names].sort());
    expect(g.result('lseek', [fd, 0, 0])).toBe(0);
    expect(readBatch(200)).toEqual(first);
    expect(g.result('read', [fd, buf, 10])).toBe(-ERRNO.EISDIR);
    // Renamed while open: still the same directory, listed from its fd.
    renameSync(d, `${d}-moved`);
    expect(g.result('lseek', [fd, 0, 0])).toBe(0);
    expect(readBatch(200)).toEqual(first);
  });
});

describe('file layer: FIFOs', () => {
  /** Retry the blocked call as the scheduler would, until it completes (each try may wait on a timer). */
  async function finish(g: GuestCalls): Promise<number> {
    for (let i = 0; i < 100; i++) {
      expect(g.proc.files.hasHostEvents()).toBe(true); // waiting on the host, not a deadlock
      const r = g.t.waiter!.retry(false);
      if (r !== undefined) {
        g.proc.completeCall(g.t, r);
        return Number(BigInt.asIntN(64, g.t.state.getGpr(3)));
      }
      await new Promise((res) => setTimeout(res, 10));
    }
    throw new Error('the open never completed');
  }

  /** A new FIFO and a guest whose blocking open of it (for `flags`) is waiting. */
  function waitingOpen(name: string, flags: number): { fifo: string; g: GuestCalls } {
    const fifo = join(dir, name);
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const g = new GuestCalls();
    expect(g.call('open', [g.str(fifo), flags, 0]).blocked).toBe(true);
    return { fifo, g };
  }

  it('a blocking open for reading waits (the thread, not the emulator) until a writer comes; its data is read once', async () => {
    const { fifo, g } = waitingOpen('fifo-r', O_RDONLY);
    // The waiting reader is a reader already: a non-blocking open for writing finds it (no ENXIO).
    const writer = openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK);
    writeSync(writer, 'early data');
    const fd = await finish(g);
    expect(fd).toBeGreaterThan(2);
    expect(g.result('fcntl', [fd, 3, 0]) & O_NONBLOCK).toBe(0); // the guest's descriptor blocks
    expect(g.result('read', [fd, g.scratch, 100])).toBe(10);
    expect(g.bytes(g.scratch, 10)).toBe('early data');
    closeSync(writer);
    g.proc.files.closeAll();
  });

  it('a blocking open for writing waits until a reader comes', async () => {
    const { fifo, g } = waitingOpen('fifo-w', O_WRONLY);
    const reader = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
    const fd = await finish(g);
    expect(fd).toBeGreaterThan(2);
    g.proc.mem.writeBytes(g.scratch, Buffer.from('to the reader'));
    expect(g.result('write', [fd, g.scratch, 13])).toBe(13);
    const got = Buffer.alloc(100);
    expect(readSync(reader, got, 0, 100, null)).toBe(13);
    expect(got.subarray(0, 13).toString()).toBe('to the reader');
    g.proc.files.closeAll();
    closeSync(reader);
  });
});

describe('file layer: host streams', () => {
  it('isatty is false for /dev/null (a character device, not a terminal)', () => {
    const g = new GuestCalls();
    const fd = g.result('open', [g.str('/dev/null'), O_RDWR, 0]);
    expect(g.result('isatty', [fd])).toBe(-ERRNO.ENOTTY);
    expect(g.result('lseek', [fd, 10, 0])).toBe(0);
  });

  it('stdout on a full host pipe: the writer waits, then every byte arrives once, in order', async () => {
    const fifo = join(dir, 'out');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    // Both host ends non-blocking, as Node leaves a stdout pipe: the host write fails with EAGAIN when full.
    const hostOut = openSync(fifo, constants.O_RDWR | constants.O_NONBLOCK);
    const drain = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
    const g = new GuestCalls({ stdio: [0, hostOut, 2] });
    let woken = 0;
    g.proc.files.hostEvent = () => woken++;
    const size = 300_000;
    const src = g.scratch;
    const data = Buffer.alloc(size);
    for (let i = 0; i < size; i++) data[i] = (i * 7 + (i >> 8)) & 0xff;
    g.proc.mem.writeBytes(src, data.subarray(0, 0x30000));
    const received: Buffer[] = [];
    const drainAll = () => {
      const chunk = Buffer.alloc(1 << 16);
      for (;;) {
        let n = 0;
        try {
          n = readSync(drain, chunk, 0, chunk.length, null);
        } catch {
          return;
        }
        if (n === 0) return;
        received.push(Buffer.from(chunk.subarray(0, n)));
      }
    };
    // The guest writes 0x30000 bytes at a time (blocking fd 1) until `size` bytes went out.
    let sent = 0;
    let rounds = 0;
    while (sent < size && rounds++ < 1000) {
      const len = Math.min(0x30000, size - sent);
      g.proc.mem.writeBytes(src, data.subarray(sent, sent + len));
      let r = g.call('write', [1, src, len]);
      while (r.blocked) {
        expect(g.proc.files.hasHostEvents()).toBe(true);
        drainAll();
        await new Promise((res) => setTimeout(res, 10));
        const done = g.t.waiter!.retry(false);
        if (done !== undefined) {
          g.proc.completeCall(g.t, done);
          r = { r3: g.t.state.getGpr(3), errno: 0, blocked: false, n: Number(g.t.state.getGpr(3)) };
        }
      }
      expect(r.n).toBeGreaterThan(0);
      sent += r.n;
    }
    drainAll();
    expect(woken).toBeGreaterThan(0);
    expect(Buffer.concat(received).equals(data)).toBe(true);

    // A non-blocking guest fd gets EAGAIN only when the host took nothing.
    expect(g.result('fcntl', [1, F_SETFL, O_WRONLY | O_NONBLOCK])).toBe(0);
    let total = 0;
    let r = g.call('write', [1, src, 0x30000]);
    expect(r.blocked).toBe(false);
    while (r.n > 0) {
      total += r.n;
      r = g.call('write', [1, src, 0x30000]);
    }
    expect(r.errno).toBe(ERRNO.EAGAIN);
    received.length = 0;
    drainAll();
    expect(Buffer.concat(received).length).toBe(total);
    g.proc.files.closeAll(); // closes hostOut, the guest's fd 1
    closeSync(drain);
  });
});
