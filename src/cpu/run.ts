// The interpreter's hot loop, generated once from the instruction rows.
//
// Why generated: a table of handler functions makes every call site megamorphic (48-64 M
// instructions/s in notes/cpu-performance.md), a switch is 2-3x faster. The switch below has one case per
// row, each calling that row's own handler through its own call site, so every call is
// monomorphic and TurboFan can inline the small ones. The rows stay the single source of truth.
//
// Decoded ids live in per-page arrays (CodePage): id 0 = not decoded yet, which sends the loop to
// Cpu.decodeSlot; the other special ids stop the loop. Breakpoints and host-call sentinels are
// special ids planted by decodeSlot, so they cost nothing in the loop when absent.
//
// Tier 1 (jit/): the loop built with `jit: true` counts taken-branch targets in a small hash table
// of heat counters; a target that gets hot is compiled into a JS function (jit/compiler.ts) that
// hangs off its CodePage, and its slot gets the special id ID_BLOCK, so dispatching to compiled
// code costs nothing extra on the interpreter's normal path. A block runs only when the remaining
// budget covers its longest path (len), or, for a Wasm region, which checks the budget at each of
// its labels, its first straight run (minLeft): then it stops at the label where the budget runs
// short and the loop interprets the last few instructions of the slice. Otherwise the loop
// interprets the entry instruction (firstId).
import type { CpuState } from './state.js';
import type { GuestMemory } from './memory.js';
import type { InsnRow } from './isa-types.js';
import type { CompiledBlock } from './jit/block.js';
import { runBlocks } from './jit/chain.js';
import { arenaReclaim, guestArena } from './wasm/arena.js';
import { LoopState, STRAIGHT_CHAIN, STRAIGHT_STUCK, STRAIGHT_TAKEN, type Straight } from './wasm/interp.js';

export const ID_UNDECODED = 0;
export const ID_ILLEGAL = 1;
export const ID_BREAKPOINT = 2;
export const ID_SENTINEL = 3;
/** A compiled block starts here: CodePage.blocks[idx] holds it (and the slot's own id). */
export const ID_BLOCK = 4;
/** Decoded ids of rows start here (the row -> id mapping is BuiltLoop.idOfRow). */
export const FIRST_ROW_ID = 5;

/**
 * Rough execution weights (static counts in Go's hello world, isa.md) so the dispatch tree puts
 * the common instructions near its root; unlisted rows weigh 10.
 */
const HOT: Record<string, number> = {
  ld: 26050, addi: 19441, bc: 14307, b: 16069, std: 11916, cmp: 7805, addis: 7596, or: 7495, ori: 3173,
  stw: 3113, cmpl: 2576, bclr: 2503, mtspr: 2479, mfspr: 2424, add: 2244, lwz: 1927, lbz: 1914, 'andi.': 1821,
  cmpi: 1628, stdu: 1311, sync: 1131, cmpli: 973, stb: 954, rldicr: 833, subf: 727, lwa: 709, isel: 655,
  rldicl: 548, isync: 498, rlwinm: 356, rldic: 346, sradi: 310, mulld: 219, stbx: 218, ldx: 213, mulli: 187,
  lbzx: 173, subfic: 173, lhz: 169, extsw: 154, sld: 125, xor: 90, neg: 89, mulhdu: 87,
};

/** Families of the rows dispatched out of line, one function per group (rows of other families get one more). */
const COLD_GROUPS: readonly (readonly string[])[] = [
  ['integer', 'logical', 'compare', 'rotate', 'cr', 'spr', 'system', 'trap'],
  ['load', 'store', 'atomic'],
  ['fp'],
  ['vmx'],
  ['vsx', 'crypto'],
];

export const CODE_PAGE_SHIFT = 16;
export const CODE_PAGE_WORDS = 1 << (CODE_PAGE_SHIFT - 2);

/** Decoded instructions of one 64 KiB page. */
export class CodePage {
  readonly ids: Int32Array;
  readonly words: Int32Array;
  /** Arena offset of ids (words follow 64 KiB on), where the Wasm interpreter reads them; -1 without the arena. */
  readonly at: number;
  /** Compiled blocks by entry slot (created on the first compile in this page). */
  blocks: Array<CompiledBlock | undefined> | null = null;
  /** The same blocks as a list, for invalidation. */
  blockList: CompiledBlock[] = [];

  /** inArena: for a CPU with the Wasm interpreter (the arena's pages are used up sooner). */
  constructor(inArena = false) {
    const arena = inArena ? guestArena() : null;
    const at = arena === null ? -1 : arena.allocSmall(CODE_PAGE_BYTES);
    this.at = at;
    if (at < 0) {
      this.ids = new Int32Array(CODE_PAGE_WORDS);
      this.words = new Int32Array(CODE_PAGE_WORDS);
    } else {
      this.ids = new Int32Array(arena!.buffer, at, CODE_PAGE_WORDS);
      this.words = new Int32Array(arena!.buffer, at + CODE_PAGE_BYTES / 2, CODE_PAGE_WORDS);
      arenaReclaim.register(this, { small: [[at, CODE_PAGE_BYTES]] });
    }
  }
}
/** Arena bytes of a CodePage: ids, then words. */
const CODE_PAGE_BYTES = 2 * 65536;

/** What the loop needs from the CPU object (kept narrow so a block compiler can reuse it). */
export interface LoopHost {
  codePageFor(hi: number, lo: number): CodePage;
  /** Decode the word at (hi, lo) into page slot idx; returns its id. May throw memoryFault. */
  decodeSlot(page: CodePage, idx: number, hi: number, lo: number): number;
  /** Turn a special id into a stop code (PC already stored). */
  specialStop(id: number, word: number): number;
  /** Turn a thrown value into a stop code (PC of the failing instruction already stored). */
  exceptionStop(e: unknown, word: number): number;
  /** Instructions completed by the last loop call. */
  executed: number;
  /**
   * Heat of branch targets, indexed by (pcLo >>> 2) & HEAT_MASK (jit loop only): each taken
   * branch adds the instructions run since the previous one to its target, so long loop bodies get
   * hot after fewer iterations than short blocks (compiling pays off per instruction, not per
   * entry), and to the previous target, where that interpreted run started (a function's entry
   * gets its own body's count, not only its callers' few instructions before the call).
   */
  readonly heat: Int32Array;
  /** Heat at which a branch target is compiled (jit loop only). */
  readonly jitThreshold: number;
  /** Try to compile a block at (hi, lo); installs ID_BLOCK on success (jit loop only). */
  compileAt(hi: number, lo: number): void;
  /** Arena offset of this CPU's chain map of Wasm blocks (wasm/chain.ts), or -1. */
  readonly wasmChainMap: number;
  /** The Wasm interpreter of straight runs (wasm/interp.ts), or null (jit loop only). */
  readonly straight: Straight | null;
  /** With it: the heat-check state the loop hands it around each call (LoopState), and its arena offset. */
  readonly loopState: Int32Array | null;
  readonly loopStateAt: number;
  /**
   * After the Wasm interpreter left with STRAIGHT_CHAIN: the rest of runBlocks for the blocks it
   * ran (LoopState.CHAIN_R), PC where they left. Returns as runBlocks does.
   */
  resumeChain(left: number): number;
  /**
   * At PC, a Wasm region's entry, return point or loop head in the chain map: run the region from
   * there and what it chains to, as runBlocks does (0 when the map lacks PC or `left` does not
   * cover the region). Both loops try it after each interpreted taken branch's heat check.
   */
  enterChainAt(left: number): number;
  /** A compiled block that threw leaves the count, word and error here (then returns -1). */
  jitCount: number;
  /** Instructions completed inside compiled blocks (statistics). */
  jitExecuted: number;
  jitWord: number;
  jitError: unknown;
}

export const HEAT_SIZE = 4096;
export const HEAT_MASK = HEAT_SIZE - 1;

export type RunLoop = (host: LoopHost, s: CpuState, mem: GuestMemory, budget: number) => number;

export interface BuiltLoop {
  run: RunLoop;
  /** Decoded id of each row (index into the row array). */
  idOfRow: Int32Array;
}

interface RowLayout {
  /** Rows dispatched inside the loop, hottest first. */
  hot: number[];
  /** The other rows, by COLD_GROUPS group. */
  groups: number[][];
  /** hot then groups: position p holds decoded id FIRST_ROW_ID + p. */
  order: number[];
  idOfRow: Int32Array;
}

const layouts = new WeakMap<readonly InsnRow[], RowLayout>();

/** Which rows the loop dispatches itself and the decoded id of every row (the same for both loops). */
function rowLayout(rows: readonly InsnRow[]): RowLayout {
  const known = layouts.get(rows);
  if (known !== undefined) return known;
  const isHot = (r: InsnRow): boolean => HOT[r.name] !== undefined || r.family === 'branch';
  const hot = rows.map((_r, k) => k).filter((k) => isHot(rows[k])).sort((x, y) => (HOT[rows[y].name] ?? 10) - (HOT[rows[x].name] ?? 10));
  const groups = COLD_GROUPS.map((families) => rows.map((_r, k) => k).filter((k) => !isHot(rows[k]) && families.includes(rows[k].family)));
  const grouped = new Set([...hot, ...groups.flat()]);
  const ungrouped = rows.map((_r, k) => k).filter((k) => !grouped.has(k));
  if (ungrouped.length > 0) groups.push(ungrouped);
  const order = [...hot, ...groups.flat()];
  const idOfRow = new Int32Array(rows.length);
  order.forEach((k, pos) => (idOfRow[k] = FIRST_ROW_ID + pos));
  const layout = { hot, groups, order, idOfRow };
  layouts.set(rows, layout);
  return layout;
}

/** Decoded id of each row, without building a loop (the CPU and the block compiler need only these). */
export function rowIds(rows: readonly InsnRow[]): Int32Array {
  return rowLayout(rows).idOfRow;
}

/**
 * Rows whose first run would leave a call site of the loop without type feedback: the hot rows
 * (dispatched, and often inlined, in the loop itself) and one row of each cold group (the group's
 * call). Cpu's warm-up runs these once before the guest (see warmLoop in cpu.ts).
 */
export function loopCallSiteRows(rows: readonly InsnRow[]): number[] {
  const { hot, groups } = rowLayout(rows);
  return [...hot, ...groups.filter((g) => g.length > 0).map((g) => g[0]!)];
}

/** Build the run loop for a row set. The loop returns 0 when the budget is exhausted, else a stop code. */
export function buildRunLoop(rows: readonly InsnRow[], opts: { jit?: boolean } = {}): BuiltLoop {
  const jit = opts.jit === true;
  // Ignition compiles a switch into a chain of compares (no jump table in Node 20's V8), which
  // costs ~id/2 compares per instruction. Instead: a weight-balanced if-tree over the ids, with
  // ids handed out hottest first, so ld/addi/bc sit a few compares from the root.
  //
  // Only the hot rows (and every branch, which moves the PC) are dispatched inside the loop. The
  // others go through one of a few small out-of-line functions (COLD_GROUPS): TurboFan deoptimises
  // a function the first time a row in it runs (no type feedback yet), and recompiling the whole
  // loop took 40-270 ms each time, 8-11 times in a goroutine-heavy run; a cold row's first run now
  // recompiles only its small group.
  const { hot, groups, order, idOfRow } = rowLayout(rows);
  const weight = hot.map((k) => HOT[rows[k].name] ?? 10);
  // Branch targets (and exits of compiled blocks) feed the heat counters in the jit loop. There is
  // one copy of the check, after the `taken` block that branches and block exits break out of: its
  // compile path first runs long after TurboFan optimised the loop, and every copy of it cost one
  // deoptimisation of the whole loop. The run since the previous target is credited to the new
  // target (as before: code a hot block exits to gets hot at once) and, less the instructions
  // compiled blocks ran, to the previous target (fromHi/fromLo), whose code it was: Go's map code
  // (mapassign_fast64, called 150,000 times in cpubench map) was interpreted for its first
  // 2,400-5,000 calls because its entry got only its callers' few instructions per call
  // (notes/cpu-performance.md, "Cold code").
  //
  // The interpreted run is credited a third time to the entry of the function it runs in (callHi/
  // callLo: the target of the last interpreted call, forgotten at a return or a block exit), so a
  // function's entry heats with its whole body, not only with its first straight run.
  //
  // After an interpreted taken branch (not after blocks), the target may be a return point or a
  // loop head of a Wasm region in the chain map (or a region's entry): the loop's next step runs
  // the region from there (enterChain, host.enterChainAt), as the Wasm interpreter does.
  const heatCheck = jit
    ? `{
        enterChain = chainMapOn && blockRun === 0;
        const hx = (pcLo >>> 2) & ${HEAT_MASK};
        const d = n - mark;
        if ((heat[hx] += d) >= threshold) { heat[hx] = 0; spr[0] = pcHi; spr[1] = pcLo; host.compileAt(pcHi, pcLo); }
        const own = d - blockRun;
        if (fromHx !== hx && (heat[fromHx] += own) >= threshold) { heat[fromHx] = 0; spr[0] = pcHi; spr[1] = pcLo; host.compileAt(fromHi, fromLo); }
        if (callHx >= 0 && callHx !== fromHx && callHx !== hx && (heat[callHx] += own) >= threshold) { heat[callHx] = 0; spr[0] = pcHi; spr[1] = pcLo; host.compileAt(callHi, callLo); }
        if (blockRun !== 0) callHx = -1;
        else if ((w & 1) !== 0) { callHi = pcHi; callLo = pcLo; callHx = hx; }
        else if ((w >>> 26) === 19 && (w & 0x7fe) === 32) callHx = -1;
        blockRun = 0; mark = n; fromHi = pcHi; fromLo = pcLo; fromHx = hx;
      }`
    : '';
  const caseBody = (pos: number): string => {
    const k = order[pos];
    return rows[k].family === 'branch'
      ? `spr[0] = pcHi; spr[1] = pcLo; if (f${k}(s, mem, w)) { pcHi = spr[0]; pcLo = spr[1]; n++; ${jit ? 'break taken;' : 'continue;'} }`
      : `f${k}(s, mem, w);`;
  };
  // After runBlocks (or resumeChain) returned c: go on after the blocks, or stop where one threw.
  const blockDone = `n += c;
              blockRun += c;
              host.jitExecuted += c;
              pcHi = spr[0];
              pcLo = spr[1];
              break taken;`;
  const blockThrew = `n += host.jitCount;
              host.jitExecuted += host.jitCount;
              w = host.jitWord;
              host.executed = n;
              return host.exceptionStop(host.jitError, w);`;
  const special = `spr[0] = pcHi;
        spr[1] = pcLo;
        host.executed = n;
        return host.specialStop(id, w);`;
  const enterChain = jit
    ? `if (enterChain) {
          enterChain = false;
          spr[0] = pcHi;
          spr[1] = pcLo;
          const c = host.enterChainAt(budget - n);
          if (c > 0) {
            ${blockDone}
          }
          if (c < 0) {
            ${blockThrew}
          }
        }`
    : '';
  const specialOrBlock = jit
    ? `if (id === ${ID_BLOCK}) {
          const blk = page.blocks[idx];
          if (blk.minLeft <= budget - n) {
            const c = runBlocks(host, s, mem, blk, budget - n);
            if (c > 0) {
              ${blockDone}
            }
            if (c < 0) {
              ${blockThrew}
            }
          }
          id = blk.firstId;
        } else {
          ${special}
        }`
    : special;
  // The jit loop hands straight runs of the rows the Wasm interpreter has (wasm/interp.ts) to it,
  // with the heat check's state (ls): it runs the heat check of each taken branch itself and goes
  // on, until a counter would reach the threshold (it leaves after that branch, STRAIGHT_TAKEN,
  // and the check runs here and compiles), a slot that is not a row, the page end or the budget
  // (the loop goes on from there), or an instruction it leaves to its JS row ("stuck", or nothing
  // run: the loop runs that one here, skipping the interpreter once; any instruction run here ends
  // the skip). Its runs start right after a heat check or a JS row, never after a block ran, so
  // blockRun is 0 there. It enters compiled blocks itself as this loop does, and leaves their
  // blockRun (when its heat check leaves to this one) and their count (jitExecuted) in ls; when
  // what follows a block is this loop's (STRAIGHT_CHAIN), resumeChain does the rest of runBlocks.
  const straightRun = jit
    ? `if (straightRuns[id] === 1 && page.at >= 0 && !skip) {
          spr[0] = pcHi;
          spr[1] = pcLo;
          ls[${LoopState.RUN}] = n - mark;
          ls[${LoopState.FROM_HI}] = fromHi;
          ls[${LoopState.FROM_LO}] = fromLo;
          ls[${LoopState.FROM_HX}] = fromHx;
          ls[${LoopState.CALL_HI}] = callHi;
          ls[${LoopState.CALL_LO}] = callLo;
          ls[${LoopState.CALL_HX}] = callHx;
          const r = straightFn(budget - n, regs, tlb, page.at, lsAt);
          n += r >>> 2;
          mark = n - ls[${LoopState.RUN}];
          fromHi = ls[${LoopState.FROM_HI}];
          fromLo = ls[${LoopState.FROM_LO}];
          fromHx = ls[${LoopState.FROM_HX}];
          callHi = ls[${LoopState.CALL_HI}];
          callLo = ls[${LoopState.CALL_LO}];
          callHx = ls[${LoopState.CALL_HX}];
          blockRun = ls[${LoopState.BLOCK_RUN}];
          host.jitExecuted += ls[${LoopState.JIT}];
          pcHi = spr[0];
          pcLo = spr[1];
          const why = r & 3;
          if (why === ${STRAIGHT_TAKEN}) {
            w = ls[${LoopState.LAST_BRANCH}];
            break taken;
          }
          if (why === ${STRAIGHT_CHAIN}) {
            const c = host.resumeChain(budget - n);
            if (c > 0) {
              ${blockDone}
            }
            if (c < 0) {
              ${blockThrew}
            }
            continue;
          }
          if (r < 4 || why === ${STRAIGHT_STUCK}) skip = true;
          continue;
        }
        skip = false;`
    : '';
  // Weight-balanced if-tree over positions [lo, hi) of `order`; leaf(p) is the code for position p.
  const balanced = (lo: number, hi: number, w: (p: number) => number, leaf: (p: number) => string): string => {
    if (hi - lo === 1) return leaf(lo);
    if (hi - lo === 2) return `if (id === ${FIRST_ROW_ID + lo}) { ${leaf(lo)} } else { ${leaf(lo + 1)} }`;
    let total = 0;
    for (let p = lo; p < hi; p++) total += w(p);
    let mid = lo + 1;
    let acc = w(lo);
    while (mid < hi - 1 && acc + w(mid) <= total / 2) acc += w(mid++);
    return `if (id < ${FIRST_ROW_ID + mid}) { ${balanced(lo, mid, w, leaf)} } else { ${balanced(mid, hi, w, leaf)} }`;
  };
  // The cold groups sit after the hot rows, each a contiguous id range with its own function.
  const coldStart: number[] = [];
  let pos = hot.length;
  for (const g of groups) {
    coldStart.push(pos);
    pos += g.length;
  }
  const coldFns = groups.map((g, gi) => {
    const lo = coldStart[gi]!;
    const src = `return function coldRows${gi}(id, s, mem, w) { ${balanced(lo, lo + g.length, () => 10, (p) => `f${order[p]}(s, mem, w);`)} };`;
    const names = order.slice(lo, lo + g.length).map((k) => `f${k}`);
    // eslint-disable-next-line @typescript-eslint/no-implied-eval
    return (new Function(...names, src) as (...args: unknown[]) => unknown)(...order.slice(lo, lo + g.length).map((k) => rows[k].exec));
  });
  const coldDispatch = groups
    .map((_g, gi) => (gi === groups.length - 1 ? `cold${gi}(id, s, mem, w);` : `if (id < ${FIRST_ROW_ID + coldStart[gi + 1]!}) cold${gi}(id, s, mem, w); else `))
    .join('');
  // The cold range is one more leaf of the hot tree, weighted as the rows it holds.
  const coldWeight = 10 * (rows.length - hot.length);
  const tree = (): string =>
    hot.length === rows.length
      ? balanced(0, hot.length, (p) => weight[p]!, caseBody)
      : balanced(0, hot.length + 1, (p) => (p < hot.length ? weight[p]! : coldWeight), (p) => (p < hot.length ? caseBody(p) : `{ ${coldDispatch} }`));
  const body = `
return function runLoop(host, s, mem, budget) {
  const spr = s.spr;
  ${jit ? 'const heat = host.heat; const threshold = host.jitThreshold; let mark = 0;' : ''}
  ${jit ? 'const regs = s.regBase; const tlb = mem.tlbBase; const straight = regs >= 0 && tlb >= 0 ? host.straight : null; const straightRuns = straight === null ? NO_RUNS : straight.runs; const straightFn = straight === null ? null : straight.run; const ls = host.loopState; const lsAt = host.loopStateAt; let skip = false; const chainMapOn = regs >= 0 && tlb >= 0 && host.wasmChainMap >= 0; let enterChain = false;' : ''}
  let pcHi = spr[0] | 0;
  let pcLo = spr[1] | 0;
  ${jit ? `let fromHi = pcHi; let fromLo = pcLo; let fromHx = (pcLo >>> 2) & ${HEAT_MASK}; let blockRun = 0; let callHi = 0; let callLo = 0; let callHx = -1;` : ''}
  let curHi = 0;
  let curPg = -1;
  let page = null;
  let ids = EMPTY;
  let words = EMPTY;
  let n = 0;
  let w = 0;
  try {
    while (n < budget) {
      taken: {
        ${enterChain}
        if ((pcLo >>> 16) !== curPg || pcHi !== curHi) {
          page = host.codePageFor(pcHi, pcLo);
          ids = page.ids;
          words = page.words;
          curHi = pcHi;
          curPg = pcLo >>> 16;
        }
        const idx = (pcLo & 0xffff) >>> 2;
        let id = ids[idx];
        if (id === 0) id = host.decodeSlot(page, idx, pcHi, pcLo);
        w = words[idx];
        if (id < ${FIRST_ROW_ID}) {
          ${specialOrBlock}
        }
        ${straightRun}
        ${tree()}
        pcLo = (pcLo + 4) | 0;
        if (pcLo === 0) pcHi = (pcHi + 1) | 0;
        n++;
        continue;
      }
      ${heatCheck}
    }
  } catch (e) {
    spr[0] = pcHi;
    spr[1] = pcLo;
    host.executed = n;
    return host.exceptionStop(e, w);
  }
  spr[0] = pcHi;
  spr[1] = pcLo;
  host.executed = n;
  return 0;
};`;
  const names = ['EMPTY', 'NO_RUNS', 'runBlocks', ...hot.map((k) => `f${k}`), ...coldFns.map((_f, gi) => `cold${gi}`)];
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  const factory = new Function(...names, body) as (...args: unknown[]) => RunLoop;
  return { run: factory(new Int32Array(CODE_PAGE_WORDS), new Uint8Array(4096), runBlocks, ...hot.map((k) => rows[k].exec), ...coldFns), idOfRow };
}
