// gdbserver's and qemu-user's command forms, each connected to by real gdb-multiarch:
// `serve :PORT PROG`, `serve HOST:PORT PROG`, `serve - PROG` (`target remote | …`), and
// `run -g PORT` with qemu's -E/-U/-0.
import { spawn } from 'node:child_process';
import net from 'node:net';
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
function startCli(args: string[]): Promise<{ stderr: () => string; exited: Promise<number | null> }> {
  const child = spawn(process.execPath, [cli, ...args]);
  children.push(child);
  let err = '';
  const exited = new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
  return new Promise((resolve, reject) => {
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      err += d;
      if (/in gdb-multiarch type: /.test(err)) resolve({ stderr: () => err, exited });
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
    expect(s.stderr()).toMatch(/refusing to run .*\/args: this stub serves .*\/hello/);
  });
});
