// RuntimeLayout built from the hello fixture of each Go version: offsets equal the go_asm.h the
// compiler wrote for that release, constants equal its const_ defines, and the wait-reason
// strings read from the binary equal runtime2.go of the installed Go sources.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseDwarf } from '../../../src/dwarf/index.js';
import { DEFAULT_G_STATUS, WAIT_REASONS_GO1_19, WAIT_REASONS_GO1_24, fallbackWaitReasons } from '../../../src/goruntime/constants.js';
import { RuntimeLayout, RuntimeLayoutError, runtimeLayoutFromImage } from '../../../src/goruntime/layout.js';
import { parseXcoff, type XcoffImage } from '../../../src/xcoff/index.js';
import { fixture, go119Root, go124Root } from '../../helpers/toolchains.js';
import { goAsmDefines } from '../../helpers/go-asm.js';

/** The strings of `var waitReasonStrings = [...]string{...}` in a Go source tree's runtime2.go. */
function sourceWaitReasons(goroot: string): string[] {
  const candidates = [join(goroot, 'src/runtime/runtime2.go'), join(goroot, '../../share', goroot.split('/').pop()!, 'src/runtime/runtime2.go')];
  const path = candidates.find((p) => existsSync(p));
  if (path === undefined) throw new Error(`runtime2.go not found under ${goroot} (install the toolchain: make toolchains)`);
  const src = readFileSync(path, 'utf8');
  const block = /var waitReasonStrings = \[\.\.\.\]string\{([\s\S]*?)\n\}/.exec(src);
  if (block === null) throw new Error(`no waitReasonStrings in ${path}`);
  return [...block[1]!.matchAll(/:\s*"([^"]*)"/g)].map((m) => m[1]!);
}

const VERSIONS = [
  { toolchain: 'go1.24-aix', header: 'go_asm_aix_ppc64_go1.24.h', minor: 24, goroot: go124Root, table: WAIT_REASONS_GO1_24 },
  { toolchain: 'go1.19-aix', header: 'go_asm_aix_ppc64_go1.19.h', minor: 19, goroot: go119Root, table: WAIT_REASONS_GO1_19 },
] as const;

for (const v of VERSIONS) {
  describe(`RuntimeLayout of ${v.toolchain}/hello`, () => {
    let image: XcoffImage;
    let layout: RuntimeLayout;
    let h: Map<string, number>;
    beforeAll(() => {
      image = parseXcoff(new Uint8Array(readFileSync(fixture(v.toolchain, 'hello'))));
      layout = runtimeLayoutFromImage(image);
      h = goAsmDefines(v.header);
    });

    it('detects the Go version from runtime.buildVersion', () => {
      expect(layout.goVersion).toMatchObject({ major: 1, minor: v.minor, source: 'buildVersion' });
      expect(layout.goVersion!.text).toMatch(new RegExp(`^go1\\.${v.minor}(\\.\\d+)?$`));
    });

    it('gives offsets equal to go_asm.h, through nested and promoted paths', () => {
      const hv = (name: string) => {
        const x = h.get(name);
        if (x === undefined) throw new Error(`${name} missing from ${v.header}`);
        return x;
      };
      expect(layout.offsetOf('runtime.m', 'libcall')).toBe(hv('m_libcall'));
      expect(layout.offsetOf('runtime.m', 'procid')).toBe(hv('m_procid'));
      expect(layout.offsetOf('runtime.m', 'curg')).toBe(hv('m_curg'));
      expect(layout.offsetOf('runtime.m', 'alllink')).toBe(hv('m_alllink'));
      expect(layout.offsetOf('runtime.m', 'libcallsp')).toBe(hv('m_libcallsp'));
      expect(layout.offsetOf('runtime.m', 'mOS.perrno')).toBe(hv('m_mOS') + hv('mOS_perrno'));
      expect(layout.offsetOf('runtime.m', 'perrno')).toBe(hv('m_mOS') + hv('mOS_perrno')); // promoted from mOS
      expect(layout.offsetOf('m', 'libcall.err')).toBe(hv('m_libcall') + hv('libcall_err'));
      expect(layout.offsetOf('runtime.m', 'libcall.args')).toBe(hv('m_libcall') + hv('libcall_args'));
      expect(layout.offsetOf('runtime.g', 'm')).toBe(hv('g_m'));
      expect(layout.offsetOf('runtime.g', 'goid')).toBe(hv('g_goid'));
      expect(layout.offsetOf('runtime.g', 'sched.sp')).toBe(hv('g_sched') + hv('gobuf_sp'));
      expect(layout.offsetOf('runtime.g', 'sched.pc')).toBe(hv('g_sched') + hv('gobuf_pc'));
      expect(layout.offsetOf('runtime.g', 'stack.hi')).toBe(hv('g_stack') + hv('stack_hi'));
      expect(layout.offsetOf('runtime.libcall', 'r1')).toBe(hv('libcall_r1'));
      expect(layout.sizeOf('runtime.m')).toBe(hv('m__size'));
      expect(layout.sizeOf('runtime.g')).toBe(hv('g__size'));
      expect(layout.sizeOf('runtime.libcall')).toBe(hv('libcall__size'));
      expect(layout.sizeOf('runtime.p')).toBe(hv('p__size'));
      expect(layout.sizeOf('runtime.schedt')).toBe(hv('schedt__size'));
    });

    it('describes field types and sizes', () => {
      expect(layout.field('runtime.g', 'atomicstatus').size).toBe(4);
      expect(layout.field('runtime.g', 'waitreason')).toMatchObject({ size: 1, typeName: 'runtime.waitReason' });
      expect(layout.field('runtime.g', 'goid')).toMatchObject({ size: 8, signed: v.minor === 19 });
      expect(layout.field('runtime.m', 'libcall')).toMatchObject({ size: 48, typeName: 'runtime.libcall' });
      expect(layout.fieldType('runtime.m', 'curg')?.name).toBe('*runtime.g');
      expect(layout.hasField('runtime.g', 'syscallbp')).toBe(v.minor === 24);
    });

    it('reports missing structs and fields as RuntimeLayoutError', () => {
      expect(() => layout.offsetOf('runtime.m', 'nosuchfield')).toThrow(RuntimeLayoutError);
      expect(() => layout.offsetOf('runtime.m', 'nosuchfield')).toThrow(/runtime\.m has no field nosuchfield/);
      expect(() => layout.sizeOf('runtime.nosuch')).toThrow(/struct runtime\.nosuch is not described/);
      expect(() => layout.offsetOf('runtime.m', 'curg.goid')).toThrow(RuntimeLayoutError); // no pointer following
      expect(layout.tryField('runtime.m', 'nosuch')).toBeUndefined();
      expect(() => layout.globalAddress('runtime.nosuch')).toThrow(RuntimeLayoutError);
    });

    it('finds globals from DWARF, and from the symbol table when DWARF has none', () => {
      for (const name of ['runtime.allm', 'runtime.allgs', 'runtime.sched', 'runtime.m0', 'runtime.g0']) {
        expect(layout.globalAddress(name), name).toBe(image.findSymbol(name)!.address);
      }
      expect(layout.globalType('runtime.allm')?.name).toBe('*runtime.m');
      // runtime.asmsyscall6 (a function descriptor in .data) is only in the symbol table.
      expect(layout.dwarf.findVariable('runtime.asmsyscall6')).toBeUndefined();
      expect(layout.globalAddress('runtime.asmsyscall6')).toBe(image.findSymbol('runtime.asmsyscall6')!.address);
    });

    it('reads g status constants from DWARF, equal to the const__G defines', () => {
      expect(layout.gStatus).toEqual({
        idle: h.get('const__Gidle'),
        runnable: h.get('const__Grunnable'),
        running: h.get('const__Grunning'),
        syscall: h.get('const__Gsyscall'),
        waiting: h.get('const__Gwaiting'),
        moribundUnused: h.get('const__Gmoribund_unused'),
        dead: h.get('const__Gdead'),
        enqueueUnused: h.get('const__Genqueue_unused'),
        copystack: h.get('const__Gcopystack'),
        preempted: h.get('const__Gpreempted'),
        scan: h.get('const__Gscan'),
      });
      expect(layout.gStatus).toEqual(DEFAULT_G_STATUS);
      expect(layout.constant('runtime._Grunning')).toBe(2);
      expect(layout.gStatusName(2)).toBe('running');
      expect(layout.gStatusName(0x1004)).toBe('waiting+scan');
      expect(layout.gStatusName(6)).toBe('dead');
    });

    it('reads wait-reason strings from the binary, equal to runtime2.go of that release', () => {
      expect(layout.waitReasonSource).toBe('binary');
      const fromSource = sourceWaitReasons(v.goroot);
      expect(layout.waitReasons).toEqual(fromSource);
      expect(v.table).toEqual(fromSource); // the fallback table is right too
      const idx = h.get('const_waitReasonChanReceive')!;
      expect(layout.waitReasonText(idx)).toBe('chan receive');
      expect(layout.waitReasonText(idx)).toBe(fromSource[idx]);
      expect(layout.waitReasonText(250)).toBe('wait reason 250');
    });

    it('falls back to the embedded table when the data section is not available', () => {
      const bare = new RuntimeLayout({ dwarf: parseDwarf(image.dwarfSections()) });
      expect(bare.goVersion).toMatchObject({ minor: v.minor, source: 'producer' });
      expect(bare.waitReasonSource).toBe('go-source-exact');
      expect(bare.waitReasons).toEqual(layout.waitReasons);
      expect(bare.offsetOf('runtime.m', 'libcall')).toBe(layout.offsetOf('runtime.m', 'libcall'));
    });
  });
}

describe('fallbackWaitReasons', () => {
  it('is exact for 1.19 and 1.24 and the nearest table otherwise', () => {
    expect(fallbackWaitReasons(19)).toEqual({ table: WAIT_REASONS_GO1_19, exact: true });
    expect(fallbackWaitReasons(24)).toEqual({ table: WAIT_REASONS_GO1_24, exact: true });
    expect(fallbackWaitReasons(20).exact).toBe(false);
    expect(fallbackWaitReasons(26)).toEqual({ table: WAIT_REASONS_GO1_24, exact: false });
    expect(fallbackWaitReasons(undefined).exact).toBe(false);
  });
});
