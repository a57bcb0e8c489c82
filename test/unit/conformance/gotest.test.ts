// Reading `go test -test.v` output: results per test and subtest, tests cut short, the verdict.
import { describe, expect, it } from 'vitest';
import { packagePassed, parseGoTestV } from '../../../src/conformance/gotest.js';

describe('parseGoTestV', () => {
  it('counts tests and subtests by their --- lines', () => {
    const out = [
      '=== RUN   TestA',
      '--- PASS: TestA (0.00s)',
      '=== RUN   TestB',
      '=== RUN   TestB/sub',
      '    x_test.go:10: bad',
      '    --- FAIL: TestB/sub (0.01s)',
      '--- FAIL: TestB (0.01s)',
      '=== RUN   TestC',
      '    c_test.go:5: short mode',
      '--- SKIP: TestC (0.00s)',
      'FAIL',
      '',
    ].join('\n');
    const o = parseGoTestV(out);
    expect(o).toEqual({ passed: ['TestA'], failed: ['TestB/sub', 'TestB'], skipped: ['TestC'], unfinished: [], verdict: 'FAIL' });
    expect(packagePassed(o, 1)).toBe(false);
  });

  it('a test that never reports (panic, timeout) is unfinished and fails the package', () => {
    const o = parseGoTestV('=== RUN   TestA\n--- PASS: TestA (0.00s)\n=== RUN   TestHang\npanic: test timed out after 10s\n');
    expect(o.unfinished).toEqual(['TestHang']);
    expect(o.verdict).toBeUndefined();
    expect(packagePassed(o, 2)).toBe(false);
  });

  it('a package passes with PASS, exit 0 and nothing failed', () => {
    const o = parseGoTestV('=== RUN   ExampleX\n--- PASS: ExampleX (0.00s)\nPASS\n');
    expect(packagePassed(o, 0)).toBe(true);
    expect(packagePassed(o, 1)).toBe(false);
  });
});
