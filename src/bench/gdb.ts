// `make bench`, gdb part: stock gdb-multiarch in batch mode against our `serve` (aix/ppc64 build of
// cpuheavy) and against `qemu-ppc64 -cpu POWER8 -g PORT` (linux/ppc64 build of the same source), in
// the same run. Every figure is timed inside gdb (its Python `time`), so gdb's own start-up is not
// counted except in the connect-to-prompt row, which is timed from the gdb process spawn.
//
// Each metric gets a fresh stub and a fresh gdb. The gdb scripts are written to build/bench-gdb/
// and read the port from $BENCH_PORT, so every row can be reproduced by hand (the table says how).
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { join, resolve } from 'node:path';
import { DEFAULT_SIZES, gdbScript, type GdbMetric, type MetricSizes } from './gdb-scripts.js';

const GDB = 'gdb-multiarch';
const QEMU = 'qemu-ppc64';

/**
 * The CPU every stub and gdb run on (BENCH_GDB_CPU, default 0; 'none' lets the kernel place them).
 * gdb and a stub ping-pong one packet at a time; on this 2-vCPU VM a wakeup across vCPUs costs
 * about twice a local one and where the kernel puts the two processes changes from run to run, so
 * unpinned rates move 2x for both stubs alike. Pinned, both sides get the same placement.
 */
const PIN_CPU = process.env.BENCH_GDB_CPU === 'none' ? undefined : (process.env.BENCH_GDB_CPU ?? '0');

/** `command args` run on PIN_CPU through taskset (util-linux), which execs it: same pid. */
function pinned(command: string, args: string[]): [string, string[]] {
  return PIN_CPU === undefined ? [command, args] : ['taskset', ['-c', PIN_CPU, command, ...args]];
}

/** How a reader reproduces a row by hand: the same taskset prefix. */
export const PIN_PREFIX = PIN_CPU === undefined ? '' : `taskset -c ${PIN_CPU} `;

export interface GdbBenchOptions {
  /** Repository root (fixtures, dist/cli.js, build/bench-gdb). */
  root: string;
  sizes: MetricSizes;
  /** Runs per metric and side, interleaved; the best is reported (the machine is shared and noisy). */
  repeat: number;
  log?: (line: string) => void;
}

/** ours: serve as a user starts it; ours-none: serve --osabi none (no Linux trampoline probes). */
type SideName = 'ours' | 'ours-none' | 'qemu';

export interface Side {
  name: SideName;
  /** The metrics this side runs (default: all). */
  metrics?: readonly GdbMetric[];
  program: string;
  /** Human-readable command that starts the stub on $BENCH_PORT. */
  stubCommand: string;
  /** Extra gdb arguments placed before the script (qemu cannot serve the exec file). */
  gdbArgs: string[];
  launch(): Promise<Stub>;
}

interface Stub {
  port: number;
  stop(): Promise<void>;
}

/** What one gdb session reported: `BENCH key value` lines, plus the spawn-to-connected time. */
export interface SessionResult {
  values: Map<string, number>;
  texts: Map<string, string>;
  connectFromSpawn: number;
  output: string;
}

export interface GdbBenchRow {
  metric: string;
  unit: string;
  ours: number;
  qemu: number;
  /** ours better than qemu by this factor (higher is better, whatever the unit). */
  ratio: number;
  target?: number;
  note?: string;
  /**
   * The best any stub could do in our run: the same work divided by gdb's own CPU time alone (a stub
   * answering in zero time still waits for gdb), and that as a ratio to qemu.
   */
  bound?: { value: number; ratio: number };
}

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolvePort(port));
    });
  });
}

export function oursSide(
  root: string,
  program: string,
  osabi: 'linux' | 'none' = 'linux',
  more: { serveOptions?: string[]; programArgs?: string[] } = {},
): Side {
  const cli = join(root, 'dist', 'cli.js');
  const extra = [...(osabi === 'none' ? ['--osabi', 'none'] : []), ...(more.serveOptions ?? [])];
  const args = more.programArgs ?? [];
  return {
    name: osabi === 'none' ? 'ours-none' : 'ours',
    metrics: osabi === 'none' ? ['stepi', 'hits'] : undefined,
    program,
    stubCommand: `${PIN_PREFIX}node dist/cli.js serve --port $BENCH_PORT --once ${extra.map((a) => a + ' ').join('')}${[program, ...args].join(' ')}`,
    gdbArgs: [],
    launch: () =>
      new Promise((resolveStub, reject) => {
        const child = spawn(...pinned(process.execPath, [cli, 'serve', '--port', '0', '--once', ...extra, program, ...args]), {
          cwd: root,
          stdio: ['ignore', 'ignore', 'pipe'],
        });
        let err = '';
        let port: number | undefined;
        const exited = new Promise<void>((r) => child.once('exit', () => r()));
        child.stderr.setEncoding('utf8').on('data', (d: string) => {
          err += d;
          // Ready once it says so: serve prepares the ELF view and the runtime layout after it
          // starts listening (the qemu side gets a fixed grace period for the same reason).
          const m = port === undefined && /waiting for gdb/.test(err) ? /listening on [^\s]*:(\d+)/.exec(err) : null;
          if (m) {
            port = Number(m[1]);
            resolveStub({
              port,
              stop: async () => {
                if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
                await exited;
              },
            });
          }
        });
        void exited.then(() => {
          if (port === undefined) reject(new Error(`serve exited before listening:\n${err}`));
        });
      }),
  };
}

function qemuSide(root: string, program: string): Side {
  return {
    name: 'qemu',
    program,
    stubCommand: `${PIN_PREFIX}qemu-ppc64 -cpu POWER8 -g $BENCH_PORT ${program}`,
    gdbArgs: ['-ex', `file ${resolve(root, program)}`],
    launch: async () => {
      const port = await freePort();
      const child = spawn(...pinned(QEMU, ['-cpu', 'POWER8', '-g', String(port), resolve(root, program)]), {
        cwd: root,
        stdio: ['ignore', 'ignore', 'ignore'],
      });
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      // qemu accepts exactly one connection, so it cannot be probed: give it time to listen (gdb
      // retries a refused connection by itself anyway).
      await new Promise((r) => setTimeout(r, 300));
      return {
        port,
        stop: async () => {
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
          await exited;
        },
      };
    },
  };
}

function runGdb(args: string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<{ output: string; spawnedAt: number }> {
  return new Promise((resolveRun, reject) => {
    const spawnedAt = Date.now() / 1000;
    // stdout and stderr through one pipe (2>&1), in gdb's order: read from two pipes, a stderr
    // message could split a BENCH line.
    const [command, argv] = pinned(GDB, args);
    const child = spawn('/bin/sh', ['-c', 'exec "$0" "$@" 2>&1', command, ...argv], { env, stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (output += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`gdb timed out after ${timeoutMs / 1000} s; output so far:\n${output}`));
    }, timeoutMs);
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.once('exit', () => {
      clearTimeout(timer);
      resolveRun({ output, spawnedAt });
    });
  });
}

export async function runSession(side: Side, scriptPath: string, timeoutMs: number, extraEnv: Record<string, string> = {}): Promise<SessionResult> {
  const stub = await side.launch();
  try {
    const env = { ...process.env, ...extraEnv, BENCH_PORT: String(stub.port) };
    const { output, spawnedAt } = await runGdb(['-batch', '-nx', ...side.gdbArgs, '-x', scriptPath], env, timeoutMs);
    const values = new Map<string, number>();
    const texts = new Map<string, string>();
    for (const m of output.matchAll(/^BENCH (\S+) (.*)$/gm)) {
      texts.set(m[1]!, m[2]!);
      const n = Number(m[2]);
      if (Number.isFinite(n)) values.set(m[1]!, n);
    }
    if (!values.has('done')) {
      writeFileSync(scriptPath.replace(/\.gdb$/, `-${side.name}.log`), output);
      throw new Error(`${side.name}: gdb script ${scriptPath} did not finish:\n${output}`);
    }
    const connectedAt = values.get('connected_at');
    return { values, texts, connectFromSpawn: connectedAt !== undefined ? connectedAt - spawnedAt : NaN, output };
  } finally {
    await stub.stop();
  }
}

/**
 * One result from several runs: each timed key at its minimum (with its `_gdbcpu` from the same
 * run); the hit rate from the run with the best calls-per-second.
 */
function bestOf(list: SessionResult[]): SessionResult {
  const merged: SessionResult = { ...list[0]!, values: new Map(list[0]!.values) };
  for (const r of list.slice(1)) {
    for (const [k, v] of r.values) {
      if (k.endsWith('_gdbcpu') || k.endsWith('_mib') || k === 'hits_calls' || k === 'connected_at') continue;
      if (k === 'hits') {
        const rate = (x: SessionResult) => (x.values.get('hits_calls') ?? 0) / (x.values.get('hits') ?? Infinity);
        if (rate(r) > rate(merged)) for (const h of ['hits', 'hits_gdbcpu', 'hits_calls']) merged.values.set(h, r.values.get(h)!);
        continue;
      }
      const cur = merged.values.get(k);
      if (cur === undefined || v < cur) {
        merged.values.set(k, v);
        const cpu = r.values.get(`${k}_gdbcpu`);
        if (cpu !== undefined) merged.values.set(`${k}_gdbcpu`, cpu);
      }
    }
  }
  return merged;
}

export function median(xs: number[]): number {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

function need(r: SessionResult, key: string, side: string): number {
  const v = r.values.get(key);
  if (v === undefined) throw new Error(`${side}: gdb did not report ${key}:\n${r.output}`);
  return v;
}

/** Runs every metric on both sides; returns the table rows (also printed by printGdbTable). */
export async function benchGdb(options: GdbBenchOptions): Promise<GdbBenchRow[]> {
  const { root, sizes } = options;
  const log = options.log ?? ((line: string) => console.log(line));
  const pick = (tc: string): string | undefined => [`build/fixtures/${tc}/cpuheavy`].find((p) => existsSync(join(root, p)));
  const aix = pick('go1.24-aix');
  const linux = pick('go1.24-linux');
  if (!aix || !linux) {
    throw new Error('gdb bench needs build/fixtures/go1.24-aix/cpuheavy and build/fixtures/go1.24-linux/cpuheavy (make fixtures)');
  }
  const sides = [oursSide(root, aix), oursSide(root, aix, 'none'), qemuSide(root, linux)];
  const dir = join(root, 'build', 'bench-gdb');
  mkdirSync(dir, { recursive: true });
  const metrics: GdbMetric[] = ['stepi', 'hits', 'cond', 'dump'];
  const runs = new Map<string, SessionResult[]>();
  for (const metric of metrics) {
    const path = join(dir, `${metric}.gdb`);
    writeFileSync(path, gdbScript(metric, sizes));
    for (let round = 0; round < options.repeat; round++) for (const side of sides.filter((x) => x.metrics?.includes(metric) ?? true)) {
      log(`    ${metric.padEnd(5)} ${side.name}: ${side.stubCommand}  &&  BENCH_PORT=… ${PIN_PREFIX}${GDB} -batch -nx ${side.gdbArgs.map((a) => (a.includes(' ') ? `'${a}'` : a)).join(' ')} -x ${path}`);
      const r = await runSession(side, path, 300_000);
      writeFileSync(join(dir, `${metric}-${side.name}.log`), r.output);
      const extra = [...r.texts].filter(([k]) => k.startsWith('check_')).map(([k, v]) => `${k.slice(6)}=${v}`);
      if (extra.length > 0) log(`           checks: ${extra.join(', ')}`);
      const key = `${metric}/${side.name}`;
      runs.set(key, [...(runs.get(key) ?? []), r]);
    }
  }
  const results = new Map<string, SessionResult>();
  for (const [key, list] of runs) results.set(key, bestOf(list));
  const get = (metric: GdbMetric, side: SideName) => results.get(`${metric}/${side}`)!;
  const allRuns = (metric: GdbMetric, side: SideName) => runs.get(`${metric}/${side}`)!;
  const rows: GdbBenchRow[] = [];
  const perSecond = (metric: GdbMetric, key: string, count: number, side: SideName) => count / need(get(metric, side), key, side);
  const cpuShare = (metric: GdbMetric, key: string, side: SideName) => {
    const r = get(metric, side);
    return need(r, `${key}_gdbcpu`, side) / need(r, key, side);
  };
  /** amount / gdb's CPU seconds in our run: the rate no stub can beat with this gdb on this machine. */
  const bound = (metric: GdbMetric, key: string, amount: number, qemuRate: number, side: SideName = 'ours') => {
    const value = amount / need(get(metric, side), `${key}_gdbcpu`, side);
    return { value, ratio: value / qemuRate };
  };

  const stepQ = perSecond('stepi', 'stepi', sizes.stepi, 'qemu');
  const hitCalls = (side: SideName) => need(get('hits', side), 'hits_calls', side);
  const hitQ = perSecond('hits', 'hits', hitCalls('qemu'), 'qemu');
  const cpuNote = (metric: GdbMetric) =>
    `gdb's own CPU: ${(100 * cpuShare(metric, metric, 'ours')).toFixed(0)}% of ours, ${(100 * cpuShare(metric, metric, 'qemu')).toFixed(0)}% of qemu's wall time`;
  // stepi and hits against serve as users start it, then against serve --osabi none: what gdb's
  // Linux trampoline probes cost.
  for (const [side, stepLabel, hitLabel] of [
    ['ours', `stepi (${sizes.stepi} from the entry point)`, `breakpoint hits (break main.work, ${sizes.hits} continues)`],
    ['ours-none', 'stepi, serve --osabi none (no catch syscall)', 'breakpoint hits, serve --osabi none'],
  ] as const) {
    const step = perSecond('stepi', 'stepi', sizes.stepi, side);
    rows.push({
      metric: stepLabel, unit: 'steps/s', ours: step, qemu: stepQ, ratio: step / stepQ, target: 5,
      bound: bound('stepi', 'stepi', sizes.stepi, stepQ, side),
      ...(side === 'ours' ? { note: cpuNote('stepi') } : {}),
    });
    const hit = perSecond('hits', 'hits', hitCalls(side), side);
    rows.push({
      metric: hitLabel, unit: 'hits/s', ours: hit, qemu: hitQ, ratio: hit / hitQ, target: 5,
      bound: bound('hits', 'hits', hitCalls(side), hitQ, side),
      ...(side === 'ours' ? { note: cpuNote('hits') } : {}),
    });
  }
  const condO = need(get('cond', 'ours'), 'cond', 'ours');
  const condQ = need(get('cond', 'qemu'), 'cond', 'qemu');
  rows.push({
    metric: 'break main.work if i == 1999 (from i == 0: 1999 evaluations)', unit: 's', ours: condO, qemu: condQ, ratio: condQ / condO,
  });
  const connectO = median(metrics.flatMap((m) => allRuns(m, 'ours').map((r) => r.connectFromSpawn)));
  const connectQ = median(metrics.flatMap((m) => allRuns(m, 'qemu').map((r) => r.connectFromSpawn)));
  const remoteO = median(metrics.flatMap((m) => allRuns(m, 'ours').map((r) => r.values.get('connect') ?? NaN)));
  const remoteQ = median(metrics.flatMap((m) => allRuns(m, 'qemu').map((r) => r.values.get('connect') ?? NaN)));
  const connectRuns = metrics.length * options.repeat;
  rows.push({
    metric: 'connect to prompt (gdb spawn to `target remote` done, symbols loaded)', unit: 's', ours: connectO, qemu: connectQ,
    ratio: connectQ / connectO,
    note: `median of ${connectRuns}; the target remote command alone: ours ${remoteO.toFixed(3)} s (gdb fetches the ELF view over the wire), qemu ${remoteQ.toFixed(3)} s (gdb read the ELF file from disk before)`,
  });
  for (const [key, what] of [
    ['dump_heap', `heap arena (first ${sizes.heapMiB} MiB, mostly zeros), ${sizes.heapRepeat}×`],
    ['dump_text', `text segment (dense code), ${sizes.textRepeat}×`],
  ] as const) {
    const mibO = need(get('dump', 'ours'), `${key}_mib`, 'ours') / need(get('dump', 'ours'), key, 'ours');
    const mibQ = need(get('dump', 'qemu'), `${key}_mib`, 'qemu') / need(get('dump', 'qemu'), key, 'qemu');
    rows.push({
      metric: `dump binary memory: ${what}`, unit: 'MiB/s', ours: mibO, qemu: mibQ, ratio: mibO / mibQ, target: 5,
      bound: bound('dump', key, need(get('dump', 'ours'), `${key}_mib`, 'ours'), mibQ),
    });
  }
  return rows;
}

function fmt(v: number, unit: string): string {
  if (!Number.isFinite(v)) return '-';
  if (unit === 's') return `${v.toFixed(3)} s`;
  return `${v >= 100 ? v.toFixed(0) : v.toFixed(1)} ${unit}`;
}

export function printGdbTable(rows: GdbBenchRow[], log: (line: string) => void = (l) => console.log(l)): boolean {
  const w = Math.max(...rows.map((r) => r.metric.length));
  log(`    ${'metric'.padEnd(w)}  ${'ours'.padStart(14)}  ${'qemu'.padStart(14)}  ${'ratio'.padStart(7)}  target`);
  let allMet = true;
  for (const r of rows) {
    const met = r.target === undefined ? '' : r.ratio >= r.target ? `>=${r.target}x met` : `>=${r.target}x NOT met`;
    if (r.target !== undefined && !(r.ratio >= r.target)) allMet = false;
    log(`    ${r.metric.padEnd(w)}  ${fmt(r.ours, r.unit).padStart(14)}  ${fmt(r.qemu, r.unit).padStart(14)}  ${(r.ratio.toFixed(2) + 'x').padStart(7)}  ${met}`);
    if (r.note) log(`    ${''.padEnd(w)}  (${r.note})`);
    if (r.bound) {
      log(`    ${''.padEnd(w)}  (gdb's own CPU alone allows at most ${fmt(r.bound.value, r.unit)} = ${r.bound.ratio.toFixed(2)}x qemu, even from a stub that answers in zero time)`);
    }
  }
  return allMet;
}

/**
 * Goroutines as gdb threads: stepi in the migrate fixture with 10 and with 10,000 parked goroutines
 * (gdb re-reads the thread list after every stop). Returns ms per stepi for each, best of `repeat`.
 */
export async function benchGoroutineThreads(root: string, sizes: MetricSizes, repeat: number, log: (line: string) => void): Promise<{ few: number; many: number; threads: string[] }> {
  const program = 'build/fixtures/go1.24-aix/migrate';
  if (!existsSync(join(root, program))) throw new Error(`goroutine bench needs ${program} (make fixtures)`);
  const source = readFileSync(join(root, 'test/fixtures/migrate/main.go'), 'utf8').split('\n');
  const line = source.findIndex((l) => l.includes('// NEXT-PRINT')) + 1;
  const dir = join(root, 'build', 'bench-gdb');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'gstepi.gdb');
  writeFileSync(path, gdbScript('gstepi', sizes));
  const best = { few: Infinity, many: Infinity };
  const threads: string[] = [];
  for (let round = 0; round < repeat; round++) {
    for (const [key, parked] of [['few', '10'], ['many', '10000']] as const) {
      const side = oursSide(root, program, 'linux', { serveOptions: ['--env', 'GOMAXPROCS=4'], programArgs: [parked] });
      log(`    gstepi ${parked} parked: ${side.stubCommand}  &&  BENCH_PORT=… BENCH_BREAK=main.go:${line} ${PIN_PREFIX}${GDB} -batch -nx -x ${path}`);
      const r = await runSession(side, path, 600_000, { BENCH_BREAK: `main.go:${line}` });
      writeFileSync(join(dir, `gstepi-${parked}.log`), r.output);
      threads.push(`${parked} parked: ${r.texts.get('check_threads') ?? '?'} gdb threads`);
      best[key] = Math.min(best[key], (1000 * need(r, 'gstepi', 'ours')) / sizes.gstepi);
    }
  }
  return { ...best, threads };
}

/** The gdb part of `make bench`: sizes from BENCH_STEPI / BENCH_HITS, table on stdout. */
export async function benchGdbPart(root = resolve('.')): Promise<void> {
  const sizes = { ...DEFAULT_SIZES };
  if (process.env.BENCH_STEPI) sizes.stepi = Number(process.env.BENCH_STEPI);
  if (process.env.BENCH_HITS) sizes.hits = Math.min(Number(process.env.BENCH_HITS), 1500);
  const repeat = Math.max(1, Number(process.env.BENCH_GDB_REPEAT ?? 2));
  console.log(`(c) through gdb-multiarch: our serve (aix build) next to qemu-ppc64 -cpu POWER8 -g (linux build) of cpuheavy`);
  console.log(PIN_CPU === undefined ? '    stubs and gdb placed by the kernel (BENCH_GDB_CPU=none)' : `    every stub and gdb pinned to CPU ${PIN_CPU} (BENCH_GDB_CPU; 'none' lets the kernel place them)`);
  let rows: GdbBenchRow[];
  try {
    rows = await benchGdb({ root, sizes, repeat });
  } catch (e) {
    console.log(`    failed: ${(e as Error).message}`);
    process.exitCode = 1;
    return;
  }
  printGdbTable(rows);
  console.log(`    best of ${repeat} interleaved runs per side (BENCH_GDB_REPEAT); ratio: how many times better ours is`);
  console.log('    (rate ours/qemu, or time qemu/ours); the gdb scripts and each run\'s log are in build/bench-gdb/');
  console.log(`(d) goroutines as gdb threads: ${sizes.gstepi} stepi commands in the migrate fixture (GOMAXPROCS=4), 10 vs 10,000 parked goroutines`);
  try {
    const g = await benchGoroutineThreads(root, sizes, repeat, (l) => console.log(l));
    const ratio = g.many / g.few;
    console.log(`    stepi with 10 parked goroutines      ${g.few.toFixed(2).padStart(8)} ms`);
    console.log(`    stepi with 10,000 parked goroutines  ${g.many.toFixed(2).padStart(8)} ms  ${ratio.toFixed(2)}x  target <=2x ${ratio <= 2 ? 'met' : 'NOT met'}`);
    console.log(`    (${[...new Set(g.threads)].join('; ')}; best of ${repeat})`);
  } catch (e) {
    console.log(`    failed: ${(e as Error).message}`);
    process.exitCode = 1;
  }
}
