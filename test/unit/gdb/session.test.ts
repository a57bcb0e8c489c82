import { beforeEach, describe, expect, it } from 'vitest';
import {
  PPC64_REGISTER_BYTES, PPC64_TARGET_XML, readPpc64Register, serializePpc64Registers,
} from '../../../src/gdb/arch/ppc64.js';
import { encodePacket } from '../../../src/gdb/rsp/framing.js';
import { bytesToHex, hexToText, textToHex } from '../../../src/gdb/rsp/hex.js';
import { GdbSignal } from '../../../src/gdb/target.js';
import {
  CODE_BASE, DATA_BASE, EXIT_CODE, FakeTarget, HOLE_BASE, SYSCALL_NR, SYSCALL_PC, storeAddress,
} from './fake-target.js';
import { ByteClient } from './harness.js';

const hex64 = (v: bigint) => v.toString(16).padStart(16, '0');

let target: FakeTarget;
let client: ByteClient;

beforeEach(async () => {
  target = new FakeTarget();
  client = new ByteClient(target);
  await client.start();
});

describe('GdbSession: acks and framing', () => {
  it('acks good packets, naks bad checksums and drops them', async () => {
    client.sendRaw('$?#00');
    await client.session.whenIdle();
    expect(client.events).toEqual(['-']);
    client.sendRaw(encodePacket('?'));
    await client.session.whenIdle();
    expect(client.events[1]).toBe('+');
    expect(client.events[2]).toMatch(/^T05/);
  });

  it('retransmits the last reply on -', async () => {
    const reply = await client.ask('qC');
    client.sendRaw('-');
    await client.session.whenIdle();
    expect(client.events.at(-1)).toBe(reply);
  });

  it('switches to no-ack mode with QStartNoAckMode', async () => {
    expect(await client.ask('QStartNoAckMode')).toBe('OK');
    const before = client.events.length;
    client.sendRaw(encodePacket('qC'));
    await client.session.whenIdle();
    expect(client.events.slice(before)).toEqual(['QC1']);
    client.sendRaw('$qC#00'); // bad checksum: no '-' any more, just dropped
    await client.session.whenIdle();
    expect(client.events.length).toBe(before + 1);
  });

  it('answers oversized and malformed packets with errors and keeps going', async () => {
    const small = new ByteClient(target, { packetSize: 0x10000 });
    await small.start();
    expect(await small.ask('M' + '0'.repeat(0x10100))).toBe('E16');
    expect(small.logs.some((l) => l.includes('oversized'))).toBe(true);
    small.sendRaw('$*x#a2');
    await small.session.whenIdle();
    expect(small.events.at(-1)).toBe('E01');
    expect(await small.ask('?')).toMatch(/^T05/);
  });
});

describe('GdbSession: queries', () => {
  it('negotiates qSupported', async () => {
    const reply = await client.ask('qSupported:multiprocess+;swbreak+;hwbreak+;xmlRegisters=i386');
    const features = reply.split(';');
    expect(features).toContain('PacketSize=100000');
    for (const f of [
      'QStartNoAckMode+', 'qXfer:features:read+', 'qXfer:threads:read+', 'qXfer:exec-file:read+', 'swbreak+',
      'hwbreak+', 'vContSupported+', 'QPassSignals+', 'QCatchSyscalls+', 'multiprocess-',
    ])
      expect(features).toContain(f);
  });

  it('leaves optional capabilities out of qSupported when the target lacks them', async () => {
    const bare = new FakeTarget() as unknown as Record<string, unknown>;
    for (const k of ['execFile', 'passSignals', 'catchSyscalls', 'monitor', 'restart']) bare[k] = undefined;
    const c = new ByteClient(bare as unknown as FakeTarget);
    await c.start();
    const reply = await c.ask('qSupported');
    expect(reply).not.toContain('exec-file');
    expect(reply).not.toContain('QPassSignals');
    expect(reply).not.toContain('QCatchSyscalls');
    expect(await c.ask(`qRcmd,${textToHex('help')}`)).toBe('');
    expect(await c.ask('QPassSignals:e')).toBe('');
    expect(await c.ask('vRun;')).toBe('');
  });

  it('serves the target description in chunks', async () => {
    let xml = '';
    for (let offset = 0; ; offset += 1000) {
      const r = await client.ask(`qXfer:features:read:target.xml:${offset.toString(16)},3e8`);
      xml += r.slice(1);
      if (r[0] === 'l') break;
      expect(r[0]).toBe('m');
    }
    expect(xml).toBe(PPC64_TARGET_XML);
    expect(await client.ask('qXfer:features:read:other.xml:0,100')).toBe('E00');
    expect(await client.ask('qXfer:features:read:target.xml:zz,100')).toBe('E01');
    expect(await client.ask('qXfer:unknown:read::0,100')).toBe('');
  });

  it('lists threads with qfThreadInfo, qXfer:threads and qThreadExtraInfo', async () => {
    expect(await client.ask('qfThreadInfo')).toBe('m1,2,3,4');
    expect(await client.ask('qsThreadInfo')).toBe('l');
    const xml = (await client.ask('qXfer:threads:read::0,1000')).slice(1);
    expect(xml).toContain('<thread id="3" name="pthread 3 &#60;worker &#38; &#34;friend&#34;&#62;"/>');
    expect(xml.match(/<thread /g)).toHaveLength(4);
    expect(hexToText(await client.ask('qThreadExtraInfo,2'))).toBe('pthread 2 <worker & "friend">');
    expect(await client.ask('qC')).toBe('QC1');
  });

  it('answers the small fixed queries', async () => {
    expect(await client.ask('qAttached')).toBe('1');
    expect(await client.ask('qOffsets')).toBe('Text=0;Data=0;Bss=0');
    expect(await client.ask('qSymbol::')).toBe('OK');
    expect(await client.ask('qTStatus')).toBe('');
    expect(await client.ask('vMustReplyEmpty')).toBe('');
    expect(await client.ask('vCont?')).toBe('vCont;c;C;s;S;t;r');
    expect(await client.ask('!')).toBe('OK');
  });

  it('runs monitor commands through O packets', async () => {
    const replies = await client.exchange(`qRcmd,${textToHex('help')}`);
    expect(replies.at(-1)).toBe('OK');
    expect(replies[0]![0]).toBe('O');
    expect(hexToText(replies[0]!.slice(1))).toContain('fake target monitor commands');
    expect(target.monitorCommands).toEqual(['help']);
    expect(await client.ask('qRcmd,zz')).toBe('E01');
  });

  it('sets passed signals and syscall catching', async () => {
    expect(await client.ask('QPassSignals:10;e')).toBe('OK');
    expect([...target.passed].sort()).toEqual([14, 16]);
    expect(await client.ask('QPassSignals:')).toBe('OK');
    expect(target.passed.size).toBe(0);
    expect(await client.ask('QPassSignals:xyz')).toBe('E01');
    expect(await client.ask('QCatchSyscalls:1')).toBe('OK');
    expect(target.catching).toEqual({ kind: 'all' });
    expect(await client.ask('QCatchSyscalls:1;14;2a')).toBe('OK');
    expect(target.catching).toEqual({ kind: 'list', numbers: [0x14, 0x2a] });
    expect(await client.ask('QCatchSyscalls:0')).toBe('OK');
    expect(target.catching).toEqual({ kind: 'off' });
    expect(await client.ask('QCatchSyscalls:2')).toBe('E01');
  });
});

describe('GdbSession: registers and memory', () => {
  it('reads all registers for the selected thread with g and Hg', async () => {
    const g = await client.ask('g');
    expect(g.length).toBe(PPC64_REGISTER_BYTES * 2);
    expect(g).toBe(bytesToHex(serializePpc64Registers(target.regs.get(1)!)));
    expect(await client.ask('Hg3')).toBe('OK');
    expect((await client.ask('g')).slice(6 * 8 + 0, 6 * 8 + 16)).toBe(hex64(3n)); // r3 = tid
    expect(await client.ask('Hg9')).toBe('E02');
    expect(await client.ask('Hgxyz')).toBe('E01');
    expect(await client.ask('Hc-1')).toBe('OK');
    expect(await client.ask('Hg0')).toBe('OK');
  });

  it('writes all registers with G', async () => {
    const regs = target.readRegisters(2);
    if ('error' in regs) throw new Error(regs.error);
    regs.gpr[5] = 0xdeadbeefn;
    await client.ask('Hg2');
    expect(await client.ask('G' + bytesToHex(serializePpc64Registers(regs)))).toBe('OK');
    expect(target.regs.get(2)!.gpr[5]).toBe(0xdeadbeefn);
    expect(await client.ask('G00')).toBe('E01');
  });

  it('reads and writes single registers with p and P', async () => {
    expect(await client.ask('p40')).toBe(hex64(CODE_BASE));
    expect(await client.ask('p42')).toBe('00000000'); // cr, 32-bit
    expect(await client.ask('p89')).toBe('E00');
    expect(await client.ask('pzz')).toBe('E01');
    expect(await client.ask(`P43=${hex64(0x1234n)}`)).toBe('OK');
    expect(target.regs.get(1)!.lr).toBe(0x1234n);
    expect(await client.ask('P43=12')).toBe('E00');
    expect(await client.ask('P43')).toBe('E01');
  });

  it('uses the single-register fast path when the target has one', async () => {
    const fast = new FakeTarget();
    const calls: string[] = [];
    fast.readRegister = (tid, regno) => {
      calls.push(`r${tid}:${regno}`);
      const regs = fast.readRegisters(tid);
      return 'error' in regs ? regs : readPpc64Register(regs, regno)!;
    };
    fast.writeRegister = (tid, regno, value) => {
      calls.push(`w${tid}:${regno}`);
      fast.regs.get(tid)!.ctr = new DataView(value.buffer, value.byteOffset).getBigUint64(0);
      return undefined;
    };
    const c = new ByteClient(fast);
    await c.start();
    const slow = await client.ask('?');
    expect(await c.ask('?')).toBe(slow);
    expect(calls.slice(0, 3)).toEqual(['r1:64', 'r1:1', 'r1:67']);
    expect(calls).toHaveLength(3 + 31 + 4); // then the other GPRs, msr, cr, ctr, xer
    calls.length = 3;
    expect(await c.ask('p42')).toBe('00000000');
    expect(await c.ask(`P44=${hex64(99n)}`)).toBe('OK');
    expect(fast.regs.get(1)!.ctr).toBe(99n);
    expect(calls.slice(3)).toEqual(['r1:66', 'w1:68']);
  });

  it('reads memory, partially across a hole, and fails on unmapped addresses', async () => {
    expect(await client.ask(`m${CODE_BASE.toString(16)},8`)).toBe('6000000060000000');
    expect(await client.ask(`m${(HOLE_BASE - 4n).toString(16)},8`)).toBe('60000000');
    expect(await client.ask(`m${HOLE_BASE.toString(16)},4`)).toBe('E0e');
    expect(await client.ask('m10000000')).toBe('E01');
    expect(await client.ask('m1g,4')).toBe('E01');
    expect(await client.ask('mffffffffffffffffff,4')).toBe('E01');
  });

  it('writes memory with M and X (binary, escaped)', async () => {
    expect(await client.ask(`M${DATA_BASE.toString(16)},4:0a0b0c0d`)).toBe('OK');
    expect(await client.ask(`m${DATA_BASE.toString(16)},4`)).toBe('0a0b0c0d');
    const binary = Uint8Array.from([0x24, 0x23, 0x7d, 0x2a, 0x00, 0x03]);
    const packet = new Uint8Array([...Buffer.from(`X${DATA_BASE.toString(16)},6:`, 'latin1'), ...binary]);
    expect(await client.ask(packet)).toBe('OK');
    expect(await client.ask(`m${DATA_BASE.toString(16)},6`)).toBe('24237d2a0003');
    expect(await client.ask(`X${DATA_BASE.toString(16)},0:`)).toBe('OK');
    expect(await client.ask(`M${HOLE_BASE.toString(16)},1:00`)).toBe('E0e');
    expect(await client.ask(`M${DATA_BASE.toString(16)},2:00`)).toBe('E01');
  });
});

describe('GdbSession: execution', () => {
  beforeEach(async () => {
    await client.ask('qSupported:swbreak+;hwbreak+');
  });

  it('reports the initial stop with thread and expedited registers', async () => {
    const r = await client.ask('?');
    expect(r.startsWith(`T05` + `40:${hex64(CODE_BASE)};1:${hex64(0x7fff0000n - 0x1000n)};43:${hex64(CODE_BASE + 0x100n)};`)).toBe(true);
    expect(r).toContain(`;3:${hex64(1n)};`); // every GPR: gdb prints Go arguments from r3… without a g
    expect(r).toContain(`;41:${hex64(0x800000000000d032n)};`); // msr
    expect(r.endsWith(';thread:1;')).toBe(true);
    expect(r.split(';')).toHaveLength(3 + 31 + 4 + 2);
  });

  it('stops at a software breakpoint with swbreak', async () => {
    const bp = CODE_BASE + 0x20n;
    expect(await client.ask(`Z0,${bp.toString(16)},4`)).toBe('OK');
    const r = await client.ask('vCont;c');
    expect(r).toMatch(/^T05/);
    expect(r).toContain(`40:${hex64(bp)};`);
    expect(r).toContain('thread:1;');
    expect(r).toContain('swbreak:;');
    expect(await client.ask(`z0,${bp.toString(16)},4`)).toBe('OK');
    expect(await client.ask(`z0,${bp.toString(16)},4`)).toBe('E16');
    expect(await client.ask(`Z0,${HOLE_BASE.toString(16)},4`)).toBe('E0e');
    expect(await client.ask('Z9,0,4')).toBe('E01');
  });

  it('evaluates breakpoint conditions itself (ConditionalBreakpoints+) and runs past false ones', async () => {
    expect(await client.ask('qSupported:swbreak+;hwbreak+')).toContain('ConditionalBreakpoints+');
    const bp = (CODE_BASE + 0x20n).toString(16);
    // r3 == 2 (false on thread 1, whose r3 is 1): stepped over in the stub, the program runs to its exit.
    expect(await client.ask(`Z0,${bp},4;X9,260003164022021327`)).toBe('OK');
    const resumesBefore = target.resumes.length;
    expect(await client.ask('vCont;c')).toBe(`W${EXIT_CODE.toString(16).padStart(2, '0')}`);
    expect(target.resumes.length - resumesBefore).toBe(3); // continue, step over, continue
    expect(target.stopPoints.filter((s) => s.kind === 'sw')).toHaveLength(1); // re-inserted
  });

  it('reports a breakpoint whose condition is true or cannot be evaluated', async () => {
    await client.ask('qSupported:swbreak+;hwbreak+');
    const bp = (CODE_BASE + 0x20n).toString(16);
    expect(await client.ask(`Z0,${bp},4;X9,260003164022011327`)).toBe('OK'); // r3 == 1
    expect(await client.ask('vCont;c')).toContain('swbreak:;');
    target.reset();
    // Re-sent Z0 replaces the condition (idempotent insert): a load from the unmapped hole.
    const hole = HOLE_BASE.toString(16).padStart(8, '0');
    expect(await client.ask(`Z0,${bp},4;X7,24${hole}1a27`)).toBe('OK');
    expect(target.stopPoints.filter((s) => s.kind === 'sw')).toHaveLength(1);
    expect(await client.ask('vCont;c')).toContain('swbreak:;');
  });

  it('omits swbreak when gdb did not announce it', async () => {
    await client.ask('qSupported');
    await client.ask(`Z0,${(CODE_BASE + 0x20n).toString(16)},4`);
    expect(await client.ask('vCont;c')).not.toContain('swbreak');
  });

  it('stops at a hardware breakpoint with hwbreak, on the requested thread', async () => {
    await client.ask(`Z1,${(CODE_BASE + 0x10n).toString(16)},4`);
    const r = await client.ask('vCont;c:3');
    expect(r).toContain('hwbreak:;');
    expect(r).toContain('thread:3;');
    expect(await client.ask('qC')).toBe('QC3');
    expect(target.resumes.at(-1)!.threads.get(3)).toEqual({ kind: 'continue' });
  });

  it('reports write, read and access watchpoints', async () => {
    const watched = storeAddress(CODE_BASE + 0x30n)!;
    expect(await client.ask(`Z2,${watched.toString(16)},8`)).toBe('OK');
    const r = await client.ask('c');
    expect(r).toContain(`watch:${watched.toString(16)};`);
    expect(r).toContain(`40:${hex64(CODE_BASE + 0x30n)};`);
    await client.ask(`z2,${watched.toString(16)},8`);
    await client.ask(`Z4,${watched.toString(16)},8`);
    expect(await client.ask('c')).toContain(`awatch:${watched.toString(16)};`);
    expect(await client.ask(`Z3,${watched.toString(16)},8`)).toBe('OK');
  });

  it('single-steps with vCont;s, s and S, and range-steps with r', async () => {
    expect(await client.ask('vCont;s:2;c')).toContain(`40:${hex64(CODE_BASE + 4n)};`);
    expect(target.resumes.at(-1)!.others).toEqual({ kind: 'continue' });
    await client.ask('Hc2');
    expect(await client.ask('s')).toContain(`40:${hex64(CODE_BASE + 8n)};`);
    expect(await client.ask('S0e')).toContain('thread:2;');
    expect(target.resumes.at(-1)!.threads.get(2)).toEqual({ kind: 'step', signal: 14 });
    const r = await client.ask(`vCont;r${CODE_BASE.toString(16)},${(CODE_BASE + 0x40n).toString(16)}:2`);
    expect(r).toContain(`40:${hex64(CODE_BASE + 0x40n)};`);
    expect(await client.ask('vCont;x')).toBe('E01');
    expect(await client.ask('vCont;t')).toBe('OK');
  });

  it('continues with a signal and at an address (C and c addr)', async () => {
    await client.ask(`Z0,${(CODE_BASE + 0x80n).toString(16)},4`);
    expect(await client.ask(`c${(CODE_BASE + 0x60n).toString(16)}`)).toContain(`40:${hex64(CODE_BASE + 0x80n)};`);
    await client.ask(`z0,${(CODE_BASE + 0x80n).toString(16)},4`);
    await client.ask(`Z0,${(CODE_BASE + 0x90n).toString(16)},4`);
    await client.ask('C0b');
    expect(target.resumes.at(-1)!.threads.get(1)).toEqual({ kind: 'continue', signal: 11 });
    expect(await client.ask('C0b;zz')).toBe('E01');
  });

  it('reports syscall entry stops', async () => {
    await client.ask('QCatchSyscalls:1');
    expect(await client.ask('c')).toContain(`syscall_entry:${SYSCALL_NR.toString(16)};`);
    expect(target.regs.get(1)!.pc).toBe(SYSCALL_PC);
  });

  it('reports exit with W and then has no threads', async () => {
    expect(await client.ask('vCont;c')).toBe(`W0${EXIT_CODE}`);
    expect(await client.ask('?')).toBe(`W0${EXIT_CODE}`);
    expect(await client.ask('qfThreadInfo')).toBe('l');
    expect(await client.ask('c')).toBe('E03');
    expect(await client.ask('g')).toBe('E02');
  });

  it('interrupts a running target with 0x03', async () => {
    const spinner = new FakeTarget({ spin: true, realSlices: true });
    const c = new ByteClient(spinner);
    await c.start();
    c.sendRaw(encodePacket('vCont;c'));
    await new Promise((r) => setTimeout(r, 20));
    expect(c.session.isRunning).toBe(true);
    // Packets sent while running wait their turn; the interrupt byte does not.
    c.sendRaw(encodePacket('qC'));
    c.sendRaw('\x03');
    await c.session.whenIdle();
    const packets = c.events.filter((e) => e !== '+');
    expect(packets[0]).toMatch(/^T02.*thread:1;/);
    expect(packets[1]).toBe('QC1');
  });

  it('delivers an interrupt that arrives while the resume is still queued', async () => {
    const spinner = new FakeTarget({ spin: true, realSlices: true });
    const c = new ByteClient(spinner);
    await c.start();
    const bytes = [...encodePacket(`qRcmd,${textToHex('help')}`), ...encodePacket('vCont;c'), 0x03];
    c.sendRaw(Uint8Array.from(bytes));
    await c.session.whenIdle();
    expect(c.events.filter((e) => e !== '+').at(-1)).toMatch(/^T02/);
    expect(spinner.running).toBe(false);
  });

  it('answers E03 when the target throws instead of resuming', async () => {
    target.resume = () => {
      throw new Error('cannot run');
    };
    expect(await client.ask('vCont;c')).toBe('E03');
    expect(client.session.isRunning).toBe(false);
  });

  it('checks threads with T', async () => {
    expect(await client.ask('T4')).toBe('OK');
    expect(await client.ask('T5')).toBe('E02');
    expect(await client.ask('Tx')).toBe('E01');
  });
});

describe('GdbSession: process control', () => {
  it('detaches: OK, guest runs on, connection closed', async () => {
    expect(await client.ask('D')).toBe('OK');
    expect(target.detached).toBe(true);
    expect(client.closed).toBe(true);
  });

  it('keeps an extended-remote connection open after detach', async () => {
    await client.ask('!');
    expect(await client.ask('D')).toBe('OK');
    expect(target.detached).toBe(true);
    expect(client.closed).toBe(false);
    expect(await client.ask('?')).toBe('W00');
    expect(await client.ask('qfThreadInfo')).toBe('l');
    expect(await client.ask(`vRun;`)).toMatch(/^T05/);
  });

  it('detaches by killing when configured', async () => {
    const c = new ByteClient(target, { onDetach: 'kill' });
    await c.start();
    expect(await c.ask('D;1')).toBe('OK');
    expect(target.state).toEqual({ kind: 'terminated', signal: GdbSignal.KILL });
  });

  it('kills with k (no reply) and vKill (OK)', async () => {
    expect(await client.exchange('k')).toEqual([]);
    expect(target.state.kind).toBe('terminated');
    expect(await client.ask('?')).toBe('X09');
    target.reset();
    const c = new ByteClient(target);
    await c.start();
    expect(await c.ask('vKill;a410')).toBe('OK');
    expect(await c.ask('?')).toBe('X09');
  });

  it('restarts with vRun in extended mode', async () => {
    await client.ask('!');
    await client.ask('vKill;1');
    const r = await client.ask(`vRun;;${textToHex('arg one')};${textToHex('2')}`);
    expect(r).toMatch(/^T05.*thread:1;/);
    expect(target.restarts).toEqual([['arg one', '2']]);
    expect(await client.ask('qAttached')).toBe('0');
    expect(await client.ask('vRun;zz')).toBe('E01');
  });

  it('vRun hands the program gdb names to the target (serve --multi runs it)', async () => {
    await client.ask('!');
    const r = await client.ask(`vRun;${textToHex('/bin/other')};${textToHex('x')}`);
    expect(r).toMatch(/^T05/);
    expect(target.programsRun).toEqual(['/bin/other']);
    expect(target.restarts).toEqual([['x']]);
    expect(await client.ask('vRun;')).toMatch(/^T05/);
    expect(target.programsRun).toEqual(['/bin/other', undefined]);
  });

  it('vRun of a program the target refuses: an E reply, the process as it was', async () => {
    target.onlyProgram = '/srv/prog';
    await client.ask('!');
    expect(await client.ask('?')).toMatch(/^T05/);
    expect(await client.ask(`vRun;${textToHex('/bin/other')}`)).toBe('E01');
    expect(target.restarts).toEqual([]);
    expect(await client.ask('?')).toMatch(/^T05/);
    expect(await client.ask(`vRun;${textToHex('/srv/prog')}`)).toMatch(/^T05/);
    expect(target.programsRun).toEqual(['/srv/prog']);
  });

  it('leaves a running guest stopped when the client vanishes', async () => {
    const spinner = new FakeTarget({ spin: true, realSlices: true });
    const c = new ByteClient(spinner);
    await c.start();
    c.sendRaw(encodePacket('vCont;c'));
    await new Promise((r) => setTimeout(r, 10));
    await c.session.disconnected();
    expect(spinner.running).toBe(false);
    expect(spinner.state).toMatchObject({ kind: 'signal', signal: GdbSignal.INT });
    expect(c.logs.at(-1)).toContain('left stopped');
  });
});

describe('GdbSession: host I/O and exec file', () => {
  it('names the exec file and serves it through vFile', async () => {
    expect(await client.ask('qXfer:exec-file:read::0,fff')).toBe('l/fake/bin/prog');
    expect(await client.ask('vFile:setfs:0')).toBe('F0');
    expect(await client.ask(`vFile:open:${textToHex('/nope')},0,0`)).toBe('F-1,2');
    expect(await client.ask(`vFile:open:${textToHex('/fake/bin/prog')},1,0`)).toBe('F-1,d');
    const open = await client.ask(`vFile:open:${textToHex('/fake/bin/prog')},0,0`);
    expect(open).toMatch(/^F[0-9a-f]+$/);
    const fd = open.slice(1);
    const stat = await client.ask(`vFile:fstat:${fd}`);
    expect(stat.slice(0, 4)).toBe('F40;');
    const statBytes = Buffer.from(stat.slice(4), 'latin1');
    expect(statBytes.length).toBe(64);
    expect(statBytes.readBigUInt64BE(28)).toBe(5000n);
    const contents = target.execFile().contents;
    let got = Buffer.alloc(0);
    for (let off = 0; off < contents.length; ) {
      const r = await client.ask(`vFile:pread:${fd},800,${off.toString(16)}`);
      const semi = r.indexOf(';');
      const n = parseInt(r.slice(1, semi), 16);
      const chunk = Buffer.from(r.slice(semi + 1), 'latin1');
      expect(chunk.length).toBe(n);
      got = Buffer.concat([got, chunk]);
      off += n;
      if (n === 0) break;
    }
    expect(new Uint8Array(got)).toEqual(contents);
    expect(await client.ask(`vFile:pread:${fd},10,${(contents.length + 10).toString(16)}`)).toBe('F0;');
    expect(await client.ask(`vFile:close:${fd}`)).toBe('F0');
    expect(await client.ask(`vFile:close:${fd}`)).toBe('F-1,9');
    expect(await client.ask('vFile:readlink:00')).toBe('');
    expect(await client.ask('vFile:pread:zz')).toBe('F-1,16');
  });

  it('answers a pread that seeks with at most 4 KiB and sequential ones with up to 64 KiB', async () => {
    const big = new Uint8Array(0x30000).map((_, i) => (i * 7) & 0x7f);
    target.execFile = () => ({ path: '/fake/bin/big', contents: big });
    const fd = (await client.ask(`vFile:open:${textToHex('/fake/bin/big')},0,0`)).slice(1);
    const length = (r: string) => parseInt(r.slice(1, r.indexOf(';')), 16);
    const read = async (off: number) => {
      const r = await client.ask(`vFile:pread:${fd},3fff0,${off.toString(16)}`);
      expect(new Uint8Array(Buffer.from(r.slice(r.indexOf(';') + 1), 'latin1'))).toEqual(big.subarray(off, off + length(r)));
      return length(r);
    };
    expect(await read(0x100)).toBe(0x1000); // first read: a seek
    expect(await read(0x1100)).toBe(0x10000); // continues it
    expect(await read(0x11100)).toBe(0x10000);
    expect(await read(0x40)).toBe(0x1000); // back to the header: a seek again
  });
});

describe('GdbSession: robustness', () => {
  it('turns a throwing target into an E reply', async () => {
    target.readMemory = () => {
      throw new Error('boom');
    };
    expect(await client.ask('m0,4')).toBe('E01');
    expect(client.logs.some((l) => l.includes('boom'))).toBe(true);
    expect(await client.ask('?')).toMatch(/^T05/);
  });

  it('answers unknown packets with an empty reply', async () => {
    for (const p of ['', 'jMemoryMap', 'qFoo', 'Qbar', 'vAttach;1', 'x', 'g1', 'i', 'bc']) expect(await client.ask(p)).toBe('');
  });

  it('keeps expedited registers consistent with p', async () => {
    const r = await client.ask('?');
    const regs = target.readRegisters(1);
    if ('error' in regs) throw new Error(regs.error);
    expect(r).toContain(`43:${bytesToHex(readPpc64Register(regs, 67)!)};`);
  });
});
