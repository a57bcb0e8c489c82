// Reverse execution (serve --record) with stock gdb-multiarch on Go 1.24 and 1.19 builds:
// reverse-stepi back to identical registers and memory, forward again through the same pcs;
// a reverse watchpoint on a Go global written by another goroutine; reverse-finish;
// reverse-next over fmt.Println without printing twice; a replay reading stdin and a file that
// are gone by then.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.js';
import { fixture, repoRoot, type FixtureToolchain } from '../helpers/toolchains.js';
import { gdbBatch, requireGdb, startServe, stopAllServes } from './serve-helpers.js';

beforeAll(requireGdb);
afterEach(stopAllServes);

const SINK = '4628496295726148755';

// One gdb session: the state at main.main, 5000 stepi (pcs kept), 5000 reverse-stepi, the state
// again, 5000 stepi again (pcs compared). Registers: every GPR, pc, cr, lr, ctr, xer and the raw
// bits of every FPR; memory: the stack around r1 and runtime.m0.
const STEPS = 5000;
const roundTrip = [
  'break main.main', 'continue', 'delete',
  'python import gdb',
  // A step whose source line cannot be shown (no sources here) raises after the step was made.
  'python\ndef run(cmd):\n  try:\n    gdb.execute(cmd, to_string=True)\n  except gdb.error:\n    pass\nend',
  'python regs = lambda: gdb.execute("info registers", to_string=True) + gdb.execute("info registers float", to_string=True)',
  `python mem = lambda: gdb.execute("x/64gx $r1 - 256", to_string=True) + gdb.execute("x/32gx &'runtime.m0'", to_string=True) + gdb.execute("x/2gx &'main.sink'", to_string=True)`,
  'python a = regs(); am = mem(); pc0 = int(gdb.parse_and_eval("$pc")); print("WHEN-START", gdb.execute("monitor when", to_string=True))',
  `python\npcs = []\nfor i in range(${STEPS}):\n  run("stepi")\n  pcs.append(int(gdb.parse_and_eval("$pc")))`,
  'python far = int(gdb.parse_and_eval("$pc"))',
  // Where the way back first leaves the way forward (diagnosis when it fails: it did, rarely, under load).
  `python\nexp = list(reversed([pc0] + pcs[:-1]))\nseen = None\nfor i in range(${STEPS}):\n  run("reverse-stepi")\n  p = int(gdb.parse_and_eval("$pc"))\n  if seen is None and p != exp[i]:\n    seen = i\n    print("REVERSE-LEFT-PATH", i, hex(p), hex(exp[i]), gdb.execute("monitor when", to_string=True))\nend`,
  'python b = regs(); bm = mem()',
  'python print("REGS-SAME", a == b, "MEM-SAME", am == bm, "MOVED", far != int(gdb.parse_and_eval("$pc")))',
  'python print("FPR-LINES", a.count("raw 0x"))',
  `python\npcs2 = []\nfor i in range(${STEPS}):\n  run("stepi")\n  pcs2.append(int(gdb.parse_and_eval("$pc")))`,
  'python print("PCS-SAME", pcs == pcs2, len(pcs2), len(set(pcs)))',
  'monitor when',
  'kill',
];

describe.each<FixtureToolchain>(['go1.24-aix', 'go1.19-aix'])('serve --record, %s', (tc) => {
  it(`${STEPS} stepi then ${STEPS} reverse-stepi come back to the same registers and memory; forward again repeats the pcs`, async () => {
    // Instruction stepping follows an OS thread (rr's unit too): in goroutine mode the stepped
    // goroutine can park mid-way and its gdb thread vanish.
    const s = await startServe(fixture(tc, 'revsink'), [], ['--once', '--record', '--threads', 'pthreads', '--env', 'GOMAXPROCS=2']);
    // gdb -ex does not take multi-line python: feed the loops as a script file.
    const dir = mkdtempSync(join(tmpdir(), 'rev-'));
    const script = join(dir, 'roundtrip.gdb');
    writeFileSync(script, roundTrip.map((c) => (c.includes('\n') && !c.endsWith('end') ? c + '\nend' : c)).join('\n') + '\n');
    try {
      const out = (await gdbBatch(s.port, [`source ${script}`], { timeoutMs: 600_000 })).split("\n").filter((l) => !/^0x[0-9a-f]+\t|^\S+ \(.*\) at \S+:\d+$|^\d+\tin /.test(l)).join("\n");
      expect(out, out).toMatch(/REGS-SAME True MEM-SAME True MOVED True/);
      expect(Number(/FPR-LINES (\d+)/.exec(out)?.[1]), out).toBeGreaterThanOrEqual(32); // f0..f31 with raw bits
      expect(out, out).toMatch(new RegExp(`PCS-SAME True ${STEPS} \\d+`));
      expect(Number(/PCS-SAME True \d+ (\d+)/.exec(out)![1]), out).toBeGreaterThan(100); // it really went places
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 900_000);

  it('watch main.sink + reverse-continue stops at the goroutine\'s write with old and new values; reverse-next over fmt.Println prints nothing again', async () => {
    const s = await startServe(fixture(tc, 'revsink'), [], ['--once', '--record', '--env', 'GOMAXPROCS=2']);
    const out = await gdbBatch(s.port, [
      'break main.go:42', 'continue', 'delete',
      'watch main.sink', 'reverse-continue', 'bt 1', 'p/x $pc', 'x/i $pc',
      'reverse-continue', // nothing earlier: the start of history
      'continue', // forward through the replay: the write again
      'delete', 'break main.go:42', 'continue',
      'reverse-next', 'reverse-next', 'next', 'next', 'monitor when',
      'continue',
    ], { timeoutMs: 300_000 });
    // Backwards: old value = after the write, new value = before it (rr shows the same).
    expect(out, out).toMatch(new RegExp(`Hardware watchpoint 2: main.sink\\s+Old value = ${SINK}\\s+New value = 0`));
    expect(out, out).toMatch(/#0 [^\n]*main\.main\.func1 \(\) at [^\n]*revsink\/main\.go:36/);
    expect(out, out).toMatch(/=> 0x[0-9a-f]+ <main\.main\.func1\+\d+>:\s+std\s/); // stopped on the store itself
    expect(out, out).toMatch(/No more reverse-execution history/);
    expect(out, out).toMatch(new RegExp(`Old value = 0\\s+New value = ${SINK}`));
    await s.exited;
    // Each line once, although the replay ran both Printlns' writes again.
    expect(s.stdout()).toBe(`sink ${SINK}\nv 3113568628931895340\n`);
  }, 600_000);

  it('reverse-continue passes over a conditional breakpoint until its condition holds', async () => {
    const s = await startServe(fixture(tc, 'revsink'), [], ['--once', '--record']);
    const out = await gdbBatch(s.port, ['break main.go:42', 'continue', 'delete', 'break main.mix if b == 500', 'reverse-continue', 'p b', 'monitor threads', 'kill'], { timeoutMs: 300_000 });
    expect(out, out).toMatch(/hit Breakpoint 2, [^\n]*main\.mix \(a=\d+, b=500/);
    expect(out, out).toMatch(/^\$1 = 500$/m);
    expect(out, out).toMatch(/^position: instruction \d+ of history 0\.\.\d+, replaying/m);
  }, 600_000);

  it('reverse-finish goes back to the call site', async () => {
    const s = await startServe(fixture(tc, 'revsink'), [], ['--once', '--record']);
    const out = await gdbBatch(s.port, ['break main.mix', 'continue', 'continue', 'delete', 'reverse-finish', 'bt 1', 'x/i $pc', 'kill'], { timeoutMs: 300_000 });
    expect(out, out).toMatch(/=> 0x[0-9a-f]+ <main\.produce\+\d+>:\s+bl\s+0x[0-9a-f]+ <main\.mix>/); // on the call
    expect(out, out).toMatch(/#0 [^\n]*main\.produce \([^\n]*\) at [^\n]*revsink\/main\.go:26/);
  }, 600_000);
});

describe('serve --record: a replay never touches the host', () => {
  it('replays the bytes read from stdin and from a file after stdin closed and the file was deleted', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rev-'));
    const file = join(dir, 'input.txt');
    writeFileSync(file, 'from the file\n');
    const child = spawn(process.execPath, [cli, 'serve', '--port', '0', '--once', '--record', fixture('go1.24-aix', 'revsink'), file], { cwd: repoRoot });
    let err = '';
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    const exited = new Promise<void>((r) => child.on('exit', () => r()));
    try {
      const port = await new Promise<number>((resolve, reject) => {
        child.stderr.setEncoding('utf8').on('data', (d: string) => {
          err += d;
          const m = /listening on [^\s]*:(\d+)/.exec(err);
          if (m) resolve(Number(m[1]));
        });
        child.on('exit', () => reject(new Error(err)));
      });
      child.stdin.end('typed on stdin\n');
      const deleteFile = join(dir, 'delete.gdb');
      writeFileSync(deleteFile, `shell rm -f ${file}\n`);
      const gdbOut = await gdbBatch(port, [
        'break main.report', 'continue', 'p got',
        `source ${deleteFile}`,
        'break main.main', 'reverse-continue', 'bt 1',
        'continue', 'p got',
        'continue',
      ], { timeoutMs: 300_000 });
      expect(existsSync(file)).toBe(false);
      const got = [...gdbOut.matchAll(/^\$\d+ = (?:0x[0-9a-f]+ )?(.*)$/gm)].map((m) => m[1]);
      expect(got, gdbOut).toEqual(['"typed on stdin\\nfrom the file\\n"', '"typed on stdin\\nfrom the file\\n"']);
      expect(gdbOut, gdbOut).toMatch(/hit Breakpoint 2, main\.main \(\)/);
      await exited;
      expect(out).toBe(`sink ${SINK}\nv 3113568628931895340\ngot "typed on stdin\\nfrom the file\\n"\n`);
    } finally {
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  }, 600_000);
});
