// H (set thread for later operations), T (is thread alive) and qThreadExtraInfo (its name).
import { parseThreadSelector, ThreadSelector } from './thread-id.js';

/** `Hg tid` / `Hc tid` */
export function parseSetThread(packet: string): { op: 'g' | 'c'; thread: ThreadSelector } | undefined {
  const op = packet[1];
  if (op !== 'g' && op !== 'c') return undefined;
  const thread = parseThreadSelector(packet.slice(2));
  return thread === undefined ? undefined : { op, thread };
}

function threadIdOnly(s: string): number | undefined {
  const sel = parseThreadSelector(s);
  return sel?.kind === 'id' ? sel.tid : undefined;
}

/** `T tid` */
export function parseThreadAlive(packet: string): number | undefined {
  return threadIdOnly(packet.slice(1));
}

/** `qThreadExtraInfo,tid` */
export function parseThreadExtraInfo(packet: string): number | undefined {
  return threadIdOnly(packet.slice('qThreadExtraInfo,'.length));
}
