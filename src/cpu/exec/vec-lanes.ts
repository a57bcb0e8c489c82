// Byte-level and lane-level access to 128-bit registers stored as four big-endian-ordered int32
// words. Scratch arrays are module-level so VMX and crypto handlers allocate nothing.

/** Copies the 16 bytes (BE order) of the register at word index w into dst[off..off+15]. */
export function toBytes(v: Int32Array, w: number, dst: Uint8Array, off: number): void {
  for (let i = 0; i < 4; i++) {
    const x = v[w + i];
    const o = off + 4 * i;
    dst[o] = x >>> 24;
    dst[o + 1] = x >>> 16;
    dst[o + 2] = x >>> 8;
    dst[o + 3] = x;
  }
}

/** Writes 16 bytes src[off..off+15] into the register at word index w. */
export function fromBytes(v: Int32Array, w: number, src: Uint8Array, off: number): void {
  for (let i = 0; i < 4; i++) {
    const o = off + 4 * i;
    v[w + i] = (src[o] << 24) | (src[o + 1] << 16) | (src[o + 2] << 8) | src[o + 3];
  }
}

/** Word index of VR n (VSR 32+n). */
export function vr(n: number): number {
  return (32 + n) << 2;
}

let clHi = 0;
let clLo = 0;
/** Carry-less 32x32 -> 64 product into (clHi, clLo). */
export function clmul32(a: number, b: number): void {
  let h = 0;
  let l = 0;
  for (let i = 0; i < 32; i++) {
    if ((b >>> i) & 1) {
      l ^= a << i;
      if (i !== 0) h ^= a >>> (32 - i);
    }
  }
  clHi = h;
  clLo = l;
}
export function clHigh(): number {
  return clHi;
}
export function clLow(): number {
  return clLo;
}
