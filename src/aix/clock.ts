// Guest time. Real mode follows the host clocks (CLOCK_REALTIME kept monotonic, because Go's
// nanotime uses it, §8.9). Deterministic mode derives time from the instruction count and jumps
// forward when every thread sleeps, so two runs are identical instruction by instruction.

export interface GuestClock {
  readonly deterministic: boolean;
  /** Nanoseconds since the Unix epoch, never decreasing. */
  realtimeNs(): bigint;
  /** Nanoseconds since process start, never decreasing. */
  monotonicNs(): bigint;
  /** CPU time consumed by the process (instruction-derived in both modes). */
  cpuTimeNs(): bigint;
  /** Account for executed guest instructions. */
  addInstructions(n: number): void;
  /** Deterministic mode: move virtual time forward to at least monotonic `ns` (all threads asleep). */
  advanceTo(ns: bigint): void;
}

/** Nominal guest speed used for virtual time: 1 instruction = 1 ns. */
const NS_PER_INSTRUCTION = 1n;
/** Fixed epoch of deterministic runs: 2024-01-01T00:00:00Z. */
const DETERMINISTIC_EPOCH_NS = 1_704_067_200_000_000_000n;

export class RealClock implements GuestClock {
  readonly deterministic = false;
  private readonly startHr = process.hrtime.bigint();
  private readonly startEpochNs = BigInt(Date.now()) * 1_000_000n;
  private lastReal = 0n;
  private instructions = 0;

  realtimeNs(): bigint {
    const t = this.startEpochNs + (process.hrtime.bigint() - this.startHr);
    if (t > this.lastReal) this.lastReal = t;
    return this.lastReal;
  }
  monotonicNs(): bigint {
    return process.hrtime.bigint() - this.startHr;
  }
  cpuTimeNs(): bigint {
    return BigInt(this.instructions) * NS_PER_INSTRUCTION;
  }
  addInstructions(n: number): void {
    this.instructions += n;
  }
  advanceTo(_ns: bigint): void {
    // Real time advances by itself; the scheduler waits on the host instead.
  }
}

export class VirtualClock implements GuestClock {
  readonly deterministic = true;
  private instructions = 0;
  private skipped = 0n;

  realtimeNs(): bigint {
    return DETERMINISTIC_EPOCH_NS + this.monotonicNs();
  }
  monotonicNs(): bigint {
    return BigInt(this.instructions) * NS_PER_INSTRUCTION + this.skipped;
  }
  cpuTimeNs(): bigint {
    return BigInt(this.instructions) * NS_PER_INSTRUCTION;
  }
  addInstructions(n: number): void {
    this.instructions += n;
  }
  advanceTo(ns: bigint): void {
    const now = this.monotonicNs();
    if (ns > now) this.skipped += ns - now;
  }
}
