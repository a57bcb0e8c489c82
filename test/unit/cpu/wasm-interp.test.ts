// The Wasm interpreter (src/cpu/wasm/interp.ts): the jit loop hands it straight runs of interpreted
// code. Same method as wasm.test.ts, with nothing compiled: the program on a jit CPU whose
// threshold no target reaches (so every instruction is interpreted, most of them by the Wasm
// interpreter) and on an interpreter-only CPU, every register, byte, stop and count compared after
// each budget slice. Each test also checks that the Wasm interpreter ran most of the instructions.
import { describe, expect, it } from 'vitest';
import { Cpu, StopReason } from '../../../src/cpu/cpu.js';
import { DATA_LEN, PTR, countStraight, expectSameWithoutStraight, expectWatchThenTrap, int, labelLoop, makeCpu, pick, randomSetup, randomWasmInsn, reclaimDroppedCpus, runBoth, snapshot, type Setup } from './jit-harness.js';
import { B, CODE, D, DATA, DS, I, M, MD, MDS, SPR, TRAP, X, XL, XO, rng } from './asm.js';
import { interpRows } from '../../../src/cpu/wasm/interp.js';
import { ID_BLOCK } from '../../../src/cpu/run.js';
import { allRows } from '../../../src/cpu/decode.js';

const NO_COMPILE: Setup = { jitThreshold: 1e9 };

/** runBoth with nothing compiled on the jit side, counting what the Wasm interpreter ran. */
function runStraight(words: number[], setup: Setup, budgets: number[], label: string): { insns: number; total: number } {
  let seen = { calls: 0, insns: 0 };
  const { jit } = runBoth(words, { ...setup, ...NO_COMPILE }, budgets, label, (cpu) => (seen = countStraight(cpu)));
  expect(jit.jitExecuted, label).toBe(0);
  return { insns: seen.insns, total: jit.totalExecuted };
}

/** Branches of every kind the interpreter runs: b/bl, bc with CTR and CR tests, bclr/bcctr (with link). */
function randomBranch(r: () => bigint, k: number, len: number): number {
  const bo = pick(r, [4, 12, 16, 18, 0, 2, 8, 10, 20]);
  const fwd = 4 * (1 + int(r, Math.max(1, len - k - 1)));
  return pick(r, [
    () => B(bo, int(r, 32), fwd, 0, int(r, 4) === 0 ? 1 : 0),
    () => I(fwd, 0, int(r, 3) === 0 ? 1 : 0),
    () => XL(pick(r, [20, 12, 4, 16, 0]), int(r, 32), 16, int(r, 2)), // bclr(l)
    () => XL(pick(r, [20, 12, 4]), int(r, 32), 528, int(r, 2)), // bcctr(l)
  ])();
}

describe('Wasm interpreter: straight runs match the JS interpreter', () => {
  it('every row form on its own with random operands (3000 cases)', () => {
    const r = rng(0x5eed_0201n);
    let ran = 0;
    for (let c = 0; c < 3000; c++) {
      const insn = randomWasmInsn(r, { branches: true, crFields: 8 });
      const setup = randomSetup(r);
      for (const p of [1, 2, 3]) setup.gpr![p] = DATA + 0x200n + BigInt(int(r, 0x200));
      ran += runStraight([I(4), insn, I(8), TRAP, TRAP, TRAP, TRAP], setup, [100], `case ${c} word 0x${(insn >>> 0).toString(16)}`).insns;
    }
    expect(ran).toBeGreaterThan(3000);
  });

  // Run once, a load's or store's first access misses the TLB and goes to its JS row (stuck):
  // twice round a loop, the second pass takes the handler's own TLB hit.
  it('every row form twice round a loop, the second pass through a warm TLB (2000 cases)', async () => {
    const r = rng(0x5eed_0204n);
    let ran = 0;
    for (let c = 0; c < 2000; c++) {
      if (c % 250 === 249) await reclaimDroppedCpus(); // 4,000 CPUs would use up the arena
      const insn = randomWasmInsn(r, { branches: false, crFields: 8 });
      const setup = randomSetup(r);
      for (const p of [1, 2, 3]) setup.gpr![p] = DATA + 0x200n + BigInt(int(r, 0x200));
      ran += runStraight(labelLoop([insn], 2), setup, [100], `warm case ${c} word 0x${(insn >>> 0).toString(16)}`).insns;
    }
    expect(ran).toBeGreaterThan(2000 * 8);
  });

  it('random mixes with branches of every kind, at many budgets (400 programs)', () => {
    const r = rng(0x5eed_0202n);
    let ran = 0;
    let total = 0;
    for (let p = 0; p < 400; p++) {
      const len = 30;
      const body = Array.from({ length: len }, (_v, k) => (int(r, 6) === 0 ? randomBranch(r, k, len) : randomWasmInsn(r, { branches: false, crFields: 8 })));
      const words = [I(4), ...body, I(8), TRAP, TRAP, TRAP, TRAP, TRAP, TRAP];
      const setup = randomSetup(r);
      // LR and CTR point into the program (or at its end) so bclr/bcctr land on real code
      setup.lr = CODE + 4n * BigInt(1 + int(r, len + 2));
      setup.ctr = p % 3 === 0 ? BigInt(int(r, 3)) : CODE + 4n * BigInt(1 + int(r, len + 2));
      const budgets = p % 2 === 0 ? [10_000] : Array.from({ length: 40 }, () => 1 + int(r, 12));
      const s = runStraight(words, setup, budgets, `mix ${p}`);
      ran += s.insns;
      total += s.total;
    }
    expect(ran).toBeGreaterThan(total / 2);
  });

  it('loops, at many budget boundaries (150 programs)', () => {
    const r = rng(0x5eed_0203n);
    let ran = 0;
    for (let p = 0; p < 150; p++) {
      const body = Array.from({ length: 2 + int(r, 16) }, () => randomWasmInsn(r, { branches: p % 3 === 0, crFields: 7 }));
      const words = labelLoop(body, 3 + int(r, 30));
      const budgets = p % 2 === 0 ? [100_000] : Array.from({ length: 200 }, () => 1 + int(r, 2 * body.length + 9));
      ran += runStraight(words, randomSetup(r), budgets, `loop ${p}`).insns;
    }
    expect(ran).toBeGreaterThan(10_000);
  });

  it('every rotate mask: rldic at every (mb, sh), rlwinm at every (mb, me), each result stored', () => {
    const r = rng(0x5eed_020an);
    const programs: number[][] = [];
    for (let mb = 0; mb < 64; mb++) programs.push(Array.from({ length: 64 }, (_v, sh) => MD(6, 5, sh, mb, 2)));
    for (let mb = 0; mb < 32; mb++) programs.push(Array.from({ length: 32 }, (_v, me) => M(21, 6, 5, int(r, 32), mb, me)));
    for (const rotates of programs) {
      const body = rotates.flatMap((w, k) => [w, DS(62, 5, 1, 8 * k, 0)]);
      const setup: Setup = { gpr: { 1: DATA + 0x100n, 6: BigInt.asUintN(64, r()) } };
      expect(runStraight([I(4), ...body, TRAP], setup, [10_000], 'masks').insns).toBeGreaterThanOrEqual(body.length);
    }
  });

  it('forms it leaves to JS stop it before them: OE, update forms with RA = 0 or RT, other SPRs, FPSCR writes and unknown rows', () => {
    const r = rng(0x5eed_0204n);
    const leftToJs = [
      XO(5, 6, 7, 266, 1, 0), // addo
      XO(5, 6, 7, 40, 1, 1), // subfo.
      XO(5, 6, 7, 10, 0, 1), // addc.
      D(33, 5, 0, 8), // lwzu r5,8(0)
      D(33, 5, 5, 8), // lwzu r5,8(r5)
      DS(58, 4, 4, 8, 1), // ldu r4,8(r4)
      D(37, 5, 0, 8), // stwu r5,8(0)
      SPR(5, 1, 339), // mfxer
      SPR(5, 1, 467), // mtxer
      SPR(5, 268, 339), // mftb via mfspr
      X(63, 1, 0, 0, 70), // mtfsb0 (FPSCR writes are the JS rows')
      XL(6, 6, 193, 1) | 0, // an XL-form with bit 31 set
      X(31, 5, 0, 0, 19), // mfcr
      MDS(5, 6, 7, 0, 8), // rldcl
      XO(5, 6, 7, 489, 0, 0), // divd
    ];
    for (let c = 0; c < 300; c++) {
      const body = Array.from({ length: 12 }, (_v, k) => (k % 3 === 1 ? pick(r, leftToJs) : randomWasmInsn(r, { branches: false, crFields: 8 })));
      const setup = randomSetup(r);
      runStraight([I(4), ...body, TRAP], setup, c % 2 === 0 ? [1000] : [1, 2, 3, 5, 8, 13, 21], `left to JS ${c}`);
    }
  });

  it('loads and stores across a page end, into unmapped memory and into code take the JS path and stay exact', () => {
    const r = rng(0x5eed_0205n);
    for (let c = 0; c < 200; c++) {
      const setup = randomSetup(r);
      // r1 near the end of DATA (page crossing, then unmapped), r2 into the code page (write-protected or not)
      setup.gpr![1] = DATA + BigInt(DATA_LEN - 16 + int(r, 8));
      setup.gpr![2] = CODE + 0x100n + BigInt(4 * int(r, 8));
      setup.writableCode = c % 2 === 0;
      const mem = [
        DS(58, 5, 1, 8 * int(r, 3), 0), // ld r5,0..16(r1)
        D(32, 6, 1, int(r, 24)), // lwz
        DS(62, 7, 1, 8 * int(r, 3), 0), // std
        D(36, 7, 2, 0), // stw into code
        D(32, 8, 2, 0), // lwz from code
        D(44, 9, 1, int(r, 20)), // sth
      ];
      const body = Array.from({ length: 16 }, () => (int(r, 2) === 0 ? pick(r, mem) : randomWasmInsn(r, { branches: false, crFields: 8 })));
      runStraight([I(4), ...body, TRAP], setup, c % 2 === 0 ? [1000] : Array.from({ length: 20 }, () => 1 + int(r, 4)), `page end ${c}`);
    }
  });

  it('16-byte loads and stores (lxvd2x, lxvw4x, lvx and stores), at any alignment and across a page end', () => {
    const r = rng(0x5eed_0208n);
    let ran = 0;
    for (let c = 0; c < 600; c++) {
      const setup = randomSetup(r);
      const vsr = new Int32Array(256);
      for (let k = 0; k < 256; k++) vsr[k] = Number(BigInt.asIntN(32, r()));
      setup.vsr = vsr;
      setup.gpr![1] = DATA + BigInt(c % 4 === 0 ? DATA_LEN - 24 + int(r, 16) : int(r, DATA_LEN - 64));
      setup.gpr![13] = BigInt(int(r, 24));
      const access = (): number => {
        const t = int(r, 32);
        const tx = int(r, 2);
        return pick(r, [
          () => X(31, t, 1, 13, 844) | tx, // lxvd2x
          () => X(31, t, 1, 13, 780) | tx, // lxvw4x
          () => X(31, t, 1, 13, 972) | tx, // stxvd2x
          () => X(31, t, 1, 13, 908) | tx, // stxvw4x
          () => X(31, t, 1, 13, 103), // lvx
          () => X(31, t, 1, 13, 231), // stvx
          () => X(31, t, 0, 1, 844) | tx, // RA = 0
        ])();
      };
      const body = Array.from({ length: 10 }, () => (int(r, 2) === 0 ? access() : randomWasmInsn(r, { branches: false, crFields: 8 })));
      ran += runStraight([I(4), ...body, TRAP], setup, c % 2 === 0 ? [1000] : [1, 3, 2, 5, 1, 8], `vector ${c}`).insns;
    }
    expect(ran).toBeGreaterThan(2000);
  });

  // The rows Go's bytes/strings code (vcmpequb., vbpermq, cmpb), memclr (dcbz, xxlxor) and float
  // moves (lfd, stfd, mtvsrd) run long before anything is compiled: the interpreter runs them itself.
  it('vector compares, lane ops, splats, vsldoi, SHA sigmas, VSX moves, cmpb, FPR and byte-reversed loads and stores, dcbz: as the JS rows', () => {
    const r = rng(0x5eed_020cn);
    const VX = (t: number, a: number, b: number, xo: number): number => ((4 << 26) | (t << 21) | (a << 16) | (b << 11) | xo) | 0;
    const XX3 = (t: number, a: number, b: number, xo: number): number => ((60 << 26) | (t << 21) | (a << 16) | (b << 11) | (xo << 3) | int(r, 8)) | 0;
    const vrow = (): number => {
      const v = (): number => int(r, 32);
      return pick(r, [
        () => VX(v(), v(), v(), pick(r, [6, 70, 134, 518, 582, 646, 774, 838, 902]) | (int(r, 2) << 10)), // vcmp*[.]
        () => VX(v(), v(), v(), 1356), // vbpermq
        () => VX(v(), v(), v(), pick(r, [0, 64, 128, 1028, 1156, 1220])), // vaddubm..vxor
        () => VX(v(), v(), v(), 42 | (v() << 6)), // vsel
        () => XX3(v(), v(), v(), pick(r, [130, 146, 154])), // xxland, xxlor, xxlxor
        () => X(31, v(), pick(r, [4, 5, 6, 7]), 0, pick(r, [51, 179])) | int(r, 2), // mfvsrd, mtvsrd
        () => X(31, pick(r, [4, 5, 6, 7]), pick(r, [4, 5, 6, 7]), pick(r, [4, 5, 6, 7]), 508), // cmpb
        () => D(pick(r, [50, 54]), v(), pick(r, PTR), 8 * int(r, 16) - 64), // lfd, stfd
        () => X(31, v(), pick(r, PTR), 13, pick(r, [599, 727])), // lfdx, stfdx
        () => X(31, 0, pick(r, [0, ...PTR]), 13, 1014), // dcbz (RA = 0: EA = RB, unmapped)
        () => VX(v(), v(), v(), 199 | (int(r, 2) << 10)), // vcmpequd[.]
        () => VX(v(), v(), v(), pick(r, [524, 588, 652])), // vspltb, vsplth, vspltw (UIM in VA)
        () => VX(v(), v(), v(), 44 | (int(r, 16) << 6)), // vsldoi
        () => VX(v(), v(), (int(r, 2) << 4) | pick(r, [0, 15, 15, 0, int(r, 16)]), pick(r, [1666, 1730])), // vshasigmaw/d
        () => X(31, pick(r, [4, 5, 6, 7]), pick(r, [0, ...PTR]), 13, pick(r, [790, 534, 532, 918, 662, 660])), // l/st[hwd]brx
      ])();
    };
    let ran = 0;
    let total = 0;
    for (let c = 0; c < 600; c++) {
      const setup = randomSetup(r);
      for (const p of PTR) setup.gpr![p] = DATA + 0x200n + BigInt(int(r, 0x400));
      setup.gpr![13] = BigInt(int(r, 256));
      if (c % 5 === 0) setup.gpr![1] = DATA + BigInt(DATA_LEN - 8 * int(r, 20)); // page end, unmapped beyond
      const body = Array.from({ length: 12 }, () => (int(r, 3) === 0 ? randomWasmInsn(r, { branches: false, crFields: 8 }) : vrow()));
      const s = runStraight(c % 4 === 3 ? labelLoop(body, 2) : [I(4), ...body, TRAP], setup, c % 2 === 0 ? [1000] : [1, 3, 2, 5, 1, 8], `vector row ${c}`);
      ran += s.insns;
      total += s.total;
    }
    expect(ran).toBeGreaterThan(total / 2);
  });

  it('a store into the code it is running: the store goes through JS and the new instruction runs', () => {
    // stw r5, 12(r2) with r2 = CODE overwrites word 3 (addi r3,r3,1) with r5 = addi r3,r3,100
    const words = [I(4), D(36, 5, 2, 12), D(14, 3, 3, 1), D(14, 3, 3, 1), TRAP];
    const setup: Setup = { gpr: { 2: CODE, 3: 0n, 5: BigInt(D(14, 3, 3, 100) >>> 0) }, writableCode: true };
    const jit = makeCpu(words, true, { ...setup, ...NO_COMPILE });
    const interp = makeCpu(words, false, setup);
    // decode the program first, so the old word is cached in both
    for (const cpu of [jit, interp]) {
      cpu.run(1);
      cpu.pc = CODE;
    }
    const rj = jit.run(100);
    const ri = interp.run(100);
    expect(snapshot(jit, rj)).toEqual(snapshot(interp, ri));
    expect(jit.state.getGpr(3)).toBe(101n);
  });

  it('breakpoints and host-call ranges inside a straight run stop there, and stepping is exact', () => {
    const r = rng(0x5eed_0206n);
    const body = Array.from({ length: 40 }, () => randomWasmInsn(r, { branches: false, crFields: 8 }));
    const words = [I(4), ...body, TRAP];
    const setup = randomSetup(r);
    const jit = makeCpu(words, true, { ...setup, ...NO_COMPILE });
    const interp = makeCpu(words, false, setup);
    const seen = countStraight(jit);
    for (const cpu of [jit, interp]) {
      cpu.addBreakpoint(CODE + 4n * 17n);
      cpu.addHostCallRange(CODE + 4n * 30n, CODE + 4n * 31n);
    }
    // run to the breakpoint, step over it, step a few, run to the host call
    for (const step of [false, false, true, true, true, false, false]) {
      const rj = step ? jit.step() : jit.run(1000);
      const ri = step ? interp.step() : interp.run(1000);
      expect(snapshot(jit, rj)).toEqual(snapshot(interp, ri));
    }
    expect(jit.stop.reason).toBe(StopReason.SENTINEL);
    expect(seen.insns).toBeGreaterThan(20);
  });

  it('a watchpoint inside a straight run stops before the watched store, then resumes', () => {
    const words = [I(4), D(14, 5, 0, 7), DS(62, 5, 1, 16, 0), D(14, 6, 0, 9), DS(62, 6, 1, 24, 0), D(14, 7, 0, 1), TRAP];
    const setup: Setup = { gpr: { 1: DATA + 0x100n } };
    const jit = makeCpu(words, true, { ...setup, ...NO_COMPILE });
    const interp = makeCpu(words, false, setup);
    const seen = countStraight(jit);
    for (const cpu of [jit, interp]) cpu.addWatchpoint({ start: DATA + 0x118n, end: DATA + 0x120n, onRead: false, onWrite: true });
    expectWatchThenTrap(jit, interp, CODE + 16n);
    expect(seen.insns).toBeGreaterThan(3);
  });

  it('a taken branch tells the loop its word: calls and returns heat the same targets as in JS', () => {
    // 200 calls of a leaf: bl, then bdnz back; the leaf returns with blr
    const words = [I(4), D(14, 9, 0, 200), SPR(9, 9, 467), I(16, 0, 1), B(16, 0, -4), TRAP, TRAP, D(14, 3, 3, 1), D(14, 4, 4, 2), XL(20, 0, 16), TRAP];
    const compiled = (straight: boolean): number[] => {
      const cpu = makeCpu(words, true, { jitThreshold: 150 });
      if (!straight) Object.defineProperty(cpu, 'straight', { value: null });
      const interp = makeCpu(words, false, {});
      expect(snapshot(cpu, cpu.run(100_000))).toEqual(snapshot(interp, interp.run(100_000)));
      const ids = cpu.codePageFor(0, Number(CODE)).ids;
      return words.map((_w, k) => k).filter((k) => ids[k] === ID_BLOCK);
    };
    const withWasm = compiled(true);
    expect(withWasm.length).toBeGreaterThan(0);
    expect(withWasm).toEqual(compiled(false));
  });

  it('its heat check compiles the same blocks as the JS loop: random loops with calls and returns, at many budgets (150 programs)', () => {
    const r = rng(0x5eed_0207n);
    let compiledSome = 0;
    for (let p = 0; p < 150; p++) {
      const len = 4 + int(r, 24);
      const body = Array.from({ length: len }, (_v, k) => (int(r, 5) === 0 ? randomBranch(r, k, len) : randomWasmInsn(r, { branches: false, crFields: 7 })));
      const words = labelLoop(body, 20 + int(r, 60));
      const setup = randomSetup(r);
      setup.lr = CODE + 4n * BigInt(2 + int(r, len));
      setup.ctr = CODE + 4n * BigInt(2 + int(r, len));
      const budgets = p % 2 === 0 ? [200_000] : Array.from({ length: 100 }, () => 1 + int(r, 60));
      const jitThreshold = 20 + int(r, 200);
      const a = expectSameWithoutStraight(words, { ...setup, jitThreshold }, budgets, `program ${p}`);
      if (a.blocks.length > 0) compiledSome++;
    }
    expect(compiledSome).toBeGreaterThan(50);
  });

  it('an interpreted branch to a return point or loop head of a region runs the region from there, in both loops', () => {
    // E (word 0): li r3,0 | L: addi r3,r3,1 | cmpwi r3,100 | blt L | bl G | R: addi r4,r4,7 | trap;
    // S (word 140, past the region's window): li r3,50 | b L; G (word 200): blr
    const words = [D(14, 3, 0, 0), D(14, 3, 3, 1), D(11, 0, 3, 100), B(12, 0, -8), I(4 * (200 - 4), 0, 1), D(14, 4, 4, 7), TRAP];
    while (words.length < 140) words.push(TRAP);
    words.push(D(14, 3, 0, 50), I(4 * (1 - 141)));
    while (words.length < 200) words.push(TRAP);
    words.push(XL(20, 0, 16));
    const run = (straight: boolean): { snap: Record<string, unknown>; jit: number; entries: number[] } => {
      const cpu = makeCpu(words, true, NO_COMPILE);
      if (!straight) Object.defineProperty(cpu, 'straight', { value: null });
      // the region at E only (nothing reaches the threshold)
      cpu.compileAt(0, Number(CODE));
      const block = cpu.codePageFor(0, Number(CODE)).blocks![0]!;
      expect(block.wasmSlot).toBeGreaterThanOrEqual(0);
      cpu.pc = CODE + 4n * 140n;
      const snap = snapshot(cpu, cpu.run(100_000));
      return { snap, jit: cpu.jitExecuted, entries: block.wasmEntries.filter((_x, k) => k % 2 === 1) };
    };
    const interp = makeCpu(words, false, {});
    interp.pc = CODE + 4n * 140n;
    const expected = snapshot(interp, interp.run(100_000));
    expect(expected.stop).toBe('TRAP at 0x10000018 word 0x7fe00008');
    const a = run(true);
    const b = run(false);
    // the loop head and the return point are the region's other entries
    expect(a.entries).toEqual([1, 5]);
    expect(a.snap).toEqual(expected);
    expect(b.snap).toEqual(expected);
    // from L: 50 rounds of 3, then bl; from R: addi (and the trap, which stops the run)
    expect(a.jit).toBeGreaterThanOrEqual(152);
    expect(b.jit).toBe(a.jit);
    // the heat of those two addresses compiles nothing more; another word inside gets its own block
    const cpu = makeCpu(words, true, NO_COMPILE);
    cpu.compileAt(0, Number(CODE));
    const ids = cpu.codePageFor(0, Number(CODE)).ids;
    for (const k of [1, 5, 2]) cpu.compileAt(0, Number(CODE) + 4 * k);
    expect([1, 5, 2].map((k) => ids[k] === ID_BLOCK)).toEqual([false, false, true]);
  });

  it('calls to a function on the next code page go on there, and forgetting all decoded code forgets that page too', () => {
    const r = rng(0x5eed_0209n);
    const far = 0x10000; // byte offset of the second code page
    const bytesOf = (ws: number[]): Uint8Array => {
      const out = new Uint8Array(4 * ws.length);
      ws.forEach((x, k) => new DataView(out.buffer).setUint32(4 * k, x >>> 0));
      return out;
    };
    for (let p = 0; p < 60; p++) {
      // page 1: 20 calls (bl to the far function) between random instructions; page 2: a leaf
      const calls: number[] = [];
      for (let k = 0; k < 20; k++) {
        calls.push(randomWasmInsn(r, { branches: false, crFields: 8 }));
        const at = 4 * (1 + calls.length);
        calls.push(I(far - at, 0, 1));
      }
      const words = [I(4), ...calls, TRAP];
      const leaf = (): number[] => [...Array.from({ length: 6 }, () => randomWasmInsn(r, { branches: false, crFields: 8 })), XL(20, 0, 16)];
      const setup = randomSetup(r);
      const jit = makeCpu(words, true, { ...setup, ...NO_COMPILE });
      const interp = makeCpu(words, false, setup);
      const first = bytesOf(leaf());
      for (const cpu of [jit, interp]) cpu.mem.writeBytes(CODE + BigInt(far), first);
      const seen = countStraight(jit);
      const budgets = p % 2 === 0 ? [100_000] : Array.from({ length: 30 }, () => 1 + int(r, 20));
      for (const b of budgets) expect(snapshot(jit, jit.run(b)), `far ${p}`).toEqual(snapshot(interp, interp.run(b)));
      // a new leaf, every decoded instruction forgotten, run again from the start
      const second = bytesOf(leaf());
      for (const cpu of [jit, interp]) {
        cpu.mem.writeBytes(CODE + BigInt(far), second);
        cpu.invalidateCode();
        cpu.pc = CODE;
      }
      expect(snapshot(jit, jit.run(100_000)), `far ${p} again`).toEqual(snapshot(interp, interp.run(100_000)));
      expect(seen.insns).toBeGreaterThan(100);
      // 80 page changes over the two runs (each call and each return), most without coming back
      // to the loop (it still gets the undecoded slots)
      if (p % 2 === 0) expect(seen.calls, `far ${p}`).toBeLessThan(80);
    }
  });

  it('every handler is a real row', () => {
    const names = new Set(allRows.map((row) => row.name));
    for (const name of Object.keys(interpRows)) expect(names.has(name), name).toBe(true);
  });
});
