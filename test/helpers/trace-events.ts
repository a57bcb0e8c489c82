// A viewer-independent check of a Chrome/Perfetto trace-event JSON document: the fields each
// phase needs (Trace Event Format), every B closed by an E of the same name on its track in stack
// order, ts never going back on a track, flow starts and finishes paired by id, named tracks.

export interface TraceDoc {
  traceEvents: Array<Record<string, unknown>>;
  displayTimeUnit?: string;
}

const PHASES = new Set(['B', 'E', 'X', 'i', 'I', 'M', 's', 't', 'f', 'C', 'b', 'e', 'n']);

/** Problems found (empty when the document is well formed). */
export function checkTraceEvents(doc: TraceDoc): string[] {
  const problems: string[] = [];
  if (!Array.isArray(doc.traceEvents)) return ['traceEvents is not an array'];
  if (doc.displayTimeUnit !== undefined && doc.displayTimeUnit !== 'ns' && doc.displayTimeUnit !== 'ms') problems.push(`displayTimeUnit ${String(doc.displayTimeUnit)}`);
  const stacks = new Map<string, string[]>();
  const lastTs = new Map<string, number>();
  const named = new Set<string>();
  const used = new Set<string>();
  const flows = new Map<unknown, { s: number; f: number; names: Set<unknown> }>();
  doc.traceEvents.forEach((e, i) => {
    const where = `event ${i} (${JSON.stringify(e).slice(0, 120)})`;
    if (typeof e.name !== 'string') problems.push(`${where}: name is not a string`);
    if (typeof e.ph !== 'string' || !PHASES.has(e.ph)) problems.push(`${where}: unknown ph`);
    if (typeof e.ts !== 'number' || !Number.isFinite(e.ts) || e.ts < 0) problems.push(`${where}: ts is not a non-negative number`);
    if (!Number.isInteger(e.pid) || !Number.isInteger(e.tid)) problems.push(`${where}: pid/tid are not integers`);
    if (e.args !== undefined && (typeof e.args !== 'object' || e.args === null || Array.isArray(e.args))) problems.push(`${where}: args is not an object`);
    const track = `${String(e.pid)}/${String(e.tid)}`;
    if (e.ph === 'M') {
      const args = e.args as Record<string, unknown> | undefined;
      if (e.name === 'thread_name' || e.name === 'process_name') {
        if (typeof args?.name !== 'string') problems.push(`${where}: ${String(e.name)} without args.name`);
        if (e.name === 'thread_name') named.add(track);
      }
      return;
    }
    used.add(track);
    const ts = e.ts as number;
    if (ts < (lastTs.get(track) ?? 0)) problems.push(`${where}: ts goes back on track ${track}`);
    lastTs.set(track, ts);
    const stack = stacks.get(track) ?? [];
    stacks.set(track, stack);
    if (e.ph === 'B') stack.push(e.name as string);
    else if (e.ph === 'E') {
      const open = stack.pop();
      if (open === undefined) problems.push(`${where}: E without a B on track ${track}`);
      else if (open !== e.name) problems.push(`${where}: E '${String(e.name)}' closes '${open}' on track ${track}`);
    } else if (e.ph === 'X') {
      if (typeof e.dur !== 'number' || e.dur < 0) problems.push(`${where}: X without a non-negative dur`);
    } else if (e.ph === 's' || e.ph === 'f' || e.ph === 't') {
      if (e.id === undefined) problems.push(`${where}: flow event without id`);
      const fl = flows.get(e.id) ?? { s: 0, f: 0, names: new Set() };
      flows.set(e.id, fl);
      if (e.ph === 's') fl.s++;
      if (e.ph === 'f') fl.f++;
      fl.names.add(`${String(e.cat)}/${String(e.name)}`);
      // A flow binds to a slice: a start inside an open one on its track.
      if (e.ph === 's' && stack.length === 0) problems.push(`${where}: flow start outside any slice on track ${track}`);
    } else if (e.ph === 'i' || e.ph === 'I') {
      if (e.s !== undefined && e.s !== 't' && e.s !== 'p' && e.s !== 'g') problems.push(`${where}: instant scope ${String(e.s)}`);
    }
  });
  for (const [track, stack] of stacks) if (stack.length) problems.push(`track ${track}: ${stack.length} B without E (${stack.join(', ')})`);
  for (const [id, fl] of flows) {
    if (fl.s !== 1 || fl.f !== 1) problems.push(`flow ${String(id)}: ${fl.s} starts and ${fl.f} finishes`);
    if (fl.names.size !== 1) problems.push(`flow ${String(id)}: start and finish differ in cat/name`);
  }
  for (const track of used) if (!named.has(track)) problems.push(`track ${track} has no thread_name`);
  return problems;
}
