// Instruction encoders and the guest programs the CPU bench runs (identical bytes for our CPU and,
// wrapped by elf.ts, for qemu-ppc64).
import { SC } from './guest-loop.js';

export const D = (po: number, t: number, a: number, imm: number): number => ((po << 26) | (t << 21) | (a << 16) | (imm & 0xffff)) | 0;
export const X = (t: number, a: number, b: number, xo: number): number => ((31 << 26) | (t << 21) | (a << 16) | (b << 11) | (xo << 1)) | 0;
export const DS = (po: number, t: number, a: number, imm: number, xo: number): number => ((po << 26) | (t << 21) | (a << 16) | (imm & 0xfffc) | xo) | 0;
export const MD = (s: number, a: number, sh: number, mb: number, xo: number): number =>
  ((30 << 26) | (s << 21) | (a << 16) | ((sh & 31) << 11) | ((mb & 31) << 6) | (mb & 32) | (xo << 2) | ((sh >> 5) << 1)) | 0;
export const BC = (bo: number, bi: number, off: number): number => ((16 << 26) | (bo << 21) | (bi << 16) | (off & 0xfffc)) | 0;
export const B = (off: number): number => ((18 << 26) | (off & 0x3fffffc)) | 0;
/** li r0,234 (exit_group); li r3,0; sc. Our CPU stops at the sc (two of these three count). */
export const EXIT = [D(14, 0, 0, 234), D(14, 3, 0, 0), SC];

export const LOOP_BODY = 6;
/** r3 counts to n; the body mixes add, logic, a 64-bit rotate, a compare and a taken branch. */
export function tightLoop(n: number): number[] {
  return [
    D(14, 3, 0, 0), // li r3,0
    D(15, 4, 0, n >>> 16), // lis r4,n@h
    D(24, 4, 4, n & 0xffff), // ori r4,r4,n@l
    D(14, 3, 3, 1), // loop: addi r3,r3,1
    X(5, 5, 3, 316), // xor r5,r5,r3
    MD(5, 6, 13, 0, 0), // rldicl r6,r5,13,0
    X(7, 7, 6, 266), // add r7,r7,r6
    X(1, 3, 4, 0), // cmpd cr0,r3,r4 (L=1)
    BC(4, 2, -20), // bne loop
    ...EXIT,
  ];
}
