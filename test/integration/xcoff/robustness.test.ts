// Malformed input: real fixtures cut short or with one field changed must give an XcoffError
// with a one-line message naming the problem, and never any other exception.
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseXcoff, XcoffError, type XcoffImage } from '../../../src/xcoff/index.js';
import { fixture } from '../../helpers/toolchains.js';

let original: Uint8Array;
let img: XcoffImage;

beforeAll(() => {
  original = new Uint8Array(readFileSync(fixture('go1.24-aix', 'hello')));
  img = parseXcoff(original);
});

/** The XcoffError parseXcoff throws for these bytes; fails the test on success or on any other error. */
function xcoffError(bytes: Uint8Array): XcoffError {
  try {
    parseXcoff(bytes);
  } catch (e) {
    if (!(e instanceof XcoffError)) throw new Error(`expected an XcoffError, got ${String(e)}`, { cause: e });
    expect(e.message).not.toContain('\n');
    expect(e.message.length).toBeGreaterThan(10);
    return e;
  }
  throw new Error('expected parseXcoff to reject the input, it succeeded');
}

/** A copy of the fixture with a big-endian field overwritten. */
function patched(offset: number, size: 1 | 2 | 4 | 8, value: number | bigint): Uint8Array {
  const copy = original.slice();
  const view = new DataView(copy.buffer);
  if (size === 1) view.setUint8(offset, Number(value));
  else if (size === 2) view.setUint16(offset, Number(value));
  else if (size === 4) view.setUint32(offset, Number(value));
  else view.setBigUint64(offset, BigInt(value));
  return copy;
}

const sectionHeader = (index: number) => 24 + 120 + 72 * (index - 1);
const loaderAt = () => img.section('.loader')!.fileOffset;
const loaderField = (offset: number) => loaderAt() + offset;
const u64 = (at: number) => new DataView(original.buffer, original.byteOffset).getBigUint64(at);

describe('wrong file types', () => {
  it('rejects an ELF file (the linux/ppc64 fixture), naming it', () => {
    const elf = new Uint8Array(readFileSync(fixture('go1.24-linux', 'hello')));
    expect(xcoffError(elf).message).toMatch(/ELF/);
  });

  it('rejects a 32-bit XCOFF header (magic 0x01DF), naming it', () => {
    expect(xcoffError(patched(0, 2, 0x01df)).message).toMatch(/32-bit XCOFF.*0x01DF/);
  });

  it('rejects the old 64-bit magic 0x01EF and unknown magics', () => {
    expect(xcoffError(patched(0, 2, 0x01ef)).message).toMatch(/0x01EF/);
    expect(xcoffError(patched(0, 2, 0x1234)).message).toMatch(/unknown magic 0x1234/);
    expect(xcoffError(patched(1, 1, 0xf6)).message).toMatch(/unknown magic 0x01F6/); // one flipped bit
    expect(xcoffError(new TextEncoder().encode('#!/bin/sh\necho hi\n')).message).toMatch(/unknown magic/);
  });

  it('rejects empty and tiny files', () => {
    expect(xcoffError(new Uint8Array(0)).message).toMatch(/too short/);
    expect(xcoffError(new Uint8Array([0x01])).message).toMatch(/too short/);
    expect(xcoffError(original.subarray(0, 2)).message).toMatch(/truncated file header/);
  });

  it('rejects a file without the executable auxiliary header', () => {
    expect(xcoffError(patched(16, 2, 0)).message).toMatch(/auxiliary header is 0 bytes.*not an executable/);
    expect(xcoffError(patched(16, 2, 72)).message).toMatch(/auxiliary header/);
  });
});

describe('truncation', () => {
  it('rejects a cut at every header and table boundary', () => {
    const ldr = img.section('.loader')!;
    const symptr = img.fileHeader.symbolTableOffset;
    const boundaries = new Set<number>([1, 2, 4, 8, 16, 18, 20, 23, 24, 25, 143, 144, 145]);
    for (let i = 1; i <= img.sections.length; i++) {
      boundaries.add(sectionHeader(i));
      boundaries.add(sectionHeader(i) + 36);
      boundaries.add(sectionHeader(i) + 71);
    }
    for (const s of img.sections) {
      if (s.kind === 'bss') continue;
      boundaries.add(s.fileOffset);
      boundaries.add(s.fileOffset + Number(s.size) - 1);
    }
    for (const off of [0, 8, 55, 56, 0x38 + 24, Number(u64(loaderField(48))), Number(u64(loaderField(24))), Number(u64(loaderField(32)))]) {
      boundaries.add(ldr.fileOffset + off);
    }
    boundaries.add(symptr);
    boundaries.add(symptr + 18);
    boundaries.add(symptr + 18 * img.symbolEntryCount); // string table gone
    boundaries.add(symptr + 18 * img.symbolEntryCount + 2); // half its length field
    boundaries.add(original.length - 1);
    for (const cut of boundaries) {
      expect(cut).toBeLessThan(original.length);
      const err = xcoffError(original.subarray(0, cut));
      expect(err.message, `cut at ${cut}`).toMatch(/truncated|too short|past the end|outside|not NUL-terminated/);
    }
  });

  it('rejects a cut at a sweep of offsets through the whole file', () => {
    const steps = 150;
    for (let k = 0; k < steps; k++) {
      const cut = Math.floor((original.length * k) / steps) + (k % 7);
      xcoffError(original.subarray(0, cut));
    }
  });
});

describe('fields pointing outside the file', () => {
  it('f_symptr past EOF', () => {
    expect(xcoffError(patched(8, 8, original.length + 0x1000)).message).toMatch(/f_symptr 0x[0-9a-f]+ .*points past the end/);
    expect(xcoffError(patched(8, 8, 0xffff_ffff_ffff_fff0n)).message).toMatch(/f_symptr/);
  });

  it('f_nsyms larger than the file', () => {
    expect(xcoffError(patched(20, 4, 0x7fff_ffff)).message).toMatch(/symbol table .*f_nsyms=2147483647.*past the end/);
  });

  it('f_nscns larger than the header area', () => {
    expect(xcoffError(patched(2, 2, 0xffff)).message).toMatch(/truncated section headers: f_nscns=65535/);
  });

  it('section data offsets and sizes past EOF', () => {
    expect(xcoffError(patched(sectionHeader(1) + 32, 8, original.length)).message).toMatch(/section 1 \(\.text\): data at offset/);
    expect(xcoffError(patched(sectionHeader(7) + 24, 8, 0xffff_ffffn)).message).toMatch(/section 7 \(\.dwinfo\)/);
    expect(xcoffError(patched(sectionHeader(2) + 24, 8, 0xffff_ffff_ffff_ff00n)).message).toMatch(/section 2 \(\.data\)/);
    expect(xcoffError(patched(sectionHeader(10) + 32, 8, 0xffff_ffff_ffff_ffffn)).message).toMatch(/section 10 \(\.loader\)/);
  });

  it('aux-header section numbers that name no (or the wrong) section', () => {
    expect(xcoffError(patched(24 + 40, 2, 0)).message).toMatch(/o_snloader: section number 0/);
    expect(xcoffError(patched(24 + 40, 2, 99)).message).toMatch(/o_snloader: section number 99 but the file has 10/);
    expect(xcoffError(patched(24 + 40, 2, 1)).message).toMatch(/o_snloader: section 1 \(\.text\) is of kind text, expected loader/);
    expect(xcoffError(patched(24 + 34, 2, 2)).message).toMatch(/o_sntext/);
    expect(xcoffError(patched(24 + 36, 2, 0xffff)).message).toMatch(/o_sndata: section number -1/);
  });

  it('an entry descriptor outside .data', () => {
    expect(xcoffError(patched(24 + 80, 8, img.textStart)).message).toMatch(/o_entry 0x100000740 does not point/);
    const data = img.section('.data')!;
    expect(xcoffError(patched(24 + 80, 8, data.vaddr + data.size - 8n)).message).toMatch(/o_entry/);
  });

  it('an entry descriptor whose code word is not in .text', () => {
    const data = img.section('.data')!;
    const at = data.fileOffset + Number(img.entryDescriptor - data.vaddr);
    expect(xcoffError(patched(at, 8, 0x1234n)).message).toMatch(/entry descriptor at 0x[0-9a-f]+ holds code address 0x1234, outside \.text/);
  });

  it('loadable sections that overlap', () => {
    const data = img.section('.data')!;
    expect(xcoffError(patched(sectionHeader(3) + 16, 8, data.vaddr + 8n)).message).toMatch(/sections \.data .* and \.bss .* overlap/);
  });

  it('loader-section table offsets and counts past the section', () => {
    const cases: [number, 4 | 8, number | bigint, RegExp][] = [
      [4, 4, 0xffff_ffff, /l_symoff\/l_nsyms table/],
      [8, 4, 0x1000_0000, /l_rldoff\/l_nreloc table/],
      [12, 4, 0xffff_ff00, /l_impoff\/l_istlen table/],
      [20, 4, 0x7fff_ffff, /l_stoff\/l_stlen table/],
      [24, 8, 0xffff_ffff_ffff_0000n, /l_impoff/],
      [32, 8, BigInt(original.length), /l_stoff/],
      [40, 8, 0x1_0000_0000n, /l_symoff/],
      [48, 8, 0xffff_ffff_ffff_ffffn, /l_rldoff/],
    ];
    for (const [off, size, value, re] of cases) {
      expect(xcoffError(patched(loaderField(off), size, value)).message).toMatch(re);
    }
  });

  it('a wrong loader version and a short loader section', () => {
    expect(xcoffError(patched(loaderField(0), 4, 1)).message).toMatch(/l_version is 1, expected 2/);
    expect(xcoffError(patched(sectionHeader(10) + 24, 8, 40)).message).toMatch(/loader section .*truncated/);
  });

  it('bad loader symbols and relocations', () => {
    const symoff = Number(u64(loaderField(40)));
    const rldoff = Number(u64(loaderField(48)));
    const sym1 = loaderAt() + symoff + 24;
    const rel0 = loaderAt() + rldoff;
    expect(xcoffError(patched(sym1 + 8, 4, 0xffff_fff0)).message).toMatch(/name offset 0xfffffff0 lies outside the loader string table/);
    expect(xcoffError(patched(sym1 + 16, 4, 99)).message).toMatch(/l_ifile=99 is not one of the 3 import file IDs/);
    expect(xcoffError(patched(rel0 + 8, 2, 0x3f01)).message).toMatch(/l_rtype 0x3f01 is not R_POS/);
    expect(xcoffError(patched(rel0 + 12, 4, 1000)).message).toMatch(/l_symndx 1000 names no loader symbol/);
    // Import-file IDs whose strings run off the table.
    expect(xcoffError(patched(loaderField(16), 4, 50)).message).toMatch(/import file ID/);
  });

  it('bad symbol-table entries and string table', () => {
    const symptr = img.fileHeader.symbolTableOffset;
    const strAt = symptr + 18 * img.symbolEntryCount;
    expect(xcoffError(patched(strAt, 4, 0x7fff_ffff)).message).toMatch(/string table/);
    expect(xcoffError(patched(strAt, 4, 2)).message).toMatch(/string table length 2/);
    expect(xcoffError(patched(symptr + 8, 4, 0xffff_ff00)).message).toMatch(/symbol 0 .*name offset 0xffffff00 lies outside the string table/);
    expect(xcoffError(patched(symptr + 12, 2, 77)).message).toMatch(/symbol 0 \(runtime.text\).*section number 77/);
    // The last symbol claims more aux entries than the table holds.
    const last = Math.max(...img.symbols.map((s) => s.tableIndex));
    expect(xcoffError(patched(symptr + 18 * last + 17, 1, 5)).message).toMatch(new RegExp(`symbol ${last} .*n_numaux=5 runs past`));
    expect(xcoffError(patched(symptr + 17, 1, 0x80)).message).toMatch(/n_numaux=-128/);
  });
});

describe('random corruption', () => {
  it('either parses or throws XcoffError, never anything else', () => {
    // Deterministic xorshift so failures reproduce.
    let seed = 0x2545f491;
    const rand = () => {
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      return (seed >>> 0) / 0x1_0000_0000;
    };
    const ldr = img.section('.loader')!;
    const symptr = img.fileHeader.symbolTableOffset;
    const regions: [number, number][] = [
      [0, 24 + 120 + 72 * img.sections.length], // headers
      [ldr.fileOffset, 0x38 + 24 * 60], // loader header and symbols
      [symptr, 18 * 200], // start of the symbol table
    ];
    let rejected = 0;
    const copy = original.slice(); // mutated in place and restored after each round
    for (let n = 0; n < 300; n++) {
      const [start, length] = regions[n % regions.length]!;
      const changed: number[] = [];
      for (let k = 0; k < 1 + (n % 4); k++) {
        const at = start + Math.floor(rand() * length);
        changed.push(at);
        copy[at] = Math.floor(rand() * 256);
      }
      try {
        const parsed = parseXcoff(copy);
        // Whatever parsed must stay usable.
        parsed.symbolize(parsed.entry);
        parsed.dwarfSections();
      } catch (e) {
        if (!(e instanceof XcoffError)) throw new Error(`mutation ${n}: ${String(e)}`, { cause: e });
        expect(e.message).not.toContain('\n');
        rejected++;
      } finally {
        for (const at of changed) copy[at] = original[at]!;
      }
    }
    expect(rejected).toBeGreaterThan(25);
  });
});
