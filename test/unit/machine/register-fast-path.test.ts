// The per-register fast path (stop replies, `p`) must give exactly the bytes of the full conversion.
import { describe, expect, it } from 'vitest';
import { CR, CpuState, XER } from '../../../src/cpu/state.js';
import { PPC64_REGISTER_COUNT, readPpc64Register } from '../../../src/gdb/arch/ppc64.js';
import { registerBytesFromState, registersFromState } from '../../../src/machine/registers.js';

describe('registerBytesFromState', () => {
  it('agrees with registersFromState for every register it serves', () => {
    const s = new CpuState();
    for (let i = 0; i < 32; i++) s.setGpr(i, (0x0123456789abcdefn * BigInt(i + 1)) & 0xffffffffffffffffn);
    s.pc = 0x1000c22d4n;
    s.lr = 0xfffffffffffffff0n;
    s.ctr = 0x8000000000000001n;
    s.spr[CR] = 0x84000042 | 0; // sign bit set
    s.spr[XER] = 0xa0000000 | 0;
    const full = registersFromState(s);
    let served = 0;
    for (let regno = 0; regno < PPC64_REGISTER_COUNT; regno++) {
      const fast = registerBytesFromState(s, regno);
      if (fast === undefined) continue;
      served++;
      expect([...fast], `register ${regno}`).toEqual([...readPpc64Register(full, regno)!]);
    }
    expect(served).toBe(38); // r0-r31, pc, msr, cr, lr, ctr, xer
  });
});
