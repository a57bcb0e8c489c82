import { describe, expect, it } from 'vitest';
import { PacketReceiver, RspEvent, checksumOf, decodeBody, encodeHexPacketRunLength, encodePacket } from '../../../src/gdb/rsp/framing.js';

const enc = (s: string) => new Uint8Array(Buffer.from(s, 'latin1'));
const text = (b: Uint8Array) => Buffer.from(b).toString('latin1');

function frame(body: string): string {
  return `$${body}#${checksumOf(enc(body)).toString(16).padStart(2, '0')}`;
}

function collect(max?: number): { rx: PacketReceiver; events: RspEvent[] } {
  const events: RspEvent[] = [];
  return { rx: new PacketReceiver((e) => events.push(e), max), events };
}

describe('PacketReceiver', () => {
  it('decodes a packet with a valid checksum', () => {
    const { rx, events } = collect();
    rx.feed(enc('$qSupported#37'));
    expect(events).toHaveLength(1);
    expect(events[0]!.kind).toBe('packet');
    expect(text((events[0] as { payload: Uint8Array }).payload)).toBe('qSupported');
  });

  it('accepts upper-case checksum digits', () => {
    const { rx, events } = collect();
    rx.feed(enc(frame('m1000,4').toUpperCase().replace('M', 'm')));
    expect(events.map((e) => e.kind)).toEqual(['packet']);
  });

  it('copes with one byte per chunk and several packets per chunk', () => {
    const stream = '+' + frame('g') + '+-' + frame('m10,2') + '\x03' + frame('?');
    const whole = collect();
    whole.rx.feed(enc(stream));
    const bytewise = collect();
    for (const ch of stream) bytewise.rx.feed(enc(ch));
    const kinds = ['ack', 'packet', 'ack', 'nak', 'packet', 'interrupt', 'packet'];
    expect(whole.events.map((e) => e.kind)).toEqual(kinds);
    expect(bytewise.events).toEqual(whole.events);
  });

  it('reports a bad checksum and drops the packet', () => {
    const { rx, events } = collect();
    rx.feed(enc('$g#00$g#zz'));
    expect(events).toEqual([
      { kind: 'bad-checksum', expected: 0x67, received: 0 },
      { kind: 'bad-checksum', expected: 0x67, received: -1 },
    ]);
  });

  it('resynchronises on a stray $ inside a body', () => {
    const { rx, events } = collect();
    rx.feed(enc('$m10,' + frame('?')));
    expect(events.map((e) => e.kind)).toEqual(['packet']);
    expect(text((events[0] as { payload: Uint8Array }).payload)).toBe('?');
  });

  it('ignores noise between packets', () => {
    const { rx, events } = collect();
    rx.feed(enc('hello\r\n' + frame('?')));
    expect(events.map((e) => e.kind)).toEqual(['packet']);
  });

  it('undoes } escapes and * run-length encoding', () => {
    const { rx, events } = collect();
    // "0* " is '0' repeated 3 more times (' ' = 32 = 29 + 3); "}]" is '}' (0x5d ^ 0x20 = 0x7d).
    rx.feed(enc(frame('X0* }]}\x03}\x04')));
    expect(events).toHaveLength(1);
    expect(Array.from((events[0] as { payload: Uint8Array }).payload)).toEqual([
      0x58, 0x30, 0x30, 0x30, 0x30, 0x7d, 0x23, 0x24,
    ]);
  });

  it('reports malformed encodings instead of throwing', () => {
    expect(decodeBody(enc('*a'))).toMatch(/nothing to repeat/);
    expect(decodeBody(enc('ab}'))).toMatch(/escape/);
    expect(decodeBody(enc('a*'))).toMatch(/end of packet/);
    expect(decodeBody(enc('a*\x10'))).toMatch(/out of range/);
    const { rx, events } = collect();
    rx.feed(enc(frame('*a')));
    expect(events[0]!.kind).toBe('malformed');
  });

  it('rejects oversized packets without keeping them, then carries on', () => {
    const { rx, events } = collect(16);
    rx.feed(enc(frame('M0,20:' + '00'.repeat(32)) + frame('?')));
    expect(events.map((e) => e.kind)).toEqual(['oversized', 'packet']);
    expect((events[0] as { rawLength: number }).rawLength).toBe(70);
    // a bad checksum on an oversized packet is still a bad checksum
    rx.feed(enc('$' + 'x'.repeat(40) + '#00'));
    expect(events[2]!.kind).toBe('bad-checksum');
  });
});

describe('encodePacket', () => {
  it('frames with checksum', () => {
    expect(text(encodePacket('OK'))).toBe('$OK#9a');
    expect(text(encodePacket(''))).toBe('$#00');
  });

  it('escapes $ # } * and round-trips every byte value through the receiver', () => {
    expect(text(encodePacket(enc('a$b#c}d*')))).toBe(frame('a}\x04b}\x03c}]d}\x0a'));
    // Text replies take a native fast path when nothing needs escaping; the escaped ones must match.
    expect(text(encodePacket('a$b#c}d*'))).toBe(frame('a}\x04b}\x03c}]d}\x0a'));
    expect(text(encodePacket('T05thread:1;'))).toBe(frame('T05thread:1;'));
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    const { rx, events } = collect();
    rx.feed(encodePacket(all));
    expect(events).toHaveLength(1);
    expect(Array.from((events[0] as { payload: Uint8Array }).payload)).toEqual(Array.from(all));
  });
});

describe('run-length encoded replies', () => {
  const decode = (frame: Uint8Array): string => {
    const got: string[] = [];
    const rx = new PacketReceiver((e) => {
      if (e.kind !== 'packet') throw new Error(`unexpected ${e.kind}`);
      got.push(Buffer.from(e.payload).toString('latin1'));
    });
    rx.feed(frame);
    expect(got).toHaveLength(1);
    return got[0]!;
  };

  it('round-trips every run length, never emitting # or $ as a count', () => {
    for (let n = 1; n <= 300; n++) {
      const bytes = Uint8Array.from([0xab, ...new Array<number>(n).fill(0), 0x0c, 0xc1, ...new Array<number>(n % 13).fill(0xff), 7]);
      const text = Buffer.from(bytes).toString('hex');
      const frame = encodeHexPacketRunLength(bytes);
      const body = Buffer.from(frame.subarray(1, frame.length - 3)).toString('latin1');
      expect(body).not.toMatch(/[#$]/);
      expect(decode(frame)).toBe(text);
    }
  });

  it('round-trips random bytes', () => {
    const bytes = Uint8Array.from({ length: 5000 }, (_, i) => ((i * 2654435761) >>> 24) & (i % 7 === 0 ? 0 : 0xff));
    expect(decode(encodeHexPacketRunLength(bytes))).toBe(Buffer.from(bytes).toString('hex'));
  });

  it('round-trips zero pages mixed with data, runs crossing page boundaries', () => {
    const bytes = new Uint8Array(5 * 4096 + 100);
    bytes.fill(0x11, 4090, 4200); // a run across the first page boundary
    bytes[3 * 4096 - 1] = 1; // a page that is zero but for its last byte
    bytes.fill(0xff, 4 * 4096 + 7, 5 * 4096 + 3);
    const frame = encodeHexPacketRunLength(bytes);
    expect(decode(frame)).toBe(Buffer.from(bytes).toString('hex'));
    expect(frame.length).toBeLessThan(2000);
    expect(decode(encodeHexPacketRunLength(bytes.subarray(3)))).toBe(Buffer.from(bytes.subarray(3)).toString('hex'));
  });

  it('shrinks a page of zeros to a few hundred bytes', () => {
    const frame = encodeHexPacketRunLength(new Uint8Array(4096));
    expect(frame.length).toBeLessThan(300);
    expect(decode(frame)).toBe('0'.repeat(8192));
  });
});
