import { describe, expect, it } from 'vitest';
import { GuestMemory, MemoryFault, watchTrap, PROT_READ, PROT_WRITE, PROT_EXEC, PAGE_SIZE } from '../../../src/cpu/memory.js';
import { hiOf, loOf } from '../../../src/cpu/int64.js';

const HEAP = 0x0a000100_00000000n;
const split = (a: bigint): [number, number] => [hiOf(a), loOf(a)];

function faultOf(fn: () => unknown): MemoryFault {
  try {
    fn();
  } catch (e) {
    if (e instanceof MemoryFault) return { ...e, address: e.address } as MemoryFault;
    throw e;
  }
  throw new Error('expected a fault');
}

describe('GuestMemory', () => {
  it('reads lazily-zero pages and stores big-endian at high addresses', () => {
    const m = new GuestMemory();
    m.map(HEAP, 64n << 20n, PROT_READ | PROT_WRITE);
    expect(m.pageCount).toBe(0);
    const [hi, lo] = split(HEAP + 0x1234n);
    expect(m.load32(hi, lo)).toBe(0);
    m.store32(hi, lo, 0x11223344);
    expect(m.load8(hi, lo)).toBe(0x11);
    expect(m.load16(hi, lo + 2)).toBe(0x3344);
    m.store64(hi, lo, 0xdeadbeef | 0, 0x01020304);
    const out = new Int32Array(2);
    m.load64(hi, lo, out, 0);
    expect(out[0] >>> 0).toBe(0xdeadbeef);
    expect(out[1]).toBe(0x01020304);
    expect(m.readU64(HEAP + 0x1234n)).toBe(0xdeadbeef01020304n);
    expect(m.pageCount).toBe(1);
  });

  it('handles accesses that cross a page boundary', () => {
    const m = new GuestMemory();
    m.map(HEAP, 4n * BigInt(PAGE_SIZE), PROT_READ | PROT_WRITE);
    const a = HEAP + BigInt(PAGE_SIZE) - 3n;
    const [hi, lo] = split(a);
    m.store64(hi, lo, 0x01020304, 0x05060708);
    expect(m.readU64(a)).toBe(0x0102030405060708n);
    expect(m.load32(hi, lo)).toBe(0x01020304);
    expect([...m.readBytes(a, 8)]).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('keeps guest byte order for every access size at every position near a page end, fast and slow path, and in bulk copies across pages', () => {
    // Pages are stored byte-reversed (memory.ts): a wrong reversal for any size, offset or copy
    // length shows up here as a value or a byte in the wrong place.
    const m = new GuestMemory();
    const P = PAGE_SIZE;
    m.map(HEAP, 3n * BigInt(P), PROT_READ | PROT_WRITE | PROT_EXEC);
    const pattern = Uint8Array.from({ length: 3 * P }, (_v, k) => (k * 7 + (k >>> 8) * 13 + 1) & 0xff);
    expect(m.writeBytes(HEAP, pattern)).toBe(3 * P); // whole pages and more: the native reverse
    const be = (at: number, size: number): bigint => pattern.subarray(at, at + size).reduce((v, b) => (v << 8n) | BigInt(b), 0n);
    const out = new Int32Array(2);
    const load = (at: number, size: number): bigint => {
      const [hi, lo] = split(HEAP + BigInt(at));
      if (size === 1) return BigInt(m.load8(hi, lo));
      if (size === 2) return BigInt(m.load16(hi, lo));
      if (size === 4) return BigInt(m.load32(hi, lo) >>> 0);
      m.load64(hi, lo, out, 0);
      return (BigInt(out[0] >>> 0) << 32n) | BigInt(out[1] >>> 0);
    };
    const store = (at: number, size: number, v: bigint): void => {
      const [hi, lo] = split(HEAP + BigInt(at));
      if (size === 1) m.store8(hi, lo, Number(v));
      else if (size === 2) m.store16(hi, lo, Number(v));
      else if (size === 4) m.store32(hi, lo, Number(v) | 0);
      else m.store64(hi, lo, Number(v >> 32n) | 0, Number(v & 0xffffffffn) | 0);
    };
    for (const size of [1, 2, 4, 8]) {
      for (const o of [0, 1, 5, P - size - 1, P - size, P - size + 1, P - 1, P, P + 3, 2 * P - size, 2 * P - 1]) {
        if (o + size > 3 * P) continue;
        m.flushTlb();
        expect(load(o, size), `load${8 * size} at ${o} (slow)`).toBe(be(o, size));
        expect(load(o, size), `load${8 * size} at ${o} (TLB)`).toBe(be(o, size));
        // Two stores: the first takes the slow path and fills the write TLB, the second hits it.
        for (const salt of [0x5an, 0xa5n]) {
          const v = BigInt.asUintN(8 * size, 0x0123456789abcdefn * salt + BigInt(o));
          store(o, size, v);
          for (let k = 0; k < size; k++) pattern[o + k] = Number((v >> BigInt(8 * (size - 1 - k))) & 0xffn);
          expect(load(o, size), `store${8 * size} at ${o}`).toBe(v);
          expect([...m.readBytes(HEAP + BigInt(o - 2 > 0 ? o - 2 : 0), size + 4)]).toEqual([...pattern.subarray(o - 2 > 0 ? o - 2 : 0, (o - 2 > 0 ? o - 2 : 0) + size + 4)]);
        }
      }
    }
    // Host copies of short (a loop) and long (native reverse) runs crossing a page end.
    for (const [at, n] of [[P - 3, 7], [P - 100, 300], [2 * P - 64, 64], [5, 63]]) {
      expect([...m.readBytes(HEAP + BigInt(at), n)]).toEqual([...pattern.subarray(at, at + n)]);
      const data = Uint8Array.from({ length: n }, (_v, k) => (k * 31 + at) & 0xff);
      m.writeBytes(HEAP + BigInt(at), data);
      pattern.set(data, at);
      expect([...m.readBytes(HEAP + BigInt(at - 8), n + 16)]).toEqual([...pattern.subarray(at - 8, at + n + 8)]);
      expect(load(at, 8)).toBe(be(at, 8));
    }
    const [hi, lo] = split(HEAP + BigInt(P - 4));
    expect(BigInt(m.fetch32(hi, lo) >>> 0)).toBe(be(P - 4, 4));
    // A copy of the memory (fork) and a snapshot keep the same guest bytes.
    expect([...m.clone().readBytes(HEAP, 3 * P)]).toEqual([...pattern]);
    const image = m.capture();
    m.writeBytes(HEAP + BigInt(P - 8), new Uint8Array(16));
    m.restore(image);
    expect([...m.readBytes(HEAP, 3 * P)]).toEqual([...pattern]);
  });

  it('faults on unmapped and protected accesses with address and kind', () => {
    const m = new GuestMemory();
    m.map(0n, BigInt(PAGE_SIZE), PROT_READ); // AIX page 0: readable zeros
    expect(m.load32(0, 8)).toBe(0);
    const f = faultOf(() => m.store32(0, 0, 0));
    expect(f.access).toBe('write');
    expect(f.reason).toBe('protection');
    const g = faultOf(() => m.load8(0x0a000000, 0x10));
    expect(g.reason).toBe('unmapped');
    expect(g.address).toBe(0x0a00000000000010n);
    expect(faultOf(() => m.fetch32(0, 0)).access).toBe('exec');
  });

  it('a faulting 8-byte store that straddles into an unmapped page writes nothing', () => {
    const m = new GuestMemory();
    m.map(HEAP, BigInt(PAGE_SIZE), PROT_READ | PROT_WRITE);
    const a = HEAP + BigInt(PAGE_SIZE) - 4n;
    const [hi, lo] = split(a);
    expect(faultOf(() => m.store64(hi, lo, -1, -1)).reason).toBe('unmapped');
    expect(m.load32(hi, lo)).toBe(0);
  });

  it('protect, unmap and discard change what the TLB allowed before', () => {
    const m = new GuestMemory();
    m.map(HEAP, 2n * BigInt(PAGE_SIZE), PROT_READ | PROT_WRITE | PROT_EXEC);
    const [hi, lo] = split(HEAP);
    m.store32(hi, lo, 7);
    expect(m.fetch32(hi, lo)).toBe(7);
    expect(m.protect(HEAP, BigInt(PAGE_SIZE), PROT_READ)).toBe(true);
    expect(faultOf(() => m.store32(hi, lo, 1)).reason).toBe('protection');
    m.discard(HEAP, BigInt(PAGE_SIZE));
    expect(m.load32(hi, lo)).toBe(0);
    m.unmap(HEAP, BigInt(PAGE_SIZE));
    expect(faultOf(() => m.load32(hi, lo)).reason).toBe('unmapped');
    expect(m.protectionAt(HEAP + BigInt(PAGE_SIZE))).toBe(PROT_READ | PROT_WRITE | PROT_EXEC);
    expect(m.protect(HEAP, 2n * BigInt(PAGE_SIZE), PROT_READ)).toBe(false);
  });

  it('debugger writes ignore protection and report code writes; reads stop at holes', () => {
    const m = new GuestMemory();
    m.map(0x100000000n, BigInt(PAGE_SIZE), PROT_READ | PROT_EXEC);
    const writes: bigint[] = [];
    m.codeWriteHook = (a) => writes.push(a);
    expect(m.writeBytes(0x100000740n, new Uint8Array([0x7f, 0xe0, 0x00, 0x08]))).toBe(4);
    expect(writes).toEqual([]); // no code decoded from the page yet
    expect(m.fetch32(1, 0x740) >>> 0).toBe(0x7fe00008);
    expect(m.writeBytes(0x100000740n, new Uint8Array([0x7f, 0xe0, 0x00, 0x08]))).toBe(4);
    expect(writes).toEqual([]); // a plain fetch (stepping) does not mark it
    expect(m.fetchCode32(1, 0x740) >>> 0).toBe(0x7fe00008); // the decoder's fetch does
    expect(m.writeBytes(0x100000744n, new Uint8Array([0x60, 0, 0, 0]))).toBe(4);
    expect(writes).toEqual([0x100000744n]);
    expect(m.readBytes(0x100000000n + BigInt(PAGE_SIZE) - 2n, 8).length).toBe(2);
  });

  it('readChecked and writeChecked copy a page at a time, across pages, and fault at the first bad byte', () => {
    const m = new GuestMemory();
    const P = BigInt(PAGE_SIZE);
    m.map(HEAP, 3n * P, PROT_READ | PROT_WRITE);
    // 3 pages' worth of distinct bytes, written across both page boundaries in one call.
    const data = Uint8Array.from({ length: 3 * PAGE_SIZE - 20 }, (_v, k) => (k * 7 + (k >> 8)) & 0xff);
    m.writeChecked(HEAP + 10n, data);
    expect(Buffer.from(m.readChecked(HEAP + 10n, data.length)).equals(Buffer.from(data))).toBe(true);
    const [hi, lo] = split(HEAP + P - 2n); // the same bytes through the guest's loads
    const at = PAGE_SIZE - 12; // data starts 10 bytes into the first page
    expect(m.load32(hi, lo) >>> 0).toBe(((data[at]! << 24) | (data[at + 1]! << 16) | (data[at + 2]! << 8) | data[at + 3]!) >>> 0);
    expect([...m.readChecked(HEAP + 2n * P - 3n, 6)]).toEqual([...data.subarray(2 * PAGE_SIZE - 13, 2 * PAGE_SIZE - 7)]);
    // The third page unreadable: a read that reaches it faults at its first byte, and so does a
    // write that reaches a page without PROT_WRITE, before writing anything.
    m.protect(HEAP + 2n * P, P, PROT_WRITE);
    expect(faultOf(() => m.readChecked(HEAP + 2n * P - 4n, 8))).toMatchObject({ address: HEAP + 2n * P, access: 'read', reason: 'protection' });
    m.protect(HEAP + P, P, PROT_READ);
    const before = m.readChecked(HEAP + P - 4n, 4);
    expect(faultOf(() => m.writeChecked(HEAP + P - 4n, new Uint8Array(8).fill(0xee)))).toMatchObject({ address: HEAP + P, access: 'write', reason: 'protection' });
    expect([...m.readChecked(HEAP + P - 4n, 4)]).toEqual([...before]);
    // Unmapped past the end.
    m.protect(HEAP + 2n * P, P, PROT_READ | PROT_WRITE);
    expect(faultOf(() => m.readChecked(HEAP + 3n * P - 2n, 4))).toMatchObject({ address: HEAP + 3n * P, reason: 'unmapped' });
  });

  it('watchpoints trap before a watched access, only while the CPU executes, only on their page', () => {
    const m = new GuestMemory();
    m.map(HEAP, 2n * BigInt(PAGE_SIZE), PROT_READ | PROT_WRITE);
    const [hi, lo] = split(HEAP);
    const trapOf = (f: () => void): string => {
      try {
        f();
      } catch (e) {
        if (e !== watchTrap) throw e;
        return `${watchTrap.isWrite ? 'w' : 'r'}:${watchTrap.address.toString(16)}:${watchTrap.len}`;
      }
      return 'none';
    };
    m.store32(hi, lo + 0x100, 1); // before the watchpoint: fills the TLB
    m.addWatchpoint({ start: HEAP + 0x104n, end: HEAP + 0x108n, onRead: false, onWrite: true });
    m.trapWatched = true;
    expect(trapOf(() => m.store32(hi, lo + 0x100, 2))).toBe('none'); // same page, outside the range
    expect(trapOf(() => m.store32(hi, lo + 0x104, 3))).toBe(`w:${(HEAP + 0x104n).toString(16)}:4`);
    expect(m.load32(hi, lo + 0x104)).toBe(0); // the trapped store wrote nothing; reads not watched
    expect(trapOf(() => m.store64(hi, lo + 0x100, 7, 8))).toBe(`w:${(HEAP + 0x104n).toString(16)}:4`);
    expect(m.load32(hi, lo + 0x100)).toBe(2); // neither half of the trapped store64 was written
    expect(trapOf(() => m.store8(hi, lo + 0x107, 1))).toBe(`w:${(HEAP + 0x107n).toString(16)}:1`);
    expect(trapOf(() => m.store32(hi, lo + PAGE_SIZE, 5))).toBe('none'); // the next page is not watched
    m.trapWatched = false; // host-side accesses (HLE, loader) complete without a trap
    expect(trapOf(() => m.store32(hi, lo + 0x104, 3))).toBe('none');
    expect(m.load32(hi, lo + 0x104)).toBe(3);
  });

  it('a watchpoint keeps only the accesses it watches out of the TLB: a warm TLB of the other kind never skips it', () => {
    const [hi, lo] = split(HEAP);
    for (const onRead of [false, true]) {
      const m = new GuestMemory();
      m.map(HEAP, BigInt(PAGE_SIZE), PROT_READ | PROT_WRITE);
      m.addWatchpoint({ start: HEAP + 0x104n, end: HEAP + 0x108n, onRead, onWrite: !onRead });
      m.trapWatched = true;
      // The kind not watched runs through the TLB, warmed here on the watched page itself...
      for (let k = 0; k < 3; k++) {
        if (onRead) m.store32(hi, lo + 0x100, k);
        else m.load32(hi, lo + 0x100);
      }
      if (onRead) m.store32(hi, lo + 0x104, 9); // stores to a read-watched range do not trap
      else expect(m.load32(hi, lo + 0x104)).toBe(0); // nor loads of a write-watched one
      // ...and the watched kind still traps, also after accesses of its kind outside the range.
      for (let k = 0; k < 2; k++) {
        let trapped = false;
        try {
          if (onRead) m.load32(hi, lo + 0x104);
          else m.store32(hi, lo + 0x104, 5);
        } catch (e) {
          if (e !== watchTrap) throw e;
          trapped = true;
        }
        expect(trapped).toBe(true);
        expect(watchTrap.isWrite).toBe(!onRead);
        // The watched kind outside the range: no trap, and it must not let the page into its TLB.
        if (onRead) expect(m.load32(hi, lo + 0x100)).toBe(2);
        else m.store32(hi, lo + 0x100, 7);
      }
      m.trapWatched = false;
      expect(m.load32(hi, lo + 0x104)).toBe(onRead ? 9 : 0); // the trapped store wrote nothing
    }
  });

  it('refuses to materialise pages beyond the limit', () => {
    const m = new GuestMemory();
    m.maxPages = 1;
    m.map(HEAP, 4n * BigInt(PAGE_SIZE), PROT_READ | PROT_WRITE);
    const [hi, lo] = split(HEAP);
    m.store8(hi, lo, 1);
    expect(faultOf(() => m.store8(hi, lo + PAGE_SIZE, 1)).reason).toBe('limit');
  });

  // The loader's text (aix/loader.ts): pages filled from the file's bytes when first touched.
  it('a backed mapping reads as its bytes (zero around them), fills a page only when touched, and keeps its bytes through split, snapshot and fork', () => {
    const m = new GuestMemory();
    const P = BigInt(PAGE_SIZE);
    const bytes = new Uint8Array(2 * PAGE_SIZE + 100).map((_v, k) => (k * 7 + 3) & 0xff);
    const base = HEAP + 0x40n; // the bytes start inside the first page, end inside the third
    m.map(HEAP, 5n * P, PROT_READ | PROT_EXEC, { bytes, base });
    expect(m.pageCount).toBe(0);
    const byteAt = (a: bigint): number => {
      const k = Number(a - base);
      return k >= 0 && k < bytes.length ? bytes[k]! : 0;
    };
    for (const a of [HEAP, HEAP + 0x3fn, HEAP + 0x40n, HEAP + P - 1n, HEAP + P, HEAP + 2n * P + 0x40n + 99n, HEAP + 2n * P + 0x40n + 100n, HEAP + 4n * P + 5n]) {
      expect(m.load8(...split(a)), `0x${a.toString(16)}`).toBe(byteAt(a));
    }
    expect(m.pageCount).toBe(4); // pages 0, 1, 2 and 4: page 3 never touched
    expect(m.fetch32(...split(HEAP + P + 8n))).toBe(((byteAt(HEAP + P + 8n) << 24) | (byteAt(HEAP + P + 9n) << 16) | (byteAt(HEAP + P + 10n) << 8) | byteAt(HEAP + P + 11n)) | 0);
    // bulk reads see the bytes too, and give no page storage
    const fresh = new GuestMemory();
    fresh.map(HEAP, 5n * P, PROT_READ | PROT_EXEC, { bytes, base });
    const all = fresh.readBytes(HEAP, 5 * PAGE_SIZE);
    for (let k = 0; k < 5 * PAGE_SIZE; k++) if (all[k] !== byteAt(HEAP + BigInt(k))) expect(all[k], `byte ${k}`).toBe(byteAt(HEAP + BigInt(k)));
    expect(fresh.pageCount).toBe(0);
    expect(m.readBytes(HEAP + 3n * P - 8n, 16)).toEqual(Uint8Array.from({ length: 16 }, (_v, k) => byteAt(HEAP + 3n * P - 8n + BigInt(k))));
    // a split keeps the backing on both sides; a debugger write, undone by a restore, reads as the bytes again
    const img = m.capture();
    m.protect(HEAP + P, P, PROT_READ);
    m.unmap(HEAP + 3n * P, P);
    m.writeBytes(HEAP + 2n * P, new Uint8Array([0xaa, 0xbb]));
    expect(m.load8(...split(HEAP + 2n * P))).toBe(0xaa);
    const child = m.clone();
    m.restore(img);
    expect(m.load8(...split(HEAP + 2n * P))).toBe(byteAt(HEAP + 2n * P));
    expect(m.load8(...split(HEAP + 3n * P + 1n))).toBe(byteAt(HEAP + 3n * P + 1n));
    expect(child.load8(...split(HEAP + 2n * P))).toBe(0xaa);
    expect(child.load8(...split(HEAP + 2n * P + 2n))).toBe(byteAt(HEAP + 2n * P + 2n));
    expect(faultOf(() => child.load8(...split(HEAP + 3n * P))).reason).toBe('unmapped');
    // a store faults as for any read-only page
    expect(faultOf(() => m.store8(...split(HEAP), 1)).reason).toBe('protection');
  });
});
