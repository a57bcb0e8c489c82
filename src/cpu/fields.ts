// Instruction field extractors, named as the Power ISA book names them. IBM numbers bits from the
// most significant end (bit 0 = 2^31 of the word); each comment gives the IBM bit range. All
// scaling and sign extension happens here, so handlers receive final values (QEMU decodetree habit).

/** Primary opcode, bits 0-5. */
export const po = (i: number): number => i >>> 26;
/** RT / RS / FRT / VRT / BO / TO, bits 6-10. */
export const rt = (i: number): number => (i >>> 21) & 31;
/** RA / BI / FRA, bits 11-15. */
export const ra = (i: number): number => (i >>> 16) & 31;
/** RB / SH (M-form) / FRB, bits 16-20. */
export const rb = (i: number): number => (i >>> 11) & 31;
/** FRC / M-form MB / isel BC, bits 21-25. */
export const rc5 = (i: number): number => (i >>> 6) & 31;
/** OE, bit 21 (XO-form). */
export const oe = (i: number): number => (i >>> 10) & 1;
/** AA, bit 30 (I/B-form). */
export const aa = (i: number): number => (i >>> 1) & 1;

/** SI / D, bits 16-31, sign-extended. */
export const si = (i: number): number => (i << 16) >> 16;
/** UI, bits 16-31, zero-extended. */
export const ui = (i: number): number => i & 0xffff;
/** DS-form displacement: DS (bits 16-29) || 0b00, sign-extended. */
export const ds = (i: number): number => ((i << 16) >> 16) & ~3;
/** B-form BD || 0b00 (bits 16-29), sign-extended. */
export const bd = (i: number): number => ((i << 16) >> 16) & ~3;
/** I-form LI || 0b00 (bits 6-29), sign-extended. */
export const li = (i: number): number => ((i << 6) >> 6) & ~3;

/** M-form MB, bits 21-25. */
export const mbM = (i: number): number => (i >>> 6) & 31;
/** M-form ME, bits 26-30. */
export const meM = (i: number): number => (i >>> 1) & 31;
/** MD/XS-form sh: sh[0:4] in bits 16-20, sh[5] in bit 30. */
export const shMD = (i: number): number => ((i >>> 11) & 31) | ((i << 4) & 32);
/** MD/MDS-form mb/me: 6-bit field in bits 21-26 stored as mb[1:5] || mb[0]. */
export const mbMD = (i: number): number => ((i >>> 6) & 31) | (i & 32);

/** BF / crfD, bits 6-8. */
export const bf = (i: number): number => (i >>> 23) & 7;
/** L (compare), bit 10. */
export const cmpL = (i: number): number => (i >>> 21) & 1;
/** BFA / crfS, bits 11-13. */
export const bfa = (i: number): number => (i >>> 18) & 7;
/** BT / BA / BB as CR bit numbers (XL-form CR logical): bits 6-10, 11-15, 16-20. */
export const bt = rt;
export const ba = ra;
export const bb = rb;
/** FXM, bits 12-19 (mtcrf). */
export const fxm = (i: number): number => (i >>> 12) & 0xff;
/** SPR number with its two 5-bit halves un-swapped (bits 11-20). */
export const sprNum = (i: number): number => ((i >>> 16) & 31) | (((i >>> 11) & 31) << 5);
/** NB (lswi/stswi), bits 16-20. */
export const nb = rb;
