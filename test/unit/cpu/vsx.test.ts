import { describe, expect, it } from 'vitest';
import { exec, newMachine } from './fp-helpers.js';

const X31 = (xo: number, t: number, a: number, b: number) => ((31 << 26) | ((t & 31) << 21) | (a << 16) | (b << 11) | (xo << 1) | (t >> 5)) | 0;
const XX3 = (xo: number, t: number, a: number, b: number) =>
  ((60 << 26) | ((t & 31) << 21) | ((a & 31) << 16) | ((b & 31) << 11) | (xo << 3) | ((a >> 5) << 2) | ((b >> 5) << 1) | (t >> 5)) | 0;

describe('VSX', () => {
  it('lxvd2x/stxvd2x move 16 bytes in BE order, unaligned, to VSRs above 31 too', () => {
    const { s, mem } = newMachine();
    const data = Uint8Array.from({ length: 16 }, (_, i) => i + 1);
    mem.writeBytes(0x10003n, data);
    s.setGpr(3, 0x10000n);
    s.setGpr(4, 3n);
    exec(s, mem, X31(844, 40, 3, 4));
    expect(s.vsr[4 * 40] >>> 0).toBe(0x01020304);
    expect(s.vsr[4 * 40 + 3] >>> 0).toBe(0x0d0e0f10);
    s.setGpr(4, 0x101n);
    exec(s, mem, X31(972, 40, 3, 4));
    expect([...mem.readBytes(0x10101n, 16)]).toEqual([...data]);
  });
  it('xxlxor vsN,vsN,vsN zeroes an FPR; xxlor copies', () => {
    const { s, mem } = newMachine();
    s.setFpr(5, 3.5);
    exec(s, mem, XX3(154, 5, 5, 5));
    expect(Object.is(s.getFpr(5), 0)).toBe(true);
    s.vsr.set([1, 2, 3, 4], 4 * 33);
    exec(s, mem, XX3(146, 7, 33, 33));
    expect([...s.vsr.subarray(28, 32)]).toEqual([1, 2, 3, 4]);
  });
  it('mtvsrd/mfvsrd round-trip raw bits (NaN payloads included)', () => {
    const { s, mem } = newMachine();
    s.setGpr(7, 0x7ff0000000000001n);
    exec(s, mem, X31(179, 3, 7, 0));
    exec(s, mem, X31(51, 3, 8, 0));
    expect(s.getGpr(8)).toBe(0x7ff0000000000001n);
    s.setGpr(7, 0xffffffff80000000n);
    exec(s, mem, X31(243, 34, 7, 0)); // mtvsrwz to VR2
    expect([s.vsr[4 * 34], s.vsr[4 * 34 + 1] >>> 0]).toEqual([0, 0x80000000]);
  });
  it('xxpermdi selects doublewords by DM', () => {
    const { s, mem } = newMachine();
    s.vsr.set([1, 2, 3, 4], 4 * 1);
    s.vsr.set([5, 6, 7, 8], 4 * 2);
    exec(s, mem, XX3(10 | (2 << 5), 3, 1, 2));
    expect([...s.vsr.subarray(12, 16)]).toEqual([3, 4, 5, 6]);
    exec(s, mem, XX3(10 | (1 << 5), 3, 1, 2));
    expect([...s.vsr.subarray(12, 16)]).toEqual([1, 2, 7, 8]);
  });
});
