// Whole Go programs under --deterministic virtual time with and without the compiled tier: the
// libc call trace (thread interleaving included), stdout and the instruction count must be
// identical, since virtual time is derived from the executed-instruction counters.
import { mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startProgram } from '../../../src/aix/run-program.js';
import { fixture, type FixtureName } from '../../helpers/toolchains.js';

const scratch = mkdtempSync(join(tmpdir(), 'jit-fixtures-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

async function runDeterministic(
  program: string,
  jit: boolean,
): Promise<{ trace: string[]; stdout: string; insns: number; compiled: number; outcome: string }> {
  const out = join(scratch, `out-${jit ? 'jit' : 'interp'}`);
  const fd = openSync(out, 'w');
  const trace: string[] = [];
  const saved = process.env.AIX_GDBSTUB_JIT;
  process.env.AIX_GDBSTUB_JIT = jit ? '1' : '0';
  try {
    const started = startProgram({
      program,
      args: [],
      env: [],
      stdio: [0, fd, fd],
      deterministic: true,
      strace: (line) => trace.push(line),
    });
    const outcome = await started.scheduler.runUntilStop();
    const cpu = started.cpu.cpu;
    expect(cpu.jit).toBe(jit);
    return { trace, stdout: '', insns: cpu.totalExecuted, compiled: cpu.jitExecuted, outcome: JSON.stringify(outcome) };
  } finally {
    // fd belongs to the guest's stdio now (the process layer closes it at exit)
    if (saved === undefined) delete process.env.AIX_GDBSTUB_JIT;
    else process.env.AIX_GDBSTUB_JIT = saved;
  }
}

describe('jit on whole programs (--deterministic)', () => {
  const cases: Array<[string, FixtureName]> = [
    ['go1.24-aix', 'cpuheavy'],
    ['go1.24-aix', 'goroutines'],
    ['go1.19-aix', 'goroutines'],
  ];
  for (const [toolchain, name] of cases) {
    it(`${toolchain}/${name}: same trace, output and instruction count with AIX_GDBSTUB_JIT=0 and 1`, async () => {
      const program = fixture(toolchain as 'go1.24-aix', name);
      const interp = await runDeterministic(program, false);
      interp.stdout = readFileSync(join(scratch, 'out-interp'), 'utf8');
      const jit = await runDeterministic(program, true);
      jit.stdout = readFileSync(join(scratch, 'out-jit'), 'utf8');
      expect(interp.stdout.length).toBeGreaterThan(0);
      expect(interp.trace.length).toBeGreaterThan(10);
      expect(jit.outcome).toBe(interp.outcome);
      expect(jit.stdout).toBe(interp.stdout);
      expect(jit.trace).toEqual(interp.trace);
      expect(jit.insns).toBe(interp.insns);
      expect(interp.compiled).toBe(0);
      if (name === 'cpuheavy') expect(jit.compiled / jit.insns).toBeGreaterThan(0.5);
    }, 60_000);
  }
});
