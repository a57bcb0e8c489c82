#!/usr/bin/env node
// `make conformance`: Go 1.24's own `// run` test programs (GOROOT/test), built for aix/ppc64
// and run under the emulator, judged like the Go harness judges them. Prints one line per
// program, the pass rate and the failures; writes build/conformance/summary.json; exits 1
// when fewer than 90% of the applicable programs pass.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { judgeRun, passRate, type Verdict } from './compare.js';
import { CLI, GO124_ROOT, REPO, TARGET, goEnv } from './go-env.js';
import { exitWithUsage, numberOption, timeoutScale } from './options.js';
import { pool, runCaptured, type Captured } from './process.js';
import type { TagContext } from './recipe.js';
import { discover, sample, type Candidate } from './select.js';

const OUT_DIR = join(REPO, 'build/conformance');
const REQUIRED_PASS_RATE = 90;
const BUILD_TIMEOUT_MS = 600_000;

const USAGE = `usage: node dist/conformance/main.js [options]
  --filter REGEX    only programs whose name (e.g. fixedbugs/bug000.go) matches
  --jobs N          parallel builds/runs (default 2)
  --timeout S       seconds per program under the emulator (default 180)
  --sample N        about N programs spread evenly over the sorted list
  --variants        also \`// run\` files with flags or arguments (e.g. -gcflags=…)
  --list            list the selected programs and exit
  --build-only      build (and cache) without running
  --no-deterministic  run without --deterministic (real clocks)
  --verbose         print the output diff context of each failure`;

interface Options {
  filter?: RegExp;
  jobs: number;
  timeoutSeconds: number;
  sample: number;
  variants: boolean;
  list: boolean;
  buildOnly: boolean;
  deterministic: boolean;
  verbose: boolean;
}

function parseOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      filter: { type: 'string' },
      jobs: { type: 'string', default: '2' },
      timeout: { type: 'string', default: '180' },
      sample: { type: 'string', default: '0' },
      variants: { type: 'boolean', default: false },
      list: { type: 'boolean', default: false },
      'build-only': { type: 'boolean', default: false },
      'no-deterministic': { type: 'boolean', default: false },
      verbose: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) exitWithUsage(USAGE);
  return {
    ...(values.filter !== undefined ? { filter: new RegExp(values.filter, 'u') } : {}),
    jobs: Math.max(1, Math.floor(numberOption('jobs', values.jobs, true))),
    timeoutSeconds: numberOption('timeout', values.timeout, true),
    sample: Math.floor(numberOption('sample', values.sample, true)),
    variants: values.variants,
    list: values.list,
    buildOnly: values['build-only'],
    deterministic: !values['no-deterministic'],
    verbose: values.verbose,
  };
}

interface Toolchain {
  go: string;
  version: string;
  testDir: string;
  ctx: TagContext;
}

function loadToolchain(): Toolchain {
  const go = join(GO124_ROOT, 'bin/go');
  if (!existsSync(go)) throw new Error(`Go 1.24 not found at ${go}: run \`make toolchains\``);
  const testDir = realpathSync(join(GO124_ROOT, 'test'));
  const version = execFileSync(go, ['env', 'GOVERSION'], { env: goEnv(), encoding: 'utf8' }).trim();
  const tags = execFileSync(
    go,
    ['list', '-f', '{{join context.ToolTags ","}}|{{join context.ReleaseTags ","}}|{{context.CgoEnabled}}', 'runtime'],
    { env: goEnv(), encoding: 'utf8', cwd: testDir },
  ).trim();
  const [toolTags = '', releaseTags = '', cgo = 'false'] = tags.split('|');
  return {
    go,
    version,
    testDir,
    ctx: {
      goos: TARGET.goos,
      goarch: TARGET.goarch,
      cgoEnabled: cgo === 'true',
      releaseTags: releaseTags.split(',').filter(Boolean),
      toolTags: toolTags.split(',').filter(Boolean),
    },
  };
}

type BuildResult = { ok: true; exe: string; cached: boolean; seconds: number } | { ok: false; error: string; cached: boolean; seconds: number };

/** Builds one program into build/conformance/bin, reusing it while source, flags and toolchain are unchanged. */
async function build(tc: Toolchain, c: Candidate): Promise<BuildResult> {
  const exe = join(OUT_DIR, 'bin', c.name.replace(/\.go$/u, ''));
  const stamp = `${exe}.build.json`;
  // -w: no DWARF (as the harness's `link -s -w`), but the symbol table stays for the emulator's crash reports.
  const buildArgs = ['build', '-trimpath', '-ldflags=-w', ...c.recipe.buildFlags, '-o', exe, c.path, ...c.extraFiles];
  const hash = createHash('sha256');
  hash.update(`${tc.version}\0${GO124_ROOT}\0${buildArgs.join('\0')}\0${c.recipe.goexperiment.join(',')}\0`);
  for (const f of [c.path, ...c.extraFiles]) hash.update(readFileSync(f));
  const key = hash.digest('hex');
  try {
    const previous = JSON.parse(readFileSync(stamp, 'utf8')) as { key: string; ok: boolean; error?: string };
    if (previous.key === key && (!previous.ok || existsSync(exe))) {
      return previous.ok ? { ok: true, exe, cached: true, seconds: 0 } : { ok: false, error: previous.error ?? 'build failed', cached: true, seconds: 0 };
    }
  } catch {
    // no stamp yet
  }
  mkdirSync(dirname(exe), { recursive: true });
  const extra: Record<string, string> = c.recipe.goexperiment.length > 0 ? { GOEXPERIMENT: c.recipe.goexperiment.join(',') } : {};
  const r = await runCaptured(tc.go, buildArgs, { cwd: tc.testDir, env: goEnv(extra), timeoutMs: BUILD_TIMEOUT_MS });
  const ok = r.exitCode === 0;
  const error = ok ? undefined : (r.timedOut ? 'build timed out' : firstBuildError(r.output) ?? `go build exit ${r.exitCode}`);
  writeFileSync(stamp, JSON.stringify({ key, ok, ...(error !== undefined ? { error } : {}) }));
  return ok ? { ok: true, exe, cached: false, seconds: r.seconds } : { ok: false, error: error!, cached: false, seconds: r.seconds };
}

function firstBuildError(output: string): string | undefined {
  return output.split('\n').find((l) => l.trim() !== '' && !l.startsWith('#'))?.trim();
}

type Status = 'pass' | 'fail' | 'n/a' | 'built';

interface ProgramResult {
  name: string;
  status: Status;
  kind?: string;
  reason?: string;
  buildSeconds?: number;
  runSeconds?: number;
  exitCode?: number | null;
  /** The program starts other programs (os/exec): it needs fork/exec and a go command in the guest. */
  usesExec?: boolean;
}

/** The private Go environment without the aix/ppc64 target: what a go command the guest starts on the host uses. */
function hostGoEnv(): NodeJS.ProcessEnv {
  const env = goEnv();
  delete env['GOOS'];
  delete env['GOARCH'];
  return env;
}

let importcfgFile: string | undefined;
/** The harness's stdlibImportcfgFile: `go list -export` of std for the host, once per run. */
function stdlibImportcfg(tc: Toolchain): string {
  if (importcfgFile) return importcfgFile;
  const cfg = execFileSync(tc.go, ['list', '-export', '-f', '{{if .Export}}packagefile {{.ImportPath}}={{.Export}}{{end}}', 'std'], {
    env: hostGoEnv(), encoding: 'utf8', cwd: tc.testDir, maxBuffer: 64 << 20,
  });
  importcfgFile = join(OUT_DIR, 'importcfg');
  mkdirSync(OUT_DIR, { recursive: true });
  writeFileSync(importcfgFile, cfg);
  return importcfgFile;
}

async function runOne(tc: Toolchain, c: Candidate, opts: Options): Promise<ProgramResult> {
  if (c.excludedBy !== undefined) return { name: c.name, status: 'n/a', kind: 'constraint', reason: `excluded by ${c.excludedBy}` };
  const b = await build(tc, c);
  if (!b.ok) return { name: c.name, status: 'n/a', kind: 'build', reason: `does not build for aix/ppc64: ${b.error}`, buildSeconds: b.seconds };
  if (opts.buildOnly) return { name: c.name, status: 'built', buildSeconds: b.seconds };

  const expectedPath = c.path.replace(/\.go$/u, '.out');
  const expected = existsSync(expectedPath) ? readFileSync(expectedPath, 'utf8') : null;
  const emulatorArgs = [CLI, 'run', ...(opts.deterministic ? ['--deterministic'] : []), b.exe, ...c.programArgs];
  // As under `go test cmd/internal/testdir`: GOROOT set (the go command exports it to tests;
  // -trimpath builds have no GOROOT of their own), GOROOT/bin first in PATH (go test puts it
  // there, so a program's exec.Command("go") finds this toolchain), run in GOROOT/test with PWD to match.
  // Programs that run the go command (through the emulator's host exec) get the private Go
  // environment for the host target, and STDLIB_IMPORTCFG as the harness writes it.
  const runEnv: NodeJS.ProcessEnv = {
    ...hostGoEnv(), GOROOT: GO124_ROOT, PATH: `${join(GO124_ROOT, 'bin')}:${process.env['PATH'] ?? ''}`, GOENV: 'off', GOFLAGS: '', PWD: tc.testDir,
  };
  if (readFileSync(c.path, 'utf8').includes('STDLIB_IMPORTCFG')) runEnv['STDLIB_IMPORTCFG'] = stdlibImportcfg(tc);
  if (c.recipe.godebug.length > 0) runEnv['GODEBUG'] = c.recipe.godebug.join(',');
  const timeoutSeconds = Math.max(opts.timeoutSeconds, c.recipe.timeoutSeconds) * timeoutScale();
  const attempt = async (): Promise<{ r: Captured; verdict: Verdict }> => {
    const r = await runCaptured(process.execPath, emulatorArgs, { cwd: tc.testDir, env: runEnv, timeoutMs: timeoutSeconds * 1000 });
    const obs = { output: r.output, exitCode: r.exitCode, timedOut: r.timedOut, ...(r.spawnError !== undefined ? { spawnError: r.spawnError } : {}) };
    return { r, verdict: judgeRun(obs, expected) };
  };
  let { r, verdict } = await attempt();
  // dist/ may be rebuilt under us while other work goes on: an emulator crash gets one retry.
  if (!verdict.pass && verdict.kind === 'host') ({ r, verdict } = await attempt());
  const base = { name: c.name, buildSeconds: b.seconds, runSeconds: Number(r.seconds.toFixed(3)), exitCode: r.exitCode, ...(c.usesExec ? { usesExec: true } : {}) };
  if (verdict.pass) return { ...base, status: 'pass' };
  if (opts.verbose) process.stdout.write(`---- ${c.name} output (${r.output.length} bytes) ----\n${r.output.slice(0, 2000)}\n----\n`);
  return { ...base, status: 'fail', kind: verdict.kind, reason: verdict.reason };
}

/** Fails early, with one clear line, when dist/cli.js has no working `run` command yet. */
function emulatorReady(): string | undefined {
  if (!existsSync(CLI)) return `${CLI} missing: run \`make build\``;
  try {
    execFileSync(process.execPath, [CLI, 'run', '--help'], { stdio: 'pipe' });
    return undefined;
  } catch (e) {
    const err = e as { stderr?: Buffer };
    return `\`node dist/cli.js run\` is not available: ${err.stderr?.toString().split('\n')[0] ?? String(e)}`;
  }
}

async function main(): Promise<number> {
  const opts = parseOptions(process.argv.slice(2));
  const tc = loadToolchain();
  const found = discover(tc.testDir, tc.ctx, opts.variants);
  let selected = found.candidates.filter((c) => opts.filter === undefined || opts.filter.test(c.name));
  selected = sample(selected, opts.sample);

  if (opts.list) {
    for (const c of selected) process.stdout.write(`${c.name}${c.excludedBy !== undefined ? `\t(n/a: ${c.excludedBy})` : ''}${c.variant ? `\t[${c.recipe.buildFlags.concat(c.recipe.args).join(' ')}]` : ''}\n`);
    process.stdout.write(`${selected.length} programs (${tc.version}, ${tc.testDir}; ${found.variantCount} flagged \`run\` variants ${opts.variants ? 'included' : 'not selected'})\n`);
    return 0;
  }
  if (!opts.buildOnly) {
    const problem = emulatorReady();
    if (problem !== undefined) {
      process.stderr.write(`conformance: ${problem}\n`);
      return 1;
    }
  }

  mkdirSync(OUT_DIR, { recursive: true });
  process.stdout.write(`conformance: ${selected.length} programs from ${tc.testDir} (${tc.version}, ${TARGET.goos}/${TARGET.goarch}), jobs ${opts.jobs}, timeout ${opts.timeoutSeconds}s × ${timeoutScale().toFixed(1)} (load; GO_TEST_TIMEOUT_SCALE sets it)\n`);
  const started = Date.now();
  // Programs that run the go command on the host want std's export data for the host: build it
  // once before they start, or the first ones spend their time limit building std.
  if (!opts.buildOnly && selected.some((c) => c.usesExec && c.excludedBy === undefined)) stdlibImportcfg(tc);
  let done = 0;
  const results = await pool(selected, opts.jobs, async (c) => {
    const r = await runOne(tc, c, opts);
    done++;
    const label = r.status.toUpperCase().padEnd(5);
    const time = r.runSeconds !== undefined ? ` (${r.runSeconds.toFixed(1)}s)` : '';
    process.stdout.write(`[${String(done).padStart(4)}/${selected.length}] ${label} ${r.name}${time}${r.reason !== undefined ? `  ${r.reason}` : ''}\n`);
    return r;
  });
  const elapsed = (Date.now() - started) / 1000;

  const passed = results.filter((r) => r.status === 'pass');
  const failed = results.filter((r) => r.status === 'fail');
  const notApplicable = results.filter((r) => r.status === 'n/a');
  const rate = passRate(passed.length, failed.length);
  const summary = {
    goVersion: tc.version,
    target: `${TARGET.goos}/${TARGET.goarch}`,
    testDir: tc.testDir,
    options: { filter: opts.filter?.source ?? null, sample: opts.sample, variants: opts.variants, timeoutSeconds: opts.timeoutSeconds, deterministic: opts.deterministic, buildOnly: opts.buildOnly },
    elapsedSeconds: elapsed,
    selected: results.length,
    passed: passed.length,
    failed: failed.length,
    notApplicable: notApplicable.length,
    passRate: Number(rate.toFixed(2)),
    requiredPassRate: REQUIRED_PASS_RATE,
    failures: failed.map((r) => ({ name: r.name, kind: r.kind, reason: r.reason, ...(r.usesExec === true ? { usesExec: true } : {}) })),
    notApplicableList: notApplicable.map((r) => ({ name: r.name, kind: r.kind, reason: r.reason })),
    results,
  };
  writeFileSync(join(OUT_DIR, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);

  if (opts.buildOnly) {
    process.stdout.write(`\n${results.length - notApplicable.length} built, ${notApplicable.length} not applicable, in ${elapsed.toFixed(0)}s\n`);
    return 0;
  }
  process.stdout.write(`\n${passed.length} passed, ${failed.length} failed (${rate.toFixed(1)}% of ${passed.length + failed.length} applicable; ${notApplicable.length} not applicable) in ${elapsed.toFixed(0)}s\n`);
  if (notApplicable.length > 0) {
    process.stdout.write(`not applicable to aix/ppc64:\n`);
    for (const r of notApplicable) process.stdout.write(`  ${r.name}: ${r.reason}\n`);
  }
  if (failed.length > 0) {
    process.stdout.write(`failures:\n`);
    for (const r of failed) process.stdout.write(`  ${r.name}: [${r.kind}${r.usesExec === true ? ', os/exec' : ''}] ${r.reason}\n`);
  }
  process.stdout.write(`summary: ${join(OUT_DIR, 'summary.json')}\n`);
  const enough = passed.length + failed.length > 0 && rate >= REQUIRED_PASS_RATE;
  process.stdout.write(enough ? `PASS: ${rate.toFixed(1)}% >= ${REQUIRED_PASS_RATE}%\n` : `FAIL: ${rate.toFixed(1)}% < ${REQUIRED_PASS_RATE}%\n`);
  return enough ? 0 : 1;
}

// exitCode, not exit(): stdout may be a pipe still draining the report.
main().then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`conformance: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  },
);
