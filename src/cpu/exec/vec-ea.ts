// Effective-address computation shared by the FP, VMX and VSX load/store rows. The result goes to
// the module's EA scratch (high word, low word) so that no handler allocates.
import type { CpuState } from '../state.js';

/** EA[0] = high word, EA[1] = low word of the last computed effective address. */
export const EA = new Int32Array(2);

/** D-form: (RA|0) + sext(D). */
export function eaD(s: CpuState, insn: number): void {
  const ra = (insn >>> 16) & 31;
  const d = (insn << 16) >> 16;
  if (ra === 0) {
    EA[0] = d >> 31;
    EA[1] = d;
    return;
  }
  const g = s.gpr;
  const alo = g[2 * ra + 1];
  const sum = (alo >>> 0) + (d >>> 0);
  EA[1] = sum | 0;
  EA[0] = (g[2 * ra] + (d >> 31) + (sum > 0xffffffff ? 1 : 0)) | 0;
}

/** X-form: (RA|0) + RB. */
export function eaX(s: CpuState, insn: number): void {
  const ra = (insn >>> 16) & 31;
  const rb = (insn >>> 11) & 31;
  const g = s.gpr;
  if (ra === 0) {
    EA[0] = g[2 * rb];
    EA[1] = g[2 * rb + 1];
    return;
  }
  const sum = (g[2 * ra + 1] >>> 0) + (g[2 * rb + 1] >>> 0);
  EA[1] = sum | 0;
  EA[0] = (g[2 * ra] + g[2 * rb] + (sum > 0xffffffff ? 1 : 0)) | 0;
}

/** Update forms: RA = EA. */
export function writeBackEa(s: CpuState, insn: number): void {
  const ra = (insn >>> 16) & 31;
  s.gpr[2 * ra] = EA[0];
  s.gpr[2 * ra + 1] = EA[1];
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
