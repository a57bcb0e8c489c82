// The tiny XCOFF program (test/helpers/tiny-xcoff.ts) that the unit tests use instead of a
// Go binary: src/xcoff reads it as it reads Go's output, the loader maps it as AIX would
// (the same checks test/integration/aix/loader.test.ts makes on the real hello fixtures), and
// the real CPU runs its __start, which calls _exit(7) through its import slot.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SENTINEL_CODE_BASE, N_PTHREADS_CELL } from '../../../src/aix/address-space.js';
import { startProgram } from '../../../src/aix/run-program.js';
import { LOADER_CALLBACK_INDEX } from '../../../src/aix/sentinels.js';
import { memoryFault } from '../../../src/cpu/memory.js';
import { XcoffError, parseXcoff } from '../../../src/xcoff/index.js';
import { parseDwarf } from '../../../src/dwarf/index.js';
import { TINY_EXIT_STATUS, TINY_IMPORTS, TINY_LINES, buildTinyXcoff } from '../../helpers/tiny-xcoff.js';
import { makeProcess, thrownBy, tinyImage, writeTinyProgram } from './helpers.js';

describe('the tiny XCOFF program', () => {
  const built = buildTinyXcoff();
  const img = parseXcoff(built.bytes);

  it('is small and parses like a Go executable: entry through a descriptor, imports with their slots, symbols', () => {
    expect(built.bytes.length).toBeLessThan(4096);
    expect(img.entryDescriptor).toBe(built.entryDescriptor);
    expect(img.entry).toBe(built.entry);
    expect(img.toc).toBe(built.toc);
    expect(img.findSymbol('__start')!.address).toBe(img.entry);
    expect(img.functions.map((f) => f.name)).toEqual(['__start', 'main.main']);
    expect(img.symbolize(built.symbols.get('main.main')!)).toMatchObject({ name: 'main.main' });
    expect(img.imports.map((i) => i.name)).toEqual(TINY_IMPORTS.map((i) => i.name));
    for (const imp of img.imports) expect(imp.slots, imp.name).toEqual([built.slots.get(imp.name)]);
    expect(img.imports.filter((i) => i.isData).map((i) => i.name)).toEqual(['__n_pthreads']);
    expect(img.imports.find((i) => i.name === 'pthread_create')).toMatchObject({ library: 'libpthread.a', member: 'shr_xpg5_64.o' });
    expect(img.imports.find((i) => i.name === 'write')).toMatchObject({ library: 'libc.a', member: 'shr_64.o' });
    expect(img.loadSegments.map((s) => [s.name, s.readable, s.writable, s.executable])).toEqual([
      ['.text', true, false, true], ['.data', true, true, false], ['.bss', true, true, false],
    ]);
  });

  it('carries DWARF sections under their XCOFF names when given some', () => {
    const info = new Uint8Array([1, 2, 3]);
    const line = new Uint8Array([4, 5]);
    const withDwarf = parseXcoff(buildTinyXcoff({ dwarf: new Map([['.debug_info', info], ['.debug_line', line]]) }).bytes);
    expect(withDwarf.section('.dwinfo')?.dwarfName).toBe('.debug_info');
    expect([...withDwarf.dwarfSections()]).toEqual([['.debug_info', info], ['.debug_line', line]]);
  });

  it('carries a Go-shaped DWARF sample that src/dwarf reads through the XCOFF container', () => {
    const withGo = buildTinyXcoff({ dwarf: 'go' });
    const image = parseXcoff(withGo.bytes);
    expect([...image.dwarfSections().keys()].sort()).toEqual(['.debug_abbrev', '.debug_info', '.debug_line']);
    const dwarf = parseDwarf(image.dwarfSections());
    const start = withGo.symbols.get('__start')!;
    const main = withGo.symbols.get('main.main')!;
    expect(dwarf.findFunction('main.main')).toMatchObject({ lowPc: main, highPc: main + 4n });
    expect(dwarf.functionAt(start + 8n)?.name).toBe('__start');
    const counter = dwarf.findVariable('main.counter')!;
    expect(counter.address).toBe(withGo.symbols.get('main.counter'));
    expect(counter.type).toMatchObject({ name: 'int', size: 8 });
    expect(dwarf.lineForAddress(start)).toEqual({ file: 'main.go', line: TINY_LINES.startLine, address: start, isStmt: true });
    expect(dwarf.lineForAddress(start + 16n)).toMatchObject({ line: TINY_LINES.startCallLine, address: start + 12n });
    expect(dwarf.lineForAddress(main)).toMatchObject({ line: TINY_LINES.mainLine });
    expect(dwarf.addressesForLine('main.go', TINY_LINES.mainLine)).toEqual([main]);
  });

  it('is rejected with an XcoffError at every truncation, and never crashes the parser when bytes change', () => {
    // Small enough to cut at every offset (test/integration/xcoff/robustness.test.ts names each field on hello).
    const rejection = (bytes: Uint8Array): unknown => {
      try {
        const parsed = parseXcoff(bytes);
        parsed.symbolize(parsed.entry);
        parsed.dwarfSections();
        return undefined;
      } catch (e) {
        return e;
      }
    };
    for (let cut = 0; cut < built.bytes.length; cut++) {
      const e = rejection(built.bytes.subarray(0, cut));
      expect(e, `cut at ${cut}`).toBeInstanceOf(XcoffError);
      expect((e as Error).message).not.toContain('\n');
    }
    const copy = built.bytes.slice();
    for (let at = 0; at < copy.length; at++) {
      for (const value of [0x00, 0xff, copy[at]! ^ 0x80]) {
        const was = copy[at]!;
        copy[at] = value;
        const e = rejection(copy);
        if (e !== undefined) expect(e, `byte ${at} = ${value}`).toBeInstanceOf(XcoffError);
        copy[at] = was;
      }
    }
  });

  describe('loaded as a process', () => {
    const proc = makeProcess();
    const s = proc.threads[0]!.state;
    const mem = proc.mem;

    it('starts at __start with the TOC, argc/argv and the callback descriptor', () => {
      expect(s.pc).toBe(tinyImage().entry);
      expect(s.getGpr(2)).toBe(tinyImage().toc);
      expect(s.getGpr(14)).toBe(2n);
      const cb = s.getGpr(19);
      expect(cb).toBe(proc.sentinels.calls[LOADER_CALLBACK_INDEX]!.descriptor);
      expect(s.getGpr(1) % 16n).toBe(0n);
      expect(mem.readCString(mem.readU64(s.getGpr(15)))).toBe('hello');
    });

    it('maps text from file offset 0, data at its link address, and keeps text read-only', () => {
      expect(mem.readBytes(0x1_0000_0000n, 2)).toEqual(new Uint8Array([0x01, 0xf7]));
      expect(mem.readU64(built.entryDescriptor)).toBe(built.entry);
      expect(mem.readU64(built.symbols.get('main.counter')!)).toBe(42n);
      expect(mem.readU64(built.symbols.get('main.zeroed')!)).toBe(0n);
      expect(() => mem.writeU32(built.entry, 0)).toThrow();
    });

    it('fills every import slot: functions with sentinel descriptors, __n_pthreads with a zero cell', () => {
      for (const [name, slot] of built.slots) {
        const v = mem.readU64(slot);
        if (name === '__n_pthreads') {
          expect(v).toBe(N_PTHREADS_CELL);
          continue;
        }
        const entry = mem.readU64(v);
        expect(entry >= SENTINEL_CODE_BASE).toBe(true);
        expect(proc.sentinels.lookup(entry)?.name).toBe(name);
      }
    });

    it('finds the same host call by the halves of pc as by the BigInt, and none between entries or past the end', () => {
      const halves = (a: bigint) => [Number(a >> 32n) | 0, Number(a & 0xffff_ffffn) | 0] as const;
      const end = proc.sentinels.end;
      for (let a = SENTINEL_CODE_BASE - 4n; a <= end + 4n; a += 1n) {
        expect(proc.sentinels.lookupHalves(...halves(a))).toBe(proc.sentinels.lookup(a));
      }
      expect(proc.sentinels.lookupHalves(...halves(SENTINEL_CODE_BASE + 4n))).toBeDefined();
      expect(proc.sentinels.lookupHalves(...halves(SENTINEL_CODE_BASE + 6n))).toBeUndefined();
      expect(proc.sentinels.lookupHalves(...halves(end))).toBeUndefined();
    });

    it('makes page 0 read as zero and fault on stores', () => {
      expect(mem.readU64(0n)).toBe(0n);
      expect(thrownBy(() => mem.writeU32(0n, 1))).toBe(memoryFault);
    });
  });

  describe('run on the CPU', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tiny-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('calls _exit(7) through its import slot', () => {
      const { process, scheduler } = startProgram({ program: writeTinyProgram(dir), args: [], env: [], deterministic: true });
      const outcome = scheduler.runToEnd(1000);
      expect(outcome?.kind).toBe('ended');
      expect(process.end).toMatchObject({ kind: 'exited', code: TINY_EXIT_STATUS });
    });
  });
});
