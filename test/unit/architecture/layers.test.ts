// The layer rules of README's layout table, checked on the import statements of src/: the CPU
// knows nothing above it, the gdb layer knows only its Target interface (no emulator code), and the
// Go runtime views reach a process only through GoProcess (goruntime/process-source.ts).
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = resolve(__dirname, '../../../src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    return e.isDirectory() ? sourceFiles(p) : e.name.endsWith('.ts') ? [p] : [];
  });
}

/** Every relative import of every file under src/, as paths relative to src/ ('cpu/state.ts'). */
function imports(): Array<{ file: string; target: string }> {
  const out: Array<{ file: string; target: string }> = [];
  for (const path of sourceFiles(SRC)) {
    const text = readFileSync(path, 'utf8');
    for (const m of text.matchAll(/^\s*(?:import|export)\b[^'"]*?from\s+'(\.[^']+)'|^\s*import\s+'(\.[^']+)'/gm)) {
      const spec = (m[1] ?? m[2])!;
      out.push({ file: relative(SRC, path), target: relative(SRC, resolve(dirname(path), spec)).replace(/\.js$/, '.ts') });
    }
  }
  return out;
}

const layer = (path: string) => path.split('/')[0]!;

describe('layers', () => {
  const all = imports();

  it('finds the imports it checks', () => {
    expect(all.length).toBeGreaterThan(100);
    expect(all.some((i) => i.file.startsWith('gdb/') && i.target === 'gdb/target.ts')).toBe(true);
  });

  it('the CPU imports nothing above it', () => {
    const bad = all.filter((i) => layer(i.file) === 'cpu' && layer(i.target) !== 'cpu');
    expect(bad).toEqual([]);
  });

  it('the gdb layer imports no emulator code: only itself', () => {
    const bad = all.filter((i) => layer(i.file) === 'gdb' && layer(i.target) !== 'gdb');
    expect(bad).toEqual([]);
  });

  it('goruntime reaches the process only through its interface', () => {
    // Allowed from below: the binary and its DWARF, and the AIX layer's pure tables (errno names,
    // strace argument decoding). Not the process, its threads, the CPU, the machine or gdb.
    const allowed = (t: string) => ['goruntime', 'xcoff', 'dwarf'].includes(layer(t)) || t === 'aix/strace.ts' || t === 'aix/constants.ts';
    const bad = all.filter((i) => layer(i.file) === 'goruntime' && !allowed(i.target));
    expect(bad).toEqual([]);
  });
});
