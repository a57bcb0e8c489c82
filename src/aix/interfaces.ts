// The host's network interfaces as AIX describes them to a process: the KINFO_RT_IFLIST table
// getkerninfo returns (one RTM_IFINFO message per interface with its link-level sockaddr_dl, one
// RTM_NEWADDR message per address with its netmask) and the MTU the SIOCGIFMTU ioctl reports.
// Go's net.Interfaces/InterfaceAddrs read exactly these (net/interface_aix.go). Layouts and numbers:
// syscall/ztypes_aix_ppc64.go (IfMsgHdr, 16 bytes) and zerrors_aix_ppc64.go.
import * as fs from 'node:fs';
import * as os from 'node:os';
import { AF_INET, AF_INET6, encodeSockaddr } from './sockaddr.js';

export const KINFO_RT_IFLIST = (0x1 << 8) | 3 | (1 << 30);
export const SIOCGIFMTU = -0x3fd796aa;
const RTM_VERSION = 0x2;
const RTM_NEWADDR = 0xc;
const RTM_IFINFO = 0xe;
const RTA_NETMASK = 0x4;
const RTA_IFA = 0x20;
const RTA_IFP = 0x10;
const AF_LINK = 0x12;
const IFT_ETHER = 0x6;
const IFT_LOOP = 0x18;
const SIZEOF_IF_MSGHDR = 16;

/** AIX interface flags by their Linux bit (UP, BROADCAST, LOOPBACK, POINTOPOINT, RUNNING, MULTICAST). */
const FLAGS: Array<[linux: number, aix: number]> = [[0x1, 0x1], [0x2, 0x2], [0x8, 0x8], [0x10, 0x10], [0x40, 0x40], [0x1000, 0x80000]];

export interface HostInterface {
  name: string;
  index: number;
  /** AIX IFF_* bits. */
  flags: number;
  mtu: number;
  mac: Uint8Array;
  loopback: boolean;
  addresses: Array<{ family: number; address: string; netmask: string }>;
}

function sysValue(name: string, file: string): string | undefined {
  try {
    return fs.readFileSync(`/sys/class/net/${name}/${file}`, 'utf8').trim();
  } catch {
    return undefined;
  }
}

/**
 * The host's interfaces: every one the kernel lists in /sys/class/net (index, flags, MTU, MAC),
 * with the addresses Node reports; without /sys, those Node reports, up and running.
 */
export function hostInterfaces(): HostInterface[] {
  const addrs = os.networkInterfaces();
  let names: string[];
  try {
    names = fs.readdirSync('/sys/class/net');
  } catch {
    names = Object.keys(addrs);
  }
  const out = names.map((name, i): HostInterface => {
    const list = addrs[name] ?? [];
    const loopback = list.some((a) => a.internal) || name === 'lo';
    const linuxFlags = parseInt(sysValue(name, 'flags') ?? (loopback ? '0x49' : '0x1043'), 16);
    let flags = 0;
    for (const [l, a] of FLAGS) if (linuxFlags & l) flags |= a;
    // /sys leaves IFF_RUNNING out: the kernel adds it for an up interface whose carrier is up.
    const oper = sysValue(name, 'operstate');
    if ((linuxFlags & 0x1) && (oper === undefined || oper === 'up' || oper === 'unknown')) flags |= 0x40;
    const macText = sysValue(name, 'address') ?? list[0]?.mac ?? '';
    const mac = loopback ? new Uint8Array(0) : Uint8Array.from(macText.split(':').filter((x) => x !== '').map((x) => parseInt(x, 16)));
    return {
      name,
      index: Number(sysValue(name, 'ifindex') ?? i + 1),
      flags,
      mtu: Number(sysValue(name, 'mtu') ?? (loopback ? 65536 : 1500)),
      mac,
      loopback,
      addresses: list.map((a) => ({ family: a.family === 'IPv4' ? AF_INET : AF_INET6, address: a.address, netmask: a.netmask })),
    };
  });
  return out.sort((a, b) => a.index - b.index);
}

function header(len: number, type: number, addrs: number, flags: number, index: number): Uint8Array {
  const b = new Uint8Array(len);
  const v = new DataView(b.buffer);
  v.setUint16(0, len);
  b[2] = RTM_VERSION;
  b[3] = type;
  v.setInt32(4, addrs);
  v.setInt32(8, flags);
  v.setUint16(12, index);
  return b;
}

const round4 = (n: number) => (n + 3) & ~3;

/** The KINFO_RT_IFLIST table for these interfaces. */
export function interfaceListTable(ifs: HostInterface[]): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const ifi of ifs) {
    const name = Buffer.from(ifi.name, 'latin1');
    // sockaddr_dl: len, family, index u16, type, nlen, alen, slen, then name and address.
    const dl = new Uint8Array(round4(8 + name.length + ifi.mac.length));
    dl[0] = dl.length;
    dl[1] = AF_LINK;
    new DataView(dl.buffer).setUint16(2, ifi.index);
    dl[4] = ifi.loopback ? IFT_LOOP : IFT_ETHER;
    dl[5] = name.length;
    dl[6] = ifi.mac.length;
    dl.set(name, 8);
    dl.set(ifi.mac, 8 + name.length);
    const info = header(SIZEOF_IF_MSGHDR + dl.length, RTM_IFINFO, RTA_IFP, ifi.flags, ifi.index);
    info[14] = dl.length;
    info.set(dl, SIZEOF_IF_MSGHDR);
    parts.push(info);
    for (const a of ifi.addresses) {
      // In RTA bit order: the netmask (bit 2) before the address (bit 5), each padded to 4 bytes.
      const mask = encodeSockaddr({ family: a.family, host: a.netmask, port: 0 });
      const addr = encodeSockaddr({ family: a.family, host: a.address, port: 0 });
      const msg = header(SIZEOF_IF_MSGHDR + round4(mask.length) + round4(addr.length), RTM_NEWADDR, RTA_NETMASK | RTA_IFA, ifi.flags, ifi.index);
      msg.set(mask, SIZEOF_IF_MSGHDR);
      msg.set(addr, SIZEOF_IF_MSGHDR + round4(mask.length));
      parts.push(msg);
    }
  }
  return Buffer.concat(parts);
}
