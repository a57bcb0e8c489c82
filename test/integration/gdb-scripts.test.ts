// Every script in gdb-scripts/ runs in gdb-multiarch batch mode against serve, to the end, on
// the hello fixture built with Go 1.24 and Go 1.19.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture, repoRoot } from '../helpers/toolchains.js';
import { gdbBatch, requireGdb, startServe, stopAllServes } from './serve-helpers.js';

const script = (name: string) => join(repoRoot, 'gdb-scripts', name);

beforeAll(() => requireGdb());
afterAll(() => stopAllServes());

describe.each(['go1.24-aix', 'go1.19-aix'] as const)('gdb-scripts on %s hello', (tc) => {
  it('aix-go.gdb: libcalls, mthreads, goroutines, break-libc, libc-stats and their help', async () => {
    const s = await startServe(fixture(tc, 'hello'));
    const out = await gdbBatch(s.port, ['break-libc write', 'continue', 'libcalls 1', 'mthreads', 'goroutines', 'libc-stats', 'help libcalls', 'help break-libc', 'break-libc off', 'continue'], {
      before: [`source ${script('aix-go.gdb')}`],
    });
    expect(out).toContain('break-libcall: write');
    expect(out).toContain('decoded    write(1, "hello from aix/ppc64\\n", 21)');
    expect(out).toMatch(/^pthread +gdb +M +procid/m);
    expect(out).toMatch(/^goid +status/m);
    expect(out).toMatch(/^sigaction +\d+ +0 /m);
    expect(out).toContain('Show the libc call of each Go M');
    expect(out).toContain('Usage: break-libc NAME');
    expect(out).toContain('exited normally');
    await s.stop();
  });

  it('trace-libc.gdb runs to the end, printing the libcall frame at each libc call', async () => {
    const s = await startServe(fixture(tc, 'hello'));
    const out = await gdbBatch(s.port, [`source ${script('trace-libc.gdb')}`], { timeoutMs: 120_000 });
    expect(out).toContain('trace-libc: the program ran to its end');
    expect(out).toContain('exited normally');
    expect(out).toMatch(/: in libc\.a\(shr_64\.o\):write\n {2}decoded {4}write\(1, "hello from aix\/ppc64\\n", 21\)/);
    expect(out).toMatch(/: returned from libc\.a\(shr_64\.o\):write\n {2}decoded .*\n {2}returned {3}R3 = 0x15 \(21\)/);
    expect((out.match(/: in libc\.a\(shr_64\.o\):sigaction/g) ?? []).length).toBeGreaterThan(50);
    await s.stop();
  }, 150_000);

  it('teach-syscall.gdb walks from fmt.Println to the write import and back', async () => {
    const s = await startServe(fixture(tc, 'hello'));
    const out = await gdbBatch(s.port, [`source ${script('teach-syscall.gdb')}`]);
    for (let step = 1; step <= 6; step++) expect(out).toContain(`=== Step ${step}:`);
    expect(out).toMatch(/hit Temporary breakpoint 1, fmt\.Println/);
    expect(out).toMatch(/hit Temporary breakpoint 2, syscall\.write \(fd=1/);
    expect(out).toMatch(/hit Temporary breakpoint 3, runtime\.syscall_syscall6/);
    expect(out).toMatch(/hit Temporary breakpoint 4, asmsyscall6/);
    expect(out).toContain('calling through asmsyscall6 libc.a(shr_64.o):write');
    expect(out).toContain('via R3 at asmsyscall6 entry');
    expect(out).toMatch(/hit Catchpoint 5 \(call to syscall write\)/);
    expect(out).toMatch(/r5 +0x15 +21/);
    expect(out).toContain('returned   R3 = 0x15 (21)');
    expect(out).toContain('teach-syscall: done');
    await s.stop();
  });
});
