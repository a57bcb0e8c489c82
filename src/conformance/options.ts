// Option helpers shared by the conformance runners (main.ts: Go's test/ programs; stdlib.ts:
// standard-library package tests).
import { availableParallelism, loadavg } from 'node:os';

/** `--help`: print the usage and exit 0. */
export function exitWithUsage(usage: string): never {
  process.stdout.write(`${usage}\n`);
  process.exit(0);
}

/** A numeric option's value: positive, or with `allowZero` non-negative; otherwise a clear error. */
export function numberOption(name: string, text: string, allowZero = false): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n < 0 || (n === 0 && !allowZero)) {
    throw new Error(`--${name} needs a ${allowZero ? 'non-negative' : 'positive'} number, got ${text}`);
  }
  return n;
}

/**
 * How much longer than --timeout a program may take: GO_TEST_TIMEOUT_SCALE when set (Go's own
 * harness scales its limits on slow builders with it), else how oversubscribed the CPUs are as
 * the program starts (load average / CPUs, 1 to 8). The limit is there to catch hangs; a
 * CPU-bound program (fixedbugs/issue16037_run.go runs about 210 M guest instructions of
 * html/template, then a host `go build`) must not fail because other work shares the machine.
 */
export function timeoutScale(env = process.env, load = loadavg()[0] ?? 0, cpus = availableParallelism()): number {
  const fixed = Number(env['GO_TEST_TIMEOUT_SCALE']);
  if (env['GO_TEST_TIMEOUT_SCALE'] !== undefined && Number.isFinite(fixed) && fixed >= 1) return fixed;
  return Math.min(8, Math.max(1, load / Math.max(1, cpus)));
}
