// 64-bit big-endian Power as gdb sees it: the target description (core, FPU, AltiVec, VSX), the
// register numbering of gdb's rs6000 tdep for powerpc:common64, and the `g`-packet layout.
//
// Numbering (gdb regno = remote regno = position in the `g` packet):
//   0–31 r0–r31 (64)   32–63 f0–f31 (64)   64 pc  65 msr (64)  66 cr (32)  67 lr  68 ctr (64)
//   69 xer (32)  70 fpscr (32)  71–102 vr0–vr31 (128)  103 vscr (32)  104 vrsave (32)
//   105–136 vs0h–vs31h (64: doubleword 1 of VSR0–31; doubleword 0 is the matching FPR)

/** The register state the emulator fills for one thread. 64-bit values are bigint/BigUint64Array. */
export interface Ppc64Registers {
  gpr: BigUint64Array; // 32
  /** Raw IEEE-754 bits, so NaN payloads survive untouched. */
  fpr: BigUint64Array; // 32
  pc: bigint;
  msr: bigint;
  cr: number; // u32
  lr: bigint;
  ctr: bigint;
  xer: number; // u32
  fpscr: number; // u32
  /** 32 × 16 bytes, each vector in big-endian (architected) byte order. */
  vr: Uint8Array;
  vscr: number; // u32
  vrsave: number; // u32
  /** Doubleword 1 of VSR0–31 (gdb's vs0h–vs31h). */
  vsrLow: BigUint64Array; // 32
}

export const PPC64_REGNUM = {
  r0: 0,
  sp: 1,
  toc: 2,
  f0: 32,
  pc: 64,
  msr: 65,
  cr: 66,
  lr: 67,
  ctr: 68,
  xer: 69,
  fpscr: 70,
  vr0: 71,
  vscr: 103,
  vrsave: 104,
  vs0h: 105,
} as const;

export const PPC64_REGISTER_COUNT = 137;

export interface RegisterInfo {
  name: string;
  regno: number;
  bits: number;
  /** Byte offset in the `g` packet. */
  offset: number;
  type: string;
  group?: string;
  feature: 'core' | 'fpu' | 'altivec' | 'vsx';
}

function buildRegisterTable(): RegisterInfo[] {
  const regs: Omit<RegisterInfo, 'offset'>[] = [];
  for (let i = 0; i < 32; i++) regs.push({ name: `r${i}`, regno: i, bits: 64, type: 'uint64', feature: 'core' });
  for (let i = 0; i < 32; i++)
    regs.push({ name: `f${i}`, regno: 32 + i, bits: 64, type: 'ieee_double', feature: 'fpu' });
  regs.push({ name: 'pc', regno: 64, bits: 64, type: 'code_ptr', feature: 'core' });
  regs.push({ name: 'msr', regno: 65, bits: 64, type: 'uint64', feature: 'core' });
  regs.push({ name: 'cr', regno: 66, bits: 32, type: 'uint32', feature: 'core' });
  regs.push({ name: 'lr', regno: 67, bits: 64, type: 'code_ptr', feature: 'core' });
  regs.push({ name: 'ctr', regno: 68, bits: 64, type: 'uint64', feature: 'core' });
  regs.push({ name: 'xer', regno: 69, bits: 32, type: 'uint32', feature: 'core' });
  regs.push({ name: 'fpscr', regno: 70, bits: 32, type: 'int', group: 'float', feature: 'fpu' });
  for (let i = 0; i < 32; i++)
    regs.push({ name: `vr${i}`, regno: 71 + i, bits: 128, type: 'vec128', feature: 'altivec' });
  regs.push({ name: 'vscr', regno: 103, bits: 32, type: 'int', group: 'vector', feature: 'altivec' });
  regs.push({ name: 'vrsave', regno: 104, bits: 32, type: 'int', group: 'vector', feature: 'altivec' });
  for (let i = 0; i < 32; i++)
    regs.push({ name: `vs${i}h`, regno: 105 + i, bits: 64, type: 'uint64', feature: 'vsx' });
  regs.sort((a, b) => a.regno - b.regno);
  let offset = 0;
  return regs.map((r) => {
    const info = { ...r, offset };
    offset += r.bits / 8;
    return info;
  });
}

/** Every register, indexed by gdb register number. */
export const PPC64_REGISTERS: readonly RegisterInfo[] = buildRegisterTable();

/** Size of the `g` packet payload in bytes (before hex encoding). */
export const PPC64_REGISTER_BYTES = PPC64_REGISTERS.reduce((n, r) => n + r.bits / 8, 0);

export function createPpc64Registers(): Ppc64Registers {
  return {
    gpr: new BigUint64Array(32),
    fpr: new BigUint64Array(32),
    pc: 0n,
    msr: 0n,
    cr: 0,
    lr: 0n,
    ctr: 0n,
    xer: 0,
    fpscr: 0,
    vr: new Uint8Array(32 * 16),
    vscr: 0,
    vrsave: 0,
    vsrLow: new BigUint64Array(32),
  };
}

export function clonePpc64Registers(r: Ppc64Registers): Ppc64Registers {
  return { ...r, gpr: r.gpr.slice(), fpr: r.fpr.slice(), vr: r.vr.slice(), vsrLow: r.vsrLow.slice() };
}

function putRegister(regs: Ppc64Registers, regno: number, view: DataView, at: number): void {
  if (regno < 32) view.setBigUint64(at, regs.gpr[regno]!);
  else if (regno < 64) view.setBigUint64(at, regs.fpr[regno - 32]!);
  else if (regno >= 71 && regno < 103) {
    const v = (regno - 71) * 16;
    for (let i = 0; i < 16; i++) view.setUint8(at + i, regs.vr[v + i]!);
  } else if (regno >= 105 && regno < 137) view.setBigUint64(at, regs.vsrLow[regno - 105]!);
  else {
    switch (regno) {
      case 64: view.setBigUint64(at, BigInt.asUintN(64, regs.pc)); break;
      case 65: view.setBigUint64(at, BigInt.asUintN(64, regs.msr)); break;
      case 66: view.setUint32(at, regs.cr >>> 0); break;
      case 67: view.setBigUint64(at, BigInt.asUintN(64, regs.lr)); break;
      case 68: view.setBigUint64(at, BigInt.asUintN(64, regs.ctr)); break;
      case 69: view.setUint32(at, regs.xer >>> 0); break;
      case 70: view.setUint32(at, regs.fpscr >>> 0); break;
      case 103: view.setUint32(at, regs.vscr >>> 0); break;
      case 104: view.setUint32(at, regs.vrsave >>> 0); break;
    }
  }
}

function takeRegister(regs: Ppc64Registers, regno: number, view: DataView, at: number): void {
  if (regno < 32) regs.gpr[regno] = view.getBigUint64(at);
  else if (regno < 64) regs.fpr[regno - 32] = view.getBigUint64(at);
  else if (regno >= 71 && regno < 103) {
    const v = (regno - 71) * 16;
    for (let i = 0; i < 16; i++) regs.vr[v + i] = view.getUint8(at + i);
  } else if (regno >= 105 && regno < 137) regs.vsrLow[regno - 105] = view.getBigUint64(at);
  else {
    switch (regno) {
      case 64: regs.pc = view.getBigUint64(at); break;
      case 65: regs.msr = view.getBigUint64(at); break;
      case 66: regs.cr = view.getUint32(at); break;
      case 67: regs.lr = view.getBigUint64(at); break;
      case 68: regs.ctr = view.getBigUint64(at); break;
      case 69: regs.xer = view.getUint32(at); break;
      case 70: regs.fpscr = view.getUint32(at); break;
      case 103: regs.vscr = view.getUint32(at); break;
      case 104: regs.vrsave = view.getUint32(at); break;
    }
  }
}

/** The `g` packet payload: every register, big-endian, in register-number order. */
export function serializePpc64Registers(regs: Ppc64Registers): Uint8Array {
  const out = new Uint8Array(PPC64_REGISTER_BYTES);
  const view = new DataView(out.buffer);
  for (const r of PPC64_REGISTERS) putRegister(regs, r.regno, view, r.offset);
  return out;
}

/** Inverse of serializePpc64Registers; `undefined` unless `bytes` is exactly one full `g` payload. */
export function deserializePpc64Registers(bytes: Uint8Array): Ppc64Registers | undefined {
  if (bytes.length !== PPC64_REGISTER_BYTES) return undefined;
  const regs = createPpc64Registers();
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (const r of PPC64_REGISTERS) takeRegister(regs, r.regno, view, r.offset);
  return regs;
}

/** One register's big-endian bytes (the `p` reply), or `undefined` for an unknown number. */
export function readPpc64Register(regs: Ppc64Registers, regno: number): Uint8Array | undefined {
  const info = PPC64_REGISTERS[regno];
  if (info === undefined) return undefined;
  const out = new Uint8Array(info.bits / 8);
  putRegister(regs, regno, new DataView(out.buffer), 0);
  return out;
}

/** Store one register from big-endian bytes (the `P` packet); false if number or size is wrong. */
export function writePpc64Register(regs: Ppc64Registers, regno: number, bytes: Uint8Array): boolean {
  const info = PPC64_REGISTERS[regno];
  if (info === undefined || bytes.length !== info.bits / 8) return false;
  takeRegister(regs, regno, new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), 0);
  return true;
}

function regLine(r: RegisterInfo): string {
  const group = r.group ? ` group="${r.group}"` : '';
  return `    <reg name="${r.name}" bitsize="${r.bits}" type="${r.type}" regnum="${r.regno}"${group}/>`;
}

function featureXml(feature: RegisterInfo['feature'], preamble = ''): string {
  const lines = PPC64_REGISTERS.filter((r) => r.feature === feature).map(regLine);
  return `  <feature name="org.gnu.gdb.power.${feature}">\n${preamble}${lines.join('\n')}\n  </feature>\n`;
}

const VECTOR_TYPES = [
  '    <vector id="v4f" type="ieee_single" count="4"/>',
  '    <vector id="v4i32" type="int32" count="4"/>',
  '    <vector id="v8i16" type="int16" count="8"/>',
  '    <vector id="v16i8" type="int8" count="16"/>',
  '    <union id="vec128">',
  '      <field name="uint128" type="uint128"/>',
  '      <field name="v4_float" type="v4f"/>',
  '      <field name="v4_int32" type="v4i32"/>',
  '      <field name="v8_int16" type="v8i16"/>',
  '      <field name="v16_int8" type="v16i8"/>',
  '    </union>',
  '',
].join('\n');

/**
 * The OS ABI gdb is told to assume. 'GNU/Linux' gives `catch syscall` (gdb knows syscall numbers
 * only for Linux) but also Linux's signal-trampoline sniffers, which read the three words at and
 * before pc for every frame gdb builds (12 extra `m` packets per stepi); 'none' has neither.
 * Naming it in target.xml also keeps gdbs configured for other hosts from guessing.
 */
export type GdbOsAbi = 'GNU/Linux' | 'none';

const REGISTER_FEATURES = featureXml('core') + featureXml('fpu') + featureXml('altivec', VECTOR_TYPES) + featureXml('vsx');

/** The single-document target description served as `target.xml`. */
export function ppc64TargetXml(osabi: GdbOsAbi): string {
  return (
    '<?xml version="1.0"?>\n<!DOCTYPE target SYSTEM "gdb-target.dtd">\n<target version="1.0">\n' +
    '  <architecture>powerpc:common64</architecture>\n' +
    `  <osabi>${osabi}</osabi>\n` +
    REGISTER_FEATURES +
    '</target>\n'
  );
}

export const PPC64_TARGET_XML = ppc64TargetXml('GNU/Linux');
