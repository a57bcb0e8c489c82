// `monitor CMD` (qRcmd) as a registry: each command is a name, one line of help and a handler.
// Other layers add their own (Go runtime views: `monitor goroutines`...) by calling
// registerMonitorCommand at module load; `monitor help` lists whatever is registered.
import type { AixProcess } from '../aix/process.js';
import type { Scheduler } from '../aix/scheduler.js';

/** What a monitor command may look at. Only called while the guest is stopped. */
export interface MonitorContext {
  process: AixProcess;
  scheduler: Scheduler;
  /** Words after the command name. */
  args: string[];
  /** Everything after the command name, untouched. */
  argText: string;
  /** Guest memory for readers (short result: the rest is unmapped). */
  readMemory(addr: bigint, length: number): Uint8Array;
}

/** Returns the text shown to the user (a trailing newline is added when missing). */
export type MonitorHandler = (ctx: MonitorContext) => string | Promise<string>;

export interface MonitorCommand {
  name: string;
  help: string;
  run: MonitorHandler;
}

const registry = new Map<string, MonitorCommand>();

/** Add (or replace) a monitor command. Names are single words, matched case-insensitively. */
export function registerMonitorCommand(name: string, help: string, run: MonitorHandler): void {
  const key = name.toLowerCase();
  if (!/^[a-z0-9][a-z0-9_-]*$/.test(key)) throw new Error(`monitor command name must be one word: '${name}'`);
  registry.set(key, { name: key, help, run });
}

export function monitorCommands(): MonitorCommand[] {
  return [...registry.values()].sort((a, b) => a.name.localeCompare(b.name));
}

/** Run one `monitor` line against a context built by the caller. Never throws. */
export async function runMonitorCommand(line: string, ctx: Omit<MonitorContext, 'args' | 'argText'>): Promise<string> {
  const trimmed = line.trim();
  const m = /^(\S*)\s*([\s\S]*)$/.exec(trimmed)!;
  const name = (m[1] ?? '').toLowerCase() || 'help';
  const argText = m[2] ?? '';
  const cmd = registry.get(name);
  if (cmd === undefined) return `unknown monitor command '${name}'; 'monitor help' lists them\n`;
  try {
    const text = await cmd.run({ ...ctx, args: argText.split(/\s+/).filter((w) => w !== ''), argText });
    return text.endsWith('\n') ? text : text + '\n';
  } catch (e) {
    return `monitor ${name}: ${e instanceof Error ? e.message : String(e)}\n`;
  }
}

registerMonitorCommand('help', 'list the monitor commands', () => {
  const cmds = monitorCommands();
  const width = Math.max(...cmds.map((c) => c.name.length));
  return ['aix-gdbstub monitor commands:', ...cmds.map((c) => `  ${c.name.padEnd(width)}  ${c.help}`)].join('\n');
});

registerMonitorCommand('threads', 'guest threads: state, instructions run, the libc call a blocked one waits in', ({ process: proc }) => {
  const lines = proc.threads.map((t) => {
    const what = t.status === 'blocked' && t.waiter ? ` in ${t.waiter.description}` : '';
    return `  pthread ${t.tid}: ${t.status}${what}, pc 0x${t.state.pc.toString(16)}, ${t.instructions} instructions`;
  });
  return [`process ${proc.pid}: ${proc.describeEnd()}`, ...lines].join('\n');
});
