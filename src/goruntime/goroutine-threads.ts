// Goroutines as debugger threads, the way Delve shows them: every goroutine that is not dead is a
// thread; one running on an M carries that M's live registers (its pthread), a parked or runnable
// one carries the registers the scheduler saved in g.sched (pc, sp, lr, and g itself in R30).
// The debugger side (machine/aix-target.ts) numbers them: goroutine N is thread N, pthread N is
// PTHREAD_THREAD_BASE + N (pthreads stay listed so that threads without a goroutine, and the
// start-up before the runtime exists, remain visible).
import type { GRecord } from './reader.js';
import type { RuntimeViews } from './views.js';

/** Registers of a goroutine that is not on a thread (g.sched, as gogo would restore them). */
export interface SavedGoroutineRegisters {
  pc: bigint;
  sp: bigint;
  lr: bigint;
  /** The g pointer: Go keeps it in R30 on ppc64. */
  g: bigint;
}

export interface GoroutineThread {
  goid: number;
  name: string;
  /** The pthread whose M runs it now (its live registers are the goroutine's). */
  pthread: number | undefined;
  /** Where it resumes when it is not on a thread. */
  saved: SavedGoroutineRegisters | undefined;
}

/**
 * Goroutines listed as threads beyond the running ones. gdb re-reads the whole list after every
 * stop and compares it with its own quadratically (10,000 threads: ~200 ms per stepi), so the
 * list stops here; `monitor goroutines` shows all of them.
 */
export const DEFAULT_GOROUTINE_THREAD_LIMIT = 256;

/** What the debugger asks the runtime views for, once per stop. */
export interface GoroutineThreadSource {
  /** The goid each live pthread's M is running now (m.curg), by pthread id: cheap (walks allm only). */
  carried(): Map<number, number>;
  /**
   * The goid pthread `tid`'s M is running now, as carried() has it for that pthread, reading only
   * that M: every stop is named by it, a breakpoint hit the stub skips (false condition) too.
   */
  goidOn(tid: number): number | undefined;
  /** The ids of the goroutines `list` would give, cheaply (two fields read per goroutine). */
  ids(): number[];
  /**
   * The goroutines to list (every one an M runs, and the first `limit` that are not dead), with
   * names and registers, the pthreads' names, and whether goroutines past the limit were left out.
   */
  list(): { goroutines: GoroutineThread[]; pthreadNames: Map<number, string>; omitted: boolean };
}

/** Register number of g on ppc64 (the Go ABI reserves R30 for it). */
export const G_REGISTER = 30;

export function goroutineThreadSource(views: () => RuntimeViews, limit = DEFAULT_GOROUTINE_THREAD_LIMIT): GoroutineThreadSource {
  return {
    carried: () => {
      const out = new Map<number, number>();
      for (const s of views().threadSummaries()) if (s.goid !== undefined) out.set(s.tid, Number(s.goid));
      return out;
    },
    goidOn: (tid) => {
      const goid = views().goidOnThread(tid);
      return goid === undefined ? undefined : Number(goid);
    },
    ids: () => views().listedGoroutineAddresses(limit).gs.map((g) => Number(g.goid)),
    list: () => list(views(), limit),
  };
}

function list(views: RuntimeViews, limit: number): ReturnType<GoroutineThreadSource['list']> {
  const layout = views.layout;
  const snap = views.snapshot(false);
  const pthreadNames = new Map<number, string>();
  const carrier = new Map<bigint, { tid: number; m: bigint }>();
  for (const r of snap.threads) {
    const t = r.thread;
    if (r.m !== undefined && r.m.curg !== 0n) carrier.set(r.m.curg, { tid: t.tid, m: r.m.id });
    const parts = [`pthread ${t.tid}`];
    if (r.m !== undefined) parts.push(`M${r.m.id}`);
    if (r.curg !== undefined) parts.push(`running g${r.curg.goid}`);
    else if (r.m !== undefined) parts.push('no goroutine');
    const waiting = t.status === 'blocked' && t.waiting !== undefined ? ` (${t.waiting.split(/[ (]/)[0]})` : '';
    pthreadNames.set(t.tid, parts.join(', ') + waiting);
  }
  const goroutines: GoroutineThread[] = [];
  if (layout === undefined) return { goroutines, pthreadNames, omitted: false };
  const listed = views.listedGoroutines(limit);
  for (const g of listed.gs) {
    const on = carrier.get(g.address);
    const status = layout.gStatusName(g.atomicstatus);
    const waiting = g.status === layout.gStatus.waiting ? ` (${layout.waitReasonText(g.waitreason)})` : '';
    const where = on !== undefined ? `, M${on.m}, pthread ${on.tid}` : '';
    goroutines.push({
      goid: Number(g.goid),
      name: `g${g.goid} ${status}${waiting}${where}, ${views.startFunction(g.startpc)}`,
      pthread: on?.tid,
      saved: on === undefined ? savedRegisters(g) : undefined,
    });
  }
  return { goroutines, pthreadNames, omitted: listed.omitted };
}

function savedRegisters(g: GRecord): SavedGoroutineRegisters {
  return { pc: g.schedPc, sp: g.schedSp, lr: g.schedLr ?? 0n, g: g.address };
}
