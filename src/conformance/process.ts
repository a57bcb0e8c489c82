// Child processes for the conformance runner: a command with a time limit whose stdout and
// stderr are captured together in the order written (the Go harness's CombinedOutput gives the
// child one pipe for both).
import { spawn } from 'node:child_process';

export interface Captured {
  output: string;
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  spawnError?: string;
  seconds: number;
}

/** Output beyond this is dropped (a runaway guest must not exhaust the host). */
const OUTPUT_LIMIT = 8 << 20;

export function runCaptured(
  command: string,
  args: readonly string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs: number },
): Promise<Captured> {
  const started = process.hrtime.bigint();
  const seconds = (): number => Number(process.hrtime.bigint() - started) / 1e9;
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let timedOut = false;
    let settled = false;
    // One pipe for stdout and stderr (2>&1, the shell replaced by the command): with two pipes the
    // order of what arrives on each is lost (`println()` between two `fmt.Println`s came after both).
    const child = spawn('/bin/sh', ['-c', 'exec "$0" "$@" 2>&1', command, ...args], { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'inherit'] });
    child.stdout.on('data', (chunk: Buffer): void => {
      if (size >= OUTPUT_LIMIT) return;
      chunks.push(chunk);
      size += chunk.length;
    });
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs);
    const finish = (result: Omit<Captured, 'output' | 'seconds' | 'timedOut'>): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ ...result, output: Buffer.concat(chunks).toString('utf8'), timedOut, seconds: seconds() });
    };
    child.on('error', (e) => finish({ exitCode: null, signal: null, spawnError: e.message }));
    child.on('close', (code, signal) => finish({ exitCode: code, signal }));
  });
}

/** Runs `worker` over `items` with at most `jobs` in flight; results keep the input order. */
export async function pool<T, R>(items: readonly T[], jobs: number, worker: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const lanes = Array.from({ length: Math.max(1, Math.min(jobs, items.length)) }, async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await worker(items[i]!, i);
    }
  });
  await Promise.all(lanes);
  return results;
}
