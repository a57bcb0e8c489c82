import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildElfView, readElf } from '../../../src/elf/index.js';
import { parseXcoff } from '../../../src/xcoff/index.js';
import { fixture } from '../../helpers/toolchains.js';

for (const toolchain of ['go1.24-aix', 'go1.19-aix'] as const) {
  describe(`ELF view of ${toolchain} hello`, () => {
    const image = parseXcoff(readFileSync(fixture(toolchain, 'hello')));
    const elf = readElf(buildElfView(image));

    it('puts .text, .data and .bss at the XCOFF addresses with the same bytes', () => {
      for (const name of ['.text', '.data', '.bss']) {
        const x = image.section(name)!;
        const e = elf.section(name)!;
        expect(e.addr).toBe(x.vaddr);
        expect(e.size).toBe(x.size);
        if (name !== '.bss') expect(Buffer.compare(e.bytes, image.sectionBytes(name)!)).toBe(0);
      }
      expect(elf.entry).toBe(image.entry);
    });

    it('carries every DWARF section under its .debug_* name, zlib-compressed, inflating byte for byte', () => {
      const dwarf = image.dwarfSections();
      expect([...dwarf.keys()].sort()).toEqual(['.debug_abbrev', '.debug_frame', '.debug_info', '.debug_line', '.debug_loc', '.debug_ranges']);
      for (const [name, bytes] of dwarf) {
        const section = elf.section(name)!;
        expect(section.compression).toEqual({ type: 1, size: BigInt(bytes.length), align: 1n });
        expect(section.size < BigInt(bytes.length)).toBe(true);
        expect(Buffer.compare(section.bytes, bytes)).toBe(0);
      }
      expect(elf.sections.some((s) => s.name.startsWith('.dw'))).toBe(false);
    });

    it('writes the DWARF as is with compressDebug: false, and everything else identically', () => {
      const plain = readElf(buildElfView(image, undefined, { compressDebug: false }));
      for (const [name, bytes] of image.dwarfSections()) {
        const section = plain.section(name)!;
        expect(section.flags).toBe(0n);
        expect(section.size).toBe(BigInt(bytes.length));
        expect(Buffer.compare(section.fileBytes, bytes)).toBe(0);
      }
      expect(plain.sections.map((s) => s.name)).toEqual(elf.sections.map((s) => s.name));
      expect(plain.symbols).toEqual(elf.symbols);
      expect(plain.programHeaders).toEqual(elf.programHeaders);
    });

    it('lists every XCOFF function and data symbol with its address and size', () => {
      expect(elf.symbols.length).toBe(image.symbols.length);
      const funcs = elf.symbols.filter((s) => s.type === 2);
      expect(funcs.length).toBe(image.functions.length);
      for (const name of ['main.main', 'runtime.main', '__start', 'runtime.rt0_go.abi0']) {
        const x = image.symbols.find((s) => s.name === name)!;
        const e = elf.symbols.find((s) => s.name === name)!;
        expect(e).toMatchObject({ value: x.address, size: x.size, type: 2 });
        expect(e.size).toBeGreaterThan(0n);
        expect(elf.sections[e.sectionIndex]!.name).toBe('.text');
      }
      const bssObject = elf.symbols.find((s) => s.name === 'runtime.m0')!;
      expect(bssObject.type).toBe(1);
      expect(elf.sections[bssObject.sectionIndex]!.name).toBe('.bss');
    });
  });
}
