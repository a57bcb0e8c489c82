import { describe, expect, it } from 'vitest';
import { StopReason } from '../../../src/cpu/cpu.js';
import { CR } from '../../../src/cpu/state.js';
import { D, DS, TRAP, X, machine, DATA, u64 } from './asm.js';

function run(words: number[], setup: (c: ReturnType<typeof machine>) => void): ReturnType<typeof machine> {
  const cpu = machine([...words, TRAP]);
  setup(cpu);
  const r = cpu.run(1000);
  if (r !== StopReason.TRAP) throw new Error(cpu.stop.describe());
  return cpu;
}

const bytes = (...b: number[]): Uint8Array => Uint8Array.from(b);

describe('loads', () => {
  const pattern = bytes(0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88);
  it('zero- and sign-extending D/DS/X forms', () => {
    const cpu = run(
      [
        D(34, 3, 4, 0), // lbz
        D(40, 5, 4, 0), // lhz
        D(42, 6, 4, 0), // lha
        D(32, 7, 4, 0), // lwz
        DS(58, 8, 4, 0, 2), // lwa
        DS(58, 9, 4, 0, 0), // ld
        X(31, 10, 4, 11, 341), // lwax r10, r4, r11
        X(31, 12, 4, 11, 343), // lhax
        X(31, 13, 0, 4, 21), // ldx r13, 0, r4  (RA=0 is zero)
      ],
      (c) => {
        c.mem.writeBytes(DATA, pattern);
        c.state.setGpr(4, DATA);
        c.state.setGpr(11, 4n);
      },
    );
    const g = (n: number): bigint => cpu.state.getGpr(n);
    expect(g(3)).toBe(0x81n);
    expect(g(5)).toBe(0x8182n);
    expect(g(6)).toBe(u64(-0x7e7en));
    expect(g(7)).toBe(0x81828384n);
    expect(g(8)).toBe(0xffffffff81828384n);
    expect(g(9)).toBe(0x8182838485868788n);
    expect(g(10)).toBe(0xffffffff85868788n);
    expect(g(12)).toBe(0xffffffffffff8586n);
    expect(g(13)).toBe(0x8182838485868788n);
  });

  it('byte-reversed loads and stores', () => {
    const cpu = run(
      [
        X(31, 3, 0, 4, 790), // lhbrx
        X(31, 5, 0, 4, 534), // lwbrx
        X(31, 6, 0, 4, 532), // ldbrx
        X(31, 6, 0, 7, 660), // stdbrx r6 -> DATA+16
        X(31, 5, 0, 8, 662), // stwbrx r5 -> DATA+32
        X(31, 3, 0, 9, 918), // sthbrx r3 -> DATA+40
      ],
      (c) => {
        c.mem.writeBytes(DATA, pattern);
        c.state.setGpr(4, DATA);
        c.state.setGpr(7, DATA + 16n);
        c.state.setGpr(8, DATA + 32n);
        c.state.setGpr(9, DATA + 40n);
      },
    );
    expect(cpu.state.getGpr(3)).toBe(0x8281n);
    expect(cpu.state.getGpr(5)).toBe(0x84838281n);
    expect(cpu.state.getGpr(6)).toBe(0x8887868584838281n);
    expect([...cpu.mem.readBytes(DATA + 16n, 8)]).toEqual([...pattern]);
    expect([...cpu.mem.readBytes(DATA + 32n, 4)]).toEqual([0x81, 0x82, 0x83, 0x84]);
    expect([...cpu.mem.readBytes(DATA + 40n, 2)]).toEqual([0x81, 0x82]);
  });

  it('update forms write EA to RA after the access; page-crossing unaligned accesses', () => {
    const cpu = run(
      [
        DS(62, 31, 1, -32, 1), // stdu r31,-32(r1)
        DS(58, 3, 5, 8, 1), // ldu r3,8(r5)
        D(35, 6, 7, 1), // lbzu r6,1(r7)
        D(39, 6, 8, -1), // stbu r6,-1(r8)
        X(31, 9, 10, 11, 149), // stdx across a page boundary
        X(31, 12, 10, 11, 21), // ldx back
      ],
      (c) => {
        c.state.setGpr(1, DATA + 0x100n);
        c.state.setGpr(31, 0x1122334455667788n);
        c.state.setGpr(5, DATA + 0xd8n);
        c.state.setGpr(7, DATA + 0xdfn);
        c.state.setGpr(8, DATA + 0x200n);
        c.state.setGpr(9, 0x0102030405060708n);
        c.state.setGpr(10, DATA + 0xfffcn);
        c.state.setGpr(11, 0n);
      },
    );
    const g = (n: number): bigint => cpu.state.getGpr(n);
    expect(g(1)).toBe(DATA + 0xe0n);
    expect(g(3)).toBe(0x1122334455667788n);
    expect(g(5)).toBe(DATA + 0xe0n);
    expect(g(6)).toBe(0x11n);
    expect(g(7)).toBe(DATA + 0xe0n);
    expect(g(8)).toBe(DATA + 0x1ffn);
    expect(g(12)).toBe(0x0102030405060708n);
  });

  it('lmw/stmw move words r(n)..r31', () => {
    const cpu = run([D(47, 28, 4, 0), D(46, 24, 4, 0)], (c) => {
      c.state.setGpr(4, DATA);
      for (let r = 28; r < 32; r++) c.state.setGpr(r, 0xaaaa0000_00000000n + BigInt(r));
    });
    expect(cpu.state.getGpr(24)).toBe(28n);
    expect(cpu.state.getGpr(27)).toBe(31n);
    expect(cpu.state.getGpr(28)).toBe(0n); // r24..r31 cover 8 words; only 4 were stored
  });

  it('dcbz zeroes the aligned 128-byte block', () => {
    const cpu = run([X(31, 0, 0, 4, 1014)], (c) => {
      c.mem.writeBytes(DATA + 0x100n, new Uint8Array(0x200).fill(0xee));
      c.state.setGpr(4, DATA + 0x1a3n);
    });
    const b = cpu.mem.readBytes(DATA + 0x100n, 0x200);
    expect(b.slice(0x80, 0x100).every((x) => x === 0)).toBe(true);
    expect(b[0x7f]).toBe(0xee);
    expect(b[0x100]).toBe(0xee);
  });
});

describe('reservations', () => {
  const cas = (xoLoad: number, xoStore: number): number[] => [
    X(31, 3, 0, 4, xoLoad), // lXarx r3,0,r4
    D(14, 3, 3, 1), // addi r3,r3,1
    X(31, 3, 0, 4, xoStore, 1), // stXcx. r3,0,r4
  ];
  for (const [name, l, st, width] of [
    ['lbarx/stbcx.', 52, 694, 1],
    ['lharx/sthcx.', 116, 726, 2],
    ['lwarx/stwcx.', 20, 150, 4],
    ['ldarx/stdcx.', 84, 214, 8],
  ] as const) {
    it(`${name} succeeds on the reserved address and sets CR0 EQ`, () => {
      const cpu = run(cas(l, st), (c) => {
        c.state.setGpr(4, DATA + 0x40n);
        c.mem.writeBytes(DATA + 0x40n, new Uint8Array(8).fill(0x10));
      });
      expect(cpu.state.spr[CR] >>> 28).toBe(2);
      const b = cpu.mem.readBytes(DATA + 0x40n, 8);
      expect(b[width - 1]).toBe(0x11);
    });
  }

  it('stwcx. fails without a reservation, at another address, or after a thread switch', () => {
    const noResv = run([X(31, 3, 0, 4, 150, 1)], (c) => c.state.setGpr(4, DATA));
    expect(noResv.state.spr[CR] >>> 28).toBe(0);
    const other = run([X(31, 3, 0, 4, 20), X(31, 3, 0, 5, 150, 1)], (c) => {
      c.state.setGpr(4, DATA);
      c.state.setGpr(5, DATA + 4n);
      c.state.setGpr(3, 0x77n);
    });
    expect(other.state.spr[CR] >>> 28).toBe(0);
    expect(other.mem.readU32(DATA + 4n)).toBe(0);
    const cpu = machine([X(31, 3, 0, 4, 20), X(31, 3, 0, 4, 150, 1), TRAP]);
    cpu.state.setGpr(4, DATA);
    expect(cpu.run(1)).toBe(StopReason.OK);
    cpu.clearReservation();
    expect(cpu.run(10)).toBe(StopReason.TRAP);
    expect(cpu.state.spr[CR] >>> 28).toBe(0);
  });
});
