// The Wasm interpreter (src/cpu/wasm/interp.ts) entering compiled blocks itself: at a block's entry
// it calls the chain function (wasm/chain.ts) as the JS loop's runBlocks would, counts the blocks'
// run into the heat as the loop does and goes on; what follows a block that only the loop can do (a
// slow-path exit, a fault, a compile) comes back to it (STRAIGHT_CHAIN, LoopHost.resumeChain). The
// same program on a jit CPU with and without the Wasm interpreter and on an interpreter-only CPU:
// blocks compiled, compiled-instruction counts, every register, byte and stop after each slice
// (jit-harness.ts callsIntoALeaf). A file of its own: the arena is fresh (a long test file uses up
// its lower 2 GiB); wasm-interp-blocks-high.test.ts runs the same past that half.
import { describe, expect, it } from 'vitest';
import { callsIntoALeaf, expectBlocksFromTheInterpreter } from './jit-harness.js';

const HALF = 2 ** 31;

describe('Wasm interpreter: compiled blocks', () => {
  it('it enters compiled blocks itself: calls from interpreted code into a compiled leaf, with slow exits and a fault, as the JS loop does (80 programs)', () => {
    const totals = callsIntoALeaf(0x5eed_020an, (cpu) => {
      // the premise: the CPU's state lies in the arena's lower half
      expect(Math.max(cpu.wasmChainMap, cpu.state.regBase, cpu.mem.tlbBase)).toBeLessThan(HALF);
      expect(Math.min(cpu.wasmChainMap, cpu.state.regBase, cpu.mem.tlbBase)).toBeGreaterThanOrEqual(0);
    });
    expectBlocksFromTheInterpreter(totals);
    // and with these programs, STRAIGHT_CHAIN also came back for more than slow exits
    expect(totals.resumed).toBeGreaterThan(totals.slowExits);
  });
});
