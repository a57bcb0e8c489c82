// `serve` process control with stock gdb-multiarch: stepping, watchpoints, threads, Ctrl-C (MI
// -exec-interrupt), detach and reconnect, extended-remote run, kill, a second client refused, and a
// client vanishing while the guest runs.
import net from 'node:net';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { fixture } from '../helpers/toolchains.js';
import { GdbMi, gdbBatch, requireGdb, sleep, startServe, stopAllServes } from './serve-helpers.js';

beforeAll(requireGdb);
afterEach(stopAllServes);

describe('serve: stepping, threads and watchpoints', () => {
  it('stepi, nexti, next and finish move through main.pingPong and back to main.main', async () => {
    const s = await startServe(fixture('go1.24-aix', 'goroutines'), [], ['--once']);
    const out = await gdbBatch(s.port, [
      'break main.pingPong', 'continue', 'delete',
      'stepi', 'p/x $pc', 'nexti', 'p/x $pc', 'next', 'next', 'finish', 'kill',
    ]);
    const bp = /hit Breakpoint 1, main\.pingPong \(rounds=500[^\n]*main\.go:44/.exec(out);
    expect(bp, out).not.toBeNull();
    const pcs = [...out.matchAll(/^\$\d+ = 0x([0-9a-f]+)$/gm)].map((m) => BigInt('0x' + m[1]));
    expect(pcs.length, out).toBe(2);
    expect(pcs[1]! - pcs[0]!, out).toBe(4n); // nexti over a non-call instruction
    expect(out, out).toMatch(/^45\t/m); // next: line 44 -> 45 -> 46
    expect(out, out).toMatch(/^46\t/m);
    // finish: back in the caller, right after the call.
    expect(out, out).toMatch(/0x[0-9a-f]+ in main\.main \(\) at aixgdbstub\/fixtures\/goroutines\/main\.go:114/);
  });

  it('--osabi none: gdb assumes no OS, refuses catch syscall, and steps, finishes and backtraces as before', async () => {
    const s = await startServe(fixture('go1.24-aix', 'goroutines'), [], ['--once', '--osabi', 'none']);
    const out = await gdbBatch(s.port, [
      'show osabi', 'catch syscall write', 'break main.pingPong', 'continue', 'delete',
      'stepi', 'next', 'bt', 'finish', 'kill',
    ]);
    expect(out, out).toContain('(currently "none")');
    expect(out, out).toContain("The feature 'catch syscall' is not supported on this architecture yet.");
    expect(out, out).toMatch(/hit Breakpoint 1, main\.pingPong \(rounds=500/);
    expect(out, out).toMatch(/^#1 +0x[0-9a-f]+ in main\.main \(\) at aixgdbstub\/fixtures\/goroutines\/main\.go:114/m);
    expect(out, out).toMatch(/0x[0-9a-f]+ in main\.main \(\) at aixgdbstub\/fixtures\/goroutines\/main\.go:114/);
  });

  it('by default target.xml names GNU/Linux, so catch syscall works with any gdb build', async () => {
    const s = await startServe(fixture('go1.24-aix', 'hello'), [], ['--once']);
    const out = await gdbBatch(s.port, ['set osabi none', 'set osabi auto', 'show osabi', 'catch syscall write', 'continue', 'kill']);
    expect(out, out).toContain('(currently "GNU/Linux")');
    expect(out, out).toMatch(/Catchpoint 1 \(call to syscall write\)/);
  });

  it('with --threads pthreads, info threads lists every guest thread (4+ with GOMAXPROCS=4)', async () => {
    const s = await startServe(fixture('go1.24-aix', 'goroutines'), [], ['--once', '--threads', 'pthreads', '--env', 'GOMAXPROCS=4']);
    const out = await gdbBatch(s.port, ['break main.pingPong', 'continue', 'info threads', 'kill']);
    const rows = out.match(/^[* ] +\d+ +Thread \d+ "pthread \d+[^"]*"/gm) ?? [];
    expect(rows.length, out).toBeGreaterThanOrEqual(4);
    // Names carry the Go M and, for a thread running Go code, its goroutine.
    expect(out, out).toMatch(/^\* +\d+ +Thread \d+ "pthread \d+, M\d+, g\d+" +main\.pingPong/m);
    expect(out.match(/"pthread \d+, M\d+/g)?.length ?? 0, out).toBeGreaterThanOrEqual(4);
  });

  it('watch on a Go global stops where it is written, with old and new values', async () => {
    const s = await startServe(fixture('go1.24-aix', 'hello'), [], ['--once']);
    const out = await gdbBatch(s.port, ["watch 'runtime.ncpu'", 'continue', 'x/i $pc - 4', 'delete', 'continue']);
    expect(out, out).toMatch(/Hardware watchpoint 1: 'runtime\.ncpu'\s+Old value = 0\s+New value = 1\s+runtime\.osinit \(\)/);
    // Reported before the store, gdb stepped over it: the instruction before PC is that store.
    // (gdb's stderr "…: No such file or directory." can land inside the x/i line: stdout and stderr
    // share the pipe reader, so allow anything between the address and the instruction.)
    expect(out, out).toMatch(/<runtime\.osinit\+\d+>[\s\S]*?:\s+stw\s+r\d+,/);
    expect(out, out).toMatch(/exited normally/);
    expect(s.stdout()).toBe('hello from aix/ppc64\n');
  });
});

describe('serve: interrupting, leaving and coming back', () => {
  it('MI -exec-interrupt stops a running guest at once; it then continues to its end', async () => {
    // Scale 40: several seconds even with the Wasm tier, so the guest is still running at the interrupt.
    const s = await startServe(fixture('go1.24-aix', 'cpuheavy'), ['40'], ['--once']);
    const mi = new GdbMi();
    try {
      await mi.send('-gdb-set mi-async on', /\^done/); // lets -exec-interrupt in while the guest runs
      await mi.send(`-target-select remote 127.0.0.1:${s.port}`, /\^connected/);
      await mi.send('-exec-continue', /\*running/);
      await sleep(700);
      const t0 = Date.now();
      await mi.send('-exec-interrupt', /\*stopped,reason="signal-received",signal-name="SIGINT"/).catch((e: Error) => {
        throw new Error(`${e.message}\nserve's log:\n${s.stderr()}`);
      });
      expect(Date.now() - t0).toBeLessThan(1000);
      const frame = await mi.send('-stack-info-frame', /\^done,frame=/);
      expect(frame).toMatch(/addr="0x[0-9a-f]+"/);
      await mi.send('-exec-continue', /\*stopped,reason="exited-normally"/, 90_000);
      await mi.send('-gdb-exit', /\^exit/);
    } finally {
      mi.kill();
    }
    expect(s.stdout()).toContain('work total=');
  });

  it('detach lets the guest run on; a second gdb session connects, stops it and runs it to the end', async () => {
    const s = await startServe(fixture('go1.24-aix', 'timers'));
    const first = await gdbBatch(s.port, ['break main.main', 'continue', 'delete', 'detach']);
    expect(first, first).toMatch(/hit Breakpoint 1, main\.main/);
    expect(first, first).toContain('[Inferior 1 (Remote target) detached]');
    await waitFor(() => /client detached; guest runs on/.test(s.stderr()));
    await waitFor(() => /disconnected/.test(s.stderr()));
    const second = await gdbBatch(s.port, ['info threads', 'continue']);
    expect(second, second).toMatch(/Thread \d+ ["(]pthread 1\b/);
    expect(second, second).toMatch(/exited normally/);
    expect(s.stdout()).toContain('timers done');
    expect(s.stderr().match(/client connected from/g)?.length).toBe(2);
  });

  it('target extended-remote: run restarts the program from its file, kill ends it', async () => {
    const s = await startServe(fixture('go1.24-aix', 'args'), ['first'], ['--once']);
    const out = await gdbBatch(s.port, [
      'break main.main', 'continue', 'run', 'info symbol $pc', 'kill', 'run', 'delete', 'continue',
    ], { mode: 'extended-remote' });
    expect(out, out).toMatch(/hit Breakpoint 1, main\.main/);
    expect(s.stderr(), s.stderr()).toMatch(/program restarted/);
    expect(out, out).toMatch(/exited normally/);
    // The first run was abandoned at main.main; the restarted one printed its arguments once.
    expect(s.stdout().match(/argc=/g)?.length, s.stdout()).toBe(1);
  });

  it('kill ends the guest and the stub', async () => {
    const s = await startServe(fixture('go1.24-aix', 'hello'), [], ['--once']);
    const out = await gdbBatch(s.port, ['break main.main', 'continue', 'kill']);
    expect(out, out).toContain('[Inferior 1 (Remote target) killed]');
    expect(await s.exited).toBe(137);
    expect(s.stdout()).toBe('');
  });

  it('refuses a second client with a log line while the first keeps working', async () => {
    const s = await startServe(fixture('go1.24-aix', 'hello'), [], ['--once']);
    const mi = new GdbMi();
    try {
      await mi.send(`-target-select remote 127.0.0.1:${s.port}`, /\^connected/);
      const refused = await connectAndWaitForClose(s.port);
      expect(refused).toBe(true);
      expect(s.stderr()).toMatch(/refusing second client 127\.0\.0\.1:\d+/);
      await mi.send('-break-insert main.main', /\^done,bkpt=/);
      await mi.send('-exec-continue', /\*stopped,reason="breakpoint-hit"/);
      await mi.send('-exec-continue', /\*stopped,reason="exited-normally"/);
      await mi.send('-gdb-exit', /\^exit/);
    } finally {
      mi.kill();
    }
    expect(s.stdout()).toBe('hello from aix/ppc64\n');
  });

  it('survives a client that vanishes while the guest runs, and serves the next one', async () => {
    // Scale 200: still running when the second client connects (the end of the test kills it).
    const s = await startServe(fixture('go1.24-aix', 'cpuheavy'), ['200']);
    const mi = new GdbMi();
    await mi.send(`-target-select remote 127.0.0.1:${s.port}`, /\^connected/);
    await mi.send('-exec-continue', /\*running/);
    await sleep(300);
    mi.kill();
    await mi.closed;
    await waitFor(() => /disconnected/.test(s.stderr()));
    const out = await gdbBatch(s.port, ['info threads', 'kill']);
    expect(out, out).toMatch(/Thread \d+ ["(]pthread 1\b/);
    expect(s.child.exitCode).toBeNull();
  });
});

async function waitFor(cond: () => boolean, ms = 20_000): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error('condition not met in time');
    await sleep(20);
  }
}

/** Connect a raw TCP client; true when the server closes it without a word. */
function connectAndWaitForClose(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = net.connect(port, '127.0.0.1');
    let got = 0;
    sock.on('data', (d) => (got += d.length));
    sock.on('close', () => resolve(got === 0));
    sock.on('error', () => resolve(got === 0));
    setTimeout(() => {
      sock.destroy();
      resolve(false);
    }, 5000);
  });
}
