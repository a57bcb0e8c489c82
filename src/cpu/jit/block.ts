// A compiled block: straight-line guest code from one entry address (contiguous words inside one
// 64 KiB code page), translated to one JS function. See compiler.ts for the contract of `fn`.
import type { CpuState } from '../state.js';
import type { GuestMemory } from '../memory.js';
import type { LoopHost } from '../run.js';

/**
 * Runs the block with `left` (>= len) instructions of budget. Returns the number of guest
 * instructions completed, with spr[PC_HI/PC_LO] at the next instruction; or -1 when an
 * instruction threw: then PC is at that instruction (not committed), host.jitCount holds the
 * instructions completed before it, host.jitWord its word and host.jitError the thrown value.
 */
export type BlockFn = (s: CpuState, mem: GuestMemory, left: number, host: LoopHost) => number;

export class CompiledBlock {
  /** Set when the code under the block changed: a running block leaves at the next check. */
  dead = false;
  fn: BlockFn = () => 0;
  /** The last two blocks this one exited to (chain.ts checks their entry address and `dead`). */
  link0: CompiledBlock | null = null;
  link1: CompiledBlock | null = null;
  /** Slot in the Wasm tier's function table (wasm/chain.ts), or -1 for a JS block. */
  wasmSlot = -1;
  /** Other ways into a Wasm block: (label index, word index) pairs of its return points and loop heads. */
  readonly wasmEntries: number[] = [];
  /**
   * Budget the block can start with (never more than len): len, or for a Wasm region the straight
   * run from its entry to its next label (it checks the budget at every label, so it can end
   * partway: run.ts).
   */
  minLeft: number;
  constructor(
    /** Instructions on the longest path through one pass (entering needs this much budget). */
    readonly len: number,
    /** Decoded id of the entry instruction (the interpreter runs it when the budget is short). */
    readonly firstId: number,
    readonly entryHi: number,
    readonly entryLo: number,
    /** The block ends in a branch back to its entry, compiled as a JS loop. */
    readonly loops: boolean,
  ) {
    this.minLeft = len;
  }
}
