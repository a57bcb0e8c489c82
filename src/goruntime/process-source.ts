// The emulated AIX process as a RuntimeViewSource: its image, memory and live threads, with the
// emulator's record of the import each thread is inside (aix-contract.md §7.3, "best" source).
import type { AixProcess } from '../aix/process.js';
import type { GuestThread } from '../aix/threads.js';
import type { RuntimeViewSource, ThreadView } from './views.js';

export function threadView(t: GuestThread, gdbThreadId: number = t.tid): ThreadView {
  const s = t.state;
  const c = t.current;
  return {
    tid: t.tid,
    gdbThreadId,
    status: t.status,
    waiting: t.waiter?.description,
    pc: s.pc,
    lr: s.lr,
    gpr: (n) => s.getGpr(n),
    importCall: c === undefined || c.call.kind !== 'import' ? undefined : { name: c.call.name, library: c.call.library, member: c.call.member, args: c.args },
  };
}

/**
 * Views over a live process. `gdbThreadId` maps a guest thread to gdb's id (default: the same
 * number, as the stub numbers threads by pthread id). `atImportEntry` names the thread stopped at
 * an import's sentinel before the emulator ran it (a catch-syscall entry stop), so that thread
 * counts as inside the call although the emulator has not recorded it yet.
 */
export function processViewSource(
  proc: AixProcess,
  opts: { gdbThreadId?: (t: GuestThread) => number } = {},
): RuntimeViewSource {
  return {
    image: proc.image,
    memory: proc.mem,
    threads: () =>
      proc.liveThreads().map((t) => {
        const v = threadView(t, opts.gdbThreadId?.(t) ?? t.tid);
        if (v.importCall === undefined) {
          // Stopped at a sentinel, before the HLE ran: the call is about to happen with R3..R10.
          const call = proc.sentinels.lookup(t.state.pc);
          if (call !== undefined && call.kind === 'import') {
            const args: bigint[] = [];
            for (let r = 3; r <= 10; r++) args.push(t.state.getGpr(r));
            v.importCall = { name: call.name, library: call.library, member: call.member, args };
          }
        }
        return v;
      }),
  };
}
