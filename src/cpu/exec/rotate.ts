// Rotates and shifts (Power ISA book I, 3.3.13-3.3.14). JS shift counts are taken mod 32, so
// every amount >= 32 is handled explicitly. MASK(mb, me) comes from the precomputed MASK64 table.
import type { CpuState } from '../state.js';
import type { GuestMemory } from '../memory.js';
import type { InsnRow } from '../isa-types.js';
import { ra, rb, rt, mbM, meM, shMD, mbMD } from '../fields.js';
import { R, MASK64, rotl64 } from '../int64.js';
import { rowD, rowX, rowMD, rowMDS, rowXS, setCr0, setCa } from './common.js';

type M = GuestMemory;

function put(s: CpuState, i: number, hi: number, lo: number): void {
  const d = ra(i) << 1;
  s.gpr[d + 1] = hi;
  s.gpr[d] = lo;
  if (i & 1) setCr0(s, hi, lo);
}

function rotl32(x: number, n: number): number {
  return n === 0 ? x : (x << n) | (x >>> (32 - n));
}

// ---------------------------------------------------------------- M-form (32-bit rotates)

/** rlwinm: ROTL32 on x||x, then AND with MASK(MB+32, ME+32). */
export function rlwinm(s: CpuState, _m: M, i: number): void {
  const r = rotl32(s.gpr[(rt(i) << 1)], rb(i));
  const k = ((mbM(i) + 32) * 64 + meM(i) + 32) << 1;
  put(s, i, r & MASK64[k], r & MASK64[k + 1]);
}

export function rlwnm(s: CpuState, _m: M, i: number): void {
  const r = rotl32(s.gpr[(rt(i) << 1)], s.gpr[(rb(i) << 1)] & 31);
  const k = ((mbM(i) + 32) * 64 + meM(i) + 32) << 1;
  put(s, i, r & MASK64[k], r & MASK64[k + 1]);
}

export function rlwimi(s: CpuState, _m: M, i: number): void {
  const r = rotl32(s.gpr[(rt(i) << 1)], rb(i));
  const k = ((mbM(i) + 32) * 64 + meM(i) + 32) << 1;
  const d = ra(i) << 1;
  const mh = MASK64[k];
  const ml = MASK64[k + 1];
  put(s, i, (r & mh) | (s.gpr[d + 1] & ~mh), (r & ml) | (s.gpr[d] & ~ml));
}

// ---------------------------------------------------------------- MD / MDS-form (64-bit rotates)

function rotMask(s: CpuState, i: number, n: number, mb: number, me: number): void {
  const a = rt(i) << 1;
  rotl64(s.gpr[a + 1], s.gpr[a], n);
  const k = (mb * 64 + me) << 1;
  put(s, i, R[0] & MASK64[k], R[1] & MASK64[k + 1]);
}

export function rldicl(s: CpuState, _m: M, i: number): void {
  rotMask(s, i, shMD(i), mbMD(i), 63);
}
export function rldicr(s: CpuState, _m: M, i: number): void {
  rotMask(s, i, shMD(i), 0, mbMD(i));
}
export function rldic(s: CpuState, _m: M, i: number): void {
  const sh = shMD(i);
  rotMask(s, i, sh, mbMD(i), 63 - sh);
}
export function rldimi(s: CpuState, _m: M, i: number): void {
  const sh = shMD(i);
  const a = rt(i) << 1;
  rotl64(s.gpr[a + 1], s.gpr[a], sh);
  const k = (mbMD(i) * 64 + 63 - sh) << 1;
  const mh = MASK64[k];
  const ml = MASK64[k + 1];
  const d = ra(i) << 1;
  put(s, i, (R[0] & mh) | (s.gpr[d + 1] & ~mh), (R[1] & ml) | (s.gpr[d] & ~ml));
}
export function rldcl(s: CpuState, _m: M, i: number): void {
  rotMask(s, i, s.gpr[(rb(i) << 1)] & 63, mbMD(i), 63);
}
export function rldcr(s: CpuState, _m: M, i: number): void {
  rotMask(s, i, s.gpr[(rb(i) << 1)] & 63, 0, mbMD(i));
}

// ---------------------------------------------------------------- shifts

/** sld: amount RB[57:63]; 64..127 give 0. */
export function sld(s: CpuState, _m: M, i: number): void {
  const a = rt(i) << 1;
  const n = s.gpr[(rb(i) << 1)] & 127;
  const hi = s.gpr[a + 1];
  const lo = s.gpr[a];
  if (n >= 64) put(s, i, 0, 0);
  else if (n >= 32) put(s, i, lo << (n - 32), 0);
  else if (n === 0) put(s, i, hi, lo);
  else put(s, i, (hi << n) | (lo >>> (32 - n)), lo << n);
}

export function srd(s: CpuState, _m: M, i: number): void {
  const a = rt(i) << 1;
  const n = s.gpr[(rb(i) << 1)] & 127;
  const hi = s.gpr[a + 1];
  const lo = s.gpr[a];
  if (n >= 64) put(s, i, 0, 0);
  else if (n >= 32) put(s, i, 0, hi >>> (n - 32));
  else if (n === 0) put(s, i, hi, lo);
  else put(s, i, hi >>> n, (lo >>> n) | (hi << (32 - n)));
}

/** Arithmetic 64-bit right shift by n (0..127 meaningful as >=64 -> sign fill); CA = neg && lost ones. */
function sra64(s: CpuState, i: number, n: number): void {
  const a = rt(i) << 1;
  const hi = s.gpr[a + 1];
  const lo = s.gpr[a];
  let rh: number;
  let rl: number;
  let lost: number;
  if (n >= 64) {
    rh = hi >> 31;
    rl = rh;
    lost = hi | lo;
  } else if (n >= 32) {
    rh = hi >> 31;
    rl = hi >> (n - 32);
    lost = lo | (n === 32 ? 0 : hi << (64 - n));
  } else if (n === 0) {
    rh = hi;
    rl = lo;
    lost = 0;
  } else {
    rh = hi >> n;
    rl = (lo >>> n) | (hi << (32 - n));
    lost = lo << (32 - n);
  }
  setCa(s, hi < 0 && lost !== 0 ? 1 : 0);
  put(s, i, rh, rl);
}

export function srad(s: CpuState, _m: M, i: number): void {
  sra64(s, i, s.gpr[(rb(i) << 1)] & 127);
}
export function sradi(s: CpuState, _m: M, i: number): void {
  sra64(s, i, shMD(i));
}

/** slw / srw: amount RB[58:63]; 32..63 give 0; the 32-bit result is zero-extended. */
export function slw(s: CpuState, _m: M, i: number): void {
  const n = s.gpr[(rb(i) << 1)] & 63;
  put(s, i, 0, n >= 32 ? 0 : s.gpr[(rt(i) << 1)] << n);
}
export function srw(s: CpuState, _m: M, i: number): void {
  const n = s.gpr[(rb(i) << 1)] & 63;
  put(s, i, 0, n >= 32 ? 0 : (s.gpr[(rt(i) << 1)] >>> n) | 0);
}

/** sraw / srawi: on the low word, result sign-extended to 64 bits. */
function sra32(s: CpuState, i: number, n: number): void {
  const x = s.gpr[(rt(i) << 1)];
  let r: number;
  let lost: number;
  if (n >= 32) {
    r = x >> 31;
    lost = x;
  } else {
    r = x >> n;
    lost = n === 0 ? 0 : x << (32 - n);
  }
  setCa(s, x < 0 && lost !== 0 ? 1 : 0);
  put(s, i, r >> 31, r);
}
export function sraw(s: CpuState, _m: M, i: number): void {
  sra32(s, i, s.gpr[(rb(i) << 1)] & 63);
}
export function srawi(s: CpuState, _m: M, i: number): void {
  sra32(s, i, rb(i));
}

const F = 'rotate';
export const rotateRows: InsnRow[] = [
  rowD('rlwinm', F, 21, rlwinm),
  rowD('rlwnm', F, 23, rlwnm),
  rowD('rlwimi', F, 20, rlwimi),
  rowMD('rldicl', 0, rldicl),
  rowMD('rldicr', 1, rldicr),
  rowMD('rldic', 2, rldic),
  rowMD('rldimi', 3, rldimi),
  rowMDS('rldcl', 8, rldcl),
  rowMDS('rldcr', 9, rldcr),
  rowX('sld', F, 31, 27, sld),
  rowX('srd', F, 31, 539, srd),
  rowX('srad', F, 31, 794, srad),
  rowXS('sradi', 413, sradi),
  rowX('slw', F, 31, 24, slw),
  rowX('srw', F, 31, 536, srw),
  rowX('sraw', F, 31, 792, sraw),
  rowX('srawi', F, 31, 824, srawi),
];
