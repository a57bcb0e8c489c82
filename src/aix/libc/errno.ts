// _Errno: each thread's errno cell (§3.6): 8 bytes, 8-aligned, because sigtramp saves and restores
// it with ld/std.
import { ERRNO } from '../constants.js';
import { fail, type HleFunction } from './types.js';

export const errnoFunctions: Record<string, HleFunction> = {
  _Errno(c) {
    const t = c.thread;
    if (t.errnoCell === 0n) {
      const cell = c.proc.space.allocate(8n, 8n);
      if (cell === null) return fail(ERRNO.ENOMEM);
      t.errnoCell = cell;
    }
    return t.errnoCell;
  },
};
