// `make bench` results as JSON (build/bench/results.json) next to the text it prints: each part's
// lines as printed, and every ratio in them (`ratio: ours / qemu = 0.24`, `16.6×`, `1.33x`) as a
// number with the text before it as its label, so a script can compare runs.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export interface BenchRatio {
  label: string;
  value: number;
}

export interface BenchSection {
  /** The part's heading line: `(a) tight integer loop, …`. */
  title: string;
  lines: string[];
  ratios: BenchRatio[];
}

export interface BenchDocument {
  date: string;
  node: string;
  argv: string[];
  sections: BenchSection[];
}

const HEADING = /^\([a-z]\) /;
const RATIO = /(?:ratio: ([^=]+?) = |\s)(\d+(?:\.\d+)?)\s*(?:[x×](?![\w])|(?=$))/g;

/** Group printed lines into parts and pick out their ratios. */
export function benchDocument(lines: readonly string[], argv: string[] = [], now = new Date()): BenchDocument {
  const sections: BenchSection[] = [];
  for (const line of lines) {
    if (HEADING.test(line) || sections.length === 0) sections.push({ title: HEADING.test(line) ? line : '(preamble)', lines: [], ratios: [] });
    const s = sections[sections.length - 1]!;
    s.lines.push(line);
    for (const m of line.matchAll(RATIO)) {
      const named = m[1] !== undefined;
      // Without "ratio:", only numbers followed by x/× count (not every trailing number).
      if (!named && !/[x×]$/.test(m[0].trim())) continue;
      const label = named ? m[1]!.trim() : line.slice(0, m.index).trim().replace(/\s{2,}/g, ' ');
      s.ratios.push({ label, value: Number(m[2]) });
    }
  }
  return { date: now.toISOString(), node: process.version, argv, sections };
}

/** Capture everything console.log prints from now on; `write` puts the JSON at `file`. */
export function captureBenchOutput(): { write(file: string, argv: string[]): void } {
  const lines: string[] = [];
  const log = console.log.bind(console);
  console.log = (...args: unknown[]) => {
    const text = args.map(String).join(' ');
    lines.push(...text.split('\n'));
    log(...args);
  };
  return {
    write(file, argv) {
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, JSON.stringify(benchDocument(lines, argv), null, 2) + '\n');
      log(`results as JSON: ${file}`);
    },
  };
}
