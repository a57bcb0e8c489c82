// Extended mode (target extended-remote): `!` turns it on, vRun starts the program again, vKill
// ends it without closing the connection.
import { parseVRun } from '../commands/query.js';
import { route, type PacketRoute } from '../packet-table.js';
import { ErrorReply, OK, type Reply } from '../replies.js';
import { killProcess, stopReply } from './base.js';
import type { SessionState } from './context.js';
import { realpathSync } from 'node:fs';
import { resolve } from 'node:path';

function sameFile(a: string, b: string): boolean {
  const real = (p: string) => {
    try {
      return realpathSync(p);
    } catch {
      return resolve(p);
    }
  };
  return real(a) === real(b);
}

async function run(s: SessionState, request: { program: string; args: string[] }): Promise<Reply> {
  // gdb names the program when `set remote exec-file` is set: this stub serves one program, so
  // another one is refused (an error reply gdb reports), never silently replaced by the served one.
  const served = s.target.execFile?.()?.path;
  if (request.program !== '' && served !== undefined && !sameFile(request.program, served)) {
    s.log(`gdb: refusing to run ${request.program}: this stub serves ${served}`);
    return ErrorReply.noProcess;
  }
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
