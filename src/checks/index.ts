import { BackendUnreachableError, InputError } from '../core/errors.ts';
import { checkDefinition, isUserCheck, type AnyCheckDefinition, type CheckSpec } from './registry.ts';
import { result } from './rows.ts';
import { isCustomCheck, type CheckContext, type CheckResult, type CustomCheck, type ResultRow } from './types.ts';

export * from './types.ts';
export { property, declarativeProperty, type PropertyTools, type Predicate, type PropertyOptions } from './property.ts';
export { mcnemarRegressionP } from './noRegression.ts';
export { registerCheck, checkDefinitions, checksSchema, type CheckSpec, type CheckSpecInput, type CheckType, type CheckSpecOf, type AnyCheckDefinition } from './registry.ts';
export { defineCheck, named, namedList, type CheckDefinition, type InterventionRef } from './check.ts';
export { checkSchema, Label, LabelOr, Labels, Alpha, Bound } from '../suite/schema/checks.ts';

/** A check value's definition; a validated suite names registered checks only, so a miss is a bug. */
function definitionOf(check: CheckSpec): AnyCheckDefinition {
  const definition = checkDefinition(check.type);
  if (!definition) throw new Error(`no check of type '${check.type}' is registered`);
  return definition;
}

/** The name a check goes by in summaries and junit.xml: its `name`, else its type and key parameters. */
export function checkName(check: CheckSpec | CustomCheck): string {
  if (isCustomCheck(check)) return check.name;
  return check.name ?? definitionOf(check).label(check);
}

/** The interventions a check reads, by label (undefined: all of them, or unknown for a custom check). */
export function checkScope(check: CheckSpec | CustomCheck): string[] | undefined {
  if (isCustomCheck(check)) return undefined;
  return definitionOf(check).reads(check)?.map((ref) => ref.label);
}

/**
 * An exception out of a registered check that is not an expected condition (bad input, an
 * unreachable backend) is a bug in thinkprobe: the check gets an `error` verdict naming the crash,
 * with the stack in its evidence, and the run ends as an internal error once its files are
 * written (`throwIfCheckCrashed`). A suite's own check that throws is the suite's problem: an
 * `error` verdict naming it, and the run goes on; so is a check from a suite's `use:` file.
 */
function crashed(check: CheckSpec | CustomCheck, name: string, error: unknown): CheckResult {
  const message = error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error);
  if (isCustomCheck(check) || isUserCheck(check.type) || error instanceof InputError || error instanceof BackendUnreachableError) {
    return result(name, 'error', `the check failed to run: ${message}`, {});
  }
  const stack = error instanceof Error ? (error.stack ?? message) : message;
  return result(name, 'error', `internal error (a bug in thinkprobe's '${check.type}' check): ${message}`, { internalError: stack });
}

/** Ends the run as an internal error (exit 70, with the stack) when a registered check crashed; call it after the run's files are written. */
export function throwIfCheckCrashed(results: readonly CheckResult[]): void {
  const crash = results.find((r) => typeof r.evidence['internalError'] === 'string');
  if (!crash) return;
  const error = new Error(`check '${crash.name}' crashed (the run's files are written; its verdict is 'error')`);
  error.stack = `${error.name}: ${error.message}\n${String(crash.evidence['internalError'])}`;
  throw error;
}

/**
 * Runs one check. Checks see produced rows only: errored rows (a request failed) say nothing about
 * the model, so they are left out, and the verdict says how many. A check that throws gives an
 * `error` verdict (see `crashed` for when that is also an internal error).
 */
export async function runCheck(check: CheckSpec | CustomCheck, context: CheckContext): Promise<CheckResult> {
  const name = checkName(check);
  const scope = checkScope(check);
  const inScope = (row: ResultRow): boolean => scope === undefined || scope.includes(row.intervention);
  const leftOut = context.rows.filter((row) => row.error !== undefined && inScope(row)).length;
  const produced: CheckContext = { ...context, rows: context.rows.filter((row) => row.error === undefined) };
  if (context.evaluate) {
    const evaluateAll = context.evaluate;
    produced.evaluate = async (intervention) => (await evaluateAll(intervention)).filter((row) => row.error === undefined);
  }
  let verdict: CheckResult;
  try {
    verdict = await (isCustomCheck(check) ? check.run(produced) : definitionOf(check).run(check, produced, name));
  } catch (error) {
    verdict = crashed(check, name, error);
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
