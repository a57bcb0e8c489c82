// File-backed mmap. Guest memory has no way to share storage with a host file, so a mapping is a
// copy of the file's bytes taken at mmap time, kept coherent at the points where the guest could
// tell the difference, as a unified page cache would:
// - MAP_SHARED: dirty bytes go back to the file before the process reads that file (read, pread,
//   a new mmap of it), at msync, at munmap and at exit; a write() to the file is copied into every
//   shared mapping of it, and bytes written back through one mapping into the other mappings.
// - MAP_PRIVATE: the copy is the copy-on-write page; nothing goes back.
// Dirty bytes are found by comparing the mapping with the file bytes as last exchanged (`synced`),
// kept only for mappings that can be written (a shared mapping of a file opened O_RDWR).
import * as fs from 'node:fs';
import type { GuestMemory } from '../cpu/memory.js';
import type { FileTable, OpenFile } from './files.js';

export type HostFile = Extract<OpenFile, { kind: 'host' }>;

interface FileMapping {
  /** Guest range [start, end); `offset` is the file position of `start`. */
  start: bigint;
  end: bigint;
  offset: number;
  file: HostFile;
  /** `${dev}:${ino}`: the same file through any descriptor or path. */
  identity: string;
  shared: boolean;
  /** Shared and writable: the file bytes as last exchanged with the mapping (index 0 = `start`). */
  synced: Uint8Array | undefined;
}

function identityOf(hostFd: number): string {
  const st = fs.fstatSync(hostFd);
  return `${st.dev}:${st.ino}`;
}

export class FileMappings {
  private mappings: FileMapping[] = [];
  /** How many mappings are shared, and how many of those can be written: when 0, the write and read hooks cost one comparison. */
  private sharedCount = 0;
  private writableSharedCount = 0;

  constructor(private readonly mem: GuestMemory, private readonly files: FileTable) {}

  /**
   * Fill [start, start+length) with the file's bytes from `offset` (zeros past its end) and track
   * the mapping. The caller has mapped the memory and checked the file's access mode. The mapping
   * holds a reference on the open file, as the kernel's mapping holds the file.
   */
  add(start: bigint, length: bigint, file: HostFile, offset: number, shared: boolean, writable: boolean): void {
    const identity = identityOf(file.hostFd);
    this.flushIdentity(identity);
    const len = Number(length);
    const synced = shared && writable ? new Uint8Array(len) : undefined;
    const size = fs.fstatSync(file.hostFd).size;
    const inFile = Math.max(0, Math.min(len, size - offset));
    // In chunks: a mapping may be larger than one host buffer should be; past the file it stays zero.
    const chunk = new Uint8Array(Math.min(inFile, 1 << 20));
    for (let at = 0; at < inFile; ) {
      const n = fs.readSync(file.hostFd, chunk, 0, Math.min(chunk.length, inFile - at), offset + at);
      if (n === 0) break;
      this.mem.writeBytes(start + BigInt(at), chunk.subarray(0, n));
      synced?.set(chunk.subarray(0, n), at);
      at += n;
    }
    file.refs++;
    this.mappings.push({ start, end: start + length, offset, file, identity, shared, synced });
    this.count(shared, synced !== undefined, 1);
  }

  private count(shared: boolean, writable: boolean, n: number): void {
    if (shared) this.sharedCount += n;
    if (writable) this.writableSharedCount += n;
  }

  /** Whether [start, end) overlaps a shared mapping of a file the process may not write. */
  sharedReadOnlyIn(start: bigint, end: bigint): boolean {
    return this.mappings.some((m) => m.shared && !m.synced && m.start < end && m.end > start);
  }

  /** munmap (or a MAP_FIXED mapping over it): write back, then forget [start, end). */
  remove(start: bigint, end: bigint): void {
    if (this.mappings.length === 0) return;
    const kept: FileMapping[] = [];
    for (const m of this.mappings) {
      if (m.end <= start || m.start >= end) {
        kept.push(m);
        continue;
      }
      this.writeBack(m, start > m.start ? start : m.start, end < m.end ? end : m.end);
      const pieces: FileMapping[] = [];
      if (m.start < start) pieces.push(this.slice(m, m.start, start));
      if (m.end > end) pieces.push(this.slice(m, end, m.end));
      kept.push(...pieces);
      // Each piece holds its own reference; the removed mapping's goes.
      m.file.refs += pieces.length;
      this.count(m.shared, m.synced !== undefined, pieces.length - 1);
      this.files.release(m.file);
    }
    this.mappings = kept;
  }

  private slice(m: FileMapping, start: bigint, end: bigint): FileMapping {
    const from = Number(start - m.start);
    const to = Number(end - m.start);
    return { ...m, start, end, offset: m.offset + from, synced: m.synced?.slice(from, to) };
  }

  /** msync: write back the shared mappings in [start, end); with `invalidate`, reload them from the file. */
  sync(start: bigint, end: bigint, invalidate: boolean): void {
    for (const m of this.mappings) {
      if (!m.shared || m.end <= start || m.start >= end) continue;
      const s = start > m.start ? start : m.start;
      const e = end < m.end ? end : m.end;
      this.writeBack(m, s, e);
      if (invalidate) this.reload(m, m.offset + Number(s - m.start), Number(e - s));
    }
  }

  /** Before the process reads a file: its shared mappings' dirty bytes reach it first. */
  beforeRead(hostFd: number): void {
    if (this.writableSharedCount === 0) return;
    this.flushIdentity(identityOf(hostFd));
  }

  /** After the process wrote [pos, pos+n) of a file: every shared mapping of it shows the new bytes. */
  afterWrite(hostFd: number, pos: number, n: number): void {
    if (this.sharedCount === 0 || n <= 0) return;
    const identity = identityOf(hostFd);
    for (const m of this.mappings) if (m.shared && m.identity === identity) this.reload(m, pos, n);
  }

  /** Process exit: everything dirty reaches its file; the mappings' file references go. */
  flushAll(): void {
    for (const m of this.mappings) {
      try {
        this.writeBack(m, m.start, m.end);
      } catch {
        // The file went away or the disk is full: the process is ending, nothing to report to.
      }
      this.files.release(m.file);
    }
    this.mappings = [];
    this.sharedCount = 0;
    this.writableSharedCount = 0;
  }

  private flushIdentity(identity: string): void {
    if (this.writableSharedCount === 0) return;
    for (const m of this.mappings) if (m.shared && m.identity === identity) this.writeBack(m, m.start, m.end);
  }

  /** Write the bytes of [start, end) that changed since the last exchange (never past the file's end). */
  private writeBack(m: FileMapping, start: bigint, end: bigint): void {
    if (!m.synced) return;
    const size = fs.fstatSync(m.file.hostFd).size;
    const from = Number(start - m.start);
    const to = Math.min(Number(end - m.start), size - m.offset);
    if (to <= from) return;
    const now = this.mem.readBytes(start, to - from);
    let i = 0;
    while (i < now.length) {
      if (now[i] === m.synced[from + i]) {
        i++;
        continue;
      }
      let j = i + 1;
      while (j < now.length && now[j] !== m.synced[from + j]) j++;
      const run = now.subarray(i, j);
      const pos = m.offset + from + i;
      fs.writeSync(m.file.hostFd, run, 0, run.length, pos);
      m.synced.set(run, from + i);
      // Other shared mappings of the same bytes see them now, as they share the page.
      for (const o of this.mappings) if (o !== m && o.shared && o.identity === m.identity) this.reload(o, pos, run.length);
      i = j;
    }
  }

  /** Copy the file's [pos, pos+n) into the part of `m` that maps it. */
  private reload(m: FileMapping, pos: number, n: number): void {
    const mapEnd = m.offset + Number(m.end - m.start);
    const from = Math.max(pos, m.offset);
    const to = Math.min(pos + n, mapEnd);
    if (to <= from) return;
    const bytes = new Uint8Array(to - from);
    const got = fs.readSync(m.file.hostFd, bytes, 0, bytes.length, from);
    const data = bytes.subarray(0, got);
    this.mem.writeBytes(m.start + BigInt(from - m.offset), data);
    m.synced?.set(data, from - m.offset);
  }
}
