// Reads the Go runtime's Ms and Gs out of guest memory: the runtime.allm list (linked through
// m.alllink) and the runtime.allgs slice, decoded with the offsets the binary's DWARF gives
// (RuntimeLayout). Results are plain records; formatting them is the caller's business.
import { underlying } from '../dwarf/index.js';
import { RuntimeLayoutError, type FieldLayout, type RuntimeLayout } from './layout.js';

/** Reads guest memory; may throw (or return fewer bytes) for unmapped addresses. */
export type ReadMemory = (addr: bigint, len: number) => Uint8Array;

export interface LibcallFrame {
  /** Address of the import slot (notes/aix-go-contract.md §7.3), not of the function. */
  fn: bigint;
  n: bigint;
  /** Address of an array of n uintptr arguments. */
  args: bigint;
  r1: bigint;
  r2: bigint;
  err: bigint;
}

export interface MRecord {
  address: bigint;
  id: bigint;
  /** The thread id (pthread id on AIX). */
  procid: bigint;
  g0: bigint;
  curg: bigint;
  gsignal: bigint;
  /** m.lockedg (a guintptr): the goroutine locked to this M, or 0. */
  lockedg: bigint;
  p: bigint;
  spinning: boolean;
  blocked: boolean;
  /** Next M in runtime.allm (0 at the end). */
  alllink: bigint;
  /** m.libcall and the caller's pc/sp/g saved by syscallN; undefined on ports without them. */
  libcall: LibcallFrame | undefined;
  libcallpc: bigint | undefined;
  libcallsp: bigint | undefined;
  libcallg: bigint | undefined;
  /** m.mOS.perrno (AIX): address of this thread's errno. */
  perrno: bigint | undefined;
  /** m.mOS.waitsema (AIX): the semaphore this M sleeps on. */
  waitsema: bigint | undefined;
}

export interface GRecord {
  address: bigint;
  goid: bigint;
  /** g.atomicstatus as stored, including the scan bit. */
  atomicstatus: number;
  /** atomicstatus without the scan bit (compare with layout.gStatus). */
  status: number;
  scan: boolean;
  waitreason: number;
  m: bigint;
  schedSp: bigint;
  schedPc: bigint;
  schedLr: bigint | undefined;
  syscallsp: bigint;
  syscallpc: bigint;
  stackLo: bigint;
  stackHi: bigint;
  startpc: bigint;
  gopc: bigint;
  lockedm: bigint;
  /** Go 1.21+: the goid of the goroutine that created this one. */
  parentGoid: bigint | undefined;
}

export interface PRecord {
  address: bigint;
  id: number;
  /** _Pidle 0, _Prunning 1, _Psyscall 2, _Pgcstop 3, _Pdead 4. */
  status: number;
  /** p.m (an muintptr): the M this P is attached to, or 0. */
  m: bigint;
}

export type RuntimeRead<T> = { ok: true; value: T } | { ok: false; error: string; partial: T };

export interface ReaderLimits {
  /** Stop walking runtime.allm after this many Ms (a corrupt list could loop). */
  maxMs?: number;
  /** Refuse an allgs slice longer than this. */
  maxGs?: number;
}

// Field plans: offsets and sizes resolved once per layout.

interface Field {
  offset: number;
  size: number;
  signed: boolean;
}

interface MPlan {
  /** Bytes read per M: up to the end of the last field used. */
  size: number;
  g0: Field;
  procid: Field;
  gsignal: Field;
  curg: Field;
  id: Field;
  p: Field;
  spinning: Field;
  blocked: Field;
  alllink: Field;
  lockedg: Field;
  libcall: { fn: Field; n: Field; args: Field; r1: Field; r2: Field; err: Field } | undefined;
  libcallpc: Field | undefined;
  libcallsp: Field | undefined;
  libcallg: Field | undefined;
  perrno: Field | undefined;
  waitsema: Field | undefined;
}

interface GPlan {
  size: number;
  goid: Field;
  atomicstatus: Field;
  waitreason: Field;
  m: Field;
  schedSp: Field;
  schedPc: Field;
  schedLr: Field | undefined;
  syscallsp: Field;
  syscallpc: Field;
  stackLo: Field;
  stackHi: Field;
  startpc: Field;
  gopc: Field;
  lockedm: Field;
  parentGoid: Field | undefined;
}

interface PPlan {
  size: number;
  id: Field;
  status: Field;
  m: Field;
}

const plans = new WeakMap<RuntimeLayout, { m: MPlan; g: GPlan }>();
const pPlans = new WeakMap<RuntimeLayout, PPlan>();

/** Bytes to read so that every field in a plan is covered: a prefix of the struct (runtime.p ends
 * in an 8 KiB run queue nobody here needs). */
function spanOf(plan: object): number {
  let end = 0;
  for (const v of Object.values(plan)) {
    if (typeof v !== 'object' || v === null) continue;
    if (typeof (v as Field).offset === 'number') end = Math.max(end, (v as Field).offset + (v as Field).size);
    else end = Math.max(end, spanOf(v as object)); // a group such as libcall
  }
  return end;
}

function toField(f: FieldLayout): Field {
  return { offset: f.offset, size: f.size, signed: f.signed };
}

function planFor(layout: RuntimeLayout): { m: MPlan; g: GPlan } {
  let plan = plans.get(layout);
  if (plan !== undefined) return plan;
  const mf = (path: string) => toField(layout.field('runtime.m', path));
  const mo = (path: string) => {
    const f = layout.tryField('runtime.m', path);
    return f === undefined ? undefined : toField(f);
  };
  const gf = (path: string) => toField(layout.field('runtime.g', path));
  const go = (path: string) => {
    const f = layout.tryField('runtime.g', path);
    return f === undefined ? undefined : toField(f);
  };
  const hasLibcall = layout.hasField('runtime.m', 'libcall.fn');
  plan = {
    m: {
      size: 0, // set below from the fields
      g0: mf('g0'),
      procid: mf('procid'),
      gsignal: mf('gsignal'),
      curg: mf('curg'),
      id: mf('id'),
      p: mf('p'),
      spinning: mf('spinning'),
      blocked: mf('blocked'),
      alllink: mf('alllink'),
      lockedg: mf('lockedg'),
      libcall: hasLibcall
        ? { fn: mf('libcall.fn'), n: mf('libcall.n'), args: mf('libcall.args'), r1: mf('libcall.r1'), r2: mf('libcall.r2'), err: mf('libcall.err') }
        : undefined,
      libcallpc: mo('libcallpc'),
      libcallsp: mo('libcallsp'),
      libcallg: mo('libcallg'),
      perrno: mo('mOS.perrno'),
      waitsema: mo('mOS.waitsema'),
    },
    g: {
      size: 0,
      goid: gf('goid'),
      atomicstatus: gf('atomicstatus'),
      waitreason: gf('waitreason'),
      m: gf('m'),
      schedSp: gf('sched.sp'),
      schedPc: gf('sched.pc'),
      schedLr: go('sched.lr'),
      syscallsp: gf('syscallsp'),
      syscallpc: gf('syscallpc'),
      stackLo: gf('stack.lo'),
      stackHi: gf('stack.hi'),
      startpc: gf('startpc'),
      gopc: gf('gopc'),
      lockedm: gf('lockedm'),
      parentGoid: go('parentGoid'),
    },
  };
  // Read only the prefix the fields need, not the whole struct.
  plan.m.size = spanOf(plan.m);
  plan.g.size = spanOf(plan.g);
  plans.set(layout, plan);
  return plan;
}

export class RuntimeReadError extends Error {
  override readonly name = 'RuntimeReadError';
  constructor(message: string) {
    super(message);
  }
}

const hex = (v: bigint) => `0x${v.toString(16)}`;

/** Decodes Ms, Gs and Ps from guest memory with one layout. The constructor and read* methods throw
 * RuntimeReadError; the all* walks return results instead, with what was read before a failure. */
export class RuntimeReader {
  private readonly plan: { m: MPlan; g: GPlan };
  private readonly littleEndian: boolean;

  constructor(
    readonly layout: RuntimeLayout,
    private readonly read: ReadMemory,
    private readonly limits: ReaderLimits = {},
  ) {
    try {
      this.plan = planFor(layout);
    } catch (e) {
      if (e instanceof RuntimeLayoutError) throw new RuntimeReadError(e.message);
      throw e;
    }
    this.littleEndian = layout.dwarf.littleEndian;
  }

  private bytes(addr: bigint, len: number, what: string): DataView {
    let b: Uint8Array;
    try {
      b = this.read(addr, len);
    } catch (e) {
      throw new RuntimeReadError(`cannot read ${what} at ${hex(addr)} (${len} bytes): ${e instanceof Error ? e.message : String(e)}`);
    }
    if (b.length < len) throw new RuntimeReadError(`cannot read ${what} at ${hex(addr)}: got ${b.length} of ${len} bytes`);
    return new DataView(b.buffer, b.byteOffset, len);
  }

  private int(view: DataView, f: Field): bigint {
    const le = this.littleEndian;
    switch (f.size) {
      case 1:
        return BigInt(f.signed ? view.getInt8(f.offset) : view.getUint8(f.offset));
      case 2:
        return BigInt(f.signed ? view.getInt16(f.offset, le) : view.getUint16(f.offset, le));
      case 4:
        return BigInt(f.signed ? view.getInt32(f.offset, le) : view.getUint32(f.offset, le));
      case 8:
        return f.signed ? view.getBigInt64(f.offset, le) : view.getBigUint64(f.offset, le);
      default:
        throw new RuntimeReadError(`field at offset ${f.offset} has unsupported size ${f.size}`);
    }
  }

  private word(addr: bigint, what: string): bigint {
    return this.bytes(addr, 8, what).getBigUint64(0, this.littleEndian);
  }

  readM(addr: bigint): MRecord {
    const p = this.plan.m;
    const v = this.bytes(addr, p.size, 'runtime.m');
    const opt = (f: Field | undefined) => (f === undefined ? undefined : this.int(v, f));
    return {
      address: addr,
      id: this.int(v, p.id),
      procid: this.int(v, p.procid),
      g0: this.int(v, p.g0),
      curg: this.int(v, p.curg),
      gsignal: this.int(v, p.gsignal),
      lockedg: this.int(v, p.lockedg),
      p: this.int(v, p.p),
      spinning: this.int(v, p.spinning) !== 0n,
      blocked: this.int(v, p.blocked) !== 0n,
      alllink: this.int(v, p.alllink),
      libcall:
        p.libcall === undefined
          ? undefined
          : {
              fn: this.int(v, p.libcall.fn),
              n: this.int(v, p.libcall.n),
              args: this.int(v, p.libcall.args),
              r1: this.int(v, p.libcall.r1),
              r2: this.int(v, p.libcall.r2),
              err: this.int(v, p.libcall.err),
            },
      libcallpc: opt(p.libcallpc),
      libcallsp: opt(p.libcallsp),
      libcallg: opt(p.libcallg),
      perrno: opt(p.perrno),
      waitsema: opt(p.waitsema),
    };
  }

  /** Just g.goid (the thread list names each thread's goroutine after every stop). */
  goidOf(g: bigint): bigint {
    return this.field(g, this.plan.g.goid, 'g.goid');
  }

  /** m.curg alone (a stop names its goroutine from this; readM would decode the whole M). */
  curgOf(m: bigint): bigint {
    return this.field(m, this.plan.m.curg, 'm.curg');
  }

  /** One field of the struct at `base`, read by itself. */
  private field(base: bigint, f: Field, what: string): bigint {
    return this.int(this.bytes(base + BigInt(f.offset), f.size, what), { ...f, offset: 0 });
  }

  /**
   * goid and status (scan bit cleared) of the gs in runtime.allgs, reading only those two fields,
   * until `wanted(status)` has been true `limit` times: the thread list a debugger fetches after
   * every stop, with thousands of goroutines.
   */
  goroutineIds(limit = Infinity, wanted: (status: number) => boolean = () => true): RuntimeRead<Array<{ address: bigint; goid: bigint; status: number }>> {
    const p = this.plan.g;
    // One read covering both fields (they are neighbours in every Go version).
    const start = Math.min(p.goid.offset, p.atomicstatus.offset);
    const end = Math.max(p.goid.offset + p.goid.size, p.atomicstatus.offset + p.atomicstatus.size);
    const goid = { ...p.goid, offset: p.goid.offset - start };
    const status = { ...p.atomicstatus, offset: p.atomicstatus.offset - start };
    const notScan = ~this.layout.gStatus.scan;
    const addrs = this.allGAddresses();
    if (!addrs.ok) return { ok: false, error: addrs.error, partial: [] };
    const out: Array<{ address: bigint; goid: bigint; status: number }> = [];
    let found = 0;
    try {
      for (const g of addrs.value) {
        if (found >= limit) break;
        const v = this.bytes(g + BigInt(start), end - start, 'g.goid and g.atomicstatus');
        const rec = { address: g, goid: this.int(v, goid), status: Number(this.int(v, status)) & notScan };
        out.push(rec);
        if (wanted(rec.status)) found++;
      }
      return { ok: true, value: out };
    } catch (e) {
      return { ok: false, error: errorText(e), partial: out };
    }
  }

  readG(addr: bigint): GRecord {
    const p = this.plan.g;
    const v = this.bytes(addr, p.size, 'runtime.g');
    const atomicstatus = Number(this.int(v, p.atomicstatus));
    const scanBit = this.layout.gStatus.scan;
    return {
      address: addr,
      goid: this.int(v, p.goid),
      atomicstatus,
      status: atomicstatus & ~scanBit,
      scan: (atomicstatus & scanBit) !== 0,
      waitreason: Number(this.int(v, p.waitreason)),
      m: this.int(v, p.m),
      schedSp: this.int(v, p.schedSp),
      schedPc: this.int(v, p.schedPc),
      schedLr: p.schedLr === undefined ? undefined : this.int(v, p.schedLr),
      syscallsp: this.int(v, p.syscallsp),
      syscallpc: this.int(v, p.syscallpc),
      stackLo: this.int(v, p.stackLo),
      stackHi: this.int(v, p.stackHi),
      startpc: this.int(v, p.startpc),
      gopc: this.int(v, p.gopc),
      lockedm: this.int(v, p.lockedm),
      parentGoid: p.parentGoid === undefined ? undefined : this.int(v, p.parentGoid),
    };
  }

  readP(addr: bigint): PRecord {
    let p = pPlans.get(this.layout);
    if (p === undefined) {
      try {
        const f = (path: string) => toField(this.layout.field('runtime.p', path));
        const fields = { id: f('id'), status: f('status'), m: f('m') };
        p = { size: spanOf(fields), ...fields };
      } catch (e) {
        throw new RuntimeReadError(errorText(e));
      }
      pPlans.set(this.layout, p);
    }
    const v = this.bytes(addr, p.size, 'runtime.p');
    return { address: addr, id: Number(this.int(v, p.id)), status: Number(this.int(v, p.status)), m: this.int(v, p.m) };
  }

  /** Every M on runtime.allm, newest first (the runtime prepends). */
  allMs(): RuntimeRead<MRecord[]> {
    const out: MRecord[] = [];
    const max = this.limits.maxMs ?? 10_000;
    try {
      const seen = new Set<bigint>();
      let m = this.word(this.layout.globalAddress('runtime.allm'), 'runtime.allm');
      while (m !== 0n) {
        if (seen.has(m)) return { ok: false, error: `runtime.allm list loops back to ${hex(m)}`, partial: out };
        if (out.length >= max) return { ok: false, error: `runtime.allm list is longer than ${max}`, partial: out };
        seen.add(m);
        const rec = this.readM(m);
        out.push(rec);
        m = rec.alllink;
      }
      return { ok: true, value: out };
    } catch (e) {
      return { ok: false, error: errorText(e), partial: out };
    }
  }

  /** The pointers in runtime.allgs (a []*g), nil entries left out. */
  allGAddresses(): RuntimeRead<bigint[]> {
    return this.pointerSlice('runtime.allgs', this.limits.maxGs ?? 1_000_000);
  }

  /** Every P in runtime.allp (len = GOMAXPROCS once the scheduler is initialised). */
  allPs(): RuntimeRead<PRecord[]> {
    return this.readEach(this.pointerSlice('runtime.allp', 1 << 16), (p) => this.readP(p));
  }

  /** read() of every address; the records read before a failure are kept as the partial result. */
  private readEach<T>(addrs: RuntimeRead<bigint[]>, read: (addr: bigint) => T): RuntimeRead<T[]> {
    if (!addrs.ok) return { ok: false, error: addrs.error, partial: [] };
    const out: T[] = [];
    try {
      for (const a of addrs.value) out.push(read(a));
      return { ok: true, value: out };
    } catch (e) {
      return { ok: false, error: errorText(e), partial: out };
    }
  }

  /** The non-nil elements of a global []*T slice. */
  private pointerSlice(global: string, max: number): RuntimeRead<bigint[]> {
    try {
      const layout = this.layout;
      const sliceAddr = layout.globalAddress(global);
      const sliceType = layout.globalType(global);
      if (sliceType === undefined) throw new RuntimeReadError(`${global} has no type in DWARF`);
      const arrayField = layout.fieldOf(sliceType, 'array');
      const lenField = layout.fieldOf(sliceType, 'len');
      const header = this.bytes(sliceAddr, underlying(sliceType)?.size ?? 24, global);
      const array = this.int(header, toField(arrayField));
      const len = this.int(header, toField(lenField));
      if (len < 0n || len > BigInt(max)) throw new RuntimeReadError(`${global} has implausible length ${len}`);
      const n = Number(len);
      if (n === 0) return { ok: true, value: [] };
      const v = this.bytes(array, n * 8, `${global} array`);
      const out: bigint[] = [];
      for (let i = 0; i < n; i++) {
        const g = v.getBigUint64(i * 8, this.littleEndian);
        if (g !== 0n) out.push(g);
      }
      return { ok: true, value: out };
    } catch (e) {
      return { ok: false, error: errorText(e), partial: [] };
    }
  }

  /** Every G in runtime.allgs, in slice order (creation order). */
  allGs(): RuntimeRead<GRecord[]> {
    return this.readEach(this.allGAddresses(), (g) => this.readG(g));
  }

  /**
   * The g a thread is running, from its registers (notes/aix-go-contract.md §7.2): R30 in Go code, else
   * the TLS slot at R13 - 0x7800 that save_g keeps current. A candidate counts only when its
   * g.m points at an M whose g0, curg or gsignal is that g.
   */
  currentG(regs: { r30: bigint; r13: bigint }, knownMs?: ReadonlyMap<bigint, MRecord>): { g: bigint; m: bigint; via: 'r30' | 'tls' } | undefined {
    const check = (g: bigint): bigint | undefined => {
      if (g === 0n) return undefined;
      try {
        const m = this.word(g + BigInt(this.plan.g.m.offset), 'g.m');
        if (m === 0n) return undefined;
        const rec = knownMs?.get(m);
        if (rec !== undefined) return rec.g0 === g || rec.curg === g || rec.gsignal === g ? m : undefined;
        // Three fields, not the whole M: every stop of a goroutine-threads session comes here.
        const p = this.plan.m;
        return this.field(m, p.curg, 'm.curg') === g || this.field(m, p.g0, 'm.g0') === g || this.field(m, p.gsignal, 'm.gsignal') === g ? m : undefined;
      } catch {
        return undefined;
      }
    };
    const viaR30 = check(regs.r30);
    if (viaR30 !== undefined) return { g: regs.r30, m: viaR30, via: 'r30' };
    if (regs.r13 === 0n) return undefined;
    let tlsG: bigint;
    try {
      tlsG = this.word(regs.r13 - AIX_TLS_G_OFFSET, 'TLS g slot');
    } catch {
      return undefined;
    }
    const viaTls = check(tlsG);
    return viaTls === undefined ? undefined : { g: tlsG, m: viaTls, via: 'tls' };
  }
}

/** runtime.tls_g (TLS offset 0) sits 0x7800 below R13: on AIX the thread pointer points 0x7800 past the TLS block (§5). */
export const AIX_TLS_G_OFFSET = 0x7800n;

function errorText(e: unknown): string {
  if (e instanceof RuntimeReadError || e instanceof RuntimeLayoutError) return e.message;
  return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
}

/** Walks runtime.allm: one record per M. */
export function readAllMs(layout: RuntimeLayout, read: ReadMemory, limits?: ReaderLimits): RuntimeRead<MRecord[]> {
  try {
    return new RuntimeReader(layout, read, limits).allMs();
  } catch (e) {
    return { ok: false, error: errorText(e), partial: [] }; // a layout without the fields a reader needs
  }
}

/** Walks runtime.allgs: one record per G. */
export function readAllGs(layout: RuntimeLayout, read: ReadMemory, limits?: ReaderLimits): RuntimeRead<GRecord[]> {
  try {
    return new RuntimeReader(layout, read, limits).allGs();
  } catch (e) {
    return { ok: false, error: errorText(e), partial: [] };
  }
}
