// Inlined calls at an address: the DW_TAG_inlined_subroutine DIEs under the concrete function
// that contain the pc, outermost first, with the name of each inlined function and the file:line
// of its call site. Debuggers show each as a frame of its own (gdb's inline frames, Delve's).
import { Cursor } from './cursor.js';
import { DW_AT, DW_TAG } from './constants.js';
import { attr, attrNumber, attrRef, attrString, pcRange, type Die } from './info.js';
import type { Dwarf } from './index.js';

/** DWARF 4 attribute codes for an inlined call site. */
const DW_AT_call_file = 0x58;
const DW_AT_call_line = 0x59;

export interface InlinedCall {
  /** The inlined function. */
  name: string;
  /** Where its caller (the next outer frame) calls it. */
  callFile: string | undefined;
  callLine: number | undefined;
}

/** True when pc lies in the DIE's [low_pc, high_pc) or one of its DW_AT_ranges. */
function diePcContains(dwarf: Dwarf, ranges: Uint8Array | undefined, die: Die, pc: bigint): boolean {
  const r = pcRange(die);
  if (r !== undefined) return pc >= r[0] && pc < r[1];
  const off = attrNumber(die, DW_AT.ranges);
  if (off === undefined || ranges === undefined) return false;
  const cu = dwarf.info.die(die.unit.dieOffset);
  let base = cu === undefined ? 0n : ((attr(cu, DW_AT.low_pc) as bigint | undefined) ?? 0n);
  const c = new Cursor(ranges, '.debug_ranges', dwarf.littleEndian, off);
  const size = die.unit.addressSize;
  const all = size === 8 ? 0xffff_ffff_ffff_ffffn : 0xffff_ffffn;
  for (;;) {
    const begin = c.address(size, 'range begin');
    const end = c.address(size, 'range end');
    if (begin === 0n && end === 0n) return false;
    if (begin === all) {
      base = end;
      continue;
    }
    if (pc >= base + begin && pc < base + end) return true;
  }
}

/** The inlined calls containing pc within the concrete function whose DIE is at functionDie, outermost first. */
export function inlinedCallsAt(dwarf: Dwarf, ranges: Uint8Array | undefined, functionDie: number, pc: bigint): InlinedCall[] {
  const out: InlinedCall[] = [];
  let scope = dwarf.info.die(functionDie);
  const files = scope === undefined ? undefined : dwarf.lineTableOf(scope.unit)?.files;
  for (let depth = 0; scope !== undefined && depth < 64; depth++) {
    let next: Die | undefined;
    const queue = [...dwarf.info.children(scope)];
    while (queue.length > 0 && next === undefined) {
      const d = queue.shift()!;
      if (d.tag === DW_TAG.inlined_subroutine) {
        if (diePcContains(dwarf, ranges, d, pc)) next = d;
      } else if (d.tag === DW_TAG.lexical_block && d.hasChildren && (attr(d, DW_AT.low_pc) === undefined && attr(d, DW_AT.ranges) === undefined ? true : diePcContains(dwarf, ranges, d, pc))) {
        queue.push(...dwarf.info.children(d));
      }
    }
    if (next === undefined) break;
    const origin = attrRef(next, DW_AT.abstract_origin);
    const originDie = origin === undefined ? undefined : dwarf.info.die(origin);
    const fileNumber = attrNumber(next, DW_AT_call_file);
    out.push({
      name: (originDie === undefined ? undefined : attrString(originDie, DW_AT.name)) ?? '?',
      callFile: fileNumber === undefined ? undefined : files?.[fileNumber],
      callLine: attrNumber(next, DW_AT_call_line),
    });
    scope = next;
  }
  return out;
}
