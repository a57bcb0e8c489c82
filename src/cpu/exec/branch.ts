// Branches, CR logical operations and CR moves (Power ISA book I, ch. 2).
// Branch handlers read the current instruction address from spr[PC_*] (the run loop stores it
// before calling them), write the target there and return true when the branch is taken.
import type { CpuState } from '../state.js';
import { CR, PC_HI, PC_LO, LR_HI, LR_LO, CTR_HI, CTR_LO } from '../state.js';
import type { GuestMemory } from '../memory.js';
import type { InsnRow } from '../isa-types.js';
import { aa, bd, li, ra, rb, rt, bf, bfa, fxm } from '../fields.js';
import { rowD, rowX } from './common.js';

type M = GuestMemory;

/** LR = CIA + 4. */
function linkNext(spr: Int32Array): void {
  const lo = (spr[PC_LO] + 4) | 0;
  spr[LR_HI] = lo === 0 ? (spr[PC_HI] + 1) | 0 : spr[PC_HI];
  spr[LR_LO] = lo;
}

/** PC = (AA ? 0 : CIA) + offset, offset a sign-extended int32. */
function jumpRelative(spr: Int32Array, i: number, off: number): void {
  if (aa(i)) {
    spr[PC_HI] = off >> 31;
    spr[PC_LO] = off;
    return;
  }
  const pl = spr[PC_LO];
  const lo = (pl + off) | 0;
  // carry (off >= 0) or borrow (off < 0) between the halves
  spr[PC_HI] = (spr[PC_HI] + (off >> 31) + ((lo >>> 0) < (pl >>> 0) ? 1 : 0)) | 0;
  spr[PC_LO] = lo;
}

export function b(s: CpuState, _m: M, i: number): boolean {
  const spr = s.spr;
  if (i & 1) linkNext(spr);
  jumpRelative(spr, i, li(i));
  return true;
}

/**
 * The BO test shared by bc/bclr/bcctr: decrements CTR unless BO[2] (and unless `noCtr`), then
 * returns whether the branch is taken.
 */
function boTaken(s: CpuState, i: number, noCtr: boolean): boolean {
  const bo = rt(i);
  const spr = s.spr;
  let ok = true;
  if ((bo & 4) === 0 && !noCtr) {
    const lo = (spr[CTR_LO] - 1) | 0;
    const hi = lo === -1 ? (spr[CTR_HI] - 1) | 0 : spr[CTR_HI];
    spr[CTR_LO] = lo;
    spr[CTR_HI] = hi;
    const zero = (hi | lo) === 0;
    ok = (bo & 2) !== 0 ? zero : !zero;
  }
  if ((bo & 16) === 0) {
    const bit = (spr[CR] << ra(i)) >>> 31; // CR bit BI
    ok = ok && bit === (bo >>> 3 & 1);
  }
  return ok;
}

export function bc(s: CpuState, _m: M, i: number): boolean {
  const taken = boTaken(s, i, false);
  const spr = s.spr;
  if (i & 1) linkNext(spr);
  if (!taken) return false;
  jumpRelative(spr, i, bd(i));
  return true;
}

export function bclr(s: CpuState, _m: M, i: number): boolean {
  const taken = boTaken(s, i, false);
  const spr = s.spr;
  // bclrl: the target is the old LR
  const th = spr[LR_HI];
  const tl = spr[LR_LO] & ~3;
  if (i & 1) linkNext(spr);
  if (!taken) return false;
  spr[PC_HI] = th;
  spr[PC_LO] = tl;
  return true;
}

export function bcctr(s: CpuState, _m: M, i: number): boolean {
  const taken = boTaken(s, i, true);
  const spr = s.spr;
  if (i & 1) linkNext(spr);
  if (!taken) return false;
  spr[PC_HI] = spr[CTR_HI];
  spr[PC_LO] = spr[CTR_LO] & ~3;
  return true;
}

// ---------------------------------------------------------------- CR logical

type CrOp = (a: number, b: number) => number;

function crLogical(op: CrOp): (s: CpuState, m: M, i: number) => void {
  return (s: CpuState, _m: M, i: number): void => {
    const cr = s.spr[CR];
    const a = (cr << ra(i)) >>> 31;
    const bb = (cr << rb(i)) >>> 31;
    const bit = 1 << (31 - rt(i));
    s.spr[CR] = op(a, bb) & 1 ? cr | bit : cr & ~bit;
  };
}

export function mcrf(s: CpuState, _m: M, i: number): void {
  const cr = s.spr[CR];
  const v = (cr >>> (28 - 4 * bfa(i))) & 15;
  const sh = 28 - 4 * bf(i);
  s.spr[CR] = (cr & ~(15 << sh)) | (v << sh);
}

/** Field mask for FXM: FXM bit 0 (0x80) selects CR field 0 (the top nibble). */
function fieldMask(f: number): number {
  let m = 0;
  for (let k = 0; k < 8; k++) if (f & (0x80 >>> k)) m |= 0xf0000000 >>> (4 * k);
  return m;
}

/** mfcr (bit 11 = 0) and mfocrf (bit 11 = 1: only the FXM-selected fields, others 0). */
export function mfcr(s: CpuState, _m: M, i: number): void {
  const d = rt(i) << 1;
  const cr = s.spr[CR];
  s.gpr[d + 1] = 0;
  s.gpr[d] = i & 0x00100000 ? cr & fieldMask(fxm(i)) : cr;
}

/** mtcrf / mtocrf: replace the FXM-selected CR fields from RS[32:63]. */
export function mtcrf(s: CpuState, _m: M, i: number): void {
  const m = fieldMask(fxm(i));
  s.spr[CR] = (s.spr[CR] & ~m) | (s.gpr[rt(i) << 1] & m);
}


const B = 'branch';
export const branchRows: InsnRow[] = [
  rowD('b', B, 18, b),
  rowD('bc', B, 16, bc),
  rowX('bclr', B, 19, 16, bclr),
  rowX('bcctr', B, 19, 528, bcctr),
  rowX('crand', 'cr', 19, 257, crLogical((a, c) => a & c)),
  rowX('crandc', 'cr', 19, 129, crLogical((a, c) => a & ~c)),
  rowX('creqv', 'cr', 19, 289, crLogical((a, c) => ~(a ^ c))),
  rowX('crnand', 'cr', 19, 225, crLogical((a, c) => ~(a & c))),
  rowX('crnor', 'cr', 19, 33, crLogical((a, c) => ~(a | c))),
  rowX('cror', 'cr', 19, 449, crLogical((a, c) => a | c)),
  rowX('crorc', 'cr', 19, 417, crLogical((a, c) => a | ~c)),
  rowX('crxor', 'cr', 19, 193, crLogical((a, c) => a ^ c)),
  rowX('mcrf', 'cr', 19, 0, mcrf),
  rowX('mfcr', 'cr', 31, 19, mfcr),
  rowX('mtcrf', 'cr', 31, 144, mtcrf),
];
