// The loader on the real hello fixtures: what __start finds in registers and memory (§1.5, §2).
import { describe, expect, it } from 'vitest';
import { memoryFault } from '../../../src/cpu/memory.js';
import { SENTINEL_CODE_BASE, N_PTHREADS_CELL } from '../../../src/aix/address-space.js';
import { LOADER_CALLBACK_INDEX } from '../../../src/aix/sentinels.js';
import { readFileSync } from 'node:fs';
import { parseXcoff } from '../../../src/xcoff/index.js';
import { fixture, type FixtureToolchain } from '../../helpers/toolchains.js';
import { makeProcess, thrownBy } from '../../unit/aix/helpers.js';

const helloImage = (tc: FixtureToolchain) => parseXcoff(readFileSync(fixture(tc, 'hello')));

describe.each(['go1.24-aix', 'go1.19-aix'] as const)('loader (%s hello)', (tc) => {
  const img = helloImage(tc);
  const proc = makeProcess({}, img);
  const main = proc.threads[0]!;
  const s = main.state;
  const mem = proc.mem;

  it('starts at __start with the TOC, argc/argv and the callback descriptor', () => {
    expect(s.pc).toBe(img.findSymbol('__start')!.address);
    expect(s.getGpr(2)).toBe(img.toc);
    expect(s.getGpr(14)).toBe(2n);
    expect(s.getGpr(15)).toBe(s.getGpr(4));
    const cb = s.getGpr(19);
    expect(cb).toBe(proc.sentinels.calls[LOADER_CALLBACK_INDEX]!.descriptor);
    expect(mem.readU64(cb)).toBe(proc.sentinels.calls[LOADER_CALLBACK_INDEX]!.entry);
    expect(s.getGpr(1) % 16n).toBe(0n);
    // __start writes 40(R1): the caller frame above R1 is writable.
    mem.writeU64(s.getGpr(1) + 40n, 1n);
  });

  it('maps text from file offset 0 and data at the link address', () => {
    expect(mem.readBytes(0x1_0000_0000n, 2)).toEqual(new Uint8Array([0x01, 0xf7]));
    const entryDesc = img.entryDescriptor;
    expect(mem.readU64(entryDesc)).toBe(img.entry);
    expect(mem.readU64(entryDesc + 8n)).toBe(img.toc);
    // text is not writable
    expect(() => mem.writeU32(img.entry, 0)).toThrow();
  });

  it('puts argv, NULL, envp, NULL contiguously', () => {
    const argv = s.getGpr(15);
    const strs: string[] = [];
    for (let i = 0; i < 6; i++) {
      const p = mem.readU64(argv + BigInt(i * 8));
      strs.push(p === 0n ? '<null>' : mem.readCString(p));
    }
    expect(strs).toEqual(['hello', 'one', '<null>', 'A=1', 'B=two', '<null>']);
    expect(s.getGpr(16)).toBe(argv + 24n);
  });

  it('fills every import slot: functions with sentinel descriptors, __n_pthreads with a zero cell', () => {
    let functions = 0;
    for (const imp of img.imports) {
      for (const slot of imp.slots) {
        const v = mem.readU64(slot);
        if (imp.name === '__n_pthreads') {
          expect(v).toBe(N_PTHREADS_CELL);
          expect(mem.readU64(v)).toBe(0n);
          continue;
        }
        const entry = mem.readU64(v);
        expect(entry >= SENTINEL_CODE_BASE).toBe(true);
        expect(proc.sentinels.lookup(entry)?.name).toBe(imp.name);
        functions++;
      }
    }
    expect(functions).toBeGreaterThan(40);
    const exitName = tc === 'go1.24-aix' ? '_exit' : 'exit';
    expect(img.imports.some((i) => i.name === exitName)).toBe(true);
  });

  it('makes page 0 read as zero and fault on stores', () => {
    expect(mem.readU64(0n)).toBe(0n);
    expect(mem.readU64(0xff8n)).toBe(0n);
    expect(thrownBy(() => mem.writeU32(0n, 1))).toBe(memoryFault);
    expect(memoryFault.access).toBe('write');
  });

  it('gives the main thread a private TLS word at R13-0x7800', () => {
    const r13 = s.getGpr(13);
    mem.writeU64(r13 - 0x7800n, 0x1234n);
    expect(mem.readU64(r13 - 0x7800n)).toBe(0x1234n);
  });

  it('keeps sentinels non-executable', () => {
    const entry = proc.sentinels.calls[LOADER_CALLBACK_INDEX]!.entry;
    expect(() => mem.fetch32(Number(entry >> 32n) | 0, Number(entry & 0xffffffffn) | 0)).toThrow();
  });
});
