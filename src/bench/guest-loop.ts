// Hand-assembled guest code run on our CPU for the bench (main.ts part (a), wasm-tier.ts): the
// words at ELF_BASE + ELF_CODE_OFF, run in 1 M-instruction slices until the final `sc`.
import { Cpu, StopReason } from '../cpu/cpu.js';
import { GuestMemory, PROT_EXEC, PROT_READ, PROT_WRITE } from '../cpu/memory.js';
import { ELF_BASE, ELF_CODE_OFF } from './elf.js';

export const SC = 0x44000002;

export interface GuestRun {
  insns: number;
  wall: number;
  /** User CPU seconds of this process during the run. */
  cpu: number;
  cpuObject: Cpu;
}

/** Run `words` (ending in sc) with r5 preset to a full-range value; throws if it stops elsewhere. */
export function runGuestWords(words: number[], opts: { jit: boolean; wasm: boolean }): GuestRun {
  const mem = new GuestMemory();
  mem.map(ELF_BASE, 0x100000n, PROT_READ | PROT_WRITE | PROT_EXEC);
  const bytes = new Uint8Array(words.length * 4);
  const dv = new DataView(bytes.buffer);
  words.forEach((w, k) => dv.setUint32(4 * k, w >>> 0));
  mem.writeBytes(ELF_BASE + BigInt(ELF_CODE_OFF), bytes);
  const cpu = new Cpu(mem, undefined, opts);
  cpu.pc = ELF_BASE + BigInt(ELF_CODE_OFF);
  cpu.state.setGpr(5, 0x9e3779b97f4a7c15n); // full-range values from the start
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  let r: StopReason;
  do r = cpu.run(1_000_000);
  while (r === StopReason.OK);
  const wall = (performance.now() - t0) / 1000;
  const cpuS = process.cpuUsage(c0).user / 1e6;
  if (r !== StopReason.ILLEGAL || cpu.stop.word !== SC) throw new Error(`bench loop stopped: ${cpu.stop.describe()}`);
  return { insns: cpu.totalExecuted, wall, cpu: cpuS, cpuObject: cpu };
}
