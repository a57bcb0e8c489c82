import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { ElfReadError, ElfWriteError, compressSection, readElf, writeElf, type ElfViewInput } from '../../../src/elf/index.js';

const bytes = (n: number, seed: number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (i * 7 + seed) & 0xff);

// A miniature program laid out like Go's XCOFF: text at 0x100000740, data then bss right after it.
function sample(): ElfViewInput {
  return {
    entry: 0x100000800n,
    sections: [
      { name: '.text', kind: 'text', vaddr: 0x100000740n, size: 0x200n, bytes: bytes(0x200, 1) },
      { name: '.data', kind: 'data', vaddr: 0x200000e80n, size: 0x40n, bytes: bytes(0x40, 2) },
      { name: '.bss', kind: 'bss', vaddr: 0x200000ec0n, size: 0x1000n, bytes: new Uint8Array(0) },
      { name: '.debug_info', kind: 'debug', vaddr: 0n, size: 13n, bytes: bytes(13, 3) },
      { name: '.debug_frame', kind: 'debug', vaddr: 0n, size: 5n, bytes: bytes(5, 4) },
    ],
    symbols: [
      { name: 'main.main', address: 0x100000800n, size: 0x40n, kind: 'function', section: '.text', global: true },
      { name: '__start', address: 0x100000740n, size: 0x44n, kind: 'function', section: '.text', global: false },
      { name: 'runtime.x', address: 0x200000e80n, size: 8n, kind: 'object', section: '.data', global: true },
      { name: 'runtime.y', address: 0x200000ec0n, size: 16n, kind: 'object', section: '.bss', global: false },
    ],
  };
}

describe('writeElf', () => {
  const elf = readElf(writeElf(sample()));

  it('writes an ELF64 big-endian ppc64 ABI v1 executable header', () => {
    expect([...elf.ident.subarray(0, 8)]).toEqual([0x7f, 0x45, 0x4c, 0x46, 2, 2, 1, 0]);
    expect(elf.type).toBe(2); // ET_EXEC
    expect(elf.machine).toBe(21); // EM_PPC64
    expect(elf.flags).toBe(1);
    expect(elf.entry).toBe(0x100000800n);
  });

  it('keeps every section at its address with its exact bytes', () => {
    expect(elf.sections.map((s) => s.name)).toEqual(['', '.text', '.data', '.bss', '.debug_info', '.debug_frame', '.symtab', '.strtab', '.shstrtab']);
    const input = sample();
    for (const s of input.sections) {
      const out = elf.section(s.name)!;
      expect(out.addr).toBe(s.vaddr);
      expect(out.size).toBe(s.size);
      expect(out.bytes).toEqual(s.bytes);
      expect(out.addr % (out.align || 1n)).toBe(0n);
    }
    expect(elf.section('.text')!.flags).toBe(6n); // ALLOC|EXECINSTR
    expect(elf.section('.data')!.flags).toBe(3n); // WRITE|ALLOC
    expect(elf.section('.bss')!.type).toBe(8); // NOBITS
    expect(elf.section('.debug_info')!.flags).toBe(0n);
  });

  it('has one PT_LOAD per loaded section, r-x for text, file offset ≡ vaddr mod 64 KiB', () => {
    expect(elf.programHeaders.map((p) => [p.type, p.flags, p.vaddr, p.fileSize, p.memSize])).toEqual([
      [1, 5, 0x100000740n, 0x200n, 0x200n],
      [1, 6, 0x200000e80n, 0x40n, 0x40n],
      [1, 6, 0x200000ec0n, 0n, 0x1000n],
    ]);
    for (const p of elf.programHeaders) expect(p.offset % 0x10000n).toBe(p.vaddr % 0x10000n);
  });

  it('writes the symbols, locals first, with sizes, types and sections', () => {
    const symtab = elf.section('.symtab')!;
    expect(elf.symbols.map((s) => s.name)).toEqual(['__start', 'runtime.y', 'main.main', 'runtime.x']);
    expect(symtab.info).toBe(3); // first global: index 0 is the null symbol
    expect(elf.sections[symtab.link]!.name).toBe('.strtab');
    const main = elf.symbols.find((s) => s.name === 'main.main')!;
    expect(main).toMatchObject({ value: 0x100000800n, size: 0x40n, type: 2, bind: 1 });
    expect(elf.sections[main.sectionIndex]!.name).toBe('.text');
    const y = elf.symbols.find((s) => s.name === 'runtime.y')!;
    expect(y).toMatchObject({ type: 1, bind: 0, size: 16n });
    expect(elf.sections[y.sectionIndex]!.name).toBe('.bss');
  });

  it('rejects inconsistent input with a typed error', () => {
    const dup = sample();
    dup.sections = [...dup.sections, dup.sections[0]!];
    expect(() => writeElf(dup)).toThrow(ElfWriteError);
    const badSize = sample();
    badSize.sections = [{ ...badSize.sections[0]!, size: 1n }];
    badSize.symbols = [];
    expect(() => writeElf(badSize)).toThrow(/size 0x1 but 512 bytes/);
    const badSym = sample();
    badSym.symbols = [{ name: 'x', address: 0n, size: 0n, kind: 'object', section: '.nowhere', global: true }];
    expect(() => writeElf(badSym)).toThrow(/missing section .nowhere/);
  });
});

describe('readElf', () => {
  it('rejects files that are not ELF64 big-endian, or whose tables run past the end', () => {
    expect(() => readElf(new Uint8Array(10))).toThrow(ElfReadError);
    expect(() => readElf(new Uint8Array(64))).toThrow(/no ELF magic/);
    const good = writeElf(sample());
    const little = good.slice();
    little[5] = 1;
    expect(() => readElf(little)).toThrow(/not ELF64 big-endian/);
    expect(() => readElf(good.subarray(0, good.length - 1))).toThrow(/section headers/);
  });
});

// DWARF-like bytes that deflate well: a short record repeated with a counter in it.
const compressible = (n: number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (i % 16 < 12 ? 0x41 + (i % 5) : (i >> 4) & 0xff));
// A linear congruential sequence: deflate cannot shrink it.
const noise = (n: number): Uint8Array => {
  let x = 12345;
  return Uint8Array.from({ length: n }, () => ((x = (x * 1103515245 + 12345) >>> 0), x >>> 24));
};

describe('compressed debug sections', () => {
  function withDebug(): ElfViewInput {
    const input = sample();
    return {
      ...input,
      sections: [
        ...input.sections.filter((s) => s.kind !== 'debug'),
        { name: '.debug_info', kind: 'debug', vaddr: 0n, size: 4099n, bytes: compressible(4099) },
        { name: '.debug_line', kind: 'debug', vaddr: 0n, size: 1000n, bytes: noise(1000) },
        { name: '.debug_abbrev', kind: 'debug', vaddr: 0n, size: 13n, bytes: bytes(13, 3) },
      ],
    };
  }
  const file = writeElf(withDebug());
  const elf = readElf(file);

  it('stores a debug section as Elf64_Chdr + zlib stream with SHF_COMPRESSED, and it inflates to the original', () => {
    const info = elf.section('.debug_info')!;
    expect(info.flags).toBe(0x800n); // SHF_COMPRESSED
    expect(info.size).toBe(BigInt(info.fileBytes.length));
    expect(info.size < 4099n).toBe(true);
    expect(info.align).toBe(8n);
    expect(info.offset % 8n).toBe(0n);
    const chdr = new DataView(file.buffer, file.byteOffset + Number(info.offset), 24);
    expect(chdr.getUint32(0)).toBe(1); // ELFCOMPRESS_ZLIB, big-endian
    expect(chdr.getUint32(4)).toBe(0); // ch_reserved
    expect(chdr.getBigUint64(8)).toBe(4099n); // ch_size
    expect(chdr.getBigUint64(16)).toBe(1n); // ch_addralign
    expect(info.compression).toEqual({ type: 1, size: 4099n, align: 1n });
    const stream = file.subarray(Number(info.offset) + 24, Number(info.offset + info.size));
    expect(new Uint8Array(inflateSync(stream))).toEqual(compressible(4099));
    expect(info.bytes).toEqual(compressible(4099)); // the reader inflates transparently
  });

  it('leaves a section as is when compressing would not make it smaller', () => {
    for (const [name, original] of [['.debug_line', noise(1000)], ['.debug_abbrev', bytes(13, 3)]] as const) {
      const s = elf.section(name)!;
      expect(s.flags).toBe(0n);
      expect(s.compression).toBeUndefined();
      expect(s.size).toBe(BigInt(original.length));
      expect(s.bytes).toEqual(original);
    }
    expect(compressSection(noise(1000))).toBeUndefined();
    expect(compressSection(new Uint8Array(24))).toBeUndefined();
  });

  it('writes every debug section uncompressed with compressDebug: false, same contents, bigger file', () => {
    const plainFile = writeElf(withDebug(), { compressDebug: false });
    const plain = readElf(plainFile);
    for (const s of plain.sections.filter((s) => s.name.startsWith('.debug_'))) {
      expect(s.flags).toBe(0n);
      expect(s.bytes).toEqual(elf.section(s.name)!.bytes);
    }
    expect(plainFile.length > file.length).toBe(true);
  });

  it('honours the deflate level', () => {
    const data = compressible(1 << 16);
    const fast = compressSection(data, 1)!;
    const best = compressSection(data, 9)!;
    expect(new Uint8Array(inflateSync(fast.subarray(24)))).toEqual(data);
    expect(new Uint8Array(inflateSync(best.subarray(24)))).toEqual(data);
    expect(best.length <= fast.length).toBe(true);
  });

  it('readElf rejects an unknown ch_type and a ch_size that does not match the stream', () => {
    const at = Number(elf.section('.debug_info')!.offset);
    const zstd = file.slice();
    zstd[at + 3] = 2; // ELFCOMPRESS_ZSTD
    expect(() => readElf(zstd)).toThrow(/unsupported compression type 2/);
    const wrongSize = file.slice();
    wrongSize[at + 15] = wrongSize[at + 15]! + 1;
    expect(() => readElf(wrongSize)).toThrow(/inflates to 4099 bytes, ch_size says 4100/);
    const corrupt = file.slice();
    corrupt[at + 24] = 0; // zlib header byte
    expect(() => readElf(corrupt)).toThrow(/bad zlib stream/);
  });
});
