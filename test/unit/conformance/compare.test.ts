import { describe, expect, it } from 'vitest';
import { firstDifference, hostCrashLine, judgeRun, passRate } from '../../../src/conformance/compare.js';

const ok = { exitCode: 0, timedOut: false };

describe('judging a run like checkExpectedOutput', () => {
  it('passes on exact output and exit 0, with \\r\\n folded', () => {
    expect(judgeRun({ ...ok, output: 'hello\nworld\n' }, 'hello\nworld\n')).toEqual({ pass: true });
    expect(judgeRun({ ...ok, output: 'a\r\nb\r\n' }, 'a\nb\n')).toEqual({ pass: true });
  });

  it('expects empty output when there is no .out file', () => {
    expect(judgeRun({ ...ok, output: '' }, null)).toEqual({ pass: true });
    const v = judgeRun({ ...ok, output: 'BUG\n' }, null);
    expect(v).toMatchObject({ pass: false, kind: 'output' });
    if (!v.pass) expect(v.reason).toContain('expected no output');
  });

  it('names the first differing line', () => {
    const v = judgeRun({ ...ok, output: 'a\nX\nc\n' }, 'a\nb\nc\n');
    expect(v).toEqual({ pass: false, kind: 'output', reason: 'output mismatch, line 2: got "X", want "b"' });
    expect(firstDifference('a\n', 'a\nb\n')).toEqual({ line: 2, got: '', want: 'b' });
    expect(firstDifference('same', 'same')).toBeUndefined();
  });

  it('fails a non-zero exit even when the output matches, and decodes fatal signals', () => {
    expect(judgeRun({ output: '', exitCode: 2, timedOut: false }, null)).toMatchObject({ pass: false, kind: 'exit', reason: 'exit 2' });
    const v = judgeRun({ output: 'panic: boom\n', exitCode: 139, timedOut: false }, 'panic: boom\n');
    expect(v).toMatchObject({ pass: false, kind: 'exit' });
    if (!v.pass) expect(v.reason).toBe('exit 139 (signal 11); "panic: boom"');
  });

  it('reports timeouts, emulator errors and spawn failures before anything else', () => {
    expect(judgeRun({ output: 'tick\n', exitCode: null, timedOut: true }, 'tick\n')).toMatchObject({ pass: false, kind: 'timeout' });
    const emu = judgeRun({ output: 'aix-gdbstub: unimplemented import getsystemcfg\n', exitCode: 1, timedOut: false }, null);
    expect(emu).toEqual({ pass: false, kind: 'emulator', reason: '"aix-gdbstub: unimplemented import getsystemcfg"' });
    expect(judgeRun({ output: '', exitCode: null, timedOut: false, spawnError: 'ENOENT' }, null)).toMatchObject({ pass: false, kind: 'spawn' });
  });

  it('computes the pass rate over applicable programs', () => {
    expect(passRate(9, 1)).toBe(90);
    expect(passRate(0, 0)).toBe(0);
  });
});

describe('emulator host crashes', () => {
  it('are told apart from guest failures by Node\'s uncaught-exception trailer', () => {
    const trace = 'file:///work/main/dist/cpu/decode.js:3\nimport x\n^\nSyntaxError: Unexpected end of input\n    at foo\n\nNode.js v20.19.2\n';
    expect(hostCrashLine(trace)).toBe('SyntaxError: Unexpected end of input');
    expect(judgeRun({ output: trace, exitCode: 1, timedOut: false }, null)).toMatchObject({ pass: false, kind: 'host' });
    expect(hostCrashLine('panic: boom\n\ngoroutine 1 [running]:\n')).toBeUndefined();
  });
});
