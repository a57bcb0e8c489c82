// `aix-gdbstub inspect` as a user runs it: node dist/cli.js, built first.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCli, cli } from '../helpers/cli.js';
import { fixture, repoRoot } from '../helpers/toolchains.js';

let scratch: string;

function run(args: string[]) {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', timeout: 60_000, cwd: repoRoot });
  if (r.error) throw r.error;
  return r;
}

beforeAll(() => {
  buildCli();
  scratch = mkdtempSync(join(tmpdir(), 'inspect-test-'));
});

afterAll(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe('inspect', () => {
  it('--json on the Go 1.24 hello lists entry, TOC, sections and every import', () => {
    const r = run(['inspect', '--json', fixture('go1.24-aix', 'hello')]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.entry).toMatch(/^0x1[0-9a-f]{8}$/);
    expect(report.entryDescriptor).toMatch(/^0x2[0-9a-f]{8}$/);
    expect(report.toc).toMatch(/^0x2[0-9a-f]{8}$/);
    expect(report.sections.map((s: { name: string }) => s.name)).toContain('.loader');
    expect(report.sections.find((s: { name: string }) => s.name === '.dwinfo')).toMatchObject({ kind: 'dwarf', dwarfName: '.debug_info' });
    expect(report.imports).toHaveLength(50);
    expect(report.imports).toContainEqual({ library: 'libc.a', member: 'shr_64.o', name: 'write' });
    expect(report.imports).toContainEqual({ library: 'libc.a', member: 'shr_64.o', name: '_Errno' });
    expect(report.imports).toContainEqual({ library: 'libpthread.a', member: 'shr_xpg5_64.o', name: '__n_pthreads' });
    expect(report.importSlots).toBe(52);
    expect(report.relocations).toBe(3759);
    expect(report.symbols).toBe(7443);
  });

  it('prints a readable report with library(member):name imports', () => {
    const r = run(['inspect', fixture('go1.24-aix', 'hello')]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^entry: +0x[0-9a-f]+ \(__start\)$/m);
    expect(r.stdout).toMatch(/^entry descriptor: +0x[0-9a-f]+ \(_rt0_ppc64_aix\)$/m);
    expect(r.stdout).toMatch(/^toc: +0x[0-9a-f]+$/m);
    expect(r.stdout).toContain('  libc.a(shr_64.o):clock_gettime\n');
    expect(r.stdout).toContain('  libpthread.a(shr_xpg5_64.o):pthread_create\n');
    expect(r.stdout).toMatch(/^imports \(50 names, 52 slots\):$/m);
    expect(r.stdout).toMatch(/^relocations: 3759$/m);
    expect(r.stdout).toMatch(/^symbols: 7443 table entries/m);
  });

  it('exits 1 with one clear line for an ELF, a truncated file and a missing file', () => {
    const elf = run(['inspect', fixture('go1.24-linux', 'hello')]);
    expect(elf.status).toBe(1);
    expect(elf.stdout).toBe('');
    expect(elf.stderr).toMatch(/^aix-gdbstub: .*hello: not an AIX ppc64 XCOFF64 executable \(not XCOFF64: this is an ELF file .*\)\n$/);

    const cut = join(scratch, 'cut');
    writeFileSync(cut, readFileSync(fixture('go1.24-aix', 'hello')).subarray(0, 3000));
    const truncated = run(['inspect', '--json', cut]);
    expect(truncated.status).toBe(1);
    expect(truncated.stdout).toBe('');
    expect(truncated.stderr).toMatch(/^aix-gdbstub: .*cut: .*past the end of the file.*\n$/);
    expect(truncated.stderr.split('\n')).toHaveLength(2); // one line, no stack trace

    const missing = run(['inspect', join(scratch, 'nope')]);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toBe(`aix-gdbstub: ${join(scratch, 'nope')}: no such file\n`);
  });

  it('exits 2 on usage errors', () => {
    expect(run(['inspect']).status).toBe(2);
    expect(run(['inspect', '--no-such-flag', fixture('go1.24-aix', 'hello')]).status).toBe(2);
    const help = run(['inspect', '--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('--json');
  });
});
