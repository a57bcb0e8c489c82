// Reading a Go distribution test file the way Go 1.24's harness does
// (src/cmd/internal/testdir/testdir_test.go): the execution recipe comment, its flags,
// and the build constraints that decide whether the file applies to a GOOS/GOARCH.
// Pure functions only: the runner and the unit tests share them.

/** What the harness context knows when it evaluates a build tag. */
export interface TagContext {
  goos: string;
  goarch: string;
  cgoEnabled: boolean;
  /** go1.1 … go1.24 for the toolchain under test. */
  releaseTags: readonly string[];
  /** goexperiment.* tags (and arch feature tags) enabled in the toolchain. */
  toolTags: readonly string[];
  /** True when GO_GCFLAGS disables optimisation (-N or -l): enables the gcflags_noopt tag. */
  noOpt?: boolean;
}

/** The parsed execution recipe of one test file. */
export interface Recipe {
  /** First word of the recipe: run, compile, errorcheck, rundir, … */
  action: string;
  /** go command flags (anything starting with '-' that the harness does not consume itself). */
  buildFlags: string[];
  /** Words after the flags: for `run`, extra .go files or program arguments. */
  args: string[];
  /** -t N: the harness's per-test timeout in seconds (0: none). */
  timeoutSeconds: number;
  /** -goexperiment: GOEXPERIMENT for the build. */
  goexperiment: string[];
  /** -godebug: GODEBUG for the run. */
  godebug: string[];
}

export type RecipeResult = { ok: true; recipe: Recipe } | { ok: false; error: string };

/** `//go:build expr` line: the expression, or undefined when the line is not one. */
export function goBuildExpr(line: string): string | undefined {
  if (!line.startsWith('//go:build')) return undefined;
  const rest = line.slice('//go:build'.length);
  const trimmed = rest.trim();
  // "//go:buildfoo" is not a //go:build line; "//go:build" alone is.
  if (rest.length === trimmed.length && rest !== '') return undefined;
  return trimmed;
}

/** `// +build opts` line (space optional after //): the options, or undefined. */
export function plusBuildExpr(line: string): string | undefined {
  if (!line.startsWith('//')) return undefined;
  const afterSlashes = line.slice(2).trim();
  if (!afterSlashes.startsWith('+build')) return undefined;
  const rest = afterSlashes.slice('+build'.length);
  const trimmed = rest.trim();
  if (rest.length === trimmed.length && rest !== '') return undefined;
  return trimmed;
}

/** Splits like go/build's splitQuoted: whitespace-separated, with '…' / "…" quoting and \ escapes. */
export function splitQuoted(s: string): string[] | { error: string } {
  const args: string[] = [];
  let arg = '';
  let escaped = false;
  let quoted = false;
  let quote = '';
  for (const ch of s) {
    if (escaped) {
      escaped = false;
    } else if (ch === '\\') {
      escaped = true;
      continue;
    } else if (quote !== '') {
      if (ch === quote) {
        quote = '';
        continue;
      }
    } else if (ch === '"' || ch === "'") {
      quoted = true;
      quote = ch;
      continue;
    } else if (/\s/u.test(ch)) {
      if (quoted || arg !== '') {
        quoted = false;
        args.push(arg);
        arg = '';
      }
      continue;
    }
    arg += ch;
  }
  if (quoted || arg !== '') args.push(arg);
  if (quote !== '') return { error: 'unclosed quote' };
  if (escaped) return { error: 'unfinished escaping' };
  return args;
}

/** The recipe comment: the first non-empty line that is not a build constraint, without "//". */
export function recipeLine(src: string): string {
  for (const line of src.split('\n')) {
    if (goBuildExpr(line) !== undefined || plusBuildExpr(line) !== undefined) continue;
    const action = (line.startsWith('//') ? line.slice(2) : line).trim();
    if (action !== '') return action;
  }
  return '';
}

/** Parses the recipe of a test file's source, with the harness's flag handling. */
export function parseRecipe(src: string): RecipeResult {
  const line = recipeLine(src);
  if (line === '') return { ok: false, error: 'execution recipe not found' };
  const words = splitQuoted(line);
  if (!Array.isArray(words)) return { ok: false, error: `invalid test recipe: ${words.error}` };
  const recipe: Recipe = {
    action: words[0] ?? '',
    buildFlags: [],
    args: [],
    timeoutSeconds: 0,
    goexperiment: [],
    godebug: [],
  };
  let rest = words.slice(1);
  while (rest.length > 0 && rest[0]!.startsWith('-')) {
    const flag = rest[0]!;
    const needsValue = flag === '-t' || flag === '-goexperiment' || flag === '-godebug' || flag === '-gomodversion';
    if (needsValue && rest.length < 2) return { ok: false, error: `${flag} needs a value` };
    const value = rest[1] ?? '';
    switch (flag) {
      case '-0':
      case '-1':
      case '-s':
        break; // error-check and rundir options: meaningless for `run`
      case '-t': {
        const seconds = Number.parseInt(value, 10);
        if (!Number.isFinite(seconds)) return { ok: false, error: `need number of seconds for -t timeout, got ${value}` };
        recipe.timeoutSeconds = seconds;
        break;
      }
      case '-goexperiment':
        recipe.goexperiment.push(value);
        break;
      case '-godebug':
        recipe.godebug.push(value);
        break;
      case '-gomodversion':
        break;
      default:
        recipe.buildFlags.push(flag);
    }
    rest = rest.slice(needsValue ? 2 : 1);
  }
  recipe.args = rest;
  return { ok: true, recipe };
}

/** The part of the source where build constraints count: up to the package clause. */
export function constraintHeader(src: string): string {
  const at = src.indexOf('\npackage');
  return at < 0 ? recipeLine(src) : src.slice(0, at);
}

/** The harness's tag matcher (testdir_test.go context.match): note `unix` is not matched. */
export function matchTag(ctx: TagContext, name: string): boolean {
  if (name === '' || !/^[\p{L}\p{N}_.]+$/u.test(name)) return false;
  if (ctx.releaseTags.includes(name)) return true;
  if (name.startsWith('goexperiment.')) return ctx.toolTags.includes(name);
  if (name === 'cgo' && ctx.cgoEnabled) return true;
  if (name === ctx.goos || name === ctx.goarch || name === 'gc') return true;
  if (ctx.noOpt === true && name === 'gcflags_noopt') return true;
  return name === 'test_run';
}

type Tokens = { list: string[]; pos: number };

/** Evaluates a //go:build expression (||, &&, !, parentheses). Throws on syntax errors. */
export function evalGoBuild(expr: string, match: (tag: string) => boolean): boolean {
  const list = expr.match(/\|\||&&|!|\(|\)|[^\s|&!()]+/gu) ?? [];
  const toks: Tokens = { list, pos: 0 };
  const value = parseOr(toks, match);
  if (toks.pos !== list.length) throw new Error(`unexpected ${list[toks.pos]} in build expression`);
  return value;
}

function parseOr(t: Tokens, match: (tag: string) => boolean): boolean {
  let v = parseAnd(t, match);
  while (t.list[t.pos] === '||') {
    t.pos++;
    const r = parseAnd(t, match);
    v = v || r;
  }
  return v;
}

function parseAnd(t: Tokens, match: (tag: string) => boolean): boolean {
  let v = parseNot(t, match);
  while (t.list[t.pos] === '&&') {
    t.pos++;
    const r = parseNot(t, match);
    v = v && r;
  }
  return v;
}

function parseNot(t: Tokens, match: (tag: string) => boolean): boolean {
  const tok = t.list[t.pos++];
  if (tok === undefined) throw new Error('unexpected end of build expression');
  if (tok === '!') return !parseNot(t, match);
  if (tok === '(') {
    const v = parseOr(t, match);
    if (t.list[t.pos++] !== ')') throw new Error('missing ) in build expression');
    return v;
  }
  if (tok === ')' || tok === '||' || tok === '&&') throw new Error(`unexpected ${tok} in build expression`);
  return match(tok);
}

/** Evaluates legacy `// +build` options: space-separated OR of comma-separated AND terms. */
export function evalPlusBuild(expr: string, match: (tag: string) => boolean): boolean {
  const options = expr.split(/\s+/u).filter((o) => o !== '');
  if (options.length === 0) return false;
  return options.some((option) =>
    option.split(',').every((term) => (term.startsWith('!') ? !match(term.slice(1)) : match(term))),
  );
}

/**
 * Whether the file applies to the context (the harness's shouldTest): every constraint line
 * before the package clause must hold. Returns the first excluding line otherwise.
 */
export function shouldTest(src: string, ctx: TagContext): { ok: true } | { ok: false; why: string } {
  const match = (tag: string): boolean => matchTag(ctx, tag);
  for (const line of constraintHeader(src).split('\n')) {
    if (line.startsWith('package ')) break;
    const goBuild = goBuildExpr(line);
    const plusBuild = goBuild === undefined ? plusBuildExpr(line) : undefined;
    let holds: boolean;
    try {
      if (goBuild !== undefined) holds = evalGoBuild(goBuild, match);
      else if (plusBuild !== undefined) holds = evalPlusBuild(plusBuild, match);
      else continue;
    } catch {
      continue; // constraint.Parse fails: the harness ignores the line
    }
    if (!holds) return { ok: false, why: line };
  }
  return { ok: true };
}

/** How the runner treats a recipe: the plain `run` set, or its flagged variants. */
export type Selection = 'plain' | 'variant' | 'other';

/**
 * Selection rule: `run` with nothing after it is the conformance set ("plain"). `run` followed
 * by flags or arguments is a "variant" (only with --variants). Every other action
 * (runoutput, rundir, buildrun, compile, errorcheck, …) is not a run-with-golden-output test.
 */
export function classifyRecipe(recipe: Recipe): Selection {
  if (recipe.action !== 'run') return 'other';
  const plain =
    recipe.buildFlags.length === 0 &&
    recipe.args.length === 0 &&
    recipe.timeoutSeconds === 0 &&
    recipe.goexperiment.length === 0 &&
    recipe.godebug.length === 0;
  return plain ? 'plain' : 'variant';
}

/** Splits a variant's words after the flags: leading .go files are compiled in, the rest are program arguments. */
export function splitRunArgs(args: readonly string[]): { extraFiles: string[]; programArgs: string[] } {
  let i = 0;
  while (i < args.length && args[i]!.endsWith('.go')) i++;
  return { extraFiles: args.slice(0, i), programArgs: args.slice(i) };
}
