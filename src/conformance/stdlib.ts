#!/usr/bin/env node
// `make conformance-stdlib`: Go 1.24 standard-library package tests built for aix/ppc64
// (`go test -c`) and run under the emulator with -test.short, in the package's source directory
// with GOROOT set, as `go test` runs them. Prints one line per package and the failing tests;
// writes build/conformance/stdlib-summary.json (and each package's output next to its test binary,
// build/conformance/stdlib/<pkg>.test.log); exits 1 unless every package passes.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { passRate } from './compare.js';
import { CLI, GO124_ROOT, REPO, goEnv } from './go-env.js';
import { exitWithUsage, numberOption } from './options.js';
import { packagePassed, parseGoTestV, type GoTestOutcome } from './gotest.js';
import { pool, runCaptured } from './process.js';

const OUT_DIR = join(REPO, 'build/conformance/stdlib');
const BUILD_TIMEOUT_MS = 600_000;

/** The packages issue 10 names, plus those of the file layer they lean on. */
export const DEFAULT_PACKAGES = ['path/filepath', 'mime', 'text/tabwriter', 'os', 'io/fs', 'os/exec', 'net'];

const USAGE = `usage: node dist/conformance/stdlib.js [options] [PACKAGE...]
  PACKAGE           standard-library import paths (default: ${DEFAULT_PACKAGES.join(' ')})
  --jobs N          packages built and run at once (default 1)
  --timeout S       seconds per package under the emulator (default 900)
  --run REGEX       only tests matching REGEX (-test.run)
  --deterministic   run with --deterministic (virtual clock)
  --verbose         print the output of failing packages`;

interface Options {
  packages: string[];
  jobs: number;
  timeoutSeconds: number;
  run?: string;
  deterministic: boolean;
  verbose: boolean;
}

function parseOptions(argv: string[]): Options {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      jobs: { type: 'string', default: '1' },
      timeout: { type: 'string', default: '900' },
      run: { type: 'string' },
      deterministic: { type: 'boolean', default: false },
      verbose: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) exitWithUsage(USAGE);
  return {
    packages: positionals.length > 0 ? positionals : DEFAULT_PACKAGES,
    jobs: Math.floor(numberOption('jobs', values.jobs)),
    timeoutSeconds: numberOption('timeout', values.timeout),
    ...(values.run !== undefined ? { run: values.run } : {}),
    deterministic: values.deterministic,
    verbose: values.verbose,
  };
}

interface PackageResult {
  pkg: string;
  status: 'pass' | 'fail' | 'build';
  reason?: string;
  exitCode?: number | null;
  seconds?: number;
  tests?: Omit<GoTestOutcome, 'verdict'> & { verdict: string | null };
}

async function testPackage(go: string, pkg: string, opts: Options): Promise<PackageResult> {
  const exe = join(OUT_DIR, `${pkg.replace(/\//g, '_')}.test`);
  // -trimpath as the fixtures; the go build cache makes a rebuild of an unchanged package a link.
  const b = await runCaptured(go, ['test', '-c', '-trimpath', '-o', exe, pkg], { cwd: join(GO124_ROOT, 'src'), env: goEnv(), timeoutMs: BUILD_TIMEOUT_MS });
  if (b.exitCode !== 0 || !existsSync(exe)) {
    const line = b.output.split('\n').find((l) => l.trim() !== '' && !l.startsWith('#'))?.trim();
    return { pkg, status: 'build', reason: `go test -c failed: ${line ?? `exit ${b.exitCode}`}` };
  }
  const dir = join(GO124_ROOT, 'src', pkg);
  const args = [CLI, 'run', ...(opts.deterministic ? ['--deterministic'] : []), exe, '-test.short', '-test.v', `-test.timeout=${Math.floor(opts.timeoutSeconds)}s`];
  if (opts.run !== undefined) args.push(`-test.run=${opts.run}`);
  const env: NodeJS.ProcessEnv = { ...process.env, GOROOT: GO124_ROOT, GOENV: 'off', GOFLAGS: '', PWD: dir, PATH: `${aixCommands()}:${process.env['PATH'] ?? ''}` };
  // The emulator gets a minute more than the binary's own -test.timeout, which then reports the stuck test.
  const r = await runCaptured(process.execPath, args, { cwd: dir, env, timeoutMs: (opts.timeoutSeconds + 60) * 1000 });
  writeFileSync(`${exe}.log`, r.output); // the whole -test.v output, for reading a failure
  const tests = parseGoTestV(r.output);
  const summary = { ...tests, verdict: tests.verdict ?? null };
  const base = { pkg, exitCode: r.exitCode, seconds: Number(r.seconds.toFixed(1)), tests: summary };
  if (packagePassed(tests, r.exitCode)) return { ...base, status: 'pass' };
  if (opts.verbose) process.stdout.write(`---- ${pkg} output ----\n${r.output.slice(-4000)}\n----\n`);
  const why = r.timedOut
    ? 'timeout'
    : tests.failed.length > 0
      ? `failed: ${tests.failed.slice(0, 8).join(', ')}${tests.failed.length > 8 ? ', …' : ''}`
      : tests.unfinished.length > 0
        ? `ended inside ${tests.unfinished.join(', ')} (exit ${r.exitCode})`
        : `exit ${r.exitCode}: ${r.output.trim().split('\n').slice(-1)[0] ?? ''}`;
  return { ...base, status: 'fail', reason: why };
}

/**
 * Commands an AIX machine has that the tests run: `oslevel -s` (net's tests test AF_UNIX only on
 * AIX 7.2 TL2 or later and ask oslevel, which the host lacks). It answers the level the emulator's
 * uname reports (AIX 7.3). A directory first in the guest's PATH.
 */
function aixCommands(): string {
  const dir = join(OUT_DIR, 'aix-bin');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'oslevel'), '#!/bin/sh\n# AIX oslevel -s as the emulator\'s uname (AIX 7.3) would give it\necho 7300-00-00-0000\n', { mode: 0o755 });
  return dir;
}

async function main(): Promise<number> {
  const opts = parseOptions(process.argv.slice(2));
  const go = join(GO124_ROOT, 'bin/go');
  if (!existsSync(go)) throw new Error(`Go 1.24 not found at ${go}: run \`make toolchains\``);
  if (!existsSync(CLI)) throw new Error(`${CLI} missing: run \`make build\``);
  mkdirSync(OUT_DIR, { recursive: true });
  process.stdout.write(`conformance-stdlib: ${opts.packages.length} packages, go test -c for aix/ppc64, run with -test.short\n`);
  const started = Date.now();
  const results = await pool(opts.packages, opts.jobs, async (pkg) => {
    const r = await testPackage(go, pkg, opts);
    const t = r.tests;
    const counts = t ? ` ${t.passed.length} passed, ${t.failed.length} failed, ${t.skipped.length} skipped` : '';
    process.stdout.write(`${r.status.toUpperCase().padEnd(5)} ${r.pkg}${r.seconds !== undefined ? ` (${r.seconds}s)` : ''}${counts}${r.reason ? `  ${r.reason}` : ''}\n`);
    return r;
  });
  const passedPkgs = results.filter((r) => r.status === 'pass').length;
  const testsPassed = results.reduce((n, r) => n + (r.tests?.passed.length ?? 0), 0);
  const testsFailed = results.reduce((n, r) => n + (r.tests?.failed.length ?? 0) + (r.tests?.unfinished.length ?? 0), 0);
  const elapsed = (Date.now() - started) / 1000;
  writeFileSync(
    join(OUT_DIR, '..', 'stdlib-summary.json'),
    `${JSON.stringify({ options: opts, elapsedSeconds: elapsed, packages: results.length, packagesPassed: passedPkgs, testsPassed, testsFailed, results }, null, 2)}\n`,
  );
  process.stdout.write(
    `\n${passedPkgs}/${results.length} packages pass; tests: ${testsPassed} passed, ${testsFailed} failed (${passRate(testsPassed, testsFailed).toFixed(1)}%) in ${elapsed.toFixed(0)}s\n`,
  );
  return passedPkgs === results.length ? 0 : 1;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`conformance-stdlib: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  },
);
