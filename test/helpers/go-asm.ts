// The go_asm.h files the Go compiler wrote for each release (test/unit/dwarf/testdata/README.md):
// the DWARF and runtime-layout tests check offsets and constants against them.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const GO_ASM_DIR = fileURLToPath(new URL('../unit/dwarf/testdata', import.meta.url));

/** `#define NAME VALUE` lines of testdata/<header>, e.g. 'go_asm_aix_ppc64_go1.24.h'. */
export function goAsmDefines(header: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const m of readFileSync(join(GO_ASM_DIR, header), 'utf8').matchAll(/^#define (\w+) (-?\d+)$/gm)) out.set(m[1]!, Number(m[2]));
  return out;
}
