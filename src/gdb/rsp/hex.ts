// Hex and binary helpers for the Remote Serial Protocol. Every parser returns `undefined` on bad
// input instead of throwing, so a malformed packet can never escape as a host exception.

const HEX_DIGITS = '0123456789abcdef';
const BYTE_TO_HEX: string[] = Array.from({ length: 256 }, (_, b) => HEX_DIGITS[b >> 4]! + HEX_DIGITS[b & 15]!);

/** Value of one ASCII hex digit (either case), or -1. */
export function hexDigitValue(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  if (code >= 0x61 && code <= 0x66) return code - 0x61 + 10;
  if (code >= 0x41 && code <= 0x46) return code - 0x41 + 10;
  return -1;
}

function isHex(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) if (hexDigitValue(s.charCodeAt(i)) < 0) return false;
  return true;
}

/** An unsigned hex number of at most 64 bits (addresses). */
export function parseHexBigInt(s: string): bigint | undefined {
  if (!isHex(s)) return undefined;
  const trimmed = s.replace(/^0+(?=.)/, '');
  if (trimmed.length > 16) return undefined;
  return BigInt('0x' + trimmed);
}

/** An unsigned hex number small enough to be an exact JS number (lengths, register numbers). */
export function parseHexInt(s: string): number | undefined {
  if (!isHex(s)) return undefined;
  const trimmed = s.replace(/^0+(?=.)/, '');
  if (trimmed.length > 13) return undefined;
  return parseInt(trimmed, 16);
}

/** Even-length hex string to bytes. */
export function hexToBytes(s: string): Uint8Array | undefined {
  if (s.length % 2 !== 0) return undefined;
  const out = new Uint8Array(s.length / 2);
  for (let i = 0; i < out.length; i++) {
    const hi = hexDigitValue(s.charCodeAt(2 * i));
    const lo = hexDigitValue(s.charCodeAt(2 * i + 1));
    if (hi < 0 || lo < 0) return undefined;
    out[i] = (hi << 4) | lo;
  }
  return out;
}

export function bytesToHex(bytes: Uint8Array): string {
  // Buffer's encoder wins beyond a few bytes (memory dumps); the table wins for registers.
  if (bytes.length > 32) return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += BYTE_TO_HEX[bytes[i]!];
  return s;
}

export function byteToHex(b: number): string {
  return BYTE_TO_HEX[b & 0xff]!;
}

/** Text (UTF-8) as hex, as used by qRcmd, O packets and vFile file names. */
export function textToHex(text: string): string {
  return bytesToHex(new TextEncoder().encode(text));
}

export function hexToText(s: string): string | undefined {
  const bytes = hexToBytes(s);
  return bytes === undefined ? undefined : new TextDecoder().decode(bytes);
}

/** A packet payload viewed as a string with one char per byte (binary-safe). */
export function bytesToLatin1(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
}

export function latin1ToBytes(s: string): Uint8Array {
  return new Uint8Array(Buffer.from(s, 'latin1'));
}
