import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pythonScriptsDir, bundledGdbScripts, buildElfView, gdbScriptsSection, readElf } from '../../../src/elf/index.js';
import { parseXcoff } from '../../../src/xcoff/index.js';
import { buildTinyXcoff } from '../../helpers/tiny-xcoff.js';

describe('.debug_gdb_scripts', () => {
  it('encodes each script as kind byte 4, "name\\n", the text and a NUL', () => {
    const bytes = gdbScriptsSection([
      { name: 'a.py', text: 'print(1)\n' },
      { name: 'b.py', text: 'print(2)' },
    ]);
    expect(Buffer.from(bytes).toString('latin1')).toBe('\x04a.py\nprint(1)\n\0\x04b.py\nprint(2)\0');
  });

  it('refuses a name with a newline and a text with a NUL (they would split the entry)', () => {
    expect(() => gdbScriptsSection([{ name: 'a\nb', text: '' }])).toThrow(/one line/);
    expect(() => gdbScriptsSection([{ name: 'a', text: 'x\0y' }])).toThrow(/NUL/);
  });

  it('bundles every gdb-scripts/python/*.py in name order, and nothing from a missing folder', () => {
    const names = readdirSync(pythonScriptsDir()).filter((n) => n.endsWith('.py')).sort();
    expect(bundledGdbScripts().map((s) => s.name)).toEqual(names.map((n) => `aix-gdbstub/${n}`));
    const dir = mkdtempSync(join(tmpdir(), 'gdb-scripts-'));
    writeFileSync(join(dir, 'z.py'), 'z');
    writeFileSync(join(dir, 'a.py'), 'a');
    writeFileSync(join(dir, 'notes.txt'), 'not python');
    expect(bundledGdbScripts(dir)).toEqual([
      { name: 'aix-gdbstub/a.py', text: 'a' },
      { name: 'aix-gdbstub/z.py', text: 'z' },
    ]);
    expect(bundledGdbScripts(join(dir, 'missing'))).toEqual([]);
  });

  it('is in the ELF view of a program, uncompressed, holding the scripts given; [] leaves it out', () => {
    const image = parseXcoff(buildTinyXcoff().bytes);
    const scripts = [{ name: 'aix-gdbstub/t.py', text: 'print("loaded")\n'.repeat(50) }];
    const section = readElf(buildElfView(image, undefined, { gdbScripts: scripts })).section('.debug_gdb_scripts')!;
    expect(section.flags).toBe(0n);
    expect(Buffer.compare(section.fileBytes, gdbScriptsSection(scripts))).toBe(0);
    expect(readElf(buildElfView(image, undefined, { gdbScripts: [] })).section('.debug_gdb_scripts')).toBeUndefined();
  });
});
