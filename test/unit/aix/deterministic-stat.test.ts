// --deterministic: files the guest creates report inode numbers and times from the virtual clock,
// so two runs (here: two processes over fresh directories) stat them identically; files that were
// there before keep the host's values.
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RealClock } from '../../../src/aix/clock.js';
import { O_CREAT, O_RDWR } from '../../../src/aix/constants.js';
import { GuestCalls } from './helpers.js';

const top = mkdtempSync(join(tmpdir(), 'aix-detstat-'));
afterAll(() => rmSync(top, { recursive: true, force: true }));

interface Seen {
  ino: bigint;
  atime: [bigint, number];
  mtime: [bigint, number];
  ctime: [bigint, number];
  size: bigint;
}

function statOf(g: GuestCalls, fn: 'stat' | 'lstat', p: string): Seen {
  const buf = g.scratch + 0x1000n;
  expect(g.result(fn, [g.str(p), buf])).toBe(0);
  const time = (off: bigint): [bigint, number] => [g.proc.mem.readU64(buf + off), g.proc.mem.readU32(buf + off + 8n)];
  return { ino: g.proc.mem.readU64(buf + 8n), atime: time(48n), mtime: time(64n), ctime: time(80n), size: g.proc.mem.readU64(buf + 168n) };
}

/** One "run": creates a directory, a file (written, then its times set), a symlink; stats them all. */
function session(dir: string, clock?: RealClock): Seen[] {
  const g = new GuestCalls(clock ? { clock } : {});
  const seen: Seen[] = [];
  expect(g.result('mkdir', [g.str(join(dir, 'd')), 0o755])).toBe(0);
  seen.push(statOf(g, 'stat', join(dir, 'd')));
  const fd = g.result('open', [g.str(join(dir, 'd', 'f')), O_RDWR | O_CREAT, 0o644]);
  seen.push(statOf(g, 'stat', join(dir, 'd', 'f')));
  g.proc.clock.addInstructions(5000); // guest time passes between calls
  g.proc.mem.writeBytes(g.scratch, Buffer.from('data'));
  expect(g.result('write', [fd, g.scratch, 4])).toBe(4);
  seen.push(statOf(g, 'stat', join(dir, 'd', 'f')));
  seen.push(statOf(g, 'stat', join(dir, 'd'))); // the directory changed when f was created
  // utimes with explicit times: exactly those come back.
  const tv = g.scratch + 0x800n;
  g.proc.mem.writeU64(tv, 1000n);
  g.proc.mem.writeU32(tv + 8n, 5);
  g.proc.mem.writeU64(tv + 16n, 2000n);
  g.proc.mem.writeU32(tv + 24n, 7);
  expect(g.result('utimes', [g.str(join(dir, 'd', 'f')), tv])).toBe(0);
  seen.push(statOf(g, 'stat', join(dir, 'd', 'f')));
  expect(g.result('symlink', [g.str('f'), g.str(join(dir, 'd', 'l'))])).toBe(0);
  seen.push(statOf(g, 'lstat', join(dir, 'd', 'l')));
  g.result('close', [fd]);
  return seen;
}

describe('--deterministic stat of files the guest created', () => {
  it('two runs see the same inode numbers and times, call by call', () => {
    const a = session(mkdtempSync(join(top, 'run-')));
    const b = session(mkdtempSync(join(top, 'run-')));
    expect(b).toEqual(a);
    const inos = new Set(a.map((s) => s.ino));
    expect(inos.size).toBe(3); // d, f, l: distinct, and f keeps its number through write and utimes
    // Times follow the virtual clock (epoch 2024-01-01): creation, then the write 5000 ns later.
    expect(a[1]!.mtime[0]).toBe(1_704_067_200n);
    expect(a[2]!.mtime).not.toEqual(a[1]!.mtime);
    expect(a[2]!.size).toBe(4n);
    expect(a[3]!.mtime).toEqual(a[1]!.mtime); // d's mtime: when f was made, not when it was written
    expect(a[4]!.atime).toEqual([1000n, 5000]);
    expect(a[4]!.mtime).toEqual([2000n, 7000]);
  });

  it('files that existed before keep the host inode number and times', () => {
    writeFileSync(join(top, 'old'), 'x');
    const host = statSync(join(top, 'old'), { bigint: true });
    const g = new GuestCalls();
    const s = statOf(g, 'stat', join(top, 'old'));
    expect(s.ino).toBe(host.ino);
    expect(s.mtime[0]).toBe(host.mtimeNs / 1_000_000_000n);
  });

  it('without --deterministic the host values are reported', () => {
    const dir = mkdtempSync(join(top, 'real-'));
    const seen = session(dir, new RealClock());
    expect(seen[1]!.ino).toBe(statSync(join(dir, 'd', 'f'), { bigint: true }).ino);
  });
});
