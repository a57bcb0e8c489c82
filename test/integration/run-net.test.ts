// `run` on programs that use host I/O beyond files, with Go 1.24 and Go 1.19: the netecho fixture
// (TCP echo over loopback, a refused dial, an HTTP round trip with net/http) and the stdinticker
// fixture (a ticker goroutine keeps running while main blocks reading a stdin pipe) give the host
// build's output under the emulator.
import { spawnSync } from 'node:child_process';
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
});

describe.each(['go1.24-aix', 'go1.19-aix'] as const)('run %s: stdin', (tc) => {
  it('stdinticker: other goroutines run while main blocks reading a stdin pipe', async () => {
    const host = await run(fixture('go1.24-host', 'stdinticker'), [], feedAfterTicker);
    expect(host.stdout).toBe(expectedStdout('stdinticker'));
    const got = await runCli(['run', fixture(tc, 'stdinticker')], feedAfterTicker);
    expect({ stdout: got.stdout, stderr: got.stderr, status: got.status }).toEqual({ stdout: host.stdout, stderr: '', status: 0 });
  });
});
