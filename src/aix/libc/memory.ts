// mmap family and malloc (§4.3, §4.6): hints in the 0x0a00... arena are honoured when free,
// NULL-hint maps bump upward from 0x0a00_0000_0000_0000, everything is lazily zero-backed, and
// writable bytes count against --memory-limit (ENOMEM beyond it).
import { PAGE_SIZE } from '../../cpu/memory.js';
import { MMAP_BASE, MMAP_HINT_END, alignDown, alignUp } from '../address-space.js';
import { ERRNO, MAP_ANONYMOUS, MAP_FIXED, PROT_EXEC, PROT_READ, PROT_WRITE } from '../constants.js';
import { fail, int, ptr, type HleContext, type HleFunction } from './types.js';

const PAGE = BigInt(PAGE_SIZE);
const GUEST_PAGE = 4096n;
const MAP_FAILED = 0xffff_ffff_ffff_ffffn;

function hostProt(prot: number): number {
  return prot & (PROT_READ | PROT_WRITE | PROT_EXEC);
}

/** Writable bytes currently mapped in [start, end). */
function writableBytes(c: HleContext, start: bigint, end: bigint): bigint {
  let n = 0n;
  for (const r of c.proc.mem.mappings()) {
    if (r.end <= start || r.start >= end || (r.prot & PROT_WRITE) === 0) continue;
    const s = r.start > start ? r.start : start;
    const e = r.end < end ? r.end : end;
    n += e - s;
  }
  return n;
}

function mmap(c: HleContext): ReturnType<HleFunction> {
  const hint = ptr(c, 0);
  const len = ptr(c, 1);
  const prot = int(c, 2);
  const flags = int(c, 3);
  const fd = int(c, 4);
  if (len === 0n) return fail(ERRNO.EINVAL);
  if ((flags & MAP_ANONYMOUS) === 0 || fd !== -1) {
    // File mappings: not needed by the fixtures' runtime paths.
    return fail(ERRNO.ENODEV);
  }
  const size = alignUp(len, PAGE);
  const space = c.proc.space;
  let at: bigint | null = null;
  if (flags & MAP_FIXED) {
    if (hint % GUEST_PAGE !== 0n) return fail(ERRNO.EINVAL);
    at = hint;
  } else if (hint !== 0n && hint % PAGE === 0n && hint >= MMAP_BASE && hint + size <= MMAP_HINT_END && space.isFree(hint, hint + size)) {
    at = hint;
  } else {
    at = space.placeAnonymous(size);
  }
  if (at === null) return fail(ERRNO.ENOMEM);
  const start = alignDown(at, PAGE);
  const end = alignUp(at + len, PAGE);
  if (prot & PROT_WRITE) {
    const already = writableBytes(c, start, end);
    if (!space.commit(end - start - already)) return fail(ERRNO.ENOMEM);
  }
  if (flags & MAP_FIXED) {
    space.uncommit(writableBytes(c, start, end));
    if (prot & PROT_WRITE) space.commit(end - start);
  }
  c.proc.mem.map(start, end - start, hostProt(prot));
  return at;
}

export const memoryFunctions: Record<string, HleFunction> = {
  mmap,

  munmap(c) {
    const addr = ptr(c, 0);
    const len = ptr(c, 1);
    if (addr % GUEST_PAGE !== 0n || len === 0n) return fail(ERRNO.EINVAL);
    // Host pages are 64 KiB: only whole host pages inside the range go away.
    const start = alignUp(addr, PAGE);
    const end = alignDown(addr + len, PAGE);
    if (end > start) {
      c.proc.space.uncommit(writableBytes(c, start, end));
      c.proc.mem.unmap(start, end - start);
    }
    return 0;
  },

  mprotect(c) {
    const addr = ptr(c, 0);
    const len = ptr(c, 1);
    const prot = int(c, 2);
    if (addr % GUEST_PAGE !== 0n) return fail(ERRNO.EINVAL);
    // Granting access rounds outward, removing it rounds inward (host pages are 64 KiB).
    const grant = (prot & (PROT_READ | PROT_WRITE)) !== 0;
    const start = grant ? alignDown(addr, PAGE) : alignUp(addr, PAGE);
    const end = grant ? alignUp(addr + len, PAGE) : alignDown(addr + len, PAGE);
    if (end <= start) return 0;
    const mem = c.proc.mem;
    if (!mem.isRangeMapped(start, end)) return fail(ERRNO.ENOMEM);
    const before = writableBytes(c, start, end);
    if (prot & PROT_WRITE) {
      if (!c.proc.space.commit(end - start - before)) return fail(ERRNO.ENOMEM);
    } else {
      c.proc.space.uncommit(before);
    }
    mem.protect(start, end - start, hostProt(prot));
    return 0;
  },

  madvise(c) {
    const addr = ptr(c, 0);
    const len = ptr(c, 1);
    const advice = int(c, 2);
    // MADV_DONTNEED: give the storage back; Go does not rely on zeroing but it is what AIX does.
    if (advice === 4) c.proc.mem.discard(addr, len);
    return 0;
  },

  malloc(c) {
    const n = ptr(c, 0);
    const at = c.proc.space.allocate(n === 0n ? 8n : n, 16n);
    if (at === null) return fail(ERRNO.ENOMEM);
    return at;
  },

  free() {
    return 0;
  },
};

export { MAP_FAILED };
