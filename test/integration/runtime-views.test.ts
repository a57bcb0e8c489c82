// Go runtime views through stock gdb-multiarch against `node dist/cli.js serve`, on the fixtures
// built with Go 1.24 and Go 1.19: catch syscall write + monitor libcall, monitor threads,
// monitor goroutines, break-libcall, strace, syscalls.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture } from '../helpers/toolchains.js';
import { gdbBatch, requireGdb, startServe, stopAllServes } from './serve-helpers.js';

beforeAll(() => requireGdb());
afterAll(() => stopAllServes());

describe.each(['go1.24-aix', 'go1.19-aix'] as const)('runtime views over gdb on %s', (tc) => {
  it('catch syscall write stops in hello with fd 1 and 21 bytes in monitor libcall, then at the return with R3 = 21', async () => {
    const s = await startServe(fixture(tc, 'hello'));
    const out = await gdbBatch(s.port, ['catch syscall write', 'continue', 'monitor libcall all', 'monitor threads', 'continue', 'monitor libcall 1', 'continue']);
    expect(out).toContain("Catchpoint 1 (syscall 'write' [4])");
    expect(out).toMatch(/hit Catchpoint 1 \(call to syscall write\)/);
    expect(out).toMatch(/M0, pthread 1 \(gdb thread \d+\): in libc\.a\(shr_64\.o\):write/);
    expect(out).toContain('decoded    write(1, "hello from aix/ppc64\\n", 21)');
    expect(out).toMatch(/args {5}0x[0-9a-f]+ -> \[0x1, 0x[0-9a-f]+, 0x15\]/);
    expect(out).toMatch(/libcallsp  0x[0-9a-f]+/);
    // monitor threads: every M's procid equals its pthread id, and M0 runs goroutine 1.
    const rows = out.split('\n').filter((l) => /^\d+ +\d+ +M\d+ +\d+ /.test(l));
    expect(rows.length).toBeGreaterThanOrEqual(2);
    for (const r of rows) {
      const c = r.split(/ {2,}/);
      expect(c[3]).toBe(c[0]);
    }
    expect(rows.find((r) => / M0 /.test(r))).toMatch(/g1 syscall/);
    expect(out).toMatch(/hit Catchpoint 1 \(returned from syscall write\)/);
    expect(out).toContain('returned   R3 = 0x15 (21)');
    expect(out).toContain('exited normally');
    await s.stop();
  });

  it('monitor goroutines on the goroutines fixture lists the four workers', async () => {
    const s = await startServe(fixture(tc, 'goroutines'));
    // main calls runtime.GC once, after starting all four workers and before closing their inputs,
    // so every worker exists there (at the first main.worker hit the others may not be started yet).
    const out = await gdbBatch(s.port, ['break runtime.GC', 'continue', 'delete', 'monitor goroutines', 'monitor help', 'kill']);
    expect(out).toMatch(/^goid +status +wait reason +M +pc +user +start$/m);
    const workers = out.split('\n').filter((l) => / → main\.worker$/.test(l));
    expect(workers, out).toHaveLength(4);
    expect(out).toMatch(/^1 +\S+.* runtime\.main$/m);
    for (const cmd of ['libcall', 'threads', 'goroutines', 'syscalls', 'strace', 'break-libcall']) expect(out).toMatch(new RegExp(`^  ${cmd} +\\S`, 'm'));
    await s.stop();
  });
});

describe('break-libcall, strace and syscalls over gdb (Go 1.24 hello)', () => {
  it('break-libcall write stops with a SIGTRAP naming the call; strace prints calls while running; syscalls counts them', async () => {
    const s = await startServe(fixture('go1.24-aix', 'hello'));
    const out = await gdbBatch(s.port, ['monitor strace on', 'monitor break-libcall write', 'continue', 'info registers lr', 'monitor strace off', 'monitor syscalls', 'monitor break-libcall off', 'continue']);
    expect(out).toContain('strace on');
    expect(out).toMatch(/\[pid \d+:1\] sigaction\(/);
    expect(out).toContain('break-libcall: pthread 1 entering libc.a(shr_64.o):write(1, "hello from aix/ppc64\\n", 21)');
    expect(out).toMatch(/received signal SIGTRAP/);
    expect(out).toMatch(/lr +0x[0-9a-f]+ +0x[0-9a-f]+ <asmsyscall6\+48>/);
    expect(out).toMatch(/^sigaction +\d+ +0 /m);
    expect(out).toContain('exited normally');
    await s.stop();
  });
});
