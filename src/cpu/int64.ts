// 64-bit values travel as two int32 halves (hi, lo): V8 keeps int32 unboxed, BigInt shifts and
// compares are 5-15x slower (see notes/cpu-performance.md). BigInt is for APIs off the hot path only.

// Values below 2^53 (pointers, sizes, times, most arguments of libc calls) convert through a double:
// one BigInt allocated instead of four, which was most of what a host call allocated (chansieve's
// 130 K clock_gettime calls: about 70 scavenges).
export const TWO32 = 4294967296;
export const TWO53 = 2n ** 53n;

/** Combine int32 halves into an unsigned 64-bit bigint. */
export function toBig(hi: number, lo: number): bigint {
  const h = hi >>> 0;
  if (h < 0x200000) return BigInt(h * TWO32 + (lo >>> 0));
  return (BigInt(h) << 32n) | BigInt(lo >>> 0);
}

/** High int32 half of a 64-bit value (taken modulo 2^64). */
export function hiOf(v: bigint): number {
  if (v >= 0n && v < TWO53) return Math.floor(Number(v) / TWO32) | 0;
  return Number(BigInt.asUintN(32, v >> 32n)) | 0;
}

/** Low int32 half of a 64-bit value. */
export function loOf(v: bigint): number {
  if (v >= 0n && v < TWO53) return Number(v) % TWO32 | 0;
  return Number(BigInt.asUintN(32, v)) | 0;
}

/** Format a 64-bit address as 0x-prefixed hex (no padding). */
export function hex64(hi: number, lo: number): string {
  return '0x' + toBig(hi, lo).toString(16);
}

// ---------------------------------------------------------------- hot-path helpers
//
// Helpers that produce a 64-bit value write it to the scratch array R (R[0] = high word,
// R[1] = low word) instead of returning an object, so nothing is allocated. Callers copy R out
// immediately; any helper call may overwrite it.

/** Scratch result of the 64-bit helpers: [high, low]. */
export const R = new Int32Array(2);

/** High 32 bits of the unsigned 32x32 product (int32). */
export function mulhu32(a: number, b: number): number {
  const a0 = a & 0xffff;
  const a1 = a >>> 16;
  const b0 = b & 0xffff;
  const b1 = b >>> 16;
  const p00 = a0 * b0;
  const p01 = a0 * b1;
  const p10 = a1 * b0;
  const mid = (p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
  return (a1 * b1 + (p01 >>> 16) + (p10 >>> 16) + (mid >>> 16)) | 0;
}

/** High 32 bits of the signed 32x32 product (int32). */
export function mulhs32(a: number, b: number): number {
  let h = mulhu32(a, b);
  if (a < 0) h = (h - b) | 0;
  if (b < 0) h = (h - a) | 0;
  return h;
}

/** Low 64 bits of the 64x64 product (same for signed and unsigned) -> R. */
export function mul64(ahi: number, alo: number, bhi: number, blo: number): void {
  R[1] = Math.imul(alo, blo);
  R[0] = (mulhu32(alo, blo) + Math.imul(ahi, blo) + Math.imul(alo, bhi)) | 0;
}

/** High 64 bits of the unsigned 64x64 product -> R. */
export function mulhdu(ahi: number, alo: number, bhi: number, blo: number): void {
  // 32-bit limbs; sums of up to four 32-bit values stay exact in doubles.
  const lo1 = Math.imul(alo, bhi) >>> 0;
  const lo2 = Math.imul(ahi, blo) >>> 0;
  const t = (mulhu32(alo, blo) >>> 0) + lo1 + lo2;
  const c1 = Math.floor(t / 4294967296);
  const u = (mulhu32(alo, bhi) >>> 0) + (mulhu32(ahi, blo) >>> 0) + (Math.imul(ahi, bhi) >>> 0) + c1;
  const c2 = Math.floor(u / 4294967296);
  R[1] = u | 0;
  R[0] = (mulhu32(ahi, bhi) + c2) | 0;
}

/** High 64 bits of the signed 64x64 product -> R. */
export function mulhd(ahi: number, alo: number, bhi: number, blo: number): void {
  mulhdu(ahi, alo, bhi, blo);
  // signed = unsigned - (a<0 ? b<<64 : 0) - (b<0 ? a<<64 : 0), taken in the high half.
  let h = R[0];
  let l = R[1];
  if (ahi < 0) {
    const nl = (l - blo) | 0;
    h = (h - bhi - ((l >>> 0) < (blo >>> 0) ? 1 : 0)) | 0;
    l = nl;
  }
  if (bhi < 0) {
    const nl = (l - alo) | 0;
    h = (h - ahi - ((l >>> 0) < (alo >>> 0) ? 1 : 0)) | 0;
    l = nl;
  }
  R[0] = h;
  R[1] = l;
}

/** 64-bit add with carry in; result -> R, returns the carry out (0/1). */
export function addCarry(ahi: number, alo: number, bhi: number, blo: number, cin: number): number {
  const l = (alo >>> 0) + (blo >>> 0) + cin;
  const h = (ahi >>> 0) + (bhi >>> 0) + (l > 0xffffffff ? 1 : 0);
  R[1] = l | 0;
  R[0] = h | 0;
  return h > 0xffffffff ? 1 : 0;
}

/** Rotate the 64-bit value left by n (0..63) -> R. */
export function rotl64(hi: number, lo: number, n: number): void {
  if (n & 32) {
    const t = hi;
    hi = lo;
    lo = t;
  }
  n &= 31;
  if (n === 0) {
    R[0] = hi;
    R[1] = lo;
  } else {
    R[0] = (hi << n) | (lo >>> (32 - n));
    R[1] = (lo << n) | (hi >>> (32 - n));
  }
}

/** MASK(mb, me) for all 64x64 (mb, me) in IBM numbering, wrapping when mb > me: [hi, lo] pairs. */
export const MASK64 = buildMasks();

function mask32(b: number, e: number): number {
  return ((-1 >>> b) ^ (e === 31 ? 0 : -1 >>> (e + 1))) | 0;
}

function buildMasks(): Int32Array {
  const t = new Int32Array(64 * 64 * 2);
  const plain = (mb: number, me: number): [number, number] => {
    if (mb > me) return [0, 0];
    const hi = mb <= 31 ? mask32(mb, Math.min(me, 31)) : 0;
    const lo = me >= 32 ? mask32(Math.max(mb, 32) - 32, me - 32) : 0;
    return [hi, lo];
  };
  for (let mb = 0; mb < 64; mb++) {
    for (let me = 0; me < 64; me++) {
      let m: [number, number];
      if (mb <= me) m = plain(mb, me);
      else {
        const inv = plain(me + 1, mb - 1);
        m = [~inv[0], ~inv[1]];
      }
      t[(mb * 64 + me) * 2] = m[0];
      t[(mb * 64 + me) * 2 + 1] = m[1];
    }
  }
  return t;
}

/** Count leading zeros of a 64-bit value (0..64). */
export function cntlzd(hi: number, lo: number): number {
  return hi !== 0 ? Math.clz32(hi) : 32 + Math.clz32(lo);
}

/** Population count of a 32-bit value. */
export function popcnt32(x: number): number {
  x = x - ((x >>> 1) & 0x55555555);
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}

/** Per-byte population counts of a 32-bit value (popcntb lanes). */
export function popcntBytes32(x: number): number {
  x = x - ((x >>> 1) & 0x55555555);
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (x + (x >>> 4)) & 0x0f0f0f0f;
}


/**
 * Unsigned 64-bit division -> R. Returns false (R untouched) for a zero divisor. Exact for all
 * operands and allocation-free: doubles when both fit in 53 bits, 16-bit long division for a
 * 32-bit divisor, and a corrected double estimate otherwise (the quotient is then < 2^32).
 */
export function divdu(ahi: number, alo: number, bhi: number, blo: number): boolean {
  if ((bhi | blo) === 0) return false;
  if ((ahi >>> 0) < 0x200000 && (bhi >>> 0) < 0x200000) {
    const a = (ahi >>> 0) * TWO32 + (alo >>> 0);
    const b = (bhi >>> 0) * TWO32 + (blo >>> 0);
    const q = Math.floor(a / b);
    R[1] = q | 0;
    R[0] = Math.floor(q / TWO32) | 0;
    return true;
  }
  if (bhi === 0) {
    // Four 16-bit digits; every partial dividend is < 2^48, exact in a double.
    const b = blo >>> 0;
    let cur = ahi >>> 16;
    const q0 = Math.floor(cur / b);
    cur = (cur - q0 * b) * 65536 + (ahi & 0xffff);
    const q1 = Math.floor(cur / b);
    cur = (cur - q1 * b) * 65536 + (alo >>> 16);
    const q2 = Math.floor(cur / b);
    cur = (cur - q2 * b) * 65536 + (alo & 0xffff);
    const q3 = Math.floor(cur / b);
    R[0] = (q0 << 16) | q1;
    R[1] = (q2 << 16) | q3;
    return true;
  }
  // Divisor >= 2^32: the quotient fits in 32 bits and the double estimate is within 1 of it.
  let q = Math.floor(((ahi >>> 0) * TWO32 + (alo >>> 0)) / ((bhi >>> 0) * TWO32 + (blo >>> 0)));
  if (q > 0) q -= 1; // now q <= the true quotient, so q*b <= a cannot overflow
  mul64(0, q | 0, bhi, blo);
  let rlo = (alo - R[1]) | 0;
  let rhi = (ahi - R[0] - ((alo >>> 0) < (R[1] >>> 0) ? 1 : 0)) | 0;
  // while r >= b: q++, r -= b (at most twice)
  while ((rhi >>> 0) > (bhi >>> 0) || (rhi === bhi && (rlo >>> 0) >= (blo >>> 0))) {
    q++;
    const nlo = (rlo - blo) | 0;
    rhi = (rhi - bhi - ((rlo >>> 0) < (blo >>> 0) ? 1 : 0)) | 0;
    rlo = nlo;
  }
  R[0] = 0;
  R[1] = q | 0;
  return true;
}

/** Signed 64-bit division -> R. Returns false for a zero divisor or MIN / -1. */
export function divd(ahi: number, alo: number, bhi: number, blo: number): boolean {
  if ((bhi | blo) === 0) return false;
  if (ahi === (0x80000000 | 0) && alo === 0 && bhi === -1 && blo === -1) return false;
  if (ahi + 0x200000 >= 0 && ahi < 0x200000 && bhi + 0x200000 >= 0 && bhi < 0x200000) {
    const a = ahi * TWO32 + (alo >>> 0);
    const b = bhi * TWO32 + (blo >>> 0);
    const q = Math.trunc(a / b);
    R[1] = q | 0;
    R[0] = Math.floor(q / TWO32) | 0;
    return true;
  }
  // Divide magnitudes (|MIN| = 2^63 is fine unsigned), then fix the sign.
  const neg = ahi < 0 !== bhi < 0;
  if (ahi < 0) {
    ahi = (~ahi + (alo === 0 ? 1 : 0)) | 0;
    alo = -alo | 0;
  }
  if (bhi < 0) {
    bhi = (~bhi + (blo === 0 ? 1 : 0)) | 0;
    blo = -blo | 0;
  }
  divdu(ahi, alo, bhi, blo);
  if (neg) {
    const lo = R[1];
    R[0] = (~R[0] + (lo === 0 ? 1 : 0)) | 0;
    R[1] = -lo | 0;
  }
  return true;
}
