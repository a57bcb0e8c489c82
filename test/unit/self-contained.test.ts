// Unit tests run on a fresh clone in seconds: no Go-built fixture, no Go toolchain, no gdb or qemu.
// This walks every .ts file under test/unit and the helpers they import (relative imports,
// transitively) and fails naming each file that reaches for one of those. Tests that need the
// real tools belong in test/integration; unit tests build what they need (test/helpers/tiny-xcoff.ts).
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const unitDir = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(unitDir, '..', '..');
const thisFile = fileURLToPath(import.meta.url);

/** What a self-contained test must not name: the fixture and tool helpers, and the tools' paths. */
const FORBIDDEN: ReadonlyArray<[RegExp, string]> = [
  [/helpers\/toolchains(\.js)?['"]/, 'imports test/helpers/toolchains.ts (Go fixtures and tool paths)'],
  [/helpers\/(gdb|cli)(\.js)?['"]/, 'imports a helper that drives gdb or the built CLI'],
  [/\bfixture\(|\brequireTool\(|\bexpectedStdout\(/, 'calls a fixture/tool helper'],
  [/build\/fixtures|fixturesBuildDir/, 'reads the Go-built fixtures'],
  [/\.cache\/toolchains|\/usr\/lib\/go-|\bgo1(19|2\d)(Root)?\b|\bgoEnv\(/, 'needs a Go toolchain'],
  [/gdb-multiarch|gdbMultiarch|\/usr\/bin\/gdb/, 'names gdb-multiarch'],
  [/qemu-ppc64|qemuPpc64/, 'names qemu-ppc64'],
];

function tsFilesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...tsFilesUnder(path));
    else if (name.endsWith('.ts')) out.push(path);
  }
  return out;
}

/** test/unit's files plus every test/ file they import, following relative imports. */
function reachableTestFiles(): string[] {
  const seen = new Set<string>();
  const queue = tsFilesUnder(unitDir);
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const m of readFileSync(file, 'utf8').matchAll(/\bfrom\s+['"](\.[^'"]+)['"]|\bimport\(\s*['"](\.[^'"]+)['"]/g)) {
      const target = resolve(dirname(file), (m[1] ?? m[2])!).replace(/\.js$/, '.ts');
      // src/ is the product itself; only test code is checked here.
      if (target.startsWith(join(repoRoot, 'test') + '/')) queue.push(target);
    }
  }
  return [...seen].filter((f) => f !== thisFile).sort();
}

describe('unit tests are self-contained', () => {
  it('no file under test/unit, nor any test helper it imports, needs Go, a Go fixture, gdb or qemu', () => {
    const files = reachableTestFiles();
    expect(files.length).toBeGreaterThan(50);
    const offences: string[] = [];
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      for (const [pattern, why] of FORBIDDEN) {
        if (pattern.test(text)) offences.push(`${relative(repoRoot, file)} ${why}: move it to test/integration or use test/helpers/tiny-xcoff.ts`);
      }
    }
    expect(offences).toEqual([]);
  });

  it('catches what it is meant to catch', () => {
    const sample = "import { fixture } from '../../helpers/toolchains.js';\nparseXcoff(readFileSync(fixture('go1.24-aix', 'hello')));";
    expect(FORBIDDEN.filter(([p]) => p.test(sample)).map(([, why]) => why)).toEqual([
      'imports test/helpers/toolchains.ts (Go fixtures and tool paths)',
      'calls a fixture/tool helper',
    ]);
  });
});
