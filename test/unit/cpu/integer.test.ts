import { describe, expect, it } from 'vitest';
import { CR, XER, XER_CA, XER_OV, XER_SO } from '../../../src/cpu/state.js';
import { D, XO, X, stateWith, exec1, edgeValues, u64, s64, M64, rng } from './asm.js';

const CA = XER_CA;
const vals = edgeValues();
const cr0 = (v: bigint, so = 0): number => {
  const sv = s64(v);
  return ((sv < 0n ? 8 : sv > 0n ? 4 : 2) | so) << 28;
};

interface Case {
  name: string;
  xo: number;
  /** Oracle: [result, carry-out or null if CA untouched, overflow]. */
  f: (a: bigint, b: bigint, ca: number) => [bigint, number | null, boolean];
  unary?: boolean;
}

const sext = (v: bigint): bigint => s64(v);
const addOv = (x: bigint, y: bigint, c: number): boolean => {
  const r = sext(x) + sext(y) + BigInt(c);
  return r !== s64(r);
};

const cases: Case[] = [
  { name: 'add', xo: 266, f: (a, b) => [u64(a + b), null, addOv(a, b, 0)] },
  { name: 'subf', xo: 40, f: (a, b) => [u64(b - a), null, addOv(u64(~a), b, 1)] },
  { name: 'neg', xo: 104, unary: true, f: (a) => [u64(-a), null, a === 0x8000000000000000n] },
  { name: 'addc', xo: 10, f: (a, b) => [u64(a + b), a + b > M64 ? 1 : 0, addOv(a, b, 0)] },
  { name: 'adde', xo: 138, f: (a, b, c) => [u64(a + b + BigInt(c)), a + b + BigInt(c) > M64 ? 1 : 0, addOv(a, b, c)] },
  { name: 'addze', xo: 202, unary: true, f: (a, _b, c) => [u64(a + BigInt(c)), a + BigInt(c) > M64 ? 1 : 0, addOv(a, 0n, c)] },
  { name: 'addme', xo: 234, unary: true, f: (a, _b, c) => [u64(a + M64 + BigInt(c)), a + M64 + BigInt(c) > M64 ? 1 : 0, addOv(a, M64, c)] },
  { name: 'subfc', xo: 8, f: (a, b) => [u64(b - a), u64(~a) + b + 1n > M64 ? 1 : 0, addOv(u64(~a), b, 1)] },
  { name: 'subfe', xo: 136, f: (a, b, c) => [u64(u64(~a) + b + BigInt(c)), u64(~a) + b + BigInt(c) > M64 ? 1 : 0, addOv(u64(~a), b, c)] },
  { name: 'subfze', xo: 200, unary: true, f: (a, _b, c) => [u64(u64(~a) + BigInt(c)), u64(~a) + BigInt(c) > M64 ? 1 : 0, addOv(u64(~a), 0n, c)] },
  { name: 'subfme', xo: 232, unary: true, f: (a, _b, c) => [u64(u64(~a) + M64 + BigInt(c)), u64(~a) + M64 + BigInt(c) > M64 ? 1 : 0, addOv(u64(~a), M64, c)] },
  { name: 'mulld', xo: 233, f: (a, b) => { const p = sext(a) * sext(b); return [u64(p), null, p !== s64(p)]; } },
  { name: 'mulhd', xo: 73, f: (a, b) => [u64((sext(a) * sext(b)) >> 64n), null, false] },
  { name: 'mulhdu', xo: 9, f: (a, b) => [u64((a * b) >> 64n), null, false] },
  {
    name: 'mullw', xo: 235, f: (a, b) => {
      const p = BigInt.asIntN(32, a) * BigInt.asIntN(32, b);
      return [u64(p), null, p !== BigInt.asIntN(32, p)];
    },
  },
  {
    name: 'divd', xo: 489, f: (a, b) => {
      const bad = b === 0n || (a === 0x8000000000000000n && b === M64);
      return [bad ? a : u64(sext(a) / sext(b)), null, bad]; // qemu: divide by 1
    },
  },
  { name: 'divdu', xo: 457, f: (a, b) => [b === 0n ? a : a / b, null, b === 0n] },
  {
    name: 'divw', xo: 491, f: (a, b) => {
      const x = BigInt.asIntN(32, a);
      const y = BigInt.asIntN(32, b);
      const bad = y === 0n || (x === -0x80000000n && y === -1n);
      return [BigInt.asUintN(32, bad ? x : x / y), null, bad];
    },
  },
  {
    name: 'divwu', xo: 459, f: (a, b) => {
      const x = BigInt.asUintN(32, a);
      const y = BigInt.asUintN(32, b);
      return [y === 0n ? x : x / y, null, y === 0n];
    },
  },
];

describe('integer arithmetic (XO-form) against BigInt oracles', () => {
  const r = rng(0x1234n);
  const operands = [...vals, ...Array.from({ length: 12 }, () => r())];
  for (const c of cases) {
    it(`${c.name}: all edge pairs, CA in/out, OE and Rc forms`, () => {
      for (const a of operands) {
        for (const b of c.unary ? [0n] : operands) {
          for (const ca of [0, 1]) {
            for (const [oe, rc] of [[0, 0], [1, 1]]) {
              const s = stateWith({ gpr: { 4: a, 5: b }, xer: ca ? CA : 0 });
              exec1(XO(3, 4, c.unary ? 0 : 5, c.xo, oe, rc), s);
              const [res, co, ov] = c.f(a, b, ca);
              const ctx = `${c.name} a=${a.toString(16)} b=${b.toString(16)} ca=${ca} oe=${oe}`;
              expect(s.getGpr(3), ctx).toBe(res);
              const xer = s.spr[XER];
              expect((xer & CA) !== 0, ctx + ' CA').toBe(co === null ? ca === 1 : co === 1);
              if (oe) {
                expect((xer & XER_OV) !== 0, ctx + ' OV').toBe(ov);
                expect((xer & XER_SO) !== 0, ctx + ' SO').toBe(ov);
              }
              if (rc) expect(s.spr[CR] >>> 0, ctx + ' CR0').toBe(cr0(res, ov ? 1 : 0) >>> 0);
            }
          }
        }
      }
    });
  }

  it('SO is sticky and copied into CR0 by record forms', () => {
    const s = stateWith({ gpr: { 4: 1n, 5: 2n }, xer: XER_SO });
    exec1(XO(3, 4, 5, 266, 0, 1), s); // add.
    expect(s.spr[CR] >>> 28).toBe(4 | 1);
    exec1(XO(3, 4, 5, 266, 1, 0), s); // addo (no overflow) keeps SO
    expect(s.spr[XER] & XER_SO).toBe(XER_SO);
    expect(s.spr[XER] & XER_OV).toBe(0);
  });
});

describe('immediate forms', () => {
  it('addi/addis treat RA=0 as zero and sign-extend', () => {
    const s = stateWith({ gpr: { 0: 0x55n, 4: 0xffffffffn } });
    exec1(D(14, 3, 0, -2), s);
    expect(s.getGpr(3)).toBe(M64 - 1n);
    exec1(D(15, 3, 0, 0x8000), s);
    expect(s.getGpr(3)).toBe(0xffffffff80000000n);
    exec1(D(14, 3, 4, 1), s); // carry into the high word
    expect(s.getGpr(3)).toBe(0x100000000n);
    exec1(D(15, 3, 4, -1), s);
    expect(s.getGpr(3)).toBe(u64(0xffffffffn - 0x10000n));
  });

  it('addic / addic. / subfic set CA; mulli multiplies by a signed immediate', () => {
    for (const a of vals) {
      for (const imm of [0, 1, -1, 0x7fff, -0x8000]) {
        const s = stateWith({ gpr: { 4: a } });
        exec1(D(13, 3, 4, imm), s);
        const sum = a + u64(BigInt(imm));
        expect(s.getGpr(3)).toBe(u64(sum));
        expect((s.spr[XER] & CA) !== 0).toBe(sum > M64);
        expect(s.spr[CR] >>> 0).toBe(cr0(u64(sum)) >>> 0);
        exec1(D(8, 3, 4, imm), s);
        const d = u64(~a) + u64(BigInt(imm)) + 1n;
        expect(s.getGpr(3)).toBe(u64(d));
        expect((s.spr[XER] & CA) !== 0).toBe(d > M64);
        exec1(D(7, 3, 4, imm), s);
        expect(s.getGpr(3)).toBe(u64(a * BigInt(imm)));
      }
    }
  });

  it('logical immediates zero-extend UI; andi. records', () => {
    const s = stateWith({ gpr: { 4: 0xffffffff_ffff0f0fn } });
    exec1(D(24, 4, 3, 0x8001), s); // ori r3,r4
    expect(s.getGpr(3)).toBe(0xffffffff_ffff8f0fn);
    exec1(D(25, 4, 3, 0x8001), s); // oris
    expect(s.getGpr(3)).toBe(0xffffffff_ffff0f0fn);
    exec1(D(26, 4, 3, 0xffff), s); // xori
    expect(s.getGpr(3)).toBe(0xffffffff_fffff0f0n);
    exec1(D(27, 4, 3, 0xffff), s); // xoris
    expect(s.getGpr(3)).toBe(0xffffffff_0000_0f0fn);
    exec1(D(28, 4, 3, 0x00f0), s); // andi.
    expect(s.getGpr(3)).toBe(0n);
    expect(s.spr[CR] >>> 28).toBe(2);
    exec1(D(29, 4, 3, 0x8000), s); // andis.
    expect(s.getGpr(3)).toBe(0x80000000n);
    expect(s.spr[CR] >>> 28).toBe(4);
  });
});

describe('logical and count instructions', () => {
  const r = rng(77n);
  const operands = [...vals, r(), r(), r()];
  const byteEq = (a: bigint, b: bigint): bigint => {
    let out = 0n;
    for (let k = 0n; k < 64n; k += 8n) if (((a >> k) & 0xffn) === ((b >> k) & 0xffn)) out |= 0xffn << k;
    return out;
  };
  const pop = (v: bigint): bigint => BigInt(v.toString(2).replace(/0/g, '').length);
  const lanes = (v: bigint, bits: bigint): bigint => {
    let out = 0n;
    for (let k = 0n; k < 64n; k += bits) out |= pop((v >> k) & ((1n << bits) - 1n)) << k;
    return out;
  };
  const clz = (v: bigint, bits: number): bigint => BigInt(v === 0n ? bits : bits - v.toString(2).length);
  const ops: Array<[string, number, (a: bigint, b: bigint) => bigint]> = [
    ['or', 444, (a, b) => a | b],
    ['and', 28, (a, b) => a & b],
    ['xor', 316, (a, b) => a ^ b],
    ['andc', 60, (a, b) => a & u64(~b)],
    ['orc', 412, (a, b) => u64(a | ~b)],
    ['nor', 124, (a, b) => u64(~(a | b))],
    ['nand', 476, (a, b) => u64(~(a & b))],
    ['eqv', 284, (a, b) => u64(~(a ^ b))],
    ['extsb', 954, (a) => u64(BigInt.asIntN(8, a))],
    ['extsh', 922, (a) => u64(BigInt.asIntN(16, a))],
    ['extsw', 986, (a) => u64(BigInt.asIntN(32, a))],
    ['cntlzw', 26, (a) => clz(BigInt.asUintN(32, a), 32)],
    ['cntlzd', 58, (a) => clz(a, 64)],
    ['popcntb', 122, (a) => lanes(a, 8n)],
    ['popcntw', 378, (a) => lanes(a, 32n)],
    ['popcntd', 506, (a) => pop(a)],
    ['cmpb', 508, byteEq],
  ];
  for (const [name, xo, f] of ops) {
    it(name, () => {
      for (const a of operands) {
        for (const b of operands) {
          const s = stateWith({ gpr: { 4: a, 5: b } });
          const rc = name.startsWith('popcnt') || name === 'cmpb' ? 0 : 1;
          exec1(X(31, 4, 3, 5, xo, rc), s); // RA=3 <- f(RS=4, RB=5)
          const want = f(a, b);
          expect(s.getGpr(3), `${name} ${a.toString(16)} ${b.toString(16)}`).toBe(want);
          if (rc) expect(s.spr[CR] >>> 0).toBe(cr0(want) >>> 0);
        }
      }
    });
  }
});

describe('compares', () => {
  const nib = (lt: boolean, gt: boolean): number => (lt ? 8 : gt ? 4 : 2);
  it('cmp/cmpl/cmpi/cmpli honour L and field BF, copy SO', () => {
    for (const a of vals) {
      for (const b of vals) {
        for (const bf of [0, 3, 7]) {
          for (const l of [0, 1]) {
            const s = stateWith({ gpr: { 4: a, 5: b }, xer: XER_SO, cr: 0x12345678 });
            exec1(X(31, (bf << 2) | l, 4, 5, 0), s);
            const [x, y] = l ? [s64(a), s64(b)] : [BigInt.asIntN(32, a), BigInt.asIntN(32, b)];
            const want = nib(x < y, x > y) | 1;
            const sh = 28 - 4 * bf;
            expect((s.spr[CR] >>> sh) & 15).toBe(want);
            expect(s.spr[CR] & ~(15 << sh)).toBe(0x12345678 & ~(15 << sh));
            exec1(X(31, (bf << 2) | l, 4, 5, 32), s);
            const [ux, uy] = l ? [a, b] : [BigInt.asUintN(32, a), BigInt.asUintN(32, b)];
            expect((s.spr[CR] >>> sh) & 15).toBe(nib(ux < uy, ux > uy) | 1);
          }
        }
        for (const imm of [0, 1, -1, 0x7fff, -0x8000]) {
          const s = stateWith({ gpr: { 4: a } });
          exec1(D(11, 1, 4, imm), s); // cmpdi cr0
          expect(s.spr[CR] >>> 28).toBe(nib(s64(a) < BigInt(imm), s64(a) > BigInt(imm)));
          exec1(D(10, 0, 4, imm), s); // cmplwi cr0
          const ua = BigInt.asUintN(32, a);
          const ui = BigInt(imm & 0xffff);
          expect(s.spr[CR] >>> 28).toBe(nib(ua < ui, ua > ui));
        }
      }
    }
  });

  it('isel picks RA|0 when the CR bit is set', () => {
    const s = stateWith({ gpr: { 4: 44n, 5: 55n }, cr: 0x20000000 }); // CR0 EQ
    exec1(X(31, 3, 4, 5, (2 << 5) | 15) /* bc=2 */, s);
    expect(s.getGpr(3)).toBe(44n);
    exec1(X(31, 3, 0, 5, (2 << 5) | 15), s);
    expect(s.getGpr(3)).toBe(0n);
    exec1(X(31, 3, 4, 5, (0 << 5) | 15), s);
    expect(s.getGpr(3)).toBe(55n);
  });
});
