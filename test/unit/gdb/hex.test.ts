import { describe, expect, it } from 'vitest';
import {
  bytesToHex, hexToBytes, hexToText, parseHexBigInt, parseHexInt, textToHex,
} from '../../../src/gdb/rsp/hex.js';

describe('hex helpers', () => {
  it('parses addresses up to 64 bits and rejects junk', () => {
    expect(parseHexBigInt('ffffffffffffffff')).toBe(0xffffffffffffffffn);
    expect(parseHexBigInt('00000000000000010000')).toBe(0x10000n);
    expect(parseHexBigInt('10000000000000000')).toBeUndefined();
    expect(parseHexBigInt('')).toBeUndefined();
    expect(parseHexBigInt('12g')).toBeUndefined();
    expect(parseHexBigInt('-1')).toBeUndefined();
  });

  it('parses small numbers', () => {
    expect(parseHexInt('1F')).toBe(31);
    expect(parseHexInt('fffffffffffffff')).toBeUndefined();
    expect(parseHexInt(' 1')).toBeUndefined();
  });

  it('converts bytes and text', () => {
    expect(bytesToHex(Uint8Array.of(0, 0xab, 0x7f))).toBe('00ab7f');
    expect(Array.from(hexToBytes('00AB7f')!)).toEqual([0, 0xab, 0x7f]);
    expect(hexToBytes('abc')).toBeUndefined();
    expect(hexToBytes('zz')).toBeUndefined();
    expect(textToHex('help')).toBe('68656c70');
    expect(hexToText('68656c70')).toBe('help');
  });
});
