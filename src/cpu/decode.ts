// Decoding: dense per-primary-opcode tables built at load time from every instruction row.
// Every slot starts illegal; installing a row into an occupied slot is a build error, so two rows
// can never claim the same word (Dolphin's table habit, decodetree's overlap rule).
import type { InsnRow } from './isa-types.js';
import { integerRows } from './exec/integer.js';
import { rotateRows } from './exec/rotate.js';
import { branchRows } from './exec/branch.js';
import { loadStoreRows } from './exec/loadstore.js';
import { systemRows } from './exec/system.js';
import { fpRows } from './exec/fp.js';
import { vmxRows } from './exec/vmx.js';
import { vsxRows } from './exec/vsx.js';
import { cryptoRows } from './exec/crypto.js';

/** Every instruction row, in a fixed order: a row's index here is its decoded id. */
export const allRows: readonly InsnRow[] = [
  ...integerRows,
  ...rotateRows,
  ...branchRows,
  ...loadStoreRows,
  ...systemRows,
  ...fpRows,
  ...vmxRows,
  ...vsxRows,
  ...cryptoRows,
];

const PO_MASK = 0xfc000000 | 0;
const MAX_KEY_BITS = 16;

/** Two rows overlap when some word matches both: they agree on every bit both fix. */
export function rowsOverlap(a: InsnRow, b: InsnRow): boolean {
  return ((a.match ^ b.match) & a.mask & b.mask) === 0;
}

/** All overlapping pairs (names), for the self-check test. */
export function findOverlaps(rows: readonly InsnRow[]): string[] {
  const out: string[] = [];
  for (let x = 0; x < rows.length; x++) {
    for (let y = x + 1; y < rows.length; y++) {
      if (rowsOverlap(rows[x], rows[y])) out.push(`${rows[x].name} / ${rows[y].name}`);
    }
  }
  return out;
}

interface OpcodeTable {
  /** IBM-order bit positions (as shifts from the LSB) forming the secondary key. */
  keyShifts: number[];
  /** Dense slot -> row index, -1 = illegal; null when the table fell back to a list. */
  slots: Int16Array | null;
  /**
   * When the key bits are one field (every table today): the key is (word >>> keyShift) & keyMask,
   * which is what keyOfWord gathers bit by bit; keyMask -1 otherwise. Decoding runs cold in every
   * process (hello decodes about 25,000 words), where the bit loop cost most of its time.
   */
  keyShift: number;
  keyMask: number;
  /** Rows of this primary opcode (the list fallback scans them). */
  rows: number[];
}

function popcount(x: number): number {
  let n = 0;
  for (; x !== 0; x &= x - 1) n++;
  return n;
}

function buildTables(rows: readonly InsnRow[]): OpcodeTable[] {
  const tables: OpcodeTable[] = [];
  for (let p = 0; p < 64; p++) tables.push({ keyShifts: [], slots: null, rows: [], keyShift: 0, keyMask: -1 });
  rows.forEach((r, idx) => {
    if ((r.mask & PO_MASK) !== PO_MASK) throw new Error(`row ${r.name}: mask must fix the primary opcode`);
    if ((r.match & ~r.mask) !== 0) throw new Error(`row ${r.name}: match has bits outside its mask`);
    tables[r.match >>> 26].rows.push(idx);
  });
  for (const t of tables) {
    let union = 0;
    for (const idx of t.rows) union |= rows[idx].mask & ~PO_MASK;
    if (popcount(union) > MAX_KEY_BITS) {
      // List fallback: check every pair. A slot table needs no such check (tens of thousands of
      // pairs, milliseconds of every start-up): every bit a row fixes is a key bit, so two rows
      // overlap exactly when they claim a common slot, which the fill below refuses.
      for (let x = 0; x < t.rows.length; x++) {
        for (let y = x + 1; y < t.rows.length; y++) {
          const a = rows[t.rows[x]];
          const b = rows[t.rows[y]];
          if (rowsOverlap(a, b)) throw new Error(`instruction rows overlap: ${a.name} and ${b.name}`);
        }
      }
      continue;
    }
    for (let sh = 25; sh >= 0; sh--) if (union & (1 << sh)) t.keyShifts.push(sh);
    const n = t.keyShifts.length;
    const slots = new Int16Array(1 << n).fill(-1);
    for (const idx of t.rows) {
      // The key bits this row fixes, and their values; every key agreeing on them is the row's.
      // Enumerating only those keys (instead of every key for every row) keeps the build at
      // a few ms: primary opcode 4 alone has 2^11 keys and ~150 rows.
      const r = rows[idx];
      let fixed = 0;
      let want = 0;
      for (let j = 0; j < n; j++) {
        const bit = 1 << t.keyShifts[j];
        const kbit = 1 << (n - 1 - j);
        if (r.mask & bit) {
          fixed |= kbit;
          if (r.match & bit) want |= kbit;
        }
      }
      const free = ((1 << n) - 1) & ~fixed;
      for (let sub = free; ; sub = (sub - 1) & free) {
        const key = want | sub;
        if (slots[key] !== -1) throw new Error(`instruction rows overlap: ${rows[slots[key]].name} and ${r.name}`);
        slots[key] = idx;
        if (sub === 0) break;
      }
    }
    t.slots = slots;
    const ks = t.keyShifts;
    if (ks.every((sh, j) => sh === ks[0]! - j)) {
      t.keyShift = n === 0 ? 0 : ks[n - 1]!;
      t.keyMask = (1 << n) - 1;
    }
  }
  return tables;
}

function keyOfWord(shifts: number[], word: number): number {
  let key = 0;
  for (let j = 0; j < shifts.length; j++) key = (key << 1) | ((word >>> shifts[j]) & 1);
  return key;
}

const tables = buildTables(allRows);

/**
 * decodeRow's tables, for a decoder elsewhere (wasm/decode-run.ts): per primary opcode, the
 * secondary key's shift and mask (mask -1: no single-field table, decode those words with
 * decodeRow) and its slots (row index, -1 illegal).
 */
export function decodeFields(): { shift: number; mask: number; slots: Int16Array | null }[] {
  return tables.map((t) => ({ shift: t.keyShift, mask: t.slots === null ? -1 : t.keyMask, slots: t.slots }));
}

/** Index into allRows of the row that decodes `word`, or -1 for an illegal instruction. */
export function decodeRow(word: number): number {
  const t = tables[word >>> 26];
  if (t.keyMask >= 0) return t.slots![(word >>> t.keyShift) & t.keyMask];
  if (t.slots !== null) return t.slots[keyOfWord(t.keyShifts, word)];
  for (const idx of t.rows) {
    const r = allRows[idx];
    if ((word & r.mask) === r.match) return idx;
  }
  return -1;
}
