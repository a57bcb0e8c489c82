// Extended mode (target extended-remote): `!` turns it on, vRun starts the program again, vKill
// ends it without closing the connection.
import { parseVRun } from '../commands/query.js';
import { route, type PacketRoute } from '../packet-table.js';
import { OK, type Reply } from '../replies.js';
import { killProcess, stopReply } from './base.js';
import type { SessionState } from './context.js';

async function run(s: SessionState, request: { args: string[] }): Promise<Reply> {
  const stop = await s.target.restart!(request.args);
  s.startedByRun = true;
  s.recordStop(stop);
  return stopReply(s, stop);
}

export const extendedModePackets: PacketRoute[] = [
  route('!', () => true, (s) => {
    s.extended = true;
    return OK;
  }),
  route('vRun;', parseVRun, run, { available: (t) => t.restart !== undefined }),
  route('vKill', () => true, (s) => {
    killProcess(s);
    return OK;
  }),
];
