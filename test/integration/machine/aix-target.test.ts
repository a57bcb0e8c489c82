// AixTarget on the real Go fixtures, without gdb: the Target calls the stub makes, checked against
// what the emulator does (entry stop, breakpoints, steps, range steps, watchpoints before the
// access, faults before the guest's handler, Ctrl-C, restart, registers and memory).
import { openSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { GdbSignal, type StopEvent } from '../../../src/gdb/target.js';
import { AixTarget } from '../../../src/machine/aix-target.js';
import { fixture } from '../../helpers/toolchains.js';
import { isTargetError } from '../../../src/gdb/target.js';
import { readElf } from '../../../src/elf/index.js';

function target(name: 'hello' | 'nilderef' | 'cpuheavy', args: string[] = []): AixTarget {
  const devNull = openSync('/dev/null', 'w'); // the guest process owns (and closes) it
  return new AixTarget({
    start: { program: fixture('go1.24-aix', name), args, env: [], deterministic: true, stdio: [0, devNull, devNull] },
  });
}

const all = { threads: new Map(), others: { kind: 'continue' as const } };
const stepOnly = (tid: number) => ({ threads: new Map([[tid, { kind: 'step' as const }]]) });
const signalOf = (s: StopEvent) => (s.kind === 'signal' ? s : undefined);

function symbol(t: AixTarget, name: string): bigint {
  const s = t.process.image.findSymbol(name);
  if (!s) throw new Error(`no symbol ${name}`);
  return s.address;
}

function pcOf(t: AixTarget, tid: number): bigint {
  const r = t.readRegisters(tid);
  if (isTargetError(r)) throw new Error(r.error);
  return r.pc;
}

describe('AixTarget', () => {
  it('names the emulated libc entry points in the exec file and shows them as blr to gdb', async () => {
    const t = target('hello');
    await t.attach();
    const write = t.process.sentinels.calls.find((c) => c.name === 'write');
    if (!write) throw new Error('hello imports write');
    const elf = readElf(t.execFile()!.contents);
    const section = elf.sections.find((s) => s.name === '.aix.libc');
    expect(section?.addr).toBe(t.process.sentinels.base);
    const sym = elf.symbols.find((s) => s.name === 'write');
    expect(sym?.value).toBe(write.entry);
    expect(sym?.size).toBe(4n);
    expect(t.readMemory(write.entry, 4)).toEqual(new Uint8Array([0x4e, 0x80, 0x00, 0x20]));
  });

  it('attaches stopped at the entry point with a TRAP on pthread 1', async () => {
    const t = target('hello');
    const stop = await t.attach();
    expect(stop).toEqual({ kind: 'signal', thread: 1, signal: GdbSignal.TRAP });
    expect(t.threads()).toEqual([1]);
    expect(pcOf(t, 1)).toBe(symbol(t, '__start'));
    expect(t.execFile()!.contents.subarray(0, 4)).toEqual(new Uint8Array([0x7f, 0x45, 0x4c, 0x46]));
  });

  it('stops at a breakpoint without executing it, steps one instruction, then runs to exit 0', async () => {
    const t = target('hello');
    await t.attach();
    const main = symbol(t, 'main.main');
    expect(t.addBreakpoint('sw', main, 4)).toBeUndefined();
    const hit = signalOf(await t.resume(all))!;
    expect(hit.signal).toBe(GdbSignal.TRAP);
    expect(hit.reason).toEqual({ kind: 'swbreak' });
    expect(pcOf(t, hit.thread)).toBe(main);
    // Resuming from the breakpoint without removing it hits it again at once (gdb removes it first).
    const again = signalOf(await t.resume(all))!;
    expect(pcOf(t, again.thread)).toBe(main);
    t.removeBreakpoint('sw', main, 4);
    const step = signalOf(await t.resume(stepOnly(hit.thread)))!;
    expect(step).toEqual({ kind: 'signal', thread: hit.thread, signal: GdbSignal.TRAP });
    expect(pcOf(t, hit.thread)).toBe(main + 4n);
    expect(await t.resume(all)).toEqual({ kind: 'exited', code: 0 });
  });

  it('range-steps until the PC leaves the range', async () => {
    const t = target('hello');
    await t.attach();
    const entry = pcOf(t, 1);
    const stop = signalOf(await t.resume({ threads: new Map([[1, { kind: 'range-step', start: entry, end: entry + 8n }]]) }))!;
    expect(stop.signal).toBe(GdbSignal.TRAP);
    const pc = pcOf(t, 1);
    expect(pc < entry || pc >= entry + 8n).toBe(true);
  });

  it('reports a watched store before it happens: memory still old, PC at the store', async () => {
    const t = target('hello');
    await t.attach();
    const ncpu = symbol(t, 'runtime.ncpu');
    expect(t.addBreakpoint('watch-write', ncpu, 4)).toBeUndefined();
    const stop = signalOf(await t.resume(all))!;
    expect(stop.reason).toEqual({ kind: 'watch', access: 'write', addr: ncpu });
    expect(t.readMemory(ncpu, 4)).toEqual(new Uint8Array(4));
    const word = new DataView((t.readMemory(pcOf(t, stop.thread), 4) as Uint8Array).buffer).getUint32(0);
    expect(word >>> 26).toBe(36); // stw
    t.removeBreakpoint('watch-write', ncpu, 4);
    await t.resume(stepOnly(stop.thread));
    expect(t.readMemory(ncpu, 4)).toEqual(new Uint8Array([0, 0, 0, 1]));
  });

  it('shows a guest SIGSEGV before Go handles it; resuming with the signal lets Go recover', async () => {
    const t = target('nilderef');
    await t.attach();
    const stop = signalOf(await t.resume(all))!;
    expect(stop.signal).toBe(GdbSignal.SEGV);
    const pc = pcOf(t, stop.thread);
    expect(t.process.image.symbolize(pc)?.name).toBe('main.load');
    // Resumed without the signal, the instruction faults again, as on hardware.
    const again = signalOf(await t.resume(all))!;
    expect(again.signal).toBe(GdbSignal.SEGV);
    expect(pcOf(t, again.thread)).toBe(pc);
    t.passSignals(new Set([GdbSignal.SEGV]));
    const threads = new Map([[again.thread, { kind: 'continue' as const, signal: GdbSignal.SEGV }]]);
    expect(await t.resume({ threads, others: { kind: 'continue' } })).toEqual({ kind: 'exited', code: 0 });
  });

  it('stops a running guest on interrupt(), even one called right after resume()', async () => {
    const t = target('cpuheavy', ['50']);
    await t.attach();
    const pending = t.resume(all);
    t.interrupt();
    const stop = signalOf(await pending)!;
    expect(stop.signal).toBe(GdbSignal.INT);
    expect(t.threads()).toContain(stop.thread);
    t.kill();
    expect(t.process.end).toEqual({ kind: 'signaled', signal: 9 });
  });

  it('restart() starts a fresh process stopped at the entry; registers and memory writes round-trip', async () => {
    const t = target('hello');
    await t.attach();
    const first = t.process;
    const stop = await t.restart([]);
    expect(t.process).not.toBe(first);
    expect(stop).toEqual({ kind: 'signal', thread: 1, signal: GdbSignal.TRAP });
    const regs = t.readRegisters(1);
    if (isTargetError(regs)) throw new Error(regs.error);
    regs.gpr[20] = 0x1122334455667788n;
    regs.fpr[3] = 0x400921fb54442d18n;
    regs.vr[16 * 5 + 15] = 0xab;
    expect(t.writeRegisters(1, regs)).toBeUndefined();
    const back = t.readRegisters(1);
    if (isTargetError(back)) throw new Error(back.error);
    expect(back.gpr[20]).toBe(0x1122334455667788n);
    expect(back.fpr[3]).toBe(0x400921fb54442d18n);
    expect(back.vr[16 * 5 + 15]).toBe(0xab);
    expect(t.process.threads[0]!.state.getFpr(3)).toBeCloseTo(Math.PI);
    const ncpu = symbol(t, 'runtime.ncpu');
    expect(t.writeMemory(ncpu, new Uint8Array([9, 8, 7, 6]))).toBeUndefined();
    expect(t.readMemory(ncpu, 4)).toEqual(new Uint8Array([9, 8, 7, 6]));
    expect(isTargetError(t.readMemory(0x7000_0000_0000_0000n, 4))).toBe(true);
  });
});
