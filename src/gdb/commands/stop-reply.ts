// Stop replies: T (thread stopped with a signal, reason and expedited registers), W, X.
import type { StopEvent } from '../target.js';
import { byteToHex, bytesToHex } from '../rsp/hex.js';
import { formatThreadId } from './thread-id.js';

export interface StopReplyOptions {
  /** gdb announced swbreak+/hwbreak+ in qSupported: only then may the reasons be reported. */
  swbreak: boolean;
  hwbreak: boolean;
  /** Registers sent along to save gdb a round trip: [regno, big-endian bytes]. */
  expedited?: Array<[number, Uint8Array]>;
}

export function formatStopReply(event: StopEvent, options: StopReplyOptions): string {
  switch (event.kind) {
    case 'exited':
      return 'W' + byteToHex(event.code);
    case 'terminated':
      return 'X' + byteToHex(event.signal);
    case 'signal': {
      let s = 'T' + byteToHex(event.signal);
      for (const [regno, bytes] of options.expedited ?? []) s += `${regno.toString(16)}:${bytesToHex(bytes)};`;
      s += `thread:${formatThreadId(event.thread)};`;
      if (event.replayLog !== undefined) s += `replaylog:${event.replayLog};`;
      const r = event.reason;
      if (r !== undefined) {
        switch (r.kind) {
          case 'swbreak':
            if (options.swbreak) s += 'swbreak:;';
            break;
          case 'hwbreak':
            if (options.hwbreak) s += 'hwbreak:;';
            break;
          case 'watch': {
            const name = r.access === 'write' ? 'watch' : r.access === 'read' ? 'rwatch' : 'awatch';
            s += `${name}:${r.addr.toString(16)};`;
            break;
          }
          case 'syscall-entry':
            s += `syscall_entry:${r.number.toString(16)};`;
            break;
          case 'syscall-return':
            s += `syscall_return:${r.number.toString(16)};`;
            break;
        }
      }
      return s;
    }
  }
}
