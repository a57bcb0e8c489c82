// Reading a program file from the host for every command (inspect, elf, run, serve), so the same
// bad input gets the same words everywhere: a missing file, a directory, a FIFO or /dev/zero
// (which would be read forever), a file too large to be a program, or one that is not XCOFF64.
import * as fs from 'node:fs';
import { XcoffError } from './errors.js';
import { parseXcoff, type XcoffImage } from './index.js';
import { FILE_HEADER_SIZE, parseFileHeader } from './headers.js';
import { ByteReader } from './reader.js';
import { SECTION_HEADER_SIZE, parseSectionHeaders } from './sections.js';

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

/** A byte range of a file. */
export interface FileRange {
  offset: number;
  length: number;
}

/**
 * A program file's bytes, as long as the file: ranges the reader chose to defer stay zero until
 * `ensure` reads them.
 */
export interface ProgramBytes {
  bytes: Uint8Array;
  /** Reads whatever of [offset, offset + length) was deferred; a file changed since is an error. */
  ensure(offset: number, length: number): void;
}

/** The bytes of the file the header region (its first HEAD_BYTES) describes, read first. */
const HEAD_BYTES = 65536;

/**
 * The bytes of a regular file of at most MAX_PROGRAM_BYTES; anything else is a ProgramFileError.
 * `defer`, given the file's first bytes (the buffer holds the whole file's length, zero past
 * them), names ranges to leave unread until ensure() asks for them.
 */
export function readProgramBytes(file: string, defer?: (head: Uint8Array, headLength: number) => FileRange[]): ProgramBytes {
  let fd: number;
  try {
    // O_NONBLOCK: opening a FIFO must not wait for a writer; a regular file ignores it.
    fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  } catch (e) {
    throw new ProgramFileError(file, hostProblem(e));
  }
  let st: fs.Stats;
  let bytes: Uint8Array;
  let pending: FileRange[] = [];
  try {
    st = fs.fstatSync(fd);
    if (!st.isFile()) throw new ProgramFileError(file, kindOf(st));
    if (st.size > MAX_PROGRAM_BYTES) throw new ProgramFileError(file, `too large for a program (${st.size} bytes)`);
    // Zeroed lazily by the OS: pages of a deferred range are never touched unless read. Shared:
    // V8 counts a plain ArrayBuffer's size as external memory, and cmd/compile's 56 MB started a
    // scavenge for "external memory pressure" and a 10 ms mark-compact during its load.
    bytes = new Uint8Array(new SharedArrayBuffer(st.size));
    const head = readRange(fd, bytes, 0, Math.min(bytes.length, HEAD_BYTES));
    if (head < Math.min(bytes.length, HEAD_BYTES)) return { bytes: bytes.subarray(0, head), ensure: () => {} }; // shrank meanwhile
    pending = defer === undefined || head === bytes.length ? [] : tidyRanges(defer(bytes, head), head, bytes.length);
    let at = head;
    for (const r of [...pending, { offset: bytes.length, length: 0 }]) {
      if (r.offset > at && readRange(fd, bytes, at, r.offset - at) < r.offset - at) {
        // Shrank meanwhile: parse what is there, all of it read.
        const whole = readRange(fd, bytes, 0, bytes.length);
        return { bytes: bytes.subarray(0, whole), ensure: () => {} };
      }
      at = r.offset + r.length;
    }
  } catch (e) {
    if (e instanceof ProgramFileError) throw e;
    throw new ProgramFileError(file, hostProblem(e));
  } finally {
    fs.closeSync(fd);
  }
  const changed = (): ProgramFileError => new ProgramFileError(file, 'changed since it was loaded: its debugging sections can no longer be read');
  const ensure = (offset: number, length: number): void => {
    if (pending.length === 0) return;
    const wanted = pending.filter((r) => r.offset < offset + length && offset < r.offset + r.length);
    if (wanted.length === 0) return;
    try {
      const again = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
      try {
        const now = fs.fstatSync(again);
        if (now.size !== st.size || now.mtimeMs !== st.mtimeMs || now.ino !== st.ino) throw changed();
        for (const r of wanted) if (readRange(again, bytes, r.offset, r.length) < r.length) throw changed();
      } finally {
        fs.closeSync(again);
      }
    } catch (e) {
      if (e instanceof ProgramFileError) throw e;
      throw new ProgramFileError(file, hostProblem(e));
    }
    pending = pending.filter((r) => !wanted.includes(r));
  };
  return { bytes, ensure };
}

/** Reads [offset, offset + length) of fd into the same place of bytes; the count read (short at the end of the file). */
function readRange(fd: number, bytes: Uint8Array, offset: number, length: number): number {
  let done = 0;
  while (done < length) {
    const n = fs.readSync(fd, bytes, offset + done, length - done, offset + done);
    if (n === 0) break;
    done += n;
  }
  return done;
}

/** Ranges sorted, clipped to [from, to), without overlaps or empty ones. */
function tidyRanges(ranges: readonly FileRange[], from: number, to: number): FileRange[] {
  const out: FileRange[] = [];
  const sorted = ranges
    .map((r) => ({ start: Math.max(from, r.offset), end: Math.min(to, r.offset + r.length) }))
    .filter((r) => r.end > r.start)
    .sort((a, b) => a.start - b.start);
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last !== undefined && r.start <= last.offset + last.length) last.length = Math.max(last.length, r.end - last.offset);
    else out.push({ offset: r.start, length: r.end - r.start });
  }
  return out;
}

/** A program file read and parsed; the problem of a file that is not XCOFF64 says so. */
export function readXcoffFile(file: string): XcoffImage {
  // DWARF is most of a Go binary (35 of cmd/compile's 56 MB) and `run` never reads it: those
  // sections are read when something asks for them (dwarfSections, sectionBytes).
  const { bytes, ensure } = readProgramBytes(file, dwarfRanges);
  try {
    return parseXcoff(bytes, ensure);
  } catch (e) {
    if (e instanceof XcoffError) throw new ProgramFileError(file, `not an AIX ppc64 XCOFF64 executable (${e.message})`);
    throw e;
  }
}

/** Where the DWARF sections lie, from the section headers in the file's first headLength bytes (none if they do not parse). */
function dwarfRanges(bytes: Uint8Array, headLength: number): FileRange[] {
  try {
    const r = new ByteReader(bytes);
    const fh = parseFileHeader(r);
    if (FILE_HEADER_SIZE + fh.auxHeaderSize + fh.sectionCount * SECTION_HEADER_SIZE > headLength) return [];
    return parseSectionHeaders(r, fh)
      .filter((s) => s.kind === 'dwarf')
      .map((s) => ({ offset: s.fileOffset, length: Number(s.size) }));
  } catch {
    return []; // parseXcoff says what is wrong with the file
  }
}
