// The small pieces of the machine layer: signal numbering, the register mapping and the monitor
// command registry.
import { describe, expect, it } from 'vitest';
import { SIG } from '../../../src/aix/constants.js';
import { CpuState } from '../../../src/cpu/state.js';
import { GdbSignal } from '../../../src/gdb/target.js';
import { MonitorRegistry } from '../../../src/machine/monitor.js';
import { registersFromState, registersIntoState, USER_MSR } from '../../../src/machine/registers.js';
import { aixToGdbSignal, gdbToAixSignal } from '../../../src/machine/signals.js';

describe('signal numbers', () => {
  it('maps AIX signals to gdb numbers and back', () => {
    expect(aixToGdbSignal(SIG.SIGSEGV)).toBe(GdbSignal.SEGV);
    expect(aixToGdbSignal(SIG.SIGURG)).toBe(GdbSignal.URG);
    expect(aixToGdbSignal(SIG.SIGPROF)).toBe(GdbSignal.PROF);
    expect(aixToGdbSignal(SIG.SIGVTALRM)).toBe(GdbSignal.VTALRM);
    expect(aixToGdbSignal(SIG.SIGUSR1)).toBe(GdbSignal.USR1);
    for (const [name, aix] of Object.entries(SIG)) {
      if (name === 'SIGWAITING' || name === 'SIGPWR') continue;
      expect(gdbToAixSignal(aixToGdbSignal(aix)), name).toBe(aix);
    }
    expect(gdbToAixSignal(0)).toBe(0);
    expect(gdbToAixSignal(143)).toBeUndefined();
  });
});

describe('registers', () => {
  it('reads the CpuState layout gdb expects and writes it back unchanged', () => {
    const s = new CpuState();
    s.setGpr(1, 0x0fffffffffffe000n);
    s.setGpr(31, 0xfedcba9876543210n);
    s.pc = 0x100001234n;
    s.lr = 0x100005678n;
    s.ctr = 0xffffffffffffffffn;
    s.spr[6] = 0x24000042; // CR
    s.setFpr(2, 1.5);
    s.vsr[4 * 2 + 2] = 0x11223344; // VSR2 doubleword 1 = vs2h
    s.vsr[4 * 2 + 3] = 0x55667788;
    s.vsr[4 * (32 + 7)] = 0x01020304; // VR7 word 0
    const r = registersFromState(s);
    expect(r.gpr[1]).toBe(0x0fffffffffffe000n);
    expect(r.gpr[31]).toBe(0xfedcba9876543210n);
    expect(r.pc).toBe(0x100001234n);
    expect(r.lr).toBe(0x100005678n);
    expect(r.ctr).toBe(0xffffffffffffffffn);
    expect(r.cr).toBe(0x24000042);
    expect(r.fpr[2]).toBe(0x3ff8000000000000n);
    expect(r.vsrLow[2]).toBe(0x1122334455667788n);
    expect([...r.vr.subarray(16 * 7, 16 * 7 + 4)]).toEqual([1, 2, 3, 4]);
    expect(r.msr).toBe(USER_MSR);
    const t = new CpuState();
    registersIntoState(r, t);
    expect([...t.gpr]).toEqual([...s.gpr]);
    expect([...t.vsr]).toEqual([...s.vsr]);
    expect(t.pc).toBe(s.pc);
    expect(t.lr).toBe(s.lr);
    expect(t.ctr).toBe(s.ctr);
    expect(t.spr[6]).toBe(s.spr[6]);
  });
});

describe('monitor registry', () => {
  it('dispatches registered commands with their arguments and lists them in help', async () => {
    const monitors = new MonitorRegistry();
    monitors.register('echo-test', 'repeat the arguments', ({ args, argText }) => `${args.length}: ${argText}`);
    expect(await monitors.run('echo-test  a b')).toBe('2: a b\n');
    expect(await monitors.run('ECHO-TEST')).toBe('0: \n');
    const help = await monitors.run('help');
    expect(help).toMatch(/echo-test +repeat the arguments/);
    expect(help).toMatch(/help +list the monitor commands/);
    expect(await monitors.run('')).toBe(help);
    expect(monitors.list().map((c) => c.name)).toContain('echo-test');
  });

  it('answers unknown commands and failing handlers with a message, never a throw', async () => {
    const monitors = new MonitorRegistry();
    expect(await monitors.run('no-such')).toMatch(/unknown monitor command 'no-such'/);
    monitors.register('boom-test', 'fails', () => {
      throw new Error('exploded');
    });
    expect(await monitors.run('boom-test')).toBe('monitor boom-test: exploded\n');
    expect(() => monitors.register('two words', 'x', () => '')).toThrow();
  });

  it('keeps each registry to itself: a command added to one target is not in another', async () => {
    const a = new MonitorRegistry();
    const b = new MonitorRegistry();
    a.register('only-a', 'x', () => 'a');
    expect(await a.run('only-a')).toBe('a\n');
    expect(await b.run('only-a')).toMatch(/unknown monitor command/);
  });
});
