/**
 * Unions of real intervals as sets: `[1,2]\cup[2,3]` is `[1,3]`, `(0,1)\cup(1,2)` is not `(0,2)`.
 * Only intervals whose endpoints are exact numbers (or ±∞) are merged, so the comparison is exact;
 * anything else is left to the member-by-member comparison.
 */
import { add, neg, parseExactNumber, type Rational } from './rational.ts';
import type { AnswerNode } from './structure.ts';

/** An endpoint: an exact rational, or -∞ / +∞. */
type End = { kind: 'number'; value: Rational } | { kind: 'infinity'; sign: 1 | -1 };

interface Span {
  lo: End;
  hi: End;
  loClosed: boolean;
  hiClosed: boolean;
}

function endpoint(node: AnswerNode | undefined): End | undefined {
  if (node?.kind !== 'scalar') return undefined;
  if (/^\+?\\infty$/.test(node.latex)) return { kind: 'infinity', sign: 1 };
  if (node.latex === '-\\infty') return { kind: 'infinity', sign: -1 };
  const value = parseExactNumber(node.latex);
  return value ? { kind: 'number', value } : undefined;
}

/** -1, 0, 1 as a is below, at, above b. */
function compareEnds(a: End, b: End): number {
  if (a.kind === 'infinity' || b.kind === 'infinity') {
    const sa = a.kind === 'infinity' ? a.sign : 0;
    const sb = b.kind === 'infinity' ? b.sign : 0;
    return Math.sign(sa - sb);
  }
  const difference = add(a.value, neg(b.value));
  return difference.n === 0n ? 0 : difference.n > 0n ? 1 : -1;
}

/** One interval `(a,b]`; undefined for anything that is not a non-empty interval of exact endpoints. */
function span(node: AnswerNode): Span | undefined {
  if (node.kind !== 'sequence' || node.items.length !== 2) return undefined;
  if (!'(['.includes(node.open) || !')]'.includes(node.close)) return undefined;
  const [lo, hi] = [endpoint(node.items[0]), endpoint(node.items[1])];
  if (!lo || !hi) return undefined;
  const s: Span = { lo, hi, loClosed: node.open === '[', hiClosed: node.close === ']' };
  // A closed end at infinity, or an empty or reversed interval, is no interval.
  if ((s.loClosed && lo.kind === 'infinity') || (s.hiClosed && hi.kind === 'infinity')) return undefined;
  const order = compareEnds(lo, hi);
  if (order > 0 || (order === 0 && !(s.loClosed && s.hiClosed))) return undefined;
  return s;
}

/** Sorted, with overlapping or touching intervals merged (touching counts when the point is in either). */
function merge(spans: Span[]): Span[] {
  const sorted = [...spans].sort((a, b) => compareEnds(a.lo, b.lo) || Number(b.loClosed) - Number(a.loClosed));
  const out: Span[] = [];
  for (const s of sorted) {
    const last = out[out.length - 1];
    const gap = last ? compareEnds(s.lo, last.hi) : 1;
    if (!last || gap > 0 || (gap === 0 && !last.hiClosed && !s.loClosed)) {
      out.push({ ...s });
      continue;
    }
    const order = compareEnds(s.hi, last.hi);
    if (order > 0) {
      last.hi = s.hi;
      last.hiClosed = s.hiClosed;
    } else if (order === 0) {
      last.hiClosed ||= s.hiClosed;
    }
  }
  return out;
}

/** The canonical (merged, sorted) intervals of a union or one interval; undefined if not exact. */
function canonical(node: AnswerNode): Span[] | undefined {
  const members = node.kind === 'collection' && node.of === 'union' ? node.items : [node];
  const spans = members.map(span);
  return spans.every((s): s is Span => s !== undefined) ? merge(spans) : undefined;
}

const sameEnd = (a: End, b: End): boolean => compareEnds(a, b) === 0;

/**
 * Two sets of reals when at least one side is a union: equal exactly when their merged intervals
 * are; undefined when either side is not a union of exact intervals.
 */
export function compareUnions(gold: AnswerNode, pred: AnswerNode): boolean | undefined {
  const isUnion = (n: AnswerNode): boolean => n.kind === 'collection' && n.of === 'union';
  if (!isUnion(gold) && !isUnion(pred)) return undefined;
  const [g, p] = [canonical(gold), canonical(pred)];
  if (!g || !p) return undefined;
  return (
    g.length === p.length &&
    g.every((s, k) => {
      const t = p[k]!;
      return sameEnd(s.lo, t.lo) && sameEnd(s.hi, t.hi) && s.loClosed === t.loClosed && s.hiClosed === t.hiClosed;
    })
  );
}
