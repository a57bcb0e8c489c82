// Types built from DIEs on demand and cached by DIE offset. References between types (pointer
// targets, typedef targets, member types, array elements) resolve lazily, so the cyclic graph
// Go's runtime has (m → *g → m) is never walked as a whole.
import { DW_AT, DW_ATE, DW_TAG } from './constants.js';
import { attr, attrNumber, attrRef, attrString, type DebugInfo, type Die } from './info.js';

export type TypeKind = 'base' | 'pointer' | 'typedef' | 'struct' | 'union' | 'array' | 'function' | 'unspecified';

export interface TypeCommon {
  readonly kind: TypeKind;
  /** The DIE offset in .debug_info (a type's identity). */
  readonly offset: number;
  /** The name Go gave it: 'runtime.m', '*runtime.g', '[]*runtime.g', 'uintptr'; '' when unnamed. */
  readonly name: string;
  /** Size in bytes; for a typedef, its target's size when the DIE has none. */
  readonly size: number | undefined;
  /** reflect.Kind from DW_AT_go_kind, when Go wrote one. */
  readonly goKind: number | undefined;
}

export interface BaseType extends TypeCommon {
  readonly kind: 'base';
  /** DW_ATE_* encoding. */
  readonly encoding: number;
  readonly signed: boolean;
}

export interface PointerType extends TypeCommon {
  readonly kind: 'pointer';
  readonly target: DwarfType | undefined;
}

export interface TypedefType extends TypeCommon {
  readonly kind: 'typedef';
  readonly target: DwarfType | undefined;
}

export interface StructMember {
  readonly name: string;
  /** Byte offset inside the struct. */
  readonly offset: number;
  readonly type: DwarfType | undefined;
  /** Go embedded field (DW_AT_go_embedded_field), e.g. m.mOS. */
  readonly embedded: boolean;
}

export interface StructType extends TypeCommon {
  readonly kind: 'struct' | 'union';
  readonly members: readonly StructMember[];
  member(name: string): StructMember | undefined;
}

export interface ArrayType extends TypeCommon {
  readonly kind: 'array';
  readonly element: DwarfType | undefined;
  /** Element count (DW_AT_count, or upper bound + 1); undefined when unknown. */
  readonly count: number | undefined;
}

export interface OtherType extends TypeCommon {
  readonly kind: 'function' | 'unspecified';
}

export type DwarfType = BaseType | PointerType | TypedefType | StructType | ArrayType | OtherType;

/** Follows typedefs to the underlying type (Go writes named non-struct types as typedefs). */
export function underlying(t: DwarfType | undefined): DwarfType | undefined {
  for (let i = 0; t !== undefined && t.kind === 'typedef'; i++) {
    if (i >= 64) return undefined; // a typedef cycle in corrupt input
    t = t.target;
  }
  return t;
}

export class TypeTable {
  private readonly cache = new Map<number, DwarfType | null>();

  constructor(private readonly info: DebugInfo) {}

  /** The type whose DIE is at `offset`; undefined when that DIE is not a type. */
  at(offset: number): DwarfType | undefined {
    const cached = this.cache.get(offset);
    if (cached !== undefined) return cached ?? undefined;
    const die = this.info.die(offset);
    const t = die === undefined ? undefined : this.build(die);
    this.cache.set(offset, t ?? null);
    return t;
  }

  private ref(die: Die): () => DwarfType | undefined {
    const target = attrRef(die, DW_AT.type);
    let resolved: DwarfType | undefined;
    let done = false;
    return () => {
      if (!done) {
        resolved = target === undefined ? undefined : this.at(target);
        done = true;
      }
      return resolved;
    };
  }

  private build(die: Die): DwarfType | undefined {
    const offset = die.offset;
    const name = attrString(die, DW_AT.name) ?? '';
    const ownSize = attrNumber(die, DW_AT.byte_size);
    const goKind = attrNumber(die, DW_AT.go_kind);
    switch (die.tag) {
      case DW_TAG.base_type: {
        const encoding = attrNumber(die, DW_AT.encoding) ?? 0;
        const signed = encoding === DW_ATE.signed || encoding === DW_ATE.signed_char;
        return { kind: 'base', offset, name, size: ownSize, goKind, encoding, signed };
      }
      case DW_TAG.pointer_type: {
        const target = this.ref(die);
        return {
          kind: 'pointer',
          offset,
          name,
          size: ownSize ?? die.unit.addressSize,
          goKind,
          get target() {
            return target();
          },
        };
      }
      case DW_TAG.typedef: {
        const target = this.ref(die);
        return {
          kind: 'typedef',
          offset,
          name,
          get size() {
            return ownSize ?? underlying(target())?.size;
          },
          goKind,
          get target() {
            return target();
          },
        };
      }
      case DW_TAG.structure_type:
      case DW_TAG.union_type: {
        let members: StructMember[] | undefined;
        const load = (): StructMember[] => (members ??= this.members(die));
        return {
          kind: die.tag === DW_TAG.structure_type ? 'struct' : 'union',
          offset,
          name,
          size: ownSize,
          goKind,
          get members() {
            return load();
          },
          member: (n: string) => load().find((m) => m.name === n),
        };
      }
      case DW_TAG.array_type: {
        const element = this.ref(die);
        let sizing = false;
        let count: number | undefined;
        for (const child of this.info.children(die)) {
          if (child.tag !== DW_TAG.subrange_type) continue;
          count = attrNumber(child, DW_AT.count);
          const upper = attrNumber(child, DW_AT.upper_bound);
          if (count === undefined && upper !== undefined) count = upper + 1;
          break;
        }
        return {
          kind: 'array',
          offset,
          name,
          get size() {
            if (ownSize !== undefined) return ownSize;
            if (sizing) return undefined; // an array containing itself (corrupt input)
            sizing = true;
            const es = element()?.size;
            sizing = false;
            return es !== undefined && count !== undefined ? es * count : undefined;
          },
          goKind,
          get element() {
            return element();
          },
          count,
        };
      }
      case DW_TAG.subroutine_type:
        return { kind: 'function', offset, name, size: ownSize, goKind };
      case DW_TAG.unspecified_type:
        return { kind: 'unspecified', offset, name, size: ownSize, goKind };
      default:
        return undefined;
    }
  }

  private members(die: Die): StructMember[] {
    const out: StructMember[] = [];
    for (const child of this.info.children(die)) {
      if (child.tag !== DW_TAG.member) continue;
      const type = this.ref(child);
      out.push({
        name: attrString(child, DW_AT.name) ?? '',
        offset: memberOffset(attr(child, DW_AT.data_member_location)),
        get type() {
          return type();
        },
        embedded: attr(child, DW_AT.go_embedded_field) === true,
      });
    }
    return out;
  }
}

/** DW_AT_data_member_location: a constant (Go), or a DW_OP_plus_uconst expression (older producers). */
function memberOffset(v: ReturnType<typeof attr>): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (v instanceof Uint8Array && v.length >= 2 && v[0] === 0x23) {
    let result = 0;
    let mul = 1;
    for (let i = 1; i < v.length; i++) {
      result += (v[i]! & 0x7f) * mul;
      if ((v[i]! & 0x80) === 0) break;
      mul *= 128;
    }
    return result;
  }
  return 0;
}
