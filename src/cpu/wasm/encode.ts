// A minimal WebAssembly binary writer: modules holding functions over an imported memory `e.m`
// (the guest arena, arena.ts). Only the instructions the Wasm tier emits are named here.

import { memoryImportLimits } from './arena.js';

export const Op = {
  i32_eqz: 0x45,
  i32_eq: 0x46,
  i32_ne: 0x47,
  i32_lt_s: 0x48,
  i32_lt_u: 0x49,
  i32_gt_s: 0x4a,
  i32_gt_u: 0x4b,
  i64_eqz: 0x50,
  i64_eq: 0x51,
  i64_ne: 0x52,
  i64_lt_s: 0x53,
  i64_lt_u: 0x54,
  i64_gt_s: 0x55,
  i64_gt_u: 0x56,
  i64_ge_u: 0x5a,
  i32_add: 0x6a,
  i32_sub: 0x6b,
  i32_mul: 0x6c,
  i32_div_s: 0x6d,
  i32_div_u: 0x6e,
  i32_and: 0x71,
  i32_or: 0x72,
  i32_xor: 0x73,
  i32_shl: 0x74,
  i32_shr_s: 0x75,
  i32_shr_u: 0x76,
  i32_rotl: 0x77,
  i64_add: 0x7c,
  i64_sub: 0x7d,
  i64_mul: 0x7e,
  i64_div_s: 0x7f,
  i64_div_u: 0x80,
  i64_and: 0x83,
  i64_or: 0x84,
  i64_xor: 0x85,
  i64_shl: 0x86,
  i64_shr_s: 0x87,
  i64_shr_u: 0x88,
  i64_rotl: 0x89,
  i32_clz: 0x67,
  i64_clz: 0x79,
  i32_popcnt: 0x69,
  i64_popcnt: 0x7b,
  i32_wrap_i64: 0xa7,
  i64_extend8_s: 0xc2,
  i64_extend16_s: 0xc3,
  i64_extend32_s: 0xc4,
  i64_extend_i32_s: 0xac,
  i64_extend_i32_u: 0xad,
  // floating point (wasm/emit-fp.ts)
  i32_le_u: 0x4d,
  i32_ge_s: 0x4e,
  i32_ge_u: 0x4f,
  i64_le_u: 0x58,
  i64_ge_s: 0x59,
  f64_eq: 0x61,
  f64_ne: 0x62,
  f64_lt: 0x63,
  f64_gt: 0x64,
  f64_le: 0x65,
  f64_ge: 0x66,
  f64_abs: 0x99,
  f64_neg: 0x9a,
  f64_ceil: 0x9b,
  f64_floor: 0x9c,
  f64_trunc: 0x9d,
  f64_sqrt: 0x9f,
  f64_add: 0xa0,
  f64_sub: 0xa1,
  f64_mul: 0xa2,
  f64_div: 0xa3,
  f64_copysign: 0xa6,
  i64_trunc_f64_s: 0xb0,
  f32_demote_f64: 0xb6,
  f64_convert_i64_s: 0xb9,
  f64_convert_i64_u: 0xba,
  f64_promote_f32: 0xbb,
  i64_reinterpret_f64: 0xbd,
  f32_reinterpret_i32: 0xbe,
  f64_reinterpret_i64: 0xbf,
} as const;

/** Where LEB128 bytes go: a number[] (module sections) or a ByteBuf (function bodies). */
interface ByteSink {
  push(b: number): unknown;
}

/**
 * A function body's bytes as the emitters write them: a Uint8Array that doubles when full. A
 * region's body (about 6 KB, 62 bytes per guest instruction in gofmt) was a number[] grown push by
 * push, 8 bytes an element plus a copy at each growth: a replay of gofmt's 101 regions spent 28 ms
 * of its first pass in the garbage collector, 7 ms with this (notes/cpu-performance.md,
 * "Transitions, cold compiles and warm processes").
 */
export class ByteBuf {
  private buf = new Uint8Array(1024);
  /** Bytes written (setting it to 0 empties the buffer). */
  length = 0;
  push(b: number): void {
    if (this.length === this.buf.length) this.grow(1);
    this.buf[this.length++] = b;
  }
  append(bytes: ArrayLike<number>): void {
    if (this.length + bytes.length > this.buf.length) this.grow(bytes.length);
    this.buf.set(bytes, this.length);
    this.length += bytes.length;
  }
  /** The bytes written so far (a view: valid until the next write). */
  view(): Uint8Array {
    return this.buf.subarray(0, this.length);
  }
  private grow(need: number): void {
    let size = this.buf.length * 2;
    while (size < this.length + need) size *= 2;
    const b = new Uint8Array(size);
    b.set(this.buf.subarray(0, this.length));
    this.buf = b;
  }
}

export function uleb(out: ByteSink, v: number): void {
  if (v >= 0 && v < 128) {
    out.push(v);
    return;
  }
  do {
    let b = v & 0x7f;
    v = Math.floor(v / 128);
    if (v !== 0) b |= 0x80;
    out.push(b);
  } while (v !== 0);
}

function sleb(out: ByteSink, v: bigint): void {
  for (;;) {
    const b = Number(v & 0x7fn);
    v >>= 7n;
    if ((v === 0n && (b & 0x40) === 0) || (v === -1n && (b & 0x40) !== 0)) {
      out.push(b);
      return;
    }
    out.push(b | 0x80);
  }
}

/** Encodings of 64-bit constants seen before (masks, byte-swap constants, PC pairs). */
const bigConsts = new Map<number | bigint, number[]>();

/** Signed LEB128 of an int32 (shifts only: the emitters run in V8's cold tiers, where float math costs). */
function sleb32(out: ByteSink, v: number): void {
  for (;;) {
    const b = v & 0x7f;
    v >>= 7;
    if ((v === 0 && (b & 0x40) === 0) || (v === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return;
    }
    out.push(b | 0x80);
  }
}

/** Signed LEB128 of a safe integer without BigInt (compile time is on the hot path of tiering). */
function slebSmall(out: ByteSink, v: number): void {
  if ((v | 0) === v) {
    sleb32(out, v);
    return;
  }
  for (;;) {
    const b = ((v % 128) + 128) % 128;
    v = Math.floor(v / 128);
    if ((v === 0 && (b & 0x40) === 0) || (v === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return;
    }
    out.push(b | 0x80);
  }
}

/** Instruction bytes of one function body, written in stack-machine order. */
export class WasmFn {
  readonly bytes = new ByteBuf();
  op(code: number): this {
    this.bytes.push(code);
    return this;
  }
  local_get(i: number): this {
    this.bytes.push(0x20);
    uleb(this.bytes, i);
    return this;
  }
  local_set(i: number): this {
    this.bytes.push(0x21);
    uleb(this.bytes, i);
    return this;
  }
  i32_const(v: number): this {
    this.bytes.push(0x41);
    sleb32(this.bytes, v | 0);
    return this;
  }
  i64_const(v: number | bigint): this {
    this.bytes.push(0x42);
    if (typeof v === 'number' && Number.isSafeInteger(v)) slebSmall(this.bytes, v);
    else {
      let enc = bigConsts.get(v);
      if (enc === undefined) {
        enc = [];
        sleb(enc, BigInt.asIntN(64, BigInt(v)));
        if (bigConsts.size < 4096) bigConsts.set(v, enc);
      }
      this.bytes.append(enc);
    }
    return this;
  }
  /** i64.const of the value whose high word is `high` and low word `low` (int32 each): no BigInt. */
  i64_const_words(high: number, low: number): this {
    this.bytes.push(0x42);
    let h = high | 0;
    let l = low | 0;
    for (;;) {
      const b = l & 0x7f;
      l = (l >>> 7) | (h << 25);
      h >>= 7;
      if ((h === 0 && l === 0 && (b & 0x40) === 0) || (h === -1 && l === -1 && (b & 0x40) !== 0)) {
        this.bytes.push(b);
        return this;
      }
      this.bytes.push(b | 0x80);
    }
  }
  private mem(code: number, align: number, offset: number): this {
    this.bytes.push(code);
    this.bytes.push(align);
    uleb(this.bytes, offset);
    return this;
  }
  i32_load(offset: number): this {
    return this.mem(0x28, 2, offset);
  }
  i64_load(offset: number): this {
    return this.mem(0x29, 3, offset);
  }
  i32_load8_u(offset: number): this {
    return this.mem(0x2d, 0, offset);
  }
  i32_load16_u(offset: number): this {
    return this.mem(0x2f, 1, offset);
  }
  i32_store8(offset: number): this {
    return this.mem(0x3a, 0, offset);
  }
  i32_store16(offset: number): this {
    return this.mem(0x3b, 1, offset);
  }
  i32_store(offset: number): this {
    return this.mem(0x36, 2, offset);
  }
  i64_store(offset: number): this {
    return this.mem(0x37, 3, offset);
  }
  i64_load32_u(offset: number): this {
    return this.mem(0x35, 2, offset);
  }
  block(): this {
    this.bytes.push(0x02);
    this.bytes.push(0x40);
    return this;
  }
  loop(): this {
    this.bytes.push(0x03);
    this.bytes.push(0x40);
    return this;
  }
  /** `if` with an empty result, or with a value type (0x7f = i32). */
  if_(type = 0x40): this {
    this.bytes.push(0x04);
    this.bytes.push(type);
    return this;
  }
  else_(): this {
    this.bytes.push(0x05);
    return this;
  }
  end(): this {
    this.bytes.push(0x0b);
    return this;
  }
  br(depth: number): this {
    this.bytes.push(0x0c);
    uleb(this.bytes, depth);
    return this;
  }
  br_if(depth: number): this {
    this.bytes.push(0x0d);
    uleb(this.bytes, depth);
    return this;
  }
  /** br_table over depths[0..n-1], default depths[n-1]. */
  br_table(depths: number[]): this {
    this.bytes.push(0x0e);
    uleb(this.bytes, depths.length - 1);
    for (const d of depths) uleb(this.bytes, d);
    return this;
  }
  /** call of function `index` (imports first). */
  call(index: number): this {
    this.bytes.push(0x10);
    uleb(this.bytes, index);
    return this;
  }
  /** call_indirect of type `type` through table 0. */
  call_indirect(type: number): this {
    this.bytes.push(0x11);
    uleb(this.bytes, type);
    this.bytes.push(0);
    return this;
  }
  local_tee(i: number): this {
    this.bytes.push(0x22);
    uleb(this.bytes, i);
    return this;
  }
  return_(): this {
    this.bytes.push(0x0f);
    return this;
  }
  select(): this {
    this.bytes.push(0x1b);
    return this;
  }
  f64_const(v: number): this {
    f64Scratch[0] = v;
    this.bytes.push(0x44);
    this.bytes.append(f64Bytes);
    return this;
  }
}
const f64Scratch = new Float64Array(1);
const f64Bytes = new Uint8Array(f64Scratch.buffer); // little-endian, as Wasm encodes f64.const

/** "\0asm", version 1. */
const WASM_HEADER = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];

function pushSection(out: number[], id: number, content: number[]): void {
  out.push(id);
  uleb(out, content.length);
  out.push(...content);
}

/** The type section (one type, `(i32 x params) -> i32`) and the import "e"."m" of the arena's memory. */
/** A function type `(i32 x n) -> i32`, as the type section lists it. */
const fnType = (n: number): number[] => [0x60, n, ...new Array<number>(n).fill(0x7f), 1, 0x7f];
/** The import of the arena's memory as `e.m`. */
const memoryImport = (): number[] => [1, 0x65, 1, 0x6d, 0x02, ...memoryImportLimits()];

/**
 * A function's entry in the code section: its size, its extra locals (value types, run-length
 * encoded), then the body given in parts and `end` (each part copied once into the result).
 */
export function functionEntry(localTypes: number[], parts: readonly ArrayLike<number>[]): Uint8Array {
  const decl: number[] = [];
  const groups: [number, number][] = [];
  for (const t of localTypes) {
    const g = groups[groups.length - 1];
    if (g !== undefined && g[1] === t) g[0]++;
    else groups.push([1, t]);
  }
  uleb(decl, groups.length);
  for (const [n, t] of groups) {
    uleb(decl, n);
    decl.push(t);
  }
  let fnLen = decl.length + 1;
  for (const p of parts) fnLen += p.length;
  const head: number[] = [];
  uleb(head, fnLen);
  const out = new Uint8Array(head.length + fnLen);
  out.set(head, 0);
  out.set(decl, head.length);
  let at = head.length + decl.length;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  out[at] = 0x0b;
  return out;
}

/**
 * A module over the arena's memory exporting, under `names`, one function `(i32 x params) -> i32`
 * per code entry (functionEntry). Several in one module share one code space in V8
 * (wasm/compiler.ts packRegions). With importParams, the entries may call function 0: `e.c: (i32 x
 * importParams) -> i32`, imported (wasm/interp.ts calls the chain function of chain.ts so); with
 * importSame too, function 1: `e.p`, of the entries' own type (the interpreter's FP rows).
 */
export function functionsModule(params: number, entries: readonly Uint8Array[], names: readonly string[], importParams = 0, importSame = false): Uint8Array<ArrayBuffer> {
  const head: number[] = [...WASM_HEADER];
  const n = entries.length;
  const imported = importParams > 0 ? (importSame ? 2 : 1) : 0;
  pushSection(head, 1, imported ? [2, ...fnType(params), ...fnType(importParams)] : [1, ...fnType(params)]);
  const imports = [...memoryImport(), 1, 0x65, 1, 0x63, 0x00, 1, 1, 0x65, 1, 0x70, 0x00, 0];
  pushSection(head, 2, imported === 2 ? [3, ...imports] : imported ? [2, ...imports.slice(0, -6)] : [1, ...memoryImport()]);
  const fns: number[] = [];
  uleb(fns, n);
  for (let i = 0; i < n; i++) fns.push(0);
  pushSection(head, 3, fns);
  const exps: number[] = [];
  uleb(exps, n);
  names.forEach((name, i) => {
    uleb(exps, name.length);
    for (let c = 0; c < name.length; c++) exps.push(name.charCodeAt(c));
    exps.push(0x00);
    uleb(exps, imported + i);
  });
  pushSection(head, 7, exps);
  const count: number[] = [];
  uleb(count, n);
  let codeLen = count.length;
  for (const e of entries) codeLen += e.length;
  head.push(10);
  uleb(head, codeLen);
  head.push(...count);
  const out = new Uint8Array(head.length + codeLen - count.length);
  out.set(head, 0);
  let at = head.length;
  for (const e of entries) {
    out.set(e, at);
    at += e.length;
  }
  return out;
}

/**
 * The chain module: `f: (i32 x 7) -> i32` over the imported memory `e.m` and function table `e.t`,
 * whose body calls blocks of type `(i32 x blockParams) -> i32` (type 0) through call_indirect, and
 * the imported `e.q: () -> i32` as function 0.
 */
export function chainModule(blockParams: number, localTypes: number[], body: ArrayLike<number>): Uint8Array<ArrayBuffer> {
  const out: number[] = [...WASM_HEADER];
  const section = (id: number, content: number[]): void => pushSection(out, id, content);
  section(1, [3, ...fnType(blockParams), ...fnType(7), ...fnType(0)]);
  // e.m the arena, e.t the table, e.q (function 0) the host-call hook; the chain function is 1.
  section(2, [3, ...memoryImport(), 1, 0x65, 1, 0x74, 0x01, 0x70, 0x00, 0, 1, 0x65, 1, 0x71, 0x00, 2]);
  section(3, [1, 1]);
  section(7, [1, 1, 0x66, 0x00, 1]);
  const fn: number[] = [];
  uleb(fn, localTypes.length);
  for (const t of localTypes) fn.push(1, t);
  fn.push(...Array.from(body), 0x0b);
  const code: number[] = [1];
  uleb(code, fn.length);
  code.push(...fn);
  section(10, code);
  return new Uint8Array(out);
}
