// wasm/decode-run.ts: decodeSlot's look-ahead in WebAssembly gives every word the id decodeRow
// and the loop's row ids give it, stores the words as the JS loop did, and stops where the JS
// loop stopped (an already decoded slot, the count it was given).
import { describe, expect, it } from 'vitest';
import { allRows, decodeRow } from '../../../src/cpu/decode.js';
import { ID_ILLEGAL, rowIds } from '../../../src/cpu/run.js';
import { guestArena } from '../../../src/cpu/wasm/arena.js';
import { runDecoder } from '../../../src/cpu/wasm/decode-run.js';

const idOfRow = rowIds(allRows);
const want = (w: number): number => {
  const row = decodeRow(w);
  return row < 0 ? ID_ILLEGAL : idOfRow[row]!;
};

describe('the Wasm run decoder', () => {
  const arena = guestArena()!;
  const decode = runDecoder(idOfRow, ID_ILLEGAL)!;
  const guest = arena.allocPage(); // a guest page's byte-reversed storage
  const slots = arena.allocSmall(2 * 65536); // a code page: ids, then words
  const dv = new DataView(arena.buffer);
  /** Store `words` as guest words 0.. of the page (word at offset o is little-endian at 65532 - o). */
  const put = (words: Int32Array): void => {
    for (let k = 0; k < words.length; k++) dv.setInt32(guest + 65532 - 4 * k, words[k]!, true);
  };
  const ids = () => new Int32Array(arena.buffer, slots, 16384);
  const stored = () => new Int32Array(arena.buffer, slots + 65536, 16384);

  it('decodes every row\'s own word, illegal words and 16,000 random words as decodeRow does', () => {
    const words = new Int32Array(16384);
    let x = 0x2545f491;
    for (let k = 0; k < words.length; k++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      words[k] = k < allRows.length ? allRows[k]!.match : k < allRows.length + 64 ? (k - allRows.length) << 26 : x;
    }
    put(words);
    ids().fill(0);
    expect(decode(guest + 65532, slots, words.length)).toBe(words.length);
    const got = ids();
    const kept = stored();
    for (let k = 0; k < words.length; k++) {
      if (got[k] !== want(words[k]!)) expect(`word ${k} 0x${(words[k]! >>> 0).toString(16)}: id ${got[k]}`).toBe(`id ${want(words[k]!)}`);
      if (kept[k] !== words[k]) expect(kept[k]).toBe(words[k]);
    }
  });

  it('stops at the count given and at a slot decoded already, from any start in the page', () => {
    const words = new Int32Array(200).map((_v, k) => allRows[k % allRows.length]!.match);
    put(words);
    ids().fill(0);
    ids()[150] = 7;
    // From word 100: 50 slots to the decoded one.
    expect(decode(guest + 65532 - 4 * 100, slots + 4 * 100, 90)).toBe(50);
    expect(ids()[99]).toBe(0);
    expect(ids()[100]).toBe(want(words[100]!));
    expect(ids()[149]).toBe(want(words[149]!));
    expect(ids()[150]).toBe(7);
    // A count of 3 from word 10.
    expect(decode(guest + 65532 - 40, slots + 40, 3)).toBe(3);
    expect([ids()[9], ids()[13]]).toEqual([0, 0]);
    expect(ids()[12]).toBe(want(words[12]!));
  });
});
