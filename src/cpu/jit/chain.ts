// Block-to-block execution: once the interpreter enters a compiled block, this small loop runs
// block after block without going back through the interpreter's dispatch (page lookup, decode
// check, the big instruction switch): each block remembers the last two blocks it exited to (keyed
// by their entry address), so a hot loop of blocks costs a call and a few compares per transition.
// It returns to the interpreter when the next address has no compiled block (after counting its
// heat, which may compile it), when the budget cannot cover the next block, or when a block threw.
//
// Kept apart from the interpreter's big generated function on purpose: that one is re-optimised
// whenever a row runs for the first time; this loop stays small, optimised and stable.
import type { CpuState } from '../state.js';
import type { GuestMemory } from '../memory.js';
import { HEAT_MASK, ID_BLOCK, type LoopHost } from '../run.js';
import type { CompiledBlock } from './block.js';

/** Compiled block starting at (hi, lo), or null (not compiled, or not decoded yet). */
function blockAt(host: LoopHost, hi: number, lo: number): CompiledBlock | null {
  const page = host.codePageFor(hi, lo);
  const idx = (lo & 0xffff) >>> 2;
  return page.ids[idx] === ID_BLOCK ? page.blocks![idx]! : null;
}

/**
 * Runs `first` (whose len, or minLeft for a region that may end partway, fits in `left`) and the
 * blocks it chains to. Returns the instructions completed, PC in spr (0: `first` could not start
 * with so little budget); or -1 when a block threw (host.jitCount then counts every instruction
 * completed here before the throwing one, as a single block reports it).
 */
export function runBlocks(host: LoopHost, s: CpuState, mem: GuestMemory, first: CompiledBlock, left: number): number {
  return chainOn(host, s, mem, first, first.fn(s, mem, left, host), left);
}

/**
 * runBlocks after its first block returned c (PC in spr past it); `from` is that block, or null
 * when it is not known (the Wasm interpreter ran it: LoopHost.resumeChain). Its links only save
 * the lookup of the next block, so null changes nothing but the speed.
 */
export function chainOn(host: LoopHost, s: CpuState, mem: GuestMemory, from: CompiledBlock | null, c: number, left: number): number {
  const spr = s.spr;
  const heat = host.heat;
  let b = from;
  let n = 0;
  for (;;) {
    if (c < 0) {
      host.jitCount += n;
      return -1;
    }
    n += c;
    const hi = spr[0];
    const lo = spr[1];
    let next = b === null ? null : b.link0;
    if (next === null || next.entryLo !== lo || next.entryHi !== hi || next.dead) {
      next = b === null ? null : b.link1;
      if (next === null || next.entryLo !== lo || next.entryHi !== hi || next.dead) {
        next = blockAt(host, hi, lo);
        if (next === null) {
          // Not compiled: count its heat as the interpreter does for branch targets.
          const hx = (lo >>> 2) & HEAT_MASK;
          if ((heat[hx] += c) < host.jitThreshold) return n;
          heat[hx] = 0;
          host.compileAt(hi, lo);
          next = blockAt(host, hi, lo);
          if (next === null) return n;
        }
        if (b !== null) {
          b.link1 = b.link0;
          b.link0 = next;
        }
      }
    }
    if (next.len > left - n) return n;
    b = next;
    c = b.fn(s, mem, left - n, host);
  }
}
