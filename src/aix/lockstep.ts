// --deterministic for a machine of several processes. One loop runs every emulated process's
// scheduler a step (one slice) at a time in a fixed order, instead of each process running its own
// loop in event-loop turns of 20 ms wall clock, so how the processes interleave is a function of
// their instructions only. What comes from the host (a host program's output, its exit, a pipe it
// drained) is held back and applied at deterministic points: when every emulated thread waits,
// and only once the host has been quiet for a moment, all that arrived is applied at once. While
// the machine waits for a host program, virtual time stands still for SILENT_MS of real time (the
// host's answer comes at the same guest instant in every run), then follows real time up to the
// guest's earliest deadline, so a hung host program still times out. Two runs are then identical
// call by call as long as each host program ends within SILENT_MS (one that keeps running must
// answer in bursts separated by QUIET_MS of quiet).
import type { ProcessTable } from './process-table.js';
import type { RunOutcome, Scheduler } from './scheduler.js';

/** Wall-clock milliseconds of guest execution between event-loop turns. */
const BATCH_MS = 20;
/** A host program still running that sent nothing for this long has finished its burst: apply what it sent. */
const QUIET_MS = 250;
/** Held host events are applied anyway after this long while some guest thread keeps running. */
const BUSY_LIMIT_MS = 500;
/** Real time a host program may take to answer before the guest's clock starts to follow real time. */
const SILENT_MS = 2000;

interface Member {
  sched: Scheduler;
  done: (o: RunOutcome) => void;
}

/** What one round of steps over all members found. */
type Round = { kind: 'progress' } | { kind: 'idle'; untilNs: bigint | undefined; host: boolean };

export class Lockstep {
  private readonly members: Member[] = [];
  private looping = false;
  private readonly held: Array<() => void> = [];
  private lastHeldMs = 0;
  private firstHeldMs = 0;
  private wakeLoop: (() => void) | undefined;
  /** Real time (ms) since when the machine has waited for a host program that sent nothing. */
  private silentSinceMs: number | undefined;
  private silentClockNs = 0n;

  constructor(private readonly table: ProcessTable) {}

  /** Run `sched` with the others until its process ends or it stops (debugger, requestStop). */
  run(sched: Scheduler): Promise<RunOutcome> {
    return new Promise((done) => {
      this.members.push({ sched, done });
      this.poke();
      if (!this.looping) {
        this.looping = true;
        // From a microtask: processes started together all join before the first round.
        queueMicrotask(() => void this.loop());
      }
    });
  }

  /** Apply `event` (a host program's doing) at the next deterministic point. */
  hold(event: () => void): void {
    const now = Date.now();
    if (this.held.length === 0) this.firstHeldMs = now;
    this.held.push(event);
    this.lastHeldMs = now;
    this.poke();
  }

  private poke(): void {
    const w = this.wakeLoop;
    this.wakeLoop = undefined;
    w?.();
  }

  private applyHeld(): void {
    const events = this.held.splice(0);
    for (const e of events) e();
    this.table.wakeAll();
  }

  private async loop(): Promise<void> {
    try {
      while (this.members.length > 0) {
        const start = Date.now();
        while (this.members.length > 0) {
          const r = this.round();
          if (r.kind === 'progress') {
            if (this.held.length > 0 && Date.now() - this.firstHeldMs >= BUSY_LIMIT_MS) this.applyHeld();
            if (Date.now() - start >= BATCH_MS) {
              this.silentSinceMs = undefined; // the guest worked for a while: the host gets a fresh grace period
              break;
            }
            continue;
          }
          if (this.held.length > 0) {
            const quiet = Date.now() - this.lastHeldMs;
            // Every host program has exited and its output ended: all it did is here, at once.
            if (this.table.hostBusy === 0 || quiet >= QUIET_MS) {
              this.applyHeld();
              this.silentSinceMs = undefined;
              continue;
            }
            await this.waitForHost(QUIET_MS - quiet);
            break;
          }
          const clock = this.members[0]!.sched.proc.clock;
          if (!r.host) {
            if (r.untilNs === undefined) {
              await this.waitForHost(50);
              break;
            }
            clock.advanceTo(r.untilNs);
            continue;
          }
          // Waiting for a host program: time stands still for the guest for SILENT_MS of real
          // time, then follows real time up to the guest's earliest deadline.
          const nowMs = Date.now();
          if (this.silentSinceMs === undefined) {
            this.silentSinceMs = nowMs;
            this.silentClockNs = clock.monotonicNs();
          }
          const silentMs = nowMs - this.silentSinceMs;
          if (r.untilNs !== undefined && silentMs >= SILENT_MS) {
            const target = this.silentClockNs + BigInt(silentMs - SILENT_MS) * 1_000_000n;
            clock.advanceTo(target < r.untilNs ? target : r.untilNs);
            if (target >= r.untilNs) continue;
          }
          await this.waitForHost(50);
          break;
        }
        await new Promise<void>((res) => setImmediate(res));
      }
    } finally {
      this.looping = false;
    }
  }

  /** One step of every member, in the order they joined. */
  private round(): Round {
    let progress = false;
    let host = false;
    let untilNs: bigint | undefined;
    for (const m of [...this.members]) {
      const r = m.sched.step();
      if (r === undefined) {
        progress = true;
        continue;
      }
      if (r.kind === 'wait') {
        host ||= r.realTime === true;
        if (r.untilNs !== undefined && (untilNs === undefined || r.untilNs < untilNs)) untilNs = r.untilNs;
        continue;
      }
      if (r.kind === 'yield') {
        progress = true;
        continue;
      }
      this.members.splice(this.members.indexOf(m), 1);
      m.done(r);
      progress = true;
    }
    return progress ? { kind: 'progress' } : { kind: 'idle', untilNs, host };
  }

  /** Wait up to `ms` for a host event (held or not); true if one came. */
  private waitForHost(ms: number): Promise<boolean> {
    return new Promise((res) => {
      const procs = this.members.map((m) => m.sched.proc);
      const timer = setTimeout(() => {
        this.wakeLoop = undefined;
        for (const p of procs) p.hostEventListener = undefined;
        res(false);
      }, Math.max(0, ms));
      const wake = () => {
        clearTimeout(timer);
        this.wakeLoop = undefined;
        for (const p of procs) p.hostEventListener = undefined;
        res(true);
      };
      this.wakeLoop = wake;
      for (const p of procs) p.hostEventListener = wake;
    });
  }
}
