// Tier 1: translates a hot run of guest code into one JS function (new Function).
//
// A block is the contiguous instructions from its entry, within the entry's 64 KiB code page,
// up to an unconditional branch, a special slot (illegal word, breakpoint, host-call sentinel:
// the block ends before it), the page end or MAX_BLOCK. Conditional branches inside are side
// exits. A branch back to any instruction of the block (its entry or a loop head inside it)
// stays inside: the body is a `switch` over those labels in a JS loop that checks the budget
// once per jump (notes/cpu-performance.md: loops inside a block reach ~1 G insn/s, single blocks
// ~250 M). Blocks then chain to each other without the interpreter (chain.ts).
//
// Exactness: registers and memory are the interpreter's own (CpuState typed arrays, GuestMemory
// methods), hot rows are emitted from jit/emit.ts and jit/emit-vector.ts and every other row is
// called through its exec function with the constant word, so semantics never fork. Before any
// instruction that can throw, the local k holds its index: the catch puts PC on it and reports the
// instructions completed before it, so a fault is precise. After every store the block checks
// that its code is still valid (a store into its own page marks it dead) and leaves with PC after
// the store when it is not.
import type { InsnRow } from '../isa-types.js';
import { R, divd, divdu, mul64, mulhd, mulhdu } from '../int64.js';
import { CODE_PAGE_WORDS, FIRST_ROW_ID, ID_BLOCK, type CodePage } from '../run.js';
import { CompiledBlock, type BlockFn } from './block.js';
import { branchAlways, emitters, staticTarget, type EmitSite } from './emit.js';
import { VECTOR_MEMORY_ROWS, VECTOR_STORE_ROWS, vpermW } from './emit-vector.js';
import { popcnt32 } from '../exec/vmx.js';
import { arithGeneral, fastAdd, fastDiv, fastFma, fastMul, fastSqrt, fcfid, fcmp, fcti } from '../exec/fp.js';
import { doubleWordsToSingle, singleToDoubleWords } from '../exec/fpu-core.js';
import { compileWasmBlock, reachableLength, wasmBlockFn, wasmMayAccept, wasmTierEnabled, type WasmBlock } from '../wasm/compiler.js';

/** Functions and scratch the generated code calls by these names (one copy per block factory). */
const BLOCK_HELPERS: Record<string, unknown> = {
  R, mul64, mulhd, mulhdu, divd, divdu, popcnt32, vpermW, singleToDoubleWords, doubleWordsToSingle,
  fpArith: arithGeneral, fpAdd: fastAdd, fpMul: fastMul, fpDiv: fastDiv, fpSqrt: fastSqrt, fpFma: fastFma, fpCompare: fcmp, fpConvert: fcti, fpFromInteger: fcfid,
};
const HELPER_NAMES = Object.keys(BLOCK_HELPERS);
const HELPER_VALUES = Object.values(BLOCK_HELPERS);


/** Longest block in instructions (bigger blocks cost compile time and rarely run to the end). */
export const MAX_BLOCK = 128;
/**
 * Longest Wasm region in instructions. Go's runtime functions on the scheduler's paths (schedule,
 * findRunnable, chanrecv...) run past 64 words, and a region that covers them leaves Wasm less
 * often (chansieve 1000: 50 M instead of 61 M block calls, 0.24 M instead of 0.8 M returns to
 * JavaScript, 5-10% less CPU). 192 and 256 cost more to compile and tier up than they save, and
 * 128 already costs short goroutine-heavy runs about 6% (chansieve 300); notes/cpu-performance.md,
 * "Regions and links (chansieve)".
 */
const MAX_REGION = 128;

/** Families whose rows never store to memory: no code-validity check after calling them. */
const PURE_FAMILIES = new Set(['integer', 'logical', 'compare', 'rotate', 'cr', 'spr', 'system', 'trap', 'branch']);

export interface CompileHost {
  /** Decode a slot as the interpreter does (planting breakpoint/sentinel ids); may throw. */
  decodeSlot(page: CodePage, idx: number, hi: number, lo: number): number;
}

export interface CompileStats {
  blocks: number;
  /** Blocks with jumps inside them (compiled as a loop over a switch). */
  regions: number;
  /** Blocks compiled to WebAssembly (wasm/compiler.ts) rather than JavaScript. */
  wasm: number;
  instructions: number;
  emitted: number;
  called: number;
  micros: number;
}

/**
 * Microseconds on a monotonic clock, for CompileStats.micros. process.hrtime rather than
 * `performance`, whose first use in a run from the start-up snapshot loads perf_hooks and its
 * modules: 1.8 ms of cpubench map's first compile.
 */
function nowMicros(): number {
  if (typeof process === 'undefined') return performance.now() * 1000;
  const [s, ns] = process.hrtime();
  return s * 1e6 + ns / 1e3;
}

/**
 * Decoded row id of slot j of a block entered at slot idx (address hi:lo), decoding it if needed
 * (a compiled slot gives its entry row); -1 for a special slot or a word that cannot be fetched.
 */
function rowIdAt(host: CompileHost, page: CodePage, idx: number, j: number, hi: number, lo: number): number {
  let id = page.ids[j];
  if (id === 0) {
    try {
      id = host.decodeSlot(page, j, hi, (lo + 4 * (j - idx)) | 0);
    } catch {
      return -1;
    }
  }
  if (id === ID_BLOCK) id = page.blocks![j]!.firstId;
  return id < FIRST_ROW_ID ? -1 : id;
}

/** Does word w of row `name`, j words after the entry (hi, lo), branch back to that entry? */
function branchesToEntry(name: string, w: number, j: number, hi: number, lo: number): boolean {
  const t = staticTarget(name, w, hi, (lo + 4 * j) | 0);
  return t !== null && t[0] === hi && t[1] === lo;
}

/** A Wasm region's words from its entry (its labels are wasm/compiler.ts RegionFlow's). */
interface Region {
  words: number[];
  rows: InsnRow[];
}

export class BlockCompiler {
  readonly stats: CompileStats = { blocks: 0, regions: 0, wasm: 0, instructions: 0, emitted: 0, called: 0, micros: 0 };

  constructor(
    private readonly rows: readonly InsnRow[],
    /** Decoded id -> index into rows (-1 for special ids). */
    private readonly rowOfId: Int32Array,
  ) {}

  /**
   * Compile the block entered at slot idx of page (address hi:lo), or return null when the
   * entry cannot start a block (a special slot). Does not install it.
   */
  compile(host: CompileHost, page: CodePage, idx: number, hi: number, lo: number): CompiledBlock | null {
    const t0 = nowMicros();
    const words: number[] = [];
    const rowIdx: number[] = [];
    // Internal branch targets (word index from the entry): each becomes a `case` of the region.
    const targets = new Set<number>([0]);
    let firstId = 0;
    for (let j = idx; j < CODE_PAGE_WORDS && words.length < MAX_BLOCK; j++) {
      const id = rowIdAt(host, page, idx, j, hi, lo);
      if (id < 0) break;
      const r = this.rowOfId[id];
      const row = this.rows[r];
      const w = page.words[j];
      if (row.family === 'branch' && emitters[row.name] === undefined) break;
      if (j === idx) firstId = id;
      const at = words.length;
      words.push(w);
      rowIdx.push(r);
      if (row.family !== 'branch') continue;
      const t = staticTarget(row.name, w, hi, (lo + 4 * at) | 0);
      if (t !== null && t[0] === hi && (t[1] >>> 0) >= (lo >>> 0) && (t[1] & 3) === 0) {
        const ti = (t[1] - lo) >>> 2;
        if (ti <= at) targets.add(ti); // a loop back to code already in the block
      }
      if (branchAlways(row.name, w)) break;
    }
    const len = words.length;
    if (len === 0) return null;
    for (const ti of targets) if (ti >= len) targets.delete(ti);

    // The Wasm tier compiles a region: this block and, while every row has a Wasm emitter, the
    // code after it (past unconditional branches), with every branch target inside as a label.
    // Code that has never run costs nothing there (no type feedback to invalidate).
    let region = this.wasmRegion(host, page, idx, hi, lo, words, rowIdx);
    let wasm: WasmBlock | null = null;
    while (region !== null) {
      const r = compileWasmBlock(region.rows, region.words, hi, lo);
      if (typeof r !== 'number') {
        wasm = r;
        break;
      }
      // An emitter refused word r: the region is the words before it, if they cover the block.
      region = r < len ? null : { words: region.words.slice(0, r), rows: region.rows.slice(0, r) };
    }
    const blockLen = wasm === null ? len : region!.words.length;
    const block = new CompiledBlock(blockLen, firstId, hi, lo, targets.size > 1 || this.jumpsToEntry(rowIdx, words, hi, lo));

    // The JS function: built (source, then parsed) only when it runs, because a Wasm block needs
    // it only for a CPU or register file outside the arena; building its source for every Wasm
    // block was a third of the compile time, all of it in cold code.
    const makeJs = (): BlockFn => this.jsBlock(block, hi, lo, words, rowIdx, targets).fn;
    const wrapped = wasm === null ? null : wasmBlockFn(wasm, makeJs, region!.rows, region!.words, hi, lo, blockLen);
    let emitted = len;
    if (wrapped !== null) {
      block.fn = wrapped.fn;
      block.wasmSlot = wrapped.slot;
      const labels = wasm!.labels;
      // Return points and loop heads: the chain map enters the region there too (Cpu.compileAt).
      for (const t of wasm!.entries) block.wasmEntries.push(labels.indexOf(t), t);
      block.minLeft = labels.length > 1 ? Math.min(labels[1], blockLen) : blockLen;
      this.stats.wasm++;
    } else {
      const js = this.jsBlock(block, hi, lo, words, rowIdx, targets);
      block.fn = js.fn;
      emitted = js.emitted;
    }

    const st = this.stats;
    st.regions += targets.size > 1 ? 1 : 0;
    st.blocks++;
    st.instructions += len;
    st.emitted += emitted;
    st.called += len - emitted;
    st.micros += nowMicros() - t0;
    return block;
  }

  /**
   * Is the entry at slot idx (address hi:lo) a loop's head: does a branch within MAX_REGION words
   * after it jump back to it? Decodes those slots as the interpreter would, since the loop need
   * not have gone round yet (counting only back edges that have run found 1 such head in gofmt, not 18).
   */
  loopsToEntry(host: CompileHost, page: CodePage, idx: number, hi: number, lo: number): boolean {
    for (let j = idx; j < CODE_PAGE_WORDS && j - idx < MAX_REGION; j++) {
      const id = rowIdAt(host, page, idx, j, hi, lo);
      if (id < 0) return false;
      const row = this.rows[this.rowOfId[id]];
      if (row.family === 'branch' && branchesToEntry(row.name, page.words[j], j - idx, hi, lo)) return true;
    }
    return false;
  }

  /**
   * Does the code from slot idx to its first branch (64 words at most, as far as it is decoded)
   * have only rows whose decoded id `runs` marks (the Wasm interpreter's: Cpu.compileAt defers such
   * code)? Unlike loopsToEntry it decodes nothing.
   */
  runsUpToBranch(page: CodePage, idx: number, runs: Uint8Array): boolean {
    const ids = page.ids;
    const end = Math.min(idx + 64, CODE_PAGE_WORDS);
    for (let j = idx; j < end; j++) {
      const id = ids[j]!;
      if (id < FIRST_ROW_ID) return true;
      if (runs[id] === 0) return false;
      if (this.rows[this.rowOfId[id]].family === 'branch') return true;
    }
    return true;
  }

  /** The JS function of a block, and how many of its rows were emitted inline (the rest are calls). */
  private jsBlock(block: CompiledBlock, hi: number, lo: number, words: readonly number[], rowIdx: readonly number[], targets: ReadonlySet<number>): { fn: BlockFn; emitted: number } {
    const len = words.length;
    const endLo = (lo + 4 * len) | 0;
    const endHi = endLo === 0 ? (hi + 1) | 0 : hi;
    const execNames: string[] = [];
    const execFns: unknown[] = [];
    const body: string[] = [];
    let emitted = 0;
    for (let j = 0; j < len; j++) {
      const row = this.rows[rowIdx[j]];
      const w = words[j];
      const pcLo = (lo + 4 * j) | 0;
      const nextLo = (pcLo + 4) | 0;
      const nextHi = nextLo === 0 ? (hi + 1) | 0 : hi;
      // m + j is the count of instructions completed when instruction j starts (m moves at jumps).
      const leave = (th: string | number, tl: string | number): string => `spr[0]=${th};spr[1]=${tl};return m+${j + 1};`;
      const site: EmitSite = {
        pcHi: hi,
        pcLo,
        exitTo: (th, tl) => {
          const ti = th === hi && (tl >>> 0) >= (lo >>> 0) ? (tl - lo) >>> 2 : -1;
          if (ti < 0 || !targets.has(ti) || (tl & 3) !== 0) return leave(th, tl);
          // A jump inside the region: continue there while the budget covers a whole pass.
          return `m+=${j + 1 - ti};if(left-m-${ti}<${len}){spr[0]=${th};spr[1]=${tl};return m+${ti};}p=${ti};continue L;`;
        },
        exitDynamic: () => leave('th', 'tl'),
      };
      const emitter = emitters[row.name];
      const code = emitter === undefined ? null : emitter(w, site);
      const mayThrow =
        code === null || row.family === 'load' || row.family === 'store' || row.family === 'atomic' || VECTOR_MEMORY_ROWS.has(row.name);
      const stores = code === null ? !PURE_FAMILIES.has(row.family) : row.family === 'store' || VECTOR_STORE_ROWS.has(row.name);
      if (targets.has(j)) body.push(`case ${j}:`);
      body.push(`/* ${row.name} */`);
      if (mayThrow) body.push(`k=${j};`);
      if (code !== null) {
        body.push(`{${code}}`);
        emitted++;
      } else {
        const name = `x${execNames.length}`;
        execNames.push(name);
        execFns.push(row.exec);
        body.push(`${name}(s,mem,${w | 0});`);
      }
      if (stores) body.push(`if(B.dead){spr[0]=${nextHi};spr[1]=${nextLo};return m+${j + 1};}`);
    }
    body.push(`}`, `spr[0]=${endHi};spr[1]=${endLo};return m+${len};`);

    const fnName = `blk_${(hi >>> 0).toString(16)}_${(lo >>> 0).toString(16)}`;
    const src = `const VS = new Int32Array(4);
return function ${fnName}(s, mem, left, host) {
  const g = s.gpr;
  const spr = s.spr;
  const v = s.vsr;
  let m = 0;
  let k = 0;
  let p = 0;
  try {
    L: for (;;) {
      switch (p) {
      ${body.join('\n      ')}
    }
  } catch (e) {
    spr[0] = ${hi};
    spr[1] = (${lo} + 4 * k) | 0;
    host.jitCount = m + k;
    host.jitWord = W[k];
    host.jitError = e;
    return -1;
  }
};`;
    // eslint-disable-next-line @typescript-eslint/no-implied-eval
    const factory = new Function('B', 'W', ...HELPER_NAMES, ...execNames, src) as (...a: unknown[]) => BlockFn;
    return { fn: factory(block, Int32Array.from(words), ...HELPER_VALUES, ...execFns), emitted };
  }

  /**
   * The words of a Wasm region starting with this block (whose rows must all have Wasm emitters),
   * up to MAX_REGION words, a row without one, a special slot or the page end; null when the
   * block itself has a row the Wasm tier does not emit.
   */
  private wasmRegion(
    host: CompileHost,
    page: CodePage,
    idx: number,
    hi: number,
    lo: number,
    blockWords: readonly number[],
    blockRows: readonly number[],
  ): Region | null {
    if (!wasmTierEnabled()) return null;
    const rows = blockRows.map((r) => this.rows[r]);
    if (rows.some((row, j) => !wasmMayAccept(row.name, blockWords[j]))) return null;
    const words = [...blockWords];
    for (let j = idx + words.length; j < CODE_PAGE_WORDS && words.length < MAX_REGION; j++) {
      const id = rowIdAt(host, page, idx, j, hi, lo);
      if (id < 0) break;
      const row = this.rows[this.rowOfId[id]];
      if (!wasmMayAccept(row.name, page.words[j])) break;
      words.push(page.words[j]);
      rows.push(row);
    }
    const reach = Math.max(reachableLength(rows, words, hi, lo), blockWords.length);
    return reach === words.length ? { words, rows } : { words: words.slice(0, reach), rows: rows.slice(0, reach) };
  }

  private jumpsToEntry(rowIdx: number[], words: number[], hi: number, lo: number): boolean {
    return words.some((w, j) => branchesToEntry(this.rows[rowIdx[j]].name, w, j, hi, lo));
  }
}
