// Goroutines as gdb threads (issue 11, item 2), with stock gdb-multiarch on Go 1.24 and Go 1.19:
// `next` follows the goroutine when it wakes up on another M, a parked goroutine's stack and
// locals are reachable with `thread N`, thousands of goroutines keep `info threads` answering,
// and a normal run does not scroll thread events.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { fixture, repoRoot } from '../helpers/toolchains.js';
import { gdbBatch, requireGdb, startServe, stopAllServes } from './serve-helpers.js';

beforeAll(requireGdb);
afterEach(stopAllServes);

const scripts = mkdtempSync(join(tmpdir(), 'goroutine-threads-'));
function script(name: string, text: string): string {
  const path = join(scripts, name);
  writeFileSync(path, text);
  return path;
}

// The blocking lines of test/fixtures/migrate/main.go, found by their markers: `next` from
// NEXT-PRINT must stop at NEXT-RECV, NEXT-SLEEP, NEXT-LOCK and NEXT-END in turn.
const source = readFileSync(join(repoRoot, 'test/fixtures/migrate/main.go'), 'utf8').split('\n');
const lineOf = (marker: string) => source.findIndex((l) => l.includes(`// ${marker}`)) + 1;
const LINE_PRINT = lineOf('NEXT-PRINT');
const NEXT_LINES = ['NEXT-RECV', 'NEXT-SLEEP', 'NEXT-LOCK', 'NEXT-END'].map(lineOf);

/** gdb's row for a thread in `info threads`: "Thread 1 (g1 running, M4, pthread 5, runtime.main)". */
const PY_HELPERS = `
import gdb, re
def target_id(t):
    row = gdb.execute('info threads %d' % t.num, to_string=True).splitlines()[-1]
    return row
def m_of(t):
    m = re.search(r'g\\d+ [^,)]*, M(\\d+), pthread (\\d+)', target_id(t))
    return None if m is None else int(m.group(1))
`;

const NEXT_RUNS = 20;
const nextScript = script('next.py', `${PY_HELPERS}
gdb.execute('break main.go:${LINE_PRINT}')
for run in range(${NEXT_RUNS}):
    gdb.execute('continue' if run == 0 else 'run', to_string=True)
    t = gdb.selected_thread()
    print('STOP %d tid=%d line=%d M=%s' % (run, t.ptid[1], gdb.selected_frame().find_sal().line, m_of(t)))
    for k in range(4):
        gdb.execute('next', to_string=True)
        t = gdb.selected_thread()
        print('NEXT %d %d tid=%d line=%d M=%s' % (run, k, t.ptid[1], gdb.selected_frame().find_sal().line, m_of(t)))
gdb.execute('kill')
`);

const parkedScript = script('parked.py', `${PY_HELPERS}
gdb.execute('break main.go:${NEXT_LINES[3]}')
gdb.execute('continue', to_string=True)
found = False
for t in sorted(gdb.selected_inferior().threads(), key=lambda t: t.num):
    if 'chan receive' not in target_id(t):
        continue
    gdb.execute('thread %d' % t.num, to_string=True)
    bt = gdb.execute('bt', to_string=True)
    if 'main.worker' not in bt:
        continue
    print('PARKED ' + target_id(t))
    print('BT-BEGIN\\n' + bt + 'BT-END')
    gdb.execute('frame function main.worker', to_string=True)
    print('ARGS-BEGIN\\n' + gdb.execute('info args', to_string=True) + 'ARGS-END')
    print('LOCALS-BEGIN\\n' + gdb.execute('info locals', to_string=True) + 'LOCALS-END')
    try:
        gdb.execute('frame 0', to_string=True)
        gdb.execute('set var $r3 = 1', to_string=True)
        print('WRITE accepted')
    except gdb.error as e:
        print('WRITE refused: %s' % e)
    found = True
    break
print('FOUND %s' % found)
gdb.execute('kill')
`);

describe.each(['go1.24-aix', 'go1.19-aix'] as const)('goroutines as gdb threads on %s', (tc) => {
  it(`next over Println, a channel receive, time.Sleep and mu.Lock stays on goroutine 1 although it changes M, ${NEXT_RUNS} runs in a row`, async () => {
    const s = await startServe(fixture(tc, 'migrate'), [], ['--env', 'GOMAXPROCS=4']);
    const out = await gdbBatch(s.port, [`source ${nextScript}`], { mode: 'extended-remote', timeoutMs: 900_000 });
    const stops = [...out.matchAll(/^STOP (\d+) tid=(\d+) line=(\d+) M=(\w+)/gm)];
    const nexts = [...out.matchAll(/^NEXT (\d+) (\d+) tid=(\d+) line=(\d+) M=(\w+)/gm)];
    expect(stops.length, out).toBe(NEXT_RUNS);
    expect(nexts.length, out).toBe(4 * NEXT_RUNS);
    for (const st of stops) expect([st[2], st[3]], out).toEqual(['1', String(LINE_PRINT)]);
    let changedM = 0;
    for (let run = 0; run < NEXT_RUNS; run++) {
      let m = stops[run]![4];
      for (let k = 0; k < 4; k++) {
        const n = nexts[4 * run + k]!;
        // Goroutine 1 (gdb thread id 1) at the next line of main.main, every time.
        expect([n[1], n[2], n[3], n[4]], out).toEqual([String(run), String(k), '1', String(NEXT_LINES[k])]);
        if (n[5] !== m) changedM++;
        m = n[5];
      }
    }
    // The fixture makes goroutine 1 wake up on another M: `next` had to follow it there.
    expect(changedM, out).toBeGreaterThan(0);
    await s.stop();
  }, 900_000);

  it('thread N + bt on a worker parked in a channel receive shows runtime.gopark … main.worker, and its locals', async () => {
    const s = await startServe(fixture(tc, 'migrate'), [], ['--once', '--env', 'GOMAXPROCS=4']);
    const out = await gdbBatch(s.port, [`source ${parkedScript}`], { timeoutMs: 180_000 });
    expect(out, out).toContain('FOUND True');
    expect(out, out).toMatch(/^PARKED .*Thread \d+ \(g\d+ waiting \(chan receive\)/m);
    const bt = /BT-BEGIN\n([\s\S]*?)BT-END/.exec(out)![1]!;
    const frames = bt.split('\n').filter((l) => l.startsWith('#'));
    expect(frames[0], bt).toMatch(/^#0 +runtime\.gopark /);
    expect(bt, bt).toMatch(/runtime\.chanrecv/);
    expect(frames.findIndex((f) => / main\.worker /.test(f)), bt).toBeGreaterThan(0);
    // The worker's own variables, read from its parked frame: base = id*100 and scale = id+1.
    const locals = /LOCALS-BEGIN\n([\s\S]*?)LOCALS-END/.exec(out)![1]!;
    const base = /^base = (\d+)$/m.exec(locals);
    const scale = /^scale = (\d+)$/m.exec(locals);
    expect(base, out).not.toBeNull();
    expect(scale, out).not.toBeNull();
    expect(Number(scale![1]), out).toBe(Number(base![1]) / 100 + 1);
    // A parked goroutine's registers are the scheduler's saved state: read-only.
    expect(out, out).toMatch(/WRITE refused: Could not write register "r3"; remote failure reply 'E01'/);
    await s.stop();
  }, 180_000);
});

describe('goroutine threads at scale and at rest', () => {
  it('with 10,000 parked goroutines info threads answers, listing the running ones and a bounded number of others', async () => {
    const s = await startServe(fixture('go1.24-aix', 'migrate'), ['10000'], ['--once', '--env', 'GOMAXPROCS=4']);
    const out = await gdbBatch(s.port, ['set print thread-events off', `break main.go:${LINE_PRINT}`, 'continue', 'info threads', 'monitor goroutines', 'kill'], { timeoutMs: 600_000 });
    const rows = out.match(/^[* ] +\d+ +Thread \d+ \(g\d+ [^)]*/gm) ?? [];
    expect(rows.length, out.slice(0, 4000)).toBeGreaterThanOrEqual(256);
    expect(rows.length, out.slice(0, 4000)).toBeLessThan(400);
    expect(out).toMatch(/^\* +\d+ +Thread 1 \(g1 running, M\d+, pthread \d+, runtime\.main\)/m);
    expect(rows.filter((r) => r.includes('chan receive')).length).toBeGreaterThan(200);
    // monitor goroutines still shows every one of them (parked by now, or still runnable if the
    // stop came before it first ran: count them by their start function, not their state).
    // The start column names `go worker(...)`'s wrapper (main.main.gowrap2 in this fixture).
    const listed = out.split('\n').filter((l) => /^\d+ +\S+.*(main\.main\.gowrap2|→ main\.worker)\s*$/.test(l));
    expect(listed.length, out.slice(-4000)).toBeGreaterThanOrEqual(10_000);
    await s.stop();
  }, 600_000);

  it('starts with the pthread at __start, then lists goroutines; a run of hello prints only a few thread events', async () => {
    const s = await startServe(fixture('go1.24-aix', 'hello'), [], ['--once']);
    const out = await gdbBatch(s.port, ['info threads', 'break main.main', 'continue', 'next', 'next', 'info threads', 'continue']);
    expect(out, out).toMatch(/^\* +1 +Thread 1000000001 \(pthread 1\) +__start/m);
    expect(out, out).toMatch(/^\* +\d+ +Thread 1 \(g1 running, M\d+, pthread \d+, runtime\.main\) +main\.main \(\) at [^\n]*hello\/main\.go:9/m);
    expect(out, out).toContain('exited normally');
    const events = out.match(/^\[(New Thread|Thread [^\]]* exited)/gm) ?? [];
    expect(events.length, out).toBeLessThan(16);
    await s.stop();
  });
});
