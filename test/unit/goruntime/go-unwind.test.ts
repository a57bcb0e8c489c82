// The stub's goroutine unwinder on hand-made frame tables and memory: it follows return addresses
// saved at an offset from the CFA, uses LR only where the frame keeps it there, and ends with a
// reason (never a made-up frame) at an undefined return address, unreadable memory or a bad SP.
import { describe, expect, it } from 'vitest';
import { ByteWriter, DW_CFA, FrameTable, newCie, newFde, type FrameEntry } from '../../../src/dwarf/frame.js';
import { unwindGoStack } from '../../../src/goruntime/go-unwind.js';

const LR = 65;
const cie = newCie(LR, new ByteWriter().u8(DW_CFA.def_cfa).uleb(1).uleb(0).u8(DW_CFA.same_value).uleb(LR).toBytes(), 0);
/** A function at [start, start+0x100) with a frame of `size` bytes, its return address at 0(R1). */
const framed = (start: bigint, size: number): FrameEntry =>
  newFde(0, start, 0x100n, new ByteWriter().u8(DW_CFA.def_cfa).uleb(1).uleb(size).u8(DW_CFA.offset_extended_sf).uleb(LR).sleb(-size).toBytes());
const top = (start: bigint): FrameEntry => newFde(0, start, 0x100n, new ByteWriter().u8(DW_CFA.undefined).uleb(LR).toBytes());
const leaf = (start: bigint): FrameEntry => newFde(0, start, 0x100n, new Uint8Array(0));

function memory(words: Record<string, bigint>) {
  return (addr: bigint, len: number): Uint8Array => {
    const w = words[addr.toString(16)];
    if (w === undefined) throw new Error(`unmapped 0x${addr.toString(16)}`);
    const b = new Uint8Array(len);
    new DataView(b.buffer).setBigUint64(0, w);
    return b;
  };
}

describe('unwindGoStack', () => {
  const table = new FrameTable([cie, leaf(0x1000n), framed(0x2000n, 32), framed(0x3000n, 64), top(0x4000n)]);
  const bounds = { lo: 0x8000n, hi: 0x9000n };

  it('leaf (LR) -> framed -> framed -> the top frame', () => {
    const read = memory({ '8800': 0x3010n, '8820': 0x4004n });
    const s = unwindGoStack(table, read, { pc: 0x1004n, sp: 0x8800n, lr: 0x2010n }, bounds);
    expect(s.frames.map((f) => [f.pc, f.sp])).toEqual([[0x1004n, 0x8800n], [0x2010n, 0x8800n], [0x3010n, 0x8820n], [0x4004n, 0x8860n]]);
    expect(s.end).toBe('end');
  });

  it('a leaf whose LR is unknown (a parked goroutine with sched.lr 0) ends there', () => {
    const s = unwindGoStack(table, memory({}), { pc: 0x1004n, sp: 0x8800n, lr: undefined }, bounds);
    expect(s.frames).toHaveLength(1);
    expect(s.end).toMatch(/is in LR, which is not saved/);
  });

  it('unreadable memory, an SP off the stack and unknown code end the walk with a reason', () => {
    expect(unwindGoStack(table, memory({}), { pc: 0x2010n, sp: 0x8800n, lr: undefined }, bounds).end).toMatch(/cannot read the return address at 0x8800/);
    expect(unwindGoStack(table, memory({}), { pc: 0x2010n, sp: 0x9800n, lr: undefined }, bounds)).toEqual({ frames: [], end: "stack pointer 0x9800 outside the goroutine's stack" });
    const s = unwindGoStack(table, memory({ '8800': 0x7777n }), { pc: 0x2010n, sp: 0x8800n, lr: undefined }, bounds);
    expect(s.frames.map((f) => f.pc)).toEqual([0x2010n, 0x7777n]);
    expect(s.end).toBe('no frame information for 0x7777');
  });
});
