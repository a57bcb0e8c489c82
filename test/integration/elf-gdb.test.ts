// Stock gdb-multiarch loads the ELF view written by `aix-gdbstub elf` and gets symbols, source lines,
// Go types and (through a small ppc64 Linux core file standing in for a live target) .debug_frame
// unwinding and locals.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildElfView } from '../../src/elf/index.js';
import { goDebugFrameOf } from '../../src/goruntime/stack-switch-cfi.js';
import { parseXcoff, type XcoffImage } from '../../src/xcoff/index.js';
import { fixture, gdbMultiarch, repoRoot, requireTool } from '../helpers/toolchains.js';

const viteNode = join(repoRoot, 'node_modules', '.bin', 'vite-node');
const cli = join(repoRoot, 'src', 'cli.ts');

function gdb(...commands: string[]): { out: string; err: string } {
  const args = ['-nx', '-batch', ...commands.flatMap((c) => ['-ex', c])];
  const r = spawnSync(requireTool(gdbMultiarch), args, { encoding: 'utf8', timeout: 60_000 });
  if (r.error) throw r.error;
  return { out: r.stdout, err: r.stderr };
}

function expectLoadedCleanly(err: string): void {
  expect(err).not.toContain('Symbol format');
  expect(err).not.toContain('not in executable format');
  expect(err).not.toContain('No symbol table');
}

const BLRL = 0x4e800821;
const STACK_BASE = 0x3000_0000n;
const STACK_SIZE = 0x10000;
const MARK = 0x2001_2345_0n; // what every stack word but the saved LR holds, so locals read it back

/**
 * A ppc64 Linux core (ET_CORE: NT_PRSTATUS + one stack segment) of the moment main.main is entered
 * from runtime.main: PC = main.main, LR = just after runtime.main's last indirect call (blrl),
 * runtime.main's saved LR (at 0(R1), Go's ppc64 frame layout) = runtime.goexit+4.
 */
function coreAtMainEntry(image: XcoffImage): Uint8Array {
  const text = image.sectionBytes('.text')!;
  const textStart = image.section('.text')!.vaddr;
  const tv = new DataView(text.buffer, text.byteOffset, text.byteLength);
  const rtMain = image.findSymbol('runtime.main')!;
  let lastBlrl = 0n;
  for (let a = rtMain.address; a < rtMain.address + rtMain.size; a += 4n) if (tv.getUint32(Number(a - textStart)) === BLRL) lastBlrl = a;
  expect(lastBlrl).not.toBe(0n);
  const goexit = image.findSymbol('runtime.goexit')!;

  const sp = STACK_BASE + 0x8000n;
  const stack = new Uint8Array(STACK_SIZE);
  const sv = new DataView(stack.buffer);
  for (let at = 0; at < STACK_SIZE; at += 8) sv.setBigUint64(at, MARK);
  sv.setBigUint64(Number(sp - STACK_BASE), goexit.address + 4n);

  // elf_prstatus for ppc64 is 504 bytes; pr_reg (48 doublewords: r0-r31, nip, msr, orig_r3, ctr, link, ...) at 112.
  const prstatus = new DataView(new ArrayBuffer(504));
  prstatus.setUint16(12, 5); // pr_cursig = SIGTRAP
  prstatus.setUint32(32, 4242); // pr_pid
  const reg = (n: number, v: bigint): void => prstatus.setBigUint64(112 + n * 8, v);
  reg(1, sp);
  reg(32, image.findSymbol('main.main')!.address);
  reg(33, 0x8000_0000_0000_0000n); // MSR.SF
  reg(36, lastBlrl + 4n);

  const note = new Uint8Array(12 + 8 + 504);
  const nv = new DataView(note.buffer);
  nv.setUint32(0, 5); // namesz "CORE\0"
  nv.setUint32(4, 504);
  nv.setUint32(8, 1); // NT_PRSTATUS
  note.set([0x43, 0x4f, 0x52, 0x45, 0], 12);
  note.set(new Uint8Array(prstatus.buffer), 20);

  const phoff = 64;
  const noteOffset = phoff + 2 * 56;
  const loadOffset = 0x1000;
  const core = new Uint8Array(loadOffset + STACK_SIZE);
  const cv = new DataView(core.buffer);
  core.set([0x7f, 0x45, 0x4c, 0x46, 2, 2, 1, 0]);
  cv.setUint16(16, 4); // ET_CORE
  cv.setUint16(18, 21); // EM_PPC64
  cv.setUint32(20, 1);
  cv.setBigUint64(32, BigInt(phoff));
  cv.setUint32(48, 1);
  cv.setUint16(52, 64);
  cv.setUint16(54, 56);
  cv.setUint16(56, 2);
  cv.setUint16(58, 64);
  const ph = (at: number, type: number, flags: number, offset: number, vaddr: bigint, size: number, align: bigint): void => {
    cv.setUint32(at, type);
    cv.setUint32(at + 4, flags);
    cv.setBigUint64(at + 8, BigInt(offset));
    cv.setBigUint64(at + 16, vaddr);
    cv.setBigUint64(at + 32, BigInt(size));
    cv.setBigUint64(at + 40, BigInt(size));
    cv.setBigUint64(at + 48, align);
  };
  ph(phoff, 4, 4, noteOffset, 0n, note.length, 4n); // PT_NOTE
  ph(phoff + 56, 1, 6, loadOffset, STACK_BASE, STACK_SIZE, 0x1000n); // PT_LOAD rw-
  core.set(note, noteOffset);
  core.set(stack, loadOffset);
  return core;
}

for (const toolchain of ['go1.24-aix', 'go1.19-aix'] as const) {
  describe(`gdb-multiarch on the ELF view of ${toolchain} hello`, () => {
    const program = fixture(toolchain, 'hello');
    const image = parseXcoff(readFileSync(program));
    const dir = mkdtempSync(join(tmpdir(), `elf-gdb-${toolchain}-`));
    const elf = join(dir, 'hello.elf');
    // As `aix-gdbstub elf` and serve write it: Go's stack switches described in .debug_frame.
    const debugFrame = goDebugFrameOf(image);
    writeFileSync(elf, buildElfView(image, undefined, { debugFrame }));
    const mainMain = image.findSymbol('main.main')!;

    it('`aix-gdbstub elf` writes the view', () => {
      const out = join(dir, 'cli.elf');
      const r = spawnSync(viteNode, [cli, 'elf', program, '-o', out], { encoding: 'utf8', timeout: 60_000 });
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      expect(Buffer.compare(readFileSync(out), readFileSync(elf))).toBe(0);
    });

    it('reads the same lines and types from the compressed view and the --no-compress-debug one', () => {
      const plain = join(dir, 'cli-plain.elf');
      const r = spawnSync(viteNode, [cli, 'elf', program, '-o', plain, '--no-compress-debug'], { encoding: 'utf8', timeout: 60_000 });
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      expect(Buffer.compare(readFileSync(plain), buildElfView(image, undefined, { compressDebug: false, debugFrame }))).toBe(0);
      expect(readFileSync(elf).length).toBeLessThan(readFileSync(plain).length * 0.7);
      const ask = (file: string) => gdb(`file ${file}`, 'info line main.main', "ptype 'runtime.m'", 'info scope main.main');
      const compressed = ask(elf);
      const uncompressed = ask(plain);
      expectLoadedCleanly(compressed.err);
      expect(compressed.err).not.toContain('compress');
      expect(compressed.out).toContain(`Line 7 of "aixgdbstub/fixtures/hello/main.go" starts at address 0x${mainMain.address.toString(16)} <main.main>`);
      expect(compressed.out).toMatch(/type = struct runtime\.m \{\n\s+runtime\.g \*g0;/);
      expect(compressed).toEqual({ out: uncompressed.out.replaceAll(plain, elf), err: uncompressed.err.replaceAll(plain, elf) });
    });

    it('gives functions, source lines, addresses and Go types', () => {
      const { out, err } = gdb(
        `file ${elf}`,
        `set substitute-path aixgdbstub/fixtures ${join(repoRoot, 'test', 'fixtures')}`,
        'info functions ^main\\.',
        'info line main.main',
        'list main.main',
        'info address runtime.syscall1',
        // gdb's Go parser reads runtime.m as a field access; quoting names the type (same on native Go ELF).
        "ptype 'runtime.m'",
        'break main.main',
        'break main.go:8',
        'info files',
      );
      expectLoadedCleanly(err);
      expect(out).toContain('File aixgdbstub/fixtures/hello/main.go:');
      expect(out).toContain('void main.main(void);');
      expect(out).toContain(`Line 7 of "aixgdbstub/fixtures/hello/main.go" starts at address 0x${mainMain.address.toString(16)} <main.main>`);
      expect(out).toContain('fmt.Println("hello from aix/ppc64")');
      const syscall1 = image.findSymbol('runtime.syscall1')!;
      expect(out).toContain(`Symbol "runtime.syscall1" is a function at address 0x${syscall1.address.toString(16)}.`);
      expect(out).toMatch(/type = struct runtime\.m \{\n\s+runtime\.g \*g0;/);
      // The breakpoint lands after the prologue, inside main.main: symbols are code addresses, no .opd.
      const bp = /Breakpoint 1 at 0x([0-9a-f]+): file aixgdbstub\/fixtures\/hello\/main\.go, line 7\./.exec(out);
      expect(bp).not.toBeNull();
      const bpAddr = BigInt(`0x${bp![1]}`);
      expect(bpAddr > mainMain.address && bpAddr < mainMain.address + mainMain.size).toBe(true);
      // ABI v1 gdb would turn an .opd entry into code; with no .opd the entry is __start's code itself.
      expect(out).toContain(`Entry point: 0x${image.entry.toString(16)}\n`);
      expect(out).toMatch(/Breakpoint 2 at 0x[0-9a-f]+: file aixgdbstub\/fixtures\/hello\/main\.go, line 8\./);
    });

    it('unwinds Go frames with .debug_frame and reads locals (core file at main.main entry)', () => {
      const core = join(dir, 'hello.core');
      writeFileSync(core, coreAtMainEntry(image));
      const { out, err } = gdb(`file ${elf}`, `core-file ${core}`, 'set backtrace past-main on', 'bt', 'frame 1', 'info locals');
      expectLoadedCleanly(err);
      expect(out).toMatch(/^#0 +main\.main \(\) at aixgdbstub\/fixtures\/hello\/main\.go:7$/m);
      expect(out).toMatch(/^#1 +0x[0-9a-f]+ in runtime\.main \(\) at runtime\/proc\.go:\d+$/m);
      expect(out).toMatch(/^#2 +0x[0-9a-f]+ in runtime\.goexit \(\) at runtime\/asm_ppc64x\.s:\d+$/m);
      expect(out).toMatch(new RegExp(`^\\w+ = 0x${MARK.toString(16)}$`, 'm'));
    });
  });
}

describe('elf command errors', () => {
  const run = (...args: string[]) => spawnSync(viteNode, [cli, 'elf', ...args], { encoding: 'utf8', timeout: 60_000 });
  const dir = mkdtempSync(join(tmpdir(), 'elf-cli-'));

  it('a missing program is one error line and exit 1', () => {
    const r = run(join(dir, 'nope'), '-o', join(dir, 'out.elf'));
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(`aix-gdbstub: ${join(dir, 'nope')}: no such file\n`);
  });

  it('a file that is not XCOFF64 is one error line and exit 1', () => {
    const bogus = join(dir, 'bogus');
    writeFileSync(bogus, 'not an executable at all');
    const r = run(bogus, '-o', join(dir, 'out.elf'));
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^aix-gdbstub: .*bogus: not an AIX ppc64 XCOFF64 executable \(not XCOFF64: [^\n]*\)\n$/);
  });

  it('a missing -o is a usage error, exit 2', () => {
    const r = run(fixture('go1.24-aix', 'hello'));
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('Missing required argument: output');
  });
});
