// Binary search over sorted tables (units by offset, functions by low PC, line sequences and rows
// by address): every lookup in this layer wants "the last entry at or below a key".

/**
 * The first index in [lo, hi) for which atOrBelow(i) is false, where atOrBelow holds for a prefix
 * of the range (entries sorted ascending by key). The entry at the result minus one, if it is in
 * range, is the last one at or below the key.
 */
export function firstPast(lo: number, hi: number, atOrBelow: (i: number) => boolean): number {
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (atOrBelow(mid)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
