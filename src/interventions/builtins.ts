/**
 * The built-in interventions, one line each: a file that exports `type`, `schema`, `describe` and
 * `build` (see CONTRIBUTING.md, "Adding an intervention"). The registry (registry.ts) reads this
 * list; errors and the editor schema name the types in alphabetical order.
 */
export * as baseline from './baseline.ts';
export * as budget from './budget.ts';
export * as earlyExit from './earlyExit.ts';
export * as extend from './extend.ts';
export * as injectReflection from './injectReflection.ts';
export * as noThinking from './noThinking.ts';
export * as probes from './probes.ts';
export * as softBudget from './softBudget.ts';
export * as stopInstruction from './stopInstruction.ts';
export * as stopPhrase from './stopPhrase.ts';
export * as suppressReflection from './suppressReflection.ts';
