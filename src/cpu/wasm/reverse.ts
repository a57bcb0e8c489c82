// Byte reversal of a range of the guest arena, 16 bytes at a time with a SIMD shuffle. Guest pages
// are stored byte-reversed (memory.ts), so every bulk copy into them reverses: the loader copies
// a whole program image (18.6 MB of text for cmd/compile), and TypedArray.prototype.reverse does
// about 0.6 GB/s here (32 ms of that program's start) where this does several GB/s.
import { Op, WasmFn, functionEntry, functionsModule } from './encode.js';
import { guestArena } from './arena.js';
import { Simd, shuffle, simdMem, simdSupported } from './simd.js';

const REVERSED_LANES = [15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0];

/** `r(lo, n)`: reverses the n bytes at arena offset lo in place. */
function reverseFunction(): Uint8Array {
  const LO = 0;
  const N = 1;
  const HI = 2;
  const A = 3;
  const B = 4;
  const T = 5;
  const f = new WasmFn();
  f.local_get(LO).local_get(N).op(Op.i32_add).local_set(HI);
  // Both ends 16 bytes at a time while at least 32 bytes lie between them.
  f.block().loop();
  f.local_get(HI).local_get(LO).op(Op.i32_sub).i32_const(32).op(Op.i32_lt_u).br_if(1);
  f.local_get(HI).i32_const(16).op(Op.i32_sub).local_set(HI);
  f.local_get(LO);
  simdMem(f, Simd.v128_load, 0);
  f.local_set(A);
  f.local_get(HI);
  simdMem(f, Simd.v128_load, 0);
  f.local_set(B);
  f.local_get(LO).local_get(B).local_get(B);
  shuffle(f, REVERSED_LANES);
  simdMem(f, Simd.v128_store, 0);
  f.local_get(HI).local_get(A).local_get(A);
  shuffle(f, REVERSED_LANES);
  simdMem(f, Simd.v128_store, 0);
  f.local_get(LO).i32_const(16).op(Op.i32_add).local_set(LO);
  f.br(0).end().end();
  // The middle (under 32 bytes) a byte pair at a time.
  f.block().loop();
  f.local_get(HI).local_get(LO).op(Op.i32_sub).i32_const(2).op(Op.i32_lt_s).br_if(1);
  f.local_get(HI).i32_const(1).op(Op.i32_sub).local_set(HI);
  f.local_get(LO).i32_load8_u(0).local_set(T);
  f.local_get(LO).local_get(HI).i32_load8_u(0).i32_store8(0);
  f.local_get(HI).local_get(T).i32_store8(0);
  f.local_get(LO).i32_const(1).op(Op.i32_add).local_set(LO);
  f.br(0).end().end();
  f.i32_const(0);
  return functionEntry([0x7f, 0x7b, 0x7b, 0x7f], [f.bytes.view()]);
}

let reverser: ((lo: number, n: number) => number) | null | undefined;

/**
 * Reverses `bytes` in place when it lies in the guest arena and the host has Wasm SIMD; false
 * (nothing done) otherwise, for the caller's TypedArray reverse.
 */
export function reverseInArena(bytes: Uint8Array): boolean {
  const arena = guestArena();
  if (arena === null || bytes.buffer !== arena.buffer) return false;
  if (reverser === undefined) {
    reverser = null;
    if (simdSupported()) {
      const inst = new WebAssembly.Instance(new WebAssembly.Module(functionsModule(2, [reverseFunction()], ['r'])), { e: { m: arena.memory } });
      reverser = inst.exports.r as (lo: number, n: number) => number;
    }
  }
  if (reverser === null) return false;
  reverser(bytes.byteOffset, bytes.length);
  return true;
}
