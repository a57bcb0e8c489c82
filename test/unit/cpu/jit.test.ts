// Tier 1 (src/cpu/jit): compiled blocks must leave exactly the state the interpreter leaves.
// Every test runs the same program on two CPUs, one with the compiler at a threshold of 1 (so
// nearly every branch target is compiled) and one interpreter-only, and compares all registers,
// the data memory, the stop information and the executed-instruction counters.
import { describe, expect, it } from 'vitest';
import { compilePolicy, Cpu, StopReason } from '../../../src/cpu/cpu.js';
import { CpuState, CR, RESV_LEN } from '../../../src/cpu/state.js';
import { GuestMemory } from '../../../src/cpu/memory.js';
import { A_, B, CODE, D, DATA, DS, I, M, MD, MDS, SPR, TRAP, X, XL, XO, XS, rng } from './asm.js';
import { allRows } from '../../../src/cpu/decode.js';
import { emitters } from '../../../src/cpu/jit/emit.js';
import { VECTOR_MEMORY_ROWS, VECTOR_STORE_ROWS } from '../../../src/cpu/jit/emit-vector.js';
import { IDX, PTR, type Setup, int, makeCpu, pick, randomSetup, runBoth, snapshot } from './jit-harness.js';
import { ID_BLOCK } from '../../../src/cpu/run.js';

/** VX/VA/XX3 forms (vector rows). */
const VX = (t: number, a: number, b: number, xo: number): number => ((4 << 26) | (t << 21) | (a << 16) | (b << 11) | xo) | 0;
const VA = (t: number, a: number, b: number, c: number, xo: number): number =>
  ((4 << 26) | (t << 21) | (a << 16) | (b << 11) | (c << 6) | xo) | 0;
const XX3 = (xo: number, t: number, a: number, b: number): number =>
  ((60 << 26) | ((t & 31) << 21) | ((a & 31) << 16) | ((b & 31) << 11) | (xo << 3) | ((a >> 5) << 2) | ((b >> 5) << 1) | (t >> 5)) | 0;
/** VX-form rows emitted inline (lane ops of every width, logic, merges), by XO. */
const VX_EMITTED = [
  0, 64, 128, 192, 384, 1024, 1088, 1152, 1216, 1408, 2, 66, 130, 258, 322, 386, 514, 578, 642, 770, 834, 898,
  260, 324, 388, 516, 580, 644, 772, 836, 900, 4, 68, 132, 1794, 1858, 1922, 1795, 1859, 1923,
  1028, 1092, 1156, 1220, 1284, 1348, 1412, 1668, 140, 396, 1932, 1676, 1540,
];
const VC_EMITTED = [6, 70, 134, 199, 518, 582, 646, 711, 774, 838, 902, 967];

// ---------------------------------------------------------------- random instruction mixes


/** One random instruction; `dst` and `src` registers, never touching PTR/IDX as destinations. */
function randomInsn(r: () => bigint, opts: { branches: boolean; crFields: number }): number {
  const dst = (): number => pick(r, [4, 5, 6, 7, 8, 9, 10, 11, 12]);
  const src = (): number => pick(r, [0, 4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2]);
  const rc = (): number => (int(r, 4) === 0 ? 1 : 0);
  const oe = (): number => (int(r, 8) === 0 ? 1 : 0);
  const imm = (): number => Number(BigInt.asIntN(16, r()));
  const ptr = (): number => pick(r, PTR);
  const disp = (): number => int(r, 512) - 256;
  const bf = (): number => int(r, opts.crFields);
  const fr = (): number => int(r, 8);
  const vreg = (): number => int(r, 8);
  const xreg = (): number => pick(r, [0, 1, 2, 3, 32, 33, 34, 35]);
  const kinds: Array<() => number> = [
    () => D(14, dst(), pick(r, [0, ...PTR, 4, 5, 6]), imm()), // addi
    () => D(15, dst(), pick(r, [0, 4, 5, 6]), imm()), // addis
    ...[266, 40, 104, 233, 235, 9, 73, 11, 75, 489, 457, 491, 459, 10, 138, 136, 202, 8, 200, 232, 234].map(
      (xo) => () => XO(dst(), src(), src(), xo, oe(), rc()),
    ), // every XO-form arithmetic op as its own kind
    () => D(7, dst(), src(), imm()), // mulli
    () => D(pick(r, [12, 13, 8]), dst(), src(), imm()), // addic, addic., subfic
    () => X(31, src(), dst(), src(), pick(r, [444, 28, 316, 60, 412, 124, 476, 284]), rc()),
    () => X(31, 5, 5, 5, 444), // mr r5,r5 (nop form)
    () => D(pick(r, [24, 25, 26, 27, 28, 29]), src(), dst(), imm()), // ori..andis.
    () => X(31, src(), dst(), 0, pick(r, [954, 922, 986, 26, 58, 122, 378, 506]), rc()),
    () => X(31, bf() << 2, src(), src(), 0) | (int(r, 2) << 21), // cmp (L)
    () => X(31, bf() << 2, src(), src(), 32) | (int(r, 2) << 21), // cmpl (L)
    () => D(11, bf() << 2 | int(r, 2), src(), imm()), // cmpi
    () => D(10, bf() << 2 | int(r, 2), src(), imm()), // cmpli
    () => A_(31, dst(), src(), src(), int(r, 4 * opts.crFields), 15), // isel
    () => M(21, src(), dst(), int(r, 32), int(r, 32), int(r, 32), rc()), // rlwinm
    () => M(20, src(), dst(), int(r, 32), int(r, 32), int(r, 32), rc()), // rlwimi
    () => M(23, src(), dst(), src(), int(r, 32), int(r, 32), rc()), // rlwnm
    () => MD(src(), dst(), int(r, 64), int(r, 64), int(r, 4), rc()), // rldicl/rldicr/rldic/rldimi
    () => MDS(src(), dst(), src(), int(r, 64), 8 + int(r, 2), rc()), // rldcl/rldcr
    () => X(31, src(), dst(), src(), pick(r, [27, 539, 794, 24, 536, 792]), rc()), // shifts by register
    () => XS(src(), dst(), int(r, 64), 413, rc()), // sradi
    () => X(31, src(), dst(), int(r, 32), 824, rc()), // srawi
    () => DS(58, dst(), ptr(), disp(), int(r, 3)), // ld, ldu, lwa
    () => DS(62, src(), ptr(), disp(), int(r, 2)), // std, stdu
    () => D(pick(r, [32, 33, 34, 35, 40, 41, 42, 43]), dst(), ptr(), disp()), // lwz..lhau
    () => D(pick(r, [36, 37, 38, 39, 44, 45]), src(), ptr(), disp()), // stw..sthu
    () => X(31, dst(), ptr(), IDX, pick(r, [87, 119, 279, 311, 343, 375, 23, 55, 341, 373, 21, 53, 790, 534, 532])),
    () => X(31, src(), ptr(), IDX, pick(r, [215, 247, 407, 439, 151, 183, 149, 181, 918, 662, 660])),
    () => X(31, dst(), 0, ptr(), pick(r, [20, 84, 52, 116])), // lwarx, ldarx, lbarx, lharx (RA=0)
    () => X(31, src(), 0, ptr(), pick(r, [150, 214, 694, 726]), 1), // stwcx. ...
    () => SPR(dst(), pick(r, [8, 9, 1, 268]), 339), // mflr, mfctr, mfxer, mftb
    () => SPR(src(), pick(r, [8, 9, 1]), 467), // mtlr, mtctr, mtxer
    () => X(31, dst(), 0, 0, 19), // mfcr
    () => X(31, src(), 0, 0, 144) | ((int(r, 256) & (opts.crFields === 8 ? 0xff : 0xfe)) << 12), // mtcrf
    () => XL(int(r, 4 * opts.crFields), int(r, 32), pick(r, [257, 129, 289, 225, 33, 449, 417, 193])) | (int(r, 32) << 11),
    () => X(31, 0, 0, 0, pick(r, [598, 278, 54])), // sync, dcbt, dcbst
    () => XL(0, 0, 150), // isync
    () => D(50, pick(r, [1, 2, 3, 4]), ptr(), disp() & ~7), // lfd
    () => D(54, pick(r, [1, 2, 3, 4]), ptr(), disp() & ~7), // stfd
    () => A_(63, pick(r, [1, 2, 3, 4]), pick(r, [1, 2, 3, 4]), pick(r, [1, 2, 3, 4]), 0, pick(r, [21, 20, 18])), // fadd/fsub/fdiv
    () => (int(r, 8) === 0 ? D(2, pick(r, [0, 1, 2, 4, 8, 16]), src(), imm()) : D(24, 0, 0, 0)), // rare tdi, else nop
    // FP and vector rows the compiler emits inline (emit-vector.ts): loads and stores of every
    // form, then register ops on VRs 0-7 / VSRs 0-7 and 32-39.
    () => D(pick(r, [48, 49, 50, 51, 52, 53, 54, 55]), fr(), ptr(), disp()), // lfs..stfdu
    () => X(31, fr(), ptr(), IDX, pick(r, [535, 567, 599, 631, 663, 695, 727, 759])), // lfsx..stfdux
    () => X(31, vreg(), ptr(), IDX, pick(r, [103, 231])), // lvx, stvx
    () => X(31, vreg(), ptr(), IDX, pick(r, [844, 780, 972, 908, 332, 588, 716])) | int(r, 2), // lxvd2x..stxsdx (TX)
    () => X(31, vreg(), dst(), 0, pick(r, [51, 115, 179, 211, 243])) | int(r, 2), // mfvsrd..mtvsrwz (TX)
    () => VX(vreg(), vreg(), vreg(), pick(r, VX_EMITTED)),
    () => VX(vreg(), vreg(), vreg(), pick(r, VC_EMITTED) | (int(r, 2) << 10)), // compares, Rc sets CR6
    () => VX(vreg(), pick(r, [0, 1, 2, 3, 7, 15, 16, 31]), vreg(), pick(r, [524, 588, 652, 780, 844, 908])), // splats
    () => VX(vreg(), vreg(), (int(r, 2) << 4) | int(r, 16), 1666), // vshasigmaw
    () => VA(vreg(), vreg(), vreg(), vreg(), 42 + int(r, 2)), // vsel, vperm
    () => VA(vreg(), vreg(), vreg(), int(r, 16), 44), // vsldoi
    () => XX3(pick(r, [130, 138, 146, 154, 162, 170, 178, 186, 18, 50]), xreg(), xreg(), xreg()),
    () => XX3(10 | (int(r, 4) << 5), xreg(), xreg(), xreg()), // xxpermdi
    () => XX3(2 | (int(r, 4) << 5), xreg(), xreg(), xreg()), // xxsldwi
    () => ((60 << 26) | ((xreg() & 31) << 21) | (int(r, 4) << 16) | ((xreg() & 31) << 11) | (164 << 2) | int(r, 4)) | 0, // xxspltw
    () => ((60 << 26) | (vreg() << 21) | (vreg() << 16) | (vreg() << 11) | (vreg() << 6) | 0x30 | int(r, 16)) | 0, // xxsel
    () => A_(pick(r, [63, 59]), fr(), fr(), fr(), fr(), pick(r, [18, 20, 21, 22, 25, 28, 29, 30, 31])), // FP arithmetic
    () => X(63, fr(), 0, fr(), pick(r, [72, 40, 264, 15, 815, 814, 846, 974])) | (int(r, 4) === 0 ? 1 : 0), // fmr..fcfidu
    () => X(63, int(r, 8) << 2, fr(), fr(), pick(r, [0, 32])), // fcmpu, fcmpo
  ];
  if (opts.branches) {
    // Forward conditional branches (side exits), sometimes with CTR decrement or link.
    kinds.push(() => B(pick(r, [4, 12, 16, 18, 0, 8, 20]), int(r, 4 * opts.crFields), 4 * (1 + int(r, 4)), 0, int(r, 4) === 0 ? 1 : 0));
  }
  const w = pick(r, kinds)();
  return w | 0;
}

describe('jit: compiled blocks match the interpreter', () => {
  it('random straight-line mixes with side exits (300 programs)', () => {
    const seed = 0x5eed_0001n;
    const r = rng(seed);
    let compiled = 0;
    for (let p = 0; p < 300; p++) {
      const body = Array.from({ length: 40 }, () => randomInsn(r, { branches: true, crFields: 8 }));
      const words = [I(4), ...body, TRAP, TRAP, TRAP, TRAP, TRAP, TRAP];
      const { jit } = runBoth(words, randomSetup(r), [10_000], `seed ${seed} program ${p}`);
      compiled += jit.compiledBlocks;
    }
    expect(compiled).toBeGreaterThanOrEqual(300); // side exits forward inside a block are jumps within it
  });

  it('loops whose back edge targets a label inside the block (not its entry), at many budgets (120 programs)', () => {
    // 0: b 4 (compiles a block at 4)  4: li r14,n  8..: body; addi r14,-1; cmpdi cr7,r14,0; bne 8
    const seed = 0x5eed_0004n;
    const r = rng(seed);
    let compiledRuns = 0;
    for (let p = 0; p < 120; p++) {
      const body = Array.from({ length: 2 + int(r, 16) }, () => randomInsn(r, { branches: true, crFields: 7 }));
      const words = [
        B(20, 0, 4), // b 4
        D(14, 14, 0, 3 + int(r, 30)), // li r14,n
        ...body,
        D(14, 14, 14, -1), // addi r14,r14,-1
        D(11, (7 << 2) | 1, 14, 0), // cmpdi cr7,r14,0
        B(4, 30, -4 * (body.length + 2)), // bne cr7, body
        TRAP,
      ];
      const budgets = p % 2 === 0 ? [100_000] : Array.from({ length: 200 }, () => 1 + int(r, 2 * body.length + 9));
      const { jit } = runBoth(words, randomSetup(r), budgets, `seed ${seed} program ${p}`);
      if (jit.jitExecuted > 2 * body.length) compiledRuns++;
    }
    expect(compiledRuns).toBeGreaterThan(60);
  });

  it('random loop bodies compiled as JS loops, at many budget boundaries (120 programs)', () => {
    const seed = 0x5eed_0002n;
    const r = rng(seed);
    let withBlocks = 0;
    for (let p = 0; p < 120; p++) {
      const body = Array.from({ length: 3 + int(r, 20) }, () => randomInsn(r, { branches: false, crFields: 7 }));
      const loopBack = -4 * (body.length + 2);
      const words = [
        D(14, 14, 0, 25), // li r14,25
        ...body,
        D(14, 14, 14, -1), // addi r14,r14,-1
        D(11, (7 << 2) | 1, 14, 0), // cmpdi cr7,r14,0
        B(4, 30, loopBack), // bne cr7, body
        TRAP,
      ];
      const budgets = p % 2 === 0 ? [100_000] : Array.from({ length: 200 }, () => 1 + int(r, 3 * body.length + 7));
      const { jit } = runBoth(words, randomSetup(r), budgets, `seed ${seed} program ${p}`);
      if (jit.compiledBlocks > 0) withBlocks++;
    }
    expect(withBlocks).toBeGreaterThan(90); // the rest stop (trap, fault, illegal) in the first pass
  });
});

describe('jit: every instruction kind on its own', () => {
  it('single-instruction blocks with random operands (2500 cases)', () => {
    // One pair of CPUs; each case rewrites the code (which drops compiled blocks) and the state.
    const seed = 0x5eed_0003n;
    const r = rng(seed);
    const jit = makeCpu([TRAP], true);
    const interp = makeCpu([TRAP], false);
    const code = new Uint8Array(16);
    const dv = new DataView(code.buffer);
    for (let c = 0; c < 2500; c++) {
      const insn = randomInsn(r, { branches: true, crFields: 8 });
      [I(4), insn, TRAP, TRAP].forEach((x, k) => dv.setUint32(4 * k, x >>> 0));
      const setup = randomSetup(r);
      for (const p of PTR) setup.gpr![p] = DATA + 0x200n + BigInt(int(r, 0x200));
      for (const cpu of [jit, interp]) {
        cpu.mem.writeBytes(CODE, code);
        const s = cpu.state;
        s.gpr.fill(0);
        s.spr.fill(0);
        for (const [k, v] of Object.entries(setup.gpr!)) s.setGpr(Number(k), BigInt.asUintN(64, v));
        s.vsr.set(setup.vsr!);
        for (const [k, v] of Object.entries(setup.fpr!)) s.setFpr(Number(k), v);
        s.spr[CR] = setup.cr!;
        s.ctr = setup.ctr!;
        s.lr = setup.lr!;
        cpu.pc = CODE;
      }
      const rj = jit.run(100);
      const ri = interp.run(100);
      const small = (cpu: Cpu, rr: StopReason): unknown => ({
        r: rr,
        stop: cpu.stop.describe(),
        executed: cpu.executed,
        gpr: Array.from(cpu.state.gpr),
        spr: Array.from(cpu.state.spr),
        vsr: Array.from(cpu.state.vsr),
        data: Buffer.from(cpu.mem.readBytes(DATA, 0x800)).toString('hex'),
      });
      expect(small(jit, rj), `seed ${seed} case ${c} word 0x${(insn >>> 0).toString(16)}`).toEqual(small(interp, ri));
    }
    expect(jit.compiledBlocks).toBeGreaterThan(0);
  });
});

describe('jit: exact stops', () => {
  const prog = [
    I(4), // 0: b 4
    D(14, 3, 0, 1), // 4: li r3,1
    D(14, 4, 0, 2), // 8: li r4,2
    DS(58, 5, 7, 0, 0), // 12: ld r5,0(r7)   r7 unmapped
    D(14, 6, 0, 3), // 16: li r6,3
    TRAP,
  ];

  it('a faulting load in the middle of a block: PC on it, earlier instructions committed, it not', () => {
    const { jit } = runBoth(prog, { gpr: { 5: 55n, 7: 0x5000n } }, [100], 'load fault');
    // The block entered at 4 and, at threshold 1, the `b` at 0 the run started from (its heat).
    expect(jit.compiledBlocks).toBe(2);
    expect(jit.stop.reason).toBe(StopReason.FAULT);
    expect(jit.stop.pc).toBe(CODE + 12n);
    expect(jit.stop.faultAddress).toBe(0x5000n);
    expect(jit.executed).toBe(3);
    expect(jit.state.getGpr(3)).toBe(1n);
    expect(jit.state.getGpr(4)).toBe(2n);
    expect(jit.state.getGpr(5)).toBe(55n);
    expect(jit.state.getGpr(6)).toBe(0n);
  });

  // 0: li r3,0 | 4: addi r3,r3,1; bl 24 | 12: cmpdi cr7,r3,1000; bne cr7,4 | 20: trap | 24: f.
  // Each case's f compiles in about its 10th call at threshold 230 (12 iterations of 25
  // instructions run first), and the rest of the run, compiled or not, leaves the same state.
  it.each([
    {
      // f: 20 x addi r4,r4,1; blr. Per call f's entry is credited the caller's 2 instructions
      // before the call (as the target of bl) and its own 21 (where the run that ended at blr
      // started): 23. Crediting the target alone (the rule before) gave it 2 per call: 115 calls.
      rule: 'its own body, not only its caller\'s run',
      f: [...new Array<number>(20).fill(D(14, 4, 4, 1)), XL(20, 0, 16)],
      r4: 20_000n,
    },
    {
      // f: ten `addi r4,r4,1; b .+4` pairs and a blr: its first straight run is two instructions.
      // Each later pair's run is credited to f's entry as the entry of the function it runs in (the
      // target of the last interpreted bl): 2 + 2 + 9 * 2 + 1 = 23 per call (4 without: 58 calls).
      rule: 'its whole body, across its own jumps',
      f: [...Array.from({ length: 10 }, () => [D(14, 4, 4, 1), I(4)]).flat(), XL(20, 0, 16)],
      r4: 10_000n,
    },
  ])('heat: a function entered from interpreted code is credited with $rule', ({ f, r4 }) => {
    const prog = [D(14, 3, 0, 0), D(14, 3, 3, 1), I(16, 0, 1), D(11, (7 << 2) | 1, 3, 1000), B(4, 30, -12), TRAP, ...f];
    const { jit, interp } = runBoth(prog, { jitThreshold: 230 }, [12 * 25], 'heat');
    expect(jit.codePageFor(0, Number(CODE)).ids[Number((CODE + 24n) & 0xffffn) >>> 2]).toBe(ID_BLOCK);
    expect(jit.state.getGpr(3)).toBe(12n);
    for (let k = 0; k < 10; k++) expect(snapshot(jit, jit.run(3001))).toEqual(snapshot(interp, interp.run(3001)));
    expect(jit.stop.reason).toBe(StopReason.TRAP);
    expect(jit.state.getGpr(4)).toBe(r4);
  });

  it('compiles stay bounded by what compiled code has run; the results never change', () => {
    // The allowance alone: every target here is code the Wasm interpreter runs whole, which would
    // otherwise wait for `defer` times the heat (the next test).
    process.env.AIX_GDBSTUB_JIT_DEFER = '1';
    try {
      allowanceBounds();
    } finally {
      delete process.env.AIX_GDBSTUB_JIT_DEFER;
    }
  });
  function allowanceBounds(): void {
    // A loop `addi r3,r3,1; bdnz` of 2 * ctr instructions, then start + 31 targets of their own, each
    // `addi r5,r5,1; b .+8` and an illegal word the region stops before: start + 32 targets at threshold 1.
    const targets = compilePolicy().start + 32;
    const chain = Array.from({ length: targets - 1 }, () => [D(14, 5, 5, 1), I(8), 0]).flat();
    const prog = [D(14, 3, 3, 1), B(16, 0, -4), ...chain, TRAP];
    const run = (ctr: bigint, limitCompiles: boolean): Cpu => {
      const { jit } = runBoth(prog, { ctr, limitCompiles }, [10_000_000], `ctr ${ctr} limit ${limitCompiles}`);
      expect(jit.stop.reason).toBe(StopReason.TRAP);
      expect(jit.state.getGpr(5)).toBe(BigInt(targets - 1));
      return jit;
    };
    // Without the bound every target compiles; with it, a run whose compiled code ran little
    // compiles only the first `start` (one more while the allowance is fractionally above it) ...
    expect(run(1n, false).compiledBlocks).toBe(targets);
    const short = run(1n, true).compiledBlocks;
    expect(short).toBeGreaterThanOrEqual(compilePolicy().start);
    expect(short).toBeLessThanOrEqual(compilePolicy().start + 1);
    // ... and 4 M instructions of a compiled loop earn 4 more (one per million compiled; the
    // slower credit for everything run counts completed run() calls, and this is one call).
    const long = run(2_000_000n, true).compiledBlocks;
    expect(long).toBeGreaterThanOrEqual(short + 3);
    expect(long).toBeLessThan(targets);
    // Blocks dropped because their code changed (gdb plants and removes breakpoints at every stop)
    // give their share back: the same run compiles as much again.
    const { jit, interp } = runBoth(prog, { ctr: 1n, limitCompiles: true }, [10_000_000], 'before invalidation');
    for (const cpu of [jit, interp]) {
      cpu.invalidateCode();
      cpu.state.gpr.fill(0);
      cpu.state.ctr = 1n;
      cpu.pc = CODE;
    }
    expect(jit.compiledBlocks).toBe(0);
    expect(snapshot(jit, jit.run(10_000_000))).toEqual(snapshot(interp, interp.run(10_000_000)));
    expect(jit.compiledBlocks).toBe(short);
  }

  it('code the Wasm interpreter runs whole compiles at the defer-th time its heat reaches the threshold, code with a row it leaves to JS at the first', () => {
    const { defer } = compilePolicy();
    expect(defer).toBeGreaterThan(1);
    const threshold = 100;
    // `addi r3,r3,1; bdnz`: the head's heat grows by 2 a round; with `mfcr r5` in the body (a row
    // the interpreter leaves to JS), by 3.
    const plain = [D(14, 3, 3, 1), B(16, 0, -4), TRAP];
    const leftToJs = [D(14, 3, 3, 1), X(31, 5, 0, 0, 19), B(16, 0, -8), TRAP];
    const compiledAfter = (prog: number[], budget: number, straight: boolean): boolean => {
      const label = `${prog === leftToJs ? 'mfcr' : 'plain'} ${budget} ${straight ? 'with' : 'without'} the Wasm interpreter`;
      const { jit } = runBoth(prog, { ctr: 1_000_000n, limitCompiles: true, jitThreshold: threshold }, [budget], label, (cpu) => {
        if (straight) expect(cpu.straight, label).not.toBeNull();
        else Object.defineProperty(cpu, 'straight', { value: null });
      });
      return jit.codePageFor(0, Number(CODE)).ids[Number(CODE & 0xffffn) >>> 2] === ID_BLOCK;
    };
    expect(compiledAfter(plain, 3 * threshold, false)).toBe(true);
    expect(compiledAfter(plain, (defer - 1) * threshold, true)).toBe(false);
    expect(compiledAfter(plain, (defer + 2) * threshold, true)).toBe(true);
    expect(compiledAfter(leftToJs, 4 * threshold, true)).toBe(true);
  });

  it('past the allowance, a loop head still compiles; the results never change', () => {
    // The program above with a short first loop (its straight targets use the allowance up), then
    // a loop of its own: `addi r6,r6,1; cmpdi cr7,r6,30000; bne cr7,.-8`, whose head heats up by
    // going round. It compiles although the allowance is spent; a straight target there would not.
    const targets = compilePolicy().start + 32;
    const chain = Array.from({ length: targets - 1 }, () => [D(14, 5, 5, 1), I(8), 0]).flat();
    const head = 2 + chain.length;
    const prog = [D(14, 3, 3, 1), B(16, 0, -4), ...chain, D(14, 6, 6, 1), D(11, (7 << 2) | 1, 6, 30000), B(4, 30, -8), TRAP];
    const { jit } = runBoth(prog, { ctr: 1n, limitCompiles: true }, [10_000_000], 'loop past the allowance');
    expect(jit.stop.reason).toBe(StopReason.TRAP);
    expect(jit.state.getGpr(6)).toBe(30000n);
    const ids = jit.codePageFor(0, Number(CODE)).ids;
    const slot = (k: number): number => Number((CODE + BigInt(4 * k)) & 0xffffn) >>> 2;
    expect(ids[slot(head)]).toBe(ID_BLOCK);
    expect(ids[slot(head - 3)]).not.toBe(ID_BLOCK); // the last straight target: held back
    expect(jit.compiledBlocks).toBeLessThan(targets);
  });

  it('a store to read-only code faults with access write; a trap stops on the trap word', () => {
    const store = [I(4), D(14, 3, 0, 1), DS(62, 3, 7, 0, 1), D(14, 6, 0, 3), TRAP];
    const { jit } = runBoth(store, { gpr: { 7: CODE } }, [100], 'store fault');
    expect(jit.stop.reason).toBe(StopReason.FAULT);
    expect(jit.stop.faultAccess).toBe('write');
    expect(jit.stop.pc).toBe(CODE + 8n);
    expect(jit.state.getGpr(7)).toBe(CODE); // stdu did not update RA
    const trap = [I(4), D(14, 3, 0, 1), TRAP];
    const t = runBoth(trap, {}, [100], 'trap').jit;
    expect(t.stop.reason).toBe(StopReason.TRAP);
    expect(t.stop.pc).toBe(CODE + 8n);
    expect(t.executed).toBe(2);
  });

  it('budget smaller than a block: runs exactly the budget (interpreter fallback)', () => {
    const loop = [D(14, 3, 0, 0), D(14, 3, 3, 1), D(14, 4, 4, 2), D(11, (7 << 2) | 1, 3, 1000), B(4, 30, -12), TRAP];
    for (const budget of [1, 2, 3, 4, 5, 7, 100, 1333]) {
      const { jit } = runBoth(loop, {}, [budget, budget, budget], `budget ${budget}`);
      expect(jit.totalExecuted).toBe(3 * budget);
    }
    const { jit } = runBoth(loop, {}, [100_000], 'to the end');
    expect(jit.stop.reason).toBe(StopReason.TRAP);
    expect(jit.totalExecuted).toBe(1 + 4 * 1000);
  });

  it('breakpoints added after compilation stop there; removing them resumes compiled', () => {
    const loop = [D(14, 3, 0, 0), D(14, 3, 3, 1), D(14, 4, 4, 2), D(11, (7 << 2) | 1, 3, 1000), B(4, 30, -12), TRAP];
    const jit = makeCpu(loop, true);
    const interp = makeCpu(loop, false);
    for (const c of [jit, interp]) c.run(500);
    expect(jit.compiledBlocks).toBeGreaterThan(0);
    for (const c of [jit, interp]) c.addBreakpoint(CODE + 8n);
    expect(jit.compiledBlocks).toBe(0);
    for (let k = 0; k < 3; k++) {
      const rj = jit.run(100_000);
      const ri = interp.run(100_000);
      expect(rj).toBe(StopReason.BREAKPOINT);
      expect(snapshot(jit, rj)).toEqual(snapshot(interp, ri));
      expect(jit.stop.pc).toBe(CODE + 8n);
    }
    for (const c of [jit, interp]) c.removeBreakpoint(CODE + 8n);
    const rj = jit.run(100_000);
    const ri = interp.run(100_000);
    expect(rj).toBe(StopReason.TRAP);
    expect(snapshot(jit, rj)).toEqual(snapshot(interp, ri));
    expect(jit.compiledBlocks).toBeGreaterThan(0);
  });

  it('a breakpoint toggled elsewhere on the page leaves compiled blocks alone (gdb re-inserts them at every stop)', () => {
    const loop = [D(14, 3, 0, 0), D(14, 3, 3, 1), D(14, 4, 4, 2), D(11, (7 << 2) | 1, 3, 1000), B(4, 30, -12), TRAP];
    const jit = makeCpu(loop, true);
    const interp = makeCpu(loop, false);
    for (const c of [jit, interp]) c.run(500);
    const blocks = jit.compiledBlocks;
    expect(blocks).toBeGreaterThan(0);
    // Same 64 KiB page, outside every block: nothing to drop, on insert or on removal.
    for (let k = 0; k < 5; k++) {
      for (const c of [jit, interp]) c.addBreakpoint(CODE + 0x400n);
      expect(jit.compiledBlocks).toBe(blocks);
      for (const c of [jit, interp]) c.removeBreakpoint(CODE + 0x400n);
      expect(jit.compiledBlocks).toBe(blocks);
    }
    const rj = jit.run(100_000);
    const ri = interp.run(100_000);
    expect(rj).toBe(StopReason.TRAP);
    expect(snapshot(jit, rj)).toEqual(snapshot(interp, ri));
  });

  it('host-call ranges added after compilation stop with SENTINEL before the address', () => {
    const loop = [D(14, 3, 0, 0), D(14, 3, 3, 1), D(14, 4, 4, 2), D(11, (7 << 2) | 1, 3, 1000), B(4, 30, -12), TRAP];
    const jit = makeCpu(loop, true);
    const interp = makeCpu(loop, false);
    for (const c of [jit, interp]) c.run(300);
    for (const c of [jit, interp]) c.addHostCallRange(CODE + 12n, CODE + 16n);
    const rj = jit.run(100_000);
    const ri = interp.run(100_000);
    expect(rj).toBe(StopReason.SENTINEL);
    expect(snapshot(jit, rj)).toEqual(snapshot(interp, ri));
  });

  it('watchpoints keep compiled code and stop before the access, as the interpreter does', () => {
    const loop = [
      D(14, 3, 0, 0),
      D(14, 3, 3, 1), // 4: addi r3,r3,1
      DS(62, 3, 1, 8, 0), // 8: std r3,8(r1)
      D(11, (7 << 2) | 1, 3, 50), // 12
      B(4, 30, -12), // 16
      TRAP,
    ];
    const setup = { gpr: { 1: DATA } };
    const jit = makeCpu(loop, true, setup);
    const interp = makeCpu(loop, false, setup);
    for (const c of [jit, interp]) c.run(40);
    const blocks = jit.compiledBlocks;
    expect(blocks).toBeGreaterThan(0);
    const wp = { start: DATA + 8n, end: DATA + 16n, onRead: false, onWrite: true };
    for (const c of [jit, interp]) c.addWatchpoint({ ...wp });
    expect(jit.compiledBlocks).toBe(blocks);
    for (let k = 0; k < 3; k++) {
      const jitBefore = jit.jitExecuted;
      const rj = jit.run(1000);
      const ri = interp.run(1000);
      expect(rj).toBe(StopReason.WATCH);
      expect(jit.stop.pc).toBe(CODE + 8n);
      expect(snapshot(jit, rj)).toEqual(snapshot(interp, ri));
      if (k > 0) expect(jit.jitExecuted).toBeGreaterThan(jitBefore); // the loop ran compiled up to the store
      for (const c of [jit, interp]) c.skipWatchOnce();
    }
  });
});

describe('jit: code changes and threads', () => {
  it('self-modifying code: a block storing into its own later instruction', () => {
    const addi7 = D(14, 4, 4, 7);
    const prog = [
      D(14, 3, 0, 0), // 0: li r3,0
      D(14, 3, 3, 1), // 4: addi r3,r3,1
      D(36, 5, 6, 0), // 8: stw r5,0(r6)  -> rewrites 12
      D(14, 4, 4, 1), // 12: addi r4,r4,1 (becomes addi r4,r4,7)
      D(36, 8, 6, 0), // 16: stw r8,0(r6) -> back to addi r4,r4,1
      D(11, (7 << 2) | 1, 3, 20), // 20
      B(4, 30, -20), // 24: bne cr7, 4
      TRAP,
    ];
    const setup: Setup = { gpr: { 5: BigInt(addi7 >>> 0), 6: CODE + 12n, 8: BigInt(D(14, 4, 4, 1) >>> 0) }, writableCode: true };
    const { jit } = runBoth(prog, setup, [100_000], 'smc');
    expect(jit.stop.reason).toBe(StopReason.TRAP);
    expect(jit.state.getGpr(4)).toBe(20n * 7n);
  });

  it('code rewritten by the debugger between runs drops compiled blocks', () => {
    const loop = [D(14, 3, 0, 0), D(14, 3, 3, 1), D(14, 4, 4, 2), D(11, (7 << 2) | 1, 3, 1000), B(4, 30, -12), TRAP];
    const jit = makeCpu(loop, true);
    const interp = makeCpu(loop, false);
    for (const c of [jit, interp]) c.run(600);
    expect(jit.compiledBlocks).toBeGreaterThan(0);
    const patch = new Uint8Array(4);
    new DataView(patch.buffer).setUint32(0, D(14, 4, 4, 5) >>> 0);
    for (const c of [jit, interp]) c.mem.writeBytes(CODE + 8n, patch);
    const rj = jit.run(100_000);
    const ri = interp.run(100_000);
    expect(snapshot(jit, rj)).toEqual(snapshot(interp, ri));
    expect(jit.state.getGpr(4)).toBe(BigInt(2 * 150 + 5 * 850));
  });

  it('thread switches between slices (cpu.state = other) drop reservations as in the interpreter', () => {
    const prog = [
      I(4),
      X(31, 4, 0, 1, 20), // 4: lwarx r4,0,r1
      D(14, 4, 4, 1), // 8: addi r4,r4,1
      X(31, 4, 0, 1, 150, 1), // 12: stwcx. r4,0,r1
      X(31, 0, 0, 0, 19), // 16: mfcr r0
      D(14, 9, 9, 1), // 20: addi r9,r9,1
      D(11, (7 << 2) | 1, 9, 3000), // 24
      B(4, 30, -24), // 28: bne cr7, 4
      TRAP,
    ];
    const mk = (jit: boolean): { cpu: Cpu; states: CpuState[] } => {
      const cpu = makeCpu(prog, jit, { gpr: { 1: DATA + 64n } });
      const other = new CpuState();
      other.copyFrom(cpu.state);
      other.setGpr(1, DATA + 64n);
      return { cpu, states: [cpu.state, other] };
    };
    const a = mk(true);
    const b = mk(false);
    for (let k = 0; k < 400; k++) {
      const t = k % 2;
      a.cpu.state = a.states[t];
      b.cpu.state = b.states[t];
      const budget = 5 + (k * 7) % 23;
      const ra = a.cpu.run(budget);
      const rb = b.cpu.run(budget);
      expect(snapshot(a.cpu, ra), `slice ${k}`).toEqual(snapshot(b.cpu, rb));
      expect(a.states[1 - t].spr[RESV_LEN]).toBe(b.states[1 - t].spr[RESV_LEN]);
    }
    expect(a.cpu.compiledBlocks).toBeGreaterThan(0);
  });

  it('AIX_GDBSTUB_JIT=0 turns the tier off; the default is on', () => {
    const saved = process.env.AIX_GDBSTUB_JIT;
    try {
      process.env.AIX_GDBSTUB_JIT = '0';
      expect(new Cpu(new GuestMemory()).jit).toBe(false);
      delete process.env.AIX_GDBSTUB_JIT;
      expect(new Cpu(new GuestMemory()).jit).toBe(true);
    } finally {
      if (saved === undefined) delete process.env.AIX_GDBSTUB_JIT;
      else process.env.AIX_GDBSTUB_JIT = saved;
    }
    const loop = [D(14, 3, 0, 0), D(14, 3, 3, 1), D(11, (7 << 2) | 1, 3, 100), B(4, 30, -8), TRAP];
    const off = makeCpu(loop, false);
    off.run(10_000);
    expect(off.compiledBlocks).toBe(0);
  });
});

describe('jit: emitter table', () => {
  it('every emitter key names a real instruction row; memory rows are known to the compiler', () => {
    const names = new Set(allRows.map((r) => r.name));
    expect(Object.keys(emitters).filter((k) => !names.has(k))).toEqual([]);
    // An emitted row that touches memory must be marked, or a fault in it would not be precise.
    const family = new Map(allRows.map((r) => [r.name, r.family]));
    for (const name of [...VECTOR_MEMORY_ROWS, ...VECTOR_STORE_ROWS]) expect(emitters[name], name).toBeDefined();
    for (const name of VECTOR_STORE_ROWS) expect(VECTOR_MEMORY_ROWS.has(name), name).toBe(true);
    const memoryFamilies = new Set(['load', 'store', 'atomic']);
    const unmarked = Object.keys(emitters).filter(
      (k) => !memoryFamilies.has(family.get(k)!) && /^(l|st)[a-z]*x?$/.test(k) && !VECTOR_MEMORY_ROWS.has(k) && !k.startsWith('lvs'),
    );
    expect(unmarked).toEqual([]);
  });
});
