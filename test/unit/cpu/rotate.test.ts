import { describe, expect, it } from 'vitest';
import { CR, XER, XER_CA } from '../../../src/cpu/state.js';
import { M, MD, MDS, XS, X, stateWith, exec1, edgeValues, rotl64, mask, u64, s64, M64 } from './asm.js';
import { CpuState } from '../../../src/cpu/state.js';

const vals = [0x0123456789abcdefn, 0xfedcba9876543210n, M64, 0x8000000000000001n];
const rotl32dup = (x: bigint, n: number): bigint => {
  const w = BigInt.asUintN(32, x);
  const r = BigInt.asUintN(32, (w << BigInt(n)) | (w >> BigInt((32 - n) & 31 || 32)));
  return (r << 32n) | r;
};

// Direct state reuse keeps the exhaustive loops fast.
const s = new CpuState();
function run(word: number, rs: bigint, ra = 0n, rb = 0n): bigint {
  s.setGpr(4, rs);
  s.setGpr(3, ra);
  s.setGpr(5, rb);
  exec1(word, s);
  return s.getGpr(3);
}

describe('rotates: exhaustive over sh/mb/me against a BigInt oracle', () => {
  it('rlwinm, rlwimi, rlwnm: all 32x32x32 (sh, mb, me)', () => {
    for (const x of vals.slice(0, 2)) {
      for (let sh = 0; sh < 32; sh++) {
        for (let mb = 0; mb < 32; mb++) {
          for (let me = 0; me < 32; me++) {
            const m = mask(mb + 32, me + 32);
            const r = rotl32dup(x, sh) & m;
            const got = run(M(21, 4, 3, sh, mb, me), x);
            if (got !== r) expect(got, `rlwinm sh=${sh} mb=${mb} me=${me}`).toBe(r);
            const old = 0x5555aaaa5555aaaan;
            const gi = run(M(20, 4, 3, sh, mb, me), x, old);
            const wi = r | (old & u64(~m));
            if (gi !== wi) expect(gi, `rlwimi sh=${sh} mb=${mb} me=${me}`).toBe(wi);
            const gn = run(M(23, 4, 3, 5, mb, me), x, 0n, BigInt(sh) | 0xffffffe0n); // only RB[59:63] count
            if (gn !== r) expect(gn, `rlwnm sh=${sh} mb=${mb} me=${me}`).toBe(r);
          }
        }
      }
    }
  });

  it('rldicl, rldicr, rldic, rldimi, rldcl, rldcr: all 64x64 (sh, mb/me)', () => {
    for (const x of vals) {
      for (let sh = 0; sh < 64; sh++) {
        const rot = rotl64(x, sh);
        for (let mb = 0; mb < 64; mb++) {
          const checks: Array<[string, number, bigint, bigint, bigint]> = [
            ['rldicl', MD(4, 3, sh, mb, 0), rot & mask(mb, 63), 0n, 0n],
            ['rldicr', MD(4, 3, sh, mb, 1), rot & mask(0, mb), 0n, 0n],
            ['rldic', MD(4, 3, sh, mb, 2), rot & mask(mb, 63 - sh), 0n, 0n],
            [
              'rldimi', MD(4, 3, sh, mb, 3),
              (rot & mask(mb, 63 - sh)) | (0x3333cccc3333ccccn & u64(~mask(mb, 63 - sh))), 0x3333cccc3333ccccn, 0n,
            ],
            ['rldcl', MDS(4, 3, 5, mb, 8), rot & mask(mb, 63), 0n, BigInt(sh) | 0xffc0n],
            ['rldcr', MDS(4, 3, 5, mb, 9), rot & mask(0, mb), 0n, BigInt(sh) | 0xffc0n],
          ];
          for (const [name, word, want, ra, rb] of checks) {
            const got = run(word, x, ra, rb);
            if (got !== want) expect(got, `${name} x=${x.toString(16)} sh=${sh} mb=${mb}`).toBe(want);
          }
        }
      }
    }
  });

  it('record forms set CR0 from the 64-bit result', () => {
    const st = stateWith({ gpr: { 4: 0x8000000000000000n } });
    exec1(MD(4, 3, 0, 0, 0, 1), st); // rldicl. r3,r4,0,0
    expect(st.spr[CR] >>> 28).toBe(8);
    exec1(MD(4, 3, 1, 0, 0, 1), st); // rotate the sign bit to bit 63 -> 1
    expect(st.spr[CR] >>> 28).toBe(4);
    exec1(M(21, 4, 3, 0, 0, 31, 1), st); // rlwinm. of zero low word
    expect(st.spr[CR] >>> 28).toBe(2);
  });
});

describe('shifts', () => {
  const operands = [...edgeValues()];
  it('sld/srd/srad for amounts 0..127 (bit 57 selects zero / sign fill)', () => {
    for (const x of operands) {
      for (let n = 0; n < 128; n++) {
        const rb = BigInt(n) | 0xff00n; // only RB[57:63] count
        expect(run(X(31, 4, 3, 5, 27), x, 0n, rb)).toBe(n >= 64 ? 0n : u64(x << BigInt(n)));
        expect(run(X(31, 4, 3, 5, 539), x, 0n, rb)).toBe(n >= 64 ? 0n : x >> BigInt(n));
        s.spr[XER] = 0;
        const want = u64(s64(x) >> BigInt(Math.min(n, 63)));
        expect(run(X(31, 4, 3, 5, 794), x, 0n, rb), `srad ${x.toString(16)} ${n}`).toBe(want);
        const lost = n >= 64 ? x : x & ((1n << BigInt(n)) - 1n);
        expect((s.spr[XER] & XER_CA) !== 0, `srad CA ${x.toString(16)} ${n}`).toBe(s64(x) < 0n && lost !== 0n);
      }
    }
  });

  it('sradi for sh 0..63 sets CA from the bits shifted out', () => {
    for (const x of operands) {
      for (let n = 0; n < 64; n++) {
        s.spr[XER] = XER_CA;
        expect(run(XS(4, 3, n, 413), x)).toBe(u64(s64(x) >> BigInt(n)));
        const lost = x & ((1n << BigInt(n)) - 1n);
        expect((s.spr[XER] & XER_CA) !== 0).toBe(s64(x) < 0n && lost !== 0n);
      }
    }
  });

  it('slw/srw/sraw/srawi work on the low word (amounts 0..63)', () => {
    for (const x of operands) {
      const w = BigInt.asUintN(32, x);
      const sw = BigInt.asIntN(32, x);
      for (let n = 0; n < 64; n++) {
        const rb = BigInt(n) | 0xffc0n;
        expect(run(X(31, 4, 3, 5, 24), x, 0n, rb)).toBe(n >= 32 ? 0n : BigInt.asUintN(32, w << BigInt(n)));
        expect(run(X(31, 4, 3, 5, 536), x, 0n, rb)).toBe(n >= 32 ? 0n : w >> BigInt(n));
        s.spr[XER] = 0;
        expect(run(X(31, 4, 3, 5, 792), x, 0n, rb)).toBe(u64(sw >> BigInt(Math.min(n, 31))));
        const lost = n >= 32 ? w : w & ((1n << BigInt(n)) - 1n);
        expect((s.spr[XER] & XER_CA) !== 0, `sraw CA ${x.toString(16)} ${n}`).toBe(sw < 0n && lost !== 0n);
        if (n < 32) {
          expect(run(X(31, 4, 3, n, 824), x)).toBe(u64(sw >> BigInt(n)));
          expect((s.spr[XER] & XER_CA) !== 0).toBe(sw < 0n && (w & ((1n << BigInt(n)) - 1n)) !== 0n);
        }
      }
    }
  });
});
