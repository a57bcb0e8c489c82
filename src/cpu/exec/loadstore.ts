// Loads, stores and reservations (Power ISA book I, 3.3.2-3.3.7; book II, 4.4.2).
// EA = (RA|0) + displacement or (RA|0) + RB (ea.ts, shared with the FP and vector rows). Memory
// faults are thrown by GuestMemory before any register is written, so a faulting instruction
// changes nothing. Update forms access memory first and write RA = EA last.
import type { CpuState } from '../state.js';
import { CR, XER, RESV_HI, RESV_LO, RESV_LEN } from '../state.js';
import type { GuestMemory } from '../memory.js';
import type { InsnRow } from '../isa-types.js';
import { rt, si, ds } from '../fields.js';
import { rowD, rowDS, rowX, rowXrc } from './common.js';
import { EA, eaDisp, eaX, writeBackEa } from './ea.js';

type M = GuestMemory;

function setReg(s: CpuState, r: number, hi: number, lo: number): void {
  s.gpr[(r << 1) + 1] = hi;
  s.gpr[r << 1] = lo;
}

function bswap32(x: number): number {
  return ((x << 24) | ((x & 0xff00) << 8) | ((x >>> 8) & 0xff00) | (x >>> 24)) | 0;
}
function bswap16(x: number): number {
  return ((x & 0xff) << 8) | ((x >>> 8) & 0xff);
}

// ---------------------------------------------------------------- D-form

export function lbz(s: CpuState, m: M, i: number): void {
  eaDisp(s, i, si(i));
  setReg(s, rt(i), 0, m.load8(EA[0], EA[1]));
}
export function lbzu(s: CpuState, m: M, i: number): void {
  eaDisp(s, i, si(i));
  setReg(s, rt(i), 0, m.load8(EA[0], EA[1]));
  writeBackEa(s, i);
}
export function lhz(s: CpuState, m: M, i: number): void {
  eaDisp(s, i, si(i));
  setReg(s, rt(i), 0, m.load16(EA[0], EA[1]));
}
export function lhzu(s: CpuState, m: M, i: number): void {
  eaDisp(s, i, si(i));
  setReg(s, rt(i), 0, m.load16(EA[0], EA[1]));
  writeBackEa(s, i);
}
export function lha(s: CpuState, m: M, i: number): void {
  eaDisp(s, i, si(i));
  const v = (m.load16(EA[0], EA[1]) << 16) >> 16;
  setReg(s, rt(i), v >> 31, v);
}
export function lhau(s: CpuState, m: M, i: number): void {
  eaDisp(s, i, si(i));
  const v = (m.load16(EA[0], EA[1]) << 16) >> 16;
  setReg(s, rt(i), v >> 31, v);
  writeBackEa(s, i);
}
export function lwz(s: CpuState, m: M, i: number): void {
  eaDisp(s, i, si(i));
  setReg(s, rt(i), 0, m.load32(EA[0], EA[1]));
}
export function lwzu(s: CpuState, m: M, i: number): void {
  eaDisp(s, i, si(i));
  setReg(s, rt(i), 0, m.load32(EA[0], EA[1]));
  writeBackEa(s, i);
}
export function stb(s: CpuState, m: M, i: number): void {
  eaDisp(s, i, si(i));
  m.store8(EA[0], EA[1], s.gpr[(rt(i) << 1)] & 0xff);
}
export function stbu(s: CpuState, m: M, i: number): void {
  eaDisp(s, i, si(i));
  m.store8(EA[0], EA[1], s.gpr[(rt(i) << 1)] & 0xff);
  writeBackEa(s, i);
}
export function sth(s: CpuState, m: M, i: number): void {
  eaDisp(s, i, si(i));
  m.store16(EA[0], EA[1], s.gpr[(rt(i) << 1)] & 0xffff);
}
export function sthu(s: CpuState, m: M, i: number): void {
  eaDisp(s, i, si(i));
  m.store16(EA[0], EA[1], s.gpr[(rt(i) << 1)] & 0xffff);
  writeBackEa(s, i);
}
export function stw(s: CpuState, m: M, i: number): void {
  eaDisp(s, i, si(i));
  m.store32(EA[0], EA[1], s.gpr[(rt(i) << 1)]);
}
export function stwu(s: CpuState, m: M, i: number): void {
  eaDisp(s, i, si(i));
  m.store32(EA[0], EA[1], s.gpr[(rt(i) << 1)]);
  writeBackEa(s, i);
}

/** lmw: RT..r31 <- consecutive words (zero-extended). */
export function lmw(s: CpuState, m: M, i: number): void {
  eaDisp(s, i, si(i));
  const first = rt(i);
  const tmp = lmwScratch;
  for (let r = first, k = 0; r < 32; r++, k++) tmp[k] = m.load32(EA[0], (EA[1] + 4 * k) | 0);
  for (let r = first, k = 0; r < 32; r++, k++) setReg(s, r, 0, tmp[k]);
}
const lmwScratch = new Int32Array(32);
export function stmw(s: CpuState, m: M, i: number): void {
  eaDisp(s, i, si(i));
  const first = rt(i);
  m.probeWrite(EA[0], EA[1], 4 * (32 - first));
  for (let r = first, k = 0; r < 32; r++, k++) m.store32(EA[0], (EA[1] + 4 * k) | 0, s.gpr[r << 1]);
}

// ---------------------------------------------------------------- DS-form

export function ld(s: CpuState, m: M, i: number): void {
  eaDisp(s, i, ds(i));
  m.load64Gpr(EA[0], EA[1], s.gpr, rt(i) << 1);
}
export function ldu(s: CpuState, m: M, i: number): void {
  eaDisp(s, i, ds(i));
  m.load64Gpr(EA[0], EA[1], s.gpr, rt(i) << 1);
  writeBackEa(s, i);
}
export function lwa(s: CpuState, m: M, i: number): void {
  eaDisp(s, i, ds(i));
  const v = m.load32(EA[0], EA[1]);
  setReg(s, rt(i), v >> 31, v);
}
export function std(s: CpuState, m: M, i: number): void {
  eaDisp(s, i, ds(i));
  const r = rt(i) << 1;
  m.store64(EA[0], EA[1], s.gpr[r + 1], s.gpr[r]);
}
export function stdu(s: CpuState, m: M, i: number): void {
  eaDisp(s, i, ds(i));
  const r = rt(i) << 1;
  m.store64(EA[0], EA[1], s.gpr[r + 1], s.gpr[r]);
  writeBackEa(s, i);
}

// ---------------------------------------------------------------- X-form (indexed)

export function lbzx(s: CpuState, m: M, i: number): void {
  eaX(s, i);
  setReg(s, rt(i), 0, m.load8(EA[0], EA[1]));
}
export function lbzux(s: CpuState, m: M, i: number): void {
  eaX(s, i);
  setReg(s, rt(i), 0, m.load8(EA[0], EA[1]));
  writeBackEa(s, i);
}
export function lhzx(s: CpuState, m: M, i: number): void {
  eaX(s, i);
  setReg(s, rt(i), 0, m.load16(EA[0], EA[1]));
}
export function lhzux(s: CpuState, m: M, i: number): void {
  eaX(s, i);
  setReg(s, rt(i), 0, m.load16(EA[0], EA[1]));
  writeBackEa(s, i);
}
export function lhax(s: CpuState, m: M, i: number): void {
  eaX(s, i);
  const v = (m.load16(EA[0], EA[1]) << 16) >> 16;
  setReg(s, rt(i), v >> 31, v);
}
export function lhaux(s: CpuState, m: M, i: number): void {
  eaX(s, i);
  const v = (m.load16(EA[0], EA[1]) << 16) >> 16;
  setReg(s, rt(i), v >> 31, v);
  writeBackEa(s, i);
}
export function lwzx(s: CpuState, m: M, i: number): void {
  eaX(s, i);
  setReg(s, rt(i), 0, m.load32(EA[0], EA[1]));
}
export function lwzux(s: CpuState, m: M, i: number): void {
  eaX(s, i);
  setReg(s, rt(i), 0, m.load32(EA[0], EA[1]));
  writeBackEa(s, i);
}
export function lwax(s: CpuState, m: M, i: number): void {
  eaX(s, i);
  const v = m.load32(EA[0], EA[1]);
  setReg(s, rt(i), v >> 31, v);
}
export function lwaux(s: CpuState, m: M, i: number): void {
  eaX(s, i);
  const v = m.load32(EA[0], EA[1]);
  setReg(s, rt(i), v >> 31, v);
  writeBackEa(s, i);
}
export function ldx(s: CpuState, m: M, i: number): void {
  eaX(s, i);
  m.load64Gpr(EA[0], EA[1], s.gpr, rt(i) << 1);
}
export function ldux(s: CpuState, m: M, i: number): void {
  eaX(s, i);
  m.load64Gpr(EA[0], EA[1], s.gpr, rt(i) << 1);
  writeBackEa(s, i);
}
export function stbx(s: CpuState, m: M, i: number): void {
  eaX(s, i);
  m.store8(EA[0], EA[1], s.gpr[(rt(i) << 1)] & 0xff);
}
export function stbux(s: CpuState, m: M, i: number): void {
  eaX(s, i);
  m.store8(EA[0], EA[1], s.gpr[(rt(i) << 1)] & 0xff);
  writeBackEa(s, i);
}
export function sthx(s: CpuState, m: M, i: number): void {
  eaX(s, i);
  m.store16(EA[0], EA[1], s.gpr[(rt(i) << 1)] & 0xffff);
}
export function sthux(s: CpuState, m: M, i: number): void {
  eaX(s, i);
  m.store16(EA[0], EA[1], s.gpr[(rt(i) << 1)] & 0xffff);
  writeBackEa(s, i);
}
export function stwx(s: CpuState, m: M, i: number): void {
  eaX(s, i);
  m.store32(EA[0], EA[1], s.gpr[(rt(i) << 1)]);
}
export function stwux(s: CpuState, m: M, i: number): void {
  eaX(s, i);
  m.store32(EA[0], EA[1], s.gpr[(rt(i) << 1)]);
  writeBackEa(s, i);
}
export function stdx(s: CpuState, m: M, i: number): void {
  eaX(s, i);
  const r = rt(i) << 1;
  m.store64(EA[0], EA[1], s.gpr[r + 1], s.gpr[r]);
}
export function stdux(s: CpuState, m: M, i: number): void {
  eaX(s, i);
  const r = rt(i) << 1;
  m.store64(EA[0], EA[1], s.gpr[r + 1], s.gpr[r]);
  writeBackEa(s, i);
}

// ---------------------------------------------------------------- byte-reversed

export function lhbrx(s: CpuState, m: M, i: number): void {
  eaX(s, i);
  setReg(s, rt(i), 0, bswap16(m.load16(EA[0], EA[1])));
}
export function lwbrx(s: CpuState, m: M, i: number): void {
  eaX(s, i);
  setReg(s, rt(i), 0, bswap32(m.load32(EA[0], EA[1])));
}
const ldScratch = new Int32Array(2);
export function ldbrx(s: CpuState, m: M, i: number): void {
  eaX(s, i);
  m.load64(EA[0], EA[1], ldScratch, 0);
  setReg(s, rt(i), bswap32(ldScratch[1]), bswap32(ldScratch[0]));
}
export function sthbrx(s: CpuState, m: M, i: number): void {
  eaX(s, i);
  m.store16(EA[0], EA[1], bswap16(s.gpr[(rt(i) << 1)]));
}
export function stwbrx(s: CpuState, m: M, i: number): void {
  eaX(s, i);
  m.store32(EA[0], EA[1], bswap32(s.gpr[(rt(i) << 1)]));
}
export function stdbrx(s: CpuState, m: M, i: number): void {
  eaX(s, i);
  const r = rt(i) << 1;
  m.store64(EA[0], EA[1], bswap32(s.gpr[r]), bswap32(s.gpr[r + 1]));
}

// ---------------------------------------------------------------- reservations

function reserve(s: CpuState, len: number): void {
  s.spr[RESV_HI] = EA[0];
  s.spr[RESV_LO] = EA[1];
  s.spr[RESV_LEN] = len;
}

export function lbarx(s: CpuState, m: M, i: number): void {
  eaX(s, i);
  setReg(s, rt(i), 0, m.load8(EA[0], EA[1]));
  reserve(s, 1);
}
export function lharx(s: CpuState, m: M, i: number): void {
  eaX(s, i);
  setReg(s, rt(i), 0, m.load16(EA[0], EA[1]));
  reserve(s, 2);
}
export function lwarx(s: CpuState, m: M, i: number): void {
  eaX(s, i);
  setReg(s, rt(i), 0, m.load32(EA[0], EA[1]));
  reserve(s, 4);
}
export function ldarx(s: CpuState, m: M, i: number): void {
  eaX(s, i);
  m.load64Gpr(EA[0], EA[1], s.gpr, rt(i) << 1);
  reserve(s, 8);
}

/**
 * Store conditional: succeeds iff this thread holds a reservation of the same length at the same
 * address (a thread switch or another thread's store clears it, see Cpu). Either way the
 * reservation is gone afterwards. CR0 = 0b00 || success || XER[SO].
 */
function storeConditional(s: CpuState, m: M, i: number, len: number): void {
  eaX(s, i);
  const spr = s.spr;
  const ok = spr[RESV_LEN] === len && spr[RESV_HI] === EA[0] && spr[RESV_LO] === EA[1];
  if (ok) {
    const r = rt(i) << 1;
    if (len === 1) m.store8(EA[0], EA[1], s.gpr[r] & 0xff);
    else if (len === 2) m.store16(EA[0], EA[1], s.gpr[r] & 0xffff);
    else if (len === 4) m.store32(EA[0], EA[1], s.gpr[r]);
    else m.store64(EA[0], EA[1], s.gpr[r + 1], s.gpr[r]);
  }
  spr[RESV_LEN] = 0;
  spr[CR] = (spr[CR] & 0x0fffffff) | ((ok ? 2 : 0) << 28) | ((spr[XER] >>> 31) << 28);
}
export function stbcx(s: CpuState, m: M, i: number): void {
  storeConditional(s, m, i, 1);
}
export function sthcx(s: CpuState, m: M, i: number): void {
  storeConditional(s, m, i, 2);
}
export function stwcx(s: CpuState, m: M, i: number): void {
  storeConditional(s, m, i, 4);
}
export function stdcx(s: CpuState, m: M, i: number): void {
  storeConditional(s, m, i, 8);
}

/** dcbz: zero the aligned 128-byte block holding EA (POWER's cache line; Go's memclr relies on it). */
export function dcbz(s: CpuState, m: M, i: number): void {
  eaX(s, i);
  const lo = EA[1] & ~127;
  // The block lies inside one page: if the first store succeeds, all do.
  for (let k = 0; k < 128; k += 8) m.store64(EA[0], (lo + k) | 0, 0, 0);
}

const L = 'load';
const S = 'store';
export const loadStoreRows: InsnRow[] = [
  rowD('lbz', L, 34, lbz),
  rowD('lbzu', L, 35, lbzu),
  rowD('lhz', L, 40, lhz),
  rowD('lhzu', L, 41, lhzu),
  rowD('lha', L, 42, lha),
  rowD('lhau', L, 43, lhau),
  rowD('lwz', L, 32, lwz),
  rowD('lwzu', L, 33, lwzu),
  rowD('lmw', L, 46, lmw),
  rowD('stb', S, 38, stb),
  rowD('stbu', S, 39, stbu),
  rowD('sth', S, 44, sth),
  rowD('sthu', S, 45, sthu),
  rowD('stw', S, 36, stw),
  rowD('stwu', S, 37, stwu),
  rowD('stmw', S, 47, stmw),
  rowDS('ld', L, 58, 0, ld),
  rowDS('ldu', L, 58, 1, ldu),
  rowDS('lwa', L, 58, 2, lwa),
  rowDS('std', S, 62, 0, std),
  rowDS('stdu', S, 62, 1, stdu),
  rowX('lbzx', L, 31, 87, lbzx),
  rowX('lbzux', L, 31, 119, lbzux),
  rowX('lhzx', L, 31, 279, lhzx),
  rowX('lhzux', L, 31, 311, lhzux),
  rowX('lhax', L, 31, 343, lhax),
  rowX('lhaux', L, 31, 375, lhaux),
  rowX('lwzx', L, 31, 23, lwzx),
  rowX('lwzux', L, 31, 55, lwzux),
  rowX('lwax', L, 31, 341, lwax),
  rowX('lwaux', L, 31, 373, lwaux),
  rowX('ldx', L, 31, 21, ldx),
  rowX('ldux', L, 31, 53, ldux),
  rowX('stbx', S, 31, 215, stbx),
  rowX('stbux', S, 31, 247, stbux),
  rowX('sthx', S, 31, 407, sthx),
  rowX('sthux', S, 31, 439, sthux),
  rowX('stwx', S, 31, 151, stwx),
  rowX('stwux', S, 31, 183, stwux),
  rowX('stdx', S, 31, 149, stdx),
  rowX('stdux', S, 31, 181, stdux),
  rowX('lhbrx', L, 31, 790, lhbrx),
  rowX('lwbrx', L, 31, 534, lwbrx),
  rowX('ldbrx', L, 31, 532, ldbrx),
  rowX('sthbrx', S, 31, 918, sthbrx),
  rowX('stwbrx', S, 31, 662, stwbrx),
  rowX('stdbrx', S, 31, 660, stdbrx),
  rowX('lbarx', 'atomic', 31, 52, lbarx),
  rowX('lharx', 'atomic', 31, 116, lharx),
  rowX('lwarx', 'atomic', 31, 20, lwarx),
  rowX('ldarx', 'atomic', 31, 84, ldarx),
  rowXrc('stbcx.', 'atomic', 31, 694, 1, stbcx),
  rowXrc('sthcx.', 'atomic', 31, 726, 1, sthcx),
  rowXrc('stwcx.', 'atomic', 31, 150, 1, stwcx),
  rowXrc('stdcx.', 'atomic', 31, 214, 1, stdcx),
  rowX('dcbz', S, 31, 1014, dcbz),
];
