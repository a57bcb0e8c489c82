// Threads: selection (H), liveness (T), the current thread (qC), the list (qfThreadInfo/qsThreadInfo,
// qXfer:threads:read) and names (qThreadExtraInfo).
import { parseQXferRead, type XferRead } from '../commands/query.js';
import { parseSetThread, parseThreadAlive, parseThreadExtraInfo } from '../commands/thread.js';
import { formatThreadId, type ThreadSelector } from '../commands/thread-id.js';
import { plain, route, type PacketRoute } from '../packet-table.js';
import { textToHex } from '../rsp/hex.js';
import { ErrorReply, OK, type Reply } from '../replies.js';
import type { SessionState } from './context.js';
import { xferChunk } from './queries.js';

function setThread(s: SessionState, h: { op: 'g' | 'c'; thread: ThreadSelector }): Reply {
  if (h.thread.kind === 'id' && !s.isLive(h.thread.tid)) return ErrorReply.noSuchThread;
  if (h.op === 'g') s.generalThread = h.thread;
  else s.continueThread = h.thread;
  return OK;
}

function buildThreadsXml(s: SessionState): string {
  const lines = s.liveThreads().map((tid) => `<thread id="${formatThreadId(tid)}" name="${xmlEscape(s.threadName(tid))}"/>`);
  return `<?xml version="1.0"?>\n<threads>\n${lines.join('\n')}\n</threads>\n`;
}

function readThreadsXml(s: SessionState, x: XferRead): Reply {
  // Build the document once per read sequence so that chunks agree with each other.
  if (x.offset === 0 || s.threadsXml === '') s.threadsXml = buildThreadsXml(s);
  return xferChunk(s, s.threadsXml, x);
}

export const threadPackets: PacketRoute[] = [
  route('H', parseSetThread, setThread),
  route('T', parseThreadAlive, (s, tid) => (s.isLive(tid) ? OK : ErrorReply.noSuchThread)),
  plain('qC', (s) => (s.lastStop.kind === 'signal' ? 'QC' + formatThreadId(s.lastStop.thread) : 'QC0')),
  plain('qfThreadInfo', (s) => {
    const tids = s.liveThreads();
    return tids.length === 0 ? 'l' : 'm' + tids.map(formatThreadId).join(',');
  }),
  plain('qsThreadInfo', () => 'l'),
  route('qThreadExtraInfo,', parseThreadExtraInfo, (s, tid) => textToHex(s.threadName(tid))),
  route('qXfer:threads:read:', parseQXferRead, readThreadsXml, { available: (t) => t.manyThreads !== true }),
];

function xmlEscape(s: string): string {
  return s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
