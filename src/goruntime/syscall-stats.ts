// Per-import counters for `monitor syscalls`: calls, failures, and cumulative guest time from
// entry to completion (a blocked call counts the time it waited).
import { table } from './views.js';

interface ImportStats {
  calls: number;
  errors: number;
  totalNs: bigint;
  maxNs: bigint;
}

export class SyscallStats {
  private readonly byImport = new Map<string, ImportStats>();
  /** Entry time of the call each thread is in. */
  private readonly entered = new Map<number, { name: string; at: bigint }>();
  private sinceNs: bigint;

  constructor(private readonly now: () => bigint) {
    this.sinceNs = now();
  }

  enter(tid: number, name: string): void {
    this.entered.set(tid, { name, at: this.now() });
    this.stats(name).calls++;
  }

  exit(tid: number, failed: boolean): void {
    const e = this.entered.get(tid);
    if (e === undefined) return; // entered before a reset
    this.entered.delete(tid);
    const s = this.stats(e.name);
    const ns = this.now() - e.at;
    s.totalNs += ns;
    if (ns > s.maxNs) s.maxNs = ns;
    if (failed) s.errors++;
  }

  reset(): void {
    this.byImport.clear();
    this.entered.clear();
    this.sinceNs = this.now();
  }

  private stats(name: string): ImportStats {
    let s = this.byImport.get(name);
    if (s === undefined) this.byImport.set(name, (s = { calls: 0, errors: 0, totalNs: 0n, maxNs: 0n }));
    return s;
  }

  /** Rows sorted by total time, then calls. */
  rows(): Array<{ name: string } & ImportStats> {
    return [...this.byImport.entries()]
      .map(([name, s]) => ({ name, ...s }))
      .sort((a, b) => (a.totalNs === b.totalNs ? b.calls - a.calls : a.totalNs > b.totalNs ? -1 : 1));
  }

  format(): string {
    const rows = this.rows();
    const elapsed = this.now() - this.sinceNs;
    const head = `libc calls over ${formatNs(elapsed)} of guest time${this.entered.size > 0 ? ` (${this.entered.size} in progress)` : ''}:`;
    if (rows.length === 0) return `${head}\n  none\n`;
    const totalCalls = rows.reduce((a, r) => a + r.calls, 0);
    const totalNs = rows.reduce((a, r) => a + r.totalNs, 0n);
    const body = table(
      ['import', 'calls', 'errors', 'total time', 'avg', 'max'],
      [
        ...rows.map((r) => [r.name, String(r.calls), String(r.errors), formatNs(r.totalNs), formatNs(r.calls === 0 ? 0n : r.totalNs / BigInt(r.calls)), formatNs(r.maxNs)]),
        ['total', String(totalCalls), String(rows.reduce((a, r) => a + r.errors, 0)), formatNs(totalNs), '', ''],
      ],
    );
    return [head, ...body].join('\n') + '\n';
  }
}

/** 1.234ms, 12.5us, 800ns */
export function formatNs(ns: bigint): string {
  const n = Number(ns);
  if (n >= 1e9) return `${(n / 1e9).toFixed(3)}s`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(3)}ms`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)}us`;
  return `${n}ns`;
}
