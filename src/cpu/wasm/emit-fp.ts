// Floating-point rows of the Wasm tier: FP loads and stores, sign moves, compares, conversions and
// the fadd/fsub/fmul/fdiv/fsqrt family in double and single precision.
//
// FPRs stay in the register file in the arena (FPR n = doubleword 0 of VSR n, two int32 words,
// high first: an i64 load of it, rotated by 32, is the doubleword), and every row reads and writes
// them there, as it does FPSCR; so a slow-path exit in the middle of a block leaves nothing to
// write back.
//
// Exactness: each row emits only the case it can decide bit for bit as the interpreter does
// (exec/fp.ts), and leaves through the slow exit at that instruction otherwise, before it changes
// any state; the wrapper then runs the instruction through exec/fp.ts. The arithmetic rows emit
// the interpreter's fast path (exec/fp.ts arithFast: round to nearest, mid-range operands, a
// normal or exact zero result; the error-free transformations give XX/FI/FR) in Wasm f64
// arithmetic, which rounds as JS does. NaN operands, infinities, denormals, overflow, underflow,
// directed rounding and enabled invalid or zero-divide exceptions all go to the slow path.
import { FPSCR } from '../state.js';
import { bf, ra, rb, rc5, rt, si } from '../fields.js';
import { Op, type WasmFn } from './encode.js';
import { vsrOffset } from './arena.js';
import { FEX, FI, FPCC_MASK, FPRF_MASK, FR, FX, MAX_DOUBLE, MAX_SINGLE, MIN_NORMAL, MIN_NORMAL_SINGLE, OE, UE, VE, VX, VX_ALL, XE, XX, ZE } from '../exec/fpu-core.js';
import { type RowEmitter, L_EA, L_TH, L_TI, L_TL, L_X, L_Y, L_Z, P_REGS, SPR_OFF, loadPair, memAt, storePair } from './compiler.js';

/**
 * Eight f64 scratch locals, which compileWasmBlock declares when the region has vector or FP rows:
 * after its 16 i32 and 6 i64 locals (5..26) and three v128 slots (the vector rows' scratch), so
 * both kinds of rows have one index whatever else the block holds. (Values imported from
 * compiler.ts cannot be used at this module's top level: compiler.ts imports this module.)
 */
const L_F64 = 30;
const LX = L_F64;
const LY = L_F64 + 1;
const LR = L_F64 + 2;
const LE = L_F64 + 3;
const T0 = L_F64 + 4;
const T1 = L_F64 + 5;
const T2 = L_F64 + 6;
const T3 = L_F64 + 7;

const ENABLES = VE | OE | UE | ZE | XE;

const fpscrOff = (): number => SPR_OFF + 4 * FPSCR;

/**
 * What the register-only FP rows (arithmetic, compares, conversions, moves) need of their emitter:
 * a region's Emit, whose register numbers and Rc come from the word at compile time, or the Wasm
 * interpreter's (interp.ts), which emits each row once for every word: it passes FP_OPERANDS as the
 * word and reads the fields named there from the instruction at run time (`dynamic`).
 */
export interface FpEmit {
  readonly f: WasmFn;
  fp: boolean;
  getCr(): void;
  setCr(): void;
  slowExitIf(j: number): void;
  readonly dynamic?: {
    /** Push the register file's address of FPR n (a field of FP_OPERANDS), its VSR at + vsrOffset(0). */
    fprAt(n: number): void;
    /** Emit `then` for a word with Rc = 1 only. */
    ifRc(then: () => void): void;
    /** Push the CR shift of field BF (28 - 4 * BF) as an i32. */
    crShift(): void;
  };
}
/** The word the interpreter's FP rows are emitted for: FRT 28 (BF 7), FRA 29, FRB 30, FRC 31, Rc 1. */
export const FP_OPERANDS = (28 << 21) | (29 << 16) | (30 << 11) | (31 << 6) | 1;
/** A row of this module that runs on FpEmit alone (registers only, no memory). */
export type FpRowEmitter = (e: FpEmit, w: number, j: number) => boolean;

/** Push FPR n's doubleword (i64). */
function fprBits(e: FpEmit, n: number): void {
  const f = e.f;
  if (e.dynamic === undefined) {
    loadPair(f, vsrOffset(n));
    return;
  }
  e.dynamic.fprAt(n);
  f.local_set(L_TI);
  loadPair(f, vsrOffset(0), L_TI);
}
/** FPR n = the doubleword the pusher gives; doubleword 1 of the VSR = 0 (as exec/fp.ts clearDw1). */
function setFprBits(e: FpEmit, n: number, value: () => void): void {
  const f = e.f;
  value();
  f.local_set(L_Z);
  if (e.dynamic === undefined) {
    storePair(f, vsrOffset(n), L_Z);
    f.local_get(P_REGS).i64_const(0).i64_store(vsrOffset(n) + 8);
    return;
  }
  e.dynamic.fprAt(n);
  f.local_set(L_TI);
  storePair(f, vsrOffset(0), L_Z, L_TI);
  f.local_get(L_TI).i64_const(0).i64_store(vsrOffset(0) + 8);
}
function getFpscr(e: FpEmit): void {
  e.f.local_get(P_REGS).i32_load(fpscrOff());
}
/** The biased exponent (i32) of the doubleword in the i64 local. */
function exponent(f: WasmFn, bitsLocal: number): void {
  f.local_get(bitsLocal).i64_const(52).op(Op.i64_shr_u).op(Op.i32_wrap_i64).i32_const(0x7ff).op(Op.i32_and);
}
/** Pushes 1 (i32) unless the exponent in bitsLocal lies in exec/fp.ts's mid range (1023 +- 480). */
function outsideMidRange(f: WasmFn, bitsLocal: number): void {
  exponent(f, bitsLocal);
  f.i32_const(1023 - 480).op(Op.i32_sub).i32_const(960).op(Op.i32_gt_u);
}
/** Pushes 1 (i32) if the doubleword in bitsLocal is a NaN. */
function isNaN64(f: WasmFn, bitsLocal: number): void {
  f.local_get(bitsLocal).i64_const(0x7fffffffffffffffn).op(Op.i64_and).i64_const(0x7ff0000000000000n).op(Op.i64_gt_u);
}

/** FPSCR = summaries(f on the stack) (exec/fp.ts fpscrSummaries): VX and FEX recomputed; a copy stays in L_TH. */
function storeFpscr(e: FpEmit): void {
  const f = e.f;
  f.local_set(L_TH);
  f.local_get(L_TH).i32_const(~VX).op(Op.i32_and);
  f.local_get(L_TH).i32_const(VX_ALL).op(Op.i32_and).i32_const(0).op(Op.i32_ne).i32_const(29).op(Op.i32_shl).op(Op.i32_or);
  f.local_set(L_TH);
  f.local_get(L_TH).i32_const(~FEX).op(Op.i32_and);
  f.local_get(L_TH).i32_const(22).op(Op.i32_shr_u).local_get(L_TH).op(Op.i32_and).i32_const(ENABLES).op(Op.i32_and);
  f.i32_const(0).op(Op.i32_ne).i32_const(30).op(Op.i32_shl).op(Op.i32_or);
  f.local_set(L_TH);
  f.local_get(P_REGS).local_get(L_TH).i32_store(fpscrOff());
}
/** Rc=1: CR1 = FPSCR[FX, FEX, VX, OX] (the FPSCR in L_TH when `fresh`, else loaded). */
function setCr1(e: FpEmit, w: number, fresh: boolean): void {
  if ((w & 1) === 0) return;
  const f = e.f;
  const set = (): void => {
    if (fresh) f.local_get(L_TH);
    else getFpscr(e);
    f.i32_const(28).op(Op.i32_shr_u).i32_const(24).op(Op.i32_shl);
    e.getCr();
    f.i32_const(~0x0f000000).op(Op.i32_and).op(Op.i32_or);
    e.setCr();
  };
  if (e.dynamic === undefined) set();
  else e.dynamic.ifRc(set);
}

/** Pushes the FPRF code (<< 12) of the normal or zero f64 in local r: +normal, -normal, +0, -0. */
function fprfNormal(f: WasmFn, r: number): void {
  f.i32_const(0x4000);
  f.i32_const(0x8000);
  f.i32_const(0x12000).i32_const(0x2000);
  f.local_get(r).op(Op.i64_reinterpret_f64).i64_const(0).op(Op.i64_lt_s).select();
  f.local_get(r).f64_const(0).op(Op.f64_lt).select();
  f.local_get(r).f64_const(0).op(Op.f64_gt).select();
}

/**
 * Pushes a*b - p exactly (exec/fpu-core.ts productError, Dekker/Veltkamp; same operation order),
 * a, b and p in f64 locals; uses T0..T3.
 */
function productError(f: WasmFn, a: number, b: number, p: number): void {
  const split = (x: number, hi: number, lo: number): void => {
    f.f64_const(134217729);
    f.local_get(x).op(Op.f64_mul).local_tee(hi);
    f.local_get(hi).local_get(x).op(Op.f64_sub).op(Op.f64_sub).local_set(hi);
    f.local_get(x).local_get(hi).op(Op.f64_sub).local_set(lo);
  };
  split(a, T0, T1);
  split(b, T2, T3);
  f.local_get(T0).local_get(T2).op(Op.f64_mul).local_get(p).op(Op.f64_sub);
  f.local_get(T0).local_get(T3).op(Op.f64_mul).op(Op.f64_add);
  f.local_get(T1).local_get(T2).op(Op.f64_mul).op(Op.f64_add);
  f.local_get(T1).local_get(T3).op(Op.f64_mul).op(Op.f64_add);
}

/** 'rsp' is frsp: the operand rounded to single (as a single op with an exact double result). */
/** Pushes a + b - s exactly (exec/fpu-core.ts sumError, Knuth's TwoSum), all f64 locals; uses T3. */
function sumError(f: WasmFn, a: number, b: number, s: number): void {
  f.local_get(a).local_get(s);
  f.local_get(s).local_get(a).op(Op.f64_sub).local_tee(T3);
  f.op(Op.f64_sub).op(Op.f64_sub);
  f.local_get(b).local_get(T3).op(Op.f64_sub).op(Op.f64_add);
}
/**
 * Pushes round-to-odd of d + err (exec/fpu-core.ts roundToOdd): d itself when exact or when its
 * last bit is odd, else its neighbour toward the exact value (d is not zero when err is not).
 */
function roundToOdd(f: WasmFn, d: number, err: number): void {
  f.local_get(d).op(Op.i64_reinterpret_f64);
  f.i64_const(1).i64_const(-1);
  f.local_get(err).f64_const(0).op(Op.f64_gt).local_get(d).f64_const(0).op(Op.f64_gt).op(Op.i32_eq).select();
  f.local_get(err).f64_const(0).op(Op.f64_ne);
  f.local_get(d).op(Op.i64_reinterpret_f64).op(Op.i32_wrap_i64).i32_const(1).op(Op.i32_and).op(Op.i32_eqz).op(Op.i32_and);
  f.op(Op.i64_extend_i32_u).op(Op.i64_mul).op(Op.i64_add).op(Op.f64_reinterpret_i64);
}

type ArithOp = 'add' | 'sub' | 'mul' | 'div' | 'sqrt' | 'rsp' | 'madd' | 'msub' | 'nmadd' | 'nmsub';
const FUSED: readonly ArithOp[] = ['madd', 'msub', 'nmadd', 'nmsub'];

/** fadd..fsqrt and their single forms: exec/fp.ts arithFast in Wasm, the slow exit otherwise. */
const arith = (op: ArithOp, single: boolean): FpRowEmitter => (e, w, j) => {
  e.fp = true;
  const f = e.f;
  const fused = FUSED.includes(op);
  const second = op === 'mul' || fused ? rc5(w) : rb(w);
  // Operands: bits in L_X / L_Y, values in LX / LY (sqrt: its operand in both).
  if (op !== 'sqrt' && op !== 'rsp') {
    fprBits(e, ra(w));
    f.local_tee(L_X).op(Op.f64_reinterpret_i64).local_set(LX);
  }
  fprBits(e, second);
  f.local_tee(L_Y).op(Op.f64_reinterpret_i64);
  if (op === 'sub') f.op(Op.f64_neg);
  f.local_set(LY);
  // r and err = exact - r (zero iff exact).
  switch (op) {
    case 'add':
    case 'sub':
      f.local_get(LX).local_get(LY).op(Op.f64_add).local_set(LR);
      sumError(f, LX, LY, LR);
      f.local_set(LE);
      break;
    case 'mul':
      f.local_get(LX).local_get(LY).op(Op.f64_mul).local_set(LR);
      productError(f, LX, LY, LR);
      f.local_set(LE);
      break;
    case 'div':
      f.local_get(LX).local_get(LY).op(Op.f64_div).local_set(LR);
      f.local_get(LR).local_get(LY).op(Op.f64_mul).local_set(LE); // p = r*y
      f.local_get(LX).local_get(LE).op(Op.f64_sub); // x - p, exact (Sterbenz)
      productError(f, LR, LY, LE);
      f.op(Op.f64_sub).local_set(LE); // rem
      f.local_get(LE).local_get(LE).op(Op.f64_neg).local_get(LY).f64_const(0).op(Op.f64_gt).select().local_set(LE);
      break;
    case 'sqrt':
      f.local_get(LY).op(Op.f64_sqrt).local_set(LR);
      f.local_get(LR).local_get(LR).op(Op.f64_mul).local_set(LE); // p = r*r
      f.local_get(LY).local_get(LE).op(Op.f64_sub);
      productError(f, LR, LR, LE);
      f.op(Op.f64_sub).local_set(LE);
      break;
    case 'rsp':
      f.local_get(LY).local_set(LR).f64_const(0).local_set(LE);
      break;
    default: {
      // Fused a*c + b (exec/fpu-core.ts fpFma, Boldo-Melquiond): a*c = uh + ul and b + uh = th + tl
      // exactly; v = round-to-odd(tl + ul); z = th + v rounds as the exact sum does. b (negated
      // for the msub forms) in T0; its bits in L_EA for the range check below.
      f.local_get(LX).local_get(LY).op(Op.f64_mul).local_set(LR); // uh
      productError(f, LX, LY, LR);
      f.local_set(LE); // ul
      fprBits(e, rb(w));
      f.local_tee(L_EA).op(Op.f64_reinterpret_i64);
      if (op === 'msub' || op === 'nmsub') f.op(Op.f64_neg);
      f.local_set(T0);
      f.local_get(T0).local_get(LR).op(Op.f64_add).local_set(T1); // th
      sumError(f, T0, LR, T1);
      f.local_set(T2); // tl
      f.local_get(LR).op(Op.f64_abs).local_set(T0); // |uh|, for the range check
      f.local_get(T2).local_get(LE).op(Op.f64_add).local_set(LX); // v0
      sumError(f, T2, LE, LX);
      f.local_set(LY);
      roundToOdd(f, LX, LY);
      f.local_set(LX); // v
      f.local_get(T1).local_get(LX).op(Op.f64_add).local_set(LR); // z
      sumError(f, T1, LX, LR);
      f.local_set(LE);
      break;
    }
  }
  if (single) {
    // d = round to odd at 53 bits, then one rounding to single (exec/fpu-core.ts finishSingle).
    roundToOdd(f, LR, LE);
    f.local_set(T1); // d
    f.local_get(T1).op(Op.f32_demote_f64).op(Op.f64_promote_f32).local_set(LR);
    f.local_get(T1).local_get(LR).op(Op.f64_sub).local_set(LE);
  }
  // The slow exit unless: round to nearest, operands in range, result normal (or exactly zero).
  getFpscr(e);
  f.i32_const(3).op(Op.i32_and);
  if (op === 'add' || op === 'sub' || op === 'rsp') {
    if (op !== 'rsp') {
      exponent(f, L_X);
      f.i32_const(0x7fe).op(Op.i32_ge_u).op(Op.i32_or);
    }
    exponent(f, L_Y);
    f.i32_const(0x7fe).op(Op.i32_ge_u).op(Op.i32_or);
  } else {
    if (fused) {
      // fpFma's fast conditions: |b| <= 2^990 (and not NaN), 2^-900 <= |a*c| (mid-range a, c bound it above)
      exponent(f, L_EA);
      f.i32_const(1023 + 990).op(Op.i32_gt_u).op(Op.i32_or);
      f.local_get(T0).f64_const(2 ** -900).op(Op.f64_lt).op(Op.i32_or);
    }
    if (op !== 'sqrt') {
      outsideMidRange(f, L_X);
      f.op(Op.i32_or);
    } else {
      f.local_get(L_Y).i64_const(0).op(Op.i64_lt_s).op(Op.i32_or);
    }
    outsideMidRange(f, L_Y);
    f.op(Op.i32_or);
  }
  const [lo, hi] = single ? [MIN_NORMAL_SINGLE, MAX_SINGLE] : [MIN_NORMAL, MAX_DOUBLE];
  // ok = d == 0 | (|d| >= lo & |r| <= hi) for single (d in T1); r == 0 | (|r| > lo & |r| <= hi) for double
  const d = single ? T1 : LR;
  f.local_get(d).f64_const(0).op(Op.f64_eq);
  f.local_get(d).op(Op.f64_abs);
  f.f64_const(lo);
  f.op(single ? Op.f64_ge : Op.f64_gt);
  f.local_get(LR).op(Op.f64_abs);
  f.f64_const(hi);
  f.op(Op.f64_le).op(Op.i32_and).op(Op.i32_or).op(Op.i32_eqz).op(Op.i32_or);
  e.slowExitIf(j);
  // FPSCR: FR, FI and FPRF replaced; FX, XX, FI (and FR if rounded away from zero) when inexact,
  // judged on the rounded result before the fnm* forms negate it; FPRF classifies FRT.
  getFpscr(e);
  f.i32_const(~(FR | FI | FPRF_MASK)).op(Op.i32_and);
  f.i32_const(FX | XX | FI | FR).i32_const(FX | XX | FI);
  f.local_get(LE).f64_const(0).op(Op.f64_lt).local_get(LR).f64_const(0).op(Op.f64_gt).op(Op.i32_eq).select();
  f.i32_const(0);
  f.local_get(LE).f64_const(0).op(Op.f64_ne).select();
  f.op(Op.i32_or);
  if (op === 'nmadd' || op === 'nmsub') f.local_get(LR).op(Op.f64_neg).local_set(LR);
  fprfNormal(f, LR);
  f.op(Op.i32_or);
  storeFpscr(e);
  setFprBits(e, rt(w), () => f.local_get(LR).op(Op.i64_reinterpret_f64));
  setCr1(e, w, true);
  return true;
};

/** fcfid, fcfidu, fcfids, fcfidus for integers small enough to convert exactly in every mode. */
const fromInteger = (unsigned: boolean, single: boolean): FpRowEmitter => (e, w, j) => {
  e.fp = true;
  const f = e.f;
  const limit = single ? 2 ** 24 : 2 ** 53;
  fprBits(e, rb(w));
  f.local_set(L_X);
  // exact iff |x| <= limit (signed) or x <= limit (unsigned)
  f.local_get(L_X);
  if (!unsigned) f.i64_const(limit).op(Op.i64_add);
  f.i64_const(unsigned ? limit : 2 * limit).op(Op.i64_gt_u);
  e.slowExitIf(j);
  setFprBits(e, rt(w), () => f.local_get(L_X).op(unsigned ? Op.f64_convert_i64_u : Op.f64_convert_i64_s).op(Op.i64_reinterpret_f64));
  // Exact: FR and FI cleared, no exception; only fcfid classifies its result (exec/fp.ts fcfid).
  getFpscr(e);
  if (!unsigned && !single) {
    f.i32_const(~(FR | FI | FPRF_MASK)).op(Op.i32_and);
    f.local_get(L_X).op(Op.f64_convert_i64_s).local_set(LR);
    fprfNormal(f, LR);
    f.op(Op.i32_or);
  } else f.i32_const(~(FR | FI)).op(Op.i32_and);
  storeFpscr(e);
  setCr1(e, w, true);
  return true;
};

/** fctidz / fctiwz: truncation of a value inside the target range (no VXCVI); FPRF unchanged. */
const toIntegerTruncating = (word: boolean): FpRowEmitter => (e, w, j) => {
  e.fp = true;
  const f = e.f;
  fprBits(e, rb(w));
  f.op(Op.f64_reinterpret_i64).local_set(LX);
  f.local_get(LX).op(Op.f64_abs);
  f.f64_const(word ? 2 ** 31 : 2 ** 63);
  f.op(Op.f64_lt).op(Op.i32_eqz); // NaN fails the comparison too
  e.slowExitIf(j);
  f.local_get(LX).op(Op.i64_trunc_f64_s).local_set(L_X);
  setFprBits(e, rt(w), () => f.local_get(L_X));
  // XX|FI|FX when inexact; truncation never rounds away from zero, so FR = 0.
  getFpscr(e);
  f.i32_const(~(FR | FI)).op(Op.i32_and);
  f.i32_const(FX | XX | FI).i32_const(0);
  f.local_get(L_X).op(Op.f64_convert_i64_s).local_get(LX).op(Op.f64_ne).select();
  f.op(Op.i32_or);
  storeFpscr(e);
  setCr1(e, w, true);
  return true;
};

/** fcmpu / fcmpo of two non-NaN operands (a NaN takes the slow exit: VXSNAN/VXVC). */
const compare: FpRowEmitter = (e, w, j) => {
  e.fp = true;
  const f = e.f;
  fprBits(e, ra(w));
  f.local_set(L_X);
  fprBits(e, rb(w));
  f.local_set(L_Y);
  isNaN64(f, L_X);
  isNaN64(f, L_Y);
  f.op(Op.i32_or);
  e.slowExitIf(j);
  f.local_get(L_X).op(Op.f64_reinterpret_i64).local_set(LX);
  f.local_get(L_Y).op(Op.f64_reinterpret_i64).local_set(LY);
  // c = x < y ? 8 : x > y ? 4 : 2, into L_TL
  f.i32_const(8).i32_const(4).i32_const(2);
  f.local_get(LX).local_get(LY).op(Op.f64_gt).select();
  f.local_get(LX).local_get(LY).op(Op.f64_lt).select();
  f.local_set(L_TL);
  // CR field BF = c: a constant shift and mask in a region, BF read from the word in the interpreter
  const dyn = e.dynamic;
  const sh = 28 - 4 * bf(w);
  f.local_get(L_TL);
  if (dyn === undefined) f.i32_const(sh);
  else dyn.crShift();
  f.op(Op.i32_shl);
  e.getCr();
  if (dyn === undefined) f.i32_const(~(15 << sh));
  else (f.i32_const(15), dyn.crShift(), f.op(Op.i32_shl).i32_const(-1).op(Op.i32_xor));
  f.op(Op.i32_and).op(Op.i32_or);
  e.setCr();
  getFpscr(e);
  f.i32_const(~FPCC_MASK).op(Op.i32_and).local_get(L_TL).i32_const(12).op(Op.i32_shl).op(Op.i32_or);
  storeFpscr(e);
  return true;
};

/**
 * frin, friz, frip, frim of a finite operand (exec/fpu-core.ts roundToIntegral): FR and FI
 * cleared, XX not raised, FPRF of the result (an integer: zero or normal). frin rounds half away
 * from zero; a zero result keeps the operand's sign, as Wasm's trunc/ceil/floor do.
 */
const roundToIntegral = (mode: 'n' | 'z' | 'p' | 'm'): FpRowEmitter => (e, w, j) => {
  e.fp = true;
  const f = e.f;
  fprBits(e, rb(w));
  f.local_tee(L_Y).op(Op.f64_reinterpret_i64).local_set(LY);
  exponent(f, L_Y);
  f.i32_const(0x7ff).op(Op.i32_eq); // NaN (payload, VXSNAN) and infinities: the slow exit
  e.slowExitIf(j);
  f.local_get(LY).op(mode === 'm' ? Op.f64_floor : mode === 'p' ? Op.f64_ceil : Op.f64_trunc).local_set(LR);
  if (mode === 'n') {
    // r = t + copysign(1, x) when |x - t| >= 0.5
    f.local_get(LR).f64_const(1).local_get(LY).op(Op.f64_copysign).op(Op.f64_add);
    f.local_get(LR);
    f.local_get(LY).local_get(LR).op(Op.f64_sub).op(Op.f64_abs).f64_const(0.5).op(Op.f64_ge).select().local_set(LR);
  }
  setFprBits(e, rt(w), () => f.local_get(LR).op(Op.i64_reinterpret_f64));
  getFpscr(e);
  f.i32_const(~(FR | FI | FPRF_MASK)).op(Op.i32_and);
  fprfNormal(f, LR);
  f.op(Op.i32_or);
  storeFpscr(e);
  setCr1(e, w, true);
  return true;
};

/** fsel: FRC if FRA >= 0 (-0 included, NaN excluded), else FRB; FPSCR untouched. */
const fsel: FpRowEmitter = (e, w) => {
  const f = e.f;
  fprBits(e, ra(w));
  f.local_set(L_X);
  setFprBits(e, rt(w), () => {
    fprBits(e, rc5(w));
    fprBits(e, rb(w));
    isNaN64(f, L_X);
    f.op(Op.i32_eqz);
    // a >= 0 as bits: sign clear, or the magnitude is zero (-0)
    f.local_get(L_X).i64_const(0).op(Op.i64_ge_s);
    f.local_get(L_X).i64_const(0x7fffffffffffffffn).op(Op.i64_and).op(Op.i64_eqz).op(Op.i32_or);
    f.op(Op.i32_and).select();
  });
  setCr1(e, w, false);
  return true;
};

/** mffs: FRT = FPSCR (zero-extended). */
const mffs: FpRowEmitter = (e, w) => {
  setFprBits(e, rt(w), () => (getFpscr(e), e.f.op(Op.i64_extend_i32_u)));
  setCr1(e, w, false);
  return true;
};

/** fmr, fneg, fabs, fnabs: sign-bit operations on the bits (NaN payloads untouched). */
const sign = (kind: 'mr' | 'neg' | 'abs' | 'nabs'): FpRowEmitter => (e, w) => {
  const f = e.f;
  setFprBits(e, rt(w), () => {
    fprBits(e, rb(w));
    if (kind === 'neg') f.i64_const(-0x8000000000000000n).op(Op.i64_xor);
    else if (kind === 'abs') f.i64_const(0x7fffffffffffffffn).op(Op.i64_and);
    else if (kind === 'nabs') f.i64_const(-0x8000000000000000n).op(Op.i64_or);
  });
  setCr1(e, w, false);
  return true;
};
const fcpsgn: FpRowEmitter = (e, w) => {
  const f = e.f;
  setFprBits(e, rt(w), () => {
    fprBits(e, ra(w));
    f.i64_const(-0x8000000000000000n).op(Op.i64_and);
    fprBits(e, rb(w));
    f.i64_const(0x7fffffffffffffffn).op(Op.i64_and).op(Op.i64_or);
  });
  setCr1(e, w, false);
  return true;
};

// ------------------------------------------------------------------ loads and stores

type Form = 'd' | 'x';

const lfd = (form: Form, update: boolean): RowEmitter => (e, w, j) => {
  if (update && ra(w) === 0) return false;
  e.access(j, w, form === 'x', si, 8, false);
  setFprBits(e, rt(w), () => {
    e.f.local_get(L_TL).i64_load(memAt(8));
  });
  if (update) e.updateRa(w, j);
  return true;
};
const stfd = (form: Form, update: boolean): RowEmitter => (e, w, j) => {
  if (update && ra(w) === 0) return false;
  e.access(j, w, form === 'x', si, 8, true);
  e.f.local_get(L_TL);
  fprBits(e, rt(w));
  e.f.i64_store(memAt(8));
  if (update) e.updateRa(w, j);
  return true;
};
/** lfs: a non-NaN, non-infinite single converts exactly (f64.promote); NaNs keep their payload in the slow path. */
const lfs = (form: Form, update: boolean): RowEmitter => (e, w, j) => {
  if (update && ra(w) === 0) return false;
  e.fp = true;
  const f = e.f;
  e.access(j, w, form === 'x', si, 4, false);
  f.local_get(L_TL).i32_load(memAt(4));
  f.local_set(L_TL);
  f.local_get(L_TL).i32_const(0x7f800000).op(Op.i32_and).i32_const(0x7f800000).op(Op.i32_eq);
  e.slowExitIf(j);
  setFprBits(e, rt(w), () => f.local_get(L_TL).op(Op.f32_reinterpret_i32).op(Op.f64_promote_f32).op(Op.i64_reinterpret_f64));
  if (update) e.updateRa(w, j);
  return true;
};
/**
 * stfs: the ISA's bit conversion (exec/fpu-core.ts doubleWordsToSingle) for zero and for values
 * at or above single's normal range (exponent > 896); the denormalising case takes the slow exit.
 */
const stfs = (form: Form, update: boolean): RowEmitter => (e, w, j) => {
  if (update && ra(w) === 0) return false;
  const f = e.f;
  e.ea(w, form === 'x', si);
  fprBits(e, rt(w));
  f.local_set(L_Y);
  exponent(f, L_Y);
  f.i32_const(896).op(Op.i32_le_u);
  f.local_get(L_Y).i64_const(0x7fffffffffffffffn).op(Op.i64_and).i64_const(0).op(Op.i64_ne).op(Op.i32_and);
  e.slowExitIf(j);
  e.probeEa(j, w, form === 'x', si, 4, true);
  f.local_get(L_TL);
  f.local_get(L_Y).i64_const(32).op(Op.i64_shr_u).i64_const(0xc0000000).op(Op.i64_and);
  f.local_get(L_Y).i64_const(29).op(Op.i64_shr_u).i64_const(0x3fffffff).op(Op.i64_and).op(Op.i64_or);
  f.op(Op.i32_wrap_i64);
  f.i32_store(memAt(4));
  if (update) e.updateRa(w, j);
  return true;
};

/** lfiwax / lfiwzx: a word into FRT, sign- or zero-extended. */
const lfiw = (signed: boolean): RowEmitter => (e, w, j) => {
  const f = e.f;
  e.eaIndexed(ra(w), rb(w));
  e.probe(j, 4, false);
  setFprBits(e, rt(w), () => {
    f.local_get(L_TL).i32_load(memAt(4));
    f.op(signed ? Op.i64_extend_i32_s : Op.i64_extend_i32_u);
  });
  return true;
};
/** stfiwx: the low word of FRS. */
const stfiwx: RowEmitter = (e, w, j) => {
  const f = e.f;
  e.eaIndexed(ra(w), rb(w));
  e.probe(j, 4, true);
  f.local_get(L_TL);
  fprBits(e, rt(w));
  f.op(Op.i32_wrap_i64);
  f.i32_store(memAt(4));
  return true;
};

/** The rows that read and write only registers and FPSCR: the Wasm interpreter runs them too (interp.ts). */
export const fpRegisterRows: Record<string, FpRowEmitter> = {
  fmr: sign('mr'),
  fneg: sign('neg'),
  fabs: sign('abs'),
  fnabs: sign('nabs'),
  fcpsgn,
  fcmpu: compare,
  fcmpo: compare,
  fcfid: fromInteger(false, false),
  fcfidu: fromInteger(true, false),
  fcfids: fromInteger(false, true),
  fcfidus: fromInteger(true, true),
  fctidz: toIntegerTruncating(false),
  fctiwz: toIntegerTruncating(true),
  frin: roundToIntegral('n'),
  friz: roundToIntegral('z'),
  frip: roundToIntegral('p'),
  frim: roundToIntegral('m'),
  fsel,
  mffs,
};
for (const [name, op] of [['fadd', 'add'], ['fsub', 'sub'], ['fmul', 'mul'], ['fdiv', 'div'], ['fsqrt', 'sqrt']] as const) {
  fpRegisterRows[name] = arith(op, false);
  fpRegisterRows[`${name}s`] = arith(op, true);
}
fpRegisterRows.frsp = arith('rsp', true);
for (const op of FUSED) {
  fpRegisterRows[`f${op}`] = arith(op, false);
  fpRegisterRows[`f${op}s`] = arith(op, true);
}

export const fpWasmRows: Record<string, RowEmitter> = {
  lfd: lfd('d', false),
  lfdu: lfd('d', true),
  lfdx: lfd('x', false),
  lfdux: lfd('x', true),
  stfd: stfd('d', false),
  stfdu: stfd('d', true),
  stfdx: stfd('x', false),
  stfdux: stfd('x', true),
  lfs: lfs('d', false),
  lfsu: lfs('d', true),
  lfsx: lfs('x', false),
  lfsux: lfs('x', true),
  stfs: stfs('d', false),
  stfsu: stfs('d', true),
  stfsx: stfs('x', false),
  stfsux: stfs('x', true),
  lfiwax: lfiw(true),
  lfiwzx: lfiw(false),
  stfiwx,
  ...fpRegisterRows,
};

/**
 * Which words each FP row accepts, without emitting it (compiler.ts wasmAccepts): every form,
 * except the update forms of loads and stores with RA = 0 (invalid, left to the interpreter).
 */
export const fpWasmAccepts: Record<string, (w: number) => boolean> = {};
for (const name of Object.keys(fpWasmRows)) {
  fpWasmAccepts[name] = /^(lf|stf)[sd]u/.test(name) ? (w) => ra(w) !== 0 : () => true;
}
