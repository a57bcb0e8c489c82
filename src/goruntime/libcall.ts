// "Which libc function is this M in, with which arguments?" (notes/aix-go-contract.md §7.3). On AIX the
// runtime does not write m.libcall for ordinary calls: syscallN builds a local libcall struct on
// its caller's stack and hands its address to asmsyscall6 in R3, which keeps it at 112(R1) of its
// 288-byte frame until the call returns. So the live frame is found from a thread's registers:
//   - PC at asmsyscall6's first three instructions: R3 is &libcall (not yet stored);
//   - PC further inside asmsyscall6, inside callCfunction, or in libc (LR inside asmsyscall6):
//     &libcall = mem64[R1 + 112].
// The emulator's own record of the import a thread is in (name and R3..R10 at entry) covers the
// paths that build no libcall at all (CSYSCALL, callbacks). m.libcall is shown too where it is set
// (sigtramp saves it around a signal handler).
import type { XcoffImage, XcoffImport } from '../xcoff/index.js';
import type { MRecord, ReadMemory } from './reader.js';

/** The asmsyscall6 frame slot holding &libcall (after `stdu r31,-288(r1)`; the same in Go 1.19 and 1.24). */
export const ASMSYSCALL6_LIBCALL_SLOT = 112n;
/** Byte offset inside asmsyscall6 of `std r3,112(r1)`: before it executes, &libcall is only in R3. */
const ASMSYSCALL6_STORE_OFFSET = 8n;
/** Arguments asmsyscall6 always loads, whatever libcall.n says. */
const MAX_LIBCALL_ARGS = 6;

export interface LibcallStruct {
  fn: bigint;
  n: bigint;
  /** The args pointer. */
  argsPtr: bigint;
  /** The first min(n, 6) argument words (empty when the pointer is unreadable). */
  args: bigint[];
  r1: bigint;
  r2: bigint;
  err: bigint;
}

/** Registers the frame search looks at. */
export interface LibcallRegisters {
  pc: bigint;
  lr: bigint;
  r1: bigint;
  r3: bigint;
}

/** Import slots and the asm routines that handle libc calls, resolved once per image. */
export class LibcallSites {
  private readonly slotToImport = new Map<bigint, XcoffImport>();
  readonly asmsyscall6: { start: bigint; end: bigint } | undefined;
  readonly callCfunction: { start: bigint; end: bigint } | undefined;

  constructor(readonly image: XcoffImage) {
    for (const imp of image.imports) for (const slot of imp.slots) this.slotToImport.set(slot, imp);
    this.asmsyscall6 = codeRange(image, 'asmsyscall6');
    this.callCfunction = codeRange(image, 'callCfunction');
  }

  /** The import whose slot is at `slot` (a libcall's fn is the slot address, §3.2). */
  importAtSlot(slot: bigint): XcoffImport | undefined {
    return this.slotToImport.get(slot);
  }

  /** Every slot of a named import ('write'); empty when the binary does not import it. */
  slotsOf(name: string): bigint[] {
    return this.image.imports.filter((i) => i.name === name).flatMap((i) => i.slots);
  }

  inAsmsyscall6(pc: bigint): boolean {
    const r = this.asmsyscall6;
    return r !== undefined && pc >= r.start && pc < r.end;
  }

  inCallCfunction(pc: bigint): boolean {
    const r = this.callCfunction;
    return r !== undefined && pc >= r.start && pc < r.end;
  }

  /**
   * Where the live libcall struct of a thread is, from its registers, or undefined when the thread
   * is not on the asmsyscall6 path. `readWord` reads a big-endian u64 of guest memory.
   */
  locate(regs: LibcallRegisters, readWord: (addr: bigint) => bigint | undefined): { address: bigint; via: string } | undefined {
    const a = this.asmsyscall6;
    if (a === undefined) return undefined;
    let address: bigint | undefined;
    let via: string;
    if (this.inAsmsyscall6(regs.pc) && regs.pc - a.start <= ASMSYSCALL6_STORE_OFFSET) {
      address = regs.r3;
      via = 'R3 at asmsyscall6 entry';
    } else if (this.inAsmsyscall6(regs.pc) || this.inCallCfunction(regs.pc) || this.inAsmsyscall6(regs.lr)) {
      address = readWord(regs.r1 + ASMSYSCALL6_LIBCALL_SLOT);
      via = `112(R1) of asmsyscall6's frame (R1 = 0x${regs.r1.toString(16)})`;
    } else {
      return undefined;
    }
    if (address === undefined || address === 0n) return undefined;
    return { address, via };
  }
}

function codeRange(image: XcoffImage, name: string): { start: bigint; end: bigint } | undefined {
  const s = image.findSymbol(name);
  if (s === undefined || s.size === 0n || s.kind !== 'function') return undefined;
  return { start: s.address, end: s.address + s.size };
}

/** Reads a libcall struct (offsets from DWARF via the caller's field plan) and its argument words. */
export function readLibcallStruct(
  read: ReadMemory,
  address: bigint,
  offsets: { fn: number; n: number; args: number; r1: number; r2: number; err: number },
): LibcallStruct | undefined {
  const word = (addr: bigint): bigint | undefined => {
    try {
      const b = read(addr, 8);
      if (b.length < 8) return undefined;
      return new DataView(b.buffer, b.byteOffset, 8).getBigUint64(0);
    } catch {
      return undefined;
    }
  };
  const at = (off: number) => word(address + BigInt(off));
  const fn = at(offsets.fn);
  const n = at(offsets.n);
  const argsPtr = at(offsets.args);
  const r1 = at(offsets.r1);
  const r2 = at(offsets.r2);
  const err = at(offsets.err);
  if (fn === undefined || n === undefined || argsPtr === undefined || r1 === undefined || r2 === undefined || err === undefined) return undefined;
  const args: bigint[] = [];
  const count = n >= 0n && n <= BigInt(MAX_LIBCALL_ARGS) ? Number(n) : MAX_LIBCALL_ARGS;
  for (let i = 0; i < count; i++) {
    const v = word(argsPtr + BigInt(8 * i));
    if (v === undefined) break;
    args.push(v);
  }
  return { fn, n, argsPtr, args, r1, r2, err };
}

/** The libcall kept in runtime.m (sigtramp's copy), as a struct, or undefined when unused (fn 0). */
export function mLibcall(m: MRecord): Omit<LibcallStruct, 'args'> | undefined {
  const l = m.libcall;
  if (l === undefined || l.fn === 0n) return undefined;
  return { fn: l.fn, n: l.n, argsPtr: l.args, r1: l.r1, r2: l.r2, err: l.err };
}

/** "libc.a(shr_64.o):write" */
export function qualifiedImportName(i: { library: string; member: string; name: string }): string {
  return i.library ? `${i.library}(${i.member}):${i.name}` : i.name;
}
