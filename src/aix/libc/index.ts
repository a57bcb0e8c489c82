// The HLE libc: every import the emulator implements, by C name. An import the guest calls that
// is not in this table stops the process with its name (never a silent 0).
import { errnoFunctions } from './errno.js';
import { fileFunctions } from './files.js';
import { memoryFunctions } from './memory.js';
import { processFunctions } from './process.js';
import { pthreadFunctions } from './pthread.js';
import { signalFunctions } from './signals.js';
import { guardedSocketFunctions } from './sockets.js';
import { systemFunctions } from './system.js';
import { timeFunctions } from './time.js';
import type { HleFunction } from './types.js';

export type { HleContext, HleFunction } from './types.js';

export const libcFunctions = new Map<string, HleFunction>();
for (const area of [errnoFunctions, fileFunctions, memoryFunctions, processFunctions, pthreadFunctions, signalFunctions, guardedSocketFunctions, systemFunctions, timeFunctions]) {
  for (const [name, fn] of Object.entries(area)) {
    if (libcFunctions.has(name)) throw new Error(`libc function ${name} defined twice`);
    libcFunctions.set(name, fn);
  }
}
