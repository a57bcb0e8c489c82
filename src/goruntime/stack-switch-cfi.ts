// Call frame information for the places where Go's runtime switches stacks, so that gdb's own
// unwinder (bt, finish, up, MI -stack-list-frames, the Python frame API) follows a thread from a
// libc call on the g0 stack back onto the goroutine's stack, and stops cleanly where it cannot.
//
// Go's linker describes every assembly function as if R1 only ever moved by its frame size, which
// is false in asmcgocall, systemstack, mcall and morestack: past their stack switch its rows send
// gdb into the wrong stack (garbage frames such as runtime.copystack(newsize=7205...)). This module
// reads those functions' machine code, follows R1 through them, and writes replacement FDEs:
//
// - asmcgocall (and asmcgocall_no_g): after the switch to g0 the caller's SP is found from the two
//   words asmcgocall saves above the aligned g0 frame: old g at 64(R1) and the depth
//   old_g.stack.hi - old_SP at 56(R1) (the depth survives a stack copy, the SP would not), or,
//   on the path that does not switch (Go 1.24's nosave), the old SP itself at 56(R1).
//   R30 (g) in the caller's frame is the saved old g.
// - systemstack: on g0 the caller's SP is m.curg.sched.sp, written by gosave_systemstack_switch;
//   R30 in the caller is m.curg.
// - mcall and morestack: once on g0 the goroutine that called them may already run on another M,
//   so the chain ends there (return address undefined), as Go's own traceback ends it.
// - between a stack switch and the save that makes it traceable, the caller's frame is found from
//   the register that kept the old SP (asmcgocall's `MOVD R1, R7`) while nothing overwrites it;
//   where no register holds it, the chain ends.
// - tstart, where a new M's thread starts: chain ends (its LR is no Go caller).
// - gogo<>, which loads another goroutine's registers one by one: chain ends at every pc.
//
// Offsets of g and m fields come from the binary's DWARF (RuntimeLayout). For the unwind to work,
// every g0 stack must lie below every goroutine stack: gdb stops a backtrace whose caller frame's
// CFA is below its callee's ("previous frame inner to this frame"). The emulator places thread
// stacks accordingly (src/aix/address-space.ts).
import { DW_CFA, Expr, ByteWriter, newCie, newFde, parseDebugFrame, writeDebugFrame, type FrameEntry } from '../dwarf/frame.js';
import { runtimeLayoutFromImage, type RuntimeImage, type RuntimeLayout } from './layout.js';

/** DWARF register numbers in Go's ppc64 CFI. */
const REG_SP = 1;
const REG_G = 30;
const REG_LR = 65;

/** asm_ppc64x.s on AIX: asmcgocallSaveOffset = cgoCalleeStackSize (48) + 8; the old g is one word above. */
const CGO_SAVE_SLOT = 56;
const CGO_OLD_G_SLOT = 64;

/** Where the caller's frame is, at one instruction. */
export type FrameRule =
  | { kind: 'entry' } // CFA = R1, return address in LR
  | { kind: 'framed'; size: number } // CFA = R1 + size, return address at 0(R1)
  | { kind: 'cgo-depth'; size: number } // on g0 inside asmcgocall, old g and depth saved
  | { kind: 'cgo-sp'; size: number } // on g0 inside asmcgocall's nosave path, old SP saved
  | { kind: 'systemstack'; size: number } // on g0 inside systemstack
  | { kind: 'old-sp'; size: number; reg: number } // R1 already moved, the caller's SP still in GPR reg
  | { kind: 'stop' }; // the chain cannot be followed from here

export interface FrameRow {
  pc: bigint;
  rule: FrameRule;
}

export type SwitchKind = 'cgocall' | 'systemstack' | 'stop' | 'thread-entry' | 'switch-in';

/**
 * Where a thread, already running the next goroutine's g, loads the rest of its registers from
 * g.sched: gogo's body, the static symbol `gogo` (runtime.gogo before it still runs on g0).
 */
export const SWITCH_IN_FUNCTIONS: readonly string[] = ['gogo'];

/** The functions whose CFI is replaced, by the symbol names Go 1.19-1.24 give them. */
export const STACK_SWITCH_FUNCTIONS: ReadonlyArray<{ names: readonly string[]; kind: SwitchKind }> = [
  { names: ['runtime.asmcgocall', 'runtime.asmcgocall.abi0', 'runtime.asmcgocall_no_g', 'runtime.asmcgocall_no_g.abi0'], kind: 'cgocall' },
  { names: ['runtime.systemstack', 'runtime.systemstack.abi0'], kind: 'systemstack' },
  { names: ['runtime.mcall', 'runtime.mcall.abi0', 'runtime.morestack', 'runtime.morestack.abi0'], kind: 'stop' },
  // A new M's first function (pthread_create's start routine): nothing of Go's is above it, and its
  // LR is only the emulator's "start routine returned" address.
  { names: ['tstart'], kind: 'thread-entry' },
  // gogo<> installs another goroutine's g, sp, lr and pc one by one, after a BL to save_g that
  // leaves LR pointing into itself: no instruction of it has a caller to show.
  { names: SWITCH_IN_FUNCTIONS, kind: 'switch-in' },
];

// ---- the few instruction shapes these functions use ----

const MFLR_R31 = 0x7fe802a6;
const BLR = 0x4e800020;
const BCTR = 0x4e800420;

const opcode = (w: number): number => w >>> 26;
const rt = (w: number): number => (w >>> 21) & 31;
const ra = (w: number): number => (w >>> 16) & 31;
const simm16 = (w: number): number => (w << 16) >> 16;
const ds = (w: number): number => simm16(w & ~3);

const isStd = (w: number): boolean => opcode(w) === 62 && (w & 3) === 0;
const isStdu = (w: number): boolean => opcode(w) === 62 && (w & 3) === 1;
const isLd = (w: number): boolean => opcode(w) === 58 && (w & 3) === 0;
/** or rA,rS,rS (mr rA,rS). */
const isMr = (w: number): boolean => opcode(w) === 31 && ((w >>> 1) & 0x3ff) === 444 && rt(w) === ((w >>> 11) & 31);

const X_FORM_WRITING_RA = new Set([28, 60, 124, 284, 316, 412, 444, 476, 24, 27, 536, 539, 792, 794, 824, 826, 827, 922, 954, 986, 26, 58]);
const XO_FORM_WRITING_RT = new Set([8, 10, 40, 104, 136, 138, 200, 202, 232, 234, 233, 235, 266, 457, 489, 459, 491, 9, 73, 11, 75]);
const X_LOADS_WRITING_RT = new Set([21, 23, 87, 279, 341, 343, 339, 19, 83]); // ldx lwzx lbzx lhzx lwax lhax mfspr mfcr mfmsr

/** True when the instruction writes R1 (the forms Go's assembler emits; others are assumed not to). */
export function writesR1(w: number): boolean {
  return writesGpr(w, 1);
}

/** True when the instruction writes GPR r (the forms Go's assembler emits; others are assumed not to). */
export function writesGpr(w: number, r: number): boolean {
  const op = opcode(w);
  switch (op) {
    case 14: case 15: case 32: case 34: case 40: case 42: // addi addis lwz lbz lhz lha
      return rt(w) === r;
    case 33: case 35: case 41: case 43: // update forms write both
      return rt(w) === r || ra(w) === r;
    case 24: case 25: case 26: case 27: case 28: case 29: case 30: // ori oris xori xoris andi. andis. rld*
      return ra(w) === r;
    case 58:
      return rt(w) === r || ((w & 3) === 1 && ra(w) === r);
    case 62:
      return (w & 3) === 1 && ra(w) === r;
    case 31: {
      const xo10 = (w >>> 1) & 0x3ff;
      const xo9 = (w >>> 1) & 0x1ff;
      if (X_FORM_WRITING_RA.has(xo10)) return ra(w) === r;
      if (X_LOADS_WRITING_RT.has(xo10)) return rt(w) === r;
      if (XO_FORM_WRITING_RT.has(xo9)) return rt(w) === r;
      return false;
    }
    default:
      return false;
  }
}

/** Target of a relative b/bc, or undefined. */
function branchTarget(w: number, pc: bigint): bigint | undefined {
  if ((w & 2) !== 0) return undefined; // absolute
  if (opcode(w) === 16) return pc + BigInt(simm16(w & ~3));
  if (opcode(w) === 18) return pc + BigInt((w << 6) >> 6 & ~3);
  return undefined;
}
const isUnconditionalExit = (w: number): boolean => w === BLR || w === BCTR || (opcode(w) === 18 && (w & 1) === 0);

type State =
  | { kind: 'entry' }
  | { kind: 'framed'; size: number; oldSp?: number }
  | { kind: 'switching'; size: number; oldSp?: number; depthSaved: boolean; gSaved: boolean }
  | { kind: 'cgo-depth'; size: number }
  | { kind: 'cgo-sp'; size: number }
  | { kind: 'systemstack'; size: number }
  | { kind: 'stop' };

function ruleOf(s: State): FrameRule {
  switch (s.kind) {
    case 'entry':
      return { kind: 'entry' };
    case 'framed':
      return { kind: 'framed', size: s.size };
    case 'switching':
      return s.oldSp === undefined ? { kind: 'stop' } : { kind: 'old-sp', size: s.size, reg: s.oldSp };
    case 'stop':
      return { kind: 'stop' };
    default:
      return { kind: s.kind, size: s.size };
  }
}

const sameRule = (a: FrameRule, b: FrameRule): boolean =>
  a.kind === b.kind && ('size' in a ? a.size : 0) === ('size' in b ? b.size : 0) && ('reg' in a ? a.reg : 0) === ('reg' in b ? b.reg : 0);

/**
 * Follows R1 through one stack-switching function and returns its unwind rows (one per change).
 * `words` are the function's instructions from `start`; `schedSpOffset` is g.sched.sp (systemstack
 * checks that R1 is loaded from there).
 */
export function analyzeStackSwitch(kind: SwitchKind, start: bigint, words: readonly number[], schedSpOffset: number): FrameRow[] {
  const rows: FrameRow[] = [];
  const joins = new Map<bigint, State>();
  let state: State = { kind: 'entry' };
  let reachable = true;
  for (let i = 0; i < words.length; i++) {
    const pc = start + BigInt(i * 4);
    const w = words[i]!;
    const join = joins.get(pc);
    if (join !== undefined) {
      // A branch lands here; when code also falls through, both ways must agree.
      state = reachable ? merge(join, state) : join;
    } else if (!reachable) {
      state = { kind: 'stop' };
    }
    const rule = ruleOf(state);
    const last = rows[rows.length - 1];
    if (last === undefined || !sameRule(last.rule, rule)) rows.push({ pc, rule });

    const target = branchTarget(w, pc);
    if (target !== undefined && target > pc && target < start + BigInt(words.length * 4) && !joins.has(target)) joins.set(target, state);
    reachable = !isUnconditionalExit(w);
    state = step(kind, state, w, i, words, schedSpOffset);
  }
  return rows;
}

/**
 * Two ways into one instruction. Equal rules stay; a framed path meeting one that already left the
 * frame (Go 1.19's asmcgocall joins its g0 and goroutine paths before aligning R1) is still
 * switching, since both must save the old g and depth before the call; anything else stops.
 */
function merge(a: State, b: State): State {
  if (a.kind === 'switching' && b.kind === 'switching' && a.size === b.size) {
    return { ...a, oldSp: a.oldSp === b.oldSp ? a.oldSp : undefined, depthSaved: a.depthSaved && b.depthSaved, gSaved: a.gSaved && b.gSaved };
  }
  const [f, sw] = a.kind === 'framed' && b.kind === 'switching' ? [a, b] : b.kind === 'framed' && a.kind === 'switching' ? [b, a] : [undefined, undefined];
  if (f !== undefined && sw !== undefined && f.size === sw.size) {
    return { kind: 'switching', size: f.size, oldSp: f.oldSp === sw.oldSp ? f.oldSp : undefined, depthSaved: false, gSaved: false };
  }
  if (a.kind === 'framed' && b.kind === 'framed' && a.size === b.size) return { ...a, oldSp: a.oldSp === b.oldSp ? a.oldSp : undefined };
  return sameRule(ruleOf(a), ruleOf(b)) ? a : { kind: 'stop' };
}

/** The state after executing w. */
function step(kind: SwitchKind, s: State, w: number, i: number, words: readonly number[], schedSpOffset: number): State {
  const next = stepR1(kind, s, w, i, words, schedSpOffset);
  // The register holding the old SP keeps it only until something else is written to it (an
  // `mr rX,r1` in the frame is what put it there; the same after the switch copies g0's SP).
  const keptHere = s.kind === 'framed' && isMr(w) && rt(w) === 1;
  if ((next.kind === 'framed' || next.kind === 'switching') && next.oldSp !== undefined && !keptHere && writesGpr(w, next.oldSp)) return { ...next, oldSp: undefined };
  return next;
}

function stepR1(kind: SwitchKind, s: State, w: number, i: number, words: readonly number[], schedSpOffset: number): State {
  if (s.kind === 'stop') return s;
  if (s.kind === 'entry') {
    // Go's prologue: mflr r31; stdu r31,-F(r1).
    if (i === 1 && words[0] === MFLR_R31 && isStdu(w) && rt(w) === 31 && ra(w) === 1 && ds(w) < 0) return { kind: 'framed', size: -ds(w) };
    if (writesR1(w)) return switched(kind, 0, undefined, w, schedSpOffset);
    return s;
  }
  if (s.kind === 'framed') {
    if (opcode(w) === 14 && rt(w) === 1 && ra(w) === 1 && simm16(w) === s.size) return { kind: 'entry' }; // epilogue
    if (isMr(w) && ((w >>> 21) & 31) === 1) return { ...s, oldSp: ra(w) }; // mr rX,r1 keeps the old SP
    if (writesR1(w)) return switched(kind, s.size, s.oldSp, w, schedSpOffset);
    return s;
  }
  if (s.kind === 'switching') {
    if (writesR1(w)) return { ...s, depthSaved: false, gSaved: false };
    if (isStd(w) && ra(w) === 1) {
      const d = ds(w);
      if (d === CGO_SAVE_SLOT && rt(w) === s.oldSp && !s.gSaved) return { kind: 'cgo-sp', size: s.size };
      const depthSaved = s.depthSaved || (d === CGO_SAVE_SLOT && rt(w) !== s.oldSp);
      const gSaved = s.gSaved || d === CGO_OLD_G_SLOT;
      if (depthSaved && gSaved) return { kind: 'cgo-depth', size: s.size };
      return { ...s, depthSaved, gSaved };
    }
    return s;
  }
  // On g0 with a traceable way back: the next write to R1 is the switch back to the caller's stack.
  if (writesR1(w)) return { kind: 'framed', size: s.size };
  return s;
}

function switched(kind: SwitchKind, size: number, oldSp: number | undefined, w: number, schedSpOffset: number): State {
  if (kind === 'cgocall' && size > 0) return { kind: 'switching', size, oldSp, depthSaved: false, gSaved: false };
  if (kind === 'systemstack' && size > 0 && isLd(w) && rt(w) === 1 && ra(w) === REG_G && ds(w) === schedSpOffset) return { kind: 'systemstack', size };
  return { kind: 'stop' };
}

// ---- CFI encoding ----

export interface RuntimeOffsets {
  gM: number;
  gStackHi: number;
  gSchedSp: number;
  mCurg: number;
}

export function runtimeOffsets(layout: RuntimeLayout): RuntimeOffsets {
  return {
    gM: layout.offsetOf('g', 'm'),
    gStackHi: layout.offsetOf('g', 'stack.hi'),
    gSchedSp: layout.offsetOf('g', 'sched.sp'),
    mCurg: layout.offsetOf('m', 'curg'),
  };
}

function encodeRule(w: ByteWriter, rule: FrameRule, o: RuntimeOffsets): void {
  const defCfa = (reg: number, off: number) => w.u8(DW_CFA.def_cfa).uleb(reg).uleb(off);
  const cfaExpr = (e: Expr) => {
    const b = e.toBytes();
    w.u8(DW_CFA.def_cfa_expression).uleb(b.length).bytes(b);
  };
  const raAt = (off: number) => w.u8(DW_CFA.offset_extended_sf).uleb(REG_LR).sleb(off);
  const gIs = (e: Expr | undefined) => {
    if (e === undefined) {
      w.u8(DW_CFA.same_value).uleb(REG_G);
      return;
    }
    const b = e.toBytes();
    w.u8(DW_CFA.val_expression).uleb(REG_G).uleb(b.length).bytes(b);
  };
  switch (rule.kind) {
    case 'entry':
      defCfa(REG_SP, 0);
      w.u8(DW_CFA.same_value).uleb(REG_LR);
      gIs(undefined);
      return;
    case 'framed':
      defCfa(REG_SP, rule.size);
      raAt(-rule.size);
      gIs(undefined);
      return;
    case 'cgo-depth': {
      // CFA = old_g.stack.hi - depth + frame size; g = old_g.
      cfaExpr(new Expr().load(REG_SP, CGO_OLD_G_SLOT).plus(o.gStackHi).deref().load(REG_SP, CGO_SAVE_SLOT).minus().plus(rule.size));
      raAt(-rule.size);
      gIs(new Expr().load(REG_SP, CGO_OLD_G_SLOT));
      return;
    }
    case 'cgo-sp':
      cfaExpr(new Expr().load(REG_SP, CGO_SAVE_SLOT).plus(rule.size));
      raAt(-rule.size);
      gIs(undefined);
      return;
    case 'systemstack': {
      // CFA = g.m.curg.sched.sp + frame size; g = g.m.curg.
      const curg = () => new Expr().load(REG_G, o.gM).plus(o.mCurg).deref();
      cfaExpr(curg().plus(o.gSchedSp).deref().plus(rule.size));
      raAt(-rule.size);
      gIs(curg());
      return;
    }
    case 'old-sp':
      // The caller's SP is in GPR reg: CFA = reg + frame size, return address at 0(reg).
      defCfa(rule.reg, rule.size);
      raAt(-rule.size);
      gIs(undefined);
      return;
    case 'stop':
      defCfa(REG_SP, 0);
      w.u8(DW_CFA.undefined).uleb(REG_LR);
      gIs(undefined);
      return;
  }
}

/** FDE instructions for rows that start at `start`. */
export function encodeRows(start: bigint, rows: readonly FrameRow[], o: RuntimeOffsets): Uint8Array {
  const w = new ByteWriter();
  let at = start;
  for (const row of rows) {
    if (row.pc !== at) {
      w.u8(DW_CFA.advance_loc4);
      const delta = Number(row.pc - at);
      w.u8(delta >>> 24).u8(delta >>> 16).u8(delta >>> 8).u8(delta);
      at = row.pc;
    }
    encodeRule(w, row.rule, o);
  }
  return w.toBytes();
}

// ---- the whole section ----

export interface CodeSource {
  readonly symbols: ReadonlyArray<{ name: string; address: bigint; size: bigint; kind: string }>;
  readonly loadSegments: ReadonlyArray<{ vaddr: bigint; fileBytes: Uint8Array; executable: boolean }>;
}

export interface StackSwitchFunction {
  name: string;
  start: bigint;
  size: bigint;
  kind: SwitchKind;
  rows: FrameRow[];
}

/** Key under which the CIE of the generated FDEs is written (no real entry has a negative offset). */
const OWN_CIE_KEY = -2;

/** The stack-switching functions of this binary with their rows (those that do switch stacks). */
export function stackSwitchFunctions(code: CodeSource, offsets: RuntimeOffsets): StackSwitchFunction[] {
  const out: StackSwitchFunction[] = [];
  const seen = new Set<bigint>();
  const wanted = new Set(STACK_SWITCH_FUNCTIONS.flatMap((g) => g.names));
  const byName = new Map(code.symbols.filter((s) => s.kind === 'function' && wanted.has(s.name)).map((s) => [s.name, s]));
  for (const group of STACK_SWITCH_FUNCTIONS) {
    for (const name of group.names) {
      const sym = byName.get(name);
      if (sym === undefined || sym.size === 0n || seen.has(sym.address)) continue;
      const words = readWords(code, sym.address, sym.size);
      if (words === undefined) continue;
      const endsEverywhere = group.kind === 'thread-entry' || group.kind === 'switch-in';
      const rows = endsEverywhere ? [{ pc: sym.address, rule: { kind: 'stop' } as const }] : analyzeStackSwitch(group.kind, sym.address, words, offsets.gSchedSp);
      // ABI wrappers (Go 1.19's runtime.asmcgocall calls asmcgocall.abi0) never switch: keep Go's rows.
      if (!rows.some((r) => r.rule.kind !== 'entry' && r.rule.kind !== 'framed')) continue;
      seen.add(sym.address);
      out.push({ name, start: sym.address, size: sym.size, kind: group.kind, rows });
    }
  }
  return out;
}

function readWords(code: CodeSource, addr: bigint, size: bigint): number[] | undefined {
  for (const seg of code.loadSegments) {
    if (!seg.executable || addr < seg.vaddr) continue;
    const off = Number(addr - seg.vaddr);
    const n = Number(size) & ~3;
    if (off + n > seg.fileBytes.length) continue;
    const view = new DataView(seg.fileBytes.buffer, seg.fileBytes.byteOffset + off, n);
    const words: number[] = [];
    for (let i = 0; i < n; i += 4) words.push(view.getUint32(i));
    return words;
  }
  return undefined;
}

/** Code outside the image (the emulator's libc entries) that behaves like a leaf: return address in LR. */
export interface LeafRange {
  start: bigint;
  size: bigint;
}

/**
 * Go's .debug_frame with the FDEs of the stack-switching functions replaced, plus leaf FDEs for
 * extra code ranges. Go's own entries are kept byte for byte.
 */
export function rewriteDebugFrame(goDebugFrame: Uint8Array | undefined, code: CodeSource, offsets: RuntimeOffsets, leaves: readonly LeafRange[] = []): Uint8Array {
  const entries = goDebugFrame === undefined ? [] : parseDebugFrame(goDebugFrame);
  const functions = stackSwitchFunctions(code, offsets);
  const replaced = new Set(functions.map((f) => f.start));
  const kept = entries.filter((e) => e.kind === 'cie' || !replaced.has(e.initialLocation));
  const cieInstructions = new ByteWriter()
    .u8(DW_CFA.def_cfa).uleb(REG_SP).uleb(0)
    .u8(DW_CFA.val_offset).uleb(REG_SP).uleb(0)
    .u8(DW_CFA.same_value).uleb(REG_LR)
    .toBytes();
  const added: FrameEntry[] = [newCie(REG_LR, cieInstructions, OWN_CIE_KEY)];
  for (const f of functions) added.push(newFde(OWN_CIE_KEY, f.start, f.size, encodeRows(f.start, f.rows, offsets)));
  for (const l of leaves) added.push(newFde(OWN_CIE_KEY, l.start, l.size, encodeRows(l.start, [{ pc: l.start, rule: { kind: 'entry' } }], offsets)));
  return writeDebugFrame([...kept, ...added]);
}

/**
 * The .debug_frame the ELF view should carry for a Go binary (see rewriteDebugFrame), or undefined
 * when the binary's DWARF does not describe runtime.g and runtime.m (then Go's own is served as is).
 */
export function goDebugFrame(image: CodeSource & { dwarfSections(): ReadonlyMap<string, Uint8Array> }, layout: RuntimeLayout | undefined, leaves: readonly LeafRange[] = []): Uint8Array | undefined {
  if (layout === undefined) return undefined;
  let offsets: RuntimeOffsets;
  try {
    offsets = runtimeOffsets(layout);
  } catch {
    return undefined;
  }
  return rewriteDebugFrame(image.dwarfSections().get('.debug_frame'), image, offsets, leaves);
}

/** goDebugFrame for a binary read from disk (the `elf` command), reading its runtime layout first. */
export function goDebugFrameOf(image: CodeSource & RuntimeImage): Uint8Array | undefined {
  let layout: RuntimeLayout;
  try {
    layout = runtimeLayoutFromImage(image);
  } catch {
    return undefined;
  }
  return goDebugFrame(image, layout);
}
