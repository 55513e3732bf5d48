export { compilePlan, sampleSeed, hashKey, type PlannedTree, type PlanInput } from './plan.ts';
