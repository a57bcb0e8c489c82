// strace-style lines for libc calls: AIX names, decoded arguments, result or errno name.
import { errnoName, signalName } from './constants.js';
import type { AixProcess } from './process.js';

type ArgKind = 'int' | 'uint' | 'hex' | 'ptr' | 'str' | 'oflags' | 'prot' | 'mflags' | 'sig' | 'fcntl' | 'clock' | 'size';

const SPECS: Record<string, ArgKind[]> = {
  _Errno: [], __mod_init: [], _exit: ['int'], exit: ['int'],
  clock_gettime: ['clock', 'ptr'], gettimeofday: ['ptr', 'ptr'], usleep: ['uint'], nanosleep: ['ptr', 'ptr'],
  setitimer: ['int', 'ptr', 'ptr'],
  open: ['str', 'oflags', 'hex'], openat: ['int', 'str', 'oflags', 'hex'], close: ['int'],
  read: ['int', 'ptr', 'size'], write: ['int', 'ptr', 'size'], writev: ['int', 'ptr', 'int'],
  pread: ['int', 'ptr', 'size', 'int'], pwrite: ['int', 'ptr', 'size', 'int'], lseek: ['int', 'int', 'int'],
  fstat: ['int', 'ptr'], stat: ['str', 'ptr'], lstat: ['str', 'ptr'], fstatat: ['int', 'str', 'ptr', 'hex'],
  getdirent: ['int', 'ptr', 'size'], getcwd: ['ptr', 'size'], chdir: ['str'], mkdir: ['str', 'hex'],
  mkdirat: ['int', 'str', 'hex'], rmdir: ['str'], unlink: ['str'], unlinkat: ['int', 'str', 'hex'],
  rename: ['str', 'str'], renameat: ['int', 'str', 'int', 'str'], readlink: ['str', 'ptr', 'size'],
  readlinkat: ['int', 'str', 'ptr', 'size'], faccessat: ['int', 'str', 'hex', 'hex'], chmod: ['str', 'hex'],
  fcntl: ['int', 'fcntl', 'hex'], pipe: ['ptr'], poll: ['ptr', 'uint', 'int'], dup: ['int'], dup2: ['int', 'int'],
  ioctl: ['int', 'hex', 'ptr'],
  mmap: ['ptr', 'hex', 'prot', 'mflags', 'int', 'int'], munmap: ['ptr', 'hex'], mprotect: ['ptr', 'hex', 'prot'],
  madvise: ['ptr', 'hex', 'int'], malloc: ['size'],
  getpid: [], getppid: [], getuid: [], geteuid: [], getgid: [], getegid: [], kill: ['int', 'sig'], raise: ['sig'],
  getrlimit: ['int', 'ptr'], setrlimit: ['int', 'ptr'], sysconf: ['hex'], getsystemcfg: ['int'], uname: ['ptr'],
  sigaction: ['sig', 'ptr', 'ptr'], sigaltstack: ['ptr', 'ptr'], sigthreadmask: ['int', 'ptr', 'ptr'],
  pthread_attr_init: ['ptr'], pthread_attr_setstacksize: ['ptr', 'hex'], pthread_attr_setdetachstate: ['ptr', 'int'],
  pthread_create: ['ptr', 'ptr', 'ptr', 'ptr'], pthread_self: [], pthread_kill: ['uint', 'sig'], sched_yield: [],
  sem_init: ['ptr', 'int', 'uint'], sem_post: ['ptr'], sem_wait: ['ptr'], sem_timedwait: ['ptr', 'ptr'],
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

function quote(s: string): string {
  return JSON.stringify(s.length > 64 ? s.slice(0, 64) + '...' : s);
}

/** What argument decoding reads: the process's memory, or a debugger's view of it. */
export interface StraceMemory {
  readCString(addr: bigint, max?: number): string;
  readBytes(addr: bigint, len: number): Uint8Array;
}

function formatArg(mem: StraceMemory, kind: ArgKind, v: bigint): string {
  const i32 = Number(BigInt.asIntN(32, v));
  switch (kind) {
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
        return quote(mem.readCString(v, 256));
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
  }
}

function argsOf(mem: StraceMemory, name: string, args: readonly bigint[]): string {
  const spec = SPECS[name] ?? ['hex', 'hex', 'hex'];
  let s = spec.map((k, i) => formatArg(mem, k, args[i] ?? 0n)).join(', ');
  // write: show the data like strace does.
  if ((name === 'write' || name === 'pwrite') && args[2]! < 4096n) {
    try {
      const data = mem.readBytes(args[1]!, Number(args[2]!));
      s = [formatArg(mem, 'int', args[0]!), quote(Buffer.from(data).toString('latin1')), args[2]!.toString()].join(', ');
    } catch {
      // keep the pointer form
    }
  }
  return s;
}

export function formatStraceCall(proc: AixProcess, name: string, args: bigint[]): string {
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

export function formatStraceResult(proc: AixProcess, name: string, args: bigint[], r3: bigint, errno: number): string {
  const res = errno !== 0 ? `-1 ${errnoName(errno)}` : name === 'mmap' || name === 'malloc' || name === 'getcwd' || name === '_Errno' ? '0x' + BigInt.asUintN(64, r3).toString(16) : String(BigInt.asIntN(64, r3));
  return `${name}(${argsOf(proc.mem, name, args)}) = ${res}`;
}
