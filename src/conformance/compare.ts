// Judging one run the way Go 1.24's harness judges a `run` test (checkExpectedOutput):
// combined stdout+stderr, with \r\n folded to \n, must equal the .out golden file byte for
// byte (empty when there is none), and the program must exit 0.

export interface RunObservation {
  /** Combined stdout and stderr, in arrival order. */
  output: string;
  /** Exit status, or null when killed by a host signal. */
  exitCode: number | null;
  timedOut: boolean;
  /** Host-side failure to start the emulator (spawn error). */
  spawnError?: string;
}

export type Verdict =
  | { pass: true }
  | { pass: false; kind: 'timeout' | 'exit' | 'emulator' | 'host' | 'output' | 'spawn'; reason: string };

/** Prefix of lines the emulator writes about itself (as opposed to the guest's output). */
export const EMULATOR_LINE_PREFIX = 'aix-gdbstub';

/** First line where the two texts differ, 1-based, with both sides (undefined: past the end). */
export function firstDifference(
  got: string,
  want: string,
): { line: number; got: string | undefined; want: string | undefined } | undefined {
  if (got === want) return undefined;
  const g = got.split('\n');
  const w = want.split('\n');
  const n = Math.max(g.length, w.length);
  for (let i = 0; i < n; i++) {
    if (g[i] !== w[i]) return { line: i + 1, got: g[i], want: w[i] };
  }
  return undefined;
}

/** Shortens a line for a one-line reason. */
export function clip(s: string, max = 100): string {
  const flat = JSON.stringify(s);
  return flat.length <= max ? flat : `${flat.slice(0, max - 4)}…"`;
}

/** The emulator's own complaint, if it printed one (first line starting with its name). */
export function emulatorErrorLine(output: string): string | undefined {
  return output.split('\n').find((l) => l.startsWith(EMULATOR_LINE_PREFIX));
}

/**
 * The emulator itself died with an uncaught exception (Node prints its version last). Its
 * first error line, or undefined. Such a run says nothing about the guest.
 */
export function hostCrashLine(output: string): string | undefined {
  const lines = output.split('\n');
  if (!lines.some((l) => /^Node\.js v\d+/u.test(l))) return undefined;
  return lines.find((l) => /^\w*(Error|Exception)\b/u.test(l)) ?? lines.find((l) => l.trim() !== '');
}

/** Pass/fail with a one-line reason: timeout, emulator error, exit code, then output mismatch. */
export function judgeRun(obs: RunObservation, expected: string | null): Verdict {
  if (obs.spawnError !== undefined) return { pass: false, kind: 'spawn', reason: `cannot start emulator: ${obs.spawnError}` };
  if (obs.timedOut) {
    const last = obs.output.trimEnd().split('\n').pop() ?? '';
    return { pass: false, kind: 'timeout', reason: `timeout${last !== '' ? `; last output line ${clip(last, 80)}` : ''}` };
  }
  const got = obs.output.replaceAll('\r\n', '\n');
  const want = expected ?? '';
  const crash = obs.exitCode !== 0 ? hostCrashLine(got) : undefined;
  if (crash !== undefined) return { pass: false, kind: 'host', reason: `emulator crashed: ${clip(crash, 150)}` };
  const emulatorLine = emulatorErrorLine(got);
  if (emulatorLine !== undefined && got !== want) return { pass: false, kind: 'emulator', reason: clip(emulatorLine, 160) };
  if (obs.exitCode !== 0) {
    const status = obs.exitCode === null ? 'killed by host signal' : obs.exitCode > 128 ? `exit ${obs.exitCode} (signal ${obs.exitCode - 128})` : `exit ${obs.exitCode}`;
    const firstLine = got.split('\n').find((l) => l.trim() !== '');
    return { pass: false, kind: 'exit', reason: `${status}${firstLine !== undefined ? `; ${clip(firstLine, 100)}` : ''}` };
  }
  const diff = firstDifference(got, want);
  if (diff === undefined) return { pass: true };
  const label = expected === null ? 'expected no output' : `line ${diff.line}`;
  return {
    pass: false,
    kind: 'output',
    reason: `output mismatch, ${label}: got ${diff.got === undefined ? '<end>' : clip(diff.got, 60)}, want ${diff.want === undefined ? '<end>' : clip(diff.want, 60)}`,
  };
}

/** Pass rate in percent of applicable programs (passed + failed); 0 when there are none. */
export function passRate(passed: number, failed: number): number {
  const total = passed + failed;
  return total === 0 ? 0 : (100 * passed) / total;
}
