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

/** What a session reads from and writes to: a TCP socket, or stdin/stdout. */
interface SessionStream {
  readonly destroyed: boolean;
  write(bytes: Uint8Array): boolean;
  end(): void;
  pause(): void;
  resume(): void;
  destroy(): void;
  on(event: 'data', cb: (chunk: Buffer) => void): void;
  on(event: 'drain' | 'close', cb: () => void): void;
  on(event: 'error', cb: (e: Error) => void): void;
}

export class GdbServer {
  private server: net.Server | undefined;
  private client: { socket: { destroy(): void }; session: GdbSession } | undefined;
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

  /**
   * gdbserver's `-` / `stdio`: one session on a pair of streams (`target remote | aix-gdbstub serve - PROG`).
   * whenClosed() resolves when gdb closes the pipe.
   */
  serveStreams(input: NodeJS.ReadableStream & { destroy?(): void }, output: NodeJS.WritableStream): void {
    this.closedPromise = new Promise((resolve) => (this.resolveClosed = resolve));
    const stream = {
      destroyed: false,
      write: (b: Uint8Array) => output.write(b),
      end: () => output.end(),
      pause: () => input.pause(),
      resume: () => input.resume(),
      destroy: () => input.destroy?.(),
      on: (event: string, cb: (...a: any[]) => void) => { // eslint-disable-line @typescript-eslint/no-explicit-any
        if (event === 'drain') output.on('drain', cb);
        else if (event === 'error') output.on('error', cb);
        else if (event === 'close') input.on('end', cb);
        else input.on(event, cb);
        if (event === 'error') input.on('error', cb);
      },
    };
    this.startSession('stdio', stream, () => this.resolveClosed?.());
  }

  private accept(socket: net.Socket): void {
    const peer = `${socket.remoteAddress}:${socket.remotePort}`;
    if (this.client !== undefined) {
      this.log(`gdb: refusing second client ${peer}: a gdb client is already connected`);
      socket.destroy();
      return;
    }
    socket.setNoDelay(true);
    this.startSession(peer, socket, () => {
      if (this.options.once) {
        this.log('gdb: --once: no longer accepting connections');
        this.server?.close();
      }
    });
  }

  private startSession(peer: string, socket: SessionStream, onEnd: () => void): void {
    this.log(`gdb: client connected from ${peer}`);
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
        onEnd();
      });
    };
    socket.on('data', (chunk: Buffer) => session.receive(chunk));
    socket.on('drain', () => session.drained());
    socket.on('error', (e) => onGone(`connection error: ${e.message}`));
    socket.on('close', () => onGone('disconnected'));
    void session.start();
  }
}
