// `make bench`: our emulator next to qemu-ppc64 -cpu POWER8 running the same code, measured in
// the same run.
//  (a) a tight integer loop (hand-assembled, identical bytes for both);
//  (b) Go programs end to end (programs.ts): cpubench phases, a goroutine channel chain, real
//      tools (gofmt, cmd/compile), hello with its start-up broken down, and a watchpoint's cost
//      under serve + gdb;
//  (c) gdb-multiarch against our serve and qemu's gdbstub (gdb.ts).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Cpu, jitStats } from '../cpu/cpu.js';
import { elfFromCode } from './elf.js';
import { benchGdbPart } from './gdb.js';
import { benchPrograms } from './programs.js';
import { benchReversePart } from './reverse.js';
import { benchWasmTier } from './wasm-tier.js';
import { runGuestWords } from './guest-loop.js';
import { LOOP_BODY, tightLoop } from './guest-asm.js';
import { captureBenchOutput } from './results.js';

function fmtRate(insns: number, seconds: number): string {
  return `${(insns / seconds / 1e6).toFixed(1)} M insn/s`;
}

function runOurs(words: number[], jit = true, wasm = true): { insns: number; wall: number; cpu: number; tier: string } {
  const r = runGuestWords(words, { jit, wasm });
  return { ...r, tier: tierShare(r.cpuObject) };
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
  // The Wasm tier next to the JS tier on three code shapes runs only when asked for.
  if (only === 'wasm') benchWasmTier();
  results.write(join('build', 'bench', 'results.json'), process.argv.slice(2));
}

void main();
