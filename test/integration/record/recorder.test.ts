// The recorder on a real Go fixture without gdb: step forward, go back by reverse steps, by
// instruction count and to bookmarks, and find exactly the state the run had there.
import { openSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { GdbSignal } from '../../../src/gdb/target.js';
import { AixTarget } from '../../../src/machine/aix-target.js';
import { fixture } from '../../helpers/toolchains.js';

function recorded(record: { interval?: number; memoryLimit?: number } = { interval: 5_000 }): AixTarget {
  const devNull = openSync('/dev/null', 'w');
  return new AixTarget({
    start: { program: fixture('go1.24-aix', 'hello'), args: [], env: [], deterministic: true, stdio: [0, devNull, devNull] },
    record,
  });
}

const stepOnly = (tid: number) => ({ threads: new Map([[tid, { kind: 'step' as const }]]) });

/** Registers and the 4 KiB above the stack pointer, as text (compared whole). */
function state(t: AixTarget, tid: number): string {
  const regs = t.readRegisters(tid);
  const sp = t.process.threadById(tid)!.state.getGpr(1);
  const mem = t.readMemory(sp, 4096);
  return JSON.stringify(regs, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString(16) : v instanceof Uint8Array ? Buffer.from(v).toString('hex') : v)) + Buffer.from(mem as Uint8Array).toString('hex');
}

describe('Recorder', () => {
  it('reverse steps, goto and bookmarks return to the states the run had', async () => {
    const t = recorded();
    await t.attach();
    const states: string[] = [state(t, 1)];
    const counts: number[] = [0];
    const rec = t.machine.recorder!;
    for (let k = 0; k < 400; k++) {
      await t.resume(stepOnly(1));
      states.push(state(t, 1));
      counts.push(rec.instructions);
    }
    expect(rec.live).toBe(true);
    // 150 steps back, one at a time.
    for (let k = 0; k < 150; k++) {
      const stop = await t.reverseStep(1);
      expect(stop.kind === 'signal' && stop.replayLog).toBeFalsy();
    }
    expect(state(t, 1)).toBe(states[250]);
    expect(rec.live).toBe(false);
    // Writes would change history: refused while in the past.
    expect(t.writeMemory(t.process.threadById(1)!.state.getGpr(1), new Uint8Array([1]))).toHaveProperty('error');
    // By instruction count, through the monitor.
    expect(await t.monitor(`goto ${counts[100]}`)).toMatch(/instruction \d+ of history/);
    expect(rec.instructions).toBe(counts[100]);
    expect(await t.monitor('checkpoint')).toMatch(/checkpoint 1 at instruction/);
    // Forward again through the recording: the same states, then live at the end.
    for (let k = 101; k <= 400; k++) {
      await t.resume(stepOnly(1));
      if (k % 50 === 0) expect(state(t, 1)).toBe(states[k]);
    }
    expect(rec.live).toBe(true);
    expect(await t.monitor('restart 1')).toMatch(/replaying/);
    expect(rec.instructions).toBe(counts[100]);
    expect(await t.monitor('when')).toMatch(/^instruction \d+ of history 0\.\.\d+, replaying/);
    // Past the start: replaylog:begin, at the first instruction.
    await t.monitor('goto 3');
    let stop = await t.reverseStep(1);
    for (let k = 0; k < 5 && !(stop.kind === 'signal' && stop.replayLog === 'begin'); k++) stop = await t.reverseStep(1);
    expect(stop).toMatchObject({ kind: 'signal', signal: GdbSignal.TRAP, replayLog: 'begin' });
    expect(state(t, 1)).toBe(states[0]);
    expect(await t.monitor('record')).toMatch(/snapshots: \d+/);
  }, 120_000);

  it('keeps within its memory limit: snapshots thinned, then history starts later', async () => {
    const t = recorded({ interval: 20_000, memoryLimit: 5 << 20 });
    await t.attach();
    t.addBreakpoint('sw', t.process.image.findSymbol('main.main')!.address, 4);
    const stop = await t.resume({ threads: new Map(), others: { kind: 'continue' } });
    expect(stop.kind).toBe('signal');
    const rec = t.machine.recorder!;
    expect(rec.disabled).toBeUndefined();
    expect(rec.memoryUsed).toBeLessThanOrEqual(5 << 20);
    expect(rec.startInstructions).toBeGreaterThan(0); // the oldest snapshots went
    const end = state(t, 1);
    const at = rec.instructions;
    // Back to where history now begins, and forward again to the same state.
    const first = await t.reverseContinue(1);
    expect(first).toMatchObject({ replayLog: 'begin' });
    expect(rec.instructions).toBe(rec.startInstructions);
    expect(await t.monitor(`goto ${at}`)).toMatch(/instruction \d+ of history/);
    expect(state(t, 1)).toBe(end);
  }, 120_000);

  it('Ctrl-C stops a reverse-continue search where it is', async () => {
    const devNull = openSync('/dev/null', 'w');
    const t = new AixTarget({
      // cpuheavy 3 (107 M instructions): a search through all of its history takes long enough to
      // be interrupted on any machine (cpuheavy's 36 M once took less than the 50 ms this test waited)
      start: { program: fixture('go1.24-aix', 'cpuheavy'), args: ['3'], env: [], deterministic: true, stdio: [0, devNull, devNull] },
      record: {},
    });
    await t.attach();
    t.passSignals(new Set([GdbSignal.URG, GdbSignal.PROF]));
    t.addBreakpoint('sw', t.process.image.findSymbol('runtime.exit')!.address, 4);
    await t.resume({ threads: new Map(), others: { kind: 'continue' } });
    const rec = t.machine.recorder!;
    const end = rec.instructions;
    // A watchpoint on code nobody writes: the search would go through all of history.
    t.addBreakpoint('watch-write', t.process.image.findSymbol('main.main')!.address, 8);
    const pending = t.reverseContinue(1);
    // Ctrl-C again and again: the search sees one at its next yield (it yields every 20 ms), however
    // soon after its start the first one comes
    const ctrlC = setInterval(() => t.interrupt(), 2);
    const stop = await pending.finally(() => clearInterval(ctrlC));
    expect(stop).toMatchObject({ kind: 'signal', signal: GdbSignal.INT });
    expect(rec.instructions).toBeLessThan(end);
    expect(rec.instructions).toBeGreaterThan(rec.startInstructions);
  }, 120_000);
});
