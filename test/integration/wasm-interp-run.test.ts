// The Wasm interpreter (src/cpu/wasm/interp.ts) on real Go programs: a --deterministic run is the
// same, call by call and at the same guest times, with it (the default) and without it
// (AIX_GDBSTUB_WASM_INTERP=0, interpreting in JavaScript only). Counts, compile decisions and
// every libc call's arguments and results would show in the trace if it ran anything differently.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCliAsync, cli } from '../helpers/cli.js';
import { fixture } from '../helpers/toolchains.js';

let scratch: string;

beforeAll(async () => {
  await buildCliAsync();
  scratch = mkdtempSync(join(tmpdir(), 'wasm-interp-run-'));
});

afterAll(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

/** stdout and the --strace-json trace (guest times included) of a --deterministic run. */
async function traced(program: string, args: string[], interp: '0' | '1'): Promise<{ stdout: string; trace: string }> {
  const out = join(scratch, `trace-${interp}.json`);
  const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', AIX_GDBSTUB_WASM_INTERP: interp };
  const { stdout } = await promisify(execFile)(process.execPath, [cli, 'run', '--deterministic', '--strace-json', '--strace-tt', '--strace-out', out, program, ...args], {
    env,
    maxBuffer: 1 << 26,
  });
  return { stdout, trace: readFileSync(out, 'utf8') };
}

describe('the Wasm interpreter on Go programs', () => {
  it.each([
    ['go1.24-aix', 'hello', []],
    ['go1.24-aix', 'chansieve', ['200']],
    ['go1.24-aix', 'timers', []],
    ['go1.19-aix', 'goroutines', []],
  ] as const)('%s %s: a --deterministic run traces the same calls at the same times with and without it', async (tc, name, args) => {
    const program = fixture(tc, name);
    const off = await traced(program, [...args], '0');
    const on = await traced(program, [...args], '1');
    expect(on.trace.split('\n').length).toBeGreaterThan(100);
    expect(on.stdout).toBe(off.stdout);
    expect(on.trace).toBe(off.trace);
  }, 120_000);
});
