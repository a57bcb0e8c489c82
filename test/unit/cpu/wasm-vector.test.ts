// The vector rows of the Wasm tier (src/cpu/wasm/emit-vector.ts): every VMX, VSX and crypto row it
// emits, in every form, against the interpreter, with random register contents biased to lane edges
// (sign bits, all ones, 0x7f/0x80 bytes) and shift counts; then mixes and loops of them with integer
// rows, budgets cutting blocks anywhere, loads and stores crossing into an unmapped page (the slow
// path faults at the exact instruction) and stores into the block's own code.
import { describe, expect, it } from 'vitest';
import { StopReason, jitStats } from '../../../src/cpu/cpu.js';
import { Emit, wasmAccepts, wasmRows } from '../../../src/cpu/wasm/compiler.js';
import { vectorWasmRows } from '../../../src/cpu/wasm/emit-vector.js';
import { allRows } from '../../../src/cpu/decode.js';
import type { InsnRow } from '../../../src/cpu/isa-types.js';
import { A_, B, CODE, D, DATA, I, TRAP, X, rng } from './asm.js';
import { IDX, PTR, type Setup, expectWatchThenTrap, int, labelLoop, makeCpu, pick, randomSetup, runBoth, snapshot } from './jit-harness.js';

const vectorRows: InsnRow[] = allRows.filter((row) => row.name in vectorWasmRows);

/** Words biased to lane edges: every byte, halfword and word boundary case shows up often. */
function vectorWord(r: () => bigint): number {
  const byte = (): number => pick(r, [0x00, 0x01, 0x7f, 0x80, 0xff, 0x07, 0x08, 0x1f, 0x20, 0x3f, 0x40, int(r, 256)]);
  switch (int(r, 6)) {
    case 0:
      return pick(r, [0, -1, 0x80000000, 0x7fffffff, 0x00008000, 0x80008000, 0x7fff7fff, 0x00ff00ff, 0x01010101]) | 0;
    case 1:
      return ((byte() << 24) | (byte() << 16) | (byte() << 8) | byte()) | 0;
    default:
      return Number(BigInt.asIntN(32, r()));
  }
}
function vectorSetup(r: () => bigint, nearPageEnd = false): Setup {
  const setup = randomSetup(r);
  for (let k = 0; k < 256; k++) setup.vsr![k] = vectorWord(r);
  // pointers: aligned, misaligned, or in the last bytes of the data page (16-byte accesses cross it)
  const idx = nearPageEnd ? int(r, 16) : Number(setup.gpr![IDX]);
  setup.gpr![IDX] = BigInt(idx);
  for (const p of PTR) {
    const off = nearPageEnd && int(r, 2) === 0 ? 0xfff0 + int(r, 16) - idx : 0x1000 + int(r, 0xc000);
    setup.gpr![p] = DATA + BigInt(off);
  }
  return setup;
}

/** GPR loads among them (RT must not be a pointer or index register). */
const GPR_LOADS = new Set(['lhbrx', 'lwbrx', 'ldbrx']);
const MEMORY = new Set(['lhbrx', 'lwbrx', 'ldbrx', 'sthbrx', 'stwbrx', 'stdbrx', 'lvx', 'lvxl', 'stvx', 'stvxl', 'lxvd2x', 'lxvw4x', 'stxvd2x', 'stxvw4x', 'lxvdsx', 'lxsdx', 'stxsdx', 'lvsl', 'lvsr']);

/** A random word of this row: register fields anywhere in 0..31 (VSRs 0..63), GPR fields sane. */
function vectorInsn(r: () => bigint, row: InsnRow): number {
  const free = Number(BigInt.asUintN(32, r())) & ~row.mask;
  if (row.match >>> 26 !== 31) return (row.match | free) | 0;
  const tx = int(r, 2);
  const t = GPR_LOADS.has(row.name) ? pick(r, [4, 5, 6, 7, 8, 9]) : int(r, 32);
  if (MEMORY.has(row.name)) return (row.match | (t << 21) | (pick(r, [0, ...PTR, ...PTR]) << 16) | (IDX << 11) | tx) | 0;
  if (row.name === 'cmpb') return (row.match | (pick(r, [0, 4, 5, 6, 7]) << 21) | (pick(r, [4, 5, 6, 7]) << 16) | (pick(r, [0, 4, 5, 6, 7]) << 11)) | 0;
  // GPR <-> VSR moves: RA is the GPR (a destination for mfvsr*, never a pointer register)
  const gpr = row.name.startsWith('mf') ? pick(r, [4, 5, 6, 7, 8, 9]) : pick(r, [0, 4, 5, 6, 7, 8, 9, 1]);
  return (row.match | (t << 21) | (gpr << 16) | tx) | 0;
}

describe('wasm tier: vector rows match the interpreter', () => {
  it('every row the vector emitters register is a real row, and each is covered here', () => {
    const names = new Set(allRows.map((row) => row.name));
    for (const name of Object.keys(vectorWasmRows)) {
      expect(names.has(name), name).toBe(true);
      expect(wasmRows[name], name).toBe(vectorWasmRows[name]);
    }
    expect(vectorRows.length).toBe(Object.keys(vectorWasmRows).length);
  });

  it('every row on its own, in random forms and operands (40 cases per row), compiled to Wasm', () => {
    const r = rng(0x5eed_0201n);
    const before = jitStats().wasm;
    let cases = 0;
    for (const row of vectorRows) {
      for (let c = 0; c < 40; c++) {
        const insn = vectorInsn(r, row);
        // wasmAccepts answers from vectorWasmAccepts without emitting: the emitter must agree
        expect(wasmAccepts(row.name, insn), `${row.name} 0x${(insn >>> 0).toString(16)}`).toBe(true);
        expect(wasmRows[row.name](new Emit(0, 0, 1, [0]), insn, 0), `${row.name} 0x${(insn >>> 0).toString(16)} emitted`).toBe(true);
        runBoth([I(4), insn, I(8), TRAP, TRAP, TRAP, TRAP], vectorSetup(r, c % 4 === 3), [100], `${row.name} case ${c} word 0x${(insn >>> 0).toString(16)}`);
        cases++;
      }
    }
    expect(jitStats().wasm - before).toBeGreaterThanOrEqual(cases);
  });

  // The test above runs each program once, so a store's first access to the data page misses the
  // write TLB and runs through its row's exec (the slow path): its Wasm store never ran there.
  it('every load and store row again through a warm TLB (their Wasm fast path), 40 cases per row', () => {
    const r = rng(0x5eed_020cn);
    const memoryRows = vectorRows.filter((row) => MEMORY.has(row.name));
    expect(memoryRows.length).toBe(MEMORY.size);
    for (const row of memoryRows) {
      for (let c = 0; c < 40; c++) {
        const insn = vectorInsn(r, row);
        // twice round the loop: the first pass fills the TLB entries the second one hits
        runBoth(labelLoop([insn], 2), vectorSetup(r, c % 4 === 3), [100], `${row.name} warm case ${c} word 0x${(insn >>> 0).toString(16)}`);
      }
    }
  });

  it('sthbrx through a warm TLB stores RS bits 56-63 then 48-55, nothing of the bits above', () => {
    // 4: stw r4,0(r2) (its slow path fills the write TLB) | 8: sthbrx r19,r2,r13 (a hit) | b 8
    const words = [I(4), D(36, 4, 2, 0), X(31, 19, 2, IDX, 918), I(8), TRAP, TRAP];
    // RS bits 40-47 (0xa9) differ from bits 56-63 (0x93): OR'd into them they made 0xbb
    for (const rs of [0x0123456772a94993n, 0xffffffffffff0000n, 0x0000000000ff0100n]) {
      const { jit } = runBoth(words, { gpr: { 2: DATA + 0x100n, [IDX]: 0x10n, 19: rs } }, [100], `sthbrx 0x${rs.toString(16)}`);
      expect(jit.jitExecuted).toBeGreaterThanOrEqual(2);
      const want = [Number(rs & 0xffn), Number((rs >> 8n) & 0xffn)];
      expect(Array.from(jit.mem.readBytes(DATA + 0x110n, 2)), `0x${rs.toString(16)}`).toEqual(want);
    }
  });

  it('straight-line mixes with integer and FP rows and side exits, at many budgets (200 programs)', () => {
    const r = rng(0x5eed_0202n);
    const before = jitStats().wasm;
    for (let p = 0; p < 200; p++) {
      const body = Array.from({ length: 24 }, () => {
        const k = int(r, 8);
        if (k === 0) return D(14, pick(r, [4, 5, 6, 7]), pick(r, [0, 4, 5]), int(r, 64) - 32); // addi
        if (k === 1) return B(pick(r, [4, 12]), 24 + int(r, 4), 4 * (1 + int(r, 3))); // bne/beq cr6: after vcmp*.
        // FP rows on FPRs 0..7 = VSRs 0..7, which the VSX rows here also read and write
        if (k === 2 && int(r, 3) === 0) {
          const fr = (): number => int(r, 8);
          return pick(r, [
            D(50, fr(), pick(r, PTR), 8 * int(r, 32)), // lfd
            D(54, fr(), pick(r, PTR), 8 * int(r, 32)), // stfd
            A_(63, fr(), fr(), fr(), 0, 21), // fadd
            X(63, fr(), 0, fr(), 72), // fmr
          ]);
        }
        return vectorInsn(r, pick(r, vectorRows));
      });
      const words = [I(4), ...body, I(8), TRAP, TRAP, TRAP, TRAP];
      const budgets = p % 2 === 0 ? [10_000] : Array.from({ length: 30 }, () => 1 + int(r, 9));
      runBoth(words, vectorSetup(r, p % 5 === 4), budgets, `vector mix ${p}`);
    }
    expect(jitStats().wasm - before).toBeGreaterThan(100);
  });

  it('loops of vector rows back to a label inside the block, at many budget boundaries (80 programs)', () => {
    const r = rng(0x5eed_0203n);
    for (let p = 0; p < 80; p++) {
      const body = Array.from({ length: 2 + int(r, 12) }, () => vectorInsn(r, pick(r, vectorRows)));
      const words = labelLoop(body, 3 + int(r, 20));
      const budgets = p % 2 === 0 ? [100_000] : Array.from({ length: 150 }, () => 1 + int(r, 2 * body.length + 9));
      runBoth(words, vectorSetup(r), budgets, `vector loop ${p}`);
    }
  });

  it('a 16-byte store walking off the data page faults at the store with the count before it', () => {
    // loop: stxvd2x vs33,r3,r13; lxvd2x vs34,r3,r13; addi r3,r3,8; b loop
    const words = [I(4), X(31, 1, 3, IDX, 972) | 1, X(31, 2, 3, IDX, 844) | 1, D(14, 3, 3, 8), I(-12 & 0x3fffffc), TRAP];
    const setup: Setup = { gpr: { 3: DATA + 0xff00n, [IDX]: 0n }, vsr: Int32Array.from({ length: 256 }, (_v, k) => k * 0x01010101) };
    const { jit } = runBoth(words, setup, [7, 50, 10_000], 'walk off');
    expect(jit.stop.reason).toBe(StopReason.FAULT);
    expect(jit.stop.pc).toBe(CODE + 4n);
    expect(jit.stop.faultAddress).toBe(DATA + 0x10000n);
    expect(jit.state.getGpr(3)).toBe(DATA + 0xfff8n);
  });

  it('watchpoints on data a warm vector loop reads and writes stop before the access, then resume', () => {
    // loop: lxvd2x vs32,r3,r13; vadduwm v0,v0,v1; stxvd2x vs32,r3,r13; addi r3,r3,16; bdnz loop
    const words = [I(4), X(31, 0, 3, IDX, 844) | 1, (4 << 26) | (0 << 21) | (0 << 16) | (1 << 11) | 128, X(31, 0, 3, IDX, 972) | 1, D(14, 3, 3, 16), B(16, 0, -16), I(8), TRAP, TRAP];
    for (const onRead of [false, true]) {
      const run = (jit: boolean): ReturnType<typeof makeCpu> => {
        const cpu = makeCpu(words, jit, { gpr: { 3: DATA, [IDX]: 0n }, ctr: 3000n, vsr: Int32Array.from({ length: 256 }, (_v, k) => k * 0x01020304) });
        cpu.run(500); // compiled and warm before the watchpoint exists
        cpu.addWatchpoint({ start: DATA + 0x8008n, end: DATA + 0x8010n, onRead, onWrite: !onRead });
        return cpu;
      };
      expectWatchThenTrap(run(true), run(false), CODE + (onRead ? 4n : 12n));
    }
  });

  it('a vector store into the block itself takes the slow path and the new code runs', () => {
    // 4: addi r4,r4,1 | 8: stxvd2x vs0 -> 16..31 (same words, then a different addi) | 12: b 16 | 16..: rewritten
    const addi = (n: number): number => D(14, 4, 4, n);
    const words = [I(4), addi(1), X(31, 0, 0, 6, 972), I(4), addi(2), addi(3), addi(4), addi(5), TRAP, TRAP];
    const vsr = new Int32Array(256);
    vsr.set([addi(20), addi(30), addi(40), addi(50)], 0);
    const setup: Setup = { gpr: { 6: CODE + 16n }, vsr, writableCode: true };
    for (const budgets of [[10_000], [1, 1, 1, 1, 1, 1, 1, 1, 1], [2, 3, 4]]) {
      const { jit, interp } = runBoth(words, setup, budgets, `self-modify ${budgets.length}`);
      expect(snapshot(jit, jit.stop.reason)).toEqual(snapshot(interp, interp.stop.reason));
      if (budgets.length === 1) expect(jit.state.getGpr(4)).toBe(1n + 20n + 30n + 40n + 50n);
    }
  });

  it('a vector load sees bytes the debugger wrote after the block warmed up', () => {
    const words = [I(4), X(31, 0, 0, 6, 844), D(14, 7, 7, 1), I(8), TRAP, TRAP];
    const a = makeCpu(words, true, { gpr: { 6: DATA + 0x100n } });
    const b = makeCpu(words, false, { gpr: { 6: DATA + 0x100n } });
    for (const c of [a, b]) {
      c.run(100);
      c.mem.writeBytes(DATA + 0x100n, Uint8Array.from({ length: 16 }, (_v, k) => 0xa0 + k));
      c.pc = CODE;
      c.run(100);
    }
    expect(snapshot(a, a.stop.reason)).toEqual(snapshot(b, b.stop.reason));
    expect(a.state.vsr[0] >>> 0).toBe(0xa0a1a2a3);
  });
});
