// `run` on programs that use host I/O beyond files, with Go 1.24 and Go 1.19: the netecho fixture
// (TCP echo over loopback, a refused dial, an HTTP round trip with net/http), the netpingpong
// fixture (Go's TestReadWriteProlongedTimeout with one P), the udpecho fixture
// (UDP echo, datagram boundaries and truncation, the pure-Go DNS resolver over UDP), the netifaces
// fixture (net.Interfaces, compared with the host build's output of the same run) and the stdinticker
// fixture (a ticker goroutine keeps running while main blocks reading a stdin pipe) give the host
// build's output under the emulator.
import { spawnSync } from 'node:child_process';
import * as dgram from 'node:dgram';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildCli, cli, runCaptured, type Feeder } from '../helpers/cli.js';
import { expectedStdout, fixture } from '../helpers/toolchains.js';

function run(cmd: string, args: string[], input?: Feeder) {
  return runCaptured(cmd, args, { timeoutMs: 100_000, input });
}

function runCli(args: string[], input?: Feeder) {
  return run(process.execPath, [cli, ...args], input);
}

/**
 * stdinticker's input: nothing until the ticker's line is on stdout (or 30 s passed), then two
 * lines and EOF. If reading stdin stopped every guest thread, the ticker line would come last.
 */
const feedAfterTicker: Feeder = (stdin, stdout) => {
  const started = Date.now();
  const poll = setInterval(() => {
    if (stdout().includes('ticker:') || Date.now() - started > 30_000) {
      clearInterval(poll);
      stdin.write('alpha\n');
      setTimeout(() => stdin.end('beta gamma\n'), 50);
    }
  }, 20);
};

beforeAll(buildCli);

describe.each(['go1.24-aix', 'go1.19-aix'] as const)('run %s: sockets', (tc) => {
  it('netecho (TCP echo, refused dial, net/http round trip on 127.0.0.1) matches the host build', async () => {
    const host = spawnSync(fixture('go1.24-host', 'netecho'), [], { encoding: 'utf8', timeout: 30_000 });
    expect(host.stdout).toBe(expectedStdout('netecho'));
    const got = await runCli(['run', fixture(tc, 'netecho')]);
    expect({ stdout: got.stdout, stderr: got.stderr, status: got.status }).toEqual({ stdout: host.stdout, stderr: '', status: 0 });
  });

  it('netpingpong (one P, a server writing one byte at a time without pause, 1000 round trips) finishes as the host build does', async () => {
    const got = await runCli(['run', fixture(tc, 'netpingpong')]);
    expect({ stdout: got.stdout, stderr: got.stderr, status: got.status }).toEqual({ stdout: expectedStdout('netpingpong'), stderr: '', status: 0 });
  });
});

/**
 * A DNS server on 127.0.0.1 written here, not in Go: echo.example. has A 192.0.2.7 and AAAA
 * 2001:db8::7, every other name is NXDOMAIN. It records the questions it was asked.
 */
async function startDnsResponder(): Promise<{ address: string; questions: string[]; close: () => void }> {
  const questions: string[] = [];
  const s = dgram.createSocket('udp4');
  s.on('message', (q, rinfo) => {
    const labels: string[] = [];
    let off = 12;
    while (off < q.length && q[off] !== 0) {
      labels.push(q.subarray(off + 1, off + 1 + q[off]!).toString('latin1'));
      off += 1 + q[off]!;
    }
    const qtype = q.readUInt16BE(off + 1);
    const name = labels.join('.').toLowerCase() + '.';
    questions.push(`${name} ${qtype === 1 ? 'A' : qtype === 28 ? 'AAAA' : qtype}`);
    const known = name === 'echo.example.';
    const rdata = known && qtype === 1 ? Buffer.from([192, 0, 2, 7]) : known && qtype === 28 ? Buffer.from('20010db8000000000000000000000007', 'hex') : undefined;
    const head = Buffer.alloc(12);
    q.copy(head, 0, 0, 2);
    head.writeUInt16BE(known ? 0x8180 : 0x8183, 2);
    head.writeUInt16BE(1, 4);
    head.writeUInt16BE(rdata ? 1 : 0, 6);
    const parts = [head, q.subarray(12, off + 5)];
    if (rdata) {
      const rr = Buffer.alloc(12);
      rr.writeUInt16BE(0xc00c, 0);
      rr.writeUInt16BE(qtype, 2);
      rr.writeUInt16BE(1, 4);
      rr.writeUInt32BE(60, 6);
      rr.writeUInt16BE(rdata.length, 10);
      parts.push(rr, rdata);
    }
    s.send(Buffer.concat(parts), rinfo.port, rinfo.address);
  });
  await new Promise<void>((resolve) => s.bind(0, '127.0.0.1', resolve));
  return { address: `127.0.0.1:${s.address().port}`, questions, close: () => s.close() };
}

describe.each(['go1.24-aix', 'go1.19-aix'] as const)('run %s: datagram sockets', (tc) => {
  it('udpecho (UDP echo, boundaries, truncation, deadline, dual stack, Go resolver) matches the host build', async () => {
    const host = spawnSync(fixture('go1.24-host', 'udpecho'), [], { encoding: 'utf8', timeout: 30_000 });
    expect(host.stdout).toBe(expectedStdout('udpecho'));
    const got = await runCli(['run', fixture(tc, 'udpecho')]);
    expect({ stdout: got.stdout, stderr: got.stderr, status: got.status }).toEqual({ stdout: host.stdout, stderr: '', status: 0 });
  });

  it('the pure-Go resolver asks a DNS server outside the emulator over UDP', async () => {
    const dns = await startDnsResponder();
    try {
      const got = await runCli(['run', '--env', `UDPECHO_DNS=${dns.address}`, fixture(tc, 'udpecho')]);
      expect({ stdout: got.stdout, stderr: got.stderr, status: got.status }).toEqual({ stdout: expectedStdout('udpecho'), stderr: '', status: 0 });
      expect([...new Set(dns.questions)].sort()).toEqual(['echo.example. A', 'echo.example. AAAA', 'missing.example. A', 'missing.example. AAAA']);
    } finally {
      dns.close();
    }
  });
});

describe.each(['go1.24-aix', 'go1.19-aix'] as const)('run %s: network interfaces', (tc) => {
  it('net.Interfaces and InterfaceAddrs list what the host build lists (names, indexes, MTU, flags, MAC, addresses)', async () => {
    const host = spawnSync(fixture('go1.24-host', 'netifaces'), [], { encoding: 'utf8', timeout: 30_000 });
    expect(host.status).toBe(0);
    expect(host.stdout).toMatch(/^lo index=\d+ mtu=\d+ flags=up\|loopback/m);
    // FlagRunning exists since Go 1.20: Go 1.19 prints the same without it.
    const want = tc === 'go1.19-aix' ? host.stdout.replaceAll('|running', '') : host.stdout;
    const got = await runCli(['run', fixture(tc, 'netifaces')]);
    expect({ stdout: got.stdout, stderr: got.stderr, status: got.status }).toEqual({ stdout: want, stderr: '', status: 0 });
  });
});

describe.each(['go1.24-aix', 'go1.19-aix'] as const)('run %s: stdin', (tc) => {
  it('stdinticker: other goroutines run while main blocks reading a stdin pipe', async () => {
    const host = await run(fixture('go1.24-host', 'stdinticker'), [], feedAfterTicker);
    expect(host.stdout).toBe(expectedStdout('stdinticker'));
    const got = await runCli(['run', fixture(tc, 'stdinticker')], feedAfterTicker);
    expect({ stdout: got.stdout, stderr: got.stderr, status: got.status }).toEqual({ stdout: host.stdout, stderr: '', status: 0 });
  });
});
