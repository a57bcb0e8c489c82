// Placeholder so the build works until the FP/vector helper fills this file.
import type { InsnRow } from '../isa-types.js';

export const vmxRows: InsnRow[] = [];
