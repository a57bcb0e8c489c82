// VMX (AltiVec) rows: vector loads/stores, integer lane arithmetic, compares (Rc=1 sets CR6),
// logical, permute, splat, shift and bit-manipulation ops, in big-endian element numbering.
// VR n is VSR 32+n.
import { CR, VSCR, type CpuState } from '../state.js';
import type { GuestMemory } from '../memory.js';
import type { InsnRow } from '../isa-types.js';
import { EA, eaX } from './ea.js';
import { rowVA, rowVC, rowVX, rowX } from './common.js';
import { fromBytes, toBytes, vr } from './vec-lanes.js';
import { LOGIC, load16, logic128, store16 } from './vsx.js';

const FAMILY = 'vmx';

const ba = new Uint8Array(32); // VA || VB bytes
const bc = new Uint8Array(16);
const br = new Uint8Array(16);
const wr = new Int32Array(4);

function rt(insn: number): number {
  return vr((insn >>> 21) & 31);
}
function ra(insn: number): number {
  return vr((insn >>> 16) & 31);
}
function rb(insn: number): number {
  return vr((insn >>> 11) & 31);
}
function rc(insn: number): number {
  return vr((insn >>> 6) & 31);
}

// ------------------------------------------------------------------ loads and stores

function lvx(s: CpuState, mem: GuestMemory, insn: number): void {
  eaX(s, insn);
  EA[1] &= ~15;
  load16(s, mem, rt(insn));
}
function stvx(s: CpuState, mem: GuestMemory, insn: number): void {
  eaX(s, insn);
  EA[1] &= ~15;
  store16(s, mem, rt(insn));
}
/** lvebx/lvehx/lvewx: one element into its natural position; other elements unchanged. */
function lve(s: CpuState, mem: GuestMemory, insn: number, size: number): void {
  eaX(s, insn);
  EA[1] &= -size;
  const t = rt(insn);
  const off = EA[1] & 15;
  const w = t + (off >>> 2);
  if (size === 4) s.vsr[w] = mem.load32(EA[0], EA[1]);
  else {
    const sh = 8 * (4 - size - (off & 3));
    const m = (size === 1 ? 0xff : 0xffff) << sh;
    const x = size === 1 ? mem.load8(EA[0], EA[1]) : mem.load16(EA[0], EA[1]);
    s.vsr[w] = (s.vsr[w] & ~m) | (x << sh);
  }
}
function stve(s: CpuState, mem: GuestMemory, insn: number, size: number): void {
  eaX(s, insn);
  EA[1] &= -size;
  const off = EA[1] & 15;
  const x = s.vsr[rt(insn) + (off >>> 2)];
  if (size === 4) mem.store32(EA[0], EA[1], x);
  else {
    const sh = 8 * (4 - size - (off & 3));
    if (size === 1) mem.store8(EA[0], EA[1], (x >>> sh) & 0xff);
    else mem.store16(EA[0], EA[1], (x >>> sh) & 0xffff);
  }
}
function lvsl(s: CpuState, insn: number, right: boolean): void {
  eaX(s, insn);
  const sh = EA[1] & 15;
  const base = right ? 16 - sh : sh;
  for (let i = 0; i < 16; i++) br[i] = base + i;
  fromBytes(s.vsr, rt(insn), br, 0);
}

// ------------------------------------------------------------------ lane arithmetic

const ADD = 0;
const SUB = 1;
const SL = 2;
const SR = 3;
const SRA = 4;
const RL = 5;
const CMPEQ = 6;
const CMPGTU = 7;
const CMPGTS = 8;
const MAXU = 9;
const MAXS = 10;
const MINU = 11;
const MINS = 12;
const CLZ = 13;
const POPCNT = 14;
const ADDC = 15;
const SUBC = 16;

export function popcnt32(x: number): number {
  x = x - ((x >>> 1) & 0x55555555);
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}

/** One lane op on an element of `bits` (8, 16, 32) held zero-extended in x and y. */
function laneOp(op: number, x: number, y: number, bits: number): number {
  const sx = 32 - bits;
  const m = bits === 32 ? -1 : (1 << bits) - 1;
  switch (op) {
    case ADD:
      return (x + y) & m;
    case SUB:
      return (x - y) & m;
    case SL:
      return (x << (y & (bits - 1))) & m;
    case SR:
      return (x >>> (y & (bits - 1))) & m;
    case SRA:
      return (((x << sx) >> sx) >> (y & (bits - 1))) & m;
    case RL: {
      const n = y & (bits - 1);
      return n === 0 ? x : ((x << n) | (x >>> (bits - n))) & m;
    }
    case CMPEQ:
      return x === y ? m : 0;
    case CMPGTU:
      return x >>> 0 > y >>> 0 ? m : 0;
    case CMPGTS:
      return (x << sx) >> sx > (y << sx) >> sx ? m : 0;
    case MAXU:
      return x >>> 0 > y >>> 0 ? x : y;
    case MAXS:
      return (x << sx) >> sx > (y << sx) >> sx ? x : y;
    case MINU:
      return x >>> 0 < y >>> 0 ? x : y;
    case MINS:
      return (x << sx) >> sx < (y << sx) >> sx ? x : y;
    case CLZ: // unary ops take VRB
      return Math.clz32(y) - sx;
    case POPCNT:
      return popcnt32(y);
    case ADDC:
      return (x >>> 0) + (y >>> 0) > 0xffffffff ? 1 : 0;
    default: // SUBC: carry out of x + ~y + 1, i.e. no borrow
      return x >>> 0 >= y >>> 0 ? 1 : 0;
  }
}

let cmpAll = 0;
let cmpAny = 0;
function lanes(s: CpuState, insn: number, op: number, bits: number): void {
  const v = s.vsr;
  const a = ra(insn);
  const b = rb(insn);
  const per = 32 / bits;
  const m = bits === 32 ? -1 : (1 << bits) - 1;
  let all = -1;
  let any = 0;
  for (let w = 0; w < 4; w++) {
    const x = v[a + w];
    const y = v[b + w];
    let r = 0;
    for (let k = 0; k < per; k++) {
      const sh = 32 - bits * (k + 1);
      const e = laneOp(op, (x >>> sh) & m, (y >>> sh) & m, bits);
      r |= (e & m) << sh;
    }
    wr[w] = r;
    all &= r;
    any |= r;
  }
  cmpAll = all;
  cmpAny = any;
  v.set(wr, rt(insn));
}

function vcmp(s: CpuState, insn: number, op: number, bits: number): void {
  if (bits === 64) lanes64(s, insn, op);
  else lanes(s, insn, op, bits);
  if (insn & 0x400) {
    const f = (cmpAll === -1 ? 8 : 0) | (cmpAny === 0 ? 2 : 0);
    s.spr[CR] = (s.spr[CR] & ~0xf0) | (f << 4);
  }
}

/** Doubleword lanes on (hi, lo) halves. */
function lanes64(s: CpuState, insn: number, op: number): void {
  const v = s.vsr;
  const a = ra(insn);
  const b = rb(insn);
  let all = -1;
  let any = 0;
  for (let d = 0; d < 4; d += 2) {
    const xh = v[a + d];
    const xl = v[a + d + 1];
    const yh = v[b + d];
    const yl = v[b + d + 1];
    let h = 0;
    let l = 0;
    switch (op) {
      case ADD: {
        const sum = (xl >>> 0) + (yl >>> 0);
        l = sum | 0;
        h = (xh + yh + (sum > 0xffffffff ? 1 : 0)) | 0;
        break;
      }
      case SUB: {
        l = (xl - yl) | 0;
        h = (xh - yh - ((xl >>> 0) < (yl >>> 0) ? 1 : 0)) | 0;
        break;
      }
      case SL:
      case SR:
      case SRA:
      case RL: {
        const n = yl & 63;
        if (op === RL) {
          const sh1 = shl64(xh, xl, n);
          h = sh1.h;
          l = sh1.l;
          if (n) {
            shr64u(xh, xl, 64 - n);
            h |= tH;
            l |= tL;
          }
        } else if (op === SL) {
          const r = shl64(xh, xl, n);
          h = r.h;
          l = r.l;
        } else if (op === SR) {
          shr64u(xh, xl, n);
          h = tH;
          l = tL;
        } else {
          if (n === 0) {
            h = xh;
            l = xl;
          } else if (n < 32) {
            l = (xl >>> n) | (xh << (32 - n));
            h = xh >> n;
          } else {
            l = xh >> (n - 32);
            h = xh >> 31;
          }
        }
        break;
      }
      case CMPEQ:
        h = l = xh === yh && xl === yl ? -1 : 0;
        break;
      case CMPGTU:
        h = l = xh >>> 0 > yh >>> 0 || (xh === yh && xl >>> 0 > yl >>> 0) ? -1 : 0;
        break;
      case CMPGTS:
        h = l = xh > yh || (xh === yh && xl >>> 0 > yl >>> 0) ? -1 : 0;
        break;
      case MAXU:
      case MAXS:
      case MINU:
      case MINS: {
        const gt = op === MAXU || op === MINU ? xh >>> 0 > yh >>> 0 || (xh === yh && xl >>> 0 > yl >>> 0) : xh > yh || (xh === yh && xl >>> 0 > yl >>> 0);
        const pickX = op === MAXU || op === MAXS ? gt : !gt && !(xh === yh && xl === yl);
        h = pickX ? xh : yh;
        l = pickX ? xl : yl;
        break;
      }
      case CLZ:
        h = 0;
        l = yh !== 0 ? Math.clz32(yh) : 32 + Math.clz32(yl);
        break;
      default: // POPCNT
        h = 0;
        l = popcnt32(yh) + popcnt32(yl);
        break;
    }
    wr[d] = h;
    wr[d + 1] = l;
    all &= h & l;
    any |= h | l;
  }
  cmpAll = all;
  cmpAny = any;
  v.set(wr, rt(insn));
}
let tH = 0;
let tL = 0;
const shlOut = { h: 0, l: 0 };
function shl64(h: number, l: number, n: number): { h: number; l: number } {
  if (n === 0) {
    shlOut.h = h;
    shlOut.l = l;
  } else if (n < 32) {
    shlOut.h = (h << n) | (l >>> (32 - n));
    shlOut.l = l << n;
  } else {
    shlOut.h = l << (n - 32);
    shlOut.l = 0;
  }
  return shlOut;
}
function shr64u(h: number, l: number, n: number): void {
  if (n === 0) {
    tH = h;
    tL = l;
  } else if (n < 32) {
    tL = (l >>> n) | (h << (32 - n));
    tH = h >>> n;
  } else {
    tL = h >>> (n - 32);
    tH = 0;
  }
}

/** vadduqm / vsubuqm: 128-bit modular add/subtract. */
function quad(s: CpuState, insn: number, sub: boolean): void {
  const v = s.vsr;
  const a = ra(insn);
  const b = rb(insn);
  let carry = sub ? 1 : 0;
  for (let i = 3; i >= 0; i--) {
    const y = sub ? ~v[b + i] : v[b + i];
    const sum = (v[a + i] >>> 0) + (y >>> 0) + carry;
    wr[i] = sum | 0;
    carry = sum > 0xffffffff ? 1 : 0;
  }
  v.set(wr, rt(insn));
}

// ------------------------------------------------------------------ permute, select, splat

function vperm(s: CpuState, insn: number, xor: boolean): void {
  const v = s.vsr;
  toBytes(v, ra(insn), ba, 0);
  toBytes(v, rb(insn), ba, 16);
  toBytes(v, rc(insn), bc, 0);
  if (xor) for (let i = 0; i < 16; i++) br[i] = ba[bc[i] >>> 4] ^ ba[16 + (bc[i] & 15)];
  else for (let i = 0; i < 16; i++) br[i] = ba[bc[i] & 31];
  fromBytes(v, rt(insn), br, 0);
}

function vsldoi(s: CpuState, insn: number): void {
  const v = s.vsr;
  toBytes(v, ra(insn), ba, 0);
  toBytes(v, rb(insn), ba, 16);
  fromBytes(v, rt(insn), ba, (insn >>> 6) & 15);
}

function vsel(s: CpuState, insn: number): void {
  const v = s.vsr;
  const a = ra(insn);
  const b = rb(insn);
  const c = rc(insn);
  const t = rt(insn);
  for (let i = 0; i < 4; i++) v[t + i] = (v[a + i] & ~v[c + i]) | (v[b + i] & v[c + i]);
}

function vsplt(s: CpuState, insn: number, size: number): void {
  const v = s.vsr;
  const uim = (insn >>> 16) & (16 / size - 1);
  const byteOff = uim * size;
  const w = v[rb(insn) + (byteOff >>> 2)];
  let e: number;
  if (size === 4) e = w;
  else {
    const sh = 8 * (4 - size - (byteOff & 3));
    e = (w >>> sh) & (size === 1 ? 0xff : 0xffff);
    e = size === 1 ? e * 0x01010101 : (e << 16) | e;
  }
  const t = rt(insn);
  v[t] = e;
  v[t + 1] = e;
  v[t + 2] = e;
  v[t + 3] = e;
}

function vspltis(s: CpuState, insn: number, size: number): void {
  const simm = ((insn >>> 16) << 27) >> 27;
  let e: number;
  if (size === 1) e = (simm & 0xff) * 0x01010101;
  else if (size === 2) e = ((simm & 0xffff) << 16) | (simm & 0xffff);
  else e = simm;
  const t = rt(insn);
  s.vsr[t] = e;
  s.vsr[t + 1] = e;
  s.vsr[t + 2] = e;
  s.vsr[t + 3] = e;
}

/** vmrgh[bhw] and vmrgl[bhw]: interleave elements of the high (or low) halves of VA and VB. */
function vmrg(s: CpuState, insn: number, size: number, low: boolean): void {
  const v = s.vsr;
  toBytes(v, ra(insn), ba, 0);
  toBytes(v, rb(insn), ba, 16);
  const base = low ? 8 : 0;
  const n = 8 / size;
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < size; k++) {
      br[2 * i * size + k] = ba[base + i * size + k];
      br[(2 * i + 1) * size + k] = ba[16 + base + i * size + k];
    }
  }
  fromBytes(v, rt(insn), br, 0);
}

/** vmrgew / vmrgow: even (or odd) words of VA and VB interleaved. */
function vmrgeo(s: CpuState, insn: number, odd: boolean): void {
  const v = s.vsr;
  const a = ra(insn);
  const b = rb(insn);
  const o = odd ? 1 : 0;
  wr[0] = v[a + o];
  wr[1] = v[b + o];
  wr[2] = v[a + 2 + o];
  wr[3] = v[b + 2 + o];
  v.set(wr, rt(insn));
}

/** vpkuhum / vpkuwum / vpkudum: low halves of each element of VA || VB. */
function vpk(s: CpuState, insn: number, size: number): void {
  const v = s.vsr;
  toBytes(v, ra(insn), ba, 0);
  toBytes(v, rb(insn), ba, 16);
  const half = size / 2;
  for (let i = 0; i < 32 / size; i++) for (let k = 0; k < half; k++) br[i * half + k] = ba[i * size + half + k];
  fromBytes(v, rt(insn), br, 0);
}

// ------------------------------------------------------------------ whole-register shifts, bits

function vshift(s: CpuState, insn: number, left: boolean, octets: boolean): void {
  const v = s.vsr;
  toBytes(v, ra(insn), ba, 0);
  const last = v[rb(insn) + 3] & 0xff;
  if (octets) {
    const n = (last >>> 3) & 15;
    for (let i = 0; i < 16; i++) {
      const j = left ? i + n : i - n;
      br[i] = j >= 0 && j < 16 ? ba[j] : 0;
    }
  } else {
    const n = last & 7;
    for (let i = 0; i < 16; i++) {
      if (left) br[i] = ((ba[i] << n) | (i < 15 ? ba[i + 1] >>> (8 - n) : 0)) & 0xff;
      else br[i] = ((ba[i] >>> n) | (i > 0 ? ba[i - 1] << (8 - n) : 0)) & 0xff;
    }
  }
  fromBytes(v, rt(insn), br, 0);
}

function vbpermq(s: CpuState, insn: number): void {
  const v = s.vsr;
  const a = ra(insn);
  toBytes(v, rb(insn), bc, 0);
  let r = 0;
  for (let i = 0; i < 16; i++) {
    const idx = bc[i];
    const bit = idx < 128 ? (v[a + (idx >>> 5)] >>> (31 - (idx & 31))) & 1 : 0;
    r = (r << 1) | bit;
  }
  const t = rt(insn);
  v[t] = 0;
  v[t + 1] = r;
  v[t + 2] = 0;
  v[t + 3] = 0;
}

/** vgbbd: transpose each doubleword's 8x8 bit matrix. */
function vgbbd(s: CpuState, insn: number): void {
  const v = s.vsr;
  toBytes(v, rb(insn), bc, 0);
  for (let d = 0; d < 16; d += 8) {
    for (let i = 0; i < 8; i++) {
      let r = 0;
      for (let j = 0; j < 8; j++) r |= ((bc[d + j] >>> (7 - i)) & 1) << (7 - j);
      br[d + i] = r;
    }
  }
  fromBytes(v, rt(insn), br, 0);
}

function mfvscr(s: CpuState, insn: number): void {
  const t = rt(insn);
  s.vsr[t] = 0;
  s.vsr[t + 1] = 0;
  s.vsr[t + 2] = 0;
  s.vsr[t + 3] = s.spr[VSCR];
}
function mtvscr(s: CpuState, insn: number): void {
  s.spr[VSCR] = s.vsr[rb(insn) + 3];
}

// ------------------------------------------------------------------ rows

function vx(name: string, xo: number, exec: (s: CpuState, insn: number) => void): InsnRow {
  return rowVX(name, FAMILY, xo, (s, _m, i) => exec(s, i));
}
function va(name: string, xo: number, exec: (s: CpuState, insn: number) => void): InsnRow {
  return rowVA(name, FAMILY, xo, (s, _m, i) => exec(s, i));
}
function vc(name: string, xo: number, op: number, bits: number): InsnRow {
  return rowVC(name, FAMILY, xo, (s, _m, i) => vcmp(s, i, op, bits));
}
function lane(name: string, xo: number, op: number, bits: number): InsnRow {
  return vx(name, xo, bits === 64 ? (s, i) => lanes64(s, i, op) : (s, i) => lanes(s, i, op, bits));
}
function x31(name: string, xo: number, exec: (s: CpuState, mem: GuestMemory, insn: number) => void): InsnRow {
  return rowX(name, FAMILY, 31, xo, exec);
}
function logic(name: string, xo: number, op: number): InsnRow {
  return vx(name, xo, (s, i) => logic128(s.vsr, rt(i), ra(i), rb(i), op));
}

export const vmxRows: InsnRow[] = [
  x31('lvx', 103, lvx),
  x31('lvxl', 359, lvx),
  x31('stvx', 231, stvx),
  x31('stvxl', 487, stvx),
  x31('lvebx', 7, (s, m, i) => lve(s, m, i, 1)),
  x31('lvehx', 39, (s, m, i) => lve(s, m, i, 2)),
  x31('lvewx', 71, (s, m, i) => lve(s, m, i, 4)),
  x31('stvebx', 135, (s, m, i) => stve(s, m, i, 1)),
  x31('stvehx', 167, (s, m, i) => stve(s, m, i, 2)),
  x31('stvewx', 199, (s, m, i) => stve(s, m, i, 4)),
  x31('lvsl', 6, (s, _m, i) => lvsl(s, i, false)),
  x31('lvsr', 38, (s, _m, i) => lvsl(s, i, true)),

  lane('vaddubm', 0, ADD, 8),
  lane('vadduhm', 64, ADD, 16),
  lane('vadduwm', 128, ADD, 32),
  lane('vaddudm', 192, ADD, 64),
  lane('vaddcuw', 384, ADDC, 32),
  vx('vadduqm', 256, (s, i) => quad(s, i, false)),
  lane('vsububm', 1024, SUB, 8),
  lane('vsubuhm', 1088, SUB, 16),
  lane('vsubuwm', 1152, SUB, 32),
  lane('vsubudm', 1216, SUB, 64),
  lane('vsubcuw', 1408, SUBC, 32),
  vx('vsubuqm', 1280, (s, i) => quad(s, i, true)),
  lane('vmaxub', 2, MAXU, 8),
  lane('vmaxuh', 66, MAXU, 16),
  lane('vmaxuw', 130, MAXU, 32),
  lane('vmaxud', 194, MAXU, 64),
  lane('vmaxsb', 258, MAXS, 8),
  lane('vmaxsh', 322, MAXS, 16),
  lane('vmaxsw', 386, MAXS, 32),
  lane('vmaxsd', 450, MAXS, 64),
  lane('vminub', 514, MINU, 8),
  lane('vminuh', 578, MINU, 16),
  lane('vminuw', 642, MINU, 32),
  lane('vminud', 706, MINU, 64),
  lane('vminsb', 770, MINS, 8),
  lane('vminsh', 834, MINS, 16),
  lane('vminsw', 898, MINS, 32),
  lane('vminsd', 962, MINS, 64),
  lane('vslb', 260, SL, 8),
  lane('vslh', 324, SL, 16),
  lane('vslw', 388, SL, 32),
  lane('vsld', 1476, SL, 64),
  lane('vsrb', 516, SR, 8),
  lane('vsrh', 580, SR, 16),
  lane('vsrw', 644, SR, 32),
  lane('vsrd', 1732, SR, 64),
  lane('vsrab', 772, SRA, 8),
  lane('vsrah', 836, SRA, 16),
  lane('vsraw', 900, SRA, 32),
  lane('vsrad', 964, SRA, 64),
  lane('vrlb', 4, RL, 8),
  lane('vrlh', 68, RL, 16),
  lane('vrlw', 132, RL, 32),
  lane('vrld', 196, RL, 64),
  lane('vclzb', 1794, CLZ, 8),
  lane('vclzh', 1858, CLZ, 16),
  lane('vclzw', 1922, CLZ, 32),
  lane('vclzd', 1986, CLZ, 64),
  lane('vpopcntb', 1795, POPCNT, 8),
  lane('vpopcnth', 1859, POPCNT, 16),
  lane('vpopcntw', 1923, POPCNT, 32),
  lane('vpopcntd', 1987, POPCNT, 64),

  vc('vcmpequb', 6, CMPEQ, 8),
  vc('vcmpequh', 70, CMPEQ, 16),
  vc('vcmpequw', 134, CMPEQ, 32),
  vc('vcmpequd', 199, CMPEQ, 64),
  vc('vcmpgtub', 518, CMPGTU, 8),
  vc('vcmpgtuh', 582, CMPGTU, 16),
  vc('vcmpgtuw', 646, CMPGTU, 32),
  vc('vcmpgtud', 711, CMPGTU, 64),
  vc('vcmpgtsb', 774, CMPGTS, 8),
  vc('vcmpgtsh', 838, CMPGTS, 16),
  vc('vcmpgtsw', 902, CMPGTS, 32),
  vc('vcmpgtsd', 967, CMPGTS, 64),

  logic('vand', 1028, LOGIC.AND),
  logic('vandc', 1092, LOGIC.ANDC),
  logic('vor', 1156, LOGIC.OR),
  logic('vxor', 1220, LOGIC.XOR),
  logic('vnor', 1284, LOGIC.NOR),
  logic('vorc', 1348, LOGIC.ORC),
  logic('vnand', 1412, LOGIC.NAND),
  logic('veqv', 1668, LOGIC.EQV),

  va('vsel', 42, vsel),
  va('vperm', 43, (s, i) => vperm(s, i, false)),
  va('vsldoi', 44, vsldoi),
  va('vpermxor', 45, (s, i) => vperm(s, i, true)),
  vx('vspltb', 524, (s, i) => vsplt(s, i, 1)),
  vx('vsplth', 588, (s, i) => vsplt(s, i, 2)),
  vx('vspltw', 652, (s, i) => vsplt(s, i, 4)),
  vx('vspltisb', 780, (s, i) => vspltis(s, i, 1)),
  vx('vspltish', 844, (s, i) => vspltis(s, i, 2)),
  vx('vspltisw', 908, (s, i) => vspltis(s, i, 4)),
  vx('vmrghb', 12, (s, i) => vmrg(s, i, 1, false)),
  vx('vmrghh', 76, (s, i) => vmrg(s, i, 2, false)),
  vx('vmrghw', 140, (s, i) => vmrg(s, i, 4, false)),
  vx('vmrglb', 268, (s, i) => vmrg(s, i, 1, true)),
  vx('vmrglh', 332, (s, i) => vmrg(s, i, 2, true)),
  vx('vmrglw', 396, (s, i) => vmrg(s, i, 4, true)),
  vx('vmrgew', 1932, (s, i) => vmrgeo(s, i, false)),
  vx('vmrgow', 1676, (s, i) => vmrgeo(s, i, true)),
  vx('vpkuhum', 14, (s, i) => vpk(s, i, 2)),
  vx('vpkuwum', 78, (s, i) => vpk(s, i, 4)),
  vx('vpkudum', 1102, (s, i) => vpk(s, i, 8)),
  vx('vsl', 452, (s, i) => vshift(s, i, true, false)),
  vx('vsr', 708, (s, i) => vshift(s, i, false, false)),
  vx('vslo', 1036, (s, i) => vshift(s, i, true, true)),
  vx('vsro', 1100, (s, i) => vshift(s, i, false, true)),
  vx('vbpermq', 1356, vbpermq),
  vx('vgbbd', 1292, vgbbd),
  vx('mfvscr', 1540, mfvscr),
  vx('mtvscr', 1604, mtvscr),
];
