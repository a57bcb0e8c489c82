// Reading a program file from the host for every command (inspect, elf, run, serve), so the same
// bad input gets the same words everywhere: a missing file, a directory, a FIFO or /dev/zero
// (which would be read forever), a file too large to be a program, or one that is not XCOFF64.
import * as fs from 'node:fs';
import { XcoffError } from './errors.js';
import { parseXcoff, type XcoffImage } from './index.js';

/** One line for the user: "<file>: <problem>". */
export class ProgramFileError extends Error {
  constructor(
    readonly file: string,
    readonly problem: string,
  ) {
    super(`${file}: ${problem}`);
  }
}

/** Larger than any Go program (a Go toolchain binary is under 40 MB): refused before reading. */
export const MAX_PROGRAM_BYTES = 1 << 30;

/** A host file error in the words the CLI uses. */
export function hostProblem(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  switch (err.code) {
    case 'ENOENT':
      return 'no such file';
    case 'EISDIR':
      return 'is a directory';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ENOTDIR':
      return 'a directory on the way is a file';
    case 'ELOOP':
      return 'too many symbolic links';
    default:
      return err.message;
  }
}

function kindOf(st: fs.Stats): string {
  if (st.isDirectory()) return 'is a directory';
  if (st.isFIFO()) return 'is a FIFO, not a regular file';
  if (st.isCharacterDevice()) return 'is a character device, not a regular file';
  if (st.isBlockDevice()) return 'is a block device, not a regular file';
  if (st.isSocket()) return 'is a socket, not a regular file';
  return 'is not a regular file';
}

/** The bytes of a regular file of at most MAX_PROGRAM_BYTES; anything else is a ProgramFileError. */
export function readProgramBytes(file: string): Uint8Array {
  let fd: number;
  try {
    // O_NONBLOCK: opening a FIFO must not wait for a writer; a regular file ignores it.
    fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  } catch (e) {
    throw new ProgramFileError(file, hostProblem(e));
  }
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile()) throw new ProgramFileError(file, kindOf(st));
    if (st.size > MAX_PROGRAM_BYTES) throw new ProgramFileError(file, `too large for a program (${st.size} bytes)`);
    const bytes = Buffer.alloc(st.size);
    let done = 0;
    while (done < bytes.length) {
      const n = fs.readSync(fd, bytes, done, bytes.length - done, done);
      if (n === 0) break; // shrank meanwhile: parse what is there
      done += n;
    }
    return bytes.subarray(0, done);
  } catch (e) {
    if (e instanceof ProgramFileError) throw e;
    throw new ProgramFileError(file, hostProblem(e));
  } finally {
    fs.closeSync(fd);
  }
}

/** A program file read and parsed; the problem of a file that is not XCOFF64 says so. */
export function readXcoffFile(file: string): XcoffImage {
  const bytes = readProgramBytes(file);
  try {
    return parseXcoff(bytes);
  } catch (e) {
    if (e instanceof XcoffError) throw new ProgramFileError(file, `not an AIX ppc64 XCOFF64 executable (${e.message})`);
    throw e;
  }
}
