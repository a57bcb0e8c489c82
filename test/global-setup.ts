// Builds dist/ once for the whole run, before any worker starts: the integration tests run the CLI
// as a user does (node dist/cli.js), and one tsc here replaces one per test file (each of which
// blocked its worker for seconds to a minute on a busy machine), then the start-up snapshot.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSnapshot } from './helpers/cli.js';

export default function setup(): void {
  const repoRoot = fileURLToPath(new URL('..', import.meta.url));
  const tsc = spawnSync(process.execPath, [join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', repoRoot], {
    encoding: 'utf8',
    cwd: repoRoot,
    timeout: 300_000,
  });
  if (tsc.error) throw tsc.error;
  if (tsc.status !== 0) throw new Error(`tsc failed before the tests:\n${tsc.stdout}${tsc.stderr}`);
  // The start-up snapshot of that dist/ (scripts/aix-gdbstub runs from it; test/integration/snapshot.test.ts).
  buildSnapshot();
  process.env.AIX_GDBSTUB_DIST_BUILT = '1';
}
