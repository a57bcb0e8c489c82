// Loads a Go XCOFF64 executable into guest memory the way the AIX loader would for these
// binaries (notes/aix-go-contract.md §1.5, §1.7, §2): segments at their link addresses, page 0 readable
// zeros, import slots pointing at sentinel descriptors, a main stack with argv/envp, a TLS block.
import type { XcoffImage } from '../xcoff/index.js';
import { type Backing, GuestMemory, PAGE_SIZE, PROT_EXEC, PROT_READ, PROT_WRITE } from '../cpu/memory.js';
import {
  AddressSpace,
  MAIN_STACK_SIZE,
  N_PTHREADS_CELL,
  SENTINEL_CODE_BASE,
  SENTINEL_DESC_BASE,
  STACK_TOP,
  alignDown,
  alignUp,
} from './address-space.js';
import { DESCRIPTOR_SIZE, LOADER_CALLBACK_INDEX, SentinelTable } from './sentinels.js';

const PAGE = BigInt(PAGE_SIZE);
/** The image's text starts at file offset 0 (headers included, §1.1). */
const XCOFF_TEXT_BASE = 0x1_0000_0000n;
/** TLS block per thread: R13 points 0x8000 into it, so R13-0x7800 (tls_g) is at +0x800. */
export const TLS_BLOCK_SIZE = 0x10000n;
export const TLS_R13_OFFSET = 0x8000n;
/** A value the sentinel descriptors carry as their TOC (never used by the host side). */
const SENTINEL_TOC = SENTINEL_DESC_BASE;

export class LoadError extends Error {}

export interface InitialThreadState {
  pc: bigint;
  toc: bigint;
  sp: bigint;
  r13: bigint;
  argc: number;
  argv: bigint;
  envp: bigint;
  /** R19: the loader-callback descriptor. */
  loaderCallback: bigint;
  /** LR: a sentinel for "__start returned" (never reached by Go). */
  returnAddress: bigint;
  stackLow: bigint;
  stackHigh: bigint;
  tlsBlock: bigint;
}

export interface LoadedProgram {
  image: XcoffImage;
  sentinels: SentinelTable;
  main: InitialThreadState;
}

export interface LoadOptions {
  argv: string[];
  envp: string[];
}

/** Import names this emulator treats as data (the slot gets a variable's address). */
function isDataImport(name: string, flagged: boolean): boolean {
  return flagged || name === '__n_pthreads';
}

/**
 * The backing of a segment mapped at `start` whose file bytes go at `vaddr` (after `headers` at
 * `start` when there are headers): one range of the file when the headers and the segment are
 * adjacent there as in memory (Go's text: the file's first bytes, then .text), else null.
 */
function backingOf(start: bigint, headers: Uint8Array | null, vaddr: bigint, bytes: Uint8Array): Backing | null {
  if (headers === null) return { bytes, base: vaddr };
  const gap = Number(vaddr - start);
  if (headers.length !== gap || headers.buffer !== bytes.buffer || bytes.byteOffset !== headers.byteOffset + gap) return null;
  return { bytes: new Uint8Array(bytes.buffer, headers.byteOffset, gap + bytes.length), base: start };
}

export function loadProgram(mem: GuestMemory, space: AddressSpace, image: XcoffImage, opts: LoadOptions): LoadedProgram {
  // Page 0: loads read zero, stores fault (§6.5). Go's nil checks depend on both.
  mem.map(0n, PAGE, PROT_READ);

  for (const seg of image.loadSegments) {
    const prot = (seg.readable ? PROT_READ : 0) | (seg.writable ? PROT_WRITE : 0) | (seg.executable ? PROT_EXEC : 0);
    let start = seg.vaddr;
    // Text mapped from file offset 0 so the headers are visible at 0x1_0000_0000 as on AIX: they
    // are written before the segment, each from the file's own bytes (no copy of the two joined).
    let headers: Uint8Array | null = null;
    if (seg.executable && seg.vaddr >= XCOFF_TEXT_BASE && seg.vaddr - XCOFF_TEXT_BASE < PAGE) {
      start = XCOFF_TEXT_BASE;
      headers = image.bytes.subarray(0, Number(seg.vaddr - XCOFF_TEXT_BASE));
    }
    const mapStart = alignDown(start, PAGE);
    const mapEnd = alignUp(seg.vaddr + seg.memSize, PAGE);
    // .data and .bss share pages: never let a later map() drop what an earlier one wrote.
    const overlapsExisting = !space.isFree(mapStart, mapEnd);
    if (overlapsExisting) {
      let at = mapStart;
      while (at < mapEnd) {
        if (mem.protectionAt(at) < 0) mem.map(at, PAGE, prot);
        else if (prot & PROT_WRITE) mem.protect(at, PAGE, mem.protectionAt(at) | prot);
        at += PAGE;
      }
    } else {
      // Read-only text whose bytes (headers included) lie in the file as in memory: each page is
      // filled from the file's bytes when first touched (cmd/compile runs 130 of its 285 text
      // pages; copying all of them was 18 ms of its start).
      const backing = overlapsExisting || seg.writable ? null : backingOf(start, headers, seg.vaddr, seg.fileBytes);
      mem.map(mapStart, mapEnd - mapStart, prot, backing ?? undefined);
      if (backing !== null) continue;
    }
    const bytes = seg.fileBytes;
    if ((headers !== null && mem.writeBytes(start, headers) !== headers.length) || (bytes.length > 0 && mem.writeBytes(seg.vaddr, bytes) !== bytes.length)) {
      throw new LoadError(`cannot place segment ${seg.name} at 0x${start.toString(16)}`);
    }
  }

  // Sentinels: one descriptor per import, all in emulator-owned pages.
  const sentinels = new SentinelTable();
  const slotValues: Array<{ slots: bigint[]; value: bigint }> = [];
  for (const imp of image.imports) {
    if (isDataImport(imp.name, imp.isData)) {
      slotValues.push({ slots: imp.slots, value: N_PTHREADS_CELL });
      continue;
    }
    const call = sentinels.add('import', imp.name, imp.library, imp.member);
    slotValues.push({ slots: imp.slots, value: call.descriptor });
  }
  mem.map(SENTINEL_CODE_BASE, alignUp(sentinels.end - SENTINEL_CODE_BASE, PAGE), PROT_READ);
  mem.writeBytes(SENTINEL_CODE_BASE, sentinels.codeBytes());
  const descEnd = SENTINEL_DESC_BASE + BigInt(sentinels.calls.length) * DESCRIPTOR_SIZE;
  mem.map(SENTINEL_DESC_BASE, alignUp(descEnd - SENTINEL_DESC_BASE, PAGE), PROT_READ);
  for (const c of sentinels.calls) {
    const d = new Uint8Array(24);
    const v = new DataView(d.buffer);
    v.setBigUint64(0, c.entry);
    v.setBigUint64(8, SENTINEL_TOC);
    v.setBigUint64(16, BigInt(c.index));
    mem.writeBytes(c.descriptor, d);
  }
  mem.map(N_PTHREADS_CELL, PAGE, PROT_READ | PROT_WRITE);
  for (const { slots, value } of slotValues) {
    for (const slot of slots) {
      const b = new Uint8Array(8);
      new DataView(b.buffer).setBigUint64(0, value);
      if (mem.writeBytes(slot, b) !== 8) throw new LoadError(`import slot 0x${slot.toString(16)} is outside the image`);
    }
  }

  // Main stack with argv/envp at its top (§2.3: envp must follow argv's NULL).
  const stackLow = STACK_TOP - MAIN_STACK_SIZE;
  mem.map(stackLow, MAIN_STACK_SIZE, PROT_READ | PROT_WRITE);
  const { sp, argv, envp } = buildArgs(mem, STACK_TOP, opts.argv, opts.envp);

  const tlsBlock = space.allocate(TLS_BLOCK_SIZE, 0x10000n);
  if (tlsBlock === null) throw new LoadError('no room for the main thread TLS block');

  return {
    image,
    sentinels,
    main: {
      pc: image.entry,
      toc: image.entryToc,
      sp,
      r13: tlsBlock + TLS_R13_OFFSET,
      argc: opts.argv.length,
      argv,
      envp,
      loaderCallback: sentinels.calls[LOADER_CALLBACK_INDEX]!.descriptor,
      returnAddress: sentinels.calls[1]!.entry,
      stackLow,
      stackHigh: STACK_TOP,
      tlsBlock,
    },
  };
}

/** Writes strings and the argv/envp arrays below top; returns the initial R1 and array addresses. */
export function buildArgs(mem: GuestMemory, top: bigint, args: string[], env: string[]): { sp: bigint; argv: bigint; envp: bigint } {
  let at = top - 16n;
  const place = (s: string): bigint => {
    const b = Buffer.from(s + '\0', 'utf8');
    at -= BigInt(b.length);
    mem.writeBytes(at, b);
    return at;
  };
  const envAddrs = env.map(place);
  const argAddrs = args.map(place);
  at = alignDown(at, 16n);
  const words = [...argAddrs, 0n, ...envAddrs, 0n];
  at -= BigInt(words.length * 8);
  at = alignDown(at, 16n);
  const arr = new Uint8Array(words.length * 8);
  const v = new DataView(arr.buffer);
  words.forEach((w, i) => v.setBigUint64(i * 8, w));
  mem.writeBytes(at, arr);
  const argv = at;
  const envp = at + BigInt((args.length + 1) * 8);
  // A full AIX frame above R1 (linkage + parameter area) that __start may write into (§2.2).
  const sp = alignDown(at - 256n, 16n);
  return { sp, argv, envp };
}
