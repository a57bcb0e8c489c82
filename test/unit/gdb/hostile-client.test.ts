// Clients that are not gdb: one that floods the stub with requests and never reads the answers,
// one that resumes threads that do not exist, one that opens files without closing them. The stub
// must answer them with errors or drop them, and stay available to the next gdb.
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { GdbServer } from '../../../src/gdb/server.js';
import { encodePacket } from '../../../src/gdb/rsp/framing.js';
import { textToHex } from '../../../src/gdb/rsp/hex.js';
import { DATA_BASE, FakeTarget } from './fake-target.js';
import { ByteClient } from './harness.js';

let server: GdbServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** Connect, send `?`: the stop reply's packet body, or undefined when the stub closed the connection. */
function askStopReason(port: number): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let text = '';
    socket.on('connect', () => socket.write(encodePacket('?')));
    socket.on('data', (b) => {
      text += b.toString('latin1');
      const m = /\$([^#]*)#[0-9a-f]{2}/.exec(text);
      if (m !== null) {
        socket.destroy();
        resolve(m[1]!);
      }
    });
    socket.on('close', () => resolve(undefined));
    socket.on('error', reject);
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('a client that pipelines requests without reading, then resets', () => {
  it('is dropped with its queue: the next gdb is answered and the stub answered only what the client could take', async () => {
    const target = new FakeTarget();
    let reads = 0;
    const read = target.readMemory.bind(target);
    target.readMemory = (addr, length) => {
      reads++;
      return read(addr, length);
    };
    server = new GdbServer(target, { port: 0, log: () => {} });
    const { port } = await server.listen();

    const requests = 160_000;
    const one = Buffer.from(encodePacket(`m${DATA_BASE.toString(16)},800`)); // 2 KiB each: 4 KiB of hex per reply
    const flood = Buffer.concat(Array.from({ length: requests }, () => one));
    const attacker = net.connect(port, '127.0.0.1');
    attacker.pause(); // never read a byte of the answers
    await new Promise<void>((resolve) => attacker.on('connect', resolve));
    attacker.write(flood, () => {});
    // Let the stub work on the flood for a while (long enough to answer all of it if nothing
    // held it back), then reset the connection.
    while (reads === 0) await sleep(10);
    await sleep(500);
    attacker.resetAndDestroy();
    const readsAtReset = reads;

    // The next gdb is accepted as soon as the stub has noticed the reset, and answered.
    let reply: string | undefined;
    while ((reply = await askStopReason(port)) === undefined) await sleep(20);
    expect(reply).toMatch(/^T05/);
    expect(reads - readsAtReset).toBeLessThan(100); // nothing more was answered for the dead client
    // Answers pile up only until the socket buffers are full; after that the stub stops reading.
    expect(reads).toBeLessThan(requests / 8);
    expect(server.connections).toBeGreaterThanOrEqual(2);
  });
});

describe('resuming threads that do not exist', () => {
  it('answers an error at once, like a malformed thread id', async () => {
    const client = new ByteClient(new FakeTarget());
    await client.start();
    expect(await client.ask('vCont;s:p1.999')).toBe('E01');
    expect(await client.ask('vCont;s:999')).toBe('E02');
    expect(await client.ask('vCont;c:ffffffff')).toBe('E02');
    expect(await client.ask('vCont;s:999;c')).toBe('E02');
    // Nothing ran, and the session still answers.
    expect(await client.ask('?')).toMatch(/^T05/);
  });
});

describe('host I/O', () => {
  it('refuses to open more files than gdb ever holds, and recovers when they are closed', async () => {
    const client = new ByteClient(new FakeTarget());
    await client.start();
    const open = `vFile:open:${textToHex('/fake/bin/prog')},0,0`;
    const fds: string[] = [];
    let reply = '';
    for (let i = 0; i < 20_000; i++) {
      reply = await client.ask(open);
      if (!reply.startsWith('F') || reply.startsWith('F-1')) break;
      fds.push(reply.slice(1));
    }
    expect(reply).toBe('F-1,18'); // EMFILE
    expect(fds.length).toBe(32);
    expect(await client.ask(`vFile:close:${fds[0]}`)).toBe('F0');
    expect(await client.ask(open)).toMatch(/^F[0-9a-f]+$/);
  });
});
