// Guest memory: sparse, page-granular, big-endian, 64-bit addresses given as int32 halves.
//
// Each page is stored byte-reversed: the guest byte at page offset o lives at PAGE_SIZE - 1 - o.
// A big-endian access of size s at offset o is then exactly a little-endian access of size s at
// rev(o, s) = PAGE_SIZE - s - o, so neither the Wasm tier nor DataView accesses swap bytes (the
// host is little-endian; notes/cpu-performance.md, "Byte-reversed pages"). Only bulk copies
// (readBytes, writeBytes) reverse (copyReversed).
//
// Pages are 64 KiB ArrayBuffers materialised on first touch (a 512 MiB PROT_NONE reservation
// costs a list entry, not memory). Hot accesses go through two direct-mapped software TLBs (read
// and write) holding one DataView per page (notes/cpu-performance.md: 190-350 M accesses/s). Everything
// unusual (page crossing, first touch, protection, watched or code pages) takes the slow path.
//
// Watchpoints are page granular in the TLB: a page holding a range watched for writes never
// enters the write TLB (for reads, the read TLB), so only those accesses to that page take the
// slow path, which checks the exact ranges (page offsets, no BigInt) and, while the CPU executes
// guest code (trapWatched), throws `watchTrap` before a watched access happens, like the
// hardware's data breakpoint; the instruction has not executed. gdb's `watch` is a write
// watchpoint: the page's loads (most of its traffic: Go's globals share it) stay fast.
//
// Faults do not throw host Errors: the hot path throws the reusable `memoryFault` object, filled
// with the address and access kind, which the CPU run loop catches and turns into a stop result.

import { hiOf, loOf, toBig } from './int64.js';
import { TLB_BYTES, TLB_ENTRIES, TLB_HASH, TLB_HASH_SHIFT, arenaReclaim, guestArena } from './wasm/arena.js';
import { reverseInArena } from './wasm/reverse.js';

export const PAGE_SHIFT = 16;
export const PAGE_SIZE = 1 << PAGE_SHIFT;
const PAGE_MASK = PAGE_SIZE - 1;
/** Storage offset of the `len` bytes at page offset off (pages are byte-reversed). */
const rev = (off: number, len: number): number => PAGE_SIZE - len - off;
/**
 * What a TLB entry holds for Wasm code: the page's arena offset + TLB_END. The `size` bytes at page
 * offset o are at entry - o + (16 - size): one subtraction, the rest in the access's offset immediate
 * (16 covers a v128 access).
 */
export const TLB_END = PAGE_SIZE - 16;

export const PROT_NONE = 0;
export const PROT_READ = 1;
export const PROT_WRITE = 2;
export const PROT_EXEC = 4;

export type AccessKind = 'read' | 'write' | 'exec';

/** Why an access failed. 'limit' means the memory limit stopped a page from being materialised. */
export type FaultReason = 'unmapped' | 'protection' | 'limit';

export class MemoryFault {
  hi = 0;
  lo = 0;
  access: AccessKind = 'read';
  reason: FaultReason = 'unmapped';
  get address(): bigint {
    return toBig(this.hi, this.lo);
  }
}

/** The one fault object the hot path throws (no allocation per fault). Copy its fields out. */
export const memoryFault = new MemoryFault();

/** A watched access about to happen (thrown only while GuestMemory.trapWatched is set). */
export class WatchTrap {
  hi = 0;
  lo = 0;
  len = 0;
  isWrite = false;
  get address(): bigint {
    return toBig(this.hi, this.lo);
  }
}
export const watchTrap = new WatchTrap();

const TLB_SIZE = TLB_ENTRIES;
const TLB_MASK = TLB_SIZE - 1;
/** TLB slot of page pg under high word hi (the hash in arena.ts, which Wasm code computes too). */
const tlbIndex = (hi: number, pg: number): number => (pg ^ (Math.imul(hi, TLB_HASH) >>> TLB_HASH_SHIFT)) & TLB_MASK;

/** A page of guest memory that has backing storage. */
interface Page {
  /** Offset of the page in the guest arena (wasm/arena.ts), or -1 for a plain ArrayBuffer. */
  readonly base: number;
  /** The page's storage, byte-reversed: guest offset o at PAGE_SIZE - 1 - o (rev()). */
  readonly bytes: Uint8Array;
  readonly view: DataView;
  prot: number;
  /** Decoded instructions exist for this page: writes must tell the CPU (codeWriteHook). */
  hasCode: boolean;
  /** Watched ranges overlapping this page (page offsets), or null: the accesses they watch stay out of the TLB. */
  watched: WatchRange[] | null;
  /** Written since the last snapshot (capture/restore); only kept while tracking is on. */
  dirty: boolean;
}

/** A watchpoint clipped to one page: [from, to) as page offsets. */
interface WatchRange {
  from: number;
  to: number;
  onRead: boolean;
  onWrite: boolean;
}

/**
 * The whole memory at one moment (src/record's snapshots): mappings and the bytes of every page
 * with storage, in the pages' byte-reversed storage order. Page buffers are shared between images wherever a page did not change, and are
 * never written once in an image.
 */
export interface MemoryImage {
  readonly regions: ReadonlyArray<Readonly<Region>>;
  readonly pages: ReadonlyMap<number, { readonly bytes: Uint8Array; readonly prot: number }>;
}

/** A mapped range whose pages need not have storage yet (lazily zero, or filled from `backing`). */
interface Region {
  start: bigint; // page-aligned
  end: bigint; // exclusive, page-aligned
  prot: number;
  backing?: Backing;
}

/**
 * What a mapping's pages hold before anything is written to them: `bytes` from guest address
 * `base` on, zero around them (the loader's text: cmd/compile's 19 MB, of which a run touches
 * under half). A page is filled when it gets storage, so a range that is never touched is never
 * copied. Frozen: snapshots of the process keep it by reference.
 */
export interface Backing {
  readonly bytes: Uint8Array;
  readonly base: bigint;
}

export interface Watchpoint {
  start: bigint;
  end: bigint; // exclusive
  onRead: boolean;
  onWrite: boolean;
}

function pageKey(hi: number, lo: number): number {
  return (hi >>> 0) * 65536 + (lo >>> PAGE_SHIFT);
}

function keyOf(addr: bigint): number {
  return Number(BigInt.asUintN(64, addr) >> BigInt(PAGE_SHIFT));
}

/** Does a watchpoint on this page trap writes (write) or reads (!write)? Such accesses stay out of the TLB. */
function watches(page: Page, write: boolean): boolean {
  if (page.watched === null) return false;
  for (const w of page.watched) if (write ? w.onWrite : w.onRead) return true;
  return false;
}

/** load64Gpr's (high, low) words on their way into a GPR. */
const GPR_SWAP = new Int32Array(2);

export class GuestMemory {
  private readonly pages = new Map<number, Page>();
  /** Sorted, non-overlapping mapped ranges (page granular). */
  private regions: Region[] = [];
  private watchpoints: Watchpoint[] = [];

  // Direct-mapped TLBs: tag = (hi, page-within-hi); page -1 marks an empty entry. With the guest
  // arena the tag arrays and the pages' arena offsets + TLB_END (rBase, wBase) live in it, at
  // tlbBase: rTagHi, rTagPg, rBase, wTagHi, wTagPg, wBase, TLB_ENTRIES int32 each, probed by Wasm code as by load64.
  private readonly rTagHi: Int32Array;
  private readonly rTagPg: Int32Array;
  private readonly rBase: Int32Array;
  private readonly rView: DataView[] = new Array<DataView>(TLB_SIZE);
  private readonly wTagHi: Int32Array;
  private readonly wTagPg: Int32Array;
  private readonly wBase: Int32Array;
  private readonly wView: DataView[] = new Array<DataView>(TLB_SIZE);
  /** Arena offset of the TLB block, or -1 when this memory is not in the arena (no Wasm tier). */
  readonly tlbBase: number;

  /** Dirty tracking for snapshots: the first store to a clean page takes the slow path and marks it. */
  private tracking = false;
  private readonly dirtyKeys: number[] = [];
  /** The image the clean pages are equal to (the last capture or restore). */
  private lastImage: MemoryImage | undefined;

  /** Pages with storage; materialising beyond maxPages fails with reason 'limit'. */
  pageCount = 0;
  maxPages = Number.POSITIVE_INFINITY;

  /** Called after a store hits a page the decoder fetched from (fetchCode32): the CPU drops decoded instructions. */
  codeWriteHook: ((addr: bigint, len: number) => void) | null = null;
  /**
   * Set by the CPU while it executes guest instructions: an access overlapping a watchpoint then
   * throws `watchTrap` before anything is read or written. Host-side accesses (loader, HLE calls,
   * the debugger) never trap, as a kernel's copy into a watched buffer does not on real hardware.
   */
  trapWatched = false;

  constructor() {
    const arena = guestArena();
    const t = arena === null ? -1 : arena.allocSmall(TLB_BYTES);
    const buf = t < 0 ? new ArrayBuffer(6 * 4 * TLB_SIZE) : arena!.buffer;
    const at = t < 0 ? 0 : t;
    const arr = (k: number): Int32Array => new Int32Array(buf, at + k * 4 * TLB_SIZE, TLB_SIZE);
    this.rTagHi = arr(0);
    this.rTagPg = arr(1).fill(-1);
    this.rBase = arr(2);
    this.wTagHi = arr(3);
    this.wTagPg = arr(4).fill(-1);
    this.wBase = arr(5);
    this.tlbBase = t;
    arenaReclaim.register(this, { pages: this.pages, small: t < 0 ? [] : [[t, TLB_BYTES]] });
    const dummy = new DataView(new ArrayBuffer(8));
    this.rView.fill(dummy);
    this.wView.fill(dummy);
  }

  // ---------------------------------------------------------------- mapping

  /**
   * Map [addr, addr+size) with the given protection, zero-filled lazily (or from `backing`, page by
   * page as they are touched); replaces what was there.
   */
  map(addr: bigint, size: bigint, prot: number, backing?: Backing): void {
    const start = alignDown(addr);
    const end = alignUp(addr + size);
    this.unmap(start, end - start);
    this.regions.push(backing === undefined ? { start, end, prot } : { start, end, prot, backing: Object.freeze({ bytes: backing.bytes, base: backing.base }) });
    this.regions.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
  }

  /** Remove mappings and storage in [addr, addr+size). */
  unmap(addr: bigint, size: bigint): void {
    const start = alignDown(addr);
    const end = alignUp(addr + size);
    const out: Region[] = [];
    for (const r of this.regions) {
      if (r.end <= start || r.start >= end) {
        out.push(r);
        continue;
      }
      if (r.start < start) out.push({ ...r, end: start });
      if (r.end > end) out.push({ ...r, start: end });
    }
    this.regions = out;
    this.forEachStoredPage(start, end, (key, page) => this.dropPage(key, page));
    this.flushTlb();
  }

  /** Change protection of already-mapped pages in [addr, addr+size). Returns false if any is unmapped. */
  protect(addr: bigint, size: bigint, prot: number): boolean {
    const start = alignDown(addr);
    const end = alignUp(addr + size);
    if (!this.isRangeMapped(start, end)) return false;
    const out: Region[] = [];
    for (const r of this.regions) {
      if (r.end <= start || r.start >= end) {
        out.push(r);
        continue;
      }
      if (r.start < start) out.push({ ...r, end: start });
      out.push({ ...r, start: r.start > start ? r.start : start, end: r.end < end ? r.end : end, prot });
      if (r.end > end) out.push({ ...r, start: end });
    }
    this.regions = out;
    this.forEachStoredPage(start, end, (_key, page) => {
      page.prot = prot;
    });
    this.flushTlb();
    return true;
  }

  /** Discard the contents of [addr, addr+size) (madvise DONTNEED): pages read as zero again. */
  discard(addr: bigint, size: bigint): void {
    const start = alignUp(addr);
    const end = alignDown(addr + size);
    if (end <= start) return;
    this.forEachStoredPage(start, end, (key, page) => this.dropPage(key, page));
    this.flushTlb();
  }

  /** Protection at an address, or -1 when unmapped. */
  protectionAt(addr: bigint): number {
    const r = this.regionAt(alignDown(addr));
    return r ? r.prot : -1;
  }

  isRangeMapped(start: bigint, end: bigint): boolean {
    let at = alignDown(start);
    while (at < end) {
      const r = this.regionAt(at);
      if (!r) return false;
      at = r.end;
    }
    return true;
  }

  /**
   * A private copy of this address space (fork): the same mappings and bytes, no watchpoints,
   * hooks or decoded-code marks. A plain copy, not copy-on-write: a forked Go child only runs
   * until its execve, and copying the touched pages costs a few milliseconds.
   */
  clone(): GuestMemory {
    const m = new GuestMemory();
    m.regions = this.regions.map((r) => ({ ...r }));
    for (const [key, p] of this.pages) {
      const page = m.newPage(p.prot);
      page.bytes.set(p.bytes);
      m.pages.set(key, page);
    }
    m.pageCount = this.pageCount;
    m.maxPages = this.maxPages;
    return m;
  }

  /** Mapped ranges, for /proc-like views and the debugger. */
  mappings(): ReadonlyArray<Readonly<Region>> {
    return this.regions;
  }

  // ---------------------------------------------------------------- watchpoints and code pages

  addWatchpoint(wp: Watchpoint): void {
    this.watchpoints.push(wp);
    this.refreshWatchedFlags();
  }

  removeWatchpoint(wp: Watchpoint): void {
    this.watchpoints = this.watchpoints.filter((w) => w !== wp);
    this.refreshWatchedFlags();
  }

  /**
   * Instruction fetch for the decoder: fetch32, and the page is marked as holding decoded code
   * (its stores then call codeWriteHook). One page lookup for both: hello decodes about 25,000
   * words before main.main.
   */
  fetchCode32(hi: number, lo: number): number {
    return this.fetchWord(hi, lo, true);
  }

  /**
   * Up to n instruction words from (hi, lo), 4-aligned, into out: those on its page, after a
   * fetchCode32 on that page has succeeded (the decoder's look-ahead: one page lookup for the
   * run, not one per word). Returns how many it wrote.
   */
  fetchCodeRun(hi: number, lo: number, n: number, out: Int32Array): number {
    const page = this.codeRunPage(hi, lo);
    if (page === undefined) return 0;
    const off = lo & PAGE_MASK;
    const m = Math.min(n, (PAGE_SIZE - off) >>> 2);
    const view = page.view;
    for (let k = 0; k < m; k++) out[k] = view.getInt32(rev(off + 4 * k, 4), true);
    return m;
  }

  /**
   * Arena offset of the storage of the instruction word at (hi, lo), 4-aligned (the word at each
   * following address lies 4 bytes lower: pages are byte-reversed), under the conditions of
   * fetchCodeRun; -1 when those do not hold or the page is not in the arena.
   */
  codeRunStorage(hi: number, lo: number): number {
    const page = this.codeRunPage(hi, lo);
    if (page === undefined || page.base < 0) return -1;
    return page.base + rev(lo & PAGE_MASK, 4);
  }

  /** The page of (hi, lo) if runs of its words may be read as code: stored, executable, fetched from already. */
  private codeRunPage(hi: number, lo: number): Page | undefined {
    const page = this.pages.get(pageKey(hi, lo));
    return page === undefined || (page.prot & PROT_EXEC) === 0 || !page.hasCode ? undefined : page;
  }

  // ---------------------------------------------------------------- hot path: loads

  load8(hi: number, lo: number): number {
    const pg = lo >>> PAGE_SHIFT;
    const i = tlbIndex(hi, pg);
    if (this.rTagPg[i] === pg && this.rTagHi[i] === hi) return this.rView[i].getUint8(PAGE_MASK - (lo & PAGE_MASK));
    return this.loadSlow(hi, lo, 1);
  }

  load16(hi: number, lo: number): number {
    const pg = lo >>> PAGE_SHIFT;
    const i = tlbIndex(hi, pg);
    const off = lo & PAGE_MASK;
    if (this.rTagPg[i] === pg && this.rTagHi[i] === hi && off <= PAGE_MASK - 1) return this.rView[i].getUint16(rev(off, 2), true);
    return this.loadSlow(hi, lo, 2);
  }

  /** 32-bit load, returned as int32. */
  load32(hi: number, lo: number): number {
    const pg = lo >>> PAGE_SHIFT;
    const i = tlbIndex(hi, pg);
    const off = lo & PAGE_MASK;
    if (this.rTagPg[i] === pg && this.rTagHi[i] === hi && off <= PAGE_MASK - 3) return this.rView[i].getInt32(rev(off, 4), true);
    return this.loadSlow(hi, lo, 4) | 0;
  }

  /** 64-bit load into dst[at] (high word) and dst[at+1] (low word). */
  load64(hi: number, lo: number, dst: Int32Array, at: number): void {
    const pg = lo >>> PAGE_SHIFT;
    const i = tlbIndex(hi, pg);
    const off = lo & PAGE_MASK;
    if (this.rTagPg[i] === pg && this.rTagHi[i] === hi && off <= PAGE_MASK - 7) {
      const v = this.rView[i];
      const r = rev(off, 8);
      dst[at] = v.getInt32(r + 4, true);
      dst[at + 1] = v.getInt32(r, true);
      return;
    }
    const h = this.loadSlow(hi, lo, 4) | 0;
    const lo4 = (lo + 4) | 0;
    const l = this.loadSlow(lo4 === 0 || (lo4 >>> 0) < (lo >>> 0) ? (hi + 1) | 0 : hi, lo4, 4) | 0;
    dst[at] = h;
    dst[at + 1] = l;
  }

  /** 64-bit load into a GPR's pair: dst[at] (low word) and dst[at+1] (high word), as state.ts lays GPRs out. */
  load64Gpr(hi: number, lo: number, dst: Int32Array, at: number): void {
    this.load64(hi, lo, GPR_SWAP, 0);
    dst[at] = GPR_SWAP[1];
    dst[at + 1] = GPR_SWAP[0];
  }

  // ---------------------------------------------------------------- hot path: stores

  store8(hi: number, lo: number, v: number): void {
    const pg = lo >>> PAGE_SHIFT;
    const i = tlbIndex(hi, pg);
    if (this.wTagPg[i] === pg && this.wTagHi[i] === hi) {
      this.wView[i].setUint8(PAGE_MASK - (lo & PAGE_MASK), v);
      return;
    }
    this.storeSlow(hi, lo, 1, v);
  }

  store16(hi: number, lo: number, v: number): void {
    const pg = lo >>> PAGE_SHIFT;
    const i = tlbIndex(hi, pg);
    const off = lo & PAGE_MASK;
    if (this.wTagPg[i] === pg && this.wTagHi[i] === hi && off <= PAGE_MASK - 1) {
      this.wView[i].setUint16(rev(off, 2), v, true);
      return;
    }
    this.storeSlow(hi, lo, 2, v);
  }

  store32(hi: number, lo: number, v: number): void {
    const pg = lo >>> PAGE_SHIFT;
    const i = tlbIndex(hi, pg);
    const off = lo & PAGE_MASK;
    if (this.wTagPg[i] === pg && this.wTagHi[i] === hi && off <= PAGE_MASK - 3) {
      this.wView[i].setInt32(rev(off, 4), v, true);
      return;
    }
    this.storeSlow(hi, lo, 4, v);
  }

  store64(hi: number, lo: number, vhi: number, vlo: number): void {
    const pg = lo >>> PAGE_SHIFT;
    const i = tlbIndex(hi, pg);
    const off = lo & PAGE_MASK;
    if (this.wTagPg[i] === pg && this.wTagHi[i] === hi && off <= PAGE_MASK - 7) {
      const w = this.wView[i];
      const r = rev(off, 8);
      w.setInt32(r + 4, vhi, true);
      w.setInt32(r, vlo, true);
      return;
    }
    // Check both halves before writing either, so a faulting store changes nothing.
    const lo4 = (lo + 4) | 0;
    const hi4 = (lo4 >>> 0) < (lo >>> 0) ? (hi + 1) | 0 : hi;
    this.probeWrite(hi, lo, 4);
    this.probeWrite(hi4, lo4, 4);
    this.storeSlow(hi, lo, 4, vhi);
    this.storeSlow(hi4, lo4, 4, vlo);
  }

  /** Instruction fetch: needs PROT_EXEC. Not TLB-cached: the CPU caches decoded code itself. */
  fetch32(hi: number, lo: number): number {
    return this.fetchWord(hi, lo, false);
  }

  private fetchWord(hi: number, lo: number, markCode: boolean): number {
    const page = this.pageFor(hi, lo, 'exec', true)!;
    if ((page.prot & PROT_EXEC) === 0) this.fault(hi, lo, 'exec', 'protection');
    if (markCode && !page.hasCode) {
      page.hasCode = true;
      this.flushTlbEntry(hi, lo);
    }
    const off = lo & PAGE_MASK;
    if (off <= PAGE_MASK - 3) return page.view.getInt32(rev(off, 4), true);
    return this.loadSlow(hi, lo, 4) | 0;
  }

  /** Throw a fault unless a store of len bytes at (hi, lo) would succeed (one check per page it touches). */
  probeWrite(hi: number, lo: number, len: number): void {
    for (let k = 0; k < len; ) {
      const l = (lo + k) | 0;
      const h = k > 0 && (l >>> 0) < (lo >>> 0) ? (hi + 1) | 0 : hi;
      const page = this.pageFor(h, l, 'write', true)!;
      if ((page.prot & PROT_WRITE) === 0) this.fault(h, l, 'write', 'protection');
      const n = Math.min(len - k, PAGE_SIZE - (l & PAGE_MASK));
      if (page.watched !== null) this.checkWatch(page, h, l, n, true);
      k += n;
    }
  }

  // ---------------------------------------------------------------- debugger / HLE access (bigint)

  /** Read up to len bytes; stops at the first unreadable byte (the result may be shorter). Ignores PROT_READ. */
  readBytes(addr: bigint, len: number): Uint8Array {
    const out = new Uint8Array(len);
    let done = 0;
    while (done < len) {
      const a = BigInt.asUintN(64, addr + BigInt(done));
      const off = Number(a & BigInt(PAGE_MASK));
      const n = Math.min(len - done, PAGE_SIZE - off);
      const page = this.pages.get(keyOf(a));
      if (page !== undefined) copyReversed(page.bytes, rev(off, n), out, done, n);
      else {
        // A mapped page without storage reads as zero (out is zeroed) or its backing's bytes.
        const r = this.regionAt(alignDown(a));
        if (r === undefined) break; // unmapped
        const b = r.backing;
        if (b !== undefined) {
          const { from, to, at } = backingSpan(b, a, n);
          if (to > from) out.set(b.bytes.subarray(from, to), done + at);
        }
      }
      done += n;
    }
    return done === len ? out : out.subarray(0, done);
  }

  /** Write bytes regardless of protection (debugger breakpoints into text, loader). Returns bytes written. */
  writeBytes(addr: bigint, data: Uint8Array): number {
    let done = 0;
    while (done < data.length) {
      const a = BigInt.asUintN(64, addr + BigInt(done));
      const key = keyOf(a);
      let page: Page | null | undefined = this.pages.get(key);
      if (!page) {
        const r = this.regionAt(alignDown(a));
        if (!r) break;
        page = this.materialise(key, r);
        if (!page) break;
      }
      const off = Number(a & BigInt(PAGE_MASK));
      const n = Math.min(data.length - done, PAGE_SIZE - off);
      if (!page.dirty && this.tracking) this.markDirty(key, page);
      copyReversed(data, done, page.bytes, rev(off, n), n);
      if (page.hasCode && this.codeWriteHook) this.codeWriteHook(a, n);
      done += n;
    }
    return done;
  }

  /** Checked accessors for HLE code: throw memoryFault like guest accesses, honour protection. */
  readU64(addr: bigint): bigint {
    this.load64(hiOf(addr), loOf(addr), u64Scratch, 0);
    return toBig(u64Scratch[0], u64Scratch[1]);
  }

  readU32(addr: bigint): number {
    return this.load32(hiOf(addr), loOf(addr)) >>> 0;
  }

  writeU64(addr: bigint, v: bigint): void {
    this.store64(hiOf(addr), loOf(addr), hiOf(v), loOf(v));
  }

  writeU32(addr: bigint, v: number): void {
    this.store32(hiOf(addr), loOf(addr), v | 0);
  }

  /**
   * Read len bytes honouring PROT_READ; throws memoryFault on the first bad byte. A page at a time
   * (a write() of a 64 KiB buffer was 65,536 bigint additions and load8 calls); a watched page
   * byte by byte through load8, so a read watchpoint sees the accesses it always saw.
   */
  readChecked(addr: bigint, len: number): Uint8Array {
    const out = new Uint8Array(len);
    const hi = hiOf(addr);
    const lo = loOf(addr);
    for (let k = 0; k < len; ) {
      const l = (lo + k) | 0;
      const h = k > 0 && (l >>> 0) < (lo >>> 0) ? (hi + 1) | 0 : hi;
      const page = this.pageFor(h, l, 'read', true)!;
      if ((page.prot & PROT_READ) === 0) this.fault(h, l, 'read', 'protection');
      const off = l & PAGE_MASK;
      const n = Math.min(len - k, PAGE_SIZE - off);
      if (page.watched !== null) for (let j = 0; j < n; j++) out[k + j] = this.load8(h, (l + j) | 0);
      else copyReversed(page.bytes, rev(off, n), out, k, n);
      k += n;
    }
    return out;
  }

  /** Write bytes honouring PROT_WRITE (HLE output buffers); faults before writing anything. */
  writeChecked(addr: bigint, data: Uint8Array): void {
    const hi = hiOf(addr);
    const lo = loOf(addr);
    if (data.length > 0) this.probeWrite(hi, lo, data.length);
    this.writeBytes(addr, data);
  }

  /** A NUL-terminated string (at most max bytes), honouring PROT_READ. */
  readCString(addr: bigint, max = 4096): string {
    const bytes: number[] = [];
    for (let k = 0; k < max; k++) {
      const a = addr + BigInt(k);
      const b = this.load8(hiOf(a), loOf(a));
      if (b === 0) break;
      bytes.push(b);
    }
    return Buffer.from(bytes).toString('utf8');
  }

  // ---------------------------------------------------------------- snapshots (src/record)

  /**
   * The current memory as an image. Pages unchanged since the previous capture or restore share
   * that image's buffers; changed ones are copied. Starts dirty tracking on first use.
   */
  capture(): MemoryImage {
    const prev = this.lastImage;
    const pages = new Map<number, { bytes: Uint8Array; prot: number }>();
    for (const [key, page] of this.pages) {
      const old = this.tracking && !page.dirty ? prev?.pages.get(key) : undefined;
      if (old !== undefined) pages.set(key, old.prot === page.prot ? old : { bytes: old.bytes, prot: page.prot });
      else pages.set(key, { bytes: page.bytes.slice(), prot: page.prot });
    }
    const image: MemoryImage = { regions: this.regions.map((r) => ({ ...r })), pages };
    this.startClean(image);
    return image;
  }

  /** Make the memory equal to `image` again, copying only the pages that differ. */
  restore(image: MemoryImage): void {
    const prev = this.lastImage;
    for (const [key, page] of [...this.pages]) {
      if (image.pages.has(key)) continue;
      this.dropPage(key, page);
      if (page.hasCode) this.codeWriteHook?.(BigInt(key) << BigInt(PAGE_SHIFT), PAGE_SIZE);
    }
    for (const [key, want] of image.pages) {
      let page = this.pages.get(key);
      if (page === undefined) {
        page = this.newPage(want.prot);
        this.pages.set(key, page);
        this.pageCount++;
      } else if (this.tracking && !page.dirty && prev?.pages.get(key)?.bytes === want.bytes) {
        page.prot = want.prot;
        continue; // same bytes already
      }
      page.prot = want.prot;
      page.bytes.set(want.bytes);
      if (page.hasCode) this.codeWriteHook?.(BigInt(key) << BigInt(PAGE_SHIFT), PAGE_SIZE);
    }
    this.regions = image.regions.map((r) => ({ ...r }));
    this.startClean(image);
    this.refreshWatchedFlags();
  }

  private startClean(image: MemoryImage): void {
    for (const key of this.dirtyKeys) {
      const p = this.pages.get(key);
      if (p) p.dirty = false;
    }
    this.dirtyKeys.length = 0;
    if (!this.tracking) {
      this.tracking = true;
      for (const p of this.pages.values()) p.dirty = false;
    }
    this.lastImage = image;
    this.wTagPg.fill(-1); // the next store to each page goes through storeSlow and marks it
  }

  private markDirty(key: number, page: Page): void {
    page.dirty = true;
    this.dirtyKeys.push(key);
  }

  // ---------------------------------------------------------------- slow paths

  private loadSlow(hi: number, lo: number, len: number): number {
    const page = this.pageFor(hi, lo, 'read', true)!;
    if ((page.prot & PROT_READ) === 0) this.fault(hi, lo, 'read', 'protection');
    const off = lo & PAGE_MASK;
    let v: number;
    if (off <= PAGE_SIZE - len) {
      if (page.watched !== null) this.checkWatch(page, hi, lo, len, false);
      this.fillTlb(hi, lo, page, false);
      v = len === 1 ? page.bytes[PAGE_MASK - off] : len === 2 ? page.view.getUint16(rev(off, 2), true) : page.view.getUint32(rev(off, 4), true);
    } else {
      // Crosses into the next page: assemble byte by byte.
      v = 0;
      for (let k = 0; k < len; k++) {
        const l = (lo + k) | 0;
        const h = (l >>> 0) < (lo >>> 0) ? (hi + 1) | 0 : hi;
        v = v * 256 + this.load8(h, l);
      }
    }
    return v;
  }

  private storeSlow(hi: number, lo: number, len: number, v: number): void {
    const page = this.pageFor(hi, lo, 'write', true)!;
    if ((page.prot & PROT_WRITE) === 0) this.fault(hi, lo, 'write', 'protection');
    const off = lo & PAGE_MASK;
    if (off <= PAGE_SIZE - len) {
      if (!page.dirty && this.tracking) this.markDirty(pageKey(hi, lo), page);
      if (page.watched !== null) this.checkWatch(page, hi, lo, len, true);
      if (len === 1) page.bytes[PAGE_MASK - off] = v;
      else if (len === 2) page.view.setUint16(rev(off, 2), v, true);
      else page.view.setInt32(rev(off, 4), v, true);
      if (page.hasCode && this.codeWriteHook) this.codeWriteHook(toBig(hi, lo), len);
      else this.fillTlb(hi, lo, page, true);
    } else {
      this.probeWrite(hi, lo, len);
      for (let k = 0; k < len; k++) {
        const l = (lo + k) | 0;
        const h = (l >>> 0) < (lo >>> 0) ? (hi + 1) | 0 : hi;
        this.store8(h, l, (v >>> (8 * (len - 1 - k))) & 0xff);
      }
    }
  }

  /** The page holding (hi, lo), materialising it if mapped; faults (or returns null) if unmapped. */
  private pageFor(hi: number, lo: number, access: AccessKind, mustExist: boolean): Page | null {
    const key = pageKey(hi, lo);
    const page = this.pages.get(key);
    if (page) return page;
    const r = this.regionAt(toBig(hi, lo & ~PAGE_MASK));
    if (!r) {
      if (mustExist) this.fault(hi, lo, access, 'unmapped');
      return null;
    }
    const made = this.materialise(key, r);
    if (!made && mustExist) this.fault(hi, lo, access, 'limit');
    return made;
  }

  /** Zeroed storage for a page: in the guest arena when it has room, else a plain ArrayBuffer. */
  private newPage(prot: number): Page {
    const arena = this.tlbBase < 0 ? null : guestArena();
    const base = arena === null ? -1 : arena.allocPage();
    const buf = base < 0 ? new ArrayBuffer(PAGE_SIZE) : arena!.buffer;
    const at = base < 0 ? 0 : base;
    return {
      base,
      bytes: new Uint8Array(buf, at, PAGE_SIZE),
      view: new DataView(buf, at, PAGE_SIZE),
      prot,
      hasCode: false,
      watched: null,
      dirty: false,
    };
  }

  /** Forget a page's storage (unmap, discard, restore): its arena page is reused. */
  private dropPage(key: number, page: Page): void {
    this.pages.delete(key);
    this.pageCount--;
    if (page.base >= 0) guestArena()!.freePage(page.base);
  }

  private materialise(key: number, r: Region): Page | null {
    if (this.pageCount >= this.maxPages) return null;
    const page = this.newPage(r.prot);
    if (r.backing !== undefined) fillFromBacking(page, BigInt(key) << BigInt(PAGE_SHIFT), r.backing);
    if (this.tracking) this.markDirty(key, page);
    page.watched = this.watchRangesOf(key);
    this.pages.set(key, page);
    this.pageCount++;
    return page;
  }

  private regionAt(pageAddr: bigint): Region | undefined {
    const rs = this.regions;
    let lo = 0;
    let hi = rs.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const r = rs[mid];
      if (pageAddr < r.start) hi = mid - 1;
      else if (pageAddr >= r.end) lo = mid + 1;
      else return r;
    }
    return undefined;
  }

  private forEachStoredPage(start: bigint, end: bigint, fn: (key: number, page: Page) => void): void {
    const first = keyOf(start);
    const last = keyOf(end - 1n);
    if (last - first < this.pages.size) {
      for (let k = first; k <= last; k++) {
        const p = this.pages.get(k);
        if (p) fn(k, p);
      }
    } else {
      for (const [k, p] of [...this.pages]) if (k >= first && k <= last) fn(k, p);
    }
  }

  private fillTlb(hi: number, lo: number, page: Page, forWrite: boolean): void {
    if (page.base < 0 && this.tlbBase >= 0) return; // Wasm code could not reach it: slow path
    const pg = lo >>> PAGE_SHIFT;
    const i = tlbIndex(hi, pg);
    if (forWrite) {
      if ((page.prot & PROT_WRITE) === 0 || page.hasCode || watches(page, true) || (this.tracking && !page.dirty)) return;
      this.wTagHi[i] = hi;
      this.wTagPg[i] = pg;
      this.wBase[i] = page.base + TLB_END;
      this.wView[i] = page.view;
    } else {
      if ((page.prot & PROT_READ) === 0 || watches(page, false)) return;
      this.rTagHi[i] = hi;
      this.rTagPg[i] = pg;
      this.rBase[i] = page.base + TLB_END;
      this.rView[i] = page.view;
    }
  }

  private flushTlbEntry(hi: number, lo: number): void {
    const pg = lo >>> PAGE_SHIFT;
    const i = tlbIndex(hi, pg);
    this.rTagPg[i] = -1;
    this.wTagPg[i] = -1;
  }

  flushTlb(): void {
    this.rTagPg.fill(-1);
    this.wTagPg.fill(-1);
  }

  private refreshWatchedFlags(): void {
    for (const [key, page] of this.pages) page.watched = this.watchRangesOf(key);
    this.flushTlb();
  }

  /** The watchpoints overlapping page `key`, clipped to page offsets (null when none). */
  private watchRangesOf(key: number): WatchRange[] | null {
    const start = BigInt(key) << BigInt(PAGE_SHIFT);
    const end = start + BigInt(PAGE_SIZE);
    let out: WatchRange[] | null = null;
    for (const w of this.watchpoints) {
      if (w.start >= end || w.end <= start) continue;
      const from = w.start > start ? Number(w.start - start) : 0;
      const to = w.end < end ? Number(w.end - start) : PAGE_SIZE;
      (out ??= []).push({ from, to, onRead: w.onRead, onWrite: w.onWrite });
    }
    return out;
  }

  /** Before an access of len bytes at (hi, lo) inside a watched page: trap if it is watched. */
  private checkWatch(page: Page, hi: number, lo: number, len: number, isWrite: boolean): void {
    if (!this.trapWatched) return;
    const off = lo & PAGE_MASK;
    for (const w of page.watched!) {
      if (off < w.to && off + len > w.from && (isWrite ? w.onWrite : w.onRead)) {
        watchTrap.hi = hi;
        watchTrap.lo = lo;
        watchTrap.len = len;
        watchTrap.isWrite = isWrite;
        throw watchTrap;
      }
    }
  }

  private fault(hi: number, lo: number, access: AccessKind, reason: FaultReason): never {
    memoryFault.hi = hi;
    memoryFault.lo = lo;
    memoryFault.access = access;
    memoryFault.reason = reason;
    throw memoryFault;
  }
}

/**
 * dst[to + n - 1 - k] = src[from + k] for k < n (between guest order and a page's reversed
 * storage): short runs in a loop, long ones as a copy and a reverse in place, by Wasm SIMD when
 * dst is in the guest arena (wasm/reverse.ts), else the native one (a JS loop runs cold in the
 * loader, which copies megabytes once).
 */
function copyReversed(src: Uint8Array, from: number, dst: Uint8Array, to: number, n: number): void {
  if (n < 64) {
    for (let k = 0; k < n; k++) dst[to + n - 1 - k] = src[from + k];
    return;
  }
  const d = dst.subarray(to, to + n);
  d.set(src.subarray(from, from + n));
  if (n < 1024 || !reverseInArena(d)) d.reverse();
}

/**
 * The part of `b` on the n guest bytes at `addr`: b.bytes[from, to) (empty when to <= from), which
 * lies `at` bytes after addr.
 */
function backingSpan(b: Backing, addr: bigint, n: number): { from: number; to: number; at: number } {
  const off = Number(addr - b.base); // of addr in b.bytes (negative: before it)
  const from = Math.max(0, off);
  return { from, to: Math.min(b.bytes.length, off + n), at: from - off };
}

/** A new page at guest address `addr` gets the part of `b` that lies on it. */
function fillFromBacking(page: Page, addr: bigint, b: Backing): void {
  const { from, to, at } = backingSpan(b, addr, PAGE_SIZE);
  if (to > from) copyReversed(b.bytes, from, page.bytes, rev(at, to - from), to - from);
}

/** Result halves of readU64 (no allocation per read). */
const u64Scratch = new Int32Array(2);

function alignDown(a: bigint): bigint {
  return BigInt.asUintN(64, a) & ~BigInt(PAGE_MASK);
}

function alignUp(a: bigint): bigint {
  return (a + BigInt(PAGE_MASK)) & ~BigInt(PAGE_MASK);
}
