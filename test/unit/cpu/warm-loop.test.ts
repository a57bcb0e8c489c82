import { describe, expect, it } from 'vitest';
import { Cpu, jitStats, loopWarmed } from '../../../src/cpu/cpu.js';
import { makeCpu } from './jit-harness.js';
import { B, D, I, TRAP } from './asm.js';
import { GuestMemory } from '../../../src/cpu/memory.js';
import { CpuState } from '../../../src/cpu/state.js';

// The first Cpu of a process warms the shared run loop on a scratch CPU (cpu.ts warmLoop): the
// guest's CPU, state and memory and the block compiler's statistics must not see it.
describe('run loop warm-up', () => {
  // First in this file: the tests below warm the loop at construction.
  it('with the Wasm interpreter, waits for the first compile, then runs before the next slice', () => {
    // r3 = 0; loop: r3 += 1; cmpwi r3, 2000; blt loop; trap
    const words = [I(4), D(14, 3, 0, 0), D(14, 3, 3, 1), D(11, 0, 3, 2000), B(12, 0, -8), TRAP];
    const cpu = makeCpu(words, true, { jitThreshold: 500 });
    expect(cpu.straight).not.toBeNull();
    expect(loopWarmed(true)).toBe(false);
    cpu.run(100); // no compile yet
    expect(loopWarmed(true)).toBe(false);
    cpu.run(100_000); // the loop compiles
    expect(cpu.jitExecuted).toBeGreaterThan(0);
    expect(loopWarmed(true)).toBe(false);
    cpu.run(100_000); // warms first, then ends at the trap
    expect(loopWarmed(true)).toBe(true);
    expect(cpu.state.getGpr(3)).toBe(2000n);
  });

  it('leaves the first CPU, its state, its memory and the compiler statistics untouched', () => {
    const before = jitStats();
    const mem = new GuestMemory();
    const state = new CpuState();
    const cpu = new Cpu(mem, state, { jit: true, wasm: false });
    expect(jitStats()).toEqual(before);
    expect(cpu.totalExecuted).toBe(0);
    expect(cpu.jitExecuted).toBe(0);
    expect(cpu.heat.every((h) => h === 0)).toBe(true);
    expect(mem.pageCount).toBe(0);
    expect(mem.mappings()).toEqual([]);
    expect(state.gpr.every((v) => v === 0)).toBe(true);
    expect(state.spr.every((v) => v === 0)).toBe(true);
    expect(state.vsr.every((v) => v === 0)).toBe(true);
    expect(cpu.state).toBe(state);
  });
});
