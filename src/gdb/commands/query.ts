// General queries and settings: qSupported, qXfer, qRcmd, QPassSignals, QCatchSyscalls, vRun.
import { hexToText, parseHexInt } from '../rsp/hex.js';

// The packet table has matched each packet's prefix before its parser runs: the parsers read the
// arguments only.

/** `qSupported[:feature;feature…]` → gdb's features, e.g. swbreak → '+'. */
export function parseQSupported(packet: string): Map<string, string> | undefined {
  const features = new Map<string, string>();
  if (packet.length <= 11) return features;
  for (const f of packet.slice(11).split(';')) {
    if (f === '') continue;
    const eq = f.indexOf('=');
    if (eq >= 0) features.set(f.slice(0, eq), f.slice(eq + 1));
    else if (f.endsWith('+') || f.endsWith('-') || f.endsWith('?')) features.set(f.slice(0, -1), f.slice(-1));
    else return undefined;
  }
  return features;
}

export interface XferRead {
  object: string;
  annex: string;
  offset: number;
  length: number;
}

/** `qXfer:object:read:annex:offset,length` */
export function parseQXferRead(packet: string): XferRead | undefined {
  const parts = packet.split(':');
  if (parts.length !== 5 || parts[2] !== 'read') return undefined;
  const range = parts[4]!.split(',');
  if (range.length !== 2) return undefined;
  const offset = parseHexInt(range[0]!);
  const length = parseHexInt(range[1]!);
  if (offset === undefined || length === undefined) return undefined;
  return { object: parts[1]!, annex: parts[3]!, offset, length };
}

/** `qRcmd,HEX` → the monitor command text. */
export function parseQRcmd(packet: string): string | undefined {
  return hexToText(packet.slice(6));
}

/** `QPassSignals:sig;sig…` (hex signal numbers; may be empty). */
export function parseQPassSignals(packet: string): Set<number> | undefined {
  const out = new Set<number>();
  const body = packet.slice(13);
  if (body === '') return out;
  for (const s of body.split(';')) {
    if (s === '') continue; // gdb ends the list with ';'
    const n = parseHexInt(s);
    if (n === undefined || n > 255) return undefined;
    out.add(n);
  }
  return out;
}

export type CatchSyscallsPacket = { kind: 'off' } | { kind: 'all' } | { kind: 'list'; numbers: number[] };

/** `QCatchSyscalls:0` / `QCatchSyscalls:1` / `QCatchSyscalls:1;nr;nr…` */
export function parseQCatchSyscalls(packet: string): CatchSyscallsPacket | undefined {
  const [flag, ...nums] = packet.slice(15).split(';');
  if (flag === '0') return nums.length === 0 ? { kind: 'off' } : undefined;
  if (flag !== '1') return undefined;
  if (nums.length === 0) return { kind: 'all' };
  const numbers: number[] = [];
  for (const s of nums) {
    const n = parseHexInt(s);
    if (n === undefined) return undefined;
    numbers.push(n);
  }
  return { kind: 'list', numbers };
}

/** `vRun;program;arg…` (hex-encoded; empty program = the default one). */
export function parseVRun(packet: string): { program: string; args: string[] } | undefined {
  const decoded: string[] = [];
  for (const part of packet.slice(5).split(';')) {
    const text = hexToText(part);
    if (text === undefined) return undefined;
    decoded.push(text);
  }
  const [program, ...args] = decoded;
  return { program: program ?? '', args };
}
