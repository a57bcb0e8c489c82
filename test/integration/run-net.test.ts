// `run` on programs that use host I/O beyond files, with Go 1.24 and Go 1.19: the netecho fixture
// (TCP echo over loopback, a refused dial, an HTTP round trip with net/http) and the stdinticker
// fixture (a ticker goroutine keeps running while main blocks reading a stdin pipe) give the host
// build's output under the emulator.
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectedStdout, fixture, repoRoot } from '../helpers/toolchains.js';

const cli = join(repoRoot, 'dist', 'cli.js');

type Feeder = (stdin: NodeJS.WritableStream, stdout: () => string) => void;

function run(cmd: string, args: string[], input?: Feeder): Promise<{ stdout: string; stderr: string; status: number | null }> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args);
    let stdout = '';
    let stderr = '';
    p.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    p.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => p.kill('SIGKILL'), 100_000);
    p.on('error', reject);
    p.on('close', (status) => {
      clearTimeout(timer);
      resolve({ stdout, stderr, status });
    });
    if (input) input(p.stdin, () => stdout);
    else p.stdin.end();
  });
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

beforeAll(() => {
  const tsc = spawnSync(process.execPath, [join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', repoRoot], { encoding: 'utf8', cwd: repoRoot, timeout: 240_000 });
  if (tsc.error) throw tsc.error;
  readFileSync(cli);
});

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
