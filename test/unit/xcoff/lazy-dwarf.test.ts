// readXcoffFile leaves the DWARF sections unread (most of a Go binary; `run` never needs them) and
// reads them when dwarfSections() or sectionBytes() asks: the answers are the file's bytes either
// way, and a file changed in between is an error rather than another file's DWARF.
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ProgramFileError, readXcoffFile } from '../../../src/xcoff/file.js';
import { parseXcoff } from '../../../src/xcoff/index.js';
import { buildTinyXcoff } from '../../helpers/tiny-xcoff.js';

const dir = mkdtempSync(join(tmpdir(), 'lazy-dwarf-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A pattern no zero-filled range matches. */
function pattern(n: number, seed: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = ((i * 131 + seed) % 251) + 1;
  return b;
}

// Large enough that the sections lie past the header region read first.
const dwarf = new Map([
  ['.debug_info', pattern(300_000, 7)],
  ['.debug_abbrev', pattern(1_000, 11)],
  ['.debug_line', pattern(120_000, 13)],
]);
const built = buildTinyXcoff({ dwarf });

function write(name: string, bytes: Uint8Array): string {
  const file = join(dir, name);
  writeFileSync(file, bytes);
  return file;
}

describe('DWARF read on first use', () => {
  it('loads text, data, imports and symbols without reading the DWARF sections', () => {
    const img = readXcoffFile(write('a', built.bytes));
    const eager = parseXcoff(built.bytes);
    const dwarfSections = img.sections.filter((s) => s.kind === 'dwarf');
    expect(dwarfSections.length).toBe(3);
    // The header region (the first 64 KiB) is read whole; sections past it are not read at all.
    const past = dwarfSections.filter((s) => s.fileOffset >= 65536);
    expect(past.length).toBeGreaterThanOrEqual(2);
    for (const s of past) expect(img.bytes.subarray(s.fileOffset, s.fileOffset + Number(s.size)).every((b) => b === 0), s.name).toBe(true);
    expect(img.loadSegments.map((s) => [...s.fileBytes])).toEqual(eager.loadSegments.map((s) => [...s.fileBytes]));
    expect(img.imports).toEqual(eager.imports);
    expect(img.findSymbol('main.main')!.address).toBe(built.symbols.get('main.main'));
    expect(img.relocations).toEqual(eager.relocations);
  });

  it('dwarfSections() and sectionBytes() give the file\'s bytes, and the image then holds the whole file', () => {
    const img = readXcoffFile(write('b', built.bytes));
    expect([...img.sectionBytes('.dwline')!]).toEqual([...dwarf.get('.debug_line')!]);
    const sections = img.dwarfSections();
    for (const [name, bytes] of dwarf) expect([...sections.get(name)!], name).toEqual([...bytes]);
    expect(Buffer.from(img.bytes).equals(Buffer.from(built.bytes))).toBe(true);
  });

  it('refuses to read the DWARF of a file changed since it was loaded', () => {
    const file = write('c', built.bytes);
    const img = readXcoffFile(file);
    const other = built.bytes.slice();
    other[other.length - 1] ^= 1;
    writeFileSync(file, other);
    const later = new Date(Date.now() + 5_000);
    utimesSync(file, later, later);
    expect(() => img.dwarfSections()).toThrow(ProgramFileError);
    expect(() => img.dwarfSections()).toThrow(/changed since it was loaded/);
  });

  it('a file with the DWARF inside the header region is read whole at once', () => {
    const small = buildTinyXcoff({ dwarf: new Map([['.debug_info', pattern(500, 3)]]) });
    const img = readXcoffFile(write('d', small.bytes));
    expect(Buffer.from(img.bytes).equals(Buffer.from(small.bytes))).toBe(true);
  });
});
