// The Wasm interpreter (src/cpu/wasm/interp.ts) entering compiled blocks itself: at a block's entry
// it calls the chain function (wasm/chain.ts) as the JS loop's runBlocks would, counts the blocks'
// run into the heat as the loop does and goes on; what follows a block that only the loop can do (a
// slow-path exit, a fault, a compile) comes back to it (STRAIGHT_CHAIN, LoopHost.resumeChain). The
// same program on a jit CPU with and without the Wasm interpreter and on an interpreter-only CPU:
// blocks compiled, compiled-instruction counts, every register, byte and stop after each slice.
// A file of its own: the arena is fresh (a long test file uses up its lower 2 GiB, and offsets above
// that turn the Wasm tier off for the CPUs made there).
import { describe, expect, it } from 'vitest';
import { StopReason } from '../../../src/cpu/cpu.js';
import { expectSameWithoutStraight, int, makeCpu, randomSetup, randomWasmInsn, snapshot } from './jit-harness.js';
import { CODE, D, I, TRAP, XL, rng } from './asm.js';
import { LoopState, STRAIGHT_CHAIN } from '../../../src/cpu/wasm/interp.js';

describe('Wasm interpreter: compiled blocks', () => {
  it('it enters compiled blocks itself: calls from interpreted code into a compiled leaf, with slow exits and a fault, as the JS loop does (80 programs)', () => {
    const r = rng(0x5eed_020an);
    const totals = { blockInsns: 0, slowExits: 0, resumed: 0, faults: 0 };
    for (let p = 0; p < 80; p++) {
      // 30 calls of one leaf between random instructions, then (every other program) r3 = 0 and a
      // last call, whose load through r3 faults inside the compiled leaf; the leaf: random
      // instructions, a load through r3, a return.
      const calls: number[] = [];
      for (let k = 0; k < 30; k++) {
        for (let j = int(r, 3); j > 0; j--) calls.push(randomWasmInsn(r, { branches: false, crFields: 8 }));
        calls.push(-1);
      }
      const fault = p % 2 === 1;
      if (fault) calls.push(D(14, 3, 0, 0), -1);
      const leafAt = calls.length + 2;
      const caller = calls.map((x, k) => (x === -1 ? I(4 * (leafAt - (k + 1)), 0, 1) : x));
      const leaf = [...Array.from({ length: 2 + int(r, 8) }, () => randomWasmInsn(r, { branches: false, crFields: 8 })), D(32, 4, 3, 8), XL(20, 0, 16)];
      const words = [I(4), ...caller, TRAP, ...leaf];
      const setup = { ...randomSetup(r), jitThreshold: 20 + int(r, 40) };
      const budgets = p % 4 < 2 ? [100_000] : Array.from({ length: 40 }, () => 1 + int(r, 40));
      const a = expectSameWithoutStraight(words, setup, budgets, `program ${p}`, (cpu, straight) => {
        // The premise: this CPU's blocks compile to Wasm and run from the chain map (offsets that
        // are negative as int32 mean "no arena" to the wrapper and to the interpreter alike).
        expect(cpu.wasmChainMap | cpu.state.regBase | cpu.mem.tlbBase).toBeGreaterThanOrEqual(0);
        if (!straight) return;
        const inner = cpu.straight!;
        const ls = cpu.loopState!;
        Object.defineProperty(cpu, 'straight', {
          value: {
            ...inner,
            run: (left: number, regs: number, tlb: number, code: number, u: number): number => {
              const x = inner.run(left, regs, tlb, code, u);
              totals.blockInsns += ls[LoopState.JIT];
              if ((x & 3) === STRAIGHT_CHAIN) {
                totals.resumed++;
                if (ls[LoopState.CHAIN_R] < 0) totals.slowExits++;
              }
              return x;
            },
          },
        });
      });
      if (fault && a.cpu.stop.reason === StopReason.FAULT) totals.faults++;
      const interp = makeCpu(words, false, setup);
      expect(a.snap, `program ${p} (interpreter)`).toEqual(budgets.map((x) => snapshot(interp, interp.run(x))));
    }
    // the leaf compiled and ran mostly from the Wasm interpreter; slow exits and faults came back to JS
    expect(totals.blockInsns).toBeGreaterThan(5000);
    expect(totals.slowExits).toBeGreaterThan(10);
    expect(totals.resumed).toBeGreaterThan(totals.slowExits);
    expect(totals.faults).toBeGreaterThan(10);
  });
});
