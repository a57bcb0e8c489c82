import { describe, expect, it } from 'vitest';
import { R, divd, divdu, mulhd, mulhdu, mul64, addCarry, cntlzd, popcnt32, MASK64, toBig, hiOf, loOf } from '../../../src/cpu/int64.js';
import { edgeValues, rng, mask, s64, u64 } from './asm.js';

const got = (): bigint => toBig(R[0], R[1]);

describe('int64 helpers against BigInt', () => {
  const r = rng(0xc0ffeen);
  const pool = [...edgeValues()];
  for (let k = 0; k < 400; k++) {
    const v = r();
    // mix of full-range, 32-bit, 40-bit and 53-bit operands to hit every division path
    pool.push(v, v & 0xffffffffn, v >> 24n, v >> 11n, (v & 0xffffn) + 1n);
  }
  const pairs: Array<[bigint, bigint]> = [];
  for (let k = 0; k < 30000; k++) pairs.push([pool[Number(r() % BigInt(pool.length))], pool[Number(r() % BigInt(pool.length))]]);
  for (const a of edgeValues()) for (const b of edgeValues()) pairs.push([a, b]);

  it('divdu and divd are exact on every path (no BigInt inside)', () => {
    for (const [a, b] of pairs) {
      const ok = divdu(hiOf(a), loOf(a), hiOf(b), loOf(b));
      expect(ok).toBe(b !== 0n);
      if (ok) expect(got(), `divdu ${a.toString(16)} / ${b.toString(16)}`).toBe(a / b);
      const bad = b === 0n || (a === 0x8000000000000000n && b === u64(-1n));
      const oks = divd(hiOf(a), loOf(a), hiOf(b), loOf(b));
      expect(oks).toBe(!bad);
      if (oks) expect(got(), `divd ${a.toString(16)} / ${b.toString(16)}`).toBe(u64(s64(a) / s64(b)));
    }
  });

  it('mul64, mulhdu, mulhd, addCarry', () => {
    for (const [a, b] of pairs) {
      mul64(hiOf(a), loOf(a), hiOf(b), loOf(b));
      expect(got()).toBe(u64(a * b));
      mulhdu(hiOf(a), loOf(a), hiOf(b), loOf(b));
      expect(got()).toBe((a * b) >> 64n);
      mulhd(hiOf(a), loOf(a), hiOf(b), loOf(b));
      expect(got()).toBe(u64((s64(a) * s64(b)) >> 64n));
      const c = addCarry(hiOf(a), loOf(a), hiOf(b), loOf(b), 1);
      expect(got()).toBe(u64(a + b + 1n));
      expect(c).toBe(a + b + 1n >> 64n ? 1 : 0);
    }
  });

  it('cntlzd, popcnt32 and the MASK table', () => {
    for (const a of pool) {
      expect(cntlzd(hiOf(a), loOf(a))).toBe(a === 0n ? 64 : 64 - a.toString(2).length);
      const lo = Number(a & 0xffffffffn);
      expect(popcnt32(lo | 0)).toBe(lo.toString(2).replace(/0/g, '').length);
    }
    for (let mb = 0; mb < 64; mb++) {
      for (let me = 0; me < 64; me++) {
        const k = (mb * 64 + me) * 2;
        expect(toBig(MASK64[k], MASK64[k + 1]), `MASK(${mb},${me})`).toBe(mask(mb, me));
      }
    }
  });
});

describe('toBig / hiOf / loOf: the double fast path below 2^53 and the BigInt path above agree', () => {
  it('round-trip and halves at the boundaries, negatives and values past 2^64', () => {
    const edges = [0n, 1n, 0xffffffffn, 0x1_0000_0000n, 2n ** 53n - 1n, 2n ** 53n, 2n ** 53n + 1n, 2n ** 63n, 2n ** 64n - 1n];
    const values = [...edges, ...edges.map((v) => -v), 2n ** 64n, 2n ** 64n + 5n, 2n ** 70n + 0x1234n, 1_780_000_000_123_456_789n];
    for (const v of values) {
      const u = BigInt.asUintN(64, v);
      expect(hiOf(v), `hiOf ${v}`).toBe(Number(u >> 32n) | 0);
      expect(loOf(v), `loOf ${v}`).toBe(Number(u & 0xffffffffn) | 0);
      expect(toBig(hiOf(v), loOf(v)), `toBig ${v}`).toBe(u);
    }
    for (const [hi, lo] of [[0x1fffff, -1], [0x200000, 0], [0x200000, -1], [-1, -1], [0, -1], [0x7fffffff, 1]]) {
      expect(toBig(hi, lo)).toBe((BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0));
    }
  });
});
