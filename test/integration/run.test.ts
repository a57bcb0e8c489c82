// `aix-gdbstub run` on every fixture, built with Go 1.24 and Go 1.19: the same stdout, stderr and
// exit status as the host build of the same source (notes/aix-go-contract.md; issue 4's "done when").
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCli, cli, comparable, runCaptured, type HostCase } from '../helpers/cli.js';
import { expectedStdout, fixture } from '../helpers/toolchains.js';

let scratch: string;

const CASES: HostCase[] = [
  { name: 'hello', args: [] },
  { name: 'args', args: ['one', 'two words', '--exit=3'], env: { FIXTURE_VAR: 'from the test' } },
  { name: 'args', args: [] },
  // Options after PROGRAM belong to the guest, even ones `run` itself knows.
  { name: 'args', args: ['--strace', '--env', 'X=1'] },
  // ...and ones yargs would act on anywhere (our help and version), and a `--` of the guest's.
  { name: 'args', args: ['--help', '-l', '--version', '--', 'x'] },
  { name: 'args', args: ['--', '--help'] },
  { name: 'fileio', args: [] },
  { name: 'goroutines', args: [] },
  { name: 'timers', args: [] },
  { name: 'nilderef', args: [] },
  { name: 'nilderef', args: ['unrecovered'], stderrLines: 1 },
  { name: 'cpuheavy', args: [] },
  // Captured stdout through os.Pipe, zero-length writes, 64 KiB between goroutines: each byte once.
  { name: 'pipecapture', args: [] },
  // The path rules Go's tools rely on (a GOROOT whose src is a symlink, empty names, trailing slashes...).
  { name: 'paths', args: [] },
  // Blocking opens of both ends of a FIFO from two goroutines: each waits in its own thread.
  { name: 'fifo', args: [] },
  // A goroutine spinning without calls: the program ends only through asynchronous preemption (SIGURG).
  { name: 'preempt', args: [] },
  // AES-GCM/CBC/CTR, SHA-512, crc32, bytes.IndexByte: the vector and crypto rows of Go's assembly.
  { name: 'cryptobench', args: [] },
];

function runHost(c: HostCase) {
  return spawnSync(fixture('go1.24-host', c.name), c.args, {
    encoding: 'utf8',
    timeout: 60_000,
    cwd: scratch,
    env: { ...process.env, ...c.env },
  });
}

function runCli(args: string[]) {
  return runCaptured(process.execPath, [cli, ...args], { cwd: scratch, timeoutMs: 110_000 });
}

function runEmulated(tc: 'go1.24-aix' | 'go1.19-aix', c: HostCase) {
  const envArgs = Object.entries(c.env ?? {}).flatMap(([k, v]) => ['--env', `${k}=${v}`]);
  return runCli(['run', ...envArgs, fixture(tc, c.name), ...c.args]);
}

beforeAll(() => {
  buildCli();
  scratch = mkdtempSync(join(tmpdir(), 'run-test-'));
});

afterAll(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe.each(['go1.24-aix', 'go1.19-aix'] as const)('run %s', (tc) => {
  it('paths under --root: the same rules inside a root as on the host', async () => {
    const root = mkdtempSync(join(tmpdir(), 'run-root-'));
    try {
      const got = await runCli(['run', '--root', root, '--env', 'TMPDIR=/', fixture(tc, 'paths')]);
      expect(got).toEqual({ stdout: expectedStdout('paths'), stderr: '', status: 0 });
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  for (const c of CASES) {
    it(`${c.name} ${c.args.join(' ')} matches the host build`, async () => {
      const want = runHost(c);
      const got = await runEmulated(tc, c);
      expect(comparable(got, c)).toEqual(comparable(want, c));
    });
  }
});

describe('run: errors', () => {
  it('rejects a file that is not an XCOFF64 executable with one line and status 1', () => {
    const bogus = join(scratch, 'not-xcoff');
    writeFileSync(bogus, '#!/bin/sh\necho hi\n');
    const r = spawnSync(process.execPath, [cli, 'run', bogus], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('not an AIX ppc64 XCOFF64 executable');
  });

  it('--deterministic runs are identical call by call, thread interleaving included', async () => {
    const args = ['run', '--deterministic', '--strace', fixture('go1.24-aix', 'goroutines')];
    const a = await runCli(args);
    const b = await runCli(args);
    expect(a.status).toBe(0);
    expect(a.stderr.split('\n').length).toBeGreaterThan(100);
    expect(b).toEqual(a);
  });

  it('--deterministic: files the program creates stat the same in every run (virtual inode numbers and times)', async () => {
    const args = ['run', '--deterministic', '--strace', fixture('go1.24-aix', 'fileio')];
    const a = await runCli(args);
    const b = await runCli(args);
    expect(a.status).toBe(0);
    expect(a.stdout).toContain('fileio done');
    // fstat of the file it wrote: an inode number from the virtual range and a 2024 (virtual epoch) mtime.
    expect(a.stderr).toMatch(/fstat\(3, \{[^}]*st_ino=2814749767\d+, [^}]*st_mtime=\{tv_sec=17040672\d\d,/);
    expect(b).toEqual(a);
  });

  it('--strace prints libc calls with AIX names and decoded arguments', async () => {
    const r = await runCli(['run', '--strace', fixture('go1.24-aix', 'hello')]);
    expect(r.stdout).toBe('hello from aix/ppc64\n');
    expect(r.stderr).toMatch(/sysconf\(0x48\) = 1/);
    expect(r.stderr).toMatch(/write\(1, "hello from aix\/ppc64\\n", 21\) = 21/);
    expect(r.stderr).toMatch(/_exit\(0\) = \?/);
  });
});
