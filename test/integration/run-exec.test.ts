// fork/exec under `run`: the execself fixture os/exec's itself and `sh -c` (pipes on stdin,
// stdout and stderr, environment, working directory, exit codes, a child that kills itself and one
// its parent kills, a pipeline from an emulated child into a host one) and must print exactly
// what its host build prints, on Go 1.24 and Go 1.19. Then what --root means for exec.
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCliAsync, cli, runCaptured } from '../helpers/cli.js';
import { checkStraceLines } from '../helpers/strace-format.js';
import { expectedStdout, fixture } from '../helpers/toolchains.js';
import { gdbBatch, requireGdb, startServe, stopAllServes } from './serve-helpers.js';

let scratch: string;

beforeAll(async () => {
  await buildCliAsync();
  scratch = mkdtempSync(join(tmpdir(), 'run-exec-'));
});

afterAll(async () => {
  await stopAllServes();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

function runCli(args: string[]) {
  return runCaptured(process.execPath, [cli, ...args], { cwd: scratch, timeoutMs: 170_000 });
}

describe.each(['go1.24-aix', 'go1.19-aix'] as const)('execself %s', (tc) => {
  it('matches the host build: stdout, stderr and exit status', async () => {
    const want = await runCaptured(fixture('go1.24-host', 'execself'), [], { cwd: scratch, timeoutMs: 60_000 });
    expect(want.stdout).toBe(expectedStdout('execself'));
    const got = await runCli(['run', fixture(tc, 'execself')]);
    expect({ stdout: got.stdout, stderr: got.stderr, status: got.status }).toEqual({ stdout: want.stdout, stderr: want.stderr, status: want.status });
  }, 180_000);
});

describe('--deterministic with children', () => {
  it('two runs of execself (emulated children, sh -c, a host pipeline) are identical call by call', async () => {
    const runs = [];
    // The traces go elsewhere: the program stats its working directory, whose times they would change.
    const traces = mkdtempSync(join(tmpdir(), 'run-exec-det-'));
    for (let i = 0; i < 2; i++) {
      const out = join(traces, `det-${i}.strace`);
      const got = await runCli(['run', '--deterministic', '--strace-out', out, '--strace-tt', fixture('go1.24-aix', 'execself')]);
      expect({ stdout: got.stdout, status: got.status }).toEqual({ stdout: expectedStdout('execself'), status: 0 });
      runs.push(readFileSync(out, 'utf8'));
    }
    const [a, b] = runs.map((r) => r!.split('\n'));
    // Children ran (fork, execve of the emulated program and of sh) with virtual pids and times.
    expect(a!.some((l) => /^42\d\d +00:00:00\.\d{6} execve\("[^"]*execself", /.test(l))).toBe(true);
    expect(a!.some((l) => /execve\("[^"]*\/sh", \["sh", "-c", "wc -l"\]/.test(l))).toBe(true);
    const firstDiff = a!.findIndex((l, i) => l !== b![i]);
    expect({ firstDiff, line: a![firstDiff], other: b![firstDiff] }).toEqual({ firstDiff: -1, line: undefined, other: undefined });
    expect(a!.length).toBe(b!.length);
    rmSync(traces, { recursive: true, force: true });
  }, 360_000);
});

describe('syscall.Exec in the program run started', () => {
  it('replaces it: the run ends with the new program, AIX or host', async () => {
    const aix = await runCli(['run', fixture('go1.24-aix', 'execself'), 'exec', fixture('go1.24-aix', 'execself'), 'exit', '5']);
    expect({ stderr: aix.stderr, status: aix.status }).toEqual({ stderr: 'child exiting with 5\n', status: 5 });
    const host = await runCli(['run', fixture('go1.19-aix', 'execself'), 'exec', '/bin/sh', '-c', 'echo "replaced $0"; exit 9']);
    expect({ stdout: host.stdout, status: host.status }).toEqual({ stdout: 'replaced /bin/sh\n', status: 9 });
    const missing = await runCli(['run', fixture('go1.24-aix', 'execself'), 'exec', '/nonexistent']);
    expect({ stdout: missing.stdout, status: missing.status }).toEqual({ stdout: 'exec failed: no such file or directory\n', status: 1 });
  }, 120_000);
});

describe('exec under --root', () => {
  let root: string;
  beforeAll(() => {
    root = join(scratch, 'root');
    mkdirSync(join(root, 'bin'), { recursive: true });
    copyFileSync('/bin/sh', join(root, 'bin', 'sh'));
    copyFileSync(fixture('go1.24-aix', 'execself'), join(root, 'execself'));
  });

  it('runs an AIX program found inside the root in the emulator', async () => {
    const got = await runCli(['run', '--root', root, join(root, 'execself'), 'run', '/execself', 'exit', '6']);
    expect(got.stdout).toBe('run: exit status 6 (exit code 6, exited true, signaled false, signal signal -1)\n');
    expect(got.stderr).toBe('child exiting with 6\n');
  }, 120_000);

  it('refuses a host program with EACCES unless --allow-host-exec', async () => {
    const refused = await runCli(['run', '--root', root, join(root, 'execself'), 'run', '/bin/sh', '-c', 'exit 4']);
    expect(refused.stdout).toBe('run: error: fork/exec /bin/sh: permission denied\n');
    const allowed = await runCli(['run', '--root', root, '--allow-host-exec', join(root, 'execself'), 'run', '/bin/sh', '-c', 'echo "$0"; exit 4']);
    expect(allowed.stdout).toBe('/bin/sh\nrun: exit status 4 (exit code 4, exited true, signaled false, signal signal -1)\n');
  }, 120_000);
});

describe('--strace follows children', () => {
  it('prints the child side of fork, its execve and the parent wait4 with the decoded status', async () => {
    const got = await runCli(['run', '--strace', fixture('go1.24-aix', 'execself'), 'run', '/bin/sh', '-c', 'kill -9 $$']);
    expect(got.stdout).toBe('run: signal: killed (exit code -1, exited false, signaled true, signal killed)\n');
    const lines = got.stderr.split('\n').filter((l) => l !== '');
    // strace -f's form (test/helpers/strace-format.ts): every line parses, unfinished calls resume.
    expect(checkStraceLines(lines)).toEqual([]);
    // The parent's forking thread prints the child's pid; the child's one thread has that pid as its id.
    // (the child's `fork() = 0` comes first, so the parent's fork is usually unfinished, then resumed).
    const child = lines.map((l) => /^\[pid +\d+\] (fork\(|<\.\.\. fork resumed>)\) = (\d+)$/.exec(l)?.[2]).find((x) => x !== undefined && x !== '0');
    expect(child).toBeDefined();
    const tag = `[pid ${child!.padStart(5)}] `;
    expect(lines).toContain(`${tag}fork() = 0`);
    expect(lines.some((l) => l.startsWith(`${tag}execve("/bin/sh", ["/bin/sh", "-c", "kill -9 $$"], 0x`) && l.endsWith(') = 0'))).toBe(true);
    // wait4 in one line, or resumed after other threads' lines: the decoded status either way.
    const status = `\\[\\{WIFSIGNALED\\(s\\) && WTERMSIG\\(s\\) == SIGKILL\\}\\], 0x0, 0x[0-9a-f]+\\) = ${child}$`;
    expect(lines.some((l) => new RegExp(`^\\[pid +\\d+\\] (wait4\\(${child}, |<\\.\\.\\. wait4 resumed>)${status}`).test(l))).toBe(true);
  }, 120_000);
});

describe('serve: a debugged program with children', () => {
  it('stops at a breakpoint in the parent while its children run freely, and prints what the host build prints', async () => {
    requireGdb();
    const serve = await startServe(fixture('go1.24-aix', 'execself'), [], ['--once']);
    const out = await gdbBatch(serve.port, ['break main.describe', 'continue', 'delete', 'continue'], { timeoutMs: 170_000 });
    expect(out).toMatch(/Breakpoint 1, main\.describe/);
    expect(out).toMatch(/exited normally/);
    await serve.exited;
    expect(serve.stdout()).toBe(expectedStdout('execself'));
  }, 180_000);
});
