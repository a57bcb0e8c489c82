// Chaining of Wasm blocks (src/cpu/wasm/chain.ts): the per-CPU chain map and the chain loop.
// Same method as wasm.test.ts: a compiling CPU (threshold 1) against an interpreter-only one,
// every register, byte, stop and count compared after each budget slice.
import { describe, expect, it } from 'vitest';
import { Cpu, StopReason, jitStats } from '../../../src/cpu/cpu.js';
import { CR, CpuState } from '../../../src/cpu/state.js';
import { chainMapHas, liveTableSlots } from '../../../src/cpu/wasm/chain.js';
import { WASM_PACK_SIZE, wasmPackedRegions, wasmRows } from '../../../src/cpu/wasm/compiler.js';
import { B, CODE, D, DATA, DS, I, MDS, TRAP, X, XL, XO, rng } from './asm.js';
import { IDX, PTR, int, makeCpu, pick, randomSetup, reclaimDroppedCpus, runBoth, snapshot } from './jit-harness.js';
import type { Cpu } from '../../../src/cpu/cpu.js';

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

describe('wasm tier: regions packed into shared modules', () => {
  it('40 hot functions are compiled again in packs and run exactly; a debugger write still drops packed regions', () => {
    // main at 4: li r3,0 | loop: addi r3,r3,1; bl f0 .. bl f39; cmpdi cr7,r3,50; bne loop | trap
    // f_k at 0x2000 + 0x40 k: addi r4,r4,k+1; blr (traps between them)
    const N = 40;
    const fn = (k: number): number => 0x2000 + 0x40 * k;
    const words: number[] = new Array<number>(fn(N) / 4).fill(TRAP);
    const main = [I(4), D(14, 3, 0, 0), D(14, 3, 3, 1)];
    for (let k = 0; k < N; k++) main.push(I(fn(k) - 4 * main.length, 0, 1));
    main.push(D(11, (7 << 2) | 1, 3, 50), B(4, 30, -4 * (main.length - 1)), TRAP); // bne back to index 2
    main.forEach((w, k) => (words[k] = w));
    const patchAll = (cpus: Cpu[], scale: number): void => {
      for (let k = 0; k < N; k++) {
        const b = new Uint8Array(4);
        new DataView(b.buffer).setUint32(0, D(14, 4, 4, scale * (k + 1)) >>> 0);
        for (const c of cpus) c.mem.writeBytes(CODE + BigInt(fn(k)), b);
      }
    };
    for (let k = 0; k < N; k++) {
      words[fn(k) / 4] = D(14, 4, 4, k + 1);
      words[fn(k) / 4 + 1] = XL(20, 0, 16);
    }
    const packedBefore = wasmPackedRegions();
    const { jit, interp } = runBoth(words, {}, [1_000_000], 'packed');
    expect(jit.stop.reason).toBe(StopReason.TRAP);
    expect(jit.state.getGpr(4)).toBe(50n * 820n);
    // Every WASM_PACK_SIZE regions compiled are packed: at least 40 of these 41 regions' worth.
    expect(WASM_PACK_SIZE).toBeGreaterThan(1);
    expect(wasmPackedRegions() - packedBefore).toBeGreaterThanOrEqual(N + 1 - WASM_PACK_SIZE);
    // The debugger rewrites every function (packed ones among them): both run the new code.
    patchAll([jit, interp], 2);
    for (const c of [jit, interp]) c.state.pc = CODE;
    const rj = jit.run(1_000_000);
    const ri = interp.run(1_000_000);
    expect(snapshot(jit, rj)).toEqual(snapshot(interp, ri));
    expect(jit.state.getGpr(4)).toBe(50n * 820n * 3n);
  });
});

describe('wasm tier: load-reserve and store-conditional', () => {
  const LARX = { lbarx: 52, lharx: 116, lwarx: 20, ldarx: 84 };
  const STCX = { 'stbcx.': 694, 'sthcx.': 726, 'stwcx.': 150, 'stdcx.': 214 };

  it('are Wasm rows', () => {
    for (const name of [...Object.keys(LARX), ...Object.keys(STCX)]) expect(wasmRows[name], name).toBeDefined();
  });

  it('random reserve/store-conditional mixes: same or other address, length, register, at many budgets (300 programs)', () => {
    const r = rng(0x5eed_0201n);
    const before = jitStats().wasm;
    const ptr = (): number => pick(r, PTR);
    const base = (): number => pick(r, [0, ...PTR]); // RA = 0: EA is RB alone
    const kinds: Array<() => number> = [
      () => X(31, pick(r, [4, 5, 6, 7, 13]), base(), pick(r, [IDX, ...PTR]), pick(r, Object.values(LARX)), int(r, 2)),
      () => X(31, pick(r, [4, 5, 6, 7, 8]), base(), pick(r, [IDX, ...PTR]), pick(r, Object.values(STCX)), 1),
      () => X(31, pick(r, [4, 5, 6, 7, 8]), ptr(), IDX, pick(r, Object.values(STCX)), 1), // often the reserved EA
      () => D(14, IDX, IDX, pick(r, [0, 8, -8, 4, 1])), // move the index
      () => X(31, pick(r, [4, 5, 6]), ptr(), IDX, pick(r, [21, 149, 151])), // ldx, stdx, stwx to the same area
      () => D(14, pick(r, [4, 5, 6]), pick(r, [4, 5, 6]), int(r, 100)),
      () => B(pick(r, [4, 12]), 2, 4 * (1 + int(r, 3))), // on CR0.EQ (the stcx. result)
    ];
    for (let p = 0; p < 300; p++) {
      const body: number[] = [];
      for (let k = 0; k < 24; k++) {
        // mostly larx ... stcx. pairs on the same registers, as Go's atomics are
        if (int(r, 3) === 0) {
          const [rp, rv] = [ptr(), pick(r, [4, 5, 6])];
          const [l, s] = pick(r, [[20, 150], [84, 214], [52, 694], [116, 726], [20, 214]] as const);
          body.push(X(31, rv, rp, IDX, l), D(14, rv, rv, 1), X(31, rv, rp, IDX, s, 1));
        } else body.push(pick(r, kinds)());
      }
      const setup = randomSetup(r);
      setup.gpr![IDX] = BigInt(8 * int(r, 4));
      const words = [I(4), ...body, I(8), TRAP, TRAP, TRAP, TRAP];
      const budgets = p % 2 === 0 ? [10_000] : Array.from({ length: 40 }, () => 1 + int(r, 10));
      runBoth(words, setup, budgets, `resv mix ${p}`);
    }
    expect(jitStats().wasm - before).toBeGreaterThan(150);
  });

  it('a failing stcx. touches no memory: no fault at an unmapped EA, and a held reservation faults precisely', () => {
    // stwcx. r5,0,r9 with r9 unmapped and no reservation: fails quietly; then lwarx r6,0,r3; stwcx. r5,0,r3 succeeds
    const words = [I(4), X(31, 5, 0, 9, 150, 1), X(31, 6, 0, 3, 20), X(31, 5, 0, 3, 150, 1), X(31, 7, 0, 9, 20), I(8), TRAP];
    const { jit } = runBoth(words, { gpr: { 3: DATA + 0x100n, 5: 0x1234n, 9: 0x7000_0000n } }, [10_000], 'unmapped stcx.');
    expect(jit.stop.reason).toBe(StopReason.FAULT);
    expect(jit.stop.pc).toBe(CODE + 16n); // the lwarx at the unmapped address
    expect((jit.state.spr[CR] >>> 28) & 2).toBe(2); // the second stcx. stored
    expect(jit.mem.readU32(DATA + 0x100n)).toBe(0x1234);
  });

  it('a reservation is lost across a thread switch: the stcx. after it fails, as in the interpreter', () => {
    // loop: lwarx r5,0,r3; addi r5,r5,1; stwcx. r5,0,r3; beq ok; addi r7,r7,1 (failed) | ok: addi r4,r4,-1; cmpdi r4,0; bne loop
    const words = [
      I(4),
      X(31, 5, 0, 3, 20),
      D(14, 5, 5, 1),
      X(31, 5, 0, 3, 150, 1),
      B(12, 2, 8),
      D(14, 7, 7, 1),
      D(14, 4, 4, -1),
      D(11, 1, 4, 0),
      B(4, 2, -28),
      TRAP,
    ];
    const make = (jit: boolean): { cpu: Cpu; main: CpuState; other: CpuState } => {
      const cpu = makeCpu(words, jit);
      const main = cpu.state;
      main.setGpr(3, DATA + 0x40n);
      main.setGpr(4, 400n);
      return { cpu, main, other: new CpuState() };
    };
    const a = make(true);
    const b = make(false);
    const initial = a.cpu.mem.readU32(DATA + 0x40n);
    const r = rng(0x5eed_0203n);
    for (let k = 0; k < 2000; k++) {
      const budget = 1 + int(r, 24);
      const switchAway = int(r, 3) === 0;
      for (const m of [a, b]) {
        m.cpu.run(budget);
        if (switchAway) {
          m.cpu.state = m.other; // drops both threads' reservations
          m.cpu.state = m.main;
        }
      }
      expect(snapshot(a.cpu, a.cpu.stop.reason), `slice ${k}`).toEqual(snapshot(b.cpu, b.cpu.stop.reason));
      if (a.cpu.stop.reason !== StopReason.OK) break;
    }
    expect(a.cpu.stop.reason).toBe(StopReason.TRAP);
    const failed = a.main.getGpr(7);
    expect(failed).toBeGreaterThan(0n);
    expect(a.cpu.mem.readU32(DATA + 0x40n)).toBe((initial + 400 - Number(failed)) >>> 0);
    expect(a.cpu.jitExecuted).toBeGreaterThan(1000);
  });
});

describe('wasm tier: integer rows of Go\'s runtime (record forms, divisions, shifts by register)', () => {
  /** One of the rows these tests cover, with random registers (edge values come from randomSetup). */
  function randomRow(r: () => bigint): number {
    const dst = (): number => pick(r, [4, 5, 6, 7, 8, 9]);
    const src = (): number => pick(r, [0, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    const rc = (): number => int(r, 2);
    const kinds: Array<() => number> = [
      // add, subf, neg, mulld with Rc; mullw, mulhd(u), divd(u), divw(u) with and without Rc
      () => XO(dst(), src(), src(), pick(r, [266, 40, 104, 233, 235, 73, 9, 489, 457, 491, 459]), 0, rc()),
      // the divisions with a zero, one or minus-one divisor and a MIN dividend
      () => XO(dst(), pick(r, [10, 11]), pick(r, [12, 13, 14]), pick(r, [489, 457, 491, 459]), 0, rc()),
      () => MDS(src(), dst(), src(), int(r, 64), pick(r, [8, 9]), rc()), // rldcl, rldcr
      () => X(31, src(), dst(), src(), pick(r, [794, 792]), rc()), // srad, sraw
      () => X(31, src(), dst(), pick(r, [12, 13, 14, 15]), pick(r, [794, 792]), rc()), // by edge amounts
    ];
    return pick(r, kinds)();
  }
  const edges = (r: () => bigint): Record<number, bigint> => ({
    10: -0x8000000000000000n,
    11: pick(r, [-0x80000000n, 0xffffffff80000000n, 0x7fffffffn]),
    12: 0n,
    13: -1n,
    14: pick(r, [1n, 0xffffffffn, 0x1_0000_0000n]),
    15: pick(r, [32n, 63n, 64n, 127n, 128n + 5n]),
  });

  it('are Wasm rows', () => {
    for (const name of ['mullw', 'divd', 'divdu', 'divw', 'divwu', 'rldcl', 'rldcr', 'srad', 'sraw']) expect(wasmRows[name], name).toBeDefined();
  });

  it('every form on its own and in mixes, against the interpreter (2000 cases, 200 mixes)', () => {
    const r = rng(0x5eed_0301n);
    const before = jitStats().wasm;
    for (let c = 0; c < 2000; c++) {
      const insn = randomRow(r);
      const setup = randomSetup(r);
      Object.assign(setup.gpr!, edges(r));
      runBoth([I(4), insn, I(8), TRAP, TRAP, TRAP, TRAP], setup, [100], `case ${c} word 0x${(insn >>> 0).toString(16)}`);
    }
    for (let p = 0; p < 200; p++) {
      const setup = randomSetup(r);
      Object.assign(setup.gpr!, edges(r));
      const body = Array.from({ length: 20 }, () => randomRow(r));
      runBoth([I(4), ...body, I(8), TRAP, TRAP, TRAP], setup, p % 2 ? [10_000] : Array.from({ length: 30 }, () => 1 + int(r, 8)), `mix ${p}`);
    }
    expect(jitStats().wasm - before).toBeGreaterThan(1500);
  });
});

describe('wasm tier: resuming inside a region', () => {
  it('a run resuming after a host call starts at the return point in Wasm, exactly as the interpreter', () => {
    // 4: li r3,0 | 8: addi r3,r3,1; bl 40 (host call); add r4,r4,r3; cmpdi cr7,r3,300; bne cr7,8; trap
    const prog = [I(4), D(14, 3, 0, 0), D(14, 3, 3, 1), I(28, 0, 1), X(31, 4, 4, 3, 266), D(11, (7 << 2) | 1, 3, 300), B(4, 30, -16), TRAP, TRAP, TRAP, D(14, 5, 5, 3), XL(20, 0, 16)];
    const cpus = [makeCpu(prog, true), makeCpu(prog, false)];
    for (const c of cpus) c.addHostCallRange(CODE + 40n, CODE + 44n);
    let resumedInWasm = 0;
    for (let k = 0; k < 400; k++) {
      const before = cpus[0].jitExecuted;
      const stops = cpus.map((c) => c.run(100_000));
      expect(snapshot(cpus[0], stops[0]), `call ${k}`).toEqual(snapshot(cpus[1], stops[1]));
      // everything from the return point to the next call ran compiled
      if (k > 0 && cpus[0].jitExecuted - before === cpus[0].executed) resumedInWasm++;
      if (stops[0] !== StopReason.SENTINEL) break;
      for (const c of cpus) c.pc = c.state.lr; // the host call returns
    }
    expect(cpus[0].stop.reason).toBe(StopReason.TRAP);
    expect(resumedInWasm).toBeGreaterThan(250);
  });
});

describe('wasm tier: a region entered with less budget than its length', () => {
  it('runs partway, stopping at the label where the budget runs short, exactly as the interpreter', () => {
    // b 4 | li r3,0 | loop: addi r3,r3,1; 12 x (cmpdi cr7,r3,k; beq cr7,+8; addi r4,r4,k+1; addi r5,r5,1);
    // std r4,0(r1); ld r6,0(r1); cmpdi cr7,r3,300; bne cr7,loop | b +8 | trap: a 54-word region, 13 labels.
    const loop = [D(14, 3, 3, 1)];
    for (let k = 0; k < 12; k++) loop.push(D(11, (7 << 2) | 1, 3, 7 * k), B(12, 30, 8), D(14, 4, 4, k + 1), D(14, 5, 5, 1));
    loop.push(DS(62, 4, 1, 0, 0), DS(58, 6, 1, 0, 0), D(11, (7 << 2) | 1, 3, 300));
    loop.push(B(4, 30, -4 * loop.length));
    const words = [I(4), D(14, 3, 0, 0), ...loop, I(8), TRAP, TRAP];
    const r = rng(0x5eed_0c01n);
    // Every slice shorter than the region (and some shorter than its first straight run).
    const budgets = Array.from({ length: 2_000 }, () => 1 + int(r, 40));
    const before = jitStats().wasm;
    const { jit, interp } = runBoth(words, { gpr: { 1: DATA + 0x100n }, jitThreshold: 500 }, budgets, 'partway');
    expect(jitStats().wasm - before).toBeGreaterThanOrEqual(1);
    expect(jit.stop.reason).toBe(StopReason.TRAP);
    expect(jit.state.getGpr(3)).toBe(300n);
    expect(interp.totalExecuted).toBe(jit.totalExecuted);
    // Every budget is below the region's 54 words: without partway runs it never runs (0 before).
    expect(jit.jitExecuted).toBeGreaterThan(jit.totalExecuted / 3);
  });
});

describe('wasm tier: function-table slots', () => {
  it('a collected CPU gives its blocks\' table slots back (a forked and exec\'d process leaves its CPUs behind)', async () => {
    // main at 4: li r3,0 | loop: addi r3,r3,1; bl f_k for 8 functions; cmpdi cr7,r3,50; bne loop | trap
    // f_k at 0x1000 + 0x40 k: addi r4,r4,k+1; blr
    const fn = (k: number): number => 0x1000 + 0x40 * k;
    const words: number[] = new Array<number>(fn(8) / 4).fill(TRAP);
    const main = [I(4), D(14, 3, 0, 0), D(14, 3, 3, 1)];
    for (let k = 0; k < 8; k++) main.push(I(fn(k) - 4 * main.length, 0, 1));
    main.push(D(11, (7 << 2) | 1, 3, 50), B(4, 30, -4 * (main.length - 1)), TRAP);
    main.forEach((w, k) => (words[k] = w));
    for (let k = 0; k < 8; k++) {
      words[fn(k) / 4] = D(14, 4, 4, k + 1);
      words[fn(k) / 4 + 1] = XL(20, 0, 16);
    }
    const before = liveTableSlots();
    // In a function of its own, so nothing here keeps the CPUs alive afterwards.
    const runSome = (): number => {
      let blocks = 0;
      for (let c = 0; c < 4; c++) {
        // two without a chain map of their own: the block compiler gives them Wasm blocks too
        const cpu = makeCpu(words, true, { wasm: c < 2 });
        if (c >= 2) expect(cpu.wasmChainMap).toBe(-1);
        expect(cpu.run(1_000_000)).toBe(StopReason.TRAP);
        expect(cpu.state.getGpr(4)).toBe(50n * 36n);
        blocks += cpu.compiledBlocks;
      }
      return blocks;
    };
    const blocks = runSome();
    expect(blocks).toBeGreaterThanOrEqual(4 * 9);
    expect(liveTableSlots() - before).toBeGreaterThanOrEqual(4 * 9);
    // The registry's callbacks run some time after a collection: collect until they have.
    for (let k = 0; k < 50 && liveTableSlots() > before; k++) await reclaimDroppedCpus();
    expect(liveTableSlots()).toBeLessThanOrEqual(before);
  });
});
