// A real program that needs file-backed mmap: Go 1.24's cmd/compile built for aix/ppc64 (by
// scripts/build-fixtures.sh) compiles a package importing fmt under `run`. The compiler maps the
// export data of its imports (MAP_SHARED, PROT_READ) and its telemetry counter file (MAP_SHARED,
// read-write); the object it writes must be byte-identical to the host compiler's for
// GOOS=aix GOARCH=ppc64 with the same flags.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCli, cli, runCaptured } from '../helpers/cli.js';
import { fixturesBuildDir, go124, go124Root, goEnv, repoRoot, requireTool } from '../helpers/toolchains.js';

const compiler = join(fixturesBuildDir, 'go1.24-aix-tools', 'compile');

/** The package compiled: also what `make bench` has cmd/compile build (src/bench/programs.ts). */
const source = join(repoRoot, 'test/inputs/point.go');

let dir = '';
let compileArgs: string[] = [];

beforeAll(() => {
  buildCli();
  requireTool(go124);
  if (!existsSync(compiler)) throw new Error(`missing ${compiler}\n  build it with: make fixtures`);
  dir = mkdtempSync(join(tmpdir(), 'aix-compile-'));
  copyFileSync(source, join(dir, 'x.go'));
  // The aix/ppc64 export data of fmt, strings and what they import. With -trimpath and the build
  // cache scripts/build-fixtures.sh fills (one per Go version), the fixture builds already made it.
  const version = spawnSync(go124, ['env', 'GOVERSION'], { encoding: 'utf8', env: goEnv(go124Root) }).stdout.trim();
  expect(version).toMatch(/^go1\.24/);
  const env = { ...goEnv(go124Root), GOOS: 'aix', GOARCH: 'ppc64', GOCACHE: join(repoRoot, '.cache', 'go-build', version) };
  const list = spawnSync(go124, ['list', '-trimpath', '-export', '-deps', '-f', '{{if .Export}}packagefile {{.ImportPath}}={{.Export}}{{end}}', 'fmt', 'strings'], {
    encoding: 'utf8',
    env,
    timeout: 120_000,
  });
  expect(list.status, list.stderr).toBe(0);
  expect(list.stdout).toMatch(/^packagefile fmt=/m);
  writeFileSync(join(dir, 'importcfg'), list.stdout);
  compileArgs = ['-p', 'main', '-importcfg', join(dir, 'importcfg'), '-trimpath', `${dir}=>`, '-complete', join(dir, 'x.go')];
}, 300_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('run: Go 1.24 cmd/compile for aix/ppc64', () => {
  it('compiles a package importing fmt into an object byte-identical to the host compiler\'s', async () => {
    // Telemetry counters go to a private config dir on both sides.
    const config = join(dir, 'config');
    const host = spawnSync(go124, ['tool', 'compile', '-o', join(dir, 'host.o'), ...compileArgs], {
      encoding: 'utf8',
      env: { ...goEnv(go124Root), GOOS: 'aix', GOARCH: 'ppc64', XDG_CONFIG_HOME: config },
      timeout: 120_000,
    });
    expect(host.status, host.stderr).toBe(0);
    const got = await runCaptured(process.execPath, [cli, 'run', '--env', `XDG_CONFIG_HOME=${config}`, compiler, '-o', join(dir, 'emu.o'), ...compileArgs], { timeoutMs: 150_000 });
    expect({ stdout: got.stdout, stderr: got.stderr, status: got.status }).toEqual({ stdout: '', stderr: '', status: 0 });
    const want = readFileSync(join(dir, 'host.o'));
    expect(want.subarray(0, 18).toString('latin1')).toBe('!<arch>\n__.PKGDEF ');
    expect(want.includes(Buffer.from('go object aix ppc64 go1.24'))).toBe(true);
    const emu = readFileSync(join(dir, 'emu.o'));
    expect(emu.length).toBe(want.length);
    expect(emu.equals(want)).toBe(true);
  }, 180_000);
});
