import type { CheckSpec, CheckSpecInput } from './schema/checks.ts';
import type { SuiteData, SuiteDataInput } from './schema/suite.ts';
import { suiteSchemaWith } from './schema/suite.ts';
import { interventionLabel, interventionParams } from './labels.ts';
import { interventionFromSpec, interventionItemSchema, setAsideInterventions } from '../interventions/index.ts';
import { customTemplate, pickTemplate } from '../templates/index.ts';
import { InputError } from '../core/errors.ts';
import { ValidationError, validator, type LineLocator, type ValidationProblem } from '../core/validate.ts';
import { isCustomCheck, type CustomCheck, type LabeledIntervention } from '../checks/types.ts';

/** A suite as a `.suite.ts` file writes it: JSON-able data plus, optionally, TypeScript checks. */
export type SuiteInput = Omit<SuiteDataInput, 'checks'> & { checks?: (CheckSpecInput | CustomCheck)[] };
/** A validated suite, defaults applied. */
export type Suite = Omit<SuiteData, 'checks'> & { checks: (CheckSpec | CustomCheck)[] };

/** Typed identity helper for `suites/*.suite.ts`: `export default defineSuite({ ... })`. */
export function defineSuite(suite: SuiteInput): SuiteInput {
  // Not generic on purpose: a concrete parameter type keeps TypeScript's excess-property checks,
  // so a misspelt field in a .suite.ts is a type error, not only a load-time one.
  return suite;
}

const validateData = validator<SuiteData>(suiteSchemaWith(interventionItemSchema()));

/** The suite's interventions with their labels, in order. */
export function labeledInterventions(suite: Pick<Suite, 'interventions'>): LabeledIntervention[] {
  return suite.interventions.map((intervention) => ({ label: interventionLabel(intervention), intervention }));
}

/** Rules one JSON Schema cannot say: unique labels, references between fields, sizes that must fit. */
function crossFieldProblems(suite: SuiteData): ValidationProblem[] {
  const problems: ValidationProblem[] = [];
  // The registry's own rules (e.g. DEER's parameters against Dynasor's): one definition of each.
  let registryOk = true;
  suite.interventions.forEach((intervention, i) => {
    try {
      interventionFromSpec(interventionParams(intervention), `/interventions/${i}`);
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      registryOk = false;
      problems.push({ pointer: error.where.replace(/\./g, '/'), expected: error.expected });
    }
  });
  // Templates: a name must be one the template registry knows; a custom one must build.
  if (suite.template !== undefined) {
    try {
      if (typeof suite.template === 'string') {
        pickTemplate({ name: '', digest: '', serverVersion: '', family: '', templateText: '', contextLength: 0 }, suite.template);
      } else {
        customTemplate(suite.template, '/template');
      }
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      problems.push(
        typeof suite.template === 'string'
          ? { pointer: '/template', expected: error.expected }
          : { pointer: error.where.replace(/\./g, '/'), expected: error.expected },
      );
    }
  }
  if (!registryOk) return problems;
  const labels = labeledInterventions(suite);
  const firstIndex = new Map<string, number>();
  labels.forEach(({ label }, i) => {
    const first = firstIndex.get(label);
    if (first === undefined) firstIndex.set(label, i);
    else problems.push({ pointer: `/interventions/${i}`, expected: `label '${label}' is already used by /interventions/${first}; give one of them a different label` });
  });
  const known = [...firstIndex.keys()];
  const knownText = known.join(', ');
  const needed = suite.maxThinkingTokens + suite.answerTokens;
  if (suite.numCtx <= needed) {
    problems.push({ pointer: '/numCtx', expected: `expected more than maxThinkingTokens + answerTokens (${needed}) to leave room for the prompt, got ${suite.numCtx}` });
  }
  suite.interventions.forEach((intervention, i) => {
    if ((intervention.type === 'budget' || intervention.type === 'softBudget') && intervention.tokens > suite.maxThinkingTokens) {
      problems.push({ pointer: `/interventions/${i}/tokens`, expected: `expected at most maxThinkingTokens (${suite.maxThinkingTokens}), got ${intervention.tokens}` });
    }
  });
  const seenIds = new Map<string, number>();
  suite.problems.forEach((source, i) => {
    if ('question' in source) {
      const id = String(source.id);
      const first = seenIds.get(id);
      if (first !== undefined) problems.push({ pointer: `/problems/${i}/id`, expected: `id '${id}' is already used by /problems/${first}` });
      else seenIds.set(id, i);
    }
  });
  const refer = (pointer: string, label: string): void => {
    if (!firstIndex.has(label)) problems.push({ pointer, expected: `expected one of the suite's intervention labels (${knownText}), got ${JSON.stringify(label)}` });
  };
  suite.checks.forEach((check, i) => {
    const at = `/checks/${i}`;
    switch (check.type) {
      case 'accuracyAtLeast':
      case 'confidenceRises':
      case 'reflectionShift':
        refer(`${at}/intervention`, check.intervention);
        break;
      case 'accuracyDropAtMost':
      case 'tokensSavedAtLeast':
        refer(`${at}/intervention`, check.intervention);
        refer(`${at}/baseline`, check.baseline);
        break;
      case 'monotoneInBudget':
      case 'budgetRespected':
        check.interventions?.forEach((label, j) => {
          refer(`${at}/interventions/${j}`, label);
          const index = firstIndex.get(label);
          if (index !== undefined && suite.interventions[index]?.type !== 'budget') {
            problems.push({ pointer: `${at}/interventions/${j}`, expected: `expected a budget intervention, got '${label}' (${suite.interventions[index]?.type})` });
          }
        });
        break;
      case 'noRegression':
        check.interventions?.forEach((label, j) => refer(`${at}/interventions/${j}`, label));
        break;
      case 'property':
        refer(`${at}/of`, check.of);
        if (check.vary.min > check.vary.max) problems.push({ pointer: `${at}/vary`, expected: `expected min <= max, got ${check.vary.min} > ${check.vary.max}` });
        break;
    }
  });
  return problems;
}

/**
 * Validates a suite value (from any format) and applies defaults. TypeScript checks (functions)
 * are set aside during schema validation and put back in place; error pointers keep their indices.
 */
export function validateSuite(value: unknown, file: string, locate?: LineLocator): Suite {
  // User interventions hold code: set aside (their params checked by their own schemas), put back after validation.
  const user = setAsideInterventions(value);
  if (user.problems.length > 0) throw new ValidationError(file, user.problems, locate);
  value = user.value;
  let custom: { index: number; check: CustomCheck }[] = [];
  let data = value;
  let checkIndex: number[] = [];
  if (typeof value === 'object' && value !== null && Array.isArray((value as { checks?: unknown }).checks)) {
    const checks = (value as { checks: unknown[] }).checks;
    custom = checks.flatMap((check, index) => (isCustomCheck(check) ? [{ index, check }] : []));
    checkIndex = checks.flatMap((check, index) => (isCustomCheck(check) ? [] : [index]));
    data = { ...(value as object), checks: checks.filter((check) => !isCustomCheck(check)) };
  }
  const remap = (pointer: string): string =>
    pointer.replace(/^\/checks\/(\d+)/, (whole, k: string) => {
      const original = checkIndex[Number(k)];
      return original === undefined ? whole : `/checks/${original}`;
    });
  let suite: SuiteData;
  try {
    suite = validateData(data, file);
  } catch (error) {
    if (error instanceof ValidationError) {
      throw new ValidationError(file, error.problems.map((p) => ({ ...p, pointer: remap(p.pointer) })), locate);
    }
    throw error;
  }
  user.restore(suite);
  const problems = crossFieldProblems(suite).map((p) => ({ ...p, pointer: remap(p.pointer) }));
  if (problems.length > 0) throw new ValidationError(file, problems, locate);
  // Ids and answers are text (a reference answer is kept as written); numbers become strings here,
  // whatever the format, so a YAML, JSON and TypeScript suite give the same value.
  suite.problems = suite.problems.map((source) => {
    if ('question' in source) return { ...source, id: String(source.id), answer: String(source.answer) };
    if ('dataset' in source && source.ids) return { ...source, ids: source.ids.map(String) };
    return source;
  });
  const checks: (CheckSpec | CustomCheck)[] = [...suite.checks];
  for (const { index, check } of custom) checks.splice(index, 0, check);
  return { ...suite, checks };
}
