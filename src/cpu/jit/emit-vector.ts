// JS source emitters for the vector (VMX, VSX, crypto) and floating-point rows that Go's runtime
// and standard library run hot: memmove/memclr (lxvd2x/stxvd2x), SHA-256 (vadduwm, vsldoi,
// vshasigmaw, vperm, vsel, xxlor), bytes/strings (vcmpequb.), float code (lfd/stfd, fadd...).
// Called through their rows' exec functions these cost a closure call that one shared source
// makes megamorphic plus a per-lane switch; emitted here every field, lane width and operation is a
// constant of the block. Semantics follow the rows in exec/vmx.ts, exec/vsx.ts, exec/crypto.ts and
// exec/fp.ts exactly (the jit tests and the qemu differential test run both). Rows whose forms are
// rare stay calls to their exec functions (an emitter returns null).
//
// Names in scope (besides emit.ts's): v = s.vsr, VS (Int32Array(4) scratch), vpermW, popcnt32,
// singleToDoubleWords, doubleWordsToSingle, fpArith, fpCompare, fpConvert, fpFromInteger.
import { ra, rb, rt, rc5, si } from '../fields.js';
import { popcnt32 } from '../exec/vmx.js';
import { eaDisp, eaIndexed, hiOf, loOf } from './emit-common.js';
import { CR } from '../state.js';
import type { Emitter } from './emit.js';


/** Word index of VR n in s.vsr. */
const vrW = (n: number): number => (32 + n) << 2;
const VT = (w: number): number => vrW(rt(w));
const VA = (w: number): number => vrW(ra(w));
const VB = (w: number): number => vrW(rb(w));
const VC = (w: number): number => vrW(rc5(w));
/** VSX XT/XA/XB/XC word indices (6-bit register numbers). */
const XT = (w: number): number => ((rt(w) | ((w & 1) << 5)) << 2);
const XA = (w: number): number => ((ra(w) | ((w & 4) << 3)) << 2);
const XB = (w: number): number => ((rb(w) | ((w & 2) << 4)) << 2);
const XC = (w: number): number => ((rc5(w) | ((w & 8) << 2)) << 2);

/** v[t+i] = f(i) for the four words, where f reads only word i of its inputs (no aliasing hazard). */
const perWord = (t: number, f: (i: number) => string): string => {
  let s = '';
  for (let i = 0; i < 4; i++) s += `v[${t + i}]=${f(i)};`;
  return s;
};

/** The four words computed first into locals, then stored (outputs depend on other words). */
const viaLocals = (t: number, exprs: string[]): string => {
  let s = '';
  exprs.forEach((e, i) => (s += `const o${i}=${e};`));
  for (let i = 0; i < 4; i++) s += `v[${t + i}]=o${i};`;
  return `{${s}}`;
};

const LOGIC: Record<string, (x: string, y: string) => string> = {
  and: (x, y) => `${x}&${y}`,
  andc: (x, y) => `${x}&~${y}`,
  or: (x, y) => `${x}|${y}`,
  xor: (x, y) => `${x}^${y}`,
  nor: (x, y) => `~(${x}|${y})`,
  orc: (x, y) => `${x}|~${y}`,
  nand: (x, y) => `~(${x}&${y})`,
  eqv: (x, y) => `~(${x}^${y})`,
};

type LaneOp = 'add' | 'sub' | 'sl' | 'sr' | 'sra' | 'rl' | 'eq' | 'gtu' | 'gts' | 'maxu' | 'maxs' | 'minu' | 'mins' | 'addc' | 'subc' | 'clz' | 'popcnt';

/** One lane of `bits` (8, 16, 32): x, y are the lanes zero-extended (32: the raw int32 words). */
function laneExpr(op: LaneOp, x: string, y: string, bits: number): string {
  const m = bits === 32 ? -1 : (1 << bits) - 1;
  const sx = 32 - bits;
  const sgn = (e: string): string => (bits === 32 ? e : `((${e}<<${sx})>>${sx})`);
  const u = (e: string): string => (bits === 32 ? `(${e}>>>0)` : e);
  const n = `(${y}&${bits - 1})`;
  switch (op) {
    case 'add':
      return bits === 32 ? `(${x}+${y})|0` : `(${x}+${y})&${m}`;
    case 'sub':
      return bits === 32 ? `(${x}-${y})|0` : `(${x}-${y})&${m}`;
    case 'sl':
      return bits === 32 ? `${x}<<${n}` : `(${x}<<${n})&${m}`;
    case 'sr':
      return bits === 32 ? `(${x}>>>${n})|0` : `${x}>>>${n}`;
    case 'sra':
      return bits === 32 ? `${x}>>${n}` : `(${sgn(x)}>>${n})&${m}`;
    case 'rl':
      return bits === 32 ? `(${x}<<${n})|(${x}>>>(32-${n}))` : `((${x}<<${n})|(${x}>>>((${bits}-${n})&31)))&${m}`;
    case 'eq':
      return `${x}===${y}?${m}:0`;
    case 'gtu':
      return `${u(x)}>${u(y)}?${m}:0`;
    case 'gts':
      return `${sgn(x)}>${sgn(y)}?${m}:0`;
    case 'maxu':
      return `${u(x)}>${u(y)}?${x}:${y}`;
    case 'maxs':
      return `${sgn(x)}>${sgn(y)}?${x}:${y}`;
    case 'minu':
      return `${u(x)}<${u(y)}?${x}:${y}`;
    case 'mins':
      return `${sgn(x)}<${sgn(y)}?${x}:${y}`;
    case 'addc':
      return `(${x}>>>0)+(${y}>>>0)>0xffffffff?1:0`;
    case 'subc':
      return `(${x}>>>0)>=(${y}>>>0)?1:0`;
    case 'clz':
      return `Math.clz32(${y})-${sx}`;
    case 'popcnt':
      return `popcnt32(${y})`;
  }
}

/** Element-wise op over 8/16/32-bit lanes; Rc (bit 21 of a VC-form compare) sets CR6. */
function lanes(op: LaneOp, bits: number, rcForm: boolean): Emitter {
  return (w) => {
    const [t, a, b] = [VT(w), VA(w), VB(w)];
    const words: string[] = [];
    for (let i = 0; i < 4; i++) {
      const x = `x${i}`;
      const y = `y${i}`;
      let e: string;
      if (bits === 32) e = laneExpr(op, x, y, 32);
      else {
        const m = (1 << bits) - 1;
        const parts: string[] = [];
        for (let sh = 32 - bits; sh >= 0; sh -= bits) {
          const lx = sh === 0 ? `(${x}&${m})` : `((${x}>>>${sh})&${m})`;
          const ly = sh === 0 ? `(${y}&${m})` : `((${y}>>>${sh})&${m})`;
          const le = `((${laneExpr(op, lx, ly, bits)})&${m})`;
          parts.push(sh === 0 ? le : `(${le}<<${sh})`);
        }
        e = parts.join('|');
      }
      words.push(`const x${i}=v[${a + i}];const y${i}=v[${b + i}];const o${i}=${e};`);
    }
    let s = words.join('');
    for (let i = 0; i < 4; i++) s += `v[${t + i}]=o${i};`;
    if (rcForm && w & 0x400) {
      s += `spr[${CR}]=(spr[${CR}]&~0xf0)|((((o0&o1&o2&o3)===-1?8:0)|((o0|o1|o2|o3)===0?2:0))<<4);`;
    }
    return `{${s}}`;
  };
}

/** Doubleword lanes: add, sub and the compares (the rest stay exec calls). */
function lanes64(op: 'add' | 'sub' | 'eq' | 'gtu' | 'gts', rcForm: boolean): Emitter {
  return (w) => {
    const [t, a, b] = [VT(w), VA(w), VB(w)];
    let s = '';
    for (const d of [0, 2]) {
      s += `{const xh=v[${a + d}],xl=v[${a + d + 1}],yh=v[${b + d}],yl=v[${b + d + 1}];`;
      switch (op) {
        case 'add':
          s += `const l=(xl+yl)|0;h${d}=(xh+yh+((l>>>0)<(xl>>>0)?1:0))|0;l${d}=l;}`;
          break;
        case 'sub':
          s += `h${d}=(xh-yh-((xl>>>0)<(yl>>>0)?1:0))|0;l${d}=(xl-yl)|0;}`;
          break;
        case 'eq':
          s += `h${d}=l${d}=xh===yh&&xl===yl?-1:0;}`;
          break;
        case 'gtu':
          s += `h${d}=l${d}=(xh>>>0)>(yh>>>0)||(xh===yh&&(xl>>>0)>(yl>>>0))?-1:0;}`;
          break;
        case 'gts':
          s += `h${d}=l${d}=xh>yh||(xh===yh&&(xl>>>0)>(yl>>>0))?-1:0;}`;
          break;
      }
    }
    s += `v[${t}]=h0;v[${t + 1}]=l0;v[${t + 2}]=h2;v[${t + 3}]=l2;`;
    if (rcForm && w & 0x400) {
      s += `spr[${CR}]=(spr[${CR}]&~0xf0)|((((h0&l0&h2&l2)===-1?8:0)|((h0|l0|h2|l2)===0?2:0))<<4);`;
    }
    return `{let h0,l0,h2,l2;${s}}`;
  };
}

const eaX = (w: number): string => eaIndexed(ra(w), rb(w));
const eaD = (w: number): string => eaDisp(ra(w), si(w));
/** EA + 8 into h8, l8. */
const plus8 = 'const l8=(el+8)|0;const h8=(l8>>>0)<(el>>>0)?(eh+1)|0:eh;';

/** 16 bytes at (eh, el) into the VSR at word index t: both halves read before any register write. */
const load16 = (t: number): string =>
  `${plus8}mem.load64(eh,el,VS,0);mem.load64(h8,l8,VS,2);v[${t}]=VS[0];v[${t + 1}]=VS[1];v[${t + 2}]=VS[2];v[${t + 3}]=VS[3];`;
/** 16 bytes to memory; a page-crossing store is probed first so a fault writes nothing. */
const store16 = (t: number): string =>
  `${plus8}if((el&0xffff)>0xfff0)mem.probeWrite(h8,l8,8);mem.store64(eh,el,v[${t}],v[${t + 1}]);mem.store64(h8,l8,v[${t + 2}],v[${t + 3}]);`;

const rotr = (x: string, n: number): string => `((${x}>>>${n})|(${x}<<${32 - n}))`;

/** Update forms with RA = 0 are invalid: left to the exec function. */
const fpLoadStore = (body: (w: number, t: number) => string, form: 'd' | 'x', update: boolean): Emitter => (w) => {
  if (update && ra(w) === 0) return null;
  const wb = update ? `g[${hiOf(ra(w))}]=eh;g[${loOf(ra(w))}]=el;` : '';
  return `{${form === 'd' ? eaD(w) : eaX(w)}${body(w, rt(w) << 2)}${wb}}`;
};
const lfd = (w: number, t: number): string => `mem.load64(eh,el,v,${t});v[${t + 2}]=0;v[${t + 3}]=0;`;
const lfs = (w: number, t: number): string => `singleToDoubleWords(mem.load32(eh,el),v,${t});v[${t + 2}]=0;v[${t + 3}]=0;`;
const stfd = (w: number, t: number): string => `mem.store64(eh,el,v[${t}],v[${t + 1}]);`;
const stfs = (w: number, t: number): string => `mem.store32(eh,el,doubleWordsToSingle(v[${t}],v[${t + 1}]));`;

/**
 * FP arithmetic rows: the operation's fast path (exec/fp.ts), else the general handler, called
 * directly with constants (no per-row closure).
 */
const FP_FAST: Record<number, (w: number, single: boolean) => string> = {
  0: (w, single) => `fpAdd(s,${w | 0},false,${single})`,
  1: (w, single) => `fpAdd(s,${w | 0},true,${single})`,
  2: (w, single) => `fpMul(s,${w | 0},${single})`,
  3: (w, single) => `fpDiv(s,${w | 0},${single})`,
  4: (w, single) => `fpSqrt(s,${w | 0},${single})`,
  5: (w, single) => `fpFma(s,${w | 0},false,false,${single})`,
  6: (w, single) => `fpFma(s,${w | 0},true,false,${single})`,
  7: (w, single) => `fpFma(s,${w | 0},false,true,${single})`,
  8: (w, single) => `fpFma(s,${w | 0},true,true,${single})`,
};
const fpArithRow = (op: number, single: boolean): Emitter => (w) =>
  `${FP_FAST[op] === undefined ? '' : `${FP_FAST[op](w, single)}||`}fpArith(s,${w | 0},${op},${single});`;

export const vectorEmitters: Record<string, Emitter> = {
  // ---------------------------------------------------------------- VMX loads and stores
  lvx: (w) => `{${eaX(w)}const e=el&-16;mem.load64(eh,e,VS,0);mem.load64(eh,e|8,VS,2);v[${VT(w)}]=VS[0];v[${VT(w) + 1}]=VS[1];v[${VT(w) + 2}]=VS[2];v[${VT(w) + 3}]=VS[3];}`,
  stvx: (w) => `{${eaX(w)}const e=el&-16;mem.store64(eh,e,v[${VT(w)}],v[${VT(w) + 1}]);mem.store64(eh,e|8,v[${VT(w) + 2}],v[${VT(w) + 3}]);}`,
  // ---------------------------------------------------------------- VSX loads, stores, moves
  lxvd2x: (w) => `{${eaX(w)}${load16(XT(w))}}`,
  lxvw4x: (w) => `{${eaX(w)}${load16(XT(w))}}`,
  stxvd2x: (w) => `{${eaX(w)}${store16(XT(w))}}`,
  stxvw4x: (w) => `{${eaX(w)}${store16(XT(w))}}`,
  lxvdsx: (w) => {
    const t = XT(w);
    return `{${eaX(w)}mem.load64(eh,el,v,${t});v[${t + 2}]=v[${t}];v[${t + 3}]=v[${t + 1}];}`;
  },
  lxsdx: (w) => `{${eaX(w)}mem.load64(eh,el,v,${XT(w)});}`,
  stxsdx: (w) => `{${eaX(w)}mem.store64(eh,el,v[${XT(w)}],v[${XT(w) + 1}]);}`,
  mfvsrd: (w) => `g[${hiOf(ra(w))}]=v[${XT(w)}];g[${loOf(ra(w))}]=v[${XT(w) + 1}];`,
  mfvsrwz: (w) => `g[${hiOf(ra(w))}]=0;g[${loOf(ra(w))}]=v[${XT(w) + 1}];`,
  mtvsrd: (w) => `v[${XT(w)}]=g[${hiOf(ra(w))}];v[${XT(w) + 1}]=g[${loOf(ra(w))}];`,
  mtvsrwz: (w) => `{const x=g[${loOf(ra(w))}];v[${XT(w)}]=0;v[${XT(w) + 1}]=x;}`,
  mtvsrwa: (w) => `{const x=g[${loOf(ra(w))}];v[${XT(w)}]=x>>31;v[${XT(w) + 1}]=x;}`,

  // ---------------------------------------------------------------- permutes, splats, merges
  vsel: (w) => perWord(VT(w), (i) => `(v[${VA(w) + i}]&~v[${VC(w) + i}])|(v[${VB(w) + i}]&v[${VC(w) + i}])`),
  xxsel: (w) => perWord(XT(w), (i) => `(v[${XA(w) + i}]&~v[${XC(w) + i}])|(v[${XB(w) + i}]&v[${XC(w) + i}])`),
  vperm: (w) => `vpermW(v,${VT(w)},${VA(w)},${VB(w)},${VC(w)});`,
  vsldoi: (w) => {
    const sh = (w >>> 6) & 15;
    const [a, b] = [VA(w), VB(w)];
    const W = (j: number): string => (j < 4 ? `v[${a + j}]` : `v[${b + j - 4}]`);
    const q = sh >> 2;
    const r = (sh & 3) * 8;
    const exprs = [0, 1, 2, 3].map((i) => (r === 0 ? W(i + q) : `(${W(i + q)}<<${r})|(${W(i + q + 1)}>>>${32 - r})`));
    return viaLocals(VT(w), exprs);
  },
  vspltw: (w) => `{const e=v[${VB(w) + ((w >>> 16) & 3)}];${perWord(VT(w), () => 'e')}}`,
  vsplth: (w) => {
    const uim = (w >>> 16) & 7;
    const sh = 16 - 16 * (uim & 1);
    return `{const h=(v[${VB(w) + (uim >> 1)}]>>>${sh})&0xffff;const e=(h<<16)|h;${perWord(VT(w), () => 'e')}}`;
  },
  vspltb: (w) => {
    const uim = (w >>> 16) & 15;
    const sh = 24 - 8 * (uim & 3);
    return `{const e=Math.imul((v[${VB(w) + (uim >> 2)}]>>>${sh})&0xff,0x01010101);${perWord(VT(w), () => 'e')}}`;
  },
  vspltisw: (w) => {
    const e = ((w >>> 16) << 27) >> 27;
    return perWord(VT(w), () => `${e}`);
  },
  vspltish: (w) => {
    const s = ((w >>> 16) << 27) >> 27;
    return perWord(VT(w), () => `${((s & 0xffff) << 16) | (s & 0xffff)}`);
  },
  vspltisb: (w) => {
    const s = ((w >>> 16) << 27) >> 27;
    return perWord(VT(w), () => `${Math.imul(s & 0xff, 0x01010101)}`);
  },
  vmrghw: (w) => viaLocals(VT(w), [`v[${VA(w)}]`, `v[${VB(w)}]`, `v[${VA(w) + 1}]`, `v[${VB(w) + 1}]`]),
  vmrglw: (w) => viaLocals(VT(w), [`v[${VA(w) + 2}]`, `v[${VB(w) + 2}]`, `v[${VA(w) + 3}]`, `v[${VB(w) + 3}]`]),
  vmrgew: (w) => viaLocals(VT(w), [`v[${VA(w)}]`, `v[${VB(w)}]`, `v[${VA(w) + 2}]`, `v[${VB(w) + 2}]`]),
  vmrgow: (w) => viaLocals(VT(w), [`v[${VA(w) + 1}]`, `v[${VB(w) + 1}]`, `v[${VA(w) + 3}]`, `v[${VB(w) + 3}]`]),
  xxpermdi: (w) => {
    const dm = (w >>> 8) & 3;
    const a = XA(w) + (dm & 2);
    const b = XB(w) + ((dm & 1) << 1);
    return viaLocals(XT(w), [`v[${a}]`, `v[${a + 1}]`, `v[${b}]`, `v[${b + 1}]`]);
  },
  xxspltw: (w) => `{const e=v[${XB(w) + ((w >>> 16) & 3)}];${perWord(XT(w), () => 'e')}}`,
  xxmrghw: (w) => viaLocals(XT(w), [`v[${XA(w)}]`, `v[${XB(w)}]`, `v[${XA(w) + 1}]`, `v[${XB(w) + 1}]`]),
  xxmrglw: (w) => viaLocals(XT(w), [`v[${XA(w) + 2}]`, `v[${XB(w) + 2}]`, `v[${XA(w) + 3}]`, `v[${XB(w) + 3}]`]),
  xxsldwi: (w) => {
    const shw = (w >>> 8) & 3;
    const [a, b] = [XA(w), XB(w)];
    return viaLocals(XT(w), [0, 1, 2, 3].map((i) => (i + shw < 4 ? `v[${a + i + shw}]` : `v[${b + i + shw - 4}]`)));
  },
  mfvscr: (w) => `v[${VT(w)}]=0;v[${VT(w) + 1}]=0;v[${VT(w) + 2}]=0;v[${VT(w) + 3}]=spr[9];`,

  // ---------------------------------------------------------------- SHA-256 sigma
  vshasigmaw: (w) => {
    const [t, a] = [VT(w), VA(w)];
    const upper = (w >>> 15) & 1;
    const six = (w >>> 11) & 15;
    return perWord(t, (i) => {
      const x = `v[${a + i}]`;
      const one = (six >>> (3 - i)) & 1;
      if (!upper) return one ? `${rotr(x, 17)}^${rotr(x, 19)}^(${x}>>>10)` : `${rotr(x, 7)}^${rotr(x, 18)}^(${x}>>>3)`;
      return one ? `${rotr(x, 6)}^${rotr(x, 11)}^${rotr(x, 25)}` : `${rotr(x, 2)}^${rotr(x, 13)}^${rotr(x, 22)}`;
    });
  },

  // ---------------------------------------------------------------- floating point
  lfd: fpLoadStore(lfd, 'd', false),
  lfdu: fpLoadStore(lfd, 'd', true),
  lfdx: fpLoadStore(lfd, 'x', false),
  lfdux: fpLoadStore(lfd, 'x', true),
  lfs: fpLoadStore(lfs, 'd', false),
  lfsu: fpLoadStore(lfs, 'd', true),
  lfsx: fpLoadStore(lfs, 'x', false),
  lfsux: fpLoadStore(lfs, 'x', true),
  stfd: fpLoadStore(stfd, 'd', false),
  stfdu: fpLoadStore(stfd, 'd', true),
  stfdx: fpLoadStore(stfd, 'x', false),
  stfdux: fpLoadStore(stfd, 'x', true),
  stfs: fpLoadStore(stfs, 'd', false),
  stfsu: fpLoadStore(stfs, 'd', true),
  stfsx: fpLoadStore(stfs, 'x', false),
  stfsux: fpLoadStore(stfs, 'x', true),
  fmr: (w) => (w & 1 ? null : `{const t=${rt(w) << 2};v[t]=v[${rb(w) << 2}];v[t+1]=v[${(rb(w) << 2) + 1}];v[t+2]=0;v[t+3]=0;}`),
  fneg: (w) => (w & 1 ? null : `{const t=${rt(w) << 2};v[t]=v[${rb(w) << 2}]^-2147483648;v[t+1]=v[${(rb(w) << 2) + 1}];v[t+2]=0;v[t+3]=0;}`),
  fabs: (w) => (w & 1 ? null : `{const t=${rt(w) << 2};v[t]=v[${rb(w) << 2}]&0x7fffffff;v[t+1]=v[${(rb(w) << 2) + 1}];v[t+2]=0;v[t+3]=0;}`),
  fcmpu: (w) => `fpCompare(s,${w | 0},false);`,
  fcmpo: (w) => `fpCompare(s,${w | 0},true);`,
  fctiwz: (w) => `fpConvert(s,${w | 0},2,true);`,
  fctidz: (w) => `fpConvert(s,${w | 0},0,true);`,
  fctid: (w) => `fpConvert(s,${w | 0},0,false);`,
  fcfid: (w) => `fpFromInteger(s,${w | 0},false,false);`,
  fcfidu: (w) => `fpFromInteger(s,${w | 0},true,false);`,
};

// Logical ops: VMX (VR numbers) and VSX (6-bit VSR numbers).
for (const [op, f] of Object.entries(LOGIC)) {
  vectorEmitters[`v${op}`] = (w) => perWord(VT(w), (i) => f(`v[${VA(w) + i}]`, `v[${VB(w) + i}]`));
  vectorEmitters[`xxl${op}`] = (w) => perWord(XT(w), (i) => f(`v[${XA(w) + i}]`, `v[${XB(w) + i}]`));
}

// Element-wise rows by name: v<op><u|s><b|h|w>m-style names as exec/vmx.ts lists them.
const LANE_ROWS: Array<[string, LaneOp, number]> = [
  ['vaddubm', 'add', 8], ['vadduhm', 'add', 16], ['vadduwm', 'add', 32], ['vaddcuw', 'addc', 32],
  ['vsububm', 'sub', 8], ['vsubuhm', 'sub', 16], ['vsubuwm', 'sub', 32], ['vsubcuw', 'subc', 32],
  ['vmaxub', 'maxu', 8], ['vmaxuh', 'maxu', 16], ['vmaxuw', 'maxu', 32],
  ['vmaxsb', 'maxs', 8], ['vmaxsh', 'maxs', 16], ['vmaxsw', 'maxs', 32],
  ['vminub', 'minu', 8], ['vminuh', 'minu', 16], ['vminuw', 'minu', 32],
  ['vminsb', 'mins', 8], ['vminsh', 'mins', 16], ['vminsw', 'mins', 32],
  ['vslb', 'sl', 8], ['vslh', 'sl', 16], ['vslw', 'sl', 32],
  ['vsrb', 'sr', 8], ['vsrh', 'sr', 16], ['vsrw', 'sr', 32],
  ['vsrab', 'sra', 8], ['vsrah', 'sra', 16], ['vsraw', 'sra', 32],
  ['vrlb', 'rl', 8], ['vrlh', 'rl', 16], ['vrlw', 'rl', 32],
  ['vclzb', 'clz', 8], ['vclzh', 'clz', 16], ['vclzw', 'clz', 32],
  ['vpopcntb', 'popcnt', 8], ['vpopcnth', 'popcnt', 16], ['vpopcntw', 'popcnt', 32],
];
for (const [name, op, bits] of LANE_ROWS) vectorEmitters[name] = lanes(op, bits, false);
const COMPARE_ROWS: Array<[string, 'eq' | 'gtu' | 'gts', number]> = [
  ['vcmpequb', 'eq', 8], ['vcmpequh', 'eq', 16], ['vcmpequw', 'eq', 32], ['vcmpequd', 'eq', 64],
  ['vcmpgtub', 'gtu', 8], ['vcmpgtuh', 'gtu', 16], ['vcmpgtuw', 'gtu', 32], ['vcmpgtud', 'gtu', 64],
  ['vcmpgtsb', 'gts', 8], ['vcmpgtsh', 'gts', 16], ['vcmpgtsw', 'gts', 32], ['vcmpgtsd', 'gts', 64],
];
for (const [name, op, bits] of COMPARE_ROWS) vectorEmitters[name] = bits === 64 ? lanes64(op, true) : lanes(op, bits, true);
vectorEmitters.vaddudm = lanes64('add', false);
vectorEmitters.vsubudm = lanes64('sub', false);

// FP arithmetic (op codes as exec/fp.ts numbers them).
const FP_OPS: Array<[string, number]> = [
  ['fadd', 0], ['fsub', 1], ['fmul', 2], ['fdiv', 3], ['fsqrt', 4], ['fmadd', 5], ['fmsub', 6], ['fnmadd', 7], ['fnmsub', 8],
];
for (const [name, op] of FP_OPS) {
  vectorEmitters[name] = fpArithRow(op, false);
  vectorEmitters[`${name}s`] = fpArithRow(op, true);
}

/** Emitted rows that read or write guest memory (they may fault: the compiler records their index). */
export const VECTOR_MEMORY_ROWS = new Set([
  'lvx', 'stvx', 'lxvd2x', 'lxvw4x', 'stxvd2x', 'stxvw4x', 'lxvdsx', 'lxsdx', 'stxsdx',
  'lfd', 'lfdu', 'lfdx', 'lfdux', 'lfs', 'lfsu', 'lfsx', 'lfsux', 'stfd', 'stfdu', 'stfdx', 'stfdux', 'stfs', 'stfsu', 'stfsx', 'stfsux',
]);
/** Of those, the ones that store (the block re-checks that its code is still valid after them). */
export const VECTOR_STORE_ROWS = new Set(['stvx', 'stxvd2x', 'stxvw4x', 'stxsdx', 'stfd', 'stfdu', 'stfdx', 'stfdux', 'stfs', 'stfsu', 'stfsx', 'stfsux']);

// ---------------------------------------------------------------- helpers the emitted code calls

const permIn = new Int32Array(8);
/** vperm: byte k of VT = byte (VC byte k & 31) of VA || VB. */
export function vpermW(v: Int32Array, t: number, a: number, b: number, c: number): void {
  permIn[0] = v[a];
  permIn[1] = v[a + 1];
  permIn[2] = v[a + 2];
  permIn[3] = v[a + 3];
  permIn[4] = v[b];
  permIn[5] = v[b + 1];
  permIn[6] = v[b + 2];
  permIn[7] = v[b + 3];
  const c0 = v[c];
  const c1 = v[c + 1];
  const c2 = v[c + 2];
  const c3 = v[c + 3];
  v[t] = permWord(c0);
  v[t + 1] = permWord(c1);
  v[t + 2] = permWord(c2);
  v[t + 3] = permWord(c3);
}
function permByte(sel: number): number {
  return (permIn[sel >>> 2] >>> (24 - ((sel & 3) << 3))) & 0xff;
}
function permWord(cw: number): number {
  return (
    (permByte((cw >>> 24) & 31) << 24) |
    (permByte((cw >>> 16) & 31) << 16) |
    (permByte((cw >>> 8) & 31) << 8) |
    permByte(cw & 31)
  );
}
