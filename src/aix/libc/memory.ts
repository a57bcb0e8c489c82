// mmap family and malloc (§4.3, §4.6): hints in the 0x0a00... arena are honoured when free,
// NULL-hint maps bump upward from 0x0a00_0000_0000_0000, anonymous memory is lazily zero-backed,
// file mappings are filled from the file and kept coherent with it by ../file-mappings.ts, and
// writable bytes count against --memory-limit (ENOMEM beyond it).
import { PAGE_SIZE } from '../../cpu/memory.js';
import { MMAP_BASE, MMAP_HINT_END, alignDown, alignUp } from '../address-space.js';
import { ERRNO, MAP_ANONYMOUS, MAP_FIXED, MAP_PRIVATE, MAP_SHARED, MS_ASYNC, MS_INVALIDATE, MS_SYNC, O_ACCMODE, O_RDWR, O_WRONLY, PROT_EXEC, PROT_READ, PROT_WRITE } from '../constants.js';
import type { HostFile } from '../file-mappings.js';
import { fail, guarded, i64, int, ptr, type HleContext, type HleFunction } from './types.js';

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
  let file: HostFile | undefined;
  const offset = Number(i64(c, 5));
  const shared = (flags & MAP_SHARED) !== 0;
  if ((flags & MAP_ANONYMOUS) === 0) {
    if (shared === ((flags & MAP_PRIVATE) !== 0)) return fail(ERRNO.EINVAL);
    if (offset < 0 || offset % Number(GUEST_PAGE) !== 0) return fail(ERRNO.EINVAL);
    const e = c.proc.files.get(fd);
    if (!e) return fail(ERRNO.EBADF);
    // Pipes, sockets, terminals and directories cannot be mapped (Linux and AIX: ENODEV).
    if (e.file.kind !== 'host' || e.file.stream || e.file.isDir) return fail(ERRNO.ENODEV);
    const mode = e.file.flags & O_ACCMODE;
    if (mode === O_WRONLY) return fail(ERRNO.EACCES);
    if (shared && (prot & PROT_WRITE) && mode !== O_RDWR) return fail(ERRNO.EACCES);
    file = e.file;
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
  // A file mapping is filled at once: its pages must fit under --memory-limit now.
  if (file && c.proc.mem.pageCount + Number((end - start) / PAGE) > c.proc.mem.maxPages) return fail(ERRNO.ENOMEM);
  if (prot & PROT_WRITE) {
    const already = writableBytes(c, start, end);
    if (!space.commit(end - start - already)) return fail(ERRNO.ENOMEM);
  }
  if (flags & MAP_FIXED) {
    space.uncommit(writableBytes(c, start, end));
    if (prot & PROT_WRITE) space.commit(end - start);
    c.proc.fileMappings.remove(start, end);
  }
  c.proc.mem.map(start, end - start, hostProt(prot));
  if (file) c.proc.fileMappings.add(at, alignUp(len, GUEST_PAGE), file, offset, shared, (file.flags & O_ACCMODE) === O_RDWR);
  return at;
}

/** msync(addr, len, flags): write back the shared file mappings in the range (MS_INVALIDATE: and reload them). */
function msync(c: HleContext): ReturnType<HleFunction> {
  const addr = ptr(c, 0);
  const len = ptr(c, 1);
  const flags = int(c, 2);
  if (addr % GUEST_PAGE !== 0n || (flags & ~(MS_ASYNC | MS_SYNC | MS_INVALIDATE)) !== 0 || ((flags & MS_ASYNC) && (flags & MS_SYNC))) return fail(ERRNO.EINVAL);
  const end = alignUp(addr + len, GUEST_PAGE);
  if (!c.proc.mem.isRangeMapped(addr, end)) return fail(ERRNO.ENOMEM);
  c.proc.fileMappings.sync(addr, end, (flags & MS_INVALIDATE) !== 0);
  return 0;
}

export const memoryFunctions: Record<string, HleFunction> = {
  mmap: guarded(mmap),
  msync: guarded(msync),

  munmap: guarded((c) => {
    const addr = ptr(c, 0);
    const len = ptr(c, 1);
    if (addr % GUEST_PAGE !== 0n || len === 0n) return fail(ERRNO.EINVAL);
    // The file mappings in the range go (written back first) even where the host page stays.
    c.proc.fileMappings.remove(addr, alignUp(addr + len, GUEST_PAGE));
    // Host pages are 64 KiB: only whole host pages inside the range go away.
    const start = alignUp(addr, PAGE);
    const end = alignDown(addr + len, PAGE);
    if (end > start) {
      c.proc.space.uncommit(writableBytes(c, start, end));
      c.proc.mem.unmap(start, end - start);
    }
    return 0;
  }),

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
    // A shared mapping of a file opened read-only never becomes writable.
    if ((prot & PROT_WRITE) && c.proc.fileMappings.sharedReadOnlyIn(addr, addr + len)) return fail(ERRNO.EACCES);
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
