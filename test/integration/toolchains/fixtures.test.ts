// The toolchains and fixture binaries every emulator and gdb test relies on:
// right formats, right output on the host and under the qemu-ppc64 reference.
import { spawnSync } from 'node:child_process';
import { openSync, readSync, closeSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  FIXTURE_NAMES,
  FIXTURE_TOOLCHAINS,
  expectedStdout,
  fixture,
  gdbMultiarch,
  go119,
  go119Root,
  go124,
  go124Root,
  goEnv,
  objdump,
  qemuPpc64,
  requireTool,
} from '../../helpers/toolchains.js';

function header(path: string, length: number): Buffer {
  const buf = Buffer.alloc(length);
  const fd = openSync(path, 'r');
  try {
    readSync(fd, buf, 0, length, 0);
  } finally {
    closeSync(fd);
  }
  return buf;
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 60_000, env });
  if (r.error) throw r.error;
  return r;
}

const qemu = (path: string, args: string[] = [], env?: NodeJS.ProcessEnv) =>
  run(requireTool(qemuPpc64), ['-cpu', 'POWER8', path, ...args], env);

describe('toolchains', () => {
  it('Go 1.24 (private unpack) and Go 1.19 report their versions', () => {
    expect(run(requireTool(go124), ['version'], goEnv(go124Root)).stdout).toMatch(/^go version go1\.24\.\d+ /);
    expect(run(requireTool(go119), ['version'], goEnv(go119Root)).stdout).toMatch(/^go version go1\.19\.\d+ /);
  });

  it('Go 1.24 finds its GOROOT from its own location', () => {
    const env = goEnv(go124Root);
    delete env.GOROOT;
    expect(run(go124, ['env', 'GOROOT'], env).stdout.trim()).toBe(go124Root);
  });

  it('gdb-multiarch knows powerpc:common64 and objdump reads XCOFF', () => {
    const gdb = run(requireTool(gdbMultiarch), ['-batch', '-nx', '-ex', 'set architecture powerpc:common64']);
    expect(gdb.status).toBe(0);
    expect(gdb.stdout).toContain('powerpc:common64');
    const dump = run(requireTool(objdump), ['-f', fixture('go1.24-aix', 'hello')]);
    expect(dump.status).toBe(0);
    expect(dump.stdout).toContain('file format aix5coff64-rs6000');
  });
});

describe('fixture binaries', () => {
  for (const toolchain of FIXTURE_TOOLCHAINS) {
    it(`${toolchain}: every fixture is built`, () => {
      for (const name of FIXTURE_NAMES) expect(() => fixture(toolchain, name)).not.toThrow();
    });
  }

  for (const toolchain of ['go1.24-aix', 'go1.19-aix'] as const) {
    it(`${toolchain}: XCOFF64 (magic 0x01F7)`, () => {
      for (const name of FIXTURE_NAMES) expect(header(fixture(toolchain, name), 2).readUInt16BE(0)).toBe(0x01f7);
    });
  }

  it('go1.24-linux: ELF64 big-endian PowerPC64', () => {
    for (const name of FIXTURE_NAMES) {
      const h = header(fixture('go1.24-linux', name), 20);
      expect(h.subarray(0, 4).toString('latin1')).toBe('\x7fELF');
      expect(h[4]).toBe(2); // ELFCLASS64
      expect(h[5]).toBe(2); // ELFDATA2MSB
      expect(h.readUInt16BE(18)).toBe(21); // EM_PPC64
    }
  });

  it('fixture() names the missing file and the command that builds it', () => {
    expect(() => fixture('go1.24-aix', 'no-such-fixture' as never)).toThrow(/no-such-fixture[\s\S]*make fixtures/);
  });
});

describe('fixture behaviour on the host and under qemu-ppc64', () => {
  const defaultRun = ['hello', 'goroutines', 'fileio', 'nilderef', 'timers', 'cpuheavy'] as const;

  for (const name of defaultRun) {
    it(`${name}: host and qemu-ppc64 print the recorded output`, () => {
      const expected = expectedStdout(name);
      const host = run(fixture('go1.24-host', name), []);
      expect(host.status).toBe(0);
      expect(host.stdout).toBe(expected);
      const ppc = qemu(fixture('go1.24-linux', name));
      expect(ppc.status).toBe(0);
      expect(ppc.stdout).toBe(expected);
    });
  }

  it('hello under qemu-ppc64 -cpu POWER8 prints the hello line', () => {
    expect(qemu(fixture('go1.24-linux', 'hello')).stdout).toBe('hello from aix/ppc64\n');
  });

  it('args: arguments, FIXTURE_VAR and the requested exit status', () => {
    const env = { ...process.env, FIXTURE_VAR: 'from env' };
    const expected = 'argc=3\narg[1]="one"\narg[2]="two words"\narg[3]="--exit=7"\nFIXTURE_VAR="from env" set=true\nexit=7\n';
    for (const r of [
      run(fixture('go1.24-host', 'args'), ['one', 'two words', '--exit=7'], env),
      qemu(fixture('go1.24-linux', 'args'), ['one', 'two words', '--exit=7'], env),
    ]) {
      expect(r.stdout).toBe(expected);
      expect(r.status).toBe(7);
    }
  });

  it('nilderef unrecovered: exit status 2 with a nil-dereference panic', () => {
    for (const r of [
      run(fixture('go1.24-host', 'nilderef'), ['unrecovered']),
      qemu(fixture('go1.24-linux', 'nilderef'), ['unrecovered']),
    ]) {
      expect(r.status).toBe(2);
      expect(r.stdout).toContain('about to crash\n');
      expect(r.stderr).toContain('panic: runtime error: invalid memory address or nil pointer dereference');
    }
  });

  it('cpuheavy scales with its argument', () => {
    const r = run(fixture('go1.24-host', 'cpuheavy'), ['2']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('primes<=200000: count=17984');
    expect(r.stdout).toContain('work total=');
  });
});
