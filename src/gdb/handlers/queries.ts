// Queries and settings: qSupported (what both sides can do), no-ack mode, qAttached, qOffsets,
// qSymbol, signals passed without stopping, caught syscalls, and the qXfer objects that are not
// about threads (the target description and the exec file's name).
import { ppc64TargetXml } from '../arch/ppc64.js';
import { parseQCatchSyscalls, parseQPassSignals, parseQSupported, parseQXferRead, type XferRead } from '../commands/query.js';
import { plain, route, type PacketRoute } from '../packet-table.js';
import { ErrorReply, OK, type Reply } from '../replies.js';
import type { SessionState } from './context.js';

function qSupported(s: SessionState, features: Map<string, string>): Reply {
  s.gdbFeatures = features;
  const target = s.target;
  const ours = [
    `PacketSize=${s.packetSize.toString(16)}`,
    'QStartNoAckMode+',
    'qXfer:features:read+',
    'swbreak+',
    'hwbreak+',
    'ConditionalBreakpoints+',
    'vContSupported+',
    'multiprocess-',
  ];
  if (target.manyThreads !== true) ours.push('qXfer:threads:read+');
  if (target.execFile !== undefined) ours.push('qXfer:exec-file:read+');
  if (target.passSignals !== undefined) ours.push('QPassSignals+');
  if (target.catchSyscalls !== undefined) ours.push('QCatchSyscalls+');
  if (target.canReverse?.() === true) ours.push('ReverseStep+', 'ReverseContinue+');
  return ours.join(';');
}

/** One qXfer chunk of `text`: `m` + data while more follows, `l` + data for the last one. */
export function xferChunk(s: SessionState, text: string, x: XferRead): Reply {
  const bytes = Buffer.from(text, 'utf8');
  if (x.offset > bytes.length) return ErrorReply.invalid;
  const max = Math.min(x.length, Math.floor(s.packetSize / 2) - 8);
  const end = Math.min(bytes.length, x.offset + max);
  const chunk = bytes.subarray(x.offset, end);
  const out = new Uint8Array(chunk.length + 1);
  out[0] = (end < bytes.length ? 'm' : 'l').charCodeAt(0);
  out.set(chunk, 1);
  return out;
}

function readFeatures(s: SessionState, x: XferRead): Reply {
  if (x.annex !== 'target.xml') return ErrorReply.noSuchObject;
  return xferChunk(s, s.target.targetXml ?? ppc64TargetXml(s.options.osabi ?? 'GNU/Linux'), x);
}

function readExecFileName(s: SessionState, x: XferRead): Reply {
  const file = s.target.execFile?.();
  return file === undefined ? ErrorReply.noSuchObject : xferChunk(s, file.path, x);
}

function startNoAckMode(s: SessionState): Reply {
  // The '+' for this very packet has already gone out; from now on neither side acks.
  s.ackMode = false;
  return OK;
}

const attached = (s: SessionState): Reply => (s.startedByRun ? '0' : '1');

export const queryPackets: PacketRoute[] = [
  plain('qSupported', (s) => qSupported(s, new Map())),
  route('qSupported:', parseQSupported, qSupported),
  plain('QStartNoAckMode', startNoAckMode),
  plain('qAttached', attached),
  route('qAttached:', () => true, attached),
  plain('qOffsets', () => 'Text=0;Data=0;Bss=0'),
  route('qSymbol:', () => true, () => OK),
  route('QPassSignals:', parseQPassSignals, (s, signals) => {
    s.target.passSignals!(signals);
    return OK;
  }, { available: (t) => t.passSignals !== undefined }),
  route('QCatchSyscalls:', parseQCatchSyscalls, (s, selection) => {
    s.target.catchSyscalls!(selection);
    return OK;
  }, { available: (t) => t.catchSyscalls !== undefined }),
  route('qXfer:features:read:', parseQXferRead, readFeatures),
  route('qXfer:exec-file:read:', parseQXferRead, readExecFileName, { available: (t) => t.execFile !== undefined }),
];
