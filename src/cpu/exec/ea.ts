// Effective-address computation shared by every load/store row (integer, FP, VMX, VSX). The result
// goes to the module's EA scratch (high word, low word) so that no handler allocates. Update forms
// access memory first and write RA = EA last, so a faulting access changes no register.
import type { CpuState } from '../state.js';

/** EA[0] = high word, EA[1] = low word of the last computed effective address. */
export const EA = new Int32Array(2);

/** D/DS-forms: (RA|0) + disp, disp already sign-extended (and scaled, for DS) by its field. */
export function eaDisp(s: CpuState, insn: number, disp: number): void {
  const ra = (insn >>> 16) & 31;
  if (ra === 0) {
    EA[0] = disp >> 31;
    EA[1] = disp;
    return;
  }
  const g = s.gpr;
  const alo = g[2 * ra];
  const lo = (alo + disp) | 0;
  EA[0] = (g[2 * ra + 1] + (disp >> 31) + ((lo >>> 0) < (alo >>> 0) ? 1 : 0)) | 0;
  EA[1] = lo;
}

/** D-form: (RA|0) + sext(D). */
export function eaD(s: CpuState, insn: number): void {
  eaDisp(s, insn, (insn << 16) >> 16);
}

/** X-form: (RA|0) + RB. */
export function eaX(s: CpuState, insn: number): void {
  const ra = (insn >>> 16) & 31;
  const rb = (insn >>> 11) & 31;
  const g = s.gpr;
  if (ra === 0) {
    EA[0] = g[2 * rb + 1];
    EA[1] = g[2 * rb];
    return;
  }
  const alo = g[2 * ra];
  const lo = (alo + g[2 * rb]) | 0;
  EA[0] = (g[2 * ra + 1] + g[2 * rb + 1] + ((lo >>> 0) < (alo >>> 0) ? 1 : 0)) | 0;
  EA[1] = lo;
}

/** Update forms: RA = EA. */
export function writeBackEa(s: CpuState, insn: number): void {
  const ra = (insn >>> 16) & 31;
  s.gpr[2 * ra + 1] = EA[0];
  s.gpr[2 * ra] = EA[1];
}

/** High word of EA + off (0 <= off < 2^31), for multi-word accesses. */
export function hiPlus(off: number): number {
  const lo = EA[1];
  const sum = (lo >>> 0) + off;
  return sum > 0xffffffff ? (EA[0] + 1) | 0 : EA[0];
}
export function loPlus(off: number): number {
  return (EA[1] + off) | 0;
}
