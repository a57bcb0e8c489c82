// A guest datagram socket (SOCK_DGRAM, AF_INET/AF_INET6) backed by Node's `dgram` module. As for
// stream sockets (socket.ts), Node's events fill a queue and the guest calls (libc/sockets.ts)
// only look at it. The queue keeps message boundaries: one receive takes one datagram, and a
// buffer shorter than the datagram gets its head while the rest is dropped, as the kernel does.
import * as dgram from 'node:dgram';
import { POLLERR, POLLIN, POLLOUT, hostErrnoToAix } from './constants.js';
import { AF_INET6, IPPROTO_IPV6, IPV6_V6ONLY, SOL_SOCKET, SO_BROADCAST, SO_RCVBUF, SO_REUSEADDR, SO_REUSEPORT, SO_SNDBUF, hostAddr, type SockAddr } from './sockaddr.js';

/** Received bytes queued before further datagrams are dropped (a full socket buffer). */
const RECV_QUEUE_LIMIT = 4 << 20;
/** Largest UDP payload over IPv4 / IPv6 (65535 minus the IP and UDP headers). */
export const MAX_DATAGRAM_V4 = 65507;
export const MAX_DATAGRAM_V6 = 65527;

export interface Datagram {
  data: Uint8Array;
  from: SockAddr;
}

type DatagramState = 'new' | 'binding' | 'bound' | 'connecting' | 'closed';

export class GuestDatagramSocket {
  state: DatagramState = 'new';
  /** The default destination set by connect; only its datagrams are received. */
  peer: SockAddr | undefined;
  host: dgram.Socket | undefined;
  private readonly queue: Datagram[] = [];
  private queuedBytes = 0;
  /** SO_ERROR: set by an asynchronous failure (bind, connect), cleared when read. */
  pendingError = 0;
  readShut = false;
  writeShut = false;
  readonly options = new Map<string, number>();

  constructor(readonly family: number, readonly type: number, protected readonly notify: () => void) {}

  option(level: number, name: number): number | undefined {
    return this.options.get(`${level}:${name}`);
  }

  get maxDatagram(): number {
    return this.family === AF_INET6 ? MAX_DATAGRAM_V6 : MAX_DATAGRAM_V4;
  }

  /**
   * Start binding the host socket to `a` (port 0: any). Node binds asynchronously; `state` turns
   * 'bound' (or back to 'new' with pendingError set) and the scheduler is notified.
   */
  startBind(a: SockAddr): void {
    const s = dgram.createSocket({
      type: this.family === AF_INET6 ? 'udp6' : 'udp4',
      reuseAddr: !!(this.option(SOL_SOCKET, SO_REUSEADDR) || this.option(SOL_SOCKET, SO_REUSEPORT)),
      ipv6Only: this.family === AF_INET6 && this.option(IPPROTO_IPV6, IPV6_V6ONLY) === 1,
    });
    this.host = s;
    this.state = 'binding';
    s.on('message', (msg: Buffer, rinfo: dgram.RemoteInfo) => {
      this.deliver(msg, hostAddr(this.family, rinfo.address, rinfo.port));
    });
    s.on('error', (e: NodeJS.ErrnoException) => {
      this.pendingError = hostErrnoToAix(e.code);
      if (this.state === 'binding') {
        this.state = 'new';
        this.host = undefined;
        s.close();
      }
      this.notify();
    });
    s.bind({ port: a.port ?? 0, address: a.host, exclusive: true }, () => {
      if (this.state !== 'binding') return;
      this.state = 'bound';
      if (this.option(SOL_SOCKET, SO_BROADCAST)) s.setBroadcast(true);
      const rcv = this.option(SOL_SOCKET, SO_RCVBUF);
      const snd = this.option(SOL_SOCKET, SO_SNDBUF);
      try {
        if (rcv) s.setRecvBufferSize(rcv);
        if (snd) s.setSendBufferSize(snd);
      } catch {
        // the host keeps its own sizes
      }
      this.notify();
    });
  }

  /** Start connecting a bound host socket to `a`; 'connecting' until Node confirms. */
  startConnect(a: SockAddr): void {
    const s = this.host!;
    this.state = 'connecting';
    s.connect(a.port ?? 0, a.host, (err?: Error) => {
      if (this.state !== 'connecting') return;
      this.state = 'bound';
      if (err) this.pendingError = hostErrnoToAix((err as NodeJS.ErrnoException).code);
      else {
        const r = s.remoteAddress();
        this.peer = hostAddr(this.family, r.address, r.port);
        // Datagrams that arrived from others before the connect are not the peer's.
        this.dropNotFromPeer();
      }
      this.notify();
    });
  }

  private dropNotFromPeer(): void {
    const p = this.peer!;
    for (let i = this.queue.length - 1; i >= 0; i--) {
      const d = this.queue[i]!;
      if (d.from.port !== p.port || sameHost(d.from.host, p.host) === false) {
        this.queuedBytes -= d.data.length;
        this.queue.splice(i, 1);
      }
    }
  }

  /** getsockname: the host's view once bound (a connect narrows a wildcard to the route's source). */
  localAddress(): SockAddr {
    if (this.host && (this.state === 'bound' || this.state === 'connecting')) {
      const a = this.host.address();
      return hostAddr(this.family, a.address, a.port);
    }
    return hostAddr(this.family, undefined, 0);
  }

  /** The next datagram (removed unless peek). */
  receive(peek: boolean): Datagram | undefined {
    const d = this.queue[0];
    if (d && !peek) {
      this.queue.shift();
      this.queuedBytes -= d.data.length;
    }
    return d;
  }

  /** Forget the default destination (connect with AF_UNSPEC, or before another connect). */
  disconnect(): void {
    if (this.peer) this.host?.disconnect();
    this.peer = undefined;
  }

  /** A datagram for this socket from `from`; false when its queue is full (dropped). */
  deliver(data: Uint8Array, from: SockAddr): boolean {
    if (this.readShut || this.queuedBytes + data.length > RECV_QUEUE_LIMIT) return false;
    this.queue.push({ data: data.slice(), from });
    this.queuedBytes += data.length;
    this.notify();
    return true;
  }

  /** Wake whoever waits on this socket (its state changed without a host event). */
  wake(): void {
    this.notify();
  }

  /** Hand one datagram to the host (to the connected peer when `to` is undefined); 0 or an errno. */
  send(data: Uint8Array, to: SockAddr | undefined): number {
    const s = this.host!;
    const onSent = (err: Error | null) => {
      // The kernel reports no asynchronous send failure on an unconnected socket; a connected one
      // sees it (ECONNREFUSED from an ICMP error) on its next call.
      if (err && this.peer) {
        this.pendingError = hostErrnoToAix((err as NodeJS.ErrnoException).code);
        this.notify();
      }
    };
    if (to) s.send(data, to.port ?? 0, to.host, onSent);
    else s.send(data, onSent);
    return 0;
  }

  /** poll(2) revents for the requested events. */
  pollEvents(events: number): number {
    let rev = 0;
    if (this.state === 'closed') return 0;
    if (this.queue.length > 0 || this.readShut || this.pendingError) rev |= POLLIN;
    if (this.state !== 'binding' && this.state !== 'connecting') rev |= POLLOUT;
    if (this.pendingError) rev |= POLLERR;
    return rev & (events | POLLERR);
  }

  close(): void {
    this.state = 'closed';
    this.queue.length = 0;
    this.queuedBytes = 0;
    if (this.host) {
      try {
        this.host.close();
      } catch {
        // never bound: nothing to release
      }
    }
  }

  /** Holds a host socket whose events may wake a guest thread. */
  get live(): boolean {
    return this.host !== undefined && this.state !== 'closed';
  }
}

/** Whether two printed addresses name the same host (v4-mapped IPv6 equals its IPv4 form). */
function sameHost(a: string | undefined, b: string | undefined): boolean {
  const norm = (h: string | undefined) => (h ?? '').toLowerCase().replace(/^::ffff:/, '').replace(/^0:0:0:0:0:ffff:/, '');
  return norm(a) === norm(b);
}
