// The Wasm interpreter: the interpreter loop's straight runs (run.ts), as one WebAssembly function
// per process. Code the Go runtime runs only a few times (its whole start-up, most of a wide
// program) never reaches the compile threshold, and in JavaScript it runs in V8's cold tiers
// (Ignition, Sparkplug) until TurboFan has seen enough of the loop: hello's 520,000 instructions
// took 0.1 s of cold code against about 0.02 s warm. A Wasm function is compiled (Liftoff) before
// its first call, so it runs at machine-code speed from the first instruction; its code is emitted
// by the start-up snapshot's builder (prepareStraightInterpreter).
//
// What it does: from PC, instruction after instruction, dispatched on the ids the JS decoder stored
// in the CodePage (run.ts; its ids and words live in the arena). A taken branch runs the loop's
// heat check on the same counters (LoopState) and goes on at the target, on this page or on
// another the CPU's page cache knows. It leaves the JS loop to go on:
// - after a taken branch whose heat check would reach the threshold (STRAIGHT_TAKEN: the loop runs
//   its own check and compiles),
// - at a slot whose id is not a row (undecoded, breakpoint, host-call sentinel: the loop handles it
//   as always), at the end of the page, or at the budget,
// - after a compiled block when what follows it is the loop's (STRAIGHT_CHAIN, enterBlock: it runs
//   the blocks whose entry the CPU's chain map holds itself, through the chain function, at a
//   block's entry and, after a taken branch, at any region label the map holds: return points and
//   loop heads),
// - before an instruction it does not run here (a row without a handler below, an OE form, a TLB
//   miss of a load or store): "stuck", and the loop runs that one instruction itself.
// So the JS loop keeps every guarantee: a special id stops as before, a fault is raised by the JS
// row with its exact PC and count, watched and clean pages are kept out of the TLB as for the Wasm
// regions, and a store to a code page (out of the write TLB) goes through the JS slow path, which
// invalidates the ids this function reads. Each handler is the dynamic-register form of the row's
// exec function (exec/*.ts) and shares its arithmetic with the row's region emitter (compiler.ts);
// test/unit/cpu/wasm-interp.test.ts runs it against the JS interpreter on random programs.
import { Op, WasmFn, functionEntry, functionsModule } from './encode.js';
import { VSR_OFFSET, guestArena, withTieringBudget } from './arena.js';
import { envNumber } from '../env.js';
import { DWORD_SWAP, LANE_COMPARE_FORMS, SIGMA_D, SIGMA_W, Simd, WORD_BSWAP, WORD_REVERSE, bitPermute, selectBytes, shuffle, sigma, simd, simdLane, simdMem, simdSupported, splatBytes, v128Const, withCr6 } from './simd.js';
import { BLOCK_PARAMS, CHAIN_PARAMS, ENTRY_FIELD_BITS, ENTRY_FIELD_MAX, ENTRY_PACKED, ENTRY_SLOT, chainFunction, findEntry } from './chain.js';
import { CR_OFF, CTR_OFF, L_EA, L_TL, LR_OFF, PC_OFF, RESV_LEN_OFF, RESV_OFF, SIZE, XER_OFF, CARRYING_FORMS, CR_LOGICAL_FORMS, LOGICAL_FORMS, RESERVE_FORMS, STORE_CONDITIONAL_FORMS, addWithCarry, compareNibble, loadReversed, storeReversed, divideValues, loadPair, mulHighValue, rowsOf, storePair, shiftRightAlgebraicValue, shiftValue, loadValue, memAt, probeAddress, probeMiss, type Kind } from './compiler.js';
// After compiler.js, which must be initialised before the emitter modules it imports.
import { FP_OPERANDS, type FpEmit, fpRegisterRows } from './emit-fp.js';
import { REVERSED_LOAD_FORMS, REVERSED_STORE_FORMS } from './emit-vector.js';
import type { InsnRow } from '../isa-types.js';
import { HEAT_MASK, ID_BLOCK } from '../run.js';

// Parameters (a region's type, chain.ts): budget left, register file, TLB, the CodePage's ids
// (its words follow 64 KiB on), the CPU's loop state (LoopState below).
const P_LEFT = 0;
const P_REGS = 1;
const P_TLB = 2;
const P_CODE = 3;
const P_STATE = 4;

/**
 * The jit loop's heat-check state (run.ts), which the loop hands over around each call (int32
 * indices into the block at the CPU's loopStateAt), followed by the heat table itself: the
 * interpreter runs the heat check of a taken branch as the loop does, and goes on at the target
 * when no counter reaches the threshold (then the loop's compile path has nothing to do).
 */
export const LoopState = {
  /** The word of the taken branch a run ended with. */
  LAST_BRANCH: 0,
  /** Instructions since the last taken branch (the loop's n - mark). */
  RUN: 1,
  FROM_HI: 2,
  FROM_LO: 3,
  FROM_HX: 4,
  CALL_HI: 5,
  CALL_LO: 6,
  CALL_HX: 7,
  THRESHOLD: 8,
  /** The CPU's chain map (arena offset, -1 without): where the blocks this function enters are. */
  MAP: 9,
  /** After STRAIGHT_CHAIN: what the chain function returned (the loop's resumeChain takes it). */
  CHAIN_R: 10,
  /** The loop's blockRun at the return (not 0 only after STRAIGHT_TAKEN that followed blocks). */
  BLOCK_RUN: 11,
  /** Instructions run in compiled blocks in this call (the loop adds them to jitExecuted). */
  JIT: 12,
  /** Byte offset of the heat table (HEAT_SIZE int32). */
  HEAT_AT: 64,
  /**
   * Byte offset of the code pages this call may go on to (Cpu.codePageFor's cache, mirrored):
   * PAGE_SLOTS entries of (high word, page number, CodePage.at), at (page ^ high) & (PAGE_SLOTS - 1).
   */
  PAGES_AT: 64 + 4 * 4096,
  PAGE_SLOTS: 64,
} as const;
/** Arena bytes of a CPU's loop state and heat table. */
export const LOOP_STATE_BYTES = 32768;
// i32 locals 5..20 (10..12 are the TLB probe's, shared with compiler.ts), i64 locals 21..26
// (21 is the probe's EA), then the rest (localTypes below).
const L_N = 5;
const L_W = 6;
const L_ID = 7;
const L_FLAGS = 8;
const L_U = 9;
const L_V = 13;
// The run since the last taken branch is L_RB + L_N (the loop's n - mark). One local for the two
// the loop keeps, and the loop's blockRun and this call's compiled count in the loop state
// (BLOCK_RUN, JIT), which only taken branches and compiled blocks touch: fewer values live across
// the dispatch loop.
const L_RB = 14;
const L_HX = 16;
const L_H1 = 17;
const L_H2 = 18;
const L_H3 = 19;
const L_D = 20;
const L_X = 22;
const L_Y = 23;
const L_PC = 24;
const L_Z = 25; // i64 scratch
// 26: an i64 scratch of the FP rows (compiler.ts L_Z). Locals 27..37 as a region's with vector and
// FP rows (compiler.ts): three v128 scratch (i32 where the host has no SIMD: never used then) and
// emit-fp.ts's eight f64 scratch, so the FP rows' emitters run here unchanged (sideFunction).
const L_V128 = 27;
// i32 locals 38..41 for compiled blocks this call enters (enterBlock)
const L_R = 38; // what the chain function returned
const L_OWN = 41; // the run less blockRun (heatCheck)
const L_PC0 = 42; // PC at entry (its page is the one this call runs)
const localTypes = (simd: boolean): number[] => [
  ...new Array<number>(16).fill(0x7f),
  ...new Array<number>(6).fill(0x7e),
  ...new Array<number>(3).fill(simd ? 0x7b : 0x7f),
  ...new Array<number>(8).fill(0x7c),
  ...new Array<number>(4).fill(0x7f),
  0x7e,
];
const WORDS_AT = 65536;

/** Return value: count << 2 | one of these (or 0: stopped at a slot the loop handles, the page end or the budget). */
export const STRAIGHT_TAKEN = 1;
export const STRAIGHT_STUCK = 2;
/**
 * A compiled block ran (LoopState.CHAIN_R holds its result, PC is where it left) and what follows
 * is the loop's: a slow-path exit, a next block the chain map lacks, a compile, a page it does not
 * know. The count does not include the block's instructions.
 */
export const STRAIGHT_CHAIN = 3;

/** A WasmFn whose blocks have names, so handlers branch by name at any nesting. */
class Body {
  readonly f = new WasmFn();
  private readonly open: string[] = [];
  block(name: string): this {
    this.f.block();
    this.open.push(name);
    return this;
  }
  loop(name: string): this {
    this.f.loop();
    this.open.push(name);
    return this;
  }
  if_(type?: number): this {
    this.f.if_(type);
    this.open.push('');
    return this;
  }
  else_(): this {
    this.f.else_();
    return this;
  }
  end(): this {
    this.f.end();
    this.open.pop();
    return this;
  }
  depth(name: string): number {
    const i = this.open.lastIndexOf(name);
    if (i < 0) throw new Error(`no open block ${name}`);
    return this.open.length - 1 - i;
  }
  br(name: string): this {
    this.f.br(this.depth(name));
    return this;
  }
  /** Stop before this instruction when the i32 on the stack is not zero. */
  stuckIf(): this {
    return this.if_().br('stuck').end();
  }

  // ---- instruction fields (i32 on the stack)
  field(shift: number, mask: number): this {
    this.f.local_get(L_W);
    if (shift !== 0) this.f.i32_const(shift).op(Op.i32_shr_u);
    this.f.i32_const(mask).op(Op.i32_and);
    return this;
  }
  rt(): this {
    return this.field(21, 31);
  }
  ra(): this {
    return this.field(16, 31);
  }
  rb(): this {
    return this.field(11, 31);
  }
  /** SI sign-extended, as i64. */
  si64(): this {
    this.f.local_get(L_W).i32_const(16).op(Op.i32_shl).i32_const(16).op(Op.i32_shr_s).op(Op.i64_extend_i32_s);
    return this;
  }
  /** UI as i64. */
  ui64(): this {
    this.f.local_get(L_W).i32_const(0xffff).op(Op.i32_and).op(Op.i64_extend_i32_u);
    return this;
  }
  /** MD/XS sh: sh[0:4] in bits 16-20, sh[5] in bit 30 (fields.ts shMD). */
  shMD(): this {
    this.rb();
    this.f.local_get(L_W).i32_const(4).op(Op.i32_shl).i32_const(32).op(Op.i32_and).op(Op.i32_or);
    return this;
  }
  /** MD/MDS mb/me (fields.ts mbMD). */
  mbMD(): this {
    this.field(6, 31);
    this.f.local_get(L_W).i32_const(32).op(Op.i32_and).op(Op.i32_or);
    return this;
  }

  // ---- registers
  private gprAt(reg: () => void): void {
    reg();
    this.f.i32_const(3).op(Op.i32_shl).local_get(P_REGS).op(Op.i32_add);
  }
  /** GPR (field) as i64. */
  get(reg: () => void): this {
    this.gprAt(reg);
    this.f.i64_load(0);
    return this;
  }
  getRt(): this {
    return this.get(() => this.rt());
  }
  getRa(): this {
    return this.get(() => this.ra());
  }
  getRb(): this {
    return this.get(() => this.rb());
  }
  /** RA|0. */
  getRa0(): this {
    this.getRa();
    this.f.i64_const(0);
    this.ra();
    this.f.select();
    return this;
  }
  /** GPR (field) = the i64 on the stack, which stays in L_X. */
  set(reg: () => void): this {
    this.f.local_set(L_X);
    this.gprAt(reg);
    this.f.local_get(L_X).i64_store(0);
    return this;
  }
  setRt(): this {
    return this.set(() => this.rt());
  }
  setRa(): this {
    return this.set(() => this.ra());
  }
  /** The 64-bit SPR pair at off (high word first) as i64, and back. */
  getPair(off: number): this {
    loadPair(this.f, off);
    return this;
  }
  setPair(off: number, value: () => void): this {
    value();
    this.f.local_set(L_Z);
    storePair(this.f, off, L_Z);
    return this;
  }
  getXer(): this {
    this.f.local_get(P_REGS).i32_load(XER_OFF);
    return this;
  }

  // ---- CR
  /** CR field (shift 28 - 4 * field, pushed by sh) = the nibble on the stack | SO (setCrField, setCr0). */
  crField(sh: () => void): this {
    const f = this.f;
    f.local_set(L_U);
    f.local_get(P_REGS);
    f.local_get(L_U);
    this.getXer();
    f.i32_const(31).op(Op.i32_shr_u).op(Op.i32_or);
    sh();
    f.op(Op.i32_shl);
    f.local_get(P_REGS).i32_load(CR_OFF).i32_const(15);
    sh();
    f.op(Op.i32_shl).i32_const(-1).op(Op.i32_xor).op(Op.i32_and).op(Op.i32_or).i32_store(CR_OFF);
    return this;
  }
  /** CR0 from the signed compare of L_X with zero. */
  cr0(): this {
    compareNibble(this.f, () => this.f.local_get(L_X), () => this.f.i64_const(0), Op.i64_lt_s, Op.i64_gt_s);
    return this.crField(() => this.f.i32_const(28));
  }
  /** CR0 when Rc (bit 31) is set, from L_X. */
  rc(): this {
    this.f.local_get(L_W).i32_const(1).op(Op.i32_and);
    this.if_();
    this.cr0();
    return this.end();
  }
  /** XER.CA = the i32 (0/1) on the stack. */
  setCa(): this {
    const f = this.f;
    f.i32_const(29).op(Op.i32_shl).local_set(L_U);
    f.local_get(P_REGS);
    this.getXer();
    f.i32_const(~0x20000000).op(Op.i32_and).local_get(L_U).op(Op.i32_or).i32_store(XER_OFF);
    return this;
  }
  /** The OE bit (XO-form) stops here: the JS row sets OV and SO. */
  noOe(): this {
    this.f.local_get(L_W).i32_const(0x400).op(Op.i32_and);
    return this.stuckIf();
  }
}

type Handler = (b: Body) => void;

/**
 * MASK(mb, me) as i64 (IBM bit numbers, bit 0 the most significant): bits mb..me, or when mb > me
 * bits 0..me and mb..63 (int64.ts MASK64). With A = ones(mb..63) = -1 >>> mb and B = ones(0..me)
 * = ~((-1 >>> me) >>> 1), that is A & B, or A | B.
 */
function mask(b: Body, mb: () => void, me: () => void): void {
  const f = b.f;
  f.i64_const(-1);
  mb();
  f.op(Op.i64_extend_i32_u).op(Op.i64_shr_u).local_set(L_Z);
  f.i64_const(-1);
  me();
  f.op(Op.i64_extend_i32_u).op(Op.i64_shr_u).i64_const(1).op(Op.i64_shr_u).i64_const(-1).op(Op.i64_xor).local_set(L_X);
  f.local_get(L_Z).local_get(L_X).op(Op.i64_and);
  f.local_get(L_Z).local_get(L_X).op(Op.i64_or);
  mb();
  me();
  f.op(Op.i32_le_u).select();
}

// ---- loads and stores (exec/loadstore.ts; update forms with RA = 0, or RA = RT for loads, are the JS row's)

type Ea = 'd' | 'ds' | 'x';
function ea(b: Body, form: Ea): void {
  const f = b.f;
  b.getRa0();
  if (form === 'x') b.getRb();
  else {
    b.si64();
    if (form === 'ds') f.i64_const(-4).op(Op.i64_and);
  }
  f.op(Op.i64_add).local_set(L_EA);
}
/** L_TL = where the `size` bytes at L_EA are (the regions' TLB probe), or stop before this instruction. */
function probe(b: Body, size: number, write: boolean): void {
  probeMiss(b.f, size, write);
  b.stuckIf();
  probeAddress(b.f, write);
}
/** Store RS (its low `kind` bytes) at L_TL. */
function storeRs(b: Body, kind: 'b' | 'h' | 'w' | 'd'): void {
  b.f.local_get(L_TL);
  b.getRt();
  storeSized(b.f, kind);
}
const load = (kind: Kind, form: Ea, update: boolean): Handler => (b) => {
  const f = b.f;
  if (update) {
    b.ra();
    f.op(Op.i32_eqz);
    b.ra();
    b.rt();
    f.op(Op.i32_eq).op(Op.i32_or);
    b.stuckIf();
  }
  ea(b, form);
  probe(b, SIZE[kind], false);
  loadValue(f, kind);
  b.setRt();
  if (update) {
    f.local_get(L_EA);
    b.setRa();
  }
};
const store = (kind: 'b' | 'h' | 'w' | 'd', form: Ea, update: boolean): Handler => (b) => {
  const f = b.f;
  if (update) {
    b.ra();
    f.op(Op.i32_eqz);
    b.stuckIf();
  }
  ea(b, form);
  probe(b, SIZE[kind], true);
  storeRs(b, kind);
  if (update) {
    f.local_get(L_EA);
    b.setRa();
  }
};

/** lbarx..ldarx: the load, then the reservation (EA, length) in the register file (loadReserve in compiler.ts). */
const loadReserve = (kind: 'b' | 'h' | 'w' | 'd'): Handler => (b) => {
  const f = b.f;
  load(kind, 'x', false)(b);
  storePair(f, RESV_OFF, L_EA);
  f.local_get(P_REGS).i32_const(SIZE[kind]).i32_store(RESV_LEN_OFF);
};
/**
 * stbcx...stdcx.: stores only while a reservation of the same length at the same EA is held (a
 * store that misses the TLB stops before anything changed); the reservation is gone either way and
 * CR0 = 0b00 || stored || SO (storeConditional in compiler.ts).
 */
const storeConditional = (kind: 'b' | 'h' | 'w' | 'd'): Handler => (b) => {
  const f = b.f;
  ea(b, 'x');
  f.local_get(P_REGS).i32_load(RESV_LEN_OFF).i32_const(SIZE[kind]).op(Op.i32_eq);
  loadPair(f, RESV_OFF);
  f.local_get(L_EA).op(Op.i64_eq).op(Op.i32_and);
  b.if_(0x7f);
  probe(b, SIZE[kind], true);
  storeRs(b, kind);
  f.i32_const(2);
  b.else_();
  f.i32_const(0);
  b.end();
  f.local_get(P_REGS).i32_const(0).i32_store(RESV_LEN_OFF);
  b.crField(() => f.i32_const(28));
};
/** Store the i64 value on the stack (over the address) as `kind`. */
function storeSized(f: WasmFn, kind: 'b' | 'h' | 'w' | 'd'): void {
  if (kind === 'd') {
    f.i64_store(memAt(8));
    return;
  }
  f.op(Op.i32_wrap_i64);
  if (kind === 'b') f.i32_store8(memAt(1));
  else if (kind === 'h') f.i32_store16(memAt(2));
  else f.i32_store(memAt(4));
}

/**
 * lxvd2x/lxvw4x/lvx and their stores (loadVector/storeVector in emit-vector.ts): 16 bytes between
 * memory and the VSR in the register file (XT = TX || T; lvx/stvx: VR T, at an EA rounded down to
 * 16). The page is byte-reversed, so the register is the 16 bytes with their words reversed.
 */
const vectorAccess = (write: boolean, vr: boolean): Handler => (b) => {
  const f = b.f;
  ea(b, 'x');
  if (vr) f.local_get(L_EA).i64_const(-16).op(Op.i64_and).local_set(L_EA);
  probe(b, 16, write);
  // the VSR's address in the register file
  b.rt();
  if (vr) f.i32_const(32).op(Op.i32_or);
  else f.local_get(L_W).i32_const(1).op(Op.i32_and).i32_const(5).op(Op.i32_shl).op(Op.i32_or);
  f.i32_const(4).op(Op.i32_shl).local_get(P_REGS).op(Op.i32_add).local_set(L_U);
  const reversed = (from: () => void): void => {
    from();
    f.local_tee(L_V128).local_get(L_V128);
    shuffle(f, WORD_REVERSE);
  };
  if (write) {
    f.local_get(L_TL);
    reversed(() => (f.local_get(L_U), simdMem(f, Simd.v128_load, VSR_OFFSET)));
    simdMem(f, Simd.v128_store, memAt(16));
  } else {
    f.local_get(L_U);
    reversed(() => (f.local_get(L_TL), simdMem(f, Simd.v128_load, memAt(16))));
    simdMem(f, Simd.v128_store, VSR_OFFSET);
  }
};

// ---- vector, VSX and FP registers without FP arithmetic (emit-vector.ts, emit-fp.ts): the rows
// Go's bytes, strings, memclr and float moves run before anything is compiled. Left to the JS loop
// they stopped every straight run (gofmt: 14,000 times, half of them vcmpequb.).

/** The register file's address of VSR n (the i32 `n` pushes); its 16 bytes are at + VSR_OFFSET. */
function vsrAt(b: Body, n: () => void): void {
  n();
  b.f.i32_const(4).op(Op.i32_shl).local_get(P_REGS).op(Op.i32_add);
}
/** VR fields (VSR 32 + field) and XX fields (the field with its extension bit as bit 5). */
const vrField = (b: Body, shift: number) => (): void => {
  b.field(shift, 31);
  b.f.i32_const(32).op(Op.i32_or);
};
const xxField = (b: Body, shift: number, extBit: number, extShift: number) => (): void => {
  b.field(shift, 31);
  b.f.local_get(L_W).i32_const(extBit).op(Op.i32_and);
  if (extShift > 0) b.f.i32_const(extShift).op(Op.i32_shl);
  b.f.op(Op.i32_or);
};
const vt = (b: Body) => vrField(b, 21);
const va = (b: Body) => vrField(b, 16);
const vb = (b: Body) => vrField(b, 11);
const vc = (b: Body) => vrField(b, 6);
const xt = (b: Body) => xxField(b, 21, 1, 5);
const xa = (b: Body) => xxField(b, 16, 4, 3);
const xb = (b: Body) => xxField(b, 11, 2, 4);
function getVsr(b: Body, n: () => void): void {
  vsrAt(b, n);
  simdMem(b.f, Simd.v128_load, VSR_OFFSET);
}
/** VSR t = the v128 `value` pushes (computed before the store, so t may be a source). */
function putVsr(b: Body, t: () => void, value: () => void): void {
  vsrAt(b, t);
  value();
  simdMem(b.f, Simd.v128_store, VSR_OFFSET);
}
/** VT = op(VA, VB) (VX or XX3 fields). */
const laneOp = (op: number, regs: (b: Body) => [() => void, () => void, () => void]): Handler => (b) => {
  const [t, x, y] = regs(b);
  putVsr(b, t, () => {
    getVsr(b, x);
    getVsr(b, y);
    simd(b.f, op);
  });
};
const VX3 = (b: Body): [() => void, () => void, () => void] => [vt(b), va(b), vb(b)];
const XX3 = (b: Body): [() => void, () => void, () => void] => [xt(b), xa(b), xb(b)];
/** vcmp* over byte/halfword/word lanes; Rc (bit 21) sets CR6: 8 if every lane is true, 2 if none. */
const vectorCompare = (op: number): Handler => (b) => {
  const f = b.f;
  putVsr(b, vt(b), () => {
    getVsr(b, va(b));
    getVsr(b, vb(b));
    simd(f, op);
    f.local_tee(L_V128);
  });
  f.local_get(L_W).i32_const(0x400).op(Op.i32_and);
  b.if_();
  f.local_get(P_REGS);
  withCr6(f, () => f.local_get(P_REGS).i32_load(CR_OFF), L_V128);
  f.i32_store(CR_OFF);
  b.end();
};
/** vbpermq: the 16-bit result of simd.ts bitPermute in word 1, zeros elsewhere. */
const vbpermq: Handler = (b) => {
  const f = b.f;
  const idx = L_V128 + 1;
  getVsr(b, vb(b));
  f.local_set(idx);
  putVsr(b, vt(b), () => {
    v128Const(f, splatBytes(0));
    bitPermute(f, () => getVsr(b, va(b)), idx, L_V128);
    simdLane(f, Simd.i32x4_replace_lane, 1);
  });
};
/** cmpb: each byte of RA = 0xff where the bytes of RS and RB are equal (in SIMD, as emit-vector.ts). */
const cmpb: Handler = (b) => {
  const f = b.f;
  b.getRt();
  simd(f, Simd.i64x2_splat);
  b.getRb();
  simd(f, Simd.i64x2_splat);
  simd(f, Simd.i8x16_eq);
  simdLane(f, Simd.i64x2_extract_lane, 0);
  b.setRa();
};
/** VSR n's doubleword 0 as its i64 value (words most significant first: loadPair's layout). */
function dword0(b: Body, n: () => void): void {
  vsrAt(b, n);
  b.f.local_set(L_U);
  loadPair(b.f, VSR_OFFSET, L_U);
}
/** VSR n's doubleword 0 = the i64 `value` pushes (storePair's layout); with clear, doubleword 1 = 0 (the FP loads). */
function setDword0(b: Body, n: () => void, value: () => void, clear: boolean): void {
  const f = b.f;
  value();
  f.local_set(L_Z);
  vsrAt(b, n);
  f.local_set(L_U);
  storePair(f, VSR_OFFSET, L_Z, L_U);
  if (clear) f.local_get(L_U).i64_const(0).i64_store(VSR_OFFSET + 8);
}
/** lfd/lfdx and stfd/stfdx: 8 bytes between memory and FPR T (VSR T's doubleword 0). */
const fpAccess = (write: boolean, form: Ea): Handler => (b) => {
  const f = b.f;
  ea(b, form);
  probe(b, 8, write);
  if (write) {
    f.local_get(L_TL);
    dword0(b, () => b.rt());
    f.i64_store(memAt(8));
  } else {
    setDword0(b, () => b.rt(), () => f.local_get(L_TL).i64_load(memAt(8)), true);
  }
};
/** lhbrx/lwbrx/ldbrx and the stores (compiler.ts loadReversed, storeReversed). */
const reversedLoad = (size: 2 | 4 | 8): Handler => (b) => {
  ea(b, 'x');
  probe(b, size, false);
  loadReversed(b.f, size);
  b.setRt();
};
const reversedStore = (size: 2 | 4 | 8): Handler => (b) => {
  ea(b, 'x');
  probe(b, size, true);
  storeReversed(b.f, size, () => b.getRt());
};
/**
 * vspltb/vsplth/vspltw: VT = element UIM of VB in every element, one swizzle whose byte indices
 * are splat(UIM * scale ^ flip) + pattern (register byte o is big-endian byte o ^ 3).
 */
const splat = (scale: number, flip: number, pattern: (o: number) => number): Handler => (b) => {
  const f = b.f;
  putVsr(b, vt(b), () => {
    getVsr(b, vb(b));
    b.field(16, 16 / scale - 1);
    f.i32_const(scale).op(Op.i32_mul).i32_const(flip).op(Op.i32_xor);
    simd(f, Simd.i8x16_splat);
    v128Const(f, Array.from({ length: 16 }, (_v, o) => pattern(o)));
    simd(f, Simd.i8x16_add);
    simd(f, Simd.i8x16_swizzle);
  });
};
/** vsldoi: big-endian byte q of VT = byte q + SH of VA || VB: simd.ts selectBytes with indices ((o ^ 3) + SH) ^ 3. */
const vsldoi: Handler = (b) => {
  const f = b.f;
  const idx = L_V128 + 1;
  v128Const(f, WORD_BSWAP);
  b.field(6, 15);
  simd(f, Simd.i8x16_splat);
  simd(f, Simd.i8x16_add);
  v128Const(f, splatBytes(3));
  simd(f, Simd.v128_xor);
  f.local_set(idx);
  putVsr(b, vt(b), () => selectBytes(f, () => getVsr(b, va(b)), () => getVsr(b, vb(b)), idx));
};
/**
 * vshasigmaw/vshasigmad when every lane takes the same sigma (SIX 0 or 15, Go's code); other SIX
 * values are the JS row's. ST picks the upper sigmas (emit-vector.ts shaSigma).
 */
const shaSigma = (bits: 32 | 64): Handler => (b) => {
  const f = b.f;
  const x = L_V128 + 1;
  const table = bits === 32 ? SIGMA_W : SIGMA_D;
  b.field(11, 15);
  f.i32_const(1).op(Op.i32_add).i32_const(15).op(Op.i32_and).i32_const(1).op(Op.i32_gt_u);
  b.stuckIf();
  putVsr(b, vt(b), () => {
    getVsr(b, va(b));
    if (bits === 64) (f.local_tee(L_V128).local_get(L_V128), shuffle(f, DWORD_SWAP));
    f.local_set(x);
    const pick = (upper: number): void => {
      b.field(11, 1);
      b.if_(0x7b);
      sigma(f, bits, table[2 * upper + 1], x);
      b.else_();
      sigma(f, bits, table[2 * upper], x);
      b.end();
    };
    b.field(15, 1);
    b.if_(0x7b);
    pick(1);
    b.else_();
    pick(0);
    b.end();
    if (bits === 64) (f.local_tee(L_V128).local_get(L_V128), shuffle(f, DWORD_SWAP));
  });
};
/** dcbz: zero the aligned 128-byte block holding EA (within one page: one probe). */
const dcbz: Handler = (b) => {
  const f = b.f;
  ea(b, 'x');
  f.local_get(L_EA).i64_const(-128).op(Op.i64_and).local_set(L_EA);
  probe(b, 128, true);
  // The block's bytes start at L_TL + memAt(128), which is below L_TL (memAt(16) is 0): one subtraction.
  f.local_get(L_TL).i32_const(-memAt(128)).op(Op.i32_sub).local_set(L_TL);
  for (let k = 0; k < 128; k += 8) f.local_get(L_TL).i64_const(0).i64_store(k);
};

// ---- arithmetic and logic (exec/integer.ts)

/** RT = op(RA, RB) (XO-form, OE=0), CR0 when Rc. */
const arith = (op: (b: Body) => void): Handler => (b) => {
  b.noOe();
  op(b);
  b.setRt().rc();
};
/** RA = op(RS, RB) (X-form logical), CR0 when Rc. */
const logical = (op: number, notB: boolean, notResult: boolean): Handler => (b) => {
  const f = b.f;
  b.getRt().getRb();
  if (notB) f.i64_const(-1).op(Op.i64_xor);
  f.op(op);
  if (notResult) f.i64_const(-1).op(Op.i64_xor);
  b.setRa().rc();
};
/** RA = RS op (UI << shift), CR0 for andi./andis. */
const immLogical = (op: number, shift: number, cr: boolean): Handler => (b) => {
  b.getRt().ui64();
  if (shift !== 0) b.f.i64_const(shift).op(Op.i64_shl);
  b.f.op(op);
  b.setRa();
  if (cr) b.cr0();
};
/** RA = op(RS), CR0 when Rc (exts*, cntlz*); popcntd ignores Rc. */
const unary = (op: (b: Body) => void, rc = true): Handler => (b) => {
  b.getRt();
  op(b);
  b.setRa();
  if (rc) b.rc();
};
/** RT = a + b + cin, CA = the carry out (compiler.ts addWithCarry); a and b push i64 values. */
function addCarrying(b: Body, a: () => void, x: () => void, cin: 0 | 1 | 'ca'): void {
  const f = b.f;
  addWithCarry(f, a, x, cin, { x: L_X, s: L_EA, r: L_Y }, () => b.getXer(), () => b.setCa());
  f.local_get(L_Y);
  b.setRt();
}
/** The carrying XO rows (OE=0, Rc=0; the others are the JS row's). */
const carrying = (a: 'ra' | 'nra', x: 'rb' | 'zero' | 'ones', cin: 0 | 1 | 'ca'): Handler => (b) => {
  const f = b.f;
  f.local_get(L_W).i32_const(0x401).op(Op.i32_and);
  b.stuckIf();
  addCarrying(
    b,
    () => {
      b.getRa();
      if (a === 'nra') f.i64_const(-1).op(Op.i64_xor);
    },
    () => {
      if (x === 'rb') b.getRb();
      else f.i64_const(x === 'zero' ? 0 : -1);
    },
    cin,
  );
};

/** mulhdu/mulhd: the high 64 bits of the 128-bit product of RA and RB. */
const mulHigh = (signed: boolean): Handler => (b) => {
  mulHighValue(b.f, () => b.getRa(), () => b.getRb(), signed, L_X, L_Z);
  b.setRt().rc();
};
/** divd, divdu, divw, divwu (OE=0), as compiler.ts divideValues computes them. */
const divide = (word: boolean, signed: boolean): Handler => (b) => {
  b.noOe();
  divideValues(b.f, () => b.getRa(), () => b.getRb(), word, signed);
  b.setRt().rc();
};
/** mcrf: CR field BF = CR field BFA. */
const mcrf: Handler = (b) => {
  const f = b.f;
  const sh = (shift: number): void => {
    f.i32_const(28);
    b.field(shift, 7);
    f.i32_const(2).op(Op.i32_shl).op(Op.i32_sub);
  };
  f.local_get(P_REGS);
  f.local_get(P_REGS).i32_load(CR_OFF);
  sh(18);
  f.op(Op.i32_shr_u).i32_const(15).op(Op.i32_and);
  sh(23);
  f.op(Op.i32_shl);
  f.local_get(P_REGS).i32_load(CR_OFF).i32_const(15);
  sh(23);
  f.op(Op.i32_shl).i32_const(-1).op(Op.i32_xor).op(Op.i32_and).op(Op.i32_or).i32_store(CR_OFF);
};
/** crand..crxor: CR bit BT = op(bit BA, bit BB) (the op on 0/1, masked to one bit). */
const crLogical = (op: (f: WasmFn) => void): Handler => (b) => {
  const f = b.f;
  const bit = (shift: number): void => {
    f.local_get(P_REGS).i32_load(CR_OFF);
    b.field(shift, 31);
    f.op(Op.i32_shl).i32_const(31).op(Op.i32_shr_u);
  };
  f.local_get(P_REGS);
  bit(16);
  bit(11);
  op(f);
  f.i32_const(1).op(Op.i32_and).i32_const(31);
  b.rt();
  f.op(Op.i32_sub).local_tee(L_U).op(Op.i32_shl);
  f.local_get(P_REGS).i32_load(CR_OFF).i32_const(1).local_get(L_U).op(Op.i32_shl).i32_const(-1).op(Op.i32_xor).op(Op.i32_and).op(Op.i32_or);
  f.i32_store(CR_OFF);
};

/** cmp/cmpl/cmpi/cmpli: RA against RB or the immediate, 64-bit when L, else the low words. */
const compare = (signed: boolean, immediate: boolean): Handler => (b) => {
  const f = b.f;
  const [lt64, gt64, lt32, gt32] = signed ? [Op.i64_lt_s, Op.i64_gt_s, Op.i32_lt_s, Op.i32_gt_s] : [Op.i64_lt_u, Op.i64_gt_u, Op.i32_lt_u, Op.i32_gt_u];
  const other64 = (): void => {
    if (!immediate) b.getRb();
    else if (signed) b.si64();
    else b.ui64();
  };
  b.field(21, 1);
  b.if_(0x7f);
  compareNibble(f, () => b.getRa(), other64, lt64, gt64);
  b.else_();
  compareNibble(f, () => (b.getRa(), f.op(Op.i32_wrap_i64)), () => (other64(), f.op(Op.i32_wrap_i64)), lt32, gt32);
  b.end();
  b.crField(() => {
    f.i32_const(28);
    b.field(23, 7);
    f.i32_const(2).op(Op.i32_shl).op(Op.i32_sub);
  });
};

// ---- rotates and shifts (exec/rotate.ts)

/** rlwinm/rlwnm/rlwimi: ROTL32 of RS's low word, on both halves, masked with MASK(MB+32, ME+32). */
const rotate32 = (byRb: boolean, insert: boolean): Handler => (b) => {
  const f = b.f;
  b.getRt();
  f.op(Op.i32_wrap_i64);
  if (byRb) {
    b.getRb();
    f.op(Op.i32_wrap_i64);
  } else b.rb();
  f.op(Op.i32_rotl).op(Op.i64_extend_i32_u).local_tee(L_Y).local_get(L_Y).i64_const(32).op(Op.i64_shl).op(Op.i64_or).local_set(L_Y);
  mask(b, () => (b.field(6, 31), f.i32_const(32).op(Op.i32_add)), () => (b.field(1, 31), f.i32_const(32).op(Op.i32_add)));
  masked(b, insert);
};
/** RA = (L_Y & mask) | (RA & ~mask) when inserting, else L_Y & mask; the mask on the stack. CR0 when Rc. */
function masked(b: Body, insert: boolean): void {
  const f = b.f;
  f.local_set(L_EA);
  f.local_get(L_Y).local_get(L_EA).op(Op.i64_and);
  if (insert) {
    b.getRa();
    f.local_get(L_EA).i64_const(-1).op(Op.i64_xor).op(Op.i64_and).op(Op.i64_or);
  }
  b.setRa().rc();
}
/** The MD/MDS rotates: L_Y = rotl64(RS, sh), masked with MASK(mb, me). */
const rotate64 = (sh: 'sh' | 'rb', mb: 'mb' | 'zero', me: 'mb' | '63' | '63-sh', insert = false): Handler => (b) => {
  const f = b.f;
  b.getRt();
  if (sh === 'rb') {
    b.getRb();
    f.i64_const(63).op(Op.i64_and);
  } else {
    b.shMD();
    f.op(Op.i64_extend_i32_u);
  }
  f.op(Op.i64_rotl).local_set(L_Y);
  mask(
    b,
    () => (mb === 'mb' ? b.mbMD() : f.i32_const(0)),
    () => {
      if (me === 'mb') b.mbMD();
      else if (me === '63') f.i32_const(63);
      else {
        f.i32_const(63);
        b.shMD();
        f.op(Op.i32_sub);
      }
    },
  );
  masked(b, insert);
};
/** sld/srd, slw/srw (compiler.ts shiftValue). */
const shift = (op: number, word: boolean): Handler => (b) => {
  shiftValue(b.f, op, word, () => b.getRt(), () => b.getRb());
  b.setRa().rc();
};
/**
 * sradi/srawi (amount from the instruction) and srad/sraw (RB & 127 / RB & 63, all sign from 64
 * up): CA = negative and a one bit shifted out. The value (RS, or its sign-extended low word) in L_Y,
 * the amount in L_EA.
 */
const shiftAlgebraic = (word: boolean, amount: 'sh' | 'rb5' | 'rb'): Handler => (b) => {
  const f = b.f;
  b.getRt();
  if (word) f.op(Op.i32_wrap_i64).op(Op.i64_extend_i32_s);
  f.local_set(L_Y);
  if (amount === 'rb') {
    b.getRb();
    f.i64_const(word ? 63 : 127).op(Op.i64_and);
  } else {
    if (amount === 'sh') b.shMD();
    else b.rb();
    f.op(Op.i64_extend_i32_u);
  }
  f.local_set(L_EA);
  shiftRightAlgebraicValue(f, () => f.local_get(L_Y), L_EA, () => b.setCa());
  b.setRa().rc();
};

// ---- branches (exec/branch.ts): a taken one leaves with PC on the target and its word stored

const stateAt = (k: number): number => 4 * k;
const heatAt = (f: WasmFn, hx: number): void => void f.local_get(hx).i32_const(2).op(Op.i32_shl).local_get(P_STATE).op(Op.i32_add);

/**
 * A taken branch to the i64 target on the stack: count it, then the loop's heat check (heatCheck).
 */
function taken(b: Body): void {
  const f = b.f;
  f.local_set(L_PC);
  f.local_get(L_N).i32_const(1).op(Op.i32_add).local_set(L_N);
  f.local_get(P_STATE).local_get(L_W).i32_store(stateAt(LoopState.LAST_BRANCH));
  heatCheck(b, false);
}

/**
 * The loop's heat check (run.ts) at L_PC, after a taken branch or after compiled blocks (BLOCK_RUN of
 * them): all or nothing: when a counter would reach the threshold, leave with STRAIGHT_TAKEN
 * before changing any (the loop runs its check and compiles); otherwise add the run to the
 * target and, less the blocks' part, to where the run started and to the function's entry, note a
 * call or return (blocks forget the function), and go on at the target if it is on this page or
 * one the page cache knows (else leave there, the check done).
 */
function heatCheck(b: Body, afterBlocks: boolean): void {
  const f = b.f;
  const S = LoopState;
  f.i32_const(STRAIGHT_TAKEN).local_set(L_FLAGS);
  // d = the run since the previous taken branch; hx = the target's counter
  f.local_get(L_RB).local_get(L_N).op(Op.i32_add).local_tee(L_D);
  f.local_get(P_STATE).i32_load(stateAt(S.BLOCK_RUN)).op(Op.i32_sub).local_set(L_OWN);
  f.local_get(L_PC).op(Op.i32_wrap_i64).i32_const(2).op(Op.i32_shr_u).i32_const(HEAT_MASK).op(Op.i32_and).local_set(L_HX);
  const reaches = (h: number, hx: () => void, run: number): void => {
    hx();
    f.local_set(L_U);
    heatAt(f, L_U);
    f.i32_load(S.HEAT_AT).local_get(run).op(Op.i32_add).local_tee(h);
    f.local_get(P_STATE).i32_load(stateAt(S.THRESHOLD)).op(Op.i32_ge_s);
    b.if_().br('ret').end();
  };
  const fromDiffers = (): void => void f.local_get(P_STATE).i32_load(stateAt(S.FROM_HX)).local_get(L_HX).op(Op.i32_ne);
  // the function's entry, when known and neither of the other two
  const callCounts = (): void => {
    f.local_get(P_STATE).i32_load(stateAt(S.CALL_HX)).local_tee(L_U).i32_const(0).op(Op.i32_ge_s);
    f.local_get(L_U).local_get(P_STATE).i32_load(stateAt(S.FROM_HX)).op(Op.i32_ne).op(Op.i32_and);
    f.local_get(L_U).local_get(L_HX).op(Op.i32_ne).op(Op.i32_and);
  };
  // the target's counter, where the run started (if another), the function's entry (if another)
  const counters = (step: (h: number, hx: () => void, run: number) => void): void => {
    step(L_H1, () => f.local_get(L_HX), L_D);
    fromDiffers();
    b.if_();
    step(L_H2, () => f.local_get(P_STATE).i32_load(stateAt(S.FROM_HX)), L_OWN);
    b.end();
    callCounts();
    b.if_();
    step(L_H3, () => f.local_get(P_STATE).i32_load(stateAt(S.CALL_HX)), L_OWN);
    b.end();
  };
  counters(reaches);
  // none reaches it: commit
  counters((h, hx) => {
    hx();
    f.local_set(L_U);
    heatAt(f, L_U);
    f.local_get(h).i32_store(S.HEAT_AT);
  });
  const pcHalves = (hi: number, lo: number): void => {
    f.local_get(P_STATE).local_get(L_PC).i64_const(32).op(Op.i64_shr_u).op(Op.i32_wrap_i64).i32_store(stateAt(hi));
    f.local_get(P_STATE).local_get(L_PC).op(Op.i32_wrap_i64).i32_store(stateAt(lo));
  };
  if (afterBlocks) {
    f.local_get(P_STATE).i32_const(-1).i32_store(stateAt(S.CALL_HX));
    f.local_get(P_STATE).i32_const(0).i32_store(stateAt(S.BLOCK_RUN));
  } else {
    // a call (LK) remembers the target as the function's entry; a bclr forgets it
    f.local_get(L_W).i32_const(1).op(Op.i32_and);
    b.if_();
    pcHalves(S.CALL_HI, S.CALL_LO);
    f.local_get(P_STATE).local_get(L_HX).i32_store(stateAt(S.CALL_HX));
    b.else_();
    f.local_get(L_W).i32_const(0xfc0007fe | 0).op(Op.i32_and).i32_const((19 << 26) | 32).op(Op.i32_eq);
    b.if_();
    f.local_get(P_STATE).i32_const(-1).i32_store(stateAt(S.CALL_HX));
    b.end();
    b.end();
  }
  pcHalves(S.FROM_HI, S.FROM_LO);
  f.local_get(P_STATE).local_get(L_HX).i32_store(stateAt(S.FROM_HX));
  f.i32_const(0).local_get(L_N).op(Op.i32_sub).local_set(L_RB);
  f.i32_const(0).local_set(L_FLAGS);
  if (!afterBlocks) {
    // A region's entry, return point or loop head in the CPU's chain map, whose whole pass fits:
    // run the region from there (enterBlock), as the JS loop does (LoopHost.enterChainAt). The
    // callee this returns from, or the code that loops here, may not be compiled; the region is.
    f.local_get(P_STATE).i32_load(stateAt(S.MAP)).local_tee(L_V).i32_const(-1).op(Op.i32_ne);
    b.if_();
    f.local_get(L_PC).i64_const(32).op(Op.i64_shr_u).op(Op.i32_wrap_i64).local_set(L_H1);
    f.local_get(L_PC).op(Op.i32_wrap_i64).local_set(L_H2);
    findEntry(f, L_V, L_H1, L_H2, L_U, () => f.br(2));
    f.local_get(P_LEFT).local_get(L_N).op(Op.i32_sub);
    f.local_get(L_U).i32_load(ENTRY_PACKED).i32_const(ENTRY_FIELD_MAX).op(Op.i32_and).op(Op.i32_ge_s);
    b.if_().br('block').end();
    b.end();
  }
  // on this page: go on (the loop's budget check comes first); on another known one, go on there
  codeFor(b, () => b.br('ret'));
  f.local_set(P_CODE);
  f.local_get(L_PC).local_set(L_PC0);
  b.br('next');
}

/**
 * The CodePage (arena offset) L_PC is on, pushed: this call's page, else the one the page cache
 * holds for it; `unknown` runs (and must leave) when neither is.
 */
function codeFor(b: Body, unknown: () => void): void {
  const f = b.f;
  const S = LoopState;
  f.local_get(L_PC).local_get(L_PC0).op(Op.i64_xor).i64_const(16).op(Op.i64_shr_u).op(Op.i64_eqz);
  b.if_(0x7f);
  f.local_get(P_CODE);
  b.else_();
  f.local_get(L_PC).op(Op.i32_wrap_i64).i32_const(16).op(Op.i32_shr_u).local_tee(L_H1);
  f.local_get(L_PC).i64_const(32).op(Op.i64_shr_u).op(Op.i32_wrap_i64).local_tee(L_H2).op(Op.i32_xor);
  f.i32_const(S.PAGE_SLOTS - 1).op(Op.i32_and).i32_const(12).op(Op.i32_mul).local_get(P_STATE).op(Op.i32_add).local_tee(L_U);
  f.i32_load(S.PAGES_AT + 4).local_get(L_H1).op(Op.i32_eq);
  f.local_get(L_U).i32_load(S.PAGES_AT).local_get(L_H2).op(Op.i32_eq).op(Op.i32_and);
  f.op(Op.i32_eqz);
  b.if_();
  unknown();
  b.end();
  f.local_get(L_U).i32_load(S.PAGES_AT + 8);
  b.end();
}

/**
 * At a compiled block's entry (ID_BLOCK), or after a taken branch to any address the CPU's chain
 * map holds (heatCheck), what the loop would do there (run.ts, jit/chain.ts runBlocks,
 * LoopHost.enterChainAt): when the map has this address (a region's entry, return point or loop
 * head) and the region's whole pass fits in the budget, run it from that label and the blocks it
 * chains to (chain.ts, the same function the block's JS wrapper calls); then count the run into the heat of the address it could not chain
 * to, as runBlocks does, and run the loop's heat check with the blocks' instructions as blockRun.
 * Whatever else follows is the loop's: leave with STRAIGHT_CHAIN before changing any counter (a
 * slow-path exit, a block the chain map lacks next, a page it does not know, a counter reaching
 * the threshold), or before the block when the map lacks it or the budget is short.
 */
function enterBlock(b: Body): void {
  const f = b.f;
  const S = LoopState;
  // -1: no map (an offset is unsigned: one past 2 GiB is negative as i32)
  f.local_get(P_STATE).i32_load(stateAt(S.MAP)).local_tee(L_V).i32_const(-1).op(Op.i32_eq);
  b.if_().br('leave').end();
  f.local_get(L_PC).i64_const(32).op(Op.i64_shr_u).op(Op.i32_wrap_i64).local_set(L_H1);
  f.local_get(L_PC).op(Op.i32_wrap_i64).local_set(L_H2);
  findEntry(f, L_V, L_H1, L_H2, L_U, () => f.br(b.depth('leave') + 2));
  // whose whole pass fits; from its label (a return point's or loop head's) and word there
  f.local_get(L_U).i32_load(ENTRY_PACKED).i32_const(ENTRY_FIELD_MAX).op(Op.i32_and);
  f.local_get(P_LEFT).local_get(L_N).op(Op.i32_sub).op(Op.i32_gt_s);
  b.if_().br('leave').end();
  f.local_get(L_U).i32_load(ENTRY_SLOT).local_get(P_LEFT).local_get(L_N).op(Op.i32_sub);
  f.local_get(P_REGS).local_get(P_TLB).local_get(L_V);
  f.local_get(L_U).i32_load(ENTRY_PACKED).i32_const(ENTRY_FIELD_BITS).op(Op.i32_shr_u).i32_const(ENTRY_FIELD_MAX).op(Op.i32_and);
  f.local_get(L_U).i32_load(ENTRY_PACKED).i32_const(2 * ENTRY_FIELD_BITS).op(Op.i32_shr_u);
  f.call(0).local_set(L_R);
  loadPair(f, PC_OFF);
  f.local_set(L_PC);
  const chainExit = (): void => void f.i32_const(STRAIGHT_CHAIN).local_set(L_FLAGS).local_get(P_STATE).local_get(L_R).i32_store(stateAt(S.CHAIN_R));
  f.local_get(L_R).i32_const(1).op(Op.i32_lt_s);
  b.if_();
  chainExit();
  b.br('ret');
  b.end();
  // where it stopped: a slot of a known page that is not a block
  codeFor(b, () => (chainExit(), b.br('ret')));
  f.local_get(L_PC).op(Op.i32_wrap_i64).i32_const(0xfffc).op(Op.i32_and).op(Op.i32_add).i32_load(0).i32_const(ID_BLOCK).op(Op.i32_eq);
  b.if_();
  chainExit();
  b.br('ret');
  b.end();
  // runBlocks's count into that address's heat
  f.local_get(L_PC).op(Op.i32_wrap_i64).i32_const(2).op(Op.i32_shr_u).i32_const(HEAT_MASK).op(Op.i32_and).local_set(L_HX);
  heatAt(f, L_HX);
  f.i32_load(S.HEAT_AT).local_get(L_R).op(Op.i32_add).local_tee(L_H3).local_get(P_STATE).i32_load(stateAt(S.THRESHOLD)).op(Op.i32_ge_s);
  b.if_();
  chainExit();
  b.br('ret');
  b.end();
  heatAt(f, L_HX);
  f.local_get(L_H3).i32_store(S.HEAT_AT);
  f.local_get(L_N).local_get(L_R).op(Op.i32_add).local_set(L_N);
  f.local_get(P_STATE).local_get(P_STATE).i32_load(stateAt(S.JIT)).local_get(L_R).op(Op.i32_add).i32_store(stateAt(S.JIT));
  f.local_get(P_STATE).local_get(L_R).i32_store(stateAt(S.BLOCK_RUN));
  heatCheck(b, true);
}
/** LR = CIA + 4 when LK. */
function link(b: Body): void {
  const f = b.f;
  f.local_get(L_W).i32_const(1).op(Op.i32_and);
  b.if_();
  b.setPair(LR_OFF, () => f.local_get(L_PC).i64_const(4).op(Op.i64_add));
  b.end();
}
/** PC-relative or absolute (AA) target of offset (i32 pushed), as i64. */
function relative(b: Body, offset: () => void): void {
  const f = b.f;
  offset();
  f.op(Op.i64_extend_i32_s);
  offset();
  f.op(Op.i64_extend_i32_s);
  f.local_get(L_PC);
  f.op(Op.i64_add);
  f.local_get(L_W).i32_const(2).op(Op.i32_and).select(); // AA: absolute
}
/** The BO test: ok (i32) on the stack; CTR decremented first unless BO[2] or noCtr (boTaken). */
function boOk(b: Body, noCtr: boolean): void {
  const f = b.f;
  f.i32_const(1).local_set(L_V);
  if (!noCtr) {
    b.field(21, 4);
    f.op(Op.i32_eqz);
    b.if_();
    b.setPair(CTR_OFF, () => (b.getPair(CTR_OFF), f.i64_const(1).op(Op.i64_sub)));
    // ok = (BO & 2) ? ctr == 0 : ctr != 0
    b.getPair(CTR_OFF);
    f.op(Op.i64_eqz);
    b.field(21, 2);
    f.op(Op.i32_eqz).op(Op.i32_xor).local_set(L_V);
    b.end();
  }
  b.field(21, 16);
  f.op(Op.i32_eqz);
  b.if_();
  // ok &&= CR bit BI == BO[1]
  f.local_get(P_REGS).i32_load(CR_OFF);
  b.ra();
  f.op(Op.i32_shl).i32_const(31).op(Op.i32_shr_u);
  b.field(24, 1);
  f.op(Op.i32_eq).local_get(L_V).op(Op.i32_and).local_set(L_V);
  b.end();
  f.local_get(L_V);
}
/** bc/bclr/bcctr: the BO test, then LR = CIA + 4 when LK, then the branch if taken (boTaken order). */
function conditional(noCtr: boolean, target: (b: Body) => void, beforeLink?: (b: Body) => void): Handler {
  return (b) => {
    boOk(b, noCtr);
    b.f.local_set(L_U);
    beforeLink?.(b);
    link(b);
    b.f.local_get(L_U);
    b.if_();
    target(b);
    taken(b);
    b.end();
  };
}
const branchRows: Record<string, Handler> = {
  b: (b) => {
    link(b);
    relative(b, () => b.f.local_get(L_W).i32_const(6).op(Op.i32_shl).i32_const(6).op(Op.i32_shr_s).i32_const(-4).op(Op.i32_and));
    taken(b);
  },
  bc: conditional(false, (b) => relative(b, () => b.f.local_get(L_W).i32_const(16).op(Op.i32_shl).i32_const(16).op(Op.i32_shr_s).i32_const(-4).op(Op.i32_and))),
  // bclrl: the target is the old LR, taken before the link
  bclr: conditional(false, (b) => b.f.local_get(L_Y), (b) => (b.getPair(LR_OFF), b.f.i64_const(-4).op(Op.i64_and).local_set(L_Y))),
  bcctr: conditional(true, (b) => (b.getPair(CTR_OFF), b.f.i64_const(-4).op(Op.i64_and))),
};

// ---- floating point (emit-fp.ts): the rows that touch only registers and FPSCR, emitted by the
// regions' emitters over the word FP_OPERANDS, with the register numbers read from the word here.
// Their fast paths are the regions' (exec/fp.ts arithFast); every other case stops before the row.

/** FP_OPERANDS' register numbers -> the shift of the field each stands for. */
const FP_FIELD_SHIFT: Readonly<Record<number, number>> = { 28: 21, 29: 16, 30: 11, 31: 6 };
function fpEmit(b: Body): FpEmit {
  const f = b.f;
  return {
    f,
    fp: true,
    getCr: () => void f.local_get(P_REGS).i32_load(CR_OFF),
    setCr: () => void f.local_set(L_U).local_get(P_REGS).local_get(L_U).i32_store(CR_OFF),
    slowExitIf: () => void b.stuckIf(),
    dynamic: {
      fprAt: (n) => vsrAt(b, () => b.field(FP_FIELD_SHIFT[n]!, 31)),
      ifRc: (then) => {
        f.local_get(L_W).i32_const(1).op(Op.i32_and);
        b.if_();
        then();
        b.end();
      },
      crShift: () => {
        f.i32_const(28);
        b.field(23, 7);
        f.i32_const(2).op(Op.i32_shl).op(Op.i32_sub);
      },
    },
  };
}
/**
 * The FP rows' code is large (the arithmetic's fast path and exactness checks: 16 KB in all), and
 * inside the interpreter's one function it made every other row slower (gofmt's third warm run
 * 166 -> 185 ms: TurboFan's code for the dispatch loop got worse). So they are the rows of a side
 * function, which the interpreter imports and calls for them; in a module of its own, under the
 * regions' tier-up budget rather than the interpreter's: with the interpreter's, hello's few FP
 * rows had TurboFan compile it (4 ms on the helper thread, which the exit waited for: hello 0.080
 * -> 0.088 s). Moving other rare rows there too (the vector rows, carries, divides, reservations,
 * CR logic) measured even or worse (notes/cpu-performance.md, "Round nineteen").
 */
function sideFunction(simd: boolean, handlers: readonly Handler[]): Uint8Array {
  const b = new Body();
  const f = b.f;
  f.local_get(SIDE_WORD).local_set(L_W);
  b.block('stuck');
  for (let k = handlers.length - 1; k >= 0; k--) b.block(`h${k}`);
  f.local_get(SIDE_ROW);
  f.br_table([...handlers.map((_h, k) => b.depth(`h${k}`)), b.depth('stuck')]);
  handlers.forEach((h) => {
    b.end();
    h(b);
    f.i32_const(0).return_();
  });
  b.end();
  f.i32_const(1);
  return functionEntry(localTypes(simd), [f.bytes.view()]);
}
/** The side function's parameters where the interpreter's differ: the word (for P_LEFT) and the row (for P_CODE). */
const SIDE_WORD = P_LEFT;
const SIDE_ROW = P_CODE;
/** Function index of the side function in the interpreter's module (imported after the chain function). */
const SIDE_FUNCTION = 1;
/** The interpreter's handler of side row k: call the side function, stop before the row when it says so. */
const sideCall = (k: number): Handler => (b) => {
  b.f.local_get(L_W).local_get(P_REGS).local_get(P_TLB).i32_const(k).local_get(P_STATE).call(SIDE_FUNCTION);
  b.stuckIf();
};
const fpRows: Record<string, Handler> = Object.fromEntries(Object.keys(fpRegisterRows).map((name) => [name, (b: Body) => void fpRegisterRows[name]!(fpEmit(b), FP_OPERANDS, 0)]));

const nop: Handler = () => undefined;
/** mfspr/mtspr of LR (8) and CTR (9); every other SPR is the JS row's. */
const sprMove = (to: boolean): Handler => (b) => {
  const f = b.f;
  const num = (): void => {
    b.ra();
    b.field(11, 31);
    f.i32_const(5).op(Op.i32_shl).op(Op.i32_or);
  };
  const move = (off: number): void => {
    if (to) b.setPair(off, () => b.getRt());
    else (b.getPair(off), b.setRt());
  };
  num();
  f.i32_const(8).op(Op.i32_eq);
  b.if_();
  move(LR_OFF);
  b.else_();
  num();
  f.i32_const(9).op(Op.i32_ne);
  b.stuckIf();
  move(CTR_OFF);
  b.end();
};

/** The 16-byte accesses (memmove's, memclr's), where the host validates Wasm SIMD. */
const vectorRows: Record<string, Handler> = {
  lxvd2x: vectorAccess(false, false),
  lxvw4x: vectorAccess(false, false),
  stxvd2x: vectorAccess(true, false),
  stxvw4x: vectorAccess(true, false),
  lvx: vectorAccess(false, true),
  stvx: vectorAccess(true, true),
  ...rowsOf(LANE_COMPARE_FORMS, vectorCompare),
  vcmpequd: vectorCompare(Simd.i64x2_eq), // equality does not care about the word order in a doubleword
  vbpermq,
  vspltb: splat(1, 3, () => 0),
  vsplth: splat(2, 2, (o) => o & 1),
  vspltw: splat(4, 0, (o) => o & 3),
  vsldoi,
  vshasigmaw: shaSigma(32),
  vshasigmad: shaSigma(64),
  vaddubm: laneOp(Simd.i8x16_add, VX3),
  vadduhm: laneOp(Simd.i16x8_add, VX3),
  vadduwm: laneOp(Simd.i32x4_add, VX3),
  vand: laneOp(Simd.v128_and, VX3),
  vor: laneOp(Simd.v128_or, VX3),
  vxor: laneOp(Simd.v128_xor, VX3),
  xxland: laneOp(Simd.v128_and, XX3),
  xxlor: laneOp(Simd.v128_or, XX3),
  xxlxor: laneOp(Simd.v128_xor, XX3),
  vsel: (b) => {
    putVsr(b, vt(b), () => {
      getVsr(b, vb(b));
      getVsr(b, va(b));
      getVsr(b, vc(b));
      simd(b.f, Simd.v128_bitselect); // (b & c) | (a & ~c)
    });
  },
  cmpb,
};

/** Handlers by row name (the rows of exec/*.ts; every other row stops the run before it). */
export const interpRows: Record<string, Handler> = {
  ...branchRows,
  addi: (b) => (b.getRa0().si64(), b.f.op(Op.i64_add), b.setRt()),
  addis: (b) => (b.getRa0(), b.f.local_get(L_W).i32_const(16).op(Op.i32_shl).op(Op.i64_extend_i32_s).op(Op.i64_add), b.setRt()),
  add: arith((b) => (b.getRa().getRb(), b.f.op(Op.i64_add))),
  subf: arith((b) => (b.getRb().getRa(), b.f.op(Op.i64_sub))),
  neg: arith((b) => (b.f.i64_const(0), b.getRa(), b.f.op(Op.i64_sub))),
  mulld: arith((b) => (b.getRa().getRb(), b.f.op(Op.i64_mul))),
  mullw: arith((b) => {
    b.getRa();
    b.f.op(Op.i32_wrap_i64).op(Op.i64_extend_i32_s);
    b.getRb();
    b.f.op(Op.i32_wrap_i64).op(Op.i64_extend_i32_s).op(Op.i64_mul);
  }),
  mulli: (b) => (b.getRa().si64(), b.f.op(Op.i64_mul), b.setRt()),
  addic: (b) => addCarrying(b, () => b.getRa(), () => b.si64(), 0),
  'addic.': (b) => (addCarrying(b, () => b.getRa(), () => b.si64(), 0), b.cr0()),
  subfic: (b) => addCarrying(b, () => (b.getRa(), b.f.i64_const(-1).op(Op.i64_xor)), () => b.si64(), 1),
  ...rowsOf(CARRYING_FORMS, ([a, x, cin]) => carrying(a, x, cin)),
  isel: (b) => {
    const f = b.f;
    b.getRa0().getRb();
    f.local_get(P_REGS).i32_load(CR_OFF);
    b.field(6, 31);
    f.op(Op.i32_shl).i32_const(0).op(Op.i32_lt_s).select();
    b.setRt();
  },
  ori: immLogical(Op.i64_or, 0, false),
  oris: immLogical(Op.i64_or, 16, false),
  xori: immLogical(Op.i64_xor, 0, false),
  xoris: immLogical(Op.i64_xor, 16, false),
  'andi.': immLogical(Op.i64_and, 0, true),
  'andis.': immLogical(Op.i64_and, 16, true),
  ...rowsOf(LOGICAL_FORMS, ([op, notB, notResult]) => logical(op, notB, notResult)),
  extsb: unary((b) => b.f.op(Op.i64_extend8_s)),
  extsh: unary((b) => b.f.op(Op.i64_extend16_s)),
  extsw: unary((b) => b.f.op(Op.i64_extend32_s)),
  cntlzw: unary((b) => b.f.op(Op.i32_wrap_i64).op(Op.i32_clz).op(Op.i64_extend_i32_u)),
  cntlzd: unary((b) => b.f.op(Op.i64_clz)),
  popcntd: unary((b) => b.f.op(Op.i64_popcnt), false),
  mulhdu: mulHigh(false),
  mulhd: mulHigh(true),
  divd: divide(false, true),
  divdu: divide(false, false),
  divw: divide(true, true),
  divwu: divide(true, false),
  mcrf,
  ...rowsOf(CR_LOGICAL_FORMS, crLogical),
  ...rowsOf(RESERVE_FORMS, loadReserve),
  ...rowsOf(STORE_CONDITIONAL_FORMS, storeConditional),
  cmp: compare(true, false),
  cmpl: compare(false, false),
  cmpi: compare(true, true),
  cmpli: compare(false, true),
  rlwinm: rotate32(false, false),
  rlwnm: rotate32(true, false),
  rlwimi: rotate32(false, true),
  rldicl: rotate64('sh', 'mb', '63'),
  rldicr: rotate64('sh', 'zero', 'mb'),
  rldic: rotate64('sh', 'mb', '63-sh'),
  rldimi: rotate64('sh', 'mb', '63-sh', true),
  rldcl: rotate64('rb', 'mb', '63'),
  rldcr: rotate64('rb', 'zero', 'mb'),
  sld: shift(Op.i64_shl, false),
  srd: shift(Op.i64_shr_u, false),
  slw: shift(Op.i32_shl, true),
  srw: shift(Op.i32_shr_u, true),
  sradi: shiftAlgebraic(false, 'sh'),
  srawi: shiftAlgebraic(true, 'rb5'),
  srad: shiftAlgebraic(false, 'rb'),
  sraw: shiftAlgebraic(true, 'rb'),
  lbz: load('b', 'd', false),
  lbzu: load('b', 'd', true),
  lhz: load('h', 'd', false),
  lhzu: load('h', 'd', true),
  lha: load('ha', 'd', false),
  lhau: load('ha', 'd', true),
  lwz: load('w', 'd', false),
  lwzu: load('w', 'd', true),
  ld: load('d', 'ds', false),
  ldu: load('d', 'ds', true),
  lwa: load('wa', 'ds', false),
  lbzx: load('b', 'x', false),
  lbzux: load('b', 'x', true),
  lhzx: load('h', 'x', false),
  lhzux: load('h', 'x', true),
  lhax: load('ha', 'x', false),
  lhaux: load('ha', 'x', true),
  lwzx: load('w', 'x', false),
  lwzux: load('w', 'x', true),
  lwax: load('wa', 'x', false),
  lwaux: load('wa', 'x', true),
  ldx: load('d', 'x', false),
  ldux: load('d', 'x', true),
  stb: store('b', 'd', false),
  stbu: store('b', 'd', true),
  sth: store('h', 'd', false),
  sthu: store('h', 'd', true),
  stw: store('w', 'd', false),
  stwu: store('w', 'd', true),
  std: store('d', 'ds', false),
  stdu: store('d', 'ds', true),
  stbx: store('b', 'x', false),
  stbux: store('b', 'x', true),
  sthx: store('h', 'x', false),
  sthux: store('h', 'x', true),
  stwx: store('w', 'x', false),
  stwux: store('w', 'x', true),
  stdx: store('d', 'x', false),
  stdux: store('d', 'x', true),
  ...vectorRows,
  mfspr: sprMove(false),
  mtspr: sprMove(true),
  mfvsrd: (b) => (dword0(b, xt(b)), b.setRa()),
  mtvsrd: (b) => setDword0(b, xt(b), () => b.getRa(), false),
  lfd: fpAccess(false, 'd'),
  lfdx: fpAccess(false, 'x'),
  stfd: fpAccess(true, 'd'),
  stfdx: fpAccess(true, 'x'),
  dcbz,
  ...rowsOf(REVERSED_LOAD_FORMS, reversedLoad),
  ...rowsOf(REVERSED_STORE_FORMS, reversedStore),
  sync: nop,
  eieio: nop,
  isync: nop,
  dcbt: nop,
  dcbtst: nop,
  dcbf: nop,
  dcbst: nop,
  icbi: nop,
};

export type StraightFn = (left: number, regs: number, tlb: number, code: number, state: number) => number;

export interface Straight {
  run: StraightFn;
  /** 1 for each decoded id this function runs (the JS loop calls it only at those). */
  runs: Uint8Array;
}

/**
 * V8's tier-up budget for the interpreter's module. The regions' budget (arena.ts,
 * WASM_TIERING_BUDGET, 60 M) keeps short-lived regions in Liftoff; the interpreter is one function
 * every program runs from its first instruction, and under that budget it ran in Liftoff code for
 * most of a short run (hello: 21-26 ms for its 510 K instructions; 12-19 ms at 200 K, TurboFan
 * compiling it on another thread meanwhile). 200 K against 60 M, 500 K, 1.8 M and 20 K
 * (notes/cpu-performance.md, "Round fifteen"). AIX_GDBSTUB_WASM_INTERP_TIERING_BUDGET overrides it,
 * for measuring.
 */
export const INTERP_TIERING_BUDGET = 200_000;

let built: Straight | null | undefined;
/** The function's code entry and its runs table, with and without the vector rows. */
const prepared: Array<{ entry: Uint8Array; side: Uint8Array; runs: Uint8Array } | undefined> = [undefined, undefined];

/**
 * The interpreter for the rows with these ids (run.ts rowIds), once per process; null without
 * the arena or with AIX_GDBSTUB_WASM_INTERP=0.
 */
export function straightInterpreter(rows: readonly InsnRow[], idOfRow: Int32Array): Straight | null {
  if (built !== undefined) return built;
  built = null;
  const arena = guestArena();
  if (arena === null || (typeof process !== 'undefined' && process.env.AIX_GDBSTUB_WASM_INTERP === '0')) return null;
  const chain = chainFunction();
  if (chain === null) return null;
  const { entry, side, runs } = straightEntry(rows, idOfRow, simdSupported());
  const sideInst = new WebAssembly.Instance(new WebAssembly.Module(functionsModule(BLOCK_PARAMS, [side], ['s'])), { e: { m: arena.memory } });
  const inst = withTieringBudget(envNumber('AIX_GDBSTUB_WASM_INTERP_TIERING_BUDGET', INTERP_TIERING_BUDGET), () => new WebAssembly.Instance(new WebAssembly.Module(functionsModule(BLOCK_PARAMS, [entry], ['f'], CHAIN_PARAMS, true)), { e: { m: arena.memory, c: chain, p: sideInst.exports.s } }));
  built = { run: inst.exports.f as unknown as StraightFn, runs };
  return built;
}

/**
 * Emit the interpreter's code ahead of the run, for the start-up snapshot's builder
 * (commands/snapshot-main.ts): its code depends only on the rows (and on whether the host
 * validates SIMD: both kinds are made), and emitting it in cold code took 9-12 ms of every run.
 * Only the module around it depends on the arena (its memory import), so that part is left to the
 * run; nothing here may touch the arena or compile Wasm.
 */
export function prepareStraightInterpreter(rows: readonly InsnRow[], idOfRow: Int32Array): void {
  straightEntry(rows, idOfRow, false);
  straightEntry(rows, idOfRow, true);
}

function straightEntry(rows: readonly InsnRow[], idOfRow: Int32Array, simd: boolean): { entry: Uint8Array; side: Uint8Array; runs: Uint8Array } {
  const known = prepared[simd ? 1 : 0];
  if (known !== undefined) return known;
  let maxId = 0;
  for (const id of idOfRow) maxId = Math.max(maxId, id);
  const handlers: Handler[] = [];
  const target = new Int32Array(maxId + 1).fill(-1); // -1: stuck; -2: not a row (leave); -3: a compiled block
  for (let id = 0; id < 5; id++) target[id] = id === ID_BLOCK ? -3 : -2;
  const side: Handler[] = [];
  rows.forEach((row, k) => {
    const h = interpRows[row.name] ?? fpRows[row.name];
    if (h === undefined || (vectorRows[row.name] !== undefined && !simd)) return;
    target[idOfRow[k]!] = handlers.length;
    if (fpRows[row.name] !== undefined) {
      handlers.push(sideCall(side.length));
      side.push(h);
    } else handlers.push(h);
  });
  const b = new Body();
  const f = b.f;
  loadPair(f, PC_OFF);
  f.local_tee(L_PC).local_set(L_PC0);
  f.local_get(P_STATE).i32_load(stateAt(LoopState.RUN)).local_set(L_RB);
  f.local_get(P_STATE).i32_const(0).i32_store(stateAt(LoopState.BLOCK_RUN));
  f.local_get(P_STATE).i32_const(0).i32_store(stateAt(LoopState.JIT));
  b.block('ret');
  b.loop('next');
  f.local_get(L_N).local_get(P_LEFT).op(Op.i32_ge_s);
  b.if_().br('ret').end();
  // id and word of the slot (the page's byte offset of PC, 4-aligned, is the index * 4)
  f.local_get(L_PC).op(Op.i32_wrap_i64).i32_const(0xfffc).op(Op.i32_and).local_get(P_CODE).op(Op.i32_add).local_tee(L_U);
  f.i32_load(0).local_set(L_ID);
  f.local_get(L_U).i32_load(WORDS_AT).local_set(L_W);
  b.block('adv');
  b.block('stuck');
  b.block('leave');
  b.block('block');
  // Handler k's code follows the end of block h{k}: the br_table jumps there.
  for (let k = handlers.length - 1; k >= 0; k--) b.block(`h${k}`);
  f.local_get(L_ID);
  const depths = Array.from(target, (t) => b.depth(t >= 0 ? `h${t}` : t === -1 ? 'stuck' : t === -2 ? 'leave' : 'block'));
  f.br_table([...depths, b.depth('stuck')]);
  for (const h of handlers) {
    b.end();
    h(b);
    b.br('adv');
  }
  b.end();
  // a compiled block's entry
  enterBlock(b);
  b.end();
  // leave: a slot that is not a row; the JS loop takes it from here
  b.br('ret');
  b.end();
  // stuck: the JS loop runs this one
  f.i32_const(STRAIGHT_STUCK).local_set(L_FLAGS);
  b.br('ret');
  b.end();
  // adv: the next instruction, unless it is on the next page
  f.local_get(L_N).i32_const(1).op(Op.i32_add).local_set(L_N);
  f.local_get(L_PC).i64_const(4).op(Op.i64_add).local_tee(L_PC).op(Op.i32_wrap_i64).i32_const(0xffff).op(Op.i32_and);
  b.if_().br('next').end();
  b.end(); // loop
  b.end(); // ret
  b.setPair(PC_OFF, () => f.local_get(L_PC));
  f.local_get(P_STATE).local_get(L_RB).local_get(L_N).op(Op.i32_add).i32_store(stateAt(LoopState.RUN));
  f.local_get(L_N).i32_const(2).op(Op.i32_shl).local_get(L_FLAGS).op(Op.i32_or);
  const entry = functionEntry(localTypes(simd), [f.bytes.view()]);
  const runs = new Uint8Array(maxId + 1);
  for (let id = 0; id <= maxId; id++) runs[id] = target[id]! >= 0 ? 1 : 0;
  const made = { entry, side: sideFunction(simd, side), runs };
  prepared[simd ? 1 : 0] = made;
  return made;
}
