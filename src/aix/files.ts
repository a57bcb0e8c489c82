// The guest's file descriptors. Regular files and directories are host files seen through the
// --root directory; pipes live inside the emulator (Go's netpoll wake pipe must wake a thread
// blocked in poll, §8.14); fds 0-2 are the host's stdio by default.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isatty } from 'node:tty';
import type { GuestDatagramSocket } from './datagram.js';
import type { GuestSocket } from './socket.js';
import type { VirtualInodes } from './virtual-inodes.js';
import { ERRNO, O_ACCMODE, O_APPEND, O_CREAT, O_DIRECTORY, O_EXCL, O_NOFOLLOW, O_NONBLOCK, O_RDWR, O_TRUNC, O_WRONLY, hostErrnoToAix } from './constants.js';

/** Removes the first `count` bytes from a queue of byte chunks (count must not exceed what is queued). */
function takeChunks(chunks: Uint8Array[], count: number): Uint8Array {
  const out = new Uint8Array(count);
  let done = 0;
  while (done < count) {
    const c = chunks[0]!;
    const n = Math.min(c.length, count - done);
    out.set(c.subarray(0, n), done);
    done += n;
    if (n === c.length) chunks.shift();
    else chunks[0] = c.subarray(n);
  }
  return out;
}

export class Pipe {
  readonly chunks: Uint8Array[] = [];
  buffered = 0;
  readers = 1;
  writers = 1;
  static readonly CAPACITY = 65536;
  /** AIX's PIPE_BUF: a write of at most this many bytes goes in whole or not at all (POSIX). */
  static readonly ATOMIC = 32768;

  read(max: number): Uint8Array {
    const out = takeChunks(this.chunks, Math.min(max, this.buffered));
    this.buffered -= out.length;
    return out;
  }

  /** Bytes taken (0: no room now; the caller waits or answers EAGAIN). */
  write(data: Uint8Array): number {
    const room = Pipe.CAPACITY - this.buffered;
    if (data.length <= Pipe.ATOMIC && data.length > room) return 0;
    const n = Math.min(data.length, room);
    if (n > 0) {
      this.chunks.push(data.slice(0, n));
      this.buffered += n;
    }
    return n;
  }
}

/**
 * Reads a host descriptor that may block (a pipe or terminal on stdin, a FIFO) without blocking
 * the emulator: one asynchronous fs.read at a time, started when a guest thread finds the buffer
 * empty; its completion fills the buffer and wakes the scheduler (aix-contract: one host thread
 * runs every guest thread, so a synchronous read would stop them all).
 */
export class HostStreamReader {
  private readonly chunks: Uint8Array[] = [];
  buffered = 0;
  eof = false;
  errno = 0;
  pending = false;
  private closed = false;
  static readonly CHUNK = 65536;

  constructor(readonly hostFd: number, private readonly notify: () => void) {}

  /** Start a host read unless one is in flight or the stream ended. */
  request(): void {
    if (this.pending || this.eof || this.errno || this.closed) return;
    this.pending = true;
    const buf = Buffer.allocUnsafe(HostStreamReader.CHUNK);
    fs.read(this.hostFd, buf, 0, buf.length, null, (err, n) => {
      this.pending = false;
      if (this.closed) return;
      if (err) {
        // EAGAIN: the host fd is non-blocking (a shared terminal); try again shortly.
        if ((err as NodeJS.ErrnoException).code === 'EAGAIN') {
          // Still pending while it waits, so the scheduler keeps waiting for it (not a deadlock).
          this.pending = true;
          setTimeout(() => {
            this.pending = false;
            this.request();
          }, 10);
          return;
        }
        this.errno = errnoOf(err);
      } else if (n === 0) this.eof = true;
      else {
        this.chunks.push(buf.subarray(0, n));
        this.buffered += n;
      }
      this.notify();
    });
  }

  /** Bytes read from the host by someone else (the FIFO open's probe) come first. */
  put(data: Uint8Array): void {
    this.chunks.push(data);
    this.buffered += data.length;
  }

  take(max: number): Uint8Array {
    const out = takeChunks(this.chunks, Math.min(max, this.buffered));
    this.buffered -= out.length;
    return out;
  }

  close(): void {
    this.closed = true;
  }
}

/** Whether reading this host fd could block: pipes, sockets and terminals (not files, /dev/null...). */
export function mayBlockOnRead(hostFd: number): boolean {
  try {
    const st = fs.fstatSync(hostFd);
    if (st.isFIFO() || st.isSocket()) return true;
    return st.isCharacterDevice() && isatty(hostFd);
  } catch {
    return false;
  }
}

/** Deterministic stand-in for /dev/urandom in --deterministic runs (xorshift64*). */
export class SeededRandom {
  private state = 0x9e3779b97f4a7c15n;
  fill(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      let x = this.state;
      x ^= x >> 12n;
      x ^= (x << 25n) & 0xffff_ffff_ffff_ffffn;
      x ^= x >> 27n;
      this.state = x;
      out[i] = Number(((x * 0x2545f4914f6cdd1dn) >> 56n) & 0xffn);
    }
    return out;
  }
}

export type OpenFile =
  | { kind: 'random'; source: SeededRandom; flags: number; refs: number }
  | {
      kind: 'host'; hostFd: number; path: string; flags: number; offset: number; stream: boolean; isDir: boolean; dirEntries?: string[]; dirPos: number; refs: number;
      /** Set on the first read of a stream that may block (undefined: not decided yet; null: reads are synchronous). */
      reader?: HostStreamReader | null;
    }
  | { kind: 'pipe'; pipe: Pipe; end: 'read' | 'write'; flags: number; refs: number }
  | { kind: 'socket'; sock: GuestSocket | GuestDatagramSocket; flags: number; refs: number };

export interface FdEntry {
  file: OpenFile;
  cloexec: boolean;
}

/** AIX's limits.h: PATH_MAX (bytes, without the NUL) and NAME_MAX; Linux's MAXSYMLINKS for ELOOP. */
export const PATH_MAX = 1023;
export const NAME_MAX = 255;
const MAXSYMLINKS = 40;

/** The checks a kernel makes on a path string before walking it. */
function checkPathName(p: string): void {
  if (p.length === 0) throw new FsError(ERRNO.ENOENT);
  if (Buffer.byteLength(p) > PATH_MAX) throw new FsError(ERRNO.ENAMETOOLONG);
  for (const name of p.split('/')) if (Buffer.byteLength(name) > NAME_MAX) throw new FsError(ERRNO.ENAMETOOLONG);
}

/** Linux's PATH_MAX less the NUL: longer host paths are ENAMETOOLONG from the host kernel. */
const HOST_PATH_MAX = 4095;

/** The directory an *at() call starts from: its guest path and, when open, its host fd. */
export interface DirBase {
  path: string;
  hostFd?: number;
}

/** base + '/' + rel without normalizing (the host kernel, or resolveInRoot, walks it). */
function joinRaw(base: string, rel: string): string {
  return base.endsWith('/') ? base + rel : base + '/' + rel;
}

export class FsError {
  constructor(readonly errno: number) {}
}

/** Turns a thrown Node fs error into an AIX errno. */
export function errnoOf(e: unknown): number {
  const code = (e as NodeJS.ErrnoException)?.code;
  return hostErrnoToAix(code);
}

export class FileTable {
  readonly fds = new Map<number, FdEntry>();
  cwd: string;
  readonly confined: boolean;
  /** Wakes the scheduler when a host stream delivers data (AixProcess.notifyHostEvent). */
  hostEvent: () => void = () => {};
  /** The guest's file-creation mask (umask); applied on top of the host's own. */
  umask = 0o022;
  /** Set in deterministic runs: /dev/urandom and /dev/random read from it. */
  seededRandom: SeededRandom | undefined;
  /** Set in deterministic runs: files the guest creates get virtual inode numbers and times. */
  virtualInodes: VirtualInodes | undefined;
  /** Unconfined: the working directory held open after a chdir (see changeDirectory). */
  private cwdFd: number | undefined;
  /** A host stream refused a write (EAGAIN) or a FIFO has no peer yet: a timer wakes the thread to try again. */
  private retryTimer: NodeJS.Timeout | undefined;

  constructor(readonly root: string, stdio: [number, number, number]) {
    this.root = path.resolve(root);
    this.confined = this.root !== '/';
    this.cwd = this.confined ? '/' : process.cwd();
    stdio.forEach((hostFd, fd) => {
      this.fds.set(fd, {
        cloexec: false,
        file: { kind: 'host', hostFd, path: `<stdio ${fd}>`, flags: fd === 0 ? 0 : O_WRONLY, offset: 0, stream: true, isDir: false, dirPos: 0, refs: 1 },
      });
    });
  }

  get(fd: number): FdEntry | undefined {
    return this.fds.get(fd);
  }

  /**
   * The directory open as `fd`, as the base of an *at() call: where it is now (it may have been
   * renamed since it was opened: Linux tells through /proc/self/fd), and its host fd.
   */
  dirPathOf(fd: number): DirBase {
    const e = this.fds.get(fd);
    if (!e) throw new FsError(ERRNO.EBADF);
    if (e.file.kind !== 'host' || !e.file.isDir) throw new FsError(ERRNO.ENOTDIR);
    let host = e.file.path;
    try {
      const now = fs.readlinkSync(`/proc/self/fd/${e.file.hostFd}`);
      if (now.startsWith('/') && (!this.confined || now === this.root || now.startsWith(this.root + '/'))) host = now;
    } catch {
      // no /proc, or a path too long to name: the name it was opened by
    }
    return { path: this.guestPath(host), hostFd: e.file.hostFd };
  }

  /** Lowest free fd at or above min. */
  allocate(file: OpenFile, cloexec: boolean, min = 0): number {
    let fd = min;
    while (this.fds.has(fd)) fd++;
    this.fds.set(fd, { file, cloexec });
    return fd;
  }

  /**
   * A guest path as a host path, with a kernel's rules: an empty path is ENOENT, a path longer
   * than AIX's PATH_MAX or a name longer than NAME_MAX is ENAMETOOLONG, and nothing is
   * normalized lexically (a trailing slash, `.` and `..` keep their meaning for the host kernel).
   * Under --root, symlinks are resolved here, component by component, inside the root (absolute
   * targets included), so none can lead outside it. `followLast` = false for calls that act on a
   * link itself (lstat, unlink...); a trailing slash follows the last link anyway (POSIX).
   */
  hostPath(guestPath: string, base?: DirBase, followLast = true): string {
    checkPathName(guestPath);
    if (guestPath.startsWith('/')) return this.confined ? path.join(this.root, this.resolveInRoot(guestPath, followLast)) : guestPath;
    const abs = joinRaw(base?.path ?? this.cwd, guestPath);
    if (this.confined) return path.join(this.root, this.resolveInRoot(abs, followLast));
    // A directory deeper than the host's PATH_MAX is still reachable by name from an open fd of it.
    const baseFd = base ? base.hostFd : this.cwdFd;
    if (Buffer.byteLength(abs) > HOST_PATH_MAX && baseFd !== undefined) return `/proc/self/fd/${baseFd}/${guestPath}`;
    return abs;
  }

  /**
   * The guest path `abs` with every symlink resolved inside the root, the way a kernel walks it:
   * `..` after a link climbs from the link's target, a name that is not a directory followed by
   * more names is ENOTDIR, a missing directory on the way is ENOENT, more than MAXSYMLINKS links
   * is ELOOP. A missing last name is returned as is (open O_CREAT, mkdir); a trailing slash stays.
   */
  private resolveInRoot(abs: string, followLast: boolean): string {
    let mustBeDir = /\/\.{0,2}$/.test(abs) && abs !== '/';
    const todo = abs.split('/').filter((p) => p.length > 0);
    const done: string[] = [];
    let links = 0;
    while (todo.length > 0) {
      const name = todo.shift()!;
      if (name === '.') continue;
      if (name === '..') {
        done.pop();
        continue;
      }
      if (Buffer.byteLength(name) > NAME_MAX) throw new FsError(ERRNO.ENAMETOOLONG);
      const isLast = todo.length === 0;
      const guest = '/' + [...done, name].join('/');
      if (isLast && !followLast && !mustBeDir) {
        done.push(name);
        break;
      }
      let st: fs.Stats;
      try {
        st = fs.lstatSync(path.join(this.root, guest));
      } catch (e) {
        const errno = errnoOf(e);
        // Does not exist (yet): the last name may be created (open O_CREAT, mkdir...).
        if (errno === ERRNO.ENOENT && isLast) {
          done.push(name);
          break;
        }
        throw new FsError(errno);
      }
      if (st.isSymbolicLink()) {
        if (++links > MAXSYMLINKS) throw new FsError(ERRNO.ELOOP);
        const target = fs.readlinkSync(path.join(this.root, guest));
        if (target === '') throw new FsError(ERRNO.ENOENT);
        if (target.startsWith('/')) done.length = 0;
        if (isLast && target.endsWith('/')) mustBeDir = true;
        todo.unshift(...target.split('/').filter((p) => p.length > 0));
        continue;
      }
      if ((!isLast || mustBeDir) && !st.isDirectory()) throw new FsError(ERRNO.ENOTDIR);
      done.push(name);
    }
    return '/' + done.join('/') + (mustBeDir && done.length > 0 ? '/' : '');
  }

  /** The guest's view of a host path under the root. */
  guestPath(hostPath: string): string {
    if (!this.confined) return hostPath;
    const rel = path.relative(this.root, hostPath);
    return rel === '' ? '/' : '/' + rel.split(path.sep).join('/');
  }

  /**
   * chdir: the new working directory is stored without symlinks, as getcwd reports it. Unconfined,
   * it is also held open, so that names below a working directory deeper than the host's PATH_MAX
   * still resolve (Go's TestRemoveAllLongPath).
   */
  changeDirectory(guestPath: string, base?: DirBase): void {
    const host = this.hostPath(guestPath, base);
    if (!fs.statSync(host).isDirectory()) throw new FsError(ERRNO.ENOTDIR);
    fs.accessSync(host, fs.constants.X_OK);
    if (this.confined) {
      this.cwd = this.guestPath(host);
      return;
    }
    const fd = fs.openSync(host, fs.constants.O_RDONLY | fs.constants.O_DIRECTORY);
    let cwd: string;
    try {
      cwd = fs.readlinkSync(`/proc/self/fd/${fd}`);
    } catch {
      cwd = host.startsWith('/proc/self/fd/') ? path.posix.normalize(joinRaw(this.cwd, guestPath)) : fs.realpathSync(host);
    }
    if (this.cwdFd !== undefined) fs.closeSync(this.cwdFd);
    this.cwdFd = fd;
    this.cwd = cwd;
  }

  open(guestPath: string, flags: number, mode: number, dirBase?: DirBase): number {
    if (this.seededRandom && (guestPath === '/dev/urandom' || guestPath === '/dev/random')) {
      return this.allocate({ kind: 'random', source: this.seededRandom, flags: flags & 3, refs: 1 }, (flags & 0x800000) !== 0);
    }
    // O_CREAT|O_EXCL never follows a last symlink (it is EEXIST even when dangling), like O_NOFOLLOW.
    const exclusive = (flags & O_CREAT) !== 0 && (flags & O_EXCL) !== 0;
    const host = this.hostPath(guestPath, dirBase, !exclusive && (flags & O_NOFOLLOW) === 0);
    let nodeFlags = 0;
    const acc = flags & O_ACCMODE;
    nodeFlags |= acc === O_WRONLY ? fs.constants.O_WRONLY : acc === O_RDWR ? fs.constants.O_RDWR : fs.constants.O_RDONLY;
    if (flags & O_CREAT) nodeFlags |= fs.constants.O_CREAT;
    if (flags & O_TRUNC) nodeFlags |= fs.constants.O_TRUNC;
    if (flags & O_EXCL) nodeFlags |= fs.constants.O_EXCL;
    if (flags & O_APPEND) nodeFlags |= fs.constants.O_APPEND;
    if (flags & O_DIRECTORY) nodeFlags |= fs.constants.O_DIRECTORY;
    if (flags & O_NOFOLLOW) nodeFlags |= fs.constants.O_NOFOLLOW;
    // The host open must never wait (a FIFO without its other end): see openFile in libc/files.ts.
    if (flags & O_NONBLOCK) nodeFlags |= fs.constants.O_NONBLOCK;
    const vi = this.virtualInodes;
    const mayCreate = vi !== undefined && (flags & O_CREAT) !== 0 && !fs.existsSync(host);
    const hostFd = fs.openSync(host, nodeFlags, mode & ~this.umask);
    if (mayCreate) vi.createdFd(hostFd, host);
    else if (vi && (flags & O_TRUNC)) vi.modifiedFd(hostFd);
    const st = fs.fstatSync(hostFd);
    const isDir = st.isDirectory();
    const stream = !isDir && !st.isFile();
    // A directory keeps its physical path: *at() calls and fchdir resolve names from it.
    let where = host;
    if (isDir && !this.confined) {
      try {
        where = fs.readlinkSync(`/proc/self/fd/${hostFd}`);
      } catch {
        where = host.startsWith('/proc/self/fd/') ? host : path.resolve(host);
      }
    }
    return this.allocate(
      { kind: 'host', hostFd, path: where, flags: flags & ~(0x800000 /* O_CLOEXEC is per fd */), offset: 0, stream, isDir, dirPos: 0, refs: 1 },
      (flags & 0x800000) !== 0,
    );
  }

  close(fd: number): boolean {
    const e = this.fds.get(fd);
    if (!e) return false;
    this.fds.delete(fd);
    this.release(e.file);
    return true;
  }

  release(f: OpenFile): void {
    f.refs--;
    if (f.refs > 0) return;
    if (f.kind === 'host') {
      f.reader?.close();
      if (f.hostFd > 2) {
        try {
          fs.closeSync(f.hostFd);
        } catch {
          // already gone
        }
      }
    } else if (f.kind === 'random') {
      // nothing to release
    } else if (f.kind === 'socket') {
      f.sock.close();
    } else if (f.end === 'read') f.pipe.readers--;
    else f.pipe.writers--;
  }

  dup(fd: number, min: number, cloexec: boolean): number {
    const e = this.fds.get(fd);
    if (!e) throw new FsError(ERRNO.EBADF);
    e.file.refs++;
    return this.allocate(e.file, cloexec, min);
  }

  dup2(fd: number, to: number): void {
    const e = this.fds.get(fd);
    if (!e) throw new FsError(ERRNO.EBADF);
    if (fd === to) return;
    if (this.fds.has(to)) this.close(to);
    e.file.refs++;
    this.fds.set(to, { file: e.file, cloexec: false });
  }

  makePipe(): [number, number] {
    const p = new Pipe();
    const r = this.allocate({ kind: 'pipe', pipe: p, end: 'read', flags: 0, refs: 1 }, false);
    const w = this.allocate({ kind: 'pipe', pipe: p, end: 'write', flags: 1, refs: 1 }, false);
    return [r, w];
  }

  /**
   * A guest thread waits until a host stream (stdout on a full pipe) takes data again, or a FIFO it
   * opens gets its other end. Node cannot wait for either on a raw fd, so the thread is retried
   * shortly, like a reader's EAGAIN.
   */
  retryHostSoon(): void {
    if (this.retryTimer) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.hostEvent();
    }, 5);
  }

  /** Some descriptor holds a host resource (socket, host stream reader) whose events can wake a thread. */
  hasHostEvents(): boolean {
    if (this.retryTimer) return true;
    for (const e of this.fds.values()) {
      if (e.file.kind === 'socket' && e.file.sock.live) return true;
      if (e.file.kind === 'host' && e.file.reader?.pending) return true;
    }
    return false;
  }

  closeAll(): void {
    for (const fd of [...this.fds.keys()]) this.close(fd);
    if (this.cwdFd !== undefined) fs.closeSync(this.cwdFd);
    this.cwdFd = undefined;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
  }

  /** fork(): the child's table names the same open files (shared offsets and pipe ends), cwd and umask. */
  forkCopy(): FileTable {
    const t = new FileTable(this.root, [0, 1, 2]);
    t.fds.clear(); // the fresh stdio entries own no host resource
    for (const [fd, e] of this.fds) {
      e.file.refs++;
      t.fds.set(fd, { file: e.file, cloexec: e.cloexec });
    }
    t.cwd = this.cwd;
    if (this.cwdFd !== undefined) {
      try {
        t.cwdFd = fs.openSync(`/proc/self/fd/${this.cwdFd}`, fs.constants.O_RDONLY | fs.constants.O_DIRECTORY); // the child's own hold on it
      } catch {
        // the parent's working directory is gone: the child reaches it by name, as before
      }
    }
    t.umask = this.umask;
    t.seededRandom = this.seededRandom;
    t.virtualInodes = this.virtualInodes;
    return t;
  }

  /** execve(): descriptors marked close-on-exec go away. */
  closeOnExec(): void {
    for (const [fd, e] of [...this.fds]) if (e.cloexec) this.close(fd);
  }
}
