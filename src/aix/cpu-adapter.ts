// Binds the process to the real interpreter (cpu/Cpu): thread switches (Cpu.switchTo),
// the sentinel range registered as host-call addresses, the time base fed from the guest clock.
import { Cpu, StopReason } from '../cpu/cpu.js';
import type { CpuState } from '../cpu/state.js';
import type { GuestMemory } from '../cpu/memory.js';
import type { GuestClock } from './clock.js';
import type { CpuPort, CpuStop, QuickHostCall } from './cpu-port.js';

/** AIX's time base runs at 512 MHz. */
const TB_PER_NS_NUM = 64n;
const TB_PER_NS_DEN = 125n;

export class CpuAdapter implements CpuPort {
  readonly cpu: Cpu;

  constructor(mem: GuestMemory, clock: GuestClock, hostCall: { start: bigint; end: bigint }) {
    this.cpu = new Cpu(mem);
    this.cpu.addHostCallRange(hostCall.start, hostCall.end);
    this.cpu.timeBase = () => (clock.monotonicNs() * TB_PER_NS_NUM) / TB_PER_NS_DEN;
  }

  run(state: CpuState, budget: number, quick?: QuickHostCall): { stop: CpuStop; executed: number } {
    const cpu = this.cpu;
    cpu.hostCallHook = quick ?? null;
    // The scheduler drops a reservation when another thread ran in between (Scheduler.lastRun):
    // which thread this CPU ran last is not part of a snapshot, so it must not decide that too
    // (after a restore it is the thread of another moment, and a replayed stcx. would fail).
    if (cpu.state !== state) cpu.switchTo(state);
    const r = cpu.run(budget);
    const st = cpu.stop;
    let stop: CpuStop;
    switch (r) {
      case StopReason.OK:
        stop = { kind: 'budget' };
        break;
      case StopReason.SENTINEL:
        stop = { kind: 'hostcall' };
        break;
      case StopReason.FAULT:
        stop = { kind: 'fault', address: st.faultAddress, access: st.faultAccess, reason: st.faultReason };
        break;
      case StopReason.ILLEGAL:
        stop = { kind: 'illegal', word: st.word };
        break;
      case StopReason.TRAP:
        stop = { kind: 'trap' };
        break;
      case StopReason.INTERNAL:
        stop = { kind: 'illegal', word: st.word };
        break;
      default:
        stop = { kind: 'debug', detail: st.describe() };
    }
    return { stop, executed: cpu.executed };
  }

  invalidateCode(addr: bigint, len: number): void {
    this.cpu.invalidateCode(addr, len);
  }
}
