// The Go runtime's data layout as this particular binary has it: struct sizes and field offsets
// from DWARF (runtime.m, runtime.g, runtime.libcall, ...), global addresses from DWARF variables or
// the symbol table, the Go version, g status values and wait-reason strings. Nothing here is a
// hard-coded offset: Go 1.19 and 1.24 (and whatever comes next) differ, see notes/aix-go-contract.md §7.1.
import { DW_AT, attr, parseDwarf, underlying, type Dwarf, type DwarfType, type StructType } from '../dwarf/index.js';
import { DEFAULT_G_STATUS, G_STATUS_CONSTANT_NAMES, fallbackWaitReasons, type GStatusConstants } from './constants.js';

export class RuntimeLayoutError extends Error {
  override readonly name = 'RuntimeLayoutError';
  constructor(message: string) {
    super(message);
  }
}

export interface FieldLayout {
  /** Byte offset from the start of the outermost struct. */
  offset: number;
  /** Byte size of the field's type. */
  size: number;
  type: DwarfType | undefined;
  /** The Go type name, e.g. 'uintptr', '*runtime.g', 'internal/runtime/atomic.Uint32'. */
  typeName: string;
  /** True when the field is (a typedef of) a signed integer. */
  signed: boolean;
}

export interface GoVersion {
  /** As the runtime reports it, e.g. 'go1.24.4'. */
  text: string;
  major: number;
  minor: number;
  patch: number;
  /** Where it was read: the runtime.buildVersion string in the data section, or the DWARF producer. */
  source: 'buildVersion' | 'producer';
}

/** Whatever gives access to a binary's DWARF, symbols and initialised data; XcoffImage fits. */
export interface RuntimeImage {
  dwarfSections(): ReadonlyMap<string, Uint8Array>;
  findSymbol(name: string): { address: bigint } | undefined;
  readonly loadSegments?: readonly { vaddr: bigint; fileBytes: Uint8Array }[];
}

export interface LayoutSources {
  dwarf: Dwarf;
  /** Symbol-table lookup, used for globals DWARF does not describe. */
  findSymbol?: (name: string) => { address: bigint } | undefined;
  /** Reads initialised data as stored in the file; undefined when [addr, addr+len) is not file-backed. */
  readStatic?: (addr: bigint, len: number) => Uint8Array | undefined;
}

export type WaitReasonSource = 'binary' | 'go-source-exact' | 'go-source-nearest';

export class RuntimeLayout {
  readonly dwarf: Dwarf;
  readonly goVersion: GoVersion | undefined;
  readonly gStatus: Readonly<GStatusConstants>;
  /** Wait-reason text by g.waitreason value. */
  readonly waitReasons: readonly string[];
  readonly waitReasonSource: WaitReasonSource;
  private readonly findSymbol: LayoutSources['findSymbol'];
  private readonly fieldCache = new Map<string, FieldLayout | null>();

  constructor(sources: LayoutSources) {
    this.dwarf = sources.dwarf;
    this.findSymbol = sources.findSymbol;
    this.goVersion = detectGoVersion(this.dwarf, sources.readStatic);
    this.gStatus = this.readGStatus();
    const fromBinary = sources.readStatic === undefined ? undefined : this.readWaitReasonStrings(sources.readStatic);
    if (fromBinary !== undefined) {
      this.waitReasons = fromBinary;
      this.waitReasonSource = 'binary';
    } else {
      const fb = fallbackWaitReasons(this.goVersion?.minor);
      this.waitReasons = fb.table;
      this.waitReasonSource = fb.exact ? 'go-source-exact' : 'go-source-nearest';
    }
  }

  // ---- structs and fields ----

  /** A struct by its Go name; a bare name ('m') means the runtime's ('runtime.m'). */
  struct(name: string): StructType {
    const s = this.dwarf.findStruct(name) ?? (name.includes('.') ? undefined : this.dwarf.findStruct(`runtime.${name}`));
    if (s === undefined) throw new RuntimeLayoutError(`struct ${name} is not described in the binary's DWARF`);
    return s;
  }

  hasStruct(name: string): boolean {
    return this.dwarf.findStruct(name) !== undefined || (!name.includes('.') && this.dwarf.findStruct(`runtime.${name}`) !== undefined);
  }

  sizeOf(name: string): number {
    const s = this.struct(name);
    if (s.size === undefined) throw new RuntimeLayoutError(`struct ${name} has no byte size in DWARF`);
    return s.size;
  }

  /**
   * The field at a dotted path: 'libcall', 'mOS.perrno', 'sched.sp', 'libcall.fn'. A component that
   * is not a direct member is looked up through embedded fields, as Go promotes them ('perrno').
   */
  field(struct: string, path: string): FieldLayout {
    const f = this.tryField(struct, path);
    if (f === undefined) {
      this.struct(struct); // throws the clearer error when the struct itself is missing
      throw new RuntimeLayoutError(`struct ${struct} has no field ${path} in this binary (Go ${this.goVersion?.text ?? 'version unknown'})`);
    }
    return f;
  }

  tryField(struct: string, path: string): FieldLayout | undefined {
    const key = `${struct}\0${path}`;
    const cached = this.fieldCache.get(key);
    if (cached !== undefined) return cached ?? undefined;
    const s = this.hasStruct(struct) ? this.struct(struct) : undefined;
    const f = s === undefined ? undefined : fieldOfType(s, path);
    this.fieldCache.set(key, f ?? null);
    return f;
  }

  hasField(struct: string, path: string): boolean {
    return this.tryField(struct, path) !== undefined;
  }

  offsetOf(struct: string, path: string): number {
    return this.field(struct, path).offset;
  }

  fieldType(struct: string, path: string): DwarfType | undefined {
    return this.field(struct, path).type;
  }

  /** A field inside an arbitrary type (a slice's 'array'/'len', a string's 'str'/'len'). */
  fieldOf(type: DwarfType, path: string): FieldLayout {
    const f = fieldOfType(type, path);
    if (f === undefined) throw new RuntimeLayoutError(`type ${type.name || '(unnamed)'} has no field ${path}`);
    return f;
  }

  // ---- globals and constants ----

  /** The address of a global such as runtime.allm: from DWARF, else from the symbol table. */
  globalAddress(name: string): bigint {
    const a = this.tryGlobalAddress(name);
    if (a === undefined) throw new RuntimeLayoutError(`global ${name} is in neither the DWARF nor the symbol table`);
    return a;
  }

  tryGlobalAddress(name: string): bigint | undefined {
    return this.dwarf.findVariable(name)?.address ?? this.findSymbol?.(name)?.address;
  }

  /** The DWARF type of a global (e.g. '[]*runtime.g' for runtime.allgs). */
  globalType(name: string): DwarfType | undefined {
    return this.dwarf.findVariable(name)?.type;
  }

  /** A Go constant the compiler described in DWARF (DW_TAG_constant), e.g. 'runtime._Grunning'. */
  constant(name: string): number | bigint | undefined {
    const off = this.dwarf.info.index.constants.get(name);
    if (off === undefined) return undefined;
    const v = attr(this.dwarf.info.die(off)!, DW_AT.const_value);
    return typeof v === 'number' || typeof v === 'bigint' ? v : undefined;
  }

  // ---- statuses and wait reasons ----

  /** 'running', 'waiting', ... with a 'scan' suffix when the scan bit is set ('waiting+scan'). */
  gStatusName(atomicstatus: number): string {
    const st = this.gStatus;
    const scan = (atomicstatus & st.scan) !== 0;
    const base = atomicstatus & ~st.scan;
    let name = `status ${base}`;
    for (const [k, v] of Object.entries(st) as Array<[keyof GStatusConstants, number]>) {
      if (k !== 'scan' && v === base) name = STATUS_NAMES[k];
    }
    return scan ? `${name}+scan` : name;
  }

  waitReasonText(reason: number): string {
    return this.waitReasons[reason] ?? `wait reason ${reason}`;
  }

  private readGStatus(): GStatusConstants {
    const out = { ...DEFAULT_G_STATUS } as GStatusConstants;
    for (const k of Object.keys(G_STATUS_CONSTANT_NAMES) as Array<keyof GStatusConstants>) {
      const v = this.constant(G_STATUS_CONSTANT_NAMES[k]);
      if (typeof v === 'number') out[k] = v;
    }
    return out;
  }

  /** runtime.waitReasonStrings ([N]string) as initialised in the file's data section. */
  private readWaitReasonStrings(readStatic: NonNullable<LayoutSources['readStatic']>): string[] | undefined {
    const v = this.dwarf.findVariable('runtime.waitReasonStrings');
    const arr = underlying(v?.type);
    if (v?.address === undefined || arr?.kind !== 'array' || arr.count === undefined) return undefined;
    const elem = underlying(arr.element);
    if (elem === undefined || elem.size === undefined) return undefined;
    const out: string[] = [];
    for (let i = 0; i < arr.count; i++) {
      const s = readGoString(readStatic, v.address + BigInt(i * elem.size), this.dwarf.littleEndian);
      if (s === undefined) return undefined;
      out.push(s);
    }
    return out;
  }
}

const STATUS_NAMES: Readonly<Record<keyof GStatusConstants, string>> = {
  idle: 'idle',
  runnable: 'runnable',
  running: 'running',
  syscall: 'syscall',
  waiting: 'waiting',
  moribundUnused: 'moribund',
  dead: 'dead',
  enqueueUnused: 'enqueue',
  copystack: 'copystack',
  preempted: 'preempted',
  scan: 'scan',
};

/** Builds the layout from a loaded binary (an XcoffImage, or anything with the same three members). */
export function runtimeLayoutFromImage(image: RuntimeImage): RuntimeLayout {
  const dwarf = parseDwarf(image.dwarfSections());
  const segments = image.loadSegments ?? [];
  return new RuntimeLayout({
    dwarf,
    findSymbol: (name) => image.findSymbol(name),
    readStatic: (addr, len) => readSegments(segments, addr, len),
  });
}

function readSegments(segments: readonly { vaddr: bigint; fileBytes: Uint8Array }[], addr: bigint, len: number): Uint8Array | undefined {
  for (const s of segments) {
    if (addr < s.vaddr) continue;
    const off = addr - s.vaddr;
    if (off + BigInt(len) <= BigInt(s.fileBytes.length)) return s.fileBytes.subarray(Number(off), Number(off) + len);
  }
  return undefined;
}

function fieldOfType(type: DwarfType, path: string): FieldLayout | undefined {
  let t: DwarfType | undefined = type;
  let offset = 0;
  for (const part of path.split('.')) {
    const s = underlying(t);
    if (s === undefined || (s.kind !== 'struct' && s.kind !== 'union')) return undefined;
    const found = findMember(s, part, 0);
    if (found === undefined) return undefined;
    offset += found.offset;
    t = found.type;
  }
  const size = t?.size;
  if (size === undefined) return undefined;
  const base = underlying(t);
  return { offset, size, type: t, typeName: t?.name ?? '', signed: base?.kind === 'base' && base.signed };
}

/** A member by name, directly or promoted through embedded struct fields (breadth-first, like Go). */
function findMember(s: StructType, name: string, depth: number): { offset: number; type: DwarfType | undefined } | undefined {
  const direct = s.member(name);
  if (direct !== undefined) return { offset: direct.offset, type: direct.type };
  if (depth >= 4) return undefined;
  for (const m of s.members) {
    if (!m.embedded) continue;
    const inner = underlying(m.type);
    if (inner === undefined || inner.kind !== 'struct') continue;
    const found = findMember(inner, name, depth + 1);
    if (found !== undefined) return { offset: m.offset + found.offset, type: found.type };
  }
  return undefined;
}

function readU64(bytes: Uint8Array, at: number, littleEndian: boolean): bigint {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getBigUint64(at, littleEndian);
}

/** A Go string header {ptr, len} at addr and its bytes, read from static data. */
function readGoString(readStatic: NonNullable<LayoutSources['readStatic']>, addr: bigint, littleEndian: boolean): string | undefined {
  const header = readStatic(addr, 16);
  if (header === undefined) return undefined;
  const ptr = readU64(header, 0, littleEndian);
  const len = readU64(header, 8, littleEndian);
  if (len === 0n) return '';
  if (len > 4096n) return undefined;
  const bytes = readStatic(ptr, Number(len));
  return bytes === undefined ? undefined : new TextDecoder().decode(bytes);
}

const VERSION_PATTERN = /go(\d+)\.(\d+)(?:\.(\d+))?/;

function parseGoVersion(text: string, source: GoVersion['source']): GoVersion | undefined {
  const m = VERSION_PATTERN.exec(text);
  if (m === null) return undefined;
  return { text: m[0], major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3] ?? 0), source };
}

/** runtime.buildVersion (what runtime.Version() returns) when readable, else the compile units' producer. */
function detectGoVersion(dwarf: Dwarf, readStatic: LayoutSources['readStatic']): GoVersion | undefined {
  const addr = dwarf.findVariable('runtime.buildVersion')?.address;
  if (addr !== undefined && readStatic !== undefined) {
    const text = readGoString(readStatic, addr, dwarf.littleEndian);
    const v = text === undefined ? undefined : parseGoVersion(text, 'buildVersion');
    if (v !== undefined) return v;
  }
  return parseGoVersion(dwarf.producer, 'producer');
}
