// The runtime views on the real emulator: hello and goroutines built with Go 1.24 and Go 1.19 run
// under the scheduler, and the views are taken at the moment a thread reaches an import's
// sentinel (before the emulator services it: what a catch-syscall entry stop sees).
import { describe, expect, it } from 'vitest';
import type { AixProcess } from '../../../src/aix/process.js';
import { startProgram } from '../../../src/aix/run-program.js';
import type { HostCall } from '../../../src/aix/sentinels.js';
import type { GuestThread } from '../../../src/aix/threads.js';
import { goProcessOf } from '../../../src/machine/go-process.js';
import { RuntimeViews, table } from '../../../src/goruntime/views.js';
import { fixture, repoRoot, type FixtureName } from '../../helpers/toolchains.js';

const TOOLCHAINS = ['go1.24-aix', 'go1.19-aix'] as const;

/** Runs a fixture to its end, calling `at` each time a thread reaches an import sentinel. */
function runWithHook(tc: (typeof TOOLCHAINS)[number], name: FixtureName, at: (proc: AixProcess, t: GuestThread, call: HostCall) => void): AixProcess {
  // A fixed argv[0] and a confined root (the guest's cwd is then '/'): otherwise the checkout path,
  // which Go copies from argv and getcwd, changes the instruction count and with it which moment
  // of the run each hook sees.
  const { process: proc, scheduler } = startProgram({
    program: fixture(tc, name), argv0: name, root: repoRoot, args: [], env: [], deterministic: true, stdio: [0, 2, 2],
  });
  const service = proc.hostCall.bind(proc);
  proc.hostCall = (t, call) => {
    if (call.kind === 'import') at(proc, t, call);
    service(t, call);
  };
  const end = scheduler.runToEnd();
  expect(end?.kind).toBe('ended');
  return proc;
}

describe.each(TOOLCHAINS)('runtime views on %s', (tc) => {
  it('monitor libcall at the entry of write shows fd 1, the bytes and count 21 from the libcall struct', () => {
    let libcall = '';
    let threads = '';
    let goroutines = '';
    let backtrace = '';
    let thread = 0;
    let summaries: ReturnType<RuntimeViews['threadSummaries']> = [];
    let snapshotRows: ReturnType<RuntimeViews['snapshot']>['threads'] = [];
    runWithHook(tc, 'hello', (proc, t, call) => {
      if (call.name !== 'write' || libcall !== '') return;
      const views = new RuntimeViews(goProcessOf(proc));
      thread = t.tid;
      summaries = views.threadSummaries();
      snapshotRows = views.snapshot().threads;
      libcall = views.formatLibcalls(String(t.tid));
      threads = views.formatThreads();
      goroutines = views.formatGoroutines();
      backtrace = views.formatGoroutineBacktrace('1');
    });
    expect(libcall).toContain(`M0, pthread ${thread} (gdb thread ${thread}): in libc.a(shr_64.o):write`);
    expect(libcall).toContain('decoded    write(1, "hello from aix/ppc64\\n", 21)');
    expect(libcall).toMatch(/libcall {4}0x[0-9a-f]+ via 112\(R1\) of asmsyscall6's frame/);
    expect(libcall).toMatch(/fn {7}0x[0-9a-f]+ \(slot of libc\.a\(shr_64\.o\):write\)/);
    expect(libcall).toContain('    n        3');
    expect(libcall).toMatch(/args {5}0x[0-9a-f]+ -> \[0x1, 0x[0-9a-f]+, 0x15\]/);
    expect(libcall).toContain('    err      0');
    // fmt.Println goes through the syscall package: libcallsp stays 0, curg is in _Gsyscall.
    expect(libcall).toContain('libcallsp  0x0');
    expect(libcall).toMatch(/curg {7}goroutine 1 in syscall: syscallpc runtime\.syscall_syscall6(\.abi0)?\+0x[0-9a-f]+/);

    // threads: every M's procid equals its pthread id; M0 runs goroutine 1 (in a syscall, on g0).
    const rows = threads.trim().split('\n');
    expect(rows[0]).toMatch(/^pthread +gdb +M +procid +on +curg +lockedg +flags +state +pc$/);
    const parsed = rows.slice(1).map((r) => r.split(/ {2,}/));
    expect(parsed.length).toBeGreaterThanOrEqual(2);
    for (const cells of parsed) {
      expect(cells[2]).toMatch(/^M\d+$/);
      expect(cells[3]).toBe(cells[0]);
    }
    const m0 = parsed.find((c) => c[2] === 'M0')!;
    expect(m0[0]).toBe(String(thread));
    expect(m0[4]).toBe('g0');
    expect(m0[5]).toBe('g1 syscall');
    expect(m0[m0.length - 1]).toBe('<libc.a(shr_64.o):write>');

    expect(goroutines).toMatch(/^1 +syscall +M0 +runtime\.syscall_syscall6\S* +syscall\.write \S+zsyscall_aix_ppc64\.go:\d+ +runtime\.main$/m);
    // monitor goroutine 1 bt: from g.syscallpc/sp (its M is on g0 in the write) up to runtime.goexit.
    const bt = backtrace.split('\n').filter((l) => l.startsWith('#')).map((l) => /^#\d+ +(?:0x[0-9a-f]+ in )?(\S+)/.exec(l)![1]);
    expect(backtrace).toMatch(/^goroutine 1 \[syscall\] on M0:$/m);
    expect(bt[0]).toBe('runtime.syscall_syscall6');
    expect(bt.slice(-3)).toEqual(['main.main', 'runtime.main', 'runtime.goexit']);
    for (const f of ['syscall.write', 'fmt.Fprintln', 'fmt.Println']) expect(bt).toContain(f);
    expect(backtrace).not.toContain('(stopped:');

    // The lean per-stop summary (gdb's thread names) says what the full snapshot says.
    const expected = snapshotRows.filter((r) => r.m !== undefined).map((r) => ({ tid: r.thread.tid, gdbThreadId: r.thread.gdbThreadId, mId: r.m!.id, goid: r.curg?.goid }));
    expect(summaries).toEqual(expected);
    expect(summaries.find((s) => s.gdbThreadId === thread)).toEqual({ tid: thread, gdbThreadId: thread, mId: 0n, goid: 1n });
    expect(goroutines).toMatch(/^goid +status +wait reason +M +pc +user +start$/m);
    expect(goroutines).toMatch(/ runtime\.main$/m);
    expect(goroutines).toMatch(/waiting +force gc \(idle\) .* runtime\.forcegchelper$/m);
  });

  it('a thread blocked inside sem_wait or usleep shows its libcall frame and the runtime caller (libcallpc)', () => {
    let text = '';
    let n = 0;
    runWithHook(tc, 'hello', (proc) => {
      if (text !== '' || n++ < 40) return;
      const t = proc.liveThreads().find((x) => x.status === 'blocked' && x.current !== undefined);
      if (t === undefined) return;
      text = new RuntimeViews(goProcessOf(proc)).formatLibcalls(String(t.tid));
    });
    expect(text).toMatch(/pthread \d+ \(gdb thread \d+\): blocked in libc\.a\(shr_64\.o\):(sem_wait|usleep|sem_timedwait)/);
    expect(text).toMatch(/libcallpc  runtime\.(semasleep|usleep)\+0x[0-9a-f]+ \(0x[0-9a-f]+\)/);
    expect(text).toMatch(/libcallg   0x[0-9a-f]+ \(g0 of M\d+\)/);
  });

  it('monitor goroutines on the goroutines fixture lists the workers with their user frame; goroutine N bt unwinds each', () => {
    let text = '';
    const bts: string[] = [];
    runWithHook(tc, 'goroutines', (proc) => {
      if (text !== '') return;
      const views = new RuntimeViews(goProcessOf(proc));
      const g = views.formatGoroutines();
      if ((g.match(/ → main\.worker$/gm) ?? []).length !== 4) return;
      text = g;
      for (const line of g.split('\n').filter((l) => l.endsWith(' → main.worker'))) bts.push(views.formatGoroutineBacktrace(line.split(' ')[0]!));
    });
    expect(text).not.toBe('');
    expect(bts.length).toBe(4);
    for (const bt of bts) {
      // Parked (or runnable) workers unwind from g.sched; running ones from their thread's registers.
      // A worker that has not run yet stands at the entry of its go-statement wrapper.
      expect(bt).toMatch(/^#\d+ +(0x[0-9a-f]{16} in )?main\.(worker|main\.gowrap1|main\.func2) at \S+goroutines\/main\.go:\d+$/m);
      expect(bt).toMatch(/in runtime\.goexit at runtime\/asm_ppc64x\.s:\d+\ncreated by main\.main at \S+goroutines\/main\.go:\d+\n$/);
      expect(bt).not.toContain('(stopped:');
    }
    const workers = text.split('\n').filter((l) => l.endsWith(' → main.worker'));
    expect(workers).toHaveLength(4);
    for (const w of workers) expect(w).toMatch(/^\d+ +(runnable|running|waiting|syscall|preempted).* main\.(worker|main\.gowrap1|main\.func2) \S+goroutines\/main\.go:\d+ +main\.main\.\S+ → main\.worker$/);
  });
});

describe('views without a process', () => {
  it('table pads columns and leaves the last one ragged', () => {
    expect(table(['a', 'bb', 'c'], [['xxx', 'y', 'z'], ['1', '22222', '']])).toEqual(['a    bb     c', 'xxx  y      z', '1    22222']);
  });
});
