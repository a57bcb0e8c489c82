// Reading `go test -test.v` output of a standard-library test binary: which tests (and subtests)
// passed, failed or were skipped, and which started but never reported (a panic, a deadlock or
// -test.timeout ended the binary inside them).

export interface GoTestOutcome {
  passed: string[];
  failed: string[];
  skipped: string[];
  /** Started (=== RUN) but without a --- line: the binary ended inside them. */
  unfinished: string[];
  /** The binary's own last word: PASS, FAIL, or nothing (it died). */
  verdict: 'PASS' | 'FAIL' | undefined;
}

const RESULT = /^\s*--- (PASS|FAIL|SKIP): (\S+) \(/;
const RUN = /^=== RUN\s+(\S+)/;

export function parseGoTestV(output: string): GoTestOutcome {
  const out: GoTestOutcome = { passed: [], failed: [], skipped: [], unfinished: [], verdict: undefined };
  const open = new Set<string>();
  for (const line of output.split('\n')) {
    const run = RUN.exec(line);
    if (run) {
      open.add(run[1]!);
      continue;
    }
    const r = RESULT.exec(line);
    if (r) {
      open.delete(r[2]!);
      (r[1] === 'PASS' ? out.passed : r[1] === 'FAIL' ? out.failed : out.skipped).push(r[2]!);
      continue;
    }
    if (line === 'PASS' || line === 'FAIL') out.verdict = line;
  }
  out.unfinished = [...open];
  return out;
}

/** The package passes when the binary said PASS, exited 0 and no test failed or was cut short. */
export function packagePassed(o: GoTestOutcome, exitCode: number | null): boolean {
  return exitCode === 0 && o.verdict === 'PASS' && o.failed.length === 0 && o.unfinished.length === 0;
}
