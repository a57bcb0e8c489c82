// `aix-gdbstub serve` with stock gdb-multiarch on the Go fixtures: zero-setup connect, symbols,
// breakpoints, backtraces, threads, stepping and the program's exit status.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { fixture, fixturesSourceDir, repoRoot } from '../helpers/toolchains.js';
import { gdbBatch, requireGdb, startServe, stopAllServes } from './serve-helpers.js';

beforeAll(requireGdb);
afterEach(stopAllServes);

const SUBSTITUTE = `set substitute-path aixgdbstub/fixtures ${repoRoot}/test/fixtures`;

describe('serve + gdb-multiarch (Go 1.24)', () => {
  it('connects with zero setup: symbols load by themselves, PC is the entry __start', async () => {
    const s = await startServe(fixture('go1.24-aix', 'hello'), [], ['--once']);
    const out = await gdbBatch(s.port, ['info symbol $pc', 'show architecture', 'kill']);
    expect(out, out).toContain('Reading symbols from target:');
    expect(out, out).toMatch(/__start in section \.text/);
    expect(out, out).toContain('powerpc:common64');
    expect(s.stderr()).toMatch(/client connected from 127\.0\.0\.1:\d+/);
    expect(await s.exited).not.toBeNull();
    expect(s.stderr()).toMatch(/client 127\.0\.0\.1:\d+ disconnected/);
  });

  it('break main.main, continue, bt shows main.main <- runtime.main, then runs to a normal exit', async () => {
    const s = await startServe(fixture('go1.24-aix', 'hello'), [], ['--once']);
    const out = await gdbBatch(s.port, [SUBSTITUTE, 'break main.main', 'continue', 'set backtrace past-main on', 'bt', 'list 8,8', 'delete', 'continue']);
    expect(out, out).toMatch(/Breakpoint 1 at 0x[0-9a-f]+: file aixgdbstub\/fixtures\/hello\/main\.go, line 7\./);
    expect(out, out).toMatch(/hit Breakpoint 1, main\.main \(\) at aixgdbstub\/fixtures\/hello\/main\.go:7/);
    expect(out, out).toMatch(/#0 +main\.main \(\) at [^\n]*main\.go:7\n#1 +0x[0-9a-f]+ in runtime\.main \(\)/);
    expect(out, out).toContain('fmt.Println("hello from aix/ppc64")');
    expect(out, out).toMatch(/\[Inferior 1 \((process \d+|Remote target)\) exited normally\]/);
    expect(s.stdout()).toBe('hello from aix/ppc64\n');
  });

  it('reports the exit code of args --exit=3', async () => {
    const s = await startServe(fixture('go1.24-aix', 'args'), ['--exit=3'], ['--once']);
    const out = await gdbBatch(s.port, ['continue']);
    expect(out, out).toMatch(/\[Inferior 1 \((process \d+|Remote target)\) exited with code 03\]/);
    expect(s.stdout()).toContain('arg[1]="--exit=3"');
    expect(await s.exited).toBe(3);
  });
});

describe('serve: faults and monitor', () => {
  it('a nil dereference stops gdb with SIGSEGV at the faulting instruction; continuing hands it to Go, which recovers', async () => {
    const s = await startServe(fixture('go1.24-aix', 'nilderef'), [], ['--once']);
    // With the source found, gdb prints the line on stdout: no stderr "No such file" inside x/i's output.
    const sources = `set substitute-path aixgdbstub/fixtures ${fixturesSourceDir}`;
    const out = await gdbBatch(s.port, [sources, 'continue', 'x/i $pc', 'continue', 'continue', 'continue']);
    expect(out, out).toMatch(/received signal SIGSEGV, Segmentation fault\.\n(\[Switching to Thread \d+\]\n)?0x[0-9a-f]+ in main\.load \(n=0x0/);
    expect(out, out).toMatch(/=> 0x[0-9a-f]+ <main\.load\+\d+>:\s+st/);
    expect(out, out).toMatch(/exited normally/);
    expect(s.stdout()).toContain('nil load: recovered: runtime error: invalid memory address or nil pointer dereference');
    expect(s.stdout()).toContain('nilderef done');
  });

  it('monitor help lists the registered commands', async () => {
    const s = await startServe(fixture('go1.24-aix', 'hello'), [], ['--once']);
    const out = await gdbBatch(s.port, ['monitor help', 'monitor nonsense', 'kill']);
    expect(out, out).toMatch(/aix-gdbstub monitor commands:\n(  \S+ +.+\n)*  help +list the monitor commands/);
    expect(out, out).toContain("unknown monitor command 'nonsense'");
  });
});

describe('serve + gdb-multiarch (Go 1.19)', () => {
  it('connects, breaks at main.main and shows the backtrace', async () => {
    const s = await startServe(fixture('go1.19-aix', 'hello'), [], ['--once']);
    const out = await gdbBatch(s.port, ['info symbol $pc', 'break main.main', 'continue', 'set backtrace past-main on', 'bt', 'kill']);
    expect(out, out).toMatch(/__start in section \.text/);
    expect(out, out).toMatch(/hit Breakpoint 1, main\.main \(\) at aixgdbstub\/fixtures\/hello\/main\.go:7/);
    expect(out, out).toMatch(/#1 +0x[0-9a-f]+ in runtime\.main \(\)/);
  });
});
