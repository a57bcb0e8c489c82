// The AIX socket ABI: family, type, level and option numbers, and struct sockaddr as the guest
// lays it out ({len u8, family u8, ...}: sockaddr_in has sin_len on AIX; AF_INET6 = 24;
// SOL_SOCKET = 0xffff). Numbers and layouts: syscall/ztypes_aix_ppc64.go and zerrors_aix_ppc64.go.
import * as net from 'node:net';
import * as os from 'node:os';

export const AF_UNSPEC = 0;
export const AF_UNIX = 1;
export const AF_INET = 2;
export const AF_INET6 = 24;
export const SOCK_STREAM = 1;
export const SOCK_DGRAM = 2;
export const SOCK_RAW = 3;
export const SOL_SOCKET = 0xffff;
export const IPPROTO_IP = 0;
export const IPPROTO_TCP = 6;
export const IPPROTO_IPV6 = 0x29;
export const SO_REUSEADDR = 0x4;
export const SO_KEEPALIVE = 0x8;
export const SO_BROADCAST = 0x20;
export const SO_LINGER = 0x80;
export const SO_REUSEPORT = 0x200;
export const SO_SNDBUF = 0x1001;
export const SO_RCVBUF = 0x1002;
export const SO_ERROR = 0x1007;
export const SO_TYPE = 0x1008;
export const SO_ACCEPTCONN = 0x2;
export const TCP_NODELAY = 0x1;
export const IPV6_V6ONLY = 0x25;
export const MSG_PEEK = 0x2;
export const MSG_TRUNC = 0x10;
export const SHUT_RD = 0;
export const SHUT_WR = 1;
export const SHUT_RDWR = 2;

export interface SockAddr {
  family: number;
  host?: string;
  port?: number;
  path?: string;
}

function parseIPv6(s: string): Uint8Array {
  const out = new Uint8Array(16);
  let text = s;
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  const tail: number[] = [];
  if (v4) {
    const b = v4[1]!.split('.').map(Number);
    tail.push((b[0]! << 8) | b[1]!, (b[2]! << 8) | b[3]!);
    text = text.slice(0, -v4[1]!.length);
    if (text.endsWith(':') && !text.endsWith('::')) text = text.slice(0, -1);
  }
  const [head, rest] = text.includes('::') ? text.split('::') : [text, undefined];
  const hs = head ? head.split(':').filter((x) => x !== '').map((x) => parseInt(x, 16)) : [];
  const rs = rest !== undefined && rest !== '' ? rest.split(':').filter((x) => x !== '').map((x) => parseInt(x, 16)) : [];
  const groups = [...hs, ...new Array<number>(8 - hs.length - rs.length - tail.length).fill(0), ...rs, ...tail];
  groups.slice(0, 8).forEach((g, i) => {
    out[2 * i] = g >> 8;
    out[2 * i + 1] = g & 0xff;
  });
  return out;
}

function formatIPv6(b: Uint8Array): string {
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((b[i]! << 8) | b[i + 1]!).toString(16));
  return groups.join(':');
}

export function encodeSockaddr(a: SockAddr): Uint8Array {
  if (a.family === AF_INET) {
    const b = new Uint8Array(16);
    b[0] = 16;
    b[1] = AF_INET;
    new DataView(b.buffer).setUint16(2, a.port ?? 0);
    const host = (a.host ?? '0.0.0.0').replace(/^::ffff:/i, '');
    (net.isIPv4(host) ? host : '0.0.0.0').split('.').forEach((x, i) => (b[4 + i] = Number(x)));
    return b;
  }
  if (a.family === AF_INET6) {
    const b = new Uint8Array(28);
    b[0] = 28;
    b[1] = AF_INET6;
    new DataView(b.buffer).setUint16(2, a.port ?? 0);
    let host = a.host ?? '::';
    if (net.isIPv4(host)) host = '::ffff:' + host;
    b.set(parseIPv6(host), 8);
    return b;
  }
  if (a.family === AF_UNSPEC) {
    const b = new Uint8Array(16);
    b[0] = 16;
    return b;
  }
  const p = Buffer.from(a.path ?? '', 'utf8');
  const b = new Uint8Array(Math.min(2 + p.length + 1, 1025));
  b[0] = b.length;
  b[1] = AF_UNIX;
  b.set(p.subarray(0, b.length - 3), 2);
  return b;
}

export function decodeSockaddr(raw: Uint8Array): SockAddr | undefined {
  if (raw.length < 2) return undefined;
  const family = raw[1]!;
  const v = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  if (family === AF_INET && raw.length >= 8) return { family, port: v.getUint16(2), host: [...raw.subarray(4, 8)].join('.') };
  if (family === AF_INET6 && raw.length >= 24) return { family, port: v.getUint16(2), host: formatIPv6(raw.subarray(8, 24)) };
  if (family === AF_UNIX) {
    const bytes = raw.subarray(2);
    const nul = bytes.indexOf(0);
    return { family, path: Buffer.from(nul < 0 ? bytes : bytes.subarray(0, nul)).toString('utf8') };
  }
  return { family };
}

/** Node's view of an address as the guest socket's family sees it. */
export function hostAddr(family: number, address: string | undefined, port: number | undefined, path?: string): SockAddr {
  if (family === AF_UNIX) return { family, path: path ?? '' };
  return { family, host: address ?? (family === AF_INET6 ? '::' : '0.0.0.0'), port: port ?? 0 };
}

/** An address as 16 bytes (IPv4 as v4-mapped IPv6), or undefined when it is not an IP literal. */
function ipBytes(host: string): Uint8Array | undefined {
  const h = host.replace(/%.*$/, ''); // zone
  if (net.isIPv4(h)) return parseIPv6('::ffff:' + h);
  if (net.isIPv6(h)) return parseIPv6(h);
  return undefined;
}

/**
 * Addresses a socket may bind: the wildcard, loopback (127/8, ::1, and their v4-mapped forms,
 * in any spelling), or one of this host's interface addresses; anything else is EADDRNOTAVAIL.
 */
export function isBindableAddress(host: string): boolean {
  const b = ipBytes(host);
  if (!b) return false;
  const v4mapped = b.subarray(0, 12).every((x, i) => x === (i < 10 ? 0 : 0xff));
  if (v4mapped && (b[12] === 127 || b.subarray(12).every((x) => x === 0))) return true;
  if (b.subarray(0, 15).every((x) => x === 0) && (b[15] === 0 || b[15] === 1)) return true;
  const key = b.join('.');
  return Object.values(os.networkInterfaces()).some((list) => (list ?? []).some((i) => ipBytes(i.address)?.join('.') === key));
}
