// H (set thread for later operations) and T (is thread alive).
import { parseThreadSelector, ThreadSelector } from './thread-id.js';

/** `Hg tid` / `Hc tid` */
export function parseSetThread(packet: string): { op: 'g' | 'c'; thread: ThreadSelector } | undefined {
  const op = packet[1];
  if (op !== 'g' && op !== 'c') return undefined;
  const thread = parseThreadSelector(packet.slice(2));
  return thread === undefined ? undefined : { op, thread };
}

/** `T tid` */
export function parseThreadAlive(packet: string): number | undefined {
  const sel = parseThreadSelector(packet.slice(1));
  return sel?.kind === 'id' ? sel.tid : undefined;
}
