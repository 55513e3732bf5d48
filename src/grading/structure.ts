/**
 * The shape of a normalized answer: a number or expression, or a collection of them (tuple,
 * interval, set, list of solutions, union of intervals, matrix), an equation, words, a
 * multiple-choice letter, a numeral in another base, or the empty set.
 */
import { outerGroup, splitTopLevel, splitTopLevelWith } from './latex.ts';
import { mul, parseExactNumber, type Rational } from './rational.ts';

export type AnswerNode =
  /** `variable`: the name in front when the answer was written `y = 2x+1` (it meets equations). */
  | { kind: 'scalar'; latex: string; variable?: string }
  | { kind: 'empty' }
  | { kind: 'text'; words: string }
  | { kind: 'choice'; letter: string }
  | { kind: 'base'; digits: string; base: number }
  /** Ordered: a tuple/point `(1,2)` or an interval `(1,2]`; the brackets must match exactly. */
  | { kind: 'sequence'; open: string; close: string; items: AnswerNode[] }
  /** Unordered: `\{1,2\}`, a bare list of solutions `1, -2`, `\pm` alternatives, a union. */
  | { kind: 'collection'; of: 'set' | 'list' | 'union'; items: AnswerNode[] }
  | { kind: 'matrix'; rows: AnswerNode[][] }
  | { kind: 'equation'; lhs: string; rhs: string }
  /** `a=2, b=3`: values by variable name, in the order written. */
  | { kind: 'assignment'; entries: { name: string; value: AnswerNode }[] }
  | { kind: 'invalid' };

/** A lone variable, possibly subscripted or applied: `x`, `y_1`, `\theta`, `f(x)`, `r`. */
const VARIABLE = /^(?:[a-zA-Z]|\\[a-zA-Z]+)(?:_\{?[a-zA-Z0-9]+\}?)?(?:\([a-z]\))?'?$|^\((?:[a-zA-Z],)+[a-zA-Z]\)$/;
/** Not `vmatrix`/`Vmatrix`: those are determinants and norms, numbers rather than matrices. */
const MATRIX = /^\\begin\{([pbB]?matrix|array)\}(?:\{[^{}]*\})?(.*)\\end\{\1\}$/s;
const CHOICE = /^\(?([A-E])\)?$/;
const BASE = /^(\d+)_\{?(\d+)\}?$/;
const MAX_DEPTH = 8;
const MAX_ITEMS = 200;

/** More `\pm` signs than this is not an answer (and would expand to 2^n alternatives). */
const MAX_PLUS_MINUS = 3;

function expandPlusMinus(latex: string): string[] {
  if ((latex.match(/\\(?:pm|mp)(?![a-zA-Z])/g) ?? []).length > MAX_PLUS_MINUS) return [];
  const at = latex.search(/\\(?:pm|mp)(?![a-zA-Z])/);
  if (at < 0) return [latex];
  const sign = latex.startsWith('\\pm', at) ? ['+', '-'] : ['-', '+'];
  const rest = latex.slice(at + 3);
  const head = latex.slice(0, at);
  // Two alternatives per sign; nested `\pm` expand in turn (at most a few in any real answer).
  return sign.flatMap((s) => expandPlusMinus(head + s + rest));
}

export function parseStructure(text: string, isText = false, depth = 0): AnswerNode {
  if (depth > MAX_DEPTH) return { kind: 'invalid' };
  if (isText) {
    const choice = /^\(?([A-Ea-e])\)?$/.exec(text.trim());
    if (choice) return { kind: 'choice', letter: choice[1]!.toUpperCase() };
    return { kind: 'text', words: text.trim().toLowerCase().replace(/[.\s]+$/, '') };
  }
  const s = text.replace(/^\\?[a-zA-Z]\\in(?![a-zA-Z])/, '');
  if (s === '') return { kind: 'invalid' };
  if (s === '\\emptyset' || s === '\\{\\}' || s === '\\O') return { kind: 'empty' };
  const choice = CHOICE.exec(s);
  if (choice) return { kind: 'choice', letter: choice[1]! };
  const base = BASE.exec(s);
  if (base) return { kind: 'base', digits: base[1]!.replace(/^0+(?=\d)/, ''), base: Number(base[2]) };
  if (/^[a-zA-Z]{3,}(?: [a-zA-Z]+)*$/.test(s) && !/^(?:sin|cos|tan|cot|sec|csc|log|ln|exp)/.test(s)) {
    return { kind: 'text', words: s.toLowerCase() };
  }

  const commaParts = splitTopLevel(s, [',', ';']);
  if (commaParts.length > 1) {
    if (commaParts.length > MAX_ITEMS) return { kind: 'invalid' };
    const assignment = parseAssignment(commaParts, depth);
    if (assignment) return assignment;
    return { kind: 'collection', of: 'list', items: flattenLists(commaParts.map((p) => parseStructure(p, false, depth + 1))) };
  }
  const unionParts = splitTopLevel(s, ['\\cup']);
  if (unionParts.length > 1) {
    return { kind: 'collection', of: 'union', items: unionParts.map((p) => parseStructure(p, false, depth + 1)) };
  }
  const interval = inequalityAsInterval(s);
  if (interval) return interval;
  const sides = splitTopLevel(s, ['=']).map((side) => side.trim());
  if (sides.length > 1) {
    const rhs = sides[sides.length - 1]!;
    if (sides.slice(0, -1).every((side) => VARIABLE.test(side))) {
      const value = parseStructure(rhs, false, depth + 1);
      return sides.length === 2 && value.kind === 'scalar' ? { ...value, variable: sides[0]! } : value;
    }
    if (sides.length === 2) return { kind: 'equation', lhs: sides[0]!, rhs };
    return { kind: 'invalid' };
  }
  const scaled = scaledMatrix(s, depth);
  if (scaled) return scaled;
  const matrix = MATRIX.exec(s);
  if (matrix) {
    const rows = matrix[2]!
      .split(/\\\\/)
      .map((row) => row.trim())
      .filter((row) => row !== '' && row !== '\\hline')
      .map((row) => row.split('&').map((cell) => parseStructure(cell.trim(), false, depth + 1)));
    if (rows.length === 0 || rows.length * (rows[0]?.length ?? 0) > MAX_ITEMS) return { kind: 'invalid' };
    return { kind: 'matrix', rows };
  }
  const group = outerGroup(s);
  if (group) {
    if (group.open === '\\{') {
      if (group.inner === '') return { kind: 'empty' };
      const items = splitTopLevel(group.inner, [',', ';']).map((p) => parseStructure(p, false, depth + 1));
      return { kind: 'collection', of: 'set', items: flattenLists(items) };
    }
    const items = splitTopLevel(group.inner, [',']);
    if (items.length === 1) {
      // Brackets around a single value are grouping, `(5)`, unless it is a half-open oddity.
      if (group.open === '(' && group.close === ')') return parseStructure(group.inner, false, depth + 1);
      if (group.open === '[' && group.close === ']') return parseStructure(group.inner, false, depth + 1);
      return { kind: 'invalid' };
    }
    if (items.length > MAX_ITEMS) return { kind: 'invalid' };
    return { kind: 'sequence', open: group.open, close: group.close, items: items.map((p) => parseStructure(p, false, depth + 1)) };
  }
  const alternatives = expandPlusMinus(s);
  if (alternatives.length === 0) return { kind: 'invalid' };
  if (alternatives.length > 1) {
    return { kind: 'collection', of: 'list', items: alternatives.map((latex) => ({ kind: 'scalar', latex })) };
  }
  return { kind: 'scalar', latex: s };
}

const LESS = new Set(['<', '\\leq']);
const MORE = new Set(['>', '\\geq']);
const LONE_VARIABLE = /^(?:[a-zA-Z]|\\[a-zA-Z]+)(?:_\{?[a-zA-Z0-9]+\}?)?$/;

function scalar(latex: string): AnswerNode {
  return { kind: 'scalar', latex };
}

/** `x<3`, `x\geq 2`, `2<x\leq 5`, `3>x` as the interval they describe (an answer, not a condition). */
function inequalityAsInterval(s: string): AnswerNode | undefined {
  const split = splitTopLevelWith(s, ['\\leq', '\\geq', '<', '>']);
  const parts = split.parts.map((part) => part.trim());
  const found = split.found;
  if (found.length === 1) {
    const [left, right] = [parts[0]!, parts[1]!];
    let op = found[0]!;
    let bound: string;
    if (LONE_VARIABLE.test(left) && !LONE_VARIABLE.test(right)) bound = right;
    else if (LONE_VARIABLE.test(right) && !LONE_VARIABLE.test(left)) {
      bound = left;
      op = LESS.has(op) ? (op === '<' ? '>' : '\\geq') : op === '>' ? '<' : '\\leq';
    } else return undefined;
    if (bound === '') return undefined;
    if (LESS.has(op)) return { kind: 'sequence', open: '(', close: op === '<' ? ')' : ']', items: [scalar('-\\infty'), scalar(bound)] };
    return { kind: 'sequence', open: op === '>' ? '(' : '[', close: ')', items: [scalar(bound), scalar('\\infty')] };
  }
  if (found.length === 2 && LONE_VARIABLE.test(parts[1]!) && parts[0] !== '' && parts[2] !== '') {
    const [a, b] = found as [string, string];
    if (LESS.has(a) && LESS.has(b)) {
      return { kind: 'sequence', open: a === '<' ? '(' : '[', close: b === '<' ? ')' : ']', items: [scalar(parts[0]!), scalar(parts[2]!)] };
    }
    if (MORE.has(a) && MORE.has(b)) {
      return { kind: 'sequence', open: b === '>' ? '(' : '[', close: a === '>' ? ')' : ']', items: [scalar(parts[2]!), scalar(parts[0]!)] };
    }
  }
  return undefined;
}

/** `1\pm\sqrt5, -2` is three solutions: a list inside a list is flattened. */
function flattenLists(items: AnswerNode[]): AnswerNode[] {
  return items.flatMap((item) => (item.kind === 'collection' && item.of === 'list' ? item.items : [item]));
}

/** `x=2, y=-1`: two or more distinct variables, each given one value. */
function parseAssignment(parts: string[], depth: number): AnswerNode | undefined {
  const entries: { name: string; value: AnswerNode }[] = [];
  for (const part of parts) {
    const sides = splitTopLevel(part, ['=']).map((side) => side.trim());
    if (sides.length !== 2 || !LONE_VARIABLE.test(sides[0]!) || sides[1] === '') return undefined;
    entries.push({ name: sides[0]!, value: parseStructure(sides[1]!, false, depth + 1) });
  }
  const names = new Set(entries.map((e) => e.name));
  return names.size === entries.length ? { kind: 'assignment', entries } : undefined;
}

function renderRational(r: Rational): string {
  return r.d === 1n ? String(r.n) : `${r.n < 0n ? '-' : ''}\\frac{${r.n < 0n ? -r.n : r.n}}{${r.d}}`;
}

/** `2\begin{pmatrix}1\\2\end{pmatrix}`: a scalar times a matrix is the matrix of products. */
function scaledMatrix(s: string, depth: number): AnswerNode | undefined {
  const at = s.indexOf('\\begin{');
  if (at <= 0) return undefined;
  const factor = s.slice(0, at).replace(/\\(?:cdot|times)$/, '').trim();
  const sign = factor === '-' ? '-1' : factor === '+' ? '1' : undefined;
  if (factor === '' || factor.includes('\\begin') || factor.includes('\\end')) return undefined;
  const matrix = parseStructure(s.slice(at), false, depth + 1);
  if (matrix.kind !== 'matrix') return undefined;
  const k = parseExactNumber(sign ?? factor);
  const times = (cell: AnswerNode): AnswerNode => {
    if (cell.kind !== 'scalar') return { kind: 'invalid' };
    const value = k && parseExactNumber(cell.latex);
    return { kind: 'scalar', latex: k && value ? renderRational(mul(k, value)) : `(${sign ?? factor})\\cdot(${cell.latex})` };
  };
  const rows = matrix.rows.map((row) => row.map(times));
  return rows.some((row) => row.some((cell) => cell.kind === 'invalid')) ? undefined : { kind: 'matrix', rows };
}
