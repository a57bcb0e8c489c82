// The start-up snapshot (scripts/build-snapshot.sh, src/commands/snapshot-main.ts) and the launcher
// that uses it (scripts/aix-gdbstub): a run started from the snapshot gives what the host build of
// the same source gives, with the process's environment, clock, exec, UDP and signals read at run
// time rather than frozen at build time, and run's options give what dist/cli.js gives; the
// launcher falls back to dist/cli.js, and says why when asked to require the snapshot, whenever
// the snapshot cannot serve the command line.
import { spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCliAndSnapshot, cli, comparable, launcher, runCaptured, type HostCase } from '../helpers/cli.js';
import { expectedStdout, fixture, repoRoot } from '../helpers/toolchains.js';

let scratch: string;

beforeAll(() => {
  buildCliAndSnapshot();
  scratch = mkdtempSync(join(tmpdir(), 'snapshot-test-'));
});

afterAll(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

/** The launcher with the snapshot required: a fallback would fail the run (status 2) instead. */
function fromSnapshot(args: string[], env: Record<string, string> = {}, script = launcher) {
  return spawnSync(script, args, { encoding: 'utf8', cwd: scratch, timeout: 110_000, env: runEnv(env) });
}

/**
 * dist/cli.js with the same environment, started through sh as the launcher starts node: a shell
 * passes the variables on in its own order, and the guest sees the order (os.Environ()).
 */
function fromDist(args: string[], env: Record<string, string> = {}) {
  return spawnSync('sh', ['-c', 'exec node "$0" "$@"', cli, ...args], { encoding: 'utf8', cwd: scratch, timeout: 110_000, env: runEnv(env) });
}

/** The guests of both see the variable that makes the launcher insist, too. */
function runEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  return { ...process.env, ...env, AIX_GDBSTUB_SNAPSHOT: 'require' };
}

const CASES: HostCase[] = [
  { name: 'hello', args: [] },
  // The guest's environment is the process's at run time (the snapshot was built in another one).
  { name: 'args', args: ['one', 'two words', '--exit=3'], env: { FIXTURE_VAR: 'from the run, not the build' } },
  // After PROGRAM, options of ours are the guest's (-g, -h, --help and --version anywhere send the
  // line to dist/cli.js instead: the launcher cannot tell where PROGRAM starts).
  { name: 'args', args: ['--strace', '--env', 'X=1', '-l', '--', 'x'] },
  { name: 'fileio', args: [] },
  { name: 'goroutines', args: [] },
  { name: 'timers', args: [] },
  { name: 'nilderef', args: ['unrecovered'], stderrLines: 1 },
  { name: 'pipecapture', args: [] },
  { name: 'preempt', args: [] },
  { name: 'execself', args: [] },
  { name: 'udpecho', args: [] },
  { name: 'cryptobench', args: [] },
];

describe('run from the start-up snapshot', () => {
  for (const c of CASES) {
    it(`${c.name} ${c.args.join(' ')} matches the host build`, () => {
      const want = spawnSync(fixture('go1.24-host', c.name), c.args, { encoding: 'utf8', cwd: scratch, timeout: 60_000, env: { ...process.env, ...c.env } });
      if (c.name !== 'args' && c.name !== 'nilderef') expect(want.stdout).toBe(expectedStdout(c.name));
      const got = fromSnapshot(['run', fixture('go1.24-aix', c.name), ...c.args], c.env);
      expect(comparable(got, c)).toEqual(comparable(want, c));
    });
  }
});

describe('the launcher', () => {
  it('sends every other command line to dist/cli.js', async () => {
    const inspect = await runCaptured(launcher, ['inspect', fixture('go1.24-aix', 'hello')], { cwd: scratch, timeoutMs: 110_000 });
    expect(inspect.stdout).toMatch(/XCOFF64 executable/);
    expect(inspect.status).toBe(0);
    const version = spawnSync(launcher, ['--version'], { encoding: 'utf8' });
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it("runs run's own options from the snapshot: the same trace and output as dist/cli.js, call by call", async () => {
    // The guests see the same environment: PWD as a shell sets it (the real working directory).
    const env = { PWD: scratch };
    for (const args of [
      ['run', '--deterministic', '--strace', fixture('go1.24-aix', 'hello')],
      ['run', '--deterministic', '--strace-json', '--env', 'X=1', fixture('go1.24-aix', 'goroutines')],
    ]) {
      const snap = fromSnapshot(args, env);
      const plain = fromDist(args, env);
      expect(snap.status).toBe(0);
      expect(snap.stderr.split('\n').length).toBeGreaterThan(20);
      expect({ stdout: snap.stdout, stderr: snap.stderr, status: snap.status }).toEqual({ stdout: plain.stdout, stderr: plain.stderr, status: plain.status });
    }
    const strace = fromSnapshot(['run', '--strace', fixture('go1.24-aix', 'hello')], env);
    expect(strace.stdout).toBe('hello from aix/ppc64\n');
    expect(strace.stderr).toMatch(/write\(1, "hello from aix\/ppc64\\n", 21\) = 21/);
  });

  it('answers what only yargs parses as dist/cli.js does (an unknown option, an option without its value)', () => {
    for (const args of [['run', '--no-such-option', fixture('go1.24-aix', 'hello')], ['run', '--env']]) {
      const snap = fromSnapshot(args);
      const plain = fromDist(args);
      expect(snap.status).not.toBe(0);
      expect(snap.stderr).toMatch(/^aix-gdbstub: /);
      expect({ stdout: snap.stdout, stderr: snap.stderr, status: snap.status }).toEqual({ stdout: plain.stdout, stderr: plain.stderr, status: plain.status });
    }
  });

  it('leaves serve and the timeline recorder out of the bundle, and answers -g and --timeline through dist/cli.js', () => {
    const bundle = readFileSync(join(repoRoot, 'build', 'snapshot', 'cli.cjs'), 'latin1');
    // esbuild heads each module it bundles with a comment naming its file
    const modules = [...bundle.matchAll(/^\/\/ (dist\/\S+\.js)$/gm)].map((m) => m[1]);
    expect(modules).toContain('dist/commands/run.js');
    expect(modules).toContain('dist/cpu/wasm/interp.js');
    for (const left of ['dist/commands/serve.js', 'dist/machine/timeline.js', 'dist/gdb/session.js', 'dist/record/recorder.js', 'dist/dwarf/index.js']) expect(modules).not.toContain(left);
    expect(bundle.length).toBeLessThan(800_000);
    const hello = fixture('go1.24-aix', 'hello');
    expect(fromSnapshot(['run', '--timeline', join(scratch, 't.json'), hello]).stderr).toBe('aix-gdbstub: start-up snapshot not used: --timeline on the command line (the snapshot leaves the timeline recorder out)\n');
    // The blob started without the launcher: the run is answered in a child, trace and all.
    const blob = join(repoRoot, 'build', 'snapshot', 'cli.blob');
    const direct = spawnSync('node', ['--snapshot-blob', blob, cli, 'run', '--timeline', join(scratch, 't.json'), hello], { encoding: 'utf8', cwd: scratch, timeout: 110_000 });
    expect({ stdout: direct.stdout, status: direct.status }).toEqual({ stdout: 'hello from aix/ppc64\n', status: 0 });
    expect(JSON.parse(readFileSync(join(scratch, 't.json'), 'utf8')).traceEvents.length).toBeGreaterThan(10);
  });

  it('bundles an ASCII-only source (one other character makes V8 keep the whole source as a two-byte string)', () => {
    const bundle = readFileSync(join(repoRoot, 'build', 'snapshot', 'cli.cjs'));
    expect(bundle.length).toBeGreaterThan(100_000);
    expect(bundle.findIndex((b) => b > 0x7f)).toBe(-1);
  });

  it('holds the bytecode of every function of the bundle: a function the build never called compiles nothing when the run calls it', () => {
    // scripts/snapshot-entry.cjs on a bundle of one large function, against the same bundle built
    // as Node builds an entry script (lazily): V8's bytecode total grows only for the latter.
    const dir = join(scratch, 'eager');
    mkdirSync(dir, { recursive: true });
    const bundle = join(dir, 'bundle.cjs');
    const body = Array.from({ length: 400 }, (_v, i) => `  s = (s * 31 + x + ${i}) % 1000003;`).join('\n');
    writeFileSync(
      bundle,
      `"use strict";
const v8 = require('node:v8');
function neverCalledAtBuild(x) {
  let s = 0;
${body}
  return s;
}
v8.startupSnapshot.setDeserializeMainFunction(() => {
  const size = () => v8.getHeapCodeStatistics().bytecode_and_metadata_size;
  size();
  const before = size();
  const r = neverCalledAtBuild(2);
  console.log(size() - before, r);
});
`,
    );
    const build = (blob: string, entry: string) => {
      const b = spawnSync('node', ['--snapshot-blob', blob, '--build-snapshot', entry], { encoding: 'utf8', env: { ...process.env, AIX_GDBSTUB_SNAPSHOT_BUNDLE: bundle }, timeout: 60_000 });
      expect(b.status, b.stderr).toBe(0);
      const r = spawnSync('node', ['--snapshot-blob', blob], { encoding: 'utf8', timeout: 60_000 });
      expect(r.status, r.stderr).toBe(0);
      return r.stdout.trim().split(' ');
    };
    const eager = build(join(dir, 'eager.blob'), join(repoRoot, 'scripts', 'snapshot-entry.cjs'));
    const lazy = build(join(dir, 'lazy.blob'), bundle);
    expect(eager[1]).toBe(lazy[1]);
    expect(Number(eager[0])).toBe(0);
    expect(Number(lazy[0])).toBeGreaterThan(4000);
  });

  it("gives V8's helper threads one core fewer than the machine has, at most 4, on both paths", () => {
    // A checkout whose `node` (first on PATH) prints the command line it was given.
    const root = join(scratch, 'pool');
    const bin = join(root, 'node bin'); // a path with a space: node-identity is one line, read whole
    cpSync(join(repoRoot, 'scripts'), join(root, 'scripts'), { recursive: true });
    mkdirSync(join(root, 'dist'), { recursive: true });
    mkdirSync(join(root, 'build', 'snapshot'), { recursive: true });
    mkdirSync(bin, { recursive: true });
    writeFileSync(join(bin, 'node'), '#!/bin/sh\necho "$@"\n', { mode: 0o755 });
    const env = { ...process.env, PATH: `${bin}:${process.env.PATH}`, AIX_GDBSTUB_SNAPSHOT: '' };
    writeFileSync(join(root, 'dist', 'cli.js'), '');
    const old = new Date(Date.now() - 60_000);
    utimesSync(join(root, 'dist', 'cli.js'), old, old);
    const blob = join(root, 'build', 'snapshot', 'cli.blob');
    writeFileSync(blob, 'blob');
    const identity = spawnSync('sh', ['-c', `. ${join(root, 'scripts', 'lib-snapshot.sh')}; write_node_identity ${join(root, 'build', 'snapshot', 'node-identity')}`], { encoding: 'utf8', env });
    expect(identity.status).toBe(0);
    const script = join(root, 'scripts', 'aix-gdbstub');
    const argv = (args: string[], extra: Record<string, string> = {}) => spawnSync(script, args, { encoding: 'utf8', env: { ...env, ...extra } }).stdout.trim();
    const cores = Number(spawnSync('nproc', { encoding: 'utf8' }).stdout.trim());
    const pool = Math.min(4, Math.max(1, cores - 1));
    expect(argv(['run', 'prog', 'a'])).toBe(`--v8-pool-size=${pool} --snapshot-blob ${blob} ${join(root, 'dist', 'cli.js')} run prog a`);
    expect(argv(['inspect', 'prog'])).toBe(`--v8-pool-size=${pool} ${join(root, 'dist', 'cli.js')} inspect prog`);
    expect(argv(['inspect', 'prog'], { AIX_GDBSTUB_V8_POOL: '3' })).toBe(`--v8-pool-size=3 ${join(root, 'dist', 'cli.js')} inspect prog`);
    expect(argv(['inspect', 'prog'], { AIX_GDBSTUB_V8_POOL: 'x' })).toBe(`--v8-pool-size=1 ${join(root, 'dist', 'cli.js')} inspect prog`);
  });

  it('finds its checkout when started through a symlink to it or to its folder, with and without the snapshot', () => {
    const links = join(scratch, 'links');
    mkdirSync(links, { recursive: true });
    symlinkSync(join(repoRoot, 'scripts'), join(links, 'bin')); // a folder on PATH that is a symlink
    symlinkSync(launcher, join(links, 'aix-gdbstub'));
    const hello = fixture('go1.24-aix', 'hello');
    for (const script of [join(links, 'bin', 'aix-gdbstub'), join(links, 'aix-gdbstub')]) {
      for (const mode of ['require', '0']) {
        const r = spawnSync(script, ['run', hello], { encoding: 'utf8', cwd: scratch, timeout: 110_000, env: { ...process.env, AIX_GDBSTUB_SNAPSHOT: mode } });
        expect({ script, mode, stdout: r.stdout, stderr: r.stderr, status: r.status }).toEqual({ script, mode, stdout: 'hello from aix/ppc64\n', stderr: '', status: 0 });
      }
    }
  });

  it('says why it would not use the snapshot when told to require it', () => {
    const hello = fixture('go1.24-aix', 'hello');
    const why = (args: string[], env: Record<string, string> = {}, script = launcher) => {
      const r = fromSnapshot(args, env, script);
      return { status: r.status, stderr: r.stderr };
    };
    expect(why(['run', '-g', '1234', hello])).toEqual({ status: 2, stderr: 'aix-gdbstub: start-up snapshot not used: -g on the command line (yargs parses it)\n' });
    expect(why(['run', hello, '--help'])).toEqual({ status: 2, stderr: 'aix-gdbstub: start-up snapshot not used: --help on the command line (yargs parses it)\n' });
    expect(why(['serve', hello])).toEqual({ status: 2, stderr: 'aix-gdbstub: start-up snapshot not used: not a run command\n' });

    // A copy of the checkout's scripts with the real snapshot, against a dist/ of its own.
    const root = join(scratch, 'checkout');
    cpSync(join(repoRoot, 'scripts'), join(root, 'scripts'), { recursive: true });
    mkdirSync(join(root, 'dist'), { recursive: true });
    mkdirSync(join(root, 'build', 'snapshot'), { recursive: true });
    writeFileSync(join(root, 'dist', 'cli.js'), '');
    const script = join(root, 'scripts', 'aix-gdbstub');
    const blob = join(root, 'build', 'snapshot', 'cli.blob');
    expect(why(['run', hello], {}, script).stderr).toMatch(/^aix-gdbstub: start-up snapshot not used: no .*cli\.blob \(make build\)\n$/);

    copyFileSync(join(repoRoot, 'build', 'snapshot', 'cli.blob'), blob);
    cpSync(join(repoRoot, 'build', 'snapshot', 'node-identity'), join(root, 'build', 'snapshot', 'node-identity'), { preserveTimestamps: true });
    const old = new Date(Date.now() - 60_000);
    utimesSync(join(root, 'dist', 'cli.js'), old, old);
    const ok = fromSnapshot(['run', hello], {}, script);
    expect({ stdout: ok.stdout, stderr: ok.stderr, status: ok.status }).toEqual({ stdout: 'hello from aix/ppc64\n', stderr: '', status: 0 });

    // dist/ rebuilt after the snapshot: the snapshot would run the old code.
    utimesSync(join(root, 'dist', 'cli.js'), new Date(), new Date(Date.now() + 60_000));
    expect(why(['run', hello], {}, script).stderr).toBe('aix-gdbstub: start-up snapshot not used: dist/ was rebuilt after it (make build)\n');
    utimesSync(join(root, 'dist', 'cli.js'), old, old);

    // Another node binary: Node would refuse the blob.
    writeFileSync(join(root, 'build', 'snapshot', 'node-identity'), '/elsewhere/node 1 2 3\n');
    expect(why(['run', hello], {}, script).stderr).toMatch(/^aix-gdbstub: start-up snapshot not used: made by another node binary than \S+\n$/);
    // The same path, but a binary of another date (node upgraded in place).
    cpSync(join(repoRoot, 'build', 'snapshot', 'node-identity'), join(root, 'build', 'snapshot', 'node-identity'), { preserveTimestamps: true });
    utimesSync(join(root, 'build', 'snapshot', 'node-identity'), old, old);
    expect(why(['run', hello], {}, script).stderr).toMatch(/^aix-gdbstub: start-up snapshot not used: made by another node binary than \S+\n$/);

    cpSync(join(repoRoot, 'build', 'snapshot', 'node-identity'), join(root, 'build', 'snapshot', 'node-identity'), { preserveTimestamps: true });
    // AIX_GDBSTUB_SNAPSHOT=0: this copy's dist/cli.js (empty) runs instead, printing nothing.
    const off = spawnSync(script, ['run', hello], { encoding: 'utf8', env: { ...process.env, AIX_GDBSTUB_SNAPSHOT: '0' } });
    expect({ stdout: off.stdout, status: off.status }).toEqual({ stdout: '', status: 0 });
  });
});
