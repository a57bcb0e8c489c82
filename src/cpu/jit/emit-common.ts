// Pieces of generated code shared by the scalar (emit.ts) and vector/FP (emit-vector.ts) emitters.

/** Index of GPR r's high and low word in s.gpr. */
export const hiOf = (r: number): number => (r << 1) + 1;
export const loOf = (r: number): number => r << 1;

/** (RA|0) + constant into eh, el (64-bit EA as the interpreter computes it). */
export function eaDisp(a: number, disp: number): string {
  if (a === 0) return `const eh=${disp >> 31};const el=${disp | 0};`;
  return `const ax=g[${loOf(a)}];const el=(ax+${disp | 0})|0;const eh=(g[${hiOf(a)}]+${disp >> 31}+((el>>>0)<(ax>>>0)?1:0))|0;`;
}

/** (RA|0) + RB into eh, el. */
export function eaIndexed(a: number, b: number): string {
  if (a === 0) return `const eh=g[${hiOf(b)}];const el=g[${loOf(b)}];`;
  return `const ax=g[${loOf(a)}];const el=(ax+g[${loOf(b)}])|0;const eh=(g[${hiOf(a)}]+g[${hiOf(b)}]+((el>>>0)<(ax>>>0)?1:0))|0;`;
}
