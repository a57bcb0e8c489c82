// make bench's JSON: parts grouped by their (a)/(b)/… headings, ratios picked out with labels.
import { describe, expect, it } from 'vitest';
import { benchDocument } from '../../src/bench/results.js';

describe('benchDocument', () => {
  it('groups lines under their headings and reads the ratios', () => {
    const doc = benchDocument(
      [
        '(a) tight integer loop, 120,000,003 guest instructions',
        '    ours : 63.6 M insn/s wall',
        '    ratio: ours / qemu = 0.243',
        '(b) Go programs end to end',
        '    cpubench sort      16.56 s   1.00 s   16.6×',
        '    watchsink with / without a watchpoint   1.33x  target <=1.5x met',
      ],
      ['--only', 'cpu'],
      new Date('2026-12-06T00:00:00Z'),
    );
    expect(doc.date).toBe('2026-12-06T00:00:00.000Z');
    expect(doc.argv).toEqual(['--only', 'cpu']);
    expect(doc.sections.map((s) => s.title)).toEqual(['(a) tight integer loop, 120,000,003 guest instructions', '(b) Go programs end to end']);
    expect(doc.sections[0]!.ratios).toEqual([{ label: 'ours / qemu', value: 0.243 }]);
    // Targets (`<=1.5x`) are not measurements: only ratios after a space or `ratio: … =` count.
    expect(doc.sections[1]!.ratios).toEqual([
      { label: 'cpubench sort 16.56 s 1.00 s', value: 16.6 },
      { label: 'watchsink with / without a watchpoint', value: 1.33 },
    ]);
    expect(doc.sections[1]!.lines).toHaveLength(3);
  });
});
