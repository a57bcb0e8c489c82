// The guest arena: one WebAssembly.Memory per process, created at its final size (the OS commits
// its pages only when they are first touched), so it never grows and its buffer never detaches.
// Guest memory pages (memory.ts), the software TLBs and the register files (state.ts) live inside
// it, so code of the Wasm tier (wasm/compiler.ts) reaches them at linear offsets without calling
// out to JavaScript, while the JS side keeps using ordinary typed-array and DataView views.
//
// The memory is shared (a SharedArrayBuffer) where the host allows it: V8 counts an unshared
// Wasm memory's whole size as external memory, and 4 GiB of it made the next allocation start a
// memory-reducing full GC (12-16 ms of hello's start-up); a shared one is not counted. Modules that
// import it declare the same sharing (memoryImportLimits).
//
// Node 20 has no Memory64: the arena is at most 4 GiB for the whole process (every GuestMemory,
// forks included). When it is full, or when AIX_GDBSTUB_WASM=0, pages and register files are plain
// ArrayBuffers as before and the Wasm tier is not used for them (their pages never enter the TLB).

const PAGE_SIZE = 65536;

/**
 * Bytes of one register file (a divisor of 64 KiB): GPRs (64 int32) at 0, the SPR slots (16 int32)
 * at 256, the 64 VSX registers (256 int32) at VSR_OFFSET.
 */
export const REGS_BYTES = 2048;
export const VSR_OFFSET = 512;
/** Offset of VSR n (16 bytes, most significant word first) within a register file. */
export const vsrOffset = (n: number): number => VSR_OFFSET + 16 * n;
/** Entries of each software TLB (memory.ts): 64 KiB pages, so 64 MiB of guest data. */
export const TLB_ENTRIES = 1024;
/** Bytes of one GuestMemory's TLB block (six arrays of TLB_ENTRIES int32, see memory.ts). */
export const TLB_BYTES = 32768;
/**
 * The TLB index of page pg (address bits 16-31) under high word hi is pg ^ (imul(hi, TLB_HASH)
 * >>> TLB_HASH_SHIFT), masked: a plain pg ^ hi made Go's heap (high word 0x0a000100) and its data
 * (high word 2) alias page for page, and the two stacks either side of 0x0900000000000000 too
 * (chansieve: 3.7 M slow-path loads and stores, nearly all such conflicts).
 */
export const TLB_HASH = 0x9e3779b1 | 0;
export const TLB_HASH_SHIFT = 22;

class Arena {
  readonly memory: WebAssembly.Memory;
  readonly buffer: ArrayBuffer;
  readonly bytes: Uint8Array;
  readonly shared: boolean;
  private next = PAGE_SIZE; // the first page stays unused: a zero base is never valid
  private readonly limit: number;
  private readonly freePages: number[] = [];
  private readonly freeSmall = new Map<number, number[]>();

  constructor(pages: number, shared: boolean) {
    this.memory = new WebAssembly.Memory({ initial: pages, maximum: pages, shared });
    this.shared = shared;
    this.buffer = this.memory.buffer as ArrayBuffer;
    this.bytes = new Uint8Array(this.buffer);
    this.limit = pages * 65536;
  }

  /** A zeroed 64 KiB page, or -1 when the arena is full. */
  allocPage(): number {
    const reused = this.freePages.pop();
    if (reused !== undefined) {
      this.bytes.fill(0, reused, reused + PAGE_SIZE);
      return reused;
    }
    if (this.next + PAGE_SIZE > this.limit) return -1;
    const at = this.next;
    this.next += PAGE_SIZE;
    return at;
  }

  freePage(at: number): void {
    this.freePages.push(at);
  }

  /**
   * A zeroed block of `size` bytes (a divisor of 64 KiB, or a multiple of it: contiguous pages),
   * or -1 when the arena is full. Blocks are zeroed when freed, not here: memory the arena has
   * not handed out yet is zero already, and a program's start takes about 20 blocks (1.6 MB, the
   * code pages' slot tables most of it) whose filling, page faults included, was 3% of hello.
   */
  allocSmall(size: number): number {
    let list = this.freeSmall.get(size);
    if (list === undefined) this.freeSmall.set(size, (list = []));
    if (list.length === 0 && size > PAGE_SIZE) {
      if (this.next + size > this.limit) return -1;
      // Written once per 4 KiB before anyone reads it. These blocks are code pages and the chain
      // map; the Wasm interpreter reads a code page's slot ids before decodeSlot writes them: a
      // read of untouched memory maps the kernel's shared zero page, and the write after it is a
      // copy-on-write fault whose TLB flush interrupts the other core (an IPI, costly in a VM):
      // 30 of a cpubench map run's main-thread samples (6 ms at 5 kHz), 2 when written first;
      // hello's 408 decodeOne calls took 6-7 ms, 1.6-1.9 ms after.
      for (let o = this.next; o < this.next + size; o += 4096) this.bytes[o] = 0;
      list.push(this.next);
      this.next += size;
    } else if (list.length === 0) {
      const page = this.allocPage();
      if (page < 0) return -1;
      for (let at = page + PAGE_SIZE - size; at >= page; at -= size) list.push(at);
    }
    return list.pop()!;
  }

  freeSmall_(at: number, size: number): void {
    this.bytes.fill(0, at, at + size);
    this.freeSmall.get(size)!.push(at);
  }
}

let arena: Arena | null | undefined;

/**
 * V8's Wasm tier-up budget (V8's default 1,800,000, in rough bytes of Liftoff code executed): at the
 * default a region tiers up to TurboFan after a few hundred calls, and each such compile costs
 * 5-15 ms of a worker thread for a 128-word region, which only a region that then runs about a
 * million more guest instructions repays (Liftoff code is about half TurboFan's speed on it). Go's
 * real tools run flat profiles: gofmt tiered up 344 of its 520 regions, 1.6 s of CPU on V8's
 * workers, more than the whole interpreted run. notes/cpu-performance.md, "Wide programs".
 * AIX_GDBSTUB_WASM_TIERING_BUDGET overrides it (0 leaves V8's own).
 */
export const WASM_TIERING_BUDGET = 60_000_000;

/** Set V8's Wasm tier-up budget: once, before the first module (V8 reads it as modules are created). */
function tuneWasmTiering(): void {
  const v = typeof process === 'undefined' ? undefined : process.env.AIX_GDBSTUB_WASM_TIERING_BUDGET;
  const budget = v === undefined || v === '' ? WASM_TIERING_BUDGET : Number(v);
  if (!Number.isInteger(budget) || budget <= 0) return;
  setTieringBudget(budget);
}
/** The budget tuneWasmTiering set (0: V8's own, left alone). */
let currentBudget = 0;
function setTieringBudget(budget: number): void {
  const builtin = (process as unknown as { getBuiltinModule?: (id: string) => unknown }).getBuiltinModule;
  const v8 = builtin?.('node:v8') as { setFlagsFromString(flags: string): void } | undefined;
  v8?.setFlagsFromString(`--wasm-tiering-budget=${budget}`);
  currentBudget = budget;
}
/** The tier-up budget this process has V8 give the next module it makes (0: V8's own). */
export function wasmTieringBudget(): number {
  return currentBudget;
}

/**
 * make() with V8's tier-up budget at `budget` while it runs, then back: V8 gives a module's
 * functions the budget in force when the module is made, so the Wasm interpreter (one module,
 * made once) can tier up sooner than the regions (wasm/interp.ts INTERP_TIERING_BUDGET).
 */
export function withTieringBudget<T>(budget: number, make: () => T): T {
  const was = currentBudget;
  if (budget <= 0 || was === 0) return make();
  setTieringBudget(budget);
  try {
    return make();
  } finally {
    setTieringBudget(was);
  }
}

/** Whether guestArena ran already (the start-up snapshot's builder checks that it did not). */
export function arenaDecided(): boolean {
  return arena !== undefined;
}

/** The process's arena, or null when the Wasm tier is off or the memory could not be reserved. */
export function guestArena(): Arena | null {
  if (arena !== undefined) return arena;
  arena = null;
  if (typeof process !== 'undefined' && process.env.AIX_GDBSTUB_WASM === '0') return null;
  if (typeof WebAssembly === 'undefined') return null;
  tuneWasmTiering();
  // 4 GiB when the host lets us reserve it, else smaller.
  for (const pages of [65536, 16384, 4096]) {
    for (const shared of [true, false]) {
      try {
        arena = new Arena(pages, shared);
        return arena;
      } catch {
        // try unshared, then a smaller reservation
      }
    }
  }
  return arena;
}

/**
 * The limits of the memory import "e"."m" in a module over the arena: shared with maximum 65536
 * pages (an import of a shared memory must say so, and its maximum must cover the memory's) or
 * unshared with minimum 1 page.
 */
export function memoryImportLimits(): number[] {
  return guestArena()?.shared ? [0x03, 1, 0x80, 0x80, 0x04] : [0x00, 1];
}

/** Frees arena storage of objects the GC collected (register files, TLBs, pages of a dropped GuestMemory). */
export const arenaReclaim = new FinalizationRegistry<{ pages?: Map<number, { base: number }>; small?: [number, number][] }>((held) => {
  const a = guestArena();
  if (a === null) return;
  if (held.pages) for (const p of held.pages.values()) if (p.base >= 0) a.freePage(p.base);
  if (held.small) for (const [at, size] of held.small) a.freeSmall_(at, size);
});
