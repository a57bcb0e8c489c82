// Shared pieces of the instruction handlers: row builders for each ISA form (the fixed bits of the
// form go into mask/match once, here) and the CR0 / XER updates every family uses.
import type { CpuState } from '../state.js';
import { CR, XER, XER_CA, XER_OV, XER_SO } from '../state.js';
import type { Exec, InsnRow } from '../isa-types.js';

const PO_MASK = 0xfc000000 | 0;

/** D/DS/I/B/M-forms: only the primary opcode is fixed. */
export function rowD(name: string, family: string, po: number, exec: Exec): InsnRow {
  return { name, family, mask: PO_MASK, match: (po << 26) | 0, exec };
}

/** X/XL/XFX-forms: 10-bit XO in bits 21-30; Rc (bit 31) left to the handler. */
export function rowX(name: string, family: string, po: number, xo: number, exec: Exec): InsnRow {
  return { name, family, mask: PO_MASK | 0x7fe, match: ((po << 26) | (xo << 1)) | 0, exec };
}

/** X-form with bit 31 fixed (stwcx. and friends have Rc=1 only; loads have bit 31 = 0 or EH). */
export function rowXrc(name: string, family: string, po: number, xo: number, rc: number, exec: Exec): InsnRow {
  return { name, family, mask: PO_MASK | 0x7ff, match: ((po << 26) | (xo << 1) | rc) | 0, exec };
}

/** XO-form: 9-bit XO in bits 22-30; OE (bit 21) and Rc (bit 31) left to the handler. */
export function rowXO(name: string, family: string, xo: number, exec: Exec): InsnRow {
  return { name, family, mask: PO_MASK | 0x3fe, match: ((31 << 26) | (xo << 1)) | 0, exec };
}

/** DS-form: 2-bit XO in bits 30-31. */
export function rowDS(name: string, family: string, po: number, xo: number, exec: Exec): InsnRow {
  return { name, family, mask: PO_MASK | 3, match: ((po << 26) | xo) | 0, exec };
}

/** MD-form (PO 30): 3-bit XO in bits 27-29. */
export function rowMD(name: string, xo: number, exec: Exec): InsnRow {
  return { name, family: 'rotate', mask: PO_MASK | 0x1c, match: ((30 << 26) | (xo << 2)) | 0, exec };
}

/** MDS-form (PO 30): 4-bit XO in bits 27-30. */
export function rowMDS(name: string, xo: number, exec: Exec): InsnRow {
  return { name, family: 'rotate', mask: PO_MASK | 0x1e, match: ((30 << 26) | (xo << 1)) | 0, exec };
}

/** XS-form (PO 31): 9-bit XO in bits 21-29. */
export function rowXS(name: string, xo: number, exec: Exec): InsnRow {
  return { name, family: 'rotate', mask: PO_MASK | 0x7fc, match: ((31 << 26) | (xo << 2)) | 0, exec };
}

/** A-form: 5-bit XO in bits 26-30. */
export function rowA(name: string, family: string, po: number, xo: number, exec: Exec): InsnRow {
  return { name, family, mask: PO_MASK | 0x3e, match: ((po << 26) | (xo << 1)) | 0, exec };
}

/** VX-form (PO 4): 11-bit XO in bits 21-31. */
export function rowVX(name: string, family: string, xo: number, exec: Exec): InsnRow {
  return { name, family, mask: PO_MASK | 0x7ff, match: ((4 << 26) | xo) | 0, exec };
}

/** VA-form (PO 4): 6-bit XO in bits 26-31. */
export function rowVA(name: string, family: string, xo: number, exec: Exec): InsnRow {
  return { name, family, mask: PO_MASK | 0x3f, match: ((4 << 26) | xo) | 0, exec };
}

/** VC-form (PO 4): 10-bit XO in bits 22-31; Rc (bit 21) left to the handler. */
export function rowVC(name: string, family: string, xo: number, exec: Exec): InsnRow {
  return { name, family, mask: PO_MASK | 0x3ff, match: ((4 << 26) | xo) | 0, exec };
}

/** XX3-form (PO 60): 8-bit XO in bits 21-28; AX/BX/TX (bits 29-31) are register bits. */
export function rowXX3(name: string, family: string, xo: number, exec: Exec): InsnRow {
  return { name, family, mask: PO_MASK | 0x7f8, match: ((60 << 26) | (xo << 3)) | 0, exec };
}

/** CR field nibble for a signed compare of 64-bit (hi, lo) with zero, SO copied from XER. */
export function setCr0(s: CpuState, hi: number, lo: number): void {
  const nib = hi < 0 ? 8 : hi !== 0 || lo !== 0 ? 4 : 2;
  const spr = s.spr;
  spr[CR] = (spr[CR] & 0x0fffffff) | (nib << 28) | ((spr[XER] >>> 31) << 28);
}

/** Set CR field f (0..7) to a 4-bit value. */
export function setCrField(s: CpuState, f: number, nib: number): void {
  const sh = 28 - 4 * f;
  const spr = s.spr;
  spr[CR] = (spr[CR] & ~(15 << sh)) | (nib << sh);
}

export function setCa(s: CpuState, ca: number): void {
  const spr = s.spr;
  spr[XER] = ca !== 0 ? spr[XER] | XER_CA : spr[XER] & ~XER_CA;
}

export function getCa(s: CpuState): number {
  return (s.spr[XER] >>> 29) & 1;
}

/** OE=1 forms: OV = ov, SO |= ov. */
export function setOv(s: CpuState, ov: boolean): void {
  const spr = s.spr;
  spr[XER] = ov ? spr[XER] | XER_OV | XER_SO : spr[XER] & ~XER_OV;
}
