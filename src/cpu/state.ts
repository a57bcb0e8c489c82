// The register file of one guest hardware thread, in typed arrays so that the interpreter's hot
// loop reads and writes plain int32 slots and snapshots are a byte copy.
//
// 64-bit registers are int32 halves. GPR n is gpr[2n] (low word) and gpr[2n+1] (high word): a
// native little-endian int64 at byte 8n, which the Wasm tier loads and stores as one i64 with no
// rotate (notes/cpu-performance.md, "Register pressure in the Wasm regions"). SPR pairs (PC, LR,
// CTR) keep high word first.
// The 64 VSX registers are 128 bits each, stored as four int32 words, most significant first:
// VSR n is vsr[4n..4n+3]. FPR n is doubleword 0 of VSR n (vsr[4n], vsr[4n+1]); VR n is VSR 32+n.

import { hiOf, loOf, toBig } from './int64.js';
import { REGS_BYTES, VSR_OFFSET, arenaReclaim, guestArena } from './wasm/arena.js';

/** Indices into CpuState.spr. */
export const PC_HI = 0;
export const PC_LO = 1;
export const LR_HI = 2;
export const LR_LO = 3;
export const CTR_HI = 4;
export const CTR_LO = 5;
/** Condition register, CR0 in the top nibble (IBM bits 32-35 of the 64-bit view). */
export const CR = 6;
/** XER low word: SO = 0x80000000, OV = 0x40000000, CA = 0x20000000, byte count in bits 0-6. */
export const XER = 7;
export const FPSCR = 8;
export const VSCR = 9;
export const VRSAVE = 10;
/** Load-reservation: address halves and length in bytes (0 = no reservation held). */
export const RESV_HI = 11;
export const RESV_LO = 12;
export const RESV_LEN = 13;
export const SPR_SLOTS = 16;

export const XER_SO = 0x80000000 | 0;
export const XER_OV = 0x40000000;
export const XER_CA = 0x20000000;

export class CpuState {
  readonly gpr: Int32Array;
  readonly vsr: Int32Array;
  readonly spr: Int32Array;
  /**
   * Arena offset of gpr (spr follows at +256, vsr at +VSR_OFFSET), or -1: with the guest arena
   * (wasm/arena.ts) the registers live in it, where code of the Wasm tier loads them into locals.
   */
  readonly regBase: number;

  constructor() {
    const arena = guestArena();
    const at = arena === null ? -1 : arena.allocSmall(REGS_BYTES);
    this.regBase = at;
    if (at < 0) {
      this.gpr = new Int32Array(64);
      this.spr = new Int32Array(SPR_SLOTS);
      this.vsr = new Int32Array(256);
    } else {
      this.gpr = new Int32Array(arena!.buffer, at, 64);
      this.spr = new Int32Array(arena!.buffer, at + 256, SPR_SLOTS);
      this.vsr = new Int32Array(arena!.buffer, at + VSR_OFFSET, 256);
      arenaReclaim.register(this, { small: [[at, REGS_BYTES]] });
    }
  }

  /** Copy every register from another state (thread switch, snapshot restore). */
  copyFrom(other: CpuState): void {
    this.gpr.set(other.gpr);
    this.vsr.set(other.vsr);
    this.spr.set(other.spr);
  }

  getGpr(n: number): bigint {
    return toBig(this.gpr[2 * n + 1], this.gpr[2 * n]);
  }

  setGpr(n: number, v: bigint): void {
    this.gpr[2 * n + 1] = hiOf(v);
    this.gpr[2 * n] = loOf(v);
  }

  get pc(): bigint {
    return toBig(this.spr[PC_HI], this.spr[PC_LO]);
  }

  set pc(v: bigint) {
    this.spr[PC_HI] = hiOf(v);
    this.spr[PC_LO] = loOf(v);
  }

  get lr(): bigint {
    return toBig(this.spr[LR_HI], this.spr[LR_LO]);
  }

  set lr(v: bigint) {
    this.spr[LR_HI] = hiOf(v);
    this.spr[LR_LO] = loOf(v);
  }

  get ctr(): bigint {
    return toBig(this.spr[CTR_HI], this.spr[CTR_LO]);
  }

  set ctr(v: bigint) {
    this.spr[CTR_HI] = hiOf(v);
    this.spr[CTR_LO] = loOf(v);
  }

  /** FPR n as a double (doubleword 0 of VSR n). */
  getFpr(n: number): number {
    f64Words[HI_WORD] = this.vsr[4 * n];
    f64Words[LO_WORD] = this.vsr[4 * n + 1];
    return f64[0];
  }

  setFpr(n: number, v: number): void {
    f64[0] = v;
    this.vsr[4 * n] = f64Words[HI_WORD];
    this.vsr[4 * n + 1] = f64Words[LO_WORD];
  }
}

// Scratch for double <-> word conversion; the host is little-endian (checked below).
const f64 = new Float64Array(1);
const f64Words = new Int32Array(f64.buffer);
const HI_WORD = 1;
const LO_WORD = 0;
if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) {
  throw new Error('aix-gdbstub needs a little-endian host');
}
