import { describe, expect, it } from 'vitest';
import {
  PPC64_REGISTERS, PPC64_REGISTER_BYTES, PPC64_TARGET_XML, createPpc64Registers, ppc64TargetXml,
  deserializePpc64Registers, readPpc64Register, serializePpc64Registers, writePpc64Register,
} from '../../../src/gdb/arch/ppc64.js';
import { bytesToHex } from '../../../src/gdb/rsp/hex.js';

function sampleRegisters() {
  const r = createPpc64Registers();
  for (let i = 0; i < 32; i++) {
    r.gpr[i] = 0x0102030405060700n + BigInt(i);
    r.fpr[i] = 0x7ff0000000000001n + BigInt(i); // signalling NaN payloads must survive
    r.vsrLow[i] = 0xa0a0a0a0b0b0b000n + BigInt(i);
  }
  for (let i = 0; i < r.vr.length; i++) r.vr[i] = (i * 7) & 0xff;
  Object.assign(r, {
    pc: 0x10000200n, msr: 0x800000000000d032n, cr: 0x24000482, lr: 0x10000abcn,
    ctr: 0xffffffffffffffffn, xer: 0x20000000, fpscr: 0x82004000, vscr: 0x10000, vrsave: 0xffffffff,
  });
  return r;
}

describe('ppc64 register layout', () => {
  it('numbers registers like gdb rs6000 tdep for 64-bit', () => {
    const byName = new Map(PPC64_REGISTERS.map((r) => [r.name, r]));
    expect(byName.get('r31')!.regno).toBe(31);
    expect(byName.get('f0')!.regno).toBe(32);
    expect(byName.get('pc')!.regno).toBe(64);
    expect(byName.get('cr')!).toMatchObject({ regno: 66, bits: 32 });
    expect(byName.get('lr')!.regno).toBe(67);
    expect(byName.get('xer')!).toMatchObject({ regno: 69, bits: 32 });
    expect(byName.get('fpscr')!).toMatchObject({ regno: 70, bits: 32 });
    expect(byName.get('vr0')!).toMatchObject({ regno: 71, bits: 128 });
    expect(byName.get('vrsave')!.regno).toBe(104);
    expect(byName.get('vs31h')!.regno).toBe(136);
    PPC64_REGISTERS.forEach((r, i) => expect(r.regno).toBe(i));
    // 64 × 8 + pc msr lr ctr (8) + cr xer fpscr (4) + 32 × 16 + vscr vrsave (4) + 32 × 8
    expect(PPC64_REGISTER_BYTES).toBe(512 + 32 + 12 + 512 + 8 + 256);
    expect(byName.get('pc')!.offset).toBe(512);
  });

  it('serializes big-endian and round-trips', () => {
    const regs = sampleRegisters();
    const bytes = serializePpc64Registers(regs);
    expect(bytesToHex(bytes.subarray(0, 8))).toBe('0102030405060700');
    expect(bytesToHex(bytes.subarray(512, 520))).toBe('0000000010000200');
    expect(bytesToHex(bytes.subarray(528, 532))).toBe('24000482');
    const back = deserializePpc64Registers(bytes)!;
    expect(back).toEqual(regs);
    expect(serializePpc64Registers(back)).toEqual(bytes);
    expect(deserializePpc64Registers(bytes.subarray(1))).toBeUndefined();
  });

  it('reads and writes single registers', () => {
    const regs = sampleRegisters();
    expect(bytesToHex(readPpc64Register(regs, 66)!)).toBe('24000482');
    expect(bytesToHex(readPpc64Register(regs, 71)!)).toBe(bytesToHex(regs.vr.subarray(0, 16)));
    expect(readPpc64Register(regs, 137)).toBeUndefined();
    expect(writePpc64Register(regs, 67, Uint8Array.of(0, 0, 0, 0, 0, 0, 0x12, 0x34))).toBe(true);
    expect(regs.lr).toBe(0x1234n);
    expect(writePpc64Register(regs, 67, Uint8Array.of(1))).toBe(false);
  });

  it('describes every feature in the target XML', () => {
    expect(PPC64_TARGET_XML).toContain('<architecture>powerpc:common64</architecture>');
    for (const f of ['core', 'fpu', 'altivec', 'vsx']) expect(PPC64_TARGET_XML).toContain(`org.gnu.gdb.power.${f}`);
    expect(PPC64_TARGET_XML).toContain('<reg name="pc" bitsize="64" type="code_ptr" regnum="64"/>');
    expect(PPC64_TARGET_XML.match(/<reg /g)).toHaveLength(137);
    // The DTD wants osabi right after architecture; GNU/Linux unless serve --osabi none.
    expect(PPC64_TARGET_XML).toContain('</architecture>\n  <osabi>GNU/Linux</osabi>\n  <feature');
    expect(ppc64TargetXml('none')).toContain('<osabi>none</osabi>');
  });
});
