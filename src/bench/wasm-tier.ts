// `node dist/bench/main.js --only wasm`: the Wasm tier (src/cpu/wasm) next to the JS tier
// (src/cpu/jit) on three hand-assembled guest programs, interleaved in one sitting, best of
// BENCH_REPEAT (default 3), guest instructions per CPU second, results cross-checked:
//  - the `make bench` tight loop (one block looping inside itself);
//  - a load/add/store loop over an 8 KiB array (loads and stores through the TLB inside a loop);
//  - the same kind of work cut into blocks of ~6 instructions by unconditional branches: the
//    shape of Go code, whose blocks average 6-8 instructions (the JS tier pays a call per block,
//    the Wasm tier keeps them in one region).
// notes/cpu-performance.md ("A WebAssembly tier") records the figures and what they mean.
import { B, BC, D, DS, EXIT, LOOP_BODY, MD, X, tightLoop } from './guest-asm.js';
import { runGuestWords } from './guest-loop.js';

const DATA = 0x10010000n; // one data page after the code page

/** The `make bench` tight loop: 6 instructions per iteration in one block. */
function tightProgram(n: number): { words: number[]; insns: number } {
  return { words: tightLoop(n), insns: 3 + LOOP_BODY * n + 2 };
}

/** r9 = DATA; per outer pass, 1024 x (ldx, add, addi, stdx, addi, cmpd, bne). */
function memoryLoop(passes: number): { words: number[]; insns: number } {
  const words = [
    D(15, 9, 0, Number(DATA >> 16n)), D(14, 4, 0, 8192), D(14, 8, 0, passes),
    // outer:
    D(14, 5, 0, 0),
    // inner: ldx r6,r9,r5; add r7,r7,r6; addi r6,r6,3; stdx r6,r9,r5; addi r5,r5,8; cmpd r5,r4; bne inner
    X(6, 9, 5, 21), X(7, 7, 6, 266), D(14, 6, 6, 3), X(6, 9, 5, 149), D(14, 5, 5, 8), X(1, 5, 4, 0), BC(4, 2, -24),
    D(14, 8, 8, -1), D(11, 1, 8, 0) /* cmpdi cr0,r8,0 */, BC(4, 2, -40),
    ...EXIT,
  ];
  return { words, insns: 3 + passes * (1 + 1024 * 7 + 3) + 2 };
}

/** Blocks of 6, 6 and 5 instructions chained by `b .+4` and a loop-closing `bne`. */
function shortBlocks(n: number): { words: number[]; insns: number } {
  const words = [
    D(14, 3, 0, 0), D(15, 4, 0, n >>> 16), D(24, 4, 4, n & 0xffff), D(15, 9, 0, Number(DATA >> 16n)),
    // A: addi r3,r3,1; xor r5,r5,r3; rldicl r6,r5,13,0; ld r8,0(r9); add r7,r7,r8; b B
    D(14, 3, 3, 1), X(5, 5, 3, 316), MD(5, 6, 13, 0, 0), DS(58, 8, 9, 0, 0), X(7, 7, 8, 266), B(4),
    // B: add r7,r7,r6; std r7,8(r9); xor r10,r10,r7; or r11,r10,r3; addi r12,r12,5; b C
    X(7, 7, 6, 266), DS(62, 7, 9, 8, 0), X(7, 10, 10, 316), X(10, 11, 3, 444), D(14, 12, 12, 5), B(4),
    // C: std r11,0(r9); add r13,r3,r7; xor r14,r13,r5; cmpd r3,r4; bne A
    DS(62, 11, 9, 0, 0), X(13, 3, 7, 266), X(14, 13, 5, 316), X(1, 3, 4, 0), BC(4, 2, -64),
    ...EXIT,
  ];
  return { words, insns: 4 + 17 * n + 2 };
}

const rate = (insns: number, s: number): string => `${(insns / s / 1e6).toFixed(0)} M insn/s per CPU s`;

export function benchWasmTier(): void {
  const scale = Number(process.env.BENCH_WASM_SCALE ?? 1);
  const repeat = Math.max(1, Number(process.env.BENCH_REPEAT ?? 3));
  const programs: [string, { words: number[]; insns: number }][] = [
    ['tight loop (one block, 6-insn loop)', tightProgram(20_000_000 * scale)],
    ['load/add/store loop over 8 KiB', memoryLoop(15_000 * scale)],
    ['blocks of 6, 6, 5 insns chained by branches', shortBlocks(6_000_000 * scale)],
  ];
  console.log(`(w) the Wasm tier next to the JS tier (src/bench/wasm-tier.ts), best of ${repeat}`);
  for (const [label, p] of programs) {
    let js = Infinity;
    let wasm = Infinity;
    for (let k = 0; k < repeat; k++) {
      const a = runGuestWords(p.words, { jit: true, wasm: false });
      const b = runGuestWords(p.words, { jit: true, wasm: true });
      for (const x of [a, b]) if (x.insns !== p.insns) throw new Error(`${label}: ${x.insns} instructions, expected ${p.insns}`);
      const r7 = (x: typeof a): bigint => x.cpuObject.state.getGpr(7);
      if (r7(a) !== r7(b)) throw new Error(`${label}: r7 differs: JS ${r7(a).toString(16)}, Wasm ${r7(b).toString(16)}`);
      js = Math.min(js, a.cpu);
      wasm = Math.min(wasm, b.cpu);
    }
    console.log(`    ${label}, ${p.insns.toLocaleString()} insns: JS tier ${rate(p.insns, js)}, Wasm tier ${rate(p.insns, wasm)}`);
    console.log(`      ratio: wasm / js speed = ${(js / wasm).toFixed(2)}`);
  }
}
