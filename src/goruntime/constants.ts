// Go runtime constants that a binary does not always carry in a readable form. The binary is
// the first source (DW_TAG_constant runtime._G*, the runtime.waitReasonStrings array in its data);
// these tables are the fallback, copied from runtime/runtime2.go of each release we test with
// (test/unit/goruntime/constants.test.ts checks them against the installed sources).

/** g.atomicstatus values; identical in Go 1.19 and 1.24. */
export const DEFAULT_G_STATUS = {
  idle: 0,
  runnable: 1,
  running: 2,
  syscall: 3,
  waiting: 4,
  moribundUnused: 5,
  dead: 6,
  enqueueUnused: 7,
  copystack: 8,
  preempted: 9,
  scan: 0x1000,
} as const;

export type GStatusConstants = { -readonly [K in keyof typeof DEFAULT_G_STATUS]: number };

/** The DWARF constant name of each status (runtime._Grunning ...). */
export const G_STATUS_CONSTANT_NAMES: Readonly<Record<keyof GStatusConstants, string>> = {
  idle: 'runtime._Gidle',
  runnable: 'runtime._Grunnable',
  running: 'runtime._Grunning',
  syscall: 'runtime._Gsyscall',
  waiting: 'runtime._Gwaiting',
  moribundUnused: 'runtime._Gmoribund_unused',
  dead: 'runtime._Gdead',
  enqueueUnused: 'runtime._Genqueue_unused',
  copystack: 'runtime._Gcopystack',
  preempted: 'runtime._Gpreempted',
  scan: 'runtime._Gscan',
};

/** runtime.waitReasonStrings of Go 1.19 (index = waitReason). */
export const WAIT_REASONS_GO1_19: readonly string[] = [
  '', 'GC assist marking', 'IO wait', 'chan receive (nil chan)', 'chan send (nil chan)', 'dumping heap',
  'garbage collection', 'garbage collection scan', 'panicwait', 'select', 'select (no cases)', 'GC assist wait',
  'GC sweep wait', 'GC scavenge wait', 'chan receive', 'chan send', 'finalizer wait', 'force gc (idle)',
  'semacquire', 'sleep', 'sync.Cond.Wait', 'timer goroutine (idle)', 'trace reader (blocked)',
  'wait for GC cycle', 'GC worker (idle)', 'preempted', 'debug call',
];

/** runtime.waitReasonStrings of Go 1.24 (index = waitReason). */
export const WAIT_REASONS_GO1_24: readonly string[] = [
  '', 'GC assist marking', 'IO wait', 'chan receive (nil chan)', 'chan send (nil chan)', 'dumping heap',
  'garbage collection', 'garbage collection scan', 'panicwait', 'select', 'select (no cases)', 'GC assist wait',
  'GC sweep wait', 'GC scavenge wait', 'chan receive', 'chan send', 'finalizer wait', 'force gc (idle)',
  'semacquire', 'sleep', 'sync.Cond.Wait', 'sync.Mutex.Lock', 'sync.RWMutex.RLock', 'sync.RWMutex.Lock',
  'sync.WaitGroup.Wait', 'trace reader (blocked)', 'wait for GC cycle', 'GC worker (idle)',
  'GC worker (active)', 'preempted', 'debug call', 'GC mark termination', 'stopping the world',
  'flushing proc caches', 'trace goroutine status', 'trace proc status', 'page trace flush', 'coroutine',
  'GC weak to strong wait', 'synctest.Run', 'synctest.Wait', 'chan receive (synctest)',
  'chan send (synctest)', 'select (synctest)',
];

/**
 * The fallback wait-reason table for a Go minor version: exact for 1.19 and 1.24, the nearest of
 * the two otherwise (the list grew between them, so indexes past 20 may be off for 1.20-1.23).
 */
export function fallbackWaitReasons(minor: number | undefined): { table: readonly string[]; exact: boolean } {
  if (minor === 19) return { table: WAIT_REASONS_GO1_19, exact: true };
  if (minor === 24) return { table: WAIT_REASONS_GO1_24, exact: true };
  if (minor !== undefined && minor < 22) return { table: WAIT_REASONS_GO1_19, exact: false };
  return { table: WAIT_REASONS_GO1_24, exact: false };
}
