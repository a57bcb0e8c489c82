// Finding the conformance programs in GOROOT/test: the directories the Go 1.24 harness
// scans, the recipe of each file, and whether it applies to aix/ppc64.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { classifyRecipe, parseRecipe, shouldTest, splitRunArgs, type Recipe, type TagContext } from './recipe.js';

/** The directories testdir_test.go scans (its `dirs` variable), in its order. */
export const HARNESS_DIRS = [
  '.', 'ken', 'chan', 'interface', 'internal/runtime/sys', 'syntax', 'dwarf', 'fixedbugs',
  'codegen', 'abi', 'typeparam', 'typeparam/mdempsky', 'arenas',
] as const;

export interface Candidate {
  /** '/'-separated name relative to GOROOT/test, as the harness names subtests. */
  name: string;
  /** Absolute path of the .go file. */
  path: string;
  recipe: Recipe;
  variant: boolean;
  /** Extra .go files compiled with it (variants like `// run cmplxdivide1.go`). */
  extraFiles: string[];
  programArgs: string[];
  /** Imports os/exec: starts other programs (usually the go command) from the guest. */
  usesExec: boolean;
  /** Set when build constraints exclude it for the target: the excluding line. */
  excludedBy?: string;
}

export interface Discovery {
  candidates: Candidate[];
  /** How many files had a `run` recipe with flags or arguments (selected only with variants). */
  variantCount: number;
}

/** Lists the `run` programs under testDir; variants (flags/arguments) only when asked. */
export function discover(testDir: string, ctx: TagContext, includeVariants: boolean): Discovery {
  const candidates: Candidate[] = [];
  let variantCount = 0;
  for (const dir of HARNESS_DIRS) {
    let names: string[];
    try {
      names = readdirSync(join(testDir, dir)).filter((n) => !n.startsWith('.') && n.endsWith('.go')).sort();
    } catch {
      continue; // a directory this distribution does not ship
    }
    for (const file of names) {
      const path = join(testDir, dir, file);
      const src = readFileSync(path, 'utf8');
      const parsed = parseRecipe(src);
      if (!parsed.ok) continue;
      const kind = classifyRecipe(parsed.recipe);
      if (kind === 'other') continue;
      if (kind === 'variant') {
        variantCount++;
        if (!includeVariants) continue;
      }
      const { extraFiles, programArgs } = splitRunArgs(parsed.recipe.args);
      const applies = shouldTest(src, ctx);
      candidates.push({
        name: dir === '.' ? file : `${dir}/${file}`,
        path,
        recipe: parsed.recipe,
        variant: kind === 'variant',
        extraFiles: extraFiles.map((f) => join(testDir, dir, f)),
        programArgs,
        usesExec: src.includes('"os/exec"'),
        ...(applies.ok ? {} : { excludedBy: applies.why }),
      });
    }
  }
  return { candidates, variantCount };
}

/** Every k-th program so that about `count` remain, spread over the whole (sorted) list. */
export function sample<T>(items: readonly T[], count: number): T[] {
  if (count <= 0 || count >= items.length) return [...items];
  const picked: T[] = [];
  for (let i = 0; i < count; i++) picked.push(items[Math.floor((i * items.length) / count)]!);
  return picked;
}
