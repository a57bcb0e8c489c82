// JS source emitters for the hottest instruction rows (by row name). Each emitter sees the
// instruction word at compile time, so every field, mask and immediate becomes a constant in the
// generated code. An emitter returns null for a form it does not specialise (OE=1, odd Rc forms,
// unusual SPRs); the compiler then calls the row's own exec function, so every row works in a
// block and the rows stay the reference semantics. The jit tests run random sequences of these
// rows compiled and interpreted and compare every register and byte.
//
// Names in scope of the generated code: g = s.gpr, spr = s.spr, v = s.vsr, mem, s, and the
// helpers of BLOCK_HELPERS (compiler.ts). Vector and FP rows: emit-vector.ts.
import { ra, rb, rt, si, ui, ds, bd, li, bf, cmpL, rc5, mbM, meM, shMD, mbMD, sprNum } from '../fields.js';
import { MASK64 } from '../int64.js';
import { CR, XER } from '../state.js';
import { vectorEmitters } from './emit-vector.js';
import { eaDisp, eaIndexed, hiOf, loOf } from './emit-common.js';

/** Where the instruction sits and how to leave the block; filled by the compiler. */
export interface EmitSite {
  pcHi: number;
  pcLo: number;
  /** Code that leaves the block for (hi, lo) after this instruction (taken branch). */
  exitTo(hi: number, lo: number): string;
  /** Code that leaves the block for a target held in the locals th/tl. */
  exitDynamic(): string;
}

export type Emitter = (w: number, site: EmitSite) => string | null;


/** CR0 from a 64-bit result held in h, l (SO copied from XER), as setCr0. */
const cr0 = (h: string, l: string): string =>
  `spr[${CR}]=(spr[${CR}]&0x0fffffff)|((${h}<0?8:(${h}|${l})!==0?4:2)<<28)|((spr[${XER}]>>>31)<<28);`;

/** RA = (h, l) with optional CR0 (logical/rotate forms write RA). */
const putRa = (w: number, h: string, l: string): string =>
  `{const rH=${h};const rL=${l};g[${hiOf(ra(w))}]=rH;g[${loOf(ra(w))}]=rL;${w & 1 ? cr0('rH', 'rL') : ''}}`;

const updateRa = (w: number): string => `g[${hiOf(ra(w))}]=eh;g[${loOf(ra(w))}]=el;`;

type LoadKind = 'b' | 'h' | 'ha' | 'w' | 'wa' | 'd';
function loadInto(kind: LoadKind, d: number): string {
  switch (kind) {
    case 'b':
      return `const v=mem.load8(eh,el);g[${hiOf(d)}]=0;g[${loOf(d)}]=v;`;
    case 'h':
      return `const v=mem.load16(eh,el);g[${hiOf(d)}]=0;g[${loOf(d)}]=v;`;
    case 'ha':
      return `const v=(mem.load16(eh,el)<<16)>>16;g[${hiOf(d)}]=v>>31;g[${loOf(d)}]=v;`;
    case 'w':
      return `const v=mem.load32(eh,el);g[${hiOf(d)}]=0;g[${loOf(d)}]=v;`;
    case 'wa':
      return `const v=mem.load32(eh,el);g[${hiOf(d)}]=v>>31;g[${loOf(d)}]=v;`;
    case 'd':
      return `mem.load64Gpr(eh,el,g,${loOf(d)});`;
  }
}

type StoreKind = 'b' | 'h' | 'w' | 'd';
function storeFrom(kind: StoreKind, r: number): string {
  switch (kind) {
    case 'b':
      return `mem.store8(eh,el,g[${loOf(r)}]&0xff);`;
    case 'h':
      return `mem.store16(eh,el,g[${loOf(r)}]&0xffff);`;
    case 'w':
      return `mem.store32(eh,el,g[${loOf(r)}]);`;
    case 'd':
      return `mem.store64(eh,el,g[${hiOf(r)}],g[${loOf(r)}]);`;
  }
}

// Update forms with RA = 0 or RA = RT are invalid forms: left to the row's exec (same result).
const loadD = (kind: LoadKind, update: boolean, disp: (w: number) => number): Emitter => (w) =>
  update && (ra(w) === 0 || ra(w) === rt(w))
    ? null
    : `{${eaDisp(ra(w), disp(w))}${loadInto(kind, rt(w))}${update ? updateRa(w) : ''}}`;
const loadX = (kind: LoadKind, update: boolean): Emitter => (w) =>
  update && (ra(w) === 0 || ra(w) === rt(w))
    ? null
    : `{${eaIndexed(ra(w), rb(w))}${loadInto(kind, rt(w))}${update ? updateRa(w) : ''}}`;
const storeD = (kind: StoreKind, update: boolean, disp: (w: number) => number): Emitter => (w) =>
  update && ra(w) === 0 ? null : `{${eaDisp(ra(w), disp(w))}${storeFrom(kind, rt(w))}${update ? updateRa(w) : ''}}`;
const storeX = (kind: StoreKind, update: boolean): Emitter => (w) =>
  update && ra(w) === 0 ? null : `{${eaIndexed(ra(w), rb(w))}${storeFrom(kind, rt(w))}${update ? updateRa(w) : ''}}`;

/** 64-bit add of RA and a sign-extended int32 immediate into RT (addi, addis). */
function addImm(w: number, imm: number): string {
  const d = rt(w);
  const a = ra(w);
  if (a === 0) return `g[${hiOf(d)}]=${imm >> 31};g[${loOf(d)}]=${imm | 0};`;
  return `{const x=g[${loOf(a)}];const l=(x+${imm | 0})|0;g[${hiOf(d)}]=(g[${hiOf(a)}]+${imm >> 31}+((l>>>0)<(x>>>0)?1:0))|0;g[${loOf(d)}]=l;}`;
}

/** RT = helper(RA, RB) through the int64 helpers' R scratch (mulhd, mulhdu). */
function helper64(fn: string, w: number): string {
  const [a, b, d] = [ra(w), rb(w), rt(w)];
  return `${fn}(g[${hiOf(a)}],g[${loOf(a)}],g[${hiOf(b)}],g[${loOf(b)}]);g[${hiOf(d)}]=R[0];g[${loOf(d)}]=R[1];`;
}

/** divd/divdu: x/0 and MIN/-1 leave the dividend (as the row's exec does, like qemu). */
function divide(fn: string, w: number): string {
  const [a, b, d] = [ra(w), rb(w), rt(w)];
  return `{const ah=g[${hiOf(a)}];const al=g[${loOf(a)}];const ok=${fn}(ah,al,g[${hiOf(b)}],g[${loOf(b)}]);g[${hiOf(d)}]=ok?R[0]:ah;g[${loOf(d)}]=ok?R[1]:al;}`;
}

/** Logical X-form: RA = op(RS, RB) on each half. */
const logical = (op: (x: string, y: string) => string): Emitter => (w) => {
  const s = rt(w);
  const b = rb(w);
  return putRa(w, op(`g[${hiOf(s)}]`, `g[${hiOf(b)}]`), op(`g[${loOf(s)}]`, `g[${loOf(b)}]`));
};

/** CR field bf = nibble in local c | SO. */
const setField = (w: number): string => {
  const sh = 28 - 4 * bf(w);
  return `spr[${CR}]=(spr[${CR}]&${~(15 << sh)})|((c|(spr[${XER}]>>>31))<<${sh});`;
};

/** Compare (ah, al) with (bh, bl) as 64-bit, signed or unsigned, into c. */
function cmp64(ah: string, al: string, bh: string, bl: string, signed: boolean): string {
  const lt = signed ? 'ah<bh' : '(ah>>>0)<(bh>>>0)';
  return `const ah=${ah};const bh=${bh};let c;if(ah!==bh)c=${lt}?8:4;else{const al=(${al})>>>0;const bl=(${bl})>>>0;c=al<bl?8:al>bl?4:2;}`;
}
/** 32-bit compare of x and y into c. */
function cmp32(x: string, y: string, signed: boolean): string {
  return signed
    ? `const x=${x};const y=${y};const c=x<y?8:x>y?4:2;`
    : `const x=(${x})>>>0;const y=(${y})>>>0;const c=x<y?8:x>y?4:2;`;
}

/** ROTL64 of RS by constant n into locals rh, rl. */
function rot64(sReg: number, n: number): string {
  const [x, y] = n & 32 ? [`g[${loOf(sReg)}]`, `g[${hiOf(sReg)}]`] : [`g[${hiOf(sReg)}]`, `g[${loOf(sReg)}]`];
  const m = n & 31;
  if (m === 0) return `const rh=${x};const rl=${y};`;
  return `const xh=${x};const xl=${y};const rh=(xh<<${m})|(xl>>>${32 - m});const rl=(xl<<${m})|(xh>>>${32 - m});`;
}
const maskOf = (mb: number, me: number): [number, number] => {
  const k = (mb * 64 + me) << 1;
  return [MASK64[k], MASK64[k + 1]];
};
const andMask = (v: string, m: number): string => (m === 0 ? '0' : m === -1 ? v : `${v}&${m}`);

function rotMask(w: number, n: number, mb: number, me: number): string {
  const [mh, ml] = maskOf(mb, me);
  return `{${rot64(rt(w), n)}${putRa(w, andMask('rh', mh), andMask('rl', ml))}}`;
}

/** The BO test of bc/bclr/bcctr into the local ok (CTR decremented first unless noCtr). */
function boTest(w: number, noCtr: boolean): { code: string; always: boolean } {
  const bo = rt(w);
  const parts: string[] = [];
  let code = '';
  if ((bo & 4) === 0 && !noCtr) {
    code += `const cl=(spr[5]-1)|0;const ch=cl===-1?(spr[4]-1)|0:spr[4];spr[5]=cl;spr[4]=ch;`;
    parts.push((bo & 2) !== 0 ? '(ch|cl)===0' : '(ch|cl)!==0');
  }
  if ((bo & 16) === 0) {
    const bit = 1 << (31 - ra(w));
    parts.push((bo & 8) !== 0 ? `(spr[${CR}]&${bit | 0})!==0` : `(spr[${CR}]&${bit | 0})===0`);
  }
  code += `const ok=${parts.length === 0 ? 'true' : parts.join('&&')};`;
  return { code, always: parts.length === 0 };
}

/** LR = CIA + 4. */
const link = (site: EmitSite): string => {
  const lo = (site.pcLo + 4) | 0;
  return `spr[2]=${lo === 0 ? (site.pcHi + 1) | 0 : site.pcHi};spr[3]=${lo};`;
};

function relTarget(site: EmitSite, w: number, off: number): [number, number] {
  if (w & 2) return [off >> 31, off | 0];
  const lo = (site.pcLo + off) | 0;
  const hi = (site.pcHi + (off >> 31) + ((lo >>> 0) < (site.pcLo >>> 0) ? 1 : 0)) | 0;
  return [hi, lo];
}

/** Does this branch word always leave (no fall-through)? */
export function branchAlways(name: string, w: number): boolean {
  if (name === 'b') return true;
  if (name === 'bc' || name === 'bclr') return (rt(w) & 0x14) === 0x14;
  if (name === 'bcctr') return (rt(w) & 0x10) !== 0;
  return false;
}

/** Target of a relative/absolute branch (b, bc), for recognising loops. */
export function staticTarget(name: string, w: number, pcHi: number, pcLo: number): [number, number] | null {
  const site = { pcHi, pcLo } as EmitSite;
  if (name === 'b') return relTarget(site, w, li(w));
  if (name === 'bc') return relTarget(site, w, bd(w));
  return null;
}

const NOP_ROWS = ['sync', 'eieio', 'isync', 'dcbt', 'dcbtst', 'dcbf', 'dcbst', 'icbi'];

export const emitters: Record<string, Emitter> = {
  addi: (w) => addImm(w, si(w)),
  addis: (w) => addImm(w, w << 16),
  add: (w) => {
    if (w & 0x401) return null;
    const [a, b, d] = [ra(w), rb(w), rt(w)];
    return `{const al=g[${loOf(a)}];const l=(al+g[${loOf(b)}])|0;g[${hiOf(d)}]=(g[${hiOf(a)}]+g[${hiOf(b)}]+((l>>>0)<(al>>>0)?1:0))|0;g[${loOf(d)}]=l;}`;
  },
  subf: (w) => {
    if (w & 0x401) return null;
    const [a, b, d] = [ra(w), rb(w), rt(w)];
    return `{const al=g[${loOf(a)}];const bl=g[${loOf(b)}];g[${hiOf(d)}]=(g[${hiOf(b)}]-g[${hiOf(a)}]-((bl>>>0)<(al>>>0)?1:0))|0;g[${loOf(d)}]=(bl-al)|0;}`;
  },
  neg: (w) => {
    if (w & 0x401) return null;
    const [a, d] = [ra(w), rt(w)];
    return `{const al=g[${loOf(a)}];g[${hiOf(d)}]=(~g[${hiOf(a)}]+(al===0?1:0))|0;g[${loOf(d)}]=-al|0;}`;
  },
  mulld: (w) => {
    if (w & 0x401) return null;
    const [a, b, d] = [ra(w), rb(w), rt(w)];
    return `mul64(g[${hiOf(a)}],g[${loOf(a)}],g[${hiOf(b)}],g[${loOf(b)}]);g[${hiOf(d)}]=R[0];g[${loOf(d)}]=R[1];`;
  },
  mulhdu: (w) => (w & 1 ? null : helper64('mulhdu', w)),
  mulhd: (w) => (w & 1 ? null : helper64('mulhd', w)),
  divdu: (w) => (w & 0x401 ? null : divide('divdu', w)),
  divd: (w) => (w & 0x401 ? null : divide('divd', w)),
  mulli: (w) => {
    const imm = si(w);
    return `mul64(g[${hiOf(ra(w))}],g[${loOf(ra(w))}],${imm >> 31},${imm});g[${hiOf(rt(w))}]=R[0];g[${loOf(rt(w))}]=R[1];`;
  },

  or: (w) => {
    const [sr, b] = [rt(w), rb(w)];
    if (sr === b && !(w & 1)) {
      if (sr === ra(w)) return ''; // mr rX,rX / nop
      return `g[${hiOf(ra(w))}]=g[${hiOf(sr)}];g[${loOf(ra(w))}]=g[${loOf(sr)}];`;
    }
    return logical((x, y) => `${x}|${y}`)(w, undefined as never);
  },
  and: logical((x, y) => `${x}&${y}`),
  xor: logical((x, y) => `${x}^${y}`),
  andc: logical((x, y) => `${x}&~${y}`),
  orc: logical((x, y) => `${x}|~${y}`),
  nor: logical((x, y) => `~(${x}|${y})`),
  nand: logical((x, y) => `~(${x}&${y})`),
  eqv: logical((x, y) => `~(${x}^${y})`),
  ori: (w) => {
    if (ui(w) === 0 && ra(w) === rt(w)) return ''; // nop
    return `g[${hiOf(ra(w))}]=g[${hiOf(rt(w))}];g[${loOf(ra(w))}]=g[${loOf(rt(w))}]|${ui(w)};`;
  },
  oris: (w) => `g[${hiOf(ra(w))}]=g[${hiOf(rt(w))}];g[${loOf(ra(w))}]=g[${loOf(rt(w))}]|${(ui(w) << 16) | 0};`,
  xori: (w) => `g[${hiOf(ra(w))}]=g[${hiOf(rt(w))}];g[${loOf(ra(w))}]=g[${loOf(rt(w))}]^${ui(w)};`,
  xoris: (w) => `g[${hiOf(ra(w))}]=g[${hiOf(rt(w))}];g[${loOf(ra(w))}]=g[${loOf(rt(w))}]^${(ui(w) << 16) | 0};`,
  'andi.': (w) => `{const l=g[${loOf(rt(w))}]&${ui(w)};g[${hiOf(ra(w))}]=0;g[${loOf(ra(w))}]=l;${cr0('0', 'l')}}`,
  'andis.': (w) => `{const l=g[${loOf(rt(w))}]&${(ui(w) << 16) | 0};g[${hiOf(ra(w))}]=0;g[${loOf(ra(w))}]=l;${cr0('0', 'l')}}`,
  extsb: (w) => `{const v=(g[${loOf(rt(w))}]<<24)>>24;${putRa(w, 'v>>31', 'v')}}`,
  extsh: (w) => `{const v=(g[${loOf(rt(w))}]<<16)>>16;${putRa(w, 'v>>31', 'v')}}`,
  extsw: (w) => `{const v=g[${loOf(rt(w))}];${putRa(w, 'v>>31', 'v')}}`,
  cntlzw: (w) => putRa(w, '0', `Math.clz32(g[${loOf(rt(w))}])`),
  cntlzd: (w) => {
    const s = rt(w);
    return `{const xh=g[${hiOf(s)}];${putRa(w, '0', `xh!==0?Math.clz32(xh):32+Math.clz32(g[${loOf(s)}])`)}}`;
  },

  cmp: (w) => {
    const [a, b] = [ra(w), rb(w)];
    return cmpL(w)
      ? `{${cmp64(`g[${hiOf(a)}]`, `g[${loOf(a)}]`, `g[${hiOf(b)}]`, `g[${loOf(b)}]`, true)}${setField(w)}}`
      : `{${cmp32(`g[${loOf(a)}]`, `g[${loOf(b)}]`, true)}${setField(w)}}`;
  },
  cmpl: (w) => {
    const [a, b] = [ra(w), rb(w)];
    return cmpL(w)
      ? `{${cmp64(`g[${hiOf(a)}]`, `g[${loOf(a)}]`, `g[${hiOf(b)}]`, `g[${loOf(b)}]`, false)}${setField(w)}}`
      : `{${cmp32(`g[${loOf(a)}]`, `g[${loOf(b)}]`, false)}${setField(w)}}`;
  },
  cmpi: (w) => {
    const a = ra(w);
    const imm = si(w);
    return cmpL(w)
      ? `{${cmp64(`g[${hiOf(a)}]`, `g[${loOf(a)}]`, `${imm >> 31}`, `${imm}`, true)}${setField(w)}}`
      : `{${cmp32(`g[${loOf(a)}]`, `${imm}`, true)}${setField(w)}}`;
  },
  cmpli: (w) => {
    const a = ra(w);
    return cmpL(w)
      ? `{${cmp64(`g[${hiOf(a)}]`, `g[${loOf(a)}]`, '0', `${ui(w)}`, false)}${setField(w)}}`
      : `{${cmp32(`g[${loOf(a)}]`, `${ui(w)}`, false)}${setField(w)}}`;
  },
  isel: (w) => {
    const [a, b, d] = [ra(w), rb(w), rt(w)];
    const ah = a === 0 ? '0' : `g[${hiOf(a)}]`;
    const al = a === 0 ? '0' : `g[${loOf(a)}]`;
    return `{let h,l;if((spr[${CR}]<<${rc5(w)})<0){h=${ah};l=${al};}else{h=g[${hiOf(b)}];l=g[${loOf(b)}];}g[${hiOf(d)}]=h;g[${loOf(d)}]=l;}`;
  },

  rlwinm: (w) => {
    const sh = rb(w);
    const [mh, ml] = maskOf(mbM(w) + 32, meM(w) + 32);
    const r = sh === 0 ? 'x' : `(x<<${sh})|(x>>>${32 - sh})`;
    return `{const x=g[${loOf(rt(w))}];const r=${r};${putRa(w, andMask('r', mh), andMask('r', ml))}}`;
  },
  rldicl: (w) => rotMask(w, shMD(w), mbMD(w), 63),
  rldicr: (w) => rotMask(w, shMD(w), 0, mbMD(w)),
  rldic: (w) => rotMask(w, shMD(w), mbMD(w), 63 - shMD(w)),
  rldimi: (w) => {
    const sh = shMD(w);
    const [mh, ml] = maskOf(mbMD(w), 63 - sh);
    const d = ra(w);
    return `{${rot64(rt(w), sh)}${putRa(w, `(rh&${mh})|(g[${hiOf(d)}]&${~mh})`, `(rl&${ml})|(g[${loOf(d)}]&${~ml})`)}}`;
  },
  sld: (w) => {
    const [s, b] = [rt(w), rb(w)];
    return `{const n=g[${loOf(b)}]&127;const xh=g[${hiOf(s)}];const xl=g[${loOf(s)}];let h,l;if(n>=64){h=0;l=0;}else if(n>=32){h=xl<<(n-32);l=0;}else if(n===0){h=xh;l=xl;}else{h=(xh<<n)|(xl>>>(32-n));l=xl<<n;}${putRa(w, 'h', 'l')}}`;
  },
  srd: (w) => {
    const [s, b] = [rt(w), rb(w)];
    return `{const n=g[${loOf(b)}]&127;const xh=g[${hiOf(s)}];const xl=g[${loOf(s)}];let h,l;if(n>=64){h=0;l=0;}else if(n>=32){h=0;l=xh>>>(n-32);}else if(n===0){h=xh;l=xl;}else{h=xh>>>n;l=(xl>>>n)|(xh<<(32-n));}${putRa(w, 'h', 'l|0')}}`;
  },
  sradi: (w) => {
    const n = shMD(w);
    const s = rt(w);
    let calc: string;
    if (n >= 32) calc = `const h=xh>>31;const l=xh>>${n - 32};const lost=xl${n === 32 ? '' : `|(xh<<${64 - n})`};`;
    else if (n === 0) calc = 'const h=xh;const l=xl;const lost=0;';
    else calc = `const h=xh>>${n};const l=(xl>>>${n})|(xh<<${32 - n});const lost=xl<<${32 - n};`;
    return `{const xh=g[${hiOf(s)}];const xl=g[${loOf(s)}];${calc}spr[${XER}]=xh<0&&lost!==0?spr[${XER}]|0x20000000:spr[${XER}]&~0x20000000;${putRa(w, 'h', 'l')}}`;
  },
  srawi: (w) => {
    const n = rb(w);
    const calc = n === 0 ? 'const r=x;const lost=0;' : `const r=x>>${n};const lost=x<<${32 - n};`;
    return `{const x=g[${loOf(rt(w))}];${calc}spr[${XER}]=x<0&&lost!==0?spr[${XER}]|0x20000000:spr[${XER}]&~0x20000000;${putRa(w, 'r>>31', 'r')}}`;
  },
  slw: (w) =>
    `{const n=g[${loOf(rb(w))}]&63;${putRa(w, '0', `n>=32?0:g[${loOf(rt(w))}]<<n`)}}`,
  srw: (w) =>
    `{const n=g[${loOf(rb(w))}]&63;${putRa(w, '0', `n>=32?0:(g[${loOf(rt(w))}]>>>n)|0`)}}`,

  lbz: loadD('b', false, si),
  lbzu: loadD('b', true, si),
  lhz: loadD('h', false, si),
  lhzu: loadD('h', true, si),
  lha: loadD('ha', false, si),
  lwz: loadD('w', false, si),
  lwzu: loadD('w', true, si),
  ld: loadD('d', false, ds),
  ldu: loadD('d', true, ds),
  lwa: loadD('wa', false, ds),
  lbzx: loadX('b', false),
  lhzx: loadX('h', false),
  lhax: loadX('ha', false),
  lwzx: loadX('w', false),
  lwax: loadX('wa', false),
  ldx: loadX('d', false),
  stb: storeD('b', false, si),
  stbu: storeD('b', true, si),
  sth: storeD('h', false, si),
  stw: storeD('w', false, si),
  stwu: storeD('w', true, si),
  std: storeD('d', false, ds),
  stdu: storeD('d', true, ds),
  stbx: storeX('b', false),
  sthx: storeX('h', false),
  stwx: storeX('w', false),
  stdx: storeX('d', false),
  stdux: storeX('d', true),

  mfspr: (w) => {
    const d = rt(w);
    const n = sprNum(w);
    if (n === 8) return `g[${hiOf(d)}]=spr[2];g[${loOf(d)}]=spr[3];`;
    if (n === 9) return `g[${hiOf(d)}]=spr[4];g[${loOf(d)}]=spr[5];`;
    return null;
  },
  mtspr: (w) => {
    const r = rt(w);
    const n = sprNum(w);
    if (n === 8) return `spr[2]=g[${hiOf(r)}];spr[3]=g[${loOf(r)}];`;
    if (n === 9) return `spr[4]=g[${hiOf(r)}];spr[5]=g[${loOf(r)}];`;
    return null;
  },
  mfcr: (w) => (w & 0x00100000 ? null : `g[${hiOf(rt(w))}]=0;g[${loOf(rt(w))}]=spr[${CR}];`),

  b: (w, site) => {
    const [th, tl] = relTarget(site, w, li(w));
    return `${w & 1 ? link(site) : ''}${site.exitTo(th, tl)}`;
  },
  bc: (w, site) => {
    const [th, tl] = relTarget(site, w, bd(w));
    const t = boTest(w, false);
    return `{${t.code}${w & 1 ? link(site) : ''}if(ok){${site.exitTo(th, tl)}}}`;
  },
  bclr: (w, site) => {
    const t = boTest(w, false);
    return `{const th=spr[2];const tl=spr[3]&-4;${t.code}${w & 1 ? link(site) : ''}if(ok){${site.exitDynamic()}}}`;
  },
  bcctr: (w, site) => {
    const t = boTest(w, true);
    return `{${t.code}${w & 1 ? link(site) : ''}if(ok){const th=spr[4];const tl=spr[5]&-4;${site.exitDynamic()}}}`;
  },
};
for (const name of NOP_ROWS) emitters[name] = () => '';
Object.assign(emitters, vectorEmitters);
