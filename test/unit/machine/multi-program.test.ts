// serve --multi at the target: no program until gdb's `run` names one (vRun with a file name), any
// program afterwards, the last one named when gdb names none; without --multi only the served one.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { GdbSignal, isTargetError } from '../../../src/gdb/target.js';
import { AixTarget } from '../../../src/machine/aix-target.js';
import { writeTinyProgram } from '../aix/helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'aix-multi-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const first = writeTinyProgram(dir, 'first');
const second = writeTinyProgram(dir, 'second');
const start = (program: string) => ({ program, args: [], env: [], deterministic: true });

describe('AixTarget with multi (serve --multi)', () => {
  it('has no process until run names a program; then runs whichever program is named', async () => {
    const target = new AixTarget({ start: start(''), multi: true });
    expect(target.hasProgram).toBe(false);
    expect(await target.attach()).toEqual({ kind: 'exited', code: 0 });
    expect(target.threads()).toEqual([]);
    expect(target.execFile()).toBeUndefined();
    expect(isTargetError(target.readMemory(0x10000000n, 4))).toBe(true);
    expect(await target.resume({ threads: new Map() })).toEqual({ kind: 'exited', code: 0 });
    const unnamed = await target.restart([]);
    expect(isTargetError(unnamed) && unnamed.error).toMatch(/set remote exec-file/);

    const a = await target.restart(['one'], first);
    expect(a).toMatchObject({ kind: 'signal', signal: GdbSignal.TRAP });
    expect(target.execFile()?.path).toBe(first);
    const processA = target.process;
    const b = await target.restart([], second);
    expect(b).toMatchObject({ kind: 'signal', signal: GdbSignal.TRAP });
    expect(processA.end).toEqual({ kind: 'signaled', signal: 9 });
    expect(target.execFile()?.path).toBe(second);
    // gdb names none: the last program named runs again.
    expect(await target.restart([])).toMatchObject({ kind: 'signal' });
    expect(target.execFile()?.path).toBe(second);
  });

  it('a program that does not load is an error and leaves the current process as it was', async () => {
    const target = new AixTarget({ start: start(first), multi: true });
    const before = target.process;
    const r = await target.restart([], join(dir, 'missing'));
    expect(isTargetError(r) && r.error).toMatch(/missing: no such file/);
    expect(target.process).toBe(before);
    expect(before.end).toBeUndefined();
  });

  it('after the program ended, a new client finds no process instead of a fresh run', async () => {
    const target = new AixTarget({ start: start(first), multi: true });
    target.kill();
    expect(await target.attach()).toEqual({ kind: 'terminated', signal: GdbSignal.KILL });
  });
});

describe('AixTarget without multi', () => {
  it('runs only the served program (by any path) and refuses another', async () => {
    const target = new AixTarget({ start: start(first) });
    const other = await target.restart([], second);
    expect(isTargetError(other) && other.error).toMatch(/this stub serves .*first \(serve --multi/);
    expect(await target.restart([], `${dir}/./first`)).toMatchObject({ kind: 'signal' });
    expect(target.execFile()?.path).toBe(first);
  });
});
