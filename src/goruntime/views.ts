// The Go runtime as a debugger user wants to see it: every M with its libc call (monitor libcall),
// the pthread ↔ M ↔ G mapping (monitor threads) and every goroutine (monitor goroutines). Data
// comes from guest memory and registers through RuntimeViewSource, decoded with the binary's DWARF
// (RuntimeLayout/RuntimeReader); nothing here knows the emulator's classes.
import { errnoName } from '../aix/constants.js';
import { formatCallArguments, straceArgCount, type StraceMemory } from '../aix/strace.js';
import type { XcoffImage } from '../xcoff/index.js';
import { runtimeLayoutFromImage, type RuntimeLayout } from './layout.js';
import { LibcallSites, mLibcall, qualifiedImportName, readLibcallStruct, type LibcallStruct } from './libcall.js';
import { RuntimeReader, type GRecord, type MRecord, type ReadMemory } from './reader.js';
import { inlinedCallsAt, type InlinedCall } from '../dwarf/inline.js';
import { frameTableOf, isUserFunction, unwindGoStack, type GoStack, type UnwindStart } from './go-unwind.js';
import { SWITCH_IN_FUNCTIONS } from './stack-switch-cfi.js';

/** One guest thread as the views need it. */
export interface ThreadView {
  /** The pthread id the guest sees (pthread_self, m.procid). */
  tid: number;
  /** gdb's thread id for it. */
  gdbThreadId: number;
  /** 'runnable', 'blocked', ... as the emulator says. */
  status: string;
  /** What a blocked thread waits for ('sem_wait 0x...'). */
  waiting?: string;
  pc: bigint;
  lr: bigint;
  gpr(n: number): bigint;
  /** The emulator's record of the libc import this thread is inside (at its entry, or blocked in it). */
  importCall?: { name: string; library: string; member: string; args: readonly bigint[] };
}

/** Where the views read from: the binary, guest memory, and the live threads. */
export interface RuntimeViewSource {
  image: XcoffImage;
  memory: StraceMemory;
  threads(): ThreadView[];
}

export interface LibcallView {
  m: MRecord | undefined;
  thread: ThreadView | undefined;
  /** The qualified name of the import the thread is in or about to call ('libc.a(shr_64.o):write'). */
  importName: string | undefined;
  /** The C name ('write'). */
  cName: string | undefined;
  /** Arguments as the best source has them (the libcall struct's, else the emulator's R3..R8). */
  args: bigint[];
  /** The live libcall struct on the asmsyscall6 path. */
  struct: (LibcallStruct & { address: bigint; via: string; importName: string | undefined }) | undefined;
  /** m.libcall as sigtramp left it. */
  mLibcall: (Omit<LibcallStruct, 'args'> & { importName: string | undefined }) | undefined;
  inLibc: boolean;
}

export interface ThreadRow {
  thread: ThreadView;
  m: MRecord | undefined;
  /** Which g the thread runs on: 'g0', 'gsignal', 'curg' or undefined when unknown. */
  on: 'g0' | 'gsignal' | 'curg' | undefined;
  g: bigint | undefined;
  curg: GRecord | undefined;
  lockedg: GRecord | undefined;
}

const hex = (v: bigint) => `0x${BigInt.asUintN(64, v).toString(16)}`;

/** The g a thread runs (from its registers) and its M: the g's M, else the M carrying its pthread id. */
function mOfThread(
  reader: RuntimeReader,
  thread: ThreadView,
  ms: readonly MRecord[],
  mByAddr: ReadonlyMap<bigint, MRecord>,
): { cur: ReturnType<RuntimeReader['currentG']>; m: MRecord | undefined } {
  const cur = reader.currentG({ r30: thread.gpr(30), r13: thread.gpr(13) }, mByAddr);
  // Before its first save_g a thread has no g yet; its M still carries its pthread id.
  const m = (cur === undefined ? undefined : mByAddr.get(cur.m)) ?? ms.find((x) => x.procid === BigInt(thread.tid) && x.procid !== 0n);
  return { cur, m };
}

/** Caches per image: DWARF parsing and slot maps are done once. */
const perImage = new WeakMap<XcoffImage, { layout: RuntimeLayout | string; sites: LibcallSites }>();

export class RuntimeViews {
  readonly sites: LibcallSites;
  private readonly layoutOrError: RuntimeLayout | string;
  private readonly readMemory: ReadMemory;
  private readonly wrapped = new Map<string, string>();

  constructor(private readonly source: RuntimeViewSource) {
    let cached = perImage.get(source.image);
    if (cached === undefined) {
      let layout: RuntimeLayout | string;
      try {
        layout = runtimeLayoutFromImage(source.image);
      } catch (e) {
        layout = `cannot read the Go runtime layout from the binary's DWARF: ${e instanceof Error ? e.message : String(e)}`;
      }
      cached = { layout, sites: new LibcallSites(source.image) };
      perImage.set(source.image, cached);
    }
    this.layoutOrError = cached.layout;
    this.sites = cached.sites;
    const mem = source.memory;
    this.readMemory = (addr, len) => {
      const b = mem.readBytes(addr, len);
      if (b.length < len) throw new Error(`unmapped memory at 0x${(addr + BigInt(b.length)).toString(16)}`);
      return b;
    };
  }

  get layout(): RuntimeLayout | undefined {
    return typeof this.layoutOrError === 'string' ? undefined : this.layoutOrError;
  }

  private reader(): RuntimeReader | string {
    const layout = this.layoutOrError;
    if (typeof layout === 'string') return layout;
    try {
      return new RuntimeReader(layout, this.readMemory);
    } catch (e) {
      return e instanceof Error ? e.message : String(e);
    }
  }

  /** 'runtime.write1+0x40' (or the bare hex address when no symbol covers it). */
  symbolize(addr: bigint): string {
    if (addr === 0n) return '0x0';
    const s = this.source.image.symbolize(addr);
    if (s === undefined) return hex(addr);
    return s.offset === 0n ? s.name : `${s.name}+0x${s.offset.toString(16)}`;
  }

  /**
   * The start function; for a compiler wrapper around `go f(args)` (Go 1.21+ `main.main.gowrap1`,
   * earlier `main.main.func2`) also the function it calls: 'main.main.gowrap1 → main.worker'.
   */
  startFunction(startpc: bigint): string {
    const name = this.symbolize(startpc);
    if (!/\.(gowrap|func)\d+$/.test(name)) return name;
    let cached = this.wrapped.get(name);
    if (cached === undefined) {
      const target = wrappedCallee(this.source.image, startpc);
      cached = target === undefined ? name : `${name} → ${target}`;
      this.wrapped.set(name, cached);
    }
    return cached;
  }

  /** A thread's PC; at an import's sentinel, the import's name. */
  threadPc(t: ThreadView): string {
    if (t.importCall !== undefined && this.source.image.symbolize(t.pc) === undefined) return `<${qualifiedImportName(t.importCall)}>`;
    return this.symbolize(t.pc);
  }

  private word(addr: bigint): bigint | undefined {
    try {
      const b = this.readMemory(addr, 8);
      return new DataView(b.buffer, b.byteOffset, 8).getBigUint64(0);
    } catch {
      return undefined;
    }
  }

  // ---------------------------------------------------------------- state

  /** Every M (oldest first), every G, and which thread each M runs on. */
  snapshot(withGoroutines = true): { ms: MRecord[]; gs: GRecord[]; errors: string[]; threads: ThreadRow[] } {
    const errors: string[] = [];
    const reader = this.reader();
    const threads = this.source.threads();
    if (typeof reader === 'string') {
      return { ms: [], gs: [], errors: [reader], threads: threads.map((thread) => ({ thread, m: undefined, on: undefined, g: undefined, curg: undefined, lockedg: undefined })) };
    }
    const msRead = reader.allMs();
    if (!msRead.ok) errors.push(`runtime.allm: ${msRead.error}`);
    const ms = (msRead.ok ? msRead.value : msRead.partial).slice().reverse();
    const gsRead = withGoroutines ? reader.allGs() : { ok: true as const, value: [] };
    if (!gsRead.ok) errors.push(`runtime.allgs: ${gsRead.error}`);
    const gs = gsRead.ok ? gsRead.value : gsRead.partial;
    const gByAddr = new Map(gs.map((g) => [g.address, g]));
    const readG = (addr: bigint): GRecord | undefined => {
      if (addr === 0n) return undefined;
      const known = gByAddr.get(addr);
      if (known !== undefined) return known;
      try {
        return reader.readG(addr);
      } catch {
        return undefined;
      }
    };
    const mByAddr = new Map(ms.map((m) => [m.address, m]));
    const rows: ThreadRow[] = threads.map((thread) => {
      const { cur, m } = mOfThread(reader, thread, ms, mByAddr);
      let on: ThreadRow['on'];
      if (cur !== undefined && m !== undefined) on = cur.g === m.g0 ? 'g0' : cur.g === m.gsignal ? 'gsignal' : cur.g === m.curg ? 'curg' : undefined;
      return { thread, m, on, g: cur?.g, curg: m === undefined ? undefined : readG(m.curg), lockedg: m === undefined ? undefined : readG(m.lockedg) };
    });
    return { ms, gs, errors, threads: rows };
  }

  /**
   * Per live thread, its M's id and the goid of the M's current goroutine: what gdb's thread list
   * shows after every stop, read with one walk of runtime.allm and one word per goroutine.
   */
  threadSummaries(): Array<{ tid: number; gdbThreadId: number; mId: bigint; goid: bigint | undefined }> {
    const reader = this.reader();
    if (typeof reader === 'string') return [];
    const msRead = reader.allMs();
    const ms = msRead.ok ? msRead.value : msRead.partial;
    const mByAddr = new Map(ms.map((m) => [m.address, m]));
    const out: Array<{ tid: number; gdbThreadId: number; mId: bigint; goid: bigint | undefined }> = [];
    for (const thread of this.source.threads()) {
      const { m } = mOfThread(reader, thread, ms, mByAddr);
      if (m === undefined) continue;
      let goid: bigint | undefined;
      if (m.curg !== 0n) {
        try {
          goid = reader.goidOf(m.curg);
        } catch {
          goid = undefined;
        }
      }
      out.push({ tid: thread.tid, gdbThreadId: thread.gdbThreadId, mId: m.id, goid });
    }
    return out;
  }

  /**
   * threadSummaries' goid for one pthread, reading only the M its registers lead to (g.m), or
   * walking allm when they lead to none (before its first save_g, or not a Go thread).
   */
  goidOnThread(tid: number): bigint | undefined {
    const reader = this.reader();
    if (typeof reader === 'string') return undefined;
    const thread = this.source.threads().find((t) => t.tid === tid);
    if (thread === undefined) return undefined;
    const cur = reader.currentG({ r30: thread.gpr(30), r13: thread.gpr(13) });
    if (cur === undefined) return this.threadSummaries().find((x) => x.tid === tid)?.goid;
    try {
      const curg = reader.curgOf(cur.m);
      return curg === 0n ? undefined : reader.goidOf(curg);
    } catch {
      return undefined;
    }
  }

  /**
   * The goroutines a debugger lists as threads: the first `limit` that are not dead (allgs order,
   * two fields read per goroutine scanned) plus any running on an M beyond them, read in full.
   * `omitted`: goroutines past the limit were left out.
   */
  listedGoroutines(limit: number): { gs: GRecord[]; omitted: boolean } {
    const reader = this.reader();
    if (typeof reader === 'string') return { gs: [], omitted: false };
    const listed = this.listedGoroutineAddresses(limit);
    const gs: GRecord[] = [];
    for (const { address } of listed.gs) {
      try {
        gs.push(reader.readG(address));
      } catch {
        // a g being torn down: left out of this stop's list
      }
    }
    return { gs, omitted: listed.omitted };
  }

  /** The same goroutines as listedGoroutines, as addresses and goids only (two fields read per g). */
  listedGoroutineAddresses(limit: number): { gs: Array<{ address: bigint; goid: bigint }>; omitted: boolean } {
    const reader = this.reader();
    const layout = this.layout;
    if (typeof reader === 'string' || layout === undefined) return { gs: [], omitted: false };
    const alive = (status: number) => status !== layout.gStatus.dead;
    const read = reader.goroutineIds(limit, alive);
    const scanned = read.ok ? read.value : read.partial;
    const gs = scanned.filter((g) => alive(g.status) && g.goid > 0n).map((g) => ({ address: g.address, goid: g.goid }));
    const listed = new Set(gs.map((g) => g.address));
    const msRead = reader.allMs();
    for (const m of msRead.ok ? msRead.value : msRead.partial) {
      if (m.curg !== 0n && !listed.has(m.curg)) {
        listed.add(m.curg);
        try {
          gs.push({ address: m.curg, goid: reader.goidOf(m.curg) });
        } catch {
          // a g being torn down: left out of this stop's list
        }
      }
    }
    const allgs = reader.allGAddresses();
    return { gs, omitted: allgs.ok && scanned.length < allgs.value.length };
  }

  /** The libc call of one M (and the thread running it). */
  libcallOf(m: MRecord | undefined, thread: ThreadView | undefined): LibcallView {
    const layout = this.layout;
    let struct: LibcallView['struct'];
    if (thread !== undefined && layout !== undefined) {
      const loc = this.sites.locate({ pc: thread.pc, lr: thread.lr, r1: thread.gpr(1), r3: thread.gpr(3) }, (a) => this.word(a));
      if (loc !== undefined) {
        const off = (f: string) => layout.offsetOf('runtime.libcall', f);
        const s = readLibcallStruct(this.readMemory, loc.address, { fn: off('fn'), n: off('n'), args: off('args'), r1: off('r1'), r2: off('r2'), err: off('err') });
        const imp = s === undefined ? undefined : this.sites.importAtSlot(s.fn);
        // A struct whose fn is no import slot is not a libcall (stale register or frame): ignore it.
        if (s !== undefined && imp !== undefined) struct = { ...s, address: loc.address, via: loc.via, importName: qualifiedImportName(imp) };
      }
    }
    const ml = m === undefined ? undefined : mLibcall(m);
    const mImp = ml === undefined ? undefined : this.sites.importAtSlot(ml.fn);
    const record = thread?.importCall;
    let importName: string | undefined;
    let cName: string | undefined;
    let args: bigint[] = [];
    if (struct !== undefined) {
      const imp = this.sites.importAtSlot(struct.fn)!;
      importName = struct.importName;
      cName = imp.name;
      args = struct.args;
    } else if (record !== undefined) {
      importName = qualifiedImportName(record);
      cName = record.name;
      args = record.args.slice(0, straceArgCount(record.name) ?? 6);
    }
    return {
      m,
      thread,
      importName,
      cName,
      args,
      struct,
      mLibcall: ml === undefined ? undefined : { ...ml, importName: mImp === undefined ? undefined : qualifiedImportName(mImp) },
      inLibc: record !== undefined,
    };
  }

  // ---------------------------------------------------------------- formatting

  /**
   * `monitor libcall [THREAD|all]`: one block per M. `selector` is a pthread id, 'M<n>', or 'all'
   * (default: every M).
   */
  formatLibcalls(selector = 'all'): string {
    const snap = this.snapshot();
    const out: string[] = snap.errors.map((e) => `warning: ${e}`);
    const gById = new Map(snap.gs.map((g) => [g.address, g]));
    const names = gNames(snap.ms, snap.gs);
    const entries: Array<{ m: MRecord | undefined; thread: ThreadView | undefined }> = [];
    for (const m of snap.ms) entries.push({ m, thread: snap.threads.find((r) => r.m === m)?.thread ?? snap.threads.find((r) => BigInt(r.thread.tid) === m.procid)?.thread });
    // Threads with no M yet (start-up) can still be inside libc.
    for (const r of snap.threads) if (!entries.some((e) => e.thread === r.thread)) entries.push({ m: undefined, thread: r.thread });
    const wanted = entries.filter((e) => matches(selector, e.m, e.thread));
    if (wanted.length === 0) return [...out, `no M or thread matches "${selector}" (use a pthread id, M<id>, or all)`].join('\n') + '\n';
    for (const e of wanted) out.push(...this.libcallBlock(this.libcallOf(e.m, e.thread), gById, names));
    return out.join('\n') + '\n';
  }

  private libcallBlock(v: LibcallView, gById: Map<bigint, GRecord>, names: Map<bigint, string>): string[] {
    const goidOf = (g: bigint): string => {
      const name = names.get(g);
      return name === undefined ? '' : ` (${name})`;
    };
    const who = [v.m === undefined ? 'no M' : `M${v.m.id}`, v.thread === undefined ? 'no thread' : `pthread ${v.thread.tid} (gdb thread ${v.thread.gdbThreadId})`].join(', ');
    const lines: string[] = [];
    const callerKnown = v.m?.libcallsp !== undefined && v.m.libcallsp !== 0n;
    if (v.importName === undefined && !callerKnown && v.mLibcall === undefined) {
      lines.push(`${who}: not in a libc call`);
      return lines;
    }
    const t = v.thread;
    // Just back from callCfunction (a catch-syscall return stop): R3 holds the result, libcall.r1 not yet.
    const returned = !v.inLibc && v.struct !== undefined && t !== undefined && t.pc === t.lr && this.sites.inAsmsyscall6(t.pc);
    const state = v.inLibc ? (t?.status === 'blocked' ? 'blocked in' : 'in') : returned ? 'returned from' : v.struct !== undefined ? 'calling through asmsyscall6' : 'last call';
    lines.push(`${who}: ${v.importName === undefined ? 'not in a libc call' : `${state} ${v.importName}`}`);
    if (v.cName !== undefined) lines.push(`  decoded    ${formatCallArguments(this.source.memory, v.cName, v.args)}`);
    if (returned) {
      const r3 = t.gpr(3);
      lines.push(`  returned   R3 = ${hex(r3)} (${BigInt.asIntN(64, r3)}); asmsyscall6 stores it in libcall.r1 next`);
    }
    if (v.thread?.waiting !== undefined && v.thread.status === 'blocked') lines.push(`  waiting    ${v.thread.waiting}`);
    const s = v.struct;
    if (s !== undefined) {
      lines.push(`  libcall    ${hex(s.address)} via ${s.via}`);
      lines.push(`    fn       ${hex(s.fn)} (slot of ${s.importName ?? 'no import'})`);
      lines.push(`    n        ${s.n}`);
      lines.push(`    args     ${hex(s.argsPtr)} -> [${s.args.map(hex).join(', ')}]`);
      lines.push(`    r1       ${hex(s.r1)}`);
      lines.push(`    r2       ${hex(s.r2)}`);
      lines.push(`    err      ${errText(s.err)}`);
    } else if (v.inLibc && v.thread !== undefined) {
      lines.push(`  libcall    none on this path (not through asmsyscall6); args from R3..R${2 + Math.max(1, v.args.length)}: [${v.args.map(hex).join(', ')}]`);
    }
    const m = v.m;
    if (m !== undefined && m.libcallsp !== undefined) {
      if (m.libcallsp === 0n) {
        lines.push(`  libcallsp  0x0 (not a runtime syscallN call${v.importName !== undefined ? '; syscall-package calls leave it 0' : ''})`);
      } else {
        lines.push(`  libcallsp  ${hex(m.libcallsp)}`);
        lines.push(`  libcallpc  ${this.symbolize(m.libcallpc ?? 0n)} (${hex(m.libcallpc ?? 0n)})`);
        lines.push(`  libcallg   ${hex(m.libcallg ?? 0n)}${goidOf(m.libcallg ?? 0n)}`);
      }
    }
    const curg = m === undefined || m.curg === 0n ? undefined : gById.get(m.curg);
    if (curg !== undefined && this.layout !== undefined && curg.status === this.layout.gStatus.syscall) {
      lines.push(`  curg       goroutine ${curg.goid} in syscall: syscallpc ${this.symbolize(curg.syscallpc)}, syscallsp ${hex(curg.syscallsp)}`);
    }
    if (v.mLibcall !== undefined) {
      const l = v.mLibcall;
      lines.push(`  m.libcall  ${l.importName ?? hex(l.fn)} n=${l.n} args=${hex(l.argsPtr)} r1=${hex(l.r1)} r2=${hex(l.r2)} err=${errText(l.err)} (saved by sigtramp)`);
    }
    return lines;
  }

  /** `monitor threads`: one row per guest thread. */
  formatThreads(): string {
    const snap = this.snapshot();
    const header = ['pthread', 'gdb', 'M', 'procid', 'on', 'curg', 'lockedg', 'flags', 'state', 'pc'];
    const rows = snap.threads.map((r) => {
      const m = r.m;
      const flags = m === undefined ? [] : [m.spinning ? 'spinning' : '', m.blocked ? 'blocked' : ''].filter(Boolean);
      const curg = r.curg === undefined ? '-' : `g${r.curg.goid} ${this.layout?.gStatusName(r.curg.atomicstatus) ?? r.curg.status}`;
      const state = r.thread.status === 'blocked' && r.thread.waiting !== undefined ? `blocked: ${r.thread.waiting}` : r.thread.status;
      return [
        String(r.thread.tid),
        String(r.thread.gdbThreadId),
        m === undefined ? '-' : `M${m.id}`,
        m === undefined ? '-' : String(m.procid),
        r.on ?? (r.g === undefined ? '-' : hex(r.g)),
        curg,
        r.lockedg === undefined ? '-' : `g${r.lockedg.goid}`,
        flags.length === 0 ? '-' : flags.join(','),
        state,
        this.threadPc(r.thread),
      ];
    });
    const notes = snap.errors.map((e) => `warning: ${e}`);
    const unmatched = snap.ms.filter((m) => !snap.threads.some((r) => r.m === m));
    for (const m of unmatched) notes.push(`M${m.id} (procid ${m.procid}) has no live thread`);
    return [...notes, ...table(header, rows)].join('\n') + '\n';
  }

  /** `monitor goroutines [all]`: every goroutine (dead ones only with `all`). */
  formatGoroutines(includeDead = false): string {
    const snap = this.snapshot();
    const layout = this.layout;
    const mById = new Map(snap.ms.map((m) => [m.address, m]));
    const header = ['goid', 'status', 'wait reason', 'M', 'pc', 'user', 'start'];
    let dead = 0;
    const rows: string[][] = [];
    for (const g of snap.gs) {
      if (layout !== undefined && g.status === layout.gStatus.dead && !includeDead) {
        dead++;
        continue;
      }
      const m = g.m === 0n ? undefined : mById.get(g.m);
      // A goroutine running on a thread right now: that thread's PC; otherwise where it was saved.
      const row = snap.threads.find((r) => r.m !== undefined && r.m.curg === g.address && r.on === 'curg');
      const pc = row !== undefined ? undefined : layout !== undefined && g.status === layout.gStatus.syscall && g.syscallpc !== 0n ? g.syscallpc : g.schedPc;
      const waiting = layout !== undefined && g.status === layout.gStatus.waiting;
      rows.push([
        String(g.goid),
        layout?.gStatusName(g.atomicstatus) ?? String(g.atomicstatus),
        waiting ? layout!.waitReasonText(g.waitreason) : '',
        m === undefined ? '-' : `M${m.id}`,
        pc === undefined ? this.threadPc(row!.thread) : this.symbolize(pc),
        this.userLocation(g, snap.threads),
        this.startFunction(g.startpc),
      ]);
    }
    const out = [...snap.errors.map((e) => `warning: ${e}`), ...table(header, rows)];
    if (dead > 0) out.push(`(${dead} dead goroutine${dead === 1 ? '' : 's'} not shown; monitor goroutines all)`);
    return out.join('\n') + '\n';
  }

  // ---------------------------------------------------------------- goroutine stacks

  /**
   * Where a goroutine's own stack starts: its thread's registers while it runs there, else where
   * entersyscall left it (g.syscallpc/sp), else its saved g.sched (parked, runnable, or its M is on
   * g0 in systemstack/asmcgocall).
   */
  private goroutineStart(g: GRecord, threads: readonly ThreadRow[]): UnwindStart | string {
    const row = threads.find((r) => r.m !== undefined && r.m.curg === g.address && r.on === 'curg');
    if (row !== undefined && this.inGogo(row.thread.pc)) {
      // gogo is restoring g.sched: its pc is where the goroutine resumes. gogo loads sp and lr
      // into the registers before it clears them in g.sched, so a cleared field is in the register.
      const sp = g.schedSp !== 0n ? g.schedSp : row.thread.gpr(1);
      const lr = g.schedSp !== 0n ? (g.schedLr === undefined || g.schedLr === 0n ? undefined : g.schedLr) : row.thread.lr;
      return { pc: g.schedPc, sp, lr };
    }
    if (row !== undefined) return { pc: row.thread.pc, sp: row.thread.gpr(1), lr: row.thread.lr };
    if (g.syscallsp !== 0n) return { pc: g.syscallpc, sp: g.syscallsp, lr: undefined };
    if (g.schedSp !== 0n) return { pc: g.schedPc, sp: g.schedSp, lr: g.schedLr === undefined || g.schedLr === 0n ? undefined : g.schedLr };
    return 'no saved registers (neither on a thread, in a syscall, nor parked)';
  }

  /** Inside gogo's body: a goroutine half switched in. */
  private inGogo(pc: bigint): boolean {
    const name = this.source.image.symbolize(pc)?.name;
    return name !== undefined && SWITCH_IN_FUNCTIONS.includes(name);
  }

  /** The goroutine's frames by the stub's own unwinder (Go's .debug_frame), or why there are none. */
  goroutineStack(g: GRecord, threads: readonly ThreadRow[], maxFrames = 256): GoStack | string {
    const table = frameTableOf(this.source.image);
    if (typeof table === 'string') return table;
    const start = this.goroutineStart(g, threads);
    if (typeof start === 'string') return start;
    return unwindGoStack(table, this.readMemory, start, { lo: g.stackLo, hi: g.stackHi }, maxFrames);
  }

  /**
   * The functions at a frame's pc, innermost first: the inlined calls DWARF records there, then the
   * function the code belongs to, each with its file:line (a caller's pc is looked up inside its call).
   */
  private frameFunctions(pc: bigint, caller: boolean): Array<{ func: string; at: string; inlined: boolean }> {
    // Code does not change: one DWARF walk per distinct pc (monitor goroutines unwinds every goroutine).
    const key = caller ? pc - 1n : pc;
    let known = this.functionsAt.get(key);
    if (known === undefined) {
      known = this.readFrameFunctions(pc, caller);
      this.functionsAt.set(key, known);
    }
    return known;
  }

  private readonly functionsAt = new Map<bigint, Array<{ func: string; at: string; inlined: boolean }>>();

  private readFrameFunctions(pc: bigint, caller: boolean): Array<{ func: string; at: string; inlined: boolean }> {
    const lookup = caller ? pc - 1n : pc;
    const s = this.source.image.symbolize(lookup);
    // Assembly functions carry their ABI in the symbol name; gdb and Go's tracebacks show the Go name.
    const symbolName = s === undefined ? hex(pc) : s.name.replace(/\.abi0$/, '');
    const dwarf = this.layout?.dwarf;
    const line = dwarf?.lineForAddress(lookup);
    const at = (file: string | undefined, n: number | undefined) => (file === undefined || n === undefined ? '' : `${file}:${n}`);
    const fn = dwarf?.functionAt(lookup);
    if (dwarf === undefined || fn === undefined) return [{ func: symbolName, at: at(line?.file, line?.line), inlined: false }];
    let calls: InlinedCall[] = [];
    try {
      calls = inlinedCallsAt(dwarf, this.debugRanges(), fn.dieOffset, lookup);
    } catch {
      calls = []; // malformed inline records: show the concrete function only
    }
    const out: Array<{ func: string; at: string; inlined: boolean }> = [];
    let file = line?.file;
    let n = line?.line;
    for (let i = calls.length - 1; i >= 0; i--) {
      out.push({ func: calls[i]!.name, at: at(file, n), inlined: true });
      file = calls[i]!.callFile;
      n = calls[i]!.callLine;
    }
    out.push({ func: fn.name, at: at(file, n), inlined: false });
    return out;
  }

  private rangesSection: Uint8Array | undefined | null = null;
  private debugRanges(): Uint8Array | undefined {
    if (this.rangesSection === null) this.rangesSection = this.source.image.dwarfSections().get('.debug_ranges');
    return this.rangesSection;
  }

  /** Delve's "User" location: the first frame outside the runtime's internals ('' when none). */
  userLocation(g: GRecord, threads: readonly ThreadRow[]): string {
    const stack = this.goroutineStack(g, threads, 64);
    if (typeof stack === 'string') return '';
    for (let i = 0; i < stack.frames.length; i++) {
      for (const loc of this.frameFunctions(stack.frames[i]!.pc, i > 0)) {
        if (isUserFunction(loc.func)) return loc.at === '' ? loc.func : `${loc.func} ${loc.at}`;
      }
    }
    return '';
  }

  /** `monitor goroutine N bt`: one goroutine's stack, innermost frame first. */
  formatGoroutineBacktrace(goid: string): string {
    if (!/^\d+$/.test(goid)) return `not a goroutine id: '${goid}'; usage: monitor goroutine N bt\n`;
    const snap = this.snapshot();
    const g = snap.gs.find((x) => x.goid === BigInt(goid));
    if (g === undefined) return `${snap.errors.map((e) => `warning: ${e}\n`).join('')}no goroutine ${goid} (monitor goroutines lists them)\n`;
    const layout = this.layout;
    const waiting = layout !== undefined && g.status === layout.gStatus.waiting ? `, ${layout.waitReasonText(g.waitreason)}` : '';
    const m = snap.ms.find((x) => x.address === g.m);
    const lines = [`goroutine ${g.goid} [${layout?.gStatusName(g.atomicstatus) ?? g.atomicstatus}${waiting}]${m === undefined ? '' : ` on M${m.id}`}:`];
    const stack = this.goroutineStack(g, snap.threads);
    if (typeof stack === 'string') return `${lines[0]}\n  ${stack}\n`;
    // Numbered like gdb's bt: an inlined call is a frame of its own, printed without an address.
    let level = 0;
    stack.frames.forEach((f, i) => {
      const fns = this.frameFunctions(f.pc, i > 0);
      fns.forEach((loc, k) => {
        const addr = k === 0 ? `0x${f.pc.toString(16).padStart(16, '0')} in ` : '';
        lines.push(`#${String(level++).padEnd(3)}${addr}${loc.func}${loc.at === '' ? '' : ` at ${loc.at}`}`);
      });
    });
    if (stack.end !== 'end') lines.push(`(stopped: ${stack.end})`);
    const created = g.gopc === 0n ? undefined : this.frameFunctions(g.gopc, true)[0];
    if (created !== undefined) lines.push(`created by ${created.func}${created.at === '' ? '' : ` at ${created.at}`}`);
    return lines.join('\n') + '\n';
  }
}

/** The one non-runtime function a small wrapper calls (`bl`), or undefined when it calls none or several. */
function wrappedCallee(image: XcoffImage, start: bigint): string | undefined {
  const sym = image.symbolize(start);
  const text = image.section('.text');
  const bytes = image.sectionBytes('.text');
  if (sym === undefined || text === undefined || bytes === undefined || sym.symbol.size > 512n) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const targets = new Set<string>();
  for (let a = sym.symbol.address; a < sym.symbol.address + sym.symbol.size; a += 4n) {
    const off = Number(a - text.vaddr);
    if (off < 0 || off + 4 > bytes.length) return undefined;
    const w = view.getUint32(off);
    if ((w & 0xfc000003) !== 0x48000001) continue; // bl (relative, with link)
    const disp = BigInt(((w & 0x03fffffc) << 6) >> 6);
    const callee = image.symbolize(a + disp);
    if (callee !== undefined && callee.offset === 0n && !callee.name.startsWith('runtime.')) targets.add(callee.name);
  }
  return targets.size === 1 ? [...targets][0] : undefined;
}

/** 'goroutine 7', 'g0 of M2', 'gsignal of M0' by g address. */
function gNames(ms: MRecord[], gs: GRecord[]): Map<bigint, string> {
  const out = new Map<bigint, string>();
  for (const g of gs) out.set(g.address, `goroutine ${g.goid}`);
  for (const m of ms) {
    if (m.g0 !== 0n) out.set(m.g0, `g0 of M${m.id}`);
    if (m.gsignal !== 0n) out.set(m.gsignal, `gsignal of M${m.id}`);
  }
  return out;
}

function errText(err: bigint): string {
  const e = Number(BigInt.asIntN(32, err));
  return e === 0 ? '0' : `${e} ${errnoName(e)}`;
}

function matches(selector: string, m: MRecord | undefined, thread: ThreadView | undefined): boolean {
  const s = selector.trim();
  if (s === '' || s === 'all') return true;
  const mm = /^M(\d+)$/i.exec(s);
  if (mm !== null) return m !== undefined && m.id === BigInt(mm[1]!);
  if (/^\d+$/.test(s)) return thread !== undefined && thread.tid === Number(s);
  return false;
}

/** Left-aligned columns, two spaces apart. */
export function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(header), ...rows.map(line)];
}
