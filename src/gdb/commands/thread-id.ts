// Thread ids in packets (no multiprocess): `-1` all threads, `0` any thread, else a positive hex id.
import { parseHexInt } from '../rsp/hex.js';

export type ThreadSelector = { kind: 'all' } | { kind: 'any' } | { kind: 'id'; tid: number };

export function parseThreadSelector(s: string): ThreadSelector | undefined {
  if (s === '-1') return { kind: 'all' };
  const n = parseHexInt(s);
  if (n === undefined) return undefined;
  return n === 0 ? { kind: 'any' } : { kind: 'id', tid: n };
}

export function formatThreadId(tid: number): string {
  return tid.toString(16);
}
