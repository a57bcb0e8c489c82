// Path semantics of a real kernel, in both modes: confined (--root DIR: our own resolver walks
// the path inside DIR) and unconfined (the host's /: the host kernel walks the path we pass it,
// so nothing may be normalized lexically on the way). Every rule is checked in both.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync, existsSync, lstatSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AT_FDCWD, ERRNO, O_CREAT, O_EXCL, O_RDONLY, O_WRONLY } from '../../../src/aix/constants.js';
import { GuestCalls } from './helpers.js';

const S_IFMT = 0xf000;
const S_IFDIR = 0x4000;
const S_IFREG = 0x8000;
const S_IFLNK = 0xa000;

let top: string;

beforeAll(() => {
  top = mkdtempSync(join(tmpdir(), 'aix-paths-'));
  mkdirSync(join(top, 'real', 'sub'), { recursive: true });
  writeFileSync(join(top, 'real', 'f.txt'), 'F');
  mkdirSync(join(top, 'a', 'b'), { recursive: true });
  symlinkSync('../../real', join(top, 'a', 'b', 'link')); // a/b/link/.. is top, not a/b
  symlinkSync('real', join(top, 'dirlink'));
  symlinkSync('real/f.txt', join(top, 'filelink'));
  symlinkSync('loop2', join(top, 'loop1'));
  symlinkSync('loop1', join(top, 'loop2'));
  symlinkSync('nowhere', join(top, 'dangling'));
  symlinkSync('nowhere-dir', join(top, 'dangling-dir'));
  // c0 -> c1 -> ... -> c40 -> real/f.txt: c1 takes 40 links (allowed), c0 takes 41 (ELOOP).
  for (let i = 0; i < 40; i++) symlinkSync(`c${i + 1}`, join(top, `c${i}`));
  symlinkSync('real/f.txt', join(top, 'c40'));
  // A GOROOT whose src is a symlink to another directory.
  mkdirSync(join(top, 'realsrc', 'fmt'), { recursive: true });
  writeFileSync(join(top, 'realsrc', 'fmt', 'print.go'), 'package fmt\n');
  mkdirSync(join(top, 'goroot'));
  symlinkSync('../realsrc', join(top, 'goroot', 'src'));
});

afterAll(() => rmSync(top, { recursive: true, force: true }));

describe.each(['confined', 'unconfined'] as const)('paths, %s', (mode) => {
  let g: GuestCalls;
  /** The guest's name for top/rel. */
  const P = (rel: string): string => (mode === 'confined' ? '/' : top + '/') + rel;

  beforeAll(() => {
    g = new GuestCalls(mode === 'confined' ? { root: top } : {});
  });

  const statMode = (fn: 'stat' | 'lstat', p: string): number => {
    const r = g.result(fn, [g.str(p), g.scratch + 0x1000n]);
    return r < 0 ? r : g.proc.mem.readU32(g.scratch + 0x1000n + 16n) & S_IFMT;
  };
  const statIno = (p: string): bigint => {
    expect(g.result('stat', [g.str(p), g.scratch + 0x1000n])).toBe(0);
    return g.proc.mem.readU64(g.scratch + 0x1000n + 8n);
  };
  const openR = (p: string, flags = O_RDONLY, mode_ = 0o644): number => g.result('open', [g.str(p), flags, mode_]);
  const readAll = (fd: number): string => {
    const n = g.result('read', [fd, g.scratch, 100]);
    g.result('close', [fd]);
    return g.bytes(g.scratch, n);
  };

  it('an empty path is ENOENT for every call (never the working directory)', () => {
    const e = g.str('');
    const other = g.str(P('x'));
    expect(g.result('open', [e, O_RDONLY, 0])).toBe(-ERRNO.ENOENT);
    expect(g.result('openat', [AT_FDCWD, e, O_RDONLY, 0])).toBe(-ERRNO.ENOENT);
    expect(g.result('stat', [e, g.scratch])).toBe(-ERRNO.ENOENT);
    expect(g.result('lstat', [e, g.scratch])).toBe(-ERRNO.ENOENT);
    expect(g.result('fstatat', [AT_FDCWD, e, g.scratch, 0])).toBe(-ERRNO.ENOENT);
    expect(g.result('access', [e, 0])).toBe(-ERRNO.ENOENT);
    expect(g.result('chdir', [e])).toBe(-ERRNO.ENOENT);
    expect(g.result('mkdir', [e, 0o755])).toBe(-ERRNO.ENOENT);
    expect(g.result('rmdir', [e])).toBe(-ERRNO.ENOENT);
    expect(g.result('unlink', [e])).toBe(-ERRNO.ENOENT);
    expect(g.result('readlink', [e, g.scratch, 100])).toBe(-ERRNO.ENOENT);
    expect(g.result('rename', [e, other])).toBe(-ERRNO.ENOENT);
    expect(g.result('symlink', [e, other])).toBe(-ERRNO.ENOENT);
    expect(g.result('chmod', [e, 0o644])).toBe(-ERRNO.ENOENT);
  });

  it('a trailing slash follows a symlink to a directory, even for lstat (GOROOT/src/ as cmd/go walks it)', () => {
    expect(statMode('lstat', P('dirlink'))).toBe(S_IFLNK);
    expect(statMode('lstat', P('dirlink/'))).toBe(S_IFDIR);
    expect(statMode('lstat', P('goroot/src'))).toBe(S_IFLNK);
    expect(statMode('lstat', P('goroot/src/'))).toBe(S_IFDIR);
    expect(statMode('stat', P('goroot/src/fmt/print.go'))).toBe(S_IFREG);
    expect(readAll(openR(P('goroot/src/fmt/print.go')))).toBe('package fmt\n');
  });

  it('a trailing slash (or more names) after a non-directory is ENOTDIR', () => {
    expect(statMode('stat', P('real/f.txt/'))).toBe(-ERRNO.ENOTDIR);
    expect(statMode('lstat', P('filelink/'))).toBe(-ERRNO.ENOTDIR);
    expect(statMode('stat', P('real/f.txt/.'))).toBe(-ERRNO.ENOTDIR);
    expect(statMode('stat', P('real/f.txt/x'))).toBe(-ERRNO.ENOTDIR);
    expect(openR(P('real/f.txt/'))).toBe(-ERRNO.ENOTDIR);
    expect(g.result('unlink', [g.str(P('real/f.txt/'))])).toBe(-ERRNO.ENOTDIR);
    expect(statMode('stat', P('real/sub/'))).toBe(S_IFDIR);
    expect(statMode('stat', P('missing/x'))).toBe(-ERRNO.ENOENT);
  });

  it('.. after a symlink climbs from the link target, not lexically', () => {
    expect(statIno(P('a/b/link/..'))).toBe(BigInt(statSync(top).ino));
    expect(readAll(openR(P('a/b/link/../real/f.txt')))).toBe('F');
    expect(statMode('stat', P('a/b/link/../b'))).toBe(-ERRNO.ENOENT); // lexically it would be a/b
    expect(statIno(P('a/b/link/./sub/..'))).toBe(BigInt(statSync(join(top, 'real')).ino));
  });

  it('ELOOP after 40 links; 40 are fine; lstat of a looping link sees the link', () => {
    expect(openR(P('loop1'))).toBe(-ERRNO.ELOOP);
    expect(statMode('stat', P('loop1/x'))).toBe(-ERRNO.ELOOP);
    expect(statMode('lstat', P('loop1'))).toBe(S_IFLNK);
    expect(readAll(openR(P('c1')))).toBe('F');
    expect(openR(P('c0'))).toBe(-ERRNO.ELOOP);
  });

  it('ENAMETOOLONG above NAME_MAX (255) per name and PATH_MAX (1023) per path', () => {
    expect(statMode('stat', P('x'.repeat(255)))).toBe(-ERRNO.ENOENT);
    expect(statMode('stat', P('x'.repeat(256)))).toBe(-ERRNO.ENAMETOOLONG);
    expect(openR(P('x'.repeat(256)), O_WRONLY | O_CREAT)).toBe(-ERRNO.ENAMETOOLONG);
    const deep = (len: number) => {
      let p = P('');
      while (p.length < len) p += 'd/';
      return p.slice(0, len - 1) + 'z';
    };
    expect(statMode('stat', deep(1023))).toBe(-ERRNO.ENOENT);
    expect(statMode('stat', deep(1024))).toBe(-ERRNO.ENAMETOOLONG);
    expect(g.result('mkdir', [g.str(deep(1024)), 0o755])).toBe(-ERRNO.ENAMETOOLONG);
  });

  it('dangling links: mkdir and O_CREAT|O_EXCL are EEXIST; plain O_CREAT creates the target', () => {
    expect(g.result('mkdir', [g.str(P('dangling-dir')), 0o755])).toBe(-ERRNO.EEXIST);
    expect(existsSync(join(top, 'nowhere-dir'))).toBe(false);
    expect(openR(P('dangling'), O_WRONLY | O_CREAT | O_EXCL)).toBe(-ERRNO.EEXIST);
    const fd = openR(P('dangling'), O_WRONLY | O_CREAT);
    expect(fd).toBeGreaterThan(2);
    g.result('close', [fd]);
    expect(existsSync(join(top, 'nowhere'))).toBe(true);
    rmSync(join(top, 'nowhere'));
  });

  it('mkdir with a trailing slash makes the directory; rename and unlink act on links themselves', () => {
    expect(g.result('mkdir', [g.str(P('made/')), 0o755])).toBe(0);
    expect(statSync(join(top, 'made')).isDirectory()).toBe(true);
    symlinkSync('real/f.txt', join(top, 'tmp-link'));
    expect(g.result('rename', [g.str(P('tmp-link')), g.str(P('made/moved-link'))])).toBe(0);
    expect(lstatSync(join(top, 'made', 'moved-link')).isSymbolicLink()).toBe(true);
    expect(g.result('renameat', [AT_FDCWD, g.str(P('made/moved-link')), AT_FDCWD, g.str(P('made/again'))])).toBe(0);
    expect(lstatSync(join(top, 'made', 'again')).isSymbolicLink()).toBe(true);
    expect(g.result('unlink', [g.str(P('made/again'))])).toBe(0);
    expect(readFileSync(join(top, 'real', 'f.txt'), 'utf8')).toBe('F');
    expect(g.result('rmdir', [g.str(P('made/'))])).toBe(0);
  });

  it('chdir through a symlink: getcwd is the physical path, and .. is its parent', () => {
    const before = g.proc.files.cwd;
    try {
      expect(g.result('chdir', [g.str(P('a/b/link'))])).toBe(0);
      expect(g.result('getcwd', [g.scratch, 4096])).not.toBe(-1);
      expect(g.proc.mem.readCString(g.scratch)).toBe(mode === 'confined' ? '/real' : join(top, 'real'));
      expect(readAll(openR('f.txt'))).toBe('F');
      expect(g.result('chdir', [g.str('..')])).toBe(0);
      expect(g.proc.files.cwd).toBe(mode === 'confined' ? '/' : top);
      expect(g.result('chdir', [g.str('real/f.txt')])).toBe(-ERRNO.ENOTDIR);
    } finally {
      g.proc.files.cwd = before;
    }
  });

  it('*at calls find names in a directory renamed after it was opened (os.Root)', () => {
    mkdirSync(join(top, `before-${mode}`));
    const dfd = openR(P(`before-${mode}`));
    expect(g.result('rename', [g.str(P(`before-${mode}`)), g.str(P(`after-${mode}`))])).toBe(0);
    writeFileSync(join(top, `after-${mode}`, 'f'), 'moved');
    expect(readAll(g.result('openat', [dfd, g.str('f'), O_RDONLY, 0]))).toBe('moved');
    expect(g.result('fchdir', [dfd])).toBe(0);
    expect(g.proc.files.cwd).toBe(mode === 'confined' ? `/after-${mode}` : join(top, `after-${mode}`));
    g.result('close', [dfd]);
    g.proc.files.cwd = mode === 'confined' ? '/' : process.cwd();
  });

  it('*at calls resolve from the directory fd (opened through a link); an absolute path ignores the fd', () => {
    const dfd = openR(P('dirlink'));
    expect(dfd).toBeGreaterThan(2);
    expect(readAll(g.result('openat', [dfd, g.str('f.txt'), O_RDONLY, 0]))).toBe('F');
    expect(g.result('fstatat', [dfd, g.str('../a/b'), g.scratch + 0x1000n, 0])).toBe(0);
    expect(readAll(g.result('openat', [999, g.str(P('real/f.txt')), O_RDONLY, 0]))).toBe('F');
    expect(g.result('openat', [999, g.str('f.txt'), O_RDONLY, 0])).toBe(-ERRNO.EBADF);
    g.result('close', [dfd]);
  });
});

describe('paths, unconfined: deeper than the host PATH_MAX', () => {
  it('mkdir and chdir 45 levels of 100-character names below the working directory (Go TestRemoveAllLongPath)', () => {
    const g = new GuestCalls();
    const start = mkdtempSync(join(top, 'long-'));
    expect(g.result('chdir', [g.str(start)])).toBe(0);
    const name = 'a'.repeat(100);
    for (let i = 0; i < 45; i++) {
      expect(g.result('mkdir', [g.str(name), 0o755])).toBe(0);
      expect(g.result('chdir', [g.str(name)])).toBe(0);
    }
    expect(g.proc.files.cwd.length).toBeGreaterThan(4500);
    const fd = g.result('open', [g.str('leaf'), O_WRONLY | O_CREAT, 0o644]);
    expect(fd).toBeGreaterThan(2);
    expect(g.result('close', [fd])).toBe(0);
    expect(g.result('stat', [g.str(`../${name}/leaf`), g.scratch])).toBe(0);
    // Its entries can be listed (getdirent reads through the open directory, not its long name).
    const dfd = g.result('open', [g.str('.'), O_RDONLY, 0]);
    const n = g.result('getdirent', [dfd, g.scratch + 0x1000n, 4096]);
    expect(n).toBeGreaterThan(0);
    expect(Buffer.from(g.proc.mem.readBytes(g.scratch + 0x1000n, n)).includes(Buffer.from('leaf'))).toBe(true);
    g.result('close', [dfd]);
    // A forked child has the same working directory, held open on its own.
    const child = g.proc.files.forkCopy();
    expect(statSync(child.hostPath('leaf')).isFile()).toBe(true);
    child.closeAll();
    expect(statSync(g.proc.files.hostPath('leaf')).isFile()).toBe(true);
    expect(g.result('chdir', [g.str(start)])).toBe(0);
    expect(g.proc.files.cwd).toBe(start);
    g.proc.files.closeAll();
    expect(spawnSync('rm', ['-rf', start]).status).toBe(0); // GNU rm walks trees deeper than PATH_MAX
  });
});
