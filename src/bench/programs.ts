// `make bench`, Go programs part: whole programs end to end, ours (`scripts/aix-gdbstub run`, the
// launcher a user runs, from the start-up snapshot; the aix/ppc64 build) next to `qemu-ppc64 -cpu POWER8` (the linux/ppc64 build of the same source),
// interleaved in the same run, best of BENCH_REPEAT (default 2) per side because the machine is
// shared. Both sides include their process start. Rows:
//  - cpubench phases one at a time (integer/sort, map, SHA-256, float) and whole;
//  - chansieve: 1,000 goroutines chained by unbuffered channels (scheduler and channel code),
//    and again with GOMAXPROCS=1 on both sides: our machine reports one CPU (its guest threads
//    share one host thread), qemu-user the host's two, and this is the one row whose Go code
//    runs on both of qemu's;
//  - real tools from Go's tree (gofmt, cmd/compile), built by scripts/build-bench-tools.sh;
//  - hello end to end, plus our time to main.main and to exit with Node's own start beside it,
//    and hello once more without the start-up snapshot (`node dist/cli.js run`);
//  - watchsink under `serve` and gdb-multiarch with GOMAXPROCS=4: from a breakpoint stop to the
//    end of the program, with and without `watch main.sink` set at that stop.
// The cpubench and real-tool rows also show a bound, "warm V8": the row with what V8's cold start
// costs it taken out (coldStart, dist/bench/warm.js).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { GDB_PRELUDE } from './gdb-scripts.js';
import { oursSide, runSession } from './gdb.js';

interface Row {
  what: string;
  ours: number;
  qemu: number;
  /** ours / qemu must stay at or below this. */
  target: number;
  /** CPU seconds (user + system) of the same runs: steadier than wall time on a loaded machine. */
  oursCpu?: number;
  qemuCpu?: number;
  /** Wall seconds past hello's (same run), ours / qemu: the speed once both have started up. */
  pastStartup?: number;
  /** Ours' wall less what V8's cold start costs the run (coldStart), over qemu's wall. */
  warm?: number;
  note?: string;
}

const REPEAT = Math.max(1, Number(process.env.BENCH_REPEAT ?? 2));

/**
 * The environment of every timed run, both sides: this one without NODE_EXTRA_CA_CERTS, which
 * Node 20 reads and parses at every start (a 220 KB CA bundle on the machine measured: `node -e 0`
 * 0.06 s with it, 0.02-0.03 s without). That is the machine's Node set-up, not the emulator, and
 * qemu does not pay it; the hello row prints `node -e 0` both ways.
 */
function benchEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.NODE_EXTRA_CA_CERTS;
  return { ...env, ...extra };
}

/** Wall seconds of one run, and its CPU seconds (user + system, all threads) from /usr/bin/time. */
function timed(command: string, args: string[], env: Record<string, string> = {}): { wall: number; cpu: number } {
  const dir = mkdtempSync(join(tmpdir(), 'bench-time-'));
  const out = join(dir, 'time');
  const t0 = performance.now();
  const r = spawnSync('/usr/bin/time', ['-f', '%U %S', '-o', out, command, ...args], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: benchEnv(env),
  });
  const wall = (performance.now() - t0) / 1000;
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} exited with ${r.status}`);
  const [user, sys] = readFileSync(out, 'utf8').trim().split(/\s+/).slice(-2).map(Number);
  rmSync(dir, { recursive: true, force: true });
  return { wall, cpu: user! + sys! };
}

type Timing = { ours: number; qemu: number; oursCpu: number; qemuCpu: number };

/** How ours is started: the checkout's launcher (from the start-up snapshot), or dist/cli.js without it. */
type Ours = string[];
const launcher = (root: string): Ours => [join(root, 'scripts/aix-gdbstub')];
const withoutSnapshot = (root: string): Ours => [process.execPath, join(root, 'dist/cli.js')];

/** Best of REPEAT interleaved runs of ours and qemu (wall and CPU seconds, each at its minimum). */
function endToEnd(root: string, name: string, args: string[], ours = launcher(root), env: Record<string, string> = {}): Timing {
  return bestOf(ours, join(root, 'build/fixtures/go1.24-aix', name), join(root, 'build/fixtures/go1.24-linux', name), args, args, env);
}

/** env: for both sides (the guests see it too). */
function bestOf(ours: Ours, aix: string, linux: string, args: string[], linuxArgs = args, env: Record<string, string> = {}): Timing {
  const best = { ours: Infinity, qemu: Infinity, oursCpu: Infinity, qemuCpu: Infinity };
  for (let k = 0; k < REPEAT; k++) {
    const o = timed(ours[0]!, [...ours.slice(1), 'run', aix, ...args], env);
    const q = timed('qemu-ppc64', ['-cpu', 'POWER8', linux, ...linuxArgs], env);
    best.ours = Math.min(best.ours, o.wall);
    best.oursCpu = Math.min(best.oursCpu, o.cpu);
    best.qemu = Math.min(best.qemu, q.wall);
    best.qemuCpu = Math.min(best.qemuCpu, q.cpu);
  }
  return best;
}

/**
 * What V8's cold start costs a run of ours, in seconds: the guest part of the first of three runs
 * in one Node process less the best of the later two (dist/bench/warm.js; our JavaScript warm by
 * then, and V8's cache of compiled Wasm modules serving regions with the same bytes), each at its
 * best over REPEAT processes. A bound, not a mode `run` has: every `run` is a new process.
 */
function coldStart(root: string, aix: string, args: string[]): number {
  let first = Infinity;
  let later = Infinity;
  for (let k = 0; k < REPEAT; k++) {
    const r = spawnSync(process.execPath, [join(root, 'dist/bench/warm.js'), aix, ...args], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
      env: benchEnv(),
    });
    if (r.status !== 0) throw new Error(`dist/bench/warm.js ${aix} exited with ${r.status}`);
    const { runs } = JSON.parse(r.stdout) as { runs: number[] };
    first = Math.min(first, runs[0]!);
    later = Math.min(later, ...runs.slice(1));
  }
  return Math.max(0, first - later) / 1000;
}

/** The "warm V8" bound of a row: ours' wall less coldStart of the same run, over qemu's wall. */
function warmBound(root: string, t: Timing, aix: string, args: string[]): number {
  return (t.ours - coldStart(root, aix, args)) / t.qemu;
}

/**
 * Real tools from Go's own tree (scripts/build-bench-tools.sh builds them for both sides): gofmt
 * on a 40 KB source file, and cmd/compile compiling a small package that imports fmt and strings.
 */
function toolRows(root: string, past: (r: Timing) => number): Row[] {
  const dir = join(root, 'build/bench-tools');
  const out = mkdtempSync(join(tmpdir(), 'bench-tools-'));
  try {
    const side = (goos: string, tool: string) => join(dir, goos, tool);
    const expr = join(dir, 'expr.go');
    const gofmt = bestOf(launcher(root), side('aix', 'gofmt'), side('linux', 'gofmt'), ['-l', expr]);
    const compileArgs = (goos: string) => ['-p', 'main', '-importcfg', side(goos, 'importcfg'), '-complete', '-o', join(out, `${goos}.o`), join(root, 'test/inputs/point.go')];
    const compile = bestOf(launcher(root), side('aix', 'compile'), side('linux', 'compile'), compileArgs('aix'), compileArgs('linux'));
    return [
      { what: 'gofmt -l go/types/expr.go (40 KB)', ...gofmt, target: 3, pastStartup: past(gofmt), warm: warmBound(root, gofmt, side('aix', 'gofmt'), ['-l', expr]) },
      {
        what: 'compile: a package importing fmt, strings',
        ...compile,
        target: 3,
        pastStartup: past(compile),
        warm: warmBound(root, compile, side('aix', 'compile'), compileArgs('aix')),
      },
    ];
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

interface Startup {
  scriptStart: number;
  imported: number;
  loaded: number;
  mainMain: number;
  exited: number;
  instructions: number;
}

function startup(root: string): Startup {
  let best: Startup | undefined;
  for (let k = 0; k < REPEAT; k++) {
    const r = spawnSync(process.execPath, [join(root, 'dist/bench/startup.js'), join(root, 'build/fixtures/go1.24-aix/hello')], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
      env: benchEnv(),
    });
    const s = JSON.parse(r.stdout) as Startup;
    if (best === undefined || s.exited < best.exited) best = s;
  }
  return best!;
}

function watchScript(watch: boolean): string {
  return `${GDB_PRELUDE}python
run("break main.churn")
run("continue")
run("delete")
${watch ? `run("watch 'main.sink'")` : ''}
t = time.time()
first = run("continue")
${watch ? 'report("check_watch_fired", len(gdb.selected_inferior().threads()) > 0 and int(gdb.parse_and_eval("\'main.sink\'")) != 0)\nrun("continue")' : ''}
report("to_end", "%.6f" % (time.time() - t))
report("done", 1)
end
`;
}

/** From the breakpoint stop in main.churn to the program's end, with and without the watchpoint. */
async function watchRow(root: string): Promise<Row> {
  const rounds = process.env.BENCH_WATCH_ROUNDS ?? '100000';
  const program = 'build/fixtures/go1.24-aix/watchsink';
  const side = oursSide(root, program, 'linux', { serveOptions: ['--env', 'GOMAXPROCS=4'], programArgs: [rounds] });
  const dir = join(root, 'build', 'bench-gdb');
  mkdirSync(dir, { recursive: true });
  const paths = [false, true].map((w) => {
    const p = join(dir, `watch-${w ? 'on' : 'off'}.gdb`);
    writeFileSync(p, watchScript(w));
    return p;
  });
  let off = Infinity;
  let on = Infinity;
  for (let k = 0; k < REPEAT; k++) {
    for (const [i, p] of paths.entries()) {
      const r = await runSession(side, p, 600_000);
      const t = r.values.get('to_end')!;
      if (i === 0) off = Math.min(off, t);
      else {
        if (r.texts.get('check_watch_fired') !== 'True') throw new Error(`the watchpoint did not fire:\n${r.output}`);
        on = Math.min(on, t);
      }
    }
  }
  return {
    what: `watchsink ${rounds} (GOMAXPROCS=4, serve + gdb): breakpoint stop to exit, with / without watch main.sink`,
    ours: on,
    qemu: off,
    target: 1.5,
    note: `with the watchpoint ${on.toFixed(2)} s, without ${off.toFixed(2)} s; scripts: ${paths.join(', ')}; stub: ${side.stubCommand}`,
  };
}

export async function benchPrograms(root = resolve('.')): Promise<void> {
  const need = ['cpubench', 'chansieve', 'hello', 'watchsink'].flatMap((n) => [`build/fixtures/go1.24-aix/${n}`, `build/fixtures/go1.24-linux/${n}`]);
  const missing = need.filter((p) => !existsSync(join(root, p)));
  console.log(
    `(b) Go programs end to end: scripts/aix-gdbstub run (from the start-up snapshot; aix build) vs qemu-ppc64 -cpu POWER8 (linux build), best of ${REPEAT} (BENCH_REPEAT)`,
  );
  if (missing.length > 0) {
    console.log(`    skipped: missing ${missing.join(', ')} (make fixtures)`);
    process.exitCode = 1;
    return;
  }
  // The rows time what a user runs; make sure that is the snapshot, not the launcher's fallback.
  const check = spawnSync(launcher(root)[0]!, ['run', join(root, 'build/fixtures/go1.24-aix/hello')], {
    encoding: 'utf8',
    env: benchEnv({ AIX_GDBSTUB_SNAPSHOT: 'require' }),
  });
  if (check.status !== 0) throw new Error(`the launcher cannot start from the snapshot (make build):\n${check.stderr}`);
  const rows: Row[] = [];
  // Every Go program pays hello's start (Node, our import, the XCOFF load, the Go runtime's own
  // initialisation); the time past it is the part a faster tier can shrink.
  const hello = endToEnd(root, 'hello', []);
  // The same without the start-up snapshot: what Node's module loader costs.
  const helloWithout = endToEnd(root, 'hello', [], withoutSnapshot(root));
  const past = (r: Timing): number => Math.max(r.ours - hello.ours, 1e-3) / Math.max(r.qemu - hello.qemu, 1e-3);
  for (const phase of ['sort', 'map', 'sha', 'float', 'all']) {
    const r = endToEnd(root, 'cpubench', [phase]);
    const warm = warmBound(root, r, join(root, 'build/fixtures/go1.24-aix/cpubench'), [phase]);
    rows.push({ what: `cpubench ${phase}`, ...r, target: 3, pastStartup: past(r), warm });
  }
  const sieve = endToEnd(root, 'chansieve', ['1000']);
  rows.push({ what: 'chansieve 1000 (1,000 goroutines chained by channels)', ...sieve, target: 5, pastStartup: past(sieve) });
  const sieveOneCpu = endToEnd(root, 'chansieve', ['1000'], launcher(root), { GOMAXPROCS: '1' });
  rows.push({
    what: 'chansieve 1000, GOMAXPROCS=1 on both sides (one CPU, as our machine reports)',
    ...sieveOneCpu,
    target: 5,
    pastStartup: past(sieveOneCpu),
  });
  if (['aix', 'linux'].every((goos) => existsSync(join(root, 'build/bench-tools', goos, '.stamp')))) rows.push(...toolRows(root, past));
  else console.log('    (real tools skipped: build/bench-tools missing; make bench builds them with scripts/build-bench-tools.sh)');
  const nodeAlone = (env: Record<string, string> = {}): string =>
    Math.min(...Array.from({ length: REPEAT }, () => timed(process.execPath, ['-e', '0'], env).wall)).toFixed(3);
  const caCerts = process.env.NODE_EXTRA_CA_CERTS;
  const withCerts = caCerts === undefined ? '' : `; with this machine's NODE_EXTRA_CA_CERTS, which the rows leave out: ${nodeAlone({ NODE_EXTRA_CA_CERTS: caCerts })} s`;
  const st = startup(root);
  rows.push({ what: 'hello end to end', ...hello, target: 2, note: `node -e 0 alone: ${nodeAlone()} s${withCerts}` });
  rows.push({
    what: 'hello end to end, no snapshot (node dist/cli.js run)',
    ...helloWithout,
    target: 2,
    note:
      `inside such a process (dist/bench/startup.js): Node start ${(st.scriptStart / 1000).toFixed(3)} s, ` +
      `modules imported ${(st.imported / 1000).toFixed(3)} s, program loaded ${(st.loaded / 1000).toFixed(3)} s, main.main ${(st.mainMain / 1000).toFixed(3)} s, ` +
      `exit ${(st.exited / 1000).toFixed(3)} s (${st.instructions.toLocaleString()} guest instructions)`,
  });
  rows.push(await watchRow(root));
  const w = Math.max(...rows.map((r) => r.what.length));
  console.log(
    `    ${'program'.padEnd(w)}  ${'ours'.padStart(8)}  ${'qemu'.padStart(8)}  ${'ours/qemu'.padStart(9)}  target        ${'CPU s: ours'.padStart(11)}  ${'qemu'.padStart(6)}  ${'ratio'.padStart(7)}  ${'past start-up'.padStart(13)}  ${'warm V8'.padStart(8)}`,
  );
  for (const r of rows) {
    const ratio = r.ours / r.qemu;
    const met = ratio <= r.target ? `<=${r.target}x met    ` : `<=${r.target}x NOT met`;
    const cpu =
      r.oursCpu === undefined || r.qemuCpu === undefined
        ? ''
        : `  ${r.oursCpu.toFixed(2).padStart(9)} s  ${r.qemuCpu.toFixed(2).padStart(4)} s  ${(r.oursCpu / r.qemuCpu).toFixed(2).padStart(6)}x`;
    const pastStartup = r.pastStartup === undefined ? '' : `  ${r.pastStartup.toFixed(2).padStart(12)}x`;
    const warm = r.warm === undefined ? '' : `  ${r.warm.toFixed(2).padStart(7)}x`;
    console.log(`    ${r.what.padEnd(w)}  ${r.ours.toFixed(2).padStart(6)} s  ${r.qemu.toFixed(2).padStart(6)} s  ${ratio.toFixed(2).padStart(8)}x  ${met}${cpu}${pastStartup}${warm}`);
    if (r.note) console.log(`    ${''.padEnd(w)}  (${r.note})`);
  }
  console.log('    (the watchsink row compares ours with ours: its "qemu" column is the same run without the watchpoint;');
  console.log('    CPU s counts every thread of the process, so ours includes V8 compiling the generated code;');
  console.log("    past start-up: wall seconds beyond hello's on each side, ours / qemu: the speed once both have started;");
  console.log('    warm V8: ours less what the guest part saves when run again in one Node process (dist/bench/warm.js), / qemu:');
  console.log("    the row with V8's cold start taken out, a bound: every `run` is a new process)");
}
