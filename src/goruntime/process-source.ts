// What the Go runtime views need from a process, and nothing more: the binary (symbols, DWARF),
// memory, the live threads' registers, and the import calls as they happen. The emulator provides
// it (machine/go-process.ts); a core file or a recording could provide it the same way.
import type { StraceMemory } from '../aix/strace.js';
import type { XcoffImage } from '../xcoff/index.js';
import type { ThreadView } from './views.js';

/** Sees the process's libc import calls: entry, and exit with the result. */
export interface ImportCallObserver {
  enter(tid: number, importName: string): void;
  exit(tid: number, importName: string, args: readonly bigint[], r3: bigint, errno: number): void;
}

export interface GoProcess {
  readonly pid: number;
  readonly image: XcoffImage;
  readonly memory: StraceMemory;
  /** Live threads, with the import call each is inside (or about to make, at an import's entry). */
  threads(): ThreadView[];
  /** Guest monotonic time (for per-call durations). */
  monotonicNs(): bigint;
  observeImportCalls(observer: ImportCallObserver): void;
}
