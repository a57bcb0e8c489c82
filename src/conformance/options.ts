// Option helpers shared by the conformance runners (main.ts: Go's test/ programs; stdlib.ts:
// standard-library package tests).

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
