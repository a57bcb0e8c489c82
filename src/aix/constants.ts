// AIX numbers the Go runtime and syscall package observe (notes/aix-go-contract.md §4.5). Keep these
// AIX values: they differ from Linux (EAGAIN 11, ETIMEDOUT 78, SIGURG 16, O_CLOEXEC 0x800000...).

export const ERRNO = {
  EPERM: 1, ENOENT: 2, ESRCH: 3, EINTR: 4, EIO: 5, ENXIO: 6, E2BIG: 7, ENOEXEC: 8, EBADF: 9, ECHILD: 10,
  EAGAIN: 11, ENOMEM: 12, EACCES: 13, EFAULT: 14, EBUSY: 16, EEXIST: 17, EXDEV: 18, ENODEV: 19,
  ENOTDIR: 20, EISDIR: 21, EINVAL: 22, ENFILE: 23, EMFILE: 24, ENOTTY: 25, ETXTBSY: 26, EFBIG: 27,
  ENOSPC: 28, ESPIPE: 29, EROFS: 30, EMLINK: 31, EPIPE: 32, EDOM: 33, ERANGE: 34, EDEADLK: 45,
  ENOLCK: 49, EINPROGRESS: 55, EALREADY: 56, ENOTSOCK: 57, EDESTADDRREQ: 58, EMSGSIZE: 59,
  EPROTOTYPE: 60, ENOPROTOOPT: 61, EPROTONOSUPPORT: 62, EOPNOTSUPP: 64, EAFNOSUPPORT: 66,
  EADDRINUSE: 67, EADDRNOTAVAIL: 68, ENETDOWN: 69, ENETUNREACH: 70, ECONNABORTED: 72,
  ECONNRESET: 73, ENOBUFS: 74, EISCONN: 75, ENOTCONN: 76, ETIMEDOUT: 78, ECONNREFUSED: 79,
  EHOSTUNREACH: 81, ELOOP: 85, ENAMETOOLONG: 86, EDQUOT: 88, ENOSYS: 109, ENOTSUP: 124, EOVERFLOW: 127,
} as const;

// ENOTEMPTY shares 17 with EEXIST on AIX.
export const ENOTEMPTY = 17;

const errnoNames = new Map<number, string>();
for (const [name, n] of Object.entries(ERRNO)) if (!errnoNames.has(n)) errnoNames.set(n, name);

export function errnoName(n: number): string {
  return errnoNames.get(n) ?? `E${n}`;
}

/** Host (Node, Linux) errno codes to AIX numbers. */
export function hostErrnoToAix(code: string | undefined): number {
  switch (code) {
    case 'ENOTEMPTY':
      return ENOTEMPTY;
    case 'EWOULDBLOCK':
      return ERRNO.EAGAIN;
    default: {
      const n = code !== undefined ? (ERRNO as Record<string, number>)[code] : undefined;
      return n ?? ERRNO.EIO;
    }
  }
}

export const SIG = {
  SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGILL: 4, SIGTRAP: 5, SIGABRT: 6, SIGEMT: 7, SIGFPE: 8,
  SIGKILL: 9, SIGBUS: 10, SIGSEGV: 11, SIGSYS: 12, SIGPIPE: 13, SIGALRM: 14, SIGTERM: 15,
  SIGURG: 16, SIGSTOP: 17, SIGTSTP: 18, SIGCONT: 19, SIGCHLD: 20, SIGTTIN: 21, SIGTTOU: 22,
  SIGIO: 23, SIGXCPU: 24, SIGXFSZ: 25, SIGWINCH: 28, SIGPWR: 29, SIGUSR1: 30, SIGUSR2: 31,
  SIGPROF: 32, SIGVTALRM: 34, SIGWAITING: 39,
} as const;

const sigNames = new Map<number, string>(Object.entries(SIG).map(([k, v]) => [v, k]));
export function signalName(n: number): string {
  return sigNames.get(n) ?? `SIG${n}`;
}

/** strsignal()'s words, for the line printed when a guest dies of a signal. */
const SIGNAL_DESCRIPTIONS: Record<number, string> = {
  1: 'Hangup', 2: 'Interrupt', 3: 'Quit', 4: 'Illegal instruction', 5: 'Trace/breakpoint trap', 6: 'Aborted',
  7: 'EMT trap', 8: 'Floating point exception', 9: 'Killed', 10: 'Bus error', 11: 'Segmentation fault',
  12: 'Bad system call', 13: 'Broken pipe', 14: 'Alarm clock', 15: 'Terminated', 16: 'Urgent I/O condition',
  17: 'Stopped (signal)', 18: 'Stopped', 19: 'Continued', 20: 'Child exited', 21: 'Stopped (tty input)',
  22: 'Stopped (tty output)', 23: 'I/O possible', 24: 'CPU time limit exceeded', 25: 'File size limit exceeded',
  28: 'Window changed', 29: 'Power failure', 30: 'User defined signal 1', 31: 'User defined signal 2',
  32: 'Profiling timer expired', 34: 'Virtual timer expired',
};

export function signalDescription(n: number): string {
  return SIGNAL_DESCRIPTIONS[n] ?? `Unknown signal ${n}`;
}

export const NSIG = 256;

export const SI_USER = 0;
export const SEGV_MAPERR = 0x32;
export const SEGV_ACCERR = 0x33;
export const ILL_ILLOPC = 0x1e; // AIX value is not used by Go beyond "non-zero"

export const SA_ONSTACK = 0x1;
export const SA_RESTART = 0x8;
export const SA_SIGINFO = 0x100;
export const SA_NODEFER = 0x200;
export const SA_RESETHAND = 0x2;
export const SIG_DFL = 0n;
export const SIG_IGN = 1n;
export const SS_ONSTACK = 1;
export const SS_DISABLE = 2;
export const SIG_BLOCK = 0;
export const SIG_UNBLOCK = 1;
export const SIG_SETMASK = 2;

export const PROT_NONE = 0;
export const PROT_READ = 1;
export const PROT_WRITE = 2;
export const PROT_EXEC = 4;
export const MAP_SHARED = 1;
export const MAP_PRIVATE = 2;
export const MAP_ANONYMOUS = 0x10;
export const MAP_FIXED = 0x100;
export const MS_ASYNC = 0x10;
export const MS_SYNC = 0x20;
export const MS_INVALIDATE = 0x40;

export const O_RDONLY = 0;
export const O_WRONLY = 1;
export const O_RDWR = 2;
export const O_ACCMODE = 3;
export const O_NONBLOCK = 4;
export const O_APPEND = 8;
export const O_SYNC = 0x10;
export const O_CREAT = 0x100;
export const O_TRUNC = 0x200;
export const O_EXCL = 0x400;
export const O_NOCTTY = 0x800;
export const O_NDELAY = 0x8000;
export const O_DIRECTORY = 0x80000;
export const O_CLOEXEC = 0x800000;
export const O_NOFOLLOW = 0x1000000;
export const O_LARGEFILE = 0x4000000;

export const F_DUPFD = 0;
export const F_GETFD = 1;
export const F_SETFD = 2;
export const F_GETFL = 3;
export const F_SETFL = 4;
export const F_GETLK = 11;
export const F_SETLK = 12;
export const F_SETLKW = 13;
export const FD_CLOEXEC = 1;

export const AT_FDCWD = -2;
export const AT_REMOVEDIR = 1;
export const AT_SYMLINK_NOFOLLOW = 1;

export const CLOCK_REALTIME = 9;
export const CLOCK_MONOTONIC = 10;
export const CLOCK_PROCESS_CPUTIME_ID = 11;
export const CLOCK_THREAD_CPUTIME_ID = 12;

export const SC_PAGE_SIZE = 0x30;
export const SC_NPROCESSORS_ONLN = 0x48;
export const SC_NPROCESSORS_CONF = 0x47;
export const SC_CLK_TCK = 2;
export const SC_OPEN_MAX = 4;
export const SC_IMPL = 2;
export const IMPL_POWER8 = 0x10000;

export const RLIMIT_NOFILE = 7;
export const RLIM_INFINITY = 0x7fffffffffffffffn;

export const ITIMER_REAL = 0;
export const ITIMER_VIRTUAL = 1;
export const ITIMER_PROF = 2;

export const POLLIN = 0x1;
export const POLLOUT = 0x2;
export const POLLPRI = 0x4;
export const POLLHUP = 0x2000;
export const POLLERR = 0x4000;
export const POLLNVAL = 0x8000;

export const S_IFMT = 0xf000;
export const S_IFIFO = 0x1000;
export const S_IFCHR = 0x2000;
export const S_IFDIR = 0x4000;
export const S_IFBLK = 0x6000;
export const S_IFREG = 0x8000;
export const S_IFLNK = 0xa000;
export const S_IFSOCK = 0xc000;
