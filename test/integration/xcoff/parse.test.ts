// The XCOFF64 reader against the real Go fixtures (Go 1.24 is the primary target, Go 1.19 must parse too).
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseXcoff, type XcoffImage } from '../../../src/xcoff/index.js';
import { FIXTURE_NAMES, fixture, go124Root } from '../../helpers/toolchains.js';

const load = (path: string) => new Uint8Array(readFileSync(path));

// The 50 distinct C names Go 1.24's hello reaches (notes/aix-go-contract.md Appendix B).
const HELLO_124_IMPORTS = [
  '_Errno', '__mod_init', '__n_pthreads', '_exit', 'clock_gettime', 'close', 'execve', 'fcntl', 'fstat', 'getcwd',
  'getdirent', 'getegid', 'geteuid', 'getgid', 'getpid', 'getrlimit', 'getsystemcfg', 'getuid', 'kill', 'lseek',
  'lstat', 'madvise', 'malloc', 'mmap', 'mprotect', 'munmap', 'open', 'pipe', 'poll', 'pthread_attr_init',
  'pthread_attr_setdetachstate', 'pthread_attr_setstacksize', 'pthread_create', 'pthread_kill', 'pthread_self',
  'raise', 'read', 'sched_yield', 'sem_init', 'sem_post', 'sem_timedwait', 'sem_wait', 'setrlimit', 'sigaction',
  'sigaltstack', 'sigthreadmask', 'stat', 'sysconf', 'usleep', 'write',
];

interface DynImport {
  goName: string;
  cName: string;
  library: string;
  member: string;
  file: string;
}

/** Every `//go:cgo_import_dynamic GOVAR CNAME "lib.a/member.o"` line in the AIX files of the given Go source dirs. */
function cgoImportDynamic(dirs: string[]): DynImport[] {
  const out: DynImport[] = [];
  const re = /^\/\/go:cgo_import_dynamic\s+(\S+)\s+(\S+)\s+"([^"/]+)\/([^"]+)"/gm;
  for (const dir of dirs) {
    if (!existsSync(dir)) throw new Error(`Go 1.24 source directory missing: ${dir} (run: make toolchains)`);
    for (const f of readdirSync(dir)) {
      if (!f.endsWith('.go') || !f.includes('aix')) continue;
      const text = readFileSync(join(dir, f), 'utf8');
      for (const m of text.matchAll(re)) out.push({ goName: m[1]!, cName: m[2]!, library: m[3]!, member: m[4]!, file: f });
    }
  }
  return out;
}

describe('Go 1.24 hello', () => {
  let img: XcoffImage;
  beforeAll(() => {
    img = parseXcoff(load(fixture('go1.24-aix', 'hello')));
  });

  it('has the headers Go’s linker writes', () => {
    expect(img.fileHeader.magic).toBe(0x01f7);
    expect(img.fileHeader.flags).toBe(0x0002);
    expect(img.fileHeader.auxHeaderSize).toBe(120);
    expect(img.auxHeader.magic).toBe(0x010b);
    expect(img.auxHeader.moduleType).toBe('1L');
    expect(img.textStart).toBe(0x1_0000_0740n);
    expect(img.sections.map((s) => s.name)).toEqual([
      '.text', '.data', '.bss', '.dwabrev', '.dwline', '.dwframe', '.dwinfo', '.dwloc', '.dwrnges', '.loader',
    ]);
    expect(img.dataStart).toBe(img.section('.data')!.vaddr);
    expect(img.auxHeader.textSize).toBe(img.section('.text')!.size);
  });

  it('reads the entry through the descriptor _rt0_ppc64_aix', () => {
    expect(img.findSymbol('_rt0_ppc64_aix')?.address).toBe(img.entryDescriptor);
    expect(img.loaderSymbols[0]).toMatchObject({ name: '_rt0_ppc64_aix', value: img.entryDescriptor, isEntry: true });
    expect(img.entry).toBe(img.findSymbol('__start')!.address);
    expect(img.symbolize(img.entry)?.name).toBe('__start');
    expect(img.entryToc).toBe(img.toc);
    expect(img.findSymbol('TOC')?.address).toBe(img.toc);
    const data = img.section('.data')!;
    expect(img.entryDescriptor >= data.vaddr && img.entryDescriptor < data.vaddr + data.size).toBe(true);
  });

  it('classifies sections and names the DWARF subtypes', () => {
    const kinds = Object.fromEntries(img.sections.map((s) => [s.name, s.kind]));
    expect(kinds).toMatchObject({ '.text': 'text', '.data': 'data', '.bss': 'bss', '.dwinfo': 'dwarf', '.loader': 'loader' });
    const dwarf = img.dwarfSections();
    expect([...dwarf.keys()].sort()).toEqual(
      ['.debug_abbrev', '.debug_frame', '.debug_info', '.debug_line', '.debug_loc', '.debug_ranges'],
    );
    // 64-bit DWARF: each unit starts with the 0xffffffff escape.
    const info = dwarf.get('.debug_info')!;
    expect([...info.subarray(0, 4)]).toEqual([0xff, 0xff, 0xff, 0xff]);
    expect(info.length).toBe(Number(img.section('.dwinfo')!.size));
    // Both views share the file's bytes (a deep toEqual on 900 KB is needlessly slow).
    const again = img.sectionBytes('.debug_info')!;
    expect(again.byteOffset).toBe(info.byteOffset);
    expect(again.length).toBe(info.length);
    expect(again.byteOffset - img.bytes.byteOffset).toBe(img.section('.dwinfo')!.fileOffset);
    expect(img.sectionBytes('.nope')).toBeUndefined();
  });

  it('describes what to load: text r-x, data rw-, bss zero-filled', () => {
    const [text, data, bss] = img.loadSegments;
    expect(text).toMatchObject({ name: '.text', vaddr: img.textStart, readable: true, writable: false, executable: true });
    expect(text!.fileBytes.length).toBe(Number(text!.memSize));
    expect(data).toMatchObject({ name: '.data', vaddr: img.dataStart, writable: true, executable: false });
    expect(data!.fileBytes.length).toBe(Number(data!.memSize));
    expect(bss).toMatchObject({ name: '.bss', writable: true, executable: false });
    expect(bss!.fileBytes.length).toBe(0);
    expect(bss!.vaddr).toBe(data!.vaddr + data!.memSize); // .bss follows .data directly (§1.1)
    expect(bss!.memSize).toBe(img.auxHeader.bssSize);
  });

  it('lists exactly the 50 imported names, from libc.a(shr_64.o) and libpthread.a(shr_xpg5_64.o)', () => {
    expect(img.imports.map((i) => i.name).sort()).toEqual([...HELLO_124_IMPORTS].sort());
    const libs = new Set(img.imports.map((i) => `${i.library}(${i.member})`));
    expect([...libs].sort()).toEqual(['libc.a(shr_64.o)', 'libpthread.a(shr_xpg5_64.o)']);
    const pthread = img.imports.filter((i) => i.library === 'libpthread.a').map((i) => i.name).sort();
    expect(pthread).toEqual([
      '__n_pthreads', 'pthread_attr_init', 'pthread_attr_setdetachstate', 'pthread_attr_setstacksize', 'pthread_create',
      'pthread_kill', 'pthread_self', 'sigthreadmask',
    ]);
    // Every loader import symbol is accounted for (close and open appear twice, merged here).
    expect(img.loaderSymbols.filter((s) => s.isImport)).toHaveLength(52);
    expect(img.importFiles[0]!.base).toBe(''); // the LIBPATH entry
  });

  it('finds every import slot through the loader relocations', () => {
    const slots = img.imports.flatMap((i) => i.slots);
    expect(slots).toHaveLength(52);
    expect(new Set(slots).size).toBe(52);
    for (const i of img.imports) expect(i.slots.length, i.name).toBeGreaterThanOrEqual(1);
    expect(img.imports.find((i) => i.name === 'close')!.slots).toHaveLength(2);
    expect(img.imports.find((i) => i.name === 'open')!.slots).toHaveLength(2);
    // The slot of write is the Go variable libc_write; slots are 8-byte words in .data holding 0 in the file.
    const write = img.imports.find((i) => i.name === 'write')!;
    expect(write.slots).toEqual([img.findSymbol('libc_write')!.address]);
    const data = img.loadSegments[1]!;
    const view = new DataView(data.fileBytes.buffer, data.fileBytes.byteOffset, data.fileBytes.byteLength);
    for (const slot of slots) {
      expect(img.symbolize(slot)?.symbol.section).toBe('.data');
      expect(view.getBigUint64(Number(slot - data.vaddr))).toBe(0n);
    }
    expect(img.imports.filter((i) => i.isData).map((i) => i.name)).toEqual(['__n_pthreads']);
  });

  it('keeps every loader relocation (R_POS 64-bit), the first being the entry descriptor’s code word', () => {
    expect(img.relocations).toHaveLength(3759);
    expect(img.relocations.every((r) => r.type === 0x3f00)).toBe(true);
    expect(img.relocations[0]).toMatchObject({ address: img.entryDescriptor, symbolIndex: 0, sectionNumber: 2 });
    expect(img.relocations.filter((r) => r.symbolIndex >= 3)).toHaveLength(52);
  });

  it('cross-checks each import against a cgo_import_dynamic line of the installed Go 1.24 source', () => {
    const src = join(go124Root, 'src');
    const runtimeLines = cgoImportDynamic([join(src, 'runtime')]);
    const os2 = runtimeLines.filter((l) => l.file === 'os2_aix.go');
    expect(os2.length).toBeGreaterThan(40);
    // Start-up symbols come from runtime/os2_aix.go.
    expect(os2.find((l) => l.cName === '__n_pthreads')).toMatchObject({ library: 'libpthread.a', member: 'shr_xpg5_64.o' });
    expect(os2.find((l) => l.cName === '__mod_init')).toMatchObject({ library: 'libc.a', member: 'shr_64.o' });
    const all = [...runtimeLines, ...cgoImportDynamic([join(src, 'syscall'), join(src, 'internal', 'syscall', 'unix')])];
    for (const imp of img.imports) {
      const line = all.find((l) => l.cName === imp.name && l.library === imp.library && l.member === imp.member);
      expect(line, `${imp.library}(${imp.member}):${imp.name}`).toBeDefined();
    }
    // Most come from runtime/os2_aix.go; the rest are the runtime's syscall/netpoll helpers and package syscall.
    const notInOs2 = img.imports.filter((imp) => !os2.some((l) => l.cName === imp.name && l.library === imp.library));
    expect(notInOs2.map((i) => i.name).sort()).toEqual(
      ['execve', 'fcntl', 'fstat', 'getcwd', 'getdirent', 'getrlimit', 'lseek', 'lstat', 'poll', 'setrlimit', 'stat'],
    );
  });

  it('finds the runtime’s libc call path and main.main with sizes', () => {
    for (const name of [
      'runtime.syscall0', 'runtime.syscall1', 'runtime.syscall2', 'runtime.syscall3', 'runtime.syscall4', 'runtime.syscall6',
      'runtime.asmsyscall6', 'runtime.tstart', 'runtime.sigtramp', 'main.main', 'asmsyscall6', 'tstart', 'sigtramp',
      'callCfunction', '__start', 'runtime.rt0_go',
    ]) {
      const s = img.findSymbol(name);
      expect(s, name).toBeDefined();
      expect(s!.size, name).toBeGreaterThan(0n);
    }
    // Go names of assembly functions carry .abi0; the exact name is found too.
    expect(img.findSymbol('runtime.syscall6')).toBe(img.findSymbol('runtime.syscall6.abi0'));
    expect(img.findSymbol('runtime.syscall6')!.kind).toBe('function');
    // runtime.tstart etc. are the 24-byte descriptors in .data; tstart is the code.
    expect(img.findSymbol('runtime.tstart')).toMatchObject({ kind: 'object', section: '.data', size: 24n });
    expect(img.findSymbol('tstart')).toMatchObject({ kind: 'function', section: '.text' });
    expect(img.findSymbol('main.main')).toMatchObject({ kind: 'function', storageClassName: 'C_EXT', section: '.text' });
    expect(img.findSymbol('no.such.symbol')).toBeUndefined();
  });

  it('symbolizes addresses as symbol+offset and round-trips every function', () => {
    expect(img.functions.length).toBeGreaterThan(1500);
    for (let i = 1; i < img.functions.length; i++) {
      expect(img.functions[i - 1]!.address <= img.functions[i]!.address).toBe(true);
    }
    let checked = 0;
    for (const f of img.functions) {
      if (f.size === 0n) continue;
      expect(img.symbolize(f.address)?.name).toBe(f.name);
      const last = img.symbolize(f.address + f.size - 1n)!;
      expect(last.name).toBe(f.name);
      expect(last.offset).toBe(f.size - 1n);
      checked++;
    }
    expect(checked).toBeGreaterThan(1500);
    const main = img.findSymbol('main.main')!;
    expect(img.symbolize(main.address + 8n)).toMatchObject({ name: 'main.main', offset: 8n });
    const m0 = img.findSymbol('runtime.m0')!;
    expect(img.symbolize(m0.address + 0x10n)).toMatchObject({ name: 'runtime.m0', offset: 0x10n });
    expect(img.symbolize(0n)).toBeUndefined();
    expect(img.symbolize(0xffff_ffff_ffff_fff0n)).toBeUndefined();
  });

  it('counts symbol-table entries like f_nsyms and parses fast', () => {
    expect(img.symbolEntryCount).toBe(7443);
    const bytes = load(fixture('go1.24-aix', 'hello'));
    parseXcoff(bytes); // warm up
    const runs = 5;
    const t0 = performance.now();
    for (let i = 0; i < runs; i++) parseXcoff(bytes);
    expect((performance.now() - t0) / runs).toBeLessThan(100);
  });
});

describe('Go 1.19 hello', () => {
  it('parses, with the 1.19 differences (exit instead of _exit, a 16-byte entry descriptor)', () => {
    const img = parseXcoff(load(fixture('go1.19-aix', 'hello')));
    const names = img.imports.map((i) => i.name);
    expect(names).toContain('exit');
    expect(names).not.toContain('_exit');
    expect(names).not.toContain('getuid');
    expect(img.imports).toHaveLength(43);
    expect(img.imports.flatMap((i) => i.slots)).toHaveLength(45);
    expect(img.entry).toBe(img.findSymbol('__start')!.address);
    expect(img.entryToc).toBe(img.toc);
    for (const name of ['runtime.syscall0', 'runtime.syscall6', 'runtime.asmsyscall6', 'tstart', 'main.main']) {
      expect(img.findSymbol(name)?.size, name).toBeGreaterThan(0n);
    }
  });
});

describe('every fixture', () => {
  it.each(FIXTURE_NAMES.flatMap((n) => [['go1.24-aix', n], ['go1.19-aix', n]] as const))('%s/%s parses', (tc, name) => {
    const img = parseXcoff(load(fixture(tc, name)));
    expect(img.imports.length).toBeGreaterThan(40);
    expect(img.findSymbol('main.main')?.size).toBeGreaterThan(0n);
    expect(img.symbolize(img.entry)?.name).toBe('__start');
  });
});
