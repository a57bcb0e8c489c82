// Fixed-point arithmetic, logical and compare instructions (Power ISA book I, ch. 3.3).
// Registers are int32 halves: GPR n = gpr[2n] (low), gpr[2n+1] (high). OE (bit 21) and Rc (bit 31)
// variants share one handler; OE=1 never appears in Go code, so its checks sit off the main path.
import type { CpuState } from '../state.js';
import { CR, XER } from '../state.js';
import type { GuestMemory } from '../memory.js';
import type { InsnRow } from '../isa-types.js';
import { ra, rb, rt, si, ui, bf, cmpL, rc5 } from '../fields.js';
import {
  R, addCarry, mul64, mulhd, mulhdu, mulhu32, mulhs32, divd, divdu, cntlzd, popcnt32, popcntBytes32, toBig,
} from '../int64.js';
import { rowD, rowX, rowXO, rowA, setCr0, setCrField, setCa, getCa, setOv } from './common.js';

type M = GuestMemory;

/** Rc/OE epilogue of add-like ops: x + y (+c) = (hi, lo); overflow iff x, y agree in sign and r differs. */
function finishAdd(s: CpuState, i: number, xhi: number, yhi: number, hi: number, lo: number): void {
  if (i & 0x400) setOv(s, ((xhi ^ hi) & (yhi ^ hi)) < 0);
  if (i & 1) setCr0(s, hi, lo);
}

// ---------------------------------------------------------------- add / subtract

/** RT = (RA|0) + imm, imm a sign-extended int32 (addi: SI; addis: SI || 0x0000). */
function addImmediate(s: CpuState, i: number, imm: number): void {
  const g = s.gpr;
  const a = ra(i);
  const d = rt(i) << 1;
  if (a === 0) {
    g[d + 1] = imm >> 31;
    g[d] = imm;
    return;
  }
  const alo = g[2 * a];
  const lo = (alo + imm) | 0;
  // carry/borrow into the high word from a sign-extended immediate
  g[d + 1] = (g[2 * a + 1] + (imm >> 31) + ((lo >>> 0) < (alo >>> 0) ? 1 : 0)) | 0;
  g[d] = lo;
}

export function addi(s: CpuState, _m: M, i: number): void {
  addImmediate(s, i, si(i));
}

export function addis(s: CpuState, _m: M, i: number): void {
  addImmediate(s, i, i << 16); // SI || 0x0000, sign-extended by the int32
}

export function add(s: CpuState, _m: M, i: number): void {
  const g = s.gpr;
  const a = ra(i) << 1;
  const b = rb(i) << 1;
  const d = rt(i) << 1;
  const ahi = g[a + 1];
  const alo = g[a];
  const bhi = g[b + 1];
  const lo = (alo + g[b]) | 0;
  const hi = (ahi + bhi + ((lo >>> 0) < (alo >>> 0) ? 1 : 0)) | 0;
  g[d + 1] = hi;
  g[d] = lo;
  if (i & 0x401) finishAdd(s, i, ahi, bhi, hi, lo);
}

/** subf: RT = RB - RA = ~RA + RB + 1. */
export function subf(s: CpuState, _m: M, i: number): void {
  const g = s.gpr;
  const a = ra(i) << 1;
  const b = rb(i) << 1;
  const d = rt(i) << 1;
  const ahi = g[a + 1];
  const alo = g[a];
  const bhi = g[b + 1];
  const blo = g[b];
  const lo = (blo - alo) | 0;
  const hi = (bhi - ahi - ((blo >>> 0) < (alo >>> 0) ? 1 : 0)) | 0;
  g[d + 1] = hi;
  g[d] = lo;
  if (i & 0x401) finishAdd(s, i, ~ahi, bhi, hi, lo);
}

export function neg(s: CpuState, _m: M, i: number): void {
  const g = s.gpr;
  const a = ra(i) << 1;
  const d = rt(i) << 1;
  const ahi = g[a + 1];
  const alo = g[a];
  const lo = -alo | 0;
  const hi = (~ahi + (alo === 0 ? 1 : 0)) | 0;
  g[d + 1] = hi;
  g[d] = lo;
  if (i & 0x401) finishAdd(s, i, ~ahi, 0, hi, lo);
}

/** The carrying family: RT = x + y + cin with CA = carry out. */
function carrying(s: CpuState, i: number, xhi: number, xlo: number, yhi: number, ylo: number, cin: number): void {
  const ca = addCarry(xhi, xlo, yhi, ylo, cin);
  const hi = R[0];
  const lo = R[1];
  const d = rt(i) << 1;
  s.gpr[d + 1] = hi;
  s.gpr[d] = lo;
  setCa(s, ca);
  if (i & 0x401) finishAdd(s, i, xhi, yhi, hi, lo);
}

function regHi(s: CpuState, r: number): number {
  return s.gpr[(r << 1) + 1];
}
function regLo(s: CpuState, r: number): number {
  return s.gpr[r << 1];
}

export function addc(s: CpuState, _m: M, i: number): void {
  carrying(s, i, regHi(s, ra(i)), regLo(s, ra(i)), regHi(s, rb(i)), regLo(s, rb(i)), 0);
}
export function adde(s: CpuState, _m: M, i: number): void {
  carrying(s, i, regHi(s, ra(i)), regLo(s, ra(i)), regHi(s, rb(i)), regLo(s, rb(i)), getCa(s));
}
export function addze(s: CpuState, _m: M, i: number): void {
  carrying(s, i, regHi(s, ra(i)), regLo(s, ra(i)), 0, 0, getCa(s));
}
export function addme(s: CpuState, _m: M, i: number): void {
  carrying(s, i, regHi(s, ra(i)), regLo(s, ra(i)), -1, -1, getCa(s));
}
export function subfc(s: CpuState, _m: M, i: number): void {
  carrying(s, i, ~regHi(s, ra(i)), ~regLo(s, ra(i)), regHi(s, rb(i)), regLo(s, rb(i)), 1);
}
export function subfe(s: CpuState, _m: M, i: number): void {
  carrying(s, i, ~regHi(s, ra(i)), ~regLo(s, ra(i)), regHi(s, rb(i)), regLo(s, rb(i)), getCa(s));
}
export function subfze(s: CpuState, _m: M, i: number): void {
  carrying(s, i, ~regHi(s, ra(i)), ~regLo(s, ra(i)), 0, 0, getCa(s));
}
export function subfme(s: CpuState, _m: M, i: number): void {
  carrying(s, i, ~regHi(s, ra(i)), ~regLo(s, ra(i)), -1, -1, getCa(s));
}

/** addic / addic. (PO 12/13): RT = RA + SI, sets CA; PO 13 also sets CR0. */
export function addic(s: CpuState, _m: M, i: number): void {
  const imm = si(i);
  const ca = addCarry(regHi(s, ra(i)), regLo(s, ra(i)), imm >> 31, imm, 0);
  const d = rt(i) << 1;
  s.gpr[d + 1] = R[0];
  s.gpr[d] = R[1];
  setCa(s, ca);
  if (i & 0x04000000) setCr0(s, R[0], R[1]);
}

/** subfic: RT = ~RA + SI + 1, sets CA. */
export function subfic(s: CpuState, _m: M, i: number): void {
  const imm = si(i);
  const ca = addCarry(~regHi(s, ra(i)), ~regLo(s, ra(i)), imm >> 31, imm, 1);
  const d = rt(i) << 1;
  s.gpr[d + 1] = R[0];
  s.gpr[d] = R[1];
  setCa(s, ca);
}

// ---------------------------------------------------------------- multiply / divide

export function mulli(s: CpuState, _m: M, i: number): void {
  const imm = si(i);
  mul64(regHi(s, ra(i)), regLo(s, ra(i)), imm >> 31, imm);
  const d = rt(i) << 1;
  s.gpr[d + 1] = R[0];
  s.gpr[d] = R[1];
}

export function mulld(s: CpuState, _m: M, i: number): void {
  const g = s.gpr;
  const a = ra(i) << 1;
  const b = rb(i) << 1;
  const ahi = g[a + 1];
  const alo = g[a];
  const bhi = g[b + 1];
  const blo = g[b];
  mul64(ahi, alo, bhi, blo);
  const d = rt(i) << 1;
  g[d + 1] = R[0];
  g[d] = R[1];
  if (i & 0x400) {
    const p = BigInt.asIntN(64, toBig(ahi, alo)) * BigInt.asIntN(64, toBig(bhi, blo));
    setOv(s, p !== BigInt.asIntN(64, p));
  }
  if (i & 1) setCr0(s, g[d + 1], g[d]);
}

/** mullw: the full 64-bit product of the sign-extended low words. */
export function mullw(s: CpuState, _m: M, i: number): void {
  const a = regLo(s, ra(i));
  const b = regLo(s, rb(i));
  const lo = Math.imul(a, b);
  const hi = mulhs32(a, b);
  const d = rt(i) << 1;
  s.gpr[d + 1] = hi;
  s.gpr[d] = lo;
  if (i & 0x400) setOv(s, hi !== lo >> 31);
  if (i & 1) setCr0(s, hi, lo);
}

/** mulhd / mulhdu: the high doubleword left in R goes to RT, and to CR0 when Rc=1. */
function finishMulHigh(s: CpuState, i: number): void {
  const d = rt(i) << 1;
  s.gpr[d + 1] = R[0];
  s.gpr[d] = R[1];
  if (i & 1) setCr0(s, R[0], R[1]);
}

export function mulhdx(s: CpuState, _m: M, i: number): void {
  mulhd(regHi(s, ra(i)), regLo(s, ra(i)), regHi(s, rb(i)), regLo(s, rb(i)));
  finishMulHigh(s, i);
}

export function mulhdux(s: CpuState, _m: M, i: number): void {
  mulhdu(regHi(s, ra(i)), regLo(s, ra(i)), regHi(s, rb(i)), regLo(s, rb(i)));
  finishMulHigh(s, i);
}

/** mulhw / mulhwu: high word of the 32x32 product in the low word; the high word is zero here. */
export function mulhw(s: CpuState, _m: M, i: number): void {
  const v = mulhs32(regLo(s, ra(i)), regLo(s, rb(i)));
  const d = rt(i) << 1;
  s.gpr[d + 1] = 0;
  s.gpr[d] = v;
  if (i & 1) setCr0(s, 0, v); // CR0 of an undefined-high result: compare as the ISA's 64-bit value
}

export function mulhwu(s: CpuState, _m: M, i: number): void {
  const v = mulhu32(regLo(s, ra(i)), regLo(s, rb(i)));
  const d = rt(i) << 1;
  s.gpr[d + 1] = 0;
  s.gpr[d] = v;
  if (i & 1) setCr0(s, 0, v);
}

/**
 * Divisions. The ISA leaves the result of x/0 and MIN/-1 undefined; like qemu we divide by 1
 * instead (the result is the dividend), so differential runs agree bit for bit.
 */
export function divdx(s: CpuState, _m: M, i: number): void {
  const ahi = regHi(s, ra(i));
  const alo = regLo(s, ra(i));
  finishDivide(s, i, ahi, alo, divd(ahi, alo, regHi(s, rb(i)), regLo(s, rb(i))));
}

export function divdux(s: CpuState, _m: M, i: number): void {
  const ahi = regHi(s, ra(i));
  const alo = regLo(s, ra(i));
  finishDivide(s, i, ahi, alo, divdu(ahi, alo, regHi(s, rb(i)), regLo(s, rb(i))));
}

/** RT = the quotient in R, or the dividend (ahi, alo) when the divide was undefined; OE/Rc forms. */
function finishDivide(s: CpuState, i: number, ahi: number, alo: number, ok: boolean): void {
  const d = rt(i) << 1;
  s.gpr[d + 1] = ok ? R[0] : ahi;
  s.gpr[d] = ok ? R[1] : alo;
  if (i & 0x400) setOv(s, !ok);
  if (i & 1) setCr0(s, s.gpr[d + 1], s.gpr[d]);
}

/** divw: 32-bit signed quotient, zero-extended into RT (the ISA leaves the high word undefined). */
export function divwx(s: CpuState, _m: M, i: number): void {
  const a = regLo(s, ra(i));
  const b = regLo(s, rb(i));
  const ok = b !== 0 && !(a === (0x80000000 | 0) && b === -1);
  const q = ok ? (a / b) | 0 : a;
  const d = rt(i) << 1;
  s.gpr[d + 1] = 0;
  s.gpr[d] = q;
  if (i & 0x400) setOv(s, !ok);
  if (i & 1) setCr0(s, 0, q);
}

export function divwux(s: CpuState, _m: M, i: number): void {
  const a = regLo(s, ra(i));
  const b = regLo(s, rb(i)) >>> 0;
  const q = b !== 0 ? Math.floor((a >>> 0) / b) | 0 : a;
  const d = rt(i) << 1;
  s.gpr[d + 1] = 0;
  s.gpr[d] = q;
  if (i & 0x400) setOv(s, b === 0);
  if (i & 1) setCr0(s, 0, q);
}

// ---------------------------------------------------------------- logical

/** Logical X-form: RA = f(RS, RB), record form sets CR0. */
function logicalResult(s: CpuState, i: number, hi: number, lo: number): void {
  const d = ra(i) << 1;
  s.gpr[d + 1] = hi;
  s.gpr[d] = lo;
  if (i & 1) setCr0(s, hi, lo);
}

export function or(s: CpuState, _m: M, i: number): void {
  const g = s.gpr;
  const a = rt(i) << 1;
  const b = rb(i) << 1;
  const d = ra(i) << 1;
  const hi = g[a + 1] | g[b + 1];
  const lo = g[a] | g[b];
  g[d + 1] = hi;
  g[d] = lo;
  if (i & 1) setCr0(s, hi, lo);
}

export function and(s: CpuState, _m: M, i: number): void {
  const g = s.gpr;
  const a = rt(i) << 1;
  const b = rb(i) << 1;
  logicalResult(s, i, g[a + 1] & g[b + 1], g[a] & g[b]);
}
export function xor(s: CpuState, _m: M, i: number): void {
  const g = s.gpr;
  const a = rt(i) << 1;
  const b = rb(i) << 1;
  logicalResult(s, i, g[a + 1] ^ g[b + 1], g[a] ^ g[b]);
}
export function andc(s: CpuState, _m: M, i: number): void {
  const g = s.gpr;
  const a = rt(i) << 1;
  const b = rb(i) << 1;
  logicalResult(s, i, g[a + 1] & ~g[b + 1], g[a] & ~g[b]);
}
export function orc(s: CpuState, _m: M, i: number): void {
  const g = s.gpr;
  const a = rt(i) << 1;
  const b = rb(i) << 1;
  logicalResult(s, i, g[a + 1] | ~g[b + 1], g[a] | ~g[b]);
}
export function nor(s: CpuState, _m: M, i: number): void {
  const g = s.gpr;
  const a = rt(i) << 1;
  const b = rb(i) << 1;
  logicalResult(s, i, ~(g[a + 1] | g[b + 1]), ~(g[a] | g[b]));
}
export function nand(s: CpuState, _m: M, i: number): void {
  const g = s.gpr;
  const a = rt(i) << 1;
  const b = rb(i) << 1;
  logicalResult(s, i, ~(g[a + 1] & g[b + 1]), ~(g[a] & g[b]));
}
export function eqv(s: CpuState, _m: M, i: number): void {
  const g = s.gpr;
  const a = rt(i) << 1;
  const b = rb(i) << 1;
  logicalResult(s, i, ~(g[a + 1] ^ g[b + 1]), ~(g[a] ^ g[b]));
}

/** D-form logical immediates: UI zero-extended (shifted for the "s" forms). */
export function ori(s: CpuState, _m: M, i: number): void {
  const g = s.gpr;
  const a = rt(i) << 1;
  const d = ra(i) << 1;
  g[d + 1] = g[a + 1];
  g[d] = g[a] | ui(i);
}
export function oris(s: CpuState, _m: M, i: number): void {
  const g = s.gpr;
  const a = rt(i) << 1;
  const d = ra(i) << 1;
  g[d + 1] = g[a + 1];
  g[d] = g[a] | (i << 16);
}
export function xori(s: CpuState, _m: M, i: number): void {
  const g = s.gpr;
  const a = rt(i) << 1;
  const d = ra(i) << 1;
  g[d + 1] = g[a + 1];
  g[d] = g[a] ^ ui(i);
}
export function xoris(s: CpuState, _m: M, i: number): void {
  const g = s.gpr;
  const a = rt(i) << 1;
  const d = ra(i) << 1;
  g[d + 1] = g[a + 1];
  g[d] = g[a] ^ (i << 16);
}
/** andi. always records. */
export function andiDot(s: CpuState, _m: M, i: number): void {
  const g = s.gpr;
  const d = ra(i) << 1;
  const lo = g[(rt(i) << 1)] & ui(i);
  g[d + 1] = 0;
  g[d] = lo;
  setCr0(s, 0, lo);
}
export function andisDot(s: CpuState, _m: M, i: number): void {
  const g = s.gpr;
  const d = ra(i) << 1;
  const lo = g[(rt(i) << 1)] & (i << 16);
  g[d + 1] = 0;
  g[d] = lo;
  setCr0(s, 0, lo);
}

export function extsb(s: CpuState, _m: M, i: number): void {
  const lo = (regLo(s, rt(i)) << 24) >> 24;
  logicalResult(s, i, lo >> 31, lo);
}
export function extsh(s: CpuState, _m: M, i: number): void {
  const lo = (regLo(s, rt(i)) << 16) >> 16;
  logicalResult(s, i, lo >> 31, lo);
}
export function extsw(s: CpuState, _m: M, i: number): void {
  const lo = regLo(s, rt(i));
  logicalResult(s, i, lo >> 31, lo);
}

export function cntlzw(s: CpuState, _m: M, i: number): void {
  logicalResult(s, i, 0, Math.clz32(regLo(s, rt(i))));
}
export function cntlzdx(s: CpuState, _m: M, i: number): void {
  logicalResult(s, i, 0, cntlzd(regHi(s, rt(i)), regLo(s, rt(i))));
}
export function popcntb(s: CpuState, _m: M, i: number): void {
  const r = rt(i);
  logicalResult(s, i & ~1, popcntBytes32(regHi(s, r)), popcntBytes32(regLo(s, r)));
}
export function popcntw(s: CpuState, _m: M, i: number): void {
  const r = rt(i);
  logicalResult(s, i & ~1, popcnt32(regHi(s, r)), popcnt32(regLo(s, r)));
}
export function popcntd(s: CpuState, _m: M, i: number): void {
  const r = rt(i);
  logicalResult(s, i & ~1, 0, popcnt32(regHi(s, r)) + popcnt32(regLo(s, r)));
}

/** cmpb: each byte of RA = 0xff where the bytes of RS and RB are equal, else 0x00. */
function cmpb32(a: number, b: number): number {
  const x = a ^ b;
  let r = 0;
  for (let k = 0; k < 32; k += 8) if (((x >>> k) & 0xff) === 0) r |= 0xff << k;
  return r;
}
export function cmpb(s: CpuState, _m: M, i: number): void {
  const a = rt(i);
  const b = rb(i);
  logicalResult(s, i & ~1, cmpb32(regHi(s, a), regHi(s, b)), cmpb32(regLo(s, a), regLo(s, b)));
}

// ---------------------------------------------------------------- compare

/** Compare (ahi, alo) with (bhi, blo) into CR field bf(i); signed or unsigned. */
function compareInto(s: CpuState, i: number, ahi: number, alo: number, bhi: number, blo: number, signed: boolean): void {
  let lt: boolean;
  let gt: boolean;
  if (ahi !== bhi) {
    lt = signed ? ahi < bhi : ahi >>> 0 < bhi >>> 0;
    gt = !lt;
  } else {
    lt = alo >>> 0 < blo >>> 0;
    gt = alo >>> 0 > blo >>> 0;
  }
  setCrField(s, bf(i), (lt ? 8 : gt ? 4 : 2) | (s.spr[XER] >>> 31));
}

export function cmp(s: CpuState, _m: M, i: number): void {
  const a = ra(i);
  const b = rb(i);
  if (cmpL(i)) compareInto(s, i, regHi(s, a), regLo(s, a), regHi(s, b), regLo(s, b), true);
  else {
    const x = regLo(s, a);
    const y = regLo(s, b);
    compareInto(s, i, x >> 31, x, y >> 31, y, true);
  }
}
export function cmpl(s: CpuState, _m: M, i: number): void {
  const a = ra(i);
  const b = rb(i);
  if (cmpL(i)) compareInto(s, i, regHi(s, a), regLo(s, a), regHi(s, b), regLo(s, b), false);
  else compareInto(s, i, 0, regLo(s, a), 0, regLo(s, b), false);
}
export function cmpi(s: CpuState, _m: M, i: number): void {
  const a = ra(i);
  const imm = si(i);
  if (cmpL(i)) compareInto(s, i, regHi(s, a), regLo(s, a), imm >> 31, imm, true);
  else {
    const x = regLo(s, a);
    compareInto(s, i, x >> 31, x, imm >> 31, imm, true);
  }
}
export function cmpli(s: CpuState, _m: M, i: number): void {
  const a = ra(i);
  if (cmpL(i)) compareInto(s, i, regHi(s, a), regLo(s, a), 0, ui(i), false);
  else compareInto(s, i, 0, regLo(s, a), 0, ui(i), false);
}

/** isel: RT = CR[BC] ? (RA|0) : RB. */
export function isel(s: CpuState, _m: M, i: number): void {
  const g = s.gpr;
  const a = ra(i);
  const d = rt(i) << 1;
  if ((s.spr[CR] << rc5(i)) < 0) {
    g[d + 1] = a === 0 ? 0 : g[(a << 1) + 1];
    g[d] = a === 0 ? 0 : g[a << 1];
  } else {
    const b = rb(i) << 1;
    g[d + 1] = g[b + 1];
    g[d] = g[b];
  }
}


const I = 'integer';
export const integerRows: InsnRow[] = [
  rowD('addi', I, 14, addi),
  rowD('addis', I, 15, addis),
  rowD('addic', I, 12, addic),
  rowD('addic.', I, 13, addic),
  rowD('subfic', I, 8, subfic),
  rowD('mulli', I, 7, mulli),
  rowXO('add', I, 266, add),
  rowXO('subf', I, 40, subf),
  rowXO('neg', I, 104, neg),
  rowXO('addc', I, 10, addc),
  rowXO('adde', I, 138, adde),
  rowXO('addze', I, 202, addze),
  rowXO('addme', I, 234, addme),
  rowXO('subfc', I, 8, subfc),
  rowXO('subfe', I, 136, subfe),
  rowXO('subfze', I, 200, subfze),
  rowXO('subfme', I, 232, subfme),
  rowXO('mulld', I, 233, mulld),
  rowXO('mullw', I, 235, mullw),
  rowXO('mulhd', I, 73, mulhdx),
  rowXO('mulhdu', I, 9, mulhdux),
  rowXO('mulhw', I, 75, mulhw),
  rowXO('mulhwu', I, 11, mulhwu),
  rowXO('divd', I, 489, divdx),
  rowXO('divdu', I, 457, divdux),
  rowXO('divw', I, 491, divwx),
  rowXO('divwu', I, 459, divwux),
  rowA('isel', I, 31, 15, isel),
  rowD('ori', 'logical', 24, ori),
  rowD('oris', 'logical', 25, oris),
  rowD('xori', 'logical', 26, xori),
  rowD('xoris', 'logical', 27, xoris),
  rowD('andi.', 'logical', 28, andiDot),
  rowD('andis.', 'logical', 29, andisDot),
  rowX('or', 'logical', 31, 444, or),
  rowX('and', 'logical', 31, 28, and),
  rowX('xor', 'logical', 31, 316, xor),
  rowX('andc', 'logical', 31, 60, andc),
  rowX('orc', 'logical', 31, 412, orc),
  rowX('nor', 'logical', 31, 124, nor),
  rowX('nand', 'logical', 31, 476, nand),
  rowX('eqv', 'logical', 31, 284, eqv),
  rowX('extsb', 'logical', 31, 954, extsb),
  rowX('extsh', 'logical', 31, 922, extsh),
  rowX('extsw', 'logical', 31, 986, extsw),
  rowX('cntlzw', 'logical', 31, 26, cntlzw),
  rowX('cntlzd', 'logical', 31, 58, cntlzdx),
  rowX('popcntb', 'logical', 31, 122, popcntb),
  rowX('popcntw', 'logical', 31, 378, popcntw),
  rowX('popcntd', 'logical', 31, 506, popcntd),
  rowX('cmpb', 'logical', 31, 508, cmpb),
  rowX('cmp', 'compare', 31, 0, cmp),
  rowX('cmpl', 'compare', 31, 32, cmpl),
  rowD('cmpi', 'compare', 11, cmpi),
  rowD('cmpli', 'compare', 10, cmpli),
];
