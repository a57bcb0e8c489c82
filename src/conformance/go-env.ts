// Where the conformance runners find Go 1.24 and the private Go environment they build with
// (scripts/lib-toolchains.sh's use_private_go_env), for the aix/ppc64 target.
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const GO124_ROOT = join(REPO, '.cache/toolchains/go-1.24/usr/lib/go-1.24');
export const CLI = join(REPO, 'dist/cli.js');
export const TARGET = { goos: 'aix', goarch: 'ppc64' } as const;

export function goEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const cache = join(REPO, '.cache');
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of ['GOROOT', 'GOBIN', 'GOOS', 'GOARCH', 'GOEXPERIMENT']) delete env[k];
  return {
    ...env,
    GOPATH: join(cache, 'gopath'),
    GOMODCACHE: join(cache, 'gopath/pkg/mod'),
    GOCACHE: join(cache, 'go-build'),
    XDG_CONFIG_HOME: join(cache, 'go-config'),
    GOFLAGS: '',
    GOTOOLCHAIN: 'local',
    GOPROXY: 'off',
    GOSUMDB: 'off',
    GOWORK: 'off',
    GOENV: 'off',
    CGO_ENABLED: '0',
    GOOS: TARGET.goos,
    GOARCH: TARGET.goarch,
    ...extra,
  };
}
