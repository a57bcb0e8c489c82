// Wasm emitters for the vector rows Go runs hot (VMX, VSX, SHA-2 crypto): the SHA-256 block loop
// (lvx, lxvd2x, vadduwm, vshasigmaw, vsel, vperm, vsldoi, xxlor ...), memmove/memclr
// (lxvd2x/stxvd2x), bytes and strings (vcmpequb., vbpermq ...), GPR<->VSR moves, AES and GHASH
// (vcipher, vpmsumd); with two scalar neighbours of that code, cmpb (done in SIMD) and the
// byte-reversed loads and stores. A block holding them stays in the Wasm tier and chains inside Wasm. Semantics are exec/vmx.ts, vsx.ts and
// crypto.ts (the wasm tests compare them row by row); rows left out here (vpmsumb/h, element loads
// and stores, vgbbd: Go's assembly does not use them) keep their block in the JS tier.
//
// The VSX registers live in the guest arena (state.ts: VSR n at register file + VSR_OFFSET + 16n,
// four int32 words most significant first, each little-endian on the host). The VRs (VSRs 32..63)
// a block uses are v128 locals, loaded at its entry and stored back at its exit, so dependent
// vector ops do not wait on store-to-load forwarding; VSRs 0..31 (the FPRs) are read and written
// in the arena per use, as the FP rows do. In that layout i32x4 lane k is big-endian word k, so word, halfword and
// byte lane operations map directly onto Wasm SIMD; big-endian byte k is byte k ^ 3 of the 16, and
// doubleword d is i64x2 lane d with its two words swapped. Guest pages are stored byte-reversed
// (memory.ts), so 16 guest bytes loaded as a v128 are the register's bytes with its four words in
// reverse order (WORD_REVERSE).
import type { Emit, RowEmitter } from './compiler.js';
import { L_EA, L_TH, L_TL, L_V128, L_X, L_Y, L_Z, P_REGS, SPR_OFF, loadReversed, memAt, rowsOf, storeReversed } from './compiler.js';
import { Op, type WasmFn } from './encode.js';
import { guestArena, vsrOffset } from './arena.js';
import { ra, rb } from '../fields.js';
import { INV_SBOX, MUL11, MUL13, MUL14, MUL2, MUL3, MUL9, SBOX } from '../exec/crypto.js';
import { VSCR } from '../state.js';
import { DWORD_SWAP, LANE_COMPARE_FORMS, SIGMA_D, SIGMA_W, Simd, WORD_BSWAP, WORD_REVERSE, bitPermute, selectBytes, shuffle, sigma, simd, simdLane, simdMem, simdSupported, splatBytes, v128Const, withCr6 } from './simd.js';

// compiler.ts imports this module: its constants may be read only inside the emitters.
const vscrOff = (): number => SPR_OFF + 4 * VSCR;

// Register numbers (VSR 0..63): VR n is VSR 32 + n.
const vt = (w: number): number => 32 + ((w >>> 21) & 31);
const va = (w: number): number => 32 + ((w >>> 16) & 31);
const vb = (w: number): number => 32 + ((w >>> 11) & 31);
const vc = (w: number): number => 32 + ((w >>> 6) & 31);
const xt = (w: number): number => ((w >>> 21) & 31) | ((w & 1) << 5);
const xa = (w: number): number => ((w >>> 16) & 31) | ((w & 4) << 3);
const xb = (w: number): number => ((w >>> 11) & 31) | ((w & 2) << 4);
const xc = (w: number): number => ((w >>> 6) & 31) | ((w & 8) << 2);

const wordBytes = (words: readonly number[]): number[] => words.flatMap((x) => [x & 0xff, (x >>> 8) & 0xff, (x >>> 16) & 0xff, (x >>> 24) & 0xff]);

/**
 * The v128 local holding VR n (VSR n >= 32) in this block, loaded at entry by the prologue. VSRs
 * 0..31 overlap the FPRs, which FP rows read and write in the register file: those stay there.
 */
function vsrLocal(e: Emit, n: number): number {
  let local = e.vsrLocal.get(n);
  if (local === undefined) {
    local = e.newLocal(0x7b);
    e.vsrLocal.set(n, local);
    e.v128 = true;
  }
  return local;
}
function get(e: Emit, n: number): void {
  if (n >= 32) e.f.local_get(vsrLocal(e, n));
  else {
    e.f.local_get(P_REGS);
    simdMem(e.f, Simd.v128_load, vsrOffset(n));
  }
}
/** VSR n = the v128 `value` pushes (a VR is stored back by the epilogue). */
function put(e: Emit, n: number, value: () => void): void {
  if (n >= 32) {
    value();
    e.f.local_set(vsrLocal(e, n));
    e.vsrWritten.add(n);
  } else {
    e.f.local_get(P_REGS);
    value();
    simdMem(e.f, Simd.v128_store, vsrOffset(n));
  }
}
/** Prologue and epilogue (compiler.ts): VSR n between the register file and its local. */
export function loadVsr(f: WasmFn, n: number, local: number): void {
  f.local_get(P_REGS);
  simdMem(f, Simd.v128_load, vsrOffset(n));
  f.local_set(local);
}
export function storeVsr(f: WasmFn, n: number, local: number): void {
  f.local_get(P_REGS).local_get(local);
  simdMem(f, Simd.v128_store, vsrOffset(n));
}
/** Doubleword d of VSR n as its i64 value. */
function dword(e: Emit, n: number, d: number): void {
  get(e, n);
  simdLane(e.f, Simd.i64x2_extract_lane, d);
  e.f.i64_const(32).op(Op.i64_rotl);
}
/** VSR t = the doublewords `hi` and `lo` push (i64 values). */
function putDwords(e: Emit, t: number, hi: () => void, lo: () => void): void {
  put(e, t, () => {
    hi();
    e.f.i64_const(32).op(Op.i64_rotl);
    simd(e.f, Simd.i64x2_splat);
    lo();
    e.f.i64_const(32).op(Op.i64_rotl);
    simdLane(e.f, Simd.i64x2_replace_lane, 1);
  });
}
/** The v128 on the stack with a constant permutation of its own bytes. */
function permuteOne(e: Emit, lanes: readonly number[]): void {
  e.v128 = true;
  e.f.local_tee(L_V128).local_get(L_V128);
  shuffle(e.f, lanes);
}

/** Only where the host validates Wasm SIMD; otherwise every vector block stays in the JS tier. */
const needsSimd = (emit: RowEmitter): RowEmitter => (e, w, j) => simdSupported() && emit(e, w, j);

/**
 * VSR t = bytes of VSR a || VSR b chosen by sel: result big-endian byte q is byte sel(q) (0..31)
 * of the 32 big-endian bytes. One i8x16.shuffle.
 */
function beShuffle(e: Emit, t: number, a: number, b: number, sel: (q: number) => number): void {
  const lanes = Array.from({ length: 16 }, (_v, o) => sel(o ^ 3) ^ 3);
  put(e, t, () => {
    get(e, a);
    if (lanes.every((l) => l < 16)) permuteOne(e, lanes);
    else {
      get(e, b);
      shuffle(e.f, lanes);
    }
  });
}
/** The same by whole words: result word i = word W[i] (0..7) of a || b. */
const wordSel = (W: readonly number[]) => (q: number): number => 4 * W[q >> 2] + (q & 3);

// ------------------------------------------------------------------ lane operations in SIMD

/** VSR t = op(VSR a, VSR b) (or op(VSR b) when unary). */
const binary = (op: number, regs: (w: number) => [number, number, number], post?: number): RowEmitter => (e, w) => {
  const [t, a, b] = regs(w);
  put(e, t, () => {
    get(e, a);
    get(e, b);
    simd(e.f, op);
    if (post !== undefined) simd(e.f, post);
  });
  return true;
};
const VX3 = (w: number): [number, number, number] => [vt(w), va(w), vb(w)];
const XX3 = (w: number): [number, number, number] => [xt(w), xa(w), xb(w)];

/** a | ~b */
const orc = (regs: (w: number) => [number, number, number]): RowEmitter => (e, w) => {
  const [t, a, b] = regs(w);
  put(e, t, () => {
    get(e, a);
    get(e, b);
    simd(e.f, Simd.v128_not);
    simd(e.f, Simd.v128_or);
  });
  return true;
};

/** CR6 from the compare result in L_V128 when Rc: 8 if every lane is true, 2 if none. */
function cr6(e: Emit, w: number): void {
  if ((w & 0x400) === 0) return;
  withCr6(e.f, () => e.getCr(), L_V128);
  e.setCr();
}
/** vcmp* over byte/halfword/word lanes; Rc (bit 21) sets CR6. */
const compare = (op: number): RowEmitter => (e, w) => {
  e.v128 = true;
  put(e, vt(w), () => {
    get(e, va(w));
    get(e, vb(w));
    simd(e.f, op);
    e.f.local_tee(L_V128);
  });
  cr6(e, w);
  return true;
};
/** The doubleword values of VSR n as i64x2 lanes (sign-flipped for unsigned compares). */
function dwords(e: Emit, n: number, flip: boolean): void {
  get(e, n);
  permuteOne(e, DWORD_SWAP);
  if (flip) {
    v128Const(e.f, [0, 0, 0, 0, 0, 0, 0, 0x80, 0, 0, 0, 0, 0, 0, 0, 0x80]);
    simd(e.f, Simd.v128_xor);
  }
}
const compare64 = (kind: 'eq' | 'gts' | 'gtu'): RowEmitter => (e, w) => {
  e.v128 = true;
  put(e, vt(w), () => {
    if (kind === 'eq') {
      get(e, va(w)); // equality does not care about the word order inside a doubleword
      get(e, vb(w));
      simd(e.f, Simd.i64x2_eq);
    } else {
      dwords(e, va(w), kind === 'gtu');
      dwords(e, vb(w), kind === 'gtu');
      simd(e.f, Simd.i64x2_gt_s); // lanes all ones or zero: no swap back needed
    }
    e.f.local_tee(L_V128);
  });
  cr6(e, w);
  return true;
};
/** vaddudm / vsubudm. */
const arith64 = (op: number): RowEmitter => (e, w) => {
  put(e, vt(w), () => {
    dwords(e, va(w), false);
    dwords(e, vb(w), false);
    simd(e.f, op);
    permuteOne(e, DWORD_SWAP);
  });
  return true;
};
/** vaddcuw (carry out of a + b) and vsubcuw (no borrow: a >= b unsigned), as 0/1 per word. */
const carryWords = (sub: boolean): RowEmitter => (e, w) => {
  put(e, vt(w), () => {
    if (sub) {
      get(e, va(w));
      get(e, vb(w));
      simd(e.f, Simd.i32x4_ge_u);
    } else {
      get(e, va(w));
      get(e, vb(w));
      simd(e.f, Simd.i32x4_add);
      get(e, va(w));
      simd(e.f, Simd.i32x4_lt_u);
    }
    e.f.i32_const(31);
    simd(e.f, Simd.i32x4_shr_u);
  });
  return true;
};

// ------------------------------------------------------------------ lane operations one by one

type Lane = 'sl' | 'sr' | 'sra' | 'rl' | 'clz' | 'popcnt' | 'maxu' | 'maxs' | 'minu' | 'mins';

/** Byte offset of lane k (big-endian numbering) of `bits` inside a register. */
const laneOff = (k: number, bits: number): number => (bits === 8 ? k ^ 3 : bits === 16 ? (2 * k) ^ 2 : (bits / 8) * k);

/**
 * Lane ops Wasm SIMD has no single instruction for (per-lane shift counts, clz, popcount of wide
 * lanes, doubleword min/max): each lane loaded, computed as an i32 (zero-extended) or i64 and
 * stored back. Lanes are independent, so VT may be VA or VB.
 */
const scalarLanes = (op: Lane, bits: number): RowEmitter => (e, w) => {
  const f = e.f;
  const [t, a, b] = [vt(w), va(w), vb(w)];
  // lanes through the register file: the inputs' locals stored first, the result reloaded after
  for (const n of a === b ? [a] : [a, b]) storeVsr(f, n, vsrLocal(e, n));
  for (let k = 0; k < 128 / bits; k++) {
    const off = laneOff(k, bits);
    const lane = (n: number) => (): void => {
      f.local_get(P_REGS);
      if (bits === 8) f.i32_load8_u(vsrOffset(n) + off);
      else if (bits === 16) f.i32_load16_u(vsrOffset(n) + off);
      else if (bits === 32) f.i32_load(vsrOffset(n) + off);
      else f.i64_load(vsrOffset(n) + off).i64_const(32).op(Op.i64_rotl);
    };
    f.local_get(P_REGS);
    laneValue(f, op, bits, lane(a), lane(b));
    if (bits === 8) f.i32_store8(vsrOffset(t) + off);
    else if (bits === 16) f.i32_store16(vsrOffset(t) + off);
    else if (bits === 32) f.i32_store(vsrOffset(t) + off);
    else f.i64_const(32).op(Op.i64_rotl).i64_store(vsrOffset(t) + off);
  }
  put(e, t, () => {
    f.local_get(P_REGS);
    simdMem(f, Simd.v128_load, vsrOffset(t));
  });
  return true;
};
function laneValue(f: WasmFn, op: Lane, bits: number, x: () => void, y: () => void): void {
  const wide = bits === 64;
  const count = (): void => {
    y();
    if (!wide) f.i32_const(bits - 1).op(Op.i32_and);
  };
  switch (op) {
    case 'sl':
      x();
      count();
      f.op(wide ? Op.i64_shl : Op.i32_shl);
      return;
    case 'sr':
      x();
      count();
      f.op(wide ? Op.i64_shr_u : Op.i32_shr_u);
      return;
    case 'sra':
      x();
      if (bits < 32) f.i32_const(32 - bits).op(Op.i32_shl).i32_const(32 - bits).op(Op.i32_shr_s);
      count();
      f.op(wide ? Op.i64_shr_s : Op.i32_shr_s);
      return;
    case 'rl':
      if (bits >= 32) {
        x();
        y();
        f.op(wide ? Op.i64_rotl : Op.i32_rotl);
        return;
      }
      // ((x << n) | (x >>> (bits - n))), x zero-extended: n = 0 gives x
      x();
      f.local_set(L_TH);
      count();
      f.local_set(L_TL);
      f.local_get(L_TH).local_get(L_TL).op(Op.i32_shl);
      f.local_get(L_TH).i32_const(bits).local_get(L_TL).op(Op.i32_sub).op(Op.i32_shr_u).op(Op.i32_or);
      return;
    case 'clz':
      y();
      if (wide) f.op(Op.i64_clz);
      else f.op(Op.i32_clz).i32_const(32 - bits).op(Op.i32_sub);
      return;
    case 'popcnt':
      y();
      f.op(wide ? Op.i64_popcnt : Op.i32_popcnt);
      return;
    default: {
      // doubleword max/min: select(x, y, x > y) etc.
      x();
      f.local_set(L_X);
      y();
      f.local_set(L_Y);
      f.local_get(L_X).local_get(L_Y).local_get(L_X).local_get(L_Y);
      f.op(op === 'maxu' ? Op.i64_gt_u : op === 'maxs' ? Op.i64_gt_s : op === 'minu' ? Op.i64_lt_u : Op.i64_lt_s);
      f.select();
    }
  }
}

/** vadduqm / vsubuqm: 128-bit modular add or subtract. */
const quad = (sub: boolean): RowEmitter => (e, w) => {
  const f = e.f;
  const op = sub ? Op.i64_sub : Op.i64_add;
  dword(e, va(w), 1);
  f.local_set(L_X);
  dword(e, vb(w), 1);
  f.local_set(L_Y);
  f.local_get(L_X).local_get(L_Y).op(op).local_set(L_Z);
  // carry (add: low sum < a) or borrow (sub: a < b), as an i64
  if (sub) f.local_get(L_X).local_get(L_Y).op(Op.i64_lt_u);
  else f.local_get(L_Z).local_get(L_X).op(Op.i64_lt_u);
  f.op(Op.i64_extend_i32_u).local_set(L_Y);
  putDwords(
    e,
    vt(w),
    () => {
      dword(e, va(w), 0);
      dword(e, vb(w), 0);
      f.op(op).local_get(L_Y).op(op);
    },
    () => void f.local_get(L_Z),
  );
  return true;
};

// ------------------------------------------------------------------ SHA-2 sigma functions (simd.ts sigma)

/**
 * vshasigmaw / vshasigmad: each lane takes sigma 0 or 1 by its bit of SIX (lane i: bit 3 - i for
 * words, bit 3 - 2i for doublewords). One function when all lanes agree (Go's code), else both
 * and a bitselect.
 */
const shaSigma = (bits: 32 | 64): RowEmitter => (e, w) => {
  const f = e.f;
  e.v128 = true;
  const upper = (w >>> 15) & 1;
  const six = (w >>> 11) & 15;
  const table = bits === 32 ? SIGMA_W : SIGMA_D;
  const ones = bits === 32 ? [0, 1, 2, 3].map((i) => (six >>> (3 - i)) & 1) : [0, 1].map((i) => (six >>> (3 - 2 * i)) & 1);
  put(e, vt(w), () => {
    get(e, va(w));
    if (bits === 64) permuteOne(e, DWORD_SWAP);
    f.local_set(L_V128);
    if (ones.every((o) => o === ones[0])) sigma(f, bits, table[2 * upper + ones[0]], L_V128);
    else {
      sigma(f, bits, table[2 * upper + 1], L_V128);
      sigma(f, bits, table[2 * upper], L_V128);
      const mask = bits === 32 ? ones.map((o) => -o) : ones.flatMap((o) => [-o, -o]);
      v128Const(f, wordBytes(mask));
      simd(f, Simd.v128_bitselect);
    }
    if (bits === 64) permuteOne(e, DWORD_SWAP);
  });
  return true;
};

// ------------------------------------------------------------------ AES rounds

/**
 * Lookup tables for the AES rows, in the arena once (little-endian int32 words): the encryption
 * round as four tables of 256 columns (S-box and MixColumns of a byte in row r), the same for
 * InvMixColumns without the S-box, then the S-box and its inverse as bytes. -1 when the arena has
 * no room (the rows then stay JS).
 */
const TE = 0;
const TD = 4096;
const SB = 8192;
const ISB = 8448;
let aesBase: number | undefined;
function aesTables(): number {
  if (aesBase !== undefined) return aesBase;
  const arena = guestArena();
  aesBase = arena === null ? -1 : arena.allocSmall(16384);
  if (aesBase < 0) return aesBase;
  const words = new DataView(arena!.buffer, aesBase, 16384);
  const column = (b0: number, b1: number, b2: number, b3: number): number => (b0 << 24) | (b1 << 16) | (b2 << 8) | b3;
  for (let x = 0; x < 256; x++) {
    const s = SBOX[x];
    const [s2, s3] = [MUL2[s], MUL3[s]];
    const te = [column(s2, s, s, s3), column(s3, s2, s, s), column(s, s3, s2, s), column(s, s, s3, s2)];
    const [x9, x11, x13, x14] = [MUL9[x], MUL11[x], MUL13[x], MUL14[x]];
    const td = [column(x14, x9, x13, x11), column(x11, x14, x9, x13), column(x13, x11, x14, x9), column(x9, x13, x11, x14)];
    for (let r = 0; r < 4; r++) {
      words.setInt32(TE + 1024 * r + 4 * x, te[r], true);
      words.setInt32(TD + 1024 * r + 4 * x, td[r], true);
    }
    words.setUint8(SB + x, s);
    words.setUint8(ISB + x, INV_SBOX[x]);
  }
  return aesBase;
}

/** Push big-endian byte q of VR n (i32). */
function byteOf(e: Emit, n: number, q: number): void {
  get(e, n);
  simdLane(e.f, Simd.i8x16_extract_lane_u, q ^ 3);
}
/** Word c (i32) of the byte table at `table` applied to the bytes src(r) of rows r = 0..3. */
function sboxWord(e: Emit, table: number, src: (r: number) => [number, number]): void {
  const f = e.f;
  for (let r = 0; r < 4; r++) {
    byteOf(e, ...src(r));
    f.i32_load8_u(table);
    if (r < 3) f.i32_const(24 - 8 * r).op(Op.i32_shl);
    if (r > 0) f.op(Op.i32_or);
  }
}
/** The mix-table column of the i32 word in L_TL: XOR of table r at its byte r (row 0 = top byte). */
function mixWord(e: Emit, tables: number): void {
  const f = e.f;
  for (let r = 0; r < 4; r++) {
    f.local_get(L_TL);
    if (r < 3) f.i32_const(24 - 8 * r).op(Op.i32_shr_u);
    if (r > 0) f.i32_const(255).op(Op.i32_and);
    f.i32_const(2).op(Op.i32_shl).i32_load(tables + 1024 * r);
    if (r > 0) f.op(Op.i32_xor);
  }
}
/** VR t = the four i32 words word(c) pushes. */
function putWords(e: Emit, t: number, word: (c: number) => void): void {
  put(e, t, () => {
    for (let c = 0; c < 4; c++) {
      word(c);
      if (c === 0) simd(e.f, Simd.i32x4_splat);
      else simdLane(e.f, Simd.i32x4_replace_lane, c);
    }
  });
}
/** Word c of the key VR (i32). */
function keyWord(e: Emit, n: number, c: number): void {
  get(e, n);
  simdLane(e.f, Simd.i32x4_extract_lane, c);
}

/**
 * vcipher / vcipherlast: ShiftRows and SubBytes of VA (row r of column c from column c + r),
 * MixColumns unless last, XOR VB; vncipher / vncipherlast: InvShiftRows (row r of column c from
 * column c - r) and InvSubBytes, XOR VB, InvMixColumns unless last (exec/crypto.ts cipher).
 */
const aesRound = (inverse: boolean, last: boolean): RowEmitter => (e, w) => {
  const base = aesTables();
  if (base < 0) return false;
  const f = e.f;
  const [a, k] = [va(w), vb(w)];
  const from = (c: number) => (r: number): [number, number] => [a, 4 * ((inverse ? c - r : c + r) & 3) + r];
  putWords(e, vt(w), (c) => {
    if (!inverse && !last) {
      for (let r = 0; r < 4; r++) {
        byteOf(e, ...from(c)(r));
        f.i32_const(2).op(Op.i32_shl).i32_load(base + TE + 1024 * r);
        if (r > 0) f.op(Op.i32_xor);
      }
    } else sboxWord(e, base + (inverse ? ISB : SB), from(c));
    keyWord(e, k, c);
    f.op(Op.i32_xor);
    if (inverse && !last) {
      f.local_set(L_TL);
      mixWord(e, base + TD);
    }
  });
  return true;
};
const vsbox: RowEmitter = (e, w) => {
  const base = aesTables();
  if (base < 0) return false;
  putWords(e, vt(w), (c) => sboxWord(e, base + SB, (r) => [va(w), 4 * c + r]));
  return true;
};

// ------------------------------------------------------------------ carry-less multiply

/**
 * L_Z (low) and, for 64-bit operands, L_EA (high) ^= the carry-less product of the i64 values x
 * and y push (y below 2^bits): a Wasm loop over y's bits, each adding x << i under a mask.
 */
function clmulInto(e: Emit, x: () => void, y: () => void, bits: 32 | 64): void {
  const f = e.f;
  x();
  f.local_set(L_X);
  y();
  f.local_set(L_Y);
  f.i32_const(0).local_set(L_TH);
  const i = (): void => void f.local_get(L_TH).op(Op.i64_extend_i32_u);
  const masked = (): void => {
    // & -((y >> i) & 1)
    f.i64_const(0).local_get(L_Y);
    i();
    f.op(Op.i64_shr_u).i64_const(1).op(Op.i64_and).op(Op.i64_sub).op(Op.i64_and);
  };
  f.loop();
  f.local_get(L_Z).local_get(L_X);
  i();
  f.op(Op.i64_shl);
  masked();
  f.op(Op.i64_xor).local_set(L_Z);
  if (bits === 64) {
    // the bits shifted out at the top: (x >> 1) >> (63 - i), 0 for i = 0
    f.local_get(L_EA).local_get(L_X).i64_const(1).op(Op.i64_shr_u).i64_const(63);
    i();
    f.op(Op.i64_sub).op(Op.i64_shr_u);
    masked();
    f.op(Op.i64_xor).local_set(L_EA);
  }
  f.local_get(L_TH).i32_const(1).op(Op.i32_add).local_tee(L_TH).i32_const(bits).op(Op.i32_ne);
  f.bytes.push(0x0d); // br_if 0 (the loop)
  f.bytes.push(0);
  f.end();
}
/** Word k of VR n as a zero-extended i64. */
const wordU = (e: Emit, n: number, k: number) => (): void => {
  get(e, n);
  simdLane(e.f, Simd.i32x4_extract_lane, k);
  e.f.op(Op.i64_extend_i32_u);
};
/** vpmsumd: the 128-bit XOR of the carry-less products of the doublewords. */
const vpmsumd: RowEmitter = (e, w) => {
  const f = e.f;
  f.i64_const(0).local_set(L_Z).i64_const(0).local_set(L_EA);
  for (const d of [0, 1]) clmulInto(e, () => dword(e, va(w), d), () => dword(e, vb(w), d), 64);
  putDwords(e, vt(w), () => void f.local_get(L_EA), () => void f.local_get(L_Z));
  return true;
};
/** vpmsumw: per doubleword, the XOR of the carry-less products of its two words. */
const vpmsumw: RowEmitter = (e, w) => {
  const f = e.f;
  for (const d of [0, 1]) {
    f.i64_const(0).local_set(L_Z);
    for (const k of [2 * d, 2 * d + 1]) clmulInto(e, wordU(e, va(w), k), wordU(e, vb(w), k), 32);
    if (d === 0) f.local_get(L_Z).local_set(L_EA);
  }
  putDwords(e, vt(w), () => void f.local_get(L_EA), () => void f.local_get(L_Z));
  return true;
};

// ------------------------------------------------------------------ permutes

/** vperm: byte q of VT = byte (VC byte q & 31) of VA || VB, two swizzles. */
const vperm: RowEmitter = (e, w) => {
  const f = e.f;
  e.v128 = true;
  put(e, vt(w), () => {
    // index in register byte order: (sel & 31) ^ 3; VB's bytes are those with bit 4 set
    get(e, vc(w));
    v128Const(f, splatBytes(31));
    simd(f, Simd.v128_and);
    v128Const(f, splatBytes(3));
    simd(f, Simd.v128_xor);
    f.local_set(L_V128);
    selectBytes(f, () => get(e, va(w)), () => get(e, vb(w)), L_V128);
  });
  return true;
};
/** vpermxor: byte q = VA byte (VC byte q >> 4) ^ VB byte (VC byte q & 15). */
const vpermxor: RowEmitter = (e, w) => {
  const f = e.f;
  e.v128 = true;
  put(e, vt(w), () => {
    get(e, vc(w));
    f.local_set(L_V128);
    get(e, va(w));
    f.local_get(L_V128).i32_const(4);
    simd(f, Simd.i8x16_shr_u);
    v128Const(f, splatBytes(3));
    simd(f, Simd.v128_xor);
    simd(f, Simd.i8x16_swizzle);
    get(e, vb(w));
    f.local_get(L_V128);
    v128Const(f, splatBytes(15));
    simd(f, Simd.v128_and);
    v128Const(f, splatBytes(3));
    simd(f, Simd.v128_xor);
    simd(f, Simd.i8x16_swizzle);
    simd(f, Simd.v128_xor);
  });
  return true;
};
/** vbpermq: the 16-bit result of simd.ts bitPermute in word 1, zeros elsewhere. */
const vbpermq: RowEmitter = (e, w) => {
  const f = e.f;
  e.v128 = true;
  const idx = L_V128 + 1;
  get(e, vb(w));
  f.local_set(idx);
  bitPermute(f, () => get(e, va(w)), idx, L_V128);
  f.local_set(L_TH);
  put(e, vt(w), () => {
    v128Const(f, splatBytes(0));
    f.local_get(L_TH);
    simdLane(f, Simd.i32x4_replace_lane, 1);
  });
  return true;
};

/** vslo / vsro: shift VA left (right) by (VB byte 15 >> 3) & 15 octets, zeros shifted in. */
const octetShift = (left: boolean): RowEmitter => (e, w) => {
  const f = e.f;
  put(e, vt(w), () => {
    get(e, va(w));
    const amount = (): void => {
      get(e, vb(w));
      simdLane(f, Simd.i8x16_extract_lane_u, 12);
      f.i32_const(3).op(Op.i32_shr_u).i32_const(15).op(Op.i32_and);
      simd(f, Simd.i8x16_splat);
    };
    // register byte o holds big-endian byte o ^ 3, which takes byte (o ^ 3) +- n (out of 0..15: 0)
    if (left) amount();
    v128Const(f, WORD_BSWAP);
    if (left) simd(f, Simd.i8x16_add);
    else {
      amount();
      simd(f, Simd.i8x16_sub);
    }
    v128Const(f, splatBytes(3));
    simd(f, Simd.v128_xor);
    simd(f, Simd.i8x16_swizzle);
  });
  return true;
};
/** vsl / vsr: the 128 bits shifted left (right) by VB byte 15 & 7 bits. */
const bitShift = (left: boolean): RowEmitter => (e, w) => {
  const f = e.f;
  get(e, vb(w));
  simdLane(f, Simd.i8x16_extract_lane_u, 12);
  f.i32_const(7).op(Op.i32_and).op(Op.i64_extend_i32_u).local_set(L_Z);
  dword(e, va(w), 0);
  f.local_set(L_X);
  dword(e, va(w), 1);
  f.local_set(L_Y);
  // the bits crossing the middle: (lo >>> 1) >>> (63 - n) is 0 for n = 0, as is (hi << 1) << (63 - n)
  const hi = (): void => {
    if (left) {
      f.local_get(L_X).local_get(L_Z).op(Op.i64_shl);
      f.local_get(L_Y).i64_const(1).op(Op.i64_shr_u).i64_const(63).local_get(L_Z).op(Op.i64_sub).op(Op.i64_shr_u).op(Op.i64_or);
    } else f.local_get(L_X).local_get(L_Z).op(Op.i64_shr_u);
  };
  const lo = (): void => {
    if (left) f.local_get(L_Y).local_get(L_Z).op(Op.i64_shl);
    else {
      f.local_get(L_Y).local_get(L_Z).op(Op.i64_shr_u);
      f.local_get(L_X).i64_const(1).op(Op.i64_shl).i64_const(63).local_get(L_Z).op(Op.i64_sub).op(Op.i64_shl).op(Op.i64_or);
    }
  };
  putDwords(e, vt(w), hi, lo);
  return true;
};

// ------------------------------------------------------------------ loads and stores

/** 16 bytes at the probed address (L_TL) into VSR t. */
function load16(e: Emit, t: number): void {
  put(e, t, () => {
    e.f.local_get(L_TL);
    simdMem(e.f, Simd.v128_load, memAt(16));
    permuteOne(e, WORD_REVERSE);
  });
}
const loadVector = (aligned: boolean, reg: (w: number) => number): RowEmitter => (e, w, j) => {
  e.eaIndexed(ra(w), rb(w));
  if (aligned) e.f.local_get(L_EA).i64_const(-16).op(Op.i64_and).local_set(L_EA);
  e.probe(j, 16, false);
  load16(e, reg(w));
  return true;
};
const storeVector = (aligned: boolean, reg: (w: number) => number): RowEmitter => (e, w, j) => {
  e.eaIndexed(ra(w), rb(w));
  if (aligned) e.f.local_get(L_EA).i64_const(-16).op(Op.i64_and).local_set(L_EA);
  e.probe(j, 16, true);
  e.f.local_get(L_TL);
  get(e, reg(w));
  permuteOne(e, WORD_REVERSE);
  simdMem(e.f, Simd.v128_store, memAt(16));
  return true;
};
/** lvsl / lvsr: bytes sh, sh+1, ... (lvsr: 16 - sh, ...) for sh = EA & 15; no access. */
const loadShift = (right: boolean): RowEmitter => (e, w) => {
  const f = e.f;
  e.eaIndexed(ra(w), rb(w));
  put(e, vt(w), () => {
    if (right) f.i32_const(16);
    f.local_get(L_EA).op(Op.i32_wrap_i64).i32_const(15).op(Op.i32_and);
    if (right) f.op(Op.i32_sub);
    simd(f, Simd.i8x16_splat);
    v128Const(f, WORD_BSWAP);
    simd(f, Simd.i8x16_add);
  });
  return true;
};

/** Doubleword 0 of VSR n as an i64 value / from the i64 value `value` pushes (doubleword 1 kept). */
const dword0 = (e: Emit, n: number): void => dword(e, n, 0);
function setDword0(e: Emit, n: number, value: () => void): void {
  put(e, n, () => {
    get(e, n);
    value();
    e.f.i64_const(32).op(Op.i64_rotl);
    simdLane(e.f, Simd.i64x2_replace_lane, 0);
  });
}

/** The byte-reversed loads and stores and their sizes (here, not in compiler.ts, which imports this module: interp.ts uses them too). */
export const REVERSED_LOAD_FORMS: Record<string, 2 | 4 | 8> = { lhbrx: 2, lwbrx: 4, ldbrx: 8 };
export const REVERSED_STORE_FORMS: Record<string, 2 | 4 | 8> = { sthbrx: 2, stwbrx: 4, stdbrx: 8 };
/**
 * lhbrx/lwbrx/ldbrx and the stores: little-endian data (crc32, encoding/binary, AES-GCM's
 * counters): the page is byte-reversed, so a Wasm access gives the big-endian value, swapped.
 */
const reversedLoad = (size: 2 | 4 | 8): RowEmitter => (e, w, j) => {
  e.eaIndexed(ra(w), rb(w));
  e.probe(j, size, false);
  loadReversed(e.f, size);
  e.setG((w >>> 21) & 31);
  return true;
};
const reversedStore = (size: 2 | 4 | 8): RowEmitter => (e, w, j) => {
  e.eaIndexed(ra(w), rb(w));
  e.probe(j, size, true);
  storeReversed(e.f, size, () => e.getG((w >>> 21) & 31));
  return true;
};

const rows: Record<string, RowEmitter> = {
  lvx: loadVector(true, vt),
  lvxl: loadVector(true, vt),
  stvx: storeVector(true, vt),
  stvxl: storeVector(true, vt),
  lxvd2x: loadVector(false, xt),
  lxvw4x: loadVector(false, xt),
  stxvd2x: storeVector(false, xt),
  stxvw4x: storeVector(false, xt),
  lxvdsx: (e, w, j) => {
    e.eaIndexed(ra(w), rb(w));
    e.probe(j, 8, false);
    put(e, xt(w), () => {
      e.f.local_get(L_TL);
      simdMem(e.f, Simd.v128_load64_splat, memAt(8));
      // the splat's byte k is big-endian byte 7 - (k & 7); register byte o wants (o ^ 3) & 7
      permuteOne(e, DWORD_SWAP);
    });
    return true;
  },
  lxsdx: (e, w, j) => {
    e.eaIndexed(ra(w), rb(w));
    e.probe(j, 8, false);
    setDword0(e, xt(w), () => e.f.local_get(L_TL).i64_load(memAt(8)));
    return true;
  },
  stxsdx: (e, w, j) => {
    e.eaIndexed(ra(w), rb(w));
    e.probe(j, 8, true);
    e.f.local_get(L_TL);
    dword0(e, xt(w));
    e.f.i64_store(memAt(8));
    return true;
  },
  ...rowsOf(REVERSED_LOAD_FORMS, reversedLoad),
  ...rowsOf(REVERSED_STORE_FORMS, reversedStore),
  lvsl: loadShift(false),
  lvsr: loadShift(true),
  mfvsrd: (e, w) => {
    dword0(e, xt(w));
    e.setG(ra(w));
    return true;
  },
  mfvsrwz: (e, w) => {
    get(e, xt(w));
    simdLane(e.f, Simd.i32x4_extract_lane, 1);
    e.f.op(Op.i64_extend_i32_u);
    e.setG(ra(w));
    return true;
  },
  mtvsrd: (e, w) => {
    setDword0(e, xt(w), () => e.getG(ra(w)));
    return true;
  },
  mtvsrwz: (e, w) => {
    setDword0(e, xt(w), () => (e.getG(ra(w)), e.f.i64_const(0xffffffff).op(Op.i64_and)));
    return true;
  },
  mtvsrwa: (e, w) => {
    setDword0(e, xt(w), () => (e.getG(ra(w)), e.f.op(Op.i64_extend32_s)));
    return true;
  },
  mfvscr: (e, w) => {
    put(e, vt(w), () => {
      v128Const(e.f, splatBytes(0));
      e.f.local_get(P_REGS).i32_load(vscrOff());
      simdLane(e.f, Simd.i32x4_replace_lane, 3);
    });
    return true;
  },
  mtvscr: (e, w) => {
    e.f.local_get(P_REGS);
    get(e, vb(w));
    simdLane(e.f, Simd.i32x4_extract_lane, 3);
    e.f.i32_store(vscrOff());
    return true;
  },

  vsel: (e, w) => {
    put(e, vt(w), () => {
      get(e, vb(w));
      get(e, va(w));
      get(e, vc(w));
      simd(e.f, Simd.v128_bitselect); // (b & c) | (a & ~c)
    });
    return true;
  },
  xxsel: (e, w) => {
    put(e, xt(w), () => {
      get(e, xb(w));
      get(e, xa(w));
      get(e, xc(w));
      simd(e.f, Simd.v128_bitselect);
    });
    return true;
  },
  vperm,
  vpermxor,
  vsldoi: (e, w) => {
    const sh = (w >>> 6) & 15;
    beShuffle(e, vt(w), va(w), vb(w), (q) => q + sh);
    return true;
  },
  vspltb: (e, w) => {
    const uim = (w >>> 16) & 15;
    beShuffle(e, vt(w), vb(w), vb(w), () => uim);
    return true;
  },
  vsplth: (e, w) => {
    const uim = (w >>> 16) & 7;
    beShuffle(e, vt(w), vb(w), vb(w), (q) => 2 * uim + (q & 1));
    return true;
  },
  vspltw: (e, w) => {
    const uim = (w >>> 16) & 3;
    beShuffle(e, vt(w), vb(w), vb(w), (q) => 4 * uim + (q & 3));
    return true;
  },
  xxspltw: (e, w) => {
    const uim = (w >>> 16) & 3;
    beShuffle(e, xt(w), xb(w), xb(w), (q) => 4 * uim + (q & 3));
    return true;
  },
  vspltisb: (e, w) => splatImmediate(e, w, (s) => Math.imul(s & 0xff, 0x01010101)),
  vspltish: (e, w) => splatImmediate(e, w, (s) => ((s & 0xffff) << 16) | (s & 0xffff)),
  vspltisw: (e, w) => splatImmediate(e, w, (s) => s),
  vmrgew: (e, w) => (beShuffle(e, vt(w), va(w), vb(w), wordSel([0, 4, 2, 6])), true),
  vmrgow: (e, w) => (beShuffle(e, vt(w), va(w), vb(w), wordSel([1, 5, 3, 7])), true),
  xxmrghw: (e, w) => (beShuffle(e, xt(w), xa(w), xb(w), wordSel([0, 4, 1, 5])), true),
  xxmrglw: (e, w) => (beShuffle(e, xt(w), xa(w), xb(w), wordSel([2, 6, 3, 7])), true),
  xxpermdi: (e, w) => {
    const dm = (w >>> 8) & 3;
    const a = 2 * (dm >> 1);
    const b = 4 + 2 * (dm & 1);
    beShuffle(e, xt(w), xa(w), xb(w), wordSel([a, a + 1, b, b + 1]));
    return true;
  },
  xxsldwi: (e, w) => {
    const shw = (w >>> 8) & 3;
    beShuffle(e, xt(w), xa(w), xb(w), wordSel([shw, shw + 1, shw + 2, shw + 3]));
    return true;
  },
  vslo: octetShift(true),
  vsl: bitShift(true),
  vsr: bitShift(false),
  vsro: octetShift(false),

  vaddubm: binary(Simd.i8x16_add, VX3),
  vadduhm: binary(Simd.i16x8_add, VX3),
  vadduwm: binary(Simd.i32x4_add, VX3),
  vaddudm: arith64(Simd.i64x2_add),
  vsububm: binary(Simd.i8x16_sub, VX3),
  vsubuhm: binary(Simd.i16x8_sub, VX3),
  vsubuwm: binary(Simd.i32x4_sub, VX3),
  vsubudm: arith64(Simd.i64x2_sub),
  vaddcuw: carryWords(false),
  vsubcuw: carryWords(true),
  vadduqm: quad(false),
  vsubuqm: quad(true),
  vmaxub: binary(Simd.i8x16_max_u, VX3),
  vmaxuh: binary(Simd.i16x8_max_u, VX3),
  vmaxuw: binary(Simd.i32x4_max_u, VX3),
  vmaxsb: binary(Simd.i8x16_max_s, VX3),
  vmaxsh: binary(Simd.i16x8_max_s, VX3),
  vmaxsw: binary(Simd.i32x4_max_s, VX3),
  vminub: binary(Simd.i8x16_min_u, VX3),
  vminuh: binary(Simd.i16x8_min_u, VX3),
  vminuw: binary(Simd.i32x4_min_u, VX3),
  vminsb: binary(Simd.i8x16_min_s, VX3),
  vminsh: binary(Simd.i16x8_min_s, VX3),
  vminsw: binary(Simd.i32x4_min_s, VX3),
  vmaxud: scalarLanes('maxu', 64),
  vmaxsd: scalarLanes('maxs', 64),
  vminud: scalarLanes('minu', 64),
  vminsd: scalarLanes('mins', 64),
  vpopcntb: (e, w) => {
    put(e, vt(w), () => {
      get(e, vb(w));
      simd(e.f, Simd.i8x16_popcnt);
    });
    return true;
  },

  ...rowsOf(LANE_COMPARE_FORMS, compare),
  vcmpequd: compare64('eq'),
  vcmpgtud: compare64('gtu'),
  vcmpgtsd: compare64('gts'),

  vand: binary(Simd.v128_and, VX3),
  vandc: binary(Simd.v128_andnot, VX3),
  vor: binary(Simd.v128_or, VX3),
  vxor: binary(Simd.v128_xor, VX3),
  vnor: binary(Simd.v128_or, VX3, Simd.v128_not),
  vorc: orc(VX3),
  vnand: binary(Simd.v128_and, VX3, Simd.v128_not),
  veqv: binary(Simd.v128_xor, VX3, Simd.v128_not),
  xxland: binary(Simd.v128_and, XX3),
  xxlandc: binary(Simd.v128_andnot, XX3),
  xxlor: binary(Simd.v128_or, XX3),
  xxlxor: binary(Simd.v128_xor, XX3),
  xxlnor: binary(Simd.v128_or, XX3, Simd.v128_not),
  xxlorc: orc(XX3),
  xxlnand: binary(Simd.v128_and, XX3, Simd.v128_not),
  xxleqv: binary(Simd.v128_xor, XX3, Simd.v128_not),

  vbpermq,
  vcipher: aesRound(false, false),
  vcipherlast: aesRound(false, true),
  vncipher: aesRound(true, false),
  vncipherlast: aesRound(true, true),
  vsbox,
  vpmsumd,
  vpmsumw,
  // cmpb (an integer row, done in SIMD): each byte of RA = 0xff where RS and RB bytes are equal
  cmpb: (e, w) => {
    const f = e.f;
    e.getG((w >>> 21) & 31);
    simd(f, Simd.i64x2_splat);
    e.getG(rb(w));
    simd(f, Simd.i64x2_splat);
    simd(f, Simd.i8x16_eq);
    simdLane(f, Simd.i64x2_extract_lane, 0);
    e.setG(ra(w));
    return true;
  },
  vshasigmaw: shaSigma(32),
  vshasigmad: shaSigma(64),
};

/** vspltis[bhw]: the sign-extended 5-bit immediate in every element. */
function splatImmediate(e: Emit, w: number, word: (simm: number) => number): boolean {
  const simm = ((w >>> 16) << 27) >> 27;
  const x = word(simm);
  put(e, vt(w), () => v128Const(e.f, wordBytes([x, x, x, x])));
  return true;
}

// Merges of the high or low halves by element size: result element 2i from VA, 2i + 1 from VB.
for (const [size, suffix] of [[1, 'b'], [2, 'h'], [4, 'w']] as const) {
  for (const low of [false, true]) {
    rows[`vmrg${low ? 'l' : 'h'}${suffix}`] = (e, w) => {
      const base = low ? 8 : 0;
      beShuffle(e, vt(w), va(w), vb(w), (q) => {
        const p = Math.floor(q / size);
        return ((p & 1) << 4) + base + (p >> 1) * size + (q % size);
      });
      return true;
    };
  }
}
// Packs keeping the low half of each element of VA || VB.
for (const [size, name] of [[2, 'vpkuhum'], [4, 'vpkuwum'], [8, 'vpkudum']] as const) {
  const half = size / 2;
  rows[name] = (e, w) => (beShuffle(e, vt(w), va(w), vb(w), (q) => Math.floor(q / half) * size + half + (q % half)), true);
}
// Per-lane shifts, rotates, counts.
for (const [bits, s] of [[8, 'b'], [16, 'h'], [32, 'w'], [64, 'd']] as const) {
  rows[`vsl${s}`] = scalarLanes('sl', bits);
  rows[`vsr${s}`] = scalarLanes('sr', bits);
  rows[`vsra${s}`] = scalarLanes('sra', bits);
  rows[`vrl${s}`] = scalarLanes('rl', bits);
  rows[`vclz${s}`] = scalarLanes('clz', bits);
  if (bits !== 8) rows[`vpopcnt${s}`] = scalarLanes('popcnt', bits);
}

export const vectorWasmRows: Record<string, RowEmitter> = {};
for (const [name, emit] of Object.entries(rows)) vectorWasmRows[name] = needsSimd(emit);
/** Every form of these rows is emitted where SIMD is (the AES rows also need their tables). */
export const vectorWasmAccepts: Record<string, (w: number) => boolean> = {};
for (const name of Object.keys(rows)) vectorWasmAccepts[name] = () => simdSupported();
for (const name of ['vcipher', 'vcipherlast', 'vncipher', 'vncipherlast', 'vsbox']) vectorWasmAccepts[name] = () => simdSupported() && aesTables() >= 0;
