// Running `aix-gdbstub` as a user does (node dist/cli.js) from integration tests: build it from
// the current source first, then run it (or a host program) capturing stdout, stderr and status.
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot, type FixtureName } from './toolchains.js';

export const cli = join(repoRoot, 'dist', 'cli.js');
/** The checkout's launcher: `run` from the start-up snapshot, everything else through dist/cli.js. */
export const launcher = join(repoRoot, 'scripts', 'aix-gdbstub');

/** Build dist/ so the CLI under test is the current source (tsc emits even if an unrelated file has errors). */
export function buildCli(): void {
  if (process.env.AIX_GDBSTUB_DIST_BUILT === '1') return void readFileSync(cli); // test/global-setup.ts built it
  const tsc = spawnSync(process.execPath, [join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', repoRoot], {
    encoding: 'utf8',
    cwd: repoRoot,
    timeout: 240_000,
  });
  if (tsc.error) throw tsc.error;
  readFileSync(cli); // fails loudly if the build produced nothing
}

/** The start-up snapshot of the current dist/ (scripts/build-snapshot.sh, as `make build` runs it). */
export function buildSnapshot(): void {
  const snap = spawnSync('bash', [join(repoRoot, 'scripts', 'build-snapshot.sh')], { encoding: 'utf8', cwd: repoRoot, timeout: 120_000 });
  if (snap.error) throw snap.error;
  if (snap.status !== 0) throw new Error(`scripts/build-snapshot.sh failed:\n${snap.stdout}${snap.stderr}`);
}

/** buildCli, then the start-up snapshot of that dist/ (test/global-setup.ts does both once). */
export function buildCliAndSnapshot(): void {
  const built = process.env.AIX_GDBSTUB_DIST_BUILT === '1';
  buildCli();
  if (!built) buildSnapshot();
}

/**
 * buildCli without blocking the test worker: a synchronous tsc run of a minute on a busy machine
 * keeps the worker from answering vitest ("Timeout calling onTaskUpdate").
 */
export async function buildCliAsync(): Promise<void> {
  if (process.env.AIX_GDBSTUB_DIST_BUILT === '1') return void readFileSync(cli);
  const tsc = await runCaptured(process.execPath, [join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', repoRoot], { cwd: repoRoot, timeoutMs: 240_000 });
  if (tsc.status === null) throw new Error(`tsc did not finish:\n${tsc.stdout}${tsc.stderr}`);
  readFileSync(cli); // fails loudly if the build produced nothing
}

export interface Captured {
  stdout: string;
  stderr: string;
  status: number | null;
}

/** Writes a program's stdin, given a view of its stdout so far; it must end the stream. */
export type Feeder = (stdin: NodeJS.WritableStream, stdout: () => string) => void;

export interface CaptureOptions {
  cwd?: string;
  /** Killed with SIGKILL after this long (the status is then null). */
  timeoutMs: number;
  /** Without one, stdin is closed at once. */
  input?: Feeder;
  /**
   * Read nothing of stderr until the program has exited or this long has passed: a reader slower
   * than the program, so its stderr pipe fills (64 KB) and its writes there must wait.
   */
  holdStderrMs?: number;
}

/** Run a program asynchronously, so the test worker keeps answering vitest while it runs for seconds. */
export function runCaptured(cmd: string, args: string[], opts: CaptureOptions): Promise<Captured> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { cwd: opts.cwd });
    let stdout = '';
    let stderr = '';
    p.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    p.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => p.kill('SIGKILL'), opts.timeoutMs);
    if (opts.holdStderrMs !== undefined) {
      p.stderr.pause();
      const hold = setTimeout(() => p.stderr.resume(), opts.holdStderrMs);
      p.on('exit', () => (clearTimeout(hold), p.stderr.resume()));
    }
    p.on('error', reject);
    p.on('close', (status) => {
      clearTimeout(timer);
      resolve({ stdout, stderr, status });
    });
    if (opts.input) opts.input(p.stdin, () => stdout);
    else p.stdin.end();
  });
}

/** A fixture run under the emulator and compared with the host build of the same source. */
export interface HostCase {
  name: FixtureName;
  args: string[];
  env?: Record<string, string>;
  /** Crash reports carry addresses and goroutine dumps: compare only their first lines. */
  stderrLines?: number;
}

/** The parts of a run compared with the host build's: stdout, stderr (or its first lines), status. */
export function comparable(r: { stdout: string; stderr: string; status: number | null }, c: HostCase): Captured {
  const stderr = c.stderrLines === undefined ? r.stderr : r.stderr.split('\n').slice(0, c.stderrLines).join('\n');
  return { stdout: r.stdout, stderr, status: r.status };
}
