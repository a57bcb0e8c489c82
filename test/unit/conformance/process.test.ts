// The conformance runner's child processes: stdout and stderr reach the verdict in the order the
// program wrote them, as Go's harness (CombinedOutput: one pipe for both) sees them.
import { describe, expect, it } from 'vitest';
import { runCaptured } from '../../../src/conformance/process.js';

describe('runCaptured', () => {
  it('keeps the order of writes to stdout and stderr', async () => {
    const script = 'i=0; while [ $i -lt 200 ]; do echo out$i; echo err$i >&2; i=$((i+1)); done';
    const r = await runCaptured('/bin/sh', ['-c', script], { cwd: '/', env: { PATH: '/usr/bin:/bin' }, timeoutMs: 30_000 });
    const want = Array.from({ length: 200 }, (_, i) => `out${i}\nerr${i}\n`).join('');
    expect(r.output).toBe(want);
    expect(r.exitCode).toBe(0);
    expect(r.timedOut).toBe(false);
  });

  it('reports the exit status and the signal of the command itself', async () => {
    expect((await runCaptured('/bin/sh', ['-c', 'exit 3'], { cwd: '/', env: {}, timeoutMs: 30_000 })).exitCode).toBe(3);
    const killed = await runCaptured('/bin/sh', ['-c', 'kill -TERM $$'], { cwd: '/', env: {}, timeoutMs: 30_000 });
    expect(killed.signal).toBe('SIGTERM');
    const slow = await runCaptured('/bin/sleep', ['20'], { cwd: '/', env: {}, timeoutMs: 300 });
    expect(slow.timedOut).toBe(true);
    expect(slow.signal).toBe('SIGKILL');
  });
});
