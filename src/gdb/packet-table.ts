// Which handler answers a packet: one table of `prefix -> parser -> handler` rows, grouped by
// capability (one file per capability under handlers/), in the manner of the Rust `gdbstub` crate's
// command table. The longest matching prefix wins and is tested once, here; the parser then reads
// the packet knowing its prefix matched, and the handler gets the parsed request.
import type { SessionState } from './handlers/context.js';
import { ErrorReply, UNSUPPORTED, type Reply } from './replies.js';
import type { Target } from './target.js';

export interface PacketRoute {
  /** The packet starts with this (or, with `exact`, is exactly this). */
  prefix: string;
  exact: boolean;
  /** The target lacks the capability: the packet is answered as unsupported, not parsed. */
  available: (target: Target) => boolean;
  /** Parse the whole packet and answer it; undefined from the parser becomes `malformed`. */
  run: (s: SessionState, packet: string) => Reply | Promise<Reply>;
}

export interface RouteOptions {
  exact?: boolean;
  available?: (target: Target) => boolean;
  /** The reply to a packet the parser rejects (default: E01). */
  malformed?: (packet: string) => Reply;
}

/** A row: the parser's result type flows into the handler. */
export function route<T>(
  prefix: string,
  parse: (packet: string) => T | undefined,
  handle: (s: SessionState, request: T) => Reply | Promise<Reply>,
  options: RouteOptions = {},
): PacketRoute {
  const malformed = options.malformed ?? (() => ErrorReply.malformed);
  return {
    prefix,
    exact: options.exact ?? false,
    available: options.available ?? (() => true),
    run: (s, packet) => {
      const request = parse(packet);
      return request === undefined ? malformed(packet) : handle(s, request);
    },
  };
}

/** A packet without arguments (the row is `exact`). */
export function plain(prefix: string, handle: (s: SessionState) => Reply | Promise<Reply>, options: Omit<RouteOptions, 'exact'> = {}): PacketRoute {
  return route(prefix, () => true, (s) => handle(s), { ...options, exact: true });
}

export class PacketTable {
  private readonly byFirstChar = new Map<string, PacketRoute[]>();

  constructor(groups: ReadonlyArray<readonly PacketRoute[]>) {
    const seen = new Set<string>();
    for (const r of groups.flat()) {
      const key = `${r.exact ? '=' : '^'}${r.prefix}`;
      if (seen.has(key)) throw new Error(`packet table: two rows for ${key}`);
      seen.add(key);
      const first = r.prefix[0]!;
      const list = this.byFirstChar.get(first) ?? [];
      list.push(r);
      this.byFirstChar.set(first, list);
    }
    // Longest prefix first; an exact row before a prefix row of the same text.
    for (const list of this.byFirstChar.values()) {
      list.sort((a, b) => b.prefix.length - a.prefix.length || Number(b.exact) - Number(a.exact));
    }
  }

  lookup(packet: string): PacketRoute | undefined {
    const list = this.byFirstChar.get(packet[0] ?? '');
    if (list === undefined) return undefined;
    for (const r of list) if (r.exact ? packet === r.prefix : packet.startsWith(r.prefix)) return r;
    return undefined;
  }

  /** Answer one packet: unknown packets and missing capabilities get the empty reply. */
  dispatch(s: SessionState, packet: string): Reply | Promise<Reply> {
    const r = this.lookup(packet);
    if (r === undefined || !r.available(s.target)) return UNSUPPORTED;
    return r.run(s, packet);
  }
}
