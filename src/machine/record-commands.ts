// rr's navigation as monitor commands for a recorded run (serve --record): where we are, go to an
// instruction count, bookmarks. gdb caches registers and memory: after `goto` or `restart` it must
// be told (`maint flush register-cache`), which gdb-scripts/reverse.gdb's commands do.
import type { AixProcess } from '../aix/process.js';
import type { Position, Recorder } from '../record/recorder.js';
import { registerMonitorCommand } from './monitor.js';

/** What the commands need from the target that owns a recorded process. */
export interface RecordNavigator {
  recorder: Recorder;
  goto(pos: Position): boolean;
}

const navigators = new WeakMap<AixProcess, RecordNavigator>();
const bookmarks = new WeakMap<Recorder, Map<number, { pos: Position; insns: number; note: string }>>();

export function attachRecordCommands(proc: AixProcess, nav: RecordNavigator): void {
  navigators.set(proc, nav);
}

function navigatorOf(proc: AixProcess): RecordNavigator {
  const nav = navigators.get(proc);
  if (nav === undefined) throw new Error('the run is not recorded (start serve with --record)');
  if (nav.recorder.disabled !== undefined) throw new Error(nav.recorder.disabled);
  return nav;
}

function marksOf(r: Recorder): Map<number, { pos: Position; insns: number; note: string }> {
  let m = bookmarks.get(r);
  if (m === undefined) bookmarks.set(r, (m = new Map()));
  return m;
}

const FLUSH_HINT = "(gdb still shows the old state: 'maint flush register-cache', or use gdb-scripts/reverse.gdb's rgoto/rrestart)";

/** One line: the position in instructions and the history around it. */
export function describePosition(r: Recorder): string {
  const where = r.live ? 'at the end of history (live)' : 'replaying';
  return `instruction ${r.instructions} of history ${r.startInstructions}..${r.endInstructions}, ${where}`;
}

registerMonitorCommand('when', 'recorded run: the current position (instruction count)', ({ process, scheduler }) => {
  const r = navigatorOf(process).recorder;
  const t = scheduler.current;
  const own = t !== undefined ? `; pthread ${t.tid} has run ${t.instructions} instructions` : '';
  return describePosition(r) + own;
});

registerMonitorCommand('goto', 'recorded run: go to instruction N, start or end (then flush gdb\'s cache)', ({ process, args }) => {
  const nav = navigatorOf(process);
  const r = nav.recorder;
  const what = args[0];
  if (what === undefined) return 'usage: monitor goto N|start|end';
  let pos: Position | undefined;
  if (what === 'start') pos = r.startPosition;
  else if (what === 'end') pos = r.endPosition;
  else if (/^\d+$/.test(what)) pos = r.positionOfInstructions(Number(what));
  else return 'usage: monitor goto N|start|end';
  if (pos === undefined || !nav.goto(pos)) return `instruction ${what} is outside the recorded history (${r.startInstructions}..${r.endInstructions})`;
  return `${describePosition(r)}\n${FLUSH_HINT}`;
});

registerMonitorCommand('checkpoint', 'recorded run: bookmark the current position (kept in history)', ({ process, argText }) => {
  const r = navigatorOf(process).recorder;
  const marks = marksOf(r);
  const id = Math.max(0, ...marks.keys()) + 1;
  r.snapshot(true);
  marks.set(id, { pos: r.position, insns: r.instructions, note: argText.trim() });
  return `checkpoint ${id} at instruction ${r.instructions}`;
});

registerMonitorCommand('checkpoints', 'recorded run: list the bookmarks', ({ process }) => {
  const r = navigatorOf(process).recorder;
  const marks = [...marksOf(r)];
  if (marks.length === 0) return 'no checkpoints';
  return marks.map(([id, m]) => `${id}\tinstruction ${m.insns}${m.note ? `\t${m.note}` : ''}`).join('\n');
});

registerMonitorCommand('restart', 'recorded run: go back (or forward) to checkpoint N', ({ process, args }) => {
  const nav = navigatorOf(process);
  const m = marksOf(nav.recorder).get(Number(args[0]));
  if (m === undefined) return 'usage: monitor restart N (monitor checkpoints lists them)';
  if (!nav.goto(m.pos)) return `checkpoint ${args[0]} is no longer in the recorded history`;
  return `${describePosition(nav.recorder)}\n${FLUSH_HINT}`;
});

registerMonitorCommand('record', 'recorded run: history, snapshots and the memory they hold', ({ process }) => navigatorOf(process).recorder.describe());
