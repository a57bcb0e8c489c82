// The FP rows of the Wasm tier (src/cpu/wasm/emit-fp.ts) against the interpreter: programs of FP
// loads, stores, moves, compares, conversions and arithmetic on a compiling CPU (threshold 1) and
// an interpreter-only one, every register (FPRs with both doublewords, FPSCR, CR), byte and count
// compared after each budget slice. Operands cover every class (zeros, infinities, QNaN/SNaN with
// payloads, denormals, the fast path's range edges, overflow and underflow, ties), FPSCR every
// rounding mode, enable and sticky bit: whatever the Wasm code cannot decide takes its slow exit.
import { describe, expect, it } from 'vitest';
import { jitStats } from '../../../src/cpu/cpu.js';
import { fpWasmRows } from '../../../src/cpu/wasm/emit-fp.js';
import { Emit, wasmAccepts, wasmRows } from '../../../src/cpu/wasm/compiler.js';
import { allRows } from '../../../src/cpu/decode.js';
import { A_, B, D, DATA, I, TRAP, X, rng } from './asm.js';
import { PTR, type Setup, countStraight, int, labelLoop, pick, randomSetup, reclaimDroppedCpus, runBoth } from './jit-harness.js';

const FR_POOL = [1, 2, 3, 4, 5, 6, 7, 8];

/** One random FP row the Wasm tier emits, sometimes in a form it leaves to the slow exit. */
function randomFpInsn(r: () => bigint): number {
  const fr = (): number => pick(r, FR_POOL);
  const rc = (): number => (int(r, 4) === 0 ? 1 : 0);
  const ptr = (): number => pick(r, PTR);
  const disp = (): number => int(r, 512) - 256;
  const kinds: Array<() => number> = [
    // fadd, fsub, fdiv, fsqrt, fmul in double (63) and single (59), with and without Rc
    () => A_(pick(r, [63, 59]), fr(), fr(), fr(), 0, pick(r, [21, 20, 18])) | rc(),
    () => A_(pick(r, [63, 59]), fr(), fr(), 0, fr(), 25) | rc(),
    () => A_(pick(r, [63, 59]), fr(), 0, fr(), 0, 22) | rc(),
    () => A_(pick(r, [63, 59]), fr(), fr(), fr(), fr(), pick(r, [28, 29, 30, 31])) | rc(), // fmsub, fmadd, fnmsub, fnmadd
    () => X(63, int(r, 8) << 2, fr(), fr(), pick(r, [0, 32])), // fcmpu, fcmpo
    () => (pick(r, [63, 59]) === 63 ? X(63, fr(), 0, fr(), pick(r, [846, 974]), rc()) : X(59, fr(), 0, fr(), pick(r, [846, 974]), rc())), // fcfid*
    () => X(63, fr(), 0, fr(), pick(r, [815, 15]), rc()), // fctidz, fctiwz
    () => X(63, fr(), 0, fr(), pick(r, [72, 40, 264, 136]), rc()), // fmr, fneg, fabs, fnabs
    () => X(63, fr(), 0, fr(), 12, rc()), // frsp
    () => X(63, fr(), 0, fr(), pick(r, [392, 424, 456, 488]), rc()), // frin, friz, frip, frim
    () => A_(63, fr(), fr(), fr(), fr(), 23) | rc(), // fsel
    () => X(63, fr(), 0, 0, 583, rc()), // mffs
    () => X(31, fr(), ptr(), 13, pick(r, [855, 887, 983])), // lfiwax, lfiwzx, stfiwx
    () => X(63, fr(), fr(), fr(), 8, rc()), // fcpsgn
    () => D(pick(r, [48, 49, 50, 51]), fr(), ptr(), disp()), // lfs, lfsu, lfd, lfdu
    () => D(pick(r, [52, 53, 54, 55]), fr(), ptr(), disp()), // stfs, stfsu, stfd, stfdu
    () => X(31, fr(), ptr(), 13, pick(r, [535, 567, 599, 631, 663, 695, 727, 759])), // indexed forms
  ];
  return pick(r, kinds)() | 0;
}

const f64 = new Float64Array(1);
const u64 = new BigUint64Array(f64.buffer);
const bits = (d: number): bigint => {
  f64[0] = d;
  return u64[0];
};

/** FPR contents of every class the rows see. */
function randomFprBits(r: () => bigint): bigint {
  const frac = (): bigint => BigInt.asUintN(52, r());
  const sign = (): bigint => (int(r, 2) === 0 ? 0n : 1n << 63n);
  const withExp = (e: number): bigint => sign() | (BigInt(e) << 52n) | frac();
  switch (int(r, 15)) {
    case 0: return sign(); // +-0
    case 1: return sign() | 0x7ff0000000000000n; // +-inf
    case 2: return sign() | 0x7ff8000000000000n | BigInt.asUintN(51, r()); // QNaN with payload
    case 3: return sign() | 0x7ff0000000000001n | BigInt.asUintN(50, r()); // SNaN with payload
    case 4: return withExp(0); // denormal
    case 5: return withExp(1 + int(r, 2)); // smallest normals: results underflow
    case 6: return withExp(0x7fd + int(r, 2)); // largest finite: results overflow
    case 7: return withExp(1023 - 480 + int(r, 5) - 2); // fast-path range edges
    case 8: return withExp(1023 + 480 + int(r, 5) - 2);
    case 9: return BigInt.asUintN(64, BigInt(int(r, 2000) - 1000)); // integers for fcfid (denormals as doubles)
    case 10: return bits(Math.fround((int(r, 2) ? 1 : -1) * 2 ** (int(r, 60) - 30) * (1 + int(r, 1024) / 1024))); // singles
    case 11: return bits(1 + 2 ** -(52 + int(r, 3))); // near ties
    case 12: return bits((int(r, 2000) - 1000) / 4); // small exact values, halves (exact sums, fcti*, fri*)
    case 13: return withExp(895 + int(r, 4)); // around single precision's smallest normal (stfs, single underflow)
    default: return withExp(1023 + int(r, 200) - 100);
  }
}

function fpSetup(r: () => bigint): Setup {
  const setup = randomSetup(r);
  delete setup.fpr;
  for (const n of FR_POOL) {
    const b = randomFprBits(r);
    setup.vsr![4 * n] = Number(BigInt.asIntN(32, b >> 32n));
    setup.vsr![4 * n + 1] = Number(BigInt.asIntN(32, b & 0xffffffffn));
  }
  // Round to nearest most of the time; random enables (VE, OE, UE, ZE, XE) and sticky bits.
  const rn = int(r, 4) === 0 ? int(r, 4) : 0;
  const enables = int(r, 3) === 0 ? Number(r() & 0xf8n) : 0;
  const sticky = int(r, 3) === 0 ? Number(r() & 0x9ff80700n) : 0;
  setup.fpscr = (rn | enables | sticky) | 0;
  return setup;
}

describe('wasm tier: FP rows match the interpreter', () => {
  it('random FP programs with every operand class, mode and enable, at many budgets (400 programs)', () => {
    const r = rng(0x5eed_0f01n);
    const before = jitStats().wasm;
    for (let p = 0; p < 400; p++) {
      const body = Array.from({ length: 6 + int(r, 20) }, () => randomFpInsn(r));
      const words = [I(4), ...body, I(8), TRAP, TRAP, TRAP, TRAP];
      const setup = fpSetup(r);
      for (const ptr of PTR) setup.gpr![ptr] = DATA + 0x1000n + BigInt(int(r, 0xc000) & ~7);
      const budgets = p % 2 === 0 ? [10_000] : Array.from({ length: 30 }, () => 1 + int(r, 8));
      runBoth(words, setup, budgets, `fp program ${p}`);
    }
    expect(jitStats().wasm - before).toBeGreaterThan(200);
  });

  it('every FP row form on its own, many operands each (4000 cases)', () => {
    const r = rng(0x5eed_0f02n);
    const before = jitStats().wasm;
    for (let c = 0; c < 4000; c++) {
      const insn = randomFpInsn(r);
      const setup = fpSetup(r);
      for (const ptr of PTR) setup.gpr![ptr] = DATA + 0x200n + BigInt(int(r, 0x200));
      runBoth([I(4), insn, I(8), TRAP, TRAP, TRAP, TRAP], setup, [100], `case ${c} word 0x${(insn >>> 0).toString(16)}`);
    }
    expect(jitStats().wasm - before).toBeGreaterThan(3000);
  });

  // Once, an FP load's or store's first access misses the TLB and runs its JS row; twice round a
  // loop, the second pass takes the Wasm fast path.
  it('every FP row form twice round a loop, the second pass through a warm TLB (2000 cases)', async () => {
    const r = rng(0x5eed_0f06n);
    const before = jitStats().wasm;
    for (let c = 0; c < 2000; c++) {
      if (c % 250 === 249) await reclaimDroppedCpus(); // 4,000 CPUs would use up the arena
      const insn = randomFpInsn(r);
      const setup = fpSetup(r);
      for (const ptr of PTR) setup.gpr![ptr] = DATA + 0x200n + BigInt(int(r, 0x200));
      runBoth(labelLoop([insn], 2), setup, [100], `warm case ${c} word 0x${(insn >>> 0).toString(16)}`);
    }
    expect(jitStats().wasm - before).toBeGreaterThan(1500);
  });

  it('a loop of FP arithmetic (the shape of cpubench float) stays exact across budget slices', () => {
    const r = rng(0x5eed_0f03n);
    for (let p = 0; p < 40; p++) {
      // f5 += f2*f3 / (f4 + f5); f2 = sqrt(f2 + 1); counted by CTR (bdnz)
      const body = [
        A_(63, 6, 2, 0, 3, 25), // fmul f6,f2,f3
        A_(63, 7, 4, 5, 0, 21), // fadd f7,f4,f5
        A_(63, 6, 6, 7, 0, 18), // fdiv f6,f6,f7
        A_(63, 5, 5, 6, 0, 21), // fadd f5,f5,f6
        A_(63, 2, 0, 2, 0, 22), // fsqrt f2,f2
        A_(63, 2, 2, 8, 0, 21) | 1, // fadd. f2,f2,f8
        X(63, 1 << 2, 5, 2, 0), // fcmpu cr1,f5,f2
      ];
      const setup = fpSetup(r);
      setup.ctr = BigInt(5 + int(r, 40));
      const words = [I(4), ...body, B(16, 0, -4 * body.length), I(8), TRAP, TRAP]; // bdnz back to the body
      const budgets = p % 2 === 0 ? [100_000] : Array.from({ length: 60 }, () => 1 + int(r, 20));
      runBoth(words, setup, budgets, `fp loop ${p}`);
    }
  });

  it('fused multiply-add with cancelling and near-tie operands, double and single (600 cases)', () => {
    const r = rng(0x5eed_0f04n);
    const before = jitStats().wasm;
    for (let c = 0; c < 600; c++) {
      const setup = fpSetup(r);
      setup.fpscr = int(r, 5) === 0 ? setup.fpscr : 0;
      let a = (int(r, 2) ? 1 : -1) * 2 ** (int(r, 80) - 40) * (1 + Number(r() % 1000000n) / 1e6);
      let cc = (int(r, 2) ? 1 : -1) * 2 ** (int(r, 80) - 40) * (1 + Number(r() % 1000000n) / 1e6);
      // b cancels a*c to a few ulps, or sits half an ulp of a*c away (ties after the product's rounding)
      let b = int(r, 2) ? -a * cc * (1 + (int(r, 9) - 4) * 2 ** -52) : a * cc * 2 ** -(53 + int(r, 3));
      if (c % 3 === 0) {
        // A double-rounding trap: (1 + 2^-30) * 2^-53 (1 - 2^-30) + (1 + 2^-52) lies just below a
        // tie of the result's ulp, which only the round-to-odd step keeps (scaled, signs varied).
        const k = 2 ** (int(r, 40) - 20);
        const sg = int(r, 2) ? 1 : -1;
        a = sg * k * (1 + 2 ** -30);
        cc = 2 ** -53 * (1 - 2 ** -30);
        b = sg * k * (1 + 2 ** -52);
      }
      setup.vsr![4] = Number(BigInt.asIntN(32, bits(a) >> 32n));
      setup.vsr![5] = Number(BigInt.asIntN(32, bits(a) & 0xffffffffn));
      setup.vsr![8] = Number(BigInt.asIntN(32, bits(cc) >> 32n));
      setup.vsr![9] = Number(BigInt.asIntN(32, bits(cc) & 0xffffffffn));
      setup.vsr![12] = Number(BigInt.asIntN(32, bits(b) >> 32n));
      setup.vsr![13] = Number(BigInt.asIntN(32, bits(b) & 0xffffffffn));
      const insn = A_(pick(r, [63, 59]), 4, 1, 3, 2, pick(r, [28, 29, 30, 31])) | (int(r, 2) ? 1 : 0);
      runBoth([I(4), insn, I(8), TRAP, TRAP, TRAP, TRAP], setup, [100], `fma case ${c} word 0x${(insn >>> 0).toString(16)}`);
    }
    expect(jitStats().wasm - before).toBeGreaterThan(500);
  });

  it('frin/friz/frip/frim on halves, near-halves, signed zeros and the edges of the integral range', () => {
    const values = [0.5, 1.5, 2.5, 0.49999999999999994, 4503599627370495.5, 2 ** 52, 0.3, 0, -0, 1e300, 5e-324, 2.2250738585072014e-308, Infinity, NaN];
    for (const v of values) {
      for (const sign of [1, -1]) {
        for (const xo of [392, 424, 456, 488]) {
          const setup = fpSetup(rng(BigInt(xo)));
          const b = bits(sign * v);
          setup.vsr![8] = Number(BigInt.asIntN(32, b >> 32n));
          setup.vsr![9] = Number(BigInt.asIntN(32, b & 0xffffffffn));
          const insn = X(63, 1, 0, 2, xo, xo === 392 ? 1 : 0);
          runBoth([I(4), insn, I(8), TRAP, TRAP, TRAP, TRAP], setup, [100], `xo ${xo} of ${sign * v}`);
        }
      }
    }
  });

  it('every FP row the Wasm tier emits is registered, and accepts exactly the words its emitter emits', () => {
    const r = rng(0x5eed_0f05n);
    for (const name of Object.keys(fpWasmRows)) expect(wasmRows[name], name).toBe(fpWasmRows[name]);
    for (let c = 0; c < 3000; c++) {
      const w = randomFpInsn(r) & ~(int(r, 4) === 0 ? 0x1f0000 : 0); // RA = 0 sometimes
      const row = allRows.find((x) => ((w & x.mask) | 0) === (x.match | 0));
      if (row === undefined || fpWasmRows[row.name] === undefined) continue;
      const e = new Emit(0, 0, 1, [0]);
      expect(wasmAccepts(row.name, w), `${row.name} 0x${(w >>> 0).toString(16)}`).toBe(fpWasmRows[row.name](e, w, 0));
    }
  });

  // The Wasm interpreter emits the register-only rows with these emitters too (interp.ts fpRows),
  // reading the registers from each word: nothing compiled, it runs them until a case the fast
  // path cannot decide, which stops it before the row (the JS row runs that one).
  it('the Wasm interpreter runs the register-only FP rows as the JS rows do (nothing compiled, 600 programs)', () => {
    const r = rng(0x5eed_0f05n);
    let straight = 0;
    let total = 0;
    for (let p = 0; p < 600; p++) {
      const body = Array.from({ length: 6 + int(r, 20) }, () => randomFpInsn(r));
      const words = p % 3 === 2 ? labelLoop(body, 3) : [I(4), ...body, I(8), TRAP, TRAP, TRAP, TRAP];
      const setup: Setup = { ...fpSetup(r), jitThreshold: 1e9 };
      for (const ptr of PTR) setup.gpr![ptr] = DATA + 0x1000n + BigInt(int(r, 0xc000) & ~7);
      const budgets = p % 2 === 0 ? [10_000] : Array.from({ length: 30 }, () => 1 + int(r, 8));
      let seen = { calls: 0, insns: 0 };
      const { jit } = runBoth(words, setup, budgets, `interpreted fp program ${p}`, (cpu) => (seen = countStraight(cpu)));
      straight += seen.insns;
      expect(jit.jitExecuted).toBe(0);
      total += jit.totalExecuted;
    }
    expect(straight).toBeGreaterThan(total / 2);
  });
});
