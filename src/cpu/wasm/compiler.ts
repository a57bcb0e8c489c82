// The Wasm tier: a block the JS tier would compile (jit/compiler.ts decides its words and loop
// labels) becomes one WebAssembly function instead when every row in it is one this file emits:
// integer ALU, rotates and shifts, compares, loads and stores, LR/CTR moves and branches. CR, XER,
// LR, CTR and the GPRs the block's loops use are i64/i32 locals (loaded from the register file in
// the guest arena at entry, stored back at the one exit), so 64-bit adds, rotates and compares are
// single instructions; other GPRs are read into their locals where a stretch first uses them and
// written through, so a call pays only for the registers its path touches (Emit.held);
// notes/cpu-performance.md has the measurements that chose this.
//
// Exactness, as the JS tier: the function has the same labels and the same budget checks (a jump
// to a label continues only while the budget covers a whole pass), so counts, exits and
// --deterministic runs are the JS block's. Loads and stores probe the memory's software TLB
// (memory.ts keeps it in the arena) and access the byte-reversed page little-endian, without a
// byte swap (memAt); a miss (first touch, page crossing, protection, a code page,
// a watched page, a clean page under snapshot tracking) leaves the function with PC on that
// instruction and the count before it, and the wrapper runs that one instruction through its row's
// exec function, which takes the slow path and may fault precisely or trap a watchpoint. Stores
// never reach a page holding code (code pages stay out of the write TLB), so a block cannot
// overwrite itself and self-modifying code goes through the slow path's invalidation.
import type { InsnRow } from '../isa-types.js';
import type { CpuState } from '../state.js';
import { CR, RESV_HI, RESV_LEN, XER } from '../state.js';
import { PAGE_SIZE, TLB_END, type GuestMemory } from '../memory.js';
import type { LoopHost } from '../run.js';
import { MASK64 } from '../int64.js';
import { bf, cmpL, ds, mbM, mbMD, meM, ra, rb, rc5, rt, shMD, si, sprNum, ui } from '../fields.js';
import { branchAlways, staticTarget } from '../jit/emit.js';
import type { BlockFn } from '../jit/block.js';
import { Op, WasmFn, functionEntry, functionsModule } from './encode.js';
import { TLB_ENTRIES, TLB_HASH, TLB_HASH_SHIFT, guestArena } from './arena.js';
import { BLOCK_PARAMS, chainMapField, chainMapFind, chainMapHas, chainMapInsert, chainSlowSlot, releaseTableSlot, replaceTableSlot, runChain, tableSlotFor } from './chain.js';
import { loadVsr, storeVsr, vectorWasmAccepts, vectorWasmRows } from './emit-vector.js';
import { fpWasmAccepts, fpWasmRows } from './emit-fp.js';

// Parameters: budget, register file and TLB offsets, and where to start: label index k and its
// word index t (0, 0 at the entry; a return point inside the region otherwise).
const P_LEFT = 0;
export const P_REGS = 1;
export const P_TLB = 2;
const P_K = 3;
const P_T = 4;
// Locals.
const L_M = 5;
const L_P = 6;
export const L_CR = 7;
const L_XER = 8;
const L_RET = 9;
export const L_TI = 10; // TLB index * 4
export const L_TH = 11; // EA high word
export const L_TL = 12; // EA low word, then the linear address
/** Translations kept for reuse (Emit.pageOf): per slot, the EA's offset in its page and the linear address. */
const PAGE_SLOTS = 4;
const L_PAGE = 13; // 13..20
const I32_LOCALS = 8 + 2 * PAGE_SLOTS; // locals 5..20
export const L_EA = 21; // i64
export const L_X = 22; // i64
const L_LR = 23; // i64
const L_CTR = 24; // i64
export const L_Y = 25; // i64 scratch
export const L_Z = 26; // i64 scratch
/**
 * Declared only in functions with vector or FP rows (compileWasmBlock's pre-scan), in this order so
 * every kind of row has fixed indices: three v128 scratch (27..29), eight f64 scratch (30..37,
 * emit-fp.ts L_F64).
 */
export const L_V128 = 27;
/**
 * The first local past the fixed ones, with and without the vector and FP scratch: the GPRs and
 * VRs a region uses get locals from there in the order first used (Emit.gprLocal, Emit.newLocal).
 * Only what a region uses is declared, because Liftoff zeroes every declared local at each call
 * (`rep stos` over the frame: 39 ns a call with the 54 locals every region used to declare, 25
 * with 20, 3 with none; TurboFan's code does not), and regions run in Liftoff for much of a short
 * run (notes/cpu-performance.md, "Round sixteen").
 */
const L_DYNAMIC = 27;
const L_DYNAMIC_WIDE = 38;

// Register file layout (state.ts): GPR n at 8n as a little-endian i64, SPR k at 256 + 4k (PC, LR,
// CTR as (hi, lo) int32 words).
export const SPR_OFF = 256;
export const PC_OFF = SPR_OFF;
export const LR_OFF = SPR_OFF + 8;
export const CTR_OFF = SPR_OFF + 16;
export const CR_OFF = SPR_OFF + 4 * CR;
export const XER_OFF = SPR_OFF + 4 * XER;
export const RESV_OFF = SPR_OFF + 4 * RESV_HI; // RESV_HI, RESV_LO: one (hi, lo) pair
export const RESV_LEN_OFF = SPR_OFF + 4 * RESV_LEN;
// TLB block layout (memory.ts): rTagHi, rTagPg, rBase, wTagHi, wTagPg, wBase, TLB_ENTRIES int32 each.
const TLB_ARRAY = 4 * TLB_ENTRIES;
const TLB_R = 0;
const TLB_W = 3 * TLB_ARRAY;

/** A row this tier emits: returns false when it does not handle this form (the block stays JS). */
export type RowEmitter = (e: Emit, w: number, j: number) => boolean;

const mask64 = (mb: number, me: number): bigint => {
  const k = (mb * 64 + me) << 1;
  return BigInt.asIntN(64, (BigInt(MASK64[k] >>> 0) << 32n) | BigInt(MASK64[k + 1] >>> 0));
};

export class Emit {
  readonly f = new WasmFn();
  readonly used = new Set<number>();
  readonly written = new Set<number>();
  cr = false;
  crWritten = false;
  xer = false;
  xerWritten = false;
  lr = false;
  lrWritten = false;
  ctr = false;
  ctrWritten = false;
  /** A vector row (emit-vector.ts) uses the v128 scratch locals. */
  v128 = false;
  /** VRs held in v128 locals (VSR number 32..63 -> local, Emit.newLocal), and those written. */
  readonly vsrLocal = new Map<number, number>();
  readonly vsrWritten = new Set<number>();
  /** An FP row (emit-fp.ts) uses the f64 scratch locals. */
  fp = false;
  /** Open constructs between the code and $top (label blocks still open + ifs). */
  depth = 0;
  /**
   * Successful probes of this pass that later accesses through the same base register reuse:
   * (register, read or write) -> the displacement probed and its slot of L_PAGE locals. Cleared
   * at every label (another path joins there) and for a register when it is written.
   */
  readonly pages = new Map<number, { disp: number; slot: number }>();
  private nextPageSlot = 0;
  /** The pages entry the last probeDisp used or made (its key and entry), for an update form's RA. */
  private lastPage: { key: number; disp: number; slot: number; at: number } | null = null;

  /** The value types of the locals from localBase on, in index order (newLocal). */
  readonly extraTypes: number[] = [];
  /** Where newLocal starts: L_DYNAMIC_WIDE when the region declares the vector and FP scratch. */
  localBase = L_DYNAMIC;
  /** Per GPR its local, or -1 before its first use. */
  private readonly gprLocals = new Int16Array(32).fill(-1);

  constructor(
    readonly hi: number,
    readonly lo: number,
    readonly len: number,
    readonly labels: number[],
  ) {}

  /** A new local of value type `type` past the fixed ones. */
  newLocal(type: number): number {
    this.extraTypes.push(type);
    return this.localBase + this.extraTypes.length - 1;
  }
  /** GPR r's i64 local. */
  gprLocal(r: number): number {
    let l = this.gprLocals[r];
    if (l < 0) l = this.gprLocals[r] = this.newLocal(0x7e);
    return l;
  }

  /** Forget everything emitted (the scratch emitter of wasmAccepts). */
  reset(): void {
    this.f.bytes.length = 0;
    this.used.clear();
    this.written.clear();
    this.cr = this.crWritten = this.xer = this.xerWritten = false;
    this.lr = this.lrWritten = this.ctr = this.ctrWritten = false;
    this.v128 = false;
    this.vsrLocal.clear();
    this.vsrWritten.clear();
    this.fp = false;
    this.depth = 0;
    this.pages.clear();
    this.lastPage = null;
    this.fresh.clear();
    this.freshAtJumps.clear();
    this.extraTypes.length = 0;
    this.gprLocals.fill(-1);
  }

  /**
   * The GPRs held in their locals for the whole call: loaded at entry, stored at the exit (null:
   * all, for the scratch emitter). Every other GPR lives in the register file: read into its local
   * at its first use in a stretch (`fresh`), written through to the file (compileWasmBlock).
   */
  held: ReadonlySet<number> | null = null;
  /** GPRs not held whose local has the file's value at this point of the current stretch. */
  readonly fresh = new Set<number>();
  /** The depth of the current stretch's own code (deeper code runs only on some paths). */
  stretchDepth = 0;
  /** Per label word: the GPRs fresh at every forward jump to it emitted so far (their intersection). */
  readonly freshAtJumps = new Map<number, Set<number>>();

  /** Is GPR r held in its local for the whole call? */
  holds(r: number): boolean {
    return this.held === null || this.held.has(r);
  }
  getG(r: number): void {
    this.used.add(r);
    if (this.holds(r) || this.fresh.has(r)) {
      this.f.local_get(this.gprLocal(r));
      return;
    }
    this.f.local_get(P_REGS).i64_load(8 * r).local_tee(this.gprLocal(r));
    // Read inside an if, the local has the value on that path only.
    if (this.depth === this.stretchDepth) this.fresh.add(r);
  }
  setG(r: number): void {
    this.used.add(r);
    this.written.add(r);
    this.pages.delete(2 * r);
    this.pages.delete(2 * r + 1);
    const l = this.gprLocal(r);
    this.f.local_set(l);
    if (this.holds(r)) return;
    this.f.local_get(P_REGS).local_get(l).i64_store(8 * r);
    if (this.depth === this.stretchDepth) this.fresh.add(r);
  }
  /** RA|0 */
  getRa0(a: number): void {
    if (a === 0) this.f.i64_const(0);
    else this.getG(a);
  }
  getCr(): void {
    this.cr = true;
    this.f.local_get(L_CR);
  }
  setCr(): void {
    this.cr = this.crWritten = true;
    this.f.local_set(L_CR);
  }
  getXer(): void {
    this.xer = true;
    this.f.local_get(L_XER);
  }
  setXer(): void {
    this.xer = this.xerWritten = true;
    this.f.local_set(L_XER);
  }

  pcLo(j: number): number {
    return (this.lo + 4 * j) | 0;
  }
  pcHi(j: number): number {
    const l = (this.lo + 4 * j) | 0;
    return (l >>> 0) < (this.lo >>> 0) ? (this.hi + 1) | 0 : this.hi;
  }

  /** Leave with PC = (th, tl) constants and count m + n. */
  exitConst(th: number, tl: number, n: number): void {
    const f = this.f;
    f.local_get(P_REGS).i64_const_words(tl, th).i64_store(PC_OFF);
    this.exitCount(n);
  }
  /** Leave with the count m + n ($exit holds $at, which holds $top). */
  exitCount(n: number): void {
    const f = this.f;
    f.local_get(L_M).i32_const(n).op(Op.i32_add).local_set(L_RET);
    f.br(this.depth + 2);
  }
  /**
   * Leave at word t (< len) with PC on it and the count m + t, or for a slow exit the code
   * -2 - (m + t), through the function's one tail that computes both from t (L_RET carries t, or
   * ~t for a slow exit: compileWasmBlock's $at). Every load and store has a slow exit, and one
   * made in place (PC as an i64 constant, the count) was about a sixth of a region's bytes.
   */
  exitAt(t: number, slow: boolean): void {
    this.f.i32_const(slow ? ~t : t).local_set(L_RET).br(this.depth + 1);
  }

  /**
   * If the i32 on the stack is not zero, leave through the slow exit at instruction j: PC on it,
   * the count before it; the wrapper then runs it through its row's exec function. Rows call this
   * before they change any state.
   */
  slowExitIf(j: number): void {
    const f = this.f;
    f.if_();
    this.depth++;
    this.exitAt(j, true);
    this.depth--;
    f.end();
  }

  /** A taken branch from instruction j to (th, tl): a label of the block, or an exit. */
  jump(j: number, th: number, tl: number): void {
    const ti = th === this.hi && (tl >>> 0) >= (this.lo >>> 0) && (tl & 3) === 0 ? (tl - this.lo) >>> 2 : -1;
    const k = ti < 0 ? -1 : this.labels.indexOf(ti);
    if (k < 0) {
      this.exitConst(th, tl, j + 1);
      return;
    }
    const f = this.f;
    f.local_get(L_M).i32_const(j + 1 - ti).op(Op.i32_add).local_set(L_M);
    if (ti > j) {
      const known = this.freshAtJumps.get(ti);
      if (known === undefined) this.freshAtJumps.set(ti, new Set(this.fresh));
      else for (const r of known) if (!this.fresh.has(r)) known.delete(r);
      // Forward: a plain br to the label's block end (label k's code follows it). Going only
      // forward, a pass stays within the len the block was entered with: no budget check, and
      // no dispatch through $top's br_table.
      this.f.br(this.depth - (this.labels.length - k));
      return;
    }
    // Backward: m += j + 1 - ti; if (left - m - ti < len) leave at the label; else continue there.
    f.local_get(P_LEFT).local_get(L_M).op(Op.i32_sub).i32_const(ti + this.len).op(Op.i32_lt_s);
    f.if_();
    this.depth++;
    this.exitAt(ti, false);
    this.depth--;
    f.end();
    f.i32_const(k).local_set(L_P);
    f.br(this.depth);
  }

  /**
   * At label j, whose code runs straight (forward jumps land on later labels, backward ones check
   * the budget) to label `next` or the end: leave there unless the budget covers that stretch.
   * A pass entered with the budget for the whole region never leaves here; one entered partway,
   * at the end of a slice (the interpreter's tail, run.ts), runs exactly as far as its budget goes.
   */
  segmentCheck(j: number, next: number): void {
    const f = this.f;
    f.local_get(P_LEFT).local_get(L_M).op(Op.i32_sub).i32_const(next).op(Op.i32_lt_s);
    f.if_();
    this.depth++;
    this.exitAt(j, false);
    this.depth--;
    f.end();
  }

  /** Leave for the i64 target on the stack (bclr/bcctr). */
  exitDynamic(j: number): void {
    this.f.local_set(L_X);
    storePair(this.f, PC_OFF, L_X);
    this.exitCount(j + 1);
  }

  /** CR field bf from the compare of the two values the pushers put (i64 or i32). */
  compare(field: number, a: () => void, b: () => void, kind: 'i64s' | 'i64u' | 'i32s' | 'i32u'): void {
    const f = this.f;
    const [lt, gt] =
      kind === 'i64s' ? [Op.i64_lt_s, Op.i64_gt_s] : kind === 'i64u' ? [Op.i64_lt_u, Op.i64_gt_u] : kind === 'i32s' ? [Op.i32_lt_s, Op.i32_gt_s] : [Op.i32_lt_u, Op.i32_gt_u];
    compareNibble(f, a, b, lt, gt);
    this.setField(field);
  }
  /** CR field bf = (nibble on the stack) | SO. */
  setField(field: number): void {
    const f = this.f;
    this.getXer();
    f.i32_const(31).op(Op.i32_shr_u).op(Op.i32_or);
    const sh = 28 - 4 * field;
    f.i32_const(sh).op(Op.i32_shl);
    this.getCr();
    f.i32_const(~(15 << sh)).op(Op.i32_and).op(Op.i32_or);
    this.setCr();
  }
  /** Write the i64 on the stack to RA, with CR0 when Rc. */
  putRa(w: number): void {
    this.setG(ra(w));
    if (w & 1) this.cr0(ra(w));
  }
  cr0(r: number): void {
    this.compare(0, () => this.getG(r), () => this.f.i64_const(0), 'i64s');
  }

  /** EA of (RA|0) + disp or (RA|0) + RB into L_EA. */
  eaDisp(a: number, disp: number): void {
    this.getRa0(a);
    if (disp !== 0) this.f.i64_const(disp).op(Op.i64_add);
    this.f.local_set(L_EA);
  }
  eaIndexed(a: number, b: number): void {
    if (a === 0) this.getG(b);
    else {
      this.getG(a);
      this.getG(b);
      this.f.op(Op.i64_add);
    }
    this.f.local_set(L_EA);
  }
  /** EA (RA|0 + RB, or + the displacement field) into L_EA and its linear address into L_TL. */
  access(j: number, w: number, indexed: boolean, disp: (w: number) => number, size: number, write: boolean): void {
    this.ea(w, indexed, disp);
    this.probeEa(j, w, indexed, disp, size, write);
  }
  /** The EA half of access: RA|0 + RB, or + the displacement field, into L_EA. */
  ea(w: number, indexed: boolean, disp: (w: number) => number): void {
    if (indexed) this.eaIndexed(ra(w), rb(w));
    else this.eaDisp(ra(w), disp(w));
  }
  /** The probe half of access, for a row that computed L_EA itself earlier. */
  probeEa(j: number, w: number, indexed: boolean, disp: (w: number) => number, size: number, write: boolean): void {
    if (indexed) this.probe(j, size, write);
    else this.probeDisp(j, ra(w), disp(w), size, write);
  }

  /**
   * L_TL = linear address of the `size` bytes at EA = RA + disp (already in L_EA), reusing an
   * earlier probe of this pass through the same RA (not written since) when EA is in that page: then
   * the address is the earlier one plus the difference of the displacements, after one range check
   * (a miss there leaves through the slow exit, whose row takes the general path).
   */
  probeDisp(j: number, a: number, disp: number, size: number, write: boolean): void {
    const f = this.f;
    const key = 2 * a + (write ? 1 : 0);
    const hit = a === 0 ? undefined : this.pages.get(key);
    this.lastPage = null;
    if (hit !== undefined) {
      const d = disp - hit.disp;
      f.local_get(L_PAGE + 2 * hit.slot).i32_const(d).op(Op.i32_add).i32_const(65536 - size).op(Op.i32_gt_u);
      this.slowExitIf(j);
      f.local_get(L_PAGE + 2 * hit.slot + 1).i32_const(d).op(Op.i32_sub).local_set(L_TL); // reversed page: up the page is down
      this.lastPage = { key, disp: hit.disp - disp, slot: hit.slot, at: j };
      return;
    }
    this.probe(j, size, write);
    if (a === 0) return;
    const slot = this.nextPageSlot;
    this.nextPageSlot = (slot + 1) % PAGE_SLOTS;
    this.holdPage(key, disp, slot);
    this.lastPage = { key, disp: 0, slot, at: j };
    f.local_get(L_EA).op(Op.i32_wrap_i64).i32_const(0xffff).op(Op.i32_and).local_set(L_PAGE + 2 * slot);
    f.local_get(L_TL).local_set(L_PAGE + 2 * slot + 1);
  }

  /** An update form's write-back: RA = EA, and the probe of word j stays valid for the new RA. */
  updateRa(w: number, j: number): void {
    this.f.local_get(L_EA);
    this.setG(ra(w));
    this.rebase(j);
  }

  /**
   * An update form of word j has just set RA = EA: its probe stays valid for RA, now at
   * displacement 0 (stdu r1,-N(r1) then std ...(r1): every Go function's prologue).
   */
  private rebase(j: number): void {
    const p = this.lastPage;
    if (p === null || p.at !== j) return;
    this.holdPage(p.key, p.disp, p.slot);
  }

  /** Slot `slot` of the L_PAGE locals now holds the probe for `key` at displacement disp; whatever it held is forgotten. */
  private holdPage(key: number, disp: number, slot: number): void {
    for (const [k, v] of this.pages) if (v.slot === slot) this.pages.delete(k);
    this.pages.set(key, { disp, slot });
  }

  /**
   * L_TL = the TLB entry minus the EA's page offset (the `size` bytes are at L_TL + memAt(size)),
   * or leave through the slow exit at j.
   */
  probe(j: number, size: number, write: boolean): void {
    probeMiss(this.f, size, write);
    this.slowExitIf(j);
    probeAddress(this.f, write);
  }
}

/**
 * The TLB probe of a `size`-byte access at EA = L_EA (wasm/interp.ts shares the locals L_EA, L_TH,
 * L_TL, L_TI and the parameter P_TLB): leaves 1 on the stack for a miss, and sets L_TH, L_TL, L_TI.
 */
export function probeMiss(f: WasmFn, size: number, write: boolean): void {
  fixedBytes(f, (write ? FIXED_PROBE_W : FIXED_PROBE_R) + size, (g) => probeTest(g, write ? TLB_W : TLB_R, size));
}
/** After a probe that hit: L_TL = the TLB entry minus the EA's page offset (the bytes are at L_TL + memAt(size)). */
export function probeAddress(f: WasmFn, write: boolean): void {
  const t = write ? TLB_W : TLB_R;
  fixedBytes(f, write ? FIXED_PROBE_W : FIXED_PROBE_R, (g) => {
    g.local_get(L_TI).i32_load(t + 2 * TLB_ARRAY).local_get(L_TL).i32_const(0xffff).op(Op.i32_and).op(Op.i32_sub).local_set(L_TL);
  });
}

/**
 * The bytes of a sequence that is the same wherever it is emitted (the TLB probe's test and its
 * address, byte swaps), recorded on first use and pushed in one call: compiling runs so rarely
 * that V8 keeps the emitters in its cold tiers, where each WasmFn call costs far more than a
 * builtin push of many bytes (a 64-word region made about 2,300 of those calls).
 */
const fixedSequences = new Map<number, Uint8Array>();
const FIXED_PROBE_R = 0; // + size (1..16, 128 for dcbz): the test; + 0: the address
const FIXED_PROBE_W = 256;
const FIXED_BSWAP32 = 512;
const FIXED_BSWAP64 = 513;
function fixedBytes(f: WasmFn, key: number, emit: (g: WasmFn) => void): void {
  let bytes = fixedSequences.get(key);
  if (bytes === undefined) {
    const g = new WasmFn();
    emit(g);
    bytes = g.bytes.view().slice();
    fixedSequences.set(key, bytes);
  }
  f.bytes.append(bytes);
}

/** The i32 on the stack: 1 when the EA (L_EA) misses TLB `t` for `size` bytes; sets L_TH, L_TL, L_TI. */
function probeTest(f: WasmFn, t: number, size: number): void {
  f.local_get(L_EA).i64_const(32).op(Op.i64_shr_u).op(Op.i32_wrap_i64).local_set(L_TH);
  f.local_get(L_EA).op(Op.i32_wrap_i64).local_set(L_TL);
  // i = ((lo >>> 16) ^ (imul(hi, TLB_HASH) >>> TLB_HASH_SHIFT)) & mask, as memory.ts
  f.local_get(L_TL).i32_const(16).op(Op.i32_shr_u);
  f.local_get(L_TH).i32_const(TLB_HASH).op(Op.i32_mul).i32_const(TLB_HASH_SHIFT).op(Op.i32_shr_u).op(Op.i32_xor).i32_const(TLB_ENTRIES - 1).op(Op.i32_and);
  f.i32_const(2).op(Op.i32_shl).local_get(P_TLB).op(Op.i32_add).local_set(L_TI);
  // A miss when the page of the access's last byte is not the entry's page (an EA crossing its
  // page is one: whenever the entry's tagHi matches, its tagPg shares the start page's low index
  // bits, which the next page's do not) or the high words differ; as xors, not compares, so
  // TurboFan emits xor/or/jnz rather than a setcc and zero-extension per test.
  f.local_get(L_TI).i32_load(t + TLB_ARRAY).local_get(L_TL);
  if (size > 1) f.i32_const(size - 1).op(Op.i32_add);
  f.i32_const(16).op(Op.i32_shr_u).op(Op.i32_xor);
  f.local_get(L_TI).i32_load(t).local_get(L_TH).op(Op.i32_xor).op(Op.i32_or);
}

const scratch = new Emit(0, 0, 1, [0]);

/**
 * The offset immediate of a `size`-byte access (1..16) at L_TL: pages are stored byte-reversed
 * (memory.ts), so the big-endian bytes at page offset o are the little-endian `size` bytes at
 * PAGE_SIZE - size - o, and the TLB entry holds the page's arena offset + TLB_END.
 */
export const memAt = (size: number): number => PAGE_SIZE - TLB_END - size;

/** Byte-swap the i32 on the stack (the byte-reversed rows lwbrx, stwbrx). */
export function bswap32(f: WasmFn): void {
  fixedBytes(f, FIXED_BSWAP32, emitBswap32);
}
function emitBswap32(f: WasmFn): void {
  // (x rotl 8) keeps bytes 0 and 2 in place, (x rotl 24) bytes 1 and 3: two rotates, two masks.
  f.local_set(L_TH);
  f.local_get(L_TH).i32_const(8).op(Op.i32_rotl).i32_const(0x00ff00ff).op(Op.i32_and);
  f.local_get(L_TH).i32_const(24).op(Op.i32_rotl).i32_const(0xff00ff00 | 0).op(Op.i32_and).op(Op.i32_or);
}
/**
 * The low halfword of the i32 on the stack with its two bytes swapped. `loaded`: the i32 is a
 * load16_u's (nothing above bit 15) and the result is clean (upper bits 0); otherwise it is a
 * GPR's low word, for a store16, and the result's upper bits are garbage, but x >>> 8 must be
 * masked: unmasked it put RS bits 16-23 onto bits 8-15, the byte sthbrx stores at EA, which then
 * got RS's low byte OR'd with them (0xbb = 0x93 | 0xa9 for RS ...a94993) whenever the store hit
 * the TLB.
 */
export function bswap16(f: WasmFn, loaded: boolean): void {
  f.local_set(L_TH);
  f.local_get(L_TH).i32_const(8).op(Op.i32_shl).local_get(L_TH).i32_const(8).op(Op.i32_shr_u);
  if (!loaded) f.i32_const(0xff).op(Op.i32_and);
  f.op(Op.i32_or);
  if (loaded) f.i32_const(0xffff).op(Op.i32_and);
}
/**
 * lhbrx/lwbrx/ldbrx's value (i64) from the bytes at L_TL (a probe's address): the page is
 * byte-reversed, so a Wasm load gives the big-endian value, swapped (emit-vector.ts, interp.ts).
 */
export function loadReversed(f: WasmFn, size: 2 | 4 | 8): void {
  f.local_get(L_TL);
  if (size === 8) {
    f.i64_load(memAt(8));
    bswap64(f);
    return;
  }
  if (size === 2) {
    f.i32_load16_u(memAt(2));
    bswap16(f, true);
  } else {
    f.i32_load(memAt(4));
    bswap32(f);
  }
  f.op(Op.i64_extend_i32_u);
}
/** sthbrx/stwbrx/stdbrx: store the i64 that `value` pushes at L_TL, byte-reversed. */
export function storeReversed(f: WasmFn, size: 2 | 4 | 8, value: () => void): void {
  f.local_get(L_TL);
  value();
  if (size === 8) {
    bswap64(f);
    f.i64_store(memAt(8));
    return;
  }
  f.op(Op.i32_wrap_i64);
  if (size === 2) {
    bswap16(f, false);
    f.i32_store16(memAt(2));
  } else {
    bswap32(f);
    f.i32_store(memAt(4));
  }
}
/** Byte-swap the i64 on the stack. */
export function bswap64(f: WasmFn): void {
  fixedBytes(f, FIXED_BSWAP64, emitBswap64);
}
/**
 * Push the register file's (high word, low word) pair at `off` (PC, LR, CTR, an FPR) as an i64:
 * two 32-bit loads rather than an i64.load and a rotate by 32. Liftoff, the code regions run in
 * until V8 tiers them up, makes every rotate (i32 or i64) a call into C: a loop of an add and a
 * rotate took 5.4 ns a pass there, 1.0-1.4 with shifts (notes/cpu-performance.md, "Round sixteen").
 */
export function loadPair(f: WasmFn, off: number, base = P_REGS): void {
  f.local_get(base).i64_load32_u(off).i64_const(32).op(Op.i64_shl);
  f.local_get(base).i64_load32_u(off + 4).op(Op.i64_or);
}
/**
 * Store the i64 in `local` as the register file's (high word, low word) pair at `off` (loadPair):
 * one 8-byte store of its halves swapped by shifts. Two 4-byte stores would stall the chain loop's
 * 8-byte load of PC after every `blr` exit (a load spanning two stores is not forwarded: chansieve's
 * samples on that load 62 -> 286); 4-byte loads from one 8-byte store are forwarded.
 */
export function storePair(f: WasmFn, off: number, local: number, base = P_REGS): void {
  f.local_get(base).local_get(local).i64_const(32).op(Op.i64_shl);
  f.local_get(local).i64_const(32).op(Op.i64_shr_u).op(Op.i64_or).i64_store(off);
}
/**
 * The i64 (width 64) or i32 (width 32) on the stack rotated left by the constant n, then ANDed with
 * m's low `width` bits (all ones: no AND). When m keeps only the bits the rotate brings from one
 * side, a single shift does it (sldi, srdi, slwi, srwi, rldic, rldimi's insert...): Liftoff calls
 * into C for a rotate (loadPair).
 */
function rotlConstMaskedAt(f: WasmFn, width: 32 | 64, n: number, m: bigint): void {
  const wide = width === 64;
  const count = (c: number): WasmFn => (wide ? f.i64_const(c) : f.i32_const(c));
  const all = (1n << BigInt(width)) - 1n;
  const mu = BigInt.asUintN(width, m);
  const low = (1n << BigInt(n)) - 1n; // the bits a rotate by n brings round from the top
  if (n === 0) {
    // nothing to rotate
  } else if ((mu & low) === 0n) {
    count(n).op(wide ? Op.i64_shl : Op.i32_shl);
    if (mu === (all ^ low)) return;
  } else if ((mu & (all ^ low)) === 0n) {
    count(width - n).op(wide ? Op.i64_shr_u : Op.i32_shr_u);
    if (mu === low) return;
  } else {
    count(n).op(wide ? Op.i64_rotl : Op.i32_rotl);
  }
  if (mu === all) return;
  if (wide) f.i64_const(BigInt.asIntN(64, mu)).op(Op.i64_and);
  else f.i32_const(Number(BigInt.asIntN(32, mu))).op(Op.i32_and);
}
/** rotlConstMaskedAt for an i64 and a 64-bit mask (-1n: no AND). */
export function rotlConstMasked(f: WasmFn, n: number, m: bigint): void {
  rotlConstMaskedAt(f, 64, n, m);
}
/** rotlConstMaskedAt for an i32 and a 32-bit mask (its bits as a uint32; 0xffffffff: no AND). */
export function rotl32ConstMasked(f: WasmFn, n: number, m: number): void {
  rotlConstMaskedAt(f, 32, n, BigInt(m >>> 0));
}
function emitBswap64(f: WasmFn): void {
  f.local_set(L_X);
  f.local_get(L_X).i64_const(8).op(Op.i64_shr_u).i64_const(0x00ff00ff00ff00ffn).op(Op.i64_and);
  f.local_get(L_X).i64_const(0x00ff00ff00ff00ffn).op(Op.i64_and).i64_const(8).op(Op.i64_shl).op(Op.i64_or);
  f.local_set(L_X);
  f.local_get(L_X).i64_const(16).op(Op.i64_shr_u).i64_const(0x0000ffff0000ffffn).op(Op.i64_and);
  f.local_get(L_X).i64_const(0x0000ffff0000ffffn).op(Op.i64_and).i64_const(16).op(Op.i64_shl).op(Op.i64_or);
  f.i64_const(32).op(Op.i64_rotl);
}

export type Kind = 'b' | 'h' | 'ha' | 'w' | 'wa' | 'd';
export const SIZE: Record<Kind, number> = { b: 1, h: 2, ha: 2, w: 4, wa: 4, d: 8 };

/** The guest value at L_TL as the i64 the load kind produces (no swap: memAt). */
export function loadValue(f: WasmFn, kind: Kind): void {
  f.local_get(L_TL);
  switch (kind) {
    case 'b':
      f.i32_load8_u(memAt(1)).op(Op.i64_extend_i32_u);
      return;
    case 'h':
    case 'ha':
      f.i32_load16_u(memAt(2)).op(Op.i64_extend_i32_u);
      if (kind === 'ha') f.op(Op.i64_extend16_s);
      return;
    case 'w':
    case 'wa':
      f.i32_load(memAt(4)).op(kind === 'w' ? Op.i64_extend_i32_u : Op.i64_extend_i32_s);
      return;
    case 'd':
      f.i64_load(memAt(8));
      return;
  }
}

function storeValue(e: Emit, kind: 'b' | 'h' | 'w' | 'd', r: number): void {
  const f = e.f;
  f.local_get(L_TL);
  e.getG(r);
  switch (kind) {
    case 'b':
      f.op(Op.i32_wrap_i64).i32_store8(memAt(1));
      return;
    case 'h':
      f.op(Op.i32_wrap_i64).i32_store16(memAt(2));
      return;
    case 'w':
      f.op(Op.i32_wrap_i64).i32_store(memAt(4));
      return;
    case 'd':
      f.i64_store(memAt(8));
      return;
  }
}

const load = (kind: Kind, update: boolean, indexed: boolean, disp: (w: number) => number = si): RowEmitter => (e, w, j) => {
  if (update && (ra(w) === 0 || ra(w) === rt(w))) return false;
  e.access(j, w, indexed, disp, SIZE[kind], false);
  loadValue(e.f, kind);
  e.setG(rt(w));
  if (update) e.updateRa(w, j);
  return true;
};
const store = (kind: 'b' | 'h' | 'w' | 'd', update: boolean, indexed: boolean, disp: (w: number) => number = si): RowEmitter => (e, w, j) => {
  if (update && ra(w) === 0) return false;
  e.access(j, w, indexed, disp, SIZE[kind], true);
  storeValue(e, kind, rt(w));
  if (update) e.updateRa(w, j);
  return true;
};

/**
 * lbarx..ldarx (exec/loadstore.ts): the load, then the reservation (EA, length) in the register
 * file's RESV slots, where the wrapper's slow path, stcx. in JS and the scheduler (which drops it
 * on a thread switch) see it. A load that misses the TLB leaves before anything changed.
 */
const loadReserve = (kind: 'b' | 'h' | 'w' | 'd'): RowEmitter => (e, w, j) => {
  const f = e.f;
  e.eaIndexed(ra(w), rb(w));
  e.probe(j, SIZE[kind], false);
  loadValue(f, kind);
  e.setG(rt(w));
  storePair(f, RESV_OFF, L_EA);
  f.local_get(P_REGS).i32_const(SIZE[kind]).i32_store(RESV_LEN_OFF);
  return true;
};
/**
 * stbcx...stdcx.: stores only while this thread holds a reservation of the same length at the
 * same EA (a failing one touches no memory, so it cannot fault); either way the reservation is
 * gone and CR0 = 0b00 || stored || SO. A store that misses the TLB leaves before anything changed
 * and runs in JS.
 */
const storeConditional = (kind: 'b' | 'h' | 'w' | 'd'): RowEmitter => (e, w, j) => {
  const f = e.f;
  e.eaIndexed(ra(w), rb(w));
  f.local_get(P_REGS).i32_load(RESV_LEN_OFF).i32_const(SIZE[kind]).op(Op.i32_eq);
  loadPair(f, RESV_OFF);
  f.local_get(L_EA).op(Op.i64_eq).op(Op.i32_and);
  f.if_();
  e.depth++;
  e.probe(j, SIZE[kind], true);
  storeValue(e, kind, rt(w));
  f.i64_const(1).local_set(L_Y);
  e.depth--;
  f.else_();
  f.i64_const(0).local_set(L_Y);
  f.end();
  f.local_get(P_REGS).i32_const(0).i32_store(RESV_LEN_OFF);
  f.local_get(L_Y).op(Op.i32_wrap_i64).i32_const(1).op(Op.i32_shl);
  e.setField(0);
  return true;
};

/** RT = RA op RB (XO-form without OE; CR0 when Rc). */
const arith = (op: number, swap = false): RowEmitter => (e, w) => {
  if (w & 0x400) return false;
  if (swap) {
    e.getG(rb(w));
    e.getG(ra(w));
  } else {
    e.getG(ra(w));
    e.getG(rb(w));
  }
  e.f.op(op);
  e.setG(rt(w));
  if (w & 1) e.cr0(rt(w));
  return true;
};
/**
 * divd, divdu, divw, divwu (OE=0): the ISA leaves x/0 and MIN/-1 undefined, and exec/integer.ts
 * gives the dividend there (qemu's choice): dividing by 1 instead gives exactly that, and keeps
 * Wasm's division from trapping. Word forms zero-extend the quotient.
 */
const divide = (word: boolean, signed: boolean): RowEmitter => (e, w) => {
  if (w & 0x400) return false;
  divideValues(e.f, () => e.getG(ra(w)), () => e.getG(rb(w)), word, signed);
  e.setG(rt(w));
  if (w & 1) e.cr0(rt(w));
  return true;
};
/**
 * The quotient (i64) of the values a and b push (i64; word forms use their low words), as divd,
 * divdu, divw, divwu compute it: the ISA leaves x/0 and MIN/-1 undefined, and exec/integer.ts
 * gives the dividend there (qemu's choice); dividing by 1 instead gives exactly that and keeps
 * Wasm's division from trapping. Word forms zero-extend the quotient. Shared with wasm/interp.ts.
 */
export function divideValues(f: WasmFn, a: () => void, b: () => void, word: boolean, signed: boolean): void {
  const get = (push: () => void): void => {
    push();
    if (word) f.op(Op.i32_wrap_i64);
  };
  const konst = (v: number | bigint): void => void (word ? f.i32_const(Number(v)) : f.i64_const(v));
  const ne = word ? Op.i32_ne : Op.i64_ne;
  get(a);
  get(b);
  konst(1);
  // divisor ok: b != 0, and for signed not (a == MIN && b == -1)
  get(b);
  konst(0);
  f.op(ne);
  if (signed) {
    get(a);
    konst(word ? 0x80000000 | 0 : -0x8000000000000000n);
    f.op(ne);
    get(b);
    konst(-1);
    f.op(ne).op(Op.i32_or).op(Op.i32_and);
  }
  f.select();
  f.op(word ? (signed ? Op.i32_div_s : Op.i32_div_u) : signed ? Op.i64_div_s : Op.i64_div_u);
  if (word) f.op(Op.i64_extend_i32_u);
}
/** mullw (OE=0): the 64-bit product of the sign-extended low words. */
const mullw: RowEmitter = (e, w) => {
  if (w & 0x400) return false;
  for (const r of [ra(w), rb(w)]) {
    e.getG(r);
    e.f.op(Op.i32_wrap_i64).op(Op.i64_extend_i32_s);
  }
  e.f.op(Op.i64_mul);
  e.setG(rt(w));
  if (w & 1) e.cr0(rt(w));
  return true;
};
/**
 * srad (64-bit) and sraw (the sign-extended low word): shift right algebraic by RB & 127 (srad)
 * or RB & 63 (sraw); 64 and above fill with the sign. CA = negative and a one bit shifted out.
 */
const shiftRightAlgebraic = (word: boolean): RowEmitter => (e, w) => {
  const f = e.f;
  const value = (): void => {
    e.getG(rt(w));
    if (word) f.op(Op.i32_wrap_i64).op(Op.i64_extend_i32_s);
  };
  e.getG(rb(w));
  f.i64_const(word ? 63 : 127).op(Op.i64_and).local_set(L_Y);
  shiftRightAlgebraicValue(f, value, L_Y, () => putCa(e));
  e.putRa(w);
  return true;
};
/** RA = RS op RB, optional inversion of RB or of the result (X-form logical). */
const logical = (op: number, notB: boolean, notResult: boolean): RowEmitter => (e, w) => {
  e.getG(rt(w));
  e.getG(rb(w));
  if (notB) e.f.i64_const(-1).op(Op.i64_xor);
  e.f.op(op);
  if (notResult) e.f.i64_const(-1).op(Op.i64_xor);
  e.putRa(w);
  return true;
};
const immLogical = (op: number, shift: number): RowEmitter => (e, w) => {
  e.getG(rt(w));
  e.f.i64_const((ui(w) << shift) >>> 0).op(op);
  e.setG(ra(w));
  return true;
};
const andImm = (shift: number): RowEmitter => (e, w) => {
  e.getG(rt(w));
  e.f.i64_const((ui(w) << shift) >>> 0).op(Op.i64_and);
  e.setG(ra(w));
  e.cr0(ra(w));
  return true;
};
const extend = (op: number): RowEmitter => (e, w) => {
  e.getG(rt(w));
  e.f.op(op);
  e.putRa(w);
  return true;
};
/**
 * RA = rotl64(RS, n) & MASK(mb, me): n an immediate field, or for 'rb' (rldcl, rldcr) RB, whose
 * low six bits i64.rotl takes (the count mod 64).
 */
const rotMask = (sh: ((w: number) => number) | 'rb', mb: (w: number) => number, me: (w: number) => number): RowEmitter => (e, w) => {
  e.getG(rt(w));
  if (sh === 'rb') {
    e.getG(rb(w));
    e.f.op(Op.i64_rotl);
    const m = mask64(mb(w), me(w));
    if (m !== -1n) e.f.i64_const(m).op(Op.i64_and);
  } else {
    rotlConstMasked(e.f, sh(w), mask64(mb(w), me(w)));
  }
  e.putRa(w);
  return true;
};
/** sld/srd: shift by RB & 127, zero at 64 and above. */
const shift64 = (op: number): RowEmitter => (e, w) => {
  shiftValue(e.f, op, false, () => e.getG(rt(w)), () => e.getG(rb(w)));
  e.putRa(w);
  return true;
};
/** slw/srw: shift the low word by RB & 63, zero at 32 and above; the high word is zero. */
const shift32 = (op: number): RowEmitter => (e, w) => {
  shiftValue(e.f, op, true, () => e.getG(rt(w)), () => e.getG(rb(w)));
  e.putRa(w);
  return true;
};
/**
 * sld/srd (i64 op: by the amount's low 7 bits, zero from 64 up) or slw/srw (word: i32 op on the
 * low words, by the low 6 bits, zero from 32 up, zero-extended) of the value and amount pushed
 * (i64). Shared with wasm/interp.ts.
 */
export function shiftValue(f: WasmFn, op: number, word: boolean, value: () => void, amount: () => void): void {
  value();
  if (word) f.op(Op.i32_wrap_i64);
  amount();
  if (word) f.op(Op.i32_wrap_i64).op(op).op(Op.i64_extend_i32_u);
  else f.op(op);
  f.i64_const(0);
  amount();
  f.i64_const(word ? 32 : 64).op(Op.i64_and).op(Op.i64_eqz);
  f.select();
}
/** XER.CA = (value < 0 && lost bits != 0), the pushers give the i64 value and the lost-bits mask. */
function setCarry(e: Emit, value: () => void, lostMask: bigint | (() => void)): void {
  const f = e.f;
  value();
  f.i64_const(0).op(Op.i64_lt_s);
  value();
  if (typeof lostMask === 'bigint') f.i64_const(lostMask);
  else lostMask();
  f.op(Op.i64_and).i64_const(0).op(Op.i64_ne).op(Op.i32_and);
  putCa(e);
}
/** XER.CA = the i32 (0/1) on the stack. */
function putCa(e: Emit): void {
  const f = e.f;
  f.i32_const(29).op(Op.i32_shl);
  e.getXer();
  f.i32_const(~0x20000000).op(Op.i32_and).op(Op.i32_or);
  e.setXer();
}
/**
 * The i64 `value` pushes, shifted right algebraic by the amount in i64 local n (from 64 up: all
 * sign), after handing setCa (an i32 0/1 on the stack) XER.CA = negative and a one bit shifted out:
 * srad/sraw here, every algebraic shift in wasm/interp.ts.
 */
export function shiftRightAlgebraicValue(f: WasmFn, value: () => void, n: number, setCa: () => void): void {
  const big = (): void => void f.local_get(n).i64_const(64).op(Op.i64_ge_u);
  // lost bits: all of them from 64 up, else the low n
  value();
  f.i64_const(0).op(Op.i64_lt_s);
  value();
  f.i64_const(-1);
  f.i64_const(1).local_get(n).op(Op.i64_shl).i64_const(1).op(Op.i64_sub);
  big();
  f.select();
  f.op(Op.i64_and).i64_const(0).op(Op.i64_ne).op(Op.i32_and);
  setCa();
  value();
  f.i64_const(63).local_get(n);
  big();
  f.select();
  f.op(Op.i64_shr_s);
}
/** The compare nibble (8 lt, 4 gt, 2 eq) of the values a and b push (each pushed twice). */
export function compareNibble(f: WasmFn, a: () => void, b: () => void, lt: number, gt: number): void {
  f.i32_const(8).i32_const(4).i32_const(2);
  a();
  b();
  f.op(gt).select();
  a();
  b();
  f.op(lt).select();
}

/** The BO test of a conditional branch, leaving ok (i32) on the stack. CTR is decremented first unless noCtr. */
function boTest(e: Emit, w: number, noCtr: boolean): void {
  const f = e.f;
  const bo = rt(w);
  let parts = 0;
  if ((bo & 4) === 0 && !noCtr) {
    e.ctr = e.ctrWritten = true;
    f.local_get(L_CTR).i64_const(1).op(Op.i64_sub).local_set(L_CTR);
    f.local_get(L_CTR).op(Op.i64_eqz);
    if ((bo & 2) === 0) f.op(Op.i32_eqz);
    parts++;
  }
  if ((bo & 16) === 0) {
    e.getCr();
    f.i32_const(1 << (31 - ra(w))).op(Op.i32_and);
    if ((bo & 8) === 0) f.op(Op.i32_eqz);
    else f.i32_const(0).op(Op.i32_ne);
    parts++;
  }
  if (parts === 0) f.i32_const(1);
  if (parts === 2) f.op(Op.i32_and);
}
function link(e: Emit, j: number, w: number): void {
  if ((w & 1) === 0) return;
  e.lr = e.lrWritten = true;
  const lo = e.pcLo(j + 1);
  const hi = e.pcHi(j + 1);
  e.f.i64_const(BigInt.asIntN(64, (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0))).local_set(L_LR);
}

const nop: RowEmitter = () => true;

/** cmp, cmpl, cmpi, cmpli: RA against RB or the immediate, 64-bit (L=1) or low words. */
const compareRow = (signed: boolean, immediate: boolean): RowEmitter => (e, w) => {
  const l = cmpL(w) === 1;
  const a = (): void => {
    e.getG(ra(w));
    if (!l) e.f.op(Op.i32_wrap_i64);
  };
  const imm = signed ? si(w) : ui(w);
  const b = immediate
    ? (): void => void (l ? e.f.i64_const(imm) : e.f.i32_const(imm))
    : (): void => {
        e.getG(rb(w));
        if (!l) e.f.op(Op.i32_wrap_i64);
      };
  e.compare(bf(w), a, b, l ? (signed ? 'i64s' : 'i64u') : signed ? 'i32s' : 'i32u');
  return true;
};

/**
 * L_Y = a + b + carry-in, XER.CA = the carry out (the pushers give a and b as i64; cin is a
 * constant 0/1 or 'ca' for XER.CA).
 */
function addCarrying(e: Emit, a: () => void, b: () => void, cin: 0 | 1 | 'ca'): void {
  addWithCarry(e.f, a, b, cin, { x: L_X, s: L_Z, r: L_Y }, () => e.getXer(), () => putCa(e));
}
/**
 * Locals r = a + b + carry-in and XER.CA = the carry out, for the i64 values a and b push (cin a
 * constant 0/1 or 'ca' for XER.CA); getXer pushes XER, setCa takes the carry out (an i32 0/1 on the
 * stack) into XER.CA, as for shiftRightAlgebraicValue. Scratch i64 locals x (a) and s (a + b).
 * Shared with wasm/interp.ts.
 */
export function addWithCarry(
  f: WasmFn,
  a: () => void,
  b: () => void,
  cin: 0 | 1 | 'ca',
  l: { x: number; s: number; r: number },
  getXer: () => void,
  setCa: () => void,
): void {
  a();
  f.local_set(l.x);
  b();
  f.local_get(l.x).op(Op.i64_add).local_set(l.s); // s = a + b
  f.local_get(l.s).local_get(l.x).op(Op.i64_lt_u); // c1 = s < a
  f.local_get(l.s);
  if (cin === 'ca') {
    getXer();
    f.i32_const(29).op(Op.i32_shr_u).i32_const(1).op(Op.i32_and).op(Op.i64_extend_i32_u);
  } else f.i64_const(cin);
  f.op(Op.i64_add).local_set(l.r); // r = s + cin
  f.local_get(l.r).local_get(l.s).op(Op.i64_lt_u).op(Op.i32_or); // c2 = r < s
  setCa();
}
/** XO-form carrying rows (OE=0, Rc=0): RT = a + b + cin. */
const carrying = (a: 'ra' | 'nra', b: 'rb' | 'zero' | 'ones', cin: 0 | 1 | 'ca'): RowEmitter => (e, w) => {
  if (w & 0x401) return false;
  const pa = (): void => {
    e.getG(ra(w));
    if (a === 'nra') e.f.i64_const(-1).op(Op.i64_xor);
  };
  const pb = (): void => {
    if (b === 'rb') e.getG(rb(w));
    else e.f.i64_const(b === 'zero' ? 0 : -1);
  };
  addCarrying(e, pa, pb, cin);
  e.f.local_get(L_Y);
  e.setG(rt(w));
  return true;
};
/** crand..crxor: CR bit BT = op(bit BA, bit BB), op on 0/1 ints (results masked to one bit). */
const crLogical = (op: (f: WasmFn) => void): RowEmitter => (e, w) => {
  const f = e.f;
  const bit = (n: number): void => {
    e.getCr();
    f.i32_const(31 - n).op(Op.i32_shr_u).i32_const(1).op(Op.i32_and);
  };
  bit(ra(w));
  bit(rb(w));
  op(f);
  f.i32_const(1).op(Op.i32_and).i32_const(31 - rt(w)).op(Op.i32_shl);
  e.getCr();
  f.i32_const(~(1 << (31 - rt(w)))).op(Op.i32_and).op(Op.i32_or);
  e.setCr();
  return true;
};
const not32 = (f: WasmFn): void => void f.i32_const(-1).op(Op.i32_xor);

/**
 * The parameters of row families both Wasm emitters have (this file's regions and
 * wasm/interp.ts), so the two tables cannot disagree on what a row does.
 */
/** X-form logical rows: the i64 op, complement RB first, complement the result. */
export const LOGICAL_FORMS: Record<string, readonly [number, boolean, boolean]> = {
  or: [Op.i64_or, false, false],
  and: [Op.i64_and, false, false],
  xor: [Op.i64_xor, false, false],
  andc: [Op.i64_and, true, false],
  orc: [Op.i64_or, true, false],
  nor: [Op.i64_or, false, true],
  nand: [Op.i64_and, false, true],
  eqv: [Op.i64_xor, false, true],
};
/** CR logical rows: the op on the two bits (0/1 i32; the result is masked to one bit). */
export const CR_LOGICAL_FORMS: Record<string, (f: WasmFn) => void> = {
  crand: (f) => f.op(Op.i32_and),
  crandc: (f) => (not32(f), f.op(Op.i32_and)),
  creqv: (f) => (f.op(Op.i32_xor), not32(f)),
  crnand: (f) => (f.op(Op.i32_and), not32(f)),
  crnor: (f) => (f.op(Op.i32_or), not32(f)),
  cror: (f) => f.op(Op.i32_or),
  crorc: (f) => (not32(f), f.op(Op.i32_or)),
  crxor: (f) => f.op(Op.i32_xor),
};
/** The carrying XO rows: RA or ~RA, plus RB, 0 or -1, plus a carry-in of 0, 1 or XER.CA. */
export const CARRYING_FORMS: Record<string, readonly ['ra' | 'nra', 'rb' | 'zero' | 'ones', 0 | 1 | 'ca']> = {
  addc: ['ra', 'rb', 0],
  adde: ['ra', 'rb', 'ca'],
  addze: ['ra', 'zero', 'ca'],
  addme: ['ra', 'ones', 'ca'],
  subfc: ['nra', 'rb', 1],
  subfe: ['nra', 'rb', 'ca'],
  subfze: ['nra', 'zero', 'ca'],
};
/** lbarx..ldarx and stbcx...stdcx.: the access size. */
export const RESERVE_FORMS: Record<string, 'b' | 'h' | 'w' | 'd'> = { lbarx: 'b', lharx: 'h', lwarx: 'w', ldarx: 'd' };
export const STORE_CONDITIONAL_FORMS: Record<string, 'b' | 'h' | 'w' | 'd'> = { 'stbcx.': 'b', 'sthcx.': 'h', 'stwcx.': 'w', 'stdcx.': 'd' };
/** A row table for the rows of `forms`, each made from its parameters. */
export function rowsOf<P, R>(forms: Record<string, P>, make: (p: P) => R): Record<string, R> {
  return Object.fromEntries(Object.entries(forms).map(([name, p]) => [name, make(p)]));
}

/** High 64 bits of the unsigned 128-bit product of RA and RB into L_Y (mulhdu), signed if asked. */
function mulHigh(e: Emit, w: number, signed: boolean): void {
  mulHighValue(e.f, () => e.getG(ra(w)), () => e.getG(rb(w)), signed, L_X, L_Z);
  e.f.local_set(L_Y);
}
/**
 * Push the high 64 bits of the 128-bit product of the i64 values a and b push (unsigned, or
 * signed), with two i64 scratch locals. Shared with wasm/interp.ts.
 */
export function mulHighValue(f: WasmFn, a: () => void, b: () => void, signed: boolean, t1: number, t2: number): void {
  const lo32 = (push: () => void): void => {
    push();
    f.i64_const(0xffffffff).op(Op.i64_and);
  };
  const hi32 = (push: () => void): void => {
    push();
    f.i64_const(32).op(Op.i64_shr_u);
  };
  // mid = (al*bl >>> 32) + (al*bh & M) + (ah*bl & M)
  lo32(a);
  lo32(b);
  f.op(Op.i64_mul).i64_const(32).op(Op.i64_shr_u);
  lo32(a);
  hi32(b);
  f.op(Op.i64_mul).local_tee(t1).i64_const(0xffffffff).op(Op.i64_and).op(Op.i64_add);
  hi32(a);
  lo32(b);
  f.op(Op.i64_mul).local_tee(t2).i64_const(0xffffffff).op(Op.i64_and).op(Op.i64_add);
  // hi = ah*bh + (al*bh >>> 32) + (ah*bl >>> 32) + (mid >>> 32)
  f.i64_const(32).op(Op.i64_shr_u);
  hi32(a);
  hi32(b);
  f.op(Op.i64_mul).op(Op.i64_add);
  f.local_get(t1).i64_const(32).op(Op.i64_shr_u).op(Op.i64_add);
  f.local_get(t2).i64_const(32).op(Op.i64_shr_u).op(Op.i64_add);
  if (signed) {
    // minus (a < 0 ? b : 0) and (b < 0 ? a : 0)
    b();
    f.i64_const(0);
    a();
    f.i64_const(0).op(Op.i64_lt_s).select().op(Op.i64_sub);
    a();
    f.i64_const(0);
    b();
    f.i64_const(0).op(Op.i64_lt_s).select().op(Op.i64_sub);
  }
}

export const wasmRows: Record<string, RowEmitter> = {
  addi: (e, w) => {
    e.getRa0(ra(w));
    e.f.i64_const(si(w)).op(Op.i64_add);
    e.setG(rt(w));
    return true;
  },
  addis: (e, w) => {
    e.getRa0(ra(w));
    e.f.i64_const(w << 16).op(Op.i64_add);
    e.setG(rt(w));
    return true;
  },
  add: arith(Op.i64_add),
  subf: arith(Op.i64_sub, true),
  mulld: arith(Op.i64_mul),
  neg: (e, w) => {
    if (w & 0x400) return false;
    e.f.i64_const(0);
    e.getG(ra(w));
    e.f.op(Op.i64_sub);
    e.setG(rt(w));
    if (w & 1) e.cr0(rt(w));
    return true;
  },
  mulhdu: (e, w) => {
    mulHigh(e, w, false);
    e.f.local_get(L_Y);
    e.setG(rt(w));
    if (w & 1) e.cr0(rt(w));
    return true;
  },
  mulhd: (e, w) => {
    mulHigh(e, w, true);
    e.f.local_get(L_Y);
    e.setG(rt(w));
    if (w & 1) e.cr0(rt(w));
    return true;
  },
  mullw,
  divd: divide(false, true),
  divdu: divide(false, false),
  divw: divide(true, true),
  divwu: divide(true, false),
  ...rowsOf(CARRYING_FORMS, ([a, b, cin]) => carrying(a, b, cin)),
  addic: (e, w) => {
    addCarrying(e, () => e.getG(ra(w)), () => e.f.i64_const(si(w)), 0);
    e.f.local_get(L_Y);
    e.setG(rt(w));
    return true;
  },
  'addic.': (e, w) => {
    addCarrying(e, () => e.getG(ra(w)), () => e.f.i64_const(si(w)), 0);
    e.f.local_get(L_Y);
    e.setG(rt(w));
    e.cr0(rt(w));
    return true;
  },
  subfic: (e, w) => {
    addCarrying(e, () => (e.getG(ra(w)), e.f.i64_const(-1).op(Op.i64_xor)), () => e.f.i64_const(si(w)), 1);
    e.f.local_get(L_Y);
    e.setG(rt(w));
    return true;
  },
  popcntd: (e, w) => {
    e.getG(rt(w));
    e.f.op(Op.i64_popcnt);
    e.setG(ra(w));
    return true;
  },
  popcntw: (e, w) => {
    const f = e.f;
    e.getG(rt(w));
    f.i64_const(32).op(Op.i64_shr_u).op(Op.i64_popcnt).i64_const(32).op(Op.i64_shl);
    e.getG(rt(w));
    f.i64_const(0xffffffff).op(Op.i64_and).op(Op.i64_popcnt).op(Op.i64_or);
    e.setG(ra(w));
    return true;
  },
  mcrf: (e, w) => {
    const f = e.f;
    const sh = 28 - 4 * bf(w);
    e.getCr();
    f.i32_const(28 - 4 * ((w >>> 18) & 7)).op(Op.i32_shr_u).i32_const(15).op(Op.i32_and).i32_const(sh).op(Op.i32_shl);
    e.getCr();
    f.i32_const(~(15 << sh)).op(Op.i32_and).op(Op.i32_or);
    e.setCr();
    return true;
  },
  ...rowsOf(CR_LOGICAL_FORMS, crLogical),
  mulli: (e, w) => {
    e.getG(ra(w));
    e.f.i64_const(si(w)).op(Op.i64_mul);
    e.setG(rt(w));
    return true;
  },
  ...rowsOf(LOGICAL_FORMS, ([op, notB, notResult]) => logical(op, notB, notResult)),
  ori: immLogical(Op.i64_or, 0),
  oris: immLogical(Op.i64_or, 16),
  xori: immLogical(Op.i64_xor, 0),
  xoris: immLogical(Op.i64_xor, 16),
  'andi.': andImm(0),
  'andis.': andImm(16),
  extsb: extend(Op.i64_extend8_s),
  extsh: extend(Op.i64_extend16_s),
  extsw: extend(Op.i64_extend32_s),
  cntlzd: extend(Op.i64_clz),
  cntlzw: (e, w) => {
    e.getG(rt(w));
    e.f.op(Op.i32_wrap_i64).op(Op.i32_clz).op(Op.i64_extend_i32_u);
    e.putRa(w);
    return true;
  },
  cmp: compareRow(true, false),
  cmpl: compareRow(false, false),
  cmpi: compareRow(true, true),
  cmpli: compareRow(false, true),
  isel: (e, w) => {
    e.getRa0(ra(w));
    e.getG(rb(w));
    e.getCr();
    e.f.i32_const(1 << (31 - rc5(w))).op(Op.i32_and);
    e.f.select();
    e.setG(rt(w));
    return true;
  },
  rlwinm: (e, w) => {
    const f = e.f;
    e.getG(rt(w));
    f.op(Op.i32_wrap_i64);
    if (mbM(w) <= meM(w)) {
      // The mask lies in the low word: the rotated word ANDed with it, zero-extended.
      rotl32ConstMasked(f, rb(w), Number(mask64(mbM(w) + 32, meM(w) + 32) & 0xffffffffn));
      f.op(Op.i64_extend_i32_u);
      e.putRa(w);
      return true;
    }
    if (rb(w) !== 0) f.i32_const(rb(w)).op(Op.i32_rotl);
    f.op(Op.i64_extend_i32_u).local_set(L_X);
    f.local_get(L_X).local_get(L_X).i64_const(32).op(Op.i64_shl).op(Op.i64_or);
    f.i64_const(mask64(mbM(w) + 32, meM(w) + 32)).op(Op.i64_and);
    e.putRa(w);
    return true;
  },
  rldicl: rotMask(shMD, mbMD, () => 63),
  rldicr: rotMask(shMD, () => 0, mbMD),
  rldic: rotMask(shMD, mbMD, (w) => 63 - shMD(w)),
  rldimi: (e, w) => {
    const f = e.f;
    const m = mask64(mbMD(w), 63 - shMD(w));
    e.getG(rt(w));
    rotlConstMasked(f, shMD(w), m);
    e.getG(ra(w));
    f.i64_const(~m).op(Op.i64_and).op(Op.i64_or);
    e.putRa(w);
    return true;
  },
  rldcl: rotMask('rb', mbMD, () => 63),
  rldcr: rotMask('rb', () => 0, mbMD),
  srad: shiftRightAlgebraic(false),
  sraw: shiftRightAlgebraic(true),
  sld: shift64(Op.i64_shl),
  srd: shift64(Op.i64_shr_u),
  slw: shift32(Op.i32_shl),
  srw: shift32(Op.i32_shr_u),
  sradi: (e, w) => {
    const n = shMD(w);
    const s = rt(w);
    setCarry(e, () => e.getG(s), n === 0 ? 0n : (1n << BigInt(n)) - 1n);
    e.getG(s);
    if (n !== 0) e.f.i64_const(n).op(Op.i64_shr_s);
    e.putRa(w);
    return true;
  },
  srawi: (e, w) => {
    const n = rb(w);
    const s = rt(w);
    const low = (): void => {
      e.getG(s);
      e.f.op(Op.i32_wrap_i64).op(Op.i64_extend_i32_s);
    };
    setCarry(e, low, n === 0 ? 0n : (1n << BigInt(n)) - 1n);
    low();
    if (n !== 0) e.f.i64_const(n).op(Op.i64_shr_s);
    e.putRa(w);
    return true;
  },

  lbz: load('b', false, false),
  lbzu: load('b', true, false),
  lhz: load('h', false, false),
  lhzu: load('h', true, false),
  lha: load('ha', false, false),
  lwz: load('w', false, false),
  lwzu: load('w', true, false),
  ld: load('d', false, false, ds),
  ldu: load('d', true, false, ds),
  lwa: load('wa', false, false, ds),
  lbzx: load('b', false, true),
  lhzx: load('h', false, true),
  lhax: load('ha', false, true),
  lwzx: load('w', false, true),
  lwax: load('wa', false, true),
  ldx: load('d', false, true),
  stb: store('b', false, false),
  stbu: store('b', true, false),
  sth: store('h', false, false),
  stw: store('w', false, false),
  stwu: store('w', true, false),
  std: store('d', false, false, ds),
  stdu: store('d', true, false, ds),
  stbx: store('b', false, true),
  sthx: store('h', false, true),
  stwx: store('w', false, true),
  stdx: store('d', false, true),
  stdux: store('d', true, true),
  ...rowsOf(RESERVE_FORMS, loadReserve),
  ...rowsOf(STORE_CONDITIONAL_FORMS, storeConditional),

  mfspr: (e, w) => {
    const n = sprNum(w);
    if (n === 8) {
      e.lr = true;
      e.f.local_get(L_LR);
    } else if (n === 9) {
      e.ctr = true;
      e.f.local_get(L_CTR);
    } else return false;
    e.setG(rt(w));
    return true;
  },
  mtspr: (e, w) => {
    const n = sprNum(w);
    if (n !== 8 && n !== 9) return false;
    e.getG(rt(w));
    if (n === 8) {
      e.lr = e.lrWritten = true;
      e.f.local_set(L_LR);
    } else {
      e.ctr = e.ctrWritten = true;
      e.f.local_set(L_CTR);
    }
    return true;
  },
  mfcr: (e, w) => {
    if (w & 0x00100000) return false;
    e.getCr();
    e.f.op(Op.i64_extend_i32_u);
    e.setG(rt(w));
    return true;
  },

  b: (e, w, j) => {
    link(e, j, w);
    const t = staticTarget('b', w, e.pcHi(j), e.pcLo(j))!;
    e.jump(j, t[0], t[1]);
    return true;
  },
  bc: (e, w, j) => {
    boTest(e, w, false);
    link(e, j, w);
    e.f.if_();
    e.depth++;
    const t = staticTarget('bc', w, e.pcHi(j), e.pcLo(j))!;
    e.jump(j, t[0], t[1]);
    e.depth--;
    e.f.end();
    return true;
  },
  bclr: (e, w, j) => {
    e.lr = true;
    e.f.local_get(L_LR).i64_const(-4).op(Op.i64_and).local_set(L_EA);
    boTest(e, w, false);
    link(e, j, w);
    e.f.if_();
    e.depth++;
    e.f.local_get(L_EA);
    e.exitDynamic(j);
    e.depth--;
    e.f.end();
    return true;
  },
  bcctr: (e, w, j) => {
    boTest(e, w, true);
    link(e, j, w);
    e.f.if_();
    e.depth++;
    e.ctr = true;
    e.f.local_get(L_CTR).i64_const(-4).op(Op.i64_and);
    e.exitDynamic(j);
    e.depth--;
    e.f.end();
    return true;
  },
};
for (const name of ['sync', 'eieio', 'isync', 'dcbt', 'dcbtst', 'dcbf', 'dcbst', 'icbi']) wasmRows[name] = nop;
Object.assign(wasmRows, vectorWasmRows, fpWasmRows);
/** Rows that may use the vector or FP scratch locals (compileWasmBlock declares them). */
const wideRows = new Set([...Object.keys(vectorWasmRows), ...Object.keys(fpWasmRows)]);
/**
 * For rows whose emitter refuses no form (or decides without emitting): whether it accepts this
 * word, so wasmAccepts need not emit the row into the scratch function (AES rows are hundreds of
 * bytes; regions check every word they extend over).
 */
const wasmRowAccepts: Record<string, (w: number) => boolean> = { ...vectorWasmAccepts, ...fpWasmAccepts };

/** Does this tier emit this row in this form (the emitter does not refuse it)? */
export function wasmAccepts(name: string, w: number): boolean {
  const emit = wasmRows[name];
  if (emit === undefined) return false;
  const accepts = wasmRowAccepts[name];
  if (accepts !== undefined) return accepts(w);
  scratch.reset();
  return emit(scratch, w, 0);
}

/**
 * wasmAccepts without emitting, for the words a region extends over: false when the row has no
 * emitter or its predicate refuses the word, true otherwise. The few integer forms an emitter
 * still refuses (OE forms, other SPRs, update forms with RA = 0) are found by compileWasmBlock
 * while it emits, which then asks for a shorter region: emitting every word twice (once into a
 * scratch function here) cost a sixth of the compile time, in code too cold to be optimised.
 */
export function wasmMayAccept(name: string, w: number): boolean {
  if (wasmRows[name] === undefined) return false;
  const accepts = wasmRowAccepts[name];
  return accepts === undefined || accepts(w);
}

/** AIX_GDBSTUB_WASM=0 turns the tier off (the JS tier then compiles every block). */
export function wasmTierEnabled(): boolean {
  return guestArena() !== null;
}

export interface WasmBlock {
  /** (left, register file offset, TLB offset, label, its word) -> count, or -2 - count for a slow-path exit. */
  fn: (left: number, regs: number, tlb: number, k: number, t: number) => number;
  /** Its code entry (encode.ts functionEntry), to compile it again into a pack (packRegions). */
  entry: Uint8Array;
  /** The words that start a label, ascending (RegionFlow.labels; its parameter k indexes them). */
  labels: number[];
  /**
   * The words after the first that its dispatch enters (RegionFlow.entered: return points and the
   * heads of loops), where a caller may start it with their label: nothing is assumed held there.
   */
  entries: number[];
}

/**
 * The Wasm function for a region (words and rows from jit/compiler.ts, entered at hi:lo; its
 * labels from RegionFlow), or, when the emitter of word j refuses it (or has no emitter), j: only
 * the first j words can be a Wasm region (0 when the tier is off).
 */
export function compileWasmBlock(rows: readonly InsnRow[], words: readonly number[], hi: number, lo: number): WasmBlock | number {
  const arena = guestArena();
  if (arena === null) return 0;
  const len = words.length;
  for (let j = 0; j < len; j++) if (wasmRows[rows[j].name] === undefined) return j;
  const flow = new RegionFlow(rows, words, hi, lo);
  const labels = flow.labels;
  const e = new Emit(hi, lo, len, labels);
  for (let j = 0; j < len; j++) if (wideRows.has(rows[j].name)) e.localBase = L_DYNAMIC_WIDE;
  e.held = heldRegisters(flow);
  const entered = flow.entered;
  const f = e.f;
  const nl = labels.length;
  f.block(); // $exit
  f.block(); // $at (Emit.exitAt)
  f.loop(); // $top
  for (let k = nl - 1; k >= 0; k--) f.block();
  f.local_get(L_P).br_table([...labels.map((_t, k) => k), 0]);
  for (let j = 0; j < len; j++) {
    const k = labels.indexOf(j);
    if (k >= 0) {
      f.end();
      e.depth = nl - 1 - k;
      e.pages.clear();
      // A label entered from outside the stretches before it (the function's dispatch) starts with
      // nothing fresh; another keeps what both the fall-through and every jump to it had.
      const jumps = e.freshAtJumps.get(j);
      if (entered[j] === 1) e.fresh.clear();
      else if (jumps !== undefined) for (const r of e.fresh) if (!jumps.has(r)) e.fresh.delete(r);
      e.stretchDepth = e.depth;
      if (k > 0) e.segmentCheck(j, k + 1 < nl ? labels[k + 1] : len);
    }
    if (!wasmRows[rows[j].name](e, words[j], j)) return j;
  }
  // Fell off the end (the last row is not an unconditional branch, or its branch fell through;
  // PC past a page that ends at 4 GiB would carry into the high word, which $at does not do).
  e.exitConst(e.pcHi(len), e.pcLo(len), len);
  f.end(); // $top
  f.end(); // $at: L_RET holds t, or ~t for a slow exit (s = -1): PC on word t, count (m + t) ^ s + s
  f.local_get(L_RET).i32_const(31).op(Op.i32_shr_s).local_set(L_TI);
  f.local_get(L_RET).local_get(L_TI).op(Op.i32_xor).local_set(L_RET);
  f.local_get(P_REGS).local_get(L_RET).i32_const(2).op(Op.i32_shl).i32_const(lo).op(Op.i32_add);
  f.op(Op.i64_extend_i32_u).i64_const(32).op(Op.i64_shl).i64_const(hi >>> 0).op(Op.i64_or).i64_store(PC_OFF);
  f.local_get(L_RET).local_get(L_M).op(Op.i32_add).local_get(L_TI).op(Op.i32_xor).local_get(L_TI).op(Op.i32_add).local_set(L_RET);
  f.end(); // $exit

  // Prologue: the registers the block uses; epilogue: the ones it writes, then the result.
  const pro = new WasmFn();
  const regPair = (fn: WasmFn, off: number, local: number): void => {
    loadPair(fn, off);
    fn.local_set(local);
  };
  // A GPR is a native little-endian i64 in the file (state.ts); LR and CTR are (hi, lo) pairs.
  // Only held GPRs: the others are read where used and written through (Emit.held).
  for (const r of e.used) if (e.holds(r)) pro.local_get(P_REGS).i64_load(8 * r).local_set(e.gprLocal(r));
  if (e.lr) regPair(pro, LR_OFF, L_LR);
  if (e.ctr) regPair(pro, CTR_OFF, L_CTR);
  if (e.cr) pro.local_get(P_REGS).i32_load(CR_OFF).local_set(L_CR);
  if (e.xer) pro.local_get(P_REGS).i32_load(XER_OFF).local_set(L_XER);
  for (const [n, local] of e.vsrLocal) loadVsr(pro, n, local);
  const epi = new WasmFn();
  for (const r of e.written) if (e.holds(r)) epi.local_get(P_REGS).local_get(e.gprLocal(r)).i64_store(8 * r);
  if (e.lrWritten) storePair(epi, LR_OFF, L_LR);
  if (e.ctrWritten) storePair(epi, CTR_OFF, L_CTR);
  if (e.crWritten) epi.local_get(P_REGS).local_get(L_CR).i32_store(CR_OFF);
  if (e.xerWritten) epi.local_get(P_REGS).local_get(L_XER).i32_store(XER_OFF);
  for (const n of e.vsrWritten) storeVsr(epi, n, e.vsrLocal.get(n)!);
  epi.local_get(L_RET);

  if ((e.v128 || e.fp) && e.localBase !== L_DYNAMIC_WIDE) throw new Error('wasm region: a row used the vector or FP scratch locals the pre-scan did not declare');
  const locals = [...new Array<number>(I32_LOCALS).fill(0x7f), ...new Array<number>(6).fill(0x7e)];
  // Vector and FP rows: three v128 scratch, eight f64 scratch (emit-fp.ts L_F64).
  if (e.localBase === L_DYNAMIC_WIDE) locals.push(0x7b, 0x7b, 0x7b, ...new Array<number>(8).fill(0x7c));
  locals.push(...e.extraTypes);
  // Start at label P_K, with m such that m + t counts from zero there.
  pro.local_get(P_K).local_set(L_P).i32_const(0).local_get(P_T).op(Op.i32_sub).local_set(L_M);
  const entry = functionEntry(locals, [pro.bytes.view(), f.bytes.view(), epi.bytes.view()]);
  const inst = new WebAssembly.Instance(new WebAssembly.Module(functionsModule(BLOCK_PARAMS, [entry], ['f'])), { e: { m: arena.memory } });
  const entries: number[] = [];
  for (let j = 1; j < len; j++) if (entered[j] === 1) entries.push(j);
  return { fn: inst.exports.f as WasmBlock['fn'], entry, labels, entries };
}

/**
 * A region's control flow within one call of its function, decoded once per compile: each word
 * runs on to the next (`falls`) unless it is an unconditional branch, and a branch may go to a word
 * inside (`target`). A call leaves the function; its return enters it anew at the return point.
 */
export class RegionFlow {
  readonly len: number;
  /** 1: word j runs on to j + 1. */
  readonly falls: Uint8Array;
  /** The word inside the region a branch at j goes to, or -1. */
  readonly target: Int32Array;
  /** 1: the function's dispatch enters word j (the entry, return points, backward jumps' targets). */
  readonly entered: Uint8Array;
  /** 1: a branch from a later word lands on j. */
  readonly backTarget: Uint8Array;
  /** The words that start a label, ascending: those the dispatch enters and every branch target inside. */
  readonly labels: number[] = [];

  constructor(
    readonly rows: readonly InsnRow[],
    readonly words: readonly number[],
    hi: number,
    lo: number,
  ) {
    const len = (this.len = words.length);
    this.falls = new Uint8Array(len);
    this.target = new Int32Array(len).fill(-1);
    this.entered = new Uint8Array(len);
    this.backTarget = new Uint8Array(len);
    this.entered[0] = 1;
    for (let j = 0; j < len; j++) {
      const row = rows[j];
      if (row.family !== 'branch') {
        if (j + 1 < len) this.falls[j] = 1;
        continue;
      }
      const w = words[j];
      if (j + 1 < len) {
        if (!branchAlways(row.name, w)) this.falls[j] = 1;
        if ((w & 1) !== 0) this.entered[j + 1] = 1; // a return point
      }
      const t = staticTarget(row.name, w, hi, (lo + 4 * j) | 0);
      if (t === null || t[0] !== hi || (t[1] & 3) !== 0) continue;
      const ti = ((t[1] - lo) | 0) >> 2;
      if (ti < 0 || ti >= len) continue;
      this.target[j] = ti;
      if (ti <= j) this.entered[ti] = 1; // dispatched to through $top
      if (ti < j) this.backTarget[ti] = 1;
    }
    const label = this.entered.slice();
    for (let j = 0; j < len; j++) if (this.target[j] >= 0) label[this.target[j]] = 1;
    for (let j = 0; j < len; j++) if (label[j] === 1) this.labels.push(j);
  }
}

/**
 * How many of a region's words to compile: up to the last one its code can reach from the entry
 * (falling through, a branch inside it, the return point after a call). A region is the 128 words
 * after a hot entry, and past a function's last return they are often the next function's, which
 * only a call (a region of its own) enters: 12-20% of the words of gofmt's and cpubench map's
 * regions, emitted, compiled by V8 and never run. Unreachable words between reachable ones stay.
 */
export function reachableLength(rows: readonly InsnRow[], words: readonly number[], hi: number, lo: number): number {
  const flow = new RegionFlow(rows, words, hi, lo);
  const len = flow.len;
  const seen = new Uint8Array(len);
  const stack = [0];
  seen[0] = 1;
  let last = 0;
  const visit = (j: number): void => {
    if (j < len && seen[j] === 0) {
      seen[j] = 1;
      stack.push(j);
    }
  };
  while (stack.length > 0) {
    const j = stack.pop()!;
    if (j > last) last = j;
    if (flow.falls[j] === 1) visit(j + 1);
    if (flow.target[j] >= 0) visit(flow.target[j]);
    if (rows[j].family === 'branch' && (words[j] & 1) !== 0) visit(j + 1);
  }
  return last + 1;
}

/**
 * Which words of a region can run more than once in one call of its function: those on a cycle
 * of its control flow (RegionFlow).
 */
export function loopWords(flow: RegionFlow): Uint8Array {
  const { len, falls, target, backTarget } = flow;
  const inLoop = new Uint8Array(len);
  // A word is on a cycle when, for some back edge u -> t, t reaches it and it reaches u. Plain
  // sweeps (this runs in cold code at every compile): forward edges settle in one ascending sweep
  // (descending for "reaches u"), and a sweep repeats only when a back edge marked a new word.
  const from = new Uint8Array(len);
  const to = new Uint8Array(len);
  for (let u = 0; u < len; u++) {
    const t = target[u];
    if (t < 0 || t > u) continue;
    from.fill(0);
    from[t] = 1;
    for (let again = true; again; ) {
      again = false;
      for (let j = 0; j < len; j++) {
        if (from[j] === 0) continue;
        if (falls[j] === 1) from[j + 1] = 1;
        const x = target[j];
        if (x >= 0 && from[x] === 0) {
          from[x] = 1;
          if (x < j) again = true;
        }
      }
    }
    to.fill(0);
    to[u] = 1;
    for (let again = true; again; ) {
      again = false;
      for (let j = len - 1; j >= 0; j--) {
        if (to[j] === 1) continue;
        const x = target[j];
        if ((falls[j] === 1 && to[j + 1] === 1) || (x >= 0 && to[x] === 1)) {
          to[j] = 1;
          if (backTarget[j] === 1) again = true;
        }
      }
    }
    for (let j = 0; j < len; j++) inLoop[j] |= from[j] & to[j];
  }
  return inLoop;
}

/**
 * The GPRs the words on a cycle (loopWords) may use: held in locals for the whole call (Emit.held).
 * Holding every GPR a region uses cost each call a load, a store and spills for registers its
 * path never touches: a region is a window of up to 128 words, most of them paths a given call
 * does not take, and 26 registers on a never-run path doubled a call's cost (28 -> 60 ns,
 * notes/cpu-performance.md "Round thirteen"). Registers on a loop stay in locals, where a
 * write-through store and a reload per pass would cost the loop (the tight loop: 3 -> 1.5 G/s).
 */
export function heldRegisters(flow: RegionFlow): Set<number> {
  const regs = new Set<number>();
  const inLoop = loopWords(flow);
  // The three register fields of every form, whether the row reads them as GPRs or not: holding
  // one more register is only the old cost, and emitting the words to learn theirs cost a fifth
  // of the compile time (cpubench map).
  for (let j = 0; j < flow.len; j++) {
    if (inLoop[j] === 0 || flow.rows[j].family === 'branch') continue;
    const w = flow.words[j];
    regs.add(rt(w)).add(ra(w)).add(rb(w));
  }
  return regs;
}

/** What the wrapper needs to run the instruction a block's slow path stopped at, by table slot. */
interface SlotInfo {
  rows: readonly InsnRow[];
  words: readonly number[];
  entryLo: number;
  /** The function's code entry until it is packed (packRegions). */
  entry: Uint8Array | undefined;
}
const slotInfo: Array<SlotInfo | undefined> = [];

/**
 * Regions compiled again together, this many to a module (packRegions). V8 gives every module a
 * code space of its own at a random address; with one region per module, 24% of chansieve's
 * samples in region code fell on a region function's first instructions (arriving there), 3% once
 * packed, and the bodies ran faster too (notes/cpu-performance.md, "Entering a region").
 * AIX_GDBSTUB_WASM_PACK overrides it (0: never pack).
 */
export const WASM_PACK_SIZE = 16;
/** Read at the first compile, not at import (a start-up snapshot imports the modules when built). */
let packSizeRead: number | undefined;
function packSize(): number {
  if (packSizeRead !== undefined) return packSizeRead;
  const v = typeof process === 'undefined' ? undefined : process.env.AIX_GDBSTUB_WASM_PACK;
  const n = v === undefined || v === '' ? WASM_PACK_SIZE : Number(v);
  return (packSizeRead = Number.isInteger(n) && n >= 2 ? n : 0);
}
/** Regions compiled since the last pack: (slot, its info then). */
const unpacked: Array<{ slot: number; info: SlotInfo }> = [];
let packedRegions = 0;

/** How many regions have been compiled again into a pack (for tests and measuring). */
export function wasmPackedRegions(): number {
  return packedRegions;
}

/**
 * Compile the regions of `unpacked` that are still live into one module and put its functions in
 * their table slots. The same Wasm code in another module: the guest sees no difference, so a
 * pack can happen at any point (here every packSize regions, a count of compiles, which
 * --deterministic runs repeat). A region dropped later frees its slot as before; the module lives
 * while any of its functions is in the table.
 */
function packRegions(): void {
  const live = unpacked.filter((u) => slotInfo[u.slot] === u.info);
  unpacked.length = 0;
  if (live.length < 2) return;
  let inst: WebAssembly.Instance;
  try {
    const bytes = functionsModule(
      BLOCK_PARAMS,
      live.map((u) => u.info.entry!),
      live.map((_u, k) => String(k)),
    );
    inst = new WebAssembly.Instance(new WebAssembly.Module(bytes), { e: { m: guestArena()!.memory } });
  } catch {
    return; // the regions keep their own modules
  }
  live.forEach((u, k) => {
    replaceTableSlot(u.slot, inst.exports[String(k)] as WasmBlock['fn']);
    u.info.entry = undefined;
  });
  packedRegions += live.length;
}

/**
 * The BlockFn for a Wasm block: runs it and the Wasm blocks it chains to (wasm/chain.ts); after
 * a slow-path exit, the one instruction that block stopped at, through its row's exec (PC is on
 * it; a throw is reported as a JS block reports it). Entering from JavaScript puts the block back
 * in the chain map when another block pushed it out, so the next chain finds it without leaving Wasm.
 * makeJs() builds the JS function, run when the register file,
 * the memory or the CPU has no place in the arena (or the CPU runs JS only: CpuOptions.wasm).
 * Null when the tier is off.
 */
export function wasmBlockFn(
  wasm: WasmBlock,
  makeJs: () => BlockFn,
  rows: readonly InsnRow[],
  words: readonly number[],
  entryHi: number,
  entryLo: number,
  len: number,
): { fn: BlockFn; slot: number } | null {
  const slot = tableSlotFor(wasm.fn);
  if (slot < 0) return null;
  const info: SlotInfo = { rows, words, entryLo, entry: wasm.entry };
  slotInfo[slot] = info;
  if (packSize() > 0) {
    unpacked.push({ slot, info });
    if (unpacked.length >= packSize()) packRegions();
  }
  let js: BlockFn | null = null;
  const fn = (s: CpuState, mem: GuestMemory, left: number, host: LoopHost): number => {
    const regs = s.regBase;
    const tlb = mem.tlbBase;
    const map = host.wasmChainMap;
    // A JS block has no segment checks: it cannot start with less than a whole pass (0: not run).
    // (offsets are unsigned: an `|` would read those past 2 GiB as absent)
    if (regs < 0 || tlb < 0 || map < 0) return left < len ? 0 : (js ??= makeJs())(s, mem, left, host);
    if (!chainMapHas(map, entryHi, entryLo)) chainMapInsert(map, entryHi, entryLo, slot, len);
    return finishChain(s, mem, host, runChain(slot, left, regs, tlb, map));
  };
  return { fn, slot };
}

/**
 * After runChain: its count, or after a slow-path exit the count with the instruction it stopped
 * at run through its row's exec (PC is on it); -1 when that threw (host.jitCount etc. as a JS
 * block reports it).
 */
export function finishChain(s: CpuState, mem: GuestMemory, host: LoopHost, r: number): number {
  if (r >= 0) return r;
  const n = ~r;
  const info = slotInfo[chainSlowSlot(host.wasmChainMap)]!;
  const spr = s.spr;
  const lo = spr[1];
  const at = (lo - info.entryLo) >>> 2;
  const w = info.words[at];
  try {
    info.rows[at].exec(s, mem, w);
  } catch (err) {
    host.jitCount = n;
    host.jitWord = w;
    host.jitError = err;
    return -1;
  }
  const next = (lo + 4) | 0;
  if (next === 0) spr[0] = (spr[0] + 1) | 0;
  spr[1] = next;
  return n + 1;
}

/**
 * Run from PC when the CPU's chain map knows it (a region's entry or the instruction after one of
 * its calls) and its block fits in `left`: where a run resumes after a host call, that is the
 * instruction after the call into libc, which would otherwise be interpreted up to the next
 * taken branch. Returns the count as a BlockFn does (0: nothing ran).
 */
export function runWasmAt(s: CpuState, mem: GuestMemory, host: LoopHost, left: number): number {
  const regs = s.regBase;
  const tlb = mem.tlbBase;
  const map = host.wasmChainMap;
  if (regs < 0 || tlb < 0 || map < 0) return 0;
  const e = chainMapFind(map, s.spr[0], s.spr[1]);
  if (e < 0 || chainMapField(e, 3) > left) return 0;
  return finishChain(s, mem, host, runChain(chainMapField(e, 2), left, regs, tlb, map, chainMapField(e, 4), chainMapField(e, 5)));
}

/** The block in `slot` is dead (its code changed): free the slot. */
export function releaseWasmBlock(slot: number): void {
  slotInfo[slot] = undefined;
  releaseTableSlot(slot);
}

