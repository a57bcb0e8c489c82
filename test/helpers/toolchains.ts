// Where the external tools and the Go fixture binaries live. Tests use these
// paths and fail loudly (never skip) when something is missing, naming the
// make target that provides it. Paths mirror scripts/lib-toolchains.sh.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export const go124Root = join(repoRoot, '.cache', 'toolchains', 'go-1.24', 'usr', 'lib', 'go-1.24');
export const go124 = join(go124Root, 'bin', 'go');
export const go119Root = '/usr/lib/go-1.19';
export const go119 = join(go119Root, 'bin', 'go');
export const gdbMultiarch = '/usr/bin/gdb-multiarch';
export const qemuPpc64 = '/usr/bin/qemu-ppc64';
export const objdump = '/usr/bin/objdump';

export const fixturesSourceDir = join(repoRoot, 'test', 'fixtures');
export const fixturesBuildDir = join(repoRoot, 'build', 'fixtures');

/** go1.24-aix and go1.19-aix run in the emulator; go1.24-linux is the qemu-ppc64 reference; go1.24-host gives expected output. */
export const FIXTURE_TOOLCHAINS = ['go1.24-aix', 'go1.19-aix', 'go1.24-linux', 'go1.24-host'] as const;
export type FixtureToolchain = (typeof FIXTURE_TOOLCHAINS)[number];

// One name per line, so that branches adding fixtures merge without conflicts.
export const FIXTURE_NAMES = [
  'hello',
  'goroutines',
  'fileio',
  'args',
  'nilderef',
  'timers',
  'cpuheavy',
  'netecho',
  'stdinticker',
  'pipecapture',
  'udpecho',
  'values',
  'watchsink',
  'chansieve',
  'cpubench',
  'execself',
  'paths',
  'netifaces',
  'revsink',
  'migrate',
  'fifo',
  'preempt',
  'netpingpong',
  'cryptobench',
] as const;
export type FixtureName = (typeof FIXTURE_NAMES)[number];

/** Absolute path of a built fixture; throws naming the missing file and `make fixtures`. */
export function fixture(toolchain: FixtureToolchain, name: FixtureName): string {
  const path = join(fixturesBuildDir, toolchain, name);
  if (!existsSync(path)) {
    throw new Error(`fixture binary missing: ${path}\n  build it with: make fixtures  (in ${repoRoot})`);
  }
  return path;
}

/** The stdout a fixture prints when run without arguments (recorded from the host build). */
export function expectedStdout(name: FixtureName): string {
  const path = join(fixturesSourceDir, name, 'expected.stdout');
  if (!existsSync(path)) throw new Error(`expected output missing: ${path}`);
  return readFileSync(path, 'utf8');
}

/** Returns the tool's path; throws naming the missing tool and `make toolchains`. */
export function requireTool(path: string): string {
  if (!existsSync(path)) {
    throw new Error(`tool missing: ${path}\n  install it with: make toolchains  (in ${repoRoot})`);
  }
  return path;
}

/** Environment for running a Go toolchain without touching $HOME or the network. */
export function goEnv(goroot: string): NodeJS.ProcessEnv {
  const cache = join(repoRoot, '.cache');
  return {
    ...process.env,
    GOROOT: goroot,
    GOPATH: join(cache, 'gopath'),
    GOCACHE: join(cache, 'go-build'),
    XDG_CONFIG_HOME: join(cache, 'go-config'),
    GOTOOLCHAIN: 'local',
    GOPROXY: 'off',
    GOFLAGS: '',
    CGO_ENABLED: '0',
  };
}
