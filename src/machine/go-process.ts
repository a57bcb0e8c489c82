// The emulated AIX process as the Go runtime views see it (goruntime/process-source.ts): its image,
// memory and live threads, with the emulator's record of the import each thread is inside (the
// most precise source: notes/aix-go-runtime.md, "which import a thread is in").
import type { AixProcess } from '../aix/process.js';
import type { GuestThread } from '../aix/threads.js';
import type { GoProcess } from '../goruntime/process-source.js';
import type { ThreadView } from '../goruntime/views.js';

function threadView(proc: AixProcess, t: GuestThread, gdbThreadId: number): ThreadView {
  const s = t.state;
  const c = t.current;
  const v: ThreadView = {
    tid: t.tid,
    gdbThreadId,
    status: t.status,
    waiting: t.waiter?.description,
    pc: s.pc,
    lr: s.lr,
    gpr: (n) => s.getGpr(n),
    importCall: c === undefined || c.call.kind !== 'import' ? undefined : { name: c.call.name, library: c.call.library, member: c.call.member, args: c.args },
  };
  if (v.importCall === undefined) {
    // Stopped at a sentinel, before the HLE ran (a catch-syscall entry stop): the call is about to
    // happen with R3..R10, so the thread counts as inside it.
    const call = proc.sentinels.lookup(s.pc);
    if (call !== undefined && call.kind === 'import') {
      const args: bigint[] = [];
      for (let r = 3; r <= 10; r++) args.push(s.getGpr(r));
      v.importCall = { name: call.name, library: call.library, member: call.member, args };
    }
  }
  return v;
}

/**
 * The GoProcess of an emulated process (callers keep one per process: per-process state keys on
 * it). `gdbThreadId` numbers a pthread as gdb sees it (default: its pthread id).
 */
export function goProcessOf(proc: AixProcess, gdbThreadId: (tid: number) => number = (tid) => tid): GoProcess {
  return {
    pid: proc.pid,
    image: proc.image,
    memory: proc.mem,
    threads: () => proc.liveThreads().map((t) => threadView(proc, t, gdbThreadId(t.tid))),
    monotonicNs: () => proc.clock.monotonicNs(),
    observeImportCalls: (o) => {
      proc.callObservers.add({
        enter: (t, call) => o.enter(t.tid, call.call.name),
        exit: (t, call, r3, errno) => o.exit(t.tid, call.call.name, call.args, r3, errno),
      });
    },
  };
}
