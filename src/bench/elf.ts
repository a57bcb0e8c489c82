// A minimal static big-endian ELFv1 executable for linux/ppc64 (for qemu-ppc64 reference runs):
// one RWX PT_LOAD at `base` holding a function descriptor and the code words.
export const ELF_BASE = 0x10000000n;
export const ELF_CODE_OFF = 0x200;

export function elfFromCode(words: number[], base = ELF_BASE, extraMem = 0x10000): Uint8Array {
  const size = ELF_CODE_OFF + words.length * 4;
  const bytes = new Uint8Array(size);
  const dv = new DataView(bytes.buffer);
  bytes.set([0x7f, 0x45, 0x4c, 0x46, 2, 2, 1, 0]);
  dv.setUint16(16, 2); // ET_EXEC
  dv.setUint16(18, 21); // EM_PPC64
  dv.setUint32(20, 1);
  dv.setBigUint64(24, base + 0x100n); // entry: function descriptor (ELFv1)
  dv.setBigUint64(32, 64n);
  dv.setUint32(48, 1); // e_flags: ELFv1 ABI
  dv.setUint16(52, 64);
  dv.setUint16(54, 56);
  dv.setUint16(56, 1);
  dv.setUint32(64, 1); // PT_LOAD
  dv.setUint32(68, 7); // RWX
  dv.setBigUint64(80, base);
  dv.setBigUint64(88, base);
  dv.setBigUint64(96, BigInt(size));
  dv.setBigUint64(104, BigInt(size + extraMem));
  dv.setBigUint64(112, 0x10000n);
  dv.setBigUint64(0x100, base + BigInt(ELF_CODE_OFF));
  words.forEach((w, k) => dv.setUint32(ELF_CODE_OFF + 4 * k, w >>> 0));
  return bytes;
}
