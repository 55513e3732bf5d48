import type { SuiteData, SuiteDataInput } from './schema/suite.ts';
import { suiteSchema } from './suite-schema.ts';
import { checkDefinition, registryRevision, type CheckSpec, type CheckSpecInput } from '../checks/registry.ts';
import { interventionLabel, interventionParams } from './labels.ts';
import { interventionFromSpec, setAsideInterventions } from '../interventions/index.ts';
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

/** The validated value: the spec's fields, with each check as its registered schema let it through. */
type ValidatedData = Omit<SuiteData, 'checks'> & { checks: CheckSpec[] };

let compiled: { revision: number; validate: ReturnType<typeof validator<ValidatedData>> } | undefined;

/** Compiled once per state of the check registry (registering a check changes the schema). */
function validateData(value: unknown, file: string): ValidatedData {
  const revision = registryRevision();
  if (compiled?.revision !== revision) compiled = { revision, validate: validator<ValidatedData>(suiteSchema()) };
  return compiled.validate(value, file);
}

/** The suite's interventions with their labels, in order. */
export function labeledInterventions(suite: Pick<Suite, 'interventions'>): LabeledIntervention[] {
  return suite.interventions.map((intervention) => ({ label: interventionLabel(intervention), intervention }));
}

/** An InputError's `where` (`/interventions/0.tokens`) as a JSON pointer. */
function pointerOf(error: InputError): string {
  return error.where.replace(/\./g, '/');
}

/** The intervention registry's own rules (e.g. DEER's parameters against Dynasor's): one definition of each. */
function interventionProblems(suite: ValidatedData): ValidationProblem[] {
  return suite.interventions.flatMap((intervention, i) => {
    try {
      interventionFromSpec(interventionParams(intervention), `/interventions/${i}`);
      return [];
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      return [{ pointer: pointerOf(error), expected: error.expected }];
    }
  });
}

/** Templates: a name must be one the template registry knows; a custom one must build. */
function templateProblems(suite: ValidatedData): ValidationProblem[] {
  const template = suite.template;
  if (template === undefined) return [];
  try {
    if (typeof template === 'string') pickTemplate({ name: '', digest: '', serverVersion: '', family: '', templateText: '', contextLength: 0 }, template);
    else customTemplate(template, '/template');
    return [];
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    return [{ pointer: typeof template === 'string' ? '/template' : pointerOf(error), expected: error.expected }];
  }
}

/** Each label's first index; a label used twice is a problem at the second use. */
function labelIndex(suite: ValidatedData, problems: ValidationProblem[]): Map<string, number> {
  const firstIndex = new Map<string, number>();
  labeledInterventions(suite).forEach(({ label }, i) => {
    const first = firstIndex.get(label);
    if (first === undefined) firstIndex.set(label, i);
    else problems.push({ pointer: `/interventions/${i}`, expected: `label '${label}' is already used by /interventions/${first}; give one of them a different label` });
  });
  return firstIndex;
}

/** The context must hold prompt + thinking + answer, and no budget may exceed the thinking cap. */
function sizeProblems(suite: ValidatedData): ValidationProblem[] {
  const problems: ValidationProblem[] = [];
  const needed = suite.maxThinkingTokens + suite.answerTokens;
  if (suite.numCtx <= needed) {
    problems.push({ pointer: '/numCtx', expected: `expected more than maxThinkingTokens + answerTokens (${needed}) to leave room for the prompt, got ${suite.numCtx}` });
  }
  suite.interventions.forEach((intervention, i) => {
    if ((intervention.type === 'budget' || intervention.type === 'softBudget') && intervention.tokens > suite.maxThinkingTokens) {
      problems.push({ pointer: `/interventions/${i}/tokens`, expected: `expected at most maxThinkingTokens (${suite.maxThinkingTokens}), got ${intervention.tokens}` });
    }
  });
  return problems;
}

/** Inline problems need distinct ids (results and golden files are keyed by them). */
function problemIdProblems(suite: ValidatedData): ValidationProblem[] {
  const problems: ValidationProblem[] = [];
  const seenIds = new Map<string, number>();
  suite.problems.forEach((source, i) => {
    if (!('question' in source)) return;
    const id = String(source.id);
    const first = seenIds.get(id);
    if (first !== undefined) problems.push({ pointer: `/problems/${i}/id`, expected: `id '${id}' is already used by /problems/${first}` });
    else seenIds.set(id, i);
  });
  return problems;
}

/** Every label a check names must be one of the suite's, of the type the check needs; plus the check's own rules. */
function checkProblems(suite: ValidatedData, firstIndex: ReadonlyMap<string, number>): ValidationProblem[] {
  const knownText = [...firstIndex.keys()].join(', ');
  return suite.checks.flatMap((check, i) => {
    const at = `/checks/${i}`;
    const definition = checkDefinition(check.type);
    if (!definition) return [];
    const own = (definition.problems?.(check) ?? []).map((p) => ({ pointer: `${at}/${p.pointer}`, expected: p.expected }));
    const references = (definition.reads(check) ?? []).flatMap(({ field, label, mustBe }): ValidationProblem[] => {
      const pointer = `${at}/${field}`;
      const index = firstIndex.get(label);
      if (index === undefined) return [{ pointer, expected: `expected one of the suite's intervention labels (${knownText}), got ${JSON.stringify(label)}` }];
      const type = suite.interventions[index]?.type;
      return mustBe !== undefined && type !== mustBe ? [{ pointer, expected: `expected a ${mustBe} intervention, got '${label}' (${type})` }] : [];
    });
    return [...references, ...own];
  });
}

/** Rules one JSON Schema cannot say: unique labels, references between fields, sizes that must fit. */
function crossFieldProblems(suite: ValidatedData): ValidationProblem[] {
  const registry = interventionProblems(suite);
  const problems = [...registry, ...templateProblems(suite)];
  // Labels come from the intervention registry: with a broken intervention they cannot be known.
  if (registry.length > 0) return problems;
  const firstIndex = labelIndex(suite, problems);
  return [...problems, ...sizeProblems(suite), ...problemIdProblems(suite), ...checkProblems(suite, firstIndex)];
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
  let suite: ValidatedData;
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
