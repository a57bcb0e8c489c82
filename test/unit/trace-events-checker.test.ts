// The trace checker used by the timeline tests finds what a viewer would trip on.
import { describe, expect, it } from 'vitest';
import { checkTraceEvents } from '../helpers/trace-events.js';

const named = { name: 'thread_name', ph: 'M', ts: 0, pid: 1, tid: 2, args: { name: 'pthread 1' } };

describe('checkTraceEvents', () => {
  it('accepts a well-formed document and names each kind of fault', () => {
    const ok = [named, { name: 'a', ph: 'B', ts: 1, pid: 1, tid: 2 }, { name: 'x', ph: 's', ts: 2, pid: 1, tid: 2, id: 1, cat: 'g' }, { name: 'a', ph: 'E', ts: 2, pid: 1, tid: 2 }, { name: 'x', ph: 'f', ts: 3, pid: 1, tid: 2, id: 1, cat: 'g', bp: 'e' }];
    expect(checkTraceEvents({ traceEvents: ok })).toEqual([]);
    expect(checkTraceEvents({ traceEvents: [named, { name: 'a', ph: 'B', ts: 1, pid: 1, tid: 2 }] })).toEqual(['track 1/2: 1 B without E (a)']);
    expect(checkTraceEvents({ traceEvents: [named, { name: 'a', ph: 'B', ts: 5, pid: 1, tid: 2 }, { name: 'a', ph: 'E', ts: 4, pid: 1, tid: 2 }] })[0]).toMatch(/ts goes back/);
    expect(checkTraceEvents({ traceEvents: [named, { name: 'a', ph: 'B', ts: 1, pid: 1, tid: 2 }, { name: 'x', ph: 's', ts: 1, pid: 1, tid: 2, id: 7 }, { name: 'a', ph: 'E', ts: 1, pid: 1, tid: 2 }] })).toEqual(['flow 7: 1 starts and 0 finishes']);
    expect(checkTraceEvents({ traceEvents: [{ name: 'a', ph: 'i', ts: 1, pid: 1, tid: 3 }] })).toEqual(['track 1/3 has no thread_name']);
    expect(checkTraceEvents({ traceEvents: [named, { name: 'a', ph: 'X', ts: 1, pid: 1, tid: 2 }] })[0]).toMatch(/X without a non-negative dur/);
  });
});
