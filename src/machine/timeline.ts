// Lives in the machine layer: it observes the AIX process (calls, signals, slices) and reads the
// Go runtime through the goruntime views, which only the machine layer may join.
// `--timeline FILE`: the run as Chrome/Perfetto trace-event JSON. One track per pthread (named
// with its M), a slice per goroutine while it runs there, a slice per libc call, GC phases on a
// track of their own, an instant per signal delivery, and a flow arrow from each goroutine's last
// slice to its next one (often on another M). Time is guest time: instructions under --deterministic.
//
// Goroutine switches are observed cheaply: g lives in R30 on ppc64, and the recorder looks at it
// after every run of guest code (a scheduler slice, at most 20 000 instructions) and at every libc
// call, so a goroutine that runs for less than a slice between two calls may be missed.
import * as fs from 'node:fs';
import type { AixProcess, CallObserver, ProcessEnd } from '../aix/process.js';
import type { PendingSignal } from '../aix/signals.js';
import { formatCallArguments, straceReturnText } from '../aix/strace.js';
import type { ActiveCall, GuestThread } from '../aix/threads.js';
import { signalName } from '../aix/constants.js';
import { RuntimeReader } from '../goruntime/reader.js';
import { RuntimeViews } from '../goruntime/views.js';

/** One Trace Event Format event (the fields this recorder writes). */
export interface TraceEvent {
  name: string;
  ph: 'B' | 'E' | 'X' | 'i' | 'M' | 's' | 'f';
  ts: number;
  pid: number;
  tid: number;
  cat?: string;
  dur?: number;
  id?: number;
  bp?: 'e';
  s?: 't' | 'p' | 'g';
  args?: Record<string, unknown>;
}

/** The track GC phases go on (no guest thread has this id). */
const GC_TRACK = 1;
const G_REGISTER = 30;
const GC_PHASES = ['', 'GC mark', 'GC mark termination'];

interface Running {
  g: bigint;
  goid: bigint;
  /** The slice's name, once it began: `g7 main.worker`. */
  name?: string;
}

export class TimelineRecorder implements CallObserver {
  readonly events: TraceEvent[] = [];
  private readonly views: RuntimeViews;
  private readonly reader: RuntimeReader | undefined;
  private readonly running = new Map<GuestThread, Running>();
  /** Open libc call slices per thread. */
  private readonly inCall = new Set<GuestThread>();
  /** Where each goroutine last stopped: the flow arrow's start. */
  private readonly lastSeen = new Map<bigint, number>();
  private readonly threadIds = new Map<GuestThread, number>();
  private readonly gcPhaseAddr: bigint | undefined;
  private gcPhase = 0;
  private nextFlow = 1;
  private lastTs = 0;

  constructor(private readonly proc: AixProcess) {
    this.views = new RuntimeViews({ image: proc.image, memory: proc.mem, threads: () => [] });
    const layout = this.views.layout;
    try {
      this.reader = layout ? new RuntimeReader(layout, (a, n) => proc.mem.readBytes(a, n)) : undefined;
    } catch {
      this.reader = undefined; // not a Go binary the reader understands: libc calls and signals only
    }
    this.gcPhaseAddr = proc.image.findSymbol('runtime.gcphase')?.address;
    proc.callObservers.add(this);
  }

  /** Look at the thread's g after it ran guest code (the scheduler calls this). */
  sample(t: GuestThread): void {
    if (this.proc.end) return;
    const ts = this.now();
    this.sampleGc(ts);
    if (this.inCall.has(t)) return; // inside a libc call the thread runs no goroutine
    this.switchTo(t, this.userG(t), ts);
  }

  enter(t: GuestThread, call: ActiveCall): void {
    const ts = this.now();
    this.sampleGc(ts);
    // Go switched to g0 for the call (asmcgocall): the goroutine's slice ends here.
    this.switchTo(t, undefined, ts);
    this.inCall.add(t);
    this.push({ name: call.call.name, ph: 'B', ts, pid: this.proc.pid, tid: this.tid(t), cat: 'libc', args: { call: formatCallArguments(this.proc.mem, call.call.name, call.args) } });
  }

  exit(t: GuestThread, call: ActiveCall, r3: bigint, errno: number): void {
    if (!this.inCall.delete(t)) return;
    this.push({ name: call.call.name, ph: 'E', ts: this.now(), pid: this.proc.pid, tid: this.tid(t), cat: 'libc', args: { result: straceReturnText(this.proc.mem, call.call.name, call.args, r3, errno) } });
  }

  restarted(t: GuestThread, call: ActiveCall): void {
    if (!this.inCall.delete(t)) return;
    this.push({ name: call.call.name, ph: 'E', ts: this.now(), pid: this.proc.pid, tid: this.tid(t), cat: 'libc', args: { result: 'restarted after a signal handler' } });
  }

  signal(t: GuestThread, s: PendingSignal): void {
    this.push({ name: signalName(s.signal), ph: 'i', s: 't', ts: this.now(), pid: this.proc.pid, tid: this.tid(t), cat: 'signal', args: { si_code: s.code, ...(s.addr !== 0n ? { si_addr: '0x' + s.addr.toString(16) } : {}) } });
  }

  threadExit(t: GuestThread): void {
    this.closeThread(t, this.now());
  }

  processEnd(_end: ProcessEnd): void {
    const ts = this.now();
    for (const t of this.proc.threads) this.closeThread(t, ts);
    if (this.gcPhase !== 0) this.push({ name: GC_PHASES[this.gcPhase] ?? 'GC', ph: 'E', ts, pid: this.proc.pid, tid: GC_TRACK, cat: 'gc' });
    this.gcPhase = 0;
  }

  /** The Trace Event Format document: metadata naming the process and every track, then the events. */
  document(programName: string): { traceEvents: TraceEvent[]; displayTimeUnit: 'ns' } {
    const pid = this.proc.pid;
    const meta: TraceEvent[] = [{ name: 'process_name', ph: 'M', ts: 0, pid, tid: 0, args: { name: `${programName} (pid ${pid})` } }];
    const mOf = this.mIdsByPthread();
    for (const [t, tid] of this.threadIds) {
      const m = mOf.get(t.tid);
      meta.push({ name: 'thread_name', ph: 'M', ts: 0, pid, tid, args: { name: `pthread ${t.tid}${m !== undefined ? ` · M${m}` : ''}` } });
      meta.push({ name: 'thread_sort_index', ph: 'M', ts: 0, pid, tid, args: { sort_index: t.tid } });
    }
    if (this.events.some((e) => e.tid === GC_TRACK)) meta.push({ name: 'thread_name', ph: 'M', ts: 0, pid, tid: GC_TRACK, args: { name: 'Go GC phases' } });
    // Flow starts of goroutines that never ran again have no arrow to draw.
    const finished = new Set(this.events.filter((e) => e.ph === 'f').map((e) => e.id));
    return { traceEvents: [...meta, ...this.events.filter((e) => e.ph !== 's' || finished.has(e.id))], displayTimeUnit: 'ns' };
  }

  // ---- internals

  private closeThread(t: GuestThread, ts: number): void {
    if (this.inCall.delete(t)) this.push({ name: t.current?.call.name ?? 'libc', ph: 'E', ts, pid: this.proc.pid, tid: this.tid(t), cat: 'libc', args: { result: '?' } });
    this.switchTo(t, undefined, ts);
  }

  /** The user goroutine t runs now, or undefined (g0, a signal g, not yet Go, unreadable). */
  private userG(t: GuestThread): Running | undefined {
    const reader = this.reader;
    if (!reader) return undefined;
    const g = t.state.getGpr(G_REGISTER);
    const cur = this.running.get(t);
    if (cur && cur.g === g) return cur;
    if (g === 0n) return undefined;
    try {
      const goid = reader.goidOf(g);
      return goid > 0n ? { g, goid } : undefined; // g0 and gsignal have goid 0
    } catch {
      return undefined;
    }
  }

  private switchTo(t: GuestThread, next: Running | undefined, ts: number): void {
    const cur = this.running.get(t);
    if (cur?.g === next?.g && cur?.goid === next?.goid) return;
    const tid = this.tid(t);
    if (cur) {
      // A flow may start here, inside the slice (dropped unless the goroutine runs again).
      const id = this.nextFlow++;
      this.push({ name: 'goroutine', ph: 's', ts, pid: this.proc.pid, tid, cat: 'goroutine', id });
      this.push({ name: cur.name ?? `g${cur.goid}`, ph: 'E', ts, pid: this.proc.pid, tid, cat: 'goroutine' });
      this.lastSeen.set(cur.goid, id);
      this.running.delete(t);
    }
    if (next) {
      const g = this.describe(next);
      const name = `g${next.goid} ${g.start}`;
      next.name = name;
      this.push({ name, ph: 'B', ts, pid: this.proc.pid, tid, cat: 'goroutine', args: { goid: Number(next.goid), start: g.start } });
      const id = this.lastSeen.get(next.goid);
      if (id !== undefined) {
        // The arrow from where it last ran to here.
        this.push({ name: 'goroutine', ph: 'f', bp: 'e', ts, pid: this.proc.pid, tid, cat: 'goroutine', id });
        this.lastSeen.delete(next.goid);
      }
      this.running.set(t, next);
    }
  }

  private readonly starts = new Map<bigint, string>();

  private describe(r: Running): { start: string } {
    let start = 'goroutine';
    try {
      const g = this.reader!.readG(r.g);
      start = this.starts.get(g.startpc) ?? this.views.startFunction(g.startpc);
      this.starts.set(g.startpc, start);
    } catch {
      // unreadable g: keep the generic name
    }
    return { start };
  }

  private sampleGc(ts: number): void {
    if (this.gcPhaseAddr === undefined) return;
    let phase: number;
    try {
      phase = this.proc.mem.readU32(this.gcPhaseAddr);
    } catch {
      return;
    }
    if (phase === this.gcPhase) return;
    const pid = this.proc.pid;
    if (this.gcPhase !== 0) this.push({ name: GC_PHASES[this.gcPhase] ?? 'GC', ph: 'E', ts, pid, tid: GC_TRACK, cat: 'gc' });
    if (phase !== 0) this.push({ name: GC_PHASES[phase] ?? `GC phase ${phase}`, ph: 'B', ts, pid, tid: GC_TRACK, cat: 'gc' });
    this.gcPhase = phase;
  }

  private mIdsByPthread(): Map<number, bigint> {
    const out = new Map<number, bigint>();
    if (!this.reader) return out;
    try {
      const all = this.reader.allMs();
      for (const m of all.ok ? all.value : all.partial) out.set(Number(m.procid), m.id);
    } catch {
      // no Ms readable: tracks keep their pthread names
    }
    return out;
  }

  private tid(t: GuestThread): number {
    let id = this.threadIds.get(t);
    if (id === undefined) {
      id = t.kernelTid || this.proc.pid;
      this.threadIds.set(t, id);
    }
    return id;
  }

  /** Guest time in microseconds, never going back (the format's unit; ns kept as fractions). */
  private now(): number {
    const ts = Number(this.proc.clock.monotonicNs()) / 1000;
    this.lastTs = Math.max(this.lastTs, ts);
    return this.lastTs;
  }

  private push(e: TraceEvent): void {
    this.events.push(e);
  }
}

/**
 * --timeline FILE: opens FILE at once (a bad path is an error before the guest runs), records the
 * process, and writes the trace when `finish` is called. Returns an error line instead when FILE
 * cannot be written.
 */
export function startTimeline(proc: AixProcess, file: string, programName: string): { finish(): void } | { error: string } {
  let fd: number;
  try {
    fd = fs.openSync(file, 'w');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return { error: `--timeline: ${file}: ${code === 'ENOENT' ? 'no such directory' : code === 'EISDIR' ? 'is a directory' : (e as Error).message}` };
  }
  const rec = new TimelineRecorder(proc);
  proc.afterRun = (t) => rec.sample(t);
  let done = false;
  return {
    finish() {
      if (done) return;
      done = true;
      const doc = rec.document(programName);
      // One event per line: a multi-megabyte trace stays greppable and diffable.
      fs.writeSync(fd, `{"displayTimeUnit":"ns","traceEvents":[\n${doc.traceEvents.map((e) => JSON.stringify(e)).join(',\n')}\n]}\n`);
      fs.closeSync(fd);
    },
  };
}
