import { describe, expect, it } from 'vitest';
import { readFileSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { allRows, decodeRow, findOverlaps } from '../../../src/cpu/decode.js';

// A copy of the project's instruction inventory (shared/docs/isa.md), so the test does not depend
// on where the shared folder sits next to a checkout.
const ISA_MD = fileURLToPath(new URL('./testdata/isa.md', import.meta.url));

interface IsaEntry {
  tier: string;
  mnemonic: string;
  po: number;
  xo: number | null;
  form: string;
  isa: string;
}

function parseIsaTables(): IsaEntry[] {
  const out: IsaEntry[] = [];
  for (const line of readFileSync(ISA_MD, 'utf8').split('\n')) {
    const m = /^\| ([HSR]) \| `([^`]+)` \|[^|]*\| *(\d+) *\| *(\d*) *\| *([A-Z0-9-]+) *\| *([^|]+?) *\|/.exec(line);
    if (!m) continue;
    out.push({ tier: m[1], mnemonic: m[2], po: +m[3], xo: m[4] === '' ? null : +m[4], form: m[5], isa: m[6] });
  }
  return out;
}

/** A representative word for an isa.md row (all operand fields zero except what the form fixes). */
function wordFor(e: IsaEntry): number {
  const po = e.po << 26;
  const xo = e.xo ?? 0;
  const rc = e.mnemonic.endsWith('.') ? 1 : 0;
  const lk = /^(bclrl|bcctrl)$/.test(e.mnemonic) ? 1 : 0;
  switch (e.form) {
    case 'D': case 'I': case 'B': case 'M': return po;
    case 'DS': case 'DQ': return po | xo;
    case 'X': case 'XL': case 'XFX': case 'XFL': case 'XX1': return po | (xo << 1) | rc | lk;
    case 'XO': return po | (xo << 1) | rc;
    case 'XS': return po | (xo << 2) | rc;
    case 'MD': return po | (xo << 2);
    case 'MDS': return po | (xo << 1);
    case 'A': return po | (xo << 1);
    case 'VA': return po | xo;
    case 'VX': return po | xo;
    case 'VC': return po | xo | (rc << 10);
    case 'XX3': return po | (xo << 3);
    case 'XX2': return po | (xo << 2);
    case 'XX4': return po | (xo << 4);
    default: return 0;
  }
}

describe('decode tables', () => {
  it('no two rows overlap (some word would match both)', () => {
    expect(findOverlaps(allRows)).toEqual([]);
  });

  it('every row decodes its own match word back to itself', () => {
    allRows.forEach((r, idx) => {
      expect(allRows[decodeRow(r.match)], r.name).toBe(allRows[idx]);
    });
  });

  it('word 0 and unassigned opcodes are illegal', () => {
    expect(decodeRow(0)).toBe(-1);
    expect(decodeRow(1 << 26)).toBe(-1); // PO 1: prefixed instructions (ISA 3.1) are not ours
  });

  it('decoding a random word is consistent with the rows (dense table == linear scan)', () => {
    let x = 0x9e3779b9;
    for (let k = 0; k < 50000; k++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      const w = x | 0;
      const linear = allRows.findIndex((r) => (w & r.mask) === r.match);
      expect(decodeRow(w)).toBe(linear);
    }
  });

  it('every non-POWER9 instruction of isa.md decodes (integer, branch, load/store, system, FP, vector)', () => {
    expect(existsSync(ISA_MD), `${ISA_MD} (the instruction inventory) is missing`).toBe(true);
    const entries = parseIsaTables().filter((e) => !e.isa.startsWith('P9') && e.mnemonic !== 'UNDEF (0x00000000)');
    expect(entries.length).toBeGreaterThan(180);
    const missing = entries.filter((e) => decodeRow(wordFor(e)) < 0).map((e) => `${e.mnemonic} (${e.po}/${e.xo})`);
    expect(missing).toEqual([]);
  });

  it('the non-FP/vector instructions of isa.md decode to the row of the same name', () => {
    const mine = new Set(['integer', 'logical', 'rotate', 'compare', 'cr', 'branch', 'load', 'store', 'atomic', 'spr', 'system', 'trap']);
    const aliases: Record<string, string> = { bl: 'b', bclrl: 'bclr', bcctrl: 'bcctr' };
    for (const e of parseIsaTables()) {
      if (e.isa.startsWith('P9') || e.po === 0) continue;
      const idx = decodeRow(wordFor(e));
      if (idx < 0 || !mine.has(allRows[idx].family)) continue;
      expect(allRows[idx].name, e.mnemonic).toBe(aliases[e.mnemonic] ?? e.mnemonic);
    }
  });
});
