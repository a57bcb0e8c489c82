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
    const path = join(mkdtempSync(join(tmpdir(), 'elf-binutils-')), 'hello.elf');
    writeFileSync(path, buildElfView(image));

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
  });
}
