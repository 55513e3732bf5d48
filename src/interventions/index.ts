import { DEFINITIONS } from './registry.ts';
import { setAsideUserInterventions, type SetAside } from './user.ts';

export { baseline, baselineOutput } from './baseline.ts';
export { budget, S1_CLOSE, QWEN3_CLOSE, BUDGET_CLOSES } from './budget.ts';
export { earlyExit, EXIT_CLOSE, type EarlyExitOptions } from './earlyExit.ts';
export { extend } from './extend.ts';
export { injectReflection } from './injectReflection.ts';
export { noThinking, NO_THINKING_PREFILL } from './noThinking.ts';
export { probes, type ProbesOptions } from './probes.ts';
export { softBudget } from './softBudget.ts';
export { stopInstruction, NO_THINK_INSTRUCTION } from './stopInstruction.ts';
export { stopPhrase, RAML_STOP_PHRASE } from './stopPhrase.ts';
export { suppressReflection } from './suppressReflection.ts';
export { REFLECTION_WORDS, NOWAIT_WORDS, PROBE_SUFFIXES, reflectionScanner } from './words.ts';
export * as primitives from './primitives.ts';
export {
  DEFINITIONS,
  REGISTRY,
  createRegistry,
  type Registry,
  INTERVENTION_TYPES,
  interventionFromSpec,
  interventionItemSchema,
  interventionSchemas,
  withTag,
  type BuiltInParams,
} from './registry.ts';
export type { InterventionDefinition, BuildTools } from './define.ts';
export { ParamError } from './define.ts';
export { defineIntervention, isUserIntervention, loadInterventionModules, BOUND, type UserIntervention, type LoadOptions, type SetAside } from './user.ts';
export type {
  Intervention,
  InterventionOutput,
  Injection,
  Params,
  JsonValue,
} from '../plan/intervention.ts';
export type { InterventionContext, Cut, Branch, ProbeOutcome, Finished, CloseOutcome, Match, RunOptions, TreeConfig } from '../plan/tree-api.ts';

/** Sets a suite value's user interventions aside before it is validated as data (see user.ts); built-in types are the registry's. */
export function setAsideInterventions(value: unknown): SetAside {
  return setAsideUserInterventions(value, (type) => DEFINITIONS.has(type));
}
