// Which command lines skip yargs: everything after PROGRAM is the guest's, so guest arguments that
// look like options (even our own, or yargs's --help and --version) must not send the line to yargs.
import { describe, expect, it } from 'vitest';
import { isPlainRun, splitRunArgv } from '../../../src/commands/run.js';

describe('isPlainRun', () => {
  it('takes guest arguments of any shape after PROGRAM', () => {
    expect(isPlainRun(['run', './gofmt', '-l', 'x.go'])).toBe(true);
    expect(isPlainRun(['run', './prog', '--help', '--version', '--', 'x'])).toBe(true);
    expect(isPlainRun(['run', '--strace', '--env', 'A=1', './prog', '--strace'])).toBe(true);
    expect(isPlainRun(['run', '--', './prog', '--help'])).toBe(true);
  });

  it('leaves our own help, -g and malformed options to yargs', () => {
    expect(isPlainRun(['run', '--help'])).toBe(false);
    expect(isPlainRun(['run'])).toBe(false);
    expect(isPlainRun(['run', '-g', '1234', './prog'])).toBe(false);
    expect(isPlainRun(['run', '--env', '--strace', './prog'])).toBe(false);
    expect(isPlainRun(['serve', './prog'])).toBe(false);
  });

  it('splits at PROGRAM', () => {
    expect(splitRunArgv(['--deterministic', './prog', '--deterministic', '-l'])).toEqual({ options: ['--deterministic'], program: './prog', args: ['--deterministic', '-l'] });
  });
});
