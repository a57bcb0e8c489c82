// Everything the guest learns from the host, recorded while it runs at the end of its history and
// fed back on replay so that a replay never touches the host (rr's syscall log). The emulator
// reaches the host through Node's `fs` (files, directories, stdin, /dev/urandom, stat results)
// and through the guest clock; both are interposed here:
//
// - every `fs.*Sync` function: its result (or thrown error) and, for readSync, the bytes it read.
//   On replay the call returns the logged result and copies the logged bytes; nothing reaches
//   the host, so a replayed `write` to stdout prints nothing and a deleted file still reads.
// - `fs.read` (the asynchronous reads of stdin and pipes): the completion and its bytes, with the
//   point of the schedule where the emulator saw it; on replay the completion is delivered at
//   that same point.
// - the clock's real and monotonic time when it is not --deterministic (instruction-derived
//   time needs nothing), in the order read within each record of the schedule.
//
// The interposition is installed once per Node process and does nothing unless a recorder made
// itself the active one (only while guest code runs: the stub's own file reads pass through).
import fsDefault from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import type { GuestClock } from '../aix/clock.js';

// The default export is the module object itself (mutable, unlike the ESM namespace), the same
// one `require('node:fs')` returns; a bundle for the start-up snapshot keeps it so.
const fsModule = fsDefault as unknown as Record<string, unknown>;

export class ReplayDiverged extends Error {}

interface SyncEntry {
  name: string;
  value?: unknown;
  error?: unknown;
  /** Bytes a read put into the caller's buffer. */
  bytes?: Uint8Array;
}

export interface AsyncCompletion {
  seq: number;
  /** Where in the schedule the emulator saw it: records completed, scheduler ticks. */
  rec: number;
  ticks: number;
  err: unknown;
  n: number;
  bytes: Uint8Array | undefined;
}

/** Positions in the logs: part of every snapshot (the recorder's cursor holds one). */
export interface HostCursor {
  sync: number;
  clock: number;
  asyncIssued: number;
  asyncDone: number;
}

interface AsyncRead {
  buffer: Uint8Array;
  offset: number;
  callback: (err: unknown, n: number) => void;
}

export interface HostSide {
  /** 'record': log host results; 'replay': answer from the log; 'off': plain pass-through. */
  mode: 'off' | 'record' | 'replay';
  cursor: HostCursor;
  /** Records of the schedule completed so far (keys clock readings: a replay may split a record, never reorder it). */
  clockKey(): number;
  /** Schedule position now, for asynchronous completions seen at the end of the recording. */
  schedulePoint(): { rec: number; ticks: number; live: boolean };
  /** An asynchronous completion arrived while the guest is replaying: deliver it when its point is reached. */
  deferred(c: AsyncCompletion): void;
}

let active: HostLog | undefined;
let installed = false;

function install(): void {
  if (installed) return;
  installed = true;
  for (const name of Object.keys(fsModule)) {
    const real = fsModule[name];
    if (!name.endsWith('Sync') || typeof real !== 'function') continue;
    fsModule[name] = function (this: unknown, ...args: unknown[]): unknown {
      const log = active;
      if (log === undefined || log.side.mode === 'off') return (real as (...a: unknown[]) => unknown).apply(this, args);
      return log.sync(name, real as (...a: unknown[]) => unknown, args);
    };
  }
  const realRead = fsModule.read as (...a: unknown[]) => void;
  fsModule.read = function (...args: unknown[]): void {
    const log = active;
    const cb = args[args.length - 1];
    if (log === undefined || log.side.mode === 'off' || args.length !== 6 || typeof cb !== 'function' || !(args[1] instanceof Uint8Array)) {
      realRead(...args);
      return;
    }
    log.asyncRead(realRead, args as [number, Uint8Array, number, number, number | null, (err: unknown, n: number) => void]);
  };
  syncBuiltinESMExports();
}

export class HostLog {
  private readonly syncEntries: SyncEntry[] = [];
  private readonly clockEntries: Array<{ at: number; value: bigint }> = [];
  readonly completions: AsyncCompletion[] = [];
  /** Asynchronous reads by sequence number (the latest issue of each). */
  private readonly reads = new Map<number, AsyncRead>();
  /** Bytes held by the logs. */
  bytes = 0;

  constructor(readonly side: HostSide) {
    install();
  }

  activate(): void {
    active = this;
  }

  deactivate(): void {
    if (active === this) active = undefined;
  }

  get syncCount(): number {
    return this.syncEntries.length;
  }

  sync(name: string, real: (...a: unknown[]) => unknown, args: unknown[]): unknown {
    const c = this.side.cursor;
    if (this.side.mode === 'replay') {
      const e = this.syncEntries[c.sync];
      if (e === undefined || e.name !== name) {
        throw new ReplayDiverged(`replay diverged from the recording: the guest asked the host for ${name}, the recording has ${e?.name ?? 'nothing more'}`);
      }
      c.sync++;
      if (e.bytes !== undefined) {
        const buf = args[1] as Uint8Array;
        buf.set(e.bytes, readOffset(args));
      }
      if ('error' in e) throw e.error;
      return e.value;
    }
    // record
    const e: SyncEntry = { name };
    try {
      e.value = real(...args);
    } catch (err) {
      e.error = err;
    }
    if (name === 'readSync' && typeof e.value === 'number' && e.value > 0 && args[1] instanceof Uint8Array) {
      const off = readOffset(args);
      e.bytes = args[1].slice(off, off + e.value);
      this.bytes += e.value;
    }
    this.bytes += 64;
    this.syncEntries.push(e);
    c.sync++;
    if ('error' in e) throw e.error;
    return e.value;
  }

  asyncRead(realRead: (...a: unknown[]) => void, args: [number, Uint8Array, number, number, number | null, (err: unknown, n: number) => void]): void {
    const c = this.side.cursor;
    const seq = c.asyncIssued++;
    const [fd, buffer, offset, length, position, callback] = args;
    this.reads.set(seq, { buffer, offset, callback });
    if (this.side.mode === 'replay') return; // its logged completion is delivered at its point
    realRead(fd, buffer, offset, length, position, (err: unknown, n: number) => {
      const where = this.side.schedulePoint();
      const done: AsyncCompletion = { seq, rec: where.rec, ticks: where.ticks, err, n, bytes: n > 0 ? buffer.slice(offset, offset + n) : undefined };
      this.completions.push(done);
      this.bytes += 64 + (n > 0 ? n : 0);
      if (where.live) {
        this.side.cursor.asyncDone = this.completions.length;
        callback(err, n);
      } else {
        this.side.deferred(done);
      }
    });
  }

  /** Deliver the logged completions due at this point of the schedule (replay, or deferred ones). */
  deliverDue(rec: number, ticks: number): void {
    const c = this.side.cursor;
    for (;;) {
      const d = this.completions[c.asyncDone];
      if (d === undefined || d.rec > rec || (d.rec === rec && d.ticks > ticks)) return;
      c.asyncDone++;
      const r = this.reads.get(d.seq);
      if (r === undefined) continue; // never issued on this path: nothing waits for it
      if (d.bytes !== undefined) r.buffer.set(d.bytes, r.offset);
      r.callback(d.err, d.n);
    }
  }

  /** The clock as the guest sees it: real readings are logged and replayed in order, per record of the schedule. */
  wrapClock(clock: GuestClock): void {
    if (clock.deterministic) return;
    for (const name of ['realtimeNs', 'monotonicNs'] as const) {
      const real = clock[name].bind(clock);
      const entries = this.clockEntries;
      (clock as unknown as Record<string, () => bigint>)[name] = () => {
        const mode = this.side.mode;
        if (mode === 'off') return real();
        const c = this.side.cursor;
        const at = this.side.clockKey();
        if (mode === 'record') {
          const value = real();
          entries.push({ at, value });
          this.bytes += 24;
          c.clock = entries.length;
          return value;
        }
        while (c.clock < entries.length && entries[c.clock]!.at < at) c.clock++;
        const e = entries[c.clock];
        if (e !== undefined && e.at === at) {
          c.clock++;
          return e.value;
        }
        // Read more often than when recorded (a debugger view): the latest earlier reading.
        return c.clock > 0 ? entries[c.clock - 1]!.value : real();
      };
    }
  }
}

function readOffset(args: unknown[]): number {
  const a = args[2];
  if (typeof a === 'number') return a;
  if (typeof a === 'object' && a !== null && typeof (a as { offset?: unknown }).offset === 'number') return (a as { offset: number }).offset;
  return 0;
}
