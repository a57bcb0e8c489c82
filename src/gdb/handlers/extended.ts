// Extended mode (target extended-remote): `!` turns it on, vRun starts the program again, vKill
// ends it without closing the connection.
import { parseVRun } from '../commands/query.js';
import { route, type PacketRoute } from '../packet-table.js';
import { OK, targetErrorReply, type Reply } from '../replies.js';
import { isTargetError } from '../target.js';
import { killProcess, stopReply } from './base.js';
import type { SessionState } from './context.js';

async function run(s: SessionState, request: { program: string; args: string[] }): Promise<Reply> {
  // The target decides whether it runs the program gdb names (`set remote exec-file`): serve
  // --multi runs any, otherwise only the served one. A refusal is an error reply gdb reports.
  const stop = await s.target.restart!(request.args, request.program === '' ? undefined : request.program);
  if (isTargetError(stop)) {
    s.log(`gdb: cannot run ${request.program === '' ? 'the default program' : request.program}: ${stop.error}`);
    return targetErrorReply(stop);
  }
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
