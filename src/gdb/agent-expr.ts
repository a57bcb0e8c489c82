// gdb's agent expressions (Debugging with GDB, "Agent Expressions"): the bytecode gdb sends with
// a breakpoint (`Z0,addr,kind;X<len>,<bytes>`) once the stub advertises ConditionalBreakpoints+,
// so that the stub evaluates `break f if COND` itself instead of reporting every hit and waiting
// ~20 round trips for gdb to decide to continue. Values are 64-bit, kept as unsigned bigints.
// Anything this evaluator cannot do (floats, trace collection, printf, state variables) is an
// error, and an error makes the stub report the hit so that gdb decides as before.

import { hexToBytes, parseHexInt } from './rsp/hex.js';

export interface AgentContext {
  /** Raw value of register `regno` (gdb's numbering, as in the target description). */
  register(regno: number): bigint | undefined;
  /** `length` bytes at addr, big-endian target; undefined when unreadable. */
  memory(addr: bigint, length: number): Uint8Array | undefined;
}

export type AgentResult = { value: bigint } | { error: string };

const MASK = (1n << 64n) - 1n;
const MAX_STACK = 1024;
/** A runaway loop (gotos) must not hang the stub. */
const MAX_STEPS = 100_000;

const signed = (v: bigint): bigint => BigInt.asIntN(64, v);
const u64 = (v: bigint): bigint => v & MASK;

/**
 * The condition bytecodes of a Z packet's tail (`X<len>,<hex>` items separated by ';'; a
 * `cmds:` part, which we do not advertise, ends the list). undefined: malformed.
 */
export function parseConditionList(tail: string): Uint8Array[] | undefined {
  const out: Uint8Array[] = [];
  for (const item of tail.split(';')) {
    if (item === '') continue;
    if (item.startsWith('cmds:')) break;
    if (item[0] !== 'X') return undefined;
    const comma = item.indexOf(',');
    if (comma < 0) return undefined;
    const length = parseHexInt(item.slice(1, comma));
    const bytes = hexToBytes(item.slice(comma + 1));
    if (length === undefined || bytes === undefined || bytes.length !== length) return undefined;
    out.push(bytes);
  }
  return out;
}

/** Run one expression; its value is the top of the stack at `end`. */
export function evaluateAgentExpression(code: Uint8Array, ctx: AgentContext): AgentResult {
  const stack: bigint[] = [];
  let pc = 0;
  const operand = (size: number): number | undefined => {
    if (pc + size > code.length) return undefined;
    let v = 0;
    for (let i = 0; i < size; i++) v = v * 256 + code[pc + i]!;
    pc += size;
    return v;
  };
  const pop = (): bigint | undefined => stack.pop();
  for (let steps = 0; steps < MAX_STEPS; steps++) {
    if (pc >= code.length) return { error: 'ran past the end of the expression' };
    if (stack.length > MAX_STACK) return { error: 'stack overflow' };
    const op = code[pc++]!;
    // Binary operators: a b => a OP b (b on top).
    if ((op >= 0x02 && op <= 0x0b) || (op >= 0x0f && op <= 0x11) || (op >= 0x13 && op <= 0x15)) {
      const b = pop();
      const a = pop();
      if (a === undefined || b === undefined) return { error: 'stack underflow' };
      let r: bigint;
      switch (op) {
        case 0x02: r = a + b; break;
        case 0x03: r = a - b; break;
        case 0x04: r = a * b; break;
        case 0x05:
          if (b === 0n) return { error: 'division by zero' };
          r = signed(a) / signed(b);
          break;
        case 0x06:
          if (b === 0n) return { error: 'division by zero' };
          r = a / b;
          break;
        case 0x07:
          if (b === 0n) return { error: 'division by zero' };
          r = signed(a) % signed(b);
          break;
        case 0x08:
          if (b === 0n) return { error: 'division by zero' };
          r = a % b;
          break;
        case 0x09: r = b >= 64n ? 0n : a << b; break;
        case 0x0a: r = signed(a) >> (b >= 64n ? 63n : b); break;
        case 0x0b: r = b >= 64n ? 0n : a >> b; break;
        case 0x0f: r = a & b; break;
        case 0x10: r = a | b; break;
        case 0x11: r = a ^ b; break;
        case 0x13: r = a === b ? 1n : 0n; break;
        case 0x14: r = signed(a) < signed(b) ? 1n : 0n; break;
        default: r = a < b ? 1n : 0n; break; // 0x15 less_unsigned
      }
      stack.push(u64(r));
      continue;
    }
    switch (op) {
      case 0x0e: // log_not
      case 0x12: { // bit_not
        const a = pop();
        if (a === undefined) return { error: 'stack underflow' };
        stack.push(op === 0x0e ? (a === 0n ? 1n : 0n) : u64(~a));
        break;
      }
      case 0x16: // ext n: sign-extend from n bits
      case 0x2a: { // zero_ext n
        const n = operand(1);
        const a = pop();
        if (n === undefined || a === undefined) return { error: 'truncated ext' };
        if (n === 0 || n > 64) return { error: `bad extension width ${n}` };
        stack.push(op === 0x16 ? u64(BigInt.asIntN(n, a)) : BigInt.asUintN(n, a));
        break;
      }
      case 0x17: // ref8, ref16, ref32, ref64: zero-extended big-endian loads
      case 0x18:
      case 0x19:
      case 0x1a: {
        const size = 1 << (op - 0x17);
        const addr = pop();
        if (addr === undefined) return { error: 'stack underflow' };
        const bytes = ctx.memory(addr, size);
        if (bytes === undefined || bytes.length < size) return { error: `cannot read memory at 0x${addr.toString(16)}` };
        let v = 0n;
        for (let i = 0; i < size; i++) v = (v << 8n) | BigInt(bytes[i]!);
        stack.push(v);
        break;
      }
      case 0x20: { // if_goto
        const target = operand(2);
        const a = pop();
        if (target === undefined || a === undefined) return { error: 'truncated if_goto' };
        if (a !== 0n) pc = target;
        break;
      }
      case 0x21: { // goto
        const target = operand(2);
        if (target === undefined) return { error: 'truncated goto' };
        pc = target;
        break;
      }
      case 0x22: // const8..const64
      case 0x23:
      case 0x24:
      case 0x25: {
        const size = 1 << (op - 0x22);
        if (pc + size > code.length) return { error: 'truncated constant' };
        let v = 0n;
        for (let i = 0; i < size; i++) v = (v << 8n) | BigInt(code[pc + i]!);
        pc += size;
        stack.push(v);
        break;
      }
      case 0x26: { // reg
        const regno = operand(2);
        if (regno === undefined) return { error: 'truncated reg' };
        const v = ctx.register(regno);
        if (v === undefined) return { error: `cannot read register ${regno}` };
        stack.push(u64(v));
        break;
      }
      case 0x27: { // end
        const top = stack[stack.length - 1];
        return top === undefined ? { error: 'empty stack at end' } : { value: top };
      }
      case 0x28: { // dup
        const a = stack[stack.length - 1];
        if (a === undefined) return { error: 'stack underflow' };
        stack.push(a);
        break;
      }
      case 0x29: // pop
        if (pop() === undefined) return { error: 'stack underflow' };
        break;
      case 0x2b: { // swap
        const b = pop();
        const a = pop();
        if (a === undefined || b === undefined) return { error: 'stack underflow' };
        stack.push(b, a);
        break;
      }
      case 0x32: { // pick n: copy the item n below the top (0: dup)
        const n = operand(1);
        if (n === undefined) return { error: 'truncated pick' };
        const a = stack[stack.length - 1 - n];
        if (a === undefined) return { error: 'stack underflow' };
        stack.push(a);
        break;
      }
      case 0x33: { // rot: a b c => c a b
        const c = pop();
        const b = pop();
        const a = pop();
        if (a === undefined || b === undefined || c === undefined) return { error: 'stack underflow' };
        stack.push(c, a, b);
        break;
      }
      default:
        return { error: `unsupported bytecode 0x${op.toString(16)}` };
    }
  }
  return { error: 'expression ran too long' };
}
