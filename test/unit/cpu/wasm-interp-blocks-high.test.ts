// wasm-interp-blocks.test.ts for CPUs whose state (register file, TLB, chain map, loop state) the
// arena placed past its first 2 GiB. Arena offsets are unsigned; read as int32 they are negative,
// which the block wrapper, the resume path and the Wasm interpreter once took for "no arena" (that
// CPU then ran its blocks in JavaScript, and the interpreter never entered them). A file of its
// own: it uses the arena's lower half up for the whole process.
import { describe, expect, it } from 'vitest';
import { guestArena } from '../../../src/cpu/wasm/arena.js';
import type { Cpu } from '../../../src/cpu/cpu.js';
import { callsIntoALeaf, expectBlocksFromTheInterpreter, makeCpu } from './jit-harness.js';
import { TRAP } from './asm.js';

const HALF = 2 ** 31;
const low: Cpu[] = [];

describe('Wasm interpreter: compiled blocks past 2 GiB of the arena', () => {
  it('CPUs made there run their blocks in Wasm, entered from the Wasm interpreter, as exactly as anywhere (80 programs)', () => {
    const arena = guestArena()!;
    expect(arena).not.toBeNull();
    // Pages taken here are never touched (a fresh page is not zeroed), so this costs no memory.
    for (let at = arena.allocPage(); at >= 0 && at < HALF; at = arena.allocPage());
    // Blocks the lower half still has on its free lists go to CPUs kept alive (module scope).
    const lowest = (cpu: Cpu): number => Math.min(cpu.wasmChainMap, cpu.state.regBase, cpu.mem.tlbBase);
    for (let cpu = makeCpu([TRAP], true); lowest(cpu) < HALF; cpu = makeCpu([TRAP], true)) low.push(cpu);
    expect(low.length).toBeLessThan(1000);
    const totals = callsIntoALeaf(0x5eed_020bn, (cpu) => {
      expect(lowest(cpu)).toBeGreaterThanOrEqual(HALF);
    });
    expectBlocksFromTheInterpreter(totals);
  });
});
