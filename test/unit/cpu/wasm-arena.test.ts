// The guest arena is a shared WebAssembly.Memory: V8 counts an unshared one's 4 GiB as external
// memory and starts a memory-reducing full GC at the next allocation (arena.ts). The modules of
// the Wasm tier must import it with the same sharing, and JS views on it behave as before.
import { describe, expect, it } from 'vitest';
import { CpuState } from '../../../src/cpu/state.js';
import { WASM_TIERING_BUDGET, guestArena, memoryImportLimits, wasmTieringBudget, withTieringBudget } from '../../../src/cpu/wasm/arena.js';
import { INTERP_TIERING_BUDGET } from '../../../src/cpu/wasm/interp.js';
import { Op, WasmFn, functionEntry, functionsModule } from '../../../src/cpu/wasm/encode.js';

describe('guest arena', () => {
  const arena = guestArena()!;

  it('is one shared 4 GiB memory whose buffer never changes', () => {
    expect(arena).not.toBeNull();
    expect(arena).toBe(guestArena());
    expect(arena.shared).toBe(true);
    expect(arena.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(arena.buffer.byteLength).toBe(2 ** 32);
    expect(arena.memory.buffer).toBe(arena.buffer);
    expect(memoryImportLimits()).toEqual([0x03, 1, 0x80, 0x80, 0x04]);
  });

  it('is what a module of the Wasm tier reads and writes, seen by the JS views', () => {
    const at = arena.allocSmall(64);
    expect(at).toBeGreaterThan(0);
    // f(a) = load32(a) + 1, stored back at a + 4.
    const f = new WasmFn();
    f.bytes.append([0x20, 0, 0x20, 0, 0x28, 2, 0, 0x41, 1, Op.i32_add, 0x36, 2, 4, 0x41, 0]);
    const bytes = functionsModule(1, [functionEntry([], [f.bytes.view()])], ['f']);
    const inst = new WebAssembly.Instance(new WebAssembly.Module(bytes), { e: { m: arena.memory } });
    const view = new DataView(arena.buffer);
    view.setInt32(at, 41, true);
    (inst.exports.f as (a: number) => number)(at);
    expect(view.getInt32(at + 4, true)).toBe(42);
    expect(new TextDecoder().decode(arena.bytes.subarray(at, at + 1))).toBe(')');
  });

  it('hands out zeroed blocks: fresh ones, and a freed one again (zeroed when it is freed)', () => {
    const size = 8192;
    const at = arena.allocSmall(size);
    expect(arena.bytes.subarray(at, at + size).every((b) => b === 0)).toBe(true);
    arena.bytes.fill(0xa5, at, at + size);
    arena.freeSmall_(at, size);
    const again = arena.allocSmall(size);
    expect(again).toBe(at); // the free list is last in, first out
    expect(arena.bytes.subarray(again, again + size).every((b) => b === 0)).toBe(true);
  });

  it('sets the regions\' tier-up budget, and another one only while the interpreter\'s module is made', () => {
    expect(wasmTieringBudget()).toBe(WASM_TIERING_BUDGET);
    expect(withTieringBudget(INTERP_TIERING_BUDGET, () => wasmTieringBudget())).toBe(INTERP_TIERING_BUDGET);
    expect(wasmTieringBudget()).toBe(WASM_TIERING_BUDGET);
    expect(() =>
      withTieringBudget(1234, () => {
        throw new Error('make failed');
      }),
    ).toThrow('make failed');
    expect(wasmTieringBudget()).toBe(WASM_TIERING_BUDGET);
  });

  it('holds each GPR as a native little-endian int64 at 8n, the form the Wasm tier loads with no rotate', () => {
    const s = new CpuState();
    expect(s.regBase).toBeGreaterThan(0);
    const view = new DataView(arena.buffer);
    for (const n of [0, 1, 5, 31]) {
      const v = 0x8877665544332211n + BigInt(n);
      s.setGpr(n, v);
      expect(view.getBigUint64(s.regBase + 8 * n, true)).toBe(v);
      view.setBigUint64(s.regBase + 8 * n, v ^ 0xff00000000000001n, true);
      expect(BigInt.asUintN(64, s.getGpr(n))).toBe(v ^ 0xff00000000000001n);
      // The interpreter's halves: low word first.
      expect(s.gpr[2 * n] >>> 0).toBe(Number((v ^ 1n) & 0xffffffffn));
      expect(s.gpr[2 * n + 1] >>> 0).toBe(Number(((v ^ 0xff00000000000000n) >> 32n) & 0xffffffffn));
    }
  });
});

describe('Wasm encoder', () => {
  it('i64_const_words encodes as i64_const of the same 64-bit value (PC constants without BigInt)', () => {
    const words = [0, 1, -1, 0x3f, 0x40, 0x7f, 0x80, 0x7fffffff, -0x80000000, 0x12345678, -0x12345678, 0xffff, 0x10000];
    for (let k = 0; k < 200; k++) words.push((Math.random() * 2 ** 32) | 0);
    for (const high of words) {
      for (const low of words.slice(0, 40)) {
        const a = new WasmFn().i64_const_words(high, low).bytes;
        const b = new WasmFn().i64_const(BigInt.asIntN(64, (BigInt(high) << 32n) | BigInt(low >>> 0))).bytes;
        expect(a, `${high} ${low}`).toEqual(b);
      }
    }
  });
});
