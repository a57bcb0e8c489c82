import { describe, expect, it } from 'vitest';
import { parseBreakpoint } from '../../../src/gdb/commands/breakpoints.js';
import { parseReadMemory, parseWriteMemoryBinary, parseWriteMemoryHex } from '../../../src/gdb/commands/memory.js';
import {
  parseQCatchSyscalls, parseQPassSignals, parseQRcmd, parseQSupported, parseQXferRead, parseVRun,
} from '../../../src/gdb/commands/query.js';
import { parseReadRegister, parseWriteRegister, parseWriteRegisters } from '../../../src/gdb/commands/registers.js';
import { parseLegacyResume, parseVCont } from '../../../src/gdb/commands/resume.js';
import { formatStopReply } from '../../../src/gdb/commands/stop-reply.js';
import { parseSetThread, parseThreadAlive } from '../../../src/gdb/commands/thread.js';
import { parseThreadSelector } from '../../../src/gdb/commands/thread-id.js';
import { parseVFile } from '../../../src/gdb/commands/vfile.js';
import { textToHex } from '../../../src/gdb/rsp/hex.js';

describe('memory packets', () => {
  it('parses m', () => {
    expect(parseReadMemory('m10000000,40')).toEqual({ addr: 0x10000000n, length: 0x40 });
    expect(parseReadMemory('mffffffffffffffff,1')).toEqual({ addr: 0xffffffffffffffffn, length: 1 });
    for (const bad of ['m', 'm10', 'm,4', 'm10,', 'm10,x', 'mx,4', 'm10,4,5']) expect(parseReadMemory(bad)).toBeUndefined();
  });
  it('parses M with hex data of the stated length', () => {
    expect(parseWriteMemoryHex('M20,2:abcd')).toEqual({ addr: 0x20n, data: Uint8Array.of(0xab, 0xcd) });
    expect(parseWriteMemoryHex('M20,3:abcd')).toBeUndefined();
    expect(parseWriteMemoryHex('M20,2')).toBeUndefined();
    expect(parseWriteMemoryHex('M20,2:abcz')).toBeUndefined();
  });
  it('parses X with binary data, including a colon inside the data', () => {
    expect(parseWriteMemoryBinary('X20,3:a:\xff')).toEqual({ addr: 0x20n, data: Uint8Array.of(0x61, 0x3a, 0xff) });
    expect(parseWriteMemoryBinary('X20,0:')).toEqual({ addr: 0x20n, data: new Uint8Array(0) });
    expect(parseWriteMemoryBinary('X20,1:')).toBeUndefined();
  });
});

describe('register packets', () => {
  it('parses p, P and G', () => {
    expect(parseReadRegister('p40')).toBe(64);
    expect(parseReadRegister('p')).toBeUndefined();
    expect(parseWriteRegister('P43=0000000000001234')).toEqual({ regno: 67, value: Uint8Array.of(0, 0, 0, 0, 0, 0, 0x12, 0x34) });
    expect(parseWriteRegister('P43=123')).toBeUndefined();
    expect(parseWriteRegister('P=00')).toBeUndefined();
    expect(parseWriteRegisters('G0102')).toEqual(Uint8Array.of(1, 2));
    expect(parseWriteRegisters('G010')).toBeUndefined();
  });
});

describe('breakpoint packets', () => {
  it('parses Z0..Z4 and z', () => {
    expect(parseBreakpoint('Z0,10000020,4')).toEqual({ insert: true, kind: 'sw', addr: 0x10000020n, length: 4, conditions: [] });
    expect(parseBreakpoint('z1,10,4')).toMatchObject({ insert: false, kind: 'hw' });
    expect(parseBreakpoint('Z2,10,8')!.kind).toBe('watch-write');
    expect(parseBreakpoint('Z3,10,8')!.kind).toBe('watch-read');
    expect(parseBreakpoint('Z4,10,8')!.kind).toBe('watch-access');
    expect(parseBreakpoint('Z0,10,4;X3,220100')).toMatchObject({ kind: 'sw', addr: 0x10n, conditions: [Uint8Array.of(0x22, 1, 0)] });
    expect(parseBreakpoint('Z0,10,4;X2,2227;X1,27;cmds:0,X1,27')!.conditions).toHaveLength(2);
    for (const bad of ['Z0,10,4;X3,2201', 'Z0,10,4;Y1,27', 'Z0,10,4;X1']) expect(parseBreakpoint(bad)).toBeUndefined();
    for (const bad of ['Z5,10,4', 'Z0,10', 'Z0,zz,4', 'Z', 'Z0,10,4,5']) expect(parseBreakpoint(bad)).toBeUndefined();
  });
});

describe('resume packets', () => {
  it('parses vCont actions with and without threads', () => {
    expect(parseVCont('vCont;c')).toEqual([{ action: { kind: 'continue' } }]);
    expect(parseVCont('vCont;s:1;c')).toEqual([
      { action: { kind: 'step' }, thread: { kind: 'id', tid: 1 } },
      { action: { kind: 'continue' } },
    ]);
    expect(parseVCont('vCont;C0b:2;S05:-1;t:0')).toEqual([
      { action: { kind: 'continue', signal: 11 }, thread: { kind: 'id', tid: 2 } },
      { action: { kind: 'step', signal: 5 }, thread: { kind: 'all' } },
      { action: { kind: 'stop' }, thread: { kind: 'any' } },
    ]);
    expect(parseVCont('vCont;r10000000,10000040:1')).toEqual([
      { action: { kind: 'range-step', start: 0x10000000n, end: 0x10000040n }, thread: { kind: 'id', tid: 1 } },
    ]);
    for (const bad of ['vCont', 'vCont;', 'vCont;x', 'vCont;C', 'vCont;C1', 'vCont;c:zz', 'vCont;r1', 'vCont;r1,2,3', 'vCont;cc'])
      expect(parseVCont(bad), bad).toBeUndefined();
  });

  it('parses legacy c, s, C and S', () => {
    expect(parseLegacyResume('c')).toEqual({ step: false });
    expect(parseLegacyResume('s10')).toEqual({ step: true, addr: 0x10n });
    expect(parseLegacyResume('C0b')).toEqual({ step: false, signal: 11 });
    expect(parseLegacyResume('S05;20')).toEqual({ step: true, signal: 5, addr: 0x20n });
    for (const bad of ['C', 'C0b;', 'cz', 'S5', 'x']) expect(parseLegacyResume(bad), bad).toBeUndefined();
  });
});

describe('thread packets', () => {
  it('parses thread ids, H and T', () => {
    expect(parseThreadSelector('-1')).toEqual({ kind: 'all' });
    expect(parseThreadSelector('0')).toEqual({ kind: 'any' });
    expect(parseThreadSelector('1f')).toEqual({ kind: 'id', tid: 31 });
    expect(parseThreadSelector('p1.1')).toBeUndefined();
    expect(parseSetThread('Hg2')).toEqual({ op: 'g', thread: { kind: 'id', tid: 2 } });
    expect(parseSetThread('Hc-1')).toEqual({ op: 'c', thread: { kind: 'all' } });
    expect(parseSetThread('Hx1')).toBeUndefined();
    expect(parseThreadAlive('T3')).toBe(3);
    expect(parseThreadAlive('T-1')).toBeUndefined();
  });
});

describe('query packets', () => {
  it('parses qSupported features', () => {
    const f = parseQSupported('qSupported:multiprocess+;swbreak+;xmlRegisters=i386;fork-events-')!;
    expect(f.get('swbreak')).toBe('+');
    expect(f.get('fork-events')).toBe('-');
    expect(f.get('xmlRegisters')).toBe('i386');
    expect(parseQSupported('qSupported')!.size).toBe(0);
    expect(parseQSupported('qSupported:junk')).toBeUndefined();
  });
  it('parses qXfer reads', () => {
    expect(parseQXferRead('qXfer:features:read:target.xml:0,fff')).toEqual({
      object: 'features', annex: 'target.xml', offset: 0, length: 0xfff,
    });
    expect(parseQXferRead('qXfer:threads:read::10,20')).toMatchObject({ annex: '', offset: 16, length: 32 });
    expect(parseQXferRead('qXfer:features:write:x:0,1')).toBeUndefined();
    expect(parseQXferRead('qXfer:features:read:x:0')).toBeUndefined();
  });
  it('parses qRcmd, QPassSignals, QCatchSyscalls and vRun', () => {
    expect(parseQRcmd(`qRcmd,${textToHex('info mappings')}`)).toBe('info mappings');
    expect(parseQRcmd('qRcmd,6')).toBeUndefined();
    expect([...parseQPassSignals('QPassSignals:e;10;1e')!]).toEqual([14, 16, 30]);
    expect(parseQPassSignals('QPassSignals:100')).toBeUndefined();
    expect(parseQCatchSyscalls('QCatchSyscalls:1;5;a')).toEqual({ kind: 'list', numbers: [5, 10] });
    expect(parseQCatchSyscalls('QCatchSyscalls:0;1')).toBeUndefined();
    expect(parseVRun(`vRun;${textToHex('/bin/p')};${textToHex('x y')}`)).toEqual({ program: '/bin/p', args: ['x y'] });
    expect(parseVRun('vRun;')).toEqual({ program: '', args: [] });
    expect(parseVRun('vRun;0')).toBeUndefined();
  });
  it('parses vFile operations', () => {
    expect(parseVFile(`vFile:open:${textToHex('/p')},0,1ff`)).toEqual({ op: 'open', path: '/p', flags: 0, mode: 0x1ff });
    expect(parseVFile('vFile:pread:3,1000,2000')).toEqual({ op: 'pread', fd: 3, count: 0x1000, offset: 0x2000 });
    expect(parseVFile('vFile:close:3')).toEqual({ op: 'close', fd: 3 });
    expect(parseVFile('vFile:fstat:3')).toEqual({ op: 'fstat', fd: 3 });
    expect(parseVFile('vFile:setfs:0')).toEqual({ op: 'setfs', pid: 0 });
    expect(parseVFile('vFile:unlink:00')).toEqual({ op: 'unsupported', name: 'unlink' });
    expect(parseVFile('vFile:pread:3,1')).toBeUndefined();
  });
});

describe('stop replies', () => {
  const opts = { swbreak: true, hwbreak: true };
  it('formats T, W and X', () => {
    expect(formatStopReply({ kind: 'signal', thread: 0x1a, signal: 5 }, opts)).toBe('T05thread:1a;');
    expect(formatStopReply({ kind: 'signal', thread: 1, signal: 5, reason: { kind: 'swbreak' } }, opts)).toBe('T05thread:1;swbreak:;');
    expect(formatStopReply({ kind: 'signal', thread: 1, signal: 5, reason: { kind: 'hwbreak' } }, { ...opts, hwbreak: false }))
      .toBe('T05thread:1;');
    expect(formatStopReply({ kind: 'signal', thread: 1, signal: 5, reason: { kind: 'watch', access: 'read', addr: 0x10n } }, opts))
      .toBe('T05thread:1;rwatch:10;');
    expect(formatStopReply({ kind: 'signal', thread: 1, signal: 5, reason: { kind: 'syscall-return', number: 0x2a } }, opts))
      .toBe('T05thread:1;syscall_return:2a;');
    expect(formatStopReply({ kind: 'signal', thread: 2, signal: 11 }, { ...opts, expedited: [[64, Uint8Array.of(1, 2)]] }))
      .toBe('T0b40:0102;thread:2;');
    expect(formatStopReply({ kind: 'exited', code: 300 }, opts)).toBe('W2c');
    expect(formatStopReply({ kind: 'terminated', signal: 9 }, opts)).toBe('X09');
  });
});
