// BSD socket calls over GuestSocket (../socket.ts: SOCK_STREAM on AF_INET, AF_INET6, AF_UNIX) and
// GuestDatagramSocket (../datagram.ts: SOCK_DGRAM on AF_INET, AF_INET6): a call that cannot
// complete returns EAGAIN (O_NONBLOCK, what Go uses with its netpoller) or blocks the calling
// guest thread on a waiter the scheduler re-checks. Node binds and connects asynchronously; a
// call that must see that done (bind, a datagram connect, the first send of an unbound datagram
// socket) waits for it whatever O_NONBLOCK says, as the kernel does these synchronously.
import * as net from 'node:net';
import { ERRNO, O_NONBLOCK, hostErrnoToAix } from '../constants.js';
import { FsError, type OpenFile } from '../files.js';
import {
  AF_INET, AF_INET6, AF_UNIX, AF_UNSPEC, IPPROTO_IP, IPPROTO_IPV6, IPPROTO_TCP, IPV6_V6ONLY, MSG_PEEK, MSG_TRUNC, SHUT_RD, SHUT_RDWR, SHUT_WR,
  SOCK_DGRAM, SOCK_RAW, SOCK_STREAM, SOL_SOCKET, SO_ACCEPTCONN, SO_BROADCAST, SO_ERROR, SO_KEEPALIVE, SO_LINGER, SO_RCVBUF, SO_SNDBUF, SO_TYPE, TCP_NODELAY,
  decodeSockaddr, encodeSockaddr, hostAddr, isBindableAddress, type SockAddr,
} from '../sockaddr.js';
import { GuestDatagramSocket } from '../datagram.js';
import { SIOCGIFMTU, hostInterfaces } from '../interfaces.js';
import { GuestSocket, SEND_HIGH_WATER } from '../socket.js';
import { UnixDatagramSocket } from '../unix-datagram.js';
import type { CallResult } from '../threads.js';
import { fail, guarded, int, ptr, size, type HleContext, type HleFunction } from './types.js';

type SocketFile = Extract<OpenFile, { kind: 'socket' }>;

function socketOf(c: HleContext, fd: number): { file: SocketFile; sock: GuestSocket | GuestDatagramSocket } {
  const e = c.proc.files.get(fd);
  if (!e) throw new FsError(ERRNO.EBADF);
  if (e.file.kind !== 'socket') throw new FsError(ERRNO.ENOTSOCK);
  return { file: e.file, sock: e.file.sock };
}

/** A socket a stream-only call (listen, accept) accepts: a datagram socket is EOPNOTSUPP. */
function streamOf(c: HleContext, fd: number): { file: SocketFile; sock: GuestSocket } {
  const { file, sock } = socketOf(c, fd);
  if (!(sock instanceof GuestSocket)) throw new FsError(ERRNO.EOPNOTSUPP);
  return { file, sock };
}

function sockaddrArg(c: HleContext, addr: bigint, len: number): SockAddr {
  if (addr === 0n || len < 2) throw new FsError(ERRNO.EINVAL);
  const a = decodeSockaddr(c.mem.readChecked(addr, Math.min(len, 1025)));
  if (!a) throw new FsError(ERRNO.EINVAL);
  return a;
}

/** Write a sockaddr to (addr, *lenPtr) the way the kernel does: truncated, true length stored. */
function writeSockaddr(c: HleContext, addr: bigint, lenPtr: bigint, a: SockAddr): void {
  if (addr === 0n || lenPtr === 0n) return;
  const b = encodeSockaddr(a);
  const room = c.mem.readU32(lenPtr);
  c.mem.writeChecked(addr, b.subarray(0, Math.min(room, b.length)));
  c.mem.writeU32(lenPtr, b.length);
}

function blockOr(c: HleContext, file: { flags: number }, what: string, attempt: () => CallResult | undefined): CallResult {
  const now = attempt();
  if (now !== undefined) return now;
  if (file.flags & O_NONBLOCK) return fail(ERRNO.EAGAIN);
  return { block: { description: what, retry: () => attempt() } };
}

function unixHostPath(c: HleContext, a: SockAddr): string {
  if (!a.path) throw new FsError(ERRNO.EINVAL);
  return c.proc.files.hostPath(a.path, undefined, false);
}

/** A new AF_UNIX datagram socket: names are the machine's (shared with forked children). */
function unixDatagram(c: HleContext): UnixDatagramSocket {
  const files = c.proc.files;
  return new UnixDatagramSocket(
    c.proc.table.unixDatagramNames,
    (path) => {
      if (!path) throw new FsError(ERRNO.ENOENT);
      return files.hostPath(path, undefined, false);
    },
    () => c.proc.notifyHostEvent(),
    () => files.umask,
  );
}

function checkFamily(sock: { family: number }, a: SockAddr): void {
  const ok = a.family === sock.family || (a.family === AF_UNSPEC && sock.family !== AF_UNIX);
  if (!ok) throw new FsError(ERRNO.EAFNOSUPPORT);
}

function listen(c: HleContext): CallResult {
  const { sock } = streamOf(c, int(c, 0));
  if (sock.state === 'listening') return 0;
  if (sock.state !== 'new') return fail(ERRNO.EINVAL);
  const backlog = Math.max(1, int(c, 1));
  const server = net.createServer({ allowHalfOpen: true });
  server.on('connection', (s) => {
    if (sock.state !== 'listening') {
      s.destroy();
      return;
    }
    const child = new GuestSocket(sock.family, sock.type, () => c.proc.notifyHostEvent());
    for (const [k, v] of sock.options) if (k !== `${SOL_SOCKET}:${SO_ACCEPTCONN}`) child.options.set(k, v);
    child.attach(s);
    sock.acceptQueue.push(child);
    c.proc.notifyHostEvent();
  });
  const b = sock.bound ?? hostAddr(sock.family, undefined, 0);
  // Node binds asynchronously (even an IP literal goes through dns.lookup): the calling thread
  // waits for 'listening' or 'error'; other guest threads keep running.
  let failure = 0;
  server.on('error', (e: NodeJS.ErrnoException) => {
    if (sock.state === 'binding') failure = hostErrnoToAix(e.code);
    else sock.pendingError = hostErrnoToAix(e.code);
    c.proc.notifyHostEvent();
  });
  server.once('listening', () => {
    if (sock.state !== 'binding') return;
    sock.state = 'listening';
    const addr = server.address();
    if (addr !== null && typeof addr === 'object') sock.bound = hostAddr(sock.family, addr.address, addr.port);
    c.proc.notifyHostEvent();
  });
  if (sock.family === AF_UNIX) {
    sock.unixFile = unixHostPath(c, b);
    server.listen({ path: sock.unixFile, backlog });
  }
  else server.listen({ host: b.host, port: b.port, backlog, ipv6Only: sock.family === AF_INET6 && sock.option(IPPROTO_IPV6, IPV6_V6ONLY) === 1, exclusive: true });
  sock.server = server;
  sock.state = 'binding';
  sock.options.set(`${SOL_SOCKET}:${SO_ACCEPTCONN}`, 1);
  return {
    block: {
      description: `listen(${int(c, 0)})`,
      retry: () => {
        if (sock.state === 'listening') return 0;
        if (failure !== 0 || sock.state === 'closed') {
          sock.state = 'new';
          sock.server = undefined;
          sock.options.delete(`${SOL_SOCKET}:${SO_ACCEPTCONN}`);
          server.close();
          return fail(failure || ERRNO.EBADF);
        }
        return undefined;
      },
    },
  };
}

function accept(c: HleContext): CallResult {
  const { file, sock } = streamOf(c, int(c, 0));
  if (sock.state !== 'listening') return fail(ERRNO.EINVAL);
  return blockOr(c, file, `accept(${int(c, 0)})`, () => {
    const child = sock.acceptQueue.shift();
    if (!child) return sock.state === 'closed' ? fail(ERRNO.EBADF) : undefined;
    const fd = c.proc.files.allocate({ kind: 'socket', sock: child, flags: 2, refs: 1 }, false);
    const s = child.conn!;
    writeSockaddr(c, ptr(c, 1), ptr(c, 2), hostAddr(child.family, s.remoteAddress, s.remotePort, sock.bound?.path));
    return fd;
  });
}

function connect(c: HleContext): CallResult {
  const fd = int(c, 0);
  const { file, sock } = socketOf(c, fd);
  const a = sockaddrArg(c, ptr(c, 1), int(c, 2));
  if (sock instanceof GuestDatagramSocket) return datagramConnect(c, sock, a, fd);
  if (sock.state === 'connected') return fail(ERRNO.EISCONN);
  if (sock.state === 'connecting') return fail(ERRNO.EALREADY);
  if (sock.state !== 'new') return fail(ERRNO.EINVAL);
  checkFamily(sock, a);
  if (sock.family === AF_UNIX) sock.remotePath = a.path;
  const s =
    sock.family === AF_UNIX
      ? net.connect({ path: unixHostPath(c, a), allowHalfOpen: true })
      : net.connect({ host: a.host, port: a.port ?? 0, allowHalfOpen: true, localAddress: sock.bound?.host, localPort: sock.bound?.port || undefined });
  sock.state = 'connecting';
  const onError = (e: NodeJS.ErrnoException) => {
    sock.pendingError = hostErrnoToAix(e.code);
    sock.state = 'failed';
    c.proc.notifyHostEvent();
  };
  s.once('error', onError);
  s.once('connect', () => {
    s.off('error', onError);
    sock.attach(s);
    c.proc.notifyHostEvent();
  });
  sock.conn = s;
  const settled = (): CallResult | undefined => {
    if (sock.state === 'connected') return 0;
    if (sock.state === 'failed') {
      const e = sock.pendingError;
      sock.pendingError = 0;
      return fail(e);
    }
    return undefined;
  };
  if (file.flags & O_NONBLOCK) return fail(ERRNO.EINPROGRESS);
  return { block: { description: `connect(${fd})`, retry: () => settled() } };
}

/**
 * What a receive hands over: the bytes, their source (datagrams only) and whether the datagram was
 * longer than the buffer (its tail is gone).
 */
type Deliver = (data: Uint8Array, from: SockAddr | undefined, truncated: boolean) => CallResult;

function takePendingError(sock: { pendingError: number }): CallResult | undefined {
  if (!sock.pendingError) return undefined;
  const e = sock.pendingError;
  sock.pendingError = 0;
  return fail(e);
}

/**
 * Read for read/recvfrom/nrecvmsg. Stream: buffered data, 0 at EOF, error, or wait. Datagram: one
 * whole datagram per call (cut to len), or wait.
 */
export function socketRead(c: HleContext, file: SocketFile, len: number, peek: boolean, deliver: Deliver, what: string): CallResult {
  const sock = file.sock;
  if (sock instanceof GuestDatagramSocket) {
    return blockOr(c, file, what, () => {
      const d = sock.receive(peek);
      if (d) {
        c.proc.eventCount++;
        return deliver(d.data.subarray(0, len), d.from, d.data.length > len);
      }
      return takePendingError(sock) ?? (sock.readShut ? 0 : undefined);
    });
  }
  if (sock.state !== 'connected') return fail(sock.state === 'failed' ? ERRNO.ECONNREFUSED : ERRNO.ENOTCONN);
  if (len === 0) return deliver(new Uint8Array(0), undefined, false); // as pipes: 0 at once, never a wait
  return blockOr(c, file, what, () => {
    if (sock.recvBytes > 0) {
      c.proc.eventCount++;
      return deliver(sock.take(len, peek), undefined, false);
    }
    return takePendingError(sock) ?? (sock.eof ? 0 : undefined);
  });
}

/** Write for write/sendto/nsendmsg; `to` is the destination a datagram sendto names (streams ignore it). */
export function socketWrite(c: HleContext, file: SocketFile, data: Uint8Array, what: string, to?: SockAddr): CallResult {
  const sock = file.sock;
  if (sock instanceof GuestDatagramSocket) return datagramWrite(c, sock, data, to, what);
  if (sock.state !== 'connected') return fail(sock.state === 'failed' ? ERRNO.ECONNREFUSED : ERRNO.ENOTCONN);
  return blockOr(c, file, what, () => {
    const failed = takePendingError(sock);
    if (failed) return failed;
    // Go ignores SIGPIPE for sockets it writes to; AIX would raise it, then EPIPE: we give EPIPE.
    if (sock.writeShut || (sock.conn && sock.conn.destroyed) || (!sock.conn && !sock.peer)) return fail(ERRNO.EPIPE);
    if (data.length > 0 && sock.sendBacklog() >= SEND_HIGH_WATER) return undefined;
    if (data.length > 0) sock.send(data);
    return data.length;
  });
}

/** Wait until a datagram socket's host socket is bound (binding it to the wildcard if nobody did), then act. */
function afterBound(sock: GuestDatagramSocket, what: string, act: () => CallResult): CallResult {
  if (sock.state === 'new') sock.startBind(hostAddr(sock.family, undefined, 0));
  if (sock.state === 'bound') return act(); // already, or at once (AF_UNIX)
  return {
    block: {
      description: what,
      retry: () => {
        if (sock.state === 'bound') return act();
        if (sock.state === 'new' || sock.state === 'closed') return takePendingError(sock) ?? fail(ERRNO.EBADF);
        return undefined;
      },
    },
  };
}

function datagramWrite(c: HleContext, sock: GuestDatagramSocket, data: Uint8Array, to: SockAddr | undefined, what: string): CallResult {
  if (sock.writeShut) return fail(ERRNO.EPIPE);
  // BSD and AIX refuse a destination on a connected datagram socket (Linux would use it).
  if (to && sock.peer) return fail(ERRNO.EISCONN);
  if (!to && !sock.peer) return fail(ERRNO.EDESTADDRREQ);
  if (to) checkFamily(sock, to);
  if (data.length > sock.maxDatagram) return fail(ERRNO.EMSGSIZE);
  const failed = takePendingError(sock);
  if (failed) return failed;
  return afterBound(sock, what, () => {
    const e = sock.send(data, to);
    if (e) return fail(e);
    c.proc.eventCount++;
    return data.length;
  });
}

function datagramBind(sock: GuestDatagramSocket, a: SockAddr, fd: number): CallResult {
  if (sock.state !== 'new') return fail(ERRNO.EINVAL);
  if (a.host !== undefined && !isBindableAddress(a.host)) return fail(ERRNO.EADDRNOTAVAIL);
  sock.startBind({ ...a, family: sock.family });
  if (sock.state === 'new') return takePendingError(sock) ?? fail(ERRNO.EINVAL); // refused at once (AF_UNIX)
  return afterBound(sock, `bind(${fd})`, () => 0);
}

/** connect on a datagram socket: sets (or, with AF_UNSPEC, clears) the default peer; never EINPROGRESS. */
function datagramConnect(c: HleContext, sock: GuestDatagramSocket, a: SockAddr, fd: number): CallResult {
  if (a.family === AF_UNSPEC) {
    sock.disconnect();
    return 0;
  }
  checkFamily(sock, a);
  const what = `connect(${fd})`;
  return afterBound(sock, what, () => {
    sock.disconnect();
    sock.startConnect(a);
    if (sock.state !== 'connecting') return takePendingError(sock) ?? 0; // decided at once (AF_UNIX)
    return {
      block: {
        description: what,
        retry: () => {
          if (sock.state === 'connecting') return undefined;
          if (sock.state === 'closed') return fail(ERRNO.EBADF);
          c.proc.eventCount++;
          return takePendingError(sock) ?? 0;
        },
      },
    };
  });
}

function getsockopt(c: HleContext): CallResult {
  const { sock } = socketOf(c, int(c, 0));
  const level = int(c, 1);
  const name = int(c, 2);
  const val = ptr(c, 3);
  const lenPtr = ptr(c, 4);
  let value: number;
  if (level === SOL_SOCKET && name === SO_ERROR) {
    value = sock.pendingError;
    sock.pendingError = 0;
  } else if (level === SOL_SOCKET && name === SO_TYPE) value = sock.type;
  else if (level === SOL_SOCKET && name === SO_LINGER) {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setInt32(0, sock.option(level, name) ?? 0);
    new DataView(b.buffer).setInt32(4, sock.option(level, -name) ?? 0);
    c.mem.writeChecked(val, b.subarray(0, Math.min(8, c.mem.readU32(lenPtr))));
    c.mem.writeU32(lenPtr, 8);
    return 0;
  } else if (level === SOL_SOCKET && (name === SO_SNDBUF || name === SO_RCVBUF)) value = sock.option(level, name) ?? 262144;
  else if (level === SOL_SOCKET || level === IPPROTO_TCP || level === IPPROTO_IP || level === IPPROTO_IPV6) value = sock.option(level, name) ?? 0;
  else return fail(ERRNO.ENOPROTOOPT);
  const b = new Uint8Array(4);
  new DataView(b.buffer).setInt32(0, value);
  c.mem.writeChecked(val, b.subarray(0, Math.min(4, c.mem.readU32(lenPtr))));
  c.mem.writeU32(lenPtr, 4);
  return 0;
}

function setsockopt(c: HleContext): CallResult {
  const { sock } = socketOf(c, int(c, 0));
  const level = int(c, 1);
  const name = int(c, 2);
  const val = ptr(c, 3);
  const len = int(c, 4);
  if (level !== SOL_SOCKET && level !== IPPROTO_TCP && level !== IPPROTO_IP && level !== IPPROTO_IPV6) return fail(ERRNO.ENOPROTOOPT);
  if (len < 4) return fail(ERRNO.EINVAL);
  const v = c.mem.readU32(val) | 0;
  sock.options.set(`${level}:${name}`, v);
  if (level === SOL_SOCKET && name === SO_LINGER && len >= 8) sock.options.set(`${level}:${-name}`, c.mem.readU32(val + 4n) | 0);
  if (sock instanceof GuestSocket && sock.state === 'connected') {
    if (level === IPPROTO_TCP && name === TCP_NODELAY) sock.conn?.setNoDelay(v !== 0);
    if (level === SOL_SOCKET && name === SO_KEEPALIVE) sock.conn?.setKeepAlive(v !== 0);
  }
  if (sock instanceof GuestDatagramSocket && level === SOL_SOCKET && name === SO_BROADCAST && sock.state === 'bound') sock.host?.setBroadcast(v !== 0);
  return 0;
}

function peerAddress(sock: GuestSocket | GuestDatagramSocket): SockAddr | undefined {
  if (sock instanceof GuestDatagramSocket) return sock.peer;
  if (sock.state !== 'connected') return undefined;
  if (sock.peer) return { family: AF_UNIX, path: '' };
  const s = sock.conn!;
  if (sock.family === AF_UNIX) return { family: AF_UNIX, path: sock.remotePath ?? '' };
  return hostAddr(sock.family, s.remoteAddress, s.remotePort);
}

function localAddress(sock: GuestSocket | GuestDatagramSocket): SockAddr {
  if (sock instanceof GuestDatagramSocket) return sock.localAddress();
  if (sock.state === 'connected' && sock.conn && !sock.peer && sock.family !== AF_UNIX) {
    return hostAddr(sock.family, sock.conn.localAddress, sock.conn.localPort);
  }
  return sock.bound ?? hostAddr(sock.family, undefined, 0);
}

/** struct msghdr (48 bytes): name 0, namelen 8, iov 16, iovlen 24, control 32, controllen 40, flags 44. */
function iovecs(c: HleContext, msg: bigint): Array<{ base: bigint; len: number }> {
  const iov = c.mem.readU64(msg + 16n);
  const n = c.mem.readU32(msg + 24n) | 0;
  if (n < 0 || n > 1024) throw new FsError(ERRNO.EINVAL);
  const out: Array<{ base: bigint; len: number }> = [];
  for (let i = 0; i < n; i++) out.push({ base: c.mem.readU64(iov + BigInt(i * 16)), len: Number(c.mem.readU64(iov + BigInt(i * 16 + 8))) });
  return out;
}

const SCM_RIGHTS = 1;
const MSG_CTRUNC = 0x20;
/** AIX's struct cmsghdr: cmsg_len, cmsg_level, cmsg_type (u32 each), then the data, unaligned. */
const CMSG_HEADER = 12;

/** The open files a msghdr's control data passes (SCM_RIGHTS); other control messages are EOPNOTSUPP. */
function readRights(c: HleContext, msg: bigint): OpenFile[] {
  const len = c.mem.readU32(msg + 40n);
  if (len === 0) return [];
  const ctl = c.mem.readChecked(c.mem.readU64(msg + 32n), len);
  const v = new DataView(ctl.buffer, ctl.byteOffset, ctl.byteLength);
  const out: OpenFile[] = [];
  for (let o = 0; o + CMSG_HEADER <= len; ) {
    const n = v.getUint32(o);
    if (n < CMSG_HEADER || o + n > len) throw new FsError(ERRNO.EINVAL);
    if (v.getUint32(o + 4) !== SOL_SOCKET || v.getUint32(o + 8) !== SCM_RIGHTS) throw new FsError(ERRNO.EOPNOTSUPP);
    for (let i = o + CMSG_HEADER; i + 4 <= o + n; i += 4) {
      const e = c.proc.files.fds.get(v.getInt32(i));
      if (!e) throw new FsError(ERRNO.EBADF);
      out.push(e.file);
    }
    o += n;
  }
  return out;
}

/** Install passed files as new descriptors and describe them in the control buffer; true if cut short (MSG_CTRUNC). */
function writeRights(c: HleContext, msg: bigint, passed: OpenFile[]): boolean {
  const room = c.mem.readU32(msg + 40n);
  const fit = room < CMSG_HEADER ? 0 : Math.min(passed.length, Math.floor((room - CMSG_HEADER) / 4));
  for (const f of passed.slice(fit)) c.proc.files.release(f); // no room: the kernel closes them
  if (fit === 0) {
    c.mem.writeU32(msg + 40n, 0);
    return passed.length > 0;
  }
  const out = new Uint8Array(CMSG_HEADER + 4 * fit);
  const v = new DataView(out.buffer);
  v.setUint32(0, out.length);
  v.setUint32(4, SOL_SOCKET);
  v.setUint32(8, SCM_RIGHTS);
  passed.slice(0, fit).forEach((f, i) => v.setInt32(CMSG_HEADER + 4 * i, c.proc.files.allocate(f, false)));
  c.mem.writeChecked(c.mem.readU64(msg + 32n), out);
  c.mem.writeU32(msg + 40n, out.length);
  return fit < passed.length;
}

export const socketFunctions: Record<string, (c: HleContext) => CallResult> = {
  socket(c) {
    const family = int(c, 0);
    const type = int(c, 1);
    if (family !== AF_INET && family !== AF_INET6 && family !== AF_UNIX) return fail(ERRNO.EAFNOSUPPORT);
    // Raw IP needs a privilege Node cannot give us, even when the guest is root: refused as a
    // BSD-derived stack (AIX's) refuses a process without it, so programs and Go's tests treat
    // it as "not permitted here" (a container without CAP_NET_RAW), not as a broken kernel.
    if (type === SOCK_RAW && family !== AF_UNIX) return fail(ERRNO.EACCES);
    const notify = () => c.proc.notifyHostEvent();
    let sock: GuestSocket | GuestDatagramSocket;
    if (type === SOCK_STREAM) sock = new GuestSocket(family, type, notify);
    else if (type === SOCK_DGRAM && family === AF_UNIX) sock = unixDatagram(c);
    else if (type === SOCK_DGRAM) sock = new GuestDatagramSocket(family, type, notify);
    else return fail(ERRNO.EPROTONOSUPPORT);
    return c.proc.files.allocate({ kind: 'socket', sock, flags: 2, refs: 1 }, false);
  },

  socketpair(c) {
    if (int(c, 0) !== AF_UNIX) return fail(ERRNO.EOPNOTSUPP);
    const type = int(c, 1);
    if (type !== SOCK_STREAM && type !== SOCK_DGRAM) return fail(ERRNO.EPROTONOSUPPORT);
    const notify = () => c.proc.notifyHostEvent();
    let a: GuestSocket | UnixDatagramSocket;
    let b: GuestSocket | UnixDatagramSocket;
    if (type === SOCK_DGRAM) {
      const [x, y] = [unixDatagram(c), unixDatagram(c)];
      x.pair = y;
      y.pair = x;
      x.state = y.state = 'bound';
      x.peer = y.peer = { family: AF_UNIX, path: '' };
      [a, b] = [x, y];
    } else {
      const [x, y] = [new GuestSocket(AF_UNIX, SOCK_STREAM, notify), new GuestSocket(AF_UNIX, SOCK_STREAM, notify)];
      x.peer = y;
      y.peer = x;
      x.state = y.state = 'connected';
      [a, b] = [x, y];
    }
    const fa = c.proc.files.allocate({ kind: 'socket', sock: a, flags: 2, refs: 1 }, false);
    const fb = c.proc.files.allocate({ kind: 'socket', sock: b, flags: 2, refs: 1 }, false);
    c.mem.writeU32(ptr(c, 3), fa);
    c.mem.writeU32(ptr(c, 3) + 4n, fb);
    return 0;
  },

  bind(c) {
    const { sock } = socketOf(c, int(c, 0));
    const a = sockaddrArg(c, ptr(c, 1), int(c, 2));
    checkFamily(sock, a);
    if (sock instanceof GuestDatagramSocket) return datagramBind(sock, a, int(c, 0));
    if (sock.state !== 'new' || sock.bound) return fail(ERRNO.EINVAL);
    if (a.family === AF_UNIX) {
      // The kernel creates the socket file at bind; Node does it at listen. An existing file is EADDRINUSE now.
      try {
        unixHostPath(c, a);
      } catch (e) {
        if (e instanceof FsError) return fail(e.errno);
        throw e;
      }
    } else if (a.host !== undefined && !isBindableAddress(a.host)) return fail(ERRNO.EADDRNOTAVAIL);
    sock.bound = { ...a, family: sock.family };
    return 0;
  },

  listen,
  accept,
  connect,

  getsockname(c) {
    const { sock } = socketOf(c, int(c, 0));
    writeSockaddr(c, ptr(c, 1), ptr(c, 2), localAddress(sock));
    return 0;
  },

  getpeername(c) {
    const { sock } = socketOf(c, int(c, 0));
    const a = peerAddress(sock);
    if (!a) return fail(ERRNO.ENOTCONN);
    writeSockaddr(c, ptr(c, 1), ptr(c, 2), a);
    return 0;
  },

  getsockopt,
  setsockopt,

  recvfrom(c) {
    const fd = int(c, 0);
    const { file } = socketOf(c, fd);
    const buf = ptr(c, 1);
    const from = ptr(c, 4);
    const fromLen = ptr(c, 5);
    return socketRead(c, file, size(c, 2), (int(c, 3) & MSG_PEEK) !== 0, (d, source) => {
      c.mem.writeChecked(buf, d);
      // A stream socket reports no source address.
      if (source) writeSockaddr(c, from, fromLen, source);
      else if (from !== 0n && fromLen !== 0n) c.mem.writeU32(fromLen, 0);
      return d.length;
    }, `recvfrom(${fd})`);
  },

  sendto(c) {
    const fd = int(c, 0);
    const { file } = socketOf(c, fd);
    const to = ptr(c, 4) !== 0n && int(c, 5) !== 0 ? sockaddrArg(c, ptr(c, 4), int(c, 5)) : undefined;
    return socketWrite(c, file, c.mem.readChecked(ptr(c, 1), size(c, 2)), `sendto(${fd})`, to);
  },

  nrecvmsg(c) {
    const fd = int(c, 0);
    const { file } = socketOf(c, fd);
    const msg = ptr(c, 1);
    const vecs = iovecs(c, msg);
    const total = vecs.reduce((n, v) => n + v.len, 0);
    const peek = (int(c, 2) & MSG_PEEK) !== 0;
    return socketRead(c, file, total, peek, (d, source, truncated) => {
      let at = 0;
      for (const v of vecs) {
        if (at >= d.length) break;
        const n = Math.min(v.len, d.length - at);
        c.mem.writeChecked(v.base, d.subarray(at, at + n));
        at += n;
      }
      const name = c.mem.readU64(msg);
      if (source && name !== 0n) writeSockaddr(c, name, msg + 8n, source);
      else c.mem.writeU32(msg + 8n, 0); // msg_namelen: no address on a stream socket
      const passed = !peek && file.sock instanceof GuestSocket ? file.sock.takeRights(d.length) : [];
      const ctrunc = writeRights(c, msg, passed);
      c.mem.writeU32(msg + 44n, (truncated ? MSG_TRUNC : 0) | (ctrunc ? MSG_CTRUNC : 0)); // msg_flags
      return d.length;
    }, `nrecvmsg(${fd})`);
  },

  nsendmsg(c) {
    const fd = int(c, 0);
    const { file } = socketOf(c, fd);
    const msg = ptr(c, 1);
    const passed = readRights(c, msg);
    if (passed.length > 0) {
      // Descriptors travel only between the machine's own sockets: a socketpair.
      const sock = file.sock;
      if (!(sock instanceof GuestSocket) || !sock.peer || sock.state !== 'connected') return fail(ERRNO.EOPNOTSUPP);
      for (const f of passed) f.refs++;
      const files = c.proc.files;
      sock.sendRights(passed, (f) => files.release(f));
    }
    const parts = iovecs(c, msg).map((v) => c.mem.readChecked(v.base, v.len));
    const name = c.mem.readU64(msg);
    const nameLen = c.mem.readU32(msg + 8n);
    const to = name !== 0n && nameLen !== 0 ? sockaddrArg(c, name, nameLen) : undefined;
    return socketWrite(c, file, Buffer.concat(parts), `nsendmsg(${fd})`, to);
  },

  shutdown(c) {
    const { sock } = socketOf(c, int(c, 0));
    const how = int(c, 1);
    if (how < SHUT_RD || how > SHUT_RDWR) return fail(ERRNO.EINVAL);
    if (sock instanceof GuestDatagramSocket) {
      if (!sock.peer) return fail(ERRNO.ENOTCONN);
      if (how !== SHUT_WR) sock.readShut = true;
      if (how !== SHUT_RD) sock.writeShut = true;
      c.proc.eventCount++;
      return 0;
    }
    if (sock.state !== 'connected') return fail(ERRNO.ENOTCONN);
    if (how === SHUT_RD || how === SHUT_RDWR) {
      sock.eof = true;
      c.proc.eventCount++;
    }
    if (how === SHUT_WR || how === SHUT_RDWR) sock.shutdownWrite();
    return 0;
  },
};

/** ioctl on a socket: SIOCGIFMTU (struct ifreq: the name, then the MTU as a big-endian int). */
export function socketIoctl(c: HleContext): CallResult {
  if (int(c, 1) !== SIOCGIFMTU) return fail(ERRNO.ENOTTY);
  const ifr = ptr(c, 2);
  const raw = c.mem.readChecked(ifr, 16);
  const nul = raw.indexOf(0);
  const name = Buffer.from(nul < 0 ? raw : raw.subarray(0, nul)).toString('latin1');
  const ifi = hostInterfaces().find((i) => i.name === name);
  if (!ifi) return fail(ERRNO.ENXIO);
  c.mem.writeU32(ifr + 16n, ifi.mtu);
  return 0;
}

/** The socket calls as the libc table holds them: host errors become errno results. */
export const guardedSocketFunctions: Record<string, HleFunction> = Object.fromEntries(
  Object.entries(socketFunctions).map(([name, fn]) => [name, guarded(fn)]),
);
