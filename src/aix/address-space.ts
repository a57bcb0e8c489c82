// The emulated process's address-space policy (notes/aix-go-contract.md §9): where the emulator puts the
// things it owns (sentinels, TLS, errno cells, malloc, thread stacks) and how mmap places guest
// mappings. GuestMemory does the mapping; this class decides addresses and keeps the books.
import { GuestMemory, PAGE_SIZE, PROT_READ, PROT_WRITE } from '../cpu/memory.js';

/** Import sentinels (code addresses the CPU must never execute) and their descriptors. */
export const SENTINEL_CODE_BASE = 0x0900_0000_0000_0000n;
export const SENTINEL_DESC_BASE = 0x0900_0000_0001_0000n;
/** 8-byte zero cell the data import __n_pthreads points at. */
export const N_PTHREADS_CELL = 0x0900_0000_0002_0000n;
/** Emulator-owned bump arena: malloc, errno cells, TLS blocks. Never freed. */
export const ARENA_BASE = 0x0800_0000_0000_0000n;
export const ARENA_SIZE = 0x4000_0000n; // 1 GiB of address space, touched lazily
/** AIX's 64-bit mmap area; NULL-hint mappings grow upward from here (§4.6). */
export const MMAP_BASE = 0x0a00_0000_0000_0000n;
export const MMAP_NULL_END = 0x0a00_0100_0000_0000n;
export const MMAP_HINT_END = 0x0a01_0000_0000_0000n;
/**
 * Main stack: 8 MiB ending at STACK_TOP. Unlike real AIX (stack at the top of the address space),
 * every thread stack (Go's g0 stacks) lies below the mmap area that holds the goroutine stacks:
 * gdb ends a backtrace when a caller's frame is below its callee's, so unwinding from g0 back onto
 * a goroutine stack (src/goruntime/stack-switch-cfi.ts) only works in this direction.
 */
export const STACK_TOP = 0x08ff_ffff_ffff_0000n;
export const MAIN_STACK_SIZE = 0x80_0000n;
/** Thread stacks grow upward from here, each with an unmapped guard page below. */
export const THREAD_STACKS_BASE = 0x08ff_ff00_0000_0000n;

const PAGE = BigInt(PAGE_SIZE);

export function alignUp(v: bigint, a: bigint): bigint {
  return (v + a - 1n) & ~(a - 1n);
}
export function alignDown(v: bigint, a: bigint): bigint {
  return v & ~(a - 1n);
}

export class AddressSpace {
  private arenaNext = ARENA_BASE;
  private mmapNext = MMAP_BASE;
  private stackNext = THREAD_STACKS_BASE;
  /** Bytes of guest-requested writable memory (mmap RW + mprotect RW), checked against the limit. */
  committed = 0n;
  /** Limit on committed bytes; beyond it mmap/mprotect fail with ENOMEM. */
  commitLimit: bigint;

  constructor(readonly mem: GuestMemory, memoryLimit: bigint) {
    this.commitLimit = memoryLimit;
    mem.maxPages = Number(memoryLimit / PAGE) + 64; // backstop: emulator-owned pages ride on top
    mem.map(ARENA_BASE, ARENA_SIZE, PROT_READ | PROT_WRITE);
  }

  /** The same books over a copy of the memory (fork). */
  cloneFor(mem: GuestMemory): AddressSpace {
    const s = Object.create(AddressSpace.prototype) as AddressSpace;
    Object.assign(s, this, { mem });
    return s;
  }

  /** Emulator-owned zeroed memory (malloc, errno cells, TLS). */
  allocate(size: bigint, align = 16n): bigint | null {
    const at = alignUp(this.arenaNext, align);
    if (at + size > ARENA_BASE + ARENA_SIZE) return null;
    this.arenaNext = at + size;
    return at;
  }

  /** A fresh thread stack of at least size bytes; returns [low, high). */
  allocateStack(size: bigint): { low: bigint; high: bigint } {
    const low = alignUp(this.stackNext + PAGE, PAGE); // one unmapped guard page below
    const high = alignUp(low + size, PAGE);
    this.mem.map(low, high - low, PROT_READ | PROT_WRITE);
    this.stackNext = high;
    return { low, high };
  }

  releaseStack(low: bigint, high: bigint): void {
    this.mem.unmap(low, high - low);
  }

  /** True if no part of [start, end) is mapped. */
  isFree(start: bigint, end: bigint): boolean {
    for (const r of this.mem.mappings()) if (r.start < end && r.end > start) return false;
    return true;
  }

  /** Where a hint-less mmap of size bytes goes (bump upward through the AIX mmap area). */
  placeAnonymous(size: bigint): bigint | null {
    let at = alignUp(this.mmapNext, PAGE);
    // Skip over anything a hinted/fixed mapping put in the way.
    for (let tries = 0; tries < 1024; tries++) {
      if (at + size > MMAP_NULL_END) return null;
      if (this.isFree(at, at + size)) {
        this.mmapNext = at + size;
        return at;
      }
      let next = at + PAGE;
      for (const r of this.mem.mappings()) if (r.start < at + size && r.end > at && r.end > next) next = r.end;
      at = alignUp(next, PAGE);
    }
    return null;
  }

  /** Account for newly writable bytes; false when that would exceed the memory limit. */
  commit(bytes: bigint): boolean {
    if (this.committed + bytes > this.commitLimit) return false;
    this.committed += bytes;
    return true;
  }

  uncommit(bytes: bigint): void {
    this.committed = this.committed > bytes ? this.committed - bytes : 0n;
  }
}
