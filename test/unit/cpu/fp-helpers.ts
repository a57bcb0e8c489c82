// Shared helpers for the FP/vector unit tests: run one row's handler on a fresh state.
import { CpuState, FPSCR } from '../../../src/cpu/state.js';
import { GuestMemory, PROT_READ, PROT_WRITE } from '../../../src/cpu/memory.js';
import type { InsnRow } from '../../../src/cpu/isa-types.js';
import { hiOf, loOf, toBig } from '../../../src/cpu/int64.js';
import { fpRows } from '../../../src/cpu/exec/fp.js';
import { vmxRows } from '../../../src/cpu/exec/vmx.js';
import { vsxRows } from '../../../src/cpu/exec/vsx.js';
import { cryptoRows } from '../../../src/cpu/exec/crypto.js';

export const myRows: InsnRow[] = [...fpRows, ...vmxRows, ...vsxRows, ...cryptoRows];

export function rowFor(word: number): InsnRow {
  const hits = myRows.filter((r) => ((word & r.mask) | 0) === (r.match | 0));
  if (hits.length !== 1) throw new Error(`word 0x${(word >>> 0).toString(16)} matches ${hits.map((h) => h.name).join(',') || 'nothing'}`);
  return hits[0];
}

export function exec(s: CpuState, mem: GuestMemory, word: number): void {
  rowFor(word).exec(s, mem, word);
}

export function newMachine(): { s: CpuState; mem: GuestMemory } {
  const s = new CpuState();
  const mem = new GuestMemory();
  mem.map(0x10000n, 0x20000n, PROT_READ | PROT_WRITE);
  return { s, mem };
}

const f64 = new Float64Array(1);
const u64 = new BigUint64Array(f64.buffer);
export function bitsOf(d: number): bigint {
  f64[0] = d;
  return u64[0];
}
export function fromBits(b: bigint): number {
  u64[0] = b;
  return f64[0];
}
export function setFprBits(s: CpuState, n: number, b: bigint): void {
  s.vsr[4 * n] = hiOf(b);
  s.vsr[4 * n + 1] = loOf(b);
}
export function fprBits(s: CpuState, n: number): bigint {
  return toBig(s.vsr[4 * n], s.vsr[4 * n + 1]);
}
export function setRn(s: CpuState, rn: number): void {
  s.spr[FPSCR] = (s.spr[FPSCR] & ~3) | rn;
}

// Encoders (register fields as the ISA books give them).
export const encA = (po: number, xo: number, t: number, a: number, b: number, c: number, rc = 0): number =>
  ((po << 26) | (t << 21) | (a << 16) | (b << 11) | (c << 6) | (xo << 1) | rc) | 0;
export const encX = (po: number, xo: number, t: number, a: number, b: number, rc = 0): number =>
  ((po << 26) | (t << 21) | (a << 16) | (b << 11) | (xo << 1) | rc) | 0;
export const encD = (po: number, t: number, a: number, d: number): number => ((po << 26) | (t << 21) | (a << 16) | (d & 0xffff)) | 0;
export const encVX = (xo: number, t: number, a: number, b: number): number => ((4 << 26) | (t << 21) | (a << 16) | (b << 11) | xo) | 0;
export const encVA = (xo: number, t: number, a: number, b: number, c: number): number =>
  ((4 << 26) | (t << 21) | (a << 16) | (b << 11) | (c << 6) | xo) | 0;
