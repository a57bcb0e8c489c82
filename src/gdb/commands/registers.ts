// g / G / p / P: register access.
import { hexToBytes, parseHexInt } from '../rsp/hex.js';

/** `p n` */
export function parseReadRegister(packet: string): number | undefined {
  return parseHexInt(packet.slice(1));
}

/** `P n=XX…` */
export function parseWriteRegister(packet: string): { regno: number; value: Uint8Array } | undefined {
  const eq = packet.indexOf('=');
  if (eq < 0) return undefined;
  const regno = parseHexInt(packet.slice(1, eq));
  const value = hexToBytes(packet.slice(eq + 1));
  if (regno === undefined || value === undefined) return undefined;
  return { regno, value };
}

/** `G XX…` */
export function parseWriteRegisters(packet: string): Uint8Array | undefined {
  return hexToBytes(packet.slice(1));
}
