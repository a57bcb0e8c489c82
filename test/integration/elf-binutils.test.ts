// binutils (objdump, readelf) must read the ELF view without complaint: it is the second opinion on
// the format, independent of our own reader.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildElfView } from '../../src/elf/index.js';
import { parseXcoff } from '../../src/xcoff/index.js';
import { fixture, objdump, requireTool } from '../helpers/toolchains.js';

const readelf = '/usr/bin/readelf';
const hex = (v: bigint): string => v.toString(16).padStart(16, '0');

for (const toolchain of ['go1.24-aix', 'go1.19-aix'] as const) {
  describe(`binutils read the ELF view of ${toolchain} hello`, () => {
    const image = parseXcoff(readFileSync(fixture(toolchain, 'hello')));
    const dir = mkdtempSync(join(tmpdir(), 'elf-binutils-'));
    const path = join(dir, 'hello.elf'); // DWARF zlib-compressed, as serve and `elf` write it
    writeFileSync(path, buildElfView(image));
    const plainPath = join(dir, 'hello-plain.elf');
    writeFileSync(plainPath, buildElfView(image, undefined, { compressDebug: false }));

    it('objdump -h lists the loaded and DWARF sections at the XCOFF addresses', () => {
      const out = execFileSync(requireTool(objdump), ['-h', path], { encoding: 'utf8' });
      expect(out).toContain('file format elf64-powerpc');
      for (const name of ['.text', '.data', '.bss']) {
        const s = image.section(name)!;
        expect(out).toMatch(new RegExp(`\\s${name.replace('.', '\\.')}\\s+0*${s.size.toString(16)}\\s+${hex(s.vaddr)}\\s`));
      }
      for (const name of ['.debug_info', '.debug_abbrev', '.debug_line', '.debug_frame', '.debug_loc', '.debug_ranges']) {
        expect(out).toContain(` ${name} `);
      }
    });

    it('objdump -t shows main.main as a sized function in .text', () => {
      const out = execFileSync(requireTool(objdump), ['-t', path], { encoding: 'utf8', maxBuffer: 64 << 20 });
      const main = image.findSymbol('main.main')!;
      expect(out).toMatch(new RegExp(`^${hex(main.address)} g +F \\.text\\s+${hex(main.size)} main\\.main$`, 'm'));
      const rows = out.split('\n').filter((l) => /^[0-9a-f]{16} /.test(l));
      expect(rows.length).toBe(image.symbols.length);
    });

    it('readelf parses headers, symbols and every DWARF section with no warning', () => {
      const r = spawnSync(requireTool(readelf), ['-W', '-h', '-l', '-S', '-s', '--debug-dump=info,abbrev,line,frames,loc,ranges', path], {
        encoding: 'utf8',
        maxBuffer: 512 << 20,
      });
      expect(r.status).toBe(0);
      expect(r.stderr).toBe('');
      // The dump is tens of MB: test lines with includes() so a failure does not print it all.
      const has = (line: string): boolean => r.stdout.includes(line);
      expect(has('Machine:                           PowerPC64')).toBe(true);
      expect(has('Flags:                             0x1, abiv1')).toBe(true);
      expect(has(`Entry point address:               0x${image.entry.toString(16)}`)).toBe(true);
      expect(has('DW_AT_name        : (string) main.main')).toBe(true);
      expect(has('Return address column: 65')).toBe(true);
      expect(/^readelf: (Warning|Error)/m.test(r.stdout)).toBe(false);
    });

    it('readelf -S flags every DWARF section C (compressed), and none of the others', () => {
      const out = execFileSync(requireTool(readelf), ['-W', '-S', path], { encoding: 'utf8' });
      const flagsOf = (name: string): string => {
        // [Nr] Name Type Address Off Size ES Flg Lk Inf Al: Flg is empty for the unflagged sections.
        const row = new RegExp(`\\] ${name.replace('.', '\\.')} +\\w+ +[0-9a-f]{16} [0-9a-f]{6} [0-9a-f]{6} [0-9a-f]{2} (.{3}) +\\d+ +\\d+ +(\\d+)$`, 'm').exec(out);
        expect(row, `${name} in\n${out}`).not.toBeNull();
        return [row![1]!.trim(), `align ${row![2]}`].filter((part) => part !== '').join(' ');
      };
      for (const name of ['.debug_info', '.debug_abbrev', '.debug_line', '.debug_frame', '.debug_loc', '.debug_ranges']) {
        expect(flagsOf(name)).toBe('C align 8');
      }
      expect(flagsOf('.text')).toBe('AX align 64');
      expect(flagsOf('.symtab')).toBe('align 8');
      const plain = execFileSync(requireTool(readelf), ['-W', '-S', plainPath], { encoding: 'utf8' });
      expect(plain).toMatch(/\] \.debug_info +PROGBITS +0{16} [0-9a-f]{6} [0-9a-f]{6} 00 +0 +0 +1$/m);
    });

    it('the DWARF decodes to the same readelf and objdump output compressed or not', () => {
      const dump = (tool: string, args: string[]): string => {
        const r = spawnSync(requireTool(tool), args, { encoding: 'utf8', maxBuffer: 512 << 20 });
        expect(r.stderr).toBe('');
        expect(r.status).toBe(0);
        return r.stdout;
      };
      const readelfDump = (file: string): string => dump(readelf, ['-W', '--debug-dump=info,abbrev,line,frames,loc,ranges', file]);
      // includes()/=== rather than toEqual: a failing diff of a 25 MB dump would drown the report.
      const compressedDump = readelfDump(path);
      expect(compressedDump.includes('DW_AT_name        : (string) main.main')).toBe(true);
      expect(compressedDump === readelfDump(plainPath)).toBe(true);

      const decodedLines = (file: string): string => dump(objdump, ['--dwarf=decodedline', file]).replace(file, 'FILE');
      const lines = decodedLines(path);
      const main = image.findSymbol('main.main')!;
      expect(lines).toMatch(new RegExp(`^main\\.go +7 +0x${main.address.toString(16)} +x$`, 'm'));
      expect(lines === decodedLines(plainPath)).toBe(true);
    });
  });
}
