// The .debug_gdb_scripts section of the ELF view: gdb runs each inline Python entry when it loads the
// file's symbols (gdb manual, "The .debug_gdb_scripts section"), so the Go pretty printers and any
// other project script reach a gdb that only typed `target remote`. The scripts are the real files
// under gdb-scripts/python/ (every *.py there, in name order), read when the view is built.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Entry kind byte: inline Python text whose first line is the script's name (gdb's SECTION_SCRIPT_ID_PYTHON_TEXT). */
const PYTHON_TEXT_ENTRY = 4;

export const GDB_SCRIPTS_SECTION = '.debug_gdb_scripts';

export interface GdbScript {
  /** Shown by `info auto-load python-scripts`; one line, no NUL. */
  name: string;
  text: string;
}

/**
 * gdb-scripts/python/ of this checkout (dist/elf/ and src/elf/ are both two levels below the root).
 * A function, not a constant: the start-up snapshot's bundle (scripts/build-snapshot.sh) has no
 * module URL, and its commands never ask.
 */
export function pythonScriptsDir(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'gdb-scripts', 'python');
}

/** The one file to `source` in gdb for the same scripts (gdb does not auto-load a `target:` file's section). */
export function gdbScriptsLoader(): string {
  return resolve(pythonScriptsDir(), '..', 'aix-gdbstub.py');
}

/** Every gdb-scripts/python/*.py, in name order; none when the folder is missing (a stripped install). */
export function bundledGdbScripts(dir: string = pythonScriptsDir()): GdbScript[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith('.py')).sort();
  } catch {
    return [];
  }
  return names.map((n) => ({ name: `aix-gdbstub/${n}`, text: readFileSync(join(dir, n), 'utf8') }));
}

/** The section's bytes: per script, the kind byte, "name\n", the text, NUL. */
export function gdbScriptsSection(scripts: readonly GdbScript[]): Uint8Array {
  const encoder = new TextEncoder();
  const parts: Uint8Array[] = [];
  for (const s of scripts) {
    if (/[\n\0]/.test(s.name)) throw new Error(`gdb script name must be one line: ${JSON.stringify(s.name)}`);
    if (s.text.includes('\0')) throw new Error(`gdb script ${s.name} contains a NUL byte`);
    parts.push(Uint8Array.of(PYTHON_TEXT_ENTRY), encoder.encode(`${s.name}\n${s.text}`), Uint8Array.of(0));
  }
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
