// The rest of syscall's aix imports (notes/libc-coverage.md): process groups, priorities,
// credentials, file-system statistics, the interface table (getkerninfo), and the calls an
// unprivileged emulated process can only refuse (acct, reboot, ptrace64).
import * as fs from 'node:fs';
import { spawnSync } from 'node:child_process';
import { ERRNO, S_IFIFO, S_IFMT, S_IFREG } from '../constants.js';
import { KINFO_RT_IFLIST, hostInterfaces, interfaceListTable } from '../interfaces.js';
import type { CallResult } from '../threads.js';
import { fail, guarded, int, ptr, type HleContext, type HleFunction } from './types.js';

const PRIO_PROCESS = 0;
const PRIO_PGRP = 1;
const PRIO_USER = 2;

/** AIX struct statfs (ztypes_aix_ppc64.go Statfs_t, 176 bytes). */
export function encodeStatfs(st: fs.BigIntStatsFs): Uint8Array {
  const b = new Uint8Array(176);
  const v = new DataView(b.buffer);
  v.setInt32(0, 0); // f_version
  v.setInt32(4, 0); // f_type
  v.setBigUint64(8, st.bsize);
  v.setBigUint64(16, st.blocks);
  v.setBigUint64(24, st.bfree);
  v.setBigUint64(32, st.bavail);
  v.setBigUint64(40, st.files);
  v.setBigUint64(48, st.ffree);
  // f_fsid at 56 (two u64) left zero; f_vfstype 72: MNT_J2 (0) is what a JFS2 volume reports.
  v.setBigUint64(80, st.bsize); // f_fsize
  b.set(Buffer.from('/'), 104); // f_fname
  v.setInt32(168, 255); // f_name_max
  return b;
}

function isOwnProcess(c: HleContext, who: number): boolean {
  return who === 0 || who === c.proc.pid;
}

function checkPriorityTarget(c: HleContext, which: number, who: number): number | undefined {
  if (which === PRIO_PROCESS || which === PRIO_PGRP) return isOwnProcess(c, who) ? undefined : ERRNO.ESRCH;
  if (which === PRIO_USER) return who === 0 || who === c.proc.uid ? undefined : ERRNO.ESRCH;
  return ERRNO.EINVAL;
}

/** set*id calls: an unprivileged process may only "change" to the ids it already has (-1 = keep). */
function sameIds(c: HleContext, ids: number[], own: number): CallResult {
  for (const id of ids) if (id !== -1 && id !== own) return fail(ERRNO.EPERM);
  return 0;
}

export const systemFunctions: Record<string, HleFunction> = {
  // libpthread initialisation hook the runtime imports but never calls on the paths we run.
  __pth_init: () => 0,

  getpgid: (c) => (isOwnProcess(c, int(c, 0)) ? c.proc.pid : fail(ERRNO.ESRCH)),

  getpriority(c) {
    const err = checkPriorityTarget(c, int(c, 0), int(c, 1));
    if (err !== undefined) return fail(err);
    return c.proc.nice;
  },
  setpriority(c) {
    const err = checkPriorityTarget(c, int(c, 0), int(c, 1));
    if (err !== undefined) return fail(err);
    const nice = Math.max(-20, Math.min(19, int(c, 2)));
    // Raising priority (a lower nice value) needs privilege.
    if (nice < c.proc.nice && c.proc.uid !== 0) return fail(ERRNO.EPERM);
    c.proc.nice = nice;
    return 0;
  },

  seteuid: (c) => sameIds(c, [int(c, 0)], c.proc.uid),
  setegid: (c) => sameIds(c, [int(c, 0)], c.proc.gid),
  setreuid: (c) => sameIds(c, [int(c, 0), int(c, 1)], c.proc.uid),
  setregid: (c) => sameIds(c, [int(c, 0), int(c, 1)], c.proc.gid),

  statfs: guarded((c) => {
    const host = c.proc.files.hostPath(c.mem.readCString(ptr(c, 0), 4096));
    c.mem.writeChecked(ptr(c, 1), encodeStatfs(fs.statfsSync(host, { bigint: true })));
    return 0;
  }),
  fstatfs: guarded((c) => {
    const e = c.proc.files.get(int(c, 0));
    if (!e) return fail(ERRNO.EBADF);
    const f = e.file;
    const host = f.kind === 'host' && !f.stream ? f.path : c.proc.files.hostPath('/');
    c.mem.writeChecked(ptr(c, 1), encodeStatfs(fs.statfsSync(host, { bigint: true })));
    return 0;
  }),

  // No _PC_* value is verified against AIX's unistd.h here: refuse every name rather than guess.
  fpathconf: (c) => (c.proc.files.get(int(c, 0)) ? fail(ERRNO.EINVAL) : fail(ERRNO.EBADF)),

  mknodat: guarded((c) => {
    const dirfd = int(c, 0);
    const guest = c.mem.readCString(ptr(c, 1), 4096);
    const mode = int(c, 2);
    const base = dirfd === -2 || guest.startsWith('/') ? undefined : c.proc.files.dirPathOf(dirfd);
    const host = c.proc.files.hostPath(guest, base, false);
    const type = mode & S_IFMT;
    if (type === S_IFREG || type === 0) {
      fs.closeSync(fs.openSync(host, fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_WRONLY, mode & 0o7777));
      c.proc.files.virtualInodes?.created(host);
      return 0;
    }
    if (type === S_IFIFO) {
      // Node has no mkfifo; the host's coreutils does it (the FIFO is a host object like any file).
      if (fs.existsSync(host)) return fail(ERRNO.EEXIST);
      const r = spawnSync('mkfifo', ['-m', (mode & 0o777).toString(8), host]);
      if (r.status !== 0) return fail(ERRNO.EACCES);
      c.proc.files.virtualInodes?.created(host);
      return 0;
    }
    return fail(ERRNO.EPERM); // device nodes need privilege
  }),

  // Privileged or kernel-internal: an unprivileged AIX process gets EPERM.
  acct: () => fail(ERRNO.EPERM),
  reboot: () => fail(ERRNO.EPERM),
  // No tracing of other processes: there are none (fork is ENOSYS).
  ptrace64: () => fail(ERRNO.ENOSYS),
  // getkerninfo(op, where, size*, arg): the interface list (net.Interfaces, InterfaceAddrs); with
  // where = NULL it returns the size needed. Other kernel tables (routes, ARP...) are not emulated.
  getkerninfo: guarded((c) => {
    if (int(c, 0) !== KINFO_RT_IFLIST) return fail(ERRNO.ENOSYS);
    const table = interfaceListTable(hostInterfaces());
    const where = ptr(c, 1);
    const sizePtr = ptr(c, 2);
    if (where === 0n) return table.length;
    if (sizePtr === 0n) return fail(ERRNO.EINVAL);
    const room = c.mem.readU32(sizePtr);
    if (room < table.length) return fail(ERRNO.ENOSPC);
    c.mem.writeChecked(where, table);
    c.mem.writeU32(sizePtr, table.length);
    return table.length;
  }),
};
