// TCP front of the stub: one gdb client at a time, on loopback unless told otherwise.
import net from 'node:net';
import { GdbSession, SessionOptions } from './session.js';
import type { Target } from './target.js';

export interface GdbServerOptions extends SessionOptions {
  /** Address to bind; loopback unless the user asks for another explicitly. */
  host?: string;
  /** 0 picks a free port (tests). */
  port?: number;
  /** Stop listening after the first client leaves. */
  once?: boolean;
}

export class GdbServer {
  private server: net.Server | undefined;
  private client: { socket: net.Socket; session: GdbSession } | undefined;
  private readonly log: (line: string) => void;
  private closedPromise: Promise<void> | undefined;
  private resolveClosed: (() => void) | undefined;
  private sessionsServed = 0;

  constructor(
    private readonly target: Target,
    private readonly options: GdbServerOptions = {},
  ) {
    this.log = options.log ?? ((line) => process.stderr.write(line + '\n'));
  }

  /** Start listening; resolves with the bound address. */
  listen(): Promise<{ host: string; port: number }> {
    const host = this.options.host ?? '127.0.0.1';
    const server = net.createServer((socket) => this.accept(socket));
    this.server = server;
    this.closedPromise = new Promise((resolve) => (this.resolveClosed = resolve));
    server.on('close', () => this.resolveClosed?.());
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port ?? 1234, host, () => {
        server.off('error', reject);
        server.on('error', (e) => this.log(`gdb: server error: ${e.message}`));
        const addr = server.address() as net.AddressInfo;
        this.log(`gdb: listening on ${addr.address}:${addr.port}`);
        resolve({ host: addr.address, port: addr.port });
      });
    });
  }

  /** Resolves when the server has stopped listening (after close(), or after `once`). */
  whenClosed(): Promise<void> {
    return this.closedPromise ?? Promise.resolve();
  }

  get connections(): number {
    return this.sessionsServed;
  }

  async close(): Promise<void> {
    const client = this.client;
    if (client) {
      client.socket.destroy();
      await client.session.disconnected();
    }
    await new Promise<void>((resolve) => {
      if (!this.server?.listening) return resolve();
      this.server.close(() => resolve());
    });
  }

  private accept(socket: net.Socket): void {
    const peer = `${socket.remoteAddress}:${socket.remotePort}`;
    if (this.client !== undefined) {
      this.log(`gdb: refusing second client ${peer}: a gdb client is already connected`);
      socket.destroy();
      return;
    }
    this.log(`gdb: client connected from ${peer}`);
    socket.setNoDelay(true);
    this.sessionsServed++;
    const session = new GdbSession(
      this.target,
      {
        // false (buffer full) holds further replies until 'drain': a client that does not read
        // cannot make the stub buffer without bound.
        write: (bytes) => (socket.destroyed ? true : socket.write(bytes)),
        close: () => socket.end(),
        pauseInput: () => socket.pause(),
        resumeInput: () => socket.resume(),
      },
      { ...this.options, log: this.log },
    );
    const client = { socket, session };
    this.client = client;
    let gone = false;
    const onGone = (why: string) => {
      if (gone) return;
      gone = true;
      this.log(`gdb: client ${peer} ${why}`);
      void session.disconnected().finally(() => {
        if (this.client === client) this.client = undefined;
        if (this.options.once) {
          this.log('gdb: --once: no longer accepting connections');
          this.server?.close();
        }
      });
    };
    socket.on('data', (chunk: Buffer) => session.receive(chunk));
    socket.on('drain', () => session.drained());
    socket.on('error', (e) => onGone(`connection error: ${e.message}`));
    socket.on('close', () => onGone('disconnected'));
    void session.start();
  }
}
