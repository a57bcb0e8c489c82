// A guest socket backed by Node's `net` module. Node's asynchronous events fill per-socket
// buffers; the guest calls (libc/sockets.ts) only look at those buffers, so they never block the
// event loop.
import * as fs from 'node:fs';
import type { OpenFile } from './files.js';
import type * as net from 'node:net';
import { POLLERR, POLLHUP, POLLIN, POLLOUT, hostErrnoToAix } from './constants.js';
import { IPPROTO_TCP, SOL_SOCKET, SO_KEEPALIVE, SO_LINGER, TCP_NODELAY, type SockAddr } from './sockaddr.js';

/** Receive buffering before the host socket is paused; send buffering before EAGAIN. */
const RECV_HIGH_WATER = 1 << 20;
export const SEND_HIGH_WATER = 1 << 20;

export type SocketState = 'new' | 'binding' | 'listening' | 'connecting' | 'connected' | 'failed' | 'closed';

export class GuestSocket {
  state: SocketState = 'new';
  bound: SockAddr | undefined;
  server: net.Server | undefined;
  readonly acceptQueue: GuestSocket[] = [];
  conn: net.Socket | undefined;
  /** The other end of a socketpair. */
  peer: GuestSocket | undefined;
  private readonly recv: Uint8Array[] = [];
  recvBytes = 0;
  /** The peer will send nothing more (FIN, reset, or our SHUT_RD). */
  eof = false;
  writeShut = false;
  /** SO_ERROR: set by an asynchronous failure, cleared when read. */
  pendingError = 0;
  readonly options = new Map<string, number>();
  private pairSendBytes = 0;
  /** SCM_RIGHTS sent to this socket: open files in flight, with the byte position they came at. */
  private readonly rights: Array<{ at: number; files: OpenFile[]; release: (f: OpenFile) => void }> = [];
  private pushedTotal = 0;
  private takenTotal = 0;
  /** AF_UNIX: the name connect() used (getpeername), and the host file a listener made. */
  remotePath: string | undefined;
  unixFile: string | undefined;

  constructor(readonly family: number, readonly type: number, private readonly notify: () => void) {}

  option(level: number, name: number): number | undefined {
    return this.options.get(`${level}:${name}`);
  }

  /** Take over a connected host socket: its data lands in our buffer from now on. */
  attach(s: net.Socket): void {
    this.conn = s;
    this.state = 'connected';
    s.on('data', (d: Buffer) => {
      this.push(d);
      if (this.recvBytes > RECV_HIGH_WATER) s.pause();
    });
    s.on('end', () => {
      this.eof = true;
      this.notify();
    });
    s.on('error', (e: NodeJS.ErrnoException) => {
      this.pendingError = hostErrnoToAix(e.code);
      this.eof = true;
      this.notify();
    });
    s.on('close', () => {
      this.eof = true;
      this.notify();
    });
    s.on('drain', () => this.notify());
    if (this.option(IPPROTO_TCP, TCP_NODELAY)) s.setNoDelay(true);
    if (this.option(SOL_SOCKET, SO_KEEPALIVE)) s.setKeepAlive(true);
  }

  push(d: Uint8Array): void {
    this.pushedTotal += d.length;
    this.recv.push(d);
    this.recvBytes += d.length;
    this.notify();
  }

  /** Up to max buffered bytes (consumed unless peek). */
  take(max: number, peek: boolean): Uint8Array {
    const out = new Uint8Array(Math.min(max, this.recvBytes));
    let done = 0;
    let i = 0;
    while (done < out.length) {
      const c = this.recv[i]!;
      const n = Math.min(c.length, out.length - done);
      out.set(c.subarray(0, n), done);
      done += n;
      if (peek) i++;
      else if (n === c.length) this.recv.shift();
      else this.recv[0] = c.subarray(n);
    }
    if (!peek) {
      this.takenTotal += done;
      this.recvBytes -= done;
      if (this.peer) {
        this.peer.pairSendBytes -= done;
        this.peer.notify();
      }
      if (this.conn && this.conn.isPaused() && this.recvBytes < RECV_HIGH_WATER / 2) this.conn.resume();
    }
    return out;
  }

  /** Bytes written but not yet taken by the host (or the pair's peer). */
  sendBacklog(): number {
    if (this.peer) return this.pairSendBytes;
    return this.conn?.writableLength ?? 0;
  }

  send(data: Uint8Array): void {
    if (this.peer) {
      this.pairSendBytes += data.length;
      this.peer.push(data.slice());
    } else this.conn!.write(Buffer.from(data));
  }

  /** Attach open files (SCM_RIGHTS, their references already taken) to what is sent next (socketpair only). */
  sendRights(files: OpenFile[], release: (f: OpenFile) => void): void {
    const p = this.peer!;
    p.rights.push({ at: p.pushedTotal, files, release });
  }

  /**
   * The files that came with the `readLen` bytes just taken (or with the position a zero-length
   * read stood at). Files attached to bytes a plain read consumed earlier are closed, as the
   * kernel discards their rights.
   */
  takeRights(readLen: number): OpenFile[] {
    const start = this.takenTotal - readLen;
    const out: OpenFile[] = [];
    while (this.rights.length > 0) {
      const r = this.rights[0]!;
      if (r.at >= this.takenTotal && !(r.at === start && readLen === 0)) break;
      this.rights.shift();
      if (r.at < start) r.files.forEach((f) => r.release(f));
      else out.push(...r.files);
    }
    return out;
  }

  shutdownWrite(): void {
    if (this.writeShut) return;
    this.writeShut = true;
    if (this.peer) {
      this.peer.eof = true;
      this.peer.notify();
    } else this.conn?.end();
  }

  /** poll(2) revents for the requested events. */
  pollEvents(events: number): number {
    let rev = 0;
    switch (this.state) {
      case 'listening':
        if (this.acceptQueue.length > 0) rev |= POLLIN;
        break;
      case 'connected':
        if (this.recvBytes > 0 || this.eof || this.pendingError) rev |= POLLIN;
        if (this.pendingError || (!this.writeShut && this.sendBacklog() < SEND_HIGH_WATER)) rev |= POLLOUT;
        if (this.eof && this.writeShut) rev |= POLLHUP;
        if (this.pendingError) rev |= POLLERR;
        break;
      case 'failed':
        rev |= POLLOUT | POLLERR | POLLHUP;
        break;
      case 'new':
        rev |= POLLOUT | POLLHUP;
        break;
      default:
        break;
    }
    return rev & (events | POLLHUP | POLLERR);
  }

  /** The guest closed its last descriptor for this socket. */
  close(): void {
    const was = this.state;
    this.state = 'closed';
    for (const r of this.rights.splice(0)) r.files.forEach((f) => r.release(f));
    if (this.server) {
      closeKeepingFile(this.server, this.unixFile);
      for (const s of this.acceptQueue) s.close();
      this.acceptQueue.length = 0;
    }
    if (this.peer) {
      this.peer.eof = true;
      this.peer.notify();
      this.peer.peer = undefined;
    } else if (this.conn) {
      // SO_LINGER on with a zero timeout: an abortive close, the peer sees a reset (ECONNRESET).
      // Otherwise flush what was written, then let the host socket go (a close, not a reset).
      const abort = !!this.option(SOL_SOCKET, SO_LINGER) && this.option(SOL_SOCKET, -SO_LINGER) === 0;
      if (was === 'connected' && !this.conn.destroyed && abort) this.conn.resetAndDestroy();
      else if (was === 'connected' && !this.conn.destroyed) this.conn.destroySoon();
      else this.conn.destroy();
    }
  }

  /** Holds host resources whose events may wake a guest thread. */
  get live(): boolean {
    return this.state === 'binding' || this.state === 'listening' || this.state === 'connecting' || (this.state === 'connected' && !this.peer && !this.eof);
  }
}

/**
 * Close a listener; an AF_UNIX one keeps its socket file, as the kernel does (libuv unlinks it
 * on close; Go's UnixListener unlinks it itself unless SetUnlinkOnClose(false)). A hard link taken
 * before the close is renamed back after it: whatever file has that name now stays.
 */
function closeKeepingFile(server: net.Server, file: string | undefined): void {
  const keep = file === undefined ? undefined : `${file}.${process.pid}.keep`;
  let linked = false;
  if (file !== undefined && keep !== undefined) {
    try {
      fs.linkSync(file, keep);
      linked = true;
    } catch {
      // already unlinked by the guest: nothing to keep
    }
  }
  server.close();
  if (linked) {
    try {
      fs.renameSync(keep!, file!);
    } catch {
      fs.rmSync(keep!, { force: true });
    }
  }
}
