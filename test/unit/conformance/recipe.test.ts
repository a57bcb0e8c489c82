import { describe, expect, it } from 'vitest';
import {
  classifyRecipe,
  evalGoBuild,
  evalPlusBuild,
  goBuildExpr,
  parseRecipe,
  plusBuildExpr,
  recipeLine,
  shouldTest,
  splitQuoted,
  splitRunArgs,
  type TagContext,
} from '../../../src/conformance/recipe.js';
import { sample } from '../../../src/conformance/select.js';

const aix: TagContext = {
  goos: 'aix',
  goarch: 'ppc64',
  cgoEnabled: false,
  releaseTags: ['go1.1', 'go1.21', 'go1.24'],
  toolTags: ['goexperiment.swissmap', 'goexperiment.regabiargs'],
};

function recipeOf(src: string) {
  const r = parseRecipe(src);
  if (!r.ok) throw new Error(r.error);
  return r.recipe;
}

describe('recipe line', () => {
  it('is the first non-empty line that is not a build constraint', () => {
    expect(recipeLine('// run\n\n// Copyright\npackage main\n')).toBe('run');
    expect(recipeLine('//go:build linux\n\n// run\n\npackage main\n')).toBe('run');
    expect(recipeLine('// +build amd64\n// runoutput\n')).toBe('runoutput');
    expect(recipeLine('//run\n')).toBe('run');
  });

  it('recognises constraint lines like go/build/constraint', () => {
    expect(goBuildExpr('//go:build aix && ppc64')).toBe('aix && ppc64');
    expect(goBuildExpr('//go:buildfoo')).toBeUndefined();
    expect(goBuildExpr('// go:build aix')).toBeUndefined();
    expect(plusBuildExpr('// +build linux,amd64 darwin')).toBe('linux,amd64 darwin');
    expect(plusBuildExpr('//+build linux')).toBe('linux');
    expect(plusBuildExpr('// +buildx')).toBeUndefined();
  });
});

describe('selection rule', () => {
  it('selects plain `run` only; flagged runs are variants; other actions are not selected', () => {
    expect(classifyRecipe(recipeOf('// run\n\npackage main\n'))).toBe('plain');
    expect(classifyRecipe(recipeOf('//run\npackage main\n'))).toBe('plain');
    expect(classifyRecipe(recipeOf('// run -gcflags=-d=checkptr\npackage main\n'))).toBe('variant');
    expect(classifyRecipe(recipeOf('// run arg1 arg2\npackage main\n'))).toBe('variant');
    expect(classifyRecipe(recipeOf('// run -goexperiment fieldtrack\npackage main\n'))).toBe('variant');
    for (const other of ['runoutput', 'rundir', 'buildrun', 'buildrundir', 'runindir', 'compile', 'errorcheck', 'skip']) {
      expect(classifyRecipe(recipeOf(`// ${other}\npackage main\n`))).toBe('other');
    }
  });

  it('parses flags the way the harness does', () => {
    const r = recipeOf(`// run -t 30 -goexperiment rangefunc -godebug x=1 -gcflags='all=-N -l' a.go arg\npackage main\n`);
    expect(r.action).toBe('run');
    expect(r.timeoutSeconds).toBe(30);
    expect(r.goexperiment).toEqual(['rangefunc']);
    expect(r.godebug).toEqual(['x=1']);
    expect(r.buildFlags).toEqual(['-gcflags=all=-N -l']);
    expect(splitRunArgs(r.args)).toEqual({ extraFiles: ['a.go'], programArgs: ['arg'] });
    expect(parseRecipe('\n\n').ok).toBe(false);
  });

  it('splits quoted words like go/build', () => {
    expect(splitQuoted(`a  b:"c d" 'e''f' "g\\""`)).toEqual(['a', 'b:c d', 'ef', 'g"']);
    expect(splitQuoted('"open')).toEqual({ error: 'unclosed quote' });
  });
});

describe('build constraints for aix/ppc64', () => {
  const match = (tag: string): boolean => ['aix', 'ppc64', 'gc'].includes(tag);

  it('evaluates //go:build expressions with precedence and parentheses', () => {
    expect(evalGoBuild('aix && ppc64', match)).toBe(true);
    expect(evalGoBuild('linux || darwin', match)).toBe(false);
    expect(evalGoBuild('!aix && (!darwin || !arm64)', match)).toBe(false);
    expect(evalGoBuild('linux || aix && gc', match)).toBe(true);
    expect(evalGoBuild('!(linux || windows)', match)).toBe(true);
    expect(() => evalGoBuild('aix &&', match)).toThrow();
  });

  it('evaluates // +build options (space = or, comma = and)', () => {
    expect(evalPlusBuild('linux,amd64 aix,ppc64', match)).toBe(true);
    expect(evalPlusBuild('!aix', match)).toBe(false);
    expect(evalPlusBuild('linux darwin', match)).toBe(false);
  });

  it('applies every constraint line before the package clause, with the harness tag set', () => {
    expect(shouldTest('// run\n\npackage main\n', aix)).toEqual({ ok: true });
    expect(shouldTest('//go:build darwin || linux\n\n// run\n\npackage main\n', aix)).toEqual({ ok: false, why: '//go:build darwin || linux' });
    expect(shouldTest('//go:build cgo\n\n// run\npackage main\n', aix).ok).toBe(false);
    expect(shouldTest('//go:build go1.21 && gc\n// run\npackage main\n', aix).ok).toBe(true);
    expect(shouldTest('//go:build !goexperiment.swissmap\n// run\npackage main\n', aix).ok).toBe(false);
    // The harness's matcher knows no `unix` tag: such files are skipped there, so here too.
    expect(shouldTest('//go:build unix\n// run\npackage main\n', aix).ok).toBe(false);
    // Lines after the package clause do not count.
    expect(shouldTest('// run\npackage main\n//go:build linux\n', aix).ok).toBe(true);
  });
});

describe('sample', () => {
  it('spreads the picks over the whole list and keeps everything when asked for more', () => {
    const items = Array.from({ length: 10 }, (_, i) => i);
    expect(sample(items, 5)).toEqual([0, 2, 4, 6, 8]);
    expect(sample(items, 0)).toEqual(items);
    expect(sample(items, 20)).toEqual(items);
  });
});
