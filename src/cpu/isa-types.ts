// The shape of one instruction row: decoding (a mask/match pattern over the 32-bit word, in the
// way QEMU's decodetree writes patterns) and semantics (one small function) live in one row, so
// there is no twin table to keep in sync. decode.ts builds dense dispatch tables from all rows and
// proves that no two rows overlap.
import type { CpuState } from './state.js';
import type { GuestMemory } from './memory.js';

/**
 * Executes one instruction. A non-branch handler never touches PC (the run loop advances it);
 * a branch handler writes the next PC into state.spr[PC_HI/PC_LO] and returns true.
 * Memory faults propagate as the thrown `memoryFault`; illegal forms throw `programException`.
 */
export type Exec = (s: CpuState, mem: GuestMemory, insn: number) => boolean | void;

export interface InsnRow {
  /** Mnemonic family as the ISA book names it, e.g. 'addx' (add, add., addo, addo.). */
  readonly name: string;
  /** Bits that must equal `match` for the row to apply (IBM form fixed bits: PO, XO, fixed zeros). */
  readonly mask: number;
  readonly match: number;
  /** Family, for tests and the instruction inventory: 'integer', 'fp', 'vmx', 'vsx', 'crypto', ... */
  readonly family: string;
  readonly exec: Exec;
}

/** Thrown (a reusable object) by a handler for an invalid form or an unimplemented instruction. */
export class ProgramException {
  reason: 'illegal' | 'trap' | 'privileged' = 'illegal';
}
export const programException = new ProgramException();
