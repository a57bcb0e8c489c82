// Every AIX libc import of Go 1.24's and Go 1.19's standard library is registered, listed in
// notes/libc-coverage.md, and the calls added for the audit behave as AIX does.
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ERRNO } from '../../../src/aix/constants.js';
import { libcFunctions } from '../../../src/aix/libc/index.js';
import { go119Root, go124Root, repoRoot } from '../../helpers/toolchains.js';
import { asInt, callImport, processWithScratch } from '../../unit/aix/helpers.js';

const PACKAGES = ['runtime', 'syscall', 'internal/syscall/unix', 'os', 'net', 'vendor/golang.org/x/sys/cpu'];

function importsOf(goroot: string): Set<string> {
  const src = join(goroot, 'src');
  if (!existsSync(join(src, 'runtime'))) throw new Error(`Go sources missing under ${src} (run: make toolchains)`);
  const names = new Set<string>();
  for (const pkg of PACKAGES) {
    const dir = join(src, pkg);
    for (const f of readdirSync(dir)) {
      if (!f.endsWith('.go') || !f.includes('aix') || f.endsWith('_test.go')) continue;
      for (const m of readFileSync(join(dir, f), 'utf8').matchAll(/^\/\/go:cgo_import_dynamic \S+ (\S+) "/gm)) names.add(m[1]!);
    }
  }
  return names;
}

describe('libc coverage audit', () => {
  const table = readFileSync(join(repoRoot, 'notes', 'libc-coverage.md'), 'utf8');
  const listed = new Set([...table.matchAll(/^\| (\S+) \|/gm)].map((m) => m[1]!));

  for (const [version, root] of [['1.24', go124Root], ['1.19', go119Root]] as const) {
    it(`registers and documents every aix import of Go ${version}`, () => {
      const names = importsOf(root);
      expect(names.size).toBeGreaterThan(120);
      const missing = [...names].filter((n) => n !== '__n_pthreads' && !libcFunctions.has(n));
      expect(missing).toEqual([]);
      const undocumented = [...names].filter((n) => !listed.has(n));
      expect(undocumented).toEqual([]);
    });
  }
});

describe('libc: calls added by the audit', () => {
  const dir = mkdtempSync(join(tmpdir(), 'libc-cov-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function setup() {
    const { proc, t, scratch } = processWithScratch();
    const str = (s: string, at = 0n) => {
      proc.mem.writeBytes(scratch + at, Buffer.from(s + '\0'));
      return scratch + at;
    };
    return { proc, t, scratch, str };
  }

  it('statfs fills the AIX Statfs_t (bsize at 8, blocks at 16, name_max at 168)', () => {
    const { proc, t, scratch, str } = setup();
    const buf = scratch + 0x1000n;
    expect(callImport(proc, t, 'statfs', [str(dir), buf]).r3).toBe(0n);
    const bsize = proc.mem.readU64(buf + 8n);
    expect(bsize).toBeGreaterThan(0n);
    expect(proc.mem.readU64(buf + 16n)).toBeGreaterThan(0n);
    expect(proc.mem.readU32(buf + 168n)).toBe(255);
    const r = callImport(proc, t, 'statfs', [str(join(dir, 'nope')), buf]);
    expect(asInt(r.r3)).toBe(-1);
    expect(r.errno).toBe(ERRNO.ENOENT);
  });

  it('umask returns the previous mask and applies to new files', () => {
    const { proc, t, str } = setup();
    expect(callImport(proc, t, 'umask', [0o077]).r3).toBe(0o022n);
    expect(callImport(proc, t, 'umask', [0o077]).r3).toBe(0o077n);
    const fd = asInt(callImport(proc, t, 'open', [str(join(dir, 'masked')), 0x100 | 1, 0o666]).r3);
    expect(fd).toBeGreaterThanOrEqual(3);
    expect(statSync(join(dir, 'masked')).mode & 0o777).toBe(0o600);
  });

  it('utimensat sets times, honours UTIME_OMIT (-3), and utimes takes timevals', () => {
    const { proc, t, scratch, str } = setup();
    const file = join(dir, 'times');
    writeFileSync(file, 'x');
    const ts = scratch + 0x2000n;
    proc.mem.writeU64(ts, 1_000_000_000n);
    proc.mem.writeU64(ts + 8n, 0n);
    proc.mem.writeU64(ts + 16n, 0n);
    proc.mem.writeU64(ts + 24n, BigInt.asUintN(64, -3n));
    const before = statSync(file).mtimeMs;
    expect(callImport(proc, t, 'utimensat', [-2, str(file), ts, 0]).r3).toBe(0n);
    expect(statSync(file).atimeMs).toBe(1_000_000_000_000);
    // Node sets times as float seconds: sub-microsecond digits of the kept time may round.
    expect(Math.abs(statSync(file).mtimeMs - before)).toBeLessThan(0.01);
    proc.mem.writeU64(ts, 2_000_000_000n); // atime sec
    proc.mem.writeU32(ts + 8n, 500_000); // usec
    proc.mem.writeU64(ts + 16n, 1_500_000_000n);
    proc.mem.writeU32(ts + 24n, 0);
    expect(callImport(proc, t, 'utimes', [str(file), ts]).r3).toBe(0n);
    expect(statSync(file).atimeMs).toBe(2_000_000_000_500);
    expect(statSync(file).mtimeMs).toBe(1_500_000_000_000);
  });

  it('chown to the own ids succeeds; setreuid to another uid is EPERM', () => {
    const { proc, t, str } = setup();
    const file = join(dir, 'owned');
    writeFileSync(file, 'x');
    expect(callImport(proc, t, 'chown', [str(file), proc.uid, proc.gid]).r3).toBe(0n);
    expect(callImport(proc, t, 'setreuid', [-1, proc.uid]).r3).toBe(0n);
    if (proc.uid !== 0) {
      const r = callImport(proc, t, 'setreuid', [proc.uid + 1, -1]);
      expect(r.errno).toBe(ERRNO.EPERM);
    }
  });

  it('getpriority/setpriority keep the nice value; getpgid of another pid is ESRCH', () => {
    const { proc, t } = setup();
    expect(callImport(proc, t, 'getpriority', [0, 0]).r3).toBe(0n);
    expect(callImport(proc, t, 'setpriority', [0, 0, 5]).r3).toBe(0n);
    expect(callImport(proc, t, 'getpriority', [0, proc.pid]).r3).toBe(5n);
    expect(callImport(proc, t, 'getpriority', [0, 99999]).errno).toBe(ERRNO.ESRCH);
    expect(callImport(proc, t, 'getpgid', [0]).r3).toBe(BigInt(proc.pid));
    expect(callImport(proc, t, 'getpgid', [99999]).errno).toBe(ERRNO.ESRCH);
  });

  it('mknodat makes a FIFO; device nodes are EPERM; acct and ptrace64 are refused', () => {
    const { proc, t, str } = setup();
    const fifo = join(dir, 'fifo');
    expect(callImport(proc, t, 'mknodat', [-2, str(fifo), 0x1000 | 0o600, 0]).r3).toBe(0n);
    expect(statSync(fifo).isFIFO()).toBe(true);
    expect(callImport(proc, t, 'mknodat', [-2, str(join(dir, 'dev')), 0x2000 | 0o600, 0]).errno).toBe(ERRNO.EPERM);
    expect(callImport(proc, t, 'acct', [0]).errno).toBe(ERRNO.EPERM);
    expect(callImport(proc, t, 'ptrace64', [0, 0, 0, 0, 0]).errno).toBe(ERRNO.ENOSYS);
  });

  it('fsync and ftruncate work on an open file', () => {
    const { proc, t, str } = setup();
    const file = join(dir, 'sync');
    writeFileSync(file, 'hello world');
    const fd = asInt(callImport(proc, t, 'open', [str(file), 2, 0]).r3);
    expect(callImport(proc, t, 'fsync', [fd]).r3).toBe(0n);
    expect(callImport(proc, t, 'ftruncate', [fd, 5]).r3).toBe(0n);
    expect(readFileSync(file, 'utf8')).toBe('hello');
  });
});
