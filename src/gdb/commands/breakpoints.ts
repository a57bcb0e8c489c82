// Z / z: insert and remove breakpoints and watchpoints.
import { parseConditionList } from '../agent-expr.js';
import type { BreakpointKind } from '../target.js';
import { parseHexBigInt, parseHexInt } from '../rsp/hex.js';

export interface BreakpointPacket {
  insert: boolean;
  kind: BreakpointKind;
  addr: bigint;
  /** Breakpoint kind (instruction size, 4 on Power) or watched length. */
  length: number;
  /** Agent-expression conditions sent with Z0/Z1 (ConditionalBreakpoints+); empty: unconditional. */
  conditions: Uint8Array[];
}

const KINDS: readonly BreakpointKind[] = ['sw', 'hw', 'watch-write', 'watch-read', 'watch-access'];

/** `Ztype,addr,kind[;X<len>,<bytecode>…]` / `ztype,addr,kind`. */
export function parseBreakpoint(packet: string): BreakpointPacket | undefined {
  const insert = packet[0] === 'Z';
  const semi = packet.indexOf(';');
  const fields = (semi < 0 ? packet.slice(1) : packet.slice(1, semi)).split(',');
  const conditions = semi < 0 ? [] : parseConditionList(packet.slice(semi + 1));
  if (conditions === undefined) return undefined;
  if (fields.length !== 3) return undefined;
  const type = parseHexInt(fields[0]!);
  const addr = parseHexBigInt(fields[1]!);
  const length = parseHexInt(fields[2]!);
  if (type === undefined || addr === undefined || length === undefined) return undefined;
  const kind = KINDS[type];
  if (kind === undefined) return undefined;
  return { insert, kind, addr, length, conditions };
}
