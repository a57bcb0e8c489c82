// AF_UNIX SOCK_DGRAM, emulated inside the machine: Node has no Unix datagram sockets, so these
// sockets only reach each other (the processes of one run, forked children included), never a
// host program's socket. A bound socket is registered under the host path of its name and, as
// the kernel does, leaves a file there that outlives it until someone unlinks it (an empty
// regular file: Node cannot make a socket inode without listening on it). Everything else (the
// queue, message boundaries, truncation, poll, SO_ERROR, shutdown) is GuestDatagramSocket's.
import * as fs from 'node:fs';
import { ERRNO } from './constants.js';
import { GuestDatagramSocket } from './datagram.js';
import { FsError, errnoOf } from './files.js';
import { AF_UNIX, SOCK_DGRAM, type SockAddr } from './sockaddr.js';

/** AIX's largest AF_UNIX datagram (its default unix datagram buffer). */
const MAX_UNIX_DATAGRAM = 65536;

/** The bound Unix datagram sockets of one machine, by the host path of their names. */
export type UnixDatagramNames = Map<string, UnixDatagramSocket>;

export class UnixDatagramSocket extends GuestDatagramSocket {
  /** The name bound (guest path) and where it lives on the host. */
  private name: { path: string; host: string } | undefined;
  /** The other end of a socketpair: it stays the peer whatever connect says. */
  pair: UnixDatagramSocket | undefined;
  private pairClosed = false;

  constructor(
    private readonly names: UnixDatagramNames,
    /** Guest path -> host path (ENOENT, ENOTDIR... as FsError), without following a last symlink. */
    private readonly hostPath: (path: string) => string,
    notify: () => void,
    private readonly umask: () => number,
  ) {
    super(AF_UNIX, SOCK_DGRAM, notify);
  }

  override get maxDatagram(): number {
    return MAX_UNIX_DATAGRAM;
  }

  /** Bind synchronously: an existing file is EADDRINUSE, a missing directory ENOENT; no name = unnamed. */
  override startBind(a: SockAddr): void {
    if (!a.path) {
      this.state = 'bound';
      return;
    }
    try {
      const host = this.hostPath(a.path);
      fs.closeSync(fs.openSync(host, fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_WRONLY, 0o777 & ~this.umask()));
      this.names.set(host, this);
      this.name = { path: a.path, host };
      this.state = 'bound';
    } catch (e) {
      this.pendingError = errnoOfBind(e);
    }
  }

  /** connect: the named socket must exist now (ECONNREFUSED when only its file is left). */
  override startConnect(a: SockAddr): void {
    const target = this.lookup(a);
    if (typeof target === 'number') this.pendingError = target;
    else this.peer = { family: AF_UNIX, path: a.path ?? '' };
  }

  override disconnect(): void {
    this.peer = undefined;
  }

  override localAddress(): SockAddr {
    return { family: AF_UNIX, path: this.name?.path ?? '' };
  }

  /** Queue the datagram at its destination: 0, or an errno (no such socket, its queue full). */
  override send(data: Uint8Array, to: SockAddr | undefined): number {
    if (this.pairClosed) return ERRNO.ECONNREFUSED;
    // As in BSD (AIX), a socket connected elsewhere still receives from anyone who names it.
    const target = this.pair ?? (to ? this.lookup(to) : this.peer ? this.lookup(this.peer) : ERRNO.EDESTADDRREQ);
    if (typeof target === 'number') return target;
    return target.deliver(data, this.localAddress()) ? 0 : ERRNO.ENOBUFS;
  }

  override close(): void {
    if (this.name && this.names.get(this.name.host) === this) this.names.delete(this.name.host);
    if (this.pair) {
      this.pair.pairClosed = true;
      this.pair.pair = undefined;
      this.pair.wake();
    }
    super.close();
  }

  override get live(): boolean {
    return false; // nothing on the host wakes it: other guest calls do
  }

  private lookup(a: SockAddr): UnixDatagramSocket | number {
    let host: string;
    try {
      host = this.hostPath(a.path ?? '');
    } catch (e) {
      return errnoOfBind(e);
    }
    const s = this.names.get(host);
    if (s && s.state !== 'closed') return s;
    return fs.existsSync(host) ? ERRNO.ECONNREFUSED : ERRNO.ENOENT;
  }
}

/** A failed bind or lookup as an errno: an existing file is EADDRINUSE. */
function errnoOfBind(e: unknown): number {
  if (e instanceof FsError) return e.errno;
  const n = errnoOf(e);
  return n === ERRNO.EEXIST ? ERRNO.EADDRINUSE : n;
}
