// vCont and the legacy c / s / C / S packets.
import { parseHexBigInt, parseHexInt } from '../rsp/hex.js';
import { parseThreadSelector, ThreadSelector } from './thread-id.js';

export type VContAction =
  | { kind: 'continue'; signal?: number }
  | { kind: 'step'; signal?: number }
  | { kind: 'stop' }
  | { kind: 'range-step'; start: bigint; end: bigint };

export interface VContItem {
  action: VContAction;
  /** Absent: applies to every thread not named by an earlier item. */
  thread?: ThreadSelector;
}

function parseSignal(s: string): number | undefined {
  if (s.length !== 2) return undefined;
  return parseHexInt(s);
}

function parseAction(s: string): VContAction | undefined {
  switch (s[0]) {
    case 'c':
      return s.length === 1 ? { kind: 'continue' } : undefined;
    case 's':
      return s.length === 1 ? { kind: 'step' } : undefined;
    case 't':
      return s.length === 1 ? { kind: 'stop' } : undefined;
    case 'C':
    case 'S': {
      const signal = parseSignal(s.slice(1));
      if (signal === undefined) return undefined;
      return { kind: s[0] === 'C' ? 'continue' : 'step', signal };
    }
    case 'r': {
      const [a, b, ...rest] = s.slice(1).split(',');
      if (rest.length !== 0 || a === undefined || b === undefined) return undefined;
      const start = parseHexBigInt(a);
      const end = parseHexBigInt(b);
      if (start === undefined || end === undefined) return undefined;
      return { kind: 'range-step', start, end };
    }
    default:
      return undefined;
  }
}

/** `vCont;action[:thread];…` (the `vCont?` query is handled separately). */
export function parseVCont(packet: string): VContItem[] | undefined {
  const items: VContItem[] = [];
  for (const part of packet.slice(6).split(';')) {
    const colon = part.indexOf(':');
    const action = parseAction(colon < 0 ? part : part.slice(0, colon));
    if (action === undefined) return undefined;
    if (colon < 0) {
      items.push({ action });
    } else {
      const thread = parseThreadSelector(part.slice(colon + 1));
      if (thread === undefined) return undefined;
      items.push({ action, thread });
    }
  }
  return items;
}

export interface LegacyResume {
  step: boolean;
  signal?: number;
  /** Resume at this address instead of the current pc. */
  addr?: bigint;
}

/** `c [addr]`, `s [addr]`, `Csig[;addr]`, `Ssig[;addr]` */
export function parseLegacyResume(packet: string): LegacyResume | undefined {
  const op = packet[0];
  const step = op === 's' || op === 'S';
  let rest = packet.slice(1);
  let signal: number | undefined;
  if (op === 'C' || op === 'S') {
    const semi = rest.indexOf(';');
    signal = parseSignal(semi < 0 ? rest : rest.slice(0, semi));
    if (signal === undefined) return undefined;
    rest = semi < 0 ? '' : rest.slice(semi + 1);
    if (semi >= 0 && rest === '') return undefined;
  } else if (op !== 'c' && op !== 's') {
    return undefined;
  }
  if (rest === '') return signal === undefined ? { step } : { step, signal };
  const addr = parseHexBigInt(rest);
  if (addr === undefined) return undefined;
  return signal === undefined ? { step, addr } : { step, signal, addr };
}
