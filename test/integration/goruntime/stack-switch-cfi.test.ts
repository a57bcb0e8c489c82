// The unwind rows written for Go's stack-switching assembly (asmcgocall, systemstack, mcall,
// morestack) in the hello fixture of each Go version, read back from the rewritten .debug_frame.
// (The instruction-level checks that need no Go binary are in test/unit/goruntime/stack-switch-cfi.test.ts.)
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FrameTable, parseDebugFrame, writeDebugFrame } from '../../../src/dwarf/frame.js';
import { runtimeLayoutFromImage } from '../../../src/goruntime/layout.js';
import {
  rewriteDebugFrame, runtimeOffsets, stackSwitchFunctions, type FrameRow, type StackSwitchFunction,
} from '../../../src/goruntime/stack-switch-cfi.js';
import { parseXcoff } from '../../../src/xcoff/index.js';
import { fixture } from '../../helpers/toolchains.js';

const BCTRL = 0x4e800421;

/** The rule in force at pc. */
function ruleAt(rows: readonly FrameRow[], pc: bigint): string {
  let rule = 'none';
  for (const r of rows) if (r.pc <= pc) rule = r.rule.kind;
  return rule;
}

/** Rules at each bctrl (the call that leaves the function while its frame is live). */
function callRules(image: ReturnType<typeof parseXcoff>, f: StackSwitchFunction): string[] {
  const text = image.loadSegments.find((s) => s.executable)!;
  const out: string[] = [];
  for (let pc = f.start; pc < f.start + f.size; pc += 4n) {
    const off = Number(pc - text.vaddr);
    if (new DataView(text.fileBytes.buffer, text.fileBytes.byteOffset).getUint32(off) === BCTRL) out.push(ruleAt(f.rows, pc));
  }
  return out;
}

describe.each(['go1.24-aix', 'go1.19-aix'] as const)('stack-switch CFI on %s hello', (tc) => {
  const image = parseXcoff(readFileSync(fixture(tc, 'hello')));
  const offsets = runtimeOffsets(runtimeLayoutFromImage(image));
  const functions = stackSwitchFunctions(image, offsets);
  const byKind = (k: string) => functions.filter((f) => f.kind === k);

  it('finds asmcgocall, systemstack, mcall, morestack, tstart and gogo (not the ABI wrappers)', () => {
    const names = functions.map((f) => f.name).sort();
    const cgo = tc === 'go1.24-aix' ? 'runtime.asmcgocall' : 'runtime.asmcgocall.abi0';
    expect(names).toEqual([cgo, 'gogo', 'runtime.mcall', 'runtime.morestack.abi0', 'runtime.systemstack.abi0', 'tstart'].sort());
    // gogo<> installs the next goroutine's registers one by one: no caller at any of its pcs.
    expect(byKind('switch-in').map((f) => f.rows)).toEqual([[{ pc: byKind('switch-in')[0]!.start, rule: { kind: 'stop' } }]]);
  });

  it('asmcgocall: the call on g0 unwinds through the saved old g and depth (1.24 also through the nosave path\'s saved SP)', () => {
    const [cgo] = byKind('cgocall');
    expect(callRules(image, cgo!)).toEqual(tc === 'go1.24-aix' ? ['cgo-depth', 'cgo-sp'] : ['cgo-depth']);
    // The frame is Go's 32-byte one before the switch and after the return.
    expect(cgo!.rows.filter((r) => r.rule.kind === 'framed').every((r) => 'size' in r.rule && r.rule.size === 32)).toBe(true);
    // No instruction of it ends the chain: between the switch and the saves, R7 holds the old SP.
    expect(cgo!.rows.map((r) => r.rule.kind)).not.toContain('stop');
    expect(cgo!.rows.filter((r) => r.rule.kind === 'old-sp').map((r) => r.rule)).toContainEqual({ kind: 'old-sp', size: 32, reg: 7 });
  });

  it('systemstack: badsystemstack and the noswitch call are plain frames, the switched call unwinds through curg.sched', () => {
    const [ss] = byKind('systemstack');
    expect(callRules(image, ss!)).toEqual(['framed', 'systemstack', 'framed']);
  });

  it('mcall and morestack: the chain ends once they are on g0', () => {
    for (const f of byKind('stop')) {
      expect(f.rows[0]!.rule.kind, f.name).toBe('entry');
      expect(f.rows[f.rows.length - 1]!.rule.kind, f.name).toBe('stop');
    }
    const mcall = functions.find((f) => f.name === 'runtime.mcall')!;
    expect(callRules(image, mcall)).toEqual(['stop']);
  });

  it('the rewritten .debug_frame keeps every other FDE byte for byte and adds one per function and leaf', () => {
    const original = image.dwarfSections().get('.debug_frame')!;
    const before = parseDebugFrame(original);
    expect(Buffer.compare(writeDebugFrame(before), original)).toBe(0);
    const leaves = [{ start: 0x0900_0000_0000_0000n, size: 16n }];
    const after = parseDebugFrame(rewriteDebugFrame(original, image, offsets, leaves));
    const replaced = new Set(functions.map((f) => f.start));
    const keptFdes = before.filter((e) => e.kind === 'fde' && !replaced.has(e.initialLocation));
    expect(after.filter((e) => e.kind === 'fde')).toHaveLength(keptFdes.length + functions.length + 1);
    const bodies = new Set(after.map((e) => Buffer.from(e.bytes.subarray(e.offsetSize === 8 ? 20 : 8)).toString('hex')));
    for (const e of keptFdes) expect(bodies.has(Buffer.from(e.bytes.subarray(e.offsetSize === 8 ? 20 : 8)).toString('hex'))).toBe(true);
    for (const f of functions) expect(after.filter((e) => e.kind === 'fde' && e.initialLocation === f.start)).toHaveLength(1);
  });

  it('Go\'s own rows, read back: asmsyscall6 keeps its return address 288 bytes up, goexit ends the chain', () => {
    const table = new FrameTable(parseDebugFrame(image.dwarfSections().get('.debug_frame')!));
    const asmsyscall6 = image.findSymbol('asmsyscall6')!.address;
    expect(table.rowAt(asmsyscall6)).toEqual({ cfa: { reg: 1, offset: 0 }, returnAddress: { kind: 'same' } });
    expect(table.rowAt(asmsyscall6 + 0x30n)).toEqual({ cfa: { reg: 1, offset: 288 }, returnAddress: { kind: 'offset', offset: -288 } });
    expect(table.rowAt(image.findSymbol('runtime.goexit')!.address + 4n)?.returnAddress).toEqual({ kind: 'undefined' });
    expect(table.rowAt(0x10n)).toBeUndefined();
  });
});

