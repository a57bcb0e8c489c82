// File and descriptor calls (§4.3, §4.4) over the FileTable: host files seen through --root,
// in-emulator pipes, AIX struct stat / dirent layouts (§4.7), poll that blocks the thread.
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  AT_FDCWD, AT_REMOVEDIR, AT_SYMLINK_NOFOLLOW, ERRNO, FD_CLOEXEC, F_DUPFD, F_GETFD, F_GETFL, F_GETLK, F_SETFD, F_SETFL,
  F_SETLK, F_SETLKW, O_ACCMODE, O_APPEND, O_NONBLOCK, O_RDONLY, O_WRONLY, POLLERR, POLLHUP, POLLIN, POLLNVAL, POLLOUT, S_IFCHR, S_IFIFO, S_IFSOCK,
} from '../constants.js';
import { FsError, HostStreamReader, mayBlockOnRead, type OpenFile } from '../files.js';
import type { CallResult } from '../threads.js';
import { socketRead, socketWrite } from './sockets.js';
import { fail, guarded, int, ptr, size, i64, type HleContext, type HleFunction } from './types.js';

function fileOf(c: HleContext, fd: number): OpenFile {
  const e = c.proc.files.get(fd);
  if (!e) throw new FsError(ERRNO.EBADF);
  return e.file;
}

function pathArg(c: HleContext, i: number): string {
  return c.mem.readCString(ptr(c, i), 4096);
}

/** The guest directory an *at() call is relative to. */
function dirBase(c: HleContext, dirfd: number): string | undefined {
  if (dirfd === AT_FDCWD) return undefined;
  return c.proc.files.dirPathOf(dirfd);
}

function blockingIo(c: HleContext, what: string, attempt: () => CallResult | undefined): CallResult {
  const now = attempt();
  if (now !== undefined) return now;
  return { block: { description: what, retry: () => attempt() } };
}

function readFd(c: HleContext, fd: number, buf: bigint, len: number, pos: number | null): CallResult {
  const f = fileOf(c, fd);
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
  let position: number | null = pos ?? (f.stream ? null : f.offset);
  if (pos === null && (f.flags & O_APPEND) && !f.stream) position = fs.fstatSync(f.hostFd).size;
  let n = 0;
  while (n < data.length) n += fs.writeSync(f.hostFd, data, n, data.length - n, position === null ? null : position + n);
  if (pos === null && !f.stream && position !== null) f.offset = position + n;
  if (!f.stream && position !== null) c.proc.fileMappings.afterWrite(f.hostFd, position, n);
  return n;
}

/** struct stat (176 bytes, §4.7) from a host Stats. */
export function encodeStat(st: fs.BigIntStats): Uint8Array {
  const b = new Uint8Array(176);
  const v = new DataView(b.buffer);
  v.setBigUint64(0, st.dev);
  v.setBigUint64(8, st.ino);
  v.setUint32(16, Number(st.mode));
  v.setUint16(20, Math.min(Number(st.nlink), 0xffff));
  v.setUint32(24, Number(st.uid));
  v.setUint32(28, Number(st.gid));
  v.setBigUint64(32, st.rdev);
  v.setInt32(40, Number(st.size & 0x7fffffffn));
  const times: Array<[number, bigint]> = [[48, st.atimeNs], [64, st.mtimeNs], [80, st.ctimeNs]];
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
  c.mem.writeChecked(ptr(c, bufArg), encodeStat(st));
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
            if (p.readers === 0) rev |= POLLERR;
            else rev |= events & POLLOUT;
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

/** utimensat(dirfd, path, struct timespec[2], flags): per-entry UTIME_NOW / UTIME_OMIT (AIX -2 / -3). */
function utimensat(c: HleContext): CallResult {
  const nofollow = (int(c, 3) & AT_SYMLINK_NOFOLLOW) !== 0;
  const host = c.proc.files.hostPath(pathArg(c, 1), dirBase(c, int(c, 0)), !nofollow);
  const ts = ptr(c, 2);
  const now = Number(c.proc.clock.realtimeNs()) / 1e9;
  let times: [number, number] = [now, now];
  if (ts !== 0n) {
    const old = nofollow ? fs.lstatSync(host) : fs.statSync(host);
    const current = [old.atimeMs / 1000, old.mtimeMs / 1000];
    times = [0, 1].map((i) => {
      const sec = Number(BigInt.asIntN(64, c.mem.readU64(ts + BigInt(i * 16))));
      const nsec = Number(BigInt.asIntN(64, c.mem.readU64(ts + BigInt(i * 16 + 8))));
      if (nsec === UTIME_NOW) return now;
      if (nsec === UTIME_OMIT) return current[i]!;
      if (nsec < 0 || nsec >= 1e9) throw new FsError(ERRNO.EINVAL);
      return sec + nsec / 1e9;
    }) as [number, number];
  }
  if (nofollow) fs.lutimesSync(host, times[0], times[1]);
  else fs.utimesSync(host, times[0], times[1]);
  return 0;
}

function readdirInto(c: HleContext, fd: number, buf: bigint, len: number): CallResult {
  const f = fileOf(c, fd);
  if (f.kind !== 'host' || !f.isDir) return fail(ERRNO.ENOTDIR);
  if (!f.dirEntries) f.dirEntries = ['.', '..', ...fs.readdirSync(f.path)];
  const out: Uint8Array[] = [];
  let used = 0;
  while (f.dirPos < f.dirEntries.length) {
    const name = f.dirEntries[f.dirPos]!;
    let ino = 0n;
    try {
      ino = fs.lstatSync(path.join(f.path, name), { bigint: true }).ino;
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
  open: guarded((c) => c.proc.files.open(pathArg(c, 0), int(c, 1), int(c, 2))),
  openat: guarded((c) => c.proc.files.open(pathArg(c, 1), int(c, 2), int(c, 3), dirBase(c, int(c, 0)))),
  creat: guarded((c) => c.proc.files.open(pathArg(c, 0), 0x100 | 0x200 | O_WRONLY, int(c, 1))),
  close: guarded((c) => (c.proc.files.close(int(c, 0)) ? 0 : fail(ERRNO.EBADF))),
  read: guarded((c) => readFd(c, int(c, 0), ptr(c, 1), size(c, 2), null)),
  pread: guarded((c) => readFd(c, int(c, 0), ptr(c, 1), size(c, 2), Number(i64(c, 3)))),
  write: guarded((c) => writeFd(c, int(c, 0), c.mem.readChecked(ptr(c, 1), size(c, 2)), null)),
  pwrite: guarded((c) => writeFd(c, int(c, 0), c.mem.readChecked(ptr(c, 1), size(c, 2)), Number(i64(c, 3)))),
  writev: guarded((c) => {
    const iov = ptr(c, 1);
    const n = int(c, 2);
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
    if (f.kind !== 'host' || f.stream) return fail(ERRNO.ESPIPE);
    const off = Number(i64(c, 1));
    const whence = int(c, 2);
    const base = whence === 0 ? 0 : whence === 1 ? f.offset : whence === 2 ? fs.fstatSync(f.hostFd).size : NaN;
    if (Number.isNaN(base) || base + off < 0) return fail(ERRNO.EINVAL);
    f.offset = base + off;
    if (f.isDir) {
      f.dirPos = 0;
      f.dirEntries = undefined;
    }
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
  stat: guarded((c) => hostStatToBuf(c, 1, fs.statSync(c.proc.files.hostPath(pathArg(c, 0)), { bigint: true }))),
  lstat: guarded((c) => hostStatToBuf(c, 1, fs.lstatSync(c.proc.files.hostPath(pathArg(c, 0), undefined, false), { bigint: true }))),
  fstatat: guarded((c) => {
    const nofollow = (int(c, 3) & AT_SYMLINK_NOFOLLOW) !== 0;
    const host = c.proc.files.hostPath(pathArg(c, 1), dirBase(c, int(c, 0)), !nofollow);
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
  chdir: guarded((c) => {
    const guest = path.posix.resolve(c.proc.files.cwd, pathArg(c, 0));
    if (!fs.statSync(c.proc.files.hostPath(guest)).isDirectory()) return fail(ERRNO.ENOTDIR);
    c.proc.files.cwd = guest;
    return 0;
  }),
  fchdir: guarded((c) => {
    const f = fileOf(c, int(c, 0));
    if (f.kind !== 'host' || !f.isDir) return fail(ERRNO.ENOTDIR);
    c.proc.files.cwd = c.proc.files.guestPath(f.path);
    return 0;
  }),
  mkdir: guarded((c) => (fs.mkdirSync(c.proc.files.hostPath(pathArg(c, 0)), { mode: int(c, 1) & ~c.proc.files.umask }), 0)),
  mkdirat: guarded((c) => (fs.mkdirSync(c.proc.files.hostPath(pathArg(c, 1), dirBase(c, int(c, 0))), { mode: int(c, 2) & ~c.proc.files.umask }), 0)),
  rmdir: guarded((c) => (fs.rmdirSync(c.proc.files.hostPath(pathArg(c, 0))), 0)),
  unlink: guarded((c) => (fs.unlinkSync(c.proc.files.hostPath(pathArg(c, 0), undefined, false)), 0)),
  unlinkat: guarded((c) => {
    const host = c.proc.files.hostPath(pathArg(c, 1), dirBase(c, int(c, 0)), false);
    if (int(c, 2) & AT_REMOVEDIR) fs.rmdirSync(host);
    else fs.unlinkSync(host);
    return 0;
  }),
  rename: guarded((c) => (fs.renameSync(c.proc.files.hostPath(pathArg(c, 0), undefined, false), c.proc.files.hostPath(pathArg(c, 1), undefined, false)), 0)),
  renameat: guarded((c) => {
    const from = c.proc.files.hostPath(pathArg(c, 1), dirBase(c, int(c, 0)));
    const to = c.proc.files.hostPath(pathArg(c, 3), dirBase(c, int(c, 2)));
    fs.renameSync(from, to);
    return 0;
  }),
  link: guarded((c) => (fs.linkSync(c.proc.files.hostPath(pathArg(c, 0)), c.proc.files.hostPath(pathArg(c, 1))), 0)),
  symlink: guarded((c) => (fs.symlinkSync(pathArg(c, 0), c.proc.files.hostPath(pathArg(c, 1), undefined, false)), 0)),
  readlink: guarded((c) => {
    const target = Buffer.from(fs.readlinkSync(c.proc.files.hostPath(pathArg(c, 0), undefined, false)), 'utf8');
    const n = Math.min(target.length, size(c, 2));
    c.mem.writeChecked(ptr(c, 1), target.subarray(0, n));
    return n;
  }),
  readlinkat: guarded((c) => {
    const target = Buffer.from(fs.readlinkSync(c.proc.files.hostPath(pathArg(c, 1), dirBase(c, int(c, 0)), false)), 'utf8');
    const n = Math.min(target.length, size(c, 3));
    c.mem.writeChecked(ptr(c, 2), target.subarray(0, n));
    return n;
  }),
  chmod: guarded((c) => (fs.chmodSync(c.proc.files.hostPath(pathArg(c, 0)), int(c, 1) & 0o7777), 0)),
  fchmod: guarded((c) => {
    const f = fileOf(c, int(c, 0));
    if (f.kind === 'host') fs.fchmodSync(f.hostFd, int(c, 1) & 0o7777);
    return 0;
  }),
  fchmodat: guarded((c) => (fs.chmodSync(c.proc.files.hostPath(pathArg(c, 1), dirBase(c, int(c, 0))), int(c, 2) & 0o7777), 0)),
  chown: guarded((c) => (fs.chownSync(c.proc.files.hostPath(pathArg(c, 0)), int(c, 1), int(c, 2)), 0)),
  lchown: guarded((c) => (fs.lchownSync(c.proc.files.hostPath(pathArg(c, 0), undefined, false), int(c, 1), int(c, 2)), 0)),
  fchown: guarded((c) => {
    const f = fileOf(c, int(c, 0));
    if (f.kind === 'host') fs.fchownSync(f.hostFd, int(c, 1), int(c, 2));
    return 0;
  }),
  fchownat: guarded((c) => {
    const nofollow = (int(c, 4) & AT_SYMLINK_NOFOLLOW) !== 0;
    const host = c.proc.files.hostPath(pathArg(c, 1), dirBase(c, int(c, 0)), !nofollow);
    if (nofollow) fs.lchownSync(host, int(c, 2), int(c, 3));
    else fs.chownSync(host, int(c, 2), int(c, 3));
    return 0;
  }),
  faccessat: guarded((c) => {
    const host = c.proc.files.hostPath(pathArg(c, 1), dirBase(c, int(c, 0)));
    fs.accessSync(host, int(c, 2) & 7);
    return 0;
  }),
  access: guarded((c) => (fs.accessSync(c.proc.files.hostPath(pathArg(c, 0)), int(c, 1) & 7), 0)),
  ftruncate: guarded((c) => {
    const f = fileOf(c, int(c, 0));
    if (f.kind !== 'host') return fail(ERRNO.EINVAL);
    fs.ftruncateSync(f.hostFd, Number(i64(c, 1)));
    return 0;
  }),
  truncate: guarded((c) => (fs.truncateSync(c.proc.files.hostPath(pathArg(c, 0)), Number(i64(c, 1))), 0)),
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
    const host = c.proc.files.hostPath(pathArg(c, 0));
    const tv = ptr(c, 1);
    if (tv === 0n) {
      const now = Number(c.proc.clock.realtimeNs()) / 1e9;
      fs.utimesSync(host, now, now);
      return 0;
    }
    const at = (i: number) => Number(BigInt.asIntN(64, c.mem.readU64(tv + BigInt(i * 16)))) + (c.mem.readU32(tv + BigInt(i * 16 + 8)) | 0) / 1e6;
    fs.utimesSync(host, at(0), at(1));
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
  ioctl: guarded((c) => (fileOf(c, int(c, 0)), fail(ERRNO.ENOTTY))),
  isatty: guarded((c) => {
    const f = fileOf(c, int(c, 0));
    return f.kind === 'host' && f.stream && require_isatty(f.hostFd) ? 1 : fail(ERRNO.ENOTTY);
  }),
};

function require_isatty(fd: number): boolean {
  try {
    return fs.fstatSync(fd).isCharacterDevice();
  } catch {
    return false;
  }
}

