// ELF64 constants and record sizes used by the writer and the reader (System V gABI, ppc64 psABI v1).

export const ELF_MAGIC = [0x7f, 0x45, 0x4c, 0x46] as const;
export const ELFCLASS64 = 2;
export const ELFDATA2MSB = 2;
export const EV_CURRENT = 1;
export const ELFOSABI_NONE = 0;
export const ET_EXEC = 2;
export const EM_PPC64 = 21;
/** e_flags: ppc64 ELF ABI version 1 (function descriptors). Go's own linux/ppc64 binaries say the same. */
export const EF_PPC64_ABI_V1 = 1;

export const ELF_HEADER_SIZE = 64;
export const PROGRAM_HEADER_SIZE = 56;
export const SECTION_HEADER_SIZE = 64;
export const SYMBOL_SIZE = 24;

export const PT_LOAD = 1;
export const PF_X = 1;
export const PF_W = 2;
export const PF_R = 4;

export const SHT_NULL = 0;
export const SHT_PROGBITS = 1;
export const SHT_SYMTAB = 2;
export const SHT_STRTAB = 3;
export const SHT_NOBITS = 8;

export const SHF_WRITE = 1n;
export const SHF_ALLOC = 2n;
export const SHF_EXECINSTR = 4n;
/** The section holds an Elf64_Chdr followed by compressed data (gABI "Section Compression"). */
export const SHF_COMPRESSED = 0x800n;

/** Elf64_Chdr: ch_type (u32), ch_reserved (u32), ch_size (u64), ch_addralign (u64). */
export const COMPRESSION_HEADER_SIZE = 24;
/** ch_type: the data is a zlib stream (RFC 1950), which is what gdb's and binutils' BFD inflate. */
export const ELFCOMPRESS_ZLIB = 1;

export const SHN_UNDEF = 0;
export const SHN_ABS = 0xfff1;

export const STB_LOCAL = 0;
export const STB_GLOBAL = 1;
export const STT_NOTYPE = 0;
export const STT_OBJECT = 1;
export const STT_FUNC = 2;

/** Loadable segments are aligned like Go's own ppc64 ELF output: file offset ≡ vaddr (mod 64 KiB). */
export const SEGMENT_ALIGN = 0x10000n;
