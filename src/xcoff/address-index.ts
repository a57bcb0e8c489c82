// Address → symbol+offset lookup: binary search over the sized symbols sorted by address.
import type { XcoffSymbol } from './symbols.js';

export interface SymbolizedAddress {
  name: string;
  offset: bigint;
  symbol: XcoffSymbol;
}

type Located = Pick<XcoffSymbol, 'address' | 'size'>;

const byStartThenSmallerLast = (a: Located, b: Located): number =>
  a.address < b.address ? -1 : a.address > b.address ? 1 : a.size < b.size ? 1 : a.size > b.size ? -1 : 0;

export class AddressIndex<S extends Located & { name: string } = XcoffSymbol> {
  private readonly sorted: S[];
  /** maxEnd[i]: the largest end address among sorted[0..i], to know when to stop walking back. */
  private readonly maxEnd: bigint[];

  /** Symbols without a size (markers such as runtime.etext) are left out. */
  constructor(symbols: readonly S[]) {
    this.sorted = symbols.filter((s) => s.size > 0n).sort(byStartThenSmallerLast);
    this.maxEnd = new Array(this.sorted.length);
    let max = 0n;
    for (let i = 0; i < this.sorted.length; i++) {
      const end = this.sorted[i]!.address + this.sorted[i]!.size;
      if (end > max) max = end;
      this.maxEnd[i] = max;
    }
  }

  /** The symbol containing addr that starts closest below it. */
  lookup(addr: bigint): { name: string; offset: bigint; symbol: S } | undefined {
    const sorted = this.sorted;
    let lo = 0;
    let hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (sorted[mid]!.address <= addr) lo = mid + 1;
      else hi = mid;
    }
    // Walk back only while an earlier symbol could still reach addr (Go's symbols do not overlap).
    for (let i = lo - 1; i >= 0 && this.maxEnd[i]! > addr; i--) {
      const s = sorted[i]!;
      if (addr < s.address + s.size) return { name: s.name, offset: addr - s.address, symbol: s };
    }
    return undefined;
  }
}
