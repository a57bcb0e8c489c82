// The catch-syscall numbering: Linux counterparts carry gdb's own ppc64 numbers and names (read
// from gdb's syscalls/ppc64-linux.xml, so `catch syscall write` resolves to what we report), the
// rest sit above the Linux range, and no number names two imports.
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AIX_ONLY_BASE, SyscallNumbers, UNLISTED_BASE, fixedImportOf, fixedSyscallNumber, fixedSyscallTable } from '../../../src/goruntime/syscall-numbers.js';
import { SyscallStats, formatNs } from '../../../src/goruntime/syscall-stats.js';
import { parseXcoff } from '../../../src/xcoff/index.js';
import { FIXTURE_NAMES, fixture } from '../../helpers/toolchains.js';

const GDB_PPC64_SYSCALLS = '/usr/share/gdb/syscalls/ppc64-linux.xml';

function gdbTable(): Map<string, number> {
  if (!existsSync(GDB_PPC64_SYSCALLS)) throw new Error(`${GDB_PPC64_SYSCALLS} missing: install gdb-multiarch (make toolchains)`);
  const out = new Map<string, number>();
  for (const m of readFileSync(GDB_PPC64_SYSCALLS, 'utf8').matchAll(/<syscall name="([^"]+)" number="(\d+)"/g)) out.set(m[1]!, Number(m[2]));
  return out;
}

describe('fixed syscall numbering', () => {
  it('gives the issue\'s examples their Linux ppc64 numbers', () => {
    expect(fixedSyscallNumber('write')).toEqual({ number: 4, linuxName: 'write' });
    expect(fixedSyscallNumber('read')?.number).toBe(3);
    expect(fixedSyscallNumber('open')?.number).toBe(5);
    expect(fixedSyscallNumber('close')?.number).toBe(6);
    expect(fixedSyscallNumber('mmap')?.number).toBe(90);
    expect(fixedSyscallNumber('munmap')?.number).toBe(91);
    expect(fixedSyscallNumber('exit')).toEqual({ number: 1, linuxName: 'exit' });
    expect(fixedSyscallNumber('_exit')).toEqual({ number: 234, linuxName: 'exit_group' });
    expect(fixedSyscallNumber('usleep')).toEqual({ number: 162, linuxName: 'nanosleep' });
  });

  it('every Linux counterpart matches gdb\'s ppc64-linux.xml by name and number', () => {
    const gdb = gdbTable();
    const max = Math.max(...gdb.values());
    expect(max).toBeLessThan(AIX_ONLY_BASE);
    for (const row of fixedSyscallTable()) {
      if (row.linuxName === undefined) {
        expect(row.number, row.importName).toBeGreaterThanOrEqual(AIX_ONLY_BASE);
        expect(row.number, row.importName).toBeLessThan(UNLISTED_BASE);
      } else {
        expect(gdb.get(row.linuxName), `${row.importName} -> ${row.linuxName}`).toBe(row.number);
      }
    }
  });

  it('is one-to-one and keeps its AIX-only numbers stable', () => {
    const rows = fixedSyscallTable();
    expect(new Set(rows.map((r) => r.number)).size).toBe(rows.length);
    for (const r of rows) expect(fixedImportOf(r.number)).toBe(r.importName);
    // Scripts may say `catch syscall 1005`: these must never move.
    expect(fixedSyscallNumber('_Errno')?.number).toBe(1000);
    expect(fixedSyscallNumber('sem_post')?.number).toBe(1005);
    expect(fixedSyscallNumber('sem_wait')?.number).toBe(1006);
    expect(fixedSyscallNumber('sem_timedwait')?.number).toBe(1007);
  });

  it('numbers every import of every fixture (both Go versions) from the fixed tables', () => {
    for (const tc of ['go1.24-aix', 'go1.19-aix'] as const) {
      for (const name of FIXTURE_NAMES) {
        const image = parseXcoff(readFileSync(fixture(tc, name)));
        const names = image.imports.filter((i) => !i.isData).map((i) => i.name);
        const numbers = new SyscallNumbers(names);
        for (const n of names) {
          expect(numbers.numberOf(n), `${tc}/${name}: ${n}`).toBe(fixedSyscallNumber(n)?.number);
          expect(numbers.importOf(numbers.numberOf(n)!)).toBe(n);
        }
      }
    }
  });

  it('numbers unknown imports from 1900 in name order', () => {
    const n = new SyscallNumbers(['write', 'zeta_fn', 'alpha_fn', 'write']);
    expect(n.numberOf('write')).toBe(4);
    expect(n.numberOf('alpha_fn')).toBe(UNLISTED_BASE);
    expect(n.numberOf('zeta_fn')).toBe(UNLISTED_BASE + 1);
    expect(n.importOf(UNLISTED_BASE + 1)).toBe('zeta_fn');
    expect(n.linuxNameOf('sigaction')).toBe('rt_sigaction');
    expect(n.entries().map((e) => e.number)).toEqual([4, 1900, 1901]);
  });
});

describe('syscall counters', () => {
  it('count calls, errors and guest time per import, across blocking and reset', () => {
    let now = 1000n;
    const s = new SyscallStats(() => now);
    s.enter(1, 'write');
    now += 500n;
    s.exit(1, false);
    s.enter(2, 'sem_wait');
    s.enter(1, 'write');
    now += 2_000_000n;
    s.exit(1, true);
    s.exit(2, false);
    const rows = s.rows();
    expect(rows.map((r) => [r.name, r.calls, r.errors, r.totalNs, r.maxNs])).toEqual([
      ['write', 2, 1, 2_000_500n, 2_000_000n],
      ['sem_wait', 1, 0, 2_000_000n, 2_000_000n],
    ]);
    const text = s.format();
    expect(text).toMatch(/^libc calls over 2\.001ms of guest time:/);
    expect(text).toMatch(/^write +2 +1 +2\.001ms +1\.000ms +2\.000ms$/m);
    expect(text).toMatch(/^total +3 +1 /m);
    s.enter(3, 'read');
    s.reset();
    s.exit(3, false); // entered before the reset: not counted
    expect(s.format()).toContain('  none');
    expect(formatNs(999n)).toBe('999ns');
    expect(formatNs(1500n)).toBe('1.5us');
    expect(formatNs(2_500_000_000n)).toBe('2.500s');
  });
});
