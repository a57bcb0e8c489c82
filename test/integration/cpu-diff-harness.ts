// Differential testing against qemu-ppc64 -cpu POWER8: a generator writes N random cases of one
// instruction family into a tiny static big-endian ELFv1 executable (no toolchain needed). Each
// case loads registers from an input table, runs the instruction(s) under test and dumps
// registers, CR, XER, CTR, LR and a 64-byte scratch block into an output table, which the program
// write()s to stdout. Our CPU runs the very same bytes from the same initial memory; the two
// output tables must be identical.
import { execFileSync } from 'node:child_process';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GuestMemory, PROT_READ, PROT_WRITE, PROT_EXEC } from '../../src/cpu/memory.js';
import { Cpu, StopReason } from '../../src/cpu/cpu.js';
import { D, DS, X, SPR, rng } from '../unit/cpu/asm.js';

export const BASE = 0x10000000n;
const DESC_OFF = 0x100;
const CODE_OFF = 0x200;
export const IN_SIZE = 176;
export const OUT_SIZE = 168;
const SC = 0x44000002;

export interface DiffCase {
  /** Instruction words under test (run in sequence after the inputs are loaded). */
  words: number[];
  /** Initial r3..r12. */
  gpr: bigint[];
  cr: number;
  xer: number;
  ctr: bigint;
  lr: bigint;
  /** Initial 64-byte scratch block (its address is SCRATCH in the program). */
  scratch: Uint8Array;
}

export interface Program {
  bytes: Uint8Array;
  entryDesc: bigint;
  codeStart: bigint;
  /** Address of each case's first instruction under test. */
  caseAddr: bigint[];
  outAddr: bigint;
  outLen: number;
  scratchAddr: bigint;
}

const li32 = (rt: number, v: number): number[] => [D(15, rt, 0, (v >>> 16) & 0xffff), D(24, rt, rt, v & 0xffff)];

/** Lay out the program. `makeCase` receives the address of its test words (for branch targets). */
export function buildProgram(n: number, makeCase: (k: number, at: bigint) => DiffCase): { prog: Program; cases: DiffCase[] } {
  // Pass 1 needs the code size: each case has a fixed preamble/epilogue and up to 4 test words.
  const PRE = 10 + 2 * 4 + 16; // ld r3..r12; 4 x (ld r29 + mt*); 8 x (ld + std) scratch
  const TEST = 4;
  const POST = 10 + 2 + 2 + 2 + 2 + 16 + 2;
  const perCase = PRE + TEST + POST;
  const head = 8;
  const tail = 12;
  const codeWords = head + n * perCase + tail;
  const inOff = CODE_OFF + codeWords * 4;
  const inAddr = BASE + BigInt(inOff);
  const fileSize = inOff + n * IN_SIZE;
  const scratchOff = (fileSize + 0xff) & ~0xff;
  const outOff = scratchOff + 0x100;
  const memSize = outOff + n * OUT_SIZE;
  const scratchAddr = BASE + BigInt(scratchOff);
  const outAddr = BASE + BigInt(outOff);

  const code: number[] = [];
  // r31 = input table, r30 = output table, r28 = scratch
  const addr32 = (v: bigint): number => Number(v) | 0;
  code.push(...li32(31, addr32(inAddr)), ...li32(30, addr32(outAddr)), ...li32(28, addr32(scratchAddr)));
  while (code.length < head) code.push(D(24, 0, 0, 0));
  const cases: DiffCase[] = [];
  const caseAddr: bigint[] = [];
  for (let k = 0; k < n; k++) {
    const start = code.length;
    for (let r = 3; r <= 12; r++) code.push(DS(58, r, 31, 8 * (r - 3), 0));
    code.push(DS(58, 29, 31, 80, 0), X(31, 29, 0xff >> 4, (0xff & 15) << 1, 144)); // mtcrf 0xff,r29
    code.push(DS(58, 29, 31, 88, 0), SPR(29, 1, 467)); // mtxer
    code.push(DS(58, 29, 31, 96, 0), SPR(29, 9, 467)); // mtctr
    code.push(DS(58, 29, 31, 104, 0), SPR(29, 8, 467)); // mtlr
    for (let q = 0; q < 8; q++) code.push(DS(58, 29, 31, 112 + 8 * q, 0), DS(62, 29, 28, 8 * q, 0));
    const at = BASE + BigInt(CODE_OFF + code.length * 4);
    caseAddr.push(at);
    const c = makeCase(k, at);
    if (c.words.length > TEST) throw new Error('too many test words');
    cases.push(c);
    code.push(...c.words);
    while (code.length < start + PRE + TEST) code.push(D(24, 0, 0, 0)); // nop padding
    for (let r = 3; r <= 12; r++) code.push(DS(62, r, 30, 8 * (r - 3), 0));
    code.push(X(31, 29, 0, 0, 19), D(36, 29, 30, 80)); // mfcr; stw
    code.push(SPR(29, 1, 339), D(36, 29, 30, 84)); // mfxer; stw
    code.push(SPR(29, 9, 339), DS(62, 29, 30, 88, 0)); // mfctr; std
    code.push(SPR(29, 8, 339), DS(62, 29, 30, 96, 0)); // mflr; std
    for (let q = 0; q < 8; q++) code.push(DS(58, 29, 28, 8 * q, 0), DS(62, 29, 30, 104 + 8 * q, 0));
    code.push(D(14, 31, 31, IN_SIZE), D(14, 30, 30, OUT_SIZE));
    if (code.length !== start + perCase) throw new Error('case layout drifted');
  }
  // write(1, out, len); exit_group(0)
  code.push(D(14, 0, 0, 4), D(14, 3, 0, 1), ...li32(4, addr32(outAddr)), ...li32(5, n * OUT_SIZE), SC);
  code.push(D(14, 0, 0, 234), D(14, 3, 0, 0), SC);
  while (code.length < codeWords) code.push(D(24, 0, 0, 0));

  const bytes = new Uint8Array(fileSize);
  const dv = new DataView(bytes.buffer);
  // ELF64 header (big-endian, ELFv1, static executable)
  bytes.set([0x7f, 0x45, 0x4c, 0x46, 2, 2, 1, 0]);
  dv.setUint16(16, 2);
  dv.setUint16(18, 21);
  dv.setUint32(20, 1);
  dv.setBigUint64(24, BASE + BigInt(DESC_OFF));
  dv.setBigUint64(32, 64n);
  dv.setBigUint64(40, 0n);
  dv.setUint32(48, 1);
  dv.setUint16(52, 64);
  dv.setUint16(54, 56);
  dv.setUint16(56, 1);
  // one RWX PT_LOAD covering file and the zero-filled scratch/output area
  dv.setUint32(64, 1);
  dv.setUint32(68, 7);
  dv.setBigUint64(72, 0n);
  dv.setBigUint64(80, BASE);
  dv.setBigUint64(88, BASE);
  dv.setBigUint64(96, BigInt(fileSize));
  dv.setBigUint64(104, BigInt(memSize));
  dv.setBigUint64(112, 0x10000n);
  // function descriptor: entry, TOC
  dv.setBigUint64(DESC_OFF, BASE + BigInt(CODE_OFF));
  code.forEach((w, k) => dv.setUint32(CODE_OFF + 4 * k, w >>> 0));
  cases.forEach((c, k) => {
    const o = inOff + k * IN_SIZE;
    c.gpr.forEach((v, r) => dv.setBigUint64(o + 8 * r, BigInt.asUintN(64, v)));
    dv.setBigUint64(o + 80, BigInt(c.cr >>> 0));
    dv.setBigUint64(o + 88, BigInt(c.xer >>> 0));
    dv.setBigUint64(o + 96, BigInt.asUintN(64, c.ctr));
    dv.setBigUint64(o + 104, BigInt.asUintN(64, c.lr));
    bytes.set(c.scratch, o + 112);
  });
  return {
    prog: {
      bytes, entryDesc: BASE + BigInt(DESC_OFF), codeStart: BASE + BigInt(CODE_OFF), caseAddr, outAddr,
      outLen: n * OUT_SIZE, scratchAddr,
    },
    cases,
  };
}

/** Run under qemu-ppc64 -cpu POWER8; returns the output table. Throws if qemu is missing. */
export function runQemu(prog: Program): Uint8Array {
  const dir = mkdtempSync(join(tmpdir(), 'cpu-diff-'));
  const file = join(dir, 'prog');
  writeFileSync(file, prog.bytes, { mode: 0o755 });
  const out = execFileSync('qemu-ppc64', ['-cpu', 'POWER8', file], { maxBuffer: 64 << 20 });
  if (out.length !== prog.outLen) throw new Error(`qemu wrote ${out.length} bytes, expected ${prog.outLen}`);
  return new Uint8Array(out.buffer, out.byteOffset, out.length);
}

/** Run in our CPU; returns the output table. */
export function runOurs(prog: Program): Uint8Array {
  const mem = new GuestMemory();
  const size = BigInt(Number(prog.outAddr - BASE) + prog.outLen);
  mem.map(BASE, size, PROT_READ | PROT_WRITE | PROT_EXEC);
  mem.writeBytes(BASE, prog.bytes);
  const cpu = new Cpu(mem);
  cpu.pc = prog.codeStart;
  let r: StopReason;
  do r = cpu.run(1 << 20);
  while (r === StopReason.OK);
  if (r !== StopReason.ILLEGAL || cpu.stop.word !== SC) throw new Error(`our CPU stopped early: ${cpu.stop.describe()}`);
  return mem.readBytes(prog.outAddr, prog.outLen);
}

export function randomScratch(next: () => bigint): Uint8Array {
  const b = new Uint8Array(64);
  const dv = new DataView(b.buffer);
  for (let k = 0; k < 8; k++) dv.setBigUint64(8 * k, next());
  return b;
}

const FIELD_NAMES = [...Array.from({ length: 10 }, (_, r) => `r${r + 3}`)];

/** First difference between two output tables, described for a failure message; null if equal. */
export function firstDifference(ours: Uint8Array, ref: Uint8Array, cases: DiffCase[], seed: bigint): string | null {
  for (let k = 0; k < cases.length; k++) {
    const o = k * OUT_SIZE;
    for (let b = 0; b < OUT_SIZE; b++) {
      if (ours[o + b] === ref[o + b]) continue;
      const field = b < 80 ? FIELD_NAMES[b >> 3] : b < 84 ? 'CR' : b < 88 ? 'XER' : b < 96 ? 'CTR' : b < 104 ? 'LR' : `scratch+${(b - 104) & ~7}`;
      const fo = b < 80 ? o + (b & ~7) : b < 88 ? o + (b & ~3) : b < 104 ? o + (b & ~7) : o + 104 + ((b - 104) & ~7);
      const flen = b >= 80 && b < 88 ? 4 : 8;
      const hex = (a: Uint8Array): string => Buffer.from(a.subarray(fo, fo + flen)).toString('hex');
      const c = cases[k];
      return (
        `seed ${seed} case ${k}: words ${c.words.map((w) => (w >>> 0).toString(16).padStart(8, '0')).join(' ')}\n` +
        `  inputs r3..r12 = ${c.gpr.map((v) => BigInt.asUintN(64, v).toString(16)).join(' ')}\n` +
        `  cr=${(c.cr >>> 0).toString(16)} xer=${(c.xer >>> 0).toString(16)} ctr=${c.ctr.toString(16)} lr=${c.lr.toString(16)}\n` +
        `  ${field}: ours ${hex(ours)} qemu ${hex(ref)}`
      );
    }
  }
  return null;
}

export { rng };
