/**
 * The built-in checks, one line each: export { check as <type> } from './<type>.ts'. A new check is
 * its file plus one line here (CONTRIBUTING.md, "Adding a check"); the suite schema, the editor
 * JSON schema, names, scopes and dispatch all follow from this list (registry.ts). A module's
 * exports are listed in alphabetical order whatever order they are written in, so they are
 * written that way too: it is the order suite errors and the JSON schema name them.
 */
export { check as accuracyAtLeast } from './accuracyAtLeast.ts';
export { check as accuracyDropAtMost } from './accuracyDropAtMost.ts';
export { check as budgetRespected } from './budgetRespected.ts';
export { check as confidenceRises } from './confidenceRises.ts';
export { check as monotoneInBudget } from './monotoneInBudget.ts';
export { check as noRegression } from './noRegression.ts';
export { check as property } from './property.ts';
export { check as reflectionShift } from './reflectionShift.ts';
export { check as tokensSavedAtLeast } from './tokensSavedAtLeast.ts';
