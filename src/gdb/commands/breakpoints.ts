// Z / z: insert and remove breakpoints and watchpoints.
import type { BreakpointKind } from '../target.js';
import { parseHexBigInt, parseHexInt } from '../rsp/hex.js';

export interface BreakpointPacket {
  insert: boolean;
  kind: BreakpointKind;
  addr: bigint;
  /** Breakpoint kind (instruction size, 4 on Power) or watched length. */
  length: number;
}

const KINDS: readonly BreakpointKind[] = ['sw', 'hw', 'watch-write', 'watch-read', 'watch-access'];

/** `Ztype,addr,kind[;cond…]` / `ztype,addr,kind`; conditions are ignored (not advertised). */
export function parseBreakpoint(packet: string): BreakpointPacket | undefined {
  const insert = packet[0] === 'Z';
  const fields = packet.slice(1).split(';')[0]!.split(',');
  if (fields.length !== 3) return undefined;
  const type = parseHexInt(fields[0]!);
  const addr = parseHexBigInt(fields[1]!);
  const length = parseHexInt(fields[2]!);
  if (type === undefined || addr === undefined || length === undefined) return undefined;
  const kind = KINDS[type];
  if (kind === undefined) return undefined;
  return { insert, kind, addr, length };
}
