// IEEE 754 arithmetic as POWER does it, on JS doubles: every FPSCR rounding mode, the exception
// bits, and a true fused multiply-add. JS only rounds to nearest, so each operation computes its
// exact error term (TwoSum / TwoProduct / remainder) and moves the round-to-nearest result by one
// ulp when the mode asks for it. Cases where that error term is not exact (extreme exponents,
// overflow in directed modes) take a BigInt slow path that rounds the exact value; they are rare.
//
// Nothing here allocates on the common path: scratch typed arrays and the module-level `exc`
// accumulator of raised FPSCR bits replace return tuples.

import { TWO32 } from '../int64.js';

/** FPSCR bits (low word of the 64-bit FPSCR; IBM bit 32 = 0x80000000). */
export const FX = 0x80000000 | 0;
export const FEX = 0x40000000;
export const VX = 0x20000000;
export const OX = 0x10000000;
export const UX = 0x08000000;
export const ZX = 0x04000000;
export const XX = 0x02000000;
export const VXSNAN = 0x01000000;
export const VXISI = 0x00800000;
export const VXIDI = 0x00400000;
export const VXZDZ = 0x00200000;
export const VXIMZ = 0x00100000;
export const VXVC = 0x00080000;
export const FR = 0x00040000;
export const FI = 0x00020000;
export const FPRF_SHIFT = 12;
export const FPRF_MASK = 0x1f000;
export const FPCC_MASK = 0xf000;
export const VXSOFT = 0x400;
export const VXSQRT = 0x200;
export const VXCVI = 0x100;
export const VE = 0x80;
export const OE = 0x40;
export const UE = 0x20;
export const ZE = 0x10;
export const XE = 0x08;
export const RN_MASK = 0x3;

export const VX_ALL = VXSNAN | VXISI | VXIDI | VXZDZ | VXIMZ | VXVC | VXSOFT | VXSQRT | VXCVI;
/** Exception bits whose 0->1 transition sets FX. */
export const EXC_BITS = OX | UX | ZX | XX | VX_ALL;

/** Rounding modes, as FPSCR[RN]. */
export const RM_NEAREST = 0;
export const RM_ZERO = 1;
export const RM_UP = 2;
export const RM_DOWN = 3;

/** FPSCR bits raised by the operation in progress (exceptions plus FR/FI). Callers reset it. */
export let exc = 0;
export function resetExc(): void {
  exc = 0;
}
export function raise(bits: number): void {
  exc |= bits;
}

// ------------------------------------------------------------------ bit access

const f64 = new Float64Array(1);
const w64 = new Int32Array(f64.buffer); // little-endian host: [1] = high word
const f32 = new Float32Array(1);
const w32 = new Int32Array(f32.buffer);

/** POW2[e] = 2^(e - 1075): the weight of the last mantissa bit of a double with biased exponent e. */
const POW2 = new Float64Array(2047);
for (let e = 1; e < 2047; e++) POW2[e] = 2 ** (e - 1075);
const TWO52 = 4503599627370496;

/**
 * The double with bits (hi, lo). Finite values are built arithmetically (mantissa times a power of
 * two, exact): writing two int32 halves into a scratch buffer and reading it back as one float64
 * defeats the processor's store-to-load forwarding and cost about 10 ns per call, the largest
 * single item in the FP rows' profile. NaNs go through the buffer to keep their payload.
 */
export function wordsToDouble(hi: number, lo: number): number {
  const e = (hi >>> 20) & 0x7ff;
  if (e === 0x7ff) return viaBuffer(hi, lo);
  const m = (hi & 0xfffff) * TWO32 + (lo >>> 0);
  const mag = e === 0 ? m * 5e-324 : (m + TWO52) * POW2[e];
  return hi < 0 ? -mag : mag;
}
/** Out of line, so that wordsToDouble stays small enough for V8 to inline everywhere. */
function viaBuffer(hi: number, lo: number): number {
  w64[1] = hi;
  w64[0] = lo;
  return f64[0];
}
/** Writes d's bits into dst[at] (high) and dst[at+1] (low). */
export function storeDouble(dst: Int32Array, at: number, d: number): void {
  f64[0] = d;
  dst[at] = w64[1];
  dst[at + 1] = w64[0];
}
export function singleBitsToNumber(w: number): number {
  w32[0] = w;
  return f32[0];
}

export const MAX_DOUBLE = Number.MAX_VALUE;
export const MIN_NORMAL = 2.2250738585072014e-308;
export const MAX_SINGLE = 3.4028234663852886e38;
export const MIN_NORMAL_SINGLE = 1.1754943508222875e-38;
const TWO128 = 3.402823669209385e38;

/** The next double above d (d finite or -Inf). */
export function nextUp(d: number): number {
  if (d !== d || d === Infinity) return d;
  if (d === 0) return 5e-324;
  f64[0] = d;
  let lo = w64[0];
  let hi = w64[1];
  if (d > 0) {
    lo = (lo + 1) | 0;
    if (lo === 0) hi = (hi + 1) | 0;
  } else {
    if (lo === 0) hi = (hi - 1) | 0;
    lo = (lo - 1) | 0;
  }
  w64[0] = lo;
  w64[1] = hi;
  return f64[0];
}
export function nextDown(d: number): number {
  return -nextUp(-d);
}
function nextUpSingle(f: number): number {
  if (f === 0) return 1.401298464324817e-45;
  f32[0] = f;
  w32[0] = f > 0 ? w32[0] + 1 : w32[0] - 1;
  return f32[0];
}
function nextDownSingle(f: number): number {
  return -nextUpSingle(-f);
}

/** FPRF class code (C,FL,FG,FE,FU) of a double result, as QEMU computes it for double and single ops. */
export function fprfOf(d: number): number {
  if (d !== d) return 0x11;
  if (d === Infinity) return 0x05;
  if (d === -Infinity) return 0x09;
  if (d === 0) return 1 / d > 0 ? 0x02 : 0x12;
  if (d > 0) return d < MIN_NORMAL ? 0x14 : 0x04;
  return d > -MIN_NORMAL ? 0x18 : 0x08;
}

// ------------------------------------------------------------------ NaN handling (on words)

export function isNaNWords(hi: number, lo: number): boolean {
  return (hi & 0x7ff00000) === 0x7ff00000 && ((hi & 0xfffff) | lo) !== 0;
}
export function isSNaNWords(hi: number, lo: number): boolean {
  return isNaNWords(hi, lo) && (hi & 0x80000) === 0;
}
/** High word of the default QNaN that an invalid operation produces. */
export const DEFAULT_NAN_HI = 0x7ff80000;

// ------------------------------------------------------------------ rounding

/**
 * Rounds the exact value r + err (r = round-to-nearest double of the exact result, err carrying
 * the sign of exact - r, zero iff exact) to double or single precision in mode m, raising
 * XX/FI/FR/UX/OX in `exc`.
 */
export function finish(r: number, err: number, m: number, single: boolean): number {
  if (single) return finishSingle(r, err, m);
  if (err === 0) return r;
  exc |= XX | FI;
  let res = r;
  if (m !== RM_NEAREST) {
    if (m === RM_ZERO) {
      if (r > 0 && err < 0) res = nextDown(r);
      else if (r < 0 && err > 0) res = nextUp(r);
    } else if (m === RM_UP) {
      if (err > 0) res = nextUp(r);
    } else if (err < 0) res = nextDown(r);
  }
  if (res === r ? (err < 0) === (r > 0) : Math.abs(res) > Math.abs(r)) exc |= FR;
  const ar = Math.abs(r);
  if (ar < MIN_NORMAL || (ar === MIN_NORMAL && (err < 0) === (r > 0))) exc |= UX;
  if (res === Infinity || res === -Infinity) exc |= OX;
  return res;
}

function finishSingle(r: number, err: number, m: number): number {
  const d = roundToOdd(r, err);
  const f = Math.fround(d);
  if (f === d) return f;
  exc |= XX | FI;
  const neg = d < 0;
  if (f === Infinity || f === -Infinity) {
    // Round to nearest overflowed; directed modes toward zero keep MAX unless even the
    // unbounded-exponent rounding exceeds it.
    const towardZero = m === RM_ZERO || (m === RM_UP && neg) || (m === RM_DOWN && !neg);
    if (m !== RM_NEAREST && towardZero) {
      if (Math.abs(d) >= TWO128) exc |= OX;
      return neg ? -MAX_SINGLE : MAX_SINGLE;
    }
    exc |= OX | FR;
    return f;
  }
  let res = f;
  if (m !== RM_NEAREST) {
    const exactAbove = d > f;
    if (m === RM_ZERO) {
      if (f > 0 && !exactAbove) res = nextDownSingle(f);
      else if (f < 0 && exactAbove) res = nextUpSingle(f);
    } else if (m === RM_UP) {
      if (exactAbove) res = nextUpSingle(f);
    } else if (!exactAbove) res = nextDownSingle(f);
  }
  if (Math.abs(res) > Math.abs(d)) exc |= FR;
  if (Math.abs(d) < MIN_NORMAL_SINGLE) exc |= UX;
  if (res === Infinity || res === -Infinity) exc |= OX;
  return res;
}

// ------------------------------------------------------------------ operations (no NaN operands)

const SPLITTER = 134217729; // 2^27 + 1
/**
 * a*b - p exactly, for p = fl(a*b) (Dekker/Veltkamp TwoProduct). Exact when neither the halves
 * of a and b overflow nor the partial products underflow: |a|, |b| < 2^995 and e(a) + e(b) > -970.
 * Returns the error instead of keeping it in module state: a double there would be boxed per call.
 */
export function productError(a: number, b: number, p: number): number {
  let t = SPLITTER * a;
  const ah = t - (t - a);
  const al = a - ah;
  t = SPLITTER * b;
  const bh = t - (t - b);
  const bl = b - bh;
  return ah * bh - p + ah * bl + al * bh + al * bl;
}
/** a + b - s exactly, for s = fl(a + b) (Knuth's TwoSum; exact unless s - a or s - b overflows). */
export function sumError(a: number, b: number, s: number): number {
  const bb = s - a;
  return a - (s - bb) + (b - bb);
}
/**
 * Round to odd at 53 bits: d (the round-to-nearest value of exact = d + err) when exact, else
 * the neighbour of d toward exact whose last bit is 1. A second rounding to fewer bits (single
 * precision) then gives the correctly rounded result of exact.
 */
export function roundToOdd(d: number, err: number): number {
  if (err === 0) return d;
  f64[0] = d;
  if ((w64[0] & 1) !== 0) return d;
  return err > 0 ? nextUp(d) : nextDown(d);
}

const SAFE_HI = 2 ** 990;
const SAFE_LO = 2 ** -960;
function safe(x: number): boolean {
  const a = Math.abs(x);
  return a < SAFE_HI && a > SAFE_LO;
}

/** x + y (x, y not NaN). */
export function fpAdd(x: number, y: number, m: number, single: boolean): number {
  const r = x + y;
  if (r !== r) {
    exc |= VXISI;
    return NaN;
  }
  if (x === Infinity || x === -Infinity || y === Infinity || y === -Infinity) return r;
  if (r === 0) {
    // An exact zero sum: -0 only if both are -0, or in round-down mode unless both are +0.
    if (m === RM_DOWN && !(x === 0 && y === 0 && 1 / x > 0 && 1 / y > 0)) return -0;
    return r;
  }
  if (r === Infinity || r === -Infinity) {
    if (m === RM_NEAREST || single) return overflowed(r > 0, m, single);
    return slowArith(OP_ADD, x, y, 0, m, single);
  }
  return finish(r, sumError(x, y, r), m, single);
}

/** Result of an overflow that round-to-nearest already detected (|exact| >= MAX + ulp/2). */
function overflowed(pos: boolean, m: number, single: boolean): number {
  exc |= OX | XX | FI;
  const max = single ? MAX_SINGLE : MAX_DOUBLE;
  if (m === RM_NEAREST || (m === RM_UP && pos) || (m === RM_DOWN && !pos)) {
    exc |= FR;
    return pos ? Infinity : -Infinity;
  }
  return pos ? max : -max;
}

export function fpMul(x: number, y: number, m: number, single: boolean): number {
  const r = x * y;
  if (r !== r) {
    exc |= VXIMZ;
    return NaN;
  }
  if (x === 0 || y === 0 || !isFinite(x) || !isFinite(y)) return r;
  if (!safe(x) || !safe(y) || !safe(r)) {
    if ((r === Infinity || r === -Infinity) && (m === RM_NEAREST || single)) return overflowed(r > 0, m, single);
    return slowArith(OP_MUL, x, y, 0, m, single);
  }
  return finish(r, productError(x, y, r), m, single);
}

export function fpDiv(x: number, y: number, m: number, single: boolean): number {
  const q = x / y;
  if (q !== q) {
    exc |= x === 0 ? VXZDZ : VXIDI;
    return NaN;
  }
  if (y === 0) {
    if (x !== Infinity && x !== -Infinity) exc |= ZX;
    return q;
  }
  if (x === 0 || !isFinite(x) || !isFinite(y)) return q;
  if (!safe(x) || !safe(y) || !safe(q)) {
    if ((q === Infinity || q === -Infinity) && (m === RM_NEAREST || single)) return overflowed(q > 0, m, single);
    return slowArith(OP_DIV, x, y, 0, m, single);
  }
  const p = q * y;
  const rem = x - p - productError(q, y, p); // x - p is exact (Sterbenz); the sign of the rest is right
  return finish(q, y > 0 ? rem : -rem, m, single);
}

export function fpSqrt(x: number, m: number, single: boolean): number {
  if (x < 0) {
    exc |= VXSQRT;
    return NaN;
  }
  const r = Math.sqrt(x);
  if (x === 0 || x === Infinity) return r;
  if (!safe(x)) return slowArith(OP_SQRT, x, 0, 0, m, single);
  const p = r * r;
  const rem = x - p - productError(r, r, p);
  return finish(r, rem, m, single);
}

/** Fused a*c + b with one rounding (a, b, c not NaN). */
export function fpFma(a: number, c: number, b: number, m: number, single: boolean): number {
  const aInf = a === Infinity || a === -Infinity;
  const cInf = c === Infinity || c === -Infinity;
  if ((aInf && c === 0) || (cInf && a === 0)) {
    exc |= VXIMZ;
    return NaN;
  }
  if (aInf || cInf) {
    const prod = a * c;
    const r = prod + b;
    if (r !== r) {
      exc |= VXISI;
      return NaN;
    }
    return r;
  }
  if (b === Infinity || b === -Infinity) return b;
  if (a === 0 || c === 0) return fpAdd(a * c, b, m, single);
  if (!safe(a) || !safe(c) || Math.abs(a * c) > SAFE_HI || Math.abs(a * c) < 2 ** -900 || Math.abs(b) > SAFE_HI) {
    return slowArith(OP_FMA, a, c, b, m, single);
  }
  const z = fusedNearest(a, c, b);
  const zErr = fusedErr[0];
  if (z === 0 && zErr === 0) {
    // Exact zero: sign rules of addition (x + (-x) is +0, -0 in round-down).
    if (m === RM_DOWN) return -0;
    return 0;
  }
  return finish(z, zErr, m, single);
}

/** The error term of the last fusedNearest (a typed array: a module-level double would be boxed). */
export const fusedErr = new Float64Array(1);
/**
 * a*c + b rounded to nearest, with fusedErr[0] = (th + v) - result, whose sign and zeroness are
 * those of the exact error (what finish needs). Boldo-Melquiond: a*c = uh + ul exactly,
 * b + uh = th + tl exactly, v = round-to-odd(tl + ul); th + v then rounds, in any mode, as the
 * exact sum does. Exact under fpFma's fast conditions (no overflow or underflow in the pieces).
 */
export function fusedNearest(a: number, c: number, b: number): number {
  const uh = a * c;
  const ul = productError(a, c, uh);
  const th = b + uh;
  const tl = sumError(b, uh, th);
  const v0 = tl + ul;
  const v = roundToOdd(v0, sumError(tl, ul, v0));
  const z = th + v;
  fusedErr[0] = sumError(th, v, z);
  return z;
}

// ------------------------------------------------------------------ BigInt slow path

const OP_ADD = 0;
const OP_MUL = 1;
const OP_DIV = 2;
const OP_SQRT = 3;
const OP_FMA = 4;

let decNeg = false;
let decExp = 0;
/** Decomposes finite x into (-1)^decNeg * mant * 2^decExp. */
function decompose(x: number): bigint {
  f64[0] = x;
  const hi = w64[1];
  const lo = w64[0];
  decNeg = hi < 0;
  const e = (hi >>> 20) & 0x7ff;
  let mant = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo >>> 0);
  if (e === 0) decExp = -1074;
  else {
    mant |= 1n << 52n;
    decExp = e - 1075;
  }
  return mant;
}

function bitLength(v: bigint): number {
  return v === 0n ? 0 : v.toString(2).length;
}

function isqrt(n: bigint): bigint {
  if (n < 2n) return n;
  // Newton's iteration from a power of two above the root decreases monotonically to floor(sqrt(n)).
  let x = 1n << BigInt((bitLength(n) >> 1) + 1);
  for (;;) {
    const y = (x + n / x) >> 1n;
    if (y >= x) return x;
    x = y;
  }
}

/** Exact arithmetic with BigInt, then one rounding. Only for the rare cases the fast paths cannot prove. */
export function slowArith(op: number, x: number, y: number, z: number, m: number, single: boolean): number {
  let neg: boolean;
  let mant: bigint;
  let exp: number;
  let sticky = false;
  if (op === OP_ADD || op === OP_FMA) {
    let m1: bigint;
    let e1: number;
    let n1: boolean;
    if (op === OP_ADD) {
      m1 = decompose(x);
      e1 = decExp;
      n1 = decNeg;
    } else {
      const ma = decompose(x);
      const ea = decExp;
      const na = decNeg;
      const mc = decompose(y);
      m1 = ma * mc;
      e1 = ea + decExp;
      n1 = na !== decNeg;
      y = z;
    }
    const m2 = decompose(y);
    const e2 = decExp;
    const n2 = decNeg;
    const e = Math.min(e1, e2);
    const s1 = (n1 ? -m1 : m1) << BigInt(e1 - e);
    const s2 = (n2 ? -m2 : m2) << BigInt(e2 - e);
    let sum = s1 + s2;
    if (sum === 0n) return m === RM_DOWN ? -0 : 0;
    neg = sum < 0n;
    if (neg) sum = -sum;
    mant = sum;
    exp = e;
  } else if (op === OP_MUL) {
    const ma = decompose(x);
    const ea = decExp;
    const na = decNeg;
    mant = ma * decompose(y);
    exp = ea + decExp;
    neg = na !== decNeg;
  } else if (op === OP_DIV) {
    const ma = decompose(x);
    const ea = decExp;
    const na = decNeg;
    const mb = decompose(y);
    const k = 120 + bitLength(mb) - bitLength(ma);
    const num = ma << BigInt(k);
    mant = num / mb;
    sticky = mant * mb !== num;
    exp = ea - decExp - k;
    neg = na !== decNeg;
  } else {
    let ma = decompose(x);
    let ea = decExp;
    if (ea & 1) {
      ma <<= 1n;
      ea -= 1;
    }
    const k = 240 - bitLength(ma); // even shift so the root has ~120 bits
    const kk = k & 1 ? k + 1 : k;
    const n = ma << BigInt(kk);
    mant = isqrt(n);
    sticky = mant * mant !== n;
    exp = (ea - kk) / 2;
    neg = false;
  }
  return roundBig(neg, mant, exp, sticky, m, single);
}

/** Rounds (-1)^neg * (mant + sticky epsilon) * 2^exp to double or single in mode m, raising flags. */
export function roundBig(neg: boolean, mant: bigint, exp: number, sticky: boolean, m: number, single: boolean): number {
  const p = single ? 24 : 53;
  const emin = single ? -126 : -1022;
  const emax = single ? 127 : 1023;
  const len = bitLength(mant);
  const e = len - 1 + exp; // value in [2^e, 2^(e+1))
  const tiny = e < emin;
  const q = tiny ? emin - p + 1 : e - p + 1; // exponent of the last kept bit
  const shift = q - exp;
  let keep: bigint;
  let cmpHalf: number; // -1 below half, 0 exactly half, 1 above half (of the discarded part)
  let inexact: boolean;
  if (shift > 0) {
    const sh = BigInt(shift);
    keep = mant >> sh;
    const rem = mant & ((1n << sh) - 1n);
    const half = 1n << (sh - 1n);
    cmpHalf = rem > half ? 1 : rem < half ? -1 : sticky ? 1 : 0;
    inexact = rem !== 0n || sticky;
  } else {
    keep = mant << BigInt(-shift);
    cmpHalf = sticky ? -1 : -1;
    inexact = sticky;
  }
  let up = false;
  if (inexact) {
    if (m === RM_NEAREST) up = cmpHalf > 0 || (cmpHalf === 0 && (keep & 1n) === 1n);
    else if (m === RM_UP) up = !neg;
    else if (m === RM_DOWN) up = neg;
  }
  if (up) keep += 1n;
  // value = keep * 2^q; check overflow on the unbounded-exponent rounding
  const vlen = bitLength(keep);
  if (keep !== 0n && vlen - 1 + q > emax) {
    return overflowed(!neg, m, single);
  }
  if (inexact) {
    exc |= XX | FI;
    if (up) exc |= FR;
    if (tiny) exc |= UX;
  }
  // keep <= 2^54: exact as a Number; scale in two steps to stay exact near the subnormal range
  let v = Number(keep);
  const q1 = Math.trunc(q / 2);
  v = v * 2 ** q1 * 2 ** (q - q1);
  return neg ? -v : v;
}

// ------------------------------------------------------------------ conversions

export let convHi = 0;
export let convLo = 0;

/**
 * Rounds x to an integer in mode m and saturates into the given range; the result goes to
 * convHi/convLo. kind: 0 = int64, 1 = uint64, 2 = int32, 3 = uint32. NaN raises VXCVI (and
 * VXSNAN via the caller) and gives the minimum (signed) or 0 (unsigned).
 */
export function toInteger(x: number, m: number, kind: number, snan: boolean): void {
  if (x !== x) {
    exc |= VXCVI | (snan ? VXSNAN : 0);
    nanInput = true;
    setSaturated(kind, true);
    nanInput = false;
    return;
  }
  let t = Math.trunc(x);
  const frac = x - t;
  if (frac !== 0) {
    if (m === RM_NEAREST) {
      const af = Math.abs(frac);
      if (af > 0.5 || (af === 0.5 && t % 2 !== 0)) t += x > 0 ? 1 : -1;
    } else if (m === RM_UP) {
      if (frac > 0) t += 1;
    } else if (m === RM_DOWN) {
      if (frac < 0) t -= 1;
    }
  }
  let lo: number;
  let hi: number;
  if (kind === 0) {
    lo = -9223372036854775808;
    hi = 9223372036854775808;
  } else if (kind === 1) {
    lo = 0;
    hi = 18446744073709551616;
  } else if (kind === 2) {
    lo = -2147483648;
    hi = 2147483648;
  } else {
    lo = 0;
    hi = 4294967296;
  }
  if (t < lo) {
    exc |= VXCVI;
    setSaturated(kind, true);
    return;
  }
  if (t >= hi) {
    exc |= VXCVI;
    setSaturated(kind, false);
    return;
  }
  if (t !== x) {
    exc |= XX | FI;
    if (Math.abs(t) > Math.abs(x)) exc |= FR;
  }
  if (kind >= 2) {
    convLo = t | 0;
    convHi = kind === 2 ? convLo >> 31 : 0;
    return;
  }
  const h = Math.floor(t / 4294967296);
  convHi = h | 0;
  convLo = (t - h * 4294967296) | 0;
}

let nanInput = false;
function setSaturated(kind: number, low: boolean): void {
  if (kind === 0) {
    convHi = low ? 0x80000000 | 0 : 0x7fffffff;
    convLo = low ? 0 : -1;
  } else if (kind === 1) {
    convHi = low ? 0 : -1;
    convLo = low ? 0 : -1;
  } else if (kind === 2) {
    convLo = low ? 0x80000000 | 0 : 0x7fffffff;
    convHi = low && !nanInput ? -1 : 0; // QEMU: a NaN gives 0x0000000080000000
  } else {
    convLo = low ? 0 : -1;
    convHi = 0;
  }
}

/** Signed (or unsigned) 64-bit integer (hi, lo) to double or single, rounded once in mode m. */
export function fromInteger(hi: number, lo: number, unsigned: boolean, m: number, single: boolean): number {
  const h = unsigned ? hi >>> 0 : hi;
  const big = h * 4294967296; // exact
  const l = lo >>> 0;
  const r = big + l;
  const bb = r - big;
  const err = big - (r - bb) + (l - bb);
  return finish(r, err, m, single);
}

/** Round-to-integer for frin/friz/frip/frim (x not NaN); FPSCR XX is not raised. */
export function roundToIntegral(x: number, mode: number): number {
  if (!isFinite(x) || x === 0) return x;
  let r: number;
  if (mode === 0) {
    r = Math.trunc(x);
    if (Math.abs(x - r) >= 0.5) r += x > 0 ? 1 : -1;
  } else if (mode === 1) r = Math.trunc(x);
  else if (mode === 2) r = Math.ceil(x);
  else r = Math.floor(x);
  if (r === 0) return x < 0 ? -0 : 0;
  return r;
}

// ------------------------------------------------------------------ single <-> double by bits

/** lfs: single bits -> double words into dst[at], dst[at+1], keeping NaN payloads and SNaN. */
export function singleToDoubleWords(w: number, dst: Int32Array, at: number): void {
  const e = (w >>> 23) & 0xff;
  if (e === 0xff) {
    const frac = w & 0x7fffff;
    dst[at] = (w & (0x80000000 | 0)) | 0x7ff00000 | (frac >>> 3);
    dst[at + 1] = frac << 29;
    return;
  }
  storeDouble(dst, at, singleBitsToNumber(w));
}

/** stfs: double words -> single bits, by the ISA's bit algorithm (truncating, no rounding). */
export function doubleWordsToSingle(hi: number, lo: number): number {
  const e = (hi >>> 20) & 0x7ff;
  if (e > 896 || ((hi & 0x7fffffff) | lo) === 0) {
    return (hi & (0xc0000000 | 0)) | ((hi & 0x07ffffff) << 3) | (lo >>> 29);
  }
  // Denormalise: 1.frac shifted right until the exponent is -126.
  const sign = hi & (0x80000000 | 0);
  const shift = 897 - e; // >= 1
  // mantissa with implicit bit: 53 bits = (0x100000 | hi frac) : lo; single frac = top 23 bits after shift
  const mhi = (hi & 0xfffff) | 0x100000; // 21 bits
  // take bits as a 24-bit value 1.f[0..22] then shift right
  const top24 = (mhi << 3) | (lo >>> 29); // 24 bits: implicit 1 and 23 fraction bits
  const frac = shift >= 32 ? 0 : top24 >>> shift;
  return sign | (frac & 0x7fffff);
}
