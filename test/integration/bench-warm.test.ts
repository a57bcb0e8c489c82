// make bench's "warm V8" bound (src/bench/warm.ts, used by src/bench/programs.ts coldStart): the
// helper runs a program three times in one Node process, each a new guest process that ends
// normally, and prints the guest part's wall time of each as JSON. Timings are the bench's to
// judge; this checks that the helper runs whole programs and reports all three.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildCli } from '../helpers/cli.js';
import { fixture, repoRoot } from '../helpers/toolchains.js';

beforeAll(() => buildCli());

describe('dist/bench/warm.js', () => {
  it('runs a program three times in one process and prints the three run times', () => {
    const r = spawnSync(process.execPath, [join(repoRoot, 'dist/bench/warm.js'), fixture('go1.24-aix', 'cpubench'), 'float'], { encoding: 'utf8', timeout: 120_000 });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const { runs } = JSON.parse(r.stdout) as { runs: number[] };
    expect(runs).toHaveLength(3);
    for (const t of runs) expect(t).toBeGreaterThan(0);
  });

  it('fails, naming the run and its status, when the program does not exit with status 0', () => {
    const r = spawnSync(process.execPath, [join(repoRoot, 'dist/bench/warm.js'), fixture('go1.24-aix', 'execself'), 'exit', '5'], { encoding: 'utf8', timeout: 120_000 });
    expect(r.status).not.toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/run 1 did not exit with status 0 \(\{"kind":"exited","code":5\}\)/);
  });
});
