// RuntimeReader on a synthetic guest memory image laid out with the real offsets of each Go
// version's hello binary: a two-M allm list and a three-G allgs slice, written field by field
// through RuntimeLayout and read back as records.
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseDwarf } from '../../../src/dwarf/index.js';
import { RuntimeLayout, runtimeLayoutFromImage } from '../../../src/goruntime/layout.js';
import { AIX_TLS_G_OFFSET, RuntimeReadError, RuntimeReader, readAllGs, readAllMs, type ReadMemory } from '../../../src/goruntime/reader.js';
import { parseXcoff } from '../../../src/xcoff/index.js';
import { fixture } from '../../helpers/toolchains.js';

const PAGE = 4096n;

/** Sparse big-endian guest memory; reading an unmapped page throws like the emulator's MMU would. */
class FakeMemory {
  private readonly pages = new Map<bigint, Uint8Array>();
  reads = 0;

  private page(addr: bigint, create: boolean): Uint8Array | undefined {
    const base = addr - (addr % PAGE);
    let p = this.pages.get(base);
    if (p === undefined && create) this.pages.set(base, (p = new Uint8Array(Number(PAGE))));
    return p;
  }

  writeInt(addr: bigint, size: number, value: bigint | number): void {
    let v = BigInt.asUintN(size * 8, BigInt(value));
    for (let i = size - 1; i >= 0; i--) {
      const a = addr + BigInt(i);
      this.page(a, true)![Number(a % PAGE)] = Number(v & 0xffn);
      v >>= 8n;
    }
  }

  readonly read: ReadMemory = (addr, len) => {
    this.reads++;
    const out = new Uint8Array(len);
    for (let i = 0; i < len; i++) {
      const a = addr + BigInt(i);
      const p = this.page(a, false);
      if (p === undefined) throw new Error(`unmapped address 0x${a.toString(16)}`);
      out[i] = p[Number(a % PAGE)]!;
    }
    return out;
  };
}

/** Writes struct fields at their DWARF offsets and sizes. */
function writer(mem: FakeMemory, layout: RuntimeLayout, struct: string, base: bigint) {
  return (path: string, value: bigint | number | boolean) => {
    const f = layout.field(struct, path);
    mem.writeInt(base + BigInt(f.offset), f.size, typeof value === 'boolean' ? (value ? 1 : 0) : value);
  };
}

const M0 = 0x3000_0000n;
const M1 = 0x3000_1000n;
const G0 = 0x3001_0000n;
const GMAIN = 0x3001_1000n;
const GWORKER = 0x3001_2000n;
const ALLGS_ARRAY = 0x3002_0000n;
const ARGS = 0x3003_0000n;

for (const toolchain of ['go1.24-aix', 'go1.19-aix'] as const) {
  describe(`RuntimeReader with the ${toolchain} layout`, () => {
    let layout: RuntimeLayout;
    let mem: FakeMemory;
    let chanReceive: number;

    beforeAll(() => {
      layout = runtimeLayoutFromImage(parseXcoff(new Uint8Array(readFileSync(fixture(toolchain, 'hello')))));
      chanReceive = layout.waitReasons.indexOf('chan receive');
      mem = new FakeMemory();

      // runtime.allm -> M1 -> M0 -> nil (newM prepends).
      mem.writeInt(layout.globalAddress('runtime.allm'), 8, M1);
      const m0 = writer(mem, layout, 'runtime.m', M0);
      m0('id', 0);
      m0('procid', 1);
      m0('g0', G0);
      m0('curg', GMAIN);
      m0('gsignal', 0x3004_0000n);
      m0('lockedg', GMAIN);
      m0('p', 0x3005_0000n);
      m0('alllink', 0);
      m0('libcall.fn', 0x2001_0a00n);
      m0('libcall.n', 3);
      m0('libcall.args', ARGS);
      m0('libcall.r1', 21);
      m0('libcall.r2', 0);
      m0('libcall.err', 0);
      m0('libcallpc', 0x1000_1234n);
      m0('libcallsp', 0x0fff_e000n);
      m0('libcallg', GMAIN);
      m0('mOS.perrno', 0x0fff_f000n);
      m0('mOS.waitsema', 0x3006_0000n);
      const m1 = writer(mem, layout, 'runtime.m', M1);
      m1('id', 1);
      m1('procid', 258);
      m1('g0', 0x3001_3000n);
      m1('spinning', true);
      m1('blocked', true);
      m1('alllink', M0);

      // runtime.allgs = []*g{G0, GMAIN, nil, GWORKER} with cap 8.
      const allgs = layout.globalAddress('runtime.allgs');
      mem.writeInt(allgs, 8, ALLGS_ARRAY);
      mem.writeInt(allgs + 8n, 8, 4);
      mem.writeInt(allgs + 16n, 8, 8);
      [G0, GMAIN, 0n, GWORKER].forEach((g, i) => mem.writeInt(ALLGS_ARRAY + BigInt(8 * i), 8, g));
      const g0 = writer(mem, layout, 'runtime.g', G0);
      g0('goid', 0);
      g0('m', M0);
      g0('atomicstatus', layout.gStatus.idle);
      g0('stack.lo', 0x0ff0_0000n);
      g0('stack.hi', 0x0fff_f000n);
      const gm = writer(mem, layout, 'runtime.g', GMAIN);
      gm('goid', 1);
      gm('m', M0);
      gm('atomicstatus', layout.gStatus.syscall);
      gm('sched.sp', 0x3010_0f00n);
      gm('sched.pc', 0x1000_5678n);
      gm('syscallsp', 0x3010_0e00n);
      gm('syscallpc', 0x1000_9abcn);
      gm('startpc', 0x1000_0100n);
      gm('gopc', 0);
      gm('lockedm', M0);
      const gw = writer(mem, layout, 'runtime.g', GWORKER);
      gw('goid', 17);
      gw('atomicstatus', layout.gStatus.waiting | layout.gStatus.scan);
      gw('waitreason', chanReceive);
      gw('sched.sp', 0x3020_0f00n);
      gw('sched.pc', 0x1000_2222n);
      gw('startpc', 0x1000_3333n);
      gw('gopc', 0x1000_4444n);
      gw('stack.lo', 0x3020_0000n);
      gw('stack.hi', 0x3020_8000n);
    });

    it('walks runtime.allm through m.alllink', () => {
      const r = readAllMs(layout, mem.read);
      expect(r.ok).toBe(true);
      if (!r.ok) return;
      expect(r.value.map((m) => [m.address, m.id, m.procid])).toEqual([
        [M1, 1n, 258n],
        [M0, 0n, 1n],
      ]);
      const [m1, m0] = r.value;
      expect(m0).toMatchObject({
        g0: G0,
        curg: GMAIN,
        gsignal: 0x3004_0000n,
        lockedg: GMAIN,
        p: 0x3005_0000n,
        spinning: false,
        blocked: false,
        alllink: 0n,
        libcall: { fn: 0x2001_0a00n, n: 3n, args: ARGS, r1: 21n, r2: 0n, err: 0n },
        libcallpc: 0x1000_1234n,
        libcallsp: 0x0fff_e000n,
        libcallg: GMAIN,
        perrno: 0x0fff_f000n,
        waitsema: 0x3006_0000n,
      });
      expect(m1).toMatchObject({ spinning: true, blocked: true, alllink: M0, curg: 0n, libcallsp: 0n });
    });

    it('reads runtime.allgs, skipping nil slots', () => {
      const r = readAllGs(layout, mem.read);
      expect(r.ok).toBe(true);
      if (!r.ok) return;
      expect(r.value.map((g) => g.goid)).toEqual([0n, 1n, 17n]);
      const [g0, main, worker] = r.value;
      expect(g0).toMatchObject({ address: G0, status: layout.gStatus.idle, m: M0, stackLo: 0x0ff0_0000n, stackHi: 0x0fff_f000n });
      expect(main).toMatchObject({
        status: 3,
        scan: false,
        m: M0,
        schedSp: 0x3010_0f00n,
        schedPc: 0x1000_5678n,
        syscallsp: 0x3010_0e00n,
        syscallpc: 0x1000_9abcn,
        startpc: 0x1000_0100n,
        lockedm: M0,
      });
      expect(worker).toMatchObject({ atomicstatus: 0x1004, status: 4, scan: true, waitreason: chanReceive, gopc: 0x1000_4444n, m: 0n });
      expect(layout.waitReasonText(worker!.waitreason)).toBe('chan receive');
      expect(worker!.parentGoid === undefined).toBe(toolchain === 'go1.19-aix');
    });

    it('reads runtime.allp', () => {
      const allp = layout.globalAddress('runtime.allp');
      const P0 = 0x3008_0000n;
      const P1 = 0x3008_4000n;
      mem.writeInt(allp, 8, 0x3009_0000n);
      mem.writeInt(allp + 8n, 8, 2);
      mem.writeInt(0x3009_0000n, 8, P0);
      mem.writeInt(0x3009_0008n, 8, P1);
      const p0 = writer(mem, layout, 'runtime.p', P0);
      p0('id', 0);
      p0('status', 1);
      p0('m', M0);
      const p1 = writer(mem, layout, 'runtime.p', P1);
      p1('id', 1);
      p1('status', 0);
      const r = new RuntimeReader(layout, mem.read).allPs();
      expect(r).toEqual({
        ok: true,
        value: [
          { address: P0, id: 0, status: 1, m: M0 },
          { address: P1, id: 1, status: 0, m: 0n },
        ],
      });
    });

    it('reads each struct in one memory access', () => {
      const reader = new RuntimeReader(layout, mem.read);
      const before = mem.reads;
      reader.readM(M0);
      reader.readG(GWORKER);
      expect(mem.reads - before).toBe(2);
    });

    it('finds the current g from R30, or from the TLS slot at R13-0x7800', () => {
      const reader = new RuntimeReader(layout, mem.read);
      expect(reader.currentG({ r30: GMAIN, r13: 0n })).toEqual({ g: GMAIN, m: M0, via: 'r30' });
      expect(reader.currentG({ r30: G0, r13: 0n })).toEqual({ g: G0, m: M0, via: 'r30' });
      const r13 = 0x3007_8000n;
      mem.writeInt(r13 - AIX_TLS_G_OFFSET, 8, GMAIN);
      // R30 holds something that is not a g (a C caller's register): the TLS slot decides.
      expect(reader.currentG({ r30: 0x1234n, r13 })).toEqual({ g: GMAIN, m: M0, via: 'tls' });
      // The worker has no M, so it cannot be what a thread runs.
      expect(reader.currentG({ r30: GWORKER, r13: 0n })).toBeUndefined();
    });

    it('names a stopped thread\'s goroutine from single fields, not whole Ms', () => {
      const reader = new RuntimeReader(layout, mem.read);
      const before = mem.reads;
      const cur = reader.currentG({ r30: GMAIN, r13: 0n });
      expect(cur).toEqual({ g: GMAIN, m: M0, via: 'r30' });
      expect(reader.curgOf(M0)).toBe(reader.readM(M0).curg);
      // g.m, then m.curg (it matches); then curgOf's m.curg; readM is the one whole-M read.
      expect(mem.reads - before).toBe(4);
    });

    it('reports a looping allm list with what it read', () => {
      const loop = new FakeMemory();
      loop.writeInt(layout.globalAddress('runtime.allm'), 8, M0);
      writer(loop, layout, 'runtime.m', M0)('alllink', M1);
      writer(loop, layout, 'runtime.m', M1)('alllink', M0);
      const r = readAllMs(layout, loop.read);
      expect(r.ok).toBe(false);
      if (r.ok) return;
      expect(r.error).toMatch(/loops back to 0x30000000/);
      expect(r.partial.map((m) => m.address)).toEqual([M0, M1]);
    });

    it('reports unreadable memory as an error value, never a throw', () => {
      const empty0 = new FakeMemory();
      const broken = new FakeMemory();
      broken.writeInt(layout.globalAddress('runtime.allm'), 8, 0xdead_0000n);
      const r = readAllMs(layout, broken.read);
      expect(r).toMatchObject({ ok: false, partial: [] });
      expect(!r.ok && r.error).toMatch(/cannot read runtime\.m at 0xdead0000.*unmapped/);

      const noGlobals = new FakeMemory();
      const g = readAllGs(layout, noGlobals.read);
      expect(g.ok).toBe(false);
      expect(!g.ok && g.error).toMatch(/cannot read runtime\.allgs/);

      const huge = new FakeMemory();
      huge.writeInt(layout.globalAddress('runtime.allgs') + 8n, 8, 1n << 40n);
      expect(readAllGs(layout, huge.read)).toMatchObject({ ok: false, error: expect.stringMatching(/implausible length/) });

      // A binary whose DWARF has no runtime types at all (one empty compile unit named 'c').
      const abbrev = new Uint8Array([1, 0x11, 0, 0x03, 0x08, 0, 0, 0]);
      const info = new Uint8Array([0, 0, 0, 10, 0, 4, 0, 0, 0, 0, 8, 1, 0x63, 0]);
      const notGo = new RuntimeLayout({ dwarf: parseDwarf(new Map([['.debug_abbrev', abbrev], ['.debug_info', info]])) });
      expect(notGo.goVersion).toBeUndefined();
      expect(readAllMs(notGo, empty0.read)).toEqual({ ok: false, error: 'struct runtime.m is not described in the binary\'s DWARF', partial: [] });
      expect(readAllGs(notGo, empty0.read)).toMatchObject({ ok: false, partial: [] });
      expect(() => new RuntimeReader(notGo, empty0.read)).toThrow(RuntimeReadError);

      const empty = new FakeMemory();
      empty.writeInt(layout.globalAddress('runtime.allm'), 8, 0);
      empty.writeInt(layout.globalAddress('runtime.allgs'), 24, 0);
      expect(readAllMs(layout, empty.read)).toEqual({ ok: true, value: [] });
      expect(readAllGs(layout, empty.read)).toEqual({ ok: true, value: [] });
    });
  });
}
