// execve: an XCOFF64 executable replaces the calling process's image inside the emulator (same
// pid, same open descriptors minus close-on-exec ones, the same run options); any other file is
// handed to the host the way qemu-user hands execve to the kernel, with the guest's descriptors
// as its stdio (host files passed as they are, emulated pipes pumped through host pipes).
import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import * as fs from 'node:fs';
import { constants as osConstants } from 'node:os';
import type { Readable, Writable } from 'node:stream';
import { XcoffError, parseXcoff } from '../xcoff/index.js';
import { XCOFF64_MAGIC } from '../xcoff/headers.js';
import { ERRNO, SIG, SIG_IGN, signalName } from './constants.js';
import { sigAction } from './signals.js';
import { FsError, errnoOf, type FileTable, type OpenFile } from './files.js';
import { AixProcess } from './process.js';
import { waitStatusOf, type ProcessTable } from './process-table.js';
import type { CallResult, GuestThread } from './threads.js';

export interface ExecRequest {
  path: string;
  argv: string[];
  envp: string[];
}

/** execve(path, argv, envp) in `proc` by `thread`: never returns on success. */
export function execve(proc: AixProcess, thread: GuestThread, req: ExecRequest): CallResult {
  const host = proc.files.hostPath(req.path);
  const st = fs.statSync(host); // ENOENT, ENOTDIR, ELOOP... as the host says
  if (!st.isFile()) throw new FsError(ERRNO.EACCES);
  fs.accessSync(host, fs.constants.X_OK);
  const head = Buffer.alloc(2);
  const fd = fs.openSync(host, 'r');
  try {
    fs.readSync(fd, head, 0, 2, 0);
  } finally {
    fs.closeSync(fd);
  }
  if (head.readUInt16BE(0) === XCOFF64_MAGIC) return execEmulated(proc, thread, host, req);
  // A host program cannot be kept inside --root: only run it when the user allowed it.
  if (proc.files.confined && !proc.opts.allowHostExec) throw new FsError(ERRNO.EACCES);
  return execOnHost(proc, host, req);
}

function execEmulated(proc: AixProcess, thread: GuestThread, host: string, req: ExecRequest): CallResult {
  let image;
  try {
    image = parseXcoff(fs.readFileSync(host));
  } catch (e) {
    if (e instanceof XcoffError) return { errno: ERRNO.ENOEXEC };
    throw e;
  }
  const launch = proc.table.launcher;
  if (!launch) return { errno: ERRNO.ENOSYS };
  const files = inheritedFiles(proc);
  let next: AixProcess;
  try {
    next = new AixProcess({ ...proc.opts, image, argv: req.argv, envp: req.envp, pid: proc.pid, ppid: proc.ppid, table: proc.table, files });
  } catch (e) {
    files.closeAll();
    return { errno: e instanceof XcoffError ? ERRNO.ENOEXEC : ERRNO.ENOMEM };
  }
  // Caught signals go back to their default action; ignored ones stay ignored; the mask is kept.
  proc.signals.actions.forEach((a, sig) => {
    if (a.handler === SIG_IGN) next.signals.actions[sig] = sigAction(SIG_IGN, [0n, 0n, 0n, 0n], 0);
  });
  next.threads[0]!.sigmask = [...thread.sigmask];
  replace(proc);
  launch(next);
  return { noReturn: true };
}

/** The descriptor table the new image starts with: the old one without its close-on-exec entries. */
function inheritedFiles(proc: AixProcess): FileTable {
  const files = proc.files.forkCopy();
  files.closeOnExec();
  return files;
}

/** The old image ends without a death: its pid lives on in what replaced it. */
function replace(proc: AixProcess): void {
  proc.replaced = true;
  proc.terminate({ kind: 'exited', code: 0 });
}

// ------------------------------------------------------------------------------ host programs

const hostSignalNumbers = osConstants.signals as Record<string, number>;

/** AIX signal number for a host signal name (SIGUSR1 is 30 on AIX, 10 on Linux). */
function aixSignalOf(name: string): number {
  return (SIG as Record<string, number>)[name] ?? SIG.SIGKILL;
}

function execOnHost(proc: AixProcess, host: string, req: ExecRequest): CallResult {
  const files = inheritedFiles(proc);
  const env: Record<string, string> = {};
  for (const kv of req.envp) {
    const i = kv.indexOf('=');
    if (i > 0) env[kv.slice(0, i)] = kv.slice(i + 1);
  }
  const maxFd = Math.max(2, ...files.fds.keys());
  const stdio: StdioOptions = [];
  // Descriptors that share one open file (CombinedOutput's 1 and 2) must stay one host pipe, or
  // the order between them is lost: the host's sh makes the copies (`2>&1`) and then execs.
  const redirects: string[] = [];
  const firstFdOf = new Map<OpenFile, number>();
  for (let fd = 0; fd <= maxFd; fd++) {
    const f = files.fds.get(fd)?.file;
    const first = f?.kind === 'pipe' ? firstFdOf.get(f) : undefined;
    if (f && first !== undefined) {
      redirects.push(`${fd}>&${first}`);
      stdio.push('ignore');
      continue;
    }
    if (f) firstFdOf.set(f, fd);
    stdio.push(stdioFor(f));
  }
  const [file, args, argv0] =
    redirects.length === 0
      ? [host, req.argv.slice(1), req.argv[0] ?? host]
      : ['/bin/sh', ['-c', `exec "$0" "$@" ${redirects.join(' ')}`, host, ...req.argv.slice(1)], 'sh'];
  let child: ChildProcess;
  try {
    child = spawn(file, args, {
      argv0,
      env,
      cwd: files.hostPath('.'),
      stdio,
      windowsHide: true,
    });
  } catch (e) {
    files.closeAll();
    return { errno: errnoOf(e) };
  }
  if (child.pid === undefined) {
    // Node reports ENOENT/EACCES/EAGAIN of the host's spawn on the next tick: wait for it.
    let failed = 0;
    child.once('error', (e) =>
      proc.table.fromHost(() => {
        failed = errnoOf(e) || ERRNO.ENOEXEC;
        proc.wake();
      }),
    );
    files.closeAll();
    return { block: { description: `execve(${req.path})`, retry: () => (failed ? { errno: failed } : undefined) } };
  }
  const table = proc.table;
  const entry = table.entries.get(proc.pid)!;
  for (let fd = 0; fd <= maxFd; fd++) {
    const f = files.fds.get(fd)?.file;
    const stream = child.stdio[fd];
    if (f?.kind === 'pipe' && stream) {
      f.refs++; // the pump holds this end open until the host side closes it
      if (f.end === 'read') pumpToHost(table, files, f, stream as Writable);
      else pumpFromHost(table, files, f, stream as Readable);
    }
  }
  files.closeAll();
  entry.host = {
    kill: (sig) => {
      const name = signalName(sig);
      if (hostSignalNumbers[name] === undefined) return false;
      return child.kill(name as NodeJS.Signals);
    },
  };
  table.hostBusy++;
  child.on('exit', (code, signal) => {
    table.hostBusy--;
    const end = signal ? { kind: 'signaled' as const, signal: aixSignalOf(signal) } : { kind: 'exited' as const, code: code ?? 0 };
    table.fromHost(() => table.ended(proc.pid, waitStatusOf(end), 0n));
  });
  replace(proc);
  entry.proc = undefined;
  return { noReturn: true };
}

function stdioFor(f: OpenFile | undefined): 'pipe' | 'ignore' | number {
  if (!f) return 'ignore';
  if (f.kind === 'host') return f.hostFd;
  if (f.kind === 'pipe') return 'pipe';
  return 'ignore'; // sockets and the deterministic random source stay in the emulator
}

/**
 * The once-only end of a pump between a guest pipe and a host stream: stop being woken, let go of
 * the pipe end, and wake the threads that wait on it. `waker` names the pump (defined after this).
 */
function pumpEnd(table: ProcessTable, files: FileTable, f: OpenFile, waker: () => () => void): { finish: () => void; done: () => boolean } {
  let ended = false;
  return {
    finish: () => {
      if (ended) return;
      ended = true;
      table.wakers.delete(waker());
      files.release(f);
      table.wakeAll();
    },
    done: () => ended,
  };
}

/** Guest pipe (read end) -> the host program's descriptor. */
function pumpToHost(table: ProcessTable, files: FileTable, f: Extract<OpenFile, { kind: 'pipe' }>, out: Writable): void {
  const pipe = f.pipe;
  const { finish, done } = pumpEnd(table, files, f, () => pump);
  let pumping = false;
  const pump = () => {
    if (done() || pumping) return;
    pumping = true;
    let moved = false;
    while (pipe.buffered > 0 && !out.writableNeedDrain) {
      out.write(pipe.read(65536));
      moved = true;
    }
    pumping = false;
    if (pipe.buffered === 0 && pipe.writers === 0) {
      out.end();
      finish();
      return;
    }
    if (moved) table.wakeAll(); // a writer blocked on a full pipe may go on
  };
  out.on('drain', () => table.fromHost(pump));
  out.on('error', () => table.fromHost(finish)); // EPIPE: the program exited without reading everything
  out.on('close', () => table.fromHost(finish));
  table.wakers.add(pump);
  pump();
}

/** The host program's descriptor -> guest pipe (write end). */
function pumpFromHost(table: ProcessTable, files: FileTable, f: Extract<OpenFile, { kind: 'pipe' }>, input: Readable): void {
  const pipe = f.pipe;
  const queue: Buffer[] = [];
  let ended = false;
  const { finish, done } = pumpEnd(table, files, f, () => flush);
  let flushing = false;
  const flush = () => {
    if (done() || flushing) return;
    flushing = true;
    let moved = false;
    while (queue.length > 0) {
      if (pipe.readers === 0) {
        queue.length = 0; // nobody reads any more: the host side gets EPIPE once we close
        input.destroy();
        break;
      }
      const head = queue[0]!;
      const n = pipe.write(head);
      if (n === 0) break;
      moved = true;
      if (n < head.length) queue[0] = head.subarray(n);
      else queue.shift();
    }
    flushing = false;
    if (queue.length === 0 && input.isPaused()) input.resume();
    if (moved) table.wakeAll();
    if (queue.length === 0 && ended) finish();
  };
  input.on('data', (b: Buffer) =>
    table.fromHost(() => {
      queue.push(b);
      flush();
      if (queue.length > 0) input.pause();
    }),
  );
  table.hostBusy++;
  let arrived = false;
  const end = () => {
    if (!arrived) table.hostBusy--;
    arrived = true;
    table.fromHost(() => {
      ended = true;
      flush();
    });
  };
  input.on('end', end);
  input.on('error', end);
  input.on('close', end);
  table.wakers.add(flush);
}
