// Base capability: why the target stopped (?), registers (g/G/p/P), memory (m/M/X), detach (D)
// and kill (k). Every stub needs these; the other capabilities are optional.
import {
  PPC64_REGISTERS, PPC64_REGNUM, deserializePpc64Registers, serializePpc64Registers, writePpc64Register,
} from '../arch/ppc64.js';
import { parseReadMemory, parseWriteMemoryBinary, parseWriteMemoryHex } from '../commands/memory.js';
import { parseReadRegister, parseWriteRegister, parseWriteRegisters } from '../commands/registers.js';
import { formatStopReply } from '../commands/stop-reply.js';
import { plain, route, type PacketRoute } from '../packet-table.js';
import { bytesToHex } from '../rsp/hex.js';
import { ErrorReply, OK, targetErrorReply, type Reply } from '../replies.js';
import { GdbSignal, isTargetError, type StopEvent, type ThreadId } from '../target.js';
import type { SessionState } from './context.js';

/**
 * Sent with every T reply so that gdb can show the frame without another round trip: pc, sp and lr
 * first (all gdb needs after a step), then the other GPRs and cr/ctr/xer/msr, which gdb otherwise
 * fetches with a `g` at every breakpoint stop to print the arguments (Go passes them in r3…r10).
 */
const EXPEDITED_REGISTERS = [
  PPC64_REGNUM.pc, PPC64_REGNUM.sp, PPC64_REGNUM.lr,
  ...Array.from({ length: 32 }, (_, i) => i).filter((i) => i !== PPC64_REGNUM.sp),
  PPC64_REGNUM.msr, PPC64_REGNUM.cr, PPC64_REGNUM.ctr, PPC64_REGNUM.xer,
];

/** The stop reply for `stop`, with the stopped thread's registers expedited. */
export function stopReply(s: SessionState, stop: StopEvent): string {
  const expedited: Array<[number, Uint8Array]> = [];
  if (stop.kind === 'signal') {
    for (const regno of EXPEDITED_REGISTERS) {
      const bytes = s.registerBytes(stop.thread, regno);
      if (bytes === undefined || isTargetError(bytes)) break; // gdb will fetch them with g
      expedited.push([regno, bytes]);
    }
  }
  return formatStopReply(stop, {
    swbreak: s.gdbFeatures.get('swbreak') === '+',
    hwbreak: s.gdbFeatures.get('hwbreak') === '+',
    expedited,
  });
}

/** End the process (k, vKill); the session then has none. */
export function killProcess(s: SessionState): void {
  try {
    s.target.kill?.();
  } finally {
    s.lastStop = { kind: 'terminated', signal: GdbSignal.KILL };
  }
}

/** The thread `g`/`G`/`p`/`P` act on (Hg), or the reply refusing it. */
function generalThread(s: SessionState): ThreadId | string {
  return s.resolveThread(s.generalThread) ?? ErrorReply.noSuchThread;
}

function readAllRegisters(s: SessionState): Reply {
  const tid = generalThread(s);
  if (typeof tid === 'string') return tid;
  const regs = s.target.readRegisters(tid);
  if (isTargetError(regs)) return targetErrorReply(regs);
  return { hex: serializePpc64Registers(regs) };
}

function writeAllRegisters(s: SessionState, bytes: Uint8Array): Reply {
  const regs = deserializePpc64Registers(bytes);
  if (regs === undefined) return ErrorReply.malformed;
  const tid = generalThread(s);
  if (typeof tid === 'string') return tid;
  const err = s.target.writeRegisters(tid, regs);
  return err ? targetErrorReply(err) : OK;
}

function readOneRegister(s: SessionState, regno: number): Reply {
  const tid = generalThread(s);
  if (typeof tid === 'string') return tid;
  const bytes = s.registerBytes(tid, regno);
  if (bytes === undefined) return ErrorReply.noSuchObject;
  return isTargetError(bytes) ? targetErrorReply(bytes) : bytesToHex(bytes);
}

function writeOneRegister(s: SessionState, w: { regno: number; value: Uint8Array }): Reply {
  const tid = generalThread(s);
  if (typeof tid === 'string') return tid;
  const info = PPC64_REGISTERS[w.regno];
  if (info === undefined || info.bits / 8 !== w.value.length) return ErrorReply.noSuchObject;
  const target = s.target;
  if (target.writeRegister !== undefined) {
    const err = target.writeRegister(tid, w.regno, w.value);
    return err ? targetErrorReply(err) : OK;
  }
  const regs = target.readRegisters(tid);
  if (isTargetError(regs)) return targetErrorReply(regs);
  if (!writePpc64Register(regs, w.regno, w.value)) return ErrorReply.noSuchObject;
  const err = target.writeRegisters(tid, regs);
  return err ? targetErrorReply(err) : OK;
}

function readMemory(s: SessionState, r: { addr: bigint; length: number }): Reply {
  const length = Math.min(r.length, Math.floor((s.packetSize - 8) / 2));
  if (length === 0) return ErrorReply.invalid;
  const data = s.target.readMemory(r.addr, length);
  if (isTargetError(data)) return targetErrorReply(data);
  if (data.length === 0) return ErrorReply.badAddress;
  return { hex: data.length > length ? data.subarray(0, length) : data };
}

function writeMemory(s: SessionState, w: { addr: bigint; data: Uint8Array }): Reply {
  if (w.data.length === 0) return OK; // gdb probes X support with an empty write
  const err = s.target.writeMemory(w.addr, w.data);
  return err ? targetErrorReply(err) : OK;
}

function detach(s: SessionState): Reply {
  const policy = s.options.onDetach ?? 'run';
  s.codeBreakpoints.clear();
  s.core.send(OK);
  try {
    if (s.lastStop.kind === 'signal') {
      if (policy === 'kill') killProcess(s);
      else s.target.detach?.();
    }
  } finally {
    s.log(`gdb: client detached; guest ${policy === 'kill' ? 'killed' : 'runs on'}`);
    if (s.extended) {
      // extended-remote keeps the connection after a detach: gdb may `run` again. This session
      // no longer has a process (gdbserver answers `?` the same way).
      s.lastStop = { kind: 'exited', code: 0 };
    } else {
      s.core.closeConnection();
    }
  }
  return undefined;
}

/** `D` or `D;pid` (the pid is ignored: one process). */
const parseDetach = (p: string): true | undefined => (p === 'D' || p.startsWith('D;') ? true : undefined);

export const basePackets: PacketRoute[] = [
  route('?', () => true, (s) => stopReply(s, s.lastStop)),
  plain('g', readAllRegisters),
  route('G', parseWriteRegisters, writeAllRegisters),
  route('p', parseReadRegister, readOneRegister),
  route('P', parseWriteRegister, writeOneRegister),
  route('m', parseReadMemory, readMemory),
  route('M', parseWriteMemoryHex, writeMemory),
  route('X', parseWriteMemoryBinary, writeMemory),
  route('D', parseDetach, detach),
  route('k', () => true, (s) => {
    killProcess(s);
    return undefined; // gdb does not wait for a reply to `k`
  }),
];
