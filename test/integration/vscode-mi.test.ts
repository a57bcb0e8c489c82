// examples/vscode/launch.json's configurations, replayed as gdb/MI commands the way each extension
// drives gdb-multiarch. cppdbg (the C/C++ extension's MI engine, remote launch): load `program`
// (the ELF view from `aix-gdbstub elf`), run the setupCommands, connect to
// miDebuggerServerAddress, set a source breakpoint, continue, list frames and variables, step,
// continue to the end. Native Debug (webfreak.debug, `gdb` attach with remote: true): the sequence
// of its MI2 backend (src/backend/mi2/mi2.ts `connect`, `initCommands`, `addBreakPoint`,
// `getThreads`, `getStack`, `getStackVariables`, `next`/`step`/`continue`), token-numbered as it
// sends them.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, runCaptured } from '../helpers/cli.js';
import { fixture, repoRoot } from '../helpers/toolchains.js';
import { GdbMi, requireGdb, startServe, stopAllServes } from './serve-helpers.js';

let scratch: string;
beforeAll(() => {
  requireGdb();
  scratch = mkdtempSync(join(tmpdir(), 'aix-vscode-'));
});
afterAll(async () => {
  await stopAllServes();
  rmSync(scratch, { recursive: true, force: true });
});

/** launch.json is JSON with comments (VS Code's dialect). */
function launchConfig(): { configurations: Array<Record<string, unknown>> } {
  const text = readFileSync(join(repoRoot, 'examples', 'vscode', 'launch.json'), 'utf8');
  return JSON.parse(text.replace(/^\s*\/\/.*$/gm, '')) as { configurations: Array<Record<string, unknown>> };
}

describe('examples/vscode/launch.json (cppdbg) over gdb/MI', () => {
  it('breakpoint, frames, variables, step and continue to the end', async () => {
    const cfg = launchConfig().configurations.find((c) => c.type === 'cppdbg')!;
    expect(cfg).toMatchObject({ request: 'launch', MIMode: 'gdb', miDebuggerPath: 'gdb-multiarch', miDebuggerServerAddress: 'localhost:1234' });
    const program = join(scratch, 'prog.elf');
    const elf = await runCaptured(process.execPath, [cli, 'elf', fixture('go1.24-aix', 'goroutines'), '-o', program], { timeoutMs: 60_000 });
    expect(elf.status, elf.stderr).toBe(0);
    const s = await startServe(fixture('go1.24-aix', 'goroutines'), [], ['--once']);
    const mi = new GdbMi();
    try {
      await mi.send(`-file-exec-and-symbols "${program}"`, /\^done/);
      for (const c of cfg.setupCommands as Array<{ text: string }>) {
        const text = c.text.replace('${workspaceFolder}', repoRoot);
        await mi.send(text.startsWith('-') ? text : `-interpreter-exec console "${text}"`, /\^(done|error)/);
      }
      const address = (cfg.miDebuggerServerAddress as string).replace(/:\d+$/, `:${s.port}`);
      await mi.send(`-target-select remote ${address}`, /\^connected/);
      const bp = await mi.send('-break-insert -f main.go:44', /\^(done|error)/);
      expect(bp, mi.output).toMatch(/\^done,bkpt=\{number="1",.*func="main\.pingPong"/);
      await mi.send('-exec-continue', /\*stopped,reason="breakpoint-hit"/);
      const frames = await mi.send('-stack-list-frames 0 10', /\^done/);
      expect(frames, mi.output).toMatch(/frame=\{level="0",.*func="main\.pingPong".*line="44"/);
      expect(frames, mi.output).toMatch(/frame=\{level="1",.*func="main\.main"/);
      const vars = await mi.send('-stack-list-variables --simple-values', /\^done/);
      expect(vars, mi.output).toMatch(/\{name="rounds",arg="1",type="int",value="500"\}/);
      const step = await mi.send('-exec-next', /\*stopped,reason="end-stepping-range"/);
      expect(step, mi.output).toMatch(/line="45"/);
      await mi.send('-break-delete 1', /\^done/);
      await mi.send('-exec-continue', /\*stopped,reason="exited-normally"/, 120_000);
      expect(s.stdout()).toContain('goroutines done');
    } finally {
      mi.kill();
      await mi.closed;
    }
  });
});

/** Native Debug's MI2 backend: every command goes out as `<token>-<command>`, answered by `<token>^…`. */
class NativeDebugMi {
  private token = 1;
  constructor(readonly mi: GdbMi) {}

  async command(command: string, until?: RegExp, timeoutMs?: number): Promise<string> {
    const t = this.token++;
    const answered = new RegExp(`(^|\\n)${t}\\^(done|running|connected|error)`);
    const start = this.mi.output.length;
    const text = await this.mi.send(`${t}-${command}`, answered, timeoutMs);
    if (until === undefined) return text;
    return this.mi.waitFor(until, timeoutMs, start);
  }
}

describe('examples/vscode/launch.json (Native Debug gdb attach, remote) over gdb/MI', () => {
  it('breakpoint, threads, frames, variables, step in, next, continue to the end', async () => {
    const cfg = launchConfig().configurations.find((c) => c.type === 'gdb')!;
    expect(cfg).toMatchObject({ request: 'attach', remote: true, target: ':1234', gdbpath: 'gdb-multiarch', valuesFormatting: 'parseText' });
    expect(cfg.executable).toBe('${workspaceFolder}/prog.elf');
    const executable = join(scratch, 'prog.elf');
    const elf = await runCaptured(process.execPath, [cli, 'elf', fixture('go1.24-aix', 'goroutines'), '-o', executable], { timeoutMs: 60_000 });
    expect(elf.status, elf.stderr).toBe(0);
    const s = await startServe(fixture('go1.24-aix', 'goroutines'), [], ['--once']);
    // MI2.connect: `gdbpath -q --interpreter=mi2 executable` in cwd (-nx: the test host's gdbinit stays out).
    const mi = new GdbMi(['-nx', '-q', '--interpreter=mi2', executable]);
    const nd = new NativeDebugMi(mi);
    const workspace = (text: string) => text.replace('${workspaceFolder}', repoRoot);
    const source = join(repoRoot, 'test', 'fixtures', 'goroutines', 'main.go');
    try {
      // initCommands(target, cwd, attach = true), with pathSubstitutions as its extraCommands.
      await nd.command('gdb-set target-async on');
      expect(await nd.command('list-features'), mi.output).toMatch(/\^done,features=\[/);
      await nd.command(`environment-directory "${workspace(cfg.cwd as string)}"`);
      for (const [from, to] of Object.entries(cfg.pathSubstitutions as Record<string, string>)) {
        expect(await nd.command(`gdb-set substitute-path "${from}" "${workspace(to)}"`), mi.output).toMatch(/\^done/);
      }
      const target = (cfg.target as string).replace(/:\d+$/, `:${s.port}`);
      expect(await nd.command(`target-select remote ${target}`), mi.output).toMatch(/\^connected/);
      // setBreakPointsRequest: the editor's absolute source path and line.
      const bp = await nd.command(`break-insert -f "${source}:114"`);
      expect(bp, mi.output).toMatch(/\^done,bkpt=\{number="1",.*func="main\.main".*line="114"/);
      // configurationDoneRequest with stopAtConnect false: continue.
      const hit = await nd.command('exec-continue', /\*stopped,reason="breakpoint-hit"[^\n]*/, 120_000);
      const thread = /\*stopped,reason="breakpoint-hit".*thread-id="(\d+)"/.exec(hit)?.[1];
      expect(thread, mi.output).toBeDefined();
      // threadsRequest, stackTraceRequest (depth, then frames 0..min(depth, 20)-1), variablesRequest (Locals).
      // gdb's backtrace ends at main.main (backtrace past-main off), so main.main alone is one frame.
      const stackTrace = async () => {
        const depth = Number(/depth="(\d+)"/.exec(await nd.command(`stack-info-depth --thread ${thread}`))?.[1]);
        expect(depth, mi.output).toBeGreaterThanOrEqual(1);
        return nd.command(`stack-list-frames --thread ${thread} 0 ${Math.min(depth, 20) - 1}`);
      };
      const threads = await nd.command('thread-info');
      expect(threads, mi.output).toMatch(new RegExp(`\\^done,threads=\\[.*\\{id="${thread}",target-id="[^"]+"`));
      const frames = await stackTrace();
      expect(frames, mi.output).toMatch(new RegExp(`frame=\\{level="0",.*func="main\\.main",file="[^"]*main\\.go",fullname="${source.replace(/[.]/g, '\\.')}",line="114"`));
      const locals = await nd.command(`stack-list-variables --thread ${thread} --frame 0 --simple-values`);
      // counter escapes to the heap (Go's DWARF lists &counter); a watch or hover evaluates it.
      expect(locals, mi.output).toMatch(/\{name="&counter",type="int \*",value="0x[0-9a-f]+"\}/);
      expect(await nd.command(`data-evaluate-expression --thread ${thread} --frame 0 *'&counter'`), mi.output).toMatch(/\^done,value="8000"/);
      // stepInRequest: into pingPong; nextRequest: its next line.
      const stepped = await nd.command('exec-step', /\*stopped,reason="end-stepping-range"[^\n]*/);
      expect(stepped, mi.output).toMatch(/\*stopped,reason="end-stepping-range".*func="main\.pingPong"/);
      const inner = await nd.command(`stack-list-variables --thread ${thread} --frame 0 --simple-values`);
      expect(inner, mi.output).toMatch(/\{name="rounds",arg="1",type="int",value="500"\}/);
      const line = Number(/\*stopped,reason="end-stepping-range".*line="(\d+)"/.exec(stepped)?.[1]);
      const next = await nd.command('exec-next', /\*stopped,reason="end-stepping-range"[^\n]*/);
      expect(Number(/line="(\d+)"/.exec(next)?.[1]), mi.output).toBe(line + 1);
      const outer = await stackTrace();
      expect(outer, mi.output).toMatch(/frame=\{level="1",.*func="main\.main".*line="114"/);
      // setBreakPointsRequest with none left: clearBreakPoints deletes it; then continue to the end.
      await nd.command('break-delete 1');
      await nd.command('exec-continue', /\*stopped,reason="exited-normally"/, 120_000);
      expect(s.stdout()).toContain('ping-pong=500');
      expect(s.stdout()).toContain('goroutines done');
    } finally {
      mi.kill();
      await mi.closed;
    }
  });
});
