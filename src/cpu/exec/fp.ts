// Floating-point rows (primary opcodes 48-55 loads/stores, 31 indexed FP loads/stores, 59 single,
// 63 double). FPR n is doubleword 0 of VSR n: s.vsr[4n] (high word) and s.vsr[4n+1].
// Arithmetic goes through fpu-core (exact directed rounding, fused multiply-add, FPSCR bits).
import { CR, FPSCR, type CpuState } from '../state.js';
import type { GuestMemory } from '../memory.js';
import type { InsnRow } from '../isa-types.js';
import {
  DEFAULT_NAN_HI,
  EXC_BITS,
  FEX,
  FI,
  FR,
  FX,
  OE,
  OX,
  UE,
  UX,
  VE,
  VX,
  VX_ALL,
  VXIMZ,
  VXSNAN,
  VXVC,
  XE,
  XX,
  ZE,
  ZX,
  FPRF_MASK,
  FPCC_MASK,
  VXCVI,
  convHi,
  convLo,
  doubleWordsToSingle,
  exc,
  fpAdd,
  fpDiv,
  fpFma,
  fpMul,
  fpSqrt,
  fprfOf,
  fromInteger,
  isNaNWords,
  isSNaNWords,
  raise,
  resetExc,
  roundToIntegral,
  singleToDoubleWords,
  storeDouble,
  toInteger,
  wordsToDouble,
  finish,
  RM_ZERO,
  RN_MASK,
  MIN_NORMAL,
  MIN_NORMAL_SINGLE,
  MAX_DOUBLE,
  MAX_SINGLE,
  productError,
  sumError,
  roundToOdd,
  fusedNearest,
  fusedErr,
} from './fpu-core.js';
import { EA, eaD, eaX, writeBackEa } from './ea.js';
import { rowA, rowD, rowX } from './common.js';

const FAMILY = 'fp';

// ------------------------------------------------------------------ FPSCR helpers

/** Recomputes the summary bits VX and FEX of an FPSCR value. */
export function fpscrSummaries(f: number): number {
  f = (f & VX_ALL) !== 0 ? f | VX : f & ~VX;
  // VX, OX, UX, ZX, XX (bits 29..25) shifted right by 22 line up with VE, OE, UE, ZE, XE (7..3).
  return ((f >>> 22) & f & (VE | OE | UE | ZE | XE)) !== 0 ? f | FEX : f & ~FEX;
}

/** Merges the raised bits of the last operation into FPSCR (FR/FI replaced), optionally FPRF. */
function commit(s: CpuState, fprf: number): void {
  const old = s.spr[FPSCR];
  let f = (old & ~(FR | FI)) | exc;
  // QEMU (our oracle) sets FX on every raised exception, not only on a 0->1 transition.
  if (exc & EXC_BITS) f |= FX;
  f = fpscrSummaries(f);
  if (fprf >= 0) f = (f & ~FPRF_MASK) | (fprf << 12);
  s.spr[FPSCR] = f;
}

/** FP results zero doubleword 1 of the target VSR (undefined before ISA 3.1; hardware and QEMU write 0). */
function clearDw1(v: Int32Array, t: number): void {
  v[t + 2] = 0;
  v[t + 3] = 0;
}

function setCr1(s: CpuState): void {
  s.spr[CR] = (s.spr[CR] & ~0x0f000000) | ((s.spr[FPSCR] >>> 28) << 24);
}

/** Invalid operation with VE=1 or zero-divide with ZE=1 leaves FRT (and FPRF) unchanged. */
function suppressed(s: CpuState): boolean {
  const f = s.spr[FPSCR];
  return ((exc & VX_ALL) !== 0 && (f & VE) !== 0) || ((exc & ZX) !== 0 && (f & ZE) !== 0);
}

// ------------------------------------------------------------------ arithmetic

const OP_ADD = 0;
const OP_SUB = 1;
const OP_MUL = 2;
const OP_DIV = 3;
const OP_SQRT = 4;
const OP_MADD = 5;
const OP_MSUB = 6;
const OP_NMADD = 7;
const OP_NMSUB = 8;

/** Operand use per op: bit 0 = FRA, bit 1 = FRB, bit 2 = FRC. */
const USES = [3, 3, 5, 3, 2, 7, 7, 7, 7];

let nanHi = 0;
let nanLo = 0;
/** NaN propagation: the first NaN among FRA, FRB, FRC (quieted); SNaN raises VXSNAN. */
function pickNaN(v: Int32Array, a: number, b: number, c: number, uses: number): boolean {
  let found = false;
  if (uses & 1 && isNaNWords(v[a], v[a + 1])) {
    found = true;
    nanHi = v[a];
    nanLo = v[a + 1];
  }
  if (uses & 2 && isNaNWords(v[b], v[b + 1]) && !found) {
    found = true;
    nanHi = v[b];
    nanLo = v[b + 1];
  }
  if (uses & 4 && isNaNWords(v[c], v[c + 1]) && !found) {
    found = true;
    nanHi = v[c];
    nanLo = v[c + 1];
  }
  if (!found) return false;
  if ((uses & 1 && isSNaNWords(v[a], v[a + 1])) || (uses & 2 && isSNaNWords(v[b], v[b + 1])) || (uses & 4 && isSNaNWords(v[c], v[c + 1]))) {
    raise(VXSNAN);
  }
  nanHi |= 0x80000;
  return true;
}

// ------------------------------------------------------------------ fast path
// The common case of fadd/fsub/fmul/fdiv/fsqrt (double and single) costs a few host operations:
// round to nearest, finite operands in a range where the error-free transformations (sumError,
// productError) are exact, and a normal or exactly zero result. The host's double operation then
// gives the correctly rounded result, and its exact error term decides XX, FI and FR. Enabled
// exceptions cannot matter there: no invalid operation, zero divide, overflow or underflow can
// happen, and an enabled inexact only sets FEX. Everything else takes the general path.

/** Biased exponents 1023 - 480 .. 1023 + 480: products and quotients of two such numbers stay
 * far inside the normal range, where productError is exact. */
const EXP_LO = 1023 - 480;
const EXP_SPAN = 960;
function midRange(hi: number): boolean {
  return ((((hi >>> 20) & 0x7ff) - EXP_LO) >>> 0) <= EXP_SPAN;
}
/** |x| < 2^1023 (and not NaN or infinite): TwoSum's intermediates cannot overflow. */
function addRange(hi: number): boolean {
  return ((hi >>> 20) & 0x7ff) < 0x7fe;
}

// One small function per operation, so that V8 inlines wordsToDouble, productError and the shared
// end into each (one function for all four exceeded its inlining budget: every double that crossed
// a call boundary was boxed, which showed as garbage collection).

/** fadd/fsub (sub: FRB negated). Returns true when it completed the instruction. */
export function fastAdd(s: CpuState, insn: number, sub: boolean, single: boolean): boolean {
  const v = s.vsr;
  const a = (insn >>> 14) & 0x7c;
  const b = (insn >>> 9) & 0x7c;
  if ((s.spr[FPSCR] & RN_MASK) !== 0 || !addRange(v[a]) || !addRange(v[b])) return false;
  const x = wordsToDouble(v[a], v[a + 1]);
  const y = sub ? -wordsToDouble(v[b], v[b + 1]) : wordsToDouble(v[b], v[b + 1]);
  const r = x + y;
  return fastFinish(s, insn, r, sumError(x, y, r), single);
}
export function fastMul(s: CpuState, insn: number, single: boolean): boolean {
  const v = s.vsr;
  const a = (insn >>> 14) & 0x7c;
  const c = (insn >>> 4) & 0x7c;
  if ((s.spr[FPSCR] & RN_MASK) !== 0 || !midRange(v[a]) || !midRange(v[c])) return false;
  const x = wordsToDouble(v[a], v[a + 1]);
  const y = wordsToDouble(v[c], v[c + 1]);
  const r = x * y;
  return fastFinish(s, insn, r, productError(x, y, r), single);
}
export function fastDiv(s: CpuState, insn: number, single: boolean): boolean {
  const v = s.vsr;
  const a = (insn >>> 14) & 0x7c;
  const b = (insn >>> 9) & 0x7c;
  if ((s.spr[FPSCR] & RN_MASK) !== 0 || !midRange(v[a]) || !midRange(v[b])) return false;
  const x = wordsToDouble(v[a], v[a + 1]);
  const y = wordsToDouble(v[b], v[b + 1]);
  const r = x / y;
  const p = r * y;
  const rem = x - p - productError(r, y, p); // x - p is exact (Sterbenz)
  return fastFinish(s, insn, r, y > 0 ? rem : -rem, single);
}
export function fastSqrt(s: CpuState, insn: number, single: boolean): boolean {
  const v = s.vsr;
  const b = (insn >>> 9) & 0x7c;
  if ((s.spr[FPSCR] & RN_MASK) !== 0 || v[b] < 0 || !midRange(v[b])) return false;
  const x = wordsToDouble(v[b], v[b + 1]);
  const r = Math.sqrt(x);
  const p = r * r;
  return fastFinish(s, insn, r, x - p - productError(r, r, p), single);
}

/**
 * The fused forms (sub: FRB negated, as fmsub; negate: the rounded result negated, as fnm*),
 * under fpu-core fpFma's fast conditions (fusedNearest is exact there).
 */
export function fastFma(s: CpuState, insn: number, sub: boolean, negate: boolean, single: boolean): boolean {
  const v = s.vsr;
  const a = (insn >>> 14) & 0x7c;
  const b = (insn >>> 9) & 0x7c;
  const c = (insn >>> 4) & 0x7c;
  if ((s.spr[FPSCR] & RN_MASK) !== 0 || !midRange(v[a]) || !midRange(v[c]) || ((v[b] >>> 20) & 0x7ff) > 1023 + 990) return false;
  const x = wordsToDouble(v[a], v[a + 1]);
  const y = wordsToDouble(v[c], v[c + 1]);
  const z = sub ? -wordsToDouble(v[b], v[b + 1]) : wordsToDouble(v[b], v[b + 1]);
  if (Math.abs(x * y) < 2 ** -900) return false;
  const r = fusedNearest(x, y, z);
  return fastFinish(s, insn, r, fusedErr[0], single, negate);
}

/**
 * The shared end: r is the round-to-nearest double result and err = exact - r (its sign, zero iff
 * exact). Completes the instruction unless the result is not normal (or an exact zero), in which
 * case nothing is written and it returns false. Double and single are separate functions: each
 * caller reaches one, and V8 inlines it only while it is small.
 */
function fastFinish(s: CpuState, insn: number, r: number, err: number, single: boolean, negate = false): boolean {
  if (single) return fastFinishSingle(s, insn, r, err, negate);
  const ar = Math.abs(r);
  if (r !== 0 && !(ar > MIN_NORMAL && ar <= MAX_DOUBLE)) return false;
  fastCommit(s, insn, r, err, negate);
  return true;
}
/** Rounds r + err to single once (round to odd at 53 bits first), then as fastFinish. */
function fastFinishSingle(s: CpuState, insn: number, r: number, err: number, negate: boolean): boolean {
  const d = roundToOdd(r, err);
  const f = Math.fround(d);
  const ad = Math.abs(d);
  if (d !== 0 && !(ad >= MIN_NORMAL_SINGLE && Math.abs(f) <= MAX_SINGLE)) return false;
  fastCommit(s, insn, f, d - f, negate);
  return true;
}
/** Writes FRT (r, negated for fnm*) and FPSCR: XX/FI/FR from r's rounding, FPRF from FRT. */
function fastCommit(s: CpuState, insn: number, r: number, err: number, negate: boolean): void {
  const v = s.vsr;
  const t = (insn >>> 19) & 0x7c;
  const out = negate ? -r : r;
  storeDouble(v, t, out);
  clearDw1(v, t);
  // FPRF: +normal, -normal, +0, -0.
  let f = (s.spr[FPSCR] & ~(FR | FI | FPRF_MASK)) | (out > 0 ? 0x4000 : out < 0 ? 0x8000 : 1 / out > 0 ? 0x2000 : 0x12000);
  if (err !== 0) f |= (err < 0) === (r > 0) ? FX | XX | FI | FR : FX | XX | FI;
  s.spr[FPSCR] = fpscrSummaries(f);
  if (insn & 1) setCr1(s);
}

/** The fast path of op (exec/fp.ts op codes); true when it completed the instruction. */
export function arithFast(s: CpuState, insn: number, op: number, single: boolean): boolean {
  switch (op) {
    case OP_ADD:
      return fastAdd(s, insn, false, single);
    case OP_SUB:
      return fastAdd(s, insn, true, single);
    case OP_MUL:
      return fastMul(s, insn, single);
    case OP_DIV:
      return fastDiv(s, insn, single);
    case OP_SQRT:
      return fastSqrt(s, insn, single);
    case OP_MADD:
      return fastFma(s, insn, false, false, single);
    case OP_MSUB:
      return fastFma(s, insn, true, false, single);
    case OP_NMADD:
      return fastFma(s, insn, false, true, single);
    default:
      return fastFma(s, insn, true, true, single);
  }
}

/** Every case of the arithmetic rows (compiled JS blocks call it after the fast path declines). */
export function arithGeneral(s: CpuState, insn: number, op: number, single: boolean): void {
  const v = s.vsr;
  const t = (insn >>> 19) & 0x7c;
  const a = (insn >>> 14) & 0x7c;
  const b = (insn >>> 9) & 0x7c;
  const c = (insn >>> 4) & 0x7c;
  resetExc();
  const m = s.spr[FPSCR] & 3;
  if (pickNaN(v, a, b, c, USES[op])) {
    if (op >= OP_MADD) {
      // QEMU (softfloat) raises VXIMZ for inf*0 even when FRB is a NaN, and then reports only
      // VXIMZ: an SNaN in FRB does not add VXSNAN (its float_invalid_op_madd checks imz first).
      const x = wordsToDouble(v[a], v[a + 1]);
      const y = wordsToDouble(v[c], v[c + 1]);
      if ((x === 0 && (y === Infinity || y === -Infinity)) || (y === 0 && (x === Infinity || x === -Infinity))) {
        resetExc();
        raise(VXIMZ);
      }
    }
    if (!suppressed(s)) {
      v[t] = nanHi;
      v[t + 1] = single ? nanLo & (0xe0000000 | 0) : nanLo; // single ops keep a single-format payload
      clearDw1(v, t);
      commit(s, 0x11);
    } else commit(s, -1);
    if (insn & 1) setCr1(s);
    return;
  }
  const x = wordsToDouble(v[a], v[a + 1]);
  const y = wordsToDouble(v[b], v[b + 1]);
  let r: number;
  switch (op) {
    case OP_ADD:
      r = fpAdd(x, y, m, single);
      break;
    case OP_SUB:
      r = fpAdd(x, -y, m, single);
      break;
    case OP_MUL:
      r = fpMul(x, wordsToDouble(v[c], v[c + 1]), m, single);
      break;
    case OP_DIV:
      r = fpDiv(x, y, m, single);
      break;
    case OP_SQRT:
      r = fpSqrt(y, m, single);
      break;
    case OP_MADD:
      r = fpFma(x, wordsToDouble(v[c], v[c + 1]), y, m, single);
      break;
    case OP_MSUB:
      r = fpFma(x, wordsToDouble(v[c], v[c + 1]), -y, m, single);
      break;
    case OP_NMADD:
      r = fpFma(x, wordsToDouble(v[c], v[c + 1]), y, m, single);
      if (r === r) r = -r;
      break;
    default:
      r = fpFma(x, wordsToDouble(v[c], v[c + 1]), -y, m, single);
      if (r === r) r = -r;
      break;
  }
  if (suppressed(s)) {
    commit(s, -1);
  } else {
    if (r !== r) {
      v[t] = DEFAULT_NAN_HI;
      v[t + 1] = 0;
      clearDw1(v, t);
      commit(s, 0x11);
    } else {
      storeDouble(v, t, r);
      clearDw1(v, t);
      commit(s, fprfOf(r));
    }
  }
  if (insn & 1) setCr1(s);
}

/** fre / frsqrte (and single forms): QEMU computes them exactly, so do we. */
function estimate(s: CpuState, insn: number, rsqrt: boolean, single: boolean): void {
  const v = s.vsr;
  const t = (insn >>> 19) & 0x7c;
  const b = (insn >>> 9) & 0x7c;
  resetExc();
  const m = s.spr[FPSCR] & 3;
  if (pickNaN(v, 0, b, 0, 2)) {
    v[t] = nanHi;
    v[t + 1] = nanLo;
    clearDw1(v, t);
    commit(s, 0x11);
  } else {
    const y = wordsToDouble(v[b], v[b + 1]);
    let r = rsqrt ? fpSqrt(y, m, false) : y;
    if (r === r) r = fpDiv(1, r, m, single || !rsqrt);
    if (r !== r) {
      v[t] = DEFAULT_NAN_HI;
      v[t + 1] = 0;
      clearDw1(v, t);
      commit(s, 0x11);
    } else {
      storeDouble(v, t, r);
      clearDw1(v, t);
      commit(s, fprfOf(r));
    }
  }
  if (insn & 1) setCr1(s);
}

function frsp(s: CpuState, insn: number): void {
  const v = s.vsr;
  const t = (insn >>> 19) & 0x7c;
  const b = (insn >>> 9) & 0x7c;
  resetExc();
  if (pickNaN(v, 0, b, 0, 2)) {
    // The NaN goes through single format: its payload keeps 23 fraction bits.
    v[t] = nanHi;
    v[t + 1] = nanLo & (0xe0000000 | 0);
    clearDw1(v, t);
    commit(s, 0x11);
  } else {
    const r = finish(wordsToDouble(v[b], v[b + 1]), 0, s.spr[FPSCR] & 3, true);
    storeDouble(v, t, r);
    clearDw1(v, t);
    commit(s, fprfOf(r));
  }
  if (insn & 1) setCr1(s);
}

// ------------------------------------------------------------------ conversions

/** fcti* : kind 0 int64, 1 uint64, 2 int32, 3 uint32; toZero for the *z forms. */
export function fcti(s: CpuState, insn: number, kind: number, toZero: boolean): void {
  const v = s.vsr;
  const t = (insn >>> 19) & 0x7c;
  const b = (insn >>> 9) & 0x7c;
  resetExc();
  const hi = v[b];
  const lo = v[b + 1];
  toInteger(wordsToDouble(hi, lo), toZero ? RM_ZERO : s.spr[FPSCR] & 3, kind, isSNaNWords(hi, lo));
  if (!suppressed(s)) {
    v[t] = convHi;
    v[t + 1] = convLo;
    clearDw1(v, t);
  }
  // FPRF is undefined after fcti*; QEMU classifies an invalid conversion as a QNaN, so do we.
  commit(s, exc & VXCVI ? 0x11 : -1);
  if (insn & 1) setCr1(s);
}

export function fcfid(s: CpuState, insn: number, unsigned: boolean, single: boolean): void {
  const v = s.vsr;
  const t = (insn >>> 19) & 0x7c;
  const b = (insn >>> 9) & 0x7c;
  resetExc();
  const r = fromInteger(v[b], v[b + 1], unsigned, s.spr[FPSCR] & 3, single);
  storeDouble(v, t, r);
  clearDw1(v, t);
  // As QEMU: only fcfid classifies its result into FPRF; fcfidu/fcfids/fcfidus leave FPRF alone.
  commit(s, unsigned || single ? -1 : fprfOf(r));
  if (insn & 1) setCr1(s);
}

function fri(s: CpuState, insn: number, mode: number): void {
  const v = s.vsr;
  const t = (insn >>> 19) & 0x7c;
  const b = (insn >>> 9) & 0x7c;
  resetExc();
  if (pickNaN(v, 0, b, 0, 2)) {
    v[t] = nanHi;
    v[t + 1] = nanLo;
    clearDw1(v, t);
    commit(s, 0x11);
  } else {
    const r = roundToIntegral(wordsToDouble(v[b], v[b + 1]), mode);
    storeDouble(v, t, r);
    clearDw1(v, t);
    commit(s, fprfOf(r));
  }
  if (insn & 1) setCr1(s);
}

// ------------------------------------------------------------------ compare, select, moves

export function fcmp(s: CpuState, insn: number, ordered: boolean): void {
  const v = s.vsr;
  const a = (insn >>> 14) & 0x7c;
  const b = (insn >>> 9) & 0x7c;
  const bf = (insn >>> 23) & 7;
  resetExc();
  const ah = v[a];
  const al = v[a + 1];
  const bh = v[b];
  const bl = v[b + 1];
  let c: number;
  if (isNaNWords(ah, al) || isNaNWords(bh, bl)) {
    c = 1;
    const snan = isSNaNWords(ah, al) || isSNaNWords(bh, bl);
    if (snan) raise(VXSNAN);
    if (ordered && (!snan || (s.spr[FPSCR] & VE) === 0)) {
      raise(VXVC);
      c |= 0x10; // QEMU's VXVC also sets FPRF[C]; with FPCC = FU the class reads as QNaN
    }
  } else {
    const x = wordsToDouble(ah, al);
    const y = wordsToDouble(bh, bl);
    c = x < y ? 8 : x > y ? 4 : 2;
  }
  const sh = 28 - 4 * bf;
  s.spr[CR] = (s.spr[CR] & ~(0xf << sh)) | ((c & 0xf) << sh);
  const old = s.spr[FPSCR];
  let f = (old & ~FPCC_MASK) | (c << 12) | exc;
  if (exc & EXC_BITS) f |= FX;
  s.spr[FPSCR] = fpscrSummaries(f);
}

function fsel(s: CpuState, insn: number): void {
  const v = s.vsr;
  const t = (insn >>> 19) & 0x7c;
  const a = (insn >>> 14) & 0x7c;
  const b = (insn >>> 9) & 0x7c;
  const c = (insn >>> 4) & 0x7c;
  const ah = v[a];
  const al = v[a + 1];
  const useC = !isNaNWords(ah, al) && (ah >= 0 || ((ah & 0x7fffffff) | al) === 0);
  const src = useC ? c : b;
  v[t] = v[src];
  v[t + 1] = v[src + 1];
  clearDw1(v, t);
  if (insn & 1) setCr1(s);
}

/** fmr/fneg/fabs/fnabs: sign bit operations on the raw bits (NaNs untouched). */
function fsign(s: CpuState, insn: number, andMask: number, orMask: number, xorMask: number): void {
  const v = s.vsr;
  const t = (insn >>> 19) & 0x7c;
  const b = (insn >>> 9) & 0x7c;
  v[t] = ((v[b] & andMask) | orMask) ^ xorMask;
  v[t + 1] = v[b + 1];
  clearDw1(v, t);
  if (insn & 1) setCr1(s);
}

function fcpsgn(s: CpuState, insn: number): void {
  const v = s.vsr;
  const t = (insn >>> 19) & 0x7c;
  const a = (insn >>> 14) & 0x7c;
  const b = (insn >>> 9) & 0x7c;
  v[t] = (v[a] & (0x80000000 | 0)) | (v[b] & 0x7fffffff);
  v[t + 1] = v[b + 1];
  clearDw1(v, t);
  if (insn & 1) setCr1(s);
}

// ------------------------------------------------------------------ FPSCR moves

function mffs(s: CpuState, insn: number): void {
  const t = (insn >>> 19) & 0x7c;
  s.vsr[t] = 0;
  s.vsr[t + 1] = s.spr[FPSCR];
  clearDw1(s.vsr, t);
  if (insn & 1) setCr1(s);
}

/** Writes FPSCR bits under a mask; FEX and VX are summaries and cannot be written directly. */
function writeFpscr(s: CpuState, value: number, mask: number): void {
  const old = s.spr[FPSCR];
  let f = (old & ~mask) | (value & mask);
  f = fpscrSummaries(f);
  s.spr[FPSCR] = f;
}

function mtfsf(s: CpuState, insn: number): void {
  const b = (insn >>> 9) & 0x7c;
  const l = (insn >>> 25) & 1;
  const w = (insn >>> 16) & 1;
  const flm = (insn >>> 17) & 0xff;
  let mask = 0;
  if (l) mask = -1;
  else if (w === 0) {
    for (let i = 0; i < 8; i++) if (flm & (0x80 >>> i)) mask |= 0xf0000000 >>> (4 * i);
  }
  writeFpscr(s, s.vsr[b + 1], mask);
  if (insn & 1) setCr1(s);
}

function mtfsfi(s: CpuState, insn: number): void {
  const bf = (insn >>> 23) & 7;
  const w = (insn >>> 16) & 1;
  const u = (insn >>> 12) & 0xf;
  if (w === 0) {
    const sh = 28 - 4 * bf;
    writeFpscr(s, u << sh, 0xf << sh);
  }
  if (insn & 1) setCr1(s);
}

function mtfsb(s: CpuState, insn: number, set: boolean): void {
  const bt = (insn >>> 21) & 31;
  const bit = (0x80000000 >>> bt) | 0;
  if (bit !== FEX && bit !== VX) {
    const old = s.spr[FPSCR];
    if (set) {
      s.spr[FPSCR] = fpscrSummaries(old | bit); // like QEMU, FX is not set implicitly
    } else s.spr[FPSCR] = fpscrSummaries(old & ~bit);
  }
  if (insn & 1) setCr1(s);
}

function mcrfs(s: CpuState, insn: number): void {
  const bf = (insn >>> 23) & 7;
  const bfa = (insn >>> 18) & 7;
  const f = s.spr[FPSCR];
  const sh = 28 - 4 * bfa;
  const field = (f >>> sh) & 0xf;
  const dsh = 28 - 4 * bf;
  s.spr[CR] = (s.spr[CR] & ~(0xf << dsh)) | (field << dsh);
  const clear = (0xf << sh) & (FX | EXC_BITS);
  s.spr[FPSCR] = fpscrSummaries(f & ~clear);
}

// ------------------------------------------------------------------ loads and stores
// Written out per instruction, like the integer ones (loadstore.ts): each row's function has its
// own call sites, so V8 sees one target at each (a shared wrapper closure would see them all).

type M = GuestMemory;

function loadFpDouble(s: CpuState, m: M, i: number): void {
  const t = (i >>> 19) & 0x7c;
  m.load64(EA[0], EA[1], s.vsr, t);
  clearDw1(s.vsr, t);
}
function loadFpSingle(s: CpuState, m: M, i: number): void {
  const t = (i >>> 19) & 0x7c;
  singleToDoubleWords(m.load32(EA[0], EA[1]), s.vsr, t);
  clearDw1(s.vsr, t);
}
function storeFpDouble(s: CpuState, m: M, i: number): void {
  const t = (i >>> 19) & 0x7c;
  m.store64(EA[0], EA[1], s.vsr[t], s.vsr[t + 1]);
}
function storeFpSingle(s: CpuState, m: M, i: number): void {
  const t = (i >>> 19) & 0x7c;
  m.store32(EA[0], EA[1], doubleWordsToSingle(s.vsr[t], s.vsr[t + 1]));
}

function lfs(s: CpuState, m: M, i: number): void {
  eaD(s, i);
  loadFpSingle(s, m, i);
}
function lfsu(s: CpuState, m: M, i: number): void {
  eaD(s, i);
  loadFpSingle(s, m, i);
  writeBackEa(s, i);
}
function lfd(s: CpuState, m: M, i: number): void {
  eaD(s, i);
  loadFpDouble(s, m, i);
}
function lfdu(s: CpuState, m: M, i: number): void {
  eaD(s, i);
  loadFpDouble(s, m, i);
  writeBackEa(s, i);
}
function stfs(s: CpuState, m: M, i: number): void {
  eaD(s, i);
  storeFpSingle(s, m, i);
}
function stfsu(s: CpuState, m: M, i: number): void {
  eaD(s, i);
  storeFpSingle(s, m, i);
  writeBackEa(s, i);
}
function stfd(s: CpuState, m: M, i: number): void {
  eaD(s, i);
  storeFpDouble(s, m, i);
}
function stfdu(s: CpuState, m: M, i: number): void {
  eaD(s, i);
  storeFpDouble(s, m, i);
  writeBackEa(s, i);
}
function lfsx(s: CpuState, m: M, i: number): void {
  eaX(s, i);
  loadFpSingle(s, m, i);
}
function lfsux(s: CpuState, m: M, i: number): void {
  eaX(s, i);
  loadFpSingle(s, m, i);
  writeBackEa(s, i);
}
function lfdx(s: CpuState, m: M, i: number): void {
  eaX(s, i);
  loadFpDouble(s, m, i);
}
function lfdux(s: CpuState, m: M, i: number): void {
  eaX(s, i);
  loadFpDouble(s, m, i);
  writeBackEa(s, i);
}
function stfsx(s: CpuState, m: M, i: number): void {
  eaX(s, i);
  storeFpSingle(s, m, i);
}
function stfsux(s: CpuState, m: M, i: number): void {
  eaX(s, i);
  storeFpSingle(s, m, i);
  writeBackEa(s, i);
}
function stfdx(s: CpuState, m: M, i: number): void {
  eaX(s, i);
  storeFpDouble(s, m, i);
}
function stfdux(s: CpuState, m: M, i: number): void {
  eaX(s, i);
  storeFpDouble(s, m, i);
  writeBackEa(s, i);
}
/** lfiwax / lfiwzx: a word into FRT's low half, sign- or zero-extended. */
function lfiwax(s: CpuState, m: M, i: number): void {
  eaX(s, i);
  const t = (i >>> 19) & 0x7c;
  const w = m.load32(EA[0], EA[1]);
  s.vsr[t] = w >> 31;
  s.vsr[t + 1] = w;
  clearDw1(s.vsr, t);
}
function lfiwzx(s: CpuState, m: M, i: number): void {
  eaX(s, i);
  const t = (i >>> 19) & 0x7c;
  s.vsr[t] = 0;
  s.vsr[t + 1] = m.load32(EA[0], EA[1]);
  clearDw1(s.vsr, t);
}
function stfiwx(s: CpuState, m: M, i: number): void {
  eaX(s, i);
  m.store32(EA[0], EA[1], s.vsr[((i >>> 19) & 0x7c) + 1]);
}
function aRow(name: string, po: number, xo: number, op: number): InsnRow {
  const single = po === 59;
  const general = (s: CpuState, insn: number): void => arithGeneral(s, insn, op, single);
  switch (op) {
    case OP_ADD:
    case OP_SUB: {
      const sub = op === OP_SUB;
      return rowA(name, FAMILY, po, xo, (s, _m, insn) => void (fastAdd(s, insn, sub, single) || general(s, insn)));
    }
    case OP_MUL:
      return rowA(name, FAMILY, po, xo, (s, _m, insn) => void (fastMul(s, insn, single) || general(s, insn)));
    case OP_DIV:
      return rowA(name, FAMILY, po, xo, (s, _m, insn) => void (fastDiv(s, insn, single) || general(s, insn)));
    case OP_SQRT:
      return rowA(name, FAMILY, po, xo, (s, _m, insn) => void (fastSqrt(s, insn, single) || general(s, insn)));
    default: {
      const sub = op === OP_MSUB || op === OP_NMSUB;
      const negate = op === OP_NMADD || op === OP_NMSUB;
      return rowA(name, FAMILY, po, xo, (s, _m, insn) => void (fastFma(s, insn, sub, negate, single) || general(s, insn)));
    }
  }
}
function xfRow(name: string, po: number, xo: number, exec: (s: CpuState, insn: number) => void): InsnRow {
  return rowX(name, FAMILY, po, xo, (s, _m, insn) => exec(s, insn));
}

export const fpRows: InsnRow[] = [
  rowD('lfs', FAMILY, 48, lfs),
  rowD('lfsu', FAMILY, 49, lfsu),
  rowD('lfd', FAMILY, 50, lfd),
  rowD('lfdu', FAMILY, 51, lfdu),
  rowD('stfs', FAMILY, 52, stfs),
  rowD('stfsu', FAMILY, 53, stfsu),
  rowD('stfd', FAMILY, 54, stfd),
  rowD('stfdu', FAMILY, 55, stfdu),
  rowX('lfsx', FAMILY, 31, 535, lfsx),
  rowX('lfsux', FAMILY, 31, 567, lfsux),
  rowX('lfdx', FAMILY, 31, 599, lfdx),
  rowX('lfdux', FAMILY, 31, 631, lfdux),
  rowX('stfsx', FAMILY, 31, 663, stfsx),
  rowX('stfsux', FAMILY, 31, 695, stfsux),
  rowX('stfdx', FAMILY, 31, 727, stfdx),
  rowX('stfdux', FAMILY, 31, 759, stfdux),
  rowX('lfiwax', FAMILY, 31, 855, lfiwax),
  rowX('lfiwzx', FAMILY, 31, 887, lfiwzx),
  rowX('stfiwx', FAMILY, 31, 983, stfiwx),

  aRow('fdiv', 63, 18, OP_DIV),
  aRow('fsub', 63, 20, OP_SUB),
  aRow('fadd', 63, 21, OP_ADD),
  aRow('fsqrt', 63, 22, OP_SQRT),
  aRow('fmul', 63, 25, OP_MUL),
  aRow('fmsub', 63, 28, OP_MSUB),
  aRow('fmadd', 63, 29, OP_MADD),
  aRow('fnmsub', 63, 30, OP_NMSUB),
  aRow('fnmadd', 63, 31, OP_NMADD),
  aRow('fdivs', 59, 18, OP_DIV),
  aRow('fsubs', 59, 20, OP_SUB),
  aRow('fadds', 59, 21, OP_ADD),
  aRow('fsqrts', 59, 22, OP_SQRT),
  aRow('fmuls', 59, 25, OP_MUL),
  aRow('fmsubs', 59, 28, OP_MSUB),
  aRow('fmadds', 59, 29, OP_MADD),
  aRow('fnmsubs', 59, 30, OP_NMSUB),
  aRow('fnmadds', 59, 31, OP_NMADD),
  rowA('fsel', FAMILY, 63, 23, (s, _m, i) => fsel(s, i)),
  rowA('fre', FAMILY, 63, 24, (s, _m, i) => estimate(s, i, false, false)),
  rowA('frsqrte', FAMILY, 63, 26, (s, _m, i) => estimate(s, i, true, false)),
  rowA('fres', FAMILY, 59, 24, (s, _m, i) => estimate(s, i, false, true)),
  rowA('frsqrtes', FAMILY, 59, 26, (s, _m, i) => estimate(s, i, true, true)),

  xfRow('fcmpu', 63, 0, (s, i) => fcmp(s, i, false)),
  xfRow('fcmpo', 63, 32, (s, i) => fcmp(s, i, true)),
  xfRow('frsp', 63, 12, frsp),
  xfRow('fctiw', 63, 14, (s, i) => fcti(s, i, 2, false)),
  xfRow('fctiwz', 63, 15, (s, i) => fcti(s, i, 2, true)),
  xfRow('fctiwu', 63, 142, (s, i) => fcti(s, i, 3, false)),
  xfRow('fctiwuz', 63, 143, (s, i) => fcti(s, i, 3, true)),
  xfRow('fctid', 63, 814, (s, i) => fcti(s, i, 0, false)),
  xfRow('fctidz', 63, 815, (s, i) => fcti(s, i, 0, true)),
  xfRow('fctidu', 63, 942, (s, i) => fcti(s, i, 1, false)),
  xfRow('fctiduz', 63, 943, (s, i) => fcti(s, i, 1, true)),
  xfRow('fcfid', 63, 846, (s, i) => fcfid(s, i, false, false)),
  xfRow('fcfidu', 63, 974, (s, i) => fcfid(s, i, true, false)),
  xfRow('fcfids', 59, 846, (s, i) => fcfid(s, i, false, true)),
  xfRow('fcfidus', 59, 974, (s, i) => fcfid(s, i, true, true)),
  xfRow('frin', 63, 392, (s, i) => fri(s, i, 0)),
  xfRow('friz', 63, 424, (s, i) => fri(s, i, 1)),
  xfRow('frip', 63, 456, (s, i) => fri(s, i, 2)),
  xfRow('frim', 63, 488, (s, i) => fri(s, i, 3)),
  xfRow('fmr', 63, 72, (s, i) => fsign(s, i, -1, 0, 0)),
  xfRow('fneg', 63, 40, (s, i) => fsign(s, i, -1, 0, 0x80000000 | 0)),
  xfRow('fabs', 63, 264, (s, i) => fsign(s, i, 0x7fffffff, 0, 0)),
  xfRow('fnabs', 63, 136, (s, i) => fsign(s, i, -1, 0x80000000 | 0, 0)),
  xfRow('fcpsgn', 63, 8, fcpsgn),
  xfRow('mffs', 63, 583, mffs),
  xfRow('mtfsf', 63, 711, mtfsf),
  xfRow('mtfsfi', 63, 134, mtfsfi),
  xfRow('mtfsb0', 63, 70, (s, i) => mtfsb(s, i, false)),
  xfRow('mtfsb1', 63, 38, (s, i) => mtfsb(s, i, true)),
  xfRow('mcrfs', 63, 64, mcrfs),
];
