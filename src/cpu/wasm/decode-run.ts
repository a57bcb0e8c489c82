// Decoding a run of instruction words into a code page's slots, in WebAssembly. decodeSlot
// (cpu.ts) decodes the words after the one asked for as well, and that loop ran as cold
// JavaScript in every process (a typed-array access through an inline cache per word; hello
// decodes tens of thousands of words, cmd/compile hundreds of thousands). Here it is one Wasm
// loop over the page's storage in the arena, on decode.ts's own tables: the same id for every
// word (test/unit/cpu/wasm-decode-run.test.ts checks it against decodeRow).
import { Op, WasmFn, functionEntry, functionsModule } from './encode.js';
import { guestArena } from './arena.js';
import { decodeFields } from '../decode.js';

/** Layout of the tables in the arena: shift (u8 x 64), mask (i32 x 64), base (i32 x 64), then the ids (i32). */
const SHIFT = 0;
const MASK = 64;
const BASE = 320;
const IDS = 576;
const TABLE_BYTES = 65536;
/** A code page's words lie this far after its ids (run.ts CodePage). */
const WORDS_AFTER_IDS = 65536;

/**
 * `d(src, dst, n, tab) -> k`: for k from 0 while k < n and the slot at dst + 4k is 0 (undecoded):
 * the word whose byte-reversed storage is at src - 4k (guest order runs downwards in a reversed
 * page) is decoded with the tables at arena offset tab; its id goes to dst + 4k, the word to
 * dst + 4k + WORDS_AFTER_IDS. Stops early at a word of a primary opcode without a single-field
 * table.
 */
function decodeFunction(): Uint8Array {
  const SRC = 0;
  const DST = 1;
  const N = 2;
  const TAB = 3;
  const K = 4;
  const W = 5;
  const PO = 6;
  const M = 7;
  const f = new WasmFn();
  f.block().loop();
  f.local_get(K).local_get(N).op(Op.i32_ge_u).br_if(1);
  f.local_get(DST).i32_load(0).br_if(1);
  f.local_get(SRC).i32_load(0).local_set(W);
  f.local_get(W).i32_const(26).op(Op.i32_shr_u).local_set(PO);
  f.local_get(TAB).local_get(PO).i32_const(2).op(Op.i32_shl).op(Op.i32_add).i32_load(MASK).local_set(M);
  f.local_get(M).i32_const(0).op(Op.i32_lt_s).br_if(1);
  // ids[base[po] + ((w >>> shift[po]) & mask)]
  f.local_get(DST);
  f.local_get(TAB);
  f.local_get(TAB).local_get(PO).i32_const(2).op(Op.i32_shl).op(Op.i32_add).i32_load(BASE);
  f.local_get(W).local_get(TAB).local_get(PO).op(Op.i32_add).i32_load8_u(SHIFT).op(Op.i32_shr_u).local_get(M).op(Op.i32_and);
  f.op(Op.i32_add).i32_const(2).op(Op.i32_shl).op(Op.i32_add).i32_load(IDS);
  f.i32_store(0);
  f.local_get(DST).local_get(W).i32_store(WORDS_AFTER_IDS);
  f.local_get(SRC).i32_const(4).op(Op.i32_sub).local_set(SRC);
  f.local_get(DST).i32_const(4).op(Op.i32_add).local_set(DST);
  f.local_get(K).i32_const(1).op(Op.i32_add).local_set(K);
  f.br(0).end().end();
  f.local_get(K);
  return functionEntry([0x7f, 0x7f, 0x7f, 0x7f], [f.bytes.view()]);
}

export type RunDecoder = (src: number, dst: number, n: number) => number;

/** The function's code and the tables' bytes: the same in every process, made once (prepareRunDecoder). */
let prepared: { entry: Uint8Array; tables: Uint8Array } | null = null;

/**
 * Make the decoder's code and its tables for slot ids idOfRow gives (the same for every
 * CPU: run.ts rowIds) and `illegal` for an illegal word: the start-up snapshot's builder calls it,
 * so a run only copies them (filling the tables took 2.3 ms of hello's cold start).
 */
export function prepareRunDecoder(idOfRow: Int32Array, illegal: number): { entry: Uint8Array; tables: Uint8Array } | null {
  if (prepared !== null) return prepared;
  const fields = decodeFields();
  let entries = 0;
  for (const t of fields) entries += t.slots?.length ?? 0;
  if (IDS + 4 * entries > TABLE_BYTES) return null;
  const tables = new Uint8Array(TABLE_BYTES);
  const view = new DataView(tables.buffer);
  let next = 0;
  fields.forEach((t, po) => {
    view.setUint8(SHIFT + po, t.shift);
    view.setInt32(MASK + 4 * po, t.mask, true);
    view.setInt32(BASE + 4 * po, next, true);
    if (t.slots === null) return;
    for (let k = 0; k < t.slots.length; k++) {
      const row = t.slots[k]!;
      view.setInt32(IDS + 4 * (next + k), row < 0 ? illegal : idOfRow[row]!, true);
    }
    next += t.slots.length;
  });
  prepared = { entry: decodeFunction(), tables };
  return prepared;
}

let decoder: RunDecoder | null | undefined;

/** The run decoder (prepareRunDecoder's arguments), or null without the arena; made once per process. */
export function runDecoder(idOfRow: Int32Array, illegal: number): RunDecoder | null {
  if (decoder !== undefined) return decoder;
  decoder = null;
  const arena = guestArena();
  const made = arena === null ? null : prepareRunDecoder(idOfRow, illegal);
  if (arena === null || made === null) return null;
  const tab = arena.allocSmall(TABLE_BYTES);
  if (tab < 0) return null;
  arena.bytes.set(made.tables, tab);
  // The module is made here: its memory import says whether the arena is shared, the run's fact.
  const inst = new WebAssembly.Instance(new WebAssembly.Module(functionsModule(4, [made.entry], ['d'])), { e: { m: arena.memory } });
  const d = inst.exports.d as (src: number, dst: number, n: number, tab: number) => number;
  decoder = (src, dst, n) => d(src, dst, n, tab);
  return decoder;
}
