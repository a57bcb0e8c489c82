// strace -f's line grammar (its printleader, syscall, signal and exit lines), so tests can check
// that every --strace line is one strace itself could print, and that unfinished calls resume.

const CALL = /^([A-Za-z_][\w]*)\((.*)\) = (-?\d+|0x[0-9a-f]+|\?)( E[A-Z0-9]+ \([^()]+\)| \(.*\))?( <\d+\.\d{6}>)?$/;
const UNFINISHED = /^([A-Za-z_][\w]*)\((.*) <unfinished \.\.\.>$/;
const RESUMED = /^<\.\.\. ([A-Za-z_][\w]*) resumed>(.*)\) = (-?\d+|0x[0-9a-f]+|\?)( E[A-Z0-9]+ \([^()]+\)| \(.*\))?( <\d+\.\d{6}>)?$/;
const SIGNAL = /^--- SIG[A-Z0-9]+ \{si_signo=SIG[A-Z0-9]+, si_code=[A-Z_0-9-]+, (si_addr=0x[0-9a-f]+|si_pid=\d+, si_uid=\d+)\} ---$/;
const EXIT = /^\+\+\+ (exited with \d+|killed by SIG[A-Z0-9]+) \+\+\+$/;
const TIME = /^\d\d:\d\d:\d\d\.\d{6} /;

/**
 * Problems in a list of strace lines (empty when they all parse): the prefix (`[pid %5u] ` on
 * stderr, `%-5d ` with -o FILE), an optional -tt time, one of the line kinds, -1 results with an
 * errno name and text, and every `<unfinished ...>` followed by its `<... name resumed>` on the same thread.
 */
export function checkStraceLines(lines: string[], opts: { file?: boolean } = {}): string[] {
  const problems: string[] = [];
  const open = new Map<string, string>();
  lines.forEach((line, i) => {
    let rest = line;
    let tid = 'leader';
    const pfx = opts.file ? /^(\d+) {1,5}/.exec(rest) : /^\[pid +(\d+)\] /.exec(rest);
    if (pfx) {
      if (!opts.file && pfx[0] !== `[pid ${pfx[1]!.padStart(5)}] `) problems.push(`line ${i + 1}: pid not padded to 5 as strace's %5u: ${line}`);
      if (opts.file && pfx[0] !== `${pfx[1]!.padEnd(5)} `) problems.push(`line ${i + 1}: pid not left-aligned in 5 as strace's %-5d: ${line}`);
      tid = pfx[1]!;
      rest = rest.slice(pfx[0].length);
    } else if (opts.file) {
      problems.push(`line ${i + 1}: no pid prefix in the -o form: ${line}`);
    }
    const time = TIME.exec(rest);
    if (time) rest = rest.slice(time[0].length);
    let m: RegExpExecArray | null;
    if ((m = UNFINISHED.exec(rest))) {
      if (open.has(tid)) problems.push(`line ${i + 1}: thread ${tid} starts ${m[1]} while ${open.get(tid)} is unfinished`);
      open.set(tid, m[1]!);
    } else if ((m = RESUMED.exec(rest))) {
      if (open.get(tid) !== m[1]) problems.push(`line ${i + 1}: ${m[1]} resumed on thread ${tid}, which had ${open.get(tid) ?? 'nothing'} unfinished`);
      open.delete(tid);
      if (m[3] === '-1' && !m[4]) problems.push(`line ${i + 1}: -1 without an errno name and text: ${line}`);
    } else if ((m = CALL.exec(rest))) {
      if (open.has(tid)) problems.push(`line ${i + 1}: thread ${tid} calls ${m[1]} while ${open.get(tid)} is unfinished`);
      if (m[3] === '-1' && m[4] && !/^ E[A-Z0-9]+ \(/.test(m[4])) problems.push(`line ${i + 1}: -1 without an errno name and text: ${line}`);
    } else if (!SIGNAL.test(rest) && !EXIT.test(rest)) {
      problems.push(`line ${i + 1}: not a strace line: ${line}`);
    }
  });
  for (const [tid, name] of open) problems.push(`thread ${tid}: ${name} never resumed`);
  return problems;
}
