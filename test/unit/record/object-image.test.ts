import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { captureObjects, restoreObjects } from '../../../src/record/object-image.js';
import { SignalState, sigAction } from '../../../src/aix/signals.js';

describe('object images', () => {
  it('restore puts every reachable value back into the same objects', () => {
    class Thread {
      regs = new Int32Array([1, 2, 3]);
      status = 'runnable';
      waiter: { retry: () => number } | undefined;
    }
    const t = new Thread();
    const fds = new Map<number, { offset: number }>([[0, { offset: 0 }]]);
    const set = new Set(['a']);
    const list = [t];
    const emitter = new EventEmitter();
    const opaque = { big: true };
    const root = { list, fds, set, emitter, opaque, n: 1n };
    const image = captureObjects([root], new Set([opaque]));

    const retry = () => 7;
    t.regs[1] = 99;
    t.status = 'blocked';
    t.waiter = { retry };
    fds.get(0)!.offset = 100;
    fds.set(3, { offset: 5 });
    set.add('b');
    list.push(new Thread());
    (root as Record<string, unknown>).extra = 'added later';
    opaque.big = false; // opaque: never walked, never restored
    (emitter as unknown as Record<string, unknown>).x = 1; // host resources are not walked either

    restoreObjects(image);
    expect(root.list).toBe(list);
    expect(list).toEqual([t]);
    expect([...t.regs]).toEqual([1, 2, 3]);
    expect(t.status).toBe('runnable');
    expect(t.waiter).toBeUndefined();
    expect([...fds.keys()]).toEqual([0]);
    expect(fds.get(0)!.offset).toBe(0);
    expect([...set]).toEqual(['a']);
    expect('extra' in root).toBe(false);
    expect(root.n).toBe(1n);
    expect(opaque.big).toBe(false);
    expect((emitter as unknown as Record<string, unknown>).x).toBe(1);
  });

  it('keeps frozen objects by reference without walking them (signal actions: ~250 after Go starts)', () => {
    const signals = new SignalState();
    const before = signals.actions[11]!;
    const handler = sigAction(0x1234n, [1n, 0n, 0n, 0n], 0x40);
    signals.actions[11] = handler;
    const image = captureObjects([signals], new Set());
    // the table is walked, its actions are not: no copy of their words or masks
    expect(image.saved.has(signals.actions)).toBe(true);
    expect(image.saved.has(handler)).toBe(false);
    expect(image.saved.has(handler.words)).toBe(false);
    expect(image.bytes).toBe(0);
    expect(Object.isFrozen(handler) && Object.isFrozen(handler.mask)).toBe(true);
    expect(() => {
      'use strict';
      (handler as { flags: number }).flags = 0;
    }).toThrow(TypeError);
    signals.actions[11] = before;
    restoreObjects(image);
    expect(signals.actions[11]).toBe(handler);
    expect([...handler.words]).toEqual([0, 0x1234, 0, 1, 0, 0, 0, 0, 0, 0, 0x40]);
  });
});
