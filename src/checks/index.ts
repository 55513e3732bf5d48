import type { CheckSpec } from '../suite/schema/checks.ts';
import { accuracyAtLeast } from './accuracyAtLeast.ts';
import { accuracyDropAtMost } from './accuracyDropAtMost.ts';
import { budgetRespected } from './budgetRespected.ts';
import { confidenceRises } from './confidenceRises.ts';
import { monotoneInBudget } from './monotoneInBudget.ts';
import { noRegression } from './noRegression.ts';
import { declarativeProperty } from './property.ts';
import { reflectionShift } from './reflectionShift.ts';
import { tokensSavedAtLeast } from './tokensSavedAtLeast.ts';
import { result } from './rows.ts';
import { isCustomCheck, type CheckContext, type CheckResult, type CustomCheck, type ResultRow } from './types.ts';

export * from './types.ts';
export { property, declarativeProperty, type PropertyTools, type Predicate, type PropertyOptions } from './property.ts';
export { mcnemarRegressionP } from './noRegression.ts';

/** The name a check goes by in summaries and junit.xml: its `name`, else its type and key parameters. */
export function checkName(check: CheckSpec | CustomCheck): string {
  if (isCustomCheck(check)) return check.name;
  return check.name ?? defaultName(check);
}

function defaultName(check: CheckSpec): string {
  switch (check.type) {
    case 'accuracyAtLeast':
      return `accuracyAtLeast(${check.intervention} >= ${check.min})`;
    case 'accuracyDropAtMost':
      return `accuracyDropAtMost(${check.intervention} vs ${check.baseline} <= ${check.maxDrop})`;
    case 'tokensSavedAtLeast':
      return `tokensSavedAtLeast(${check.intervention} vs ${check.baseline} >= ${check.min})`;
    case 'monotoneInBudget':
      return 'monotoneInBudget';
    case 'confidenceRises':
      return `confidenceRises(${check.intervention})`;
    case 'reflectionShift':
      return `reflectionShift(${check.intervention}, ${check.word})`;
    case 'budgetRespected':
      return 'budgetRespected';
    case 'noRegression':
      return `noRegression(${check.test})`;
    case 'property':
      return `property(${check.intervention.type}.${check.vary.param} in [${check.vary.min}, ${check.vary.max}]: accuracy >= ${check.minRatio} x ${check.of})`;
  }
}

function evaluate(check: CheckSpec, context: CheckContext, name: string): CheckResult | Promise<CheckResult> {
  switch (check.type) {
    case 'accuracyAtLeast':
      return accuracyAtLeast(check, context, name);
    case 'accuracyDropAtMost':
      return accuracyDropAtMost(check, context, name);
    case 'tokensSavedAtLeast':
      return tokensSavedAtLeast(check, context, name);
    case 'monotoneInBudget':
      return monotoneInBudget(check, context, name);
    case 'confidenceRises':
      return confidenceRises(check, context, name);
    case 'reflectionShift':
      return reflectionShift(check, context, name);
    case 'budgetRespected':
      return budgetRespected(check, context, name);
    case 'noRegression':
      return noRegression(check, context, name);
    case 'property':
      return declarativeProperty(check, name).run(context);
  }
}

/**
 * Runs one check; a check that throws gives an `error` verdict instead of ending the run. Checks see
 * produced rows only: errored rows (a request failed) say nothing about the model, so they are left
 * out, and the verdict says how many.
 */
export async function runCheck(check: CheckSpec | CustomCheck, context: CheckContext): Promise<CheckResult> {
  const name = checkName(check);
  const scope = isCustomCheck(check) ? undefined : checkScope(check);
  const inScope = (row: ResultRow): boolean => scope === undefined || scope.includes(row.intervention);
  const leftOut = context.rows.filter((row) => row.error !== undefined && inScope(row)).length;
  const produced: CheckContext = { ...context, rows: context.rows.filter((row) => row.error === undefined) };
  if (context.evaluate) {
    const evaluateAll = context.evaluate;
    produced.evaluate = async (intervention) => (await evaluateAll(intervention)).filter((row) => row.error === undefined);
  }
  let verdict: CheckResult;
  try {
    verdict = await (isCustomCheck(check) ? check.run(produced) : evaluate(check, produced, name));
  } catch (error) {
    verdict = result(name, 'error', `the check failed to run: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`, {});
  }
  if (verdict.verdict === 'skipped') {
    const cause = boundedProbesCause(produced.rows.filter(inScope));
    if (cause) verdict = { ...verdict, summary: `${verdict.summary}: ${cause}`, evidence: { ...verdict.evidence, cause } };
  }
  if (leftOut > 0) {
    verdict = {
      ...verdict,
      summary: `${verdict.summary} (${leftOut} errored result${leftOut === 1 ? '' : 's'} left out)`,
      evidence: { ...verdict.evidence, erroredLeftOut: leftOut },
    };
  }
  return verdict;
}

/** The interventions a check reads, when it names them (undefined: all of them). */
function checkScope(check: CheckSpec): string[] | undefined {
  const named: string[] = [];
  for (const key of ['intervention', 'baseline', 'of'] as const) {
    const value = (check as Record<string, unknown>)[key];
    if (typeof value === 'string') named.push(value);
  }
  const list = (check as { interventions?: unknown }).interventions;
  if (Array.isArray(list)) return list.filter((v): v is string => typeof v === 'string');
  return named.length > 0 ? named : undefined;
}

/**
 * Why probe-based checks had nothing to read, when the reason is that every L-hat probe was only a
 * top-k bound: with how many alternatives the server actually returned, when that is fewer than asked.
 */
export function boundedProbesCause(rows: readonly ResultRow[]): string | undefined {
  let probes = 0;
  let bounded = 0;
  let alternatives = 0;
  let asked = 0;
  for (const row of rows) {
    if (!row.probeBounds) continue;
    probes += row.probeBounds.probes;
    bounded += row.probeBounds.bounded;
    alternatives = Math.max(alternatives, row.probeBounds.alternatives);
    asked = Math.max(asked, row.probeBounds.asked);
  }
  if (probes === 0 || bounded < probes) return undefined;
  const why = alternatives < asked ? `the server returned ${alternatives} alternatives, ${asked} were asked` : `the reference's tokens were not among the ${asked} alternatives the server returned`;
  return `all ${probes} probes are top-k bounds: ${why}`;
}

/** Runs checks in order (property checks may call the engine; running them one at a time keeps its load predictable). */
export async function runChecks(checks: readonly (CheckSpec | CustomCheck)[], context: CheckContext): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  for (const check of checks) results.push(await runCheck(check, context));
  return results;
}
