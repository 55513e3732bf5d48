/**
 * Equivalence of two final answers: normalization, then the answers' structure, then a scalar
 * comparator. The synchronous comparator here decides everything that exact rational (and exact
 * complex rational) arithmetic can; it says `undefined` ("needs the symbolic engine") otherwise.
 * The symbolic comparator (./symbolic.ts) runs the same structural comparison with the
 * compute engine behind it, off the main thread (./grader.ts).
 *
 * Decisions (every rule, with examples, in ./README.md):
 * - Numbers are equal exactly or not at all: `0.5` = `\frac12`, `0.67` != `\frac23`, and a decimal
 *   never equals an irrational closed form (`1.41421356237` != `\sqrt2`). No tolerance anywhere.
 * - Units: one side only is dropped; two different units (or powers of one) never match.
 * - Percent and degree signs are units: `50\%` equals `50` (not `0.5`); `30^\circ` equals `30`;
 *   degrees never equal radians (`90^\circ` != `\frac{\pi}{2}`).
 * - Bare comma lists and `\{...\}` sets are unordered; `(...)` / `[...]` tuples and intervals are
 *   ordered and their brackets must match; unions of intervals are unordered; assignments
 *   (`a=2, b=3`) compare by variable.
 */
import { compareUnions } from './intervals.ts';
import { normalizeAnswer, type NormalizedAnswer } from './normalize.ts';
import { eqRational, parseExactComplex, parseExactNumber, type ComplexRational } from './rational.ts';
import { parseStructure, type AnswerNode } from './structure.ts';

/** true / false, or undefined when this comparator cannot decide. */
export type EquivalenceVerdict = boolean | undefined;

export interface Comparator {
  scalar(gold: string, pred: string): EquivalenceVerdict;
  equation(gold: { lhs: string; rhs: string }, pred: { lhs: string; rhs: string }): EquivalenceVerdict;
}

function and(verdicts: Iterable<EquivalenceVerdict>): EquivalenceVerdict {
  let result: EquivalenceVerdict = true;
  for (const v of verdicts) {
    if (v === false) return false;
    if (v === undefined) result = undefined;
  }
  return result;
}

const INFINITY = /^\+?\\infty$|^\+?inf(?:inity)?$/i;
const NEG_INFINITY = /^-\\infty$|^-inf(?:inity)?$/i;

function infinitySign(latex: string): 1 | -1 | 0 {
  if (INFINITY.test(latex)) return 1;
  if (NEG_INFINITY.test(latex)) return -1;
  return 0;
}

function exactComplex(latex: string): ComplexRational | undefined {
  const real = parseExactNumber(latex);
  if (real) return { re: real, im: { n: 0n, d: 1n } };
  return parseExactComplex(latex);
}

/** The exact scalar comparison both comparators start with. */
export function exactScalar(gold: string, pred: string): EquivalenceVerdict {
  if (gold === pred) return true;
  const gi = infinitySign(gold);
  const pi = infinitySign(pred);
  if (gi !== 0 || pi !== 0) {
    if (gi === pi) return true;
    // Infinity against a written-out number is a clear no; against an expression, let the engine see.
    return gi !== 0 && pi !== 0 ? false : exactComplex(gi !== 0 ? pred : gold) ? false : undefined;
  }
  const g = exactComplex(gold);
  const p = exactComplex(pred);
  if (g && p) return eqRational(g.re, p.re) && eqRational(g.im, p.im);
  return undefined;
}

export const exactComparator: Comparator = {
  scalar: exactScalar,
  equation(gold, pred) {
    if (gold.lhs === pred.lhs && gold.rhs === pred.rhs) return true;
    if (gold.lhs === pred.rhs && gold.rhs === pred.lhs) return true;
    return undefined;
  },
};

/** Unordered comparison: a perfect matching on `true` edges, else decided by `true|undefined` edges. */
function matchUnordered(gold: AnswerNode[], pred: AnswerNode[], cmp: Comparator): EquivalenceVerdict {
  if (gold.length !== pred.length) return false;
  const verdicts = gold.map((g) => pred.map((p) => compareNodes(g, p, cmp)));
  const perfect = (accept: (v: EquivalenceVerdict) => boolean): boolean => {
    const owner: number[] = new Array<number>(pred.length).fill(-1);
    const tryAssign = (i: number, seen: boolean[]): boolean => {
      for (let j = 0; j < pred.length; j++) {
        if (seen[j] || !accept(verdicts[i]![j])) continue;
        seen[j] = true;
        if (owner[j] === -1 || tryAssign(owner[j]!, seen)) {
          owner[j] = i;
          return true;
        }
      }
      return false;
    };
    return gold.every((_, i) => tryAssign(i, new Array<boolean>(pred.length).fill(false)));
  };
  if (perfect((v) => v === true)) return true;
  if (!perfect((v) => v !== false)) return false;
  return undefined;
}

function asVector(node: AnswerNode): AnswerNode[] | undefined {
  if (node.kind === 'sequence' && node.open === '(' && node.close === ')') return node.items;
  if (node.kind === 'matrix') {
    if (node.rows.every((row) => row.length === 1)) return node.rows.map((row) => row[0]!);
    if (node.rows.length === 1) return node.rows[0];
  }
  return undefined;
}

export function compareNodes(gold: AnswerNode, pred: AnswerNode, cmp: Comparator): EquivalenceVerdict {
  if (gold.kind === 'invalid' || pred.kind === 'invalid') return false;
  const union = compareUnions(gold, pred);
  if (union !== undefined) return union;
  switch (gold.kind) {
    case 'scalar':
      if (pred.kind === 'scalar') {
        // `x = 2` against `y = 2`: a value given to another variable is another answer.
        if (gold.variable !== undefined && pred.variable !== undefined && gold.variable !== pred.variable) return false;
        return cmp.scalar(gold.latex, pred.latex);
      }
      if (pred.kind === 'base') return gold.latex.replace(/^0+(?=\d)/, '') === pred.digits;
      if (pred.kind === 'text') return gold.latex.toLowerCase() === pred.words;
      if (pred.kind === 'choice') return gold.latex === pred.letter;
      // `y = 2x+1` against `2x - y + 1 = 0`: the same equation, rearranged.
      if (pred.kind === 'equation' && gold.variable !== undefined) return cmp.equation({ lhs: gold.variable, rhs: gold.latex }, pred);
      return false;
    case 'empty':
      return pred.kind === 'empty' || (pred.kind === 'collection' && pred.of !== 'union' && pred.items.length === 0);
    case 'text':
      if (pred.kind === 'text') return gold.words.replace(/\s+/g, '') === pred.words.replace(/\s+/g, '');
      if (pred.kind === 'scalar') return pred.latex.toLowerCase() === gold.words;
      if (pred.kind === 'choice') return gold.words === pred.letter.toLowerCase();
      return false;
    case 'choice':
      if (pred.kind === 'choice') return gold.letter === pred.letter;
      if (pred.kind === 'text') return pred.words === gold.letter.toLowerCase();
      if (pred.kind === 'scalar') return pred.latex === gold.letter;
      return false;
    case 'base':
      if (pred.kind === 'base') return gold.digits === pred.digits && gold.base === pred.base;
      if (pred.kind === 'scalar') return pred.latex.replace(/^0+(?=\d)/, '') === gold.digits;
      return false;
    case 'sequence': {
      if (pred.kind === 'assignment') return compareAssignment(pred, gold, swapped(cmp));
      if (pred.kind === 'matrix') {
        const vector = asVector(pred);
        return vector && gold.open === '(' && gold.close === ')' && vector.length === gold.items.length
          ? and(gold.items.map((g, k) => compareNodes(g, vector[k]!, cmp)))
          : false;
      }
      if (pred.kind !== 'sequence' || pred.open !== gold.open || pred.close !== gold.close) return false;
      if (pred.items.length !== gold.items.length) return false;
      return and(gold.items.map((g, k) => compareNodes(g, pred.items[k]!, cmp)));
    }
    case 'matrix': {
      if (pred.kind === 'sequence') return compareNodes(pred, gold, swapped(cmp));
      if (pred.kind !== 'matrix' || pred.rows.length !== gold.rows.length) return false;
      if (gold.rows.some((row, r) => row.length !== pred.rows[r]!.length)) return false;
      return and(gold.rows.flatMap((row, r) => row.map((cell, c) => compareNodes(cell, pred.rows[r]![c]!, cmp))));
    }
    case 'collection': {
      if (pred.kind === 'empty') return gold.of !== 'union' && gold.items.length === 0;
      if (pred.kind !== 'collection') return false;
      // A union of intervals may also be written as a list of them (`(-\infty,2) \text{ or } (3,\infty)`).
      const intervals = (n: typeof gold): boolean => n.items.every((item) => item.kind === 'sequence');
      if ((gold.of === 'union') !== (pred.of === 'union') && !(intervals(gold) && pred.kind === 'collection' && intervals(pred))) return false;
      return matchUnordered(gold.items, pred.items, cmp);
    }
    case 'equation':
      if (pred.kind === 'scalar' && pred.variable !== undefined) return cmp.equation(gold, { lhs: pred.variable, rhs: pred.latex });
      return pred.kind === 'equation' ? cmp.equation(gold, pred) : false;
    case 'assignment':
      return compareAssignment(gold, pred, cmp);
  }
}

type Assignment = Extract<AnswerNode, { kind: 'assignment' }>;

/**
 * `a=2, b=3` compares variable by variable, in any order; against a tuple `(2,3)` its values are
 * read in the variables' alphabetical order (`x` before `y`).
 */
function compareAssignment(gold: Assignment, pred: AnswerNode, cmp: Comparator): EquivalenceVerdict {
  if (pred.kind === 'assignment') {
    if (pred.entries.length !== gold.entries.length) return false;
    const byName = new Map(pred.entries.map((e) => [e.name, e.value]));
    if (gold.entries.some((e) => !byName.has(e.name))) return false;
    return and(gold.entries.map((e) => compareNodes(e.value, byName.get(e.name)!, cmp)));
  }
  const tuple = asVector(pred);
  if (!tuple || tuple.length !== gold.entries.length) return false;
  const ordered = [...gold.entries].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return and(ordered.map((e, k) => compareNodes(e.value, tuple[k]!, cmp)));
}

function swapped(cmp: Comparator): Comparator {
  return { scalar: (a, b) => cmp.scalar(b, a), equation: (a, b) => cmp.equation(b, a) };
}

export interface ParsedAnswer {
  normalized: NormalizedAnswer;
  node: AnswerNode;
}

export function parseAnswer(answer: string): ParsedAnswer | undefined {
  if (typeof answer !== 'string') return undefined;
  const normalized = normalizeAnswer(answer);
  if (normalized.text === '') return undefined;
  const node = parseStructure(normalized.text, normalized.isText);
  return node.kind === 'invalid' ? undefined : { normalized, node };
}

/**
 * Parsed answers by text. Dynasor's consistency test compares the same few probe answers again and
 * again as its window slides, and parsing was most of each comparison. A parsed answer is only
 * read (comparisons copy before they sort or merge), so one serves every comparison. Bounded in
 * entries and in the length of what it keeps.
 */
const parsedAnswers = new Map<string, ParsedAnswer | undefined>();
const MAX_PARSED = 1024;
const MAX_PARSED_LENGTH = 256;

function parseAnswerOnce(answer: string): ParsedAnswer | undefined {
  if (typeof answer !== 'string' || answer.length > MAX_PARSED_LENGTH) return parseAnswer(answer);
  const known = parsedAnswers.get(answer);
  if (known !== undefined || parsedAnswers.has(answer)) return known;
  const parsed = parseAnswer(answer);
  if (parsedAnswers.size >= MAX_PARSED) parsedAnswers.clear();
  parsedAnswers.set(answer, parsed);
  return parsed;
}

/** A multiple-choice letter on either side (`E` vs `\textbf{(E) } 12`): letters decide. */
function choiceVerdict(g: ParsedAnswer, p: ParsedAnswer): EquivalenceVerdict {
  const letter = (x: ParsedAnswer): string | undefined => (x.node.kind === 'choice' ? x.node.letter : x.normalized.choice);
  const gl = letter(g);
  const pl = letter(p);
  if (gl !== undefined && pl !== undefined) {
    if (gl !== pl) return false;
    // Same letter: when both sides also give a value, the values must agree too.
    return g.node.kind === 'choice' || p.node.kind === 'choice' ? true : undefined;
  }
  return undefined;
}

/**
 * Degree sign on one side only: dropped like any unit (`30^\circ` = `30`), unless π is written on
 * either side. Then one side is in radians and the other in degrees, two different angle units, and
 * they never match (`90^\circ` != `\frac{\pi}{2}`, `\frac{\pi}{2}^\circ` != `\frac{\pi}{2}`).
 */
function degreesVerdict(g: ParsedAnswer, p: ParsedAnswer, cmp: Comparator): EquivalenceVerdict {
  if (g.normalized.degrees !== p.normalized.degrees) {
    if (g.normalized.text.includes('\\pi') || p.normalized.text.includes('\\pi')) return false;
  }
  // A percent sign is a unit too: on one side only it is dropped (`50\%` = `50`, `50\%` != `0.5`).
  return compareNodes(g.node, p.node, cmp);
}

/** The answer's whole unit: the written unit with a percent or degree sign (`%`, `°`) beside it. */
function unitOf(n: NormalizedAnswer): string {
  return [n.unit, n.percent ? '%' : '', n.degrees ? '°' : ''].filter((u) => u !== '').join(' ');
}

/** Full comparison with a given scalar comparator; units, choice letters, percent and degree signs handled here. */
export function compareAnswers(gold: string, pred: string, cmp: Comparator): EquivalenceVerdict {
  const g = parseAnswerOnce(gold);
  const p = parseAnswerOnce(pred);
  if (!g || !p) return false;
  // A unit on one side only is dropped; two different units (or powers of one) never match.
  // Percent and degree signs are units too (`5\%` != `5 \text{ cm}`).
  const [gu, pu] = [unitOf(g.normalized), unitOf(p.normalized)];
  if (gu !== '' && pu !== '' && gu !== pu) return false;
  const choice = choiceVerdict(g, p);
  if (choice !== undefined) return choice;
  return degreesVerdict(g, p, cmp);
}

/**
 * The synchronous fast path: true/false when exact arithmetic decides, `undefined` when the
 * answer needs the symbolic engine. Never throws.
 */
export function equivalentSync(gold: string, pred: string): boolean | undefined {
  try {
    return compareAnswers(gold, pred, exactComparator);
  } catch {
    return false;
  }
}
