// `make bench`: our emulator next to qemu-ppc64 -cpu POWER8 running the same code, measured in
// the same run.
//  (a) a tight integer loop (hand-assembled, identical bytes for both);
//  (b) Go programs end to end (programs.ts): cpubench phases, a goroutine channel chain, hello
//      with its start-up broken down, and a watchpoint's cost under serve + gdb;
//  (c) gdb-multiarch against our serve and qemu's gdbstub (gdb.ts).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Cpu, StopReason, jitStats } from '../cpu/cpu.js';
import { GuestMemory, PROT_EXEC, PROT_READ, PROT_WRITE } from '../cpu/memory.js';
import { ELF_BASE, ELF_CODE_OFF, elfFromCode } from './elf.js';
import { benchGdbPart } from './gdb.js';
import { benchPrograms } from './programs.js';
import { benchReversePart } from './reverse.js';
import { benchWasmPrototype } from './wasm-tier.js';
import { captureBenchOutput } from './results.js';

const SC = 0x44000002;
const enc = {
  D: (po: number, rt: number, ra: number, imm: number): number => ((po << 26) | (rt << 21) | (ra << 16) | (imm & 0xffff)) | 0,
  X: (rt: number, ra: number, rb: number, xo: number): number => ((31 << 26) | (rt << 21) | (ra << 16) | (rb << 11) | (xo << 1)) | 0,
  MD: (rs: number, ra: number, sh: number, mb: number, xo: number): number =>
    ((30 << 26) | (rs << 21) | (ra << 16) | ((sh & 31) << 11) | ((mb & 31) << 6) | (mb & 32) | (xo << 2) | ((sh >> 5) << 1)) | 0,
};

const LOOP_BODY = 6;
/** r3 counts to n; the body mixes add, logic, a 64-bit rotate, a compare and a taken branch. */
function tightLoop(n: number): number[] {
  return [
    enc.D(14, 3, 0, 0), // li r3,0
    enc.D(15, 4, 0, n >>> 16), // lis r4,n@h
    enc.D(24, 4, 4, n & 0xffff), // ori r4,r4,n@l
    enc.D(14, 3, 3, 1), // loop: addi r3,r3,1
    enc.X(5, 5, 3, 316), // xor r5,r5,r3
    enc.MD(5, 6, 13, 0, 0), // rldicl r6,r5,13,0
    enc.X(7, 7, 6, 266), // add r7,r7,r6
    enc.X(1, 3, 4, 0), // cmpd cr0,r3,r4 (L=1)
    (16 << 26) | (4 << 21) | (2 << 16) | (-20 & 0xfffc), // bne loop
    enc.D(14, 0, 0, 234), // li r0,234 (exit_group)
    enc.D(14, 3, 0, 0),
    SC,
  ];
}

function fmtRate(insns: number, seconds: number): string {
  return `${(insns / seconds / 1e6).toFixed(1)} M insn/s`;
}

function runOurs(words: number[], jit = true, wasm = true): { insns: number; wall: number; cpu: number; tier: string } {
  const mem = new GuestMemory();
  mem.map(ELF_BASE, 0x100000n, PROT_READ | PROT_WRITE | PROT_EXEC);
  const bytes = new Uint8Array(words.length * 4);
  const dv = new DataView(bytes.buffer);
  words.forEach((w, k) => dv.setUint32(4 * k, w >>> 0));
  mem.writeBytes(ELF_BASE + BigInt(ELF_CODE_OFF), bytes);
  const cpu = new Cpu(mem, undefined, { jit, wasm });
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
  return { insns: cpu.totalExecuted, wall, cpu: cpuS, tier: tierShare(cpu) };
}

/** How much of a run the compiled tier (src/cpu/jit) executed. */
function tierShare(cpu: Cpu): string {
  if (!cpu.jit) return 'interpreter only';
  const pct = cpu.totalExecuted > 0 ? (100 * cpu.jitExecuted) / cpu.totalExecuted : 0;
  return `${pct.toFixed(1)}% in ${cpu.compiledBlocks} compiled blocks`;
}

function qemuSeconds(file: string, args: string[] = []): number {
  const t0 = performance.now();
  const r = spawnSync('qemu-ppc64', ['-cpu', 'POWER8', file, ...args], { stdio: ['ignore', 'ignore', 'inherit'] });
  if (r.error) throw r.error;
  return (performance.now() - t0) / 1000;
}

function benchTightLoop(): void {
  const n = Number(process.env.BENCH_LOOP_ITERS ?? 20_000_000);
  runOurs(tightLoop(200_000)); // warm-up
  const ours = runOurs(tightLoop(n));
  runOurs(tightLoop(200_000), true, false); // warm-up
  const jsTier = runOurs(tightLoop(n), true, false);
  runOurs(tightLoop(200_000), false); // warm-up
  const interp = runOurs(tightLoop(n), false);
  const insns = 3 + n * LOOP_BODY;
  const dir = mkdtempSync(join(tmpdir(), 'bench-'));
  const big = join(dir, 'loop-big');
  const small = join(dir, 'loop-small');
  writeFileSync(big, elfFromCode(tightLoop(n)), { mode: 0o755 });
  writeFileSync(small, elfFromCode(tightLoop(1)), { mode: 0o755 });
  // qemu start-up cost is removed by subtracting a 1-iteration run.
  const qs = Math.min(qemuSeconds(small), qemuSeconds(small));
  const qb = Math.min(qemuSeconds(big), qemuSeconds(big));
  const q = Math.max(qb - qs, 1e-6);
  console.log(`(a) tight integer loop, ${insns.toLocaleString()} guest instructions`);
  console.log(`    ours : ${fmtRate(ours.insns, ours.wall)} wall (${fmtRate(ours.insns, ours.cpu)} per CPU second; ${ours.tier})`);
  console.log(`    ours, JS tier only (AIX_GDBSTUB_WASM=0): ${fmtRate(jsTier.insns, jsTier.wall)} wall (${fmtRate(jsTier.insns, jsTier.cpu)} per CPU second)`);
  console.log(`    ours, AIX_GDBSTUB_JIT=0: ${fmtRate(interp.insns, interp.wall)} wall (${fmtRate(interp.insns, interp.cpu)} per CPU second)`);
  console.log(`    qemu : ${fmtRate(insns, q)} wall (qemu-ppc64 -cpu POWER8, start-up subtracted)`);
  console.log(`    ratio: ours / qemu = ${(ours.insns / ours.wall / (insns / q)).toFixed(3)}`);
}

async function main(): Promise<void> {
  try {
    execFileSync('qemu-ppc64', ['-version']);
  } catch {
    console.error('qemu-ppc64 not found: install qemu-user (make toolchains)');
    process.exit(1);
  }
  // `--only cpu` / `--only gdb` runs one part (the gdb part is src/bench/gdb*.ts).
  const onlyAt = process.argv.indexOf('--only');
  const only = onlyAt >= 0 ? process.argv[onlyAt + 1] : undefined;
  if (only !== undefined && only !== 'cpu' && only !== 'gdb' && only !== 'reverse' && only !== 'wasm') {
    console.error(`--only: expected cpu, gdb, reverse or wasm, got '${only}'`);
    process.exit(2);
  }
  const results = captureBenchOutput();
  if (only === undefined || only === 'cpu') {
    benchTightLoop();
    await benchPrograms();
    const st = jitStats();
    console.log(
      `    compiled tier in this process: ${st.blocks} blocks (${st.regions} with loops inside, ${st.wasm} WebAssembly), ${st.instructions} instructions, ` +
        `${((100 * st.emitted) / Math.max(1, st.instructions)).toFixed(1)}% emitted inline, the rest called through their rows`,
    );
  }
  if (only === undefined || only === 'gdb') await benchGdbPart();
  if (only === undefined || only === 'reverse') await benchReversePart();
  // The Wasm-tier measurement (issue 12, route 2) runs only when asked for.
  if (only === 'wasm') benchWasmPrototype();
  results.write(join('build', 'bench', 'results.json'), process.argv.slice(2));
}

void main();
