// The npm package as a user gets it: `npm pack` on a clean copy of the repository builds dist/
// itself (prepack) and ships only dist/ (no maps), gdb-scripts/, README and LICENSE; installed
// offline from the tarball into an empty folder (yargs from the npm cache that `npm ci` filled),
// `npx aix-gdbstub run PROG` runs a program and `import … from 'aix-gdbstub'` is typed.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture, repoRoot } from '../helpers/toolchains.js';

let work: string;
let tarball: string;
let listing: string[];

/** The package-lock of a folder that depends on the tarball: yargs and its dependencies exactly as this repository locks them. */
function lockFor(tgz: string): object {
  const lock = JSON.parse(readFileSync(join(repoRoot, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dependencies?: Record<string, string> }> };
  const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string; dependencies: Record<string, string> };
  const packages: Record<string, unknown> = {
    '': { name: 'consumer', version: '1.0.0', dependencies: { 'aix-gdbstub': `file:${tgz}` } },
    'node_modules/aix-gdbstub': { version: pkg.version, resolved: `file:${tgz}`, dependencies: pkg.dependencies, bin: { 'aix-gdbstub': 'dist/cli.js' } },
  };
  const todo = Object.keys(pkg.dependencies);
  while (todo.length) {
    const name = todo.pop()!;
    if (packages[`node_modules/${name}`]) continue;
    const entry = lock.packages[`node_modules/${name}`];
    if (!entry) throw new Error(`package-lock.json has no node_modules/${name}`);
    packages[`node_modules/${name}`] = entry;
    todo.push(...Object.keys(entry.dependencies ?? {}));
  }
  return { name: 'consumer', version: '1.0.0', lockfileVersion: 3, requires: true, packages };
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'aix-npm-'));
  // A clean copy: the files git knows (tracked and new), none of dist/, build/ or node_modules.
  const clone = join(work, 'clone');
  const files = execFileSync('git', ['ls-files', '-co', '--exclude-standard'], { cwd: repoRoot, encoding: 'utf8' }).split('\n').filter((f) => f !== '' && !/^(node_modules|build|dist|\.cache)(\/|$)/.test(f));
  for (const f of files) {
    mkdirSync(dirname(join(clone, f)), { recursive: true });
    cpSync(join(repoRoot, f), join(clone, f), { dereference: false });
  }
  symlinkSync(join(repoRoot, 'node_modules'), join(clone, 'node_modules')); // typescript for prepack
  const pack = spawnSync('npm', ['pack', '--offline', '--silent'], { cwd: clone, encoding: 'utf8', timeout: 300_000 });
  if (pack.status !== 0) throw new Error(`npm pack failed:\n${pack.stdout}\n${pack.stderr}`);
  tarball = join(clone, pack.stdout.trim().split('\n').pop()!);
  listing = execFileSync('tar', ['tzf', tarball], { encoding: 'utf8' }).split('\n').filter((l) => l !== '');
}, 400_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('npm pack', () => {
  it('ships dist/ (JavaScript and declarations, no source maps), gdb-scripts/, README and LICENSE only', () => {
    const outside = listing.filter((f) => !/^package\/(package\.json|README\.md|LICENSE|dist\/.+\.(js|d\.ts)|gdb-scripts\/.+)$/.test(f));
    expect(outside).toEqual([]);
    expect(listing).toContain('package/dist/cli.js');
    expect(listing).toContain('package/dist/index.d.ts');
    expect(listing).toContain('package/gdb-scripts/python/go_printers.py');
    expect(listing).toContain('package/LICENSE');
    expect(listing.some((f) => /\.map$|\.test\.|^package\/(src|test)\//.test(f))).toBe(false);
  });

  it('installs offline into an empty folder; npx aix-gdbstub run PROG runs it; the library imports with its types', () => {
    const app = join(work, 'app');
    mkdirSync(app);
    cpSync(tarball, join(app, 'aix-gdbstub.tgz'));
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true, type: 'module', dependencies: { 'aix-gdbstub': 'file:aix-gdbstub.tgz' } }));
    writeFileSync(join(app, 'package-lock.json'), JSON.stringify(lockFor('aix-gdbstub.tgz')));
    const install = spawnSync('npm', ['install', '--offline', '--no-audit', '--no-fund'], { cwd: app, encoding: 'utf8', timeout: 120_000 });
    expect(install.status, install.stderr).toBe(0);
    expect(readdirSync(join(app, 'node_modules'))).toContain('yargs');
    const run = spawnSync('npx', ['--offline', 'aix-gdbstub', 'run', fixture('go1.24-aix', 'hello')], { cwd: app, encoding: 'utf8', timeout: 120_000 });
    expect(run.stderr).toBe('');
    expect(run.stdout).toBe('hello from aix/ppc64\n');
    expect(run.status).toBe(0);
    // The exported surface at run time, and to the type checker (tsc with the package's .d.ts files).
    const load = spawnSync(process.execPath, ['--input-type=module', '-e', "import * as m from 'aix-gdbstub'; console.log([typeof m.GdbSession, typeof m.GdbServer, typeof m.parseXcoff, typeof m.startProgram, typeof m.AixTarget].join(' '))"], { cwd: app, encoding: 'utf8' });
    expect(load.stdout.trim(), load.stderr).toBe('function function function function function');
    writeFileSync(
      join(app, 'check.ts'),
      [
        "import { GdbSession, parseXcoff, startProgram, type Target, type XcoffImage, type StartOptions } from 'aix-gdbstub';",
        "import { readFileSync } from 'node:fs';",
        'const image: XcoffImage = parseXcoff(readFileSync(process.argv[2]!));',
        "const opts: StartOptions = { program: process.argv[2]!, args: [], env: [] };",
        'const started = startProgram(opts);',
        'const session: typeof GdbSession = GdbSession;',
        'export const used: [XcoffImage, number, typeof session, Target | undefined] = [image, started.process.pid, session, undefined];',
        '// @ts-expect-error: the types are real, so a wrong one is refused',
        'export const wrong: XcoffImage = 42;',
      ].join('\n'),
    );
    const tsc = spawnSync(process.execPath, [join(repoRoot, 'node_modules/typescript/bin/tsc'), '--noEmit', '--strict', '--module', 'NodeNext', '--moduleResolution', 'NodeNext', '--target', 'ES2022', '--types', 'node', '--typeRoots', join(repoRoot, 'node_modules/@types'), 'check.ts'], { cwd: app, encoding: 'utf8' });
    expect(tsc.stdout + tsc.stderr).toBe('');
    expect(tsc.status).toBe(0);
  });
});
