// The conformance runners' shared options: the timeout scale that keeps a busy machine from
// turning a slow but finishing program into a timeout.
import { describe, expect, it } from 'vitest';
import { numberOption, timeoutScale } from '../../../src/conformance/options.js';

describe('timeoutScale', () => {
  it('follows how oversubscribed the CPUs are, between 1 and 8', () => {
    expect(timeoutScale({}, 0.5, 2)).toBe(1);
    expect(timeoutScale({}, 2, 2)).toBe(1);
    expect(timeoutScale({}, 9, 2)).toBe(4.5);
    expect(timeoutScale({}, 40, 2)).toBe(8);
  });

  it('takes GO_TEST_TIMEOUT_SCALE as Go\'s harness does, ignoring values below 1 or not numbers', () => {
    expect(timeoutScale({ GO_TEST_TIMEOUT_SCALE: '3' }, 9, 2)).toBe(3);
    expect(timeoutScale({ GO_TEST_TIMEOUT_SCALE: '0' }, 9, 2)).toBe(4.5);
    expect(timeoutScale({ GO_TEST_TIMEOUT_SCALE: 'x' }, 1, 2)).toBe(1);
  });
});

describe('numberOption', () => {
  it('rejects negative and non-numeric values with the option name', () => {
    expect(numberOption('timeout', '180')).toBe(180);
    expect(() => numberOption('timeout', '-1')).toThrow('--timeout needs a positive number, got -1');
    expect(() => numberOption('jobs', 'x', true)).toThrow('--jobs needs a non-negative number, got x');
  });
});
