// The protocol layer against the real client: stock gdb-multiarch (batch and MI) talking to the
// TCP server in front of the fake in-memory target. No emulator involved.
import { ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import net from 'node:net';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { GdbServer } from '../../src/gdb/server.js';
import { GDB, requireGdb, runGdb } from '../helpers/gdb.js';
import { encodePacket } from '../../src/gdb/rsp/framing.js';
import { CODE_BASE, DATA_BASE, FakeTarget, storeAddress } from '../unit/gdb/fake-target.js';

// gdb runs here talk to an in-process fake target: 20 s (the shared helper's 60 s default is sized for emulated programs).
const GDB_TIMEOUT_MS = 20_000;

beforeAll(requireGdb);

interface Started {
  server: GdbServer;
  port: number;
  target: FakeTarget;
  logs: string[];
}

let servers: GdbServer[] = [];
afterEach(async () => {
  for (const s of servers) await s.close();
  servers = [];
});

async function startServer(target: FakeTarget, extra: { once?: boolean } = {}): Promise<Started> {
  const logs: string[] = [];
  const server = new GdbServer(target, { port: 0, log: (l) => logs.push(l), ...extra });
  servers.push(server);
  const { port } = await server.listen();
  return { server, port, target, logs };
}

/** Run gdb in batch mode asynchronously (the server lives in this process's event loop). */
function gdbBatch(port: number, commands: string[], timeoutMs = GDB_TIMEOUT_MS, mode = 'remote'): Promise<string> {
  const args = ['-nx', '-batch', '-ex', 'set architecture powerpc:common64', '-ex', 'set endian big',
    '-ex', 'set confirm off', '-ex', `target ${mode} 127.0.0.1:${port}`];
  for (const c of commands) args.push('-ex', c);
  return runGdb(args, timeoutMs);
}

const hex = (v: bigint) => '0x' + v.toString(16);

describe('gdb-multiarch against the fake target', () => {
  it('connects, reads registers and memory, breaks, continues, steps, lists threads, runs monitor, detaches', async () => {
    const { port, target, logs } = await startServer(new FakeTarget({ realSlices: true }));
    const bp = CODE_BASE + 0x20n;
    const out = await gdbBatch(port, [
      'info registers pc',
      `x/4xw ${hex(DATA_BASE)}`,
      `break *${hex(bp)}`,
      'continue',
      'info registers pc',
      'stepi',
      'info registers pc',
      'info registers r1',
      'info threads',
      'monitor help',
      'detach',
    ]);
    expect(out, out).toMatch(new RegExp(`pc\\s+${hex(CODE_BASE)}`));
    expect(out, out).toMatch(new RegExp(`${hex(DATA_BASE)}:\\s+0x00010203\\s+0x04050607\\s+0x08090a0b\\s+0x0c0d0e0f`));
    expect(out, out).toMatch(new RegExp(`Breakpoint 1 at ${hex(bp)}`));
    expect(out, out).toMatch(new RegExp(`hit Breakpoint 1, 0x0*${bp.toString(16)} in`));
    expect(out, out).toContain('Reading /fake/bin/prog from remote target'); // qXfer:exec-file + vFile
    expect(out, out).toMatch(new RegExp(`pc\\s+${hex(bp)}`));
    expect(out, out).toMatch(new RegExp(`pc\\s+${hex(bp + 4n)}`));
    expect(out, out).toMatch(/r1\s+0x7ffef000/);
    expect(out.match(/^[* ] +[1-4] +Thread [1-4] "pthread [1-4]/gm) ?? [], out).toHaveLength(4);
    expect(out, out).toContain('fake target monitor commands');
    expect(out, out).toContain("[Inferior 1 (Remote target) detached]");
    expect(target.detached).toBe(true);
    expect(logs.some((l) => l.includes('client detached'))).toBe(true);
  });

  it('needs no setup: gdb fetches the exec file over vFile and picks big-endian powerpc:common64', async () => {
    const target = new FakeTarget({ realSlices: true });
    target.execFile = () => ({ path: '/fake/bin/prog', contents: minimalPpc64Elf() });
    const { port } = await startServer(target);
    const out = await runGdb(['-nx', '-batch', '-ex', `target remote 127.0.0.1:${port}`, '-ex', 'show endian',
      '-ex', 'show architecture', '-ex', 'info registers pc', '-ex', 'x/2xw $pc', '-ex', 'detach'], GDB_TIMEOUT_MS);
    expect(out, out).toContain('Reading symbols from target:/fake/bin/prog');
    expect(out, out).toContain('currently big endian');
    expect(out, out).toContain('currently "powerpc:common64"');
    expect(out, out).toMatch(new RegExp(`pc\\s+${hex(CODE_BASE)}`));
    expect(out, out).toMatch(new RegExp(`${hex(CODE_BASE)}:\\s+0x60000000\\s+0x60000000`));
  });

  it('accepts a new connection after a detach and stops the guest again', async () => {
    const { server, port, target } = await startServer(new FakeTarget({ realSlices: true }));
    await gdbBatch(port, ['detach']);
    expect(target.detached).toBe(true);
    // wait until the server has let the first client go
    for (let i = 0; i < 100 && (server as unknown as { client?: unknown }).client; i++) await sleep(10);
    const out = await gdbBatch(port, ['info registers pc', 'info threads', 'detach']);
    expect(out, out).toMatch(new RegExp(`pc\\s+${hex(CODE_BASE)}`));
    expect(out.match(/^[* ] +[1-4] +Thread [1-4] "/gm) ?? [], out).toHaveLength(4);
    expect(server.connections).toBe(2);
  });

  it('stops at a hardware watchpoint on a global', async () => {
    const { port } = await startServer(new FakeTarget({ realSlices: true }));
    const watched = storeAddress(CODE_BASE + 0x30n)!;
    const out = await gdbBatch(port, [`watch *(long *)${hex(watched)}`, 'continue', 'info registers pc', 'detach']);
    expect(out, out).toMatch(/Hardware watchpoint 1: \*\(long \*\)/);
    expect(out, out).toMatch(/Old value = /);
    expect(out, out).toMatch(new RegExp(`New value = ${Number(CODE_BASE + 0x30n)}`));
  });

  it('reports the exit code', async () => {
    const { port } = await startServer(new FakeTarget({ realSlices: true }));
    const out = await gdbBatch(port, ['continue']);
    expect(out, out).toMatch(/exited with code 07/);
  });

  it('kills and re-runs the program over target extended-remote (vKill, vRun)', async () => {
    const { port, target } = await startServer(new FakeTarget({ realSlices: true }));
    const out = await gdbBatch(port, ['info registers pc', 'kill', 'run', 'info registers pc'], GDB_TIMEOUT_MS, 'extended-remote');
    expect(out, out).toMatch(new RegExp(`pc\\s+${hex(CODE_BASE)}`));
    expect(out, out).toMatch(/\[Inferior 1 \(.*\) killed\]/);
    expect(out, out).toMatch(/exited with code 07/);
    expect(target.restarts.length).toBe(1);
  });

  it('interrupts a running guest with Ctrl-C (MI -exec-interrupt)', async () => {
    const { port, target } = await startServer(new FakeTarget({ spin: true, realSlices: true }));
    const mi = new MiDriver();
    try {
      await mi.command('-gdb-set mi-async on');
      await mi.command('-gdb-set architecture powerpc:common64');
      await mi.command('-gdb-set endian big');
      await mi.command(`-target-select remote 127.0.0.1:${port}`, /\^connected/);
      await mi.command('-exec-continue', /\^running/);
      await sleep(200);
      expect(target.running).toBe(true);
      await mi.command('-exec-interrupt');
      const stopped = await mi.waitFor(/\*stopped,.*/);
      expect(stopped).toContain('signal-name="SIGINT"');
      expect(target.running).toBe(false);
      const regs = await mi.command('-data-list-register-values x 64');
      expect(regs).toMatch(/number="64",value="0x1000[0-9a-f]{4}"/);
      await mi.command('-target-detach');
    } finally {
      mi.kill();
    }
  });

  it('refuses a second concurrent client and keeps serving the first', async () => {
    const { port, logs } = await startServer(new FakeTarget({ realSlices: true }));
    const first = await RawClient.connect(port);
    expect(await first.ask('?')).toMatch(/^T05/);
    const second = await RawClient.connect(port);
    await second.closed;
    expect(logs.some((l) => /refusing second client/.test(l))).toBe(true);
    expect(await first.ask('qC')).toBe('QC1');
    first.socket.destroy();
  });

  it('survives a client that disconnects mid-run, and serves the next one', async () => {
    const { port, target } = await startServer(new FakeTarget({ spin: true, realSlices: true }));
    const a = await RawClient.connect(port);
    a.send('vCont;c');
    await sleep(50);
    expect(target.running).toBe(true);
    a.socket.destroy();
    for (let i = 0; i < 100 && target.running; i++) await sleep(10);
    expect(target.running).toBe(false);
    await sleep(20);
    const b = await RawClient.connect(port);
    expect(await b.ask('?')).toMatch(/^T02/);
    b.socket.destroy();
  });

  it('stops listening after the first client with once', async () => {
    const { server, port } = await startServer(new FakeTarget({ realSlices: true }), { once: true });
    const a = await RawClient.connect(port);
    expect(await a.ask('?')).toMatch(/^T05/);
    a.socket.destroy();
    await server.whenClosed();
    await expect(RawClient.connect(port)).rejects.toThrow();
  });
});

/** An ELF64 big-endian PowerPC64 header with no sections: enough for gdb to pick the architecture. */
function minimalPpc64Elf(): Uint8Array {
  const b = Buffer.alloc(64);
  b.set([0x7f, 0x45, 0x4c, 0x46, 2 /* 64-bit */, 2 /* big-endian */, 1]);
  b.writeUInt16BE(2, 16); // ET_EXEC
  b.writeUInt16BE(21, 18); // EM_PPC64
  b.writeUInt32BE(1, 20);
  b.writeBigUInt64BE(CODE_BASE, 24);
  b.writeUInt32BE(1, 48); // ELFv1 ABI
  b.writeUInt16BE(64, 52);
  b.writeUInt16BE(56, 54);
  b.writeUInt16BE(64, 58);
  return new Uint8Array(b);
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** A bare RSP client over TCP (ack mode), for server behaviour gdb cannot show. */
class RawClient {
  private buffer = '';
  private waiters: Array<() => void> = [];
  closed: Promise<void>;

  private constructor(readonly socket: net.Socket) {
    socket.on('data', (d: Buffer) => {
      this.buffer += d.toString('latin1');
      for (const w of this.waiters.splice(0)) w();
    });
    this.closed = new Promise((r) => socket.on('close', () => r()));
  }

  static connect(port: number): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const s = net.connect(port, '127.0.0.1', () => resolve(new RawClient(s)));
      s.once('error', reject);
    });
  }

  send(body: string): void {
    this.socket.write(encodePacket(body));
  }

  async ask(body: string): Promise<string> {
    this.buffer = '';
    this.send(body);
    for (;;) {
      const m = /\$([^#]*)#[0-9a-f]{2}/.exec(this.buffer);
      if (m) return m[1]!;
      await new Promise<void>((r) => this.waiters.push(r));
    }
  }
}

/** Drives gdb through its MI interpreter. */
class MiDriver {
  private readonly child: ChildProcessWithoutNullStreams;
  private lines: string[] = [];
  private partial = '';
  private waiters: Array<() => void> = [];
  private token = 100;

  constructor() {
    this.child = spawn(GDB, ['-nx', '--interpreter=mi2']);
    this.child.stdout.setEncoding('utf8').on('data', (d: string) => {
      const text = this.partial + d;
      const parts = text.split('\n');
      this.partial = parts.pop()!;
      this.lines.push(...parts);
      for (const w of this.waiters.splice(0)) w();
    });
  }

  async waitFor(re: RegExp, timeoutMs = 15_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = this.lines.findIndex((l) => re.test(l));
      if (i >= 0) return this.lines.splice(0, i + 1).at(-1)!;
      if (Date.now() > deadline) throw new Error(`MI: no line matching ${re}; got:\n${this.lines.join('\n')}`);
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, 100);
      });
    }
  }

  /** Send a command and wait for its result record (^done/^running/^connected, or ^error → throw). */
  async command(cmd: string, expect: RegExp = /\^(done|running|connected)/): Promise<string> {
    const token = this.token++;
    this.child.stdin.write(`${token}${cmd}\n`);
    const line = await this.waitFor(new RegExp(`^${token}\\^`));
    if (line.startsWith(`${token}^error`)) throw new Error(`MI ${cmd}: ${line}`);
    if (!expect.test(line)) throw new Error(`MI ${cmd}: unexpected ${line}`);
    return line;
  }

  kill(): void {
    this.child.kill('SIGKILL');
  }
}
