// Syscall numbers for AIX libc imports, so that stock gdb's `catch syscall` works on this target.
// gdb only knows the Linux ppc64 table (syscalls/ppc64-linux.xml) for powerpc:common64, and the
// remote protocol reports syscalls by number (QCatchSyscalls, syscall_entry:N). So an import that
// does what a Linux syscall does gets that syscall's number (write → 4, `catch syscall write`
// resolves to it); every other import gets a fixed number from 1000 up, above the Linux range.
// The mapping is one-to-one: a number always names a single import. README "catch syscall
// numbering" documents the table; test/integration/goruntime/syscall-numbers.test.ts checks it against
// gdb's own XML file.

export interface SyscallNumbering {
  /** The number gdb sees for an import (by C name), or undefined for names not in the table. */
  number: number;
  /** The Linux syscall name gdb prints for it, or undefined when above the Linux range. */
  linuxName: string | undefined;
}

/** AIX import → Linux ppc64 syscall (name, number) doing the same job. */
const LINUX_COUNTERPARTS: ReadonlyArray<readonly [aix: string, linux: string, number: number]> = [
  ['exit', 'exit', 1],
  ['fork', 'fork', 2],
  ['read', 'read', 3],
  ['write', 'write', 4],
  ['open', 'open', 5],
  ['close', 'close', 6],
  ['link', 'link', 9],
  ['unlink', 'unlink', 10],
  ['execve', 'execve', 11],
  ['chdir', 'chdir', 12],
  ['chmod', 'chmod', 15],
  ['lchown', 'lchown', 16],
  ['lseek', 'lseek', 19],
  ['getpid', 'getpid', 20],
  ['setuid', 'setuid', 23],
  ['getuid', 'getuid', 24],
  ['ptrace64', 'ptrace', 26],
  ['kill', 'kill', 37],
  ['rename', 'rename', 38],
  ['mkdir', 'mkdir', 39],
  ['rmdir', 'rmdir', 40],
  ['dup', 'dup', 41],
  ['pipe', 'pipe', 42],
  ['setgid', 'setgid', 46],
  ['getgid', 'getgid', 47],
  ['geteuid', 'geteuid', 49],
  ['getegid', 'getegid', 50],
  ['acct', 'acct', 51],
  ['ioctl', 'ioctl', 54],
  ['fcntl', 'fcntl', 55],
  ['setpgid', 'setpgid', 57],
  ['umask', 'umask', 60],
  ['chroot', 'chroot', 61],
  ['dup2', 'dup2', 63],
  ['getppid', 'getppid', 64],
  ['setsid', 'setsid', 66],
  ['setreuid', 'setreuid', 70],
  ['setregid', 'setregid', 71],
  ['setrlimit', 'setrlimit', 75],
  ['getrlimit', 'getrlimit', 76],
  ['getrusage', 'getrusage', 77],
  ['gettimeofday', 'gettimeofday', 78],
  ['getgroups', 'getgroups', 80],
  ['setgroups', 'setgroups', 81],
  ['symlink', 'symlink', 83],
  ['readlink', 'readlink', 85],
  ['reboot', 'reboot', 88],
  ['mmap', 'mmap', 90],
  ['munmap', 'munmap', 91],
  ['truncate', 'truncate', 92],
  ['ftruncate', 'ftruncate', 93],
  ['fchmod', 'fchmod', 94],
  ['fchown', 'fchown', 95],
  ['getpriority', 'getpriority', 96],
  ['setpriority', 'setpriority', 97],
  ['statfs', 'statfs', 99],
  ['fstatfs', 'fstatfs', 100],
  ['setitimer', 'setitimer', 104],
  ['stat', 'stat', 106],
  ['lstat', 'lstat', 107],
  ['fstat', 'fstat', 108],
  ['wait4', 'wait4', 114],
  ['fsync_range', 'fsync', 118],
  ['pthread_create', 'clone', 120],
  ['uname', 'uname', 122],
  ['mprotect', 'mprotect', 125],
  ['fchdir', 'fchdir', 133],
  ['getdirent', 'getdents', 141],
  ['writev', 'writev', 146],
  ['sched_yield', 'sched_yield', 158],
  // Go's runtime sleeps with usleep on AIX where on Linux it calls nanosleep.
  ['usleep', 'nanosleep', 162],
  ['poll', 'poll', 167],
  ['sigaction', 'rt_sigaction', 173],
  ['sigthreadmask', 'rt_sigprocmask', 174],
  ['pread', 'pread64', 179],
  ['pwrite', 'pwrite64', 180],
  ['chown', 'chown', 181],
  ['getcwd', 'getcwd', 182],
  ['sigaltstack', 'sigaltstack', 185],
  ['madvise', 'madvise', 205],
  ['pthread_self', 'gettid', 207],
  // libc _exit ends the whole process: Linux's exit_group. (`exit` is Go 1.19's import.)
  ['_exit', 'exit_group', 234],
  ['clock_gettime', 'clock_gettime', 246],
  ['pthread_kill', 'tgkill', 250],
  ['utimes', 'utimes', 251],
  ['openat', 'openat', 286],
  ['mkdirat', 'mkdirat', 287],
  ['mknodat', 'mknodat', 288],
  ['fchownat', 'fchownat', 289],
  ['fstatat', 'newfstatat', 291],
  ['unlinkat', 'unlinkat', 292],
  ['renameat', 'renameat', 293],
  ['readlinkat', 'readlinkat', 296],
  ['fchmodat', 'fchmodat', 297],
  ['faccessat', 'faccessat', 298],
  ['utimensat', 'utimensat', 304],
  ['socket', 'socket', 326],
  ['bind', 'bind', 327],
  ['connect', 'connect', 328],
  ['listen', 'listen', 329],
  ['accept', 'accept', 330],
  ['getsockname', 'getsockname', 331],
  ['getpeername', 'getpeername', 332],
  ['socketpair', 'socketpair', 333],
  ['sendto', 'sendto', 335],
  ['recvfrom', 'recvfrom', 337],
  ['shutdown', 'shutdown', 338],
  ['setsockopt', 'setsockopt', 339],
  ['getsockopt', 'getsockopt', 340],
  ['nsendmsg', 'sendmsg', 341],
  ['nrecvmsg', 'recvmsg', 342],
];

/** First number of the AIX-only range. Linux ppc64 ends well below (about 460 in gdb 13). */
export const AIX_ONLY_BASE = 1000;

/**
 * Imports without a Linux counterpart, numbered AIX_ONLY_BASE + index. Append only: a number,
 * once given, never changes (scripts say `catch syscall 1005`).
 */
const AIX_ONLY: readonly string[] = [
  '_Errno', // 1000
  'malloc', // 1001
  'sysconf', // 1002
  'getsystemcfg', // 1003
  'sem_init', // 1004
  'sem_post', // 1005
  'sem_wait', // 1006
  'sem_timedwait', // 1007
  'pthread_attr_init', // 1008
  'pthread_attr_setstacksize', // 1009
  'pthread_attr_setdetachstate', // 1010
  'raise', // 1011
  '__mod_init', // 1012
  'getkerninfo', // 1013
  'fpathconf', // 1014
  'seteuid', // 1015
  'setegid', // 1016
  'nanosleep', // 1017
  'pthread_attr_destroy', // 1018
  'pthread_attr_getstacksize', // 1019
  'pthread_attr_setstackaddr', // 1020
  '__pth_init', // 1021
];

/** Imports no table names get numbers from here, in name order, per binary. */
export const UNLISTED_BASE = 1900;

const byName = new Map<string, SyscallNumbering>();
const byNumber = new Map<number, string>();
for (const [aix, linux, number] of LINUX_COUNTERPARTS) {
  byName.set(aix, { number, linuxName: linux });
  byNumber.set(number, aix);
}
AIX_ONLY.forEach((aix, i) => {
  byName.set(aix, { number: AIX_ONLY_BASE + i, linuxName: undefined });
  byNumber.set(AIX_ONLY_BASE + i, aix);
});

/** The import the fixed tables give a number to, if any. */
export function fixedImportOf(number: number): string | undefined {
  return byNumber.get(number);
}

/** The fixed numbering of an import by its C name ('write' → 4), or undefined if not in the tables. */
export function fixedSyscallNumber(importName: string): SyscallNumbering | undefined {
  return byName.get(importName);
}

/** Every import the fixed tables number, in number order: the README table. */
export function fixedSyscallTable(): Array<{ importName: string; number: number; linuxName: string | undefined }> {
  return [...byName.entries()]
    .map(([importName, n]) => ({ importName, number: n.number, linuxName: n.linuxName }))
    .sort((a, b) => a.number - b.number);
}

/**
 * The numbering for one binary's imports: the fixed tables, plus UNLISTED_BASE + k for names they
 * do not know (sorted by name, so the same binary always gets the same numbers).
 */
export class SyscallNumbers {
  private readonly numberOfName = new Map<string, number>();
  private readonly nameOfNumber = new Map<number, string>();

  constructor(importNames: Iterable<string>) {
    const unlisted: string[] = [];
    for (const name of new Set(importNames)) {
      const fixed = byName.get(name);
      if (fixed === undefined) unlisted.push(name);
      else this.set(name, fixed.number);
    }
    unlisted.sort().forEach((name, k) => this.set(name, UNLISTED_BASE + k));
  }

  private set(name: string, number: number): void {
    this.numberOfName.set(name, number);
    this.nameOfNumber.set(number, name);
  }

  /** gdb's syscall number for an import of this binary. */
  numberOf(importName: string): number | undefined {
    return this.numberOfName.get(importName);
  }

  /** The import a gdb syscall number stands for in this binary. */
  importOf(number: number): string | undefined {
    return this.nameOfNumber.get(number);
  }

  /** The Linux name gdb shows for an import ('usleep' → 'nanosleep'), or undefined above the Linux range. */
  linuxNameOf(importName: string): string | undefined {
    return byName.get(importName)?.linuxName;
  }

  entries(): Array<{ importName: string; number: number }> {
    return [...this.numberOfName.entries()].map(([importName, number]) => ({ importName, number })).sort((a, b) => a.number - b.number);
  }
}
