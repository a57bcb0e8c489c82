// AIX signal numbers (what the guest sees) to gdb's target-independent numbers (what the remote
// protocol carries) and back. 1–25 agree; AIX numbers the rest its own way (SIGPROF 32, SIGPWR 29,
// SIGVTALRM 34, SIGWAITING 39), gdb has its own enum (gdb/signals.def).
import { SIG } from '../aix/constants.js';
import { GdbSignal } from '../gdb/target.js';

const GDB_SIGNAL_PWR = 32;
const GDB_SIGNAL_WAITING = 36;

const AIX_TO_GDB = new Map<number, number>([
  [SIG.SIGWINCH, GdbSignal.WINCH],
  [SIG.SIGPWR, GDB_SIGNAL_PWR],
  [SIG.SIGUSR1, GdbSignal.USR1],
  [SIG.SIGUSR2, GdbSignal.USR2],
  [SIG.SIGPROF, GdbSignal.PROF],
  [SIG.SIGVTALRM, GdbSignal.VTALRM],
  [SIG.SIGWAITING, GDB_SIGNAL_WAITING],
]);
const GDB_TO_AIX = new Map<number, number>([...AIX_TO_GDB].map(([a, g]) => [g, a]));

export function aixToGdbSignal(aix: number): number {
  if (aix >= 1 && aix <= 25) return aix;
  return AIX_TO_GDB.get(aix) ?? aix;
}

/** 0 stays 0 (no signal); numbers without an AIX counterpart yield undefined. */
export function gdbToAixSignal(gdb: number): number | undefined {
  if (gdb >= 0 && gdb <= 25) return gdb;
  return GDB_TO_AIX.get(gdb);
}
