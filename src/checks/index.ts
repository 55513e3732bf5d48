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
import { isCustomCheck, type CheckContext, type CheckResult, type CustomCheck } from './types.ts';

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

/** Runs one check; a check that throws gives an `error` verdict instead of ending the run. */
export async function runCheck(check: CheckSpec | CustomCheck, context: CheckContext): Promise<CheckResult> {
  const name = checkName(check);
  try {
    return await (isCustomCheck(check) ? check.run(context) : evaluate(check, context, name));
  } catch (error) {
    return result(name, 'error', `the check failed to run: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`, {});
  }
}

/** Runs checks in order (property checks may call the engine; running them one at a time keeps its load predictable). */
export async function runChecks(checks: readonly (CheckSpec | CustomCheck)[], context: CheckContext): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  for (const check of checks) results.push(await runCheck(check, context));
  return results;
}
