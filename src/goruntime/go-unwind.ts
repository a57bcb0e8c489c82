// The stub's own unwinder for one goroutine's stack, independent of gdb: where the goroutine is
// (its thread's registers while it runs on them, else g.syscallpc/syscallsp while in a syscall,
// else its saved g.sched), then caller by caller with the frame sizes of Go's .debug_frame, until
// Go marks the end (runtime.goexit's undefined return address) or the stack leaves the goroutine's
// bounds. Used by `monitor goroutine N bt` and for the "user" location of `monitor goroutines`.
import { FrameTable, parseDebugFrame } from '../dwarf/frame.js';
import type { XcoffImage } from '../xcoff/index.js';
import type { ReadMemory } from './reader.js';

export interface UnwindStart {
  pc: bigint;
  sp: bigint;
  /** The link register when it still holds the return address (live registers, or g.sched.lr). */
  lr: bigint | undefined;
}

export interface GoFrame {
  pc: bigint;
  /** R1 in this frame (its stack pointer). */
  sp: bigint;
}

export interface GoStack {
  frames: GoFrame[];
  /** Why the walk ended: 'end' at the goroutine's first frame, else a reason to show. */
  end: 'end' | string;
}

const perImage = new WeakMap<XcoffImage, FrameTable | string>();

/** Go's own .debug_frame of the image, parsed once. */
export function frameTableOf(image: XcoffImage): FrameTable | string {
  let t = perImage.get(image);
  if (t === undefined) {
    const bytes = image.dwarfSections().get('.debug_frame');
    try {
      t = bytes === undefined ? 'the binary has no .debug_frame (linked with -w?)' : new FrameTable(parseDebugFrame(bytes));
    } catch (e) {
      t = `cannot read .debug_frame: ${e instanceof Error ? e.message : String(e)}`;
    }
    perImage.set(image, t);
  }
  return t;
}

/**
 * Walks callers from `start`. Frames past the first are looked up at pc-1 (inside the call). Stops at
 * an undefined return address, a zero pc, a pc without frame information, an SP outside
 * [stackLo, stackHi] or that does not grow, or after maxFrames.
 */
export function unwindGoStack(table: FrameTable, read: ReadMemory, start: UnwindStart, bounds: { lo: bigint; hi: bigint }, maxFrames = 256): GoStack {
  const frames: GoFrame[] = [];
  let pc = start.pc;
  let sp = start.sp;
  let lr = start.lr;
  for (let i = 0; i < maxFrames; i++) {
    if (pc === 0n) return { frames, end: 'return address 0' };
    if (sp < bounds.lo || sp >= bounds.hi) return { frames, end: `stack pointer 0x${sp.toString(16)} outside the goroutine's stack` };
    frames.push({ pc, sp });
    let row: ReturnType<FrameTable['rowAt']>;
    try {
      row = table.rowAt(i === 0 ? pc : pc - 1n);
    } catch (e) {
      return { frames, end: e instanceof Error ? e.message : String(e) };
    }
    if (row === undefined) return { frames, end: `no frame information for 0x${pc.toString(16)}` };
    if (row.cfa === undefined || row.cfa.reg !== 1) return { frames, end: `frame at 0x${pc.toString(16)} is not described by SP + offset` };
    const ra = row.returnAddress;
    if (ra.kind === 'undefined') return { frames, end: 'end' };
    const cfa = sp + BigInt(row.cfa.offset);
    let next: bigint;
    if (ra.kind === 'same') {
      if (lr === undefined) return { frames, end: `return address of 0x${pc.toString(16)} is in LR, which is not saved` };
      next = lr;
    } else if (ra.kind === 'offset') {
      const at = cfa + BigInt(ra.offset);
      let bytes: Uint8Array;
      try {
        bytes = read(at, 8);
      } catch {
        bytes = new Uint8Array(0);
      }
      if (bytes.length < 8) return { frames, end: `cannot read the return address at 0x${at.toString(16)}` };
      next = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0);
    } else {
      return { frames, end: `return address of 0x${pc.toString(16)} is not at an offset from the CFA` };
    }
    if (i > 0 && cfa <= sp) return { frames, end: `frame at 0x${pc.toString(16)} does not grow the stack` };
    pc = next;
    sp = cfa;
    lr = undefined;
  }
  return { frames, end: `more than ${maxFrames} frames` };
}

/**
 * Delve's notion of user code: not an unexported runtime function, not the standard library's
 * internal packages (only std may import `internal/...`: internal/abi's methods are inlined into
 * mallocgc, and a goroutine stopped there must show its caller), not assembly glue or a libc entry.
 */
export function isUserFunction(name: string): boolean {
  if (/^runtime\.[^A-Z]/.test(name)) return false;
  if (name.startsWith('internal/') || name.startsWith('runtime/internal/')) return false;
  return name.includes('.'); // asmsyscall6, __start and libc imports have no package
}
