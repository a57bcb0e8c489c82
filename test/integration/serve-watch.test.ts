// A watchpoint set in the middle of a multi-threaded run (GOMAXPROCS=4, eight workers), after a
// breakpoint stop, with stock gdb-multiarch: it fires at the one write of main.sink with old and
// new values, and the program then runs to its end. (Its cost is a `make bench` row.)
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { expectedStdout, fixture } from '../helpers/toolchains.js';
import { gdbBatch, requireGdb, startServe, stopAllServes } from './serve-helpers.js';

beforeAll(requireGdb);
afterEach(stopAllServes);

describe('serve: a watchpoint set after a breakpoint stop', () => {
  for (const tc of ['go1.24-aix', 'go1.19-aix'] as const) {
    it(`${tc}: watch main.sink fires at its write, then the program ends`, async () => {
      const s = await startServe(fixture(tc, 'watchsink'), [], ['--once', '--env', 'GOMAXPROCS=4']);
      const out = await gdbBatch(
        s.port,
        ['break main.churn', 'continue', 'delete', 'watch main.sink', 'continue', 'p/x $pc', 'continue'],
        { timeoutMs: 240_000 },
      );
      expect(out, out).toMatch(/Breakpoint 1, main\.churn \(/);
      expect(out, out).toMatch(/Hardware watchpoint 2: main\.sink/);
      const sink = /^sink=(\d+)$/m.exec(expectedStdout('watchsink'))![1]!;
      // gdb prints the values as the variable's type (uint64), then the line after the store.
      expect(out, out).toMatch(new RegExp(`Hardware watchpoint 2: main\\.sink\\s+Old value = 0\\s+New value = ${sink}\\s+main\\.main \\(\\)`));
      expect(out, out).toMatch(/exited normally/);
      expect(s.stdout()).toBe(expectedStdout('watchsink'));
    }, 300_000);
  }
});
