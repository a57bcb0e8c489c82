// strace-style lines for libc calls: AIX names, decoded arguments, result or errno name.
import { errnoName, signalName } from './constants.js';

type ArgKind =
  | 'family' | 'socktype'
  | 'int' | 'uint' | 'hex' | 'ptr' | 'str' | 'oflags' | 'prot' | 'mflags' | 'sig' | 'fcntl' | 'clock' | 'size'
  // Structs: *_in are decoded when the call is made, *_out once it succeeded (strace's style).
  | 'stat_out' | 'timespec_in' | 'timespec_out' | 'sigaction_in' | 'sigaction_out'
  | 'sockaddr_in' | 'sockaddr_out' | 'pollfds' | 'fds_out'
  // fork/exec: a NULL-terminated string array; a wait status once wait4 returned a pid.
  | 'argv' | 'wstatus_out';

const SPECS: Record<string, ArgKind[]> = {
  _Errno: [], __mod_init: [], _exit: ['int'], exit: ['int'],
  clock_gettime: ['clock', 'timespec_out'], gettimeofday: ['ptr', 'ptr'], usleep: ['uint'], nanosleep: ['timespec_in', 'ptr'],
  setitimer: ['int', 'ptr', 'ptr'],
  open: ['str', 'oflags', 'hex'], openat: ['int', 'str', 'oflags', 'hex'], close: ['int'],
  read: ['int', 'ptr', 'size'], write: ['int', 'ptr', 'size'], writev: ['int', 'ptr', 'int'],
  pread: ['int', 'ptr', 'size', 'int'], pwrite: ['int', 'ptr', 'size', 'int'], lseek: ['int', 'int', 'int'],
  fstat: ['int', 'stat_out'], stat: ['str', 'stat_out'], lstat: ['str', 'stat_out'], fstatat: ['int', 'str', 'stat_out', 'hex'],
  getdirent: ['int', 'ptr', 'size'], getcwd: ['ptr', 'size'], chdir: ['str'], mkdir: ['str', 'hex'],
  mkdirat: ['int', 'str', 'hex'], rmdir: ['str'], unlink: ['str'], unlinkat: ['int', 'str', 'hex'],
  rename: ['str', 'str'], renameat: ['int', 'str', 'int', 'str'], readlink: ['str', 'ptr', 'size'],
  readlinkat: ['int', 'str', 'ptr', 'size'], faccessat: ['int', 'str', 'hex', 'hex'], chmod: ['str', 'hex'],
  fcntl: ['int', 'fcntl', 'hex'], pipe: ['fds_out'], poll: ['pollfds', 'uint', 'int'], dup: ['int'], dup2: ['int', 'int'],
  ioctl: ['int', 'hex', 'ptr'],
  mmap: ['ptr', 'hex', 'prot', 'mflags', 'int', 'int'], munmap: ['ptr', 'hex'], mprotect: ['ptr', 'hex', 'prot'],
  madvise: ['ptr', 'hex', 'int'], malloc: ['size'],
  getpid: [], getppid: [], getuid: [], geteuid: [], getgid: [], getegid: [], kill: ['int', 'sig'], raise: ['sig'],
  getrlimit: ['int', 'ptr'], setrlimit: ['int', 'ptr'], sysconf: ['hex'], getsystemcfg: ['int'], uname: ['ptr'],
  sigaction: ['sig', 'sigaction_in', 'sigaction_out'], sigaltstack: ['ptr', 'ptr'], sigthreadmask: ['int', 'ptr', 'ptr'],
  pthread_attr_init: ['ptr'], pthread_attr_setstacksize: ['ptr', 'hex'], pthread_attr_setdetachstate: ['ptr', 'int'],
  pthread_create: ['ptr', 'ptr', 'ptr', 'ptr'], pthread_self: [], pthread_kill: ['uint', 'sig'], sched_yield: [],
  sem_init: ['ptr', 'int', 'uint'], sem_post: ['ptr'], sem_wait: ['ptr'], sem_timedwait: ['ptr', 'timespec_in'],
  socket: ['family', 'socktype', 'int'], bind: ['int', 'sockaddr_in', 'uint'], connect: ['int', 'sockaddr_in', 'uint'],
  listen: ['int', 'int'], accept: ['int', 'sockaddr_out', 'ptr'], getsockname: ['int', 'sockaddr_out', 'ptr'],
  getpeername: ['int', 'sockaddr_out', 'ptr'], setsockopt: ['int', 'hex', 'hex', 'ptr', 'uint'], getsockopt: ['int', 'hex', 'hex', 'ptr', 'ptr'],
  shutdown: ['int', 'int'], recvfrom: ['int', 'ptr', 'size', 'hex', 'sockaddr_out', 'ptr'], sendto: ['int', 'ptr', 'size', 'hex', 'sockaddr_in', 'uint'],
  nrecvmsg: ['int', 'ptr', 'hex'], nsendmsg: ['int', 'ptr', 'hex'], socketpair: ['family', 'socktype', 'int', 'ptr'],
  fork: [], execve: ['str', 'argv', 'ptr'], wait4: ['int', 'wstatus_out', 'hex', 'ptr'], setsid: [], setpgid: ['int', 'int'],
  chroot: ['str'], setuid: ['int'], setgid: ['int'], setgroups: ['int', 'ptr'],
};

const OFLAGS: Array<[number, string]> = [
  [0x4, 'O_NONBLOCK'], [0x8, 'O_APPEND'], [0x10, 'O_SYNC'], [0x100, 'O_CREAT'], [0x200, 'O_TRUNC'], [0x400, 'O_EXCL'],
  [0x800, 'O_NOCTTY'], [0x8000, 'O_NDELAY'], [0x80000, 'O_DIRECTORY'], [0x800000, 'O_CLOEXEC'], [0x1000000, 'O_NOFOLLOW'],
  [0x4000000, 'O_LARGEFILE'],
];
const PROTS: Array<[number, string]> = [[1, 'PROT_READ'], [2, 'PROT_WRITE'], [4, 'PROT_EXEC']];
const MFLAGS: Array<[number, string]> = [[1, 'MAP_SHARED'], [2, 'MAP_PRIVATE'], [0x10, 'MAP_ANONYMOUS'], [0x100, 'MAP_FIXED']];
const FCNTL = ['F_DUPFD', 'F_GETFD', 'F_SETFD', 'F_GETFL', 'F_SETFL'];
const CLOCKS: Record<number, string> = { 9: 'CLOCK_REALTIME', 10: 'CLOCK_MONOTONIC', 11: 'CLOCK_PROCESS_CPUTIME_ID', 12: 'CLOCK_THREAD_CPUTIME_ID' };

function flags(v: number, table: Array<[number, string]>, zero: string): string {
  const out: string[] = [];
  let rest = v;
  for (const [bit, name] of table) if (v & bit) {
    out.push(name);
    rest &= ~bit;
  }
  if (rest) out.push('0x' + rest.toString(16));
  return out.length ? out.join('|') : zero;
}

/** A C string as strace prints it: escapes, octal for other bytes, `...` after the quote when cut. */
function quote(s: string, max = 64): string {
  let out = '"';
  const n = Math.min(s.length, max);
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    const esc = C_ESCAPES[c];
    if (esc !== undefined) out += esc;
    else if (c >= 0x20 && c < 0x7f) out += s[i];
    else {
      // The shortest octal, unless a digit follows (strace's rule).
      const next = i + 1 < n ? s.charCodeAt(i + 1) : 0;
      const oct = (c & 0xff).toString(8);
      out += '\\' + (next >= 0x30 && next <= 0x37 ? oct.padStart(3, '0') : oct);
    }
  }
  return out + '"' + (s.length > max ? '...' : '');
}

const C_ESCAPES: Record<number, string> = { 0x22: '\\"', 0x5c: '\\\\', 0x09: '\\t', 0x0a: '\\n', 0x0b: '\\v', 0x0c: '\\f', 0x0d: '\\r' };

/** What argument decoding reads: the process's memory, or a debugger's view of it. */
export interface StraceMemory {
  readCString(addr: bigint, max?: number): string;
  readBytes(addr: bigint, len: number): Uint8Array;
}

/** When an argument is shown: as the call is made, or after it returned (ok = it succeeded). */
type Phase = { exit: false } | { exit: true; ok: boolean; r3: bigint };

function formatArg(mem: StraceMemory, kind: ArgKind, v: bigint, phase: Phase, next: bigint): string {
  const i32 = Number(BigInt.asIntN(32, v));
  const hex = v === 0n ? 'NULL' : '0x' + v.toString(16);
  switch (kind) {
    case 'family':
      return FAMILIES[i32] ?? String(i32);
    case 'socktype':
      return SOCKTYPES[i32] ?? String(i32);
    case 'stat_out':
    case 'timespec_out':
    case 'sigaction_out':
    case 'sockaddr_out':
    case 'fds_out':
      if (v === 0n || !phase.exit || !phase.ok) return hex;
      return decodeStruct(mem, kind, v, next) ?? hex;
    case 'timespec_in':
    case 'sigaction_in':
    case 'pollfds':
      if (v === 0n) return hex;
      return decodeStruct(mem, kind, v, next) ?? hex;
    case 'sockaddr_in':
      if (v === 0n) return hex;
      return decodeStruct(mem, kind, v, next) ?? hex;
    case 'int':
      return String(Number(BigInt.asIntN(64, v)));
    case 'uint':
    case 'size':
      return v.toString();
    case 'hex':
    case 'ptr':
      return v === 0n && kind === 'ptr' ? 'NULL' : '0x' + v.toString(16);
    case 'str':
      try {
        return quote(mem.readCString(v, 4096), 4096);
      } catch {
        return '0x' + v.toString(16);
      }
    case 'oflags': {
      const acc = ['O_RDONLY', 'O_WRONLY', 'O_RDWR', 'O_ACCMODE'][i32 & 3]!;
      const rest = flags(i32 & ~3, OFLAGS, '');
      return rest ? `${acc}|${rest}` : acc;
    }
    case 'prot':
      return flags(i32, PROTS, 'PROT_NONE');
    case 'mflags':
      return flags(i32, MFLAGS, '0');
    case 'sig':
      return signalName(i32);
    case 'fcntl':
      return FCNTL[i32] ?? String(i32);
    case 'clock':
      return CLOCKS[i32] ?? String(i32);
    case 'argv':
      return v === 0n ? 'NULL' : (stringArrayText(mem, v) ?? hex);
    case 'wstatus_out':
      if (v === 0n || !phase.exit || !phase.ok || phase.r3 <= 0n) return hex;
      return waitStatusText(view(mem, v, 4).getUint32(0));
  }
}

/** Each argument as --strace shows it (write's buffer as its data, like strace). */
function argList(mem: StraceMemory, name: string, args: readonly bigint[], phase: Phase = { exit: false }): string[] {
  const spec = SPECS[name] ?? ['hex', 'hex', 'hex'];
  const list = spec.map((k, i) => formatArg(mem, k, args[i] ?? 0n, phase, args[i + 1] ?? 0n));
  // The data written, and the data read once the call returned it (strace's style).
  const data = name === 'write' || name === 'pwrite' ? args[2]! : (name === 'read' || name === 'pread') && phase.exit && phase.ok ? phase.r3 : -1n;
  if (data >= 0n && data < 4096n) {
    try {
      list[1] = quote(Buffer.from(mem.readBytes(args[1]!, Number(data))).toString('latin1'));
    } catch {
      // keep the pointer form
    }
  }
  return list;
}

function argsOf(mem: StraceMemory, name: string, args: readonly bigint[], phase: Phase = { exit: false }): string {
  return argList(mem, name, args, phase).join(', ');
}

/** Buffers the call fills (read's data, getcwd's path): shown only once it returned. */
const OUTPUT_BUFFER_AT: Record<string, number> = {
  read: 1, pread: 1, recvfrom: 1, nrecvmsg: 1, getdirent: 1, readlink: 1, readlinkat: 2, getcwd: 0,
};

/**
 * How many leading arguments strace prints when the call is made (the rest, outputs, follow
 * `<... name resumed>` once it returns): `read(3, ` + `"data", 4096) = 4`.
 */
export function straceEntryArgCount(name: string): number {
  const spec = SPECS[name] ?? ['hex', 'hex', 'hex'];
  const out = spec.findIndex((k) => k.endsWith('_out'));
  const buf = OUTPUT_BUFFER_AT[name] ?? -1;
  const first = [out, buf].filter((i) => i >= 0);
  return first.length ? Math.min(...first) : spec.length;
}

/** A call's arguments as the list strace shows: before (entry) or after it returned (exit). */
export function straceArgs(mem: StraceMemory, name: string, args: readonly bigint[], exit?: { r3: bigint; errno: number }): string[] {
  return argList(mem, name, args, exit ? { exit: true, ok: exit.errno === 0, r3: exit.r3 } : { exit: false });
}

export function formatStraceCall(proc: { mem: StraceMemory }, name: string, args: readonly bigint[]): string {
  return `${name}(${argsOf(proc.mem, name, args)})`;
}

/** `write(1, "hi\n", 3)`: a call decoded as --strace prints it, from any memory view (monitor libcall). */
export function formatCallArguments(mem: StraceMemory, name: string, args: readonly bigint[]): string {
  return `${name}(${argsOf(mem, name, args)})`;
}

/** How many arguments --strace decodes for a libc function, or undefined when it does not know it. */
export function straceArgCount(name: string): number | undefined {
  return SPECS[name]?.length;
}

/** What follows `= `: the value, or `-1 ENOENT (No such file or directory)`, plus poll's revents. */
export function straceReturnText(mem: StraceMemory, name: string, args: readonly bigint[], r3: bigint, errno: number): string {
  if (errno !== 0) return `-1 ${errnoName(errno)} (${errnoText(errno)})`;
  const res = name === 'mmap' || name === 'malloc' || name === 'getcwd' || name === '_Errno' ? '0x' + BigInt.asUintN(64, r3).toString(16) : String(BigInt.asIntN(64, r3));
  // poll: strace shows the revents of the ready descriptors after the result.
  if (name === 'poll' && r3 > 0n) return `${res} (${pollRevents(mem, args[0]!, Number(args[1]! & 0xffffn)) ?? '?'})`;
  return res;
}

export function formatStraceResult(proc: { mem: StraceMemory }, name: string, args: readonly bigint[], r3: bigint, errno: number): string {
  return `${name}(${straceArgs(proc.mem, name, args, { r3, errno }).join(', ')}) = ${straceReturnText(proc.mem, name, args, r3, errno)}`;
}

/** strerror's text as strace prints it after the errno name (glibc's wording). */
const ERRNO_TEXT: Record<string, string> = {
  EPERM: 'Operation not permitted', ENOENT: 'No such file or directory', ESRCH: 'No such process',
  EINTR: 'Interrupted system call', EIO: 'Input/output error', ENXIO: 'No such device or address',
  E2BIG: 'Argument list too long', ENOEXEC: 'Exec format error', EBADF: 'Bad file descriptor',
  ECHILD: 'No child processes', EAGAIN: 'Resource temporarily unavailable', ENOMEM: 'Cannot allocate memory',
  EACCES: 'Permission denied', EFAULT: 'Bad address', EBUSY: 'Device or resource busy', EEXIST: 'File exists',
  EXDEV: 'Invalid cross-device link', ENODEV: 'No such device', ENOTDIR: 'Not a directory',
  EISDIR: 'Is a directory', EINVAL: 'Invalid argument', ENFILE: 'Too many open files in system',
  EMFILE: 'Too many open files', ENOTTY: 'Inappropriate ioctl for device', ETXTBSY: 'Text file busy',
  EFBIG: 'File too large', ENOSPC: 'No space left on device', ESPIPE: 'Illegal seek',
  EROFS: 'Read-only file system', EMLINK: 'Too many links', EPIPE: 'Broken pipe',
  EDOM: 'Numerical argument out of domain', ERANGE: 'Numerical result out of range',
  EDEADLK: 'Resource deadlock avoided', ENOLCK: 'No locks available', EINPROGRESS: 'Operation now in progress',
  EALREADY: 'Operation already in progress', ENOTSOCK: 'Socket operation on non-socket',
  EDESTADDRREQ: 'Destination address required', EMSGSIZE: 'Message too long',
  EPROTOTYPE: 'Protocol wrong type for socket', ENOPROTOOPT: 'Protocol not available',
  EPROTONOSUPPORT: 'Protocol not supported', EOPNOTSUPP: 'Operation not supported',
  EAFNOSUPPORT: 'Address family not supported by protocol', EADDRINUSE: 'Address already in use',
  EADDRNOTAVAIL: 'Cannot assign requested address', ENETDOWN: 'Network is down',
  ENETUNREACH: 'Network is unreachable', ECONNABORTED: 'Software caused connection abort',
  ECONNRESET: 'Connection reset by peer', ENOBUFS: 'No buffer space available',
  EISCONN: 'Transport endpoint is already connected', ENOTCONN: 'Transport endpoint is not connected',
  ETIMEDOUT: 'Connection timed out', ECONNREFUSED: 'Connection refused', EHOSTUNREACH: 'No route to host',
  ELOOP: 'Too many levels of symbolic links', ENAMETOOLONG: 'File name too long', EDQUOT: 'Disk quota exceeded',
  ENOSYS: 'Function not implemented', ENOTSUP: 'Operation not supported',
  EOVERFLOW: 'Value too large for defined data type',
};

export function errnoText(errno: number): string {
  return ERRNO_TEXT[errnoName(errno)] ?? `Unknown error ${errno}`;
}

/** `["sh", "-c", "exit 4"]`, at most 8 strings shown (strace's style). */
function stringArrayText(mem: StraceMemory, at: bigint): string | undefined {
  try {
    const out: string[] = [];
    for (let i = 0; ; i++) {
      const p = view(mem, at + BigInt(i * 8), 8).getBigUint64(0);
      if (p === 0n) break;
      if (i === 8) {
        out.push('...');
        break;
      }
      out.push(quote(mem.readCString(p, 256)));
    }
    return `[${out.join(', ')}]`;
  } catch {
    return undefined;
  }
}

/** strace's rendering of an AIX wait status. */
function waitStatusText(w: number): string {
  if ((w & 0xff) === 0) return `[{WIFEXITED(s) && WEXITSTATUS(s) == ${(w >> 8) & 0xff}}]`;
  if (w & 0x40) return `[{WIFSTOPPED(s) && WSTOPSIG(s) == ${signalName((w >> 8) & 0xff)}}]`;
  return `[{WIFSIGNALED(s) && WTERMSIG(s) == ${signalName((w >> 16) & 0xff)}}]`;
}

// ---- struct decoders (layouts: notes/aix-go-contract.md §4.7, syscall/ztypes_aix_ppc64.go) ----

const FAMILIES: Record<number, string> = { 0: 'AF_UNSPEC', 1: 'AF_UNIX', 2: 'AF_INET', 24: 'AF_INET6' };
const SOCKTYPES: Record<number, string> = { 1: 'SOCK_STREAM', 2: 'SOCK_DGRAM', 3: 'SOCK_RAW', 5: 'SOCK_SEQPACKET' };
const POLLS: Array<[number, string]> = [[0x1, 'POLLIN'], [0x2, 'POLLOUT'], [0x4, 'POLLPRI'], [0x2000, 'POLLHUP'], [0x4000, 'POLLERR'], [0x8000, 'POLLNVAL']];
const SAFLAGS: Array<[number, string]> = [[0x1, 'SA_ONSTACK'], [0x2, 'SA_RESETHAND'], [0x8, 'SA_RESTART'], [0x100, 'SA_SIGINFO'], [0x200, 'SA_NODEFER']];
const FILE_TYPES: Record<number, string> = { 0x1000: 'S_IFIFO', 0x2000: 'S_IFCHR', 0x4000: 'S_IFDIR', 0x6000: 'S_IFBLK', 0x8000: 'S_IFREG', 0xa000: 'S_IFLNK', 0xc000: 'S_IFSOCK' };

function view(mem: StraceMemory, addr: bigint, len: number): DataView {
  const b = mem.readBytes(addr, len);
  return new DataView(b.buffer, b.byteOffset, b.byteLength);
}

function timespec(v: DataView, off: number, nsec64: boolean): string {
  const nsec = nsec64 ? v.getBigInt64(off + 8) : BigInt(v.getInt32(off + 8));
  return `{tv_sec=${v.getBigInt64(off)}, tv_nsec=${nsec}}`;
}

function sigmaskText(v: DataView, off: number): string {
  const set: string[] = [];
  const unset: string[] = [];
  for (let w = 0; w < 4; w++) {
    const word = v.getBigUint64(off + w * 8);
    for (let b = 0; b < 64; b++) ((word >> BigInt(b)) & 1n ? set : unset).push(signalName(w * 64 + b + 1).replace(/^SIG/, ''));
  }
  // strace's convention: a mostly full set is shown as the complement.
  return set.length > unset.length ? `~[${unset.join(' ')}]` : `[${set.join(' ')}]`;
}

function sockaddrText(raw: Uint8Array): string {
  if (raw.length < 2) return '{}';
  const v = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const family = raw[1]!;
  const fam = FAMILIES[family] ?? String(family);
  if (family === 2 && raw.length >= 8) return `{sa_family=${fam}, sin_port=htons(${v.getUint16(2)}), sin_addr=inet_addr("${[...raw.subarray(4, 8)].join('.')}")}`;
  if (family === 24 && raw.length >= 24) {
    const groups: number[] = [];
    for (let i = 8; i < 24; i += 2) groups.push(v.getUint16(i));
    const addr = ipv6Text(groups);
    return `{sa_family=${fam}, sin6_port=htons(${v.getUint16(2)}), sin6_addr="${addr}"}`;
  }
  if (family === 1) {
    const p = raw.subarray(2);
    const nul = p.indexOf(0);
    return `{sa_family=${fam}, sun_path=${quote(Buffer.from(nul < 0 ? p : p.subarray(0, nul)).toString('utf8'))}}`;
  }
  return `{sa_family=${fam}}`;
}

/** RFC 5952 text: the longest run (2+) of zero groups becomes '::'. */
function ipv6Text(g: number[]): string {
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j === i ? i + 1 : j;
  }
  const hex = g.map((x) => x.toString(16));
  if (best < 0) return hex.join(':');
  return hex.slice(0, best).join(':') + '::' + hex.slice(best + bestLen).join(':');
}

function decodeStruct(mem: StraceMemory, kind: ArgKind, addr: bigint, next: bigint): string | undefined {
  try {
    switch (kind) {
      case 'stat_out': {
        const v = view(mem, addr, 176);
        const mode = v.getUint32(16);
        const type = FILE_TYPES[mode & 0xf000] ?? `0x${(mode & 0xf000).toString(16)}`;
        return `{st_dev=${v.getBigUint64(0)}, st_ino=${v.getBigUint64(8)}, st_mode=${type}|0${(mode & 0o7777).toString(8)}, st_nlink=${v.getUint16(20)}, st_uid=${v.getUint32(24)}, st_gid=${v.getUint32(28)}, st_size=${v.getBigInt64(168)}, st_mtime=${timespec(v, 64, false)}}`;
      }
      case 'timespec_in':
      case 'timespec_out':
        return timespec(view(mem, addr, 16), 0, true);
      case 'sigaction_in':
      case 'sigaction_out': {
        const v = view(mem, addr, 48);
        const h = v.getBigUint64(0);
        const handler = h === 0n ? 'SIG_DFL' : h === 1n ? 'SIG_IGN' : '0x' + h.toString(16);
        return `{sa_handler=${handler}, sa_mask=${sigmaskText(v, 8)}, sa_flags=${flags(v.getInt32(40), SAFLAGS, '0')}}`;
      }
      case 'sockaddr_in':
        return sockaddrText(mem.readBytes(addr, Math.max(2, Math.min(Number(next & 0xffffn), 1025))));
      case 'sockaddr_out': {
        const len = next === 0n ? 16 : Number(view(mem, next, 4).getUint32(0));
        if (len < 2) return undefined; // no address (recvfrom on a stream socket)
        return sockaddrText(mem.readBytes(addr, Math.max(2, Math.min(len, 1025))));
      }
      case 'fds_out': {
        const v = view(mem, addr, 8);
        return `[${v.getInt32(0)}, ${v.getInt32(4)}]`;
      }
      case 'pollfds':
        return pollfdList(mem, addr, 16, (v, i) => `{fd=${v.getInt32(i)}, events=${flags(v.getUint16(i + 4), POLLS, '0')}}`, Number(next & 0xffffn));
      default:
        return undefined;
    }
  } catch {
    return undefined;
  }
}

/** struct pollfd {int fd; short events; short revents} x n, first `max` shown. */
function pollfdList(mem: StraceMemory, addr: bigint, max: number, fmt: (v: DataView, at: number) => string | undefined, n = max): string {
  const count = Math.min(n, max);
  const v = view(mem, addr, count * 8);
  const items: string[] = [];
  for (let i = 0; i < count; i++) {
    const s = fmt(v, i * 8);
    if (s !== undefined) items.push(s);
  }
  return `[${items.join(', ')}${n > max ? ', ...' : ''}]`;
}

function pollRevents(mem: StraceMemory, addr: bigint, n: number): string | undefined {
  try {
    return pollfdList(mem, addr, 16, (v, i) => (v.getUint16(i + 6) !== 0 ? `{fd=${v.getInt32(i)}, revents=${flags(v.getUint16(i + 6), POLLS, '0')}}` : undefined), n);
  } catch {
    return undefined;
  }
}
