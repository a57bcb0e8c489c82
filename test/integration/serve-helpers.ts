// Shared by the serve*.test.ts files: start `node dist/cli.js serve` on a free port and drive real
// gdb-multiarch (batch or MI) against it. Everything is asynchronous so the test worker stays
// responsive while the emulator and gdb run.
import { ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { cli } from '../helpers/cli.js';
import { GDB, requireGdb, runGdb } from '../helpers/gdb.js';
import { repoRoot } from '../helpers/toolchains.js';

export { cli };
export { GDB, requireGdb, runGdb };

export interface Serve {
  child: ChildProcessWithoutNullStreams;
  port: number;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit status when serve ends. */
  exited: Promise<number | null>;
  stop(): Promise<void>;
}

const live = new Set<Serve>();

/** Start serve; resolves once it listens. `options` go before PROGRAM, `args` after it. */
export function startServe(program: string, args: string[] = [], options: string[] = []): Promise<Serve> {
  const child = spawn(process.execPath, [cli, 'serve', '--port', '0', ...options, program, ...args], { cwd: repoRoot });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start listening:\n${err}`)), 30_000);
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      err += d;
      const m = /listening on [^\s]*:(\d+)/.exec(err);
      if (m && timer) {
        clearTimeout(timer);
        const s: Serve = {
          child,
          port: Number(m[1]),
          stdout: () => out,
          stderr: () => err,
          exited,
          stop: async () => {
            live.delete(s);
            if (child.exitCode === null && child.signalCode === null) {
              child.kill('SIGKILL');
              await exited;
            }
          },
        };
        live.add(s);
        resolve(s);
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited (${code}) before listening:\n${err}`));
    });
  });
}

export async function stopAllServes(): Promise<void> {
  for (const s of [...live]) await s.stop();
}

/** gdb -batch with zero setup: only `target remote` (or extended-remote), then `commands`. */
export function gdbBatch(port: number, commands: string[], opts: { mode?: string; timeoutMs?: number; before?: string[] } = {}): Promise<string> {
  const args = ['-nx', '-batch', '-ex', 'set confirm off', '-ex', 'set pagination off'];
  for (const c of opts.before ?? []) args.push('-ex', c);
  args.push('-ex', `target ${opts.mode ?? 'remote'} 127.0.0.1:${port}`);
  for (const c of commands) args.push('-ex', c);
  return runGdb(args, opts.timeoutMs);
}

/** gdb in MI mode, fed commands one at a time, each waiting for a record matching `until`. */
export class GdbMi {
  private out = '';
  private readonly child: ChildProcessWithoutNullStreams;
  readonly closed: Promise<void>;

  /** `args`: gdb's command line (an editor extension's own, e.g. `--interpreter=mi2 PROGRAM`). */
  constructor(args: string[] = ['-nx', '--interpreter=mi3', '-q']) {
    this.child = spawn(GDB, args);
    this.child.stdout.setEncoding('utf8').on('data', (d: string) => (this.out += d));
    this.child.stderr.setEncoding('utf8').on('data', (d: string) => (this.out += d));
    this.closed = new Promise((resolve) => this.child.on('close', () => resolve()));
  }

  get output(): string {
    return this.out;
  }

  /** Send one command; resolve with the output it produced once `until` matches it. */
  async send(command: string, until: RegExp = /\^(done|running|connected|error|exit)/, timeoutMs = 60_000): Promise<string> {
    const start = this.out.length;
    this.child.stdin.write(command + '\n');
    return this.waitFor(until, timeoutMs, start);
  }

  /**
   * Resolve with the output since `start` once `until` matches it, looking at whole lines only: a
   * pipe read can end inside a record (`^done` arrived, `,name=...,value=...` not yet), and a match
   * on that half would hand the caller a result without its fields.
   */
  async waitFor(until: RegExp, timeoutMs = 60_000, start = 0): Promise<string> {
    const t0 = Date.now();
    for (;;) {
      const all = this.out.slice(start);
      const text = all.slice(0, all.lastIndexOf('\n') + 1);
      if (until.test(text)) return text;
      if (Date.now() - t0 > timeoutMs) throw new Error(`gdb MI: no ${until} within ${timeoutMs} ms; output:\n${this.out}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  kill(): void {
    this.child.kill('SIGKILL');
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
