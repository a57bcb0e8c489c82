// Breakpoints and watchpoints (Z/z). Code breakpoints are remembered with their agent-expression
// conditions so that resume can skip hits whose conditions are false (handlers/resume.ts).
import { parseBreakpoint, type BreakpointPacket } from '../commands/breakpoints.js';
import { route, type PacketRoute } from '../packet-table.js';
import { OK, targetErrorReply, type Reply } from '../replies.js';
import type { SessionState } from './context.js';

function breakpoint(s: SessionState, b: BreakpointPacket): Reply {
  const target = s.target;
  if (b.kind === 'sw' || b.kind === 'hw') {
    const key = `${b.kind}:${b.addr}`;
    const known = s.codeBreakpoints.get(key);
    if (b.insert && known !== undefined) {
      known.conditions = b.conditions;
      return OK;
    }
    if (b.insert) {
      const err = target.addBreakpoint(b.kind, b.addr, b.length);
      if (err) return targetErrorReply(err);
      s.codeBreakpoints.set(key, { kind: b.kind, addr: b.addr, length: b.length, conditions: b.conditions });
      return OK;
    }
    s.codeBreakpoints.delete(key);
  }
  const err = b.insert ? target.addBreakpoint(b.kind, b.addr, b.length) : target.removeBreakpoint(b.kind, b.addr, b.length);
  return err ? targetErrorReply(err) : OK;
}

export const breakpointPackets: PacketRoute[] = [route('Z', parseBreakpoint, breakpoint), route('z', parseBreakpoint, breakpoint)];
