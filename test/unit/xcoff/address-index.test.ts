// Address → symbol+offset on small hand-made symbol sets, including the overlaps Go never emits.
import { describe, expect, it } from 'vitest';
import { AddressIndex } from '../../../src/xcoff/address-index.js';

const sym = (name: string, address: bigint, size: bigint) => ({ name, address, size });

describe('AddressIndex', () => {
  it('finds the containing symbol and the offset, and nothing in gaps', () => {
    const idx = new AddressIndex([sym('b', 0x200n, 0x10n), sym('a', 0x100n, 0x80n), sym('marker', 0x180n, 0n)]);
    expect(idx.lookup(0x100n)).toMatchObject({ name: 'a', offset: 0n });
    expect(idx.lookup(0x17fn)).toMatchObject({ name: 'a', offset: 0x7fn });
    expect(idx.lookup(0x180n)).toBeUndefined(); // zero-size markers never match
    expect(idx.lookup(0x1ffn)).toBeUndefined();
    expect(idx.lookup(0x20fn)).toMatchObject({ name: 'b', offset: 0xfn });
    expect(idx.lookup(0x210n)).toBeUndefined();
    expect(idx.lookup(0n)).toBeUndefined();
    expect(new AddressIndex([]).lookup(0x100n)).toBeUndefined();
  });

  it('prefers the innermost symbol when symbols overlap, and reaches a long one across short ones', () => {
    const idx = new AddressIndex([
      sym('outer', 0x1000n, 0x1000n),
      sym('inner', 0x1100n, 0x10n),
      sym('same-start-small', 0x1000n, 0x8n),
      ...Array.from({ length: 20 }, (_, i) => sym(`tiny${i}`, 0x1200n + BigInt(i) * 0x10n, 0x4n)),
    ]);
    expect(idx.lookup(0x1000n)?.name).toBe('same-start-small');
    expect(idx.lookup(0x1008n)).toMatchObject({ name: 'outer', offset: 8n });
    expect(idx.lookup(0x1104n)).toMatchObject({ name: 'inner', offset: 4n });
    expect(idx.lookup(0x1204n)).toMatchObject({ name: 'outer', offset: 0x204n });
    expect(idx.lookup(0x13f8n)).toMatchObject({ name: 'outer', offset: 0x3f8n }); // past all 20 tiny ones
    expect(idx.lookup(0x2000n)).toBeUndefined();
  });
});
