// m / M / X: memory reads and writes.
import { hexToBytes, latin1ToBytes, parseHexBigInt, parseHexInt } from '../rsp/hex.js';

export interface ReadMemory {
  addr: bigint;
  length: number;
}
export interface WriteMemory {
  addr: bigint;
  data: Uint8Array;
}

function parseAddrLength(s: string): ReadMemory | undefined {
  const comma = s.indexOf(',');
  if (comma < 0) return undefined;
  const addr = parseHexBigInt(s.slice(0, comma));
  const length = parseHexInt(s.slice(comma + 1));
  if (addr === undefined || length === undefined) return undefined;
  return { addr, length };
}

/** `m addr,length` */
export function parseReadMemory(packet: string): ReadMemory | undefined {
  return parseAddrLength(packet.slice(1));
}

/** `M addr,length:XX…` */
export function parseWriteMemoryHex(packet: string): WriteMemory | undefined {
  const colon = packet.indexOf(':');
  if (colon < 0) return undefined;
  const head = parseAddrLength(packet.slice(1, colon));
  const data = hexToBytes(packet.slice(colon + 1));
  if (head === undefined || data === undefined || data.length !== head.length) return undefined;
  return { addr: head.addr, data };
}

/** `X addr,length:binary` (escapes were already undone by the framing layer). */
export function parseWriteMemoryBinary(packet: string): WriteMemory | undefined {
  const colon = packet.indexOf(':');
  if (colon < 0) return undefined;
  const head = parseAddrLength(packet.slice(1, colon));
  if (head === undefined) return undefined;
  const data = latin1ToBytes(packet.slice(colon + 1));
  if (data.length !== head.length) return undefined;
  return { addr: head.addr, data };
}
