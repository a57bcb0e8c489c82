// `run --timeline FILE`: the Chrome/Perfetto trace of a Go program, checked field by field against
// the Trace Event Format and by a viewer-independent checker (test/helpers/trace-events.ts).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCli, cli, runCaptured } from '../helpers/cli.js';
import { checkTraceEvents, type TraceDoc } from '../helpers/trace-events.js';
import { fixture } from '../helpers/toolchains.js';
import { gdbBatch, requireGdb, startServe, stopAllServes } from './serve-helpers.js';

let scratch: string;
beforeAll(() => {
  buildCli();
  scratch = mkdtempSync(join(tmpdir(), 'aix-timeline-'));
});
afterAll(async () => {
  await stopAllServes();
  rmSync(scratch, { recursive: true, force: true });
});

async function timeline(name: string, program: 'goroutines' | 'preempt' = 'goroutines'): Promise<{ doc: TraceDoc; text: string }> {
  const file = join(scratch, name);
  const r = await runCaptured(process.execPath, [cli, 'run', '--deterministic', '--timeline', file, '--env', 'GOMAXPROCS=4', fixture('go1.24-aix', program)], { timeoutMs: 120_000 });
  expect(r.status).toBe(0);
  expect(r.stdout).toContain(`${program} done`);
  const text = readFileSync(file, 'utf8');
  return { doc: JSON.parse(text) as TraceDoc, text };
}

describe('run --timeline (goroutines fixture, --deterministic)', () => {
  it('is a well-formed trace: fields per phase, B/E paired per track, ts monotonic, flows paired, tracks named', async () => {
    const { doc } = await timeline('a.json');
    expect(doc.displayTimeUnit).toBe('ns');
    expect(checkTraceEvents(doc)).toEqual([]);
    const ev = doc.traceEvents;
    // One track per pthread, named with its M.
    const threads = ev.filter((e) => e.ph === 'M' && e.name === 'thread_name').map((e) => (e.args as { name: string }).name);
    expect(threads).toContain('pthread 1 · M0');
    expect(threads.filter((n) => /^pthread \d+ · M\d+$/.test(n)).length).toBeGreaterThanOrEqual(4);
    expect(ev.find((e) => e.ph === 'M' && e.name === 'process_name')).toMatchObject({ pid: 4242, args: { name: 'goroutines (pid 4242)' } });
    // Goroutine slices named with goid and start function; the workers run on several Ms.
    const gSlices = ev.filter((e) => e.ph === 'B' && e.cat === 'goroutine');
    expect(gSlices.some((e) => e.name === 'g1 runtime.main')).toBe(true);
    const workers = gSlices.filter((e) => /^g\d+ main\.main\.gowrap1 → main\.worker$/.test(e.name as string));
    expect(new Set(workers.map((e) => e.tid)).size).toBeGreaterThan(1);
    expect(workers[0]!.args).toMatchObject({ goid: expect.any(Number), start: 'main.main.gowrap1 → main.worker' });
    // libc calls with decoded arguments and results; GC phases on their own track; signals as instants.
    const write = ev.find((e) => e.ph === 'B' && e.cat === 'libc' && e.name === 'write');
    expect(write?.args).toMatchObject({ call: expect.stringMatching(/^write\(1, ".*", \d+\)$/) });
    expect(ev.some((e) => e.ph === 'E' && e.cat === 'libc' && typeof (e.args as { result?: string } | undefined)?.result === 'string')).toBe(true);
    expect(ev.some((e) => e.ph === 'B' && e.cat === 'gc' && e.name === 'GC mark')).toBe(true);
    // Flow arrows from a goroutine's last slice to its next, some across Ms.
    const starts = new Map(ev.filter((e) => e.ph === 's').map((e) => [e.id, e]));
    const finishes = ev.filter((e) => e.ph === 'f');
    expect(finishes.length).toBeGreaterThan(10);
    expect(finishes.every((f) => f.bp === 'e' && starts.has(f.id))).toBe(true);
    expect(finishes.some((f) => starts.get(f.id)!.tid !== f.tid)).toBe(true);
  });

  it('signal deliveries are instants on the thread that took them (preempt fixture: only SIGURG can end its spin)', async () => {
    // Whether the goroutines fixture meets a SIGURG depends on where the GC finds each worker, which
    // moves with the environment's size; the preempt fixture cannot finish without one.
    const { doc } = await timeline('sig.json', 'preempt');
    expect(checkTraceEvents(doc)).toEqual([]);
    const urg = doc.traceEvents.filter((e) => e.ph === 'i' && e.cat === 'signal' && e.name === 'SIGURG');
    expect(urg.length).toBeGreaterThan(0);
    expect(urg.every((e) => e.s === 't' && typeof e.tid === 'number')).toBe(true);
  });

  it('guest time: two --deterministic runs write the same file', async () => {
    const a = await timeline('b1.json');
    const b = await timeline('b2.json');
    expect(b.text).toBe(a.text);
  });

  it('a timeline file that cannot be written: one error line, status 2', async () => {
    const r = await runCaptured(process.execPath, [cli, 'run', '--timeline', join(scratch, 'no/dir/t.json'), fixture('go1.24-aix', 'hello')], { timeoutMs: 60_000 });
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^aix-gdbstub: --timeline: .*no\/dir\/t\.json: no such directory\n$/);
  });
});

describe('serve --timeline', () => {
  it('records the run gdb drove and writes the trace when serve ends', async () => {
    requireGdb();
    const file = join(scratch, 'serve.json');
    const s = await startServe(fixture('go1.24-aix', 'hello'), [], ['--once', '--deterministic', '--timeline', file]);
    const out = await gdbBatch(s.port, ['break main.main', 'continue', 'delete', 'continue']);
    expect(out, out).toMatch(/exited normally/);
    expect(await s.exited).toBe(0);
    const doc = JSON.parse(readFileSync(file, 'utf8')) as TraceDoc;
    expect(checkTraceEvents(doc)).toEqual([]);
    expect(doc.traceEvents.some((e) => e.ph === 'B' && e.name === 'g1 runtime.main')).toBe(true);
    expect(doc.traceEvents.some((e) => e.ph === 'B' && e.cat === 'libc' && e.name === 'write')).toBe(true);
  });
});
