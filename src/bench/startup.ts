// `make bench` helper, run as its own Node process: how long hello takes to reach main.main and
// to exit, measured from the start of this Node process (performance.now() counts from there), so
// Node's own start-up and our module import show beside the emulation. Prints one JSON line.
// Usage: node dist/bench/startup.js <aix program>
import { openSync } from 'node:fs';

const program = process.argv[2];
if (program === undefined) {
  console.error('usage: node dist/bench/startup.js <aix program>');
  process.exit(2);
}
const scriptStart = performance.now();
const { startProgram } = await import('../aix/run-program.js');
const imported = performance.now();
const started = startProgram({ program, args: [], env: [], stdio: [0, openSync('/dev/null', 'w'), 2] });
const loaded = performance.now();
const main = started.process.image.symbols.find((s) => s.name === 'main.main' && s.kind === 'function');
if (main === undefined) throw new Error(`${program}: no main.main`);
const cpu = started.cpu.cpu;
cpu.addBreakpoint(main.address);
const atMain = await started.scheduler.runUntilStop();
const mainMain = performance.now();
cpu.removeBreakpoint(main.address);
const end = await started.scheduler.runUntilStop();
const exited = performance.now();
console.log(
  JSON.stringify({ scriptStart, imported, loaded, mainMain, exited, atMain: atMain.kind, end: end.kind, instructions: cpu.totalExecuted }),
);
