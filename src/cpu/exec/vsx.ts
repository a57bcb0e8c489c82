// VSX rows (ISA 2.06/2.07): loads/stores in big-endian element order, GPR<->VSR moves, and the
// XX3/XX4 logical and permute operations. VSR n occupies s.vsr[4n..4n+3], most significant word
// first; the TX/SX, AX, BX, CX bits give the sixth register-number bit.
import type { CpuState } from '../state.js';
import type { GuestMemory } from '../memory.js';
import type { InsnRow } from '../isa-types.js';
import { EA, eaX, hiPlus, loPlus } from './ea.js';
import { rowX, rowXX3 } from './common.js';
import { doubleWordsToSingle, singleToDoubleWords } from './fpu-core.js';

const FAMILY = 'vsx';
const PAGE_TAIL = 0xfff0; // an access at page offset > this crosses a 64 KiB page

/** Word index of VSR XT/XS (bits 6-10 plus TX/SX in bit 31). */
function xt(insn: number): number {
  return (((insn >>> 21) & 31) | ((insn & 1) << 5)) << 2;
}
function xa(insn: number): number {
  return (((insn >>> 16) & 31) | ((insn & 4) << 3)) << 2;
}
function xb(insn: number): number {
  return (((insn >>> 11) & 31) | ((insn & 2) << 4)) << 2;
}
function xc(insn: number): number {
  return (((insn >>> 6) & 31) | ((insn & 8) << 2)) << 2;
}

const scratch = new Int32Array(4);

/** 16 bytes at EA into the VSR at word index t (memory order = BE element order). */
export function load16(s: CpuState, mem: GuestMemory, t: number): void {
  mem.load64(EA[0], EA[1], scratch, 0);
  mem.load64(hiPlus(8), loPlus(8), scratch, 2);
  s.vsr.set(scratch, t);
}

export function store16(s: CpuState, mem: GuestMemory, t: number): void {
  const v = s.vsr;
  if ((EA[1] & 0xffff) > PAGE_TAIL) mem.probeWrite(hiPlus(8), loPlus(8), 8); // fault before writing anything
  mem.store64(EA[0], EA[1], v[t], v[t + 1]);
  mem.store64(hiPlus(8), loPlus(8), v[t + 2], v[t + 3]);
}

function lxvd2x(s: CpuState, mem: GuestMemory, insn: number): void {
  eaX(s, insn);
  load16(s, mem, xt(insn));
}
function stxvd2x(s: CpuState, mem: GuestMemory, insn: number): void {
  eaX(s, insn);
  store16(s, mem, xt(insn));
}
function lxvdsx(s: CpuState, mem: GuestMemory, insn: number): void {
  eaX(s, insn);
  const t = xt(insn);
  mem.load64(EA[0], EA[1], s.vsr, t);
  s.vsr[t + 2] = s.vsr[t];
  s.vsr[t + 3] = s.vsr[t + 1];
}
function lxsdx(s: CpuState, mem: GuestMemory, insn: number): void {
  eaX(s, insn);
  mem.load64(EA[0], EA[1], s.vsr, xt(insn));
}
function stxsdx(s: CpuState, mem: GuestMemory, insn: number): void {
  eaX(s, insn);
  const t = xt(insn);
  mem.store64(EA[0], EA[1], s.vsr[t], s.vsr[t + 1]);
}
function lxsiw(s: CpuState, mem: GuestMemory, insn: number, signed: boolean): void {
  eaX(s, insn);
  const t = xt(insn);
  const w = mem.load32(EA[0], EA[1]);
  s.vsr[t] = signed ? w >> 31 : 0;
  s.vsr[t + 1] = w;
}
function stxsiwx(s: CpuState, mem: GuestMemory, insn: number): void {
  eaX(s, insn);
  mem.store32(EA[0], EA[1], s.vsr[xt(insn) + 1]);
}
function lxsspx(s: CpuState, mem: GuestMemory, insn: number): void {
  eaX(s, insn);
  singleToDoubleWords(mem.load32(EA[0], EA[1]), s.vsr, xt(insn));
}
function stxsspx(s: CpuState, mem: GuestMemory, insn: number): void {
  eaX(s, insn);
  const t = xt(insn);
  mem.store32(EA[0], EA[1], doubleWordsToSingle(s.vsr[t], s.vsr[t + 1]));
}

// GPR <-> VSR doubleword 0 (RA in bits 11-15).
function mfvsrd(s: CpuState, insn: number): void {
  const t = xt(insn);
  const ra = (insn >>> 16) & 31;
  s.gpr[2 * ra + 1] = s.vsr[t];
  s.gpr[2 * ra] = s.vsr[t + 1];
}
function mfvsrwz(s: CpuState, insn: number): void {
  const t = xt(insn);
  const ra = (insn >>> 16) & 31;
  s.gpr[2 * ra + 1] = 0;
  s.gpr[2 * ra] = s.vsr[t + 1];
}
function mtvsrd(s: CpuState, insn: number): void {
  const t = xt(insn);
  const ra = (insn >>> 16) & 31;
  s.vsr[t] = s.gpr[2 * ra + 1];
  s.vsr[t + 1] = s.gpr[2 * ra];
}
function mtvsrw(s: CpuState, insn: number, signed: boolean): void {
  const t = xt(insn);
  const ra = (insn >>> 16) & 31;
  const w = s.gpr[2 * ra];
  s.vsr[t] = signed ? w >> 31 : 0;
  s.vsr[t + 1] = w;
}

const LOGIC_AND = 0;
const LOGIC_ANDC = 1;
const LOGIC_OR = 2;
const LOGIC_XOR = 3;
const LOGIC_NOR = 4;
const LOGIC_ORC = 5;
const LOGIC_NAND = 6;
const LOGIC_EQV = 7;

/** Bitwise op on 128-bit registers at word indices t, a, b (shared with VMX). */
export function logic128(v: Int32Array, t: number, a: number, b: number, op: number): void {
  for (let i = 0; i < 4; i++) {
    const x = v[a + i];
    const y = v[b + i];
    let r: number;
    switch (op) {
      case LOGIC_AND:
        r = x & y;
        break;
      case LOGIC_ANDC:
        r = x & ~y;
        break;
      case LOGIC_OR:
        r = x | y;
        break;
      case LOGIC_XOR:
        r = x ^ y;
        break;
      case LOGIC_NOR:
        r = ~(x | y);
        break;
      case LOGIC_ORC:
        r = x | ~y;
        break;
      case LOGIC_NAND:
        r = ~(x & y);
        break;
      default:
        r = ~(x ^ y);
        break;
    }
    v[t + i] = r;
  }
}
export const LOGIC = { AND: LOGIC_AND, ANDC: LOGIC_ANDC, OR: LOGIC_OR, XOR: LOGIC_XOR, NOR: LOGIC_NOR, ORC: LOGIC_ORC, NAND: LOGIC_NAND, EQV: LOGIC_EQV };

function xxlogic(s: CpuState, insn: number, op: number): void {
  logic128(s.vsr, xt(insn), xa(insn), xb(insn), op);
}

function xxsel(s: CpuState, insn: number): void {
  const v = s.vsr;
  const t = xt(insn);
  const a = xa(insn);
  const b = xb(insn);
  const c = xc(insn);
  for (let i = 0; i < 4; i++) v[t + i] = (v[a + i] & ~v[c + i]) | (v[b + i] & v[c + i]);
}

function xxpermdi(s: CpuState, insn: number): void {
  const v = s.vsr;
  const dm = (insn >>> 8) & 3;
  const a = xa(insn) + (dm & 2); // DM bit 0 picks A's doubleword 1 (word offset 2)
  const b = xb(insn) + ((dm & 1) << 1);
  const h0 = v[a];
  const l0 = v[a + 1];
  const h1 = v[b];
  const l1 = v[b + 1];
  const t = xt(insn);
  v[t] = h0;
  v[t + 1] = l0;
  v[t + 2] = h1;
  v[t + 3] = l1;
}

function xxsldwi(s: CpuState, insn: number): void {
  const v = s.vsr;
  const shw = (insn >>> 8) & 3;
  const a = xa(insn);
  const b = xb(insn);
  for (let i = 0; i < 4; i++) {
    const k = i + shw;
    scratch[i] = k < 4 ? v[a + k] : v[b + k - 4];
  }
  v.set(scratch, xt(insn));
}

function xxmrgw(s: CpuState, insn: number, low: boolean): void {
  const v = s.vsr;
  const off = low ? 2 : 0;
  const a = xa(insn) + off;
  const b = xb(insn) + off;
  scratch[0] = v[a];
  scratch[1] = v[b];
  scratch[2] = v[a + 1];
  scratch[3] = v[b + 1];
  v.set(scratch, xt(insn));
}

function xxspltw(s: CpuState, insn: number): void {
  const v = s.vsr;
  const w = v[xb(insn) + ((insn >>> 16) & 3)];
  const t = xt(insn);
  v[t] = w;
  v[t + 1] = w;
  v[t + 2] = w;
  v[t + 3] = w;
}

function x31(name: string, xo: number, exec: (s: CpuState, mem: GuestMemory, insn: number) => void): InsnRow {
  return rowX(name, FAMILY, 31, xo, exec);
}
function xx3(name: string, xo: number, exec: (s: CpuState, insn: number) => void): InsnRow {
  return rowXX3(name, FAMILY, xo, (s, _m, i) => exec(s, i));
}

export const vsxRows: InsnRow[] = [
  x31('lxvd2x', 844, lxvd2x),
  x31('lxvw4x', 780, lxvd2x),
  x31('lxvdsx', 332, lxvdsx),
  x31('lxsdx', 588, lxsdx),
  x31('lxsiwax', 76, (s, m, i) => lxsiw(s, m, i, true)),
  x31('lxsiwzx', 12, (s, m, i) => lxsiw(s, m, i, false)),
  x31('lxsspx', 524, lxsspx),
  x31('stxvd2x', 972, stxvd2x),
  x31('stxvw4x', 908, stxvd2x),
  x31('stxsdx', 716, stxsdx),
  x31('stxsiwx', 140, stxsiwx),
  x31('stxsspx', 652, stxsspx),
  x31('mfvsrd', 51, (s, _m, i) => mfvsrd(s, i)),
  x31('mfvsrwz', 115, (s, _m, i) => mfvsrwz(s, i)),
  x31('mtvsrd', 179, (s, _m, i) => mtvsrd(s, i)),
  x31('mtvsrwa', 211, (s, _m, i) => mtvsrw(s, i, true)),
  x31('mtvsrwz', 243, (s, _m, i) => mtvsrw(s, i, false)),
  xx3('xxland', 130, (s, i) => xxlogic(s, i, LOGIC_AND)),
  xx3('xxlandc', 138, (s, i) => xxlogic(s, i, LOGIC_ANDC)),
  xx3('xxlor', 146, (s, i) => xxlogic(s, i, LOGIC_OR)),
  xx3('xxlxor', 154, (s, i) => xxlogic(s, i, LOGIC_XOR)),
  xx3('xxlnor', 162, (s, i) => xxlogic(s, i, LOGIC_NOR)),
  xx3('xxlorc', 170, (s, i) => xxlogic(s, i, LOGIC_ORC)),
  xx3('xxlnand', 178, (s, i) => xxlogic(s, i, LOGIC_NAND)),
  xx3('xxleqv', 186, (s, i) => xxlogic(s, i, LOGIC_EQV)),
  xx3('xxmrghw', 18, (s, i) => xxmrgw(s, i, false)),
  xx3('xxmrglw', 50, (s, i) => xxmrgw(s, i, true)),
  { name: 'xxpermdi', mask: 0xfc0004f8 | 0, match: ((60 << 26) | (10 << 3)) | 0, family: FAMILY, exec: (s, _m, i) => xxpermdi(s, i) },
  { name: 'xxsldwi', mask: 0xfc0004f8 | 0, match: ((60 << 26) | (2 << 3)) | 0, family: FAMILY, exec: (s, _m, i) => xxsldwi(s, i) },
  { name: 'xxsel', mask: 0xfc000030 | 0, match: ((60 << 26) | 0x30) | 0, family: FAMILY, exec: (s, _m, i) => xxsel(s, i) },
  { name: 'xxspltw', mask: 0xfc0007fc | 0, match: ((60 << 26) | (164 << 2)) | 0, family: FAMILY, exec: (s, _m, i) => xxspltw(s, i) },
];
