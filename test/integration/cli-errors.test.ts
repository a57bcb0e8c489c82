// The words a user gets for bad input, through the real CLI: every command (inspect, elf, run,
// serve) says the same one line for the same bad program file and exits 1 at once (never reading
// /dev/zero or a FIFO forever); bad --root and --memory-limit values stop run and serve before the
// guest starts (exit 2); a guest killed by a signal says so in one line and exits 128+N.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCli, cli, runCaptured } from '../helpers/cli.js';
import { fixture } from '../helpers/toolchains.js';

let scratch: string;

beforeAll(() => {
  buildCli();
  scratch = mkdtempSync(join(tmpdir(), 'cli-errors-'));
  expect(spawnSync('mkfifo', [join(scratch, 'fifo')]).status).toBe(0);
  writeFileSync(join(scratch, 'text'), 'just some text, long enough to hold a header or two\n'.repeat(4));
});

afterAll(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

const COMMANDS: Record<string, (file: string) => string[]> = {
  inspect: (f) => ['inspect', f],
  elf: (f) => ['elf', f, '-o', join(scratch, 'out.elf')],
  run: (f) => ['run', f],
  serve: (f) => ['serve', '--port', '0', f],
};

const BAD_FILES: Array<[string, () => string, (f: string) => string]> = [
  ['a missing file', () => join(scratch, 'nope'), (f) => `aix-gdbstub: ${f}: no such file\n`],
  ['a directory', () => scratch, (f) => `aix-gdbstub: ${f}: is a directory\n`],
  ['/dev/zero', () => '/dev/zero', (f) => `aix-gdbstub: ${f}: is a character device, not a regular file\n`],
  ['a FIFO', () => join(scratch, 'fifo'), (f) => `aix-gdbstub: ${f}: is a FIFO, not a regular file\n`],
  [
    'a text file',
    () => join(scratch, 'text'),
    (f) => `aix-gdbstub: ${f}: not an AIX ppc64 XCOFF64 executable (not XCOFF64: unknown magic 0x6A75 (expected 0x01F7))\n`,
  ],
];

describe('a program file that cannot be used', () => {
  for (const [what, file, line] of BAD_FILES) {
    it(`${what}: every command prints the same one line and exits 1`, async () => {
      const f = file();
      for (const [name, args] of Object.entries(COMMANDS)) {
        const r = await runCaptured(process.execPath, [cli, ...args(f)], { timeoutMs: 30_000 });
        expect({ command: name, stderr: r.stderr, stdout: r.stdout, status: r.status }).toEqual({ command: name, stderr: line(f), stdout: '', status: 1 });
      }
    });
  }
});

describe('run and serve options checked at start', () => {
  const hello = () => fixture('go1.24-aix', 'hello');
  const cases: Array<[string, () => string[], (s: string) => string]> = [
    ['--root naming a missing directory', () => ['--root', join(scratch, 'none')], () => `aix-gdbstub: --root: ${join(scratch, 'none')}: no such directory\n`],
    ['--root naming a file', () => ['--root', join(scratch, 'text')], () => `aix-gdbstub: --root: ${join(scratch, 'text')}: not a directory\n`],
    ['--memory-limit above the host', () => ['--memory-limit', '64T'], () => 'aix-gdbstub: --memory-limit: 64T is more than this host has'],
    ['--memory-limit too small', () => ['--memory-limit', '1M'], () => 'aix-gdbstub: --memory-limit: 1M is too small for a Go program (at least 64M)\n'],
  ];
  for (const [what, opts, line] of cases) {
    it(`${what}: one line, exit 2, for run and serve`, async () => {
      for (const cmd of [['run'], ['serve', '--port', '0']]) {
        const r = await runCaptured(process.execPath, [cli, ...cmd, ...opts(), hello()], { timeoutMs: 30_000 });
        expect(r.status).toBe(2);
        expect(r.stderr.split('\n')).toHaveLength(2);
        expect(r.stderr.startsWith(line(r.stderr))).toBe(true);
      }
    });
  }

  it('a memory limit the host can give runs the program', async () => {
    const r = await runCaptured(process.execPath, [cli, 'run', '--memory-limit', '64M', hello()], { timeoutMs: 60_000 });
    expect(r).toEqual({ stdout: 'hello from aix/ppc64\n', stderr: '', status: 0 });
  });
});

describe('a guest killed by a signal', () => {
  it.each(['go1.24-aix', 'go1.19-aix'] as const)('%s: GOTRACEBACK=crash abort prints the qemu-style line and exits 128+6', async (tc) => {
    const r = await runCaptured(process.execPath, [cli, 'run', '--env', 'GOTRACEBACK=crash', fixture(tc, 'nilderef'), 'unrecovered'], {
      timeoutMs: 110_000,
    });
    expect(r.status).toBe(134);
    expect(r.stderr).toMatch(/^panic: runtime error: invalid memory address or nil pointer dereference/);
    expect(r.stderr.endsWith('\naix-gdbstub: uncaught target signal 6 (Aborted)\n')).toBe(true);
  });
});
