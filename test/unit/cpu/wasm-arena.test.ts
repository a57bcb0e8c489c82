// The guest arena is a shared WebAssembly.Memory: V8 counts an unshared one's 4 GiB as external
// memory and starts a memory-reducing full GC at the next allocation (arena.ts). The modules of
// the Wasm tier must import it with the same sharing, and JS views on it behave as before.
import { describe, expect, it } from 'vitest';
import { guestArena, memoryImportLimits } from '../../../src/cpu/wasm/arena.js';
import { Op, WasmFn, wasmModule } from '../../../src/cpu/wasm/encode.js';

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
    f.bytes.push(0x20, 0, 0x20, 0, 0x28, 2, 0, 0x41, 1, Op.i32_add, 0x36, 2, 4, 0x41, 0);
    const bytes = wasmModule(1, [], f.bytes);
    const inst = new WebAssembly.Instance(new WebAssembly.Module(bytes), { e: { m: arena.memory } });
    const view = new DataView(arena.buffer);
    view.setInt32(at, 41, true);
    (inst.exports.f as (a: number) => number)(at);
    expect(view.getInt32(at + 4, true)).toBe(42);
    expect(new TextDecoder().decode(arena.bytes.subarray(at, at + 1))).toBe(')');
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
