// 64-bit values travel as two int32 halves (hi, lo): V8 keeps int32 unboxed, BigInt shifts and
// compares are 5-15x slower (see perf-notes.md). BigInt is for APIs off the hot path only.

/** Combine int32 halves into an unsigned 64-bit bigint. */
export function toBig(hi: number, lo: number): bigint {
  return (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
}

/** High int32 half of a 64-bit value (taken modulo 2^64). */
export function hiOf(v: bigint): number {
  return Number(BigInt.asUintN(32, v >> 32n)) | 0;
}

/** Low int32 half of a 64-bit value. */
export function loOf(v: bigint): number {
  return Number(BigInt.asUintN(32, v)) | 0;
}

/** Format a 64-bit address as 0x-prefixed hex (no padding). */
export function hex64(hi: number, lo: number): string {
  return '0x' + toBig(hi, lo).toString(16);
}
