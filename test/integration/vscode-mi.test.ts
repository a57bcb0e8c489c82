// examples/vscode/launch.json's cppdbg configuration, replayed as gdb/MI commands the way the
// C/C++ extension's MI engine drives gdb-multiarch for a remote launch: load `program` (the ELF
// view from `aix-gdbstub elf`), run the setupCommands, connect to miDebuggerServerAddress, set a
// source breakpoint, continue, list frames and variables, step, continue to the end.
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
