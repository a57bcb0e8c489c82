// gdb's own unwinder across Go's stack switches (src/goruntime/stack-switch-cfi.ts), with stock
// gdb-multiarch and nothing but `target remote`, on Go 1.24 and Go 1.19 builds: from a libc call on
// g0 back onto the goroutine (bt, finish, up, frame N, MI -stack-list-frames), and every thread of a
// busy program stopped mid-run, each chain ending where Go's stacks naturally end.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDwarf } from '../../src/dwarf/index.js';
import { parseXcoff } from '../../src/xcoff/index.js';
import { fixture } from '../helpers/toolchains.js';
import { GdbMi, gdbBatch, requireGdb, startServe, stopAllServes } from './serve-helpers.js';

beforeAll(() => requireGdb());
afterAll(() => stopAllServes());

interface Frame {
  level: number;
  name: string;
  /** False for an inlined frame (gdb prints no address for it) and for frame 0 at a line start. */
  hasAddress: boolean;
}

/** The frames of one `bt` listing (lines `#N  [0x... in] NAME (args) [at file:line]`). */
function frames(listing: string): Frame[] {
  const out: Frame[] = [];
  for (const line of listing.split('\n')) {
    const m = /^#(\d+) +(0x[0-9a-f]+ in )?(\S+) \(/.exec(line);
    if (m) out.push({ level: Number(m[1]), name: m[3]!, hasAddress: m[2] !== undefined });
  }
  return out;
}

/** The `bt` listings of `thread apply all bt`, by gdb thread number. */
function threadListings(out: string): Map<number, string> {
  const parts = out.split(/^Thread (\d+) \(/m);
  const byThread = new Map<number, string>();
  for (let i = 1; i + 1 < parts.length; i += 2) byThread.set(Number(parts[i]), parts[i + 1]!);
  return byThread;
}

/** Names a frame may carry: functions in the symbol table, the emulator's libc entries, and DWARF's (inlined ones). */
function knownNames(program: string): Set<string> {
  const image = parseXcoff(readFileSync(program));
  const names = new Set(image.symbols.map((s) => s.name));
  for (const imp of image.imports) names.add(imp.name);
  for (const n of parseDwarf(image.dwarfSections()).functionNames()) names.add(n);
  return names;
}

/** Asserts that `names` contains each of `wanted` in this order (other frames may lie between). */
function expectInOrder(names: readonly string[], wanted: readonly string[], context: string): void {
  let at = 0;
  for (const w of wanted) {
    const i = names.indexOf(w, at);
    expect(i, `${w} after frame ${at} in:\n${context}`).toBeGreaterThanOrEqual(0);
    at = i + 1;
  }
}

/** Where a Go stack chain ends by itself: the goroutine's entry, an M's start, a switch gdb cannot follow. */
// gogo: a thread stopped while gogo installs the next goroutine's registers (its CFI has no caller).
const CHAIN_ENDS = ['runtime.goexit', 'runtime.mstart', 'runtime.rt0_go', 'runtime.mcall', 'runtime.morestack', 'tstart', 'gogo', 'main.main'];

describe.each(['go1.24-aix', 'go1.19-aix'] as const)('unwinding across stack switches on %s', (tc) => {
  const writeChain = ['write', 'asmsyscall6', 'runtime.asmcgocall', 'runtime.syscall_syscall6', 'syscall.write', 'os.(*File).Write', 'fmt.Fprintln', 'fmt.Println', 'main.main'];

  it('catch syscall write on hello: bt runs from the libc import to main.main; up, frame N and finish follow it', async () => {
    const s = await startServe(fixture(tc, 'hello'));
    const out = await gdbBatch(s.port, [
      'catch syscall write', 'continue', 'echo ==bt\\n', 'bt', 'echo ==past-main\\n', 'set backtrace past-main on', 'bt', 'set backtrace past-main off',
      'echo ==up\\n', 'up 3', 'info frame', 'echo ==frame\\n', 'frame 4', 'echo ==python\\n', "python print('|'.join((lambda walk: walk(walk, gdb.newest_frame()))(lambda walk, f: [f.name()] + walk(walk, f.older()) if f else [])))",
      'echo ==finish\\n', 'frame 0', 'delete', 'finish', 'bt 2',
      'echo ==finish2\\n', 'up', 'finish', 'bt 1', 'echo ==end\\n', 'kill',
    ]);
    const section = (name: string) => out.split(`==${name}\n`)[1]!.split('\n==')[0]!;
    const bt = frames(section('bt'));
    expectInOrder(bt.map((f) => f.name), writeChain, out);
    expect(bt[0]!.name, out).toBe('write');
    expect(bt[bt.length - 1]!.name, out).toBe('main.main');
    expect(out).not.toMatch(/Backtrace stopped|\?\?/);
    // Past main the chain goes on to runtime.main and ends at runtime.goexit, gdb's outermost frame.
    const full = frames(section('past-main'));
    expect(full.slice(-2).map((f) => f.name), out).toEqual(['runtime.main', 'runtime.goexit']);
    // up 3 selects the goroutine-side caller of asmcgocall; its frame is on the goroutine stack.
    expect(section('up'), out).toMatch(/^#3 +0x[0-9a-f]+ in runtime\.syscall_syscall6 /m);
    expect(section('up'), out).toMatch(/Stack level 3, frame at 0xa0[0-9a-f]{13}:/);
    expect(section('frame'), out).toMatch(/^#4 +0x[0-9a-f]+ in syscall\.write /m);
    // gdb's Python frame API walks the same chain.
    expect(section('python').trim().split('|'), out).toEqual(bt.map((f) => f.name));
    // finish out of the import returns into asmsyscall6, right after its call (a batch gdb does not
    // print "Run till exit from"; it prints where it stopped).
    expect(section('finish'), out).toMatch(/^asmsyscall6 \(\) at runtime\/sys_aix_ppc64\.s:\d+$/m);
    expect(section('finish'), out).toMatch(/^#0 +asmsyscall6 \(\)/m);
    expect(section('finish'), out).toMatch(/^#1 +0x[0-9a-f]+ in runtime\.asmcgocall \(\)/m);
    // finish out of asmcgocall crosses back from g0 onto the goroutine's stack.
    expect(section('finish2'), out).toMatch(/^#0 +runtime\.syscall_syscall6 \(/m);
    await s.stop();
  });

  it('through systemstack: a heap span allocated on g0 unwinds back to the goroutine that asked for it', async () => {
    const s = await startServe(fixture(tc, 'goroutines'));
    const out = await gdbBatch(s.port, ['break main.worker', 'continue', 'delete', 'break runtime.(*mheap).allocSpan', 'continue', 'echo ==bt\\n', 'bt', 'info frame', 'echo ==end\\n', 'kill'], { timeoutMs: 240_000 });
    const listing = out.split('==bt\n')[1]!.split('\n==end')[0]!;
    const names = frames(listing).map((f) => f.name);
    expectInOrder(names, ['runtime.(*mheap).allocSpan', 'runtime.systemstack', 'runtime.(*mheap).alloc'], out);
    expect(['runtime.goexit', 'runtime.mstart', 'runtime.mcall'], out).toContain(names[names.length - 1]);
    expect(out).not.toMatch(/Backtrace stopped|\?\?/);
    // allocSpan runs on the M's g0 stack (below the mmap area), its callers on the goroutine's.
    expect(listing, out).toMatch(/Stack level 0, frame at 0x8f[0-9a-f]+:/);
    await s.stop();
  });

  it('MI -stack-list-frames at the write import lists the same chain', async () => {
    const s = await startServe(fixture(tc, 'hello'));
    const mi = new GdbMi();
    try {
      await mi.send(`-target-select remote 127.0.0.1:${s.port}`, /\^connected/);
      await mi.send('-interpreter-exec console "catch syscall write"', /\^done/);
      await mi.send('-exec-continue', /\*stopped,reason="syscall-entry"/, 120_000);
      const listed = await mi.send('-stack-list-frames', /\^(done|error)/);
      expect(listed).toMatch(/\^done,stack=\[/);
      const funcs = [...listed.matchAll(/frame=\{level="(\d+)",addr="0x[0-9a-f]+",func="([^"]+)"/g)].map((m) => m[2]!);
      expectInOrder(funcs, writeChain, listed);
      expect(funcs[funcs.length - 1], listed).toBe('main.main');
      await mi.send('-gdb-exit', /\^exit/);
    } finally {
      mi.kill();
    }
    await s.stop();
  });

  it('a thread stopped inside asmcgocall\'s switch to g0, before it saves the old g and depth, unwinds through the old SP register', async () => {
    // asmcgocall+0x58 (the rldcr that aligns R1 for C): R1 is already on g0 and only R7 holds the
    // goroutine's SP. `$r5 != $r30` keeps the path that switched (R5 the old g, R30 g0 by then);
    // the libcall in R4 naming write keeps Println's call: a goroutine may first reach asmcgocall
    // for another libc call (osyield in a contended lock when the host is loaded, as once in CI).
    const program = fixture(tc, 'hello');
    const image = parseXcoff(readFileSync(program));
    const name = tc === 'go1.24-aix' ? 'runtime.asmcgocall' : 'runtime.asmcgocall.abi0';
    const at = image.symbols.find((sym) => sym.name === name)!.address + 0x58n;
    const libcWrite = image.symbols.find((sym) => sym.name === 'libc_write')!.address;
    const s = await startServe(program);
    const cond = `$r5 != $r30 && *(unsigned long *)$r4 == 0x${libcWrite.toString(16)}`;
    const out = await gdbBatch(s.port, ['break main.main', 'continue', 'delete', 'set language c', `break *0x${at.toString(16)} if ${cond}`, 'set language auto', 'continue', 'echo ==bt\n', 'bt', 'echo ==end\n', 'kill']);
    const listing = out.split('==bt\n')[1]!.split('\n==end')[0]!;
    const names = frames(listing).map((f) => f.name);
    expect(names[0], out).toBe('runtime.asmcgocall');
    expectInOrder(names, ['runtime.syscall_syscall6', 'syscall.write', 'fmt.Println', 'main.main'], out);
    expect(names[names.length - 1], out).toBe('main.main');
    expect(out).not.toMatch(/Backtrace stopped|\?\?/);
    await s.stop();
  });

  it('thread apply all bt on goroutines (GOMAXPROCS=4) stopped mid-run: named frames only, each chain at a natural end', async () => {
    const program = fixture(tc, 'goroutines');
    const known = knownNames(program);
    const s = await startServe(program, [], ['--env', 'GOMAXPROCS=4']);
    const out = await gdbBatch(s.port, ['break runtime.GC', 'continue', 'delete', 'info threads', 'thread apply all bt', 'kill'], { timeoutMs: 240_000 });
    expect(out).toMatch(/hit Breakpoint 1, runtime\.GC/);
    expect(out).not.toMatch(/Backtrace stopped|\?\?|<signal handler called>/);
    const listings = threadListings(out);
    expect(listings.size, out).toBeGreaterThanOrEqual(4);
    for (const [thread, listing] of listings) {
      const fs = frames(listing);
      expect(fs.length, `thread ${thread}:\n${listing}`).toBeGreaterThan(0);
      for (const f of fs) expect(known.has(f.name), `thread ${thread} frame #${f.level} ${f.name}:\n${listing}`).toBe(true);
      expect(CHAIN_ENDS, `thread ${thread} ends at ${fs[fs.length - 1]!.name}:\n${listing}`).toContain(fs[fs.length - 1]!.name);
    }
    await s.stop();
  });

  it('thread N + bt on a pthread whose M sleeps in libc shows the call down from the M start (MI)', async () => {
    const s = await startServe(fixture(tc, 'goroutines'), [], ['--env', 'GOMAXPROCS=4']);
    const mi = new GdbMi();
    try {
      await mi.send(`-target-select remote 127.0.0.1:${s.port}`, /\^connected/);
      // Stop wherever goroutines park until some M sleeps in libc: gdb names its thread
      // "pthread N, M<id> (sem_wait)" or "... (usleep)".
      await mi.send('-break-insert runtime.gopark', /\^done/);
      let m: RegExpExecArray | null = null;
      let info = '';
      for (let stop = 0; stop < 20 && m === null; stop++) {
        await mi.send('-exec-continue', /\*stopped,reason="breakpoint-hit"/, 240_000);
        info = await mi.send('-thread-info', /\^(done|error)/);
        // gdb shows the name as details= when the stub gives it on demand (goroutine threads).
        m = /id="(\d+)",target-id="[^"]*",(?:name|details)="pthread \d+, M\d+[^"]*\((sem_wait|usleep)\)"/.exec(info);
      }
      expect(m, info).not.toBeNull();
      const [, gdbThread, call] = m!;
      await mi.send(`-thread-select ${gdbThread}`, /\^done/);
      await mi.send('-interpreter-exec console "bt"', /\^(done|error)/);
      const listed = await mi.send('-stack-list-frames', /\^(done|error)/);
      const names = [...listed.matchAll(/frame=\{level="\d+",addr="0x[0-9a-f]+",func="([^"]+)"/g)].map((x) => x[1]!);
      expectInOrder(names, [call!, 'asmsyscall6', 'runtime.asmcgocall', 'runtime.syscall1'], listed);
      expect(names.some((n) => n === 'runtime.usleep' || n === 'runtime.semasleep'), listed).toBe(true);
      // The chain's natural ends on g0 (README): the M's start, or mcall/morestack, whose goroutine
      // may already run on another M.
      expect(['runtime.mstart', 'runtime.mcall', 'runtime.morestack'], listed).toContain(names[names.length - 1]);
      expect(mi.output).not.toMatch(/Backtrace stopped|\?\?/);
      await mi.send('-gdb-exit', /\^exit/);
    } finally {
      mi.kill();
    }
    await s.stop();
  });

  it('monitor goroutine N bt (the stub\'s own unwinder) agrees with gdb\'s bt; monitor goroutines shows the user frame', async () => {
    const s = await startServe(fixture(tc, 'goroutines'), [], ['--env', 'GOMAXPROCS=4']);
    const out = await gdbBatch(s.port, [
      'break runtime.GC', 'continue', 'delete', 'set backtrace past-main on', 'echo ==gdb\\n', 'bt', 'echo ==goroutines\\n', 'monitor goroutines',
      'echo ==g1\\n', 'monitor goroutine 1 bt', 'echo ==g2\\n', 'monitor goroutine 2', 'echo ==bad\\n', 'monitor goroutine 99999 bt', 'monitor goroutine', 'echo ==end\\n', 'kill',
    ], { timeoutMs: 240_000 });
    const section = (name: string) => out.split(`==${name}\n`)[1]!.split('\n==')[0]!;
    // gdb's thread stopped at runtime.GC runs goroutine 1: both unwinders list the same functions.
    const gdbNames = frames(section('gdb')).map((f) => f.name);
    const stubNames = section('g1').split('\n').filter((l) => l.startsWith('#')).map((l) => /^#\d+ +(?:0x[0-9a-f]+ in )?(\S+)/.exec(l)![1]!);
    expect(stubNames, out).toEqual(gdbNames);
    expect(stubNames.slice(-3), out).toEqual(['main.main', 'runtime.main', 'runtime.goexit']);
    expect(section('g1'), out).toMatch(/^goroutine 1 \[running\] on M\d+:$/m);
    // goroutine 2 (forcegchelper) is parked: it unwinds from its saved g.sched.
    const g2 = section('g2');
    expect(g2, out).toMatch(/^goroutine 2 \[waiting, force gc \(idle\)\]:$/m);
    expect(g2, out).toMatch(/^#0 +0x[0-9a-f]{16} in runtime\.gopark at runtime\/proc\.go:\d+$/m);
    // gopark's caller goparkunlock is inlined into forcegchelper: two frames, one address, as in gdb.
    expect(g2, out).toMatch(/^#1 +0x[0-9a-f]{16} in runtime\.goparkunlock at runtime\/proc\.go:\d+\n#2 +runtime\.forcegchelper at runtime\/proc\.go:\d+\n#3 +0x[0-9a-f]{16} in runtime\.goexit at /m);
    expect(g2, out).not.toContain('(stopped:');
    const table = section('goroutines');
    expect(table, out).toMatch(/^goid +status +wait reason +M +pc +user +start$/m);
    expect(table, out).toMatch(/^1 +running +M\d+ +runtime\.GC\+0x[0-9a-f]+ +runtime\.GC runtime\/mgc\.go:\d+ +runtime\.main$/m);
    const workers = table.split('\n').filter((l) => l.endsWith(' → main.worker'));
    expect(workers, out).toHaveLength(4);
    // The user frame is the first outside the runtime's internals: main.worker's, or runtime.Gosched
    // (exported, so a user frame, as in Delve) for a worker stopped inside the Gosched it calls.
    for (const w of workers) expect(w, out).toMatch(/ (main\.(worker|main\.gowrap1|main\.func2) \S+\/main\.go:\d+|runtime\.Gosched \S+\/proc\.go:\d+) /);
    expect(section('bad'), out).toContain('no goroutine 99999 (monitor goroutines lists them)');
    expect(section('bad'), out).toContain('usage: monitor goroutine N [bt]');
    await s.stop();
  });

  it('a goroutine stopped half switched in by gogo shows where it resumes (its g.sched), not gogo', async () => {
    // CI stopped a worker at gogo+0x20 once: the table then had no user frame for it. Stop there on
    // purpose, a few times (--deterministic: the same switches every run), and read the table.
    const s = await startServe(fixture(tc, 'goroutines'), [], ['--env', 'GOMAXPROCS=4', '--deterministic']);
    const stops = Array.from({ length: 6 }, (_, i) => [`echo ==stop${i}\\n`, 'continue', 'bt', 'monitor goroutines']).flat();
    const out = await gdbBatch(s.port, ['break main.worker', 'continue', 'delete', 'break *(gogo+32)', ...stops, 'echo ==end\\n', 'kill'], { timeoutMs: 240_000 });
    const switching = out.split('\n').filter((l) => / gogo\+0x20 /.test(l) && l.endsWith(' → main.worker'));
    expect(switching.length, out).toBeGreaterThan(0);
    for (const l of switching) expect(l, out).toMatch(/^\d+ +running +M\d+ +gogo\+0x20 +main\.(worker|main\.gowrap1|main\.func2) \S+\/main\.go:\d+ /);
    // gdb's own bt of the thread inside gogo ends there cleanly (gogo's CFI: no caller at any pc).
    expect(out, out).toMatch(/^#0 +gogo \(\) at /m);
    expect(out, out).not.toMatch(/Backtrace stopped|\?\?/);
    await s.stop();
  });
});
