// Running stock gdb-multiarch from integration tests: the probe that fails loudly when it is
// missing, and one asynchronous batch run collecting everything gdb prints (the server under
// test may live in the test's own event loop, so nothing here blocks).
import { spawn, spawnSync } from 'node:child_process';

export const GDB = 'gdb-multiarch';

export function requireGdb(): void {
  const probe = spawnSync(GDB, ['--version'], { encoding: 'utf8' });
  if (probe.status !== 0) throw new Error(`${GDB} is required for this test (install it: make toolchains)`);
}

/** Run gdb with `args` and resolve with its stdout and stderr, interleaved as they arrived. */
export function runGdb(args: string[], timeoutMs = 60_000): Promise<string> {
  return new Promise((resolve, reject) => {
    // One pipe for stdout and stderr (2>&1), so messages stay in the order gdb wrote them: with two
    // pipes a "No such file or directory." could land in the middle of an x/i line.
    const child = spawn('/bin/sh', ['-c', 'exec "$0" "$@" 2>&1', GDB, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`gdb timed out; output so far:\n${out}`));
    }, timeoutMs);
    child.on('close', () => {
      clearTimeout(timer);
      resolve(out);
    });
  });
}
