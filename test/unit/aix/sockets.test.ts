// Sockets over Node's net and dgram modules, called the way the sentinel dispatcher calls them: AIX
// sockaddr layouts (sin_len first), non-blocking EAGAIN/EINPROGRESS, poll readiness, SO_ERROR,
// socketpair, and datagrams (boundaries, truncation, connected peers).
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ERRNO, O_NONBLOCK, POLLIN, POLLOUT } from '../../../src/aix/constants.js';
import { AF_INET, AF_INET6, AF_UNIX, AF_UNSPEC, MSG_PEEK, MSG_TRUNC, SOCK_DGRAM, SO_TYPE, decodeSockaddr, encodeSockaddr, isBindableAddress } from '../../../src/aix/sockaddr.js';
import { KINFO_RT_IFLIST, SIOCGIFMTU, hostInterfaces, interfaceListTable } from '../../../src/aix/interfaces.js';
import type { AixProcess } from '../../../src/aix/process.js';
import type { GuestThread } from '../../../src/aix/threads.js';
import { asInt, callImport, processWithScratch } from './helpers.js';

const SOL_SOCKET = 0xffff;
const SO_ERROR = 0x1007;
const SO_LINGER = 0x80;
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

/** A TCP listener on 127.0.0.1 at a free port; its sockaddr (port included) is left at `sa`. */
async function listenOnLoopback(proc: AixProcess, t: GuestThread, sa: bigint, lenp: bigint): Promise<number> {
  const lfd = asInt(callImport(proc, t, 'socket', [AF_INET, 1, 0]).r3);
  proc.mem.writeBytes(sa, encodeSockaddr({ family: AF_INET, host: '127.0.0.1', port: 0 }));
  callImport(proc, t, 'bind', [lfd, sa, 16]);
  callImport(proc, t, 'listen', [lfd, 1]);
  await settle(proc, t);
  proc.mem.writeU32(lenp, 16);
  callImport(proc, t, 'getsockname', [lfd, sa, lenp]);
  return lfd;
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

describe('bindable addresses', () => {
  it('wildcard and loopback in every spelling, v4-mapped included (Go probes ::ffff:127.0.0.1 to enable dual stack)', () => {
    for (const h of ['0.0.0.0', '127.0.0.1', '127.3.2.1', '::', '::1', '0:0:0:0:0:0:0:1', '::ffff:127.0.0.1', '0:0:0:0:0:ffff:7f00:1']) expect(isBindableAddress(h)).toBe(true);
    for (const h of ['8.8.8.8', '2001:db8::1', '0:0:0:0:0:0:0:2', 'localhost', '']) expect(isBindableAddress(h)).toBe(false);
  });

  it('AF_UNSPEC encodes as a 16-byte sockaddr with family 0', () => {
    expect([...encodeSockaddr({ family: AF_UNSPEC })]).toEqual([16, ...new Array<number>(15).fill(0)]);
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

  it('close with SO_LINGER {on, 0} resets the connection: the peer reads ECONNRESET, not EOF', async () => {
    const { proc, t, scratch } = processWithScratch();
    const sa = scratch + 0x100n;
    const lenp = scratch + 0x200n;
    const buf = scratch + 0x1000n;
    const lfd = await listenOnLoopback(proc, t, sa, lenp);
    const cfd = asInt(callImport(proc, t, 'socket', [AF_INET, 1, 0]).r3);
    expect(callImport(proc, t, 'connect', [cfd, sa, 16]).blocked).toBe(true);
    expect((await settle(proc, t)).r3).toBe(0);
    const first = callImport(proc, t, 'accept', [lfd, 0, 0]);
    const sfd = first.blocked ? (await settle(proc, t)).r3 : asInt(first.r3);
    proc.mem.writeU32(buf, 1);
    proc.mem.writeU32(buf + 4n, 0);
    expect(callImport(proc, t, 'setsockopt', [sfd, SOL_SOCKET, SO_LINGER, buf, 8]).r3).toBe(0n);
    callImport(proc, t, 'close', [sfd]);
    callImport(proc, t, 'fcntl', [cfd, F_SETFL, O_NONBLOCK]);
    let got = { r3: 0n, errno: ERRNO.EAGAIN };
    await waitFor(() => (got = callImport(proc, t, 'read', [cfd, buf, 16])).errno !== ERRNO.EAGAIN);
    expect(got.errno).toBe(ERRNO.ECONNRESET);
    expect(callImport(proc, t, 'read', [cfd, buf, 16]).r3).toBe(0n); // after the error: EOF
  });

  it('a refused non-blocking connect reports ECONNREFUSED through SO_ERROR', async () => {
    const { proc, t, scratch } = processWithScratch();
    const sa = scratch + 0x100n;
    const lenp = scratch + 0x200n;
    // A port that was just free: listen, learn it, close.
    const lfd = await listenOnLoopback(proc, t, sa, lenp);
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

  it('refuses raw sockets (EACCES: the privilege is not ours to give, even as root), seqpacket, unknown families, and socket calls on files', () => {
    const { proc, t } = processWithScratch();
    expect(callImport(proc, t, 'socket', [AF_UNIX, 5, 0]).errno).toBe(ERRNO.EPROTONOSUPPORT);
    expect(callImport(proc, t, 'socket', [AF_INET, 3, 1]).errno).toBe(ERRNO.EACCES);
    expect(callImport(proc, t, 'socket', [AF_INET6, 3, 58]).errno).toBe(ERRNO.EACCES);
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

  it('socketpair passes descriptors (SCM_RIGHTS): the receiver gets a new fd on the same open file; no room is MSG_CTRUNC', () => {
    const { proc, t, scratch } = processWithScratch();
    expect(callImport(proc, t, 'socketpair', [AF_UNIX, 1, 0, scratch]).r3).toBe(0n);
    const a = proc.mem.readU32(scratch);
    const b = proc.mem.readU32(scratch + 4n);
    expect(callImport(proc, t, 'pipe', [scratch + 0x10n]).r3).toBe(0n);
    const [rfd, wfd] = [proc.mem.readU32(scratch + 0x10n), proc.mem.readU32(scratch + 0x14n)];
    const msg = scratch + 0x100n;
    const iov = scratch + 0x200n;
    const ctl = scratch + 0x300n;
    const buf = scratch + 0x400n;
    /** struct msghdr: name, namelen, iov, iovlen, control, controllen, flags. */
    const msghdr = (iovLen: number, controlLen: number) => {
      proc.mem.writeBytes(msg, new Uint8Array(48));
      proc.mem.writeU64(msg + 16n, iov);
      proc.mem.writeU32(msg + 24n, 1);
      proc.mem.writeU64(msg + 32n, ctl);
      proc.mem.writeU32(msg + 40n, controlLen);
      proc.mem.writeU64(iov, buf);
      proc.mem.writeU64(iov + 8n, BigInt(iovLen));
    };
    const sendFd = (fd: number) => {
      msghdr(1, 16);
      for (const [i, v] of [16, 0xffff, 1, fd].entries()) proc.mem.writeU32(ctl + BigInt(4 * i), v);
      proc.mem.writeBytes(buf, Buffer.from('x'));
      expect(callImport(proc, t, 'nsendmsg', [a, msg, 0]).r3).toBe(1n);
    };
    sendFd(wfd);
    callImport(proc, t, 'close', [wfd]); // the write end lives on in flight
    msghdr(16, 64);
    expect(callImport(proc, t, 'nrecvmsg', [b, msg, 0]).r3).toBe(1n);
    expect(proc.mem.readU32(msg + 40n)).toBe(16);
    expect([proc.mem.readU32(ctl), proc.mem.readU32(ctl + 4n), proc.mem.readU32(ctl + 8n)]).toEqual([16, 0xffff, 1]);
    const got = proc.mem.readU32(ctl + 12n);
    proc.mem.writeBytes(buf, Buffer.from('via passed fd'));
    expect(callImport(proc, t, 'write', [got, buf, 13]).r3).toBe(13n);
    expect(callImport(proc, t, 'read', [rfd, scratch + 0x800n, 64]).r3).toBe(13n);
    // No room for the control data: the descriptor is closed and MSG_CTRUNC says so.
    sendFd(got);
    callImport(proc, t, 'close', [got]);
    msghdr(16, 0);
    expect(callImport(proc, t, 'nrecvmsg', [b, msg, 0]).r3).toBe(1n);
    expect(proc.mem.readU32(msg + 44n) & 0x20).toBe(0x20);
    expect(callImport(proc, t, 'read', [rfd, scratch + 0x800n, 64]).r3).toBe(0n); // every write end is gone: EOF
    // Descriptors only travel between the machine's own sockets: a UDP socket refuses them.
    const udp = asInt(callImport(proc, t, 'socket', [AF_INET, SOCK_DGRAM, 0]).r3);
    msghdr(1, 16);
    for (const [i, v] of [16, 0xffff, 1, rfd].entries()) proc.mem.writeU32(ctl + BigInt(4 * i), v);
    expect(callImport(proc, t, 'nsendmsg', [udp, msg, 0]).errno).toBe(ERRNO.EOPNOTSUPP);
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
    // The connecting side knows the name it connected to.
    const lenp = scratch + 0x400n;
    proc.mem.writeU32(lenp, 1025);
    expect(callImport(proc, t, 'getpeername', [cfd, scratch + 0x200n, lenp]).r3).toBe(0n);
    expect(decodeSockaddr(proc.mem.readBytes(scratch + 0x200n, proc.mem.readU32(lenp)))).toEqual({ family: AF_UNIX, path });
    // Closing the listener leaves its socket file, as the kernel does (unlinking is the program's business).
    callImport(proc, t, 'close', [lfd]);
    expect(statSync(path).isSocket()).toBe(true);
  });
});

describe('AF_UNIX datagrams (emulated inside the machine)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'aix-unixgram-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** A socket bound to `path` (its sockaddr left at `sa`); returns the fd and the sockaddr length. */
  function boundUnixgram(proc: AixProcess, t: GuestThread, sa: bigint, path: string): { fd: number; len: number } {
    const fd = asInt(callImport(proc, t, 'socket', [AF_UNIX, SOCK_DGRAM, 0]).r3);
    const addr = encodeSockaddr({ family: AF_UNIX, path });
    proc.mem.writeBytes(sa, addr);
    expect(callImport(proc, t, 'bind', [fd, sa, addr.length])).toMatchObject({ r3: 0n, errno: 0 });
    return { fd, len: addr.length };
  }

  it('bound paths: boundaries, the sender\'s name, truncation, EADDRINUSE, ENOENT/ECONNREFUSED, the file outlives the socket', () => {
    const { proc, t, scratch } = processWithScratch();
    const sa = scratch + 0x100n;
    const from = scratch + 0x300n;
    const lenp = scratch + 0x400n;
    const buf = scratch + 0x1000n;
    const rpath = join(dir, 'r.sock');
    const spath = join(dir, 's.sock');
    const r = boundUnixgram(proc, t, sa, rpath);
    // A second bind to the same name: the file is there.
    const dup = asInt(callImport(proc, t, 'socket', [AF_UNIX, SOCK_DGRAM, 0]).r3);
    expect(callImport(proc, t, 'bind', [dup, sa, r.len]).errno).toBe(ERRNO.EADDRINUSE);
    const s = boundUnixgram(proc, t, scratch + 0x200n, spath);
    callImport(proc, t, 'fcntl', [r.fd, F_SETFL, O_NONBLOCK]);
    expect(callImport(proc, t, 'recvfrom', [r.fd, buf, 64, 0, 0, 0]).errno).toBe(ERRNO.EAGAIN);
    for (const m of ['one', 'two datagrams']) {
      proc.mem.writeBytes(buf, Buffer.from(m));
      expect(callImport(proc, t, 'sendto', [s.fd, buf, m.length, 0, sa, r.len]).r3).toBe(BigInt(m.length));
    }
    proc.mem.writeU32(lenp, 1025);
    expect(callImport(proc, t, 'recvfrom', [r.fd, buf, 64, 0, from, lenp]).r3).toBe(3n);
    expect(Buffer.from(proc.mem.readBytes(buf, 3)).toString()).toBe('one');
    expect(decodeSockaddr(proc.mem.readBytes(from, proc.mem.readU32(lenp)))).toEqual({ family: AF_UNIX, path: spath });
    expect(callImport(proc, t, 'recvfrom', [r.fd, buf, 3, 0, 0, 0]).r3).toBe(3n); // 'two', the rest is gone
    expect(callImport(proc, t, 'recvfrom', [r.fd, buf, 64, 0, 0, 0]).errno).toBe(ERRNO.EAGAIN);
    // An unnamed sender: recvfrom reports an empty name.
    const anon = asInt(callImport(proc, t, 'socket', [AF_UNIX, SOCK_DGRAM, 0]).r3);
    expect(callImport(proc, t, 'sendto', [anon, buf, 2, 0, sa, r.len]).r3).toBe(2n);
    proc.mem.writeU32(lenp, 1025);
    expect(callImport(proc, t, 'recvfrom', [r.fd, buf, 64, 0, from, lenp]).r3).toBe(2n);
    expect(decodeSockaddr(proc.mem.readBytes(from, proc.mem.readU32(lenp)))).toEqual({ family: AF_UNIX, path: '' });
    // Closed: its file stays (ECONNREFUSED); a name nobody made is ENOENT.
    callImport(proc, t, 'close', [r.fd]);
    expect(existsSync(rpath)).toBe(true);
    expect(callImport(proc, t, 'sendto', [anon, buf, 2, 0, sa, r.len]).errno).toBe(ERRNO.ECONNREFUSED);
    proc.mem.writeBytes(sa, encodeSockaddr({ family: AF_UNIX, path: join(dir, 'nobody') }));
    expect(callImport(proc, t, 'sendto', [anon, buf, 2, 0, sa, r.len]).errno).toBe(ERRNO.ENOENT);
  });

  it('connect sets the peer (write, getpeername, EISCONN), and socketpair pairs two datagram sockets', () => {
    const { proc, t, scratch } = processWithScratch();
    const sa = scratch + 0x100n;
    const lenp = scratch + 0x400n;
    const buf = scratch + 0x1000n;
    const r = boundUnixgram(proc, t, sa, join(dir, 'peer.sock'));
    const c = asInt(callImport(proc, t, 'socket', [AF_UNIX, SOCK_DGRAM, 0]).r3);
    expect(callImport(proc, t, 'connect', [c, sa, r.len]).r3).toBe(0n);
    proc.mem.writeU32(lenp, 1025);
    expect(callImport(proc, t, 'getpeername', [c, scratch + 0x200n, lenp]).r3).toBe(0n);
    expect(decodeSockaddr(proc.mem.readBytes(scratch + 0x200n, proc.mem.readU32(lenp)))).toEqual({ family: AF_UNIX, path: join(dir, 'peer.sock') });
    proc.mem.writeBytes(buf, Buffer.from('hello'));
    expect(callImport(proc, t, 'write', [c, buf, 5]).r3).toBe(5n);
    expect(callImport(proc, t, 'sendto', [c, buf, 5, 0, sa, r.len]).errno).toBe(ERRNO.EISCONN);
    expect(callImport(proc, t, 'read', [r.fd, scratch + 0x800n, 64]).r3).toBe(5n);

    expect(callImport(proc, t, 'socketpair', [AF_UNIX, SOCK_DGRAM, 0, scratch]).r3).toBe(0n);
    const a = proc.mem.readU32(scratch);
    const b = proc.mem.readU32(scratch + 4n);
    expect(callImport(proc, t, 'write', [a, buf, 2]).r3).toBe(2n);
    expect(callImport(proc, t, 'write', [a, buf, 5]).r3).toBe(5n);
    expect(callImport(proc, t, 'read', [b, scratch + 0x800n, 64]).r3).toBe(2n);
    expect(callImport(proc, t, 'read', [b, scratch + 0x800n, 64]).r3).toBe(5n);
    expect(callImport(proc, t, 'write', [b, buf, 1]).r3).toBe(1n);
    expect(callImport(proc, t, 'read', [a, scratch + 0x800n, 64]).r3).toBe(1n);
    callImport(proc, t, 'close', [b]);
    expect(callImport(proc, t, 'write', [a, buf, 1]).errno).toBe(ERRNO.ECONNREFUSED);
  });
});

describe('UDP over loopback', () => {
  /** A bound datagram socket on 127.0.0.1 (or ::1) and its sockaddr (with the port) at `sa`. */
  async function boundUdp(proc: AixProcess, t: GuestThread, sa: bigint, lenp: bigint, family = AF_INET): Promise<{ fd: number; port: number }> {
    const fd = asInt(callImport(proc, t, 'socket', [family, SOCK_DGRAM, 0]).r3);
    const addr = encodeSockaddr({ family, host: family === AF_INET ? '127.0.0.1' : '::1', port: 0 });
    proc.mem.writeBytes(sa, addr);
    const b = callImport(proc, t, 'bind', [fd, sa, addr.length]);
    expect(b.blocked ? (await settle(proc, t)).r3 : asInt(b.r3)).toBe(0);
    proc.mem.writeU32(lenp, 28);
    expect(callImport(proc, t, 'getsockname', [fd, sa, lenp]).r3).toBe(0n);
    const port = decodeSockaddr(proc.mem.readBytes(sa, addr.length))!.port!;
    expect(port).toBeGreaterThan(0);
    return { fd, port };
  }

  it('sendto/recvfrom keep boundaries, report the source, truncate a short read, honour MSG_PEEK and poll', async () => {
    const { proc, t, scratch } = processWithScratch();
    const sa = scratch + 0x100n;
    const lenp = scratch + 0x200n;
    const from = scratch + 0x300n;
    const pfd = scratch + 0x400n;
    const buf = scratch + 0x1000n;
    const a = await boundUdp(proc, t, sa, lenp);
    const b = await boundUdp(proc, t, sa, lenp);
    callImport(proc, t, 'fcntl', [b.fd, F_SETFL, O_NONBLOCK]);
    expect(callImport(proc, t, 'recvfrom', [b.fd, buf, 64, 0, 0, 0]).errno).toBe(ERRNO.EAGAIN);

    proc.mem.writeBytes(sa, encodeSockaddr({ family: AF_INET, host: '127.0.0.1', port: b.port }));
    for (const m of ['first', 'second datagram', 'third']) {
      proc.mem.writeBytes(buf, Buffer.from(m));
      expect(callImport(proc, t, 'sendto', [a.fd, buf, m.length, 0, sa, 16]).r3).toBe(BigInt(m.length));
    }
    // poll: readable once the first datagram is queued; always writable.
    proc.mem.writeU32(pfd, b.fd);
    proc.mem.writeU32(pfd + 4n, (POLLIN | POLLOUT) << 16);
    await waitFor(() => asInt(callImport(proc, t, 'poll', [pfd, 1, 0]).r3) === 1 && (proc.mem.readU32(pfd + 4n) & 0xffff) === (POLLIN | POLLOUT));

    // MSG_PEEK leaves the datagram queued; a 64-byte read takes exactly one datagram.
    expect(callImport(proc, t, 'recvfrom', [b.fd, buf, 64, MSG_PEEK, 0, 0]).r3).toBe(5n);
    proc.mem.writeU32(lenp, 16);
    expect(callImport(proc, t, 'recvfrom', [b.fd, buf, 64, 0, from, lenp]).r3).toBe(5n);
    expect(Buffer.from(proc.mem.readBytes(buf, 5)).toString()).toBe('first');
    expect(proc.mem.readU32(lenp)).toBe(16);
    expect(decodeSockaddr(proc.mem.readBytes(from, 16))).toEqual({ family: AF_INET, host: '127.0.0.1', port: a.port });
    // A 6-byte buffer gets the head of the 15-byte datagram; its tail is dropped, not read next.
    await waitFor(() => asInt(callImport(proc, t, 'recvfrom', [b.fd, buf, 6, 0, 0, 0]).r3) === 6);
    expect(Buffer.from(proc.mem.readBytes(buf, 6)).toString()).toBe('second');
    await waitFor(() => asInt(callImport(proc, t, 'read', [b.fd, buf, 64]).r3) === 5);
    expect(Buffer.from(proc.mem.readBytes(buf, 5)).toString()).toBe('third');
    expect(callImport(proc, t, 'read', [b.fd, buf, 64]).errno).toBe(ERRNO.EAGAIN);
    callImport(proc, t, 'close', [a.fd]);
    callImport(proc, t, 'close', [b.fd]);
  });

  it('a blocking recvfrom waits for the datagram; the first sendto of an unbound socket binds it', async () => {
    const { proc, t, scratch } = processWithScratch();
    const sa = scratch + 0x100n;
    const lenp = scratch + 0x200n;
    const buf = scratch + 0x1000n;
    const b = await boundUdp(proc, t, sa, lenp);
    expect(callImport(proc, t, 'recvfrom', [b.fd, buf, 64, 0, 0, 0]).blocked).toBe(true);
    const t2 = proc.spawnThread(proc.program.main.loaderCallback, 0n, 0x10000n, t)!;
    callImport(proc, t2, '_Errno', []);
    const c = asInt(callImport(proc, t2, 'socket', [AF_INET, SOCK_DGRAM, 0]).r3);
    proc.mem.writeU32(lenp, 16);
    callImport(proc, t2, 'getsockname', [c, sa, lenp]);
    expect(decodeSockaddr(proc.mem.readBytes(sa, 16))!.port).toBe(0);
    proc.mem.writeBytes(sa, encodeSockaddr({ family: AF_INET, host: '127.0.0.1', port: b.port }));
    proc.mem.writeBytes(buf + 0x100n, Buffer.from('wake'));
    const sent = callImport(proc, t2, 'sendto', [c, buf + 0x100n, 4, 0, sa, 16]);
    expect(sent.blocked ? (await settle(proc, t2)).r3 : asInt(sent.r3)).toBe(4);
    proc.mem.writeU32(lenp, 16);
    callImport(proc, t2, 'getsockname', [c, sa, lenp]);
    expect(decodeSockaddr(proc.mem.readBytes(sa, 16))!.port).toBeGreaterThan(0);
    expect((await settle(proc, t)).r3).toBe(4);
    expect(Buffer.from(proc.mem.readBytes(buf, 4)).toString()).toBe('wake');
  });

  it('connect sets the peer: write/read, getpeername, only the peer is heard, EISCONN, AF_UNSPEC disconnects', async () => {
    const { proc, t, scratch } = processWithScratch();
    const sa = scratch + 0x100n;
    const lenp = scratch + 0x200n;
    const buf = scratch + 0x1000n;
    const server = await boundUdp(proc, t, sa, lenp);
    const other = await boundUdp(proc, t, sa, lenp);
    const c = asInt(callImport(proc, t, 'socket', [AF_INET, SOCK_DGRAM, 0]).r3);
    callImport(proc, t, 'fcntl', [c, F_SETFL, O_NONBLOCK]);
    proc.mem.writeU32(lenp, 16);
    expect(callImport(proc, t, 'getpeername', [c, sa, lenp]).errno).toBe(ERRNO.ENOTCONN);
    expect(callImport(proc, t, 'write', [c, buf, 1]).errno).toBe(ERRNO.EDESTADDRREQ);
    const serverAddr = encodeSockaddr({ family: AF_INET, host: '127.0.0.1', port: server.port });
    proc.mem.writeBytes(sa, serverAddr);
    // Never EINPROGRESS, even non-blocking: the call returns once the peer is set.
    const conn = callImport(proc, t, 'connect', [c, sa, 16]);
    expect(conn.errno).toBe(0);
    expect(conn.blocked ? (await settle(proc, t)).r3 : asInt(conn.r3)).toBe(0);
    proc.mem.writeU32(lenp, 16);
    expect(callImport(proc, t, 'getpeername', [c, sa + 0x40n, lenp]).r3).toBe(0n);
    expect(decodeSockaddr(proc.mem.readBytes(sa + 0x40n, 16))).toEqual({ family: AF_INET, host: '127.0.0.1', port: server.port });
    proc.mem.writeU32(lenp, 16);
    callImport(proc, t, 'getsockname', [c, sa + 0x40n, lenp]);
    const local = decodeSockaddr(proc.mem.readBytes(sa + 0x40n, 16))!;
    expect(local.host).toBe('127.0.0.1');
    expect(callImport(proc, t, 'sendto', [c, buf, 1, 0, sa, 16]).errno).toBe(ERRNO.EISCONN);
    proc.mem.writeBytes(buf, Buffer.from('to server'));
    expect(callImport(proc, t, 'write', [c, buf, 9]).r3).toBe(9n);
    await waitFor(() => asInt(callImport(proc, t, 'read', [server.fd, buf + 0x100n, 64]).r3) === 9);

    // A datagram from a stranger is not delivered; the peer's is.
    proc.mem.writeBytes(sa, encodeSockaddr({ family: AF_INET, host: '127.0.0.1', port: local.port! }));
    proc.mem.writeBytes(buf, Buffer.from('stranger'));
    callImport(proc, t, 'sendto', [other.fd, buf, 8, 0, sa, 16]);
    proc.mem.writeBytes(buf, Buffer.from('peer'));
    callImport(proc, t, 'sendto', [server.fd, buf, 4, 0, sa, 16]);
    await waitFor(() => asInt(callImport(proc, t, 'read', [c, buf + 0x100n, 64]).r3) === 4);
    expect(Buffer.from(proc.mem.readBytes(buf + 0x100n, 4)).toString()).toBe('peer');
    expect(callImport(proc, t, 'read', [c, buf + 0x100n, 64]).errno).toBe(ERRNO.EAGAIN);

    proc.mem.writeBytes(sa, encodeSockaddr({ family: AF_UNSPEC }));
    expect(callImport(proc, t, 'connect', [c, sa, 16]).r3).toBe(0n);
    proc.mem.writeU32(lenp, 16);
    expect(callImport(proc, t, 'getpeername', [c, sa, lenp]).errno).toBe(ERRNO.ENOTCONN);
  });

  it('stream-only calls, oversize datagrams and SO_TYPE', () => {
    const { proc, t, scratch } = processWithScratch();
    const u = asInt(callImport(proc, t, 'socket', [AF_INET, SOCK_DGRAM, 0]).r3);
    expect(callImport(proc, t, 'listen', [u, 1]).errno).toBe(ERRNO.EOPNOTSUPP);
    expect(callImport(proc, t, 'accept', [u, 0, 0]).errno).toBe(ERRNO.EOPNOTSUPP);
    expect(callImport(proc, t, 'shutdown', [u, 1]).errno).toBe(ERRNO.ENOTCONN);
    const sa = scratch + 0x100n;
    proc.mem.writeBytes(sa, encodeSockaddr({ family: AF_INET, host: '127.0.0.1', port: 9 }));
    expect(callImport(proc, t, 'sendto', [u, scratch + 0x1000n, 65508, 0, sa, 16]).errno).toBe(ERRNO.EMSGSIZE);
    proc.mem.writeBytes(sa, encodeSockaddr({ family: AF_INET6, host: '::1', port: 9 }));
    expect(callImport(proc, t, 'sendto', [u, scratch + 0x1000n, 1, 0, sa, 28]).errno).toBe(ERRNO.EAFNOSUPPORT);
    const lenp = scratch + 0x200n;
    proc.mem.writeU32(lenp, 4);
    callImport(proc, t, 'getsockopt', [u, SOL_SOCKET, SO_TYPE, scratch + 0x300n, lenp]);
    expect(proc.mem.readU32(scratch + 0x300n)).toBe(SOCK_DGRAM);
  });

  it('nrecvmsg on IPv6 fills msg_name and sets MSG_TRUNC for a cut datagram', async () => {
    const { proc, t, scratch } = processWithScratch();
    const sa = scratch + 0x100n;
    const lenp = scratch + 0x200n;
    const buf = scratch + 0x1000n;
    const a = await boundUdp(proc, t, sa, lenp, AF_INET6);
    const b = await boundUdp(proc, t, sa, lenp, AF_INET6);
    proc.mem.writeBytes(sa, encodeSockaddr({ family: AF_INET6, host: '::1', port: b.port }));
    proc.mem.writeBytes(buf, Buffer.from('0123456789'));
    expect(callImport(proc, t, 'sendto', [a.fd, buf, 10, 0, sa, 28]).r3).toBe(10n);
    // struct msghdr: name, namelen, iov, iovlen, control, controllen, flags; one 4-byte iovec.
    const msg = scratch + 0x400n;
    const iov = scratch + 0x500n;
    const name = scratch + 0x600n;
    proc.mem.writeU64(iov, buf + 0x100n);
    proc.mem.writeU64(iov + 8n, 4n);
    proc.mem.writeU64(msg, name);
    proc.mem.writeU32(msg + 8n, 28);
    proc.mem.writeU64(msg + 16n, iov);
    proc.mem.writeU32(msg + 24n, 1);
    const r = callImport(proc, t, 'nrecvmsg', [b.fd, msg, 0]);
    expect(r.blocked ? (await settle(proc, t)).r3 : asInt(r.r3)).toBe(4);
    expect(Buffer.from(proc.mem.readBytes(buf + 0x100n, 4)).toString()).toBe('0123');
    expect(proc.mem.readU32(msg + 44n)).toBe(MSG_TRUNC);
    expect(proc.mem.readU32(msg + 8n)).toBe(28);
    expect(decodeSockaddr(proc.mem.readBytes(name, 28))).toEqual({ family: AF_INET6, host: '0:0:0:0:0:0:0:1', port: a.port });
  });
});

describe('network interfaces (getkerninfo KINFO_RT_IFLIST, SIOCGIFMTU)', () => {
  it('the table has one RTM_IFINFO with a sockaddr_dl per interface and one RTM_NEWADDR (netmask, address) per address', () => {
    const table = interfaceListTable([
      { name: 'lo', index: 1, flags: 0x49, mtu: 65536, mac: new Uint8Array(0), loopback: true, addresses: [{ family: AF_INET, address: '127.0.0.1', netmask: '255.0.0.0' }] },
      { name: 'en0', index: 2, flags: 0x80043, mtu: 1500, mac: Uint8Array.from([2, 0, 0, 0, 0, 1]), loopback: false, addresses: [{ family: AF_INET6, address: 'fd00::2', netmask: 'ffff:ffff:ffff:ffff::' }] },
    ]);
    const v = new DataView(table.buffer, table.byteOffset, table.byteLength);
    const msgs: Array<{ type: number; index: number; flags: number; body: Uint8Array; addrs: number }> = [];
    for (let at = 0; at < table.length; at += v.getUint16(at)) {
      msgs.push({ type: table[at + 3]!, addrs: v.getInt32(at + 4), flags: v.getInt32(at + 8), index: v.getUint16(at + 12), body: table.subarray(at + 16, at + v.getUint16(at)) });
    }
    expect(msgs.map((m) => [m.type, m.index])).toEqual([[0xe, 1], [0xc, 1], [0xe, 2], [0xc, 2]]);
    // sockaddr_dl of en0: len, AF_LINK 0x12, index 2, IFT_ETHER 6, nlen 3, alen 6, then "en0" and the MAC.
    const dl = msgs[2]!.body;
    expect([dl[1], (dl[2]! << 8) | dl[3]!, dl[4], dl[5], dl[6]]).toEqual([0x12, 2, 6, 3, 6]);
    expect(Buffer.from(dl.subarray(8, 11)).toString()).toBe('en0');
    expect([...dl.subarray(11, 17)]).toEqual([2, 0, 0, 0, 0, 1]);
    expect(msgs[2]!.flags).toBe(0x80043);
    // RTA_NETMASK | RTA_IFA, netmask first, each sockaddr padded to 4 bytes.
    expect(msgs[1]!.addrs).toBe(0x24);
    expect(decodeSockaddr(msgs[1]!.body.subarray(0, 16))).toEqual({ family: AF_INET, host: '255.0.0.0', port: 0 });
    expect(decodeSockaddr(msgs[1]!.body.subarray(16, 32))).toEqual({ family: AF_INET, host: '127.0.0.1', port: 0 });
    expect(decodeSockaddr(msgs[3]!.body.subarray(28, 56))!.host).toBe('fd00:0:0:0:0:0:0:2');
  });

  it('getkerninfo answers the size, then fills the buffer; SIOCGIFMTU reads an interface\'s MTU', () => {
    const { proc, t, scratch } = processWithScratch(0x20000n);
    const need = asInt(callImport(proc, t, 'getkerninfo', [KINFO_RT_IFLIST, 0, 0, 0]).r3);
    expect(need).toBe(interfaceListTable(hostInterfaces()).length);
    const sizep = scratch;
    proc.mem.writeU32(sizep, need - 1);
    expect(callImport(proc, t, 'getkerninfo', [KINFO_RT_IFLIST, scratch + 0x100n, sizep, 0]).errno).toBe(ERRNO.ENOSPC);
    proc.mem.writeU32(sizep, need);
    expect(asInt(callImport(proc, t, 'getkerninfo', [KINFO_RT_IFLIST, scratch + 0x100n, sizep, 0]).r3)).toBe(need);
    expect(proc.mem.readU32(sizep)).toBe(need);
    expect(callImport(proc, t, 'getkerninfo', [0x12345, 0, 0, 0]).errno).toBe(ERRNO.ENOSYS);

    const s = asInt(callImport(proc, t, 'socket', [AF_INET, SOCK_DGRAM, 0]).r3);
    const ifr = scratch + 0x10000n;
    const first = hostInterfaces()[0]!;
    proc.mem.writeBytes(ifr, Buffer.from(first.name + '\0'));
    expect(callImport(proc, t, 'ioctl', [s, SIOCGIFMTU, ifr]).r3).toBe(0n);
    expect(proc.mem.readU32(ifr + 16n)).toBe(first.mtu);
    proc.mem.writeBytes(ifr, Buffer.from('nosuchif0\0'));
    expect(callImport(proc, t, 'ioctl', [s, SIOCGIFMTU, ifr]).errno).toBe(ERRNO.ENXIO);
    expect(callImport(proc, t, 'ioctl', [s, 0x4004667f, ifr]).errno).toBe(ERRNO.ENOTTY);
    expect(callImport(proc, t, 'ioctl', [1, SIOCGIFMTU, ifr]).errno).toBe(ERRNO.ENOTTY);
  });
});
