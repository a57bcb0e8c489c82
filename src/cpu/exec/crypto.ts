// POWER8 vector crypto (ISA 2.07): AES rounds (vcipher*, vncipher*, vsbox), SHA-2 sigma functions
// (vshasigmaw/d) and carry-less multiply (vpmsumb/h/w/d). crypto/aes, GCM and SHA-2 run these
// without a feature check. The AES state is the VR's bytes in BE order, column-major as FIPS-197.
import type { CpuState } from '../state.js';
import type { InsnRow } from '../isa-types.js';
import { clHigh, clLow, clmul32, fromBytes, toBytes, vr } from './vec-lanes.js';
import { rowVX } from './common.js';
import { R, rotl64 } from '../int64.js';

const FAMILY = 'crypto';

// ------------------------------------------------------------------ AES tables (built once)

export const SBOX = new Uint8Array(256);
export const INV_SBOX = new Uint8Array(256);
export const MUL2 = new Uint8Array(256);
export const MUL3 = new Uint8Array(256);
export const MUL9 = new Uint8Array(256);
export const MUL11 = new Uint8Array(256);
export const MUL13 = new Uint8Array(256);
export const MUL14 = new Uint8Array(256);

function gmul(a: number, b: number): number {
  let p = 0;
  for (let i = 0; i < 8; i++) {
    if (b & 1) p ^= a;
    const hi = a & 0x80;
    a = (a << 1) & 0xff;
    if (hi) a ^= 0x1b;
    b >>= 1;
  }
  return p;
}
(function buildTables() {
  // Multiplicative inverses from powers of the generator 3: inv(3^i) = 3^(255-i). (A search over
  // all 256x256 products took several ms of every start-up, in V8's cold interpreter.)
  const pow = new Uint8Array(255);
  const log = new Uint8Array(256);
  for (let i = 0, v = 1; i < 255; i++, v = gmul(v, 3)) {
    pow[i] = v;
    log[v] = i;
  }
  for (let x = 0; x < 256; x++) {
    const inv = x === 0 ? 0 : pow[(255 - log[x]!) % 255]!;
    let s = inv;
    let r = inv;
    for (let i = 0; i < 4; i++) {
      r = ((r << 1) | (r >>> 7)) & 0xff;
      s ^= r;
    }
    s ^= 0x63;
    SBOX[x] = s;
    INV_SBOX[s] = x;
    MUL2[x] = gmul(x, 2);
    MUL3[x] = gmul(x, 3);
    MUL9[x] = gmul(x, 9);
    MUL11[x] = gmul(x, 11);
    MUL13[x] = gmul(x, 13);
    MUL14[x] = gmul(x, 14);
  }
})();

const st = new Uint8Array(16);
const tmp = new Uint8Array(16);
const key = new Uint8Array(16);

function cipher(s: CpuState, insn: number, inverse: boolean, last: boolean): void {
  const v = s.vsr;
  toBytes(v, vr((insn >>> 16) & 31), st, 0);
  toBytes(v, vr((insn >>> 11) & 31), key, 0);
  if (!inverse) {
    // ShiftRows + SubBytes: row r of column c comes from column c + r
    for (let c = 0; c < 4; c++) for (let r = 0; r < 4; r++) tmp[4 * c + r] = SBOX[st[4 * ((c + r) & 3) + r]];
    if (!last) {
      for (let c = 0; c < 4; c++) {
        const a0 = tmp[4 * c];
        const a1 = tmp[4 * c + 1];
        const a2 = tmp[4 * c + 2];
        const a3 = tmp[4 * c + 3];
        tmp[4 * c] = MUL2[a0] ^ MUL3[a1] ^ a2 ^ a3;
        tmp[4 * c + 1] = a0 ^ MUL2[a1] ^ MUL3[a2] ^ a3;
        tmp[4 * c + 2] = a0 ^ a1 ^ MUL2[a2] ^ MUL3[a3];
        tmp[4 * c + 3] = MUL3[a0] ^ a1 ^ a2 ^ MUL2[a3];
      }
    }
    for (let i = 0; i < 16; i++) tmp[i] ^= key[i];
  } else {
    for (let c = 0; c < 4; c++) for (let r = 0; r < 4; r++) tmp[4 * c + r] = INV_SBOX[st[4 * ((c - r) & 3) + r]];
    for (let i = 0; i < 16; i++) tmp[i] ^= key[i];
    if (!last) {
      for (let c = 0; c < 4; c++) {
        const a0 = tmp[4 * c];
        const a1 = tmp[4 * c + 1];
        const a2 = tmp[4 * c + 2];
        const a3 = tmp[4 * c + 3];
        tmp[4 * c] = MUL14[a0] ^ MUL11[a1] ^ MUL13[a2] ^ MUL9[a3];
        tmp[4 * c + 1] = MUL9[a0] ^ MUL14[a1] ^ MUL11[a2] ^ MUL13[a3];
        tmp[4 * c + 2] = MUL13[a0] ^ MUL9[a1] ^ MUL14[a2] ^ MUL11[a3];
        tmp[4 * c + 3] = MUL11[a0] ^ MUL13[a1] ^ MUL9[a2] ^ MUL14[a3];
      }
    }
  }
  fromBytes(v, vr((insn >>> 21) & 31), tmp, 0);
}

function vsbox(s: CpuState, insn: number): void {
  const v = s.vsr;
  toBytes(v, vr((insn >>> 16) & 31), st, 0);
  for (let i = 0; i < 16; i++) st[i] = SBOX[st[i]];
  fromBytes(v, vr((insn >>> 21) & 31), st, 0);
}

// ------------------------------------------------------------------ SHA-2 sigma

function rotr32(x: number, n: number): number {
  return (x >>> n) | (x << (32 - n));
}

function vshasigmaw(s: CpuState, insn: number): void {
  const v = s.vsr;
  const a = vr((insn >>> 16) & 31);
  const t = vr((insn >>> 21) & 31);
  const upper = (insn >>> 15) & 1;
  const six = (insn >>> 11) & 15;
  for (let i = 0; i < 4; i++) {
    const x = v[a + i];
    const one = (six >>> (3 - i)) & 1;
    let r: number;
    if (!upper) r = one ? rotr32(x, 17) ^ rotr32(x, 19) ^ (x >>> 10) : rotr32(x, 7) ^ rotr32(x, 18) ^ (x >>> 3);
    else r = one ? rotr32(x, 6) ^ rotr32(x, 11) ^ rotr32(x, 25) : rotr32(x, 2) ^ rotr32(x, 13) ^ rotr32(x, 22);
    tmpW[i] = r;
  }
  v.set(tmpW, t);
}
const tmpW = new Int32Array(4);

// SHA-512 sigma on (hi, lo) halves: two rotates right (rotl64 by 64 - n) and a rotate or a
// shift, XORed; the result is left in R (int64.ts scratch).
function sigma64(h: number, l: number, r1: number, r2: number, r3: number, shift: boolean): void {
  rotl64(h, l, 64 - r1);
  const xh = R[0];
  const xl = R[1];
  rotl64(h, l, 64 - r2);
  const yh = xh ^ R[0];
  const yl = xl ^ R[1];
  if (shift) {
    R[0] = h >>> r3;
    R[1] = (l >>> r3) | (h << (32 - r3)); // r3 is 6 or 7 here: never 0 or >= 32
  } else {
    rotl64(h, l, 64 - r3);
  }
  R[0] ^= yh;
  R[1] ^= yl;
}

function vshasigmad(s: CpuState, insn: number): void {
  const v = s.vsr;
  const a = vr((insn >>> 16) & 31);
  const t = vr((insn >>> 21) & 31);
  const upper = (insn >>> 15) & 1;
  const six = (insn >>> 11) & 15;
  for (let i = 0; i < 2; i++) {
    const h = v[a + 2 * i];
    const l = v[a + 2 * i + 1];
    const one = (six >>> (3 - 2 * i)) & 1;
    if (!upper) {
      if (one) sigma64(h, l, 19, 61, 6, true);
      else sigma64(h, l, 1, 8, 7, true);
    } else if (one) sigma64(h, l, 14, 18, 41, false);
    else sigma64(h, l, 28, 34, 39, false);
    tmpW[2 * i] = R[0];
    tmpW[2 * i + 1] = R[1];
  }
  v.set(tmpW, t);
}

// ------------------------------------------------------------------ carry-less multiply

function vpmsum(s: CpuState, insn: number, size: number): void {
  const v = s.vsr;
  const a = vr((insn >>> 16) & 31);
  const b = vr((insn >>> 11) & 31);
  const t = vr((insn >>> 21) & 31);
  if (size === 8) {
    // 128-bit result: XOR of dw0*dw0 and dw1*dw1, each from four 32x32 products.
    let w0 = 0;
    let w1 = 0;
    let w2 = 0;
    let w3 = 0;
    for (let d = 0; d < 4; d += 2) {
      const ah = v[a + d];
      const al = v[a + d + 1];
      const bh = v[b + d];
      const bl = v[b + d + 1];
      clmul32(al, bl);
      w3 ^= clLow();
      w2 ^= clHigh();
      clmul32(ah, bl);
      w2 ^= clLow();
      w1 ^= clHigh();
      clmul32(al, bh);
      w2 ^= clLow();
      w1 ^= clHigh();
      clmul32(ah, bh);
      w1 ^= clLow();
      w0 ^= clHigh();
    }
    v[t] = w0;
    v[t + 1] = w1;
    v[t + 2] = w2;
    v[t + 3] = w3;
    return;
  }
  if (size === 4) {
    for (let d = 0; d < 4; d += 2) {
      clmul32(v[a + d], v[b + d]);
      let h = clHigh();
      let l = clLow();
      clmul32(v[a + d + 1], v[b + d + 1]);
      h ^= clHigh();
      l ^= clLow();
      tmpW[d] = h;
      tmpW[d + 1] = l;
    }
    v.set(tmpW, t);
    return;
  }
  // bytes -> halfword results, halfwords -> word results: each result fits in one clmul32
  const bits = size * 8;
  const mask = size === 1 ? 0xff : 0xffff;
  for (let w = 0; w < 4; w++) {
    const x = v[a + w];
    const y = v[b + w];
    let r = 0;
    if (size === 1) {
      for (let k = 0; k < 2; k++) {
        const sh = 16 * (1 - k);
        clmul32((x >>> (sh + 8)) & mask, (y >>> (sh + 8)) & mask);
        let p = clLow();
        clmul32((x >>> sh) & mask, (y >>> sh) & mask);
        p ^= clLow();
        r |= (p & 0xffff) << sh;
      }
    } else {
      clmul32((x >>> bits) & mask, (y >>> bits) & mask);
      r = clLow();
      clmul32(x & mask, y & mask);
      r ^= clLow();
    }
    tmpW[w] = r;
  }
  v.set(tmpW, t);
}

function vx(name: string, xo: number, exec: (s: CpuState, insn: number) => void): InsnRow {
  return rowVX(name, FAMILY, xo, (s, _m, i) => exec(s, i));
}

export const cryptoRows: InsnRow[] = [
  vx('vcipher', 1288, (s, i) => cipher(s, i, false, false)),
  vx('vcipherlast', 1289, (s, i) => cipher(s, i, false, true)),
  vx('vncipher', 1352, (s, i) => cipher(s, i, true, false)),
  vx('vncipherlast', 1353, (s, i) => cipher(s, i, true, true)),
  vx('vsbox', 1480, vsbox),
  vx('vshasigmaw', 1666, vshasigmaw),
  vx('vshasigmad', 1730, vshasigmad),
  vx('vpmsumb', 1032, (s, i) => vpmsum(s, i, 1)),
  vx('vpmsumh', 1096, (s, i) => vpmsum(s, i, 2)),
  vx('vpmsumw', 1160, (s, i) => vpmsum(s, i, 4)),
  vx('vpmsumd', 1224, (s, i) => vpmsum(s, i, 8)),
];
