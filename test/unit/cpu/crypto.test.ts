import { describe, expect, it } from 'vitest';
import { SBOX } from '../../../src/cpu/exec/crypto.js';
import { encVX, exec, newMachine } from './fp-helpers.js';
import type { CpuState } from '../../../src/cpu/state.js';
import { hiOf, loOf, toBig } from '../../../src/cpu/int64.js';

function setVr(s: CpuState, n: number, bytes: number[]): void {
  for (let i = 0; i < 4; i++) {
    s.vsr[4 * (32 + n) + i] = (bytes[4 * i] << 24) | (bytes[4 * i + 1] << 16) | (bytes[4 * i + 2] << 8) | bytes[4 * i + 3];
  }
}
function getVr(s: CpuState, n: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < 4; i++) {
    const w = s.vsr[4 * (32 + n) + i];
    out.push((w >>> 24) & 255, (w >>> 16) & 255, (w >>> 8) & 255, w & 255);
  }
  return out;
}
const hex = (s: string) => s.match(/../g)!.map((h) => parseInt(h, 16));
const toHex = (b: number[]) => b.map((x) => x.toString(16).padStart(2, '0')).join('');

function expandKey128(key: number[]): number[][] {
  const w: number[][] = [];
  for (let i = 0; i < 4; i++) w.push(key.slice(4 * i, 4 * i + 4));
  let rcon = 1;
  for (let i = 4; i < 44; i++) {
    let t = w[i - 1].slice();
    if (i % 4 === 0) {
      t = [SBOX[t[1]] ^ rcon, SBOX[t[2]], SBOX[t[3]], SBOX[t[0]]];
      rcon = rcon & 0x80 ? ((rcon << 1) ^ 0x11b) & 0xff : rcon << 1;
    }
    w.push(w[i - 4].map((x, j) => x ^ t[j]));
  }
  const keys: number[][] = [];
  for (let r = 0; r < 11; r++) keys.push([...w[4 * r], ...w[4 * r + 1], ...w[4 * r + 2], ...w[4 * r + 3]]);
  return keys;
}

describe('AES through vcipher/vncipher', () => {
  it('S-box spot values', () => {
    expect(SBOX[0x00]).toBe(0x63);
    expect(SBOX[0x53]).toBe(0xed);
    expect(SBOX[0xff]).toBe(0x16);
  });
  it('FIPS-197 appendix B encrypts and decrypts', () => {
    const { s, mem } = newMachine();
    const keys = expandKey128(hex('2b7e151628aed2a6abf7158809cf4f3c'));
    const pt = hex('3243f6a8885a308d313198a2e0370734');
    setVr(s, 1, pt.map((x, i) => x ^ keys[0][i]));
    for (let r = 1; r <= 10; r++) {
      setVr(s, 2, keys[r]);
      exec(s, mem, encVX(r === 10 ? 1289 : 1288, 1, 1, 2));
    }
    expect(toHex(getVr(s, 1))).toBe('3925841d02dc09fbdc118597196a0b32');
    setVr(s, 1, getVr(s, 1).map((x, i) => x ^ keys[10][i]));
    for (let r = 9; r >= 0; r--) {
      setVr(s, 2, keys[r]);
      exec(s, mem, encVX(r === 0 ? 1353 : 1352, 1, 1, 2));
    }
    expect(toHex(getVr(s, 1))).toBe(toHex(pt));
  });
  it('vsbox substitutes every byte', () => {
    const { s, mem } = newMachine();
    const b = Array.from({ length: 16 }, (_, i) => i * 17);
    setVr(s, 3, b);
    exec(s, mem, encVX(1480, 4, 3, 0));
    expect(getVr(s, 4)).toEqual(b.map((x) => SBOX[x]));
  });
});

// SHA-256 and SHA-512 of "abc", with every sigma computed by vshasigmaw / vshasigmad.
describe('SHA-2 sigma through vshasigma', () => {
  it('SHA-256("abc")', () => {
    const { s, mem } = newMachine();
    const sig = (x: number, st: number, one: number): number => {
      s.vsr[4 * 33] = x;
      exec(s, mem, encVX(1666, 2, 1, (st << 4) | (one ? 8 : 0)));
      return s.vsr[4 * 34] >>> 0;
    };
    const K = [
      0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
      0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
      0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
      0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
    ];
    const W = new Array(64).fill(0);
    W[0] = 0x61626380;
    W[15] = 24;
    for (let t = 16; t < 64; t++) W[t] = (sig(W[t - 2], 0, 1) + W[t - 7] + sig(W[t - 15], 0, 0) + W[t - 16]) >>> 0;
    const H = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];
    let [a, b, c, d, e, f, g, h] = H;
    for (let t = 0; t < 64; t++) {
      const t1 = (h + sig(e, 1, 1) + ((e & f) ^ (~e & g)) + K[t] + W[t]) >>> 0;
      const t2 = (sig(a, 1, 0) + ((a & b) ^ (a & c) ^ (b & c))) >>> 0;
      h = g;
      g = f;
      f = e;
      e = (d + t1) >>> 0;
      d = c;
      c = b;
      b = a;
      a = (t1 + t2) >>> 0;
    }
    const out = [a, b, c, d, e, f, g, h].map((x, i) => ((x + H[i]) >>> 0).toString(16).padStart(8, '0')).join('');
    expect(out).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
  it('vshasigmad matches the SHA-512 definitions on both lanes', () => {
    const { s, mem } = newMachine();
    const M = (1n << 64n) - 1n;
    const rotr = (x: bigint, n: bigint) => ((x >> n) | (x << (64n - n))) & M;
    const ref = [
      (x: bigint) => rotr(x, 1n) ^ rotr(x, 8n) ^ (x >> 7n),
      (x: bigint) => rotr(x, 19n) ^ rotr(x, 61n) ^ (x >> 6n),
      (x: bigint) => rotr(x, 28n) ^ rotr(x, 34n) ^ rotr(x, 39n),
      (x: bigint) => rotr(x, 14n) ^ rotr(x, 18n) ^ rotr(x, 41n),
    ];
    let seed = 7n;
    for (let i = 0; i < 200; i++) {
      seed = (seed * 6364136223846793005n + 1442695040888963407n) & M;
      const x0 = seed;
      const x1 = (seed * 3n + 12345n) & M;
      s.setGpr(0, 0n);
      s.vsr[4 * 33] = hiOf(x0);
      s.vsr[4 * 33 + 1] = loOf(x0);
      s.vsr[4 * 33 + 2] = hiOf(x1);
      s.vsr[4 * 33 + 3] = loOf(x1);
      const st = i & 1;
      const six = (i >> 1) & 15;
      exec(s, mem, encVX(1730, 2, 1, (st << 4) | six));
      const got0 = toBig(s.vsr[4 * 34], s.vsr[4 * 34 + 1]);
      const got1 = toBig(s.vsr[4 * 34 + 2], s.vsr[4 * 34 + 3]);
      expect(got0).toBe(ref[2 * st + ((six >> 3) & 1)](x0));
      expect(got1).toBe(ref[2 * st + ((six >> 1) & 1)](x1));
    }
  });
});

describe('carry-less multiply', () => {
  const clmul = (a: bigint, b: bigint): bigint => {
    let r = 0n;
    for (let i = 0n; b >> i; i++) if ((b >> i) & 1n) r ^= a << i;
    return r;
  };
  const vrBig = (s: CpuState, n: number): bigint => {
    let r = 0n;
    for (let i = 0; i < 4; i++) r = (r << 32n) | BigInt(s.vsr[4 * (32 + n) + i] >>> 0);
    return r;
  };
  it('vpmsumb/h/w/d against a BigInt reference', () => {
    const { s, mem } = newMachine();
    let seed = 99;
    const rnd = () => (seed = (Math.imul(seed, 1664525) + 1013904223) | 0);
    for (let iter = 0; iter < 300; iter++) {
      for (let i = 0; i < 8; i++) s.vsr[4 * 33 + i] = iter === 0 ? -1 : rnd();
      const a = vrBig(s, 1);
      const b = vrBig(s, 2);
      for (const [xo, bits] of [
        [1032, 8n],
        [1096, 16n],
        [1160, 32n],
        [1224, 64n],
      ] as const) {
        exec(s, mem, encVX(xo, 3, 1, 2));
        const mask = (1n << bits) - 1n;
        let want = 0n;
        const n = 128n / bits;
        for (let j = 0n; j < n; j += 2n) {
          const sh0 = 128n - bits * (j + 1n);
          const sh1 = 128n - bits * (j + 2n);
          const p = clmul((a >> sh0) & mask, (b >> sh0) & mask) ^ clmul((a >> sh1) & mask, (b >> sh1) & mask);
          want |= p << sh1;
        }
        expect(vrBig(s, 3).toString(16)).toBe(want.toString(16));
      }
    }
  });
});
