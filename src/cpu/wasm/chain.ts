// Block-to-block execution inside WebAssembly. Go code enters a block every 6-8 instructions,
// and a call from JavaScript into Wasm per block costs more than the block itself
// (notes/cpu-performance.md). So every Wasm block function sits in one function table, each CPU
// keeps a map from guest entry address to table index in the arena (its "chain map", 2-way set
// associative), and one Wasm loop (the chain function) calls block after block through
// call_indirect: after each block it reads the PC, looks it up and, while the budget covers the
// next block's length, calls it. It returns to JavaScript when the next address is not in the map
// (not compiled, compiled to JS, or pushed out of its set: the wrapper in compiler.ts puts a
// block back when JavaScript enters it), when the budget is short, or when a block left through
// its slow path (the wrapper then runs that instruction).
//
// The map holds only live blocks: Cpu removes a block's entries before it marks the block dead.
//
// A next address in the CPU's host-call range (its first one, kept in the map's status words) is
// offered to the running CPU's host-call hook (Cpu.hostCallHook, through `e.q`) while a budget
// unit is left: answered, the call counts one unit and the loop goes on at its return address
// without leaving Wasm (Cpu.run takes the units out of the instructions it reports).
import { Op, WasmFn, chainModule } from './encode.js';
import { guestArena } from './arena.js';

/**
 * Sets in a CPU's chain map: two ways of 16 bytes each (hi, lo, table slot, then len | label
 * index << 10 | its word index << 20), the most recently inserted first. Go's runtime has a few
 * thousand hot entry points spread over a megabyte of text: a 1024-entry direct-mapped map lost a
 * third of all block transitions to conflicts (chansieve 1000: 35 M of 50 M returns to
 * JavaScript). Entries are packed because the chain loop's lookup missed the host's caches.
 */
const SETS = 4096;
const SET_SHIFT = 5;
const WAY = 4; // words
/** Byte offsets in a map entry (after hi, lo): its table slot, and len | label << 10 | word << 20. */
export const ENTRY_SLOT = 8;
export const ENTRY_PACKED = 12;
export const ENTRY_FIELD_BITS = 10;
/** Regions are at most this long (and have at most this many labels) to fit an entry. */
export const ENTRY_FIELD_MAX = (1 << ENTRY_FIELD_BITS) - 1;
const STATUS_OFF = SETS << SET_SHIFT;
export const CHAIN_MAP_BYTES = STATUS_OFF + 65536;
/** Parameters of a block function: budget, register file, TLB, start label and its word index. */
export const BLOCK_PARAMS = 5;
/** Parameters of the chain function (runChain). */
export const CHAIN_PARAMS = 7;
/** An empty entry's lo: never a 4-aligned PC. */
const EMPTY_LO = 1;

/** Byte offsets in the status words: the host-call range's hi, start lo and end lo (unsigned). */
const QUICK_HI = STATUS_OFF + 4;
const QUICK_START = STATUS_OFF + 8;
const QUICK_END = STATUS_OFF + 12;

/** Answers the host call at the running thread's PC (1) or not (0): the CPU running now, if any. */
let quickCall: (() => number) | null = null;
const quickImport = (): number => (quickCall === null ? 0 : quickCall());

/** The CPU that runs next answers host calls through `answer` (null: none is answered in Wasm). */
export function setChainQuickCall(answer: (() => number) | null): void {
  quickCall = answer;
}

/** Host calls at [hi:startLo, hi:endLo) go to the hook (one range per CPU; JS sees the others). */
export function chainMapHostCalls(map: number, hi: number, startLo: number, endLo: number): void {
  const w = words;
  w[(map + QUICK_HI) >>> 2] = hi;
  w[(map + QUICK_START) >>> 2] = startLo;
  w[(map + QUICK_END) >>> 2] = endLo;
}

let table: WebAssembly.Table | null = null;
let chainFn: ((idx: number, left: number, regs: number, tlb: number, map: number, k: number, t: number) => number) | null = null;
const freeSlots: number[] = [];
/** The whole arena as int32 (its buffer never detaches). */
let words: Int32Array = new Int32Array(0);
let nextSlot = 0;

function setup(): boolean {
  if (chainFn !== null) return true;
  const arena = guestArena();
  if (arena === null) return false;
  table = new WebAssembly.Table({ initial: 256, element: 'anyfunc' });
  // params: 0 idx, 1 left, 2 regs, 3 tlb, 4 map, 5 k, 6 t (where the first block starts); locals: 7 n, 8 c, 9 lo, 10 e, 11 hi, 12 the PC as i64
  const f = new WasmFn();
  const K = 5;
  const T = 6;
  const N = 7;
  const C = 8;
  const LO = 9;
  const E = 10;
  const HI = 11;
  const PC64 = 12;
  f.loop(); // one block call per pass
  f.local_get(1).local_get(N).op(Op.i32_sub).local_get(2).local_get(3).local_get(K).local_get(T).local_get(0).call_indirect(0).local_tee(C);
  f.i32_const(0).op(Op.i32_lt_s).if_();
  // slow-path exit: the block's index in the status word; ~(count before its instruction)
  f.local_get(4).local_get(0).i32_store(STATUS_OFF);
  f.local_get(C).i32_const(1).op(Op.i32_add).local_get(N).op(Op.i32_sub).return_();
  f.end();
  f.local_get(N).local_get(C).op(Op.i32_add).local_set(N);
  f.loop(); // the lookup, again after a host call answered in place
  // PC as the one i64 the block stored (hi at regs+256, lo after it): reading its halves with two
  // i32 loads cost the loop a store-forwarding stall (a call and return between two tiny regions:
  // 37 -> 29-31 ns, notes/cpu-performance.md "Transitions, cold compiles and warm processes").
  f.local_get(2).i64_load(256).local_tee(PC64).op(Op.i32_wrap_i64).local_set(HI);
  f.local_get(PC64).i64_const(32).op(Op.i64_shr_u).op(Op.i32_wrap_i64).local_set(LO);
  findEntry(f, 4, HI, LO, E, () => {
    // A host call with a unit left, answered by the hook: count it, look up the return address.
    f.local_get(HI).local_get(4).i32_load(QUICK_HI).op(Op.i32_eq);
    f.local_get(LO).local_get(4).i32_load(QUICK_START).op(Op.i32_ge_u).op(Op.i32_and);
    f.local_get(LO).local_get(4).i32_load(QUICK_END).op(Op.i32_lt_u).op(Op.i32_and);
    f.local_get(N).local_get(1).op(Op.i32_lt_s).op(Op.i32_and);
    f.if_();
    f.call(0);
    f.if_();
    f.local_get(N).i32_const(1).op(Op.i32_add).local_set(N);
    f.br(4); // the two ifs here, findEntry's two, then the lookup loop
    f.end();
    f.end();
    f.local_get(N).return_();
  });
  f.end();
  // leave unless the block fits in the budget
  f.local_get(E).i32_load(ENTRY_PACKED).i32_const(ENTRY_FIELD_MAX).op(Op.i32_and).local_get(1).local_get(N).op(Op.i32_sub).op(Op.i32_gt_s);
  f.if_();
  f.local_get(N).return_();
  f.end();
  f.local_get(E).i32_load(ENTRY_SLOT).local_set(0);
  f.local_get(E).i32_load(ENTRY_PACKED).i32_const(ENTRY_FIELD_BITS).op(Op.i32_shr_u).i32_const(ENTRY_FIELD_MAX).op(Op.i32_and).local_set(K);
  f.local_get(E).i32_load(ENTRY_PACKED).i32_const(2 * ENTRY_FIELD_BITS).op(Op.i32_shr_u).local_set(T);
  f.br(0);
  f.end();
  f.i32_const(0); // not reached (the loop only leaves by return)
  const bytes = chainModule(BLOCK_PARAMS, [0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x7e], f.bytes.view());
  const inst = new WebAssembly.Instance(new WebAssembly.Module(bytes), { e: { m: arena.memory, t: table, q: quickImport } });
  chainFn = inst.exports.f as unknown as typeof chainFn;
  words = new Int32Array(arena.buffer);
  return true;
}

/**
 * Emit the chain map lookup: E = the entry of the map at local `map` that holds (local hi, local
 * lo), way 0 first; when neither way holds it, `miss` runs inside two `if`s (it must leave).
 */
export function findEntry(f: WasmFn, map: number, hi: number, lo: number, e: number, miss: () => void): void {
  /** i32 on the stack: the entry at E does not hold (hi, lo). */
  const misses = (): void => {
    f.local_get(e).i32_load(4).local_get(lo).op(Op.i32_ne);
    f.local_get(e).i32_load(0).local_get(hi).op(Op.i32_ne).op(Op.i32_or);
  };
  f.local_get(lo).i32_const(2).op(Op.i32_shr_u).i32_const(SETS - 1).op(Op.i32_and).i32_const(SET_SHIFT).op(Op.i32_shl);
  f.local_get(map).op(Op.i32_add).local_set(e);
  misses();
  f.if_();
  f.local_get(e).i32_const(4 * WAY).op(Op.i32_add).local_set(e);
  misses();
  f.if_();
  miss();
  f.end();
  f.end();
}

/**
 * The chain function, for a module that imports it (wasm/interp.ts): `(idx, left, regs, tlb, map,
 * k, t) -> count` as runChain below; null without the arena.
 */
export function chainFunction(): WebAssembly.ExportValue | null {
  return setup() ? (chainFn as unknown as WebAssembly.ExportValue) : null;
}

/** Put a block function in the table; its index (or -1 when the tier is off). */
export function tableSlotFor(fn: (left: number, regs: number, tlb: number, k: number, t: number) => number): number {
  if (!setup()) return -1;
  const t = table!;
  const slot = freeSlots.pop() ?? nextSlot++;
  if (slot >= t.length) t.grow(Math.max(256, t.length));
  t.set(slot, fn as unknown as WebAssembly.ExportValue);
  return slot;
}

/** Table slots holding a block (for tests: slots come back when blocks die or their CPU is collected). */
export function liveTableSlots(): number {
  return nextSlot - freeSlots.length;
}

/** The same block, compiled again (wasm/compiler.ts packRegions). */
export function replaceTableSlot(slot: number, fn: (left: number, regs: number, tlb: number, k: number, t: number) => number): void {
  table!.set(slot, fn as unknown as WebAssembly.ExportValue);
}

/** The block is dead: its slot can hold another block. */
export function releaseTableSlot(slot: number): void {
  table!.set(slot, null as unknown as WebAssembly.ExportValue);
  freeSlots.push(slot);
}

/** A new, empty chain map for one CPU (arena offset), or -1 when the tier is off. */
export function newChainMap(): number {
  const arena = guestArena();
  if (arena === null || !setup()) return -1;
  const at = arena.allocSmall(CHAIN_MAP_BYTES);
  if (at < 0) return -1;
  // Every word of every entry, not only the lo words: an entry holds (hi, lo) only when lo is a PC
  // (4-aligned), so EMPTY_LO marks it empty whatever its other words hold. One fill instead of
  // 8,192 stores in cold code (0.96 ms of each CPU's start in hello's profiles).
  words.fill(EMPTY_LO, at >>> 2, (at + STATUS_OFF) >>> 2);
  chainMapHostCalls(at, 0, 0, 0); // no host-call range (arena blocks are reused)
  return at;
}

/** Word index of the set (hi, lo) belongs to. */
const setOf = (map: number, lo: number): number => (map + (((lo >>> 2) & (SETS - 1)) << SET_SHIFT)) >>> 2;

/**
 * (hi, lo) enters the block in `slot` at label k (word index t); len bounds its pass. The entry
 * goes first in its set, the other way keeps the previous first one.
 */
export function chainMapInsert(map: number, hi: number, lo: number, slot: number, len: number, k = 0, t = 0): void {
  if (len > ENTRY_FIELD_MAX || k > ENTRY_FIELD_MAX || t > ENTRY_FIELD_MAX) return; // not reachable from Wasm; JS enters it
  const w = words;
  const e = setOf(map, lo);
  if (w[e + 1] !== lo || w[e] !== hi) w.copyWithin(e + WAY, e, e + WAY);
  w[e] = hi;
  w[e + 1] = lo;
  w[e + ENTRY_SLOT / 4] = slot;
  w[e + ENTRY_PACKED / 4] = len | (k << ENTRY_FIELD_BITS) | (t << (2 * ENTRY_FIELD_BITS));
}

/** Is (hi, lo) in the map (either way)? */
export function chainMapHas(map: number, hi: number, lo: number): boolean {
  return chainMapFind(map, hi, lo) >= 0;
}

export function chainMapRemove(map: number, hi: number, lo: number): void {
  const e = chainMapFind(map, hi, lo);
  if (e >= 0) words[e + 1] = EMPTY_LO;
}

/**
 * Run from block `slot` (see the file comment). Returns the instructions completed, or ~count
 * when a block left through its slow path: chainSlowSlot then gives that block's table slot.
 */
export function runChain(slot: number, left: number, regs: number, tlb: number, map: number, k = 0, t = 0): number {
  return chainFn!(slot, left, regs, tlb, map, k, t);
}

/** The map entry for (hi, lo) as an int32 index into the arena, or -1 (chainMapField reads it). */
export function chainMapFind(map: number, hi: number, lo: number): number {
  const w = words;
  const e = setOf(map, lo);
  if (w[e + 1] === lo && w[e] === hi) return e;
  if (w[e + WAY + 1] === lo && w[e + WAY] === hi) return e + WAY;
  return -1;
}

/** Field `at` (2 slot, 3 len, 4 label, 5 word) of the entry chainMapFind gave. */
export function chainMapField(entry: number, at: number): number {
  if (at === 2) return words[entry + ENTRY_SLOT / 4];
  const packed = words[entry + ENTRY_PACKED / 4];
  return at === 3 ? packed & ENTRY_FIELD_MAX : at === 4 ? (packed >>> ENTRY_FIELD_BITS) & ENTRY_FIELD_MAX : packed >>> (2 * ENTRY_FIELD_BITS);
}

/** After runChain returned ~count: the table slot of the block that left through its slow path. */
export function chainSlowSlot(map: number): number {
  return words[(map + STATUS_OFF) >>> 2];
}
