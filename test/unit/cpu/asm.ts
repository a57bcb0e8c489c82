// Test helpers: a tiny PowerPC encoder, a one-instruction executor and BigInt oracles.
import { CpuState, CR, XER } from '../../../src/cpu/state.js';
import { GuestMemory, PROT_READ, PROT_WRITE, PROT_EXEC } from '../../../src/cpu/memory.js';
import { allRows, decodeRow } from '../../../src/cpu/decode.js';
import { Cpu } from '../../../src/cpu/cpu.js';

export const M64 = (1n << 64n) - 1n;
export const u64 = (v: bigint): bigint => BigInt.asUintN(64, v);
export const s64 = (v: bigint): bigint => BigInt.asIntN(64, v);

// ---------------------------------------------------------------- encoders (register numbers, raw fields)
const w = (v: number): number => v | 0;
export const D = (po: number, rt: number, ra: number, imm: number): number =>
  w((po << 26) | (rt << 21) | (ra << 16) | (imm & 0xffff));
export const DS = (po: number, rt: number, ra: number, disp: number, xo: number): number =>
  w((po << 26) | (rt << 21) | (ra << 16) | (disp & 0xfffc) | xo);
export const X = (po: number, rt: number, ra: number, rb: number, xo: number, rc = 0): number =>
  w((po << 26) | (rt << 21) | (ra << 16) | (rb << 11) | (xo << 1) | rc);
export const XO = (rt: number, ra: number, rb: number, xo: number, oe = 0, rc = 0): number =>
  w((31 << 26) | (rt << 21) | (ra << 16) | (rb << 11) | (oe << 10) | (xo << 1) | rc);
export const M = (po: number, rs: number, ra: number, sh: number, mb: number, me: number, rc = 0): number =>
  w((po << 26) | (rs << 21) | (ra << 16) | (sh << 11) | (mb << 6) | (me << 1) | rc);
/** MD-form: rldicl(0) rldicr(1) rldic(2) rldimi(3). */
export const MD = (rs: number, ra: number, sh: number, mb: number, xo: number, rc = 0): number =>
  w((30 << 26) | (rs << 21) | (ra << 16) | ((sh & 31) << 11) | ((mb & 31) << 6) | ((mb & 32)) | (xo << 2) | ((sh >> 5) << 1) | rc);
/** MDS-form: rldcl(8) rldcr(9). */
export const MDS = (rs: number, ra: number, rb: number, mb: number, xo: number, rc = 0): number =>
  w((30 << 26) | (rs << 21) | (ra << 16) | (rb << 11) | ((mb & 31) << 6) | (mb & 32) | (xo << 1) | rc);
/** A-form (isel with BC in the FRC slot; FP arithmetic). */
export const A_ = (po: number, rt: number, ra: number, rb: number, c: number, xo: number): number =>
  w((po << 26) | (rt << 21) | (ra << 16) | (rb << 11) | (c << 6) | (xo << 1));
export const XS = (rs: number, ra: number, sh: number, xo: number, rc = 0): number =>
  w((31 << 26) | (rs << 21) | (ra << 16) | ((sh & 31) << 11) | (xo << 2) | ((sh >> 5) << 1) | rc);
export const B = (bo: number, bi: number, bd: number, aa = 0, lk = 0): number =>
  w((16 << 26) | (bo << 21) | (bi << 16) | (bd & 0xfffc) | (aa << 1) | lk);
/** tw 31,0,0: an unconditional trap, used to end test programs. */
export const TRAP = 0x7fe00008;
export const I = (li: number, aa = 0, lk = 0): number => w((18 << 26) | (li & 0x3fffffc) | (aa << 1) | lk);
export const XL = (bo: number, bi: number, xo: number, lk = 0): number =>
  w((19 << 26) | (bo << 21) | (bi << 16) | (xo << 1) | lk);
export const SPR = (rt: number, spr: number, xo: number): number =>
  w((31 << 26) | (rt << 21) | ((spr & 31) << 16) | ((spr >> 5) << 11) | (xo << 1));

// ---------------------------------------------------------------- execution

export interface Init {
  gpr?: Record<number, bigint>;
  cr?: number;
  xer?: number;
  ctr?: bigint;
  lr?: bigint;
}

export function stateWith(init: Init): CpuState {
  const s = new CpuState();
  for (const [k, v] of Object.entries(init.gpr ?? {})) s.setGpr(Number(k), u64(v));
  s.spr[CR] = init.cr ?? 0;
  s.spr[XER] = init.xer ?? 0;
  if (init.ctr !== undefined) s.ctr = u64(init.ctr);
  if (init.lr !== undefined) s.lr = u64(init.lr);
  return s;
}

const scratchMem = new GuestMemory();

/** Decode and execute one non-branch word directly on a state (no PC handling). */
export function exec1(word: number, s: CpuState, mem: GuestMemory = scratchMem): void {
  const idx = decodeRow(word);
  if (idx < 0) throw new Error(`word 0x${(word >>> 0).toString(16)} does not decode`);
  allRows[idx].exec(s, mem, word);
}

export const CODE = 0x10000000n;
export const DATA = 0x0a00_0000_2000_0000n;

/** A Cpu with code at CODE (the given words) and 1 MiB of read/write data at DATA. */
export function machine(words: number[]): Cpu {
  const mem = new GuestMemory();
  mem.map(CODE, 0x20000n, PROT_READ | PROT_EXEC);
  mem.map(DATA, 0x100000n, PROT_READ | PROT_WRITE);
  const bytes = new Uint8Array(words.length * 4);
  const dv = new DataView(bytes.buffer);
  words.forEach((x, k) => dv.setUint32(4 * k, x >>> 0));
  mem.writeBytes(CODE, bytes);
  const cpu = new Cpu(mem);
  cpu.pc = CODE;
  return cpu;
}

// ---------------------------------------------------------------- BigInt oracles

export function rotl64(x: bigint, n: number): bigint {
  const k = BigInt(n & 63);
  if (k === 0n) return u64(x);
  return u64((x << k) | (u64(x) >> (64n - k)));
}

export function mask(mb: number, me: number): bigint {
  const run = (b: number, e: number): bigint =>
    b > e ? 0n : ((1n << BigInt(64 - b)) - 1n) & ~((1n << BigInt(63 - e)) - 1n);
  if (mb <= me) return run(mb, me);
  return u64(~run(me + 1, mb - 1));
}

/** Sample values covering 0, +-1, sign boundaries and random bits. */
export function edgeValues(): bigint[] {
  return [
    0n, 1n, M64, 2n, 0x7fffffffn, 0x80000000n, 0xffffffffn, 0x100000000n, 0x7fffffffffffffffn,
    0x8000000000000000n, 0x8000000000000001n, 0xfffffffffffffffen, 0x0123456789abcdefn, 0xfedcba9876543210n,
    0x00000000ffff0000n, 0x1fffffffffffffn, 0x20000000000000n, 0xffffffff80000000n, 0xdeadbeefcafebaben,
  ];
}

/** Deterministic PRNG (xorshift64*) for random operands. */
export function rng(seed: bigint): () => bigint {
  let x = u64(seed) || 1n;
  return () => {
    x ^= x >> 12n;
    x ^= u64(x << 25n);
    x ^= x >> 27n;
    return u64(x * 0x2545f4914f6cdd1dn);
  };
}
