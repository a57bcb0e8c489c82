// A guest thread's CpuState as gdb's 64-bit Power register set (gdb/arch/ppc64.ts) and back.
// CpuState keeps 64-bit registers as int32 halves and VSR n as four int32 words, most significant
// first; FPR n is doubleword 0 of VSR n, gdb's vsNh is doubleword 1, and VR n is VSR 32+n.
import { createPpc64Registers, PPC64_REGNUM, type Ppc64Registers } from '../gdb/arch/ppc64.js';
import { CR, FPSCR, VRSAVE, VSCR, XER, type CpuState } from '../cpu/state.js';

/** What a user-mode 64-bit big-endian thread's MSR reads as (SF, EE, PR, FP, ME, IR, DR, RI; VEC, VSX). */
export const USER_MSR = 0x8000_0000_0280_d032n;

const u32 = (v: number): bigint => BigInt(v >>> 0);
const pair = (hi: number, lo: number): bigint => (u32(hi) << 32n) | u32(lo);
const hiWord = (v: bigint): number => Number(BigInt.asUintN(32, v >> 32n)) | 0;
const loWord = (v: bigint): number => Number(BigInt.asUintN(32, v)) | 0;

export function registersFromState(s: CpuState): Ppc64Registers {
  const r = createPpc64Registers();
  for (let i = 0; i < 32; i++) {
    r.gpr[i] = pair(s.gpr[2 * i + 1]!, s.gpr[2 * i]!);
    r.fpr[i] = pair(s.vsr[4 * i]!, s.vsr[4 * i + 1]!);
    r.vsrLow[i] = pair(s.vsr[4 * i + 2]!, s.vsr[4 * i + 3]!);
  }
  const vr = new DataView(r.vr.buffer, r.vr.byteOffset, r.vr.byteLength);
  for (let i = 0; i < 32; i++) {
    for (let w = 0; w < 4; w++) vr.setInt32(16 * i + 4 * w, s.vsr[4 * (32 + i) + w]!);
  }
  r.pc = s.pc;
  r.msr = USER_MSR;
  r.cr = s.spr[CR]! >>> 0;
  r.lr = s.lr;
  r.ctr = s.ctr;
  r.xer = s.spr[XER]! >>> 0;
  r.fpscr = s.spr[FPSCR]! >>> 0;
  r.vscr = s.spr[VSCR]! >>> 0;
  r.vrsave = s.spr[VRSAVE]! >>> 0;
  return r;
}

/**
 * One register's big-endian bytes straight from the thread, for the registers every stop reply
 * carries (GPRs, pc, msr, cr, lr, ctr, xer); undefined for the rest (the caller converts the whole
 * set). Saves building all 137 registers per expedited register on every stop.
 */
export function registerBytesFromState(s: CpuState, regno: number): Uint8Array | undefined {
  if (regno < 32) return word64(s.gpr[2 * regno + 1]!, s.gpr[2 * regno]!);
  switch (regno) {
    case PPC64_REGNUM.pc:
      return word64(hiWord(s.pc), loWord(s.pc));
    case PPC64_REGNUM.msr:
      return word64(hiWord(USER_MSR), loWord(USER_MSR));
    case PPC64_REGNUM.lr:
      return word64(hiWord(s.lr), loWord(s.lr));
    case PPC64_REGNUM.ctr:
      return word64(hiWord(s.ctr), loWord(s.ctr));
    case PPC64_REGNUM.cr:
      return word32(s.spr[CR]!);
    case PPC64_REGNUM.xer:
      return word32(s.spr[XER]!);
    default:
      return undefined;
  }
}

// Plain byte stores: a DataView would make V8 give each 8-byte array its own ArrayBuffer, which
// costs more than the rest of a stop reply (every stop carries 39 of these).
function word64(hi: number, lo: number): Uint8Array {
  const out = new Uint8Array(8);
  out[0] = hi >>> 24;
  out[1] = hi >>> 16;
  out[2] = hi >>> 8;
  out[3] = hi;
  out[4] = lo >>> 24;
  out[5] = lo >>> 16;
  out[6] = lo >>> 8;
  out[7] = lo;
  return out;
}

function word32(w: number): Uint8Array {
  const out = new Uint8Array(4);
  out[0] = w >>> 24;
  out[1] = w >>> 16;
  out[2] = w >>> 8;
  out[3] = w;
  return out;
}

/** Write every register gdb can change back into the thread (MSR is fixed in user mode). */
export function registersIntoState(r: Ppc64Registers, s: CpuState): void {
  for (let i = 0; i < 32; i++) {
    s.gpr[2 * i + 1] = hiWord(r.gpr[i]!);
    s.gpr[2 * i] = loWord(r.gpr[i]!);
    s.vsr[4 * i] = hiWord(r.fpr[i]!);
    s.vsr[4 * i + 1] = loWord(r.fpr[i]!);
    s.vsr[4 * i + 2] = hiWord(r.vsrLow[i]!);
    s.vsr[4 * i + 3] = loWord(r.vsrLow[i]!);
  }
  const vr = new DataView(r.vr.buffer, r.vr.byteOffset, r.vr.byteLength);
  for (let i = 0; i < 32; i++) {
    for (let w = 0; w < 4; w++) s.vsr[4 * (32 + i) + w] = vr.getInt32(16 * i + 4 * w);
  }
  s.pc = r.pc;
  s.lr = r.lr;
  s.ctr = r.ctr;
  s.spr[CR] = r.cr | 0;
  s.spr[XER] = r.xer | 0;
  s.spr[FPSCR] = r.fpscr | 0;
  s.spr[VSCR] = r.vscr | 0;
  s.spr[VRSAVE] = r.vrsave | 0;
}
