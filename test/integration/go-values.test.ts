// Go values in stock gdb-multiarch (gdb-scripts/python/go_printers.py) on the values fixture, built
// with Go 1.24 (Swiss-table maps) and Go 1.19 (hmap buckets). gdb stops at main.checkpoint, prints
// every global and, one frame up, every local of main.locals; then it detaches and the program
// prints the same values itself. Each gdb answer is compared with what the program printed in that
// same run, after turning Go's notation into the printers' (documented in the README).
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.js';
import { fixture } from '../helpers/toolchains.js';
import { GdbMi, gdbBatch, requireGdb, runGdb, sleep, startServe, stopAllServes, type Serve } from './serve-helpers.js';

beforeAll(() => requireGdb());
afterAll(() => stopAllServes());

const SOURCE_LINE = /serve: Go values in gdb \(pretty printers\): (source \S+)/;

/** The `source …` line serve tells the user to type (printed once the ELF view is built). */
async function sourceLine(s: Serve): Promise<string> {
  for (let waited = 0; waited < 60_000; waited += 50) {
    const m = SOURCE_LINE.exec(s.stderr());
    if (m) return m[1]!;
    if (/waiting for gdb/.test(s.stderr())) break;
    await sleep(50);
  }
  throw new Error(`serve did not print the source line:\n${s.stderr()}`);
}

/** `name = value` lines of the program's own output. */
function programValues(stdout: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of stdout.split('\n')) {
    const at = line.indexOf(' = ');
    if (at > 0) out.set(line.slice(0, at), line.slice(at + 3));
  }
  return out;
}

/** Runs `print EXPR` for each label and returns what gdb printed after `$N = ` (or its error line). */
function gdbCommands(prints: ReadonlyArray<readonly [string, string]>): string[] {
  const commands: string[] = [];
  for (const [label, expr] of prints) commands.push(`echo <<${label}>>\\n`, `print ${expr}`);
  return commands;
}

function gdbValues(out: string): Map<string, string> {
  const values = new Map<string, string>();
  const parts = out.split(/^<<(.+?)>>$/m);
  for (let i = 1; i + 1 < parts.length; i += 2) {
    const body = parts[i + 1]!.trim().split('\n')[0]!;
    values.set(parts[i]!, body.replace(/^\$\d+ = /, ''));
  }
  return values;
}

// Go's notation (as the fixture prints it) -> the printers' notation.
const goStruct = (s: string) => s.replace(/(\w+): /g, '$1 = ');
const goList = (s: string) => `{${s.slice(1, -1)}}`;
const PAIR_GO = /("(?:[^"\\]|\\.)*"|-?\d+): ("(?:[^"\\]|\\.)*"|-?\d+)/g;
const PAIR_GDB = /\[("(?:[^"\\]|\\.)*"|-?\d+)\] = ("(?:[^"\\]|\\.)*"|-?\d+)/g;
const pairs = (s: string, re: RegExp) => [...s.matchAll(re)].map((m) => `${m[1]}: ${m[2]}`).sort();
/** "len 3 cap 5 [1, 2]" -> ['3', '5', '[1, 2]'] */
const lenCap = (s: string) => /^len (\d+) cap (\d+)(?: (.*))?$/.exec(s)!.slice(1);

const GLOBALS = ['String', 'Empty', 'Ints', 'Arr', 'Pts', 'Counts', 'Small', 'Names', 'AnyInt', 'AnyStr', 'AnyStruct', 'AnyPtr', 'Err', 'Ch', 'Ptr', 'AnyNil', 'NilErr', 'NilPtr', 'NilMap', 'NilSlice', 'Label', 'IDs', 'AnySlice', 'AnyMap', 'Closed'];
const LOCALS = ['s', 'ints', 'arr', 'pts', 'm', 'a', 'e', 'ch', 'p'];
const INDEXING: ReadonlyArray<readonly [string, string]> = [
  ['pts[1]', 'pts[1]'],
  ['pts[1].Name', 'pts[1].Name'],
  ['m[2]', 'm[2]'],
  ['ints[9]', 'ints[9]'],
  ['ints[1:3]', 'ints[1:3]'],
];
const GLOBAL_INDEXING: ReadonlyArray<readonly [string, string]> = [
  ['gPts[1]', 'main.gPts[1]'],
  ['gSmall["two"]', 'main.gSmall["two"]'],
  ['gSmall["t]o"]', 'main.gSmall["t]o"]'],
  ['gBig["k"].Tag', 'main.gBig["k"].Tag'],
  ['gBig["k"].A[15]', 'main.gBig["k"].A[15]'],
  ['gNames[1499]', 'main.gNames[1499]'],
  ['gInts[3]', 'main.gInts[3]'],
  ['gString[4]', 'main.gString[4]'],
  ['gString[:5]', 'main.gString[:5]'],
  ['gInts[1:]', 'main.gInts[1:]'],
  ['gInts[2:5]', 'main.gInts[2:5]'],
];

describe.each(['go1.24-aix', 'go1.19-aix'] as const)('Go values in gdb on %s', (tc) => {
  it('prints strings, slices, arrays, maps, interfaces, channels and pointers as the program prints them', async () => {
    const s = await startServe(fixture(tc, 'values'), [], ['--once']);
    const out = await gdbBatch(
      s.port,
      [
        'set print elements unlimited',
        'break main.checkpoint',
        'continue',
        ...gdbCommands(GLOBALS.map((g) => [`g${g}`, `main.g${g}`] as const)),
        ...gdbCommands(GLOBAL_INDEXING),
        'up',
        ...gdbCommands(LOCALS.map((l) => [l, l] as const)),
        ...gdbCommands(INDEXING),
        'echo <<bt>>\\n',
        'bt 1',
      ],
      { before: [await sourceLine(s)], timeoutMs: 120_000 },
    );
    expect(await s.exited).toBe(0);
    const want = programValues(s.stdout());
    const got = gdbValues(out);
    const w = (k: string) => {
      const v = want.get(k);
      if (v === undefined) throw new Error(`the program printed no ${k}:\n${s.stdout()}`);
      return v;
    };

    for (const g of ['gString', 's']) expect(got.get(g), out).toBe(w(g));
    expect(got.get('gEmpty')).toBe('""');
    for (const [g, type] of [['gInts', '[]int'], ['ints', '[]int']]) {
      const [len, cap, elems] = lenCap(w(g!));
      expect(got.get(g!)).toBe(`${type} len: ${len}, cap: ${cap} = ${goList(elems!)}`);
    }
    for (const g of ['gArr', 'arr']) expect(got.get(g)).toBe(goList(w(g)));
    expect(got.get('gPts')).toMatch(/^\[\]main\.point len: 3, cap: 3 = \{\{X = 1, /);
    expect(got.get('gPts')).toContain(goStruct(w('gPts[1]')));
    expect(got.get('pts')).toContain(goStruct(w('pts[1]')));

    // Maps: gdb lists them in storage order, the program sorted: compare the pairs.
    for (const [g, type] of [['gCounts', 'map[string]int'], ['gSmall', 'map[string]int'], ['gNames', 'map[int]string'], ['m', 'map[int]string']]) {
      const [, len, entries] = /^len (\d+) (.*)$/.exec(w(g!))!;
      const printed = got.get(g!)!;
      expect(printed.startsWith(`${type} len: ${len} = {`), printed.slice(0, 200)).toBe(true);
      const gdbPairs = pairs(printed, PAIR_GDB);
      expect(gdbPairs).toHaveLength(Number(len));
      expect(gdbPairs).toEqual(pairs(entries!, PAIR_GO));
    }

    expect(got.get('gAnyInt')).toBe(w('gAnyInt'));
    expect(got.get('gAnyStr')).toBe(w('gAnyStr'));
    for (const g of ['gAnyStruct', 'a']) expect(got.get(g)).toBe(goStruct(w(g)));
    const [, ptrType, ptrValue] = /^\((\S+)\) (.*)$/.exec(w('gAnyPtr'))!;
    expect(got.get('gAnyPtr')).toMatch(new RegExp(`^\\(${escape(ptrType!)}\\) 0x[0-9a-f]+ = ${escape(goStruct(ptrValue!))}$`));
    const [, errType, errText] = /^\((\S+)\) (.*)$/.exec(w('gErr'))!;
    expect(got.get('gErr')).toMatch(new RegExp(`^\\(${escape(errType!)}\\) 0x[0-9a-f]+ = \\{s = ${escape(errText!)}\\}$`));
    const [, wrapType, wrapText] = /^\((\S+)\) (.*)$/.exec(w('e'))!;
    expect(got.get('e')).toMatch(
      new RegExp(`^\\(${escape(wrapType!)}\\) 0x[0-9a-f]+ = \\{msg = ${escape(wrapText!)}, err = \\(\\*errors\\.errorString\\) 0x[0-9a-f]+\\}$`),
    );

    for (const [g, items] of [['gCh', 'gCh items'], ['ch', 'ch items']]) {
      const [len, cap] = lenCap(w(g!));
      expect(got.get(g!)).toBe(`chan int len: ${len}, cap: ${cap} = ${goList(w(items!))}`);
    }
    const [closedLen, closedCap] = lenCap(w('gClosed').replace(/ closed$/, ''));
    expect(got.get('gClosed')).toBe(`chan int len: ${closedLen}, cap: ${closedCap}, closed = ${goList(w('gClosed items'))}`);
    expect(got.get('gPtr')).toMatch(new RegExp(`^\\(\\*main\\.point\\) 0x[0-9a-f]+ = ${escape(goStruct(w('gPtr')))}$`));
    expect(got.get('p')).toMatch(new RegExp(`^\\(\\*main\\.point\\) 0x[0-9a-f]+ = ${escape(goStruct(w('p')))}$`));

    expect(w('gAnyNil')).toBe('<nil>');
    expect(got.get('gAnyNil')).toBe('nil');
    expect(got.get('gNilErr')).toBe('nil');
    expect(got.get('gNilPtr')).toBe('(*main.point) nil');
    expect(w('gNilMap')).toBe('len 0 nil true');
    expect(got.get('gNilMap')).toBe('map[string]int nil');
    expect(w('gNilSlice')).toBe('len 0 cap 0 nil true');
    expect(got.get('gNilSlice')).toBe('[]int nil');

    // Named string and slice types, and composite values inside interfaces.
    expect(got.get('gLabel')).toBe(w('gLabel'));
    const [idsLen, idsCap, idsElems] = lenCap(w('gIDs'));
    expect(got.get('gIDs')).toBe(`main.ids len: ${idsLen}, cap: ${idsCap} = ${goList(idsElems!)}`);
    const [, sliceType, sliceRest] = /^\((\S+)\) (.*)$/.exec(w('gAnySlice'))!;
    const [sLen, sCap, sElems] = lenCap(sliceRest!);
    expect(got.get('gAnySlice')).toBe(`(${sliceType}) len: ${sLen}, cap: ${sCap} = ${goList(sElems!)}`);
    const [, mapType, mapLen, mapEntries] = /^\((\S+)\) len (\d+) (.*)$/.exec(w('gAnyMap'))!;
    expect(got.get('gAnyMap')!.startsWith(`(${mapType}) len: ${mapLen} = {`)).toBe(true);
    expect(pairs(got.get('gAnyMap')!, PAIR_GDB)).toEqual(pairs(mapEntries!, PAIR_GO));

    // Indexing with Go's meaning, through print.
    expect(got.get('gPts[1]')).toBe(goStruct(w('gPts[1]')));
    expect(got.get('pts[1]')).toBe(goStruct(w('pts[1]')));
    expect(got.get('pts[1].Name')).toBe(/Name: ("[^"]*")/.exec(w('pts[1]'))![1]);
    expect(got.get('gSmall["two"]')).toBe('2');
    expect(got.get('gSmall["t]o"]')).toBe('key "t]o" not in map');
    // Map values over 128 bytes sit behind a pointer in the map's slots.
    const [, bigA15, bigTag] = /^A\[15\] (\d+) Tag (".*")$/.exec(w('gBig[k]'))!;
    expect(got.get('gBig["k"].Tag')).toBe(bigTag);
    expect(got.get('gBig["k"].A[15]')).toBe(bigA15);
    expect(got.get('m[2]')).toBe('"two"');
    expect(got.get('gNames[1499]')).toBe('"n1499"');
    expect(got.get('gString[4]')).toBe(`${'hello, gdb'.charCodeAt(4)} 'o'`);
    expect(got.get('gInts[3]')).toBe('index out of range [3] with length 3');
    expect(got.get('ints[9]')).toBe('index out of range [9] with length 4');
    // Slicing makes a slice (or string) as in Go: len and cap count from the low bound.
    const gString = JSON.parse(w('gString')) as string;
    expect(got.get('gString[:5]')).toBe(JSON.stringify(gString.slice(0, 5)));
    const [gLen, gCap, gElems] = lenCap(w('gInts'));
    const gItems = gElems!.slice(1, -1).split(', ');
    expect(got.get('gInts[1:]')).toBe(`[]int len: ${Number(gLen) - 1}, cap: ${Number(gCap) - 1} = {${gItems.slice(1).join(', ')}}`);
    expect(got.get('gInts[2:5]')).toBe(`slice bounds out of range [2:5] with capacity ${gCap}`);
    const [, iCap, iElems] = lenCap(w('ints'));
    expect(got.get('ints[1:3]')).toBe(`[]int len: 2, cap: ${Number(iCap) - 1} = {${iElems!.slice(1, -1).split(', ').slice(1, 3).join(', ')}}`);

    // A backtrace stays one line per frame: composite arguments are summarised.
    expect(got.get('bt')).toMatch(/^#0 +main\.checkpoint \(\)/);
  }, 180_000);

  it('MI -var-create / -var-list-children show slice elements, map pairs, channel items and struct fields', async () => {
    const s = await startServe(fixture(tc, 'values'), [], ['--once']);
    const mi = new GdbMi();
    try {
      await mi.send(`-interpreter-exec console "${await sourceLine(s)}"`);
      await mi.send('-enable-pretty-printing');
      await mi.send(`-target-select remote 127.0.0.1:${s.port}`, /\^connected|\^error/);
      await mi.send('-break-insert main.checkpoint');
      await mi.send('-exec-continue', /\*stopped,reason="breakpoint-hit"/, 120_000);
      const children = async (name: string, expr: string) => {
        const created = await mi.send(`-var-create ${name} * ${expr}`);
        expect(created, created).toMatch(/\^done/);
        const listed = await mi.send(`-var-list-children --all-values ${name}`);
        return [...listed.matchAll(/child=\{name="[^"]*",exp="([^"]*)",numchild="\d+",value="((?:[^"\\]|\\.)*)"/g)].map((m) => `${m[1]}=${m[2]}`);
      };
      expect(await children('ints', 'main.gInts')).toEqual(['[0]=10', '[1]=20', '[2]=30']);
      expect((await children('small', 'main.gSmall')).sort()).toEqual(['[0]=\\"one\\"', '[1]=1', '[2]=\\"two\\"', '[3]=2'].sort());
      expect(await children('ch', 'main.gCh')).toEqual(['[0]=2', '[1]=3', '[2]=4']);
      expect(await children('ptr', 'main.gPtr')).toEqual(['X=11', 'Y=12', 'Name=\\"heap\\"']);
      const any = await mi.send('-var-create anyint * main.gAnyInt');
      expect(any).toContain('value="(int) 42"');
      expect(any).toContain('type="interface {}"');
      await mi.send('-stack-select-frame 1');
      expect(await children('pts', 'pts')).toEqual(['[0]={...}', '[1]={...}']);
      const fields = await mi.send('-var-list-children --all-values pts.[1]');
      expect(fields).toMatch(/exp="X",numchild="0",value="23".*exp="Y",numchild="0",value="24".*exp="Name",numchild="0",value="\\"l1\\""/);
      const evaluated = await mi.send('-data-evaluate-expression main.gErr');
      expect(evaluated).toMatch(/\^done,value="\(\*errors\.errorString\) 0x[0-9a-f]+ = \{s = \\"boom\\"\}"/);
      await mi.send('-gdb-exit', /\^exit/);
    } finally {
      mi.kill();
      await s.stop();
    }
  }, 180_000);
});

describe('loading the printers', () => {
  it('gdb runs them from .debug_gdb_scripts of a local ELF view under a safe path, but never for a file read over target:', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'go-values-'));
    const elf = join(dir, 'values.elf');
    const made = spawnSync(process.execPath, [cli, 'elf', fixture('go1.24-aix', 'values'), '-o', elf], { encoding: 'utf8' });
    expect(made.status, made.stderr).toBe(0);
    const local = await runGdb(['-nx', '-batch', '-iex', `add-auto-load-safe-path ${dir}`, elf, '-ex', 'info auto-load python-scripts', '-ex', 'print $_go_index']);
    expect(local).toMatch(/^Yes +aix-gdbstub\/go_printers\.py\s*$/m);
    expect(local).toMatch(/<internal function _go_index>/);

    const s = await startServe(fixture('go1.24-aix', 'values'), [], ['--once']);
    const remote = await gdbBatch(s.port, ['info auto-load python-scripts', 'kill']);
    // The reason serve prints a `source` line: gdb skips auto-loading for target: files.
    expect(remote).toContain('No auto-load scripts.');
    expect(await sourceLine(s)).toMatch(/^source \/.*\/gdb-scripts\/aix-gdbstub\.py$/);
    await s.stop();
  }, 120_000);
});

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

