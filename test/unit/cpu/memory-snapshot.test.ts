import { describe, expect, it } from 'vitest';
import { GuestMemory, PAGE_SIZE, PROT_READ, PROT_WRITE } from '../../../src/cpu/memory.js';
import { hiOf, loOf } from '../../../src/cpu/int64.js';

const HEAP = 0x0a000100_00000000n;
const P = BigInt(PAGE_SIZE);

describe('GuestMemory capture/restore', () => {
  it('restores bytes written through the TLB fast path, new pages and unmapped ranges', () => {
    const m = new GuestMemory();
    m.map(HEAP, 8n * P, PROT_READ | PROT_WRITE);
    m.writeU64(HEAP, 1n);
    m.writeU64(HEAP + P, 2n);
    const a = m.capture();
    // Two stores to the same page: the second goes through the write TLB the first one filled.
    m.writeU64(HEAP, 10n);
    m.store32(hiOf(HEAP + 8n), loOf(HEAP + 8n), 0x55);
    m.writeU64(HEAP + 3n * P, 30n); // a page that had no storage
    const b = m.capture();
    expect(b.pages.get(Number((HEAP + P) >> 16n))!.bytes).toBe(a.pages.get(Number((HEAP + P) >> 16n))!.bytes); // shared: unchanged
    m.unmap(HEAP + 4n * P, 4n * P);
    m.writeU64(HEAP + P, 20n);
    m.restore(a);
    expect(m.readU64(HEAP)).toBe(1n);
    expect(m.readU32(HEAP + 8n)).toBe(0);
    expect(m.readU64(HEAP + P)).toBe(2n);
    expect(m.readU64(HEAP + 3n * P)).toBe(0n);
    expect(m.isRangeMapped(HEAP, HEAP + 8n * P)).toBe(true);
    m.restore(b);
    expect(m.readU64(HEAP)).toBe(10n);
    expect(m.readU32(HEAP + 8n)).toBe(0x55);
    expect(m.readU64(HEAP + 3n * P)).toBe(30n);
    expect(m.readU64(HEAP + P)).toBe(2n);
    // Stores after a restore are tracked again: a later restore undoes them.
    m.writeU64(HEAP, 99n);
    m.restore(b);
    expect(m.readU64(HEAP)).toBe(10n);
    // Images stay as captured whatever happens to the live memory (pages are stored byte-reversed:
    // the big-endian doubleword at page offset 0 is the little-endian one at the page's end).
    const page = a.pages.get(Number(HEAP >> 16n))!.bytes;
    expect(new DataView(page.buffer, page.byteOffset).getBigUint64(65536 - 8, true)).toBe(1n);
  });
});
