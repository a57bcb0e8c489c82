// Every script in gdb-scripts/ runs in gdb-multiarch batch mode against serve, to the end, on
// the hello fixture built with Go 1.24 and Go 1.19. serve runs --deterministic, so each whole
// transcript is compared with its golden copy in test/integration/golden/ (addresses and other
// long numbers normalized, column padding collapsed; the few parts that follow thread timing even
// then are reduced as withoutCallFigures/withoutCallBlocks say): a stray line fails the test. After an
// intended change, rewrite the copies with UPDATE_GOLDEN=1 npx vitest run test/integration/gdb-scripts.test.ts
// and read the diff.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture, repoRoot } from '../helpers/toolchains.js';
import { gdbBatch, requireGdb, startServe, stopAllServes } from './serve-helpers.js';

const script = (name: string) => join(repoRoot, 'gdb-scripts', name);
const goldenDir = join(repoRoot, 'test', 'integration', 'golden');

/** What may differ between equally correct runs: the checkout path, addresses, long decimals, padding. */
function normalizeTranscript(out: string): string {
  return out
    .replaceAll(repoRoot, '<repo>')
    // monitor threads' recording position: how far the guest got depends on when gdb's stop lands.
    .replace(/^position: instruction \d+ of history \d+\.\.\d+/gm, 'position: instruction … of history …')
    .replace(/0x[0-9a-f]{5,}/g, '0x…')
    .replace(/\b\d{7,}\b/g, '…')
    .replace(/ {2,}/g, '  ')
    .replace(/[ \t]+$/gm, '');
}

/**
 * monitor syscalls' table: guest times, call counts and even which imports were called depend on
 * when sysmon and the clock run relative to gdb's stops, so only its header is compared.
 */
function withoutCallFigures(text: string): string {
  // Which imports appear at all depends on timing too (sysmon's sched_yield, for one): the rows
  // become one line here, and the test asserts the calls every run makes separately.
  return text.replace(/^libc calls over .*\n(import .*\n)((?:\S+  \d+  \d+  .*\n)+)/m, (_all, header: string) => `libc calls over … of guest time:\n${header}…\n`);
}

/**
 * trace-libc's transcript without the per-call blocks (their order follows thread scheduling): what
 * is left is the script's own output and gdb's, compared whole; a block line with an unknown field
 * is left in and fails the comparison.
 */
function withoutCallBlocks(text: string): string {
  const header = /^(M\d+|no M), pthread \d+ \(gdb thread (?:\d+|…)\): (in|returned from|blocked in|calling through asmsyscall6) \S+$/;
  const field = /^ {2,4}(decoded|libcall|fn|n|args|r1|r2|err|libcallsp|libcallpc|libcallg|returned|curg|m\.libcall) /;
  const switched = /^\[(Switching to|New) Thread (?:\d+|…)\]$/; // pthread ids (10000000NN) are normalized to …
  return text.split('\n').filter((l) => !header.test(l) && !field.test(l) && !switched.test(l)).join('\n');
}

function expectTranscript(name: string, out: string, skeleton: (text: string) => string = (t) => t): void {
  const text = skeleton(normalizeTranscript(out));
  const file = join(goldenDir, name);
  if (process.env.UPDATE_GOLDEN === '1') {
    mkdirSync(goldenDir, { recursive: true });
    writeFileSync(file, text);
  }
  if (!existsSync(file)) throw new Error(`no golden transcript ${file}: run UPDATE_GOLDEN=1 npx vitest run test/integration/gdb-scripts.test.ts`);
  expect(text).toBe(readFileSync(file, 'utf8'));
}

beforeAll(() => requireGdb());
afterAll(() => stopAllServes());

describe.each(['go1.24-aix', 'go1.19-aix'] as const)('gdb-scripts on %s hello', (tc) => {
  it('aix-go.gdb: libcalls, mthreads, goroutines, break-libc, libc-stats and their help', async () => {
    const s = await startServe(fixture(tc, 'hello'), [], ['--deterministic']);
    const out = await gdbBatch(s.port, ['break-libc write', 'continue', 'libcalls 1', 'mthreads', 'goroutines', 'libc-stats', 'help libcalls', 'help break-libc', 'break-libc off', 'continue'], {
      before: [`source ${script('aix-go.gdb')}`],
    });
    expect(out).toContain('break-libcall: write');
    expect(out).toContain('decoded    write(1, "hello from aix/ppc64\\n", 21)');
    expect(out).toMatch(/^pthread +gdb +M +procid/m);
    expect(out).toMatch(/^goid +status/m);
    expect(out).toMatch(/^sigaction +\d+ +0 /m);
    expect(out).toMatch(/^open +[1-9]\d* +0 /m);
    expect(out).toContain('Show the libc call of each Go M');
    expect(out).toContain('Usage: break-libc NAME');
    expect(out).toContain('exited normally');
    expectTranscript(`aix-go.${tc}.txt`, out, withoutCallFigures);
    await s.stop();
  });

  it('trace-libc.gdb runs to the end, printing the libcall frame at each libc call', async () => {
    const s = await startServe(fixture(tc, 'hello'), [], ['--deterministic']);
    const out = await gdbBatch(s.port, [`source ${script('trace-libc.gdb')}`], { timeoutMs: 120_000 });
    expect(out).toContain('trace-libc: the program ran to its end');
    expect(out).toContain('exited normally');
    expect(out).toMatch(/: in libc\.a\(shr_64\.o\):write\n {2}decoded {4}write\(1, "hello from aix\/ppc64\\n", 21\)/);
    expect(out).toMatch(/: returned from libc\.a\(shr_64\.o\):write\n {2}decoded .*\n {2}returned {3}R3 = 0x15 \(21\)/);
    expect((out.match(/: in libc\.a\(shr_64\.o\):sigaction/g) ?? []).length).toBeGreaterThan(50);
    expectTranscript(`trace-libc.${tc}.txt`, out, withoutCallBlocks);
    await s.stop();
  }, 150_000);

  it('teach-syscall.gdb walks from fmt.Println to the write import and back', async () => {
    const s = await startServe(fixture(tc, 'hello'), [], ['--deterministic']);
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
    expect(out).not.toMatch(/^echo /m);
    expectTranscript(`teach-syscall.${tc}.txt`, out);
    await s.stop();
  });
});
