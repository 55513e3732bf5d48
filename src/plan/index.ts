export { compilePlan, sampleSeed, hashKey, type PlannedTree, type PlanInput, type PlannableIntervention } from './plan.ts';
export type * from './tree-api.ts';
export type * from './intervention.ts';
export { S1_CLOSE } from './caps.ts';
