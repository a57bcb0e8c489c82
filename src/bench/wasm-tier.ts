// `node dist/bench/main.js --only wasm`: the Wasm tier (src/cpu/wasm) next to the JS tier
// (src/cpu/jit) on three hand-assembled guest programs, interleaved in one sitting, best of
// BENCH_REPEAT (default 3), guest instructions per CPU second, results cross-checked:
//  - the `make bench` tight loop (one block looping inside itself);
//  - a load/add/store loop over an 8 KiB array (loads and stores through the TLB inside a loop);
//  - the same kind of work cut into blocks of ~6 instructions by unconditional branches: the
//    shape of Go code, whose blocks average 6-8 instructions (the JS tier pays a call per block,
//    the Wasm tier keeps them in one region);
//  - SHA-256 round operations on vector registers (vshasigmaw, vsel, vadduwm, vxor, vsldoi) with
//    lvx/stvx, the shape of crypto/sha256's block loop (the Wasm tier keeps the VRs in v128 locals);
//  - cpubench float's loop (fcfid, fmul, fdiv, fadd, fsqrt, lfd, an fmadd): FP rows with exact
//    FPSCR flags, in JS through exec/fp.ts's fast path, in Wasm through wasm/emit-fp.ts;
//  - a call and a return between two regions per iteration, then the same with 26 instructions
//    (over 26 other GPRs) on a path never taken: what never-run code in a region costs its calls.
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

const VX = (t: number, a: number, b: number, xo: number): number => ((4 << 26) | (t << 21) | (a << 16) | (b << 11) | xo) | 0;
const VA = (t: number, a: number, b: number, c: number, xo: number): number => ((4 << 26) | (t << 21) | (a << 16) | (b << 11) | (c << 6) | xo) | 0;

/** n x (lvx, lvx, 6 SHA-256-like rounds of 10 vector ops, stvx, bdnz); then r7 = doubleword 0 of v7. */
function shaRounds(n: number): { words: number[]; insns: number } {
  const body: number[] = [];
  for (let r = 0; r < 6; r++) {
    const a = r % 8;
    const e = (r + 4) % 8;
    body.push(
      VX(16, e, 15, 1666), // vshasigmaw v16,ve,0,15 (Sigma1)
      VX(17, a, 0x10, 1666), // vshasigmaw v17,va,1,0 (Sigma0)
      VA(18, e, 8, 9, 42), // vsel (Ch)
      VX(19, 10, 16, 128), // vadduwm
      VX(19, 19, 18, 128),
      VX(20, a, 11, 1220), // vxor
      VA(20, 11, 12, 20, 42), // vsel (Maj)
      VX(21, 17, 20, 128),
      VX(7 - a, 19, 21, 128),
      VA(12, 12, 13, 4, 44), // vsldoi (the message schedule's rotation)
    );
  }
  const words = [
    D(15, 9, 0, Number(DATA >> 16n)), D(15, 4, 0, n >>> 16), D(24, 4, 4, n & 0xffff),
    ((31 << 26) | (4 << 21) | (9 << 16) | (467 << 1)) | 0, // mtctr r4
    D(14, 10, 0, 16),
    // loop: lvx v8,0,r9; lvx v9,r9,r10; rounds; stvx v7,0,r9; bdnz loop
    X(8, 0, 9, 103), X(9, 9, 10, 103), ...body, X(7, 0, 9, 231), BC(16, 0, -4 * (body.length + 3)),
    ((31 << 26) | (7 << 21) | (7 << 16) | (51 << 1) | 1) | 0, // mfvsrd r7,vs39
    ...EXIT,
  ];
  return { words, insns: 5 + n * (body.length + 4) + 1 + 2 };
}

const FA = (t: number, a: number, b: number, c: number, xo: number): number => ((63 << 26) | (t << 21) | (a << 16) | (b << 11) | (c << 6) | (xo << 1)) | 0;

/**
 * cpubench float's loop (basel += 1/k^2; osc += sqrt(k)/(k+1)) plus a fused multiply-add, k = 1..n:
 * mtvsrd, fcfid, fmul, lfd, fdiv, fadd, fsqrt, fdiv, fmadd, addi, fadd, fadd, cmpd, ble; then
 * r7 = the bits of basel xor those of the fmadd sum (the tiers must agree bit for bit).
 */
function floatLoop(n: number): { words: number[]; insns: number } {
  const words = [
    D(15, 9, 0, Number(DATA >> 16n)), D(14, 5, 0, 0x3ff0), MD(5, 5, 48, 15, 1), DS(62, 5, 9, 0, 0), // 1.0 at DATA
    D(15, 4, 0, n >>> 16), D(24, 4, 4, n & 0xffff), D(14, 3, 0, 1),
    // loop:
    ((31 << 26) | (2 << 21) | (3 << 16) | (179 << 1)) | 0, // mtvsrd vs2,r3
    FA(2, 0, 2, 0, 846), // fcfid f2,f2
    FA(3, 2, 0, 2, 25), // fmul f3,f2,f2
    D(50, 4, 9, 0), // lfd f4,0(r9)
    FA(3, 4, 3, 0, 18), // fdiv f3,f4,f3
    FA(5, 4, 2, 0, 21), // fadd f5,f4,f2
    FA(2, 0, 2, 0, 22), // fsqrt f2,f2
    FA(2, 2, 5, 0, 18), // fdiv f2,f2,f5
    FA(6, 3, 6, 2, 29), // fmadd f6,f3,f2,f6
    D(14, 3, 3, 1), // addi r3,r3,1
    FA(1, 3, 1, 0, 21), // fadd f1,f3,f1
    FA(0, 2, 0, 0, 21), // fadd f0,f2,f0
    X(1, 3, 4, 0), // cmpd r3,r4
    BC(4, 1, -52), // ble loop
    ((31 << 26) | (1 << 21) | (7 << 16) | (51 << 1)) | 0, // mfvsrd r7,vs1
    ((31 << 26) | (6 << 21) | (8 << 16) | (51 << 1)) | 0, // mfvsrd r8,vs6
    X(7, 7, 8, 316), // xor r7,r7,r8
    ...EXIT,
  ];
  return { words, insns: 7 + 14 * n + 3 + 2 };
}

/**
 * n x (bl F; addi r20; cmpd; bne) with F: addi r7,r7,1; blr in another region: a call and a return
 * between two regions per iteration, the shape of Go code's region-to-region transitions. With
 * `wide`, a branch inside the loop that is never taken leads to 26 instructions over 26 other GPRs,
 * compiled into the caller's region though no pass runs them (notes/cpu-performance.md, "Round
 * thirteen": holding those registers in every call doubled its cost, until regions held only
 * their loops' registers).
 */
function callsBetweenRegions(n: number, wide: boolean): { words: number[]; insns: number; calls: number } {
  const w = [D(14, 7, 0, 0), D(15, 4, 0, n >>> 16), D(24, 4, 4, n & 0xffff), D(14, 20, 0, 0)];
  const loop = w.length;
  const callee = 400; // word index: far outside the caller's region
  w.push(B(4 * (callee - w.length)) | 1); // bl F
  w.push(D(14, 20, 20, 1)); // addi r20,r20,1
  let never = -1;
  if (wide) {
    w.push(D(11, 0, 20, 0xffff) | (1 << 21)); // cmpdi r20,-1
    never = w.length;
    w.push(0); // beq wide (below)
  }
  w.push(X(1, 20, 4, 0)); // cmpd r20,r4
  w.push(BC(4, 2, 4 * (loop - w.length))); // bne loop
  const out = w.length;
  w.push(0); // b exit (below)
  if (wide) {
    w[never] = BC(12, 2, 4 * (w.length - never));
    const regs = [5, 6, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 3];
    regs.forEach((r, k) => w.push(X(r, r, regs[(k + 1) % regs.length]!, 266))); // add rK,rK,rK+1
    w.push(B(4 * (loop - w.length)));
  }
  w[out] = B(4 * (w.length - out));
  w.push(...EXIT);
  while (w.length < callee) w.push(0x60000000); // nop
  w.push(D(14, 7, 7, 1), 0x4e800020); // F: addi r7,r7,1; blr
  return { words: w, insns: 4 + (wide ? 8 : 6) * n + 1 + 2, calls: n };
}

const rate = (insns: number, s: number): string => `${(insns / s / 1e6).toFixed(0)} M insn/s per CPU s`;

export function benchWasmTier(): void {
  const scale = Number(process.env.BENCH_WASM_SCALE ?? 1);
  const repeat = Math.max(1, Number(process.env.BENCH_REPEAT ?? 3));
  const calls = 1_000_000 * scale;
  const programs: [string, { words: number[]; insns: number; calls?: number }][] = [
    ['tight loop (one block, 6-insn loop)', tightProgram(20_000_000 * scale)],
    ['load/add/store loop over 8 KiB', memoryLoop(15_000 * scale)],
    ['blocks of 6, 6, 5 insns chained by branches', shortBlocks(6_000_000 * scale)],
    ['SHA-256 round ops on vector registers, 64-insn loop', shaRounds(400_000 * scale)],
    ["cpubench float's FP loop with an fmadd, 14-insn loop", floatLoop(1_000_000 * scale)],
    ['a call and a return between two regions per 6 insns', callsBetweenRegions(calls, false)],
    ['the same, 26 never-run instructions in the caller region', callsBetweenRegions(calls, true)],
  ];
  /** Wasm-tier CPU seconds per iteration of the two call programs. */
  const perCall: number[] = [];
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
    if (p.calls !== undefined) perCall.push(wasm / p.calls);
  }
  // What never-run code in a region costs its calls (notes/cpu-performance.md, "Round thirteen").
  const [slim, wide] = perCall as [number, number];
  console.log(`    Wasm tier, a call and its return: ${(slim * 1e9).toFixed(0)} ns; with 26 never-run instructions in the caller's region: ${(wide * 1e9).toFixed(0)} ns`);
}
