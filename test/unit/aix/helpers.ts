// Shared set-up for aix unit tests: a process built from the tiny XCOFF program (test/helpers/tiny-xcoff.ts),
// with a scripted CPU. No Go binary needed: the tests call imports directly.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildTinyXcoff } from '../../helpers/tiny-xcoff.js';
import { parseXcoff, type XcoffImage } from '../../../src/xcoff/index.js';
import { VirtualClock } from '../../../src/aix/clock.js';
import { AixProcess, type ProcessOptions } from '../../../src/aix/process.js';
import type { CpuPort, CpuStop } from '../../../src/aix/cpu-port.js';
import type { CpuState } from '../../../src/cpu/state.js';
import type { GuestThread, CallResult } from '../../../src/aix/threads.js';

let tiny: XcoffImage | undefined;
/** The tiny XCOFF program, parsed once (processes copy it into their own memory). */
export function tinyImage(): XcoffImage {
  tiny ??= parseXcoff(buildTinyXcoff().bytes);
  return tiny;
}

/** Writes the tiny XCOFF program to dir/name (for exec) and returns its path. */
export function writeTinyProgram(dir: string, name = 'tiny'): string {
  const path = join(dir, name);
  writeFileSync(path, buildTinyXcoff().bytes, { mode: 0o755 });
  return path;
}

/** A CPU that never runs guest code: each run() reports one executed instruction and the budget stop. */
export class IdleCpu implements CpuPort {
  run(_s: CpuState, _budget: number): { stop: CpuStop; executed: number } {
    return { stop: { kind: 'budget' }, executed: 1 };
  }
}

export function makeProcess(over: Partial<ProcessOptions> = {}, image: XcoffImage = tinyImage()): AixProcess {
  return new AixProcess({
    image,
    argv: ['hello', 'one'],
    envp: ['A=1', 'B=two'],
    cpu: new IdleCpu(),
    clock: new VirtualClock(),
    ...over,
  });
}

/** Call an import directly, as the sentinel dispatcher would, and return R3 / errno / blocked. */
export function callImport(proc: AixProcess, t: GuestThread, name: string, args: Array<bigint | number>): { r3: bigint; errno: number; blocked: boolean } {
  const call = proc.sentinels.calls.find((c) => c.kind === 'import' && c.name === name) ?? proc.sentinels.add('import', name, 'libc.a', 'shr_64.o');
  args.forEach((a, i) => t.state.setGpr(3 + i, BigInt.asUintN(64, BigInt(a))));
  t.state.lr = 0x100000800n;
  t.state.pc = call.entry;
  if (t.errnoCell !== 0n) proc.mem.writeU32(t.errnoCell, 0);
  proc.hostCall(t, call);
  const blocked = t.status === 'blocked';
  const errno = t.errnoCell !== 0n ? proc.mem.readU32(t.errnoCell) : 0;
  return { r3: t.state.getGpr(3), errno, blocked };
}

/** A process from the tiny program whose main thread has its errno cell, plus scratch guest memory. */
export function processWithScratch(scratchBytes = 0x10000n): { proc: AixProcess; t: GuestThread; scratch: bigint } {
  const proc = makeProcess();
  const t = proc.threads[0]!;
  callImport(proc, t, '_Errno', []);
  const scratch = proc.space.allocate(scratchBytes)!;
  return { proc, t, scratch };
}

/** What f throws (undefined if it returns): for faults, which are a shared object rather than an Error. */
export function thrownBy(f: () => void): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  return undefined;
}

export function asInt(v: bigint): number {
  return Number(BigInt.asIntN(64, v));
}

export type { CallResult };

/** A guest thread plus scratch memory for calling file functions with C strings and buffers. */
export class GuestCalls {
  readonly proc: AixProcess;
  readonly t: GuestThread;
  readonly scratch: bigint;
  private strings: bigint;

  constructor(over: Partial<ProcessOptions> = {}) {
    this.proc = makeProcess(over);
    this.t = this.proc.threads[0]!;
    callImport(this.proc, this.t, '_Errno', []);
    this.scratch = this.proc.space.allocate(0x40000n)!;
    this.strings = this.scratch + 0x30000n;
  }

  /** A NUL-terminated copy of s in guest memory (a fresh address per call within one test step). */
  str(s: string): bigint {
    const b = Buffer.from(s + '\0', 'utf8');
    if (this.strings + BigInt(b.length) > this.scratch + 0x40000n) this.strings = this.scratch + 0x30000n;
    const at = this.strings;
    this.proc.mem.writeBytes(at, b);
    this.strings += BigInt((b.length + 7) & ~7);
    return at;
  }

  call(name: string, args: Array<bigint | number>): { r3: bigint; errno: number; blocked: boolean; n: number } {
    const r = callImport(this.proc, this.t, name, args);
    return { ...r, n: asInt(r.r3) };
  }

  /** The call's result, or -errno when it failed. */
  result(name: string, args: Array<bigint | number>): number {
    const r = this.call(name, args);
    return r.n === -1 ? -r.errno : r.n;
  }

  bytes(at: bigint, n: number): string {
    return Buffer.from(this.proc.mem.readBytes(at, n)).toString('utf8');
  }
}
