// Reverse execution (ReverseStep+/ReverseContinue+, when the target records): `bs` steps the
// continue thread one instruction back, `bc` goes back to the last breakpoint or watchpoint hit.
// A conditional breakpoint whose conditions are all false is passed over backwards too: the
// conditions are evaluated during the target's search, while the guest stands at each hit.
import { PPC64_REGNUM } from '../arch/ppc64.js';
import { plain, type PacketRoute } from '../packet-table.js';
import { ErrorReply, type Reply } from '../replies.js';
import type { StopEvent } from '../target.js';
import { stopReply } from './base.js';
import type { CodeBreakpoint, SessionState } from './context.js';
import { conditionHolds } from './resume.js';

function reverse(s: SessionState, continuing: boolean): Reply | Promise<Reply> {
  if (s.lastStop.kind !== 'signal') return ErrorReply.noProcess;
  const tid = s.resolveThread(s.continueThread);
  if (tid === undefined) return ErrorReply.noProcess;
  const target = s.target;
  s.core.setRunning(true);
  const run = async (): Promise<StopEvent> => {
    if (!continuing) return target.reverseStep!(tid);
    return target.reverseContinue!(tid, (stop) => !allConditionsFalse(s, stop));
  };
  return run().then(
    (stop) => {
      s.core.setRunning(false);
      s.recordStop(stop);
      return stopReply(s, stop);
    },
    (e: unknown) => {
      s.core.setRunning(false);
      s.log(`gdb: reverse execution failed: ${e instanceof Error ? e.message : String(e)}`);
      return ErrorReply.noProcess;
    },
  );
}

/** A breakpoint stop where every breakpoint at the pc has conditions and none holds. */
function allConditionsFalse(s: SessionState, stop: StopEvent): boolean {
  if (stop.kind !== 'signal' || (stop.reason?.kind !== 'swbreak' && stop.reason?.kind !== 'hwbreak')) return false;
  const pc = s.registerValue(stop.thread, PPC64_REGNUM.pc);
  if (pc === undefined) return false;
  const here: CodeBreakpoint[] = [];
  for (const kind of ['sw', 'hw'] as const) {
    const b = s.codeBreakpoints.get(`${kind}:${pc}`);
    if (b !== undefined) here.push(b);
  }
  if (here.length === 0 || here.some((b) => b.conditions.length === 0)) return false;
  return !here.some((b) => b.conditions.some((c) => conditionHolds(s, stop.thread, c)));
}

const canReverse = (t: SessionState['target']): boolean => t.canReverse?.() === true;

export const reversePackets: PacketRoute[] = [
  plain('bs', (s) => reverse(s, false), { available: canReverse }),
  plain('bc', (s) => reverse(s, true), { available: canReverse }),
];
