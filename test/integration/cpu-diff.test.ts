// Differential test: random instruction cases per family, run by qemu-ppc64 -cpu POWER8 and by our
// CPU from identical bytes and inputs (see cpu-diff-harness.ts). Needs qemu-ppc64 (qemu-user);
// fails loudly without it. Reproduce a failure with CPU_DIFF_SEED=<seed printed in the message>.
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { B, D, DS, M, MD, MDS, SPR, X, XL, XO, XS, edgeValues } from '../unit/cpu/asm.js';
import { buildProgram, runOurs, runQemu, firstDifference, randomScratch, rng, type DiffCase } from './cpu-diff-harness.js';

const CASES = 1500;
const baseSeed = process.env.CPU_DIFF_SEED ? BigInt(process.env.CPU_DIFF_SEED) : BigInt(Date.now());

type Gen = (pick: Picker, at: bigint, scratchAddr: bigint) => Partial<DiffCase> & { words: number[] };

class Picker {
  constructor(readonly next: () => bigint) {}
  int(n: number): number {
    return Number(this.next() % BigInt(n));
  }
  of<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)];
  }
  bit(): number {
    return this.int(2);
  }
  value(): bigint {
    const k = this.int(6);
    if (k === 0) return this.of(edgeValues());
    if (k === 1) return BigInt.asUintN(64, BigInt(this.int(200) - 100));
    if (k === 2) return this.next() & 0xffffffffn;
    return this.next();
  }
  /** Registers r3..r12 as operands. */
  reg(): number {
    return 3 + this.int(10);
  }
}

const XO_OPS = [266, 40, 104, 10, 138, 202, 234, 8, 136, 200, 232, 233, 73, 9, 235, 75, 11, 489, 457, 491, 459];
const UNARY = new Set([104, 202, 234, 200, 232]);
const NO_OE = new Set([73, 9, 75, 11]);
const X_LOGICAL = [444, 28, 316, 476, 124, 284, 60, 412, 954, 922, 986, 26, 58];
const X_NO_RC = [122, 378, 506, 508];

const families: Record<string, Gen> = {
  arith: (p) => {
    const xo = p.of(XO_OPS);
    const oe = NO_OE.has(xo) ? 0 : p.bit();
    return { words: [XO(p.reg(), p.reg(), UNARY.has(xo) ? 0 : p.reg(), xo, oe, p.bit())] };
  },
  immediate: (p) => {
    const po = p.of([14, 15, 12, 13, 8, 7, 24, 25, 26, 27, 28, 29]);
    const imm = p.of([0, 1, -1, 0x7fff, -0x8000, 0x8000, 0xffff, p.int(0x10000)]);
    const ra = po === 14 || po === 15 ? p.of([0, p.reg()]) : p.reg();
    return { words: [D(po, p.reg(), ra, imm)] };
  },
  logical: (p) => {
    if (p.bit()) return { words: [X(31, p.reg(), p.reg(), p.reg(), p.of(X_LOGICAL), p.bit())] };
    const xo = p.of(X_NO_RC);
    return { words: [X(31, p.reg(), p.reg(), xo === 508 ? p.reg() : 0, xo, 0)] }; // popcnt*: RB must be 0
  },
  rotate: (p) => {
    const k = p.int(9);
    const rc = p.bit();
    const [rs, ra] = [p.reg(), p.reg()];
    if (k < 3) return { words: [M([21, 20, 23][k], rs, ra, k === 2 ? p.reg() : p.int(32), p.int(32), p.int(32), rc)] };
    if (k < 7) return { words: [MD(rs, ra, p.int(64), p.int(64), k - 3, rc)] };
    return { words: [MDS(rs, ra, p.reg(), p.int(64), 8 + (k - 7), rc)] };
  },
  shift: (p) => {
    const k = p.int(8);
    const rc = p.bit();
    const [rs, ra, rb] = [p.reg(), p.reg(), p.reg()];
    if (k === 0) return { words: [XS(rs, ra, p.int(64), 413, rc)] };
    if (k === 1) return { words: [X(31, rs, ra, p.int(32), 824, rc)] };
    return { words: [X(31, rs, ra, rb, [27, 539, 794, 24, 536, 792][k - 2], rc)] };
  },
  compare: (p) => {
    const bfl = (p.int(8) << 2) | p.bit();
    const k = p.int(4);
    if (k === 0) return { words: [X(31, bfl, p.reg(), p.reg(), 0)] };
    if (k === 1) return { words: [X(31, bfl, p.reg(), p.reg(), 32)] };
    const imm = p.of([0, 1, -1, 0x7fff, -0x8000, p.int(0x10000)]);
    return { words: [D(k === 2 ? 11 : 10, bfl, p.reg(), imm)] };
  },
  cr: (p) => {
    const k = p.int(6);
    if (k === 0) return { words: [XL(p.int(32), p.int(32), p.of([257, 129, 289, 225, 33, 449, 417, 193])) | (p.int(32) << 11)] };
    if (k === 1) return { words: [XL(p.int(8) << 2, p.int(8) << 2, 0)] }; // mcrf
    if (k === 2) return { words: [X(31, p.reg(), 0, 0, 19)] }; // mfcr
    if (k === 3) {
      const fxm = p.int(256);
      return { words: [X(31, p.reg(), fxm >> 4, (fxm & 15) << 1, 144)] }; // mtcrf
    }
    if (k === 4) {
      const fxm = 1 << p.int(8);
      return { words: [X(31, p.reg(), 16 | (fxm >> 4), (fxm & 15) << 1, p.of([19, 144]))] }; // mfocrf / mtocrf
    }
    return { words: [X(31, p.reg(), p.of([0, p.reg()]), p.reg(), (p.int(32) << 5) | 15)] }; // isel
  },
  branch: (p, at) => {
    // the branch skips "ori r3,r3,1" when taken; "ori r3,r3,2" always runs
    const bo = p.of([4, 12, 20, 16, 18, 0, 2, 8, 10, 5, 13, 6, 14, 24, 25]);
    const bi = p.int(32);
    const lk = p.bit();
    const k = p.int(3);
    const target = at + 8n;
    const ctr = p.of([0n, 1n, 2n, 0x100000000n, p.value()]);
    const tail = [D(24, 3, 3, 1), D(24, 3, 3, 2)];
    if (k === 0) return { words: [B(bo, bi, 8, 0, lk), ...tail], ctr };
    if (k === 1) return { words: [XL(bo, bi, 16, lk), ...tail], ctr, lr: target + BigInt(p.int(4)) };
    return { words: [XL(bo | 4, bi, 528, lk), ...tail], ctr: target + BigInt(p.int(4)) };
  },
  loadstore: (p, _at, scratch) => {
    // r5 points into the scratch block, r6 is a small index; results land in r3/r4/r5
    const k = p.int(3);
    const d = p.int(24);
    const base = scratch + BigInt(p.int(16));
    const gprs = { 5: base, 6: BigInt(p.int(16)) };
    let word: number;
    if (k === 0) word = D(p.of([32, 33, 34, 35, 40, 41, 42, 43, 36, 37, 38, 39, 44, 45]), p.of([3, 4]), 5, d);
    else if (k === 1) word = DS(p.of([58, 62]), p.of([3, 4]), 5, d & ~3, p.of([0, 1, 2].slice(0, 3)));
    else {
      const xo = p.of([87, 119, 279, 311, 343, 375, 23, 55, 341, 373, 21, 53, 215, 247, 407, 439, 151, 183, 149, 181,
        790, 534, 532, 918, 662, 660, 1014 /* dcbz */]);
      word = X(31, xo === 1014 ? 0 : p.of([3, 4]), 5, 6, xo); // dcbz: the RT field is reserved (0)
    }
    if (k === 1 && (word >>> 26) === 62 && (word & 3) === 2) word &= ~3; // std has no XO 2
    return { words: [word], gprs };
  },
  spr: (p) => {
    // mtxer/mfxer round trip (CA/OV/SO and the byte count), mtctr/mfctr, mtlr/mflr
    const [mt, mf] = p.of([[1, 1], [9, 9], [8, 8]] as const);
    return { words: [SPR(p.reg(), mt, 467), SPR(p.reg(), mf, 339)] };
  },
  reservation: (p, _at, scratch) => {
    const [l, st, width] = p.of([[52, 694, 1], [116, 726, 2], [20, 150, 4], [84, 214, 8]] as const);
    const off = BigInt(width * p.int(4));
    const same = p.int(4) !== 0;
    return {
      words: [X(31, 3, 0, 5, l), D(14, 3, 3, 1), X(31, 3, 0, same ? 5 : 6, st, 1)],
      gprs: { 5: scratch + off, 6: scratch + 32n + off },
    };
  },
};

function makeCases(gen: Gen, seed: bigint): ReturnType<typeof buildProgram> {
  const next = rng(seed);
  const p = new Picker(next);
  // The scratch address is fixed by the layout; a first pass with a dummy case finds it.
  const probe = buildProgram(CASES, () => dummy);
  const scratchAddr = probe.prog.scratchAddr;
  return buildProgram(CASES, (_k, at) => {
    const g = gen(p, at, scratchAddr) as ReturnType<Gen> & { gprs?: Record<number, bigint> };
    const gpr = Array.from({ length: 10 }, () => p.value());
    for (const [r, v] of Object.entries(g.gprs ?? {})) gpr[Number(r) - 3] = v;
    return {
      words: g.words,
      gpr,
      cr: Number(p.next() & 0xffffffffn) | 0,
      xer: (Number(p.next() & 0xe0000000n) | 0) >>> 0,
      ctr: g.ctr ?? p.value(),
      lr: g.lr ?? p.value(),
      scratch: randomScratch(next),
    };
  });
}
const dummy: DiffCase = { words: [], gpr: Array(10).fill(0n), cr: 0, xer: 0, ctr: 0n, lr: 0n, scratch: new Uint8Array(64) };

describe('differential test against qemu-ppc64 -cpu POWER8', () => {
  it('qemu-ppc64 is installed (this suite needs it)', () => {
    expect(() => execFileSync('qemu-ppc64', ['-version'])).not.toThrow();
  });
  Object.entries(families).forEach(([name, gen], f) => {
    it(`${name}: ${CASES} random cases`, () => {
      const seed = baseSeed + BigInt(f);
      const { prog, cases } = makeCases(gen, seed);
      const ref = runQemu(prog);
      const ours = runOurs(prog);
      const diff = firstDifference(ours, ref, cases, seed);
      expect(diff, `reproduce with CPU_DIFF_SEED=${seed - BigInt(f)}`).toBeNull();
    });
  });
});
