import { describe, expect, it } from 'vitest';
import { evaluateAgentExpression, parseConditionList } from '../../../src/gdb/agent-expr.js';

const ctx = {
  register: (regno: number) => (regno === 3 ? 1999n : regno === 4 ? 0xffffffffffffffffn : undefined),
  memory: (addr: bigint, length: number) =>
    addr >= 0x1000n && addr + BigInt(length) <= 0x1010n ? Uint8Array.from({ length }, (_, i) => 0xf0 + Number(addr - 0x1000n) + i) : undefined,
};
const run = (...code: number[]) => evaluateAgentExpression(Uint8Array.from(code), ctx);

describe('agent expressions', () => {
  it('evaluates what gdb sends for `i == 1999` (reg, ext, const, equal, end)', () => {
    expect(run(0x26, 0, 3, 0x16, 0x40, 0x23, 0x07, 0xcf, 0x13, 0x27)).toEqual({ value: 1n });
    expect(run(0x26, 0, 3, 0x16, 0x40, 0x22, 0x03, 0x13, 0x27)).toEqual({ value: 0n });
  });

  it('does signed and unsigned arithmetic on 64-bit values', () => {
    expect(run(0x26, 0, 4, 0x22, 1, 0x02, 0x27)).toEqual({ value: 0n }); // wraps
    expect(run(0x26, 0, 4, 0x22, 1, 0x14, 0x27)).toEqual({ value: 1n }); // -1 < 1 signed
    expect(run(0x26, 0, 4, 0x22, 1, 0x15, 0x27)).toEqual({ value: 0n }); // not unsigned
    expect(run(0x26, 0, 4, 0x22, 2, 0x05, 0x27)).toEqual({ value: 0n }); // -1 / 2 truncates to 0
    expect(run(0x22, 7, 0x22, 2, 0x07, 0x27)).toEqual({ value: 1n });
    expect(run(0x22, 0xff, 0x16, 8, 0x27)).toEqual({ value: 0xffffffffffffffffn }); // ext 8
    expect(run(0x26, 0, 4, 0x2a, 16, 0x27)).toEqual({ value: 0xffffn }); // zero_ext 16
    expect(run(0x22, 1, 0x22, 4, 0x09, 0x27)).toEqual({ value: 16n });
    expect(run(0x22, 0, 0x0e, 0x27)).toEqual({ value: 1n }); // log_not
  });

  it('loads big-endian memory, zero-extended, and reports unreadable memory as an error', () => {
    expect(run(0x23, 0x10, 0x00, 0x19, 0x27)).toEqual({ value: 0xf0f1f2f3n });
    expect(run(0x23, 0x10, 0x02, 0x17, 0x27)).toEqual({ value: 0xf2n });
    expect(run(0x23, 0x20, 0x00, 0x1a, 0x27)).toMatchObject({ error: expect.stringContaining('0x2000') });
  });

  it('branches, and handles stack operations', () => {
    // if (1) goto 8 else push 5; 8: push 9
    expect(run(0x22, 1, 0x20, 0, 8, 0x22, 5, 0x27, 0x22, 9, 0x27)).toEqual({ value: 9n });
    expect(run(0x22, 1, 0x22, 2, 0x2b, 0x27)).toEqual({ value: 1n }); // swap
    expect(run(0x22, 1, 0x22, 2, 0x22, 3, 0x33, 0x27)).toEqual({ value: 2n }); // rot: 1 2 3 => 3 1 2
    expect(run(0x22, 1, 0x22, 2, 0x32, 1, 0x27)).toEqual({ value: 1n }); // pick 1
    expect(run(0x22, 1, 0x28, 0x02, 0x27)).toEqual({ value: 2n }); // dup add
  });

  it('turns bad bytecode into errors, never exceptions or hangs', () => {
    expect(run(0x02, 0x27)).toHaveProperty('error');
    expect(run(0x22, 1, 0x22, 0, 0x05, 0x27)).toHaveProperty('error'); // division by zero
    expect(run(0x01, 0x27)).toHaveProperty('error'); // float: unsupported
    expect(run(0x22)).toHaveProperty('error');
    expect(run(0x21, 0, 0)).toHaveProperty('error'); // goto itself forever
    expect(run(0x26, 0, 9, 0x27)).toHaveProperty('error'); // unknown register
  });

  it('parses the condition list of a Z packet', () => {
    expect(parseConditionList('X2,2227;X1,27')).toEqual([Uint8Array.of(0x22, 0x27), Uint8Array.of(0x27)]);
    expect(parseConditionList('cmds:0,X1,27')).toEqual([]);
    expect(parseConditionList('X3,2227')).toBeUndefined();
  });
});
