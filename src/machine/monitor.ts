// `monitor CMD` (qRcmd) as a registry: each command is a name, one line of help and a handler.
// A target owns one registry; other layers add their commands to that instance (the Go runtime
// views add `monitor goroutines`...); `monitor help` lists whatever is registered there.

/** What a handler gets: the words after the command name, and the raw text. Only called while stopped. */
export interface MonitorRequest {
  args: string[];
  argText: string;
  /** The pthread behind the thread selected in gdb, when it is on one. */
  thread?: number;
}

/** Returns the text shown to the user (a trailing newline is added when missing). */
export type MonitorHandler = (request: MonitorRequest) => string | Promise<string>;

export interface MonitorCommand {
  name: string;
  help: string;
  run: MonitorHandler;
}

export class MonitorRegistry {
  private readonly commands = new Map<string, MonitorCommand>();

  constructor() {
    this.register('help', 'list the monitor commands', () => {
      const cmds = this.list();
      const width = Math.max(...cmds.map((c) => c.name.length));
      return ['aix-gdbstub monitor commands:', ...cmds.map((c) => `  ${c.name.padEnd(width)}  ${c.help}`)].join('\n');
    });
  }

  /** Add a command, or replace one of the same name. Names are single words, matched case-insensitively. */
  register(name: string, help: string, run: MonitorHandler): void {
    const key = name.toLowerCase();
    if (!/^[a-z0-9][a-z0-9_-]*$/.test(key)) throw new Error(`monitor command name must be one word: '${name}'`);
    this.commands.set(key, { name: key, help, run });
  }

  list(): MonitorCommand[] {
    return [...this.commands.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Run one `monitor` line. Never throws: failures become the text shown. */
  async run(line: string, context: { thread?: number } = {}): Promise<string> {
    const m = /^(\S*)\s*([\s\S]*)$/.exec(line.trim())!;
    const name = (m[1] ?? '').toLowerCase() || 'help';
    const argText = m[2] ?? '';
    const cmd = this.commands.get(name);
    if (cmd === undefined) return `unknown monitor command '${name}'; 'monitor help' lists them\n`;
    try {
      const text = await cmd.run({ args: argText.split(/\s+/).filter((w) => w !== ''), argText, ...context });
      return text.endsWith('\n') ? text : text + '\n';
    } catch (e) {
      return `monitor ${name}: ${e instanceof Error ? e.message : String(e)}\n`;
    }
  }
}
