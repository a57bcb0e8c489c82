// The DWARF reader on the hello fixture built by Go 1.24 and Go 1.19 (XCOFF64, 64-bit DWARF):
// struct layouts must equal the offsets the Go compiler itself wrote into go_asm.h for that
// release, and the line table must map main.main to the fixture's main.go.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseDwarf, underlying, type Dwarf } from '../../../src/dwarf/index.js';
import { parseXcoff, type XcoffImage } from '../../../src/xcoff/index.js';
import { fixture, fixturesSourceDir } from '../../helpers/toolchains.js';
import { goAsmDefines } from '../../helpers/go-asm.js';

/** Splits 'g__panic' / 'm_mOS' / 'libcall__size' into a runtime struct and a member (or '_size') DWARF knows. */
function splitDefine(dwarf: Dwarf, name: string): { struct: string; member: string } | undefined {
  for (let i = name.indexOf('_'); i > 0; i = name.indexOf('_', i + 1)) {
    const struct = `runtime.${name.slice(0, i)}`;
    const member = name.slice(i + 1);
    const s = dwarf.findStruct(struct);
    if (s === undefined) continue;
    if (member === '_size' || s.member(member) !== undefined) return { struct, member };
  }
  return undefined;
}

// Fields the runtime views depend on; each must be present in both headers and match.
const REQUIRED = [
  'm__size', 'm_g0', 'm_procid', 'm_gsignal', 'm_curg', 'm_id', 'm_alllink', 'm_lockedg', 'm_libcall', 'm_libcallpc',
  'm_libcallsp', 'm_libcallg', 'm_mOS', 'mOS_perrno', 'mOS_waitsema', 'g__size', 'g_m', 'g_goid', 'g_sched',
  'g_atomicstatus', 'g_waitreason', 'g_startpc', 'g_gopc', 'libcall__size', 'libcall_fn', 'libcall_n',
  'libcall_args', 'libcall_r1', 'libcall_r2', 'libcall_err', 'gobuf_sp', 'gobuf_pc', 'stack_lo', 'stack_hi',
];

const VERSIONS = [
  { toolchain: 'go1.24-aix', header: 'go_asm_aix_ppc64_go1.24.h', producer: /go1\.24/ },
  { toolchain: 'go1.19-aix', header: 'go_asm_aix_ppc64_go1.19.h', producer: /go1\.19/ },
] as const;

const helloSource = readFileSync(join(fixturesSourceDir, 'hello', 'main.go'), 'utf8').split('\n');
const lineOf = (needle: string) => helloSource.findIndex((l) => l.includes(needle)) + 1;

for (const v of VERSIONS) {
  describe(`DWARF of ${v.toolchain}/hello`, () => {
    let image: XcoffImage;
    let dwarf: Dwarf;
    let parseMs = 0;
    beforeAll(() => {
      image = parseXcoff(new Uint8Array(readFileSync(fixture(v.toolchain, 'hello'))));
      const t0 = performance.now();
      dwarf = parseDwarf(image.dwarfSections());
      parseMs = performance.now() - t0;
    });

    it('reads every compile unit in the 64-bit DWARF format and names the producer', () => {
      expect(dwarf.units.length).toBeGreaterThan(20);
      expect(dwarf.units.every((u) => u.offsetSize === 8 && u.version === 4 && u.addressSize === 8)).toBe(true);
      expect(dwarf.units.map((u) => u.name)).toEqual(expect.arrayContaining(['runtime', 'main', 'fmt']));
      expect(dwarf.producer).toMatch(v.producer);
    });

    it(`struct offsets and sizes equal every matching define in ${v.header}`, () => {
      const defines = goAsmDefines(v.header);
      const compared = new Set<string>();
      const mismatches: string[] = [];
      for (const [name, value] of defines) {
        if (name.startsWith('const_')) continue;
        const split = splitDefine(dwarf, name);
        if (split === undefined) continue;
        const s = dwarf.findStruct(split.struct)!;
        const actual = split.member === '_size' ? s.size : s.member(split.member)!.offset;
        if (actual !== value) mismatches.push(`${name}: header ${value}, DWARF ${actual}`);
        compared.add(name);
      }
      expect(mismatches).toEqual([]);
      expect(REQUIRED.filter((r) => !compared.has(r))).toEqual([]);
      expect(compared.size).toBeGreaterThan(300);
    });

    it('has the contract values of §7.1 for this version', () => {
      const m = dwarf.findStruct('runtime.m')!;
      const g = dwarf.findStruct('runtime.g')!;
      const is124 = v.toolchain === 'go1.24-aix';
      expect(m.member('libcall')!.offset).toBe(is124 ? 832 : 704);
      expect(g.member('goid')!.offset).toBe(is124 ? 160 : 152);
      const mOS = underlying(m.member('mOS')!.type);
      expect(mOS?.kind).toBe('struct');
      expect(m.member('mOS')!.embedded).toBe(true);
      expect(m.member('mOS')!.offset + (mOS as { member(n: string): { offset: number } }).member('perrno').offset).toBe(is124 ? 1328 : 856);
    });

    it('resolves member types: pointers, typedefs, base types, arrays and slices', () => {
      const m = dwarf.findStruct('runtime.m')!;
      const curg = m.member('curg')!.type!;
      expect(curg.kind).toBe('pointer');
      expect(curg.name).toBe('*runtime.g');
      expect(curg.kind === 'pointer' && curg.target?.name).toBe('runtime.g');
      const lockedg = m.member('lockedg')!.type!;
      // Go writes named integer types as base types of their own name.
      expect(lockedg).toMatchObject({ kind: 'base', name: 'runtime.guintptr', size: 8, signed: false });
      // ... and named interface types as typedefs of the interface layout.
      const stringer = dwarf.findType('runtime.stringer')!;
      expect(stringer.kind).toBe('typedef');
      expect(underlying(stringer)).toMatchObject({ kind: 'struct', name: 'runtime.iface', size: 16 });
      expect(stringer.size).toBe(16);
      const tls = m.member('tls')!.type!;
      expect(tls.kind === 'array' && tls.count).toBe(6);
      expect(tls.size).toBe(48);
      const allgs = dwarf.findVariable('runtime.allgs')!;
      expect(allgs.type?.name).toBe('[]*runtime.g');
      const slice = underlying(allgs.type);
      expect(slice?.kind === 'struct' && slice.members.map((x) => [x.name, x.offset])).toEqual([['array', 0], ['len', 8], ['cap', 16]]);
      const goid = dwarf.findStruct('runtime.g')!.member('goid')!.type;
      expect(underlying(goid)?.kind === 'base' && underlying(goid)).toMatchObject({ size: 8, signed: v.toolchain === 'go1.19-aix' });
    });

    it('gives globals the same address as the symbol table', () => {
      for (const name of ['runtime.allm', 'runtime.allgs', 'runtime.sched', 'runtime.m0', 'runtime.g0', 'runtime.buildVersion']) {
        const dv = dwarf.findVariable(name);
        expect(dv?.address, name).toBeDefined();
        expect(dv!.address, name).toBe(image.findSymbol(name)!.address);
      }
    });

    it('maps main.main to the fixture main.go and its lines to addresses and back', () => {
      const main = dwarf.findFunction('main.main')!;
      expect(main.lowPc).toBe(image.findSymbol('main.main')!.address);
      expect(main.highPc! > main.lowPc!).toBe(true);
      expect(main.declFile).toMatch(/(^|\/)hello\/main\.go$/);
      expect(dwarf.functionAt(main.lowPc! + 4n)?.name).toBe('main.main');

      const entry = dwarf.lineForAddress(main.lowPc!)!;
      expect(entry.file).toMatch(/(^|\/)hello\/main\.go$/);
      expect(entry.line).toBe(lineOf('func main()'));

      const printlnLine = lineOf('fmt.Println');
      const addrs = dwarf.addressesForLine('main.go', printlnLine);
      expect(addrs.length).toBeGreaterThan(0);
      for (const a of addrs) {
        expect(a >= main.lowPc! && a < main.highPc!).toBe(true);
        expect(dwarf.lineForAddress(a)).toMatchObject({ line: printlnLine, isStmt: true });
      }
      expect(dwarf.addressesForLine('hello/main.go', printlnLine)).toEqual(addrs);
      expect(dwarf.addressesForLine('ain.go', printlnLine)).toEqual([]); // suffixes match whole path components
      expect(dwarf.lineForAddress(0x10n)).toBeUndefined();
    });

    it('finds the runtime functions the libcall views name', () => {
      for (const name of ['runtime.asmcgocall', 'runtime.syscall6', 'runtime.mstart']) {
        const f = dwarf.findFunction(name);
        expect(f?.lowPc, name).toBeDefined();
        expect(dwarf.functionAt(f!.lowPc!)?.name).toBe(name);
      }
    });

    it('parses quickly, and all types and lines stay under a second', () => {
      const t0 = performance.now();
      let members = 0;
      for (const name of dwarf.typeNames()) {
        const t = underlying(dwarf.findType(name));
        if (t?.kind === 'struct') members += t.members.length;
      }
      dwarf.lineForAddress(dwarf.findFunction('main.main')!.lowPc!);
      const total = parseMs + performance.now() - t0;
      expect(members).toBeGreaterThan(1000);
      expect(total).toBeLessThan(1000);
    });
  });
}
