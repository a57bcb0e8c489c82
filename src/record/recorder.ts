// Reverse execution, rr's way, for one emulated process: record while the guest runs at the end
// of its history, go back by restoring a snapshot and replaying forward to the wanted position.
//
// What makes a replay exact:
// - the schedule: every CpuPort.run the scheduler makes is one *record* (thread, instructions
//   executed, why it stopped). Replay runs the same Scheduler code; this port hands each call
//   exactly its recorded share, so threads interleave as they did, whatever gdb did meanwhile
//   (a debugger stop only pauses a slice: Scheduler.paused).
// - the host: results of host calls, real time and asynchronous reads come from the HostLog.
// - signals a debugger let through (the gate's "yes" answers) and writes gdb made while stopped
//   are logged with the record they came before and applied again there.
// A position is (record, instructions into it): unique even where no instruction runs between
// two states (a libc call, a thread switch). Users see the global instruction count.
//
// Snapshots (memory pages copy-on-write by dirty tracking, the JavaScript-side process state in
// place, see object-image.ts) are taken at scheduler ticks every `interval` instructions, at
// debugger stops, and while replaying, so that going back by one instruction replays little.
import type { CpuPort, CpuStop } from '../aix/cpu-port.js';
import type { AixProcess } from '../aix/process.js';
import type { Scheduler } from '../aix/scheduler.js';
import type { GuestThread } from '../aix/threads.js';
import type { MemoryImage } from '../cpu/memory.js';
import { HostLog, ReplayDiverged, type AsyncCompletion, type HostCursor } from './host-log.js';
import { captureObjects, restoreObjects, type ObjectImage } from './object-image.js';

export { ReplayDiverged };

/** A point in the recorded history. */
export interface Position {
  rec: number;
  off: number;
}

const STOP_BUDGET = 0;
const STOP_DEBUG = 1;
const STOP_HOSTCALL = 2;
const STOP_OTHER = 3;

/** How a replay drives the CPU: fast (no stop points), scan (collect stop-point hits), user (gdb's own resume). */
export type ReplayMode = 'fast' | 'scan' | 'user';

/** A breakpoint or watchpoint hit found while scanning: where, in which thread, what. */
export interface Hit {
  pos: Position;
  tid: number;
  /** The port's report (DebugCpuPort.lastStop.stop at that moment). */
  stop: unknown;
}

export interface RecorderOptions {
  process: AixProcess;
  scheduler: Scheduler;
  /** The debugger's port: breakpoints, watchpoints, steps, catch syscall. */
  debugPort: CpuPort;
  /** The bare CPU. */
  plainPort: CpuPort;
  /** More JavaScript state that belongs to the process's history (the debug port's per-thread books). */
  extraRoots?: object[];
  /** Take breakpoints and watchpoints out of the CPU (fast replay) and put them back. */
  stopPoints: { suspend(): void; resume(): void };
  /** Let every thread run in the debug port (a scan follows the recorded schedule, whatever gdb held). */
  allRunning: () => void;
  /** What the debug port reported last (read when it stops a scan). */
  lastReport: () => unknown;
  /** Instructions between periodic snapshots. */
  interval?: number;
  /** Bytes the snapshots and logs may hold before older snapshots are thinned or dropped. */
  memoryLimit?: number;
}

/** The recorder's own place in the logs: snapshotted with the process. */
interface Cursor {
  rec: number;
  off: number;
  insns: number;
  gate: number;
  intervention: number;
  host: HostCursor;
}

interface Snapshot {
  pos: Position;
  ticks: number;
  insns: number;
  mem: MemoryImage;
  objects: ObjectImage;
  bytes: number;
  /** A user bookmark (monitor checkpoint) keeps it alive. */
  pinned: boolean;
}

/**
 * Instructions between periodic snapshots. A snapshot costs about 0.6 ms (cpuheavy) whatever the
 * CPU tier; with compiled code running 250,000 instructions in well under a millisecond, that
 * interval made recording cost 1.5-1.9x the unrecorded run, while replaying 1 M instructions for a
 * reverse-stepi takes 5-7 ms (notes/cpu-performance.md, "Real tools in make bench").
 */
export const DEFAULT_INTERVAL = 1_000_000;
export const DEFAULT_MEMORY_LIMIT = 1 << 30;

class Records {
  tid = new Int32Array(1024);
  executed = new Int32Array(1024);
  kind = new Uint8Array(1024);
  start = new Float64Array(1024);
  readonly stops = new Map<number, CpuStop>();
  length = 0;

  push(tid: number, executed: number, stop: CpuStop, start: number): void {
    if (this.length === this.tid.length) {
      const grow = <T extends Int32Array | Uint8Array | Float64Array>(a: T): T => {
        const b = new (a.constructor as new (n: number) => T)(a.length * 2);
        b.set(a);
        return b;
      };
      this.tid = grow(this.tid);
      this.executed = grow(this.executed);
      this.kind = grow(this.kind);
      this.start = grow(this.start);
    }
    const i = this.length++;
    this.tid[i] = tid;
    this.executed[i] = executed;
    this.start[i] = start;
    const k = stop.kind === 'budget' ? STOP_BUDGET : stop.kind === 'debug' ? STOP_DEBUG : stop.kind === 'hostcall' ? STOP_HOSTCALL : STOP_OTHER;
    this.kind[i] = k;
    if (k === STOP_HOSTCALL || k === STOP_OTHER) this.stops.set(i, stop);
  }

  get bytes(): number {
    return this.tid.length * 17 + this.stops.size * 64;
  }
}

export class Recorder implements CpuPort {
  readonly records = new Records();
  readonly host: HostLog;
  private readonly cursor: Cursor = { rec: 0, off: 0, insns: 0, gate: 0, intervention: 0, host: { sync: 0, clock: 0, asyncIssued: 0, asyncDone: 0 } };
  private readonly gateLog: Array<{ rec: number; tid: number; signal: number }> = [];
  private readonly interventions: Array<{ rec: number; apply: () => void }> = [];
  private snapshots: Snapshot[] = [];
  private readonly pageRefs = new Map<Uint8Array, number>();
  private pageBytes = 0;
  private readonly threadOfState = new Map<object, GuestThread>();
  private readonly opaque: Set<object>;
  private readonly roots: object[];
  readonly interval: number;
  readonly memoryLimit: number;
  private lastSnapshotInsns = -Infinity;

  // Replay control (not history: never snapshotted).
  mode: ReplayMode = 'user';
  private target: Position | undefined;
  /** Set when the port paused the scheduler because `target` was reached. */
  reachedTarget = false;
  /** Set when the port returned a stop the recording had (gdb's then): the replay just goes on. */
  recordedPause = false;
  readonly hits: Hit[] = [];
  /** Replay stops at the first scan hit strictly before this position (reverse-continue's search bound). */
  private scanEnd: Position | undefined;
  /** Records before this one can no longer be reached (history was trimmed). */
  private deferredCompletions = 0;
  /** Stopped recording for good (sockets, another process): the reason. */
  disabled: string | undefined;

  constructor(readonly opts: RecorderOptions) {
    this.interval = opts.interval ?? DEFAULT_INTERVAL;
    this.memoryLimit = opts.memoryLimit ?? DEFAULT_MEMORY_LIMIT;
    const proc = opts.process;
    const sched = opts.scheduler;
    this.host = new HostLog({
      mode: 'off',
      cursor: this.cursor.host,
      clockKey: () => this.cursor.rec,
      schedulePoint: () => (this.live ? { rec: this.cursor.rec, ticks: sched.ticks, live: true } : { rec: this.records.length, ticks: this.liveTicks, live: false }),
      deferred: () => {
        this.deferredCompletions++;
      },
    });
    this.host.wrapClock(proc.clock);
    // Signals the debugger lets through: logged, and answered from the log on replay.
    const gate = proc.signalGate;
    proc.signalGate = (t, signal) => {
      if (!this.live) {
        const e = this.gateLog[this.cursor.gate];
        if (e !== undefined && e.rec === this.cursor.rec && e.tid === t.tid && e.signal === signal) {
          this.cursor.gate++;
          return true;
        }
        return false;
      }
      const yes = gate === undefined ? true : gate(t, signal);
      if (yes) {
        this.gateLog.push({ rec: this.cursor.rec, tid: t.tid, signal });
        this.cursor.gate = this.gateLog.length;
      }
      return yes;
    };
    const step = sched.step.bind(sched);
    sched.step = () => {
      this.host.side.mode = this.live ? 'record' : 'replay';
      this.host.activate();
      try {
        return step();
      } finally {
        this.host.side.mode = 'off';
        this.host.deactivate();
      }
    };
    sched.onTick = () => this.tick();
    this.opaque = new Set<object>([proc.mem, proc.opts, proc.program, proc.sentinels, proc.callObservers, proc.table, opts.debugPort, opts.plainPort, this]);
    this.roots = [proc, sched, proc.clock, this.cursor, ...(opts.extraRoots ?? [])];
  }

  /** At the end of the recorded history: execution is live and recorded. */
  get live(): boolean {
    return this.cursor.rec === this.records.length && this.cursor.off === 0;
  }

  get position(): Position {
    return { rec: this.cursor.rec, off: this.cursor.off };
  }

  /** Instructions the whole process executed up to now (what `monitor when` shows). */
  get instructions(): number {
    return this.cursor.insns;
  }

  get endPosition(): Position {
    return { rec: this.records.length, off: 0 };
  }

  get endInstructions(): number {
    const n = this.records.length;
    return n === 0 ? 0 : this.records.start[n - 1]! + this.records.executed[n - 1]!;
  }

  /** The earliest position history still reaches. */
  get startPosition(): Position {
    const s = this.snapshots[0];
    return s ? { ...s.pos } : this.position;
  }

  get startInstructions(): number {
    return this.snapshots[0]?.insns ?? this.cursor.insns;
  }

  private liveTicks = 0;

  // ---------------------------------------------------------------- the CpuPort the scheduler runs

  run(state: GuestThread['state'], budget: number): { stop: CpuStop; executed: number } {
    const t = this.threadFor(state);
    const c = this.cursor;
    if (this.live || t === undefined) {
      this.host.side.mode = 'record';
      this.deliverDeferred();
      const r = this.opts.debugPort.run(state, budget);
      if (t !== undefined && this.disabled === undefined) {
        this.records.push(t.tid, r.executed, r.stop, c.insns);
        c.rec++;
        this.liveTicks = this.opts.scheduler.ticks;
      }
      c.insns += r.executed;
      return r;
    }
    this.host.side.mode = 'replay';
    this.applyDue();
    const rs = this.records;
    let total = 0;
    for (;;) {
      const i = c.rec;
      if (i >= rs.length) {
        // The end of the recording inside a call: the rest of the slice runs live.
        if (total > 0) return { stop: { kind: 'budget' }, executed: total };
        return this.run(state, budget);
      }
      if (rs.tid[i] !== t.tid) throw new ReplayDiverged(`replay diverged from the recording: record ${i} belongs to pthread ${rs.tid[i]}, pthread ${t.tid} runs`);
      if (this.atTarget()) return this.pause(total);
      const left = rs.executed[i]! - c.off;
      if (left > 0) {
        let allowed = Math.min(left, budget - total);
        const tg = this.target;
        if (tg !== undefined && tg.rec === i && tg.off > c.off) allowed = Math.min(allowed, tg.off - c.off);
        if (allowed <= 0) return { stop: { kind: 'budget' }, executed: total };
        const port = this.mode === 'fast' ? this.opts.plainPort : this.opts.debugPort;
        const r = port.run(state, allowed);
        c.off += r.executed;
        c.insns += r.executed;
        total += r.executed;
        if (r.stop.kind === 'debug') {
          if (this.mode === 'user') {
            // Stopped where the recording paused too: that pause is this one (and the end may be live again).
            if (c.off === rs.executed[i] && rs.kind[i] === STOP_DEBUG) {
              c.rec = i + 1;
              c.off = 0;
            }
            return { stop: r.stop, executed: total };
          }
          if (this.mode === 'scan') {
            this.noteHit(t);
            if (this.scanEnd !== undefined && !before(this.position, this.scanEnd)) return this.pause(total);
            // Step over the stop point as gdb would: one instruction without stop points.
            if (c.off < rs.executed[i]!) {
              this.opts.stopPoints.suspend();
              const one = this.opts.plainPort.run(state, 1);
              this.opts.stopPoints.resume();
              c.off += one.executed;
              c.insns += one.executed;
              total += one.executed;
              if (one.executed !== 1) throw new ReplayDiverged(`replay diverged from the recording at record ${i}: stepping over a stop point did not execute`);
            }
            continue;
          }
          throw new ReplayDiverged(`replay diverged from the recording at record ${i}: unexpected ${r.stop.detail} stop`);
        }
        if (r.stop.kind !== 'budget' || r.executed !== allowed) {
          throw new ReplayDiverged(`replay diverged from the recording at record ${i} (+${c.off}): the CPU stopped (${r.stop.kind}) after ${r.executed} of ${allowed} instructions`);
        }
        continue;
      }
      // The record's instructions are done: its stop comes next.
      const kind = rs.kind[i]!;
      if (this.mode === 'user' && (kind === STOP_HOSTCALL || kind === STOP_OTHER)) {
        // Let the debug port see the import call or fault (catch syscall, fault stops) as it did live.
        const r = this.opts.debugPort.run(state, 1);
        if (r.executed !== 0) throw new ReplayDiverged(`replay diverged from the recording at record ${i}: an instruction ran where the recording stopped`);
        if (r.stop.kind === 'debug') return { stop: r.stop, executed: total };
      }
      c.rec = i + 1;
      c.off = 0;
      if (kind === STOP_BUDGET) return { stop: { kind: 'budget' }, executed: total };
      if (kind === STOP_DEBUG) {
        this.recordedPause = true;
        return { stop: { kind: 'debug', detail: 'recorded stop' }, executed: total };
      }
      return { stop: rs.stops.get(i)!, executed: total };
    }
  }

  invalidateCode(addr: bigint, len: number): void {
    this.opts.plainPort.invalidateCode?.(addr, len);
  }

  private pause(executed: number): { stop: CpuStop; executed: number } {
    this.reachedTarget = true;
    return { stop: { kind: 'debug', detail: 'replay target' }, executed };
  }

  private atTarget(): boolean {
    const tg = this.target;
    return tg !== undefined && tg.rec === this.cursor.rec && tg.off === this.cursor.off;
  }

  private noteHit(t: GuestThread): void {
    const hit = { pos: this.position, tid: t.tid, stop: this.opts.lastReport() };
    // The state at the hit is live right now: the only moment a condition can be evaluated.
    if (this.acceptHit === undefined || this.acceptHit(hit)) this.hits.push(hit);
  }

  /** While scanning: keep only the hits this accepts (conditional breakpoints). */
  private acceptHit: ((hit: Hit) => boolean) | undefined;

  private threadFor(state: object): GuestThread | undefined {
    let t = this.threadOfState.get(state);
    if (t === undefined) {
      t = this.opts.process.threads.find((x) => x.state === state);
      if (t !== undefined) this.threadOfState.set(state, t);
    }
    return t;
  }

  /** Host reads that completed while the guest was in the past: at the end of history now. */
  private deliverDeferred(): void {
    if (this.cursor.host.asyncDone < this.host.completions.length) this.host.deliverDue(Infinity, Infinity);
  }

  /** Host completions and gdb's writes due before the next record (replay). */
  private applyDue(): void {
    const c = this.cursor;
    if (c.off !== 0) return;
    for (;;) {
      const e = this.interventions[c.intervention];
      if (e === undefined || e.rec > c.rec) break;
      c.intervention++;
      e.apply();
    }
    this.host.deliverDue(c.rec, this.opts.scheduler.ticks);
  }

  // ---------------------------------------------------------------- ticks and snapshots

  private tick(): void {
    if (this.disabled) return;
    if (this.live) {
      this.deliverDeferred();
      this.liveTicks = this.opts.scheduler.ticks;
      this.checkRecordable();
      if (this.disabled) return;
    } else {
      this.applyDue();
    }
    if (this.cursor.insns - this.lastSnapshotInsns >= this.interval) this.snapshotOrStop();
  }

  /** A snapshot that fails (state the walk cannot take) ends recording, never the run. */
  private snapshotOrStop(): void {
    try {
      this.snapshot(false);
    } catch (e) {
      this.disable(`a snapshot failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  /** Sockets and other processes talk to the host in ways the log does not capture yet. */
  private checkRecordable(): void {
    if (this.opts.process.table.hasPeers(this.opts.process)) {
      this.disable('the program started another process (fork/exec is not recorded)');
      return;
    }
    for (const e of this.opts.process.files.fds.values()) {
      if (e.file.kind === 'socket') {
        this.disable('the program opened a socket (socket I/O is not recorded)');
        return;
      }
    }
  }

  disable(why: string): void {
    if (this.disabled) return;
    this.disabled = why;
    this.snapshots = [];
    this.pageRefs.clear();
    this.pageBytes = 0;
  }

  /** A snapshot at the current position (a scheduler tick or a stop: every piece of state is in objects). */
  snapshot(pinned: boolean): Snapshot | undefined {
    if (this.disabled) return undefined;
    const pos = this.position;
    const ticks = this.opts.scheduler.ticks;
    const same = this.snapshots.find((s) => s.pos.rec === pos.rec && s.pos.off === pos.off && s.ticks === ticks);
    if (same !== undefined) {
      same.pinned ||= pinned;
      this.lastSnapshotInsns = this.cursor.insns;
      return same;
    }
    const mem = this.opts.process.mem.capture();
    const objects = captureObjects(this.roots, this.opaque);
    let bytes = objects.bytes;
    for (const p of mem.pages.values()) {
      const n = this.pageRefs.get(p.bytes) ?? 0;
      if (n === 0) {
        this.pageBytes += p.bytes.byteLength;
        bytes += p.bytes.byteLength;
      }
      this.pageRefs.set(p.bytes, n + 1);
    }
    const s: Snapshot = { pos, ticks, insns: this.cursor.insns, mem, objects, bytes, pinned };
    const at = this.snapshots.findIndex((x) => before(pos, x.pos) || (samePos(pos, x.pos) && ticks < x.ticks));
    if (at < 0) this.snapshots.push(s);
    else this.snapshots.splice(at, 0, s);
    this.lastSnapshotInsns = this.cursor.insns;
    this.enforceLimit();
    return s;
  }

  /** Bytes held by snapshots (distinct pages plus JavaScript state) and logs. */
  get memoryUsed(): number {
    let objects = 0;
    for (const s of this.snapshots) objects += s.objects.bytes + s.objects.saved.size * 48;
    return this.pageBytes + objects + this.host.bytes + this.records.bytes;
  }

  get snapshotCount(): number {
    return this.snapshots.length;
  }

  private drop(s: Snapshot): void {
    this.snapshots.splice(this.snapshots.indexOf(s), 1);
    for (const p of s.mem.pages.values()) {
      const n = this.pageRefs.get(p.bytes)! - 1;
      if (n === 0) {
        this.pageRefs.delete(p.bytes);
        this.pageBytes -= p.bytes.byteLength;
      } else this.pageRefs.set(p.bytes, n);
    }
  }

  /**
   * Over the limit: thin the older half (every other snapshot), then drop the oldest (history
   * starts later). The logs are not trimmed: when they alone take half the limit (a program
   * reading gigabytes), recording stops rather than grow without bound.
   */
  private enforceLimit(): void {
    while (this.memoryUsed > this.memoryLimit && this.snapshots.length > 2) {
      const older = this.snapshots.slice(1, Math.floor(this.snapshots.length / 2)).filter((s, k) => k % 2 === 0 && !s.pinned);
      if (older.length > 0) {
        for (const s of older) this.drop(s);
        continue;
      }
      const oldest = this.snapshots.find((s) => !s.pinned);
      if (oldest === undefined) break;
      this.drop(oldest);
    }
    if (this.host.bytes + this.records.bytes > this.memoryLimit / 2) this.disable('the log of host input outgrew half of --record-memory');
  }

  private restore(s: Snapshot): void {
    this.opts.process.mem.restore(s.mem);
    restoreObjects(s.objects);
    this.lastSnapshotInsns = s.insns;
  }

  /** The latest snapshot at or before `pos`. */
  private snapshotBefore(pos: Position): Snapshot | undefined {
    let best: Snapshot | undefined;
    for (const s of this.snapshots) if (!before(pos, s.pos)) best = s;
    return best;
  }

  // ---------------------------------------------------------------- gdb's writes while recording

  /** Apply a change the debugger makes to the guest (registers, memory, a signal) and log it for replay. */
  intervene(apply: () => void): void {
    apply();
    if (!this.disabled && this.live) {
      this.interventions.push({ rec: this.cursor.rec, apply });
      this.cursor.intervention = this.interventions.length;
    }
  }

  // ---------------------------------------------------------------- navigation

  /**
   * Replay from the nearest snapshot to `pos` (fast: no stop points), or straight on from here
   * when `pos` lies ahead with no snapshot in between. Returns false when `pos` is before the
   * start of history (nothing changes then).
   */
  goto(pos: Position): boolean {
    const s = this.snapshotBefore(pos);
    if (s === undefined) return false;
    const here = this.position;
    if (samePos(here, pos)) return true;
    const onward = before(here, pos) && !before(here, s.pos);
    if (!onward) this.restore(s);
    this.replay('fast', pos);
    return true;
  }

  /** The position of the instruction count n (the first state with that many instructions executed). */
  positionOfInstructions(n: number): Position | undefined {
    const rs = this.records;
    if (n > this.endInstructions || n < this.startInstructions) return undefined;
    // The first record whose end reaches n (record ends never decrease).
    let lo = 0;
    let hi = rs.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (rs.start[mid]! + rs.executed[mid]! >= n) hi = mid;
      else lo = mid + 1;
    }
    if (lo >= rs.length) return this.endPosition;
    const pos = { rec: lo, off: Math.max(0, n - rs.start[lo]!) };
    const first = this.startPosition;
    return before(pos, first) ? first : pos;
  }

  /** Where thread `tid` was about to take its previous step (instruction or libc call) before `from`. */
  previousStepOf(tid: number, from: Position = this.position): Position | undefined {
    const rs = this.records;
    if (from.rec < rs.length && rs.tid[from.rec] === tid && from.off > 0) return { rec: from.rec, off: from.off - 1 };
    for (let j = Math.min(from.rec, rs.length) - 1; j >= 0; j--) {
      if (rs.tid[j] !== tid) continue;
      if (rs.kind[j] === STOP_HOSTCALL) return { rec: j, off: rs.executed[j]! };
      if (rs.executed[j]! > 0) return { rec: j, off: rs.executed[j]! - 1 };
    }
    return undefined;
  }

  /**
   * The last signal delivered to thread `tid` at or before `pos` within the same resume (no
   * debugger stop in between): where the thread stood just before it (the end of its previous
   * record, the interrupted instruction next). Undefined when there is none.
   */
  beforeLastSignalTo(tid: number, pos: Position): Position | undefined {
    const rs = this.records;
    for (let k = this.gateLog.length - 1; k >= 0; k--) {
      const e = this.gateLog[k]!;
      if (e.tid !== tid || e.rec > pos.rec) continue;
      for (let j = e.rec - 1; j >= 0; j--) if (rs.tid[j] === tid) return this.noDebugStopBetween(j, pos.rec) ? { rec: j, off: rs.executed[j]! } : undefined;
      return undefined;
    }
    return undefined;
  }

  /** No record strictly between a and b ended in a debugger stop (one resume of gdb's covers them). */
  private noDebugStopBetween(a: number, b: number): boolean {
    for (let j = a + 1; j < b; j++) if (this.records.kind[j] === STOP_DEBUG) return false;
    return true;
  }

  /**
   * Search backwards for the last stop-point hit before the current position: replay each
   * interval between snapshots (latest first) collecting hits. Leaves the process at the hit, or
   * at the start of history when there is none (returns undefined then).
   */
  async findPreviousHit(accept?: (hit: Hit) => boolean): Promise<Hit | 'interrupted' | undefined> {
    this.acceptHit = accept;
    this.interruptRequested = false;
    try {
      return await this.searchBack();
    } finally {
      this.acceptHit = undefined;
      this.interruptRequested = false;
    }
  }

  /** Ctrl-C during a search back: it stops where it is (a valid position of the history). */
  requestInterrupt(): void {
    this.interruptRequested = true;
  }

  private interruptRequested = false;

  private async searchBack(): Promise<Hit | 'interrupted' | undefined> {
    const end = this.position;
    const stops: Position[] = this.snapshots.map((s) => s.pos);
    let upper = end;
    for (let k = stops.length - 1; k >= 0; k--) {
      const s = this.snapshots[k]!;
      if (!before(s.pos, upper) && !(samePos(s.pos, upper) && k === 0)) continue;
      this.hits.length = 0;
      this.restore(s);
      if ((await this.scan(upper)) === 'interrupted') return 'interrupted';
      const found = this.hits.filter((h) => before(h.pos, end));
      if (found.length > 0) {
        const hit = found[found.length - 1]!;
        this.restore(s);
        this.replay('fast', hit.pos);
        return hit;
      }
      upper = s.pos;
    }
    const first = this.snapshots[0];
    if (first !== undefined) {
      this.restore(first);
      this.replay('fast', first.pos);
    }
    return undefined;
  }

  /** A scan replay that lets the event loop in every 20 ms (Ctrl-C from gdb). */
  private async scan(target: Position): Promise<'done' | 'interrupted'> {
    for (;;) {
      if (Date.now() - this.lastYield >= 20) {
        await new Promise<void>((res) => setImmediate(res));
        this.lastYield = Date.now();
        if (this.interruptRequested) return 'interrupted';
      }
      if (this.replay('scan', target, 20) === 'done') return 'done';
    }
  }

  private lastYield = 0;

  /**
   * Run the scheduler synchronously in replay until `target` (or the end of the recording);
   * with `ms`, give up after that long ('yielded': call again to go on).
   */
  private replay(mode: ReplayMode, target: Position, ms?: number): 'done' | 'yielded' {
    const sched = this.opts.scheduler;
    const saved = this.mode;
    this.mode = mode;
    this.target = target;
    this.reachedTarget = false;
    if (mode === 'fast') this.opts.stopPoints.suspend();
    else this.opts.allRunning();
    const started = Date.now();
    let outcome: 'done' | 'yielded' = 'done';
    try {
      let guard = 0;
      while (!this.reachedTarget) {
        if (this.live) break;
        const r = sched.step();
        this.recordedPause = false;
        if (r?.kind === 'ended') break;
        if (++guard > 50_000_000) throw new ReplayDiverged('replay made no progress');
        if (ms !== undefined && (guard & 63) === 0 && Date.now() - started >= ms) {
          outcome = 'yielded';
          break;
        }
      }
    } finally {
      if (mode === 'fast') this.opts.stopPoints.resume();
      this.mode = saved;
      this.target = undefined;
      this.reachedTarget = false;
    }
    // A snapshot where we arrived: the next step back starts close by.
    if (outcome === 'done' && !this.live && this.opts.scheduler.paused !== undefined) this.maybeSnapshotHere();
    return outcome;
  }

  private maybeSnapshotHere(): void {
    if (this.cursor.insns - this.lastSnapshotInsnsBefore(this.position) >= Math.min(this.interval, 20_000)) this.snapshotOrStop();
  }

  private lastSnapshotInsnsBefore(pos: Position): number {
    return this.snapshotBefore(pos)?.insns ?? -Infinity;
  }

  /** Prepare a forward resume in the past (gdb's continue/step there): the port follows the recording. */
  beginUserReplay(): void {
    this.mode = 'user';
    this.recordedPause = false;
  }

  /** The port returned a stop the recording had: consume it (the replay goes on). */
  takeRecordedPause(): boolean {
    const r = this.recordedPause;
    this.recordedPause = false;
    return r;
  }

  /** Snapshot at a debugger stop when the last one is far enough back. */
  atStop(): void {
    if (this.disabled) return;
    if (this.cursor.insns - this.lastSnapshotInsnsBefore(this.position) >= Math.min(this.interval, 100_000)) this.snapshotOrStop();
  }

  /** Deferred completions (host reads finished while the guest was in the past) that wait for the end. */
  get pendingHostEvents(): number {
    return this.deferredCompletions;
  }

  /** Describe memory use for `monitor record`. */
  describe(): string {
    const mb = (n: number) => `${(n / 1048576).toFixed(1)} MiB`;
    return [
      this.disabled ? `recording stopped: ${this.disabled}` : 'recording',
      `history: instructions ${this.startInstructions} .. ${this.endInstructions} (now ${this.instructions})`,
      `snapshots: ${this.snapshots.length} (${this.snapshots.filter((s) => s.pinned).length} bookmarked), every ${this.interval} instructions`,
      `memory: ${mb(this.memoryUsed)} of ${mb(this.memoryLimit)} (pages ${mb(this.pageBytes)}, host log ${mb(this.host.bytes)}, schedule ${this.records.length} records)`,
    ].join('\n');
  }

  /** Completions of asynchronous host reads logged so far (tests). */
  get completions(): readonly AsyncCompletion[] {
    return this.host.completions;
  }
}

export function before(a: Position, b: Position): boolean {
  return a.rec < b.rec || (a.rec === b.rec && a.off < b.off);
}

export function samePos(a: Position, b: Position): boolean {
  return a.rec === b.rec && a.off === b.off;
}
