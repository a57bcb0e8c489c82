// What the process needs from a CPU: run one thread's registers for up to `budget` instructions
// and say why it stopped. Keeping this narrow lets the aix layer be tested with a fake CPU and
// keeps cpu/ free of any AIX knowledge (notes/architecture.md).
import type { CpuState } from '../cpu/state.js';

export type CpuStop =
  /** The budget ran out; the thread can continue. */
  | { kind: 'budget' }
  /** PC reached the host-call (sentinel) range; PC still points at the sentinel. */
  | { kind: 'hostcall' }
  /** A data or instruction access failed. PC is the faulting instruction. */
  | { kind: 'fault'; address: bigint; access: 'read' | 'write' | 'exec'; reason: 'unmapped' | 'protection' | 'limit' }
  /** An instruction the CPU does not know (or an invalid form). PC is that instruction. */
  | { kind: 'illegal'; word: number }
  /** A trap instruction (tw/td) fired. PC is the trap. */
  | { kind: 'trap' }
  /** A debugger stop point (breakpoint, watchpoint, single step done). */
  | { kind: 'debug'; detail: string };

/**
 * Answers the host call at the running thread's PC in place (true: done, PC at its return
 * address), or false: the CPU stops with 'hostcall' as usual. Each answered call takes one unit
 * of the run's budget, as the scheduler counts a call, so slices end where they would have.
 */
export type QuickHostCall = () => boolean;

export interface CpuPort {
  /** `quick`, where the port supports it, answers host calls without stopping (see QuickHostCall). */
  run(state: CpuState, budget: number, quick?: QuickHostCall): { stop: CpuStop; executed: number };
  /** Forget cached decodes for a range (the loader or a debugger wrote code). */
  invalidateCode?(addr: bigint, len: number): void;
}
