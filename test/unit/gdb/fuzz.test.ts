// Protocol fuzzing: well over 100,000 random and mutated packets fed to a session through its byte
// interface. Nothing may throw, every byte the stub writes must be well framed, and afterwards a
// plain `?` must still get the right stop reply. The seed is printed on failure; rerun with
// GDB_FUZZ_SEED=<seed> to reproduce.
import { describe, expect, it } from 'vitest';
import { PacketReceiver, encodePacket } from '../../../src/gdb/rsp/framing.js';
import { textToHex } from '../../../src/gdb/rsp/hex.js';
import { GdbSession } from '../../../src/gdb/session.js';
import { CODE_BASE, DATA_BASE, FakeTarget, HOLE_BASE } from './fake-target.js';

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PACKETS_TO_SEND = 120_000;

describe('protocol fuzz', () => {
  it(`survives ${PACKETS_TO_SEND} random and mutated packets and still answers ?`, async () => {
    const seed = process.env.GDB_FUZZ_SEED ? Number(process.env.GDB_FUZZ_SEED) : (Date.now() ^ (process.pid << 8)) >>> 0;
    const where = `fuzz seed ${seed} (rerun with GDB_FUZZ_SEED=${seed})`;
    const rand = mulberry32(seed);
    const int = (n: number) => Math.floor(rand() * n);
    const pick = <T,>(xs: readonly T[]): T => xs[int(xs.length)]!;
    const hexNum = () => pick([
      () => int(16).toString(16),
      () => (CODE_BASE + BigInt(int(0x1000))).toString(16),
      () => (DATA_BASE + BigInt(int(0x1000))).toString(16),
      () => HOLE_BASE.toString(16),
      () => 'ffffffffffffffff',
      () => '1' + '0'.repeat(int(30)),
      () => int(0x100000).toString(16),
    ])();
    const hexBytes = (n: number) => Array.from({ length: n }, () => int(256).toString(16).padStart(2, '0')).join('');

    const templates: Array<() => string> = [
      () => '?', () => 'g', () => `G${hexBytes(int(2) ? 1096 : int(40))}`,
      () => `p${hexNum()}`, () => `P${int(140).toString(16)}=${hexBytes(pick([4, 8, 16, 3]))}`,
      () => `m${hexNum()},${hexNum()}`, () => `M${hexNum()},${int(8).toString(16)}:${hexBytes(int(8))}`,
      () => `X${hexNum()},${int(8).toString(16)}:${String.fromCharCode(...Array.from({ length: int(8) }, () => int(256)))}`,
      () => `${pick(['Z', 'z'])}${int(6)},${hexNum()},${pick(['4', '8', '1', hexNum()])}`,
      () => pick(['vCont;c', 'vCont;s:1', 'vCont;s:2;c', 'vCont;C0b', 'vCont;t', 'vCont?', 'vCont;S05:3',
        `vCont;r${CODE_BASE.toString(16)},${(CODE_BASE + 0x40n).toString(16)}:1`, 'vCont;c:-1', 'vCont;']),
      () => pick(['c', 's', 'C0e', 'S02', `c${hexNum()}`, 'C0e;' + hexNum()]),
      () => `H${pick(['g', 'c', 'x'])}${pick(['-1', '0', '1', '2', '4', '9', 'zz'])}`,
      () => `T${pick(['1', '3', '5', '-1', ''])}`,
      () => pick(['qC', 'qfThreadInfo', 'qsThreadInfo', 'qAttached', 'qOffsets', 'qSymbol::', 'qTStatus',
        'qSupported:swbreak+;hwbreak+;multiprocess+', 'qSupported', 'QStartNoAckMode', '!']),
      () => `qXfer:${pick(['features', 'threads', 'exec-file', 'auxv'])}:read:${pick(['target.xml', '', 'x'])}:${hexNum()},${hexNum()}`,
      () => `vFile:${pick(['open', 'pread', 'close', 'fstat', 'setfs', 'unlink'])}:${pick([textToHex('/fake/bin/prog'), hexNum()])},${hexNum()},${hexNum()}`,
      () => `qRcmd,${pick([textToHex('help'), textToHex('echo hi'), 'zz', ''])}`,
      () => `QPassSignals:${pick(['e;10', '', 'zz', '1;2;3'])}`,
      () => `QCatchSyscalls:${pick(['0', '1', '1;14', '2', ''])}`,
      () => pick(['D', 'D;1', 'k', 'vKill;1', `vRun;;${textToHex('a')}`, 'vRun;zz']),
    ];

    function mutate(s: string): string {
      const chars = Array.from(s);
      const edits = 1 + int(4);
      for (let i = 0; i < edits; i++) {
        const at = int(chars.length + 1);
        const ch = pick(['$', '#', '}', '*', '\x03', ',', ':', ';', '=', '-', '0', 'f', 'Z', String.fromCharCode(int(256))]);
        const op = int(3);
        if (op === 0) chars.splice(at, 0, ch);
        else if (op === 1) chars.splice(at, 1);
        else chars[at] = ch;
      }
      return chars.join('');
    }

    function nextChunk(): Uint8Array {
      const r = rand();
      if (r < 0.02) return Uint8Array.from({ length: int(64) }, () => int(256)); // line noise
      if (r < 0.03) return Uint8Array.of(pick([0x03, 0x2b, 0x2d]));
      let body = pick(templates)();
      if (rand() < 0.4) body = mutate(body);
      if (rand() < 0.0004) body = 'M0,1:' + '0'.repeat(0x20100); // oversized
      const framed = encodePacket(body);
      if (rand() < 0.05) framed[framed.length - 1] ^= 1; // bad checksum
      if (rand() < 0.02) return framed.subarray(0, int(framed.length)); // truncated
      return framed;
    }

    const target = new FakeTarget({ slice: 16, stopAfter: 40 });
    const badOutput: string[] = [];
    const outputCheck = new PacketReceiver((e) => {
      if (e.kind === 'bad-checksum' || e.kind === 'malformed' || e.kind === 'oversized') badOutput.push(e.kind);
    }, 1 << 22);
    const logs: string[] = [];
    let session!: GdbSession;
    let closed = false;
    const open = async () => {
      closed = false;
      session = new GdbSession(target, { write: (b) => outputCheck.feed(b), close: () => (closed = true) }, {
        log: (l) => logs.push(l),
      });
      await session.start();
    };
    await open();

    const idle = async (s: GdbSession) => {
      let timer: NodeJS.Timeout | undefined;
      const hung = new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`session hung; ${where}; last logs: ${logs.slice(-5).join(' | ')}`)), 5000);
      });
      try {
        await Promise.race([s.whenIdle(), hung]);
      } finally {
        clearTimeout(timer);
      }
    };
    let sessions = 1;
    for (let sent = 0; sent < PACKETS_TO_SEND; ) {
      for (let k = 0; k < 64 && sent < PACKETS_TO_SEND; k++, sent++) session.receive(nextChunk());
      await idle(session);
      if (closed) {
        // gdb detached: like the server, accept a fresh connection on the same target
        await open();
        sessions++;
      }
      if (rand() < 0.01 && target.state.kind !== 'signal') {
        target.reset();
        await session.disconnected();
        await open();
        sessions++;
      }
    }
    // Flush any half-received packet, then ask the one question that must always work.
    session.receive(Uint8Array.of(0x23, 0x30, 0x30));
    await session.whenIdle();
    const answers: string[] = [];
    const reader = new PacketReceiver((e) => {
      if (e.kind === 'packet') answers.push(Buffer.from(e.payload).toString('latin1'));
    });
    const fresh = new GdbSession(target, { write: (b) => reader.feed(b), close: () => {} });
    await session.disconnected();
    await fresh.start();
    fresh.receive(encodePacket('?'));
    await fresh.whenIdle();

    expect(badOutput, where).toEqual([]);
    expect(logs.filter((l) => l.includes('error handling packet') || l.includes('handler failed')), where).toEqual([]);
    const state = target.state;
    const expected =
      state.kind === 'signal'
        ? new RegExp(`^T${state.signal.toString(16).padStart(2, '0')}.*thread:${state.thread.toString(16)};`)
        : state.kind === 'exited'
          ? new RegExp(`^W${state.code.toString(16).padStart(2, '0')}$`)
          : new RegExp(`^X${state.signal.toString(16).padStart(2, '0')}$`);
    expect(answers, where).toHaveLength(1);
    expect(answers[0], where).toMatch(expected);
    expect(sessions, where).toBeGreaterThan(1);
  });
});
