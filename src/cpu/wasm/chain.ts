// Block-to-block execution inside WebAssembly. Go code enters a block every 6-8 instructions,
// and a call from JavaScript into Wasm per block costs more than the block itself
// (notes/cpu-performance.md). So every Wasm block function sits in one function table, each CPU
// keeps a small direct-mapped map from guest entry address to table index in the arena (its
// "chain map"), and one Wasm loop (the chain function) calls block after block through
// call_indirect: after each block it reads the PC, looks it up and, while the budget covers the
// next block's length, calls it. It returns to JavaScript when the next address is not in the map
// (not compiled, evicted, or compiled to JS: jit/chain.ts then counts heat and carries on), when
// the budget is short, or when a block left through its slow path (the wrapper in compiler.ts
// then runs that instruction).
//
// The map holds only live blocks: Cpu removes a block's entry before it marks the block dead.
import { Op, WasmFn, chainModule } from './encode.js';
import { guestArena } from './arena.js';

/**
 * Entries in a CPU's chain map (32 bytes each: hi, lo, table slot, len, label index, its word
 * index), then the status words.
 */
const MAP_ENTRIES = 1024;
const ENTRY_SHIFT = 5;
export const CHAIN_MAP_BYTES = 65536;
const STATUS_OFF = MAP_ENTRIES << ENTRY_SHIFT;
/** Parameters of a block function: budget, register file, TLB, start label and its word index. */
export const BLOCK_PARAMS = 5;
/** An empty entry's lo: never a 4-aligned PC. */
const EMPTY_LO = 1;

let table: WebAssembly.Table | null = null;
let chainFn: ((idx: number, left: number, regs: number, tlb: number, map: number) => number) | null = null;
const freeSlots: number[] = [];
let nextSlot = 0;

function setup(): boolean {
  if (chainFn !== null) return true;
  const arena = guestArena();
  if (arena === null) return false;
  table = new WebAssembly.Table({ initial: 256, element: 'anyfunc' });
  // params: 0 idx, 1 left, 2 regs, 3 tlb, 4 map; locals: 5 n, 6 c, 7 lo, 8 e, 9 k, 10 t
  const f = new WasmFn();
  const N = 5;
  const C = 6;
  const LO = 7;
  const E = 8;
  const K = 9;
  const T = 10;
  f.loop();
  f.local_get(1).local_get(N).op(Op.i32_sub).local_get(2).local_get(3).local_get(K).local_get(T).local_get(0).call_indirect(0).local_tee(C);
  f.i32_const(0).op(Op.i32_lt_s).if_();
  // slow-path exit: status 1 and the block's index; the count before its instruction
  f.local_get(4).i32_const(1).i32_store(STATUS_OFF);
  f.local_get(4).local_get(0).i32_store(STATUS_OFF + 4);
  f.local_get(N).i32_const(-2).local_get(C).op(Op.i32_sub).op(Op.i32_add).return_();
  f.end();
  f.local_get(N).local_get(C).op(Op.i32_add).local_set(N);
  f.local_get(2).i32_load(256 + 4).local_set(LO);
  f.local_get(LO).i32_const(2).op(Op.i32_shr_u).i32_const(MAP_ENTRIES - 1).op(Op.i32_and).i32_const(ENTRY_SHIFT).op(Op.i32_shl);
  f.local_get(4).op(Op.i32_add).local_set(E);
  // leave (status 0) unless the entry matches the PC and its block fits in the budget
  f.local_get(E).i32_load(4).local_get(LO).op(Op.i32_ne);
  f.local_get(E).i32_load(0).local_get(2).i32_load(256).op(Op.i32_ne).op(Op.i32_or);
  f.local_get(E).i32_load(12).local_get(1).local_get(N).op(Op.i32_sub).op(Op.i32_gt_s).op(Op.i32_or);
  f.if_();
  f.local_get(4).i32_const(0).i32_store(STATUS_OFF);
  f.local_get(N).return_();
  f.end();
  f.local_get(E).i32_load(8).local_set(0);
  f.local_get(E).i32_load(16).local_set(K);
  f.local_get(E).i32_load(20).local_set(T);
  f.br(0);
  f.end();
  f.i32_const(0); // not reached (the loop only leaves by return)
  const bytes = chainModule(BLOCK_PARAMS, [0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f], f.bytes);
  const inst = new WebAssembly.Instance(new WebAssembly.Module(bytes), { e: { m: arena.memory, t: table } });
  chainFn = inst.exports.f as unknown as typeof chainFn;
  return true;
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
  const words = new Int32Array(arena.buffer, at, MAP_ENTRIES * 8);
  for (let k = 0; k < MAP_ENTRIES; k++) words[8 * k + 1] = EMPTY_LO;
  return at;
}

function entryOf(map: number, lo: number): Int32Array {
  const at = map + (((lo >>> 2) & (MAP_ENTRIES - 1)) << ENTRY_SHIFT);
  return new Int32Array(guestArena()!.buffer, at, 6);
}

/** (hi, lo) enters the block in `slot` at label k (word index t); len bounds its pass. */
export function chainMapInsert(map: number, hi: number, lo: number, slot: number, len: number, k = 0, t = 0): void {
  const e = entryOf(map, lo);
  e[0] = hi;
  e[1] = lo;
  e[2] = slot;
  e[3] = len;
  e[4] = k;
  e[5] = t;
}

export function chainMapRemove(map: number, hi: number, lo: number): void {
  const e = entryOf(map, lo);
  if (e[0] === hi && e[1] === lo) e[1] = EMPTY_LO;
}

/** Run from block `slot` (see the file comment); the count, and status() says why it stopped. */
export function runChain(slot: number, left: number, regs: number, tlb: number, map: number): number {
  return chainFn!(slot, left, regs, tlb, map);
}

let status32: Int32Array | null = null;
/** After runChain: the table slot of the block that left through its slow path, or -1. */
export function slowSlot(map: number): number {
  const buf = guestArena()!.buffer;
  if (status32 === null || status32.buffer !== buf) status32 = new Int32Array(buf);
  const at = (map + STATUS_OFF) >> 2;
  return status32[at] === 1 ? status32[at + 1] : -1;
}
