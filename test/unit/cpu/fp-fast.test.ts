// The fast path of the FP arithmetic rows (exec/fp.ts arithFast) against the general path, on
// operands of every class: each case runs through both on identical states, and FRT (all four
// words), FPSCR and CR must come out identical. Values are also held against the BigInt oracle.
import { describe, expect, it } from 'vitest';
import { CpuState, CR, FPSCR } from '../../../src/cpu/state.js';
import { arithFast, arithGeneral } from '../../../src/cpu/exec/fp.js';
import { slowArith } from '../../../src/cpu/exec/fpu-core.js';
import { bitsOf, encA, fprBits, fromBits, rowFor, setFprBits } from './fp-helpers.js';

/** The interpreter's row (fast path, then the general one), as the decoder would run it. */
const viaRow = (s: CpuState, word: number): void => rowFor(word).exec(s, null as never, word);

let seed = 20261206;
const rnd = (): number => {
  seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
  return seed;
};
const rnd64 = (): bigint => (BigInt(rnd()) << 32n) | BigInt(rnd());
const withExp = (e: number, neg = rnd() % 2 === 1): bigint =>
  (neg ? 1n << 63n : 0n) | (BigInt(e & 0x7ff) << 52n) | (rnd64() & ((1n << 52n) - 1n));

const MIN_NORMAL = 2.2250738585072014e-308;
/** Operand bits of every class the rows can see, weighted toward the fast path's edges. */
function operand(): bigint {
  switch (rnd() % 16) {
    case 0: return [0n, 1n << 63n][rnd() % 2]; // +-0
    case 1: return [0x7ff0000000000000n, 0xfff0000000000000n][rnd() % 2]; // +-inf
    case 2: return 0x7ff8000000000000n | (rnd64() & 0x7ffffffffffffn); // QNaN with payload
    case 3: return 0x7ff0000000000001n | (rnd64() & 0x3ffffffffffffn); // SNaN with payload
    case 4: return withExp(0); // denormal
    case 5: return withExp(1 + (rnd() % 3)); // smallest normals
    case 6: return withExp(0x7fc + (rnd() % 3)); // largest finite
    case 7: return withExp(1023 - 480 + (rnd() % 5) - 2); // fast path's lower edge
    case 8: return withExp(1023 + 480 + (rnd() % 5) - 2); // fast path's upper edge
    case 9: return bitsOf(Math.fround(2 ** ((rnd() % 80) - 40) * (1 + (rnd() % 4096) / 4096)) * (rnd() % 2 ? 1 : -1)); // single
    case 10: return bitsOf((rnd() % 1000) - 500); // small integers (exact results)
    case 11: return bitsOf(1 + 2 ** -((rnd() % 4) + 52)); // near ties around 1
    default: return withExp(1023 + (rnd() % 200) - 100);
  }
}

/** Runs the row on a fresh state through `run`; returns FRT words, FPSCR and CR. */
function runWith(run: (s: CpuState, w: number, op: number, single: boolean) => void, word: number, op: number, single: boolean,
  a: bigint, b: bigint, c: bigint, fpscr: number, cr: number): string {
  const s = new CpuState();
  s.spr[FPSCR] = fpscr;
  s.spr[CR] = cr;
  setFprBits(s, 2, a);
  setFprBits(s, 3, b);
  setFprBits(s, 4, c);
  s.vsr[6] = 0x11111111; // doubleword 1 of FRT must be zeroed
  s.vsr[7] = 0x22222222;
  run(s, word, op, single);
  return [s.vsr[4], s.vsr[5], s.vsr[6], s.vsr[7], s.spr[FPSCR], s.spr[CR]].map((x) => (x >>> 0).toString(16)).join(' ');
}

const OPS: Array<[string, number, number, number]> = [
  // name, xo, exec/fp.ts op, fpu-core slowArith op
  ['fadd', 21, 0, 0], ['fsub', 20, 1, 0], ['fmul', 25, 2, 1], ['fdiv', 18, 3, 2], ['fsqrt', 22, 4, 3],
];
/** The fused forms (exec/fp.ts op codes 5-8), against the general path only. */
const FUSED_OPS: Array<[string, number, number]> = [['fmadd', 29, 5], ['fmsub', 28, 6], ['fnmadd', 31, 7], ['fnmsub', 30, 8]];

describe('FP arithmetic fast path', () => {
  it('matches the general path bit for bit (FRT, FPSCR, CR) on every operand class, mode and enable', () => {
    let fast = 0;
    let total = 0;
    for (let i = 0; i < 45000; i++) {
      const [name, xo, op] = i % 3 === 2 ? FUSED_OPS[(i / 3) % FUSED_OPS.length | 0] : OPS[i % OPS.length];
      const single = (i >> 3) % 2 === 1;
      const rc = rnd() % 4 === 0 ? 1 : 0;
      const word = op === 2 || op >= 5 ? encA(single ? 59 : 63, xo, 1, 2, op >= 5 ? 3 : 0, 4, rc) : encA(single ? 59 : 63, xo, 1, 2, 3, 0, rc);
      let a = operand();
      let b = operand();
      const c = rnd() % 3 === 0 ? a : operand();
      if (rnd() % 5 === 0) b = a ^ (BigInt(rnd() % 2) << 63n); // x - x, x + x, x / x
      if (rnd() % 7 === 0) a = bitsOf(-fromBits(b) + fromBits(b) * 2 ** -(rnd() % 60)); // cancellation
      if (op >= 5 && rnd() % 3 === 0) b = bitsOf(-fromBits(a) * fromBits(c) * (1 + ((rnd() % 9) - 4) * 2 ** -52)); // fused cancellation
      // round to nearest most of the time; random sticky, enable and summary bits
      const fpscr = ((rnd() & 0xffffff00 & ~0x60000000) | (rnd() % 8 === 0 ? rnd() % 4 : 0) | (rnd() & 0xf8)) | 0;
      const cr = rnd() | 0;
      const want = runWith(arithGeneral, word, op, single, a, b, c, fpscr, cr);
      const got = runWith(viaRow, word, op, single, a, b, c, fpscr, cr);
      if (got !== want) {
        throw new Error(`${name}${single ? 's' : ''}${rc ? '.' : ''} a=${a.toString(16)} b=${b.toString(16)} c=${c.toString(16)} fpscr=${(fpscr >>> 0).toString(16)}: fast ${got}, general ${want}`);
      }
      const probe = new CpuState();
      probe.spr[FPSCR] = fpscr;
      setFprBits(probe, 2, a);
      setFprBits(probe, 3, b);
      setFprBits(probe, 4, c);
      if (arithFast(probe, word, op, single)) fast++;
      total++;
    }
    // the fast path must actually decide a good share of the cases, and not all of them
    expect(fast).toBeGreaterThan(total / 5);
    expect(fast).toBeLessThan(total);
  });

  it('gives the correctly rounded value (BigInt oracle) for mid-range operands in round to nearest', () => {
    for (let i = 0; i < 20000; i++) {
      const [name, xo, op, slowOp] = OPS[i % OPS.length];
      const single = (i >> 3) % 2 === 1;
      const word = op === 2 ? encA(single ? 59 : 63, xo, 1, 2, 0, 4) : encA(single ? 59 : 63, xo, 1, 2, 3, 0);
      const x = fromBits(withExp(1023 + (rnd() % 120) - 60));
      let y = fromBits(withExp(1023 + (rnd() % 120) - 60));
      if (i % 11 === 0) y = -x * (1 + 2 ** -52); // near-cancellation
      if (op === 4) y = Math.abs(y);
      const s = new CpuState();
      setFprBits(s, 2, bitsOf(x));
      setFprBits(s, op === 2 ? 4 : 3, bitsOf(y));
      viaRow(s, word);
      const want = op === 4 ? slowArith(slowOp, y, 0, 0, 0, single) : slowArith(slowOp, x, op === 1 ? -y : y, 0, 0, single);
      if (fprBits(s, 1) !== bitsOf(want)) throw new Error(`${name}${single ? 's' : ''} ${x} ${y}: got ${fromBits(fprBits(s, 1))} want ${want}`);
    }
  });

  it('fused forms: a double-rounding trap only the round-to-odd step gets right (BigInt oracle)', () => {
    // (1 + 2^-30) * 2^-53 (1 - 2^-30) + (1 + 2^-52) lies just below a tie of the result's ulp.
    for (let k = -20; k <= 20; k += 5) {
      for (const sg of [1, -1]) {
        const a = sg * 2 ** k * (1 + 2 ** -30);
        const c = 2 ** -53 * (1 - 2 ** -30);
        const b = sg * 2 ** k * (1 + 2 ** -52);
        const s = new CpuState();
        s.setFpr(2, a);
        s.setFpr(3, b);
        s.setFpr(4, c);
        const word = encA(63, 29, 1, 2, 3, 4);
        expect(arithFast(s, word, 5, false)).toBe(true);
        expect(fprBits(s, 1)).toBe(bitsOf(slowArith(4, a, c, b, 0, false)));
      }
    }
    // An exact zero: +0 from fmadd, -0 from fnmadd (the rounded result negated), FPRF to match.
    for (const [xo, op, bits, fprf] of [[29, 5, 0n, 0x2000], [31, 7, 1n << 63n, 0x12000]] as const) {
      const s = new CpuState();
      s.setFpr(2, 3);
      s.setFpr(3, -15);
      s.setFpr(4, 5);
      expect(arithFast(s, encA(63, xo, 1, 2, 3, 4), op, false)).toBe(true);
      expect(fprBits(s, 1)).toBe(bits);
      expect(s.spr[FPSCR] & 0x1f000).toBe(fprf);
    }
  });

  it('sets XX, FI and FR exactly: ties, exact results and both rounding directions', () => {
    const FADD = encA(63, 21, 1, 2, 3, 0);
    const FADDS = encA(59, 21, 1, 2, 3, 0);
    const cases: Array<[number, number, number, number, number]> = [
      // word, x, y, expected result, expected FPSCR bits among XX|FR|FI and FPRF
      [FADD, 1, 2 ** -53, 1, 0x02020000 | 0x4000], // tie to even (down): inexact, not rounded up
      [FADD, 1 + 2 ** -52, 2 ** -53, 1 + 2 ** -51, 0x02060000 | 0x4000], // tie to even (up): FR
      [FADD, 1, 2 ** -60, 1, 0x02020000 | 0x4000],
      [FADD, 1, -(2 ** -60), 1, 0x02060000 | 0x4000], // rounded away from zero: FR
      [FADD, 1, 2, 3, 0x4000], // exact
      [FADD, -1, 1, 0, 0x2000], // exact +0
      [FADD, -0, -0, -0, 0x12000], // -0 keeps its sign
      [FADDS, 1, 2 ** -24, 1, 0x02020000 | 0x4000], // single tie to even
      [FADDS, 1 + 2 ** -23, 2 ** -24, 1 + 2 ** -22, 0x02060000 | 0x4000],
      [FADDS, 1, 2 ** -24 + 2 ** -60, 1 + 2 ** -23, 0x02060000 | 0x4000], // sticky bit beyond double precision
      [FADDS, -3, 1.5, -1.5, 0x8000],
    ];
    for (const [word, x, y, r, bits] of cases) {
      const s = new CpuState();
      s.setFpr(2, x);
      s.setFpr(3, y);
      expect(arithFast(s, word, 0, word === FADDS)).toBe(true);
      expect(Object.is(s.getFpr(1), r)).toBe(true);
      expect(s.spr[FPSCR] & (0x02060000 | 0x1f000)).toBe(bits);
    }
  });
});
