// fork, execve, wait4 and kill between emulated processes, driven call by call: the child is a
// copy (memory, descriptors, the calling thread returning 0), pipes are shared, the parent sees
// its child's death as a wait status and SIGCHLD, and exec replaces the image under the same pid.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ERRNO, SIG } from '../../../src/aix/constants.js';
import type { AixProcess } from '../../../src/aix/process.js';
import { asInt, callImport, makeProcess, processWithScratch, writeTinyProgram } from './helpers.js';

const WNOHANG = 1;

function forked() {
  const { proc, t, scratch } = processWithScratch();
  const launched: AixProcess[] = [];
  proc.table.launcher = (p) => launched.push(p);
  return { proc, t, scratch, launched };
}

describe('fork', () => {
  it('gives the child a copy of memory and descriptors, and 0 from the same call', () => {
    const { proc, t, scratch, launched } = forked();
    expect(callImport(proc, t, 'pipe', [scratch]).r3).toBe(0n);
    const [r, w] = [proc.mem.readU32(scratch), proc.mem.readU32(scratch + 4n)];
    proc.mem.writeU64(scratch + 64n, 0x1111n);
    const res = callImport(proc, t, 'fork', []);
    expect(asInt(res.r3)).toBe(4243);
    expect(launched).toHaveLength(1);
    const child = launched[0]!;
    const ct = child.threads[0]!;
    expect([child.pid, child.ppid, child.threads.length]).toEqual([4243, 4242, 1]);
    expect(ct.state.getGpr(3)).toBe(0n);
    expect(ct.state.pc).toBe(0x100000800n); // back at the caller, like the parent
    // Memory is the child's own from now on.
    proc.mem.writeU64(scratch + 64n, 0x2222n);
    expect(child.mem.readU64(scratch + 64n)).toBe(0x1111n);
    // The pipe is shared: what the child writes, the parent reads.
    child.mem.writeBytes(scratch + 128n, Buffer.from('hi'));
    expect(callImport(child, ct, 'write', [w, scratch + 128n, 2]).r3).toBe(2n);
    expect(callImport(proc, t, 'read', [r, scratch + 256n, 16]).r3).toBe(2n);
    expect(Buffer.from(proc.mem.readBytes(scratch + 256n, 2)).toString()).toBe('hi');
    // EOF only once both processes closed the write end.
    expect(callImport(proc, t, 'close', [w]).r3).toBe(0n);
    expect(callImport(proc, t, 'read', [r, scratch + 256n, 16]).blocked).toBe(true);
    callImport(child, ct, '_exit', [0]);
    expect(t.waiter!.retry(false)).toBe(0);
  });

  it('is ENOSYS when nothing can run a second process', () => {
    const { proc, t } = processWithScratch();
    expect(callImport(proc, t, 'fork', []).errno).toBe(ERRNO.ENOSYS);
  });
});

describe('wait4 and kill', () => {
  it('reports an exit status once, with SIGCHLD to the parent', () => {
    const { proc, t, scratch, launched } = forked();
    const pid = asInt(callImport(proc, t, 'fork', []).r3);
    expect(asInt(callImport(proc, t, 'wait4', [pid, scratch, WNOHANG, 0]).r3)).toBe(0);
    expect(callImport(proc, t, 'wait4', [-1, scratch, 0, 0]).blocked).toBe(true);
    const child = launched[0]!;
    callImport(child, child.threads[0]!, '_exit', [3]);
    expect(child.end).toEqual({ kind: 'exited', code: 3 });
    expect(t.pendingSignals.map((s) => s.signal)).toContain(SIG.SIGCHLD);
    // The blocked wait4 completes when retried (the scheduler does this on its next round).
    const retried = t.waiter!.retry(false);
    expect(retried).toBe(pid);
    expect(proc.mem.readU32(scratch)).toBe(3 << 8); // WIFEXITED, WEXITSTATUS 3
    proc.completeCall(t, retried!);
    expect(callImport(proc, t, 'wait4', [-1, scratch, 0, 0]).errno).toBe(ERRNO.ECHILD);
  });

  it('delivers signals to a child; SIGKILL ends it at once', () => {
    const { proc, t, scratch, launched } = forked();
    const pid = asInt(callImport(proc, t, 'fork', []).r3);
    const child = launched[0]!;
    expect(callImport(proc, t, 'kill', [pid, SIG.SIGTERM]).r3).toBe(0n);
    expect(child.threads[0]!.pendingSignals.map((s) => s.signal)).toEqual([SIG.SIGTERM]);
    expect(callImport(proc, t, 'kill', [pid, 0]).r3).toBe(0n);
    // SIGSTOP stops it as it is sent (nothing queued); SIGCONT resumes it.
    expect(callImport(proc, t, 'kill', [pid, SIG.SIGSTOP]).r3).toBe(0n);
    expect([child.stopped, child.threads[0]!.pendingSignals.length]).toEqual([true, 1]);
    expect(callImport(proc, t, 'kill', [pid, SIG.SIGCONT]).r3).toBe(0n);
    expect(child.stopped).toBe(false);
    expect(callImport(proc, t, 'kill', [pid, SIG.SIGKILL]).r3).toBe(0n);
    expect(child.end).toEqual({ kind: 'signaled', signal: SIG.SIGKILL });
    expect(asInt(callImport(proc, t, 'wait4', [pid, scratch, 0, 0]).r3)).toBe(pid);
    const status = proc.mem.readU32(scratch);
    // Go's WaitStatus: Signaled() = low byte nonzero without 0x40; Signal() = bits 16-23.
    expect([(status >> 16) & 0xff, status & 0xff && !(status & 0x40)]).toEqual([SIG.SIGKILL, true]);
    expect(callImport(proc, t, 'kill', [99999, SIG.SIGTERM]).errno).toBe(ERRNO.ESRCH);
  });
});

describe('execve', () => {
  const dir = mkdtempSync(join(tmpdir(), 'execve-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('replaces an XCOFF child in place: same pid, new image, descriptors minus close-on-exec', () => {
    const { proc, t, scratch, launched } = forked();
    callImport(proc, t, 'pipe', [scratch]);
    const [r, w] = [proc.mem.readU32(scratch), proc.mem.readU32(scratch + 4n)];
    callImport(proc, t, 'fcntl', [r, 2 /* F_SETFD */, 1 /* FD_CLOEXEC */]);
    const pid = asInt(callImport(proc, t, 'fork', []).r3);
    const child = launched[0]!;
    const ct = child.threads[0]!;
    const path = scratch + 0x100n;
    const argv = scratch + 0x800n;
    child.mem.writeBytes(scratch + 0x100n, Buffer.from(writeTinyProgram(dir, 'hello') + '\0'));
    child.mem.writeBytes(scratch + 0x900n, Buffer.from('hello\0'));
    child.mem.writeU64(argv, scratch + 0x900n);
    child.mem.writeU64(argv + 8n, 0n);
    const res = callImport(child, ct, 'execve', [path, argv, argv + 8n]);
    expect(res.errno).toBe(0);
    expect(launched).toHaveLength(2);
    const next = launched[1]!;
    expect([next.pid, next.ppid, next.opts.argv]).toEqual([pid, 4242, ['hello']]);
    expect(child.end).toBeDefined();
    expect(next.files.get(r)).toBeUndefined();
    expect(next.files.get(w)?.file.kind).toBe('pipe');
    // The old image's end is not a death the parent could reap.
    expect(asInt(callImport(proc, t, 'wait4', [pid, scratch, WNOHANG, 0]).r3)).toBe(0);
  });

  it('fails like AIX for a missing file, a non-executable one, and a host program under --root', () => {
    writeFileSync(join(dir, 'script'), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
    writeFileSync(join(dir, 'data'), 'x', { mode: 0o644 });
    const confined = makeProcess({ root: dir });
    const t = confined.threads[0]!;
    callImport(confined, t, '_Errno', []);
    const at = confined.space.allocate(0x1000n)!;
    const exec = (p: string) => {
      confined.mem.writeBytes(at, Buffer.from(p + '\0'));
      confined.mem.writeU64(at + 0x800n, 0n);
      return callImport(confined, t, 'execve', [at, at + 0x800n, at + 0x800n]).errno;
    };
    expect(exec('/missing')).toBe(ERRNO.ENOENT);
    expect(exec('/data')).toBe(ERRNO.EACCES);
    expect(exec('/')).toBe(ERRNO.EACCES);
    expect(exec('/script')).toBe(ERRNO.EACCES); // not AIX code: refused without --allow-host-exec
  });
});

describe('the process table', () => {
  it('keeps the status of a process nobody reaps for whenEnded, asked before or after it ends', async () => {
    const { ProcessTable } = await import('../../../src/aix/process-table.js');
    const table = new ProcessTable();
    const early = { pid: table.allocatePid(), ppid: 0, wake: () => undefined } as unknown as AixProcess;
    const late = { pid: table.allocatePid(), ppid: 0, wake: () => undefined } as unknown as AixProcess;
    table.attach(early);
    table.attach(late);
    const asked = table.whenEnded(early.pid);
    table.ended(early.pid, 5 << 8, 0n);
    // a run whose program exec'd asks only once the scheduler returns, which may be after the end
    table.ended(late.pid, 7 << 8, 0n);
    expect(table.entries.has(late.pid)).toBe(false);
    expect(await asked).toBe(5 << 8);
    expect(await table.whenEnded(late.pid)).toBe(7 << 8);
  });
});
