import { describe, expect, it } from 'vitest';
import { Cpu, jitStats } from '../../../src/cpu/cpu.js';
import { GuestMemory } from '../../../src/cpu/memory.js';
import { CpuState } from '../../../src/cpu/state.js';

// The first Cpu of a process warms the shared run loop on a scratch CPU (cpu.ts warmLoop): the
// guest's CPU, state and memory and the block compiler's statistics must not see it.
describe('run loop warm-up', () => {
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
