// The library surface of the npm package (`import … from 'aix-gdbstub'`): the RSP session and the
// Target interface a stub front talks to, the XCOFF reader, and startProgram for running a program.
export * from './gdb/index.js';
export { parseXcoff, XcoffError } from './xcoff/index.js';
export type { XcoffImage, XcoffImport, LoadSegment, XcoffSymbol, XcoffSection, FileHeader, AuxHeader } from './xcoff/index.js';
export { readXcoffFile, ProgramFileError } from './xcoff/file.js';
export { startProgram, readAixImage } from './aix/run-program.js';
export type { StartOptions, StartedProcess } from './aix/run-program.js';
export type { StraceFormat } from './aix/strace-writer.js';
export { AixTarget } from './machine/aix-target.js';
