// The CPU port the scheduler drives: a thread switch keeps load reservations, because the
// scheduler decides when one is lost (Scheduler.lastRun, part of every snapshot). The CPU's own
// "last thread" is not in a snapshot: after a restore it is a thread of another moment, and
// letting it drop reservations made a replayed stwcx. fail where the recording's succeeded.
import { describe, expect, it } from 'vitest';
import { CpuAdapter } from '../../../src/aix/cpu-adapter.js';
import { VirtualClock } from '../../../src/aix/clock.js';
import { GuestMemory, PROT_EXEC, PROT_READ, PROT_WRITE } from '../../../src/cpu/memory.js';
import { CpuState, CR, RESV_LEN } from '../../../src/cpu/state.js';
import { CODE, D, DATA, TRAP, X } from '../cpu/asm.js';

function adapterWith(words: number[]): { port: CpuAdapter; mem: GuestMemory } {
  const mem = new GuestMemory();
  mem.map(CODE, 0x20000n, PROT_READ | PROT_EXEC);
  mem.map(DATA, 0x10000n, PROT_READ | PROT_WRITE);
  const bytes = new Uint8Array(words.length * 4);
  words.forEach((w, k) => new DataView(bytes.buffer).setUint32(4 * k, w >>> 0));
  mem.writeBytes(CODE, bytes);
  // The host-call range lies outside the code.
  return { port: new CpuAdapter(mem, new VirtualClock(), { start: 0x20000000n, end: 0x20001000n }), mem };
}

describe('CpuAdapter', () => {
  it('running another thread in between keeps a reservation: stwcx. succeeds unless the scheduler dropped it', () => {
    const { port, mem } = adapterWith([
      X(31, 3, 0, 4, 20), // lwarx r3,0,r4
      D(14, 3, 3, 1), // addi r3,r3,1
      X(31, 3, 0, 4, 150, 1), // stwcx. r3,0,r4
      TRAP,
    ]);
    const a = new CpuState();
    a.pc = CODE;
    a.setGpr(4, DATA);
    const b = new CpuState();
    b.pc = CODE + 4n;
    port.run(a, 1); // lwarx: a holds the reservation
    expect(a.spr[RESV_LEN]).not.toBe(0);
    port.run(b, 1); // the CPU last ran b (as after restoring a snapshot taken while a ran)
    expect(port.run(a, 2).executed).toBe(2);
    expect(a.spr[CR]! >>> 28).toBe(2); // CR0 EQ: stored
    expect(mem.readU32(DATA)).toBe(1);
  });
});
