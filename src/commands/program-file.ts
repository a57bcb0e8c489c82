// The one line every command prints for a program file it cannot use (same words everywhere).
import type { ProgramFileError } from '../xcoff/file.js';

/** "aix-gdbstub: FILE: PROBLEM" on stderr; exit status 1. */
export function reportProgramFileError(e: ProgramFileError): void {
  process.stderr.write(`aix-gdbstub: ${e.message}\n`);
  process.exitCode = 1;
}
