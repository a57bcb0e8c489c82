// SPR moves, time base, barriers, cache hints and traps (Power ISA book I 3.3.17, book II).
import type { CpuState } from '../state.js';
import { XER, LR_HI, LR_LO, CTR_HI, CTR_LO, VRSAVE } from '../state.js';
import type { GuestMemory } from '../memory.js';
import type { InsnRow } from '../isa-types.js';
import { programException } from '../isa-types.js';
import { ra, rb, rt, si, sprNum } from '../fields.js';
import { rowD, rowX } from './common.js';
import { hiOf, loOf } from '../int64.js';

type M = GuestMemory;

/**
 * Per-run environment the handlers cannot reach through CpuState: the time base source of the
 * CPU currently running (set by Cpu.run on entry).
 */
export const cpuEnv = {
  timeBase: defaultTimeBase as () => bigint,
};

/** Set at the first read, not at import: a start-up snapshot imports the modules at build time. */
let start: bigint | undefined;
/** 512 MHz, POWER's time base frequency, counted from the first read (the guest's start). */
export function defaultTimeBase(): bigint {
  const now = process.hrtime.bigint();
  start ??= now;
  return ((now - start) * 512n) / 1000n;
}

export const SPR_XER = 1;
export const SPR_LR = 8;
export const SPR_CTR = 9;
export const SPR_VRSAVE = 256;
export const SPR_TB = 268;
export const SPR_TBU = 269;

function readTimeBase(s: CpuState, d: number, upper: boolean): void {
  const tb = cpuEnv.timeBase();
  s.gpr[d + 1] = upper ? 0 : hiOf(tb);
  s.gpr[d] = upper ? hiOf(tb) : loOf(tb);
}

export function mfspr(s: CpuState, _m: M, i: number): void {
  const d = rt(i) << 1;
  const g = s.gpr;
  const spr = s.spr;
  switch (sprNum(i)) {
    case SPR_LR:
      g[d + 1] = spr[LR_HI];
      g[d] = spr[LR_LO];
      return;
    case SPR_CTR:
      g[d + 1] = spr[CTR_HI];
      g[d] = spr[CTR_LO];
      return;
    case SPR_XER:
      g[d + 1] = 0;
      g[d] = spr[XER];
      return;
    case SPR_VRSAVE:
      g[d + 1] = 0;
      g[d] = spr[VRSAVE];
      return;
    case SPR_TB:
      readTimeBase(s, d, false);
      return;
    case SPR_TBU:
      readTimeBase(s, d, true);
      return;
    default:
      programException.reason = 'illegal';
      throw programException;
  }
}

export function mtspr(s: CpuState, _m: M, i: number): void {
  const r = rt(i) << 1;
  const g = s.gpr;
  const spr = s.spr;
  switch (sprNum(i)) {
    case SPR_LR:
      spr[LR_HI] = g[r + 1];
      spr[LR_LO] = g[r];
      return;
    case SPR_CTR:
      spr[CTR_HI] = g[r + 1];
      spr[CTR_LO] = g[r];
      return;
    case SPR_XER:
      // OV32/CA32 (IBM bits 44, 45) exist only from ISA 3.0; POWER8 drops them (as qemu does).
      spr[XER] = g[r] & ~0x000c0000;
      return;
    case SPR_VRSAVE:
      spr[VRSAVE] = g[r];
      return;
    default:
      programException.reason = 'illegal';
      throw programException;
  }
}

/** mftb (the old XO 371 encoding); Go reads TB through mfspr 268, both work. */
export function mftb(s: CpuState, _m: M, i: number): void {
  const n = sprNum(i);
  if (n !== SPR_TB && n !== SPR_TBU) {
    programException.reason = 'illegal';
    throw programException;
  }
  readTimeBase(s, rt(i) << 1, n === SPR_TBU);
}

/** Barriers and cache hints: a single interpreter thread is always coherent and ordered. */
export function nop(_s: CpuState, _m: M, _i: number): void {}

// ---------------------------------------------------------------- traps

/** TO bits: 16 = lt, 8 = gt, 4 = eq, 2 = ltu, 1 = gtu. */
function trapIf(to: number, ahi: number, alo: number, bhi: number, blo: number): void {
  let lt: boolean;
  let ltu: boolean;
  let eq = false;
  if (ahi !== bhi) {
    lt = ahi < bhi;
    ltu = ahi >>> 0 < bhi >>> 0;
  } else {
    lt = ltu = alo >>> 0 < blo >>> 0;
    eq = alo === blo;
  }
  const gt = !lt && !eq;
  const gtu = !ltu && !eq;
  if ((to & 16 && lt) || (to & 8 && gt) || (to & 4 && eq) || (to & 2 && ltu) || (to & 1 && gtu)) {
    programException.reason = 'trap';
    throw programException;
  }
}

export function tw(s: CpuState, _m: M, i: number): void {
  const a = s.gpr[(ra(i) << 1)];
  const b = s.gpr[(rb(i) << 1)];
  trapIf(rt(i), a >> 31, a, b >> 31, b);
}
export function td(s: CpuState, _m: M, i: number): void {
  const a = ra(i) << 1;
  const b = rb(i) << 1;
  trapIf(rt(i), s.gpr[a + 1], s.gpr[a], s.gpr[b + 1], s.gpr[b]);
}
export function twi(s: CpuState, _m: M, i: number): void {
  const a = s.gpr[(ra(i) << 1)];
  const imm = si(i);
  trapIf(rt(i), a >> 31, a, imm >> 31, imm);
}
export function tdi(s: CpuState, _m: M, i: number): void {
  const a = ra(i) << 1;
  const imm = si(i);
  trapIf(rt(i), s.gpr[a + 1], s.gpr[a], imm >> 31, imm);
}

const Y = 'system';
export const systemRows: InsnRow[] = [
  rowX('mfspr', 'spr', 31, 339, mfspr),
  rowX('mtspr', 'spr', 31, 467, mtspr),
  rowX('mftb', 'spr', 31, 371, mftb),
  rowX('sync', Y, 31, 598, nop),
  rowX('eieio', Y, 31, 854, nop),
  rowX('isync', Y, 19, 150, nop),
  rowX('dcbt', Y, 31, 278, nop),
  rowX('dcbtst', Y, 31, 246, nop),
  rowX('dcbf', Y, 31, 86, nop),
  rowX('dcbst', Y, 31, 54, nop),
  rowX('icbi', Y, 31, 982, nop),
  rowX('tw', 'trap', 31, 4, tw),
  rowX('td', 'trap', 31, 68, td),
  rowD('twi', 'trap', 3, twi),
  rowD('tdi', 'trap', 2, tdi),
];
