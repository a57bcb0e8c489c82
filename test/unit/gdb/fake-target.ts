// An in-memory Target for protocol tests: four threads, a register file each, a memory map with an
// unmapped hole, and a toy "program" that the simulated resume walks through in slices on the event
// loop, like the real emulator will.
//
// The program: every instruction is 4 bytes at CODE_BASE…CODE_END. The instruction at address a
// stores 8 bytes to DATA_BASE + ((a - CODE_BASE) / 4 % 64) * 8. At SYSCALL_PC it makes syscall
// SYSCALL_NR. Reaching EXIT_PC exits with EXIT_CODE, unless `spin` is set: then pc wraps and the
// program runs until interrupted.

import {
  Ppc64Registers, clonePpc64Registers, createPpc64Registers,
} from '../../../src/gdb/arch/ppc64.js';
import {
  BreakpointKind, ExecFile, GdbSignal, ResumeAction, ResumeRequest, StopEvent, SyscallCatch, Target, TargetError,
  ThreadId,
} from '../../../src/gdb/target.js';

export const CODE_BASE = 0x10000000n;
export const CODE_SIZE = 0x1000;
export const HOLE_BASE = 0x10001000n; // unmapped
export const DATA_BASE = 0x10002000n;
export const DATA_SIZE = 0x1000;
export const EXIT_PC = CODE_BASE + 0x800n;
export const SYSCALL_PC = CODE_BASE + 0x40n;
export const SYSCALL_NR = 0x14;
export const EXIT_CODE = 7;
export const NOP = 0x60000000;

export interface FakeTargetOptions {
  spin?: boolean;
  /** Instructions per slice before yielding to the event loop. */
  slice?: number;
  /** Yield with setImmediate (real event-loop turns) rather than a microtask. */
  realSlices?: boolean;
  /** Stop every resume after this many instructions with SIGALRM (keeps fuzzing fast). */
  stopAfter?: number;
}

interface Stop {
  kind: BreakpointKind;
  addr: bigint;
  length: number;
}

export class FakeTarget implements Target {
  regs = new Map<ThreadId, Ppc64Registers>();
  memory = new Map<bigint, Uint8Array>();
  stopPoints: Stop[] = [];
  passed = new Set<number>();
  catching: SyscallCatch = { kind: 'off' };
  state: StopEvent = { kind: 'signal', thread: 1, signal: GdbSignal.TRAP };
  detached = false;
  interruptRequested = false;
  resumes: ResumeRequest[] = [];
  restarts: string[][] = [];
  monitorCommands: string[] = [];
  running = false;
  private inSyscall = false;
  targetXml?: string;

  constructor(readonly options: FakeTargetOptions = {}) {
    this.reset();
  }

  reset(): void {
    this.regs.clear();
    for (const tid of [1, 2, 3, 4]) {
      const r = createPpc64Registers();
      r.pc = CODE_BASE;
      r.gpr[1] = 0x7fff0000n - BigInt(tid) * 0x1000n;
      r.gpr[3] = BigInt(tid);
      r.lr = CODE_BASE + 0x100n * BigInt(tid);
      r.msr = 0x800000000000d032n;
      this.regs.set(tid, r);
    }
    const code = new Uint8Array(CODE_SIZE);
    const view = new DataView(code.buffer);
    for (let i = 0; i < CODE_SIZE; i += 4) view.setUint32(i, NOP);
    this.memory.clear();
    this.memory.set(CODE_BASE, code);
    this.memory.set(DATA_BASE, Uint8Array.from({ length: DATA_SIZE }, (_, i) => i & 0xff));
    this.state = { kind: 'signal', thread: 1, signal: GdbSignal.TRAP };
    this.inSyscall = false;
  }

  // ---- Target ----

  threads(): ThreadId[] {
    return this.state.kind === 'signal' ? [...this.regs.keys()] : [];
  }

  threadName(tid: ThreadId): string | undefined {
    return this.regs.has(tid) ? `pthread ${tid} <worker & "friend">` : undefined;
  }

  readRegisters(tid: ThreadId): Ppc64Registers | TargetError {
    const r = this.regs.get(tid);
    return r ? clonePpc64Registers(r) : { error: `no thread ${tid}` };
  }

  writeRegisters(tid: ThreadId, regs: Ppc64Registers): TargetError | undefined {
    if (!this.regs.has(tid)) return { error: `no thread ${tid}` };
    this.regs.set(tid, clonePpc64Registers(regs));
    return undefined;
  }

  private region(addr: bigint): [bigint, Uint8Array] | undefined {
    for (const [base, bytes] of this.memory) {
      if (addr >= base && addr < base + BigInt(bytes.length)) return [base, bytes];
    }
    return undefined;
  }

  readMemory(addr: bigint, length: number): Uint8Array | TargetError {
    const r = this.region(addr);
    if (!r) return { error: `unmapped address 0x${addr.toString(16)}`, errno: 14 };
    const [base, bytes] = r;
    const off = Number(addr - base);
    return bytes.slice(off, Math.min(off + length, bytes.length));
  }

  writeMemory(addr: bigint, data: Uint8Array): TargetError | undefined {
    for (let i = 0; i < data.length; i++) {
      const r = this.region(addr + BigInt(i));
      if (!r) return { error: 'unmapped', errno: 14 };
    }
    for (let i = 0; i < data.length; i++) {
      const [base, bytes] = this.region(addr + BigInt(i))!;
      bytes[Number(addr + BigInt(i) - base)] = data[i]!;
    }
    return undefined;
  }

  addBreakpoint(kind: BreakpointKind, addr: bigint, length: number): TargetError | undefined {
    if ((kind === 'sw' || kind === 'hw') && !this.region(addr)) return { error: 'unmapped', errno: 14 };
    this.stopPoints.push({ kind, addr, length });
    return undefined;
  }

  removeBreakpoint(kind: BreakpointKind, addr: bigint, length: number): TargetError | undefined {
    const i = this.stopPoints.findIndex((s) => s.kind === kind && s.addr === addr && s.length === length);
    if (i < 0) return { error: 'no such breakpoint', errno: 22 };
    this.stopPoints.splice(i, 1);
    return undefined;
  }

  async attach(): Promise<StopEvent> {
    if (this.detached) {
      this.detached = false;
      if (this.state.kind === 'signal') this.state = { kind: 'signal', thread: 1, signal: GdbSignal.INT };
    }
    return this.state;
  }

  interrupt(): void {
    if (this.running) this.interruptRequested = true;
  }

  async resume(request: ResumeRequest): Promise<StopEvent> {
    this.resumes.push(request);
    // The stepping/continuing thread we simulate: first explicit one, else the last stopped one.
    let tid: ThreadId | undefined;
    let action: ResumeAction | undefined;
    for (const [t, a] of request.threads) {
      if (this.regs.has(t)) {
        tid = t;
        action = a;
        break;
      }
    }
    if (tid === undefined || action === undefined) {
      tid = this.state.kind === 'signal' && this.regs.has(this.state.thread) ? this.state.thread : 1;
      action = request.others;
    }
    if (action === undefined) return this.state;
    this.running = true;
    this.interruptRequested = false;
    try {
      const stop = await this.run(tid, action);
      this.state = stop;
      return stop;
    } finally {
      this.running = false;
    }
  }

  private async run(tid: ThreadId, action: ResumeAction): Promise<StopEvent> {
    const regs = this.regs.get(tid)!;
    const slice = this.options.slice ?? 256;
    let first = true;
    let budget = this.options.stopAfter ?? Infinity;
    for (;;) {
      for (let n = 0; n < slice; n++) {
        if (regs.pc < CODE_BASE || regs.pc >= CODE_BASE + BigInt(CODE_SIZE))
          return { kind: 'signal', thread: tid, signal: GdbSignal.SEGV }; // fetch from unmapped memory
        if (budget-- <= 0) return { kind: 'signal', thread: tid, signal: GdbSignal.ALRM };
        const stop = this.stopBefore(tid, regs.pc, first);
        if (stop) return stop;
        first = false;
        this.execute(regs);
        if (action.kind === 'step') return { kind: 'signal', thread: tid, signal: GdbSignal.TRAP };
        if (action.kind === 'range-step' && (regs.pc < action.start || regs.pc >= action.end))
          return { kind: 'signal', thread: tid, signal: GdbSignal.TRAP };
        if (regs.pc === EXIT_PC && !this.options.spin) return { kind: 'exited', code: EXIT_CODE };
        if (regs.pc >= CODE_BASE + BigInt(CODE_SIZE)) regs.pc = CODE_BASE;
      }
      if (this.options.realSlices) await new Promise((r) => setImmediate(r));
      else await Promise.resolve();
      if (this.interruptRequested) {
        this.interruptRequested = false;
        return { kind: 'signal', thread: tid, signal: GdbSignal.INT };
      }
    }
  }

  /** Breakpoints, watchpoints and syscall catches, checked before the instruction at pc runs. */
  private stopBefore(tid: ThreadId, pc: bigint, first: boolean): StopEvent | undefined {
    for (const s of this.stopPoints) {
      if ((s.kind === 'sw' || s.kind === 'hw') && s.addr === pc && !first)
        return { kind: 'signal', thread: tid, signal: GdbSignal.TRAP, reason: { kind: s.kind === 'sw' ? 'swbreak' : 'hwbreak' } };
      if (s.kind === 'watch-write' || s.kind === 'watch-access') {
        const store = storeAddress(pc);
        if (store !== undefined && store < s.addr + BigInt(s.length) && s.addr < store + 8n && !first)
          return {
            kind: 'signal', thread: tid, signal: GdbSignal.TRAP,
            reason: { kind: 'watch', access: s.kind === 'watch-write' ? 'write' : 'access', addr: s.addr },
          };
      }
    }
    if (pc === SYSCALL_PC && this.catchesSyscall() && !this.inSyscall && !first) {
      this.inSyscall = true;
      return { kind: 'signal', thread: tid, signal: GdbSignal.TRAP, reason: { kind: 'syscall-entry', number: SYSCALL_NR } };
    }
    return undefined;
  }

  private catchesSyscall(): boolean {
    return this.catching.kind === 'all' || (this.catching.kind === 'list' && this.catching.numbers.includes(SYSCALL_NR));
  }

  private execute(regs: Ppc64Registers): void {
    const store = storeAddress(regs.pc);
    if (store !== undefined) {
      const bytes = new Uint8Array(8);
      new DataView(bytes.buffer).setBigUint64(0, regs.pc);
      this.writeMemory(store, bytes);
    }
    this.inSyscall = false;
    regs.pc += 4n;
  }

  // ---- optional capabilities ----

  monitor(command: string): string {
    this.monitorCommands.push(command);
    if (command === 'help') return 'fake target monitor commands:\n  help  this text\n  echo TEXT\n';
    if (command.startsWith('echo ')) return command.slice(5) + '\n';
    return `unknown monitor command: ${command}\n`;
  }

  execFile(): ExecFile {
    return { path: '/fake/bin/prog', contents: Uint8Array.from({ length: 5000 }, (_, i) => (i * 31) & 0xff) };
  }

  catchSyscalls(selection: SyscallCatch): void {
    this.catching = selection;
  }

  passSignals(signals: ReadonlySet<number>): void {
    this.passed = new Set(signals);
  }

  /** The program each vRun named (undefined: none). */
  programsRun: Array<string | undefined> = [];
  /** Set: vRun naming another program is refused (a stub serving one program, serve without --multi). */
  onlyProgram: string | undefined;

  async restart(args: string[], program?: string): Promise<StopEvent | TargetError> {
    if (program !== undefined && this.onlyProgram !== undefined && program !== this.onlyProgram) {
      return { error: `this stub serves ${this.onlyProgram}`, errno: 1 };
    }
    this.programsRun.push(program);
    this.restarts.push(args);
    this.reset();
    return this.state;
  }

  kill(): void {
    this.state = { kind: 'terminated', signal: GdbSignal.KILL };
  }

  detach(): void {
    this.detached = true;
  }
}

export function storeAddress(pc: bigint): bigint | undefined {
  if (pc < CODE_BASE || pc >= CODE_BASE + BigInt(CODE_SIZE)) return undefined;
  return DATA_BASE + ((pc - CODE_BASE) / 4n % 64n) * 8n;
}
