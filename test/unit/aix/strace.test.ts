// --strace decodes structs: stat / timespec / sigaction / sockaddr / pollfd arrays, out-params
// only once the call succeeded (a failed call shows the pointer, as strace does).
import { describe, expect, it } from 'vitest';
import { statSync } from 'node:fs';
import { formatCallArguments, formatStraceResult } from '../../../src/aix/strace.js';
import { encodeStat } from '../../../src/aix/libc/files.js';
import { AF_INET, AF_INET6, AF_UNIX, encodeSockaddr } from '../../../src/aix/sockaddr.js';
import { ERRNO, SIG } from '../../../src/aix/constants.js';
import { makeProcess } from './helpers.js';

function setup() {
  const proc = makeProcess();
  const buf = proc.space.allocate(0x10000n)!;
  return { proc, buf };
}

describe('--strace struct decoding', () => {
  it('stat after a successful call; the pointer after a failed one', () => {
    const { proc, buf } = setup();
    proc.mem.writeBytes(buf, Buffer.from('/etc\0'));
    proc.mem.writeBytes(buf + 0x100n, encodeStat(statSync('/etc', { bigint: true })));
    const ok = formatStraceResult(proc, 'stat', [buf, buf + 0x100n], 0n, 0);
    expect(ok).toMatch(/^stat\("\/etc", \{st_dev=\d+, st_ino=\d+, st_mode=S_IFDIR\|0755, st_nlink=\d+, st_uid=\d+, st_gid=\d+, st_size=\d+, st_mtime=\{tv_sec=\d+, tv_nsec=\d+\}\}\) = 0$/);
    const bad = formatStraceResult(proc, 'stat', [buf, buf + 0x100n], -1n, ERRNO.ENOENT);
    expect(bad).toBe(`stat("/etc", 0x${(buf + 0x100n).toString(16)}) = -1 ENOENT (No such file or directory)`);
  });

  it('timespec out of clock_gettime and into nanosleep', () => {
    const { proc, buf } = setup();
    proc.mem.writeU64(buf, 12n);
    proc.mem.writeU64(buf + 8n, 345n);
    expect(formatStraceResult(proc, 'clock_gettime', [10n, buf], 0n, 0)).toBe('clock_gettime(CLOCK_MONOTONIC, {tv_sec=12, tv_nsec=345}) = 0');
    expect(formatCallArguments(proc.mem, 'clock_gettime', [10n, buf])).toBe(`clock_gettime(CLOCK_MONOTONIC, 0x${buf.toString(16)})`);
    expect(formatStraceResult(proc, 'nanosleep', [buf, 0n], 0n, 0)).toBe('nanosleep({tv_sec=12, tv_nsec=345}, NULL) = 0');
  });

  it('sigaction: handler, mask (complement when mostly full) and flags', () => {
    const { proc, buf } = setup();
    proc.mem.writeU64(buf, 0x200547670n);
    for (let i = 0; i < 4; i++) proc.mem.writeU64(buf + 8n + BigInt(i * 8), 0xffff_ffff_ffff_ffffn);
    proc.mem.writeU32(buf + 40n, 0x109);
    proc.mem.writeBytes(buf + 0x100n, new Uint8Array(48));
    expect(formatStraceResult(proc, 'sigaction', [BigInt(SIG.SIGURG), buf, buf + 0x100n], 0n, 0)).toBe(
      'sigaction(SIGURG, {sa_handler=0x200547670, sa_mask=~[], sa_flags=SA_ONSTACK|SA_RESTART|SA_SIGINFO}, {sa_handler=SIG_DFL, sa_mask=[], sa_flags=0}) = 0',
    );
  });

  it('sockaddr in (bind, connect) and out (accept, getsockname) for every family', () => {
    const { proc, buf } = setup();
    proc.mem.writeBytes(buf, encodeSockaddr({ family: AF_INET, host: '127.0.0.1', port: 8080 }));
    expect(formatStraceResult(proc, 'bind', [3n, buf, 16n], 0n, 0)).toBe('bind(3, {sa_family=AF_INET, sin_port=htons(8080), sin_addr=inet_addr("127.0.0.1")}, 16) = 0');
    proc.mem.writeBytes(buf + 0x100n, encodeSockaddr({ family: AF_INET6, host: '::1', port: 443 }));
    proc.mem.writeU32(buf + 0x200n, 28);
    expect(formatStraceResult(proc, 'accept', [3n, buf + 0x100n, buf + 0x200n], 5n, 0)).toBe(
      `accept(3, {sa_family=AF_INET6, sin6_port=htons(443), sin6_addr="::1"}, 0x${(buf + 0x200n).toString(16)}) = 5`,
    );
    const un = encodeSockaddr({ family: AF_UNIX, path: '/tmp/s' });
    proc.mem.writeBytes(buf + 0x300n, un);
    expect(formatStraceResult(proc, 'connect', [4n, buf + 0x300n, BigInt(un.length)], 0n, 0)).toBe(`connect(4, {sa_family=AF_UNIX, sun_path="/tmp/s"}, ${un.length}) = 0`);
  });

  it('datagram addresses: sendto\'s destination, recvfrom\'s source once it succeeded, none for a stream', () => {
    const { proc, buf } = setup();
    proc.mem.writeBytes(buf, encodeSockaddr({ family: AF_INET, host: '127.0.0.1', port: 53 }));
    const data = `0x${(buf + 0x800n).toString(16)}`;
    expect(formatStraceResult(proc, 'sendto', [5n, buf + 0x800n, 12n, 0n, buf, 16n], 12n, 0)).toBe(
      `sendto(5, ${data}, 12, 0x0, {sa_family=AF_INET, sin_port=htons(53), sin_addr=inet_addr("127.0.0.1")}, 16) = 12`,
    );
    const lenp = buf + 0x200n;
    proc.mem.writeU32(lenp, 16);
    const tail = `0x${lenp.toString(16)}`;
    expect(formatStraceResult(proc, 'recvfrom', [5n, buf + 0x800n, 512n, 0n, buf, lenp], 40n, 0)).toBe(
      `recvfrom(5, ${data}, 512, 0x0, {sa_family=AF_INET, sin_port=htons(53), sin_addr=inet_addr("127.0.0.1")}, ${tail}) = 40`,
    );
    proc.mem.writeU32(lenp, 0);
    expect(formatStraceResult(proc, 'recvfrom', [5n, buf + 0x800n, 512n, 0n, buf, lenp], 40n, 0)).toBe(`recvfrom(5, ${data}, 512, 0x0, 0x${buf.toString(16)}, ${tail}) = 40`);
  });

  it('pollfd arrays: events in the arguments, revents of ready fds after the result', () => {
    const { proc, buf } = setup();
    proc.mem.writeU32(buf, 4);
    proc.mem.writeU32(buf + 4n, (0x1 << 16) | 0x1);
    proc.mem.writeU32(buf + 8n, 6);
    proc.mem.writeU32(buf + 12n, 0x2 << 16);
    expect(formatStraceResult(proc, 'poll', [buf, 2n, 0xffff_ffff_ffff_ffffn], 1n, 0)).toBe(
      'poll([{fd=4, events=POLLIN}, {fd=6, events=POLLOUT}], 2, -1) = 1 ([{fd=4, revents=POLLIN}])',
    );
  });
});
