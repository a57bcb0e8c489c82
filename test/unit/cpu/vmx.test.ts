import { describe, expect, it } from 'vitest';
import { CR } from '../../../src/cpu/state.js';
import { encVA, encVX, exec, newMachine } from './fp-helpers.js';
import type { CpuState } from '../../../src/cpu/state.js';

const X31 = (xo: number, t: number, a: number, b: number, tx = 0) => ((31 << 26) | (t << 21) | (a << 16) | (b << 11) | (xo << 1) | tx) | 0;
const vrBytes = (s: CpuState, n: number): number[] => {
  const out: number[] = [];
  for (let i = 0; i < 4; i++) {
    const w = s.vsr[4 * (32 + n) + i];
    out.push((w >>> 24) & 255, (w >>> 16) & 255, (w >>> 8) & 255, w & 255);
  }
  return out;
};
const setVrBytes = (s: CpuState, n: number, b: number[]) => {
  for (let i = 0; i < 4; i++) s.vsr[4 * (32 + n) + i] = (b[4 * i] << 24) | (b[4 * i + 1] << 16) | (b[4 * i + 2] << 8) | b[4 * i + 3];
};
const seq = (start: number) => Array.from({ length: 16 }, (_, i) => (start + i) & 255);

describe('VMX loads, stores and permutes', () => {
  it('lvx masks the low 4 address bits; stvx too', () => {
    const { s, mem } = newMachine();
    mem.writeBytes(0x10000n, Uint8Array.from(seq(0x40)));
    s.setGpr(4, 0x1000an);
    exec(s, mem, X31(103, 1, 0, 4)); // lvx v1,0,r4
    expect(vrBytes(s, 1)).toEqual(seq(0x40));
    s.setGpr(5, 0x10017n);
    exec(s, mem, X31(231, 1, 0, 5)); // stvx v1,0,r5 -> 0x10010
    expect([...mem.readBytes(0x10010n, 16)]).toEqual(seq(0x40));
  });
  it('lvsl/lvsr + vperm realign an unaligned load', () => {
    const { s, mem } = newMachine();
    s.setGpr(4, 0x10003n);
    exec(s, mem, X31(6, 2, 0, 4)); // lvsl v2
    expect(vrBytes(s, 2)).toEqual(seq(3));
    exec(s, mem, X31(38, 3, 0, 4)); // lvsr v3
    expect(vrBytes(s, 3)).toEqual(seq(13));
    setVrBytes(s, 4, seq(0));
    setVrBytes(s, 5, seq(16));
    exec(s, mem, encVA(43, 6, 4, 5, 2)); // vperm v6,v4,v5,v2
    expect(vrBytes(s, 6)).toEqual(seq(3));
    exec(s, mem, encVA(44, 7, 4, 5, 5)); // vsldoi v7,v4,v5,5
    expect(vrBytes(s, 7)).toEqual(seq(5));
  });
  it('vcmpequb. sets CR6 all-true / none-true', () => {
    const { s, mem } = newMachine();
    setVrBytes(s, 1, seq(0));
    setVrBytes(s, 2, seq(0));
    exec(s, mem, encVX(6 | 0x400, 3, 1, 2));
    expect((s.spr[CR] >>> 4) & 0xf).toBe(8);
    expect(vrBytes(s, 3)).toEqual(new Array(16).fill(255));
    setVrBytes(s, 2, seq(100));
    exec(s, mem, encVX(6 | 0x400, 3, 1, 2));
    expect((s.spr[CR] >>> 4) & 0xf).toBe(2);
    setVrBytes(s, 2, [0, ...seq(101).slice(1)]);
    exec(s, mem, encVX(6 | 0x400, 3, 1, 2));
    expect((s.spr[CR] >>> 4) & 0xf).toBe(0);
  });
  it('vspltisb sign-extends; vspltb splats a BE element; vaddudm carries across words', () => {
    const { s, mem } = newMachine();
    exec(s, mem, encVX(780, 1, 0x1f, 0)); // vspltisb v1,-1
    expect(vrBytes(s, 1)).toEqual(new Array(16).fill(255));
    setVrBytes(s, 2, seq(0));
    exec(s, mem, encVX(524, 3, 5, 2)); // vspltb v3,v2,5
    expect(vrBytes(s, 3)).toEqual(new Array(16).fill(5));
    s.vsr.set([0, -1, 0, 1], 4 * 34);
    s.vsr.set([0, 1, -1, -1], 4 * 35);
    exec(s, mem, encVX(192, 4, 2, 3)); // vaddudm
    expect([...s.vsr.subarray(4 * 36, 4 * 36 + 4)]).toEqual([1, 0, 0, 0]);
  });
  it('vbpermq gathers bits into doubleword 0 bits 48:63', () => {
    const { s, mem } = newMachine();
    s.vsr.set([0x80000000 | 0, 0, 0, 1], 4 * 33);
    setVrBytes(s, 2, [0, 127, 1, 200, ...new Array(12).fill(0)]);
    exec(s, mem, encVX(1356, 3, 1, 2));
    expect([...s.vsr.subarray(4 * 35, 4 * 35 + 4)]).toEqual([0, 0xcfff, 0, 0]);
  });
});
