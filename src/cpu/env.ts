// Tuning knobs read from the environment (for measuring), shared by the CPU and its Wasm tier.
// Read when a CPU or module is made, never at import: a start-up snapshot imports the modules
// when it is built.

/** A positive integer from the environment variable `name`, or dflt. */
export function envNumber(name: string, dflt: number): number {
  const v = typeof process === 'undefined' ? undefined : process.env[name];
  const n = v === undefined ? NaN : Number(v);
  return Number.isInteger(n) && n > 0 ? n : dflt;
}
