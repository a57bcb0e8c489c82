// `monitor CMD` (qRcmd): the target's monitor provider answers; its text goes to gdb's console as
// `O` packets before the final OK.
import { parseQRcmd } from '../commands/query.js';
import { route, type PacketRoute } from '../packet-table.js';
import { OK, type Reply } from '../replies.js';
import type { SessionState } from './context.js';

async function monitor(s: SessionState, command: string): Promise<Reply> {
  const text = await s.target.monitor!(command, s.resolveThread(s.generalThread));
  return [...s.core.outputPackets(text), OK];
}

export const monitorPackets: PacketRoute[] = [route('qRcmd,', parseQRcmd, monitor, { available: (t) => t.monitor !== undefined })];
