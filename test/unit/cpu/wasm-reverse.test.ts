// wasm/reverse.ts: the in-place byte reversal bulk copies into guest pages use (memory.ts
// copyReversed). Every length around its 16- and 32-byte steps and every alignment give what
// TypedArray.prototype.reverse gives, nothing outside the range changes, and memory outside the
// arena is left to the caller.
import { describe, expect, it } from 'vitest';
import { guestArena } from '../../../src/cpu/wasm/arena.js';
import { reverseInArena } from '../../../src/cpu/wasm/reverse.js';
import { GuestMemory, PROT_READ, PROT_WRITE } from '../../../src/cpu/memory.js';

describe('byte reversal in the guest arena', () => {
  const arena = guestArena()!;
  const at = arena.allocPage();

  it('reverses every length from 0 to 300 at every alignment mod 16, in place and nowhere else', () => {
    const page = arena.bytes.subarray(at, at + 65536);
    for (let n = 0; n <= 300; n++) {
      for (let align = 0; align < 16; align++) {
        for (let i = 0; i < 400; i++) page[i] = (i * 37 + n + align) & 0xff;
        const want = page.slice(0, 400);
        want.subarray(align + 8, align + 8 + n).reverse();
        expect(reverseInArena(page.subarray(align + 8, align + 8 + n))).toBe(true);
        expect(Buffer.from(page.subarray(0, 400)).equals(Buffer.from(want)), `n=${n} align=${align}`).toBe(true);
      }
    }
  });

  it('reverses a whole page', () => {
    const page = arena.bytes.subarray(at, at + 65536);
    for (let i = 0; i < page.length; i++) page[i] = (i * 7919) >>> 3;
    const want = page.slice().reverse();
    expect(reverseInArena(page)).toBe(true);
    expect(Buffer.from(page).equals(Buffer.from(want))).toBe(true);
  });

  it('leaves bytes outside the arena alone (the caller reverses them)', () => {
    const b = new Uint8Array([1, 2, 3]);
    expect(reverseInArena(b)).toBe(false);
    expect([...b]).toEqual([1, 2, 3]);
  });

  it('a large write and read of guest memory round-trip through it', () => {
    const mem = new GuestMemory();
    mem.map(0x10000n, 0x40000n, PROT_READ | PROT_WRITE);
    const data = new Uint8Array(200_003);
    for (let i = 0; i < data.length; i++) data[i] = (i * 131) >>> 2;
    expect(mem.writeBytes(0x10005n, data)).toBe(data.length);
    expect(Buffer.from(mem.readBytes(0x10005n, data.length)).equals(Buffer.from(data))).toBe(true);
    // Big-endian words as the CPU sees them.
    expect(mem.readU32(0x10005n)).toBe(((data[0]! << 24) | (data[1]! << 16) | (data[2]! << 8) | data[3]!) >>> 0);
    expect(mem.readU32(0x10005n + 100_000n)).toBe(((data[100_000]! << 24) | (data[100_001]! << 16) | (data[100_002]! << 8) | data[100_003]!) >>> 0);
  });
});
