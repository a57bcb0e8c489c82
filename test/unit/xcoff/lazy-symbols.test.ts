// The image checks the whole symbol table when it is parsed but builds the defined symbols only
// when something asks for them (`run` never does): the checks and the answers must not change.
import { describe, expect, it } from 'vitest';
import { XcoffError, parseXcoff } from '../../../src/xcoff/index.js';
import { ByteReader } from '../../../src/xcoff/reader.js';
import { SYMBOL_ENTRY_SIZE, parseSymbolTable } from '../../../src/xcoff/symbols.js';
import { buildTinyXcoff } from '../../helpers/tiny-xcoff.js';

describe('symbol table parsed on first use', () => {
  const built = buildTinyXcoff();
  const img = parseXcoff(built.bytes);

  it('the checking pass keeps the data import names and the entry count, and builds no symbol', () => {
    const r = new ByteReader(built.bytes);
    const full = parseSymbolTable(r, img.fileHeader, [...img.sections]);
    const checked = parseSymbolTable(r, img.fileHeader, [...img.sections], false);
    expect(checked.symbols).toEqual([]);
    expect(checked.entryCount).toBe(full.entryCount);
    expect([...checked.dataImportNames]).toEqual([...full.dataImportNames]);
    expect(full.symbols.map((s) => s.name)).toContain('main.main');
  });

  it('the image answers from the symbols built later as it did from eager ones', () => {
    const fresh = parseXcoff(built.bytes);
    expect(fresh.findSymbol('main.main')!.address).toBe(built.symbols.get('main.main'));
    expect(fresh.symbols).toBe(fresh.symbols); // built once
    expect(fresh.symbols.map((s) => s.name)).toEqual(img.symbols.map((s) => s.name));
    expect(fresh.functions.map((f) => f.name)).toEqual(['__start', 'main.main']);
  });

  it('a bad name offset or section number is still refused when the file is parsed', () => {
    const at = img.fileHeader.symbolTableOffset + SYMBOL_ENTRY_SIZE * img.findSymbol('main.main')!.tableIndex;
    const badName = built.bytes.slice();
    new DataView(badName.buffer).setUint32(at + 8, 0xffff_ff00);
    expect(() => parseXcoff(badName)).toThrow(XcoffError);
    expect(() => parseXcoff(badName)).toThrow(/name offset 0xffffff00 lies outside the string table/);
    const badSection = built.bytes.slice();
    new DataView(badSection.buffer).setInt16(at + 12, 77);
    expect(() => parseXcoff(badSection)).toThrow(/\(main\.main\).*section number 77/);
  });
});

describe('loader relocations parsed on first use', () => {
  const built = buildTinyXcoff();

  it('the import slots come from the checking pass; all relocations are there when asked for', () => {
    const img = parseXcoff(built.bytes);
    for (const imp of img.imports) expect(imp.slots, imp.name).toEqual([built.slots.get(imp.name)]);
    expect(img.relocations.length).toBeGreaterThanOrEqual(img.imports.length);
    expect(img.relocations).toBe(img.relocations);
    const slots = img.imports.flatMap((i) => i.slots);
    for (const s of slots) expect(img.relocations.some((rel) => rel.address === s && rel.symbolIndex >= 3)).toBe(true);
  });
});
