// Shared by the compiled-tier tests (jit.test.ts, wasm.test.ts): the same program on two CPUs, one
// with the compiler at a threshold of 1 and one interpreter-only, compared register for register,
// byte for byte, stop for stop.
import { expect } from 'vitest';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Cpu, StopReason } from '../../../src/cpu/cpu.js';
import { CpuState, CR, FPSCR } from '../../../src/cpu/state.js';
import { GuestMemory, PROT_EXEC, PROT_READ, PROT_WRITE } from '../../../src/cpu/memory.js';
import { A_, B, CODE, D, DATA, DS, I, M, MD, SPR, TRAP, X, XL, XO, XS, rng } from './asm.js';
import { ID_BLOCK } from '../../../src/cpu/run.js';
import { LoopState, STRAIGHT_CHAIN } from '../../../src/cpu/wasm/interp.js';

export const DATA_LEN = 0x10000;

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/**
 * Collect the CPUs a test dropped and let the FinalizationRegistry callbacks give their arena
 * storage and table slots back. Their arena use is not JS heap, so nothing else makes V8 collect
 * them, and the callbacks need the event loop: a file that makes thousands of CPUs in synchronous
 * loops uses up the 4 GiB arena, and later CPUs get no Wasm tier.
 */
export async function reclaimDroppedCpus(): Promise<void> {
  gc();
  await new Promise((r) => setTimeout(r, 0));
}

export interface Setup {
  gpr?: Record<number, bigint>;
  fpr?: Record<number, number>;
  /** Initial VSX register file (256 words), for the vector rows. */
  vsr?: Int32Array;
  cr?: number;
  /** Initial FPSCR (rounding mode, enables, sticky bits). */
  fpscr?: number;
  ctr?: bigint;
  lr?: bigint;
  writableCode?: boolean;
  /** Compile threshold of the compiling CPU (default 1: nearly every branch target compiles). */
  jitThreshold?: number;
  /** Bound compiles by what compiled code has run, as a default Cpu does (default false: compile every hot target). */
  limitCompiles?: boolean;
  /** CpuOptions.wasm of the compiling CPU (false: no chain map; its Wasm blocks run as JS). */
  wasm?: boolean;
}

export function makeCpu(words: number[], jit: boolean, setup: Setup = {}): Cpu {
  const mem = new GuestMemory();
  mem.map(CODE, 0x20000n, PROT_READ | PROT_EXEC | (setup.writableCode ? PROT_WRITE : 0));
  mem.map(DATA, BigInt(DATA_LEN), PROT_READ | PROT_WRITE);
  const bytes = new Uint8Array(words.length * 4);
  const dv = new DataView(bytes.buffer);
  words.forEach((x, k) => dv.setUint32(4 * k, x >>> 0));
  mem.writeBytes(CODE, bytes);
  const fill = new Uint8Array(DATA_LEN);
  for (let k = 0; k < DATA_LEN; k++) fill[k] = (k * 131 + 7) & 0xff;
  mem.writeBytes(DATA, fill);
  const cpu = new Cpu(mem, new CpuState(), { jit, jitThreshold: setup.jitThreshold ?? 1, limitCompiles: setup.limitCompiles ?? false, wasm: setup.wasm });
  cpu.timeBase = () => 0x123456789n;
  cpu.pc = CODE;
  const s = cpu.state;
  for (const [k, v] of Object.entries(setup.gpr ?? {})) s.setGpr(Number(k), BigInt.asUintN(64, v));
  if (setup.vsr) s.vsr.set(setup.vsr);
  for (const [k, v] of Object.entries(setup.fpr ?? {})) s.setFpr(Number(k), v);
  s.spr[CR] = setup.cr ?? 0;
  s.spr[FPSCR] = setup.fpscr ?? 0;
  if (setup.ctr !== undefined) s.ctr = setup.ctr;
  if (setup.lr !== undefined) s.lr = setup.lr;
  return cpu;
}

export function snapshot(cpu: Cpu, r: StopReason): Record<string, unknown> {
  const st = cpu.stop;
  return {
    r,
    stop: st.describe(),
    word: st.word,
    executed: cpu.executed,
    total: cpu.totalExecuted,
    gpr: Array.from(cpu.state.gpr),
    spr: Array.from(cpu.state.spr),
    vsr: Array.from(cpu.state.vsr),
    data: Buffer.from(cpu.mem.readBytes(DATA, DATA_LEN)).toString('base64'),
    code: Buffer.from(cpu.mem.readBytes(CODE, 0x400)).toString('base64'),
  };
}

/** Run both CPUs with the same budget sequence and expect identical snapshots after each run (prepareJit: on the compiling one first). */
export function runBoth(words: number[], setup: Setup, budgets: number[], label: string, prepareJit?: (jit: Cpu) => void): { jit: Cpu; interp: Cpu } {
  const jit = makeCpu(words, true, setup);
  const interp = makeCpu(words, false, setup);
  prepareJit?.(jit);
  for (const b of budgets) {
    const rj = jit.run(b);
    const ri = interp.run(b);
    expect(snapshot(jit, rj), `${label} budget ${b}`).toEqual(snapshot(interp, ri));
    if (ri !== StopReason.OK) break;
  }
  return { jit, interp };
}


export const PTR = [1, 2, 3]; // point into DATA
export const IDX = 13; // small index register
export const pick = <T>(r: () => bigint, xs: readonly T[]): T => xs[Number(r() % BigInt(xs.length))];
export const int = (r: () => bigint, n: number): number => Number(r() % BigInt(n));

export function randomSetup(r: () => bigint): Setup {
  const gpr: Record<number, bigint> = {};
  const edge = [0n, 1n, -1n, 0x7fffffffn, 0x80000000n, 0xffffffffn, -0x8000000000000000n, 0x7fffffffffffffffn];
  const power = (): bigint => (int(r, 2) === 0 ? 1n : -1n) << BigInt(int(r, 64)); // carries, sign and shift edges
  for (let k = 0; k < 32; k++) gpr[k] = [() => pick(r, edge), power, r][int(r, 3)]();
  for (const p of PTR) gpr[p] = DATA + 0x1000n + BigInt(int(r, 0xc000) & ~7);
  gpr[IDX] = BigInt(int(r, 64) * 8);
  const fpr: Record<number, number> = { 1: 1.5, 2: -3.25, 3: 1e300, 4: Number(r() % 1000n) / 7 };
  const vsr = new Int32Array(256);
  for (let k = 0; k < 256; k++) vsr[k] = [() => 0, () => -1, () => Number(BigInt.asIntN(32, r()))][int(r, 3)]();
  return { gpr, fpr, vsr, cr: Number(BigInt.asIntN(32, r())), ctr: BigInt(int(r, 5)), lr: CODE + 0x100n };
}

/**
 * `b 4; li r14,n; body; addi r14,r14,-1; cmpdi cr7,r14,0; bne cr7,body; b +8`, then traps: a
 * counted loop whose back edge targets a label inside the block compiled at 4.
 */
export function labelLoop(body: readonly number[], n: number): number[] {
  return [I(4), D(14, 14, 0, n), ...body, D(14, 14, 14, -1), D(11, (7 << 2) | 1, 14, 0), B(4, 30, -4 * (body.length + 2)), I(8), TRAP, TRAP];
}

/**
 * a (compiled) and b (interpreted) hit the same watchpoint, a at `pc`, with equal state; past it
 * (skipWatchOnce), both run on to the program's trap, equal again.
 */
export function expectWatchThenTrap(a: Cpu, b: Cpu, pc: bigint): void {
  const ra = a.run(100_000);
  const rb = b.run(100_000);
  expect(ra).toBe(StopReason.WATCH);
  expect(a.stop.pc).toBe(pc);
  expect(snapshot(a, ra)).toEqual(snapshot(b, rb));
  for (const c of [a, b]) c.skipWatchOnce();
  const ra2 = a.run(100_000);
  const rb2 = b.run(100_000);
  expect(ra2).toBe(StopReason.TRAP);
  expect(snapshot(a, ra2)).toEqual(snapshot(b, rb2));
}

/** One random instruction of a row the Wasm tier emits (a few forms it leaves to JS, e.g. OE=1). */
export function randomWasmInsn(r: () => bigint, opts: { branches: boolean; crFields: number }): number {
  const dst = (): number => pick(r, [4, 5, 6, 7, 8, 9, 10, 11, 12]);
  const src = (): number => pick(r, [0, 4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2]);
  const rc = (): number => (int(r, 3) === 0 ? 1 : 0);
  const imm = (): number => Number(BigInt.asIntN(16, r()));
  const ptr = (): number => pick(r, PTR);
  const disp = (): number => int(r, 512) - 256;
  const bf = (): number => int(r, opts.crFields);
  const kinds: Array<() => number> = [
    () => D(14, dst(), pick(r, [0, ...PTR, 4, 5, 6]), imm()), // addi
    () => D(15, dst(), pick(r, [0, 4, 5, 6]), imm()), // addis
    ...[266, 40, 104, 233, 9, 73, 10, 138, 202, 234, 8, 136, 200].map((xo) => () => XO(dst(), src(), src(), xo, int(r, 10) === 0 ? 1 : 0, int(r, 10) === 0 ? 1 : 0)),
    () => D(7, dst(), src(), imm()), // mulli
    () => D(pick(r, [12, 13, 8]), dst(), src(), imm()), // addic, addic., subfic
    () => X(31, src(), dst(), 0, pick(r, [506, 378])), // popcntd, popcntw
    () => XL(bf() << 2, bf() << 2, 0), // mcrf
    () => XL(int(r, 4 * opts.crFields), int(r, 32), pick(r, [257, 129, 289, 225, 33, 449, 417, 193])) | (int(r, 32) << 11),
    () => X(31, src(), dst(), src(), pick(r, [444, 28, 316, 60, 412, 124, 476, 284]), rc()),
    () => D(pick(r, [24, 25, 26, 27, 28, 29]), src(), dst(), imm()), // ori..andis.
    () => X(31, src(), dst(), 0, pick(r, [954, 922, 986, 26, 58]), rc()), // exts*, cntlz*
    () => X(31, bf() << 2, src(), src(), 0) | (int(r, 2) << 21), // cmp (L)
    () => X(31, bf() << 2, src(), src(), 32) | (int(r, 2) << 21), // cmpl (L)
    () => D(11, (bf() << 2) | int(r, 2), src(), imm()), // cmpi
    () => D(10, (bf() << 2) | int(r, 2), src(), imm()), // cmpli
    () => A_(31, dst(), src(), src(), int(r, 4 * opts.crFields), 15), // isel
    () => M(21, src(), dst(), int(r, 32), int(r, 32), int(r, 32), rc()), // rlwinm
    () => MD(src(), dst(), int(r, 64), int(r, 64), int(r, 4), rc()), // rldicl/rldicr/rldic/rldimi
    () => X(31, src(), dst(), src(), pick(r, [27, 539, 24, 536]), rc()), // sld, srd, slw, srw
    () => X(31, src(), dst(), pick(r, [0, 1, 31, 32, 63, 64, 65, 127, 4, 12]), pick(r, [27, 539, 24, 536]), rc()), // by edge amounts
    () => XS(src(), dst(), int(r, 64), 413, rc()), // sradi
    () => X(31, src(), dst(), int(r, 32), 824, rc()), // srawi
    () => DS(58, dst(), ptr(), disp(), int(r, 3)), // ld, ldu, lwa
    () => DS(62, src(), ptr(), disp(), int(r, 2)), // std, stdu
    () => D(pick(r, [32, 33, 34, 35, 40, 41, 42]), dst(), ptr(), disp()), // lwz..lha
    () => D(pick(r, [36, 37, 38, 39, 44]), src(), ptr(), disp()), // stw..sth
    () => X(31, dst(), ptr(), IDX, pick(r, [21, 23, 87, 279, 343, 341])), // ldx..lwax
    () => X(31, src(), ptr(), IDX, pick(r, [149, 151, 215, 407, 181])), // stdx..stdux
    () => SPR(dst(), pick(r, [8, 9]), 339), // mflr, mfctr
    () => SPR(src(), pick(r, [8, 9]), 467), // mtlr, mtctr
    () => X(31, dst(), 0, 0, 19), // mfcr
    () => X(31, 0, 0, 0, pick(r, [598, 278, 54])), // sync, dcbt, dcbst
    () => XL(0, 0, 150), // isync
  ];
  if (opts.branches) {
    // Forward conditional branches (side exits), sometimes with CTR decrement or link.
    kinds.push(() => B(pick(r, [4, 12, 16, 18, 0, 8, 20]), int(r, 4 * opts.crFields), 4 * (1 + int(r, 4)), 0, int(r, 4) === 0 ? 1 : 0));
  }
  return pick(r, kinds)() | 0;
}

/** Count what the Wasm interpreter ran on this CPU (its calls and instructions). */
export function countStraight(cpu: Cpu): { calls: number; insns: number } {
  const seen = { calls: 0, insns: 0 };
  const inner = cpu.straight;
  expect(inner).not.toBeNull();
  Object.defineProperty(cpu, 'straight', {
    value: {
      ...inner!,
      run: (left: number, regs: number, tlb: number, code: number, u: number): number => {
        const r = inner!.run(left, regs, tlb, code, u);
        seen.calls++;
        seen.insns += r >>> 2;
        return r;
      },
    },
  });
  return seen;
}

/**
 * The program on a jit CPU with the Wasm interpreter and on one without it (its `straight` nulled
 * after construction, so both share every other setting), run with the same budgets: expects the
 * same blocks compiled, the same compiled-instruction count and the same snapshot after each
 * budget. prepare(cpu, straight) runs on each CPU first. Returns what the CPU with the interpreter
 * did.
 */
export function expectSameWithoutStraight(
  words: number[],
  setup: Setup,
  budgets: number[],
  label: string,
  prepare?: (cpu: Cpu, straight: boolean) => void,
): { cpu: Cpu; snap: unknown[]; blocks: number[] } {
  const run = (straight: boolean): { cpu: Cpu; snap: unknown[]; blocks: number[] } => {
    const cpu = makeCpu(words, true, setup);
    if (!straight) Object.defineProperty(cpu, 'straight', { value: null });
    prepare?.(cpu, straight);
    const snap = budgets.map((b) => snapshot(cpu, cpu.run(b)));
    const ids = cpu.codePageFor(0, Number(CODE)).ids;
    return { cpu, snap, blocks: words.map((_w, k) => k).filter((k) => ids[k] === ID_BLOCK) };
  };
  const a = run(true);
  const b = run(false);
  expect(a.blocks, label).toEqual(b.blocks);
  expect(a.cpu.jitExecuted, label).toBe(b.cpu.jitExecuted);
  expect(a.snap, label).toEqual(b.snap);
  return a;
}

export interface LeafTotals {
  blockInsns: number;
  slowExits: number;
  /** Returns with STRAIGHT_CHAIN: the loop's resumeChain did the rest (slow exits among them). */
  resumed: number;
  faults: number;
  wasmBlocks: number;
}

/**
 * The Wasm interpreter entering compiled blocks (wasm-interp-blocks*.test.ts), 80 programs: 30
 * calls of one leaf between random instructions, then (every other program) r3 = 0 and a last
 * call, whose load through r3 faults inside the compiled leaf; the leaf: random instructions, a
 * load through r3, a return. Each runs on a jit CPU with and without the Wasm interpreter
 * (expectSameWithoutStraight) and on an interpreter-only CPU; `premise` checks each CPU first.
 */
export function callsIntoALeaf(seed: bigint, premise: (cpu: Cpu) => void): LeafTotals {
  const r = rng(seed);
  const totals = { blockInsns: 0, slowExits: 0, resumed: 0, faults: 0, wasmBlocks: 0 };
  for (let p = 0; p < 80; p++) {
    const calls: number[] = [];
    for (let k = 0; k < 30; k++) {
      for (let j = int(r, 3); j > 0; j--) calls.push(randomWasmInsn(r, { branches: false, crFields: 8 }));
      calls.push(-1);
    }
    const fault = p % 2 === 1;
    if (fault) calls.push(D(14, 3, 0, 0), -1);
    const leafAt = calls.length + 2;
    const caller = calls.map((x, k) => (x === -1 ? I(4 * (leafAt - (k + 1)), 0, 1) : x));
    const leaf = [...Array.from({ length: 2 + int(r, 8) }, () => randomWasmInsn(r, { branches: false, crFields: 8 })), D(32, 4, 3, 8), XL(20, 0, 16)];
    const words = [I(4), ...caller, TRAP, ...leaf];
    const setup = { ...randomSetup(r), jitThreshold: 20 + int(r, 40) };
    const budgets = p % 4 < 2 ? [100_000] : Array.from({ length: 40 }, () => 1 + int(r, 40));
    const a = expectSameWithoutStraight(words, setup, budgets, `program ${p}`, (cpu, straight) => {
      premise(cpu);
      if (!straight) return;
      const inner = cpu.straight!;
      const ls = cpu.loopState!;
      Object.defineProperty(cpu, 'straight', {
        value: {
          ...inner,
          run: (left: number, regs: number, tlb: number, code: number, u: number): number => {
            const x = inner.run(left, regs, tlb, code, u);
            totals.blockInsns += ls[LoopState.JIT];
            if ((x & 3) === STRAIGHT_CHAIN) {
              totals.resumed++;
              if (ls[LoopState.CHAIN_R] < 0) totals.slowExits++;
            }
            return x;
          },
        },
      });
    });
    if (fault && a.cpu.stop.reason === StopReason.FAULT) totals.faults++;
    const page = a.cpu.codePageFor(0, Number(CODE));
    totals.wasmBlocks += a.blocks.filter((k) => page.blocks![k]!.wasmSlot >= 0).length;
    const interp = makeCpu(words, false, setup);
    expect(a.snap, `program ${p} (interpreter)`).toEqual(budgets.map((x) => snapshot(interp, interp.run(x))));
  }
  return totals;
}

/** The leaf compiled to Wasm and ran mostly from the Wasm interpreter; slow exits and faults came back to JS. */
export function expectBlocksFromTheInterpreter(totals: LeafTotals): void {
  // about one per program: the caller's return points run in the caller's region, not blocks of their own
  expect(totals.wasmBlocks).toBeGreaterThan(60);
  expect(totals.blockInsns).toBeGreaterThan(5000);
  expect(totals.slowExits).toBeGreaterThan(10);
  expect(totals.faults).toBeGreaterThan(10);
}
