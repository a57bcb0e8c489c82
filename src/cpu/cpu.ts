// One emulated hardware thread's executor: runs a CpuState against a GuestMemory in bounded
// slices and reports why it stopped as a value (never a thrown host error).
//
// Threads: there is one Cpu per GuestMemory (it owns the decoded-code cache for that memory).
// A reservation is lost on a thread switch and on another thread's store (another thread can only
// store after a switch): assigning `cpu.state = otherThreadState` drops the reservations of both
// states; `switchTo` keeps them, for the AIX scheduler, which drops them itself from its record of
// the thread that ran last (that record is part of a snapshot, this CPU's is not).
import { CpuState, CR, CTR_LO, PC_HI, PC_LO, RESV_LEN } from './state.js';
import { GuestMemory, MemoryFault, PROT_READ, PROT_WRITE, memoryFault, watchTrap, type AccessKind, type FaultReason, type Watchpoint } from './memory.js';
import { ProgramException, programException } from './isa-types.js';
import { allRows, decodeRow } from './decode.js';
import {
  buildRunLoop, loopCallSiteRows, rowIds, CodePage, CODE_PAGE_WORDS, FIRST_ROW_ID, HEAT_MASK, HEAT_SIZE, ID_BLOCK, ID_BREAKPOINT, ID_ILLEGAL, ID_SENTINEL,
  type BuiltLoop, type LoopHost, type RunLoop,
} from './run.js';
import { BlockCompiler, type CompileStats } from './jit/compiler.js';
import { CompiledBlock, type BlockFn } from './jit/block.js';
import { CHAIN_MAP_BYTES, chainMapHas, chainMapHostCalls, chainMapInsert, chainMapRemove, newChainMap, setChainQuickCall } from './wasm/chain.js';
import { finishChain, releaseWasmBlock, runWasmAt } from './wasm/compiler.js';
import { chainOn } from './jit/chain.js';
import { arenaReclaim, guestArena } from './wasm/arena.js';
import { envNumber } from './env.js';
import { LOOP_STATE_BYTES, LoopState, straightInterpreter, type Straight } from './wasm/interp.js';
import { type RunDecoder, runDecoder } from './wasm/decode-run.js';
import { cpuEnv, defaultTimeBase } from './exec/system.js';
import { hex64, hiOf, loOf, toBig } from './int64.js';

/** Why run() returned. */
export const StopReason = {
  /** The instruction budget ran out. */
  OK: 0,
  /** PC is at a breakpoint; the instruction there has not executed. */
  BREAKPOINT: 1,
  /** step() executed one instruction. */
  STEP_DONE: 2,
  /** A memory access failed; the instruction at stop.pc did not commit. See stop.fault*. */
  FAULT: 3,
  /** Invalid or unimplemented instruction at stop.pc (stop.word). */
  ILLEGAL: 4,
  /** A trap instruction (tw/td/twi/tdi) fired at stop.pc. */
  TRAP: 5,
  /** PC reached a registered host-call address (not fetched); the host services the call. */
  SENTINEL: 6,
  /**
   * A watched access is about to happen (see stop.watch*): PC is at the accessing instruction,
   * which has not executed, as a data breakpoint reports it. Resuming there stops again unless
   * the watchpoint is gone or skipWatchOnce() was called (a debugger steps over it that way).
   */
  WATCH: 7,
  /** A host-side bug surfaced while executing stop.pc; stop.message says what. */
  INTERNAL: 8,
} as const;
export type StopReason = (typeof StopReason)[keyof typeof StopReason];

export const STOP_NAMES = ['OK', 'BREAKPOINT', 'STEP_DONE', 'FAULT', 'ILLEGAL', 'TRAP', 'SENTINEL', 'WATCH', 'INTERNAL'];

/** Details of the last stop (one reusable object). */
export class StopInfo {
  reason: StopReason = StopReason.OK;
  pcHi = 0;
  pcLo = 0;
  /** Instruction word at pc (ILLEGAL, TRAP, FAULT). */
  word = 0;
  faultHi = 0;
  faultLo = 0;
  faultAccess: AccessKind = 'read';
  faultReason: FaultReason = 'unmapped';
  watchAddr = 0n;
  watchLen = 0;
  watchIsWrite = false;
  message = '';

  get pc(): bigint {
    return toBig(this.pcHi, this.pcLo);
  }
  get faultAddress(): bigint {
    return toBig(this.faultHi, this.faultLo);
  }
  /** One printable line, e.g. "ILLEGAL at 0x10000 word 0x00000000". */
  describe(): string {
    const at = hex64(this.pcHi, this.pcLo);
    const word = '0x' + (this.word >>> 0).toString(16).padStart(8, '0');
    switch (this.reason) {
      case StopReason.FAULT:
        return `FAULT at ${at}: ${this.faultAccess} of ${hex64(this.faultHi, this.faultLo)} (${this.faultReason})`;
      case StopReason.ILLEGAL:
        return `ILLEGAL at ${at} word ${word}`;
      case StopReason.TRAP:
        return `TRAP at ${at} word ${word}`;
      case StopReason.WATCH:
        return `WATCH at ${at}: ${this.watchIsWrite ? 'write' : 'read'} of 0x${this.watchAddr.toString(16)}`;
      case StopReason.INTERNAL:
        return `INTERNAL at ${at}: ${this.message}`;
      default:
        return `${STOP_NAMES[this.reason]} at ${at}`;
    }
  }
}

let sharedLoop: BuiltLoop | null = null;
function builtLoop(): BuiltLoop {
  if (sharedLoop === null) sharedLoop = buildRunLoop(allRows);
  return sharedLoop;
}
let sharedJitLoop: BuiltLoop | null = null;
function builtJitLoop(): BuiltLoop {
  if (sharedJitLoop === null) sharedJitLoop = buildRunLoop(allRows, { jit: true });
  return sharedJitLoop;
}

/**
 * Build the jit loop's function now: for the start-up snapshot, whose runs then skip its source
 * and `new Function` (3-4 ms of every run; V8 still compiles it lazily at its first call).
 */
export function prepareJitLoop(): void {
  builtJitLoop();
}
/** Which loops (interpreter-only, jit) have been warmed in this process. */
const warmed = { plain: false, jit: false };
/** Whether this process warmed the jit loop (or the interpreter-only one) yet (tests). */
export const loopWarmed = (jit: boolean): boolean => (jit ? warmed.jit : warmed.plain);

/**
 * Give every call site of the shared loop type feedback before TurboFan compiles it: otherwise
 * each row or path that first runs after the compile deoptimises the whole loop ("insufficient
 * type feedback for call"), and Go's hello recompiled it 3-6 times (25-120 ms of compile each).
 * Runs the loop's hot rows and one row of each cold group on a throwaway CPU, state and memory
 * (one data page), with slots planted directly in its code page: nothing of any
 * guest, no block compiles, no statistics but the scratch CPU's own. About 5-10 ms, once per
 * process; AIX_GDBSTUB_WARM_LOOP=0 skips it (notes/cpu-performance.md has the figures).
 */
function warmLoop(jit: boolean): void {
  if (jit ? warmed.jit : warmed.plain) return;
  if (jit) warmed.jit = true;
  else warmed.plain = true;
  const cpu = new Cpu(new GuestMemory(), new CpuState(), { jit, jitThreshold: 1 << 30, wasm: false });
  const s = cpu.state;
  const mem = cpu.mem;
  // One data page at 0, where zero operands point, so loads and stores take the TLB-hit path too.
  mem.map(0n, 0x10000n, PROT_READ | PROT_WRITE);
  const ids = rowIds(allRows);
  const rows = loopCallSiteRows(allRows);
  // Page at 0x10000: slot 0 undecoded (decodeSlot faults on the unmapped fetch), slot 1 a
  // sentinel, slots 2-4 compiled blocks, then one slot per row with its fixed bits (all operand
  // fields zero).
  const base = 0x10000;
  const first = 5;
  const page = cpu.codePageFor(0, base);
  page.ids[1] = ID_SENTINEL;
  page.blocks = new Array<CompiledBlock | undefined>(CODE_PAGE_WORDS);
  // Slots 2-4 are compiled blocks: one too long for the budget, one that runs an instruction and
  // leaves to the first row slot, one whose instruction throws.
  const blockAt = (slot: number, len: number, fn: BlockFn): void => {
    const blk = new CompiledBlock(len, ids[rows[0]!]!, 0, base + 4 * slot, false);
    blk.fn = fn;
    page.ids[slot] = ID_BLOCK;
    page.words[slot] = allRows[rows[0]!]!.match;
    page.blocks![slot] = blk;
  };
  blockAt(2, 1 << 30, () => 0);
  blockAt(3, 1, (st) => {
    st.spr[PC_LO] = base + 4 * first;
    return 1;
  });
  blockAt(4, 1, (_st, _mem, _left, host) => {
    host.jitCount = 0;
    host.jitWord = 0;
    host.jitError = programException;
    return -1;
  });
  rows.forEach((r, k) => {
    page.ids[first + k] = ids[r]!;
    page.words[first + k] = allRows[r]!.match;
  });
  // V8 gives a function its feedback vector only after some calls: until then a row's own rare
  // paths record nothing, and inlined into the loop they deoptimise it. So direct calls first.
  const allOnes = (r: number): number => allRows[r]!.match | ~allRows[r]!.mask;
  for (let k = 0; k < 8; k++) {
    for (const r of rows) {
      try {
        allRows[r]!.exec(s, mem, k < 4 ? allRows[r]!.match : allOnes(r));
      } catch {
        // faults and program exceptions of the scratch state: expected
      }
    }
  }
  // Three sweeps through the loop: the branch rows need both exits (with BO = 0 a zero CTR
  // branches, CTR = 1 falls through); the last sets every operand bit (register 31, Rc = 1,
  // OE = 1, negative displacements).
  for (let pass = 0; pass < 3; pass++) {
    if (pass === 2) rows.forEach((r, k) => (page.words[first + k] = allOnes(r)));
    for (let slot = 0; slot < first + rows.length; slot++) {
      s.gpr.fill(0);
      s.spr.fill(0);
      s.vsr.fill(0);
      s.spr[CTR_LO] = pass === 1 ? 1 : 0;
      s.spr[CR] = pass === 1 ? -1 : 0;
      s.spr[PC_LO] = base + 4 * slot;
      cpu.run(1);
    }
  }
  if (!jit) return;
  // The compile paths of the heat check (for the branch target, for where the run started and for
  // the entry of the function it runs in): a CPU whose threshold is 1 runs `bl .+8` at slot 0,
  // `b .+4` at slot 2 and `blr` (back to slot 1) at slot 3, so each check's targets are slots already
  // marked ID_BLOCK and compileAt returns at once (no block, no compiler statistics). Slots 0, 2
  // and 3 hold blocks too long for the budget, so the loop interprets their entry instructions.
  const hotCpu = new Cpu(new GuestMemory(), new CpuState(), { jit, jitThreshold: 1, wasm: false });
  const hot = hotCpu.codePageFor(0, base);
  hot.blocks = new Array<CompiledBlock | undefined>(CODE_PAGE_WORDS);
  const interpreted = (slot: number, name: string, word: number): void => {
    const row = allRows.findIndex((r) => r.name === name);
    hot.blocks![slot] = new CompiledBlock(1 << 30, ids[row]!, 0, base + 4 * slot, false);
    hot.ids[slot] = ID_BLOCK;
    hot.words[slot] = word;
  };
  const b = allRows.find((r) => r.name === 'b')!.match;
  interpreted(0, 'b', b | 8 | 1); // bl .+8
  interpreted(2, 'b', b | 4); // b .+4
  interpreted(3, 'bclr', 0x4e800020); // blr
  hot.ids[1] = ID_BLOCK;
  for (let k = 0; k < 3; k++) {
    hotCpu.state.spr[PC_LO] = base;
    hotCpu.run(3);
  }
}

let sharedCompiler: BlockCompiler | null = null;

/**
 * A collected CPU's Wasm blocks give their function-table slots back: the table holds each block's
 * function (and so its module) until then, and a program that forks and execs (the go command
 * running compile and link) leaves a process's CPUs behind at every exit.
 */
const wasmSlotReclaim = new FinalizationRegistry<Set<number>>((slots) => {
  for (const slot of slots) releaseWasmBlock(slot);
});
/** Totals of the shared block compiler since start (the bench prints them). */
export function jitStats(): CompileStats {
  return { ...blockCompiler().stats };
}
function blockCompiler(): BlockCompiler {
  if (sharedCompiler === null) {
    const idOfRow = rowIds(allRows);
    const rowOfId = new Int32Array(FIRST_ROW_ID + idOfRow.length).fill(-1);
    idOfRow.forEach((id, row) => (rowOfId[id] = row));
    sharedCompiler = new BlockCompiler(allRows, rowOfId);
  }
  return sharedCompiler;
}

/** Tier-1 options. Defaults: on unless AIX_GDBSTUB_JIT=0; threshold from AIX_GDBSTUB_JIT_THRESHOLD. */
export interface CpuOptions {
  /** Compile hot code to JS functions (tier 1). The interpreter alone when false. */
  jit?: boolean;
  /** Heat (instructions run before taken branches to a target) at which the target is compiled. */
  jitThreshold?: number;
  /**
   * Bound how many blocks compile by how much compiled code has run (Cpu.compileAllowance;
   * default on). False compiles every target that gets hot: for tests that compare every block
   * compiled against the interpreter.
   */
  limitCompiles?: boolean;
  /**
   * Run blocks the Wasm tier compiled as WebAssembly (default: on unless AIX_GDBSTUB_WASM=0, which
   * also keeps guest memory out of the arena). False runs this CPU's blocks as JS only.
   */
  wasm?: boolean;
  /**
   * Hand straight runs of interpreted code to the Wasm interpreter (wasm/interp.ts; default: on
   * with the Wasm tier, unless AIX_GDBSTUB_WASM_INTERP=0). False interprets in JS only.
   */
  interp?: boolean;
}

export const DEFAULT_JIT_THRESHOLD = 50_000;

function envJit(): boolean {
  return typeof process === 'undefined' || process.env.AIX_GDBSTUB_JIT !== '0';
}
/**
 * compileAllowance's constants (environment overrides are for measuring), read when a CPU is made
 * (not at import: a start-up snapshot imports the modules when it is built). 48 to start with: the
 * runs measured (gofmt, compile, chansieve 300) did best at 48 among 4, 16, 48, 100 and 200;
 * chansieve 300 needs its scheduler paths compiled before its compiled code has earned them.
 *
 * `defer`: with the Wasm interpreter, a target whose code up to its first branch has only rows the
 * interpreter runs compiles at the defer-th time its heat reaches the threshold, not the first.
 * The interpreter runs such code at 8-11 ns an instruction from the first one, and a region costs
 * about a millisecond to make (emitting, V8's Module, Instance and Liftoff) and runs in Liftoff
 * for most of a run: gofmt with nothing compiled took 0.34-0.54 s against 0.52-0.74 s with the
 * compiler. Code with rows the interpreter leaves to JavaScript (vector, FP, crypto) runs much
 * slower interpreted and compiles at once. 10 measured best among 5, 10, 20 and 40
 * (notes/cpu-performance.md, "Entering compiled blocks from the Wasm interpreter, and compiling
 * later").
 */
export function compilePolicy(): { start: number; defer: number; payback: number; base: number } {
  return {
    start: envNumber('AIX_GDBSTUB_JIT_START', 48),
    defer: envNumber('AIX_GDBSTUB_JIT_DEFER', 10),
    payback: envNumber('AIX_GDBSTUB_JIT_PAYBACK', 1_000_000),
    base: envNumber('AIX_GDBSTUB_JIT_BASE', 1_000_000),
  };
}

const PAGE_SHIFT = 16;
const PAGE_CACHE_SIZE = LoopState.PAGE_SLOTS;
const PAGE_CACHE_MASK = PAGE_CACHE_SIZE - 1;
const pageKey = (hi: number, lo: number): number => (hi >>> 0) * 65536 + (lo >>> PAGE_SHIFT);

/**
 * Slots decodeSlot decodes after the one asked for (measured: 16 against 0 and 64 when each word
 * took its own page lookup; 48 against 16 and 128 since a run of words takes one; 256 against 48,
 * 1,024 and the rest of the page since the Wasm run decoder does the run: hello comes back to
 * decodeSlot 351 times instead of 997, cmd/compile 4,245 instead of 12,976; notes/cpu-performance.md).
 */
const DECODE_AHEAD = 256;
/** The same where breakpoints or host-call sentinels make each word a check of its own. */
const SLOW_DECODE_AHEAD = 48;

/** The page cache's initial entries (their tags never match): one for every Cpu. */
let unusedPage: CodePage | undefined;
const noCodePage = (): CodePage => (unusedPage ??= new CodePage());

export class Cpu implements LoopHost {
  private current: CpuState;
  readonly mem: GuestMemory;
  /** Time base source for mftb / mfspr 268 (a 64-bit tick count). */
  timeBase: () => bigint = defaultTimeBase;
  readonly stop = new StopInfo();
  /** Instructions completed by the last run()/step(). */
  executed = 0;
  /** Instructions completed since construction. */
  totalExecuted = 0;
  /**
   * Answers a host call in place when it can (PC at a sentinel; true: the call is done and PC is
   * its return address): run() then goes on with the budget less one unit, as the scheduler counts
   * a call, instead of stopping with SENTINEL. A stop and a resume through the scheduler cost
   * 0.3-0.6 us, and Go's scheduler reads the clock that way tens of thousands of times a second.
   */
  hostCallHook: (() => boolean) | null = null;
  /** Host calls answered in place during the current run (each counted as a unit in `done`). */
  private quickUnits = 0;
  /** Of those, the ones the chain loop answered (also counted by the Wasm tier as compiled instructions). */
  private wasmQuickUnits = 0;
  /** Host calls the chain loop answered without leaving Wasm, since construction. */
  hostCallsInWasm = 0;
  /** chain.ts's hook: the host call at PC, answered (1) or not (0). */
  private readonly answerInWasm = (): number => {
    if (this.hostCallHook === null || !this.hostCallHook()) return 0;
    this.quickUnits++;
    this.wasmQuickUnits++;
    this.hostCallsInWasm++;
    return 1;
  };

  private readonly loop: RunLoop;
  // Ids only: building the interpreter-only loop as well cost ~15 ms of every start-up.
  private readonly idOfRow: Int32Array = rowIds(allRows);
  /** Tier 1 is on for this CPU (fixed at construction). */
  readonly jit: boolean;
  readonly jitThreshold: number;
  readonly heat: Int32Array;
  /** The loop's heat-check state the Wasm interpreter shares (wasm/interp.ts LoopState), and its arena offset. */
  readonly loopState: Int32Array | null = null;
  readonly loopStateAt: number = -1;
  /** The page cache as the Wasm interpreter reads it (LoopState.PAGES_AT), or null. */
  private readonly wasmPages: Int32Array | null = null;
  /** Blocks this CPU compiled and still holds (compileAllowance bounds it unless limitCompiles is off). */
  private compiles = 0;
  private readonly limitCompiles: boolean;
  private readonly compilePolicy = compilePolicy();
  jitCount = 0;
  /** Instructions completed inside compiled blocks since construction (the rest were interpreted). */
  jitExecuted = 0;
  jitWord = 0;
  jitError: unknown = null;
  readonly wasmChainMap: number;
  readonly straight: Straight | null;
  /** Pages holding compiled blocks (to drop them all at once). */
  private readonly blockPages = new Set<CodePage>();
  /**
   * Function-table slots of this CPU's live Wasm blocks: given back when the CPU is collected
   * (numbers only: what the registry holds must not reach the CPU, or it is never collected).
   */
  private readonly wasmSlots = new Set<number>();
  private readonly codePages = new Map<number, CodePage>();
  private readonly pcTagHi = new Int32Array(PAGE_CACHE_SIZE);
  private readonly pcTagPg = new Int32Array(PAGE_CACHE_SIZE).fill(-1);
  private readonly pcPages: CodePage[] = new Array<CodePage>(PAGE_CACHE_SIZE).fill(noCodePage());
  private readonly breakpoints = new Set<bigint>();
  /** [start, end) as unsigned hi/lo halves: decodeSlot checks every new slot against them. */
  private hostCallRanges: Array<{ startHi: number; startLo: number; endHi: number; endLo: number }> = [];
  private watchCount = 0;
  /** The loop's warm-up waits for this CPU's first compile (constructor). */
  private warmPending = false;
  private skipWatch = false;

  constructor(mem: GuestMemory, state: CpuState = new CpuState(), opts: CpuOptions = {}) {
    this.mem = mem;
    this.current = state;
    this.jit = opts.jit ?? envJit();
    this.jitThreshold = opts.jitThreshold ?? envNumber('AIX_GDBSTUB_JIT_THRESHOLD', DEFAULT_JIT_THRESHOLD);
    this.limitCompiles = opts.limitCompiles ?? true;
    this.loop = this.jit ? builtJitLoop().run : builtLoop().run;
    this.wasmChainMap = this.jit && opts.wasm !== false ? newChainMap() : -1;
    if (this.wasmChainMap >= 0) arenaReclaim.register(this, { small: [[this.wasmChainMap, CHAIN_MAP_BYTES]] });
    // Whatever the chain map: the block compiler makes Wasm blocks (with slots) whenever the tier
    // is on for the process, also for a CPU that runs them through their JS version.
    if (this.jit) wasmSlotReclaim.register(this, this.wasmSlots);
    const straight = this.wasmChainMap >= 0 && opts.interp !== false ? straightInterpreter(allRows, this.idOfRow) : null;
    const stateAt = straight === null ? -1 : guestArena()!.allocSmall(LOOP_STATE_BYTES);
    this.straight = stateAt < 0 ? null : straight;
    this.runDecoder = this.straight === null ? null : runDecoder(this.idOfRow, ID_ILLEGAL);
    if (stateAt < 0) this.heat = new Int32Array(HEAT_SIZE);
    else {
      const buffer = guestArena()!.buffer;
      this.heat = new Int32Array(buffer, stateAt + LoopState.HEAT_AT, HEAT_SIZE);
      this.loopState = new Int32Array(buffer, stateAt, LoopState.HEAT_AT / 4);
      this.loopState[LoopState.THRESHOLD] = this.jitThreshold;
      this.loopState[LoopState.MAP] = this.wasmChainMap;
      this.loopStateAt = stateAt;
      this.wasmPages = new Int32Array(buffer, stateAt + LoopState.PAGES_AT, 3 * PAGE_CACHE_SIZE).fill(-1);
      arenaReclaim.register(this, { small: [[stateAt, LOOP_STATE_BYTES]] });
    }
    mem.codeWriteHook = (addr, len) => this.invalidateCode(addr, len);
    // With the Wasm interpreter the JS loop runs little until code gets hot: a program that never
    // compiles (hello) would pay for the warm-up (and the compiles it provokes: 15-20 ms of
    // hello's 0.12 s) without using it, so it waits for the first compile (run()).
    if (typeof process === 'undefined' || process.env.AIX_GDBSTUB_WARM_LOOP !== '0') {
      if (this.straight === null) warmLoop(this.jit);
      else this.warmPending = true;
    }
  }

  /** The running thread's registers. Assigning switches threads and drops both reservations. */
  get state(): CpuState {
    return this.current;
  }
  set state(s: CpuState) {
    this.current.spr[RESV_LEN] = 0;
    s.spr[RESV_LEN] = 0;
    this.current = s;
  }

  /**
   * Run `s` next and keep every reservation: for a caller that decides itself when a switch
   * loses one (the AIX scheduler, whose choice is part of a snapshot while this CPU's is not).
   */
  switchTo(s: CpuState): void {
    this.current = s;
  }

  /** Drop the current thread's load reservation (its next stXcx. fails). */
  clearReservation(): void {
    this.current.spr[RESV_LEN] = 0;
  }

  get pc(): bigint {
    return this.current.pc;
  }
  set pc(v: bigint) {
    this.current.pc = v;
  }

  // ---------------------------------------------------------------- running

  /**
   * Execute up to `budget` instructions. Returns StopReason.OK when the budget ran out, otherwise
   * why it stopped (details in this.stop). A breakpoint at the starting PC is stepped over, so
   * resuming from a breakpoint stop makes progress.
   */
  run(budget: number): StopReason {
    if (this.warmPending && this.compiles > 0) {
      this.warmPending = false;
      warmLoop(this.jit);
    }
    cpuEnv.timeBase = this.timeBase;
    this.executed = 0;
    this.quickUnits = 0;
    this.wasmQuickUnits = 0;
    setChainQuickCall(this.hostCallHook === null ? null : this.answerInWasm);
    if (budget <= 0) return this.finish(StopReason.OK, 0);
    let done = 0;
    // Watched pages stay out of the TLB, so a watchpoint costs only the accesses to its page;
    // compiled code and the interpreter run as usual and a watched access throws before it happens.
    this.mem.trapWatched = this.watchCount > 0 && !this.skipWatch;
    if (this.skipWatch || (this.breakpoints.size > 0 && this.breakpoints.has(this.current.pc))) {
      this.skipWatch = false;
      const r = this.stepSlow();
      this.mem.trapWatched = this.watchCount > 0;
      if (r !== StopReason.OK) return this.finish(r, 0);
      done = 1;
    }
    let r: StopReason;
    for (;;) {
      if (done < budget && this.wasmChainMap >= 0) {
        // Resuming inside a Wasm region (after a host call: the instruction after the call) runs
        // there at once instead of interpreting up to the next block.
        const c = runWasmAt(this.current, this.mem, this, budget - done);
        if (c < 0) {
          this.jitExecuted += this.jitCount;
          return this.finish(this.exceptionStop(this.jitError, this.jitWord) as StopReason, done + this.jitCount);
        }
        done += c;
        this.jitExecuted += c;
      }
      if (done >= budget) {
        r = StopReason.OK;
        break;
      }
      r = this.loop(this, this.current, this.mem, budget - done) as StopReason;
      done += this.executed;
      // As in the chain loop: a call is answered while a budget unit is left for it.
      if (r !== StopReason.SENTINEL || done >= budget || this.hostCallHook === null || !this.hostCallHook()) break;
      done += 1;
      this.quickUnits++;
    }
    return this.finish(r, done);
  }

  /** LoopHost.resumeChain: the blocks' slow-path instruction if they left through one, then runBlocks's rest. */
  resumeChain(left: number): number {
    const s = this.current;
    return chainOn(this, s, this.mem, null, finishChain(s, this.mem, this, this.loopState![LoopState.CHAIN_R]), left);
  }

  /** The next run() executes its first instruction without watch traps (stepping over a WATCH stop). */
  skipWatchOnce(): void {
    this.skipWatch = true;
  }

  /** LoopHost.enterChainAt: runWasmAt, then runBlocks's rest (the heat of where the blocks left). */
  enterChainAt(left: number): number {
    const s = this.current;
    const c = runWasmAt(s, this.mem, this, left);
    return c === 0 ? 0 : chainOn(this, s, this.mem, null, c, left);
  }

  /** Execute exactly one instruction: STEP_DONE, or the stop that prevented it. */
  step(): StopReason {
    const r = this.run(1);
    if (r === StopReason.OK) {
      this.stop.reason = StopReason.STEP_DONE;
      this.stop.pcHi = this.current.spr[PC_HI];
      this.stop.pcLo = this.current.spr[PC_LO];
      return StopReason.STEP_DONE;
    }
    return r;
  }

  private finish(r: StopReason, done: number): StopReason {
    this.mem.trapWatched = false;
    // Host calls answered in place took budget units, not instructions.
    done -= this.quickUnits;
    this.jitExecuted -= this.wasmQuickUnits;
    this.quickUnits = 0;
    this.wasmQuickUnits = 0;
    setChainQuickCall(null);
    this.executed = done;
    this.totalExecuted += done;
    if (r === StopReason.OK || r === StopReason.BREAKPOINT || r === StopReason.SENTINEL || r === StopReason.WATCH) {
      this.stop.pcHi = this.current.spr[PC_HI];
      this.stop.pcLo = this.current.spr[PC_LO];
    }
    this.stop.reason = r;
    return r;
  }

  /** Fetch, decode and execute one instruction outside the hot loop (stepping over a breakpoint). */
  private stepSlow(): StopReason {
    const s = this.current;
    const spr = s.spr;
    let word = 0;
    try {
      const hi = spr[PC_HI];
      const lo = spr[PC_LO];
      word = this.mem.fetch32(hi, lo);
      const row = decodeRow(word);
      if (row < 0) return this.specialStop(ID_ILLEGAL, word) as StopReason;
      const branched = allRows[row].exec(s, this.mem, word);
      if (!branched) {
        const nlo = (lo + 4) | 0;
        spr[PC_LO] = nlo;
        if (nlo === 0) spr[PC_HI] = (hi + 1) | 0;
      }
      return StopReason.OK;
    } catch (e) {
      return this.exceptionStop(e, word) as StopReason;
    }
  }

  // ---------------------------------------------------------------- LoopHost

  codePageFor(hi: number, lo: number): CodePage {
    // Direct-mapped cache in front of the Map: Go text lives above 4 GiB, where page keys are
    // heap numbers and Map lookups are slow, and calls switch pages often.
    const pg = lo >>> PAGE_SHIFT;
    const i = (pg ^ hi) & PAGE_CACHE_MASK;
    if (this.pcTagPg[i] === pg && this.pcTagHi[i] === hi) return this.pcPages[i];
    const key = pageKey(hi, lo);
    let p = this.codePages.get(key);
    if (p === undefined) {
      p = new CodePage(this.straight !== null);
      this.codePages.set(key, p);
    }
    this.pcTagPg[i] = pg;
    this.pcTagHi[i] = hi;
    this.pcPages[i] = p;
    const wasmPages = this.wasmPages;
    if (wasmPages !== null) {
      // the Wasm interpreter's copy of this cache: where a taken branch to another page goes on
      wasmPages[3 * i] = hi;
      wasmPages[3 * i + 1] = p.at < 0 ? -1 : pg;
      wasmPages[3 * i + 2] = p.at;
    }
    return p;
  }

  decodeSlot(page: CodePage, idx: number, hi: number, lo: number): number {
    const id = this.decodeOne(page, idx, hi, lo);
    // The slots after it on the page too, while undecoded: the Wasm interpreter stops at each
    // undecoded slot and comes back to the loop for it (hello: 24,000 times, for 25,000 slots). The
    // same 64 KiB page is mapped, so fetching ahead cannot fault; a word never run costs one decode.
    const end = Math.min(idx + DECODE_AHEAD, CODE_PAGE_WORDS - 1);
    const ids = page.ids;
    if (end === idx || ids[idx + 1] !== 0) return id;
    const next = (lo + 4) | 0;
    if (this.breakpoints.size > 0 || this.inHostCallRange(hi, next, (lo + 4 * (end - idx)) | 0)) {
      // A word at a time, each checked (a BigInt per breakpoint lookup): as far as before the Wasm decoder.
      const last = Math.min(end, idx + SLOW_DECODE_AHEAD);
      try {
        for (let j = idx + 1; j <= last && ids[j] === 0; j++) this.decodeOne(page, j, hi, (lo + 4 * (j - idx)) | 0);
      } catch {
        // a word that cannot be fetched stays undecoded: its own decode faults if it runs
      }
      return id;
    }
    // The usual case, without a check per word: a run of plain words on the same memory page,
    // decoded by the Wasm run decoder when both pages are in the arena (it stops where this loop
    // would, or earlier at a word it leaves to decodeRow, where this loop goes on).
    let from = idx + 1;
    if (page.at >= 0 && this.runDecoder !== null) {
      const src = this.mem.codeRunStorage(hi, next);
      if (src >= 0) from += this.runDecoder(src, page.at + 4 * from, end - idx);
    }
    if (from > end || ids[from] !== 0) return id;
    const words = this.aheadWords;
    const n = this.mem.fetchCodeRun(hi, (lo + 4 * (from - idx)) | 0, end - from + 1, words);
    const idOfRow = this.idOfRow;
    for (let k = 0; k < n; k++) {
      const j = from + k;
      if (ids[j] !== 0) break;
      const word = words[k]!;
      const row = decodeRow(word);
      page.words[j] = word;
      ids[j] = row < 0 ? ID_ILLEGAL : idOfRow[row]!;
    }
    return id;
  }

  /** Does any host-call range hold a word in [lo, last] of hi's 4 GiB? */
  private inHostCallRange(hi: number, lo: number, last: number): boolean {
    const ranges = this.hostCallRanges;
    for (let k = 0; k < ranges.length; k++) {
      const r = ranges[k]!;
      if (!below(hi, last, r.startHi, r.startLo) && below(hi, lo, r.endHi, r.endLo)) return true;
    }
    return false;
  }

  /** decodeSlot's look-ahead words. */
  private readonly aheadWords = new Int32Array(DECODE_AHEAD);
  /** The Wasm decoder of decodeSlot's look-ahead (wasm/decode-run.ts), with the Wasm interpreter only. */
  private readonly runDecoder: RunDecoder | null;

  private decodeOne(page: CodePage, idx: number, hi: number, lo: number): number {
    // Without a BigInt per slot: an AIX process always has a host-call range, and hello decodes
    // about 25,000 slots before main.main.
    if (this.inHostCallRange(hi, lo, lo)) return (page.ids[idx] = ID_SENTINEL);
    if (this.breakpoints.size > 0 && this.breakpoints.has(toBig(hi, lo))) {
      page.words[idx] = 0;
      return (page.ids[idx] = ID_BREAKPOINT);
    }
    const word = this.mem.fetchCode32(hi, lo);
    const row = decodeRow(word);
    page.words[idx] = word;
    return (page.ids[idx] = row < 0 ? ID_ILLEGAL : this.idOfRow[row]);
  }

  compileAt(hi: number, lo: number): void {
    const page = this.codePageFor(hi, lo);
    const idx = (lo & 0xffff) >>> 2;
    if (page.ids[idx] === ID_BLOCK) return;
    // A live region's return point or loop head: both loops run that region from here already
    // (enterChainAt); the heat this address gathered before the region existed is not new code.
    if (this.wasmChainMap >= 0 && chainMapHas(this.wasmChainMap, hi, lo)) return;
    // Code the Wasm interpreter runs whole waits for `defer` times the heat (compilePolicy).
    if (this.limitCompiles && this.straight !== null && this.compilePolicy.defer > 1 && blockCompiler().runsUpToBranch(page, idx, this.straight.runs)) {
      const hx = (lo >>> 2) & HEAT_MASK;
      if (++this.deferrals[hx] < this.compilePolicy.defer) return;
      this.deferrals[hx] = 0;
    }
    // Past the allowance, a loop's head still compiles (a branch in the code after it jumps back to
    // it): such code keeps running after its compile (gofmt: 18 such regions ran about 130 K guest
    // instructions each afterwards, where the regions the allowance holds back would run 15-40 K).
    if (this.limitCompiles && this.compiles >= this.compileAllowance() && !blockCompiler().loopsToEntry(this, page, idx, hi, lo)) return;
    const block = blockCompiler().compile(this, page, idx, hi, lo);
    if (block === null) return;
    this.compiles++;
    if (page.blocks === null) page.blocks = new Array<CompiledBlock | undefined>(CODE_PAGE_WORDS);
    page.blocks[idx] = block;
    page.blockList.push(block);
    page.ids[idx] = ID_BLOCK;
    this.blockPages.add(page);
    if (block.wasmSlot >= 0) this.wasmSlots.add(block.wasmSlot);
    if (block.wasmSlot >= 0 && this.wasmChainMap >= 0) {
      chainMapInsert(this.wasmChainMap, hi, lo, block.wasmSlot, block.len);
      // Return points and loop heads inside the region, unless a block of their own is there already.
      const e = block.wasmEntries;
      for (let k = 0; k < e.length; k += 2) {
        const at = (lo + 4 * e[k + 1]) | 0;
        if (page.ids[(at & 0xffff) >>> 2] !== ID_BLOCK) chainMapInsert(this.wasmChainMap, hi, at, block.wasmSlot, block.len, e[k], e[k + 1]);
      }
    }
  }

  /** Per heat slot: the times its heat reached the threshold while compileAt deferred it (compilePolicy.defer). */
  private readonly deferrals = new Int32Array(HEAT_SIZE);

  /**
   * How many blocks this CPU may have compiled by now: compiling pays only when the code then runs
   * long enough, so the allowance grows with what compiled code has run (compilePolicy's payback
   * instructions earn one more block) and, slowly, with everything run (.base), from .start. A program
   * whose compiled regions run little after their compile (flat profiles: gofmt's regions ran
   * 37 K instructions each on average, about what one compile costs) stops compiling soon; one
   * whose regions keep running (loops, a scheduler's paths) is never held back.
   */
  private compileAllowance(): number {
    const p = this.compilePolicy;
    return p.start + (this.jitExecuted / p.payback + this.totalExecuted / p.base);
  }

  /** A block is being dropped: out of the Wasm chain map and the function table first. */
  private forgetBlock(b: CompiledBlock): void {
    b.dead = true;
    // Its code changed (a debugger's breakpoint, a guest store): recompiling it later is not new
    // code to bet on, and a debugging session that plants breakpoints at every stop must not use
    // up the allowance and leave the rest of the program interpreted.
    this.compiles--;
    if (b.wasmSlot < 0) return;
    if (this.wasmChainMap >= 0) {
      chainMapRemove(this.wasmChainMap, b.entryHi, b.entryLo);
      for (let k = 0; k < b.wasmEntries.length; k += 2) chainMapRemove(this.wasmChainMap, b.entryHi, (b.entryLo + 4 * b.wasmEntries[k + 1]) | 0);
    }
    this.wasmSlots.delete(b.wasmSlot);
    releaseWasmBlock(b.wasmSlot);
    b.wasmSlot = -1;
  }

  /** Compiled blocks currently installed (for tests and the bench report). */
  get compiledBlocks(): number {
    let n = 0;
    for (const p of this.blockPages) n += p.blockList.length;
    return n;
  }

  /** Drop every compiled block of a page (its slots decode afresh). */
  private dropBlocks(page: CodePage): void {
    for (const b of page.blockList) {
      this.forgetBlock(b);
      page.ids[(b.entryLo & 0xffff) >>> 2] = 0;
    }
    page.blocks = null;
    page.blockList = [];
    this.blockPages.delete(page);
  }

  /**
   * Drop the compiled blocks of a page that cover any word slot in [from, to). A block holds only
   * its own contiguous words, so the rest of the page stays compiled: gdb removes and re-inserts its
   * breakpoints around every stop, which must not send the whole page back to the interpreter.
   */
  private dropBlocksIn(page: CodePage, from: number, to: number): void {
    let kept = 0;
    const list = page.blockList;
    for (const b of list) {
      const entry = (b.entryLo & 0xffff) >>> 2;
      if (entry < to && entry + b.len > from) {
        this.forgetBlock(b);
        page.ids[entry] = 0;
        page.blocks![entry] = undefined;
      } else {
        list[kept++] = b;
      }
    }
    list.length = kept;
    if (kept === 0) {
      page.blocks = null;
      this.blockPages.delete(page);
    }
  }

  private dropAllBlocks(): void {
    for (const p of [...this.blockPages]) this.dropBlocks(p);
  }

  specialStop(id: number, word: number): number {
    const st = this.stop;
    st.pcHi = this.current.spr[PC_HI];
    st.pcLo = this.current.spr[PC_LO];
    st.word = word;
    if (id === ID_BREAKPOINT) return StopReason.BREAKPOINT;
    if (id === ID_SENTINEL) return StopReason.SENTINEL;
    return StopReason.ILLEGAL;
  }

  exceptionStop(e: unknown, word: number): number {
    const st = this.stop;
    st.pcHi = this.current.spr[PC_HI];
    st.pcLo = this.current.spr[PC_LO];
    st.word = word;
    if (e === memoryFault || e instanceof MemoryFault) {
      const f = e as MemoryFault;
      st.faultHi = f.hi;
      st.faultLo = f.lo;
      st.faultAccess = f.access;
      st.faultReason = f.reason;
      if (f.access === 'exec') st.word = 0;
      return StopReason.FAULT;
    }
    if (e === watchTrap) {
      st.watchAddr = watchTrap.address;
      st.watchLen = watchTrap.len;
      st.watchIsWrite = watchTrap.isWrite;
      return StopReason.WATCH;
    }
    if (e === programException || e instanceof ProgramException) {
      return (e as ProgramException).reason === 'trap' ? StopReason.TRAP : StopReason.ILLEGAL;
    }
    st.message = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    return StopReason.INTERNAL;
  }

  // ---------------------------------------------------------------- breakpoints, host calls, code

  addBreakpoint(addr: bigint): void {
    this.breakpoints.add(BigInt.asUintN(64, addr));
    this.invalidateCode(addr, 4);
  }

  removeBreakpoint(addr: bigint): boolean {
    const had = this.breakpoints.delete(BigInt.asUintN(64, addr));
    this.invalidateCode(addr, 4);
    return had;
  }

  hasBreakpoint(addr: bigint): boolean {
    return this.breakpoints.has(BigInt.asUintN(64, addr));
  }

  /** Register [start, end) as host-call addresses: reaching one stops with SENTINEL before fetch. */
  addHostCallRange(start: bigint, end: bigint): void {
    const s = BigInt.asUintN(64, start);
    const e = BigInt.asUintN(64, end);
    this.hostCallRanges.push({ startHi: hiOf(s), startLo: loOf(s), endHi: hiOf(e), endLo: loOf(e) });
    // The chain loop offers calls in the first range to hostCallHook itself (within one hi half).
    if (this.wasmChainMap >= 0 && this.hostCallRanges.length === 1 && hiOf(s) === hiOf(e - 1n)) chainMapHostCalls(this.wasmChainMap, hiOf(s), loOf(s), loOf(e - 1n) + 1);
    this.invalidateCode();
  }

  /** Watchpoints through the CPU, so run() arms the memory's watch traps. */
  addWatchpoint(wp: Watchpoint): void {
    this.mem.addWatchpoint(wp);
    this.watchCount++;
  }

  removeWatchpoint(wp: Watchpoint): void {
    this.mem.removeWatchpoint(wp);
    this.watchCount = Math.max(0, this.watchCount - 1);
  }

  /**
   * Forget decoded instructions in [addr, addr+len), or all of them. Memory stores to code pages
   * call this automatically; the process layer calls it after munmap/mprotect of code.
   */
  invalidateCode(addr?: bigint, len = 4): void {
    if (addr === undefined) {
      this.dropAllBlocks();
      this.codePages.clear();
      this.pcTagPg.fill(-1);
      this.wasmPages?.fill(-1);
      return;
    }
    // One pass per code page over the word slots the range touches (a debugger write can cover a
    // whole page; a guest store covers one or two words).
    const end = BigInt.asUintN(64, addr) + BigInt(len);
    for (let a = BigInt.asUintN(64, addr) & ~3n; a < end; ) {
      const pageEnd = (a | 0xffffn) + 1n;
      const stop = end < pageEnd ? end : pageEnd;
      const hi = hiOf(a);
      const lo = loOf(a);
      const p = this.codePages.get(pageKey(hi, lo));
      if (p !== undefined) {
        const from = (lo & 0xffff) >>> 2;
        const to = (Number((stop - 1n) & 0xffffn) >>> 2) + 1;
        if (p.blocks !== null) this.dropBlocksIn(p, from, to);
        p.ids.fill(0, from, to);
      }
      a = pageEnd;
    }
  }
}

/** (ahi, alo) < (bhi, blo) as unsigned 64-bit values. */
function below(ahi: number, alo: number, bhi: number, blo: number): boolean {
  return ahi !== bhi ? ahi >>> 0 < bhi >>> 0 : alo >>> 0 < blo >>> 0;
}
