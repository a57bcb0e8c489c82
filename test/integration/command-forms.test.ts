// gdbserver's and qemu-user's command forms, each connected to by real gdb-multiarch:
// `serve :PORT PROG`, `serve HOST:PORT PROG`, `serve - PROG` (`target remote | …`), and
// `run -g PORT` with qemu's -E/-U/-0.
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildCli, cli, runCaptured } from '../helpers/cli.js';
import { fixture } from '../helpers/toolchains.js';
import { gdbBatch, requireGdb, runGdb } from './serve-helpers.js';

beforeAll(() => {
  requireGdb();
  buildCli();
});

const children: Array<ReturnType<typeof spawn>> = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
});

/** A port nobody listens on right now. */
function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

/** Start the CLI and wait until its stderr shows the banner's gdb command. */
function startCli(args: string[]): Promise<{ stdout: () => string; stderr: () => string; exited: Promise<number | null> }> {
  const child = spawn(process.execPath, [cli, ...args]);
  children.push(child);
  let err = '';
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  const exited = new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
  return new Promise((resolve, reject) => {
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      err += d;
      if (/in gdb-multiarch type: /.test(err)) resolve({ stdout: () => out, stderr: () => err, exited });
    });
    void exited.then((c) => reject(new Error(`exited ${c} before its banner:\n${err}`)));
  });
}

describe("gdbserver's COMM forms", () => {
  it('serve :PORT PROG: the banner names `target remote :PORT`, gdb connects and runs it to its end', async () => {
    const port = await freePort();
    const s = await startCli(['serve', '--once', `:${port}`, fixture('go1.24-aix', 'hello')]);
    expect(s.stderr()).toContain(`serve: in gdb-multiarch type: target remote :${port}\n`);
    const out = await gdbBatch(port, ['break main.main', 'continue', 'continue']);
    expect(out, out).toMatch(/hit Breakpoint 1, main\.main \(\)/);
    expect(out, out).toMatch(/exited normally/);
    expect(await s.exited).toBe(0);
  });

  it('serve HOST:PORT PROG listens on that address', async () => {
    const port = await freePort();
    const s = await startCli(['serve', '--once', `127.0.0.1:${port}`, fixture('go1.24-aix', 'hello')]);
    expect(s.stderr()).toContain(`listening on 127.0.0.1:${port}`);
    const out = await gdbBatch(port, ['continue']);
    expect(out, out).toMatch(/exited normally/);
  });

  it('serve - PROG speaks RSP on stdin/stdout: `target remote | aix-gdbstub serve - PROG`, guest output on stderr', async () => {
    const out = await runGdb(['-nx', '-batch', '-ex', 'set confirm off', '-ex', `target remote | ${process.execPath} ${cli} serve - ${fixture('go1.24-aix', 'hello')}`, '-ex', 'break main.main', '-ex', 'continue', '-ex', 'info threads', '-ex', 'continue'], 120_000);
    expect(out, out).toMatch(/hit Breakpoint 1, main\.main \(\)/);
    expect(out, out).toMatch(/pthread 1, M0\b.*main\.main \(\)/); // info threads: the stub's names came over the pipe
    expect(out, out).toContain('hello from aix/ppc64');
    expect(out, out).toMatch(/exited normally/);
  });
});

describe("qemu-user's options", () => {
  it('run -g PORT -0 ARGV0 -E VAR=VAL PROG waits for gdb like qemu -g; argv[0] is ARGV0', async () => {
    const port = await freePort();
    const s = await startCli(['run', '-g', String(port), '-0', 'myname', '-E', 'FIXTURE_VAR=from-E', fixture('go1.24-aix', 'args'), 'one']);
    expect(s.stderr()).toContain(`target remote :${port}`);
    // At __start R4 is argv (AIX's entry convention).
    const out = await gdbBatch(port, ['set language c', 'x/s *(char **)$r4', 'x/s *((char **)$r4 + 1)', 'continue']);
    expect(out, out).toMatch(/:\s+"myname"/);
    expect(out, out).toMatch(/:\s+"one"/);
    expect(out, out).toMatch(/exited normally/);
  });

  it('--help shows the forms with examples', async () => {
    const run = await runCaptured(process.execPath, [cli, 'run', '--help'], { timeoutMs: 30_000 });
    expect(run.stdout).toMatch(/Examples:[\s\S]*run -g 1234/);
    const serve = await runCaptured(process.execPath, [cli, 'serve', '--help'], { timeoutMs: 30_000 });
    expect(serve.stdout).toMatch(/Examples:[\s\S]*serve :1234[\s\S]*target remote \|/);
  });

  it('-E adds and -U removes a variable; -L is --root', async () => {
    const withVar = await runCaptured(process.execPath, [cli, 'run', '-E', 'FIXTURE_VAR=x', fixture('go1.24-aix', 'args')], { timeoutMs: 60_000 });
    expect(withVar.stdout).toContain('FIXTURE_VAR="x" set=true');
    const removed = await runCaptured(process.execPath, [cli, 'run', '-E', 'FIXTURE_VAR=x', '-U', 'FIXTURE_VAR', fixture('go1.24-aix', 'args')], { timeoutMs: 60_000 });
    expect(removed.stdout).toContain('set=false');
    const badRoot = await runCaptured(process.execPath, [cli, 'run', '-L', '/no/such/root', fixture('go1.24-aix', 'args')], { timeoutMs: 60_000 });
    expect(badRoot.status).toBe(2);
    expect(badRoot.stderr).toBe('aix-gdbstub: --root: /no/such/root: no such directory\n');
  });
});

describe('extended-remote run naming a program', () => {
  it('another program is refused with an error reply; the served one (by any path) runs', async () => {
    const port = await freePort();
    const hello = fixture('go1.24-aix', 'hello');
    const s = await startCli(['serve', '--once', `:${port}`, hello]);
    const out = await gdbBatch(
      port,
      [`set remote exec-file ${fixture('go1.24-aix', 'args')}`, 'run', `set remote exec-file ${hello.replace(/\/([^/]+)$/, '/./$1')}`, 'run', 'kill'],
      { mode: 'extended-remote' },
    );
    expect(out, out).toMatch(/Running ".*\/args" on the remote target failed/);
    // The served program, named by another path, runs to its end.
    expect(out.slice(out.indexOf('on the remote target failed')), out).toMatch(/\[Inferior 1 \(Remote target\) exited normally\]/);
    expect(s.stderr()).toMatch(/cannot run .*\/args: this stub serves .*\/hello/);
  });
});

describe('serve --multi (gdbserver --multi)', () => {
  it('starts with no program; run starts whichever program gdb names, again and again, and serve keeps listening', async () => {
    const port = await freePort();
    const hello = fixture('go1.24-aix', 'hello');
    const args = fixture('go1.24-aix', 'args');
    const s = await startCli(['serve', '--multi', `:${port}`]);
    expect(s.stderr()).toContain(`serve: in gdb-multiarch type: target extended-remote :${port}\n`);
    // Symbols of a program gdb did not load itself come from its ELF view, as gdbserver users `file` a local copy.
    const argsElf = join(mkdtempSync(join(tmpdir(), 'aix-gdbstub-multi-')), 'args.elf');
    expect((await runCaptured(process.execPath, [cli, 'elf', args, '-o', argsElf], { timeoutMs: 60_000 })).status).toBe(0);
    const first = await gdbBatch(port, [
      'info threads',
      'run', // nothing named yet: refused, gdb says how to name one
      `set remote exec-file ${hello}`,
      'run',
      `set remote exec-file ${args}`, `file ${argsElf}`, 'break main.main',
      'run one two',
      'bt 1', 'next', 'continue', 'delete',
      'set remote exec-file /no/such/program', 'run',
      `set remote exec-file ${hello}`, 'run', // the same program again, after a refusal
    ], { mode: 'extended-remote' });
    expect(first, first).toMatch(/No threads\./);
    expect(first, first).toMatch(/Running the default executable on the remote target failed; try "set remote exec-file"\?/);
    expect(first, first).toMatch(/hit Breakpoint 1, main\.main \(\)/);
    expect(first, first).toMatch(/#0 +main\.main \(\) at .*args\/main\.go/);
    expect(first, first).toMatch(/Running "\/no\/such\/program" on the remote target failed/);
    expect(first.match(/\[Inferior 1 \(Remote target\) exited normally\]/g)?.length, first).toBe(3);
    expect(s.stderr()).toMatch(/cannot run \/no\/such\/program: \/no\/such\/program: no such file/);
    expect(s.stdout().match(/hello from aix\/ppc64/g)?.length, s.stdout()).toBe(2);
    expect(s.stdout()).toContain('argc=2\narg[1]="one"\narg[2]="two"\n');
    // The stub outlives the client and the programs: a second gdb runs another one.
    const second = await gdbBatch(port, ['info threads', `set remote exec-file ${args}`, 'run again'], { mode: 'extended-remote' });
    expect(second, second).toMatch(/No threads\./);
    expect(second, second).toMatch(/exited normally/);
    expect(s.stdout()).toContain('argc=1\narg[1]="again"\n');
    expect(s.stderr().match(/client connected from/g)?.length).toBe(2);
  });

  it('without a program and without --multi: a clear usage error', async () => {
    const r = await runCaptured(process.execPath, [cli, 'serve', ':1234'], { timeoutMs: 30_000 });
    expect(r.status).toBe(2);
    expect(r.stderr).toBe("aix-gdbstub: serve: name the PROGRAM to serve (or --multi: gdb's run chooses it)\n");
  });
});
