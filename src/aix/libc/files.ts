// File and descriptor calls (§4.3, §4.4) over the FileTable: host files seen through --root,
// in-emulator pipes, AIX struct stat / dirent layouts (§4.7), poll that blocks the thread.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isatty } from 'node:tty';
import {
  AT_FDCWD, AT_REMOVEDIR, AT_SYMLINK_NOFOLLOW, ERRNO, FD_CLOEXEC, F_DUPFD, F_GETFD, F_GETFL, F_GETLK, F_SETFD, F_SETFL,
  F_SETLK, F_SETLKW, O_ACCMODE, O_APPEND, O_NONBLOCK, O_RDONLY, O_RDWR, O_WRONLY, POLLERR, POLLHUP, POLLIN, POLLNVAL, POLLOUT, S_IFCHR, S_IFIFO, S_IFSOCK,
} from '../constants.js';
import { FsError, HostStreamReader, Pipe, errnoOf, mayBlockOnRead, type DirBase, type OpenFile } from '../files.js';
import type { CallResult } from '../threads.js';
import type { StatOverride } from '../virtual-inodes.js';
import { socketIoctl, socketRead, socketWrite } from './sockets.js';
import { fail, guarded, int, ptr, size, i64, type HleContext, type HleFunction } from './types.js';

/** AIX's IOV_MAX (XOPEN_IOV_MAX): Go's writev sends at most 16 buffers per call on AIX. */
const IOV_MAX = 16;

function fileOf(c: HleContext, fd: number): OpenFile {
  const e = c.proc.files.get(fd);
  if (!e) throw new FsError(ERRNO.EBADF);
  return e.file;
}

function pathArg(c: HleContext, i: number): string {
  return c.mem.readCString(ptr(c, i), 4096);
}

/** The guest directory an *at() call is relative to (none for an absolute path: dirfd is then ignored). */
function dirBase(c: HleContext, dirfd: number, guestPath = ''): DirBase | undefined {
  if (dirfd === AT_FDCWD || guestPath.startsWith('/')) return undefined;
  return c.proc.files.dirPathOf(dirfd);
}

/** The host path of an *at() call's (dirfd, path) pair in argument slots i, i+1. */
function atPath(c: HleContext, i: number, followLast = true): string {
  const guest = pathArg(c, i + 1);
  return c.proc.files.hostPath(guest, dirBase(c, int(c, i), guest), followLast);
}

/** The host path of a plain path argument. */
function argPath(c: HleContext, i: number, followLast = true): string {
  return c.proc.files.hostPath(pathArg(c, i), undefined, followLast);
}

function blockingIo(c: HleContext, what: string, attempt: () => CallResult | undefined): CallResult {
  const now = attempt();
  if (now !== undefined) return now;
  return { block: { description: what, retry: () => attempt() } };
}

/** Pipes, sockets, FIFOs and terminals have no file offset: lseek, pread and pwrite are ESPIPE (POSIX). */
function unseekable(f: OpenFile): boolean {
  return f.kind === 'pipe' || f.kind === 'socket' || (f.kind === 'host' && f.stream && mayBlockOnRead(f.hostFd));
}

function checkPosition(f: OpenFile, pos: number | null): void {
  if (pos === null) return;
  if (unseekable(f)) throw new FsError(ERRNO.ESPIPE);
  if (pos < 0) throw new FsError(ERRNO.EINVAL);
}

function readFd(c: HleContext, fd: number, buf: bigint, len: number, pos: number | null): CallResult {
  const f = fileOf(c, fd);
  checkPosition(f, pos);
  if (f.kind === 'random') {
    c.mem.writeChecked(buf, f.source.fill(Math.min(len, 1 << 20)));
    return Math.min(len, 1 << 20);
  }
  if (f.kind === 'socket') {
    return socketRead(c, f, len, false, (d) => (c.mem.writeChecked(buf, d), d.length), `read(${fd})`);
  }
  if (f.kind === 'pipe') {
    if (f.end !== 'read') return fail(ERRNO.EBADF);
    // A zero-length read returns 0 at once (POSIX; Linux and AIX pipes): never EAGAIN, never a wait.
    if (len === 0) return 0;
    const p = f.pipe;
    return blockingIo(c, `read(${fd})`, () => {
      if (p.buffered > 0) {
        const data = p.read(len);
        c.mem.writeChecked(buf, data);
        c.proc.eventCount++;
        return data.length;
      }
      if (p.writers === 0) return 0;
      if (f.flags & O_NONBLOCK) return fail(ERRNO.EAGAIN);
      return undefined;
    });
  }
  if ((f.flags & O_ACCMODE) === O_WRONLY) return fail(ERRNO.EBADF);
  if (f.isDir) return fail(ERRNO.EISDIR);
  const reader = streamReader(c, f);
  if (reader) {
    if (len === 0) return 0;
    return blockingIo(c, `read(${fd})`, () => {
      if (reader.buffered > 0) {
        const data = reader.take(len);
        c.mem.writeChecked(buf, data);
        return data.length;
      }
      if (reader.errno) return fail(reader.errno);
      if (reader.eof) return 0;
      reader.request();
      if (f.flags & O_NONBLOCK) return fail(ERRNO.EAGAIN);
      return undefined;
    });
  }
  const tmp = Buffer.alloc(Math.min(len, 1 << 20));
  if (!f.stream) c.proc.fileMappings.beforeRead(f.hostFd);
  const position = pos ?? (f.stream ? null : f.offset);
  const n = fs.readSync(f.hostFd, tmp, 0, tmp.length, position);
  if (pos === null && !f.stream) f.offset += n;
  c.mem.writeChecked(buf, tmp.subarray(0, n));
  return n;
}

/** The asynchronous reader of a host stream that may block (stdin on a pipe or terminal), if it is one. */
function streamReader(c: HleContext, f: Extract<OpenFile, { kind: 'host' }>): HostStreamReader | null {
  if (f.reader === undefined) f.reader = f.stream && mayBlockOnRead(f.hostFd) ? new HostStreamReader(f.hostFd, c.proc.files.hostEvent) : null;
  return f.reader;
}

function writeFd(c: HleContext, fd: number, data: Uint8Array, pos: number | null): CallResult {
  const f = fileOf(c, fd);
  checkPosition(f, pos);
  if (f.kind === 'random') return data.length;
  if (f.kind === 'socket') return socketWrite(c, f, data, `write(${fd})`);
  if (f.kind === 'pipe') {
    if (f.end !== 'write') return fail(ERRNO.EBADF);
    const p = f.pipe;
    // A zero-length write returns 0 (Linux checks this before the reader count). Answering EAGAIN
    // here made Go's poll.FD.Write fail with nothing written, and a text/tabwriter Flush that
    // failed kept its buffer and wrote it all again on the next Flush: the captured output twice.
    if (data.length === 0) return 0;
    if (p.readers === 0) return fail(ERRNO.EPIPE);
    return blockingIo(c, `write(${fd})`, () => {
      const n = p.write(data);
      if (n > 0) {
        c.proc.eventCount++;
        return n;
      }
      return f.flags & O_NONBLOCK ? fail(ERRNO.EAGAIN) : undefined;
    });
  }
  if ((f.flags & O_ACCMODE) === O_RDONLY && !f.stream) return fail(ERRNO.EBADF);
  if (f.stream && pos === null) return streamWrite(c, fd, f, data);
  let position: number | null = pos ?? (f.stream ? null : f.offset);
  if (pos === null && (f.flags & O_APPEND) && !f.stream) position = fs.fstatSync(f.hostFd).size;
  let n = 0;
  while (n < data.length) n += fs.writeSync(f.hostFd, data, n, data.length - n, position === null ? null : position + n);
  if (n > 0) c.proc.files.virtualInodes?.modifiedFd(f.hostFd);
  if (pos === null && !f.stream && position !== null) f.offset = position + n;
  if (!f.stream && position !== null) c.proc.fileMappings.afterWrite(f.hostFd, position, n);
  return n;
}

/**
 * A write to a host stream (stdout on a pipe, a FIFO, a terminal). The host fd may be
 * non-blocking even when the guest's is not (Node makes its stdio pipes non-blocking), so EAGAIN
 * from the host means "wait", never an error the guest sees, and bytes the host took are never
 * reported as unwritten (the guest would write them again).
 */
function streamWrite(c: HleContext, fd: number, f: Extract<OpenFile, { kind: 'host' }>, data: Uint8Array): CallResult {
  let done = 0;
  return blockingIo(c, `write(${fd})`, () => {
    while (done < data.length) {
      try {
        done += fs.writeSync(f.hostFd, data, done, data.length - done, null);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (done > 0 && (code !== 'EAGAIN' || (f.flags & O_NONBLOCK))) return done;
        if (code !== 'EAGAIN') return fail(errnoOf(e));
        if (f.flags & O_NONBLOCK) return fail(ERRNO.EAGAIN);
        c.proc.files.retryHostSoon();
        return undefined;
      }
    }
    return done;
  });
}

/**
 * open(). A blocking open of a FIFO waits for the other end (POSIX), but a host open that waits
 * would stop every guest thread, the one that would open the other end included. So the host
 * opens it non-blocking and the calling thread waits: for writing, until the open stops failing
 * with ENXIO (no reader); for reading, the descriptor is open from the start (a writer's open
 * needs a reader to exist) and the call returns once a read shows a writer (data, or EAGAIN
 * instead of 0).
 */
function openFile(c: HleContext, guest: string, flags: number, mode: number, base?: DirBase): CallResult {
  const files = c.proc.files;
  const acc = flags & O_ACCMODE;
  if (flags & O_NONBLOCK || acc === O_RDWR || !isFifo(files.hostPath(guest, base))) return files.open(guest, flags, mode, base);
  let fd: number | undefined;
  return blockingIo(c, `open(${guest})`, () => {
    try {
      if (fd === undefined) {
        try {
          fd = files.open(guest, flags | O_NONBLOCK, mode, base);
        } catch (e) {
          if (e instanceof FsError || errnoOf(e) !== ERRNO.ENXIO) throw e;
          files.retryHostSoon(); // no reader yet
          return undefined;
        }
        const f = files.get(fd)!.file;
        f.flags &= ~O_NONBLOCK; // the guest's descriptor blocks; the host's never does
        if (acc !== O_RDONLY) return fd;
      }
      return writerArrived(c, fd) ? fd : (files.retryHostSoon(), undefined);
    } catch (e) {
      if (fd !== undefined) files.close(fd);
      return fail(e instanceof FsError ? e.errno : errnoOf(e)); // retried from the scheduler: no guard around it
    }
  });
}

/** Whether the FIFO open for reading as `fd` has a writer; bytes read to find out are kept for the guest. */
function writerArrived(c: HleContext, fd: number): boolean {
  const f = c.proc.files.get(fd)!.file as Extract<OpenFile, { kind: 'host' }>;
  const probe = Buffer.alloc(HostStreamReader.CHUNK);
  let n: number;
  try {
    n = fs.readSync(f.hostFd, probe, 0, probe.length, null);
  } catch (e) {
    if (errnoOf(e) === ERRNO.EAGAIN) return true; // a writer, no data yet
    throw e;
  }
  if (n === 0) return false; // no writer yet
  f.reader = new HostStreamReader(f.hostFd, c.proc.files.hostEvent);
  f.reader.put(probe.subarray(0, n));
  return true;
}

function isFifo(host: string): boolean {
  try {
    return fs.statSync(host).isFIFO();
  } catch {
    return false; // the open reports it
  }
}

/** struct stat (176 bytes, §4.7) from a host Stats; `virtual` replaces the inode number and times (--deterministic). */
export function encodeStat(st: fs.BigIntStats, virtual?: StatOverride): Uint8Array {
  const b = new Uint8Array(176);
  const v = new DataView(b.buffer);
  v.setBigUint64(0, st.dev);
  v.setBigUint64(8, virtual?.ino ?? st.ino);
  v.setUint32(16, Number(st.mode));
  v.setUint16(20, Math.min(Number(st.nlink), 0xffff));
  v.setUint32(24, Number(st.uid));
  v.setUint32(28, Number(st.gid));
  v.setBigUint64(32, st.rdev);
  v.setInt32(40, Number(st.size & 0x7fffffffn));
  const times: Array<[number, bigint]> = [[48, virtual?.atimeNs ?? st.atimeNs], [64, virtual?.mtimeNs ?? st.mtimeNs], [80, virtual?.ctimeNs ?? st.ctimeNs]];
  for (const [off, ns] of times) {
    v.setBigInt64(off, ns / 1_000_000_000n);
    v.setInt32(off + 8, Number(ns % 1_000_000_000n));
  }
  v.setBigUint64(96, st.blksize);
  v.setBigUint64(104, st.blocks);
  v.setBigInt64(168, st.size);
  return b;
}

/** getdirent records: {d_offset u64, d_ino u64, d_reclen u16, d_namlen u16, d_name}, 8-aligned. */
function encodeDirent(name: string, ino: bigint, offset: number): Uint8Array {
  const nb = Buffer.from(name, 'utf8');
  const reclen = (20 + nb.length + 1 + 7) & ~7;
  const b = new Uint8Array(reclen);
  const v = new DataView(b.buffer);
  v.setBigUint64(0, BigInt(offset));
  v.setBigUint64(8, ino);
  v.setUint16(16, reclen);
  v.setUint16(18, nb.length);
  b.set(nb, 20);
  return b;
}


function hostStatToBuf(c: HleContext, bufArg: number, st: fs.BigIntStats): CallResult {
  c.mem.writeChecked(ptr(c, bufArg), encodeStat(st, c.proc.files.virtualInodes?.override(st)));
  return 0;
}

// Changes to the host file system, told to the deterministic inode table when there is one.

function makeDirectory(c: HleContext, host: string, mode: number): CallResult {
  fs.mkdirSync(host, { mode: mode & ~c.proc.files.umask });
  c.proc.files.virtualInodes?.created(host);
  return 0;
}

function removeEntry(c: HleContext, host: string, directory: boolean): CallResult {
  c.proc.files.virtualInodes?.removing(host);
  if (directory) fs.rmdirSync(host);
  else fs.unlinkSync(host);
  return 0;
}

function renameEntry(c: HleContext, from: string, to: string): CallResult {
  const vi = c.proc.files.virtualInodes;
  if (vi && fs.existsSync(to)) vi.removing(to);
  fs.renameSync(from, to);
  vi?.entriesChanged(from);
  vi?.entriesChanged(to);
  vi?.inodeChanged(to, false);
  return 0;
}

function inodeChange(c: HleContext, host: string, follow: boolean, change: (host: string) => void): CallResult {
  change(host);
  c.proc.files.virtualInodes?.inodeChanged(host, follow);
  return 0;
}

function fdInodeChange(c: HleContext, fd: number, change: (hostFd: number) => void): CallResult {
  const f = fileOf(c, fd);
  if (f.kind !== 'host') return 0;
  change(f.hostFd);
  c.proc.files.virtualInodes?.inodeChangedFd(f.hostFd);
  return 0;
}

function fcntl(c: HleContext): CallResult {
  const fd = int(c, 0);
  const cmd = int(c, 1);
  const files = c.proc.files;
  const e = files.get(fd);
  if (!e) return fail(ERRNO.EBADF);
  switch (cmd) {
    case F_GETFD:
      return e.cloexec ? FD_CLOEXEC : 0;
    case F_SETFD:
      e.cloexec = (int(c, 2) & FD_CLOEXEC) !== 0;
      return 0;
    case F_GETFL:
      return e.file.flags;
    case F_SETFL: {
      const changeable = O_NONBLOCK | O_APPEND;
      e.file.flags = (e.file.flags & ~changeable) | (int(c, 2) & changeable);
      return 0;
    }
    case F_DUPFD:
      return files.dup(fd, int(c, 2), false);
    case F_GETLK:
    case F_SETLK:
    case F_SETLKW:
      return 0;
    default:
      return fail(ERRNO.EINVAL);
  }
}

function poll(c: HleContext): CallResult {
  const fdsAddr = ptr(c, 0);
  const nfds = Number(ptr(c, 1) & 0xffffn);
  const timeout = int(c, 2);
  const clock = c.proc.clock;
  const check = (): number => {
    let ready = 0;
    for (let i = 0; i < nfds; i++) {
      const a = fdsAddr + BigInt(i * 8);
      const fd = c.mem.readU32(a) | 0;
      const events = (c.mem.readU32(a + 4n) >>> 16) & 0xffff;
      let rev = 0;
      if (fd >= 0) {
        const e = c.proc.files.get(fd);
        if (!e) rev = POLLNVAL;
        else if (e.file.kind === 'socket') rev = e.file.sock.pollEvents(events);
        else if (e.file.kind === 'pipe') {
          const p = e.file.pipe;
          if (e.file.end === 'read') {
            if (p.buffered > 0) rev |= events & POLLIN;
            if (p.writers === 0) rev |= POLLHUP;
          } else {
            // Writable once a PIPE_BUF write fits: a write poll called ready then never gets EAGAIN.
            if (p.readers === 0) rev |= POLLERR;
            else if (Pipe.CAPACITY - p.buffered >= Pipe.ATOMIC) rev |= events & POLLOUT;
          }
        } else if (e.file.kind === 'host' && (events & POLLIN) && e.file.stream && streamReader(c, e.file)) {
          const r = e.file.reader!;
          if (r.buffered > 0 || r.eof || r.errno) rev |= POLLIN;
          else r.request();
          rev |= events & POLLOUT;
        } else {
          // Host files, directories and the other streams are always ready.
          rev |= events & (POLLIN | POLLOUT);
        }
      }
      const b = new Uint8Array(2);
      new DataView(b.buffer).setUint16(0, rev);
      c.mem.writeChecked(a + 6n, b);
      if (rev !== 0) ready++;
    }
    return ready;
  };
  const n = check();
  if (n > 0 || timeout === 0) return n;
  const deadline = timeout < 0 ? undefined : clock.monotonicNs() + BigInt(timeout) * 1_000_000n;
  return {
    block: {
      description: `poll(${nfds} fds, ${timeout} ms)`,
      deadline,
      retry: (timedOut) => {
        const r = check();
        if (r > 0) return r;
        return timedOut ? 0 : undefined;
      },
    },
  };
}

const UTIME_NOW = -2;
const UTIME_OMIT = -3;

/** Sets a file's access and modification times (ns since the epoch) on the host and in the virtual inode table. */
function setTimes(c: HleContext, host: string, follow: boolean, atimeNs: bigint, mtimeNs: bigint): void {
  if (!setTimesExactly(host, follow, atimeNs, mtimeNs)) {
    const sec = (ns: bigint) => Number(ns) / 1e9;
    if (follow) fs.utimesSync(host, sec(atimeNs), sec(mtimeNs));
    else fs.lutimesSync(host, sec(atimeNs), sec(mtimeNs));
  }
  c.proc.files.virtualInodes?.timesSet(host, follow, atimeNs, mtimeNs);
}

/**
 * Node's utimes keeps microseconds only; a time with nanoseconds (Go's Chtimes passes them and
 * reads them back) is set by coreutils' touch, which calls utimensat. False: use Node's.
 */
function setTimesExactly(host: string, follow: boolean, atimeNs: bigint, mtimeNs: bigint): boolean {
  if ((atimeNs % 1000n === 0n && mtimeNs % 1000n === 0n) || atimeNs < 0n || mtimeNs < 0n) return false;
  const stamp = (ns: bigint) => `@${ns / 1_000_000_000n}.${String(ns % 1_000_000_000n).padStart(9, '0')}`;
  const touch = (which: '-a' | '-m', ns: bigint) =>
    spawnSync('touch', ['-c', ...(follow ? [] : ['-h']), which, '-d', stamp(ns), '--', host], { stdio: 'ignore' }).status === 0;
  return touch('-a', atimeNs) && touch('-m', mtimeNs);
}

/** utimensat(dirfd, path, struct timespec[2], flags): per-entry UTIME_NOW / UTIME_OMIT (AIX -2 / -3). */
function utimensat(c: HleContext): CallResult {
  const nofollow = (int(c, 3) & AT_SYMLINK_NOFOLLOW) !== 0;
  const host = atPath(c, 0, !nofollow);
  const ts = ptr(c, 2);
  const now = c.proc.clock.realtimeNs();
  let times: bigint[] = [now, now];
  if (ts !== 0n) {
    const old = nofollow ? fs.lstatSync(host, { bigint: true }) : fs.statSync(host, { bigint: true });
    const v = c.proc.files.virtualInodes?.override(old);
    const current = [v?.atimeNs ?? old.atimeNs, v?.mtimeNs ?? old.mtimeNs];
    times = [0, 1].map((i) => {
      const sec = BigInt.asIntN(64, c.mem.readU64(ts + BigInt(i * 16)));
      const nsec = BigInt.asIntN(64, c.mem.readU64(ts + BigInt(i * 16 + 8)));
      if (nsec === BigInt(UTIME_NOW)) return now;
      if (nsec === BigInt(UTIME_OMIT)) return current[i]!;
      if (nsec < 0n || nsec >= 1_000_000_000n) throw new FsError(ERRNO.EINVAL);
      return sec * 1_000_000_000n + nsec;
    });
  }
  setTimes(c, host, !nofollow, times[0]!, times[1]!);
  return 0;
}

function readdirInto(c: HleContext, fd: number, buf: bigint, len: number): CallResult {
  const f = fileOf(c, fd);
  if (f.kind !== 'host' || !f.isDir) return fail(ERRNO.ENOTDIR);
  // The directory itself, through its fd when Linux offers that: renamed or deeper than PATH_MAX, it is still this one.
  const dir = fs.existsSync(`/proc/self/fd/${f.hostFd}`) ? `/proc/self/fd/${f.hostFd}` : f.path;
  if (!f.dirEntries) f.dirEntries = ['.', '..', ...fs.readdirSync(dir)];
  const out: Uint8Array[] = [];
  let used = 0;
  while (f.dirPos < f.dirEntries.length) {
    const name = f.dirEntries[f.dirPos]!;
    let ino = 0n;
    try {
      const st = fs.lstatSync(`${dir}/${name}`, { bigint: true });
      ino = c.proc.files.virtualInodes?.override(st)?.ino ?? st.ino;
    } catch {
      ino = BigInt(f.dirPos + 1);
    }
    const rec = encodeDirent(name, ino, f.dirPos + 1);
    if (used + rec.length > len) break;
    out.push(rec);
    used += rec.length;
    f.dirPos++;
  }
  if (out.length === 0 && f.dirPos < f.dirEntries.length) return fail(ERRNO.EINVAL);
  const all = new Uint8Array(used);
  let at = 0;
  for (const r of out) {
    all.set(r, at);
    at += r.length;
  }
  c.mem.writeChecked(buf, all);
  return used;
}

export const fileFunctions: Record<string, HleFunction> = {
  open: guarded((c) => openFile(c, pathArg(c, 0), int(c, 1), int(c, 2))),
  openat: guarded((c) => {
    const guest = pathArg(c, 1);
    return openFile(c, guest, int(c, 2), int(c, 3), dirBase(c, int(c, 0), guest));
  }),
  creat: guarded((c) => c.proc.files.open(pathArg(c, 0), 0x100 | 0x200 | O_WRONLY, int(c, 1))),
  close: guarded((c) => (c.proc.files.close(int(c, 0)) ? 0 : fail(ERRNO.EBADF))),
  read: guarded((c) => readFd(c, int(c, 0), ptr(c, 1), size(c, 2), null)),
  pread: guarded((c) => readFd(c, int(c, 0), ptr(c, 1), size(c, 2), Number(i64(c, 3)))),
  write: guarded((c) => writeFd(c, int(c, 0), c.mem.readChecked(ptr(c, 1), size(c, 2)), null)),
  pwrite: guarded((c) => writeFd(c, int(c, 0), c.mem.readChecked(ptr(c, 1), size(c, 2)), Number(i64(c, 3)))),
  writev: guarded((c) => {
    const iov = ptr(c, 1);
    const n = int(c, 2);
    if (n < 0 || n > IOV_MAX) return fail(ERRNO.EINVAL);
    const parts: Uint8Array[] = [];
    for (let i = 0; i < n; i++) {
      const base = c.mem.readU64(iov + BigInt(i * 16));
      const len = Number(c.mem.readU64(iov + BigInt(i * 16 + 8)));
      parts.push(c.mem.readChecked(base, len));
    }
    return writeFd(c, int(c, 0), Buffer.concat(parts), null);
  }),
  lseek: guarded((c) => {
    const f = fileOf(c, int(c, 0));
    if (unseekable(f)) return fail(ERRNO.ESPIPE);
    const whence = int(c, 2);
    if (whence < 0 || whence > 2) return fail(ERRNO.EINVAL);
    // Character devices (/dev/null, /dev/zero, /dev/urandom) accept any seek and stay at 0 (Linux, AIX).
    if (f.kind !== 'host' || f.stream) return 0;
    const off = Number(i64(c, 1));
    if (f.isDir) {
      // A directory's offset counts entries (the d_offset getdirent reports): SEEK_CUR tells it,
      // SEEK_SET to a reported d_offset resumes there, SEEK_SET 0 rewinds and sees new entries.
      const base = whence === 0 ? 0 : whence === 1 ? f.dirPos : (f.dirEntries?.length ?? 0);
      if (base + off < 0) return fail(ERRNO.EINVAL);
      f.dirPos = base + off;
      if (f.dirPos === 0) f.dirEntries = undefined;
      return f.dirPos;
    }
    const base = whence === 0 ? 0 : whence === 1 ? f.offset : fs.fstatSync(f.hostFd).size;
    if (base + off < 0) return fail(ERRNO.EINVAL);
    f.offset = base + off;
    return f.offset;
  }),
  fstat: guarded((c) => {
    const f = fileOf(c, int(c, 0));
    if (f.kind !== 'host') {
      const b = new Uint8Array(176);
      new DataView(b.buffer).setUint32(16, f.kind === 'pipe' ? S_IFIFO | 0o600 : f.kind === 'socket' ? S_IFSOCK | 0o777 : S_IFCHR | 0o666);
      c.mem.writeChecked(ptr(c, 1), b);
      return 0;
    }
    return hostStatToBuf(c, 1, fs.fstatSync(f.hostFd, { bigint: true }));
  }),
  stat: guarded((c) => hostStatToBuf(c, 1, fs.statSync(argPath(c, 0), { bigint: true }))),
  lstat: guarded((c) => hostStatToBuf(c, 1, fs.lstatSync(argPath(c, 0, false), { bigint: true }))),
  fstatat: guarded((c) => {
    const nofollow = (int(c, 3) & AT_SYMLINK_NOFOLLOW) !== 0;
    const host = atPath(c, 0, !nofollow);
    const st = nofollow ? fs.lstatSync(host, { bigint: true }) : fs.statSync(host, { bigint: true });
    return hostStatToBuf(c, 2, st);
  }),
  getdirent: guarded((c) => readdirInto(c, int(c, 0), ptr(c, 1), size(c, 2))),
  getcwd: guarded((c) => {
    const buf = ptr(c, 0);
    const len = size(c, 1);
    const b = Buffer.from(c.proc.files.cwd + '\0', 'utf8');
    if (b.length > len) return fail(ERRNO.ERANGE);
    c.mem.writeChecked(buf, b);
    return buf;
  }),
  chdir: guarded((c) => (c.proc.files.changeDirectory(pathArg(c, 0)), 0)),
  fchdir: guarded((c) => (c.proc.files.changeDirectory('.', c.proc.files.dirPathOf(int(c, 0))), 0)),
  // mkdir never follows a last symlink: a dangling one is EEXIST, not a directory made at its target.
  mkdir: guarded((c) => makeDirectory(c, argPath(c, 0, false), int(c, 1))),
  mkdirat: guarded((c) => makeDirectory(c, atPath(c, 0, false), int(c, 2))),
  rmdir: guarded((c) => removeEntry(c, argPath(c, 0, false), true)),
  unlink: guarded((c) => removeEntry(c, argPath(c, 0, false), false)),
  unlinkat: guarded((c) => removeEntry(c, atPath(c, 0, false), (int(c, 2) & AT_REMOVEDIR) !== 0)),
  // rename moves links themselves, never their targets.
  rename: guarded((c) => renameEntry(c, argPath(c, 0, false), argPath(c, 1, false))),
  renameat: guarded((c) => renameEntry(c, atPath(c, 0, false), atPath(c, 2, false))),
  link: guarded((c) => {
    const [from, to] = [argPath(c, 0, false), argPath(c, 1, false)];
    fs.linkSync(from, to);
    c.proc.files.virtualInodes?.inodeChanged(to, false);
    c.proc.files.virtualInodes?.entriesChanged(to);
    return 0;
  }),
  symlink: guarded((c) => {
    const target = pathArg(c, 0);
    if (target === '') return fail(ERRNO.ENOENT);
    const host = argPath(c, 1, false);
    fs.symlinkSync(target, host);
    c.proc.files.virtualInodes?.created(host);
    return 0;
  }),
  readlink: guarded((c) => {
    const target = Buffer.from(fs.readlinkSync(argPath(c, 0, false)), 'utf8');
    const n = Math.min(target.length, size(c, 2));
    c.mem.writeChecked(ptr(c, 1), target.subarray(0, n));
    return n;
  }),
  readlinkat: guarded((c) => {
    const target = Buffer.from(fs.readlinkSync(atPath(c, 0, false)), 'utf8');
    const n = Math.min(target.length, size(c, 3));
    c.mem.writeChecked(ptr(c, 2), target.subarray(0, n));
    return n;
  }),
  chmod: guarded((c) => inodeChange(c, argPath(c, 0), true, (h) => fs.chmodSync(h, int(c, 1) & 0o7777))),
  fchmod: guarded((c) => fdInodeChange(c, int(c, 0), (fd) => fs.fchmodSync(fd, int(c, 1) & 0o7777))),
  fchmodat: guarded((c) => inodeChange(c, atPath(c, 0), true, (h) => fs.chmodSync(h, int(c, 2) & 0o7777))),
  chown: guarded((c) => inodeChange(c, argPath(c, 0), true, (h) => fs.chownSync(h, int(c, 1), int(c, 2)))),
  lchown: guarded((c) => inodeChange(c, argPath(c, 0, false), false, (h) => fs.lchownSync(h, int(c, 1), int(c, 2)))),
  fchown: guarded((c) => fdInodeChange(c, int(c, 0), (fd) => fs.fchownSync(fd, int(c, 1), int(c, 2)))),
  fchownat: guarded((c) => {
    const nofollow = (int(c, 4) & AT_SYMLINK_NOFOLLOW) !== 0;
    return inodeChange(c, atPath(c, 0, !nofollow), !nofollow, (h) => (nofollow ? fs.lchownSync : fs.chownSync)(h, int(c, 2), int(c, 3)));
  }),
  faccessat: guarded((c) => {
    fs.accessSync(atPath(c, 0), int(c, 2) & 7);
    return 0;
  }),
  access: guarded((c) => (fs.accessSync(argPath(c, 0), int(c, 1) & 7), 0)),
  ftruncate: guarded((c) => {
    const f = fileOf(c, int(c, 0));
    if (f.kind !== 'host') return fail(ERRNO.EINVAL);
    fs.ftruncateSync(f.hostFd, Number(i64(c, 1)));
    c.proc.files.virtualInodes?.modifiedFd(f.hostFd);
    return 0;
  }),
  truncate: guarded((c) => {
    const host = argPath(c, 0);
    fs.truncateSync(host, Number(i64(c, 1)));
    c.proc.files.virtualInodes?.modified(host);
    return 0;
  }),
  fsync: guarded((c) => {
    const f = fileOf(c, int(c, 0));
    if (f.kind === 'host' && !f.stream) fs.fsyncSync(f.hostFd);
    return 0;
  }),
  fsync_range: guarded((c) => {
    const f = fileOf(c, int(c, 0));
    if (f.kind === 'host' && !f.stream) fs.fsyncSync(f.hostFd);
    return 0;
  }),
  umask: (c) => {
    const old = c.proc.files.umask;
    c.proc.files.umask = int(c, 0) & 0o777;
    return old;
  },
  // utimes(path, struct timeval[2]): NULL = now. timeval = {sec int64, usec int32, pad}.
  utimes: guarded((c) => {
    const host = argPath(c, 0);
    const tv = ptr(c, 1);
    if (tv === 0n) {
      const now = c.proc.clock.realtimeNs();
      setTimes(c, host, true, now, now);
      return 0;
    }
    const at = (i: number) => BigInt.asIntN(64, c.mem.readU64(tv + BigInt(i * 16))) * 1_000_000_000n + BigInt(c.mem.readU32(tv + BigInt(i * 16 + 8)) | 0) * 1000n;
    setTimes(c, host, true, at(0), at(1));
    return 0;
  }),
  utimensat: guarded(utimensat),
  fcntl: guarded(fcntl),
  dup: guarded((c) => c.proc.files.dup(int(c, 0), 0, false)),
  dup2: guarded((c) => (c.proc.files.dup2(int(c, 0), int(c, 1)), int(c, 1))),
  pipe: guarded((c) => {
    const [r, w] = c.proc.files.makePipe();
    c.mem.writeU32(ptr(c, 0), r);
    c.mem.writeU32(ptr(c, 0) + 4n, w);
    return 0;
  }),
  poll: guarded(poll),
  ioctl: guarded((c) => (fileOf(c, int(c, 0)).kind === 'socket' ? socketIoctl(c) : fail(ERRNO.ENOTTY))),
  // A terminal, not any character device (/dev/null is one too).
  isatty: guarded((c) => {
    const f = fileOf(c, int(c, 0));
    return f.kind === 'host' && f.stream && isatty(f.hostFd) ? 1 : fail(ERRNO.ENOTTY);
  }),
};

