// File-backed mmap, called the way the sentinel dispatcher calls it: MAP_PRIVATE copy-on-write,
// MAP_SHARED writes reaching the file (read() of the same file sees them at once, the host file at
// msync/munmap/exit), write() showing through shared mappings, partial munmap, and the errors
// AIX gives (constants from syscall/zerrors_aix_ppc64.go).
import { mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ERRNO, MAP_ANONYMOUS, MAP_PRIVATE, MAP_SHARED, MS_INVALIDATE, MS_SYNC, O_RDONLY, O_RDWR, O_WRONLY, PROT_READ, PROT_WRITE } from '../../../src/aix/constants.js';
import type { AixProcess } from '../../../src/aix/process.js';
import type { GuestThread } from '../../../src/aix/threads.js';
import { asInt, callImport, makeProcess, processWithScratch } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'aix-mmap-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A host file of `size` bytes where byte i is i mod 251 (so offsets are visible in the data). */
function patternFile(name: string, size: number): string {
  const p = join(dir, name);
  writeFileSync(p, Uint8Array.from({ length: size }, (_, i) => i % 251));
  return p;
}

function openFile(proc: AixProcess, t: GuestThread, scratch: bigint, path: string, flags: number): number {
  proc.mem.writeBytes(scratch, Buffer.from(path + '\0'));
  const fd = asInt(callImport(proc, t, 'open', [scratch, flags, 0o644]).r3);
  expect(fd).toBeGreaterThanOrEqual(3);
  return fd;
}

function mmap(proc: AixProcess, t: GuestThread, len: number, prot: number, flags: number, fd: number, offset: number): { addr: bigint; errno: number } {
  const r = callImport(proc, t, 'mmap', [0, len, prot, flags, fd, offset]);
  return { addr: r.r3, errno: asInt(r.r3) === -1 ? r.errno : 0 };
}

function text(proc: AixProcess, addr: bigint, len: number): string {
  return Buffer.from(proc.mem.readChecked(addr, len)).toString('latin1');
}

describe('file-backed mmap', () => {
  it('MAP_PRIVATE maps the file from an offset, zero past its end, and keeps writes to itself', () => {
    const { proc, t, scratch } = processWithScratch();
    const path = patternFile('private', 10000);
    const fd = openFile(proc, t, scratch, path, O_RDONLY);
    const m = mmap(proc, t, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 4096);
    expect(m.errno).toBe(0);
    expect(m.addr % 4096n).toBe(0n);
    const bytes = proc.mem.readChecked(m.addr, 8192);
    for (let i = 0; i < 10000 - 4096; i++) if (bytes[i] !== (4096 + i) % 251) throw new Error(`byte ${i} is ${bytes[i]}`);
    expect([...bytes.subarray(10000 - 4096)].every((b) => b === 0)).toBe(true);
    // Copy-on-write: the mapping changes, the file and read() do not.
    proc.mem.writeChecked(m.addr, Buffer.from('PRIVATE'));
    expect(text(proc, m.addr, 7)).toBe('PRIVATE');
    const buf = scratch + 0x1000n;
    expect(callImport(proc, t, 'pread', [fd, buf, 4, 4096]).r3).toBe(4n);
    expect([...proc.mem.readBytes(buf, 4)]).toEqual([4096 % 251, 4097 % 251, 4098 % 251, 4099 % 251]);
    expect(callImport(proc, t, 'munmap', [m.addr, 8192]).r3).toBe(0n);
    proc.terminate({ kind: 'exited', code: 0 });
    expect(readFileSync(path)[4096]).toBe(4096 % 251);
  });

  it('MAP_SHARED: read() sees mapped writes at once, the mapping sees write(), msync reaches the host file', () => {
    const { proc, t, scratch } = processWithScratch();
    const path = patternFile('shared', 3 * 4096);
    const fd = openFile(proc, t, scratch, path, O_RDWR);
    const m = mmap(proc, t, 3 * 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    expect(m.errno).toBe(0);
    proc.mem.writeChecked(m.addr + 100n, Buffer.from('through the mapping'));
    // Another descriptor of the same file reads what the mapping holds (one page cache).
    const fd2 = openFile(proc, t, scratch, path, O_RDONLY);
    const buf = scratch + 0x1000n;
    expect(callImport(proc, t, 'pread', [fd2, buf, 19, 100]).r3).toBe(19n);
    expect(Buffer.from(proc.mem.readBytes(buf, 19)).toString()).toBe('through the mapping');
    // write() to the file shows in the mapping.
    proc.mem.writeBytes(buf, Buffer.from('by write()'));
    expect(callImport(proc, t, 'pwrite', [fd, buf, 10, 5000]).r3).toBe(10n);
    expect(text(proc, m.addr + 5000n, 10)).toBe('by write()');
    // A later mapped write then msync: the host file has both, nothing else changed.
    proc.mem.writeChecked(m.addr + 8200n, Buffer.from('synced'));
    expect(callImport(proc, t, 'msync', [m.addr, 3 * 4096, MS_SYNC]).r3).toBe(0n);
    const onDisk = readFileSync(path);
    expect(onDisk.subarray(100, 119).toString()).toBe('through the mapping');
    expect(onDisk.subarray(5000, 5010).toString()).toBe('by write()');
    expect(onDisk.subarray(8200, 8206).toString()).toBe('synced');
    expect(onDisk[99]).toBe(99);
    expect(onDisk.length).toBe(3 * 4096);
  });

  it('munmap of part of a shared mapping writes that part back; exit writes the rest, even after close', () => {
    const { proc, t, scratch } = processWithScratch();
    const path = patternFile('partial', 0x30000);
    const fd = openFile(proc, t, scratch, path, O_RDWR);
    const m = mmap(proc, t, 0x30000, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    expect(callImport(proc, t, 'close', [fd]).r3).toBe(0n);
    proc.mem.writeChecked(m.addr + 0x10n, Buffer.from('first'));
    proc.mem.writeChecked(m.addr + 0x20010n, Buffer.from('third'));
    // Unmap the first 64 KiB: its bytes reach the file now, the rest stays mapped and unsynced.
    expect(callImport(proc, t, 'munmap', [m.addr, 0x10000]).r3).toBe(0n);
    expect(readFileSync(path).subarray(0x10, 0x15).toString()).toBe('first');
    expect(readFileSync(path)[0x20010]).toBe(0x20010 % 251);
    expect(text(proc, m.addr + 0x20010n, 5)).toBe('third');
    proc.terminate({ kind: 'exited', code: 0 });
    expect(readFileSync(path).subarray(0x20010, 0x20015).toString()).toBe('third');
  });

  it('two shared mappings of one file see each other after msync; MS_INVALIDATE reloads from the file', () => {
    const { proc, t, scratch } = processWithScratch();
    const path = patternFile('twice', 4096);
    const fd = openFile(proc, t, scratch, path, O_RDWR);
    const a = mmap(proc, t, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    const b = mmap(proc, t, 4096, PROT_READ, MAP_SHARED, fd, 0);
    proc.mem.writeChecked(a.addr + 10n, Buffer.from('A wrote'));
    expect(callImport(proc, t, 'msync', [a.addr, 4096, MS_SYNC]).r3).toBe(0n);
    expect(text(proc, b.addr + 10n, 7)).toBe('A wrote');
    // Someone else changes the file: MS_INVALIDATE brings the mapping up to date.
    const host = readFileSync(path);
    host.write('outside', 2000, 'latin1');
    writeFileSync(path, host);
    expect(callImport(proc, t, 'msync', [b.addr, 4096, MS_INVALIDATE]).r3).toBe(0n);
    expect(text(proc, b.addr + 2000n, 7)).toBe('outside');
  });

  it('refuses what AIX refuses', () => {
    const { proc, t, scratch } = processWithScratch();
    const path = patternFile('errors', 8192);
    const ro = openFile(proc, t, scratch, path, O_RDONLY);
    const wo = openFile(proc, t, scratch, path, O_WRONLY);
    expect(mmap(proc, t, 4096, PROT_READ, MAP_SHARED, ro, 100).errno).toBe(ERRNO.EINVAL);
    expect(mmap(proc, t, 4096, PROT_READ, MAP_SHARED | MAP_PRIVATE, ro, 0).errno).toBe(ERRNO.EINVAL);
    expect(mmap(proc, t, 4096, PROT_READ, 0, ro, 0).errno).toBe(ERRNO.EINVAL);
    expect(mmap(proc, t, 4096, PROT_READ, MAP_SHARED, 99, 0).errno).toBe(ERRNO.EBADF);
    expect(mmap(proc, t, 4096, PROT_READ, MAP_SHARED, wo, 0).errno).toBe(ERRNO.EACCES);
    expect(mmap(proc, t, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, ro, 0).errno).toBe(ERRNO.EACCES);
    callImport(proc, t, 'pipe', [scratch + 0x100n]);
    expect(mmap(proc, t, 4096, PROT_READ, MAP_PRIVATE, proc.mem.readU32(scratch + 0x100n), 0).errno).toBe(ERRNO.ENODEV);
    // A private mapping of a read-only file may be written; a shared one may not become writable.
    expect(mmap(proc, t, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE, ro, 0).errno).toBe(0);
    const shared = mmap(proc, t, 4096, PROT_READ, MAP_SHARED, ro, 0);
    expect(shared.errno).toBe(0);
    expect(callImport(proc, t, 'mprotect', [shared.addr, 4096, PROT_READ | PROT_WRITE]).errno).toBe(ERRNO.EACCES);
    expect(callImport(proc, t, 'msync', [shared.addr + 1n, 4096, MS_SYNC]).errno).toBe(ERRNO.EINVAL);
    expect(callImport(proc, t, 'msync', [shared.addr, 4096, 0x10 | MS_SYNC]).errno).toBe(ERRNO.EINVAL);
    const anon = mmap(proc, t, 0x10000, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    expect(callImport(proc, t, 'munmap', [anon.addr, 0x10000]).r3).toBe(0n);
    expect(callImport(proc, t, 'msync', [anon.addr, 4096, MS_SYNC]).errno).toBe(ERRNO.ENOMEM);
  });

  it('a mapping larger than --memory-limit allows is ENOMEM, not a host out-of-memory', () => {
    const proc = makeProcess({ memoryLimit: 32n << 20n });
    const t = proc.threads[0]!;
    callImport(proc, t, '_Errno', []);
    const scratch = proc.space.allocate(0x1000n)!;
    const path = join(dir, 'sparse');
    writeFileSync(path, '');
    truncateSync(path, 64 << 20);
    const fd = openFile(proc, t, scratch, path, O_RDONLY);
    expect(mmap(proc, t, 64 << 20, PROT_READ, MAP_PRIVATE, fd, 0).errno).toBe(ERRNO.ENOMEM);
    const small = mmap(proc, t, 1 << 20, PROT_READ, MAP_PRIVATE, fd, 0);
    expect(small.errno).toBe(0);
    expect([...proc.mem.readChecked(small.addr + 12345n, 4)]).toEqual([0, 0, 0, 0]);
  });
});
