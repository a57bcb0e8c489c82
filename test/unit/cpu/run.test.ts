import { describe, expect, it } from 'vitest';
import { StopReason } from '../../../src/cpu/cpu.js';
import { CpuState, CR, XER, RESV_LEN } from '../../../src/cpu/state.js';
import { B, D, DS, I, TRAP, X, XL, XO, SPR, machine, CODE, DATA, u64 } from './asm.js';

const li = (rt: number, v: number): number => D(14, rt, 0, v);

describe('branches', () => {
  it('b/bl relative, LR = CIA+4; blr returns; bclrl takes the old LR', () => {
    const cpu = machine([
      I(12, 0, 1), // 0: bl +12 -> 12
      li(3, 7), // 4
      TRAP, // 8
      SPR(31, 8, 339), // 12: mflr r31
      li(4, 9), // 16
      XL(20, 0, 16), // 20: blr -> 4
    ]);
    expect(cpu.run(100)).toBe(StopReason.TRAP);
    expect(cpu.stop.pc).toBe(CODE + 8n);
    expect(cpu.state.getGpr(31)).toBe(CODE + 4n);
    expect(cpu.state.getGpr(3)).toBe(7n);
    expect(cpu.executed).toBe(5);
    const c2 = machine([XL(20, 0, 16, 1), TRAP]);
    c2.state.lr = CODE + 4n + 3n; // low bits ignored
    expect(c2.step()).toBe(StopReason.STEP_DONE);
    expect(c2.state.pc).toBe(CODE + 4n);
    expect(c2.state.lr).toBe(CODE + 4n);
  });

  it('bc: CR tests and CTR decrement forms (bdnz, bdz), bcctr does not decrement', () => {
    // r3 counts iterations of a bdnz loop with CTR = 5
    const cpu = machine([
      li(3, 0), // 0
      li(4, 5), // 4
      SPR(4, 9, 467), // 8 mtctr r4
      D(14, 3, 3, 1), // 12 addi r3,r3,1
      B(16, 0, -4), // 16 bdnz 12
      B(18, 0, 8), // 20 bdz +8 (CTR 0 -> 0xffff..., not zero: falls through)
      TRAP, // 24
      TRAP, // 28
    ]);
    expect(cpu.run(100)).toBe(StopReason.TRAP);
    expect(cpu.state.getGpr(3)).toBe(5n);
    expect(cpu.state.ctr).toBe(u64(-1n));
    expect(cpu.stop.pc).toBe(CODE + 24n);
    // beq taken on CR0 EQ, bne not taken; CR bit 6 (CR1 EQ) via BI
    const c2 = machine([B(12, 6, 8), TRAP, B(4, 6, 8), TRAP, TRAP]);
    c2.state.spr[CR] = 0x02000000; // CR1 EQ
    expect(c2.run(10)).toBe(StopReason.TRAP);
    expect(c2.stop.pc).toBe(CODE + 12n);
    const c3 = machine([XL(20, 0, 528), TRAP]);
    c3.state.ctr = CODE + 4n;
    expect(c3.run(10)).toBe(StopReason.TRAP);
    expect(c3.state.ctr).toBe(CODE + 4n);
  });

  it('backward branch across the 32-bit boundary of the high word', () => {
    const cpu = machine([TRAP]);
    cpu.state.pc = 0x1_0000_0000n; // unmapped: fetch faults with the exec access kind
    expect(cpu.run(5)).toBe(StopReason.FAULT);
    expect(cpu.stop.faultAccess).toBe('exec');
    expect(cpu.stop.pc).toBe(0x1_0000_0000n);
  });
});

describe('run loop stops', () => {
  it('word 0 is ILLEGAL with address and word', () => {
    const cpu = machine([li(3, 1), 0]);
    expect(cpu.run(10)).toBe(StopReason.ILLEGAL);
    expect(cpu.stop.pc).toBe(CODE + 4n);
    expect(cpu.stop.describe()).toBe('ILLEGAL at 0x10000004 word 0x00000000');
    expect(cpu.executed).toBe(1);
  });

  it('budget exhaustion returns OK with PC after the last instruction', () => {
    const cpu = machine([li(3, 1), li(3, 2), li(3, 3), TRAP]);
    expect(cpu.run(2)).toBe(StopReason.OK);
    expect(cpu.state.pc).toBe(CODE + 8n);
    expect(cpu.state.getGpr(3)).toBe(2n);
  });

  it('a faulting store does not commit and reports the access', () => {
    const cpu = machine([li(3, 5), D(36, 3, 0, 0) /* stw r3,0(0) */, TRAP]);
    cpu.state.setGpr(1, DATA);
    expect(cpu.run(10)).toBe(StopReason.FAULT);
    expect(cpu.stop.pc).toBe(CODE + 4n);
    expect(cpu.stop.faultAddress).toBe(0n);
    expect(cpu.stop.faultAccess).toBe('write');
    expect(cpu.stop.faultReason).toBe('unmapped');
    // stdu with a faulting store leaves RA untouched
    const c2 = machine([DS(62, 31, 1, -16, 1), TRAP]);
    c2.state.setGpr(1, 0x40n);
    expect(c2.run(10)).toBe(StopReason.FAULT);
    expect(c2.state.getGpr(1)).toBe(0x40n);
  });

  it('breakpoints stop before the instruction; resuming steps over them', () => {
    const cpu = machine([li(3, 1), li(3, 2), li(3, 3), TRAP]);
    cpu.addBreakpoint(CODE + 8n);
    expect(cpu.run(100)).toBe(StopReason.BREAKPOINT);
    expect(cpu.stop.pc).toBe(CODE + 8n);
    expect(cpu.state.getGpr(3)).toBe(2n);
    expect(cpu.run(100)).toBe(StopReason.TRAP);
    expect(cpu.state.getGpr(3)).toBe(3n);
    cpu.removeBreakpoint(CODE + 8n);
    cpu.state.pc = CODE;
    expect(cpu.run(100)).toBe(StopReason.TRAP);
  });

  it('single step executes exactly one instruction', () => {
    const cpu = machine([li(3, 1), li(3, 2), TRAP]);
    expect(cpu.step()).toBe(StopReason.STEP_DONE);
    expect(cpu.state.pc).toBe(CODE + 4n);
    expect(cpu.step()).toBe(StopReason.STEP_DONE);
    expect(cpu.step()).toBe(StopReason.TRAP);
    expect(cpu.state.pc).toBe(CODE + 8n);
  });

  it('host-call sentinel range stops before fetch with PC at the sentinel', () => {
    const SENT = 0x0900_0000_0000_0000n;
    const cpu = machine([SPR(3, 9, 467) /* mtctr r3 */, XL(20, 0, 528, 1) /* bctrl */, TRAP]);
    cpu.addHostCallRange(SENT, SENT + 0x1000n);
    cpu.state.setGpr(3, SENT + 0x40n);
    expect(cpu.run(100)).toBe(StopReason.SENTINEL);
    expect(cpu.stop.pc).toBe(SENT + 0x40n);
    expect(cpu.state.lr).toBe(CODE + 8n);
    cpu.state.pc = cpu.state.lr; // the host "returns"
    expect(cpu.run(100)).toBe(StopReason.TRAP);
  });

  it('host-call ranges include their start and exclude their end, across a 4 GiB boundary too', () => {
    const prog = [li(3, 1), li(3, 2), li(3, 3), li(3, 4), TRAP];
    const cpu = machine(prog);
    cpu.addHostCallRange(CODE + 8n, CODE + 12n);
    expect(cpu.run(100)).toBe(StopReason.SENTINEL);
    expect(cpu.stop.pc).toBe(CODE + 8n);
    expect(cpu.executed).toBe(2);
    cpu.state.pc = CODE + 12n; // the end is outside
    expect(cpu.run(100)).toBe(StopReason.TRAP);
    expect(cpu.state.getGpr(3)).toBe(4n);
    // A range from just below CODE to above the 4 GiB boundary (its end has another high word).
    const wide = machine(prog);
    wide.addHostCallRange(CODE - 0x10n, 0x1_0000_0010n);
    expect(wide.run(100)).toBe(StopReason.SENTINEL);
    expect(wide.stop.pc).toBe(CODE);
    expect(wide.executed).toBe(0);
  });

  it('a host-call word or breakpoint inside or past the decoder\'s look-ahead stops the run there', () => {
    // 60 words of li r3,k: the first decode looks ahead over the next 48 (cpu.ts DECODE_AHEAD).
    const prog = [...Array.from({ length: 60 }, (_, k) => li(3, k)), TRAP];
    for (const at of [2, 5, 47, 48, 49, 55]) {
      const where = CODE + BigInt(4 * at);
      const sentinel = machine(prog);
      sentinel.addHostCallRange(where, where + 4n);
      expect(sentinel.run(1000), `host call at word ${at}`).toBe(StopReason.SENTINEL);
      expect(sentinel.stop.pc).toBe(where);
      expect(sentinel.state.getGpr(3)).toBe(BigInt(at - 1));
      const bp = machine(prog);
      expect(bp.run(1)).toBe(StopReason.OK); // decoded (and looked ahead) before the breakpoint is set
      bp.addBreakpoint(where);
      expect(bp.run(1000), `breakpoint at word ${at}`).toBe(StopReason.BREAKPOINT);
      expect(bp.state.pc).toBe(where);
    }
    // With a breakpoint already set, the look-ahead decodes word by word and still finds both.
    const both = machine(prog);
    both.addBreakpoint(CODE + 200n);
    both.addHostCallRange(CODE + 120n, CODE + 124n);
    expect(both.run(1000)).toBe(StopReason.SENTINEL);
    expect(both.stop.pc).toBe(CODE + 120n);
    both.state.pc = CODE + 124n;
    expect(both.run(1000)).toBe(StopReason.BREAKPOINT);
    expect(both.state.pc).toBe(CODE + 200n);
  });

  it('code writes invalidate decoded instructions (debugger patching text)', () => {
    const cpu = machine([li(3, 1), TRAP]);
    expect(cpu.run(10)).toBe(StopReason.TRAP);
    expect(cpu.state.getGpr(3)).toBe(1n);
    const patch = new Uint8Array(4);
    new DataView(patch.buffer).setUint32(0, li(3, 42) >>> 0);
    cpu.mem.writeBytes(CODE, patch);
    cpu.state.pc = CODE;
    expect(cpu.run(10)).toBe(StopReason.TRAP);
    expect(cpu.state.getGpr(3)).toBe(42n);
  });

  it('watchpoints stop before the accessing instruction, which then runs once skipped', () => {
    const cpu = machine([li(3, 9), D(36, 3, 4, 8) /* stw r3,8(r4) */, li(5, 1), TRAP]);
    cpu.state.setGpr(4, DATA);
    cpu.addWatchpoint({ start: DATA + 8n, end: DATA + 12n, onRead: false, onWrite: true });
    expect(cpu.run(100)).toBe(StopReason.WATCH);
    expect(cpu.executed).toBe(1);
    expect(cpu.stop.pc).toBe(CODE + 4n);
    expect(cpu.stop.watchAddr).toBe(DATA + 8n);
    expect(cpu.stop.watchIsWrite).toBe(true);
    expect(cpu.mem.readU32(DATA + 8n)).toBe(0);
    expect(cpu.run(100)).toBe(StopReason.WATCH); // still armed: the same access stops again
    expect(cpu.stop.pc).toBe(CODE + 4n);
    cpu.skipWatchOnce();
    expect(cpu.run(100)).toBe(StopReason.TRAP);
    expect(cpu.mem.readU32(DATA + 8n)).toBe(9);
    expect(cpu.state.getGpr(5)).toBe(1n);
  });

  it('tw/td/twi/tdi trap only when the TO condition holds', () => {
    const cpu = machine([
      X(31, 4, 3, 4, 4), // tweq r3,r4 (3 != 4) no trap
      D(2, 16, 3, 0), // tdlti r3,0 (r3 = 3) no trap
      D(3, 8, 3, 2), // twgti r3,2 -> trap
      TRAP,
    ]);
    cpu.state.setGpr(3, 3n);
    cpu.state.setGpr(4, 4n);
    expect(cpu.run(10)).toBe(StopReason.TRAP);
    expect(cpu.stop.pc).toBe(CODE + 8n);
  });

  it('swapping state between slices keeps each thread and drops reservations', () => {
    const cpu = machine([li(3, 1), li(3, 2), TRAP]);
    const a = cpu.state;
    const b = new CpuState();
    b.pc = CODE + 4n;
    a.spr[RESV_LEN] = 8;
    b.spr[RESV_LEN] = 4;
    expect(cpu.run(1)).toBe(StopReason.OK);
    cpu.state = b;
    expect(a.spr[RESV_LEN]).toBe(0);
    expect(b.spr[RESV_LEN]).toBe(0);
    expect(cpu.run(1)).toBe(StopReason.OK);
    expect(b.getGpr(3)).toBe(2n);
    expect(a.getGpr(3)).toBe(1n);
    expect(a.pc).toBe(CODE + 4n);
  });

  it('mfspr/mtspr for LR, CTR, XER and the time base', () => {
    const cpu = machine([
      SPR(3, 1, 467), // mtxer r3
      SPR(4, 1, 339), // mfxer r4
      SPR(5, 268, 339), // mfspr r5, TB
      SPR(6, 268, 371), // mftb r6
      XO(7, 0, 0, 104), // neg r7, r0
      TRAP,
    ]);
    cpu.timeBase = () => 0x1_2345_6789n;
    cpu.state.setGpr(3, 0xffff_ffff_e000_007fn);
    expect(cpu.run(10)).toBe(StopReason.TRAP);
    expect(cpu.state.spr[XER] >>> 0).toBe(0xe000007f);
    expect(cpu.state.getGpr(4)).toBe(0xe000007fn);
    expect(cpu.state.getGpr(5)).toBe(0x1_2345_6789n);
    expect(cpu.state.getGpr(6)).toBe(0x1_2345_6789n);
  });
});
