// Sockets over Node's net module, called the way the sentinel dispatcher calls them: AIX sockaddr
// layouts (sin_len first), non-blocking EAGAIN/EINPROGRESS, poll readiness, SO_ERROR, socketpair.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ERRNO, O_NONBLOCK, POLLIN, POLLOUT } from '../../../src/aix/constants.js';
import { AF_INET, AF_INET6, AF_UNIX, decodeSockaddr, encodeSockaddr } from '../../../src/aix/sockaddr.js';
import type { AixProcess } from '../../../src/aix/process.js';
import type { GuestThread } from '../../../src/aix/threads.js';
import { asInt, callImport, processWithScratch } from './helpers.js';

const SOL_SOCKET = 0xffff;
const SO_ERROR = 0x1007;
const F_SETFL = 4;

/** Let Node's event loop run until the thread's blocked call completes; returns R3 and errno. */
async function settle(proc: AixProcess, t: GuestThread): Promise<{ r3: number; errno: number }> {
  for (let i = 0; i < 500 && t.status === 'blocked'; i++) {
    await new Promise((r) => setTimeout(r, 2));
    const r = t.waiter!.retry(false);
    if (r !== undefined) proc.completeCall(t, r);
  }
  expect(t.status).toBe('runnable');
  return { r3: asInt(t.state.getGpr(3)), errno: proc.mem.readU32(t.errnoCell) };
}

/** Retry a (consuming) check while Node's event loop runs; fails if it never holds. */
async function waitFor(cond: () => boolean): Promise<void> {
  let ok = cond();
  for (let i = 0; i < 500 && !ok; i++) {
    await new Promise((r) => setTimeout(r, 2));
    ok = cond();
  }
  expect(ok).toBe(true);
}

describe('sockaddr layouts (AIX: len, family, ...)', () => {
  it('sockaddr_in is 16 bytes with sin_len = 16, family 2, big-endian port', () => {
    const b = encodeSockaddr({ family: AF_INET, host: '127.0.0.1', port: 0x1234 });
    expect([...b]).toEqual([16, 2, 0x12, 0x34, 127, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(decodeSockaddr(b)).toEqual({ family: AF_INET, host: '127.0.0.1', port: 0x1234 });
  });

  it('sockaddr_in6 is 28 bytes, family 24, address at 8; v4-mapped and :: forms round-trip', () => {
    const b = encodeSockaddr({ family: AF_INET6, host: '::1', port: 80 });
    expect(b.length).toBe(28);
    expect(b[0]).toBe(28);
    expect(b[1]).toBe(24);
    expect(b[23]).toBe(1);
    expect(decodeSockaddr(b)).toEqual({ family: AF_INET6, host: '0:0:0:0:0:0:0:1', port: 80 });
    const m = encodeSockaddr({ family: AF_INET6, host: '127.0.0.1', port: 1 });
    expect([...m.subarray(18, 24)]).toEqual([0xff, 0xff, 127, 0, 0, 1]);
  });

  it('sockaddr_un carries the path after len and family', () => {
    const b = encodeSockaddr({ family: AF_UNIX, path: '/tmp/s' });
    expect(b[1]).toBe(AF_UNIX);
    expect(Buffer.from(b.subarray(2, 8)).toString()).toBe('/tmp/s');
    expect(decodeSockaddr(b)).toEqual({ family: AF_UNIX, path: '/tmp/s' });
  });
});

describe('TCP over loopback', () => {
  it('listen, non-blocking accept/connect, echo, poll readiness, EOF after close', async () => {
    const { proc, t, scratch } = processWithScratch();
    const sa = scratch + 0x100n;
    const lenp = scratch + 0x200n;
    const buf = scratch + 0x1000n;
    const pfd = scratch + 0x300n;
    const lfd = asInt(callImport(proc, t, 'socket', [AF_INET, 1, 0]).r3);
    expect(lfd).toBeGreaterThanOrEqual(3);
    proc.mem.writeBytes(sa, encodeSockaddr({ family: AF_INET, host: '127.0.0.1', port: 0 }));
    expect(callImport(proc, t, 'bind', [lfd, sa, 16]).r3).toBe(0n);
    expect(callImport(proc, t, 'listen', [lfd, 8]).blocked).toBe(true);
    expect((await settle(proc, t)).r3).toBe(0);
    proc.mem.writeU32(lenp, 16);
    expect(callImport(proc, t, 'getsockname', [lfd, sa, lenp]).r3).toBe(0n);
    const bound = decodeSockaddr(proc.mem.readBytes(sa, 16))!;
    expect(bound.host).toBe('127.0.0.1');
    expect(bound.port).toBeGreaterThan(0);

    callImport(proc, t, 'fcntl', [lfd, F_SETFL, O_NONBLOCK]);
    const none = callImport(proc, t, 'accept', [lfd, 0, 0]);
    expect(none.errno).toBe(ERRNO.EAGAIN);

    const cfd = asInt(callImport(proc, t, 'socket', [AF_INET, 1, 0]).r3);
    callImport(proc, t, 'fcntl', [cfd, F_SETFL, O_NONBLOCK]);
    const conn = callImport(proc, t, 'connect', [cfd, sa, 16]);
    expect(conn.errno).toBe(ERRNO.EINPROGRESS);

    // poll: the listener becomes readable, the client writable.
    proc.mem.writeU32(pfd, lfd);
    proc.mem.writeU32(pfd + 4n, POLLIN << 16);
    proc.mem.writeU32(pfd + 8n, cfd);
    proc.mem.writeU32(pfd + 12n, POLLOUT << 16);
    expect(callImport(proc, t, 'poll', [pfd, 2, -1]).blocked).toBe(true);
    expect((await settle(proc, t)).r3).toBeGreaterThanOrEqual(1);
    await waitFor(() => asInt(callImport(proc, t, 'poll', [pfd, 2, 0]).r3) === 2);
    expect(proc.mem.readU32(pfd + 4n) & 0xffff).toBe(POLLIN);
    expect(proc.mem.readU32(pfd + 12n) & 0xffff).toBe(POLLOUT);
    proc.mem.writeU32(lenp, 4);
    callImport(proc, t, 'getsockopt', [cfd, SOL_SOCKET, SO_ERROR, buf, lenp]);
    expect(proc.mem.readU32(buf)).toBe(0);

    proc.mem.writeU32(lenp, 16);
    const sfd = asInt(callImport(proc, t, 'accept', [lfd, sa, lenp]).r3);
    expect(sfd).toBeGreaterThan(cfd);
    expect(decodeSockaddr(proc.mem.readBytes(sa, 16))!.host).toBe('127.0.0.1');

    proc.mem.writeBytes(buf, Buffer.from('ping'));
    expect(callImport(proc, t, 'write', [cfd, buf, 4]).r3).toBe(4n);
    callImport(proc, t, 'fcntl', [sfd, F_SETFL, O_NONBLOCK]);
    await waitFor(() => asInt(callImport(proc, t, 'read', [sfd, buf + 0x100n, 64]).r3) === 4);
    expect(Buffer.from(proc.mem.readBytes(buf + 0x100n, 4)).toString()).toBe('ping');
    expect(callImport(proc, t, 'read', [sfd, buf, 64]).errno).toBe(ERRNO.EAGAIN);

    expect(callImport(proc, t, 'close', [cfd]).r3).toBe(0n);
    await waitFor(() => callImport(proc, t, 'read', [sfd, buf, 64]).r3 === 0n);
    callImport(proc, t, 'close', [sfd]);
    callImport(proc, t, 'close', [lfd]);
  });

  it('a refused non-blocking connect reports ECONNREFUSED through SO_ERROR', async () => {
    const { proc, t, scratch } = processWithScratch();
    const sa = scratch + 0x100n;
    const lenp = scratch + 0x200n;
    // A port that was just free: listen, learn it, close.
    const lfd = asInt(callImport(proc, t, 'socket', [AF_INET, 1, 0]).r3);
    proc.mem.writeBytes(sa, encodeSockaddr({ family: AF_INET, host: '127.0.0.1', port: 0 }));
    callImport(proc, t, 'bind', [lfd, sa, 16]);
    callImport(proc, t, 'listen', [lfd, 1]);
    await settle(proc, t);
    proc.mem.writeU32(lenp, 16);
    callImport(proc, t, 'getsockname', [lfd, sa, lenp]);
    callImport(proc, t, 'close', [lfd]);
    await new Promise((r) => setTimeout(r, 20));
    const cfd = asInt(callImport(proc, t, 'socket', [AF_INET, 1, 0]).r3);
    callImport(proc, t, 'fcntl', [cfd, F_SETFL, O_NONBLOCK]);
    expect(callImport(proc, t, 'connect', [cfd, sa, 16]).errno).toBe(ERRNO.EINPROGRESS);
    const v = scratch + 0x400n;
    await waitFor(() => {
      proc.mem.writeU32(lenp, 4);
      callImport(proc, t, 'getsockopt', [cfd, SOL_SOCKET, SO_ERROR, v, lenp]);
      return proc.mem.readU32(v) !== 0;
    });
    expect(proc.mem.readU32(v)).toBe(ERRNO.ECONNREFUSED);
    // Reading SO_ERROR clears it.
    callImport(proc, t, 'getsockopt', [cfd, SOL_SOCKET, SO_ERROR, v, lenp]);
    expect(proc.mem.readU32(v)).toBe(0);
  });

  it('refuses datagram sockets, unknown families, and socket calls on files', () => {
    const { proc, t } = processWithScratch();
    expect(callImport(proc, t, 'socket', [AF_INET, 2, 0]).errno).toBe(ERRNO.EPROTONOSUPPORT);
    expect(callImport(proc, t, 'socket', [99, 1, 0]).errno).toBe(ERRNO.EAFNOSUPPORT);
    expect(callImport(proc, t, 'listen', [1, 1]).errno).toBe(ERRNO.ENOTSOCK);
    expect(callImport(proc, t, 'listen', [77, 1]).errno).toBe(ERRNO.EBADF);
  });
});

describe('AF_UNIX', () => {
  const dir = mkdtempSync(join(tmpdir(), 'aix-unix-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('socketpair carries bytes both ways and reports EOF after the peer closes', () => {
    const { proc, t, scratch } = processWithScratch();
    expect(callImport(proc, t, 'socketpair', [AF_UNIX, 1, 0, scratch]).r3).toBe(0n);
    const a = proc.mem.readU32(scratch);
    const b = proc.mem.readU32(scratch + 4n);
    proc.mem.writeBytes(scratch + 0x100n, Buffer.from('hi'));
    expect(callImport(proc, t, 'write', [a, scratch + 0x100n, 2]).r3).toBe(2n);
    expect(callImport(proc, t, 'read', [b, scratch + 0x200n, 10]).r3).toBe(2n);
    expect(Buffer.from(proc.mem.readBytes(scratch + 0x200n, 2)).toString()).toBe('hi');
    // Blocking read with nothing buffered waits; the peer's close ends it with 0.
    expect(callImport(proc, t, 'read', [b, scratch + 0x200n, 10]).blocked).toBe(true);
    const t2 = proc.spawnThread(proc.program.main.loaderCallback, 0n, 0x10000n, t)!;
    callImport(proc, t2, 'close', [a]);
    const r = t.waiter!.retry(false);
    expect(r).toBe(0);
  });

  it('socketpair: partial reads, EAGAIN, zero-length calls, then EOF deliver each byte once', () => {
    const { proc, t, scratch } = processWithScratch();
    expect(callImport(proc, t, 'socketpair', [AF_UNIX, 1, 0, scratch]).r3).toBe(0n);
    const a = proc.mem.readU32(scratch);
    const b = proc.mem.readU32(scratch + 4n);
    callImport(proc, t, 'fcntl', [b, F_SETFL, O_NONBLOCK]);
    const src = scratch + 0x100n;
    const dst = scratch + 0x200n;
    expect(callImport(proc, t, 'write', [a, src, 0])).toMatchObject({ r3: 0n, errno: 0 });
    expect(callImport(proc, t, 'read', [b, dst, 0])).toMatchObject({ r3: 0n, errno: 0 });
    expect(callImport(proc, t, 'read', [b, dst, 4]).errno).toBe(ERRNO.EAGAIN);
    proc.mem.writeBytes(src, Buffer.from('abcdef'));
    expect(callImport(proc, t, 'write', [a, src, 6]).r3).toBe(6n);
    const got: number[] = [];
    for (const n of [4, 4]) {
      const r = Number(callImport(proc, t, 'read', [b, dst, n]).r3);
      got.push(...proc.mem.readBytes(dst, r));
    }
    expect(Buffer.from(got).toString()).toBe('abcdef');
    expect(callImport(proc, t, 'read', [b, dst, 4]).errno).toBe(ERRNO.EAGAIN);
    callImport(proc, t, 'close', [a]);
    expect(callImport(proc, t, 'read', [b, dst, 4])).toMatchObject({ r3: 0n, errno: 0 });
  });

  it('listen/connect on a path under the file system', async () => {
    const { proc, t, scratch } = processWithScratch();
    const sa = scratch + 0x100n;
    const path = join(dir, 'sock');
    const lfd = asInt(callImport(proc, t, 'socket', [AF_UNIX, 1, 0]).r3);
    const addr = encodeSockaddr({ family: AF_UNIX, path });
    proc.mem.writeBytes(sa, addr);
    expect(callImport(proc, t, 'bind', [lfd, sa, addr.length]).r3).toBe(0n);
    callImport(proc, t, 'listen', [lfd, 4]);
    expect((await settle(proc, t)).r3).toBe(0);
    const cfd = asInt(callImport(proc, t, 'socket', [AF_UNIX, 1, 0]).r3);
    expect(callImport(proc, t, 'connect', [cfd, sa, addr.length]).blocked).toBe(true);
    expect((await settle(proc, t)).r3).toBe(0);
    // A blocking accept waits for the connection to be queued, then returns the new fd.
    const first = callImport(proc, t, 'accept', [lfd, 0, 0]);
    const got = first.blocked ? (await settle(proc, t)).r3 : asInt(first.r3);
    expect(got).toBeGreaterThan(cfd);
  });
});
