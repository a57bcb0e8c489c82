// --deterministic: files the guest creates itself get inode numbers and times from the virtual
// clock, so stat/fstat/lstat (and getdirent's d_ino) report the same values in every run. The host
// gives a new file a new inode number and the wall-clock time; neither repeats. Files that existed
// before the run keep their host values (they are the same in both runs unless changed outside).
import * as fs from 'node:fs';
import * as path from 'node:path';

interface VirtualInode {
  ino: bigint;
  atimeNs: bigint;
  mtimeNs: bigint;
  ctimeNs: bigint;
}

/** What stat reports instead of the host's values for a file the guest created. */
export type StatOverride = VirtualInode;

/** Far above the inode numbers file systems hand out, so a virtual one never equals a host one. */
const VIRTUAL_INO_BASE = 1n << 48n;

type HostId = { dev: bigint; ino: bigint };

export class VirtualInodes {
  private readonly byHostId = new Map<string, VirtualInode>();
  private count = 0n;

  constructor(private readonly nowNs: () => bigint) {}

  private static key(st: HostId): string {
    return `${st.dev}:${st.ino}`;
  }

  private statOf(hostPath: string, follow: boolean): fs.BigIntStats | undefined {
    try {
      return follow ? fs.statSync(hostPath, { bigint: true }) : fs.lstatSync(hostPath, { bigint: true });
    } catch {
      return undefined;
    }
  }

  private record(st: HostId | undefined): VirtualInode | undefined {
    return st ? this.byHostId.get(VirtualInodes.key(st)) : undefined;
  }

  /** The values stat reports for this host file, if the guest created it. */
  override(st: HostId): StatOverride | undefined {
    return this.byHostId.get(VirtualInodes.key(st));
  }

  /** The guest just created the object at hostPath (the entry itself: a link is not followed). */
  created(hostPath: string): void {
    const st = this.statOf(hostPath, false);
    if (st) this.createdAs(st, hostPath);
  }

  /** The guest just created the file open as hostFd, named hostPath. */
  createdFd(hostFd: number, hostPath: string): void {
    this.createdAs(fs.fstatSync(hostFd, { bigint: true }), hostPath);
  }

  private createdAs(st: HostId, hostPath: string): void {
    const now = this.nowNs();
    this.byHostId.set(VirtualInodes.key(st), { ino: VIRTUAL_INO_BASE + ++this.count, atimeNs: now, mtimeNs: now, ctimeNs: now });
    this.entriesChanged(hostPath);
  }

  /** The contents changed (write, truncate): mtime and ctime are now. */
  modifiedFd(hostFd: number): void {
    const v = this.record(fs.fstatSync(hostFd, { bigint: true }));
    if (v) v.mtimeNs = v.ctimeNs = this.nowNs();
  }

  modified(hostPath: string): void {
    const v = this.record(this.statOf(hostPath, true));
    if (v) v.mtimeNs = v.ctimeNs = this.nowNs();
  }

  /** The inode changed (chmod, chown, link, rename): ctime is now. */
  inodeChanged(hostPath: string, follow: boolean): void {
    const v = this.record(this.statOf(hostPath, follow));
    if (v) v.ctimeNs = this.nowNs();
  }

  inodeChangedFd(hostFd: number): void {
    const v = this.record(fs.fstatSync(hostFd, { bigint: true }));
    if (v) v.ctimeNs = this.nowNs();
  }

  /** utimes/utimensat set these times (already resolved from UTIME_NOW/UTIME_OMIT). */
  timesSet(hostPath: string, follow: boolean, atimeNs: bigint, mtimeNs: bigint): void {
    const v = this.record(this.statOf(hostPath, follow));
    if (!v) return;
    v.atimeNs = atimeNs;
    v.mtimeNs = mtimeNs;
    v.ctimeNs = this.nowNs();
  }

  /** Before the entry at hostPath is removed: its inode is forgotten when this was its last name. */
  removing(hostPath: string): void {
    const st = this.statOf(hostPath, false);
    if (st && (st.nlink <= 1n || st.isDirectory())) this.byHostId.delete(VirtualInodes.key(st));
    this.entriesChanged(hostPath);
  }

  /** A name was added to or removed from hostPath's directory: its mtime and ctime are now. */
  entriesChanged(hostPath: string): void {
    const v = this.record(this.statOf(path.dirname(hostPath.replace(/\/+$/, '') || '/'), true));
    if (v) v.mtimeNs = v.ctimeNs = this.nowNs();
  }
}
