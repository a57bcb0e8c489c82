// One call that builds a process for a program file and its CPU: what `run` and the gdb target use.
import { readXcoffFile } from '../xcoff/file.js';
import type { XcoffImage } from '../xcoff/index.js';
import { RealClock, VirtualClock } from './clock.js';
import { CpuAdapter } from './cpu-adapter.js';
import { AixProcess, type ProcessOptions } from './process.js';
import { Scheduler } from './scheduler.js';
import type { StraceFormat } from './strace-writer.js';

export interface StartOptions {
  program: string;
  /** The guest's argv[0] (default: program). Tests pin it so that a deterministic run does not
   * depend on where the repository is checked out (the path's length moves the initial stack). */
  argv0?: string;
  args: string[];
  env: string[];
  root?: string;
  deterministic?: boolean;
  /** With root: execve of a program that is not XCOFF64 runs it on the host instead of EACCES. */
  allowHostExec?: boolean;
  memoryLimit?: bigint;
  strace?: (line: string) => void;
  straceFormat?: StraceFormat;
  stdio?: [number, number, number];
}

/** The program file as an image; a file that cannot be one is a ProgramFileError (one line for the user). */
export function readAixImage(path: string): XcoffImage {
  return readXcoffFile(path);
}

export interface StartedProcess {
  process: AixProcess;
  scheduler: Scheduler;
  cpu: CpuAdapter;
}

export function startProgram(o: StartOptions): StartedProcess {
  const image = readAixImage(o.program);
  const clock = o.deterministic ? new VirtualClock() : new RealClock();
  let cpu: CpuAdapter | undefined;
  const opts: ProcessOptions = {
    image,
    argv: [o.argv0 ?? o.program, ...o.args],
    envp: o.env,
    clock,
    root: o.root,
    allowHostExec: o.allowHostExec,
    memoryLimit: o.memoryLimit,
    strace: o.strace,
    straceFormat: o.straceFormat,
    stdio: o.stdio,
    cpu: {
      run: (s, b) => cpu!.run(s, b),
    },
  };
  const proc = new AixProcess(opts);
  cpu = new CpuAdapter(proc.mem, clock, { start: proc.sentinels.base, end: proc.sentinels.end });
  const scheduler = new Scheduler(proc, cpu);
  proc.table.launcher = runAlongside;
  return { process: proc, scheduler, cpu };
}

/**
 * A process fork or execve created runs in this Node process next to the others, with its own CPU
 * and scheduler (event-loop turns interleave them). Measured against starting `dist/cli.js run`
 * as a host child: an exec'd hello takes about the same time, and in-process children share
 * pipes, wait statuses and signals with no bridging (notes/exec.md).
 */
function runAlongside(p: AixProcess): void {
  const cpu = new CpuAdapter(p.mem, p.clock, { start: p.sentinels.base, end: p.sentinels.end });
  const scheduler = new Scheduler(p, cpu);
  scheduler.runUntilStop().then(
    () => {
      if (p.end?.kind === 'crashed') process.stderr.write(`aix-gdbstub: guest pid ${p.pid} crashed: ${p.end.message}\n`);
    },
    (e: unknown) => p.terminate({ kind: 'crashed', message: `internal error: ${e instanceof Error ? e.message : String(e)}` }),
  );
}
