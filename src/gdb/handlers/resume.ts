// Resuming: vCont (and vCont?), the legacy c/s/C/S packets, and the stop that ends a resume.
// Conditional breakpoints whose conditions are all false are skipped here, without waking gdb.
import { PPC64_REGNUM } from '../arch/ppc64.js';
import { evaluateAgentExpression } from '../agent-expr.js';
import { parseLegacyResume, parseVCont, type LegacyResume, type VContItem } from '../commands/resume.js';
import { plain, route, type PacketRoute } from '../packet-table.js';
import { ErrorReply, OK, targetErrorReply, type Reply } from '../replies.js';
import {
  GdbSignal, isTargetError, type ResumeAction, type ResumeRequest, type StopEvent, type ThreadId,
} from '../target.js';
import { stopReply } from './base.js';
import type { CodeBreakpoint, SessionState } from './context.js';

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Run the target until it stops; the reply is the stop reply. */
function resume(s: SessionState, request: ResumeRequest): Promise<Reply> | Reply {
  if (s.lastStop.kind !== 'signal') return ErrorReply.noProcess; // the process is gone
  const core = s.core;
  let pending: Promise<StopEvent>;
  // Running before the call: the target may print console output during its first slice.
  core.setRunning(true);
  try {
    pending = s.target.resume(request);
  } catch (e) {
    core.setRunning(false);
    s.log(`gdb: target refused to resume: ${errorText(e)}`);
    return ErrorReply.noProcess;
  }
  // Ctrl-C arrived while this resume was still queued behind other packets.
  if (core.takePendingInterrupt()) s.target.interrupt();
  return pending.then((stop) => skipFalseConditions(s, request, stop)).then(
    (stop) => {
      core.setRunning(false);
      s.recordStop(stop);
      return stopReply(s, stop);
    },
    (e: unknown) => {
      core.setRunning(false);
      throw e;
    },
  );
}

/**
 * A continuing thread stopped at breakpoints whose conditions (sent by gdb as agent expressions)
 * are all false: gdb would only step it over the breakpoint and continue, so do that here, without
 * the ~20 round trips of a reported hit. Anything else (a true or unevaluable condition, a step,
 * another stop, Ctrl-C) is reported as it is.
 */
async function skipFalseConditions(s: SessionState, request: ResumeRequest, first: StopEvent): Promise<StopEvent> {
  const target = s.target;
  let stop = first;
  let again: ResumeRequest | undefined;
  for (;;) {
    if (stop.kind !== 'signal' || (stop.reason?.kind !== 'swbreak' && stop.reason?.kind !== 'hwbreak')) return stop;
    const tid = stop.thread;
    if ((request.threads.get(tid) ?? request.others)?.kind !== 'continue') return stop;
    const pc = s.registerValue(tid, PPC64_REGNUM.pc);
    if (pc === undefined) return stop;
    const here: CodeBreakpoint[] = [];
    for (const kind of ['sw', 'hw'] as const) {
      const b = s.codeBreakpoints.get(`${kind}:${pc}`);
      if (b !== undefined) here.push(b);
    }
    if (here.length === 0 || here.some((b) => b.conditions.length === 0)) return stop;
    if (s.core.interruptedWhileRunning) return { kind: 'signal', thread: tid, signal: GdbSignal.INT };
    if (here.some((b) => b.conditions.some((c) => conditionHolds(s, tid, c)))) return stop;
    for (const b of here) target.removeBreakpoint(b.kind, b.addr, b.length);
    let stepped: StopEvent;
    try {
      stepped = await target.resume({ threads: new Map([[tid, { kind: 'step' }]]) });
    } finally {
      for (const b of here) target.addBreakpoint(b.kind, b.addr, b.length);
    }
    const plainStep = stepped.kind === 'signal' && stepped.thread === tid && stepped.signal === GdbSignal.TRAP && stepped.reason === undefined;
    if (!plainStep) {
      stop = stepped; // a breakpoint at the next instruction is checked again; anything else is reported
      continue;
    }
    if (s.core.interruptedWhileRunning) return { kind: 'signal', thread: tid, signal: GdbSignal.INT };
    // The resume signals were delivered by the first run: run on without them.
    again ??= withoutSignals(request);
    stop = await target.resume(again);
  }
}

/** A condition is true, or cannot be evaluated here (then gdb decides). */
export function conditionHolds(s: SessionState, tid: ThreadId, code: Uint8Array): boolean {
  const r = evaluateAgentExpression(code, {
    register: (regno) => s.registerValue(tid, regno),
    memory: (addr, length) => {
      const bytes = s.target.readMemory(addr, length);
      return isTargetError(bytes) ? undefined : bytes;
    },
  });
  return 'error' in r || r.value !== 0n;
}

function withoutSignals(request: ResumeRequest): ResumeRequest {
  const strip = (a: ResumeAction): ResumeAction => (a.kind === 'range-step' ? a : { kind: a.kind });
  const threads = new Map<ThreadId, ResumeAction>();
  for (const [tid, a] of request.threads) threads.set(tid, strip(a));
  return request.others === undefined ? { threads } : { threads, others: strip(request.others) };
}

function vCont(s: SessionState, items: VContItem[]): Reply | Promise<Reply> {
  if (s.lastStop.kind !== 'signal') return ErrorReply.noProcess;
  const request: ResumeRequest = { threads: new Map() };
  let anything = false;
  for (const item of items) {
    // The leftmost action that matches a thread wins.
    const action = item.action;
    const sel = item.thread;
    if (sel === undefined || sel.kind === 'all') {
      if (request.others === undefined && action.kind !== 'stop') request.others = action;
      if (action.kind !== 'stop') anything = true;
      continue;
    }
    if (action.kind === 'stop') continue;
    // A thread that does not exist cannot run: refuse the packet rather than wait for nothing.
    if (sel.kind === 'id' && !s.isLive(sel.tid)) return ErrorReply.noSuchThread;
    const tid = sel.kind === 'any' ? s.resolveThread(sel) : sel.tid;
    if (tid === undefined || request.threads.has(tid)) continue;
    request.threads.set(tid, action);
    anything = true;
  }
  if (!anything) return OK;
  return resume(s, request);
}

function legacyResume(s: SessionState, r: LegacyResume): Reply | Promise<Reply> {
  const tid = s.resolveThread(s.continueThread);
  if (tid === undefined) return ErrorReply.noProcess;
  const target = s.target;
  if (r.addr !== undefined) {
    const regs = target.readRegisters(tid);
    if (isTargetError(regs)) return targetErrorReply(regs);
    regs.pc = r.addr;
    const err = target.writeRegisters(tid, regs);
    if (err) return targetErrorReply(err);
  }
  const action: ResumeAction = r.step ? { kind: 'step' } : { kind: 'continue' };
  if (r.signal !== undefined) action.signal = r.signal;
  const request: ResumeRequest = { threads: new Map([[tid, action]]) };
  // Continuing runs every thread; a step moves only the selected one (as gdbserver does).
  if (!r.step) request.others = { kind: 'continue' };
  return resume(s, request);
}

export const resumePackets: PacketRoute[] = [
  plain('vCont?', () => 'vCont;c;C;s;S;t;r'),
  route('vCont;', parseVCont, vCont),
  ...(['c', 's', 'C', 'S'] as const).map((op) => route(op, parseLegacyResume, legacyResume)),
];
