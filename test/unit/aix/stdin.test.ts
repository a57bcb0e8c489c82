// A guest read of a host stream that may block (stdin on a pipe) blocks only the calling guest
// thread: the host read is asynchronous and its data wakes the thread through the scheduler's
// waiter; other threads stay runnable meanwhile.
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync, constants } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { POLLIN } from '../../../src/aix/constants.js';
import type { CallResult } from '../../../src/aix/threads.js';
import { asInt, callImport, makeProcess } from './helpers.js';

describe('stdin on a host pipe', () => {
  const dir = mkdtempSync(join(tmpdir(), 'aix-stdin-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('read blocks the thread, not the emulator; data written later completes it', async () => {
    const fifo = join(dir, 'in');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    // O_RDWR on a FIFO opens at once on Linux; a second writer fd lets the test close for EOF.
    const readFd = openSync(fifo, constants.O_RDWR);
    const writeFd = openSync(fifo, constants.O_WRONLY);
    const proc = makeProcess({ stdio: [readFd, 1, 2] });
    const t = proc.threads[0]!;
    callImport(proc, t, '_Errno', []);
    const buf = proc.space.allocate(0x1000n)!;
    let woken = 0;
    proc.files.hostEvent = () => woken++;

    const r = callImport(proc, t, 'read', [0, buf, 100]);
    expect(r.blocked).toBe(true);
    expect(proc.files.hasHostEvents()).toBe(true);
    // poll says "not readable yet" without blocking the caller.
    const pfd = buf + 0x800n;
    proc.mem.writeU32(pfd, 0);
    proc.mem.writeU32(pfd + 4n, POLLIN << 16);
    expect(callImport(proc, t, 'poll', [pfd, 1, 0]).r3).toBe(0n);
    callImport(proc, t, 'read', [0, buf, 100]); // blocked again (poll completed the earlier call)

    writeSync(writeFd, 'hello\n');
    for (let i = 0; i < 200 && woken === 0; i++) await new Promise((res) => setTimeout(res, 5));
    expect(woken).toBeGreaterThan(0);
    const done = t.waiter!.retry(false);
    expect(done).toBe(6);
    expect(Buffer.from(proc.mem.readBytes(buf, 6)).toString()).toBe('hello\n');

    closeSync(writeFd);
    closeSync(readFd);
  });
  it('partial reads, a zero-length read and EOF give each byte once, in order', async () => {
    const fifo = join(dir, 'in2');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    // The read end alone (non-blocking open), so closing the one writer gives EOF.
    const readFd = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
    const writeFd = openSync(fifo, constants.O_WRONLY);
    const proc = makeProcess({ stdio: [readFd, 1, 2] });
    const t = proc.threads[0]!;
    callImport(proc, t, '_Errno', []);
    const buf = proc.space.allocate(0x1000n)!;
    // Zero bytes asked: 0 at once, no host read started, no wait.
    expect(callImport(proc, t, 'read', [0, buf, 0])).toMatchObject({ r3: 0n, blocked: false });
    expect(proc.files.hasHostEvents()).toBe(false);
    writeSync(writeFd, 'abcdefg');
    closeSync(writeFd);
    const got: number[] = [];
    let eof = false;
    for (let calls = 0; calls < 50 && !eof; calls++) {
      let r: CallResult | undefined = undefined;
      const first = callImport(proc, t, 'read', [0, buf, 3]);
      if (!first.blocked) r = Number(first.r3);
      for (let i = 0; i < 400 && r === undefined; i++) {
        await new Promise((res) => setTimeout(res, 5));
        r = t.waiter!.retry(false);
      }
      if (first.blocked && r !== undefined) proc.completeCall(t, r);
      expect(typeof r).toBe('number');
      expect(r as number).toBeLessThanOrEqual(3);
      if (r === 0) eof = true;
      else got.push(...proc.mem.readBytes(buf, r as number));
    }
    expect(eof).toBe(true);
    expect(Buffer.from(got).toString()).toBe('abcdefg');
    // After EOF it stays EOF: nothing is delivered again.
    expect(callImport(proc, t, 'read', [0, buf, 3])).toMatchObject({ r3: 0n, blocked: false });
    closeSync(readFd);
  });
});
