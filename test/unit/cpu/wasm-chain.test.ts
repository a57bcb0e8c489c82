// Chaining of Wasm blocks (src/cpu/wasm/chain.ts): the per-CPU chain map and the chain loop.
// Same method as wasm.test.ts: a compiling CPU (threshold 1) against an interpreter-only one,
// every register, byte, stop and count compared after each budget slice.
import { describe, expect, it } from 'vitest';
import { StopReason, jitStats } from '../../../src/cpu/cpu.js';
import { chainMapHas } from '../../../src/cpu/wasm/chain.js';
import { B, CODE, D, I, TRAP, XL } from './asm.js';
import { runBoth } from './jit-harness.js';

describe('wasm chain map', () => {
  it('four hot functions whose entries share one set of the map run exactly; the set keeps the last two', () => {
    // main at 4: li r3,0 | loop: addi r3,r3,1; bl f0; bl f1; bl f2; bl f3; cmpdi cr7,r3,200; bne loop | trap
    // f_k at 0x4010 * (k + 1) (16 KiB apart: one set): addi r4,r4,k+1; blr
    const fns = [0x4010, 0x8010, 0xc010, 0x10010];
    const words: number[] = new Array<number>(0x10020 / 4).fill(TRAP);
    const main = [I(4), D(14, 3, 0, 0), D(14, 3, 3, 1)];
    for (const f of fns) main.push(I(f - 4 * main.length, 0, 1));
    main.push(D(11, (7 << 2) | 1, 3, 200), B(4, 30, -4 * (main.length - 1)), TRAP); // bne back to index 2
    main.forEach((w, k) => (words[k] = w));
    fns.forEach((f, k) => {
      words[f / 4] = D(14, 4, 4, k + 1);
      words[f / 4 + 1] = XL(20, 0, 16);
    });
    const before = jitStats().wasm;
    for (const budgets of [[1_000_000], Array.from({ length: 300 }, (_v, k) => 1 + ((k * 5) % 17))]) {
      const { jit } = runBoth(words, {}, budgets, `set conflicts ${budgets.length}`);
      if (budgets.length === 1) {
        expect(jit.stop.reason).toBe(StopReason.TRAP);
        expect(jit.state.getGpr(4)).toBe(200n * 10n);
        const present = fns.filter((f) => chainMapHas(jit.wasmChainMap, 0, Number(CODE) + f));
        expect(present.length).toBe(2);
      }
    }
    expect(jitStats().wasm - before).toBeGreaterThanOrEqual(5);
  });
});
