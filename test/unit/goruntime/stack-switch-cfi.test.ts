// Stack-switch CFI pieces that need no Go binary: which instructions move R1, the row analysis on
// a made-up function, and Delve's "User" frame filter. The rows for Go's real stack-switching
// assembly are checked on the hello fixtures in test/integration/goruntime/stack-switch-cfi.test.ts.
import { describe, expect, it } from 'vitest';
import { isUserFunction } from '../../../src/goruntime/go-unwind.js';
import { analyzeStackSwitch, writesGpr, writesR1 } from '../../../src/goruntime/stack-switch-cfi.js';

const BCTRL = 0x4e800421;

describe('writesR1', () => {
  it('knows the forms Go uses to move R1 and ignores stores through it', () => {
    expect(writesR1(0xe83e0038)).toBe(true); // ld r1,56(r30)
    expect(writesR1(0x7ca12b78)).toBe(true); // mr r1,r5
    expect(writesR1(0x794106f2)).toBe(true); // rldcr r1,r10,r0,59
    expect(writesR1(0x3821fff8)).toBe(true); // addi r1,r1,-8
    expect(writesR1(0xfbe1ffe1)).toBe(true); // stdu r31,-32(r1)
    expect(writesR1(0xf8a10040)).toBe(false); // std r5,64(r1)
    expect(writesR1(0x3941ffb8)).toBe(false); // addi r10,r1,-72
    expect(writesR1(0x7c270b78)).toBe(false); // mr r7,r1
  });
});

describe('analyzeStackSwitch on a made-up function', () => {
  it('stops the chain between the switch and the save, and after a switch it cannot follow', () => {
    // mflr r31; stdu r31,-32(r1); ld r1,56(r30); bctrl: a switch with no save, so the call row stops.
    const rows = analyzeStackSwitch('cgocall', 0x1000n, [0x7fe802a6, 0xfbe1ffe1, 0xe83e0038, BCTRL], 56);
    expect(rows.map((r) => [Number(r.pc), r.rule.kind])).toEqual([[0x1000, 'entry'], [0x1008, 'framed'], [0x100c, 'stop']]);
  });

  it('between the switch and the saves, follows the register that kept the old SP, until it is overwritten', () => {
    // mflr r31; stdu r31,-32(r1); mr r7,r1; ld r1,56(r30) (to g0); addi r1,r1,-8; std r5,64(r1)
    // (old g); ld r5,8(r5); subf r5,r7,r5; std r5,56(r1) (depth); bctrl: asmcgocall's shape.
    const cgo = [0x7fe802a6, 0xfbe1ffe1, 0x7c270b78, 0xe83e0038, 0x3821fff8, 0xf8a10040, 0xe8a50008, 0x7ca72850, 0xf8a10038, BCTRL];
    const rows = analyzeStackSwitch('cgocall', 0x1000n, cgo, 56);
    expect(rows.map((r) => [Number(r.pc), r.rule])).toEqual([
      [0x1000, { kind: 'entry' }],
      [0x1008, { kind: 'framed', size: 32 }],
      [0x1010, { kind: 'old-sp', size: 32, reg: 7 }],
      [0x1024, { kind: 'cgo-depth', size: 32 }],
    ]);
    // li r7,0 right after the switch: from there nothing holds the old SP.
    const lost = analyzeStackSwitch('cgocall', 0x1000n, [...cgo.slice(0, 4), 0x38e00000, BCTRL], 56);
    expect(lost.map((r) => [Number(r.pc), r.rule.kind])).toEqual([[0x1000, 'entry'], [0x1008, 'framed'], [0x1010, 'old-sp'], [0x1014, 'stop']]);
    // mr r7,r1 after the switch copies g0's SP: not the old SP any more.
    const copied = analyzeStackSwitch('cgocall', 0x1000n, [...cgo.slice(0, 4), 0x7c270b78, BCTRL], 56);
    expect(copied.map((r) => [Number(r.pc), r.rule.kind])).toEqual([[0x1000, 'entry'], [0x1008, 'framed'], [0x1010, 'old-sp'], [0x1014, 'stop']]);
    // ... and a register other than the old SP's may change freely.
    const other = analyzeStackSwitch('cgocall', 0x1000n, [...cgo.slice(0, 4), 0x39000000 /* li r8,0 */, BCTRL], 56);
    expect(other.map((r) => r.rule.kind)).toEqual(['entry', 'framed', 'old-sp']);
  });
});

describe('writesGpr', () => {
  it('finds writes to any GPR, not only R1', () => {
    expect(writesGpr(0x38e00000, 7)).toBe(true); // li r7,0
    expect(writesGpr(0x7ca72850, 5)).toBe(true); // subf r5,r7,r5
    expect(writesGpr(0x7ca72850, 7)).toBe(false);
    expect(writesGpr(0xf8e10000, 7)).toBe(false); // std r7,0(r1)
    expect(writesGpr(0x7c270b78, 7)).toBe(true); // mr r7,r1
  });
});

describe('isUserFunction (Delve\'s "User" frames)', () => {
  it('skips unexported runtime functions, runtime-internal packages and assembly glue', () => {
    for (const n of ['main.worker', 'fmt.Println', 'runtime.GC', 'sync.(*Mutex).Lock', 'main.main.gowrap1']) expect(isUserFunction(n), n).toBe(true);
    for (const n of ['runtime.gopark', 'runtime.chanrecv2', 'internal/runtime/atomic.(*Uint32).Load', 'internal/abi.(*Type).Pointers', 'internal/bytealg.IndexByteString', 'runtime/internal/sys.Len64', 'asmsyscall6', 'write']) expect(isUserFunction(n), n).toBe(false);
    // A user module's own internal package is user code.
    expect(isUserFunction('example.com/app/internal/store.(*DB).Get')).toBe(true);
  });
});
