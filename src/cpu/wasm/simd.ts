// The WebAssembly SIMD (v128) instructions the vector rows emit (wasm/emit-vector.ts): the 0xfd
// prefix, then the opcode as unsigned LEB128, then any immediates. Kept beside encode.ts, whose
// WasmFn receives the bytes.
import { Op, type WasmFn, uleb } from './encode.js';

export const Simd = {
  v128_load: 0x00,
  v128_load64_splat: 0x0a,
  v128_store: 0x0b,
  v128_const: 0x0c,
  i8x16_shuffle: 0x0d,
  i8x16_swizzle: 0x0e,
  i8x16_splat: 0x0f,
  i32x4_splat: 0x11,
  i64x2_splat: 0x12,
  i8x16_extract_lane_u: 0x16,
  i32x4_extract_lane: 0x1b,
  i32x4_replace_lane: 0x1c,
  i64x2_extract_lane: 0x1d,
  i64x2_replace_lane: 0x1e,
  i8x16_eq: 0x23,
  i8x16_ne: 0x24,
  i8x16_gt_s: 0x27,
  i8x16_gt_u: 0x28,
  i16x8_eq: 0x2d,
  i16x8_gt_s: 0x31,
  i16x8_gt_u: 0x32,
  i32x4_eq: 0x37,
  i32x4_lt_u: 0x3a,
  i32x4_gt_s: 0x3b,
  i32x4_gt_u: 0x3c,
  i32x4_ge_u: 0x40,
  v128_not: 0x4d,
  v128_and: 0x4e,
  v128_andnot: 0x4f,
  v128_or: 0x50,
  v128_xor: 0x51,
  v128_bitselect: 0x52,
  v128_any_true: 0x53,
  i8x16_popcnt: 0x62,
  i8x16_all_true: 0x63,
  i8x16_bitmask: 0x64,
  i8x16_shr_u: 0x6d,
  i8x16_add: 0x6e,
  i8x16_sub: 0x71,
  i8x16_min_s: 0x76,
  i8x16_min_u: 0x77,
  i8x16_max_s: 0x78,
  i8x16_max_u: 0x79,
  i16x8_add: 0x8e,
  i16x8_sub: 0x91,
  i16x8_min_s: 0x96,
  i16x8_min_u: 0x97,
  i16x8_max_s: 0x98,
  i16x8_max_u: 0x99,
  i32x4_shl: 0xab,
  i32x4_shr_u: 0xad,
  i32x4_add: 0xae,
  i32x4_sub: 0xb1,
  i32x4_min_s: 0xb6,
  i32x4_min_u: 0xb7,
  i32x4_max_s: 0xb8,
  i32x4_max_u: 0xb9,
  i64x2_shl: 0xcb,
  i64x2_shr_u: 0xcd,
  i64x2_add: 0xce,
  i64x2_sub: 0xd1,
  i64x2_eq: 0xd6,
  i64x2_gt_s: 0xd9,
} as const;

/** vcmp* over byte, halfword and word lanes: the lane compare each is (emit-vector.ts, interp.ts). */
export const LANE_COMPARE_FORMS: Record<string, number> = {
  vcmpequb: Simd.i8x16_eq,
  vcmpequh: Simd.i16x8_eq,
  vcmpequw: Simd.i32x4_eq,
  vcmpgtub: Simd.i8x16_gt_u,
  vcmpgtuh: Simd.i16x8_gt_u,
  vcmpgtuw: Simd.i32x4_gt_u,
  vcmpgtsb: Simd.i8x16_gt_s,
  vcmpgtsh: Simd.i16x8_gt_s,
  vcmpgtsw: Simd.i32x4_gt_s,
};

/** 16 copies of byte b (a v128.const operand). */
export const splatBytes = (b: number): number[] => new Array<number>(16).fill(b & 0xff);
/** Big-endian byte q of a register is byte q ^ 3 of its 16 bytes; this swaps guest <-> register order. */
export const WORD_BSWAP = Array.from({ length: 16 }, (_v, o) => o ^ 3);
/** A register's layout (four words, most significant first, each little-endian) <-> i64x2 lanes holding each doubleword's value. */
export const DWORD_SWAP = Array.from({ length: 16 }, (_v, o) => o ^ 4);
/**
 * A byte-reversed page's 16 bytes <-> register layout: register byte o is big-endian byte o ^ 3,
 * stored at 15 - (o ^ 3) = o ^ 12 of the 16.
 */
export const WORD_REVERSE = Array.from({ length: 16 }, (_v, o) => o ^ 12);

/** A SIMD instruction without immediates. */
export function simd(f: WasmFn, op: number): void {
  f.bytes.push(0xfd);
  uleb(f.bytes, op);
}

/** A lane access (extract_lane, replace_lane) of lane `lane`. */
export function simdLane(f: WasmFn, op: number, lane: number): void {
  simd(f, op);
  f.bytes.push(lane);
}

/** A SIMD memory access (v128.load, v128.store, load splats): alignment hint 1 byte, offset. */
export function simdMem(f: WasmFn, op: number, offset: number): void {
  simd(f, op);
  f.bytes.push(0);
  uleb(f.bytes, offset);
}

/** v128.const of 16 bytes (lane order: byte 0 is the lowest address). */
export function v128Const(f: WasmFn, bytes: readonly number[]): void {
  simd(f, Simd.v128_const);
  for (let k = 0; k < 16; k++) f.bytes.push(bytes[k] & 0xff);
}

/** i8x16.shuffle of the two v128 on the stack: result byte k = byte lanes[k] of (first || second). */
export function shuffle(f: WasmFn, lanes: readonly number[]): void {
  simd(f, Simd.i8x16_shuffle);
  for (let k = 0; k < 16; k++) f.bytes.push(lanes[k]);
}

/**
 * The CR (the i32 `cr` pushes) with field 6 set from the vector compare result in v128 local `x`
 * (vcmp*. with Rc): 8 if every lane is true, 2 if none, else 0.
 */
export function withCr6(f: WasmFn, cr: () => void, x: number): void {
  cr();
  f.i32_const(~0xf0).op(Op.i32_and);
  f.local_get(x);
  simd(f, Simd.i8x16_all_true);
  f.i32_const(7).op(Op.i32_shl).op(Op.i32_or);
  f.local_get(x);
  simd(f, Simd.v128_any_true);
  f.i32_const(1).op(Op.i32_xor).i32_const(5).op(Op.i32_shl).op(Op.i32_or);
}

/**
 * Bytes of two registers chosen per byte (vperm, vsldoi): result byte o = byte idx[o] of VA || VB
 * in register order, with the indices in v128 local `idx` (0..31, big-endian index ^ 3): a
 * swizzle of each, whose out-of-range indices give 0, ORed.
 */
export function selectBytes(f: WasmFn, va: () => void, vb: () => void, idx: number): void {
  va();
  f.local_get(idx);
  simd(f, Simd.i8x16_swizzle); // indices 16..31 give 0
  vb();
  f.local_get(idx);
  v128Const(f, splatBytes(16));
  simd(f, Simd.v128_xor); // 16..31 -> 0..15, 0..15 -> 16..31 (0)
  simd(f, Simd.i8x16_swizzle);
  simd(f, Simd.v128_or);
}

/**
 * vbpermq's 16-bit result (an i32): bit i (from the left) = bit (VB byte i) of VA, 0 for indices
 * of 128 and up. VA is what `va` pushes, VB is in v128 local `idx`; `scratch` is a v128 local.
 * Each byte's bit selected by two swizzles and an AND, then i8x16.bitmask of the bytes in reverse
 * big-endian order (register byte o is big-endian byte o ^ 3).
 */
export function bitPermute(f: WasmFn, va: () => void, idx: number, scratch: number): void {
  va();
  f.local_get(idx).i32_const(3);
  simd(f, Simd.i8x16_shr_u);
  v128Const(f, splatBytes(3));
  simd(f, Simd.v128_xor);
  simd(f, Simd.i8x16_swizzle); // the byte holding the bit (0 for an index >= 128)
  v128Const(f, [0x80, 0x40, 0x20, 0x10, 8, 4, 2, 1, 0, 0, 0, 0, 0, 0, 0, 0]);
  f.local_get(idx);
  v128Const(f, splatBytes(7));
  simd(f, Simd.v128_and);
  simd(f, Simd.i8x16_swizzle); // the bit's mask within it
  simd(f, Simd.v128_and);
  v128Const(f, splatBytes(0));
  simd(f, Simd.i8x16_ne);
  f.local_tee(scratch).local_get(scratch);
  shuffle(f, Array.from({ length: 16 }, (_v, p) => (15 - p) ^ 3));
  simd(f, Simd.i8x16_bitmask);
}

// ---- SHA-2 sigma functions

/** rotr (or shift right when `shift`) of the i32x4 / i64x2 lanes in v128 local `x` by n. */
function rotr(f: WasmFn, x: number, n: number, bits: 32 | 64, shift: boolean): void {
  f.local_get(x).i32_const(n);
  simd(f, bits === 32 ? Simd.i32x4_shr_u : Simd.i64x2_shr_u);
  if (shift) return;
  f.local_get(x).i32_const(bits - n);
  simd(f, bits === 32 ? Simd.i32x4_shl : Simd.i64x2_shl);
  simd(f, Simd.v128_or);
}
/** One SHA-2 sigma of the lanes in v128 local `x` (vshasigmaw/d in emit-vector.ts and interp.ts). */
export function sigma(f: WasmFn, bits: 32 | 64, [r1, r2, r3, shift]: Sigma, x: number): void {
  rotr(f, x, r1, bits, false);
  rotr(f, x, r2, bits, false);
  simd(f, Simd.v128_xor);
  rotr(f, x, r3, bits, shift);
  simd(f, Simd.v128_xor);
}
export type Sigma = readonly [number, number, number, boolean];
/** [lower sigma 0, lower sigma 1, upper Sigma 0, upper Sigma 1] of SHA-256 and SHA-512. */
export const SIGMA_W: readonly Sigma[] = [[7, 18, 3, true], [17, 19, 10, true], [2, 13, 22, false], [6, 11, 25, false]];
export const SIGMA_D: readonly Sigma[] = [[1, 8, 7, true], [19, 61, 6, true], [28, 34, 39, false], [14, 18, 41, false]];

let supported: boolean | undefined;
/** Does this host's WebAssembly validate SIMD (a module using v128)? Checked once. */
export function simdSupported(): boolean {
  if (supported !== undefined) return supported;
  // (func (result i32) v128.const 0 v128.any_true)
  const body = [0x00, 0xfd, 0x0c, ...new Array<number>(16).fill(0), 0xfd, 0x53, 0x0b];
  const bytes = new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7f,
    0x03, 0x02, 0x01, 0x00,
    0x0a, body.length + 2, 0x01, body.length, ...body,
  ]);
  try {
    supported = WebAssembly.validate(bytes);
  } catch {
    supported = false;
  }
  return supported;
}
