// vFile host I/O: the subset gdb uses to read the executable (setfs/open/pread/close/fstat).
import { hexToText, parseHexInt } from '../rsp/hex.js';

export type VFilePacket =
  | { op: 'setfs'; pid: number }
  | { op: 'open'; path: string; flags: number; mode: number }
  | { op: 'pread'; fd: number; count: number; offset: number }
  | { op: 'close'; fd: number }
  | { op: 'fstat'; fd: number }
  | { op: 'unsupported'; name: string };

function ints(s: string, n: number): number[] | undefined {
  const parts = s.split(',');
  if (parts.length !== n) return undefined;
  const out: number[] = [];
  for (const p of parts) {
    const v = parseHexInt(p);
    if (v === undefined) return undefined;
    out.push(v);
  }
  return out;
}

/** `vFile:op:args` */
export function parseVFile(packet: string): VFilePacket | undefined {
  const colon = packet.indexOf(':', 6);
  const name = colon < 0 ? packet.slice(6) : packet.slice(6, colon);
  const args = colon < 0 ? '' : packet.slice(colon + 1);
  switch (name) {
    case 'setfs': {
      const v = ints(args, 1);
      return v && { op: 'setfs', pid: v[0]! };
    }
    case 'open': {
      const parts = args.split(',');
      if (parts.length !== 3) return undefined;
      const path = hexToText(parts[0]!);
      const rest = ints(`${parts[1]},${parts[2]}`, 2);
      if (path === undefined || rest === undefined) return undefined;
      return { op: 'open', path, flags: rest[0]!, mode: rest[1]! };
    }
    case 'pread': {
      const v = ints(args, 3);
      return v && { op: 'pread', fd: v[0]!, count: v[1]!, offset: v[2]! };
    }
    case 'close': {
      const v = ints(args, 1);
      return v && { op: 'close', fd: v[0]! };
    }
    case 'fstat': {
      const v = ints(args, 1);
      return v && { op: 'fstat', fd: v[0]! };
    }
    default:
      return { op: 'unsupported', name };
  }
}
