import type { CheckResult, Json, ResultRow, CheckVerdict } from './types.ts';
import type { Pair } from '../metrics/paired.ts';
import { pairByKey } from '../metrics/paired.ts';

/** Helpers shared by the checks: selecting rows, pairing them, and formatting numbers. */

export function rowsOf(rows: readonly ResultRow[], label: string): ResultRow[] {
  return rows.filter((row) => row.intervention === label);
}

/** The key that pairs rows across interventions and runs: the same problem and sample. */
export function pairKey(row: { problemId: string; sample: number }): string {
  return `${row.problemId}#${row.sample}`;
}

export interface Paired {
  pairs: Pair[];
  keys: string[];
  unpaired: number;
}

/** [A correct, B correct] per problem x sample present on both sides. */
export function pairRows(a: readonly ResultRow[], b: readonly ResultRow[]): Paired {
  const paired = pairByKey(
    a.map((row) => ({ key: pairKey(row), correct: row.correct })),
    b.map((row) => ({ key: pairKey(row), correct: row.correct })),
  );
  return { pairs: paired.pairs, keys: paired.keys, unpaired: paired.onlyInA.length + paired.onlyInB.length };
}

export { mean } from '../metrics/mean.ts';

/** Fixed decimals for summaries; NaN shows as "n/a". */
export function fmt(value: number, digits = 3): string {
  return Number.isFinite(value) ? value.toFixed(digits) : 'n/a';
}

export function pct(value: number): string {
  return Number.isFinite(value) ? `${(value * 100).toFixed(1)}%` : 'n/a';
}

/** JSON has no NaN or Infinity: evidence stores them as null. */
export function num(value: number): number | null {
  return Number.isFinite(value) ? value : null;
}

export function result(name: string, verdict: CheckVerdict, summary: string, evidence: { [key: string]: Json }, counterexample?: Json): CheckResult {
  return counterexample === undefined ? { name, verdict, summary, evidence } : { name, verdict, summary, evidence, counterexample };
}

/** A check cannot be evaluated because its intervention produced no rows. */
export function noRows(name: string, label: string): CheckResult {
  return result(name, 'error', `no results for intervention '${label}'`, { intervention: label });
}
