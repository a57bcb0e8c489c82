// A guest read of a host stream that may block (stdin on a pipe) blocks only the calling guest
// thread: the host read is asynchronous and its data wakes the thread through the scheduler's
// waiter; other threads stay runnable meanwhile.
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync, constants } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { POLLIN } from '../../../src/aix/constants.js';
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
});
