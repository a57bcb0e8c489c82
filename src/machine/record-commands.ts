// rr's navigation as monitor commands for a recorded run (serve --record): where we are, go to an
// instruction count, bookmarks. gdb caches registers and memory: after `goto` or `restart` it must
// be told (`maint flush register-cache`), which gdb-scripts/reverse.gdb's commands do.
import type { Scheduler } from '../aix/scheduler.js';
import type { Position, Recorder } from '../record/recorder.js';
import type { MonitorRegistry } from './monitor.js';

/** What the commands need from the target that owns a recorded process. */
export interface RecordNavigator {
  recorder: Recorder;
  goto(pos: Position): boolean;
}

const FLUSH_HINT = "(gdb still shows the old state: 'maint flush register-cache', or use gdb-scripts/reverse.gdb's rgoto/rrestart)";

/** One line: the position in instructions and the history around it. */
export function describePosition(r: Recorder): string {
  const where = r.live ? 'at the end of history (live)' : 'replaying';
  return `instruction ${r.instructions} of history ${r.startInstructions}..${r.endInstructions}, ${where}`;
}

/**
 * Adds the recorded-run commands to a target's registry. `context` says what the target runs now:
 * its scheduler and, when the run is recorded, how to move in its history.
 */
export function registerRecordCommands(monitors: MonitorRegistry, context: () => { scheduler: Scheduler; navigator: RecordNavigator | undefined }): void {
  const bookmarks = new WeakMap<Recorder, Map<number, { pos: Position; insns: number; note: string }>>();
  const marksOf = (r: Recorder): Map<number, { pos: Position; insns: number; note: string }> => {
    let m = bookmarks.get(r);
    if (m === undefined) bookmarks.set(r, (m = new Map()));
    return m;
  };
  const navigatorOf = (): RecordNavigator => {
    const nav = context().navigator;
    if (nav === undefined) throw new Error('the run is not recorded (start serve with --record)');
    if (nav.recorder.disabled !== undefined) throw new Error(nav.recorder.disabled);
    return nav;
  };

  monitors.register('when', 'recorded run: the current position (instruction count)', () => {
    const r = navigatorOf().recorder;
    const t = context().scheduler.current;
    const own = t !== undefined ? `; pthread ${t.tid} has run ${t.instructions} instructions` : '';
    return describePosition(r) + own;
  });

  monitors.register('goto', 'recorded run: go to instruction N, start or end (then flush gdb\'s cache)', ({ args }) => {
    const nav = navigatorOf();
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

  monitors.register('checkpoint', 'recorded run: bookmark the current position (kept in history)', ({ argText }) => {
    const r = navigatorOf().recorder;
    const marks = marksOf(r);
    const id = Math.max(0, ...marks.keys()) + 1;
    r.snapshot(true);
    marks.set(id, { pos: r.position, insns: r.instructions, note: argText.trim() });
    return `checkpoint ${id} at instruction ${r.instructions}`;
  });

  monitors.register('checkpoints', 'recorded run: list the bookmarks', () => {
    const r = navigatorOf().recorder;
    const marks = [...marksOf(r)];
    if (marks.length === 0) return 'no checkpoints';
    return marks.map(([id, m]) => `${id}\tinstruction ${m.insns}${m.note ? `\t${m.note}` : ''}`).join('\n');
  });

  monitors.register('restart', 'recorded run: go back (or forward) to checkpoint N', ({ args }) => {
    const nav = navigatorOf();
    const m = marksOf(nav.recorder).get(Number(args[0]));
    if (m === undefined) return 'usage: monitor restart N (monitor checkpoints lists them)';
    if (!nav.goto(m.pos)) return `checkpoint ${args[0]} is no longer in the recorded history`;
    return `${describePosition(nav.recorder)}\n${FLUSH_HINT}`;
  });

  monitors.register('record', 'recorded run: history, snapshots and the memory they hold', () => navigatorOf().recorder.describe());
}
