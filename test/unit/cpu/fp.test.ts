import { describe, expect, it } from 'vitest';
import { FPSCR, CR } from '../../../src/cpu/state.js';
import { bitsOf, encA, encD, encX, exec, fprBits, fromBits, newMachine, setFprBits, setRn } from './fp-helpers.js';

const FADD = (t: number, a: number, b: number, rc = 0) => encA(63, 21, t, a, b, 0, rc);
const FMADD = (t: number, a: number, c: number, b: number) => encA(63, 29, t, a, b, c);

function run2(word: number, a: number, b: number, rn = 0, c = 0): { r: number; bits: bigint; fpscr: number } {
  const { s, mem } = newMachine();
  setRn(s, rn);
  s.setFpr(2, a);
  s.setFpr(3, b);
  s.setFpr(4, c);
  exec(s, mem, word);
  return { r: s.getFpr(1), bits: fprBits(s, 1), fpscr: s.spr[FPSCR] };
}

describe('fp arithmetic', () => {
  it('fadd rounds in every mode', () => {
    const tiny = 2 ** -60;
    expect(run2(FADD(1, 2, 3), 1, tiny, 0).r).toBe(1);
    expect(run2(FADD(1, 2, 3), 1, tiny, 1).r).toBe(1);
    expect(run2(FADD(1, 2, 3), 1, tiny, 2).r).toBe(1 + 2 ** -52);
    expect(run2(FADD(1, 2, 3), 1, tiny, 3).r).toBe(1);
    expect(run2(FADD(1, 2, 3), -1, -tiny, 3).r).toBe(-1 - 2 ** -52);
    expect(run2(FADD(1, 2, 3), -1, -tiny, 1).r).toBe(-1);
    expect(run2(FADD(1, 2, 3), 1, -tiny, 1).r).toBe(1 - 2 ** -53);
  });
  it('fadd sets XX/FI/FR and FPRF, exact zero sign in round-down', () => {
    const r = run2(FADD(1, 2, 3), 1, 2 ** -60, 2);
    expect(r.fpscr & 0x02000000).toBeTruthy(); // XX
    expect(r.fpscr & 0x00020000).toBeTruthy(); // FI
    expect(r.fpscr & 0x00040000).toBeTruthy(); // FR (rounded up)
    expect((r.fpscr >>> 12) & 0x1f).toBe(0x04); // +normal
    expect(Object.is(run2(FADD(1, 2, 3), 1, -1, 0).r, 0)).toBe(true);
    expect(Object.is(run2(FADD(1, 2, 3), 1, -1, 3).r, -0)).toBe(true);
  });
  it('inf - inf is VXISI with the default QNaN', () => {
    const r = run2(FADD(1, 2, 3), Infinity, -Infinity);
    expect(r.bits).toBe(0x7ff8000000000000n);
    expect(r.fpscr & 0x00800000).toBeTruthy();
    expect(r.fpscr & 0x20000000).toBeTruthy(); // VX
    expect(r.fpscr & 0x80000000).toBeTruthy(); // FX
  });
  it('SNaN propagates quieted and raises VXSNAN; record form copies FX..OX to CR1', () => {
    const { s, mem } = newMachine();
    setFprBits(s, 2, 0x7ff0000000000001n);
    s.setFpr(3, 1);
    exec(s, mem, FADD(1, 2, 3, 1));
    expect(fprBits(s, 1)).toBe(0x7ff8000000000001n);
    expect(s.spr[FPSCR] & 0x01000000).toBeTruthy();
    expect((s.spr[CR] >>> 24) & 0xf).toBe(0b1010); // FX, VX
  });
  it('fmadd of inf*0 with a NaN addend raises VXIMZ only, as QEMU does (no VXSNAN for an SNaN addend)', () => {
    for (const [bBits, single] of [[0x7ff0000000000001n, false], [0x7ff8000000000002n, false], [0x7ff0000000000001n, true]] as const) {
      const { s, mem } = newMachine();
      s.setFpr(2, -Infinity);
      setFprBits(s, 3, bBits);
      s.setFpr(4, 0);
      exec(s, mem, encA(single ? 59 : 63, 31, 1, 2, 3, 4)); // fnmadd[s] f1 = -(f2*f4 + f3)
      expect(s.spr[FPSCR] & 0x00100000).toBeTruthy(); // VXIMZ
      expect(s.spr[FPSCR] & 0x01000000).toBe(0); // no VXSNAN
      // FRB, quieted (the single form keeps a single-format payload)
      expect(fprBits(s, 1)).toBe((bBits | 0x0008000000000000n) & (single ? ~0x1fffffffn : -1n));
    }
  });
  it('fmadd is fused (one rounding)', () => {
    const a = 1 + 2 ** -30;
    const r = run2(FMADD(1, 2, 4, 3), a, -(1 + 2 ** -29), 0, a);
    expect(r.r).toBe(2 ** -60);
  });
  it('fmadd against the BigInt path on random inputs in all modes', async () => {
    const { slowArith } = await import('../../../src/cpu/exec/fpu-core.js');
    let seed = 12345;
    const rnd = () => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return seed;
    };
    const rndD = (span: number) => (rnd() % 2 ? 1 : -1) * 2 ** ((rnd() % span) - span / 2) * (1 + rnd() / 2 ** 32 + rnd() / 2 ** 64);
    for (let i = 0; i < 4000; i++) {
      const a = rndD(60);
      const c = rndD(60);
      const b = i % 3 === 0 ? -a * c * (1 + (rnd() % 5) * 2 ** -52) : rndD(120);
      for (let rn = 0; rn < 4; rn++) {
        for (const single of [false, true]) {
          const word = encA(single ? 59 : 63, 29, 1, 2, 3, 4);
          const got = run2(word, a, b, rn, c);
          const want = slowArith(4, a, c, b, rn, single);
          if (got.bits !== bitsOf(want)) {
            throw new Error(`fmadd${single ? 's' : ''} rn=${rn} a=${a} c=${c} b=${b}: got ${got.r} want ${want} (case ${i})`);
          }
        }
      }
    }
  });
});

describe('fp conversions', () => {
  const FCTIDZ = encX(63, 815, 1, 0, 3);
  const FCTID = encX(63, 814, 1, 0, 3);
  const FCTIWZ = encX(63, 15, 1, 0, 3);
  const FCFID = encX(63, 846, 1, 0, 3);
  const FCFIDS = encX(59, 846, 1, 0, 3);
  it('fctidz truncates and saturates', () => {
    expect(run2(FCTIDZ, 0, -2.7).bits).toBe(0xfffffffffffffffen);
    expect(run2(FCTIDZ, 0, 2 ** 63).bits).toBe(0x7fffffffffffffffn);
    expect(run2(FCTIDZ, 0, -(2 ** 63)).bits).toBe(0x8000000000000000n);
    expect(run2(FCTIDZ, 0, NaN).bits).toBe(0x8000000000000000n);
    expect(run2(FCTIDZ, 0, NaN).fpscr & 0x100).toBeTruthy(); // VXCVI
    expect(run2(FCTIDZ, 0, 2 ** 62 + 2 ** 40).bits).toBe((1n << 62n) + (1n << 40n));
  });
  it('fctid follows RN (ties to even, directed)', () => {
    expect(run2(FCTID, 0, 2.5, 0).bits).toBe(2n);
    expect(run2(FCTID, 0, 3.5, 0).bits).toBe(4n);
    expect(run2(FCTID, 0, -2.5, 0).bits).toBe(0xfffffffffffffffen);
    expect(run2(FCTID, 0, 2.1, 2).bits).toBe(3n);
    expect(run2(FCTID, 0, -2.1, 3).bits).toBe(0xfffffffffffffffdn);
  });
  it('fctiwz saturates to int32 in the low word', () => {
    expect(run2(FCTIWZ, 0, 3e9).bits & 0xffffffffn).toBe(0x7fffffffn);
    expect(run2(FCTIWZ, 0, -3e9).bits & 0xffffffffn).toBe(0x80000000n);
    expect(run2(FCTIWZ, 0, -5.9).bits & 0xffffffffn).toBe(0xfffffffbn);
  });
  it('fcfid and fcfids round once', () => {
    const { s, mem } = newMachine();
    setFprBits(s, 3, (1n << 62n) + 1n);
    exec(s, mem, FCFID);
    expect(s.getFpr(1)).toBe(2 ** 62);
    setFprBits(s, 3, 0xffffffffffffffffn);
    exec(s, mem, FCFID);
    expect(s.getFpr(1)).toBe(-1);
    // 2^53 + 2^29 + 1: Math.fround(Number(x)) double-rounds to 2^53, the single rounding goes up
    setFprBits(s, 3, (1n << 53n) + (1n << 29n) + 1n);
    exec(s, mem, FCFIDS);
    expect(s.getFpr(1)).toBe(2 ** 53 + 2 ** 30);
  });
});

describe('fp loads, stores, moves', () => {
  it('lfs/stfs keep NaN payloads and lfd/stfd round-trip', () => {
    const { s, mem } = newMachine();
    s.setGpr(5, 0x10000n);
    mem.writeU32(0x10000n, 0x7f800001); // single SNaN
    exec(s, mem, encD(48, 1, 5, 0));
    expect(fprBits(s, 1)).toBe(0x7ff0000020000000n);
    exec(s, mem, encD(52, 1, 5, 8));
    expect(mem.readU32(0x10008n)).toBe(0x7f800001);
    setFprBits(s, 2, 0x123456789abcdef0n);
    exec(s, mem, encD(54, 2, 5, 16));
    expect(mem.readU64(0x10010n)).toBe(0x123456789abcdef0n);
    exec(s, mem, encD(51, 3, 5, 16)); // lfdu
    expect(fprBits(s, 3)).toBe(0x123456789abcdef0n);
    expect(s.getGpr(5)).toBe(0x10010n);
  });
  it('fcmpu sets LT/GT/EQ/UN in the CR field and FPCC', () => {
    const { s, mem } = newMachine();
    s.setFpr(2, 1);
    s.setFpr(3, 2);
    exec(s, mem, encX(63, 0, 7 << 2, 2, 3));
    expect((s.spr[CR] >>> 0) & 0xf).toBe(8);
    expect((s.spr[FPSCR] >>> 12) & 0xf).toBe(8);
    s.setFpr(3, NaN);
    exec(s, mem, encX(63, 0, 0, 2, 3));
    expect((s.spr[CR] >>> 28) & 0xf).toBe(1);
  });
  it('fneg/fabs do not touch NaN payloads; fcpsgn takes the sign from FRA', () => {
    const { s, mem } = newMachine();
    setFprBits(s, 3, 0x7ff0000000000005n);
    exec(s, mem, encX(63, 40, 1, 0, 3));
    expect(fprBits(s, 1)).toBe(0xfff0000000000005n);
    s.setFpr(2, -1);
    s.setFpr(3, 5);
    exec(s, mem, encX(63, 8, 1, 2, 3));
    expect(s.getFpr(1)).toBe(-5);
  });
  it('mffs / mtfsf / mtfsb1 round-trip FPSCR', () => {
    const { s, mem } = newMachine();
    setFprBits(s, 3, 0x00000000000000f3n);
    exec(s, mem, ((63 << 26) | (0xff << 17) | (3 << 11) | (711 << 1)) | 0);
    expect(s.spr[FPSCR]).toBe(0xf3);
    exec(s, mem, encX(63, 38, 6, 0, 0)); // mtfsb1 6 = XX (QEMU does not set FX here)
    expect(s.spr[FPSCR] >>> 0).toBe((0x02000000 | 0xf3) >>> 0);
    exec(s, mem, encX(63, 583, 1, 0, 0));
    expect(fprBits(s, 1)).toBe(BigInt(s.spr[FPSCR] >>> 0));
  });
});
