// gdb-scripts/go-census.py, the Python-API example: real gdb-multiarch (with Python) loads it
// after `target remote`; it lists goroutines at main.main and counts libc calls to the end.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture, repoRoot } from '../helpers/toolchains.js';
import { gdbBatch, requireGdb, startServe, stopAllServes } from './serve-helpers.js';

beforeAll(requireGdb);
afterAll(stopAllServes);

describe('gdb-scripts/go-census.py', () => {
  it('walks the goroutines and counts the libc calls by name through gdb\'s Python API', async () => {
    const s = await startServe(fixture('go1.24-aix', 'hello'), [], ['--once', '--deterministic']);
    const out = await gdbBatch(s.port, [`source ${join(repoRoot, 'gdb-scripts', 'go-census.py')}`], { timeoutMs: 180_000 });
    expect(out, out).toMatch(/^census: at main\.main, \d+ gdb threads$/m);
    const goroutines = Number(/^census: (\d+) goroutines$/m.exec(out)?.[1]);
    expect(goroutines, out).toBeGreaterThanOrEqual(4);
    expect(out, out).toMatch(/^census: {3}1 running M0 main\.main\+0x[0-9a-f]+ main\.main .*hello\/main\.go:7 runtime\.main$/m);
    expect(out, out).toContain('census: the program exited with status 0');
    // hello writes its line once and exits once; every counted call is an import name.
    expect(out, out).toMatch(/^census: {3}write +1$/m);
    expect(out, out).toMatch(/^census: {3}_exit +1$/m);
    const total = Number(/^census: (\d+) libc calls after main\.main, by name:$/m.exec(out)?.[1]);
    const rows = [...out.matchAll(/^census: {3}(\w+) +(\d+)$/gm)].map((m) => Number(m[2]));
    expect(rows.reduce((a, b) => a + b, 0), out).toBe(total);
    expect(s.stdout()).toBe('hello from aix/ppc64\n');
  });
});
