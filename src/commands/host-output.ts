// Our own lines on the host's stdout/stderr, written before the next statement runs. Node's
// process.stderr.write queues what a full pipe does not take at once (a reader slower than us, or
// busy), and process.exit drops that queue: a --strace trace lost its last 70 KB that way.
import * as fs from 'node:fs';

// Made on first use: a V8 start-up snapshot (scripts/build-snapshot.sh) cannot hold a SharedArrayBuffer.
let pause: Int32Array | undefined;

/**
 * All of `text` to `fd` now. The host fd may be non-blocking (Node makes its stdio pipes so):
 * EAGAIN means the reader has not caught up, so wait for it in 1 ms sleeps, as strace itself
 * waits on a full stderr. A reader that went away (EPIPE) gets nothing more.
 */
export function writeAllSync(fd: number, text: string): void {
  const bytes = Buffer.from(text);
  let done = 0;
  while (done < bytes.length) {
    try {
      done += fs.writeSync(fd, bytes, done, bytes.length - done);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') return;
      Atomics.wait((pause ??= new Int32Array(new SharedArrayBuffer(4))), 0, 0, 1);
    }
  }
}

/** The CLI's last word on an error nothing else handled: one line, exit status 1. */
export function exitWithError(e: unknown): never {
  const msg = e instanceof Error ? e.message : String(e);
  process.stderr.write(`aix-gdbstub: ${msg}\n`);
  process.exit(1);
}
